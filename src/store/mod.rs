//! The storage engine: one [`Store`] over metadata (sqlx) and blobs (`object_store`), with
//! encryption at rest.
//!
//! Rules of this layer: all SQL and all blob I/O of idbridge live here; it knows no vendor
//! and no HTTP. Invariants (ownership, limits per document, state transitions) are enforced
//! here atomically, inside one statement or transaction, never by a check-then-act above.
//! Every lookup takes the tenant and filters on it.

mod accounts;
pub mod audit;
mod blobs;
pub mod copy;
mod credentials;
pub mod crypto;
mod db;
mod documents;
mod extras;
mod files;
mod idempotency;
mod keys;
mod leases;
mod lookup;
mod outbox;
mod owners;
mod pages;
mod process_details;
mod processes;
mod rate_limits;
pub mod replace;
mod retention;
mod scoped;
mod search;
mod sessions;
mod signing;
mod subject_data;
mod subjects;
pub mod testing;
mod throttle;
mod tokens;
mod tx;
mod uploads;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

pub use accounts::{ClientAccount, ServiceAccount};
pub use audit::{AuditEvent, AuditFilter, ChainReport};
pub use blobs::{BlobLocation, Blobs};
pub use credentials::ProcessCredential;
pub use crypto::{KeySource, MasterKey};
pub use db::{DbSettings, Engine, now};
pub use extras::{SubjectDataPage, SubjectSearch};
pub use files::{AcceptFn, Attach, ByteRange, FileStream, PutRules, StagedFile};
pub use idempotency::Claim;
pub use keys::{KeyStatus, MasterKeyRow, RotationReport};
pub use lookup::{ProcessPage, number_key};
pub use outbox::{Claimed, NewEvent};
pub use pages::{DocumentOrder, Owner, WithFiles};
pub use process_details::{Outcome, ProcessDetails};
pub use processes::Anchor;
pub use rate_limits::{RateDecision, RateRule};
pub use retention::Expired;
pub use scoped::{Filed, ProcessScope};
pub use sessions::{Holder, SessionKind, SessionTokens, TenantTokenOwner};
pub use signing::SigningKey;
pub use subjects::SubjectPage;
pub use throttle::Counted;
pub use tokens::{CLIENT_TOKEN, MintedToken, TokenOwner};
pub use tx::Tx;

use crate::error::Result;

/// Everything needed to open a store.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// sqlx URL of the metadata database (`sqlite://…` or `postgres://…`).
    pub metadata_url: String,
    /// Pool size and timeouts of the metadata database.
    pub db: DbSettings,
    /// Where the blobs live.
    pub blobs: BlobLocation,
    /// The master key.
    pub master_key: MasterKey,
    /// Blobs with no metadata younger than this are left alone by the start-up sweep
    /// (they may belong to an upload in flight in another process).
    pub sweep_grace: Duration,
}

/// Counters the store keeps for `/metrics`.
#[derive(Debug, Default)]
pub struct StoreStats {
    /// Plaintext bytes accepted into storage.
    pub bytes_in: AtomicU64,
    /// Plaintext bytes served out of storage.
    pub bytes_out: AtomicU64,
}

/// The lease of the start-up sweep of orphan blobs.
const ORPHAN_SWEEP: &str = "store.orphan_blobs";
/// Longer than a sweep takes; a node that dies sweeping leaves it to the next start-up.
const ORPHAN_SWEEP_LEASE: Duration = Duration::from_secs(600);

/// The one storage engine. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pool: db::Pool,
    engine: Engine,
    blobs: Blobs,
    keys: keys::KeyRing,
    stats: StoreStats,
    /// This node's name in leases and claims: random per opened store, so two processes
    /// over one database never take each other for themselves.
    node: String,
    /// Stores the audit events of reads, a group at a time.
    audit: audit::Writer,
}

/// What opening the store did, for the start-up log.
#[derive(Debug, Clone, Copy)]
pub struct OpenReport {
    /// Orphan blobs removed by the sweep.
    pub swept: usize,
}

impl Store {
    /// Opens the metadata database (running migrations) and the blob store, then sweeps
    /// blobs that have no metadata.
    pub async fn open(opts: StoreOptions) -> Result<(Store, OpenReport)> {
        let (pool, engine) = db::open(&opts.metadata_url, opts.db).await?;
        let blobs = Blobs::open(&opts.blobs)?;
        blobs.mark_ready().await?;
        let store = Store {
            inner: Arc::new(Inner {
                engine,
                blobs,
                keys: keys::KeyRing::new(opts.master_key),
                stats: StoreStats::default(),
                node: uuid::Uuid::new_v4().to_string(),
                audit: audit::Writer::start(pool.clone(), engine),
                pool,
            }),
        };
        // Keys introduced by a rotation, opened with the configured one.
        store.refresh_keys().await?;
        // Several nodes starting at once: one sweeps, the others serve meanwhile.
        let swept = if store.try_lease(ORPHAN_SWEEP, ORPHAN_SWEEP_LEASE).await? {
            let swept = store.sweep_orphans(opts.sweep_grace).await;
            store.release_lease(ORPHAN_SWEEP).await?;
            swept?
        } else {
            0
        };
        Ok((store, OpenReport { swept }))
    }

    /// Checks that both the metadata database and the blob store answer.
    pub async fn check_ready(&self) -> Result<()> {
        self.check_metadata().await?;
        self.inner.blobs.check_ready().await
    }

    /// Checks that the metadata database answers (the front page shows it apart from the
    /// blob store's [`Blobs::check_ready`]).
    pub async fn check_metadata(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.inner.pool).await?;
        Ok(())
    }

    /// The metadata engine.
    pub fn engine(&self) -> Engine {
        self.inner.engine
    }

    /// The store's counters.
    pub fn stats(&self) -> &StoreStats {
        &self.inner.stats
    }

    /// Number of files stored, across tenants (for `/metrics`).
    pub async fn count_files(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM files")
            .fetch_one(&self.inner.pool)
            .await?;
        Ok(n as u64)
    }

    /// This node's name in leases and delivery claims.
    pub fn node(&self) -> &str {
        &self.inner.node
    }

    /// The blob store (tests use it to tamper with stored bytes).
    pub fn blobs(&self) -> &Blobs {
        &self.inner.blobs
    }

    /// Removes blobs that no file row refers to and that are older than `grace`: what a crash
    /// between blob write and metadata commit leaves behind.
    async fn sweep_orphans(&self, grace: Duration) -> Result<usize> {
        let cutoff = SystemTime::now() - grace;
        let mut swept = self.inner.blobs.sweep_staged(grace).await?;
        for key in self.inner.blobs.list_older_than(cutoff).await? {
            let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM files WHERE blob_key = $1")
                .bind(&key)
                .fetch_optional(&self.inner.pool)
                .await?;
            if known.is_none() {
                self.inner.blobs.delete(&key).await?;
                swept += 1;
            }
        }
        Ok(swept)
    }

    fn add_bytes_out(&self, n: usize) {
        self.inner
            .stats
            .bytes_out
            .fetch_add(n as u64, Ordering::Relaxed);
    }

    fn add_bytes_in(&self, n: u64) {
        self.inner.stats.bytes_in.fetch_add(n, Ordering::Relaxed);
    }
}
