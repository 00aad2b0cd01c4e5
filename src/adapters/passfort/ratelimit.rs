//! PassFort's rate limit: `POST /profiles` and `POST /profiles/{id}/collected_data` each
//! allow a sustained rate per tenant (GCRA, with a burst), answer with `X-RateLimit-*`
//! headers, and refuse with 429 and `X-RateLimit-Retry-Secs` when exceeded. The buckets
//! live in the store (`Store::take_rate`), so the limit holds across every process and node
//! serving one store, and a restart does not refill them.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::error::PassfortError;
use crate::model::TenantId;
use crate::state::AppState;
use crate::store::{RateDecision, RateRule, Store};

/// The operations limited separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limited {
    /// `POST /profiles`.
    CreateProfile,
    /// `POST /profiles/{id}/collected_data`.
    CollectedData,
}

impl Limited {
    /// The operation's name in bucket keys.
    fn as_str(self) -> &'static str {
        match self {
            Limited::CreateProfile => "create_profile",
            Limited::CollectedData => "collected_data",
        }
    }
}

/// The limit of each tenant and operation: a rule, its state kept in the store.
pub struct Limiter {
    rule: RateRule,
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

/// Whole seconds covering `ms` milliseconds.
fn secs(ms: u64) -> u64 {
    ms.div_ceil(1000)
}

impl Limiter {
    /// A limiter allowing `per_hour` requests an hour with bursts of `burst`.
    pub fn new(per_hour: u32, burst: u32) -> Limiter {
        Limiter {
            rule: RateRule {
                interval_ms: (3_600_000 / u64::from(per_hour.max(1))).max(1),
                burst: burst.max(1),
            },
        }
    }

    /// Takes one request from the tenant's budget for `op`, or says how long to wait.
    pub async fn check(
        &self,
        store: &Store,
        tenant: &TenantId,
        op: Limited,
    ) -> Result<Allowed, PassfortError> {
        // One bucket per operation and tenant; the store knows no vendor, so the key says
        // whose it is.
        let bucket = format!("passfort/{}/{}", op.as_str(), tenant.as_str());
        match store.take_rate(&bucket, self.rule).await? {
            RateDecision::Allowed {
                remaining,
                reset_ms,
            } => Ok(Allowed {
                remaining,
                reset_secs: secs(reset_ms),
            }),
            RateDecision::Refused { retry_ms, reset_ms } => {
                Err(PassfortError::RateLimited(Refused {
                    retry_secs: secs(retry_ms).max(1),
                    reset_secs: secs(reset_ms).max(1),
                }))
            }
        }
    }
}

/// Runs a limited operation: refused with 429 over the limit, answered with the
/// `X-RateLimit-*` headers otherwise (errors included).
pub async fn limited<F>(
    limiter: &Limiter,
    state: &AppState,
    tenant: &TenantId,
    op: Limited,
    run: F,
) -> Response
where
    F: Future<Output = Result<Response, PassfortError>>,
{
    let allowed = match limiter.check(&state.store, tenant, op).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let mut response = run.await.unwrap_or_else(IntoResponse::into_response);
    headers(&allowed, response.headers_mut());
    response
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

    async fn store(dir: &std::path::Path) -> Store {
        crate::store::testing::open(dir).await
    }

    #[tokio::test]
    async fn the_burst_is_spent_then_refused_per_tenant_and_operation() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path()).await;
        let l = Limiter::new(3600, 3);
        let a = TenantId::new("a").unwrap();
        let b = TenantId::new("b").unwrap();
        let first = l.check(&s, &a, Limited::CreateProfile).await.unwrap();
        assert_eq!(first.remaining, 2);
        assert_eq!(first.reset_secs, 1, "one request earned back per second");
        l.check(&s, &a, Limited::CreateProfile).await.unwrap();
        let last = l.check(&s, &a, Limited::CreateProfile).await.unwrap();
        assert_eq!((last.remaining, last.reset_secs), (0, 3));
        match l.check(&s, &a, Limited::CreateProfile).await {
            Err(PassfortError::RateLimited(r)) => assert_eq!(
                r,
                Refused {
                    retry_secs: 1,
                    reset_secs: 3
                }
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            l.check(&s, &a, Limited::CollectedData)
                .await
                .unwrap()
                .remaining,
            2
        );
        assert_eq!(
            l.check(&s, &b, Limited::CreateProfile)
                .await
                .unwrap()
                .remaining,
            2
        );
    }
}
