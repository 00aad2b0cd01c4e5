//! One writer at a time per workflow execution.
//!
//! Every call that changes an execution (a part, a page, prepared data, prefill, finalize,
//! deleting a part, the execution or the account) reads the execution's record and the
//! credential's files, decides (does the part exist? which page number comes next? is a PDF
//! alone? does the credential need a new document?) and then writes several things: files,
//! documents and the record. The store makes each write atomic, not the read-decide-write
//! sequence, so two such calls on one execution could both decide from the same state (two
//! FRONTs, one page number twice, two documents for one credential, one of them orphaned).
//! Holding this lock from the first read to the last write makes those calls run one after
//! the other, and each decides from what the previous one wrote.
//!
//! The lock is in-process: idbridge is one process over an embedded SQLite store, so every
//! writer of an execution goes through it. A deployment with several instances over one
//! shared store would need the store to serialize these sequences instead (a row lock or a
//! version checked over the whole sequence); this lock alone would not be enough there.
//!
//! The locks are a fixed set of stripes chosen by a hash of the execution id, so memory stays
//! bounded with nothing to clean up; two executions share a stripe only by chance, and then
//! merely wait for each other.

use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

/// How many stripes: enough that unrelated executions rarely wait for each other.
const STRIPES: usize = 256;

/// Striped per-execution locks (see the module documentation for why).
pub struct ExecutionLocks {
    stripes: Box<[Mutex<()>]>,
}

/// Held while one call changes one or more workflow executions.
pub struct Held<'a> {
    _guards: Vec<MutexGuard<'a, ()>>,
}

impl Default for ExecutionLocks {
    fn default() -> Self {
        ExecutionLocks {
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }
}

impl ExecutionLocks {
    /// The stripe of an execution. A fixed hasher: the same id always maps to one stripe.
    fn stripe(&self, execution: Uuid) -> usize {
        let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(execution);
        (hash % self.stripes.len() as u64) as usize
    }

    /// Waits until no other call changes this execution, and holds it until dropped.
    pub async fn lock(&self, execution: Uuid) -> Held<'_> {
        self.lock_all([execution]).await
    }

    /// Holds every one of these executions (an account's, when it is deleted). Stripes are
    /// taken in ascending order, once each, so two calls taking several never deadlock.
    pub async fn lock_all(&self, executions: impl IntoIterator<Item = Uuid>) -> Held<'_> {
        let mut stripes: Vec<usize> = executions.into_iter().map(|e| self.stripe(e)).collect();
        stripes.sort_unstable();
        stripes.dedup();
        let mut guards = Vec::with_capacity(stripes.len());
        for s in stripes {
            guards.push(self.stripes[s].lock().await);
        }
        Held { _guards: guards }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jumio_one_execution_is_held_by_one_call_at_a_time() {
        let locks = ExecutionLocks::default();
        let id = Uuid::now_v7();
        let held = locks.lock(id).await;
        assert!(
            locks.stripes[locks.stripe(id)].try_lock().is_err(),
            "a second call waits"
        );
        drop(held);
        let _again = locks.lock(id).await;
    }

    #[tokio::test]
    async fn jumio_many_executions_are_held_once_each_in_order() {
        let locks = ExecutionLocks::default();
        let ids: Vec<Uuid> = (0..600).map(|_| Uuid::now_v7()).collect();
        // More ids than stripes: every stripe at most once, or this would wait forever.
        let held = locks.lock_all(ids.iter().copied().chain(ids.clone())).await;
        assert!(held._guards.len() <= STRIPES);
        assert!(
            held._guards.len() > STRIPES / 2,
            "ids spread over the stripes"
        );
    }
}
