//! Accounts that sign in with their own credentials: client accounts of subjects (an email and
//! an argon2id password hash, B2Core's clients) and service accounts of tenants (a public key
//! that checks JWT assertions, MasStack's service accounts). The store keeps what checks a
//! credential, never the credential: hashing and key generation happen above it.

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use super::{Store, db};
use crate::error::{Error, Result};
use crate::model::TenantId;

/// A subject's sign-in account.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientAccount {
    /// The tenant.
    pub tenant: TenantId,
    /// The account's id.
    pub id: Uuid,
    /// Its per-tenant integer id (B2Core's `clientId`).
    pub number: i64,
    /// The subject it signs in as.
    pub subject_id: Uuid,
    /// The sign-in email, as stored (lower case).
    pub email: String,
    /// The argon2id hash of its password (PHC string).
    pub password_hash: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for ClientAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAccount")
            .field("tenant", &self.tenant)
            .field("id", &self.id)
            .field("number", &self.number)
            .field("subject_id", &self.subject_id)
            .finish_non_exhaustive()
    }
}

/// A tenant's service account: who may sign assertions, and the key that checks them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceAccount {
    /// The tenant.
    pub tenant: TenantId,
    /// Its id, which is also its key id (`private_key_id`, the assertion's `kid`).
    pub id: Uuid,
    /// The `client_email` it signs as (the assertion's `iss`).
    pub client_email: String,
    /// Its public key, PEM.
    pub public_key: String,
    /// A free label.
    pub label: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

const CLIENT_COLUMNS: &str =
    "tenant, id, number, subject_id, email, password_hash, created_at FROM client_accounts";
const SERVICE_COLUMNS: &str =
    "tenant, id, client_email, public_key, label, created_at, revoked_at FROM service_accounts";

fn client_from_row(r: &db::Row) -> Result<ClientAccount> {
    Ok(ClientAccount {
        tenant: TenantId::new(r.try_get::<String, _>("tenant")?).map_err(Error::internal)?,
        id: db::uuid(r.try_get("id")?)?,
        number: r.try_get("number")?,
        subject_id: db::uuid(r.try_get("subject_id")?)?,
        email: r.try_get("email")?,
        password_hash: r.try_get("password_hash")?,
        created_at: db::from_millis(r.try_get("created_at")?)?,
    })
}

fn service_from_row(r: &db::Row) -> Result<ServiceAccount> {
    Ok(ServiceAccount {
        tenant: TenantId::new(r.try_get::<String, _>("tenant")?).map_err(Error::internal)?,
        id: db::uuid(r.try_get("id")?)?,
        client_email: r.try_get("client_email")?,
        public_key: r.try_get("public_key")?,
        label: r.try_get("label")?,
        created_at: db::from_millis(r.try_get("created_at")?)?,
        revoked_at: r
            .try_get::<Option<i64>, _>("revoked_at")?
            .map(db::from_millis)
            .transpose()?,
    })
}

impl Store {
    /// Creates the sign-in account of a subject of this tenant, with the next account number.
    /// A subject has at most one (a B2Core client is one account, one `clientId`); a second
    /// one, or an email already used in this tenant, is a conflict and nothing is stored.
    pub async fn create_client_account(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        email: &str,
        password_hash: &str,
    ) -> Result<ClientAccount> {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        super::subjects::require_subject(&mut tx, tenant, subject_id).await?;
        let has_one: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM client_accounts WHERE tenant = $1 AND subject_id = $2",
        )
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if has_one.is_some() {
            return Err(Error::Conflict(
                "this subject has a sign-in account already (one client, one account)".into(),
            ));
        }
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM client_accounts WHERE tenant = $1 AND email = $2")
                .bind(tenant.as_str())
                .bind(email)
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_some() {
            return Err(Error::Conflict(
                "an account with this email already exists".into(),
            ));
        }
        let number: i64 = sqlx::query_scalar(
            "INSERT INTO counters (tenant, name, value) VALUES ($1, 'client_account', 1) \
             ON CONFLICT (tenant, name) DO UPDATE SET value = counters.value + 1 RETURNING value",
        )
        .bind(tenant.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let account = ClientAccount {
            tenant: tenant.clone(),
            id: Uuid::now_v7(),
            number,
            subject_id,
            email: email.to_owned(),
            password_hash: password_hash.to_owned(),
            created_at: db::now(),
        };
        sqlx::query(
            "INSERT INTO client_accounts (tenant, id, number, subject_id, email, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(tenant.as_str())
        .bind(account.id.to_string())
        .bind(number)
        .bind(subject_id.to_string())
        .bind(email)
        .bind(password_hash)
        .bind(db::millis(account.created_at))
        .bind(db::millis(account.created_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Every account with this email, in any tenant: the candidates of a sign-in, which the
    /// caller narrows by tenant and by password.
    pub async fn client_accounts_by_email(&self, email: &str) -> Result<Vec<ClientAccount>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {CLIENT_COLUMNS} WHERE email = $1"
        )))
        .bind(email)
        .fetch_all(&self.inner.pool)
        .await?
        .iter()
        .map(client_from_row)
        .collect()
    }

