//! Unit tests of the user checks: every field's edges, the type's names, the transitions.

use serde_json::json;
use strum::IntoEnumIterator;

use super::*;
use crate::adapters::ncore::user_rules::{allowed, apply, new_record};
use crate::adapters::ncore::wire::{UserFields, UserRecord};

fn body(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn refused(v: Value, mode: Mode<'_>) -> String {
    match check(body(v.clone()), mode) {
        Err(Error::InvalidField { field, .. }) => field,
        other => panic!("{v} was not refused: {other:?}"),
    }
}

const NOW: &str = "2024-01-02T03:04:05.678Z";

#[test]
fn the_field_table_is_the_wire_struct() {
    let wire = match serde_json::to_value(UserFields::default()).unwrap() {
        Value::Object(m) => m.keys().cloned().collect::<Vec<_>>(),
        _ => unreachable!(),
    };
    let mut table: Vec<String> = FIELDS.iter().map(|(n, _)| n.to_string()).collect();
    table.sort();
    assert_eq!(wire, table);
}

#[test]
fn every_bad_value_names_its_field() {
    let tomorrow = (Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    for (v, field) in [
        (json!({"user_type": "PERSON"}), "user_type"),
        (json!({"status": "ACTIVATED"}), "status"),
        (json!({"first_name": 7}), "first_name"),
        (json!({"first_name": "x".repeat(201)}), "first_name"),
        (json!({"last_name": "a\u{7}b"}), "last_name"),
        (json!({"date_of_birth": "07/11/1989"}), "date_of_birth"),
        (json!({"date_of_birth": "1989-02-30"}), "date_of_birth"),
        (json!({"date_of_birth": "1989-2-3"}), "date_of_birth"),
        (json!({"date_of_birth": tomorrow}), "date_of_birth"),
        (json!({"email": "bob"}), "email"),
        (json!({"email": "bob@example"}), "email"),
        (json!({"email": "bo b@example.com"}), "email"),
        (json!({"mobile": "12345"}), "mobile"),
        (json!({"mobile": "+55 11 8524"}), "mobile"),
        (json!({"phone_number": "1234567890123456"}), "phone_number"),
        (json!({"nationality": "US"}), "nationality"),
        (json!({"company_country": 840}), "company_country"),
        (json!({"preferred_language": "ENG"}), "preferred_language"),
        (json!({"gender": "Male"}), "gender"),
        (json!({"industry_type": ""}), "industry_type"),
        (json!({"monthly_salary": -1}), "monthly_salary"),
        (
            json!({"expected_monthly_balance": "0"}),
            "expected_monthly_balance",
        ),
        (json!({"address": "Flat 1904"}), "address"),
        (json!({"address": {"country": "UK"}}), "address.country"),
        (json!({"address": {"line1": "x"}}), "address.line1"),
        (
            json!({"company_address": {"city": 1}}),
            "company_address.city",
        ),
        (json!({"parent_user_id": ""}), "parent_user_id"),
        (json!({"created_at": NOW}), "created_at"),
        (json!({"id": "95e7ffbe-0d8a-4c8d-ab84-4476c16a1494"}), "id"),
    ] {
        assert_eq!(refused(v.clone(), Mode::Create), field, "{v}");
    }
    assert_eq!(refused(json!({"id": "other"}), Mode::Update("mine")), "id");
}

#[test]
fn the_documented_sample_is_taken_and_normalised() {
    let c = check(
        body(json!({
            "title": "MRS", "first_name": "Sara", "middle_name": "Anthony", "last_name": "pass",
            "native_name": "John Smith", "date_of_birth": "1989-11-07", "email": "bob@example.com",
            "mobile": "+551185249635", "gender": "MALE", "preferred_language": "en",
            "place_of_birth": "USA", "nationality": "usa", "country_residence": "USA",
            "country_tax_residence": "USA", "employment_type": "SALARIED",
            "employment_title": "string", "monthly_salary": 0, "company_name": "string",
            "address": {"address_line1": "Flat 1904", "address_line2": "Glass Tower",
                "city": "New York City", "state": "New York", "postal_code": "12345", "country": "UKR"},
            "company_country": "USA", "industry_type": "I01", "expected_monthly_balance": 0.5,
            "user_type": "INDIVIDUAL", "phone_number": "+551185249635", "loyalty_tier": {"level": 2}
        })),
        Mode::Create,
    )
    .unwrap();
    let r = new_record(c, NOW).unwrap();
    assert_eq!(
        (r.user_type, r.status),
        (UserType::Individual, UserStatus::Pendingkyc)
    );
    assert_eq!(r.fields.preferred_language.as_deref(), Some("EN"));
    assert_eq!(r.fields.nationality.as_deref(), Some("USA"));
    assert_eq!(
        r.fields.address.as_ref().unwrap().city.as_deref(),
        Some("New York City")
    );
    assert_eq!(
        serde_json::to_value(&r).unwrap()["monthly_salary"],
        json!(0),
        "0 stays 0"
    );
    assert_eq!(r.other["loyalty_tier"], json!({"level": 2}));
    assert_eq!((r.created_at.as_str(), r.updated_at.as_str()), (NOW, NOW));
}

fn new(v: Value) -> Result<UserRecord> {
    new_record(check(body(v), Mode::Create)?, NOW)
}

fn field_of(r: Result<UserRecord>) -> String {
    match r {
        Err(Error::InvalidField { field, .. }) => field,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn each_type_needs_its_name() {
    assert_eq!(field_of(new(json!({"first_name": "A"}))), "user_type");
    assert_eq!(
        field_of(new(json!({"first_name": "A", "user_type": null}))),
        "user_type"
    );
    for t in ["INDIVIDUAL", "DIRECTOR", "SIGNATURE", "SHAREHOLDER"] {
        assert_eq!(
            field_of(new(json!({"user_type": t, "company_name": "X"}))),
            "first_name"
        );
        assert_eq!(
            field_of(new(json!({"user_type": t, "first_name": "  "}))),
            "first_name"
        );
        assert!(new(json!({"user_type": t, "first_name": "A"})).is_ok());
    }
    for t in ["BUSINESS", "SHAREHOLDER_BUSINESS"] {
        assert_eq!(
            field_of(new(json!({"user_type": t, "last_name": "X"}))),
            "company_name"
        );
        assert!(new(json!({"user_type": t, "company_name": "Test"})).is_ok());
        assert!(new(json!({"user_type": t, "first_name": "Test"})).is_ok());
    }
    assert_eq!(
        field_of(new(
            json!({"user_type": "INDIVIDUAL", "first_name": "A", "status": "ACTIVE"})
        )),
        "status"
    );
    assert!(
        new(json!({"user_type": "INDIVIDUAL", "first_name": "A", "status": "PENDINGKYC"})).is_ok()
    );
}

#[test]
fn transitions_follow_the_table_and_terminated_is_final() {
    use UserStatus::*;
    let allowed_pairs = [
        (Pendingkyc, Active),
        (Pendingkyc, Terminated),
        (Active, Suspended),
        (Active, Terminated),
        (Suspended, Active),
        (Suspended, Terminated),
    ];
    for from in UserStatus::iter() {
        for to in UserStatus::iter() {
            assert_eq!(
                allowed(from, to),
                from == to || allowed_pairs.contains(&(from, to)),
                "{from:?} -> {to:?}"
            );
        }
    }
    let base = new(json!({"user_type": "INDIVIDUAL", "first_name": "A"})).unwrap();
    let put =
        |r: &UserRecord, v: Value| apply(r.clone(), check(body(v), Mode::Update("u"))?, "later");
    let active = put(&base, json!({"status": "ACTIVE"})).unwrap();
    assert_eq!(
        (active.status, active.updated_at.as_str()),
        (Active, "later")
    );
    assert_eq!(
        field_of(put(&active, json!({"status": "PENDINGKYC"}))),
        "status"
    );
    let gone = put(&active, json!({"status": "TERMINATED"})).unwrap();
    assert!(matches!(
        put(&gone, json!({"first_name": "B"})),
        Err(Error::Conflict(_))
    ));
    assert!(matches!(put(&gone, json!({})), Err(Error::Conflict(_))));
}

#[test]
fn put_replaces_clears_and_keeps() {
    let base = new(
        json!({"user_type": "INDIVIDUAL", "first_name": "A", "email": "a@b.co",
        "tier": 1, "note": "x"}),
    )
    .unwrap();
    let put = |v: Value| apply(base.clone(), check(body(v), Mode::Update("u"))?, "later");
    let r = put(
        json!({"email": null, "last_name": "B", "tier": 2, "note": null,
        "created_at": "ignored", "updated_at": "ignored", "id": "u", "user_type": "INDIVIDUAL"}),
    )
    .unwrap();
    assert_eq!(r.fields.email, None);
    assert_eq!(r.fields.last_name.as_deref(), Some("B"));
    assert_eq!(r.fields.first_name.as_deref(), Some("A"));
    assert_eq!(r.other.get("tier"), Some(&json!(2)));
    assert!(!r.other.contains_key("note"));
    assert_eq!(r.created_at, NOW);
    let same = put(json!({"first_name": "A"})).unwrap();
    assert_eq!(same.updated_at, NOW, "nothing changed, so updated_at stays");
    assert_eq!(field_of(put(json!({"first_name": null}))), "first_name");
    assert_eq!(field_of(put(json!({"user_type": "BUSINESS"}))), "user_type");
}
