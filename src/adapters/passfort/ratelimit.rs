//! PassFort's rate limit: `POST /profiles` and `POST /profiles/{id}/collected_data` each
//! allow a sustained rate per tenant (GCRA, with a burst), answer with `X-RateLimit-*`
//! headers, and refuse with 429 and `X-RateLimit-Retry-Secs` when exceeded.

use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::error::PassfortError;
use crate::model::TenantId;

/// The operations limited separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limited {
    /// `POST /profiles`.
    CreateProfile,
    /// `POST /profiles/{id}/collected_data`.
    CollectedData,
}

type Keyed = RateLimiter<
    (TenantId, Limited),
    DefaultKeyedStateStore<(TenantId, Limited)>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// One limiter per tenant and operation.
pub struct Limiter {
    keyed: Keyed,
    clock: DefaultClock,
    /// Time to earn back one request.
    interval: Duration,
    burst: u32,
}

/// What the headers of a refused request say.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    /// Seconds until one more request is allowed (`X-RateLimit-Retry-Secs`).
    pub retry_secs: u64,
    /// Seconds until the full burst is available again (`X-RateLimit-Reset-Secs`).
    pub reset_secs: u64,
}

/// What the `X-RateLimit-*` headers say after an allowed request.
#[derive(Debug, PartialEq, Eq)]
pub struct Allowed {
    /// Requests that could be sent right now.
    pub remaining: u32,
    /// Seconds until the full burst is available again.
    pub reset_secs: u64,
}

impl Limiter {
    /// A limiter allowing `per_hour` requests an hour with bursts of `burst`.
    pub fn new(per_hour: u32, burst: u32) -> Limiter {
        let per_hour = NonZeroU32::new(per_hour).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_hour(per_hour).allow_burst(burst);
        Limiter {
            interval: quota.replenish_interval(),
            keyed: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            clock: DefaultClock::default(),
            burst: burst.get(),
        }
    }

    /// Takes one request from the tenant's budget for `op`, or says how long to wait.
    pub fn check(&self, tenant: &TenantId, op: Limited) -> Result<Allowed, PassfortError> {
        match self.keyed.check_key(&(tenant.clone(), op)) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let missing = self.burst.saturating_sub(remaining);
                Ok(Allowed {
                    remaining,
                    reset_secs: (self.interval * missing).as_secs_f64().ceil() as u64,
                })
            }
            Err(not_until) => {
                // Nothing is left: the next request comes after `wait`, the rest of the
                // burst one interval each after it.
                let wait = not_until.wait_time_from(self.clock.now());
                let reset = wait + self.interval * self.burst.saturating_sub(1);
                Err(PassfortError::RateLimited(Refused {
                    retry_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
                    reset_secs: reset.as_secs_f64().ceil().max(1.0) as u64,
                }))
            }
        }
    }
}

/// Adds the `X-RateLimit-*` headers of an allowed request to a response's headers.
pub fn headers(allowed: &Allowed, h: &mut HeaderMap) {
    state_headers(allowed.remaining, allowed.reset_secs, h);
}

/// Adds the headers of a refused request: none remaining, when it resets, when to retry.
pub fn refused_headers(r: &Refused, h: &mut HeaderMap) {
    state_headers(0, r.reset_secs, h);
    h.insert("x-ratelimit-retry-secs", HeaderValue::from(r.retry_secs));
}

fn state_headers(remaining: u32, reset_secs: u64, h: &mut HeaderMap) {
    h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    h.insert("x-ratelimit-reset-secs", HeaderValue::from(reset_secs));
    let reset = chrono::Utc::now() + chrono::Duration::seconds(reset_secs as i64);
    if let Ok(v) = HeaderValue::from_str(&reset.to_rfc2822()) {
        h.insert("x-ratelimit-reset", v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_burst_is_spent_then_refused_per_tenant_and_operation() {
        let l = Limiter::new(3600, 3);
        let a = TenantId::new("a").unwrap();
        let b = TenantId::new("b").unwrap();
        let first = l.check(&a, Limited::CreateProfile).unwrap();
        assert_eq!(first.remaining, 2);
        assert_eq!(first.reset_secs, 1, "one request earned back per second");
        l.check(&a, Limited::CreateProfile).unwrap();
        let last = l.check(&a, Limited::CreateProfile).unwrap();
        assert_eq!((last.remaining, last.reset_secs), (0, 3));
        match l.check(&a, Limited::CreateProfile) {
            Err(PassfortError::RateLimited(r)) => assert_eq!(
                r,
                Refused {
                    retry_secs: 1,
                    reset_secs: 3
                }
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(l.check(&a, Limited::CollectedData).unwrap().remaining, 2);
        assert_eq!(l.check(&b, Limited::CreateProfile).unwrap().remaining, 2);
    }
}
