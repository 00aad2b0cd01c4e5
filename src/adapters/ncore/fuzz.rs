//! Generative tests of nCore's JSON body reader: any bytes read as an identification to
//! create or update, or as a user, are read or refused with a 400 in nCore's shape, with no
//! panic (the reader's recursion limit turns deep nesting into a refusal, not an overflow).

use proptest::test_runner::TestCaseError;

use crate::adapters::common::fuzz::{json_bodies, outcome};

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
    json_bodies("ncore-json", FIELDS, read);
}
