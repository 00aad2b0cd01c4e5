//! Rate limits as rows, so that any number of processes over one database share them. The
//! algorithm is GCRA (the generic cell rate algorithm, as the `governor` crate implements
//! it): a bucket earns back one request every `interval` and holds at most `burst`; its
//! whole state is one number, the theoretical arrival time (TAT).
//!
//! A check reads the TAT and the database's clock, decides, and writes the new TAT, all in
//! one write transaction ([`db::bookkeeping_tx`], which records no audit event): the engine's writer lock serialises the checks of
//! every process, so of any number of concurrent requests exactly as many pass as the bucket
//! allows. The clock compared with stored TATs is the database's (`db::Engine::now_ms`), so
//! nodes whose own clocks differ still agree on every bucket.

use sqlx::{AssertSqlSafe, Row};

use super::{Store, db};
use crate::error::Result;

/// A GCRA rule: one request earned back every `interval_ms`, at most `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateRule {
    /// Milliseconds to earn back one request (at least 1).
    pub interval_ms: u64,
    /// Requests that may be sent at once from a full bucket (at least 1).
    pub burst: u32,
}

/// What a rate-limit check decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateDecision {
    /// The request was taken from the bucket.
    Allowed {
        /// Requests that could still be sent right now.
        remaining: u32,
        /// Milliseconds until the whole burst is available again (one interval for every
        /// request missing from it).
        reset_ms: u64,
    },
    /// The bucket is empty; nothing was taken.
    Refused {
        /// Milliseconds until one request is allowed again.
        retry_ms: u64,
        /// Milliseconds until the whole burst is available again.
        reset_ms: u64,
    },
}

/// The GCRA decision at `now` for a bucket whose stored TAT is `tat` (`None`: never used),
/// and the TAT to store when the request is allowed. All times in milliseconds.
pub fn gcra(rule: RateRule, now: i64, tat: Option<i64>) -> (RateDecision, Option<i64>) {
    let t = rule.interval_ms.clamp(1, i64::MAX as u64 / 4) as i64;
    let burst = i64::from(rule.burst.max(1));
    // The tolerance: how far ahead of now the TAT may run and still let a request in.
    let tau = t.saturating_mul(burst - 1);
    let tat = tat.unwrap_or(now);
    let earliest = tat.saturating_sub(tau);
    if now < earliest {
        let wait = (earliest - now) as u64;
        return (
            RateDecision::Refused {
                retry_ms: wait,
                reset_ms: wait.saturating_add(tau as u64),
            },
            None,
        );
    }
    let next = tat.max(now).saturating_add(t);
    let room = (now + tau + t - next).clamp(0, tau + t);
    let remaining = (room / t) as u32;
    let missing = (burst as u32).saturating_sub(remaining);
    (
        RateDecision::Allowed {
            remaining,
            reset_ms: (t as u64).saturating_mul(u64::from(missing)),
        },
        Some(next),
    )
}

impl Store {
    /// Takes one request from `bucket` under `rule`, or says how long to wait. Read, decide
    /// and write are one write transaction on the database's clock, so the bucket holds
    /// across every process sharing this store. A refused request changes nothing.
    pub async fn take_rate(&self, bucket: &str, rule: RateRule) -> Result<RateDecision> {
        let mut tx = db::bookkeeping_tx(&self.inner.pool, self.inner.engine).await?;
        // Milliseconds since the epoch on the database's clock, read in the same statement as
        // the bucket.
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} AS now, (SELECT tat FROM rate_limits WHERE bucket = $1) AS tat",
            self.inner.engine.now_ms()
        )))
        .bind(bucket)
        .fetch_one(&mut *tx)
        .await?;
        let now: i64 = row.try_get("now")?;
        let tat: Option<i64> = row.try_get("tat")?;
        let (decision, next) = gcra(rule, now, tat);
        if let Some(next) = next {
            sqlx::query(
                "INSERT INTO rate_limits (bucket, tat) VALUES ($1, $2) \
                 ON CONFLICT (bucket) DO UPDATE SET tat = excluded.tat",
            )
            .bind(bucket)
            .bind(next)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Ok(decision)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: RateRule = RateRule {
        interval_ms: 1000,
        burst: 3,
    };

    #[test]
    fn gcra_spends_the_burst_then_refuses_until_an_interval_is_earned() {
        let (d, tat) = gcra(RULE, 0, None);
        assert_eq!(
            d,
            RateDecision::Allowed {
                remaining: 2,
                reset_ms: 1000
            }
        );
        let (d, tat) = gcra(RULE, 0, tat);
        assert_eq!(
            d,
            RateDecision::Allowed {
                remaining: 1,
                reset_ms: 2000
            }
        );
        let (d, tat) = gcra(RULE, 0, tat);
        assert_eq!(
            d,
            RateDecision::Allowed {
                remaining: 0,
                reset_ms: 3000
            }
        );
        assert_eq!(tat, Some(3000));
        assert_eq!(
            gcra(RULE, 400, tat),
            (
                RateDecision::Refused {
                    retry_ms: 600,
                    reset_ms: 2600
                },
                None
            )
        );
        // One interval later one request is back, and only one.
        let (d, tat) = gcra(RULE, 1000, tat);
        assert_eq!(
            d,
            RateDecision::Allowed {
                remaining: 0,
                reset_ms: 3000
            }
        );
        assert!(matches!(
            gcra(RULE, 1000, tat).0,
            RateDecision::Refused { .. }
        ));
        // Long idle: the bucket is full again, never fuller.
        let (d, _) = gcra(RULE, 60_000, tat);
        assert_eq!(
            d,
            RateDecision::Allowed {
                remaining: 2,
                reset_ms: 1000
            }
        );
    }

    async fn open(dir: &std::path::Path) -> Store {
        crate::store::testing::open(dir).await
    }

    /// Two stores opened on one database file (what two processes do) share every bucket:
    /// of `burst + k` concurrent requests split over both, exactly `burst` pass.
    #[tokio::test]
    async fn two_store_handles_on_one_file_share_a_bucket() {
        let dir = tempfile::tempdir().unwrap();
        let one = open(dir.path()).await;
        let two = open(dir.path()).await;
        let rule = RateRule {
            interval_ms: 3_600_000,
            burst: 5,
        };
        let mut tasks = Vec::new();
        for i in 0..12 {
            let s = if i % 2 == 0 { one.clone() } else { two.clone() };
            tasks.push(tokio::spawn(async move {
                s.take_rate("op/tenant-a", rule).await.unwrap()
            }));
        }
        let mut allowed = Vec::new();
        for t in tasks {
            if let RateDecision::Allowed { remaining, .. } = t.await.unwrap() {
                allowed.push(remaining);
            }
        }
        allowed.sort_unstable();
        assert_eq!(allowed, vec![0, 1, 2, 3, 4], "each remaining count once");
        // Another bucket is independent; a refusal says when to retry.
        assert!(matches!(
            two.take_rate("op/tenant-b", rule).await.unwrap(),
            RateDecision::Allowed { remaining: 4, .. }
        ));
        match one.take_rate("op/tenant-a", rule).await.unwrap() {
            RateDecision::Refused { retry_ms, reset_ms } => {
                assert!((3_590_000..=3_600_000).contains(&retry_ms), "{retry_ms}");
                assert_eq!(reset_ms, retry_ms + 4 * 3_600_000);
            }
            other => panic!("{other:?}"),
        }
    }
}
