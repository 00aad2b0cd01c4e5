//! Delivers outbox events (callbacks): each node claims due events of a topic, POSTs each
//! one, and records the outcome; a failed attempt is retried with exponential backoff up to
//! the policy's attempts. Every attempt carries the event's stable id in `Webhook-Id` (the
//! Standard Webhooks header name), so a receiver can drop the duplicate a node dying
//! mid-delivery may cause.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::store::{Claimed, Store};

/// The header naming an event's stable id.
pub const EVENT_ID_HEADER: &str = "Webhook-Id";

/// How one topic's events are delivered.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The topic whose events this delivers.
    pub topic: &'static str,
    /// The client that sends them (its timeout bounds one attempt).
    pub client: reqwest::Client,
    /// Attempts per event before it is given up.
    pub attempts: u32,
    /// Wait after the first failed attempt; doubled after each further one.
    pub backoff: Duration,
    /// How long a claim lasts: longer than one attempt may take (the client's timeout), or
    /// another node would deliver the event while this one still is.
    pub claim: Duration,
    /// How often the store is looked at for due events (another node's, retries).
    pub poll: Duration,
}

/// Wakes this node's deliverer at once (after this node stored an event), instead of at
/// its next poll. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    /// Asks for a delivery round now.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Events claimed per round.
const BATCH: u32 = 32;

/// Starts delivering `policy.topic`'s events on this node.
pub fn deliver(store: Store, policy: Policy, waker: Waker) {
    tokio::spawn(async move {
        loop {
            match store.claim_events(policy.topic, BATCH, policy.claim).await {
                Ok(batch) if !batch.is_empty() => {
                    let full = batch.len() == BATCH as usize;
                    for event in batch {
                        attempt(&store, &policy, event).await;
                    }
                    if full {
                        continue;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(topic = policy.topic, error = %e.chain(), "outbox unavailable")
                }
            }
            let _ = tokio::time::timeout(policy.poll, waker.0.notified()).await;
        }
    });
}

/// One delivery attempt of a claimed event, and its outcome recorded.
async fn attempt(store: &Store, policy: &Policy, event: Claimed) {
    let sent = policy
        .client
        .post(&event.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(EVENT_ID_HEADER, event.id.to_string())
        .body(event.body.clone())
        .send()
        .await;
    // What went wrong, without the URL (it may carry a client's secret).
    let failure = match sent {
        Ok(r) if r.status().is_success() => None,
        Ok(r) => Some(format!("status {}", r.status().as_u16())),
        Err(e) => Some(e.without_url().to_string()),
    };
    let recorded = match failure {
        None => store.event_delivered(event.id).await.map(|_| ()),
        Some(why) => {
            let last = event.attempt >= policy.attempts;
            if last {
                tracing::error!(topic = policy.topic, event = %event.id, attempts = event.attempt, why, "callback given up");
            } else {
                tracing::warn!(topic = policy.topic, event = %event.id, attempt = event.attempt, why, "callback failed");
            }
            let retry_in = (!last).then(|| backoff(policy.backoff, event.attempt));
            store.event_failed(event.id, retry_in, &why).await
        }
    };
    if let Err(e) = recorded {
        // The claim runs out and the event falls due again: delivered twice at worst.
        tracing::warn!(topic = policy.topic, error = %e.chain(), "callback outcome not recorded");
    }
}

/// The wait after failed attempt `n` (1-based): `first`, doubled per further attempt.
fn backoff(first: Duration, n: u32) -> Duration {
    first.saturating_mul(2u32.saturating_pow(n.saturating_sub(1).min(20)))
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_per_attempt() {
        let s = Duration::from_secs(1);
        let waits: Vec<u64> = (1..=4).map(|n| backoff(s, n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8]);
        assert!(
            backoff(s, u32::MAX) >= Duration::from_secs(1 << 20),
            "saturates, no overflow"
        );
    }
}
