//! A write transaction the operations layer (`crate::ops`) composes store writes in, without
//! writing SQL: [`Store::begin`] opens it, typed methods in `impl Tx` blocks next to each
//! table's code (processes, credentials, documents, files, tokens) read and write inside
//! it, and [`Tx::commit`] makes everything visible at once. Dropped without a commit, it
//! rolls back and the blobs staged for it are removed.
//!
//! How concurrent writers are settled: the transaction starts with the engine's writer lock
//! ([`db::write_tx`]: `BEGIN IMMEDIATE` on SQLite, a transaction-level advisory lock on
//! PostgreSQL) taken before the first read, so two operations never decide from the same
//! state; the second one reads what the first committed, whichever node it runs on. Unique
//! constraints back the invariants that must hold whatever the engine (`process_pages`
//! refuses a page number given twice).

use std::sync::atomic::Ordering;

use super::files::StagedFile;
use super::{Store, db};
use crate::error::Result;

/// One store transaction (see the module documentation). No `Debug`: it may carry staged
/// files of personal documents.
pub struct Tx {
    pub(super) tx: db::WriteTx,
    pub(super) store: Store,
    /// Files whose metadata this transaction inserts: their blobs stay on commit.
    pub(super) staged: Vec<StagedFile>,
    /// Blobs of files this transaction deletes: removed once it has committed.
    pub(super) shred: Vec<String>,
    /// Whether rows holding personal data were deleted: the WAL is checkpointed after the
    /// commit, so they survive in neither the database file nor the WAL.
    pub(super) checkpoint: bool,
}

impl Store {
    /// Opens a write transaction: the writer lock is taken at once, so a read inside it sees
    /// what every earlier writer committed and no writer commits in between.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(Tx {
            tx: db::write_tx(&self.inner.pool, self.inner.engine).await?,
            store: self.clone(),
            staged: Vec::new(),
            shred: Vec::new(),
            checkpoint: false,
        })
    }
}

impl Tx {
    /// Commits: every write of the transaction becomes visible at once. Then the blobs of
    /// deleted files are removed (their keys went with the rows) and the staged blobs stay.
    pub async fn commit(self) -> Result<()> {
        let Tx {
            tx,
            store,
            staged,
            shred,
            checkpoint,
        } = self;
        tx.commit().await?;
        for s in staged {
            let size = s.file().size;
            s.committed();
            store
                .inner
                .stats
                .bytes_in
                .fetch_add(size, Ordering::Relaxed);
        }
        if !shred.is_empty() || checkpoint {
            store.shredded(shred).await;
        }
        Ok(())
    }

    /// The transaction's connection, for the store modules' SQL.
    pub(super) fn conn(&mut self) -> &mut db::Conn {
        &mut self.tx
    }
}
