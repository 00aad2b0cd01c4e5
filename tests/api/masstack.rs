//! The MasStack identity-document identification API over HTTP, as a MasStack client uses
//! it. Every JSON body is checked against the MasStack OpenAPI document; documented bodiless
//! answers are checked to be empty.

mod authn;

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::masstack::*;

#[tokio::test]
async fn the_seed_example_is_created_read_and_listed() {
    let m = Ms::start().await;
    let created = m.create(seed_example()).await;
    assert_eq!(created.status, StatusCode::OK);
    let c = created.json();
    assert_eq!(c["org_id"], ORG_A);
    assert_eq!(c["status"], "OPEN");
    assert_eq!(
        (
            c["actor"]["name"].as_str(),
            c["actor"]["last_name"].as_str()
        ),
        (Some("James"), Some("Smith"))
    );
    let doc = &c["actor"]["identity_document"];
    assert_eq!(
        (
            doc["document_number"].as_str(),
            doc["document_type"].as_str(),
            doc["country"].as_str()
        ),
        (Some("12345678A"), Some("NIF"), Some("ES"))
    );
    assert_eq!(c["configuration_name"], "HIGH");
    assert_eq!(c["expires_in"], "P7D");
    assert_eq!(c["closed_at"], Value::Null);
    let validity = seconds_between(&c["created_at"], &c["expires_at"]);
    assert!(
        (7 * 86_400 - 1..=7 * 86_400).contains(&validity),
        "{validity}"
    );
    // The seed's own number has the wrong check letter (12345678 mod 23 gives Z).
    let s = &c["scoring"];
    assert_eq!(
        (&s["provider"], &s["status"], &s["score"], &s["result"]),
        (
            &json!("INTERNAL"),
            &json!("EXECUTED"),
            &json!(0),
            &json!("FAILED")
        )
    );
    assert_eq!(check(s, "DOCUMENT_NUMBER")["outcome"], "FAILED");
    let id = c["id"].as_str().unwrap();
    let got = m.get(KEY_A, ORG_A, id).await;
    assert_eq!((got.status, got.json()), (StatusCode::OK, c));
    let list = m.list("").await;
    assert_eq!(list.json()["identifications"], json!([c]));
    assert_eq!(
        list.json()["pagination"],
        json!({"limit": 20, "offset": 0, "total": 1})
    );
}

#[tokio::test]
async fn the_actor_form_is_accepted_with_defaults() {
    let m = Ms::start().await;
    let r = m
        .create(json!({
            "actor": {
                "name": "James", "last_name": "Smith",
                "identity_document": {"document_number": "12345678-z", "document_type": "IDENTITY_CARD", "country": "es"},
                "email": "example@email.com",
                "msisdn": {"phone_number": 6123456789u64, "country_code": "34"},
                "language": "es"
            }
        }))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let c = r.json();
    let a = &c["actor"];
    assert_eq!(a["email"], "example@email.com");
    assert_eq!(
        a["msisdn"],
        json!({"phone_number": 6123456789u64, "country_code": "34"})
    );
    assert_eq!(a["language"], "ES");
    assert_eq!(
        (
            &a["identity_document"]["document_number"],
            &a["identity_document"]["document_type"],
            &a["identity_document"]["country"]
        ),
        (&json!(NIF), &json!("IDENTITY_CARD"), &json!("ES"))
    );
    // Defaults: MEDIUM, P30D, INTERNAL.
    assert_eq!(c["configuration_name"], "MEDIUM");
    assert_eq!(c["expires_in"], "P30D");
    let validity = seconds_between(&c["created_at"], &c["expires_at"]);
    assert!((30 * 86_400 - 1..=30 * 86_400).contains(&validity));
    assert_eq!(c["scoring"]["provider"], "INTERNAL");
    // A Spanish identity card follows the DNI rule; nothing is on file yet.
    assert_eq!(
        outcomes(&c["scoring"]),
        [
            ("DOCUMENT_NUMBER".into(), "PASSED".into()),
            ("DOCUMENT_ON_FILE".into(), "FAILED".into()),
            ("DOCUMENT_UNEXPIRED".into(), "NOT_EXECUTED".into()),
            ("DOCUMENT_IMAGES".into(), "NOT_EXECUTED".into()),
        ]
    );
    assert_eq!(
        (&c["scoring"]["score"], &c["scoring"]["result"]),
        (&json!(25), &json!("FAILED"))
    );
    // Both forms at once are fine when they agree, refused when they differ.
    let both = m
        .create(json!({
            "name": "James",
            "actor": {"name": "James", "identity_document": {"document_number": NIF, "document_type": "NIF"}}
        }))
        .await;
    assert_eq!(both.status, StatusCode::OK);
    assert_eq!(both.json()["actor"]["name"], "James");
    m.create(json!({
        "identity_document": {"document_number": NIF, "document_type": "NIF"},
        "actor": {"identity_document": {"document_number": NIF, "document_type": "NIE"}}
    }))
    .await
    .assert_invalid("identity_document");
}

