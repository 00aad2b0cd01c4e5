//! Generative tests of B2Core's sign-in body reader: any bytes, a JSON object or a
//! urlencoded form, are read as fields or refused with a 400 in B2Core's shape, with no
//! panic. (Its document bodies need a store; `tests/api/fuzz.rs` fuzzes them over HTTP.)

use axum::response::IntoResponse;
use proptest::test_runner::TestCaseError;

use crate::fuzz_kit::{ensure, json_bytes, run, run_corpus};

/// A refusal is a 4xx whose body is JSON.
fn refused<E: IntoResponse>(e: E) -> Result<(), TestCaseError> {
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

fn outcome<T, E: IntoResponse>(r: Result<T, E>) -> Result<(), TestCaseError> {
    match r {
        Ok(_) => Ok(()),
        Err(e) => refused(e),
    }
}

const FIELDS: &[&str] = &[
    "email",
    "password",
    "token",
    "refreshToken",
    "code",
    "recaptcha",
    "device_fingerprint",
    "clientId",
    "2faRequired",
    "type",
    "typeId",
    "typeID",
    "file",
];

fn read(bytes: &[u8]) -> Result<(), TestCaseError> {
    outcome(super::sessions::fields(bytes))
}

#[test]
fn fuzz_mydocs_sign_in_bodies() {
    run_corpus("http", |b| read(&b));
    run("mydocs-json", 3000, json_bytes(FIELDS), |b| read(&b));
}
