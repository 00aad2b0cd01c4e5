//! The metadata database: pool, migrations, and the conversions every query shares.
//! All SQL in idbridge lives under `src/store`.
//!
//! SQL assembled with `format!` (column lists, [`NOW_MS`], fixed filter fragments) reaches sqlx
//! wrapped in `AssertSqlSafe`: it is built from constants only, and every value goes in as a
//! bound parameter, never into the text.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use uuid::Uuid;

use crate::error::{Error, Result};

/// The pool type; SQLite is the embedded engine.
pub type Pool = sqlx::SqlitePool;

/// Opens the database at `url` (e.g. `sqlite://data/idbridge.db`), creating it if needed,
/// in WAL mode with full fsync on commit, and runs the migrations.
pub async fn open(url: &str) -> Result<Pool> {
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|e| Error::invalid("storage.metadata_url", e.to_string()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit is durable once acknowledged, which the store's promises rely on.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30))
        // Deleted rows (wrapped data keys) are overwritten, not left in free pages.
        .pragma("secure_delete", "ON");
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(opts)
        .await?;
    sqlx::migrate!("./migrations")
        .run(&pool)
        .await
        .map_err(Error::internal)?;
    Ok(pool)
}

/// The database's clock in milliseconds since the epoch, as SQL: what leases, claims and
/// other expiries shared by several nodes are compared with, so that nodes whose clocks
/// differ still agree.
pub const NOW_MS: &str = "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";

/// Milliseconds since the epoch, as stored.
pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Reads stored milliseconds back.
pub fn from_millis(ms: i64) -> Result<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| Error::internal("stored timestamp out of range"))
}

/// Reads a stored UUID back.
pub fn uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(Error::internal)
}

/// Reads stored JSON back.
pub fn json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(Error::internal)
}

/// Writes JSON for storage.
pub fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(Error::internal)
}

/// Current time truncated to what storage keeps (milliseconds), so values read back compare equal.
pub fn now() -> DateTime<Utc> {
    from_millis(millis(Utc::now())).unwrap_or_else(|_| Utc::now())
}

/// Starts a transaction that takes the write lock at once. Read-modify-write transactions
/// use it: a deferred one that reads first can fail when it later tries to write.
pub async fn write_tx(pool: &Pool) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Copies the WAL into the database file and truncates it, so rows deleted for
/// crypto-shredding survive in neither (`secure_delete` zeroes them in the database file).
/// Best effort: a checkpoint blocked by a long reader is retried by SQLite's automatic ones.
pub async fn checkpoint(pool: &Pool) {
    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool)
        .await
    {
        tracing::warn!(error = %e, "WAL checkpoint after a delete failed; SQLite will retry");
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Row;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection};

    use super::*;

    fn url(dir: &std::path::Path) -> String {
        format!("sqlite://{}", dir.join("t.db").display())
    }

    async fn pragma(pool: &Pool, name: &'static str) -> String {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA {name}")))
            .fetch_one(pool)
            .await
            .unwrap();
        // journal_mode answers with text, the others with integers.
        row.try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
            .unwrap()
    }

    /// The connection settings the store's promises rest on are in force on the pool's
    /// connections, and a second open of a migrated database finds the migrations applied
    /// (their checksums match) rather than failing.
    #[tokio::test]
    async fn open_applies_settings_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let first = open(&url(dir.path())).await.unwrap();
        let pool = open(&url(dir.path())).await.unwrap();
        assert_eq!(pragma(&pool, "journal_mode").await, "wal");
        assert_eq!(pragma(&pool, "synchronous").await, "2", "FULL");
        assert_eq!(pragma(&pool, "foreign_keys").await, "1");
        assert_eq!(pragma(&pool, "busy_timeout").await, "30000");
        assert_eq!(pragma(&pool, "secure_delete").await, "1");
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(
            applied,
            sqlx::migrate!("./migrations").iter().count() as i64
        );
        first.close().await;
    }

    /// `write_tx` holds the write lock from its start, before any statement: another
    /// connection that will not wait cannot take it meanwhile.
    #[tokio::test]
    async fn write_tx_takes_the_write_lock_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let pool = open(&url(dir.path())).await.unwrap();
        let tx = write_tx(&pool).await.unwrap();
        let mut other = SqliteConnectOptions::from_str(&url(dir.path()))
            .unwrap()
            .busy_timeout(Duration::ZERO)
            .connect()
            .await
            .unwrap();
        let err = sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("locked"), "{err}");
        tx.rollback().await.unwrap();
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .unwrap();
        sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
        other.close().await.unwrap();
    }
}
