//! Stores for tests: metadata on SQLite by default or on PostgreSQL when [`POSTGRES_ENV`]
//! names a server, blobs in a directory or, for the suites that ask, in an S3 bucket when
//! [`S3_ENV`] names an endpoint. The same suites then run on either engine. Used by the
//! crate's unit tests and by the integration suites; a server never calls it.

use std::path::Path;

use sha2::{Digest, Sha256};
use sqlx::Connection;

use super::{BlobLocation, DbSettings, MasterKey, Store, StoreOptions};

/// The environment variable naming a PostgreSQL server for tests (a URL of a database the
/// user may create databases from, e.g. `postgres://postgres@127.0.0.1:5433/postgres`).
pub const POSTGRES_ENV: &str = "IDB_TEST_POSTGRES";

/// The environment variable naming an S3 endpoint for tests (`http://127.0.0.1:PORT` of a
/// moto or Garage server that accepts the credentials [`s3_settings`] gives).
pub const S3_ENV: &str = "IDB_TEST_S3_ENDPOINT";

/// The S3 endpoint [`S3_ENV`] names, if any.
pub fn s3_endpoint() -> Option<String> {
    std::env::var(S3_ENV).ok().filter(|e| !e.is_empty())
}

/// `[storage.s3]` for the test endpoint: path-style, plain HTTP, fixed test credentials
/// (`IDB_TEST_S3_KEY_ID` / `IDB_TEST_S3_SECRET` replace them for a store that checks them).
pub fn s3_settings(endpoint: &str) -> crate::config::S3Config {
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    crate::config::S3Config {
        endpoint: Some(endpoint.to_owned()),
        region: Some(var("IDB_TEST_S3_REGION", "us-east-1")),
        access_key_id: Some(var("IDB_TEST_S3_KEY_ID", "idbridge-test")),
        secret_access_key: Some(crate::config::Secret::new(var(
            "IDB_TEST_S3_SECRET",
            "idbridge-test-secret",
        ))),
        path_style: Some(true),
        allow_http: true,
    }
}

/// A new, empty bucket at the test endpoint, created through S3's API (`IDB_TEST_S3_BUCKET`
/// names an existing one instead, for a store whose buckets are made by its operator).
pub async fn s3_bucket(endpoint: &str) -> String {
    if let Ok(bucket) = std::env::var("IDB_TEST_S3_BUCKET") {
        return bucket;
    }
    let name = format!("idbridge-{}", uuid::Uuid::new_v4().simple());
    let res = crate::http::client()
        .put(format!("{endpoint}/{name}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{S3_ENV}: cannot reach {endpoint}: {e}"));
    assert!(
        res.status().is_success(),
        "{S3_ENV}: cannot create bucket {name}: {}",
        res.status()
    );
    name
}

/// Blobs for a test store kept under `dir`: `dir/blobs`, or, with [`S3_ENV`] set, a bucket
/// at that endpoint, under a prefix named after `dir` (a bucket may be shared by every test,
/// and one store's orphan sweep must not see another's blobs).
pub async fn blob_location(dir: &Path) -> BlobLocation {
    match s3_endpoint() {
        Some(endpoint) => BlobLocation::S3 {
            url: format!("s3://{}/{}", s3_bucket(&endpoint).await, database_name(dir)),
            settings: s3_settings(&endpoint),
            connect_timeout: std::time::Duration::from_secs(5),
        },
        None => BlobLocation::Local(dir.join("blobs")),
    }
}

/// The metadata URL of a test store kept under `dir`: a SQLite file in it, or, with
/// [`POSTGRES_ENV`] set, a database of that server named after `dir` (created on first use),
/// so that two stores opened on one directory share their metadata as they would on SQLite.
pub async fn metadata_url(dir: &Path) -> String {
    match std::env::var(POSTGRES_ENV) {
        Ok(admin) if !admin.is_empty() => postgres_database(&admin, dir).await,
        _ => format!("sqlite://{}", dir.join("idbridge.db").display()),
    }
}

/// The name of the PostgreSQL test database of `dir`.
fn database_name(dir: &Path) -> String {
    let digest = Sha256::digest(dir.as_os_str().as_encoded_bytes());
    format!("idb_test_{}", &hex::encode(digest)[..24])
}

/// With [`POSTGRES_ENV`] set, the URL [`metadata_url`] gives for `dir`, without creating the
/// database: what a node started before its database is created is pointed at.
pub fn postgres_url_before_creation(dir: &Path) -> Option<String> {
    let admin = std::env::var(POSTGRES_ENV).ok().filter(|a| !a.is_empty())?;
    Some(database_url(&admin, &database_name(dir)))
}

