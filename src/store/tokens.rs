//! Bearer tokens idbridge mints for subjects. Only a SHA-256 of each token is stored; the
//! token is returned once, at minting.

use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use super::{Store, db};
use crate::error::{Error, Result};
use crate::model::TenantId;

/// A freshly minted token: the only time its text exists outside the caller's hands.
#[derive(Clone)]
pub struct MintedToken {
    /// The bearer token to hand to the client.
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for MintedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MintedToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Whom a presented token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenOwner {
    /// The tenant.
    pub tenant: TenantId,
    /// The subject.
    pub subject_id: Uuid,
    /// The process it is scoped to, if any.
    pub process_id: Option<Uuid>,
}

/// Purpose of the client tokens the admin API mints (B2Core bearer tokens).
pub const CLIENT_TOKEN: &str = "client";

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Mints a token for a subject of this tenant, for one purpose (e.g. `client`).
    pub async fn mint_token(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        process_id: Option<Uuid>,
        purpose: &str,
        ttl: Duration,
    ) -> Result<MintedToken> {
        self.get_subject(tenant, subject_id).await?;
        // A write transaction, so that the token's issue and its audit event commit together.
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let minted = insert_token(&mut *tx, tenant, subject_id, process_id, purpose, ttl).await?;
        tx.commit().await?;
        Ok(minted)
    }

    /// Whom a presented token belongs to, if it exists for this purpose and has not expired.
    /// Lookup is by hash, so the comparison never touches the token's text.
    pub async fn resolve_token(
        &self,
        purpose: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TokenOwner>> {
        let hash = digest(token);
        let row = sqlx::query(
            "SELECT tenant, subject_id, process_id FROM tokens WHERE hash = $1 AND purpose = $2 AND expires_at > $3",
        )
        .bind(&hash)
        .bind(purpose)
        .bind(db::millis(now))
        .fetch_optional(&self.inner.pool)
        .await?;
        let owner = row
            .map(|r| {
                let process: Option<String> = r.try_get("process_id")?;
                Ok::<_, Error>(TokenOwner {
                    tenant: TenantId::new(r.try_get::<String, _>("tenant")?)
                        .map_err(Error::internal)?,
                    subject_id: db::uuid(r.try_get("subject_id")?)?,
                    process_id: process.as_deref().map(db::uuid).transpose()?,
                })
            })
            .transpose()?;
        if let Some(o) = &owner {
            crate::audit::credential(&o.tenant, crate::audit::token_id(purpose, &hash));
            crate::audit::subject(o.subject_id);
        }
        Ok(owner)
    }
}

impl super::Tx {
    /// Mints a token inside the transaction: it works once the transaction commits.
    pub async fn mint_token(
        &mut self,
        tenant: &TenantId,
        subject_id: Uuid,
        process_id: Option<Uuid>,
        purpose: &str,
        ttl: Duration,
    ) -> Result<MintedToken> {
        insert_token(self.conn(), tenant, subject_id, process_id, purpose, ttl).await
    }
}

async fn insert_token<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    tenant: &TenantId,
    subject_id: Uuid,
    process_id: Option<Uuid>,
    purpose: &str,
    ttl: Duration,
) -> Result<MintedToken> {
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let token = format!("idb_{purpose}_{}", hex::encode(raw));
    let now = db::now();
    let expires_at = now + ttl;
    sqlx::query(
        "INSERT INTO tokens (hash, tenant, subject_id, process_id, purpose, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(digest(&token))
    .bind(tenant.as_str())
    .bind(subject_id.to_string())
    .bind(process_id.map(|p| p.to_string()))
    .bind(purpose)
    .bind(db::millis(expires_at))
    .bind(db::millis(now))
    .execute(ex)
    .await?;
    Ok(MintedToken { token, expires_at })
}