    /// The tenant's account with this number.
    pub async fn client_account_by_number(
        &self,
        tenant: &TenantId,
        number: i64,
    ) -> Result<ClientAccount> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CLIENT_COLUMNS} WHERE tenant = $1 AND number = $2"
        )))
        .bind(tenant.as_str())
        .bind(number)
        .fetch_optional(&self.inner.pool)
        .await?
        .ok_or(Error::NotFound("client account"))?;
        client_from_row(&row)
    }

    /// A subject's accounts, oldest first.
    pub async fn client_accounts_of(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
    ) -> Result<Vec<ClientAccount>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {CLIENT_COLUMNS} WHERE tenant = $1 AND subject_id = $2 ORDER BY number"
        )))
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .fetch_all(&self.inner.pool)
        .await?
        .iter()
        .map(client_from_row)
        .collect()
    }

    /// Sets a new password hash on one of the subject's accounts and ends every sign-in
    /// session of the subject, in one transaction: whoever knew the old password is out.
    /// Tokens the admin API minted (no session) keep working.
    pub async fn set_client_password(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        account_id: Uuid,
        password_hash: &str,
    ) -> Result<ClientAccount> {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let done = sqlx::query(
            "UPDATE client_accounts SET password_hash = $1, updated_at = $2 \
             WHERE tenant = $3 AND subject_id = $4 AND id = $5",
        )
        .bind(password_hash)
        .bind(db::millis(db::now()))
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .bind(account_id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound("client account"));
        }
        sqlx::query(
            "DELETE FROM tokens WHERE tenant = $1 AND subject_id = $2 AND session IS NOT NULL",
        )
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {CLIENT_COLUMNS} WHERE tenant = $1 AND id = $2"
        )))
        .bind(tenant.as_str())
        .bind(account_id.to_string())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        client_from_row(&row)
    }

    /// Stores a new service account of this tenant. Its id and email are unique across
    /// tenants (an assertion names them before the tenant is known).
    pub async fn create_service_account(
        &self,
        tenant: &TenantId,
        id: Uuid,
        client_email: &str,
        public_key: &str,
        label: Option<&str>,
    ) -> Result<ServiceAccount> {
        let now = db::now();
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let done = sqlx::query(
            "INSERT INTO service_accounts (id, tenant, client_email, public_key, label, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(id.to_string())
        .bind(tenant.as_str())
        .bind(client_email)
        .bind(public_key)
        .bind(label)
        .bind(db::millis(now))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::Conflict(
                "a service account with this id or email exists".into(),
            ));
        }
        tx.commit().await?;
        Ok(ServiceAccount {
            tenant: tenant.clone(),
            id,
            client_email: client_email.to_owned(),
            public_key: public_key.to_owned(),
            label: label.map(str::to_owned),
            created_at: now,
            revoked_at: None,
        })
    }

    /// The service account with this key id, in whichever tenant it is (revoked ones too).
    pub async fn service_account(&self, id: Uuid) -> Result<Option<ServiceAccount>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {SERVICE_COLUMNS} WHERE id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(&self.inner.pool)
        .await?
        .as_ref()
        .map(service_from_row)
        .transpose()
    }

    /// The service account that signs as this email (revoked ones too).
    pub async fn service_account_by_email(&self, email: &str) -> Result<Option<ServiceAccount>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {SERVICE_COLUMNS} WHERE client_email = $1"
        )))
        .bind(email)
        .fetch_optional(&self.inner.pool)
        .await?
        .as_ref()
        .map(service_from_row)
        .transpose()
    }

    /// The tenant's service accounts, oldest first.
    pub async fn list_service_accounts(&self, tenant: &TenantId) -> Result<Vec<ServiceAccount>> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {SERVICE_COLUMNS} WHERE tenant = $1 ORDER BY created_at, id"
        )))
        .bind(tenant.as_str())
        .fetch_all(&self.inner.pool)
        .await?
        .iter()
        .map(service_from_row)
        .collect()
    }

    /// Revokes one of the tenant's service accounts: it signs nothing from now on, and the
    /// tokens it obtained stop working. Revoking twice keeps the first time.
    pub async fn revoke_service_account(
        &self,
        tenant: &TenantId,
        id: Uuid,
    ) -> Result<ServiceAccount> {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let done = sqlx::query(
            "UPDATE service_accounts SET revoked_at = COALESCE(revoked_at, $1) WHERE tenant = $2 AND id = $3",
        )
        .bind(db::millis(db::now()))
        .bind(tenant.as_str())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound("service account"));
        }
        tx.commit().await?;
        self.service_account(id)
            .await?
            .filter(|a| &a.tenant == tenant)
            .ok_or(Error::NotFound("service account"))
    }

    /// Records the use of an assertion id of this issuer; `false` when it was used before
    /// (a replay). Ids are kept until the assertion expires.
    pub async fn use_assertion(
        &self,
        issuer: &str,
        jti: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<bool> {
        let now = db::now();
        let mut tx = self.inner.pool.begin().await?;
        sqlx::query("DELETE FROM used_assertions WHERE expires_at <= $1")
            .bind(db::millis(now))
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query(
            "INSERT INTO used_assertions (issuer, jti, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(issuer)
        .bind(jti)
        .bind(db::millis(expires_at.max(now)))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
