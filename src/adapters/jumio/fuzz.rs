//! Generative tests of Jumio's JSON body readers: any bytes read as an account request or
//! as personal data are read or refused with a 400 in Jumio's shape, with no panic.

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
    "customerInternalReference",
    "workflowDefinition",
    "key",
    "credentials",
    "category",
    "country",
    "type",
    "predefinedType",
    "values",
    "callbackUrl",
    "userReference",
    "tokenLifetime",
    "web",
    "successUrl",
    "errorUrl",
    "locale",
    "consent",
    "userConsent",
    "userIp",
    "userLocation",
    "firstName",
    "lastName",
    "middleName",
    "dateOfBirth",
    "email",
    "phoneNumber",
    "personalNumber",
    "id",
    "idNumber",
    "subType",
    "expiryDate",
    "issuingDate",
    "address",
    "capabilities",
    "reportingCriteria",
];

fn read(bytes: &[u8]) -> Result<(), TestCaseError> {
    outcome(super::checks::parse(bytes))?;
    outcome(super::personal::personal(bytes))
}

#[test]
fn fuzz_jumio_json_bodies() {
    run_corpus("http", |b| read(&b));
    run("jumio-json", 3000, json_bytes(FIELDS), |b| read(&b));
}
