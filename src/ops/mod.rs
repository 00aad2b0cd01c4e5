//! The operations layer: what a vendor call does to the canonical store, in canonical
//! terms, one store transaction per operation.
//!
//! Layering: `adapters → ops → store / model`. An operation knows no HTTP and no vendor
//! wire format; an adapter parses a request, calls one operation with plain data (the sides,
//! limits and documents its vendor's rules decide) and renders the answer. Every operation
//! that writes more than one thing opens one [`store::Tx`](crate::store::Tx), reads what it
//! decides from inside it, checks its invariants there, writes, and commits: no
//! read-decide-write sequence spans two transactions, and nothing is undone afterwards by a
//! compensating delete. File bytes are staged before the transaction (a staged blob is
//! invisible, and removed if the transaction does not commit) and their metadata committed
//! inside it.
//!
//! How concurrent writers are settled, per kind of write:
//! - Everything that changes a process or its credentials (a part added, replaced or
//!   deleted, pages, prepared data, prefill, finalize, deleting a process) starts by
//!   locking the process row ([`Tx::lock_process`](crate::store::Tx::lock_process)): on
//!   SQLite the transaction holds the database's write lock from its first statement
//!   (`BEGIN IMMEDIATE`), on PostgreSQL the read is `SELECT … FOR UPDATE`. Writers of one
//!   process run one after the other, each deciding from what the previous one committed,
//!   in one server process or several: so one credential never gets two FRONTs, two
//!   documents, or one page number twice.
//! - Page numbers are also recorded in `process_pages`, whose primary key refuses a number
//!   given twice, whatever the engine or the locking.
//! - A document's file limit is a conditional update of its count (the row is locked by
//!   the update itself).
//! - Deleting an account is the store's one-transaction subject delete; an operation that
//!   runs after it finds no process (not found), one that ran before it is deleted with it.

pub mod capture;
pub mod data;
pub mod executions;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::{
    Document, FileSide, Namespace, Process, StoredFile, TenantId, ValidNewDocument,
};
use crate::store::{ProcessCredential, Tx};

/// The process an operation writes to, as the adapter resolved it from the request.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// The tenant.
    pub tenant: &'a TenantId,
    /// The subject the process must belong to.
    pub subject: Uuid,
    /// The process.
    pub process: Uuid,
    /// The namespace it must belong to.
    pub namespace: &'a Namespace,
    /// Its kind.
    pub kind: &'a str,
}

/// An action on an open process: when it happens, how it moves the process's expiry, and
/// the adapter's rule for whether the process still takes actions.
pub struct Action<F> {
    /// When.
    pub now: DateTime<Utc>,
    /// The process expires this long after its last action…
    pub session: chrono::Duration,
    /// …and never after this.
    pub until: Option<DateTime<Utc>>,
    /// Refuses the action on a process that no longer takes any (the adapter's error).
    pub accepts: F,
}

impl<F: Fn(&Process) -> Result<()>> Action<F> {
    fn expires_at(&self) -> DateTime<Utc> {
        let session = self.now + self.session;
        self.until.map_or(session, |t| t.min(session))
    }
}

/// Locks the target's process inside `tx` and checks it is the target's.
async fn lock(tx: &mut Tx, t: &Target<'_>) -> Result<Process> {
    let p = tx.lock_process(t.tenant, t.process).await?;
    if p.subject_id != t.subject || p.namespace != *t.namespace || p.kind != t.kind {
        return Err(Error::NotFound("process"));
    }
    Ok(p)
}

/// Locks the target's process and checks that it takes the action.
async fn open<F: Fn(&Process) -> Result<()>>(
    tx: &mut Tx,
    t: &Target<'_>,
    a: &Action<F>,
) -> Result<Process> {
    let p = lock(tx, t).await?;
    (a.accepts)(&p)?;
    Ok(p)
}

/// Records the action on the process: started, and its session moved.
async fn record<F: Fn(&Process) -> Result<()>>(
    tx: &mut Tx,
    p: &Process,
    a: &Action<F>,
) -> Result<()> {
    tx.touch_process(p, a.now, a.expires_at()).await
}

/// The document holding a credential's parts and its files; none when it holds none or
/// another API deleted it.
async fn holding(
    tx: &mut Tx,
    tenant: &TenantId,
    c: &ProcessCredential,
) -> Result<(Option<Document>, Vec<StoredFile>)> {
    let Some(id) = c.document_id else {
        return Ok((None, Vec::new()));
    };
    match tx.document(tenant, id).await? {
        Some(d) => {
            let files = tx.document_files(tenant, d.id).await?;
            Ok((Some(d), files))
        }
        None => Ok((None, Vec::new())),
    }
}

/// Starts a new document for a credential whose document is gone (or never existed), and
/// records it on the credential.
async fn start_document(
    tx: &mut Tx,
    t: &Target<'_>,
    c: &mut ProcessCredential,
    new: ValidNewDocument,
) -> Result<Uuid> {
    let doc = tx.insert_document(t.tenant, t.subject, new).await?;
    c.document_id = Some(doc.id);
    tx.update_credential(t.tenant, c).await?;
    Ok(doc.id)
}

/// The newest file at `side`, else the newest at `stands_in` (a passport's page 1 stands
/// for its front).
pub fn part_file(
    files: &[StoredFile],
    side: FileSide,
    stands_in: Option<FileSide>,
) -> Option<&StoredFile> {
    let newest = |side: FileSide| {
        files
            .iter()
            .filter(|f| f.side == side)
            .max_by_key(|f| f.created_at)
    };
    newest(side).or_else(|| stands_in.and_then(newest))
}

#[cfg(test)]
mod tests;
