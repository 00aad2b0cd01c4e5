//! What the vendors' generative tests of their body readers share: a read that fails must
//! be a refusal, a 4xx with a JSON body.

use axum::response::IntoResponse;
use proptest::test_runner::TestCaseError;

use crate::fuzz_kit::{ensure, json_bytes, run, run_corpus};

/// A refusal is a 4xx whose body is JSON.
pub fn refused<E: IntoResponse>(e: E) -> Result<(), TestCaseError> {
    let res = e.into_response();
    let status = res.status();
    let body = futures::executor::block_on(axum::body::to_bytes(res.into_body(), usize::MAX))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    ensure(status.is_client_error(), || {
        format!("refused with {status}")
    })?;
    ensure(
        serde_json::from_slice::<serde_json::Value>(&body).is_ok(),
        || {
            format!(
                "refused with a body that is not JSON: {}",
                String::from_utf8_lossy(&body)
            )
        },
    )
}

/// A read is fine; a failed one must be a refusal.
pub fn outcome<T, E: IntoResponse>(r: Result<T, E>) -> Result<(), TestCaseError> {
    match r {
        Ok(_) => Ok(()),
        Err(e) => refused(e),
    }
}

/// Runs a vendor's JSON body reader `read` over the HTTP seed corpus, then over generated
/// JSON bodies whose keys are mostly `fields` (fuzz target `target`).
pub fn json_bodies(
    target: &str,
    fields: &'static [&'static str],
    read: fn(&[u8]) -> Result<(), TestCaseError>,
) {
    run_corpus("http", |b| read(&b));
    run(target, 3000, json_bytes(fields), |b| read(&b));
}
