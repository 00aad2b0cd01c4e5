//! Generative tests of B2Core's sign-in body reader: any bytes, a JSON object or a
//! urlencoded form, are read as fields or refused with a 400 in B2Core's shape, with no
//! panic. (Its document bodies need a store; `tests/api/fuzz.rs` fuzzes them over HTTP.)

use proptest::test_runner::TestCaseError;

use crate::adapters::common::fuzz::{json_bodies, outcome};

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
    json_bodies("mydocs-json", FIELDS, read);
}
