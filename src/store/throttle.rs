//! Failed sign-in attempts, counted in the store so that every node sees the same count and a
//! restart does not reset it. Each counted thing (an account, an address) has one row: the
//! start of its current window and the attempts counted in it. Keys are stored as SHA-256
//! digests.
//!
//! Two ways to count, both atomic so that concurrent attempts cannot slip past a bound:
//! - **charge first** ([`Store::charge_attempt`]): an attempt is counted before its
//!   credentials are checked, and refunded when they were right. For slow checks (a password
//!   hash), where many guesses could otherwise be in flight at once.
//! - **count failures** ([`Store::record_failure`]): a failure is counted after an instant
//!   check, and the count says whether it was past the bound.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{Store, db};
use crate::error::Result;

fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// One counted thing and its bound.
#[derive(Clone, Copy, Debug)]
pub struct Counted<'a> {
    /// What is counted (an account, an address); stored as a digest.
    pub key: &'a str,
    /// Attempts it may make in a window.
    pub limit: u32,
}

/// Adds one to `key`'s window (a new window from `now` when its own ended), returning the
/// count and the window's end.
async fn bump(
    tx: &mut db::Conn,
    key: &str,
    window: Duration,
    now: DateTime<Utc>,
) -> Result<(i64, DateTime<Utc>)> {
    let stale = db::millis(now - window);
    let row = sqlx::query(
        "INSERT INTO auth_failures (key, window_start, failures) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN auth_failures.window_start <= $3 THEN 1 \
                           ELSE auth_failures.failures + 1 END, \
           window_start = CASE WHEN auth_failures.window_start <= $4 THEN excluded.window_start \
                               ELSE auth_failures.window_start END \
         RETURNING failures, window_start",
    )
    .bind(digest(key))
    .bind(db::millis(now))
    .bind(stale)
    .bind(stale)
    .fetch_one(&mut *tx)
    .await?;
    let start = db::from_millis(row.try_get("window_start")?)?;
    Ok((row.try_get("failures")?, start + window))
}

/// Rows whose window ended long ago count nothing: dropped so the table stays small.
async fn prune(tx: &mut db::Conn, window: Duration, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("DELETE FROM auth_failures WHERE window_start <= $1")
        .bind(db::millis(now - window - window))
        .execute(&mut *tx)
        .await?;
    Ok(())
}

impl Store {
    /// How long `key` must still wait, if it has `limit` or more attempts counted in its
    /// current window (of length `window`) at `now`.
    pub async fn locked_out(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<Duration>> {
        let row = sqlx::query("SELECT window_start, failures FROM auth_failures WHERE key = $1")
            .bind(digest(key))
            .fetch_optional(&self.inner.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let ends = db::from_millis(row.try_get("window_start")?)? + window;
        let failures: i64 = row.try_get("failures")?;
        Ok((ends > now && failures >= i64::from(limit)).then(|| ends - now))
    }

    /// Charges an attempt to every key, unless one of them is at its bound: then nothing is
    /// charged and the wait is returned. Check and charge are one transaction under the
    /// write lock, so of any number of concurrent attempts at most the bound get through.
    pub async fn charge_attempt(
        &self,
        keys: &[Counted<'_>],
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<Duration>> {
        let mut tx = db::bookkeeping_tx(&self.inner.pool, self.inner.engine).await?;
        let mut wait: Option<Duration> = None;
        for c in keys {
            let row =
                sqlx::query("SELECT window_start, failures FROM auth_failures WHERE key = $1")
                    .bind(digest(c.key))
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(row) = row {
                let ends = db::from_millis(row.try_get("window_start")?)? + window;
                let failures: i64 = row.try_get("failures")?;
                if ends > now && failures >= i64::from(c.limit) {
                    wait = wait.max(Some(ends - now));
                }
            }
        }
        if wait.is_some() {
            return Ok(wait);
        }
        for c in keys {
            bump(&mut tx, c.key, window, now).await?;
        }
        prune(&mut tx, window, now).await?;
        tx.commit().await?;
        Ok(None)
    }

    /// Takes back one charged attempt of `key` (its credentials were right), in its current
    /// window only.
    pub async fn refund_attempt(
        &self,
        key: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE auth_failures SET failures = failures - 1 \
             WHERE key = $1 AND failures > 0 AND window_start > $2",
        )
        .bind(digest(key))
        .bind(db::millis(now - window))
        .execute(&self.inner.pool)
        .await?;
        Ok(())
    }

    /// Counts one failure for every key, and returns the wait when any of them is now past
    /// its bound (so the failure that crossed it is answered as refused too).
    pub async fn record_failure(
        &self,
        keys: &[Counted<'_>],
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<Duration>> {
        let mut tx = self.inner.pool.begin().await?;
        let mut wait: Option<Duration> = None;
        for c in keys {
            let (count, ends) = bump(&mut tx, c.key, window, now).await?;
            if count > i64::from(c.limit) {
                wait = wait.max(Some(ends - now));
            }
        }
        prune(&mut tx, window, now).await?;
        tx.commit().await?;
        Ok(wait)
    }

    /// Forgets what was counted for `key` (after a successful sign-in of that account).
    pub async fn clear_failures(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM auth_failures WHERE key = $1")
            .bind(digest(key))
            .execute(&self.inner.pool)
            .await?;
        Ok(())
    }
}
