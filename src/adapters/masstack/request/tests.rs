//! Parsing and validating create requests: which member each error names, and the normal
//! forms a valid request is reduced to.

use super::*;

fn field_error(body: &str) -> Option<String> {
    match parse(body.as_bytes()) {
        Err(MasstackError::Body { field, .. }) => field,
        other => panic!("{body}: {other:?}"),
    }
}

fn invalid(body: &str) -> String {
    let req = parse(body.as_bytes()).unwrap();
    match validate(req) {
        Err(Error::InvalidField { field, .. }) => field,
        other => panic!("{body}: {other:?}"),
    }
}

#[test]
fn json_errors_name_the_member() {
    assert_eq!(
        field_error(r#"{"expire_in": "P1D"}"#).as_deref(),
        Some("expire_in")
    );
    assert_eq!(
        field_error(r#"{"identity_document": {"document_type": "NIF"}}"#).as_deref(),
        Some("identity_document.document_number")
    );
    assert_eq!(
        field_error(r#"{"identity_document": {"document_number": "1", "document_type": "DNI"}}"#)
            .as_deref(),
        Some("identity_document.document_type")
    );
    assert_eq!(
        field_error(r#"{"actor": {"msisdn": {"phone_number": "612", "country_code": "34"}}}"#)
            .as_deref(),
        Some("actor.msisdn.phone_number")
    );
    assert_eq!(
        field_error(r#"{"actor": {"nickname": "x"}}"#).as_deref(),
        Some("actor.nickname")
    );
    assert_eq!(
        field_error(r#"{"configuration_name": "ULTRA"}"#).as_deref(),
        Some("configuration_name")
    );
    assert_eq!(field_error(r#"{"name": "a",}"#), None, "malformed JSON");
    assert_eq!(field_error("[]"), None, "not an object");
    assert_eq!(field_error(r#"{} {}"#), None, "trailing data");
}

#[test]
fn values_are_checked_and_named() {
    let doc = r#""identity_document": {"document_number": "12345678Z", "document_type": "NIF"}"#;
    assert_eq!(invalid("{}"), "identity_document");
    assert_eq!(
        invalid(&format!(r#"{{{doc}, "expires_in": "P31D"}}"#)),
        "expires_in"
    );
    assert_eq!(
        invalid(&format!(r#"{{{doc}, "expires_in": "PT0S"}}"#)),
        "expires_in"
    );
    assert_eq!(
        invalid(&format!(r#"{{{doc}, "expires_in": "P1M"}}"#)),
        "expires_in"
    );
    assert_eq!(invalid(&format!(r#"{{{doc}, "name": "  "}}"#)), "name");
    assert_eq!(
        invalid(&format!(r#"{{{doc}, "actor": {{"email": "nope"}}}}"#)),
        "actor.email"
    );
    assert_eq!(
        invalid(&format!(r#"{{{doc}, "actor": {{"language": "ESP"}}}}"#)),
        "actor.language"
    );
    assert_eq!(
        invalid(&format!(
            r#"{{{doc}, "actor": {{"msisdn": {{"phone_number": 6, "country_code": "34"}}}}}}"#
        )),
        "actor.msisdn.phone_number"
    );
    assert_eq!(
        invalid(&format!(
            r#"{{{doc}, "actor": {{"msisdn": {{"phone_number": 612345678, "country_code": "0034"}}}}}}"#
        )),
        "actor.msisdn.country_code"
    );
    assert_eq!(
        invalid(
            r#"{"identity_document": {"document_number": "12345678Z", "document_type": "NIF", "country": "FR"}}"#
        ),
        "identity_document.country"
    );
    assert_eq!(
        invalid(
            r#"{"identity_document": {"document_number": "X", "document_type": "PASSPORT", "country": "ESP"}}"#
        ),
        "identity_document.country"
    );
    assert_eq!(
        invalid(
            r#"{"actor": {"identity_document": {"document_number": "12/34", "document_type": "NIE"}}}"#
        ),
        "actor.identity_document.document_number"
    );
    assert_eq!(
        invalid(
            r#"{"name": "A", "actor": {"name": "B", "identity_document": {"document_number": "1", "document_type": "NIE"}}}"#
        ),
        "name"
    );
}

#[test]
fn defaults_and_normal_forms() {
    let req = parse(br#"{"actor": {"name": " James ", "identity_document": {"document_number": "12345678-z", "document_type": "NIF"}, "language": "es", "msisdn": {"phone_number": 6123456789, "country_code": "+34"}}}"#).unwrap();
    let v = validate(req).unwrap();
    assert_eq!(v.name.as_deref(), Some("James"));
    assert_eq!(v.document.number, "12345678Z");
    assert_eq!(
        v.document.country.as_ref().map(CountryCode::as_str),
        Some("ESP")
    );
    assert_eq!(v.language.as_deref(), Some("ES"));
    assert_eq!(v.msisdn.unwrap().country_code, "34");
    assert_eq!(
        (v.expires_in.as_str(), v.expires_in_secs),
        ("P30D", 30 * 86_400)
    );
    assert_eq!(v.configuration, ConfigurationName::Medium);
    assert_eq!(v.provider, ScoringProvider::Internal);
}
