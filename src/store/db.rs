//! The metadata database: pool, migrations, the engine's few differences, and the
//! conversions every query shares. All SQL in idbridge lives under `src/store`.
//!
//! One code path serves both engines through sqlx's `Any` driver: the statements use `$N`
//! placeholders, which SQLite and PostgreSQL both read, and only types both engines share
//! (TEXT, BIGINT). What differs (the clock, JSON functions, how a writer takes its lock)
//! comes from [`Engine`]. Each engine has its own migrations folder.
//!
//! SQL assembled with `format!` (column lists, engine fragments, fixed filter fragments)
//! reaches sqlx wrapped in `AssertSqlSafe`: it is built from constants only, and every value
//! goes in as a bound parameter, never into the text.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor};
use uuid::Uuid;

use crate::error::{Error, Result};

/// The pool type: SQLite (embedded) or PostgreSQL, chosen by the URL.
pub type Pool = sqlx::AnyPool;
/// One connection of the pool.
pub type Conn = sqlx::AnyConnection;
/// A transaction on the pool.
pub type DbTx = sqlx::Transaction<'static, sqlx::Any>;
/// A row read from either engine.
pub type Row = sqlx::any::AnyRow;

/// The SQL engine behind a pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The embedded engine: one file, one writer at a time.
    Sqlite,
    /// The shared engine several nodes use.
    Postgres,
}

/// How the pool is sized and bounded.
#[derive(Clone, Copy, Debug)]
pub struct DbSettings {
    /// Connections in the pool.
    pub pool_size: u32,
    /// The longest a statement may run (PostgreSQL `statement_timeout`), and the longest a
    /// request waits for a connection or for the write lock (SQLite `busy_timeout`).
    pub statement_timeout: Duration,
    /// The longest a request waits for a PostgreSQL connection from the pool. Short, so that
    /// while the database is down requests fail promptly (the pool would retry a refused
    /// connection until this runs out).
    pub connect_timeout: Duration,
}