fn database_url(admin: &str, name: &str) -> String {
    let options: sqlx::postgres::PgConnectOptions = admin.parse().expect("a PostgreSQL URL");
    sqlx::ConnectOptions::to_url_lossy(&options.database(name)).to_string()
}

async fn postgres_database(admin: &str, dir: &Path) -> String {
    let name = database_name(dir);
    let mut conn = sqlx::postgres::PgConnection::connect(admin)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_ENV}: cannot connect: {e}"));
    // The name is hex digits under a fixed prefix; CREATE DATABASE takes no parameters.
    let created = sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await;
    if let Err(e) = created {
        // 42P04: it exists already (a second store on the same directory).
        let exists = e
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|c| c == "42P04");
        assert!(exists, "{POSTGRES_ENV}: cannot create {name}: {e}");
    }
    conn.close().await.ok();
    database_url(admin, &name)
}

/// A store over `dir` (created if needed), with a fixed test master key.
pub async fn open(dir: &Path) -> Store {
    open_at(dir, metadata_url(dir).await).await
}

/// A store with its blobs under `dir` and its metadata at `metadata_url`.
pub async fn open_at(dir: &Path, metadata_url: String) -> Store {
    open_keyed(dir, metadata_url, [3u8; 32]).await
}

/// [`open_at`] with master key `key`.
pub async fn open_keyed(dir: &Path, metadata_url: String, key: [u8; 32]) -> Store {
    Store::open(StoreOptions {
        metadata_url,
        db: DbSettings::default(),
        blobs: BlobLocation::Local(dir.join("blobs")),
        master_key: MasterKey::from_raw(key).unwrap(),
        sweep_grace: std::time::Duration::from_secs(3600),
    })
    .await
    .unwrap()
    .0
}

/// The store's writer lock, held by a test: while it lives, every write of every node over
/// that store waits at the lock, just before it would commit.
pub struct WriterLock {
    _tx: super::db::WriteTx,
    _pool: super::db::Pool,
}

/// Takes the writer lock of the store whose metadata is at `metadata_url` (`BEGIN
/// IMMEDIATE` on SQLite, the writers' advisory lock on PostgreSQL, as every write of the
/// store does) and holds it until the [`WriterLock`] is dropped. What a test uses to catch a
/// node between its blob write and its metadata commit.
pub async fn hold_writer_lock(metadata_url: &str) -> WriterLock {
    let (pool, engine) = super::db::open(metadata_url, DbSettings::default())
        .await
        .unwrap();
    let tx = super::db::write_tx(&pool, engine).await.unwrap();
    WriterLock {
        _tx: tx,
        _pool: pool,
    }
}

/// Two stores opened separately on one directory: what two nodes (two processes) over one
/// store see, each with its own pool and node id.
#[cfg(test)]
pub async fn two_nodes() -> (tempfile::TempDir, Store, Store) {
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path()).await;
    let b = open(dir.path()).await;
    (dir, a, b)
}

/// Drops the audit table's append-only triggers, as someone with the database's password
/// could: what a test of tampering starts with.
pub async fn drop_audit_triggers(pool: &super::db::Pool, engine: super::Engine) {
    let drops: &[&str] = match engine {
        super::Engine::Sqlite => &[
            "DROP TRIGGER IF EXISTS audit_events_no_update",
            "DROP TRIGGER IF EXISTS audit_events_no_delete",
        ],
        super::Engine::Postgres => {
            &["DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events"]
        }
    };
    for sql in drops {
        sqlx::query(sqlx::AssertSqlSafe(*sql))
            .execute(pool)
            .await
            .unwrap();
    }
}

/// Alters event `seq` of `tenant`'s audit chain in the store whose metadata is at
/// `metadata_url`, behind its nodes' backs: drops the append-only triggers, then flips the
/// event's outcome.
pub async fn alter_audit_event(metadata_url: &str, tenant: &str, seq: i64) {
    let (pool, engine) = super::db::open(metadata_url, DbSettings::default())
        .await
        .unwrap();
    drop_audit_triggers(&pool, engine).await;
    let done = sqlx::query(
        "UPDATE audit_events SET outcome = CASE WHEN outcome = 'ok' THEN 'denied' ELSE 'ok' END \
         WHERE tenant = $1 AND seq = $2",
    )
    .bind(tenant)
    .bind(seq)
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(done.rows_affected(), 1, "no event {seq}");
}
