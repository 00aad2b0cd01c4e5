//! Generative tests of MasStack's JSON body reader: any bytes are read as an
//! identification request (and validated) or refused with a 400 in MasStack's shape, with
//! no panic.

use proptest::test_runner::TestCaseError;

use crate::adapters::common::fuzz::{json_bodies, outcome, refused};

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
    json_bodies("masstack-json", FIELDS, read);
}
