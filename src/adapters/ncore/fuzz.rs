//! Generative tests of nCore's JSON body reader: any bytes read as an identification to
//! create or update, or as a user, are read or refused with a 400 in nCore's shape, with no
//! panic (the reader's recursion limit turns deep nesting into a refusal, not an overflow).

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
    "type",
    "identification_type",
    "identification_document_type",
    "number",
    "expiration_date",
    "issuing_country",
    "issuance_authority",
    "first_name",
    "last_name",
    "middle_name",
    "date_of_birth",
    "nationality",
    "gender",
    "email",
    "mobile",
    "address",
    "user_type",
    "place_of_birth",
    "native_name",
    "country_residence",
    "title",
];

fn read(bytes: &[u8]) -> Result<(), TestCaseError> {
    use super::handlers::parse;
    use super::wire::{CreateIdentification, UpdateIdentification};
    outcome(parse::<CreateIdentification>(bytes))?;
    outcome(parse::<UpdateIdentification>(bytes))?;
    outcome(parse::<serde_json::Value>(bytes))
}

#[test]
fn fuzz_ncore_json_bodies() {
    run_corpus("http", |b| read(&b));
    run("ncore-json", 3000, json_bytes(FIELDS), |b| read(&b));
}
