//! The shape collected data must have. idbridge keeps collected data as sent and sends it
//! back in every profile, so what it accepts must already be what PassFort's IndividualData
//! and CompanyData describe: these schemas restate PassFort's field types (names, partial
//! dates, genders, ICAO country codes, addresses, contact details) for the fields of
//! individuals, and the top-level types of companies' fields. `documents` and `entity_type`
//! are checked by the handlers.

use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::{Value, json};

use crate::error::Error;

/// ICAO codes PassFort accepts besides ISO 3166-1 alpha-3 (passport codes for British
/// nationals, organisations and stateless persons).
const ICAO_EXTRA: [&str; 19] = [
    "GBN", "GBO", "GBP", "GBS", "EUE", "UNO", "UNA", "UNK", "XBA", "XIM", "XCC", "XCO", "XEC",
    "XPO", "XOM", "XXA", "XXB", "XXC", "XXX",
];

fn countries() -> Vec<&'static str> {
    celes::Country::get_countries()
        .iter()
        .map(|c| c.alpha3)
        .collect()
}

/// PassFort's PersonalDetails.
fn personal_details(icao: &[&str]) -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "name": {
                "type": "object",
                "properties": {
                    "title": { "type": "string" },
                    "given_names": { "type": "array", "items": { "type": "string" } },
                    "family_name": { "type": "string" },
                    "alt_family_names": { "type": "array", "items": { "type": "string" } }
                }
            },
            "dob": { "type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$" },
            "nationality": { "enum": icao },
            "gender": { "enum": ["M", "F"] },
            "national_identity_number": {
                "type": "object",
                "additionalProperties": false,
                "patternProperties": { "^[A-Z]{3}$": { "type": "string" } }
            }
        }
    })
}

/// PassFort's AddressHistory.
fn address_history(countries: &[&str]) -> Value {
    let approx_date = json!({ "type": "string", "pattern": r"^\d{4}-\d{2}$" });
    let address = json!({
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": { "enum": ["FREEFORM", "STRUCTURED"] },
            "country": { "enum": countries },
            "text": { "type": "string" },
            "state_province": { "type": "string" },
            "county": { "type": "string" },
            "postal_code": { "type": "string" },
            "locality": { "type": "string" },
            "postal_town": { "type": "string" },
            "route": { "type": "string" },
            "street_number": { "type": "string" },
            "premise": { "type": "string" },
            "subpremise": { "type": "string" },
            "address_lines": { "type": "array", "items": { "type": "string" } }
        }
    });
    json!({
        "type": "array",
        "items": {
            "type": "object",
            "required": ["address"],
            "properties": {
                "address": address,
                "start_date": approx_date,
                "end_date": approx_date
            }
        }
    })
}

fn schema(entity: &str) -> Value {
    let countries = countries();
    let icao: Vec<&str> = countries.iter().copied().chain(ICAO_EXTRA).collect();
    let common = json!({
        "entity_type": { "enum": [entity] },
        "customer_ref": { "type": "string" },
        "documents": { "type": "array" },
        "external_refs": {
            "type": "object",
            "properties": {
                "jumio_netverify": {
                    "type": "array",
                    "items": { "type": "string", "pattern": "^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$" }
                }
            }
        }
    });
    let mut properties = common.as_object().cloned().unwrap_or_default();
    let specific = if entity == "INDIVIDUAL" {
        json!({
            "personal_details": personal_details(&icao),
            "address_history": address_history(&countries),
            "contact_details": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "phone_number": { "type": "string" },
                    "email": { "type": "string" }
                }
            },
            "ip_location": {
                "type": "object",
                "required": ["ip_address"],
                "properties": {
                    "ip_address": { "type": "string" },
                    "country": { "enum": countries },
                    "continent": { "enum": ["AF", "AN", "AS", "EU", "NA", "OC", "SA"] }
                }
            }
        })
    } else {
        json!({
            "metadata": {
                "type": "object",
                "properties": {
                    "name": { "type": "string" },
                    "number": { "type": "string" },
                    "country_of_incorporation": { "enum": countries }
                }
            },
            "authorized_persons": { "type": "array" },
            "unauthorized_persons": { "type": "array" },
            "ownership_structure": { "type": "object" },
            "officers": { "type": "object" },
            "filings": { "type": "array" },
            "charity_data": { "type": "object" }
        })
    };
    if let Some(m) = specific.as_object() {
        properties.extend(m.clone());
    }
    json!({ "type": "object", "required": ["entity_type"], "properties": properties })
}