#[tokio::test]
async fn an_organisations_list_pages_newest_first() {
    let m = Ms::start().await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let r = m.create(nif(NIF, "LOW")).await;
        ids.push(r.json()["id"].as_str().unwrap().to_owned());
    }
    // Another organisation's identification never shows in this list.
    let other = m.create_in(KEY_B, ORG_B, nif(NIF, "LOW")).await;
    assert_eq!(other.status, StatusCode::OK);
    ids.reverse();
    let page_ids = |r: &Reply| -> Vec<String> {
        r.json()["identifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = m.list("?limit=2").await;
    assert_eq!(page_ids(&first), ids[..2]);
    assert_eq!(
        first.json()["pagination"],
        json!({"limit": 2, "offset": 0, "total": 5})
    );
    let second = m.list("?limit=2&offset=2").await;
    assert_eq!(page_ids(&second), ids[2..4]);
    let last = m.list("?limit=2&offset=4").await;
    assert_eq!(page_ids(&last), ids[4..]);
    let beyond = m.list("?offset=10").await;
    assert_eq!(
        (
            page_ids(&beyond).len(),
            &beyond.json()["pagination"]["total"]
        ),
        (0, &json!(5))
    );
    m.list("?limit=0").await.assert_invalid("limit");
    m.list("?limit=101").await.assert_invalid("limit");
    m.list("?limit=ten").await.assert_invalid("limit");
    m.list("?offset=-1").await.assert_invalid("offset");
}

#[tokio::test]
async fn closing_answers_204_then_409() {
    let m = Ms::start().await;
    let c = m.create(nif(NIF, "LOW")).await;
    let id = c.json()["id"].as_str().unwrap().to_owned();
    m.close(KEY_A, ORG_A, &id)
        .await
        .assert_bare(StatusCode::NO_CONTENT);
    let got = m.get(KEY_A, ORG_A, &id).await;
    assert_eq!(got.json()["status"], "CLOSED");
    assert!(
        (0..5).contains(&seconds_between(
            &got.json()["created_at"],
            &got.json()["closed_at"]
        )),
        "{}",
        got.json()
    );
    // Everything but status and closed_at is as created.
    let mut before = c.json().clone();
    before["status"] = got.json()["status"].clone();
    before["closed_at"] = got.json()["closed_at"].clone();
    assert_eq!(got.json(), &before);
    m.close(KEY_A, ORG_A, &id)
        .await
        .assert_bare(StatusCode::CONFLICT);
    assert_eq!(
        m.get(KEY_A, ORG_A, &id).await.json()["closed_at"],
        got.json()["closed_at"],
        "a refused close changes nothing"
    );
    let unknown = uuid::Uuid::now_v7().to_string();
    m.close(KEY_A, ORG_A, &unknown)
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    m.get(KEY_A, ORG_A, &unknown)
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    m.close(KEY_A, ORG_A, "not-a-uuid")
        .await
        .assert_invalid("admin_identification_id");
    m.get(KEY_A, ORG_A, "not-a-uuid")
        .await
        .assert_invalid("identification_id");
}

#[tokio::test]
async fn identifications_expire_without_a_background_job() {
    let m = Ms::start().await;
    let c = m
        .create(json!({
            "identity_document": {"document_number": NIF, "document_type": "NIF"},
            "expires_in": "PT1S"
        }))
        .await;
    assert_eq!(c.json()["status"], "OPEN");
    let validity = seconds_between(&c.json()["created_at"], &c.json()["expires_at"]);
    assert!(
        (0..=1).contains(&validity),
        "one second, less the milliseconds between accepting and storing: {validity}"
    );
    let id = c.json()["id"].as_str().unwrap().to_owned();
    // Poll the state with a deadline: reads turn EXPIRED once expires_at has passed.
    let deadline = Instant::now() + Duration::from_secs(10);
    let expired = loop {
        let got = m.get(KEY_A, ORG_A, &id).await;
        if got.json()["status"] == "EXPIRED" {
            break got;
        }
        assert_eq!(got.json()["status"], "OPEN");
        assert!(Instant::now() < deadline, "never expired: {}", got.json());
        tokio::task::yield_now().await;
    };
    assert_eq!(expired.json()["closed_at"], Value::Null);
    m.close(KEY_A, ORG_A, &id)
        .await
        .assert_bare(StatusCode::CONFLICT);
    let list = m.list("").await;
    assert_eq!(list.json()["identifications"][0]["status"], "EXPIRED");
}

#[tokio::test]
async fn every_field_is_validated_and_named() {
    let m = Ms::start().await;
    let doc = json!({"document_number": NIF, "document_type": "NIF"});
    let with = |extra: Value| {
        let mut body = json!({"identity_document": doc.clone()});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (json!({}), "identity_document"),
        (json!({"name": "James"}), "identity_document"),
        (
            json!({"identity_document": {"document_type": "NIF"}}),
            "identity_document.document_number",
        ),
        (
            json!({"identity_document": {"document_number": " ", "document_type": "NIF"}}),
            "identity_document.document_number",
        ),
        (
            json!({"identity_document": {"document_number": "12/34", "document_type": "NIF"}}),
            "identity_document.document_number",
        ),
        (
            json!({"identity_document": {"document_number": "1".repeat(65), "document_type": "PASSPORT"}}),
            "identity_document.document_number",
        ),
        (
            json!({"identity_document": {"document_number": 12345678, "document_type": "NIF"}}),
            "identity_document.document_number",
        ),
        (
            json!({"identity_document": {"document_number": NIF}}),
            "identity_document.document_type",
        ),
        (
            json!({"identity_document": {"document_number": NIF, "document_type": "DNI"}}),
            "identity_document.document_type",
        ),
        (
            json!({"identity_document": {"document_number": NIF, "document_type": "NIF", "country": "ESP"}}),
            "identity_document.country",
        ),
        (
            json!({"identity_document": {"document_number": NIF, "document_type": "NIF", "country": "XX"}}),
            "identity_document.country",
        ),
        (
            json!({"identity_document": {"document_number": NIF, "document_type": "NIF", "country": "FR"}}),
            "identity_document.country",
        ),
        (
            json!({"identity_document": {"document_number": NIF, "document_type": "NIF", "issuer": "x"}}),
            "identity_document.issuer",
        ),
        (
            json!({"actor": {"identity_document": {"document_number": NIF, "document_type": "VISA"}}}),
            "actor.identity_document.document_type",
        ),
        (with(json!({"name": ""})), "name"),
        (with(json!({"name": 7})), "name"),
        (with(json!({"last_name": "x".repeat(101)})), "last_name"),
        (with(json!({"actor": {"name": "B"}, "name": "A"})), "name"),
        (with(json!({"actor": {"email": "nobody"}})), "actor.email"),
        (
            with(json!({"actor": {"msisdn": {"phone_number": "612345678", "country_code": "34"}}})),
            "actor.msisdn.phone_number",
        ),
        (
            with(json!({"actor": {"msisdn": {"phone_number": 12, "country_code": "34"}}})),
            "actor.msisdn.phone_number",
        ),
        (
            with(
                json!({"actor": {"msisdn": {"phone_number": 612345678, "country_code": "spain"}}}),
            ),
            "actor.msisdn.country_code",
        ),
        (
            with(json!({"actor": {"msisdn": {"phone_number": 612345678}}})),
            "actor.msisdn.country_code",
        ),
        (
            with(json!({"actor": {"language": "Spanish"}})),
            "actor.language",
        ),
        (with(json!({"actor": {"user_id": "u1"}})), "actor.user_id"),
        (
            with(json!({"configuration_name": "low"})),
            "configuration_name",
        ),
        (
            with(json!({"configuration_name": "ULTRA"})),
            "configuration_name",
        ),
        (with(json!({"expires_in": "7 days"})), "expires_in"),
        (with(json!({"expires_in": "P31D"})), "expires_in"),
        (with(json!({"expires_in": "PT720H1S"})), "expires_in"),
        (with(json!({"expires_in": "PT0S"})), "expires_in"),
        (with(json!({"expires_in": "P1M"})), "expires_in"),
        (with(json!({"expires_in": 3600})), "expires_in"),
        (
            with(json!({"scoring": {"provider": "GOOGLE"}})),
            "scoring.provider",
        ),
        (with(json!({"scoring": "INTERNAL"})), "scoring"),
        (with(json!({"expire_in": "P1D"})), "expire_in"),
    ];
    for (body, field) in cases {
        let r = m.create(body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {:?}", r.body);
        let e = &r.json()["errors"][0];
        assert_eq!(e["field"], field, "{body}: {e}");
        assert_eq!(e["code"], "INVALID_FIELD", "{body}");
    }
    // The limits themselves are accepted.
    for body in [
        with(json!({"expires_in": "P30D"})),
        with(json!({"expires_in": "PT720H"})),
        with(json!({"expires_in": "PT1S"})),
        with(json!({"name": null, "scoring": {}})),
    ] {
        let r = m.create(body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{body}: {:?}", r.body);
    }
    // Malformed JSON names no field.
    let res = m
        .server
        .client
        .post(m.server.url(&format!(
            "/v1/orgs/{ORG_A}/identifications/identity_document"
        )))
        .header("authorization", format!("Bearer {KEY_A}"))
        .header("content-type", "application/json")
        .body(r#"{"identity_document": {"document_number": "1", "document_type": "NIF"},}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let v: Value = res.json().await.unwrap();
    m.contract.check("POST", COLLECTION, 400, &v);
    assert_eq!(v["errors"][0]["code"], "BAD_REQUEST");
    assert!(v["errors"][0].get("field").is_none(), "{v}");
    assert_eq!(
        m.list("").await.json()["pagination"]["total"],
        4,
        "refused requests store nothing"
    );
}

#[tokio::test]
async fn internal_scoring_checks_the_number() {
    let m = Ms::start().await;
    let score = |r: &Reply| {
        let s = &r.json()["scoring"];
        (
            s["score"].as_u64().unwrap(),
            s["result"].as_str().unwrap().to_owned(),
            check(s, "DOCUMENT_NUMBER")["outcome"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    };
    let cases = [
        ("NIF", NIF, Some("ES"), 25, "PASSED"),
        ("NIF", "12345678A", Some("ES"), 0, "FAILED"),
        ("NIF", "1234567Z", None, 0, "FAILED"),
        ("NIE", "X1234567L", None, 25, "PASSED"),
        ("NIE", "Y1234567X", Some("ES"), 25, "PASSED"),
        ("NIE", "X1234567A", None, 0, "FAILED"),
        ("PASSPORT", "PAA123456", Some("ES"), 25, "PASSED"),
        ("PASSPORT", "132123123", Some("ES"), 0, "FAILED"),
        ("PASSPORT", "132123123", Some("AE"), 25, "PASSED"),
        ("PASSPORT", "12345", None, 0, "FAILED"),
    ];
    for (t, number, country, want_score, want) in cases {
        let mut doc = json!({"document_number": number, "document_type": t});
        if let Some(c) = country {
            doc["country"] = json!(c);
        }
        let r = m
            .create(json!({"identity_document": doc, "configuration_name": "LOW"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{t} {number}");
        assert_eq!(
            score(&r),
            (want_score, want.to_owned(), want.to_owned()),
            "{t} {number} {country:?}"
        );
        let required: Vec<&str> = r.json()["scoring"]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["required"] == true)
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            required,
            ["DOCUMENT_NUMBER"],
            "LOW requires the number only"
        );
    }
    // EXTERNAL: clearly not executed, no score.
    let ext = m
        .create(json!({
            "identity_document": {"document_number": NIF, "document_type": "NIF"},
            "scoring": {"provider": "EXTERNAL"}
        }))
        .await;
    assert_eq!(ext.status, StatusCode::OK);
    let s = &ext.json()["scoring"];
    assert_eq!(
        (
            &s["provider"],
            &s["status"],
            &s["score"],
            &s["result"],
            &s["checks"]
        ),
        (
            &json!("EXTERNAL"),
            &json!("NOT_EXECUTED"),
            &Value::Null,
            &Value::Null,
            &json!([])
        )
    );
    assert!(
        s["reason"]
            .as_str()
            .unwrap()
            .contains("no external scoring provider")
    );
}

#[tokio::test]
async fn documents_stored_through_ncore_are_the_evidence() {
    let m = Ms::start().await;
    // A DNI with an image, stored through nCore for a user whose id is a UUID.
    let with_image = uuid::Uuid::new_v4().to_string();
    let dni = m
        .ncore_identification(
            &with_image,
            json!({"type": "NATIONAL_ID", "number": NIF, "issuing_country": "ESP", "expiration_date": "2031-01-01"}),
        )
        .await;
    m.ncore_image(&with_image, &dni, "NATIONAL_ID_FRONT").await;
    let r = m.create(nif(NIF, "HIGH")).await;
    let c = r.json();
    assert_eq!(c["actor"]["subject_id"], with_image.as_str());
    assert_eq!(
        c["actor"]["identity_document"]["document_id"],
        dni.as_str(),
        "the stored document is reused, not copied"
    );
    assert_eq!(
        (&c["scoring"]["score"], &c["scoring"]["result"]),
        (&json!(100), &json!("PASSED"))
    );
    assert!(outcomes(&c["scoring"]).iter().all(|(_, o)| o == "PASSED"));
    assert_eq!(
        m.ncore_list(&with_image).await["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A passport on file without images or an expiry date: its validity cannot be checked,
    // so only LOW passes.
    let no_image = uuid::Uuid::new_v4().to_string();
    m.ncore_identification(
        &no_image,
        json!({"type": "PASSPORT", "number": "PAA123456", "issuing_country": "ESP"}),
    )
    .await;
    let passport = |config: &str| {
        json!({
            "identity_document": {"document_number": "paa 123456", "document_type": "PASSPORT", "country": "ES"},
            "configuration_name": config
        })
    };
    let high = m.create(passport("HIGH")).await;
    let s = &high.json()["scoring"];
    assert_eq!(high.json()["actor"]["subject_id"], no_image.as_str());
    assert_eq!(
        outcomes(s),
        [
            ("DOCUMENT_NUMBER".into(), "PASSED".into()),
            ("DOCUMENT_ON_FILE".into(), "PASSED".into()),
            ("DOCUMENT_UNEXPIRED".into(), "NOT_EXECUTED".into()),
            ("DOCUMENT_IMAGES".into(), "FAILED".into()),
        ]
    );
    assert_eq!((&s["score"], &s["result"]), (&json!(50), &json!("FAILED")));
    assert_eq!(
        check(s, "DOCUMENT_UNEXPIRED")["detail"],
        "no expiry date on file: validity cannot be checked"
    );
    let medium = m.create(passport("MEDIUM")).await;
    let s = &medium.json()["scoring"];
    assert_eq!(
        s["result"], "FAILED",
        "an undated document is not unexpired"
    );
    assert_eq!(check(s, "DOCUMENT_UNEXPIRED")["required"], true);
    assert_eq!(check(s, "DOCUMENT_IMAGES")["required"], false);
    assert_eq!(
        m.create(passport("LOW")).await.json()["scoring"]["result"],
        "PASSED"
    );

    // An expired document on file fails MEDIUM.
    let expired = uuid::Uuid::new_v4().to_string();
    m.ncore_identification(
        &expired,
        json!({"type": "NATIONAL_ID", "number": "X1234567L", "expiration_date": "2020-01-01"}),
    )
    .await;
    let r = m
        .create(json!({
            "identity_document": {"document_number": "X1234567L", "document_type": "NIE"},
            "configuration_name": "MEDIUM"
        }))
        .await;
    let s = &r.json()["scoring"];
    assert_eq!(r.json()["actor"]["subject_id"], expired.as_str());
    assert_eq!(
        (
            &check(s, "DOCUMENT_UNEXPIRED")["outcome"],
            &check(s, "DOCUMENT_UNEXPIRED")["detail"],
            &s["result"],
            &s["score"]
        ),
        (
            &json!("FAILED"),
            &json!("expired on 2020-01-01"),
            &json!("FAILED"),
            &json!(50)
        )
    );
    // A passport of another type family never matches the DNI's number.
    let other_family = m
        .create(json!({"identity_document": {"document_number": NIF, "document_type": "PASSPORT"}}))
        .await;
    assert_ne!(
        other_family.json()["actor"]["subject_id"],
        with_image.as_str()
    );
}

#[tokio::test]
async fn a_declared_document_is_visible_through_ncore_and_proves_nothing_until_it_has_images() {
    let m = Ms::start().await;
    // 87654321 mod 23 is 10: X.
    let number = "87654321X";
    let first = m.create(nif(number, "HIGH")).await;
    let subject = first.json()["actor"]["subject_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let document = first.json()["actor"]["identity_document"]["document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        check(&first.json()["scoring"], "DOCUMENT_ON_FILE")["outcome"],
        "FAILED"
    );
    // The subject's id is an nCore user id; the document is its identification.
    let seen = m.ncore_list(&subject).await;
    let ident = &seen["data"][0];
    assert_eq!(seen["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            ident["id"].as_str(),
            ident["type"].as_str(),
            ident["number"].as_str(),
            ident["issuing_country"].as_str()
        ),
        (
            Some(document.as_str()),
            Some("NATIONAL_ID"),
            Some(number),
            Some("ESP")
        )
    );
    assert_eq!(ident["files"], json!([]));

    // Declaring it again finds the same actor and document, but a declaration is no evidence.
    let again = m.create(nif(number, "MEDIUM")).await;
    assert_eq!(again.json()["actor"]["subject_id"], subject.as_str());
    assert_eq!(
        again.json()["actor"]["identity_document"]["document_id"],
        document.as_str()
    );
    assert_eq!(
        check(&again.json()["scoring"], "DOCUMENT_ON_FILE")["outcome"],
        "FAILED"
    );
    assert_eq!(
        m.ncore_list(&subject).await["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Once an image is on file through nCore, the same document is evidence; its validity
    // is checked once nCore gives it an expiry date.
    m.ncore_image(&subject, &document, "NATIONAL_ID_FRONT")
        .await;
    let third = m.create(nif(number, "HIGH")).await;
    let s = &third.json()["scoring"];
    assert_eq!(check(s, "DOCUMENT_IMAGES")["outcome"], "PASSED");
    assert_eq!(check(s, "DOCUMENT_UNEXPIRED")["outcome"], "NOT_EXECUTED");
    assert_eq!((&s["score"], &s["result"]), (&json!(75), &json!("FAILED")));
    let res = m
        .server
        .client
        .put(
            m.server
                .url(&format!("/v1/users/{subject}/identifications/{document}")),
        )
        .header("apikey", NCORE_KEY_A)
        .json(&json!({"expiration_date": "2031-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let fourth = m.create(nif(number, "HIGH")).await;
    assert_eq!(
        (
            &fourth.json()["scoring"]["score"],
            &fourth.json()["scoring"]["result"]
        ),
        (&json!(100), &json!("PASSED"))
    );
}

#[tokio::test]
async fn keys_and_organisations_are_checked_and_tenants_stay_apart() {
    let m = Ms::start().await;
    let path = format!("/orgs/{ORG_A}/identifications/identity_document");
    let no_key = m
        .send(None, Method::POST, &path, COLLECTION, Some(nif(NIF, "LOW")))
        .await;
    no_key.assert_bare(StatusCode::UNAUTHORIZED);
    assert_eq!(
        no_key.headers["www-authenticate"],
        "Bearer realm=\"masstack\""
    );
    for wrong in ["wrong-key-123", NCORE_KEY_A, crate::common::ADMIN_A] {
        m.send(Some(wrong), Method::GET, &path, COLLECTION, None)
            .await
            .assert_bare(StatusCode::UNAUTHORIZED);
    }
    let basic = m
        .server
        .client
        .get(m.server.url(&format!("/v1{path}")))
        .header("authorization", format!("Basic {KEY_A}"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
    assert!(basic.bytes().await.unwrap().is_empty());

    let mine = m.create(nif(NIF, "LOW")).await;
    let id = mine.json()["id"].as_str().unwrap().to_owned();
    // Another tenant's organisation, and one that exists nowhere, are not found.
    m.create_in(KEY_A, ORG_B, nif(NIF, "LOW"))
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    m.create_in(KEY_A, "org-nowhere", nif(NIF, "LOW"))
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    m.get(KEY_A, ORG_B, &id)
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    // Another tenant's identification id, through its own organisation, is not found.
    m.get(KEY_B, ORG_B, &id)
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    m.close(KEY_B, ORG_B, &id)
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    assert_eq!(m.get(KEY_A, ORG_A, &id).await.json()["status"], "OPEN");
    // The same document number in another tenant is another actor.
    let theirs = m.create_in(KEY_B, ORG_B, nif(NIF, "LOW")).await;
    assert_ne!(
        theirs.json()["actor"]["subject_id"],
        mine.json()["actor"]["subject_id"]
    );
    assert_eq!(
        check(&theirs.json()["scoring"], "DOCUMENT_ON_FILE")["outcome"],
        "FAILED"
    );
}

#[tokio::test]
async fn an_organisation_sees_only_its_own_identifications() {
    let m = Ms::start().await;
    let other = "org-alpha-2";
    let mine = m.create(nif(NIF, "LOW")).await;
    let id = mine.json()["id"].as_str().unwrap().to_owned();
    // The same tenant and key, through its other organisation: not found, not closable,
    // not listed.
    m.get(KEY_A, other, &id)
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    m.close(KEY_A, other, &id)
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    let path = format!("/orgs/{other}/identifications/identity_document");
    let listed = m
        .send(Some(KEY_A), Method::GET, &path, COLLECTION, None)
        .await;
    assert_eq!(listed.json()["identifications"], json!([]));
    assert_eq!(listed.json()["pagination"]["total"], 0);
    assert_eq!(m.get(KEY_A, ORG_A, &id).await.json()["status"], "OPEN");
    // An identification there is listed there only; the actor is the same person.
    let theirs = m.create_in(KEY_A, other, nif(NIF, "LOW")).await;
    assert_eq!(
        theirs.json()["actor"]["subject_id"],
        mine.json()["actor"]["subject_id"]
    );
    let listed = m
        .send(Some(KEY_A), Method::GET, &path, COLLECTION, None)
        .await;
    assert_eq!(
        listed.json()["identifications"][0]["id"],
        theirs.json()["id"]
    );
    assert_eq!(listed.json()["pagination"]["total"], 1);
}

#[tokio::test]
async fn simultaneous_first_identifications_of_one_document_make_one_actor() {
    let m = Ms::start().await;
    let racers = (0..16).map(|_| m.create(nif("87654321X", "LOW")));
    let replies = futures::future::join_all(racers).await;
    let actors: std::collections::HashSet<String> = replies
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            r.json()["actor"]["subject_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(actors.len(), 1, "one document, several actors: {actors:?}");
    let documents: std::collections::HashSet<&str> = replies
        .iter()
        .map(|r| {
            r.json()["actor"]["identity_document"]["document_id"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(documents.len(), 1, "the declared document was stored twice");
    let listed = m.list("?limit=50").await;
    assert_eq!(listed.json()["pagination"]["total"], 16);
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_each_vendors_shape() {
    let m = Ms::start().await;
    let res = m
        .server
        .client
        .get(
            m.server
                .url(&format!("/v1/orgs/{ORG_A}/identifications/agent")),
        )
        .header("authorization", format!("Bearer {KEY_A}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let v: Value = res.json().await.unwrap();
    assert_eq!(
        v,
        json!({"errors": [{"code": "NOT_FOUND", "message": "no such resource"}]})
    );
    // nCore's paths under the same /v1 keep nCore's shape.
    let res = m
        .server
        .client
        .get(m.server.url("/v1/users/u1/nothing"))
        .header("apikey", NCORE_KEY_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["code"], "RESOURCE_NOT_EXIST");
    let res = m
        .server
        .client
        .delete(m.server.url(&format!(
            "/v1/orgs/{ORG_A}/identifications/identity_document"
        )))
        .header("authorization", format!("Bearer {KEY_A}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["errors"][0]["code"], "METHOD_NOT_ALLOWED");
    // A body past the JSON limit.
    let limit = m.server.config.server.json_body_limit;
    let huge = format!(r#"{{"name": "{}"}}"#, "x".repeat(limit + 1));
    let res = m
        .server
        .client
        .post(m.server.url(&format!(
            "/v1/orgs/{ORG_A}/identifications/identity_document"
        )))
        .header("authorization", format!("Bearer {KEY_A}"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["errors"][0]["code"], "PAYLOAD_TOO_LARGE");
}

/// Found by schemathesis (its `negative_data_rejection` check, on the admin API): serde reads
/// a struct from a JSON array by position. A body that is not an object is a 400 and creates
/// nothing.
#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let ms = Ms::start().await;
    let document = json!({"document_number": "X1234567L", "document_type": "NIE"});
    let r = ms.create(json!([null, null, document, "LOW"])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{:?}", r.body);
    assert!(r.json()["errors"][0]["message"].as_str().is_some());
    let r = ms.list("").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["pagination"]["total"], 0, "nothing is left behind");
}