impl Default for DbSettings {
    fn default() -> Self {
        DbSettings {
            pool_size: 8,
            statement_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// The key of the advisory lock every PostgreSQL write transaction takes (see [`write_tx`]).
const WRITE_LOCK: i64 = 0x1db_0001;

impl Engine {
    /// The engine a metadata URL names.
    pub fn of_url(url: &str) -> Result<Engine> {
        if url.starts_with("sqlite:") {
            Ok(Engine::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Engine::Postgres)
        } else {
            Err(Error::invalid(
                "storage.metadata_url",
                "expected a sqlite:// or postgres:// URL",
            ))
        }
    }

    /// The database's clock in milliseconds since the epoch, as SQL: what leases, claims
    /// and other expiries shared by several nodes are compared with, so that nodes whose
    /// clocks differ still agree.
    pub fn now_ms(self) -> &'static str {
        match self {
            Engine::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
            Engine::Postgres => {
                "CAST(FLOOR(EXTRACT(EPOCH FROM clock_timestamp()) * 1000) AS BIGINT)"
            }
        }
    }

    /// SQL true when the JSON object in the TEXT `column` has the member named by parameter
    /// `$n` (whatever its value, `null` included).
    pub fn json_has(self, column: &str, n: u8) -> String {
        match self {
            Engine::Sqlite => format!("json_type({column}, '$.\"' || ${n} || '\"') IS NOT NULL"),
            Engine::Postgres => format!("jsonb_exists(CAST({column} AS jsonb), ${n})"),
        }
    }

    /// SQL for the text of the top-level member named by parameter `$n` of the JSON object in
    /// the TEXT `column` (NULL when absent).
    pub fn json_text(self, column: &str, n: u8) -> String {
        match self {
            Engine::Sqlite => {
                format!("CAST(json_extract({column}, '$.\"' || ${n} || '\"') AS TEXT)")
            }
            Engine::Postgres => format!("(CAST({column} AS jsonb) ->> ${n})"),
        }
    }

    /// A subquery yielding, as rows of one column, the strings of the JSON array bound as
    /// parameter `$n`.
    pub fn json_strings(self, n: u8) -> String {
        match self {
            Engine::Sqlite => format!("SELECT value FROM json_each(${n})"),
            Engine::Postgres => format!("SELECT jsonb_array_elements_text(CAST(${n} AS jsonb))"),
        }
    }

    /// Ends a subquery that picks rows to claim: on PostgreSQL the rows are locked and rows
    /// another claimer holds are skipped, so concurrent claimers take disjoint rows instead of
    /// queueing for the same ones. SQLite's writer lock already makes claims one at a time.
    pub fn skip_locked(self) -> &'static str {
        match self {
            Engine::Sqlite => "",
            Engine::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }

    /// `UPPER` that folds ASCII letters only, as Rust's `to_ascii_uppercase` does.
    pub fn ascii_upper(self, expr: &str) -> String {
        match self {
            // SQLite's UPPER folds ASCII only.
            Engine::Sqlite => format!("UPPER({expr})"),
            Engine::Postgres => format!(
                "TRANSLATE({expr}, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"
            ),
        }
    }
}

/// Opens the database at `url` (`sqlite://data/idbridge.db`, created if needed, or
/// `postgres://…`) and runs the engine's migrations.
///
/// SQLite runs in WAL mode with full fsync on commit. On PostgreSQL every connection gets
/// `statement_timeout`, and migrations are safe when several nodes start at once: sqlx
/// holds an advisory lock while it migrates, so one node applies them and the others wait,
/// then find them applied.
pub async fn open(url: &str, settings: DbSettings) -> Result<(Pool, Engine)> {
    sqlx::any::install_default_drivers();
    let engine = Engine::of_url(url)?;
    let bad_url = |e: sqlx::Error| Error::invalid("storage.metadata_url", e.to_string());
    let timeout_ms = settings.statement_timeout.as_millis();
    let options = match engine {
        Engine::Sqlite => {
            // Create the file if needed; the URL then says so to the Any driver.
            let native = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                .map_err(bad_url)?
                .create_if_missing(true);
            AnyConnectOptions::from_url(&native.to_url_lossy()).map_err(bad_url)?
        }
        Engine::Postgres => AnyConnectOptions::from_str(url).map_err(bad_url)?,
    }
    // No per-statement log lines from sqlx: the request spans say what a request did and how
    // long it took.
    .disable_statement_logging();
    let setup = match engine {
        // busy_timeout first: switching to WAL needs the lock. FULL: a commit is durable
        // once acknowledged, which the store's promises rely on. secure_delete: deleted rows
        // (wrapped data keys) are overwritten, not left in free pages.
        Engine::Sqlite => format!(
            "PRAGMA busy_timeout = {timeout_ms}; PRAGMA journal_mode = WAL; \
             PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"
        ),
        Engine::Postgres => format!("SET statement_timeout = {timeout_ms}"),
    };
    if engine == Engine::Postgres {
        // One direct connection first: an unreachable server fails this at once (the pool
        // would keep retrying until its acquire timeout), so a node waiting for its database
        // at start-up sees each attempt promptly.
        let probe = tokio::time::timeout(settings.connect_timeout, Conn::connect_with(&options))
            .await
            .map_err(|_| Error::internal("PostgreSQL did not answer in time"))??;
        probe.close().await?;
    }
    let pool = AnyPoolOptions::new()
        .max_connections(settings.pool_size.max(1))
        // SQLite has no connection to lose: there a request waits as long as for the lock.
        .acquire_timeout(match engine {
            Engine::Sqlite => settings.statement_timeout,
            Engine::Postgres => settings.connect_timeout,
        })
        .after_connect(move |conn, _meta| {
            let setup = setup.clone();
            Box::pin(async move {
                conn.execute(sqlx::raw_sql(AssertSqlSafe(setup))).await?;
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    let migrated = match engine {
        Engine::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await,
        Engine::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await,
    };
    migrated.map_err(Error::internal)?;
    if engine == Engine::Sqlite {
        // Statistics for the query planner (PostgreSQL's autovacuum keeps its own): tables
        // without them, or much changed since, are analysed, on a bounded sample.
        sqlx::raw_sql("PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;")
            .execute(&pool)
            .await?;
    }
    Ok((pool, engine))
}

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

/// A write transaction (see [`write_tx`]). It reads and writes through `&mut *tx` like the
/// connection it wraps; its [`commit`](WriteTx::commit) records the audit event of the
/// operation running (`crate::audit`) as one of its rows.
pub struct WriteTx {
    tx: DbTx,
    engine: Engine,
    audited: bool,
}

impl std::ops::Deref for WriteTx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

impl WriteTx {
    /// Commits. Inside an audited operation whose tenant is known, the operation's event is
    /// appended to the tenant's chain first, in this transaction: the change and its event
    /// commit together or not at all.
    pub async fn commit(mut self) -> Result<()> {
        let event = if self.audited {
            crate::audit::pending()
        } else {
            None
        };
        if let Some(e) = &event {
            super::audit::append(&mut self.tx, self.engine, e).await?;
        }
        self.tx.commit().await?;
        if event.is_some() {
            crate::audit::committed();
        }
        Ok(())
    }

    /// Rolls back at once (dropping a transaction rolls it back too, but later, when its
    /// connection is next used): what a test that must see the lock released waits for.
    #[cfg(test)]
    pub async fn rollback(self) -> Result<()> {
        Ok(self.tx.rollback().await?)
    }
}

/// Starts a transaction in which a read-modify-write is safe: no other writer commits
/// between its reads and its writes. Its commit records the running operation's audit event
/// ([`WriteTx::commit`]).
///
/// - SQLite: `BEGIN IMMEDIATE` takes the database's write lock at once (a deferred
///   transaction that reads first can fail when it later tries to write).
/// - PostgreSQL: the transaction first takes one transaction-level advisory lock shared by
///   every writer of every node, released by commit or rollback (never a session-level
///   lock, which would stick to a pooled connection). Under READ COMMITTED each later
///   statement then sees everything earlier writers committed. Writes are serialised as on
///   SQLite; reads never wait for it.
pub async fn write_tx(pool: &Pool, engine: Engine) -> Result<WriteTx> {
    let mut tx = locked(pool, engine).await?;
    tx.audited = true;
    Ok(tx)
}

/// A write transaction like [`write_tx`] that records no audit event: for the store's
/// bookkeeping around an operation (sign-in throttling, rate limits), which is not the
/// operation itself.
pub async fn bookkeeping_tx(pool: &Pool, engine: Engine) -> Result<WriteTx> {
    locked(pool, engine).await
}

async fn locked(pool: &Pool, engine: Engine) -> Result<WriteTx> {
    let tx = match engine {
        Engine::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        Engine::Postgres => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            tx
        }
    };
    Ok(WriteTx {
        tx,
        engine,
        audited: false,
    })
}

/// After rows holding personal data were deleted, on SQLite: copies the WAL into the
/// database file and truncates it, so the rows survive in neither (`secure_delete` zeroes
/// them in the database file). Best effort: a checkpoint blocked by a long reader is
/// retried by SQLite's automatic ones. PostgreSQL reclaims dead rows with (auto)vacuum.
pub async fn checkpoint(pool: &Pool, engine: Engine) {
    if engine != Engine::Sqlite {
        return;
    }
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
        let (first, _) = open(&url(dir.path()), DbSettings::default()).await.unwrap();
        let (pool, engine) = open(&url(dir.path()), DbSettings::default()).await.unwrap();
        assert_eq!(engine, Engine::Sqlite);
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
            sqlx::migrate!("./migrations/sqlite").iter().count() as i64
        );
        first.close().await;
    }

    /// `write_tx` holds the write lock from its start, before any statement: another
    /// connection that will not wait cannot take it meanwhile.
    #[tokio::test]
    async fn write_tx_takes_the_write_lock_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let (pool, engine) = open(&url(dir.path()), DbSettings::default()).await.unwrap();
        let tx = write_tx(&pool, engine).await.unwrap();
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