fn build(entity: &str) -> Validator {
    jsonschema::validator_for(&schema(entity)).expect("the collected-data schema is valid")
}

/// PassFort's DocumentData and DocumentResult, for the fields idbridge keeps as sent
/// (`issuing_country`, `issued` and `expiry` are checked where they are parsed).
fn document_schema() -> Value {
    let countries = countries();
    let icao: Vec<&str> = countries.iter().copied().chain(ICAO_EXTRA).collect();
    let string = json!({ "type": "string" });
    let boolean = json!({ "type": "boolean" });
    let check = json!({
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "category": string,
                "type": string,
                "result": { "enum": ["PASS", "FAIL", "PARTIAL", "WARN", "ERROR"] }
            }
        }
    });
    let result = json!({
        "type": "object",
        "properties": {
            "provider_name": string,
            "image_checks_passed": boolean,
            "image_checks": check,
            "document_type_passed": boolean,
            "forgery_checks_passed": boolean,
            "forgery_checks": check,
            "field_checks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "field": { "enum": ["FIELD_GIVEN_NAMES", "FIELD_FAMILY_NAME", "FIELD_DOB",
                            "FIELD_NATIONALITY", "FIELD_EXPIRY", "FIELD_NUMBER", "FIELD_GENDER",
                            "FIELD_ISSUED", "FIELD_ADDRESS", "FIELD_ISSUING_COUNTRY", "FIELD_MRZ"] },
                        "result": { "enum": ["CHECK_UNCERTAIN", "CHECK_INVALID", "CHECK_VALID"] }
                    }
                }
            },
            "all_passed": boolean,
            "error_reason": string
        }
    });
    json!({
        "type": "object",
        "properties": {
            "extracted_data": {
                "type": "object",
                "properties": {
                    "issuer": string,
                    "number": string,
                    "personal_details": personal_details(&icao),
                    "address_history": address_history(&countries),
                    "mrz1": string,
                    "mrz2": string,
                    "mrz3": string,
                    "result": result,
                    "external_service": string,
                    "external_ref": string
                }
            },
            "verification_result": result
        }
    })
}

static DOCUMENT: LazyLock<Validator> = LazyLock::new(|| {
    jsonschema::validator_for(&document_schema()).expect("the document schema is valid")
});

/// Checks a document's `extracted_data` and `verification_result` against PassFort's
/// DocumentData and DocumentResult; the first problem is named as `<root>.<path>` (`root`
/// empty: the path alone).
pub fn check_document(d: &super::wire::NewDocument, root: &str) -> Result<(), Error> {
    let mut value = serde_json::Map::new();
    if let Some(e) = &d.extracted_data {
        value.insert("extracted_data".into(), Value::Object(e.clone()));
    }
    if let Some(v) = d.verification_result.as_ref().filter(|v| !v.is_null()) {
        value.insert("verification_result".into(), v.clone());
    }
    first_error(&DOCUMENT, &Value::Object(value), root)
}

fn first_error(validator: &Validator, data: &Value, root: &str) -> Result<(), Error> {
    match validator.iter_errors(data).next() {
        None => Ok(()),
        Some(e) => {
            let path: Vec<&str> = e
                .instance_path()
                .as_str()
                .split('/')
                .filter(|s| !s.is_empty())
                .collect();
            let field = std::iter::once(root)
                .filter(|r| !r.is_empty())
                .chain(path)
                .collect::<Vec<_>>()
                .join(".");
            // Masked: the message names the rule broken, never the value (a name, a number).
            Err(Error::invalid(field, e.masked().to_string()))
        }
    }
}

