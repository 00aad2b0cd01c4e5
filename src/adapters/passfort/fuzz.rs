//! Generative tests of PassFort's JSON body reader: any bytes read as a profile, a
//! collected document, a check or a document image's fields are read or refused with a 400
//! in PassFort's shape, with no panic.

use proptest::test_runner::TestCaseError;

use crate::adapters::common::fuzz::{json_bodies, outcome};

const FIELDS: &[&str] = &[
    "role",
    "collected_data",
    "entity_type",
    "personal_details",
    "name",
    "given_names",
    "family_name",
    "dob",
    "nationality",
    "document_type",
    "document_images",
    "images",
    "id",
    "image_type",
    "data",
    "category",
    "number",
    "issuing_country",
    "expiry",
    "issued",
    "check_type",
    "input_data",
    "external_ref",
    "documents",
    "file_type",
    "mime_type",
];

fn read(bytes: &[u8]) -> Result<(), TestCaseError> {
    use super::extract::parse;
    use super::wire::{CreateProfile, NewCheck, NewDocument};
    outcome(parse::<CreateProfile>(bytes))?;
    outcome(parse::<NewDocument>(bytes))?;
    outcome(parse::<NewCheck>(bytes))?;
    outcome(parse::<serde_json::Map<String, serde_json::Value>>(bytes))
}

#[test]
fn fuzz_passfort_json_bodies() {
    json_bodies("passfort-json", FIELDS, read);
}
