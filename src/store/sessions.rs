//! Sign-in sessions and tenant tokens: what a vendor's own sign-in hands out. A session is an
//! access token and a refresh token issued together; refreshing replaces both, signing out
//! ends both. A session belongs to a subject (a client signed in: its tokens live beside the
//! admin-minted ones in `tokens`) or to a principal of a whole tenant (a back-office user, a
//! Jumio API client: `tenant_tokens`). Only SHA-256 digests of tokens are stored, and every
//! check of an expiry is part of the lookup, so an expired token is never returned.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use super::{MintedToken, Store, db};
use crate::error::{Error, Result};
use crate::model::TenantId;

/// Who a session or tenant token is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    /// A subject of the tenant (a client signed in with its own password).
    Subject(Uuid),
    /// A principal of the whole tenant, named by a non-secret text (a client id, a digest).
    Principal(String),
}

/// The purposes and lifetimes of a session's two tokens.
#[derive(Clone, Copy, Debug)]
pub struct SessionKind {
    /// Purpose of the access token (what it opens).
    pub access: &'static str,
    /// Purpose of the refresh token.
    pub refresh: &'static str,
    /// Lifetime of the access token.
    pub access_ttl: Duration,
    /// Lifetime of the refresh token.
    pub refresh_ttl: Duration,
}

/// The two tokens of a session, shown once.
#[derive(Debug)]
pub struct SessionTokens {
    /// When they were issued.
    pub created_at: DateTime<Utc>,
    /// The access token.
    pub access: MintedToken,
    /// The refresh token.
    pub refresh: MintedToken,
}

/// Whom a tenant token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenantTokenOwner {
    /// The tenant.
    pub tenant: TenantId,
    /// Who it was issued to.
    pub principal: String,
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn new_token(purpose: &str) -> String {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    format!("idb_{purpose}_{}", hex::encode(raw))
}

