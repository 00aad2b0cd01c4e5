//! Failed sign-in attempts, counted in the store so that every node sees the same count and a
//! restart does not reset it. Each counted thing (an account, an address) has one row: the
//! start of its current window and the failures in it. Keys are stored as SHA-256 digests.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Store, db};
use crate::error::Result;

fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

impl Store {
    /// How long `key` must still wait, if it has `limit` or more failures in its current
    /// window (of length `window`) at `now`.
    pub async fn locked_out(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<Duration>> {
        let row = sqlx::query("SELECT window_start, failures FROM auth_failures WHERE key = ?")
            .bind(digest(key))
            .fetch_optional(&self.inner.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let ends = db::from_millis(row.try_get("window_start")?)? + window;
        let failures: i64 = row.try_get("failures")?;
        Ok((ends > now && failures >= i64::from(limit)).then(|| ends - now))
    }

    /// Counts one failure for each key: in the key's window when it is still running, in a new
    /// window from `now` otherwise. One statement per key, so concurrent failures all count.
    pub async fn record_failure(
        &self,
        keys: &[&str],
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now_ms = db::millis(now);
        let stale = db::millis(now - window);
        let mut tx = self.inner.pool.begin().await?;
        for key in keys {
            sqlx::query(
                "INSERT INTO auth_failures (key, window_start, failures) VALUES (?, ?, 1) \
                 ON CONFLICT (key) DO UPDATE SET \
                   failures = CASE WHEN window_start <= ? THEN 1 ELSE failures + 1 END, \
                   window_start = CASE WHEN window_start <= ? THEN excluded.window_start ELSE window_start END",
            )
            .bind(digest(key))
            .bind(now_ms)
            .bind(stale)
            .bind(stale)
            .execute(&mut *tx)
            .await?;
        }
        // Rows whose window ended long ago count nothing: drop them so the table stays small.
        sqlx::query("DELETE FROM auth_failures WHERE window_start <= ?")
            .bind(db::millis(now - window - window))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the failures of `key` (after a successful sign-in of that account).
    pub async fn clear_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM auth_failures WHERE key = ?")
            .bind(digest(key))
            .execute(&self.inner.pool)
            .await?;
        Ok(())
    }
}
