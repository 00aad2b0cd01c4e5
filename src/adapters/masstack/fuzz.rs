//! Generative tests of MasStack's JSON body reader: any bytes are read as an
//! identification request (and validated) or refused with a 400 in MasStack's shape, with
//! no panic.

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
    "actor",
    "name",
    "last_name",
    "identity_document",
    "document_number",
    "document_type",
    "language",
    "msisdn",
    "phone_number",
    "country_code",
    "email",
    "configuration_name",
    "provider",
    "country",
    "scoring",
];

fn read(bytes: &[u8]) -> Result<(), TestCaseError> {
    match super::request::parse(bytes) {
        Ok(req) => {
            outcome(super::request::validate(req).map_err(super::error::MasstackError::from))
        }
        Err(e) => refused(e),
    }
}

#[test]
fn fuzz_masstack_json_bodies() {
    run_corpus("http", |b| read(&b));
    run("masstack-json", 3000, json_bytes(FIELDS), |b| read(&b));
}