async fn insert(
    tx: &mut db::Conn,
    tenant: &TenantId,
    holder: &Holder,
    purpose: &str,
    session: Option<Uuid>,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<MintedToken> {
    let token = new_token(purpose);
    let expires_at = now + ttl;
    let session = session.map(|s| s.to_string());
    match holder {
        Holder::Subject(subject) => {
            sqlx::query(
                "INSERT INTO tokens (hash, tenant, subject_id, process_id, purpose, expires_at, created_at, session) \
                 VALUES ($1, $2, $3, NULL, $4, $5, $6, $7)",
            )
            .bind(digest(&token))
            .bind(tenant.as_str())
            .bind(subject.to_string())
            .bind(purpose)
            .bind(db::millis(expires_at))
            .bind(db::millis(now))
            .bind(session)
            .execute(&mut *tx)
            .await?;
        }
        Holder::Principal(principal) => {
            sqlx::query(
                "INSERT INTO tenant_tokens (hash, tenant, purpose, principal, session, expires_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(digest(&token))
            .bind(tenant.as_str())
            .bind(purpose)
            .bind(principal)
            .bind(session)
            .bind(db::millis(expires_at))
            .bind(db::millis(now))
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(MintedToken { token, expires_at })
}

async fn issue_pair(
    tx: &mut db::Conn,
    tenant: &TenantId,
    holder: &Holder,
    kind: SessionKind,
    session: Uuid,
) -> Result<SessionTokens> {
    let now = db::now();
    let access = insert(
        tx,
        tenant,
        holder,
        kind.access,
        Some(session),
        now,
        kind.access_ttl,
    )
    .await?;
    let refresh = insert(
        tx,
        tenant,
        holder,
        kind.refresh,
        Some(session),
        now,
        kind.refresh_ttl,
    )
    .await?;
    Ok(SessionTokens {
        created_at: now,
        access,
        refresh,
    })
}

/// Deletes every token of a session, in both tables.
async fn delete_session(tx: &mut db::Conn, session: &str) -> Result<()> {
    for sql in [
        "DELETE FROM tokens WHERE session = $1",
        "DELETE FROM tenant_tokens WHERE session = $1",
    ] {
        sqlx::query(sql).bind(session).execute(&mut *tx).await?;
    }
    Ok(())
}

impl Store {
    /// Starts a session for `holder`: a fresh access and refresh token. A subject holder must
    /// be a subject of this tenant.
    pub async fn start_session(
        &self,
        tenant: &TenantId,
        holder: &Holder,
        kind: SessionKind,
    ) -> Result<SessionTokens> {
        if let Holder::Subject(id) = holder {
            crate::audit::subject(*id);
        }
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let tokens = issue_pair(&mut tx, tenant, holder, kind, Uuid::now_v7()).await?;
        tx.commit().await?;
        Ok(tokens)
    }

    /// Trades a refresh token for a new pair in the same session: the old refresh token and
    /// every other token of the session stop working in the same transaction, so a refresh
    /// token works once. `None` when the token is unknown, of another kind, or expired.
    pub async fn refresh_session(
        &self,
        kind: SessionKind,
        refresh_token: &str,
    ) -> Result<Option<(TenantId, Holder, SessionTokens)>> {
        let hash = digest(refresh_token);
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let now = db::millis(db::now());
        let subject = sqlx::query(
            "SELECT tenant, subject_id AS holder, session FROM tokens \
             WHERE hash = $1 AND purpose = $2 AND expires_at > $3 AND session IS NOT NULL",
        )
        .bind(&hash)
        .bind(kind.refresh)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let (row, is_subject) = match subject {
            Some(row) => (Some(row), true),
            None => (
                sqlx::query(
                    "SELECT tenant, principal AS holder, session FROM tenant_tokens \
                     WHERE hash = $1 AND purpose = $2 AND expires_at > $3 AND session IS NOT NULL",
                )
                .bind(&hash)
                .bind(kind.refresh)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?,
                false,
            ),
        };
        let Some(row) = row else { return Ok(None) };
        let tenant = TenantId::new(row.try_get::<String, _>("tenant")?).map_err(Error::internal)?;
        let holder_text: String = row.try_get("holder")?;
        let holder = if is_subject {
            Holder::Subject(db::uuid(&holder_text)?)
        } else {
            Holder::Principal(holder_text)
        };
        crate::audit::credential(&tenant, crate::audit::token_id(kind.refresh, &hash));
        if let Holder::Subject(id) = &holder {
            crate::audit::subject(*id);
        }
        let session: String = row.try_get("session")?;
        delete_session(&mut tx, &session).await?;
        let tokens = issue_pair(&mut tx, &tenant, &holder, kind, db::uuid(&session)?).await?;
        tx.commit().await?;
        Ok(Some((tenant, holder, tokens)))
    }

    /// Ends the session an access token of this purpose belongs to: both of its tokens stop
    /// working. Returns whether the token was a live one.
    pub async fn end_session(&self, access_purpose: &str, access_token: &str) -> Result<bool> {
        let hash = digest(access_token);
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let now = db::millis(db::now());
        let mut found = None;
        for sql in [
            "SELECT session, tenant FROM tokens WHERE hash = $1 AND purpose = $2 AND expires_at > $3",
            "SELECT session, tenant FROM tenant_tokens WHERE hash = $1 AND purpose = $2 AND expires_at > $3",
        ] {
            if found.is_none() {
                found = sqlx::query(sql)
                    .bind(&hash)
                    .bind(access_purpose)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
            }
        }
        let Some(row) = found else {
            return Ok(false);
        };
        let Some(session) = row.try_get::<Option<String>, _>("session")? else {
            return Ok(false);
        };
        let tenant = TenantId::new(row.try_get::<String, _>("tenant")?).map_err(Error::internal)?;
        crate::audit::credential(&tenant, crate::audit::token_id(access_purpose, &hash));
        delete_session(&mut tx, &session).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Mints a token that opens a whole tenant for one purpose (a Jumio access token), issued
    /// to `principal`. Expired tokens of the same purpose are removed on the way, so the table
    /// stays the size of the tokens alive.
    pub async fn mint_tenant_token(
        &self,
        tenant: &TenantId,
        purpose: &str,
        principal: &str,
        ttl: Duration,
    ) -> Result<MintedToken> {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let now = db::now();
        sqlx::query("DELETE FROM tenant_tokens WHERE purpose = $1 AND expires_at <= $2")
            .bind(purpose)
            .bind(db::millis(now))
            .execute(&mut *tx)
            .await?;
        let holder = Holder::Principal(principal.to_owned());
        let minted = insert(&mut tx, tenant, &holder, purpose, None, now, ttl).await?;
        tx.commit().await?;
        Ok(minted)
    }

    /// Whom a tenant token of this purpose belongs to, if it exists and has not expired.
    pub async fn resolve_tenant_token(
        &self,
        purpose: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TenantTokenOwner>> {
        let hash = digest(token);
        let row = sqlx::query(
            "SELECT tenant, principal FROM tenant_tokens WHERE hash = $1 AND purpose = $2 AND expires_at > $3",
        )
        .bind(&hash)
        .bind(purpose)
        .bind(db::millis(now))
        .fetch_optional(&self.inner.pool)
        .await?;
        let owner = row
            .map(|r| {
                Ok::<_, Error>(TenantTokenOwner {
                    tenant: TenantId::new(r.try_get::<String, _>("tenant")?)
                        .map_err(Error::internal)?,
                    principal: r.try_get("principal")?,
                })
            })
            .transpose()?;
        if let Some(o) = &owner {
            crate::audit::credential(&o.tenant, crate::audit::token_id(purpose, &hash));
        }
        Ok(owner)
    }

    /// Opens a one-time sign-in session (B2Core's wizard `uuid`) valid for `ttl`.
    pub async fn open_signin(&self, ttl: Duration) -> Result<Uuid> {
        let id = Uuid::new_v4();
        let now = db::now();
        let mut tx = self.inner.pool.begin().await?;
        sqlx::query("DELETE FROM signin_sessions WHERE expires_at <= $1")
            .bind(db::millis(now))
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO signin_sessions (id, expires_at) VALUES ($1, $2)")
            .bind(id.to_string())
            .bind(db::millis(now + ttl))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Whether a sign-in session is open (unknown and expired ones are not).
    pub async fn signin_open(&self, id: Uuid) -> Result<bool> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM signin_sessions WHERE id = $1 AND expires_at > $2")
                .bind(id.to_string())
                .bind(db::millis(db::now()))
                .fetch_optional(&self.inner.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Uses up a sign-in session; `false` when another request used it first.
    pub async fn close_signin(&self, id: Uuid) -> Result<bool> {
        let done = sqlx::query("DELETE FROM signin_sessions WHERE id = $1 AND expires_at > $2")
            .bind(id.to_string())
            .bind(db::millis(db::now()))
            .execute(&self.inner.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
