//! Idempotency keys: a request with a key runs once; retries get the first answer.
//!
//! The first request claims the key with a fingerprint of itself (a row with no response
//! yet), runs, then records its response. A retry with the same fingerprint replays it; one
//! with another fingerprint, or one arriving while the first still runs, is refused. A claim
//! whose request failed is released, so the client can try again.

use sqlx::Row;

use super::{Store, db};
use crate::error::{Error, Result};
use crate::model::{Namespace, TenantId};

/// The longest idempotency key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// What a claim found.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: run the request, then [`Store::complete_idempotency`].
    New,
    /// The same request already ran: answer with this status and body.
    Replay {
        /// The first response's status.
        status: u16,
        /// The first response's JSON body.
        body: String,
    },
    /// The key was used for a different request.
    Mismatch,
    /// The first request with this key is still running.
    InProgress,
}

impl Store {
    /// Claims `key` for a request with this fingerprint, or says why not.
    pub async fn claim_idempotency(
        &self,
        tenant: &TenantId,
        ns: &Namespace,
        key: &str,
        fingerprint: &str,
    ) -> Result<Claim> {
        if key.is_empty() || key.len() > MAX_KEY_LEN || key.chars().any(char::is_control) {
            return Err(Error::invalid(
                "x-nymos-idempotency-key",
                "must be 1-255 characters without control characters",
            ));
        }
        let claimed = sqlx::query(
            "INSERT INTO idempotency (tenant, namespace, key, fingerprint, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT DO NOTHING",
        )
        .bind(tenant.as_str())
        .bind(ns.as_str())
        .bind(key)
        .bind(fingerprint)
        .bind(db::millis(db::now()))
        .execute(&self.inner.pool)
        .await?;
        if claimed.rows_affected() == 1 {
            return Ok(Claim::New);
        }
        let row = sqlx::query("SELECT fingerprint, status, body FROM idempotency WHERE tenant = $1 AND namespace = $2 AND key = $3")
            .bind(tenant.as_str())
            .bind(ns.as_str())
            .bind(key)
            .fetch_optional(&self.inner.pool)
            .await?;
        // Released between our insert and this read: the caller may simply retry.
        let Some(row) = row else {
            return Ok(Claim::InProgress);
        };
        if row.try_get::<&str, _>("fingerprint")? != fingerprint {
            return Ok(Claim::Mismatch);
        }
        match (
            row.try_get::<Option<i64>, _>("status")?,
            row.try_get::<Option<String>, _>("body")?,
        ) {
            (Some(status), Some(body)) => Ok(Claim::Replay {
                status: status as u16,
                body,
            }),
            _ => Ok(Claim::InProgress),
        }
    }

    /// Records the response of the request that claimed `key`.
    pub async fn complete_idempotency(
        &self,
        tenant: &TenantId,
        ns: &Namespace,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<()> {
        sqlx::query("UPDATE idempotency SET status = $1, body = $2 WHERE tenant = $3 AND namespace = $4 AND key = $5")
            .bind(i64::from(status))
            .bind(body)
            .bind(tenant.as_str())
            .bind(ns.as_str())
            .bind(key)
            .execute(&self.inner.pool)
            .await?;
        Ok(())
    }

    /// Releases a claim whose request failed, so the same key can be used again.
    pub async fn release_idempotency(
        &self,
        tenant: &TenantId,
        ns: &Namespace,
        key: &str,
    ) -> Result<()> {
        sqlx::query("DELETE FROM idempotency WHERE tenant = $1 AND namespace = $2 AND key = $3 AND status IS NULL")
            .bind(tenant.as_str())
            .bind(ns.as_str())
            .bind(key)
            .execute(&self.inner.pool)
            .await?;
        Ok(())
    }
}
