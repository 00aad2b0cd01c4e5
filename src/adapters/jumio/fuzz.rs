//! Generative tests of Jumio's JSON body readers: any bytes read as an account request or
//! as personal data are read or refused with a 400 in Jumio's shape, with no panic.

use proptest::test_runner::TestCaseError;

use crate::adapters::common::fuzz::{json_bodies, outcome};

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
    json_bodies("jumio-json", FIELDS, read);
}
