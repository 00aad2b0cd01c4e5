//! Background work, safe with any number of nodes over one store: periodic jobs (sweeps),
//! each run by one node at a time under a lease held in the store ([`periodic`]), and the
//! outbox deliverer that sends callbacks at least once ([`outbox`]). Nothing here keeps
//! state another node would need: a node that dies leaves its lease to run out and its
//! claimed deliveries to fall due again.
//!
//! Layering: jobs sit beside the adapters, over the store; an adapter starts the jobs it
//! needs and hands them plain data (a topic, a delivery policy, a closure).

pub mod outbox;
pub mod retention;

use std::future::Future;
use std::time::Duration;

use crate::store::Store;

/// How long a job's lease lasts past each run: long enough that a slow run keeps it, short
/// enough that a dead node's job is taken over soon. Three periods, at least ten seconds.
fn lease_for(every: Duration) -> Duration {
    (every * 3).max(Duration::from_secs(10))
}

/// Runs `job` every `every` (the first run after `every`) on whichever node holds the lease
/// `name`; the other nodes only try for the lease at each tick. A run longer than the lease
/// may overlap with another node's, so jobs must be idempotent (sweeps move rows by
/// compare-and-set, which they are).
pub fn periodic<F, Fut>(store: Store, name: &'static str, every: Duration, mut job: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match store.try_lease(name, lease_for(every)).await {
                Ok(true) => job().await,
                Ok(false) => {}
                Err(e) => tracing::warn!(job = name, error = %e.chain(), "job lease unavailable"),
            }
        }
    });
}