static INDIVIDUAL: LazyLock<Validator> = LazyLock::new(|| build("INDIVIDUAL"));
static COMPANY: LazyLock<Validator> = LazyLock::new(|| build("COMPANY"));

/// Checks collected data of an individual (`company` false) or a company; the first problem
/// is named as `collected_data.<path>`.
pub fn check(data: &Value, company: bool) -> Result<(), Error> {
    let validator: &Validator = if company { &COMPANY } else { &INDIVIDUAL };
    first_error(validator, data, "collected_data")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn individuals_follow_passforts_field_types() {
        let ok = json!({"entity_type": "INDIVIDUAL", "customer_ref": "c1",
            "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}, "dob": "1815-12", "nationality": "GBR", "gender": "F"},
            "contact_details": {"email": "ada@example.com"},
            "address_history": [{"address": {"type": "FREEFORM", "country": "GBR", "text": "London"}, "start_date": "1820-01"}]});
        check(&ok, false).unwrap();
        for (bad, field) in [
            (
                json!({"entity_type": "INDIVIDUAL", "personal_details": {"name": {"given_names": "Ada"}}}),
                "collected_data.personal_details.name.given_names",
            ),
            (
                json!({"entity_type": "INDIVIDUAL", "personal_details": {"nickname": "Ada"}}),
                "collected_data.personal_details",
            ),
            (
                json!({"entity_type": "INDIVIDUAL", "personal_details": {"dob": "10/12/1815"}}),
                "collected_data.personal_details.dob",
            ),
            (
                json!({"entity_type": "INDIVIDUAL", "personal_details": {"nationality": "ZZZ"}}),
                "collected_data.personal_details.nationality",
            ),
            (
                json!({"entity_type": "INDIVIDUAL", "customer_ref": 42}),
                "collected_data.customer_ref",
            ),
            (
                json!({"entity_type": "INDIVIDUAL", "contact_details": {"fax": "+44"}}),
                "collected_data.contact_details",
            ),
        ] {
            match check(&bad, false) {
                Err(Error::InvalidField { field: f, .. }) => assert_eq!(f, field, "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn documents_follow_passforts_document_data_and_result() {
        let doc = |extra: Value| -> super::super::wire::NewDocument {
            let mut d =
                json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": []});
            d.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            serde_json::from_value(d).unwrap()
        };
        check_document(&doc(json!({"extracted_data": {"mrz1": "P<GBR", "kept": 1},
            "verification_result": {"all_passed": true, "field_checks": [{"field": "FIELD_DOB", "result": "CHECK_VALID"}]}})), "documents[0]")
        .unwrap();
        for (extra, field) in [
            (
                json!({"extracted_data": {"mrz1": 5}}),
                "documents[2].extracted_data.mrz1",
            ),
            (
                json!({"verification_result": {"all_passed": "yes"}}),
                "documents[2].verification_result.all_passed",
            ),
            (
                json!({"verification_result": [1]}),
                "documents[2].verification_result",
            ),
        ] {
            match check_document(&doc(extra.clone()), "documents[2]") {
                Err(Error::InvalidField { field: f, .. }) => assert_eq!(f, field, "{extra}"),
                other => panic!("{extra}: {other:?}"),
            }
            // Alone (the add-document body), the path has no `documents[i]` root.
            match check_document(&doc(extra.clone()), "") {
                Err(Error::InvalidField { field: f, .. }) => {
                    assert_eq!(
                        Some(f.as_str()),
                        field.strip_prefix("documents[2]."),
                        "{extra}"
                    )
                }
                other => panic!("{extra}: {other:?}"),
            }
        }
    }

    #[test]
    fn companies_have_typed_top_level_fields() {
        check(
            &json!({"entity_type": "COMPANY", "metadata": {"name": "Engines Ltd"}}),
            true,
        )
        .unwrap();
        assert!(
            check(
                &json!({"entity_type": "COMPANY", "metadata": "Engines Ltd"}),
                true
            )
            .is_err()
        );
        assert!(check(&json!({"entity_type": "COMPANY", "filings": {}}), true).is_err());
    }
}
