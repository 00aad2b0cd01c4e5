//! The nCore identifications API over HTTP, as a NymCard client uses it. Every JSON body is
//! checked against the nCore OpenAPI document.

mod common;

use common::{ADMIN_A, Contract, TestServer, tenant};
use idbridge::model::{CountryCode, DocumentKind, NewDocument};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KEY_A: &str = "test-api-key-alpha";
const KEY_B: &str = "test-api-key-beta";
const LIST: &str = "/users/{user_id}/identifications";
const ONE: &str = "/users/{user_id}/identifications/{identification_id}";

struct Ncore {
    server: TestServer,
    contract: Contract,
}

impl Ncore {
    async fn start() -> Ncore {
        Ncore {
            server: TestServer::start().await,
            contract: Contract::of("ncore"),
        }
    }

    async fn send(
        &self,
        key: Option<&str>,
        method: Method,
        path: &str,
        template: &str,
        body: Option<Value>,
        idem: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .server
            .client
            .request(method.clone(), self.server.url(&format!("/v1{path}")));
        if let Some(k) = key {
            req = req.header("apikey", k);
        }
        if let Some(i) = idem {
            req = req.header("x-nymos-idempotency-key", i);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let value: Value = res.json().await.unwrap();
        self.contract
            .check(method.as_str(), template, status.as_u16(), &value);
        (status, value)
    }

    async fn create(&self, user: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            Some(KEY_A),
            Method::POST,
            &format!("/users/{user}/identifications"),
            LIST,
            Some(body),
            None,
        )
        .await
    }

    async fn list(&self, user: &str, query: &str) -> (StatusCode, Value) {
        self.send(
            Some(KEY_A),
            Method::GET,
            &format!("/users/{user}/identifications{query}"),
            LIST,
            None,
            None,
        )
        .await
    }
}

fn passport() -> Value {
    json!({ "type": "PASSPORT", "number": "132123123", "expiration_date": "2021-09-20T10:10:40.182Z" })
}

#[tokio::test]
async fn the_seed_example_is_created_and_read_back() {
    let n = Ncore::start().await;
    let (status, created) = n.create("user-1", passport()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (created["type"].as_str(), created["number"].as_str()),
        (Some("PASSPORT"), Some("132123123"))
    );
    assert_eq!(
        created["expiration_date"], "2021-09-20T10:10:40.182Z",
        "expiry comes back as sent"
    );
    assert_eq!(created["user_id"], "user-1");
    let id = created["id"].as_str().unwrap();
    let (status, got) = n
        .send(
            Some(KEY_A),
            Method::GET,
            &format!("/users/user-1/identifications/{id}"),
            ONE,
            None,
            None,
        )
        .await;
    assert_eq!((status, &got), (StatusCode::OK, &created));
    let (_, list) = n.list("user-1", "").await;
    assert_eq!(list["data"], json!([created]));
    assert_eq!(
        list["paging"],
        json!({"limit": 20, "after": null, "has_more": false})
    );
}

#[tokio::test]
async fn unknown_fields_survive_a_round_trip() {
    let n = Ncore::start().await;
    let (_, created) = n.create("u", json!({"type": "VISA", "number": "V1", "visa_category": "RESIDENCE", "sponsor": {"id": 7}})).await;
    assert_eq!(created["visa_category"], "RESIDENCE");
    assert_eq!(created["sponsor"], json!({"id": 7}));
    let id = created["id"].as_str().unwrap();
    let (_, updated) = n
        .send(
            Some(KEY_A),
            Method::PUT,
            &format!("/users/u/identifications/{id}"),
            ONE,
            Some(json!({"sponsor": {"id": 8}})),
            None,
        )
        .await;
    assert_eq!(
        (updated["visa_category"].as_str(), &updated["sponsor"]),
        (Some("RESIDENCE"), &json!({"id": 8}))
    );
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    let n = Ncore::start().await;
    let path = "/users/u/identifications";
    let (s1, first) = n
        .send(
            Some(KEY_A),
            Method::POST,
            path,
            LIST,
            Some(passport()),
            Some("key-1"),
        )
        .await;
    let (s2, again) = n
        .send(
            Some(KEY_A),
            Method::POST,
            path,
            LIST,
            Some(passport()),
            Some("key-1"),
        )
        .await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(first, again);
    let (status, err) = n
        .send(
            Some(KEY_A),
            Method::POST,
            path,
            LIST,
            Some(json!({"type": "VISA", "number": "2"})),
            Some("key-1"),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("DUPLICATE_REQUEST"))
    );
    assert_eq!(
        n.list("u", "").await.1["data"].as_array().unwrap().len(),
        1,
        "a retry created a second identification"
    );
    // A failed request does not hold its key: the corrected request goes through.
    let (status, _) = n
        .send(
            Some(KEY_A),
            Method::POST,
            path,
            LIST,
            Some(json!({"type": "VISA"})),
            Some("key-2"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = n
        .send(
            Some(KEY_A),
            Method::POST,
            path,
            LIST,
            Some(json!({"type": "VISA", "number": "V"})),
            Some("key-2"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn racing_retries_create_one_identification() {
    let n = Ncore::start().await;
    let url = n.server.url("/v1/users/u/identifications");
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let req = n
                .server
                .client
                .post(&url)
                .header("apikey", KEY_A)
                .header("x-nymos-idempotency-key", "race")
                .json(&passport());
            tokio::spawn(async move {
                let res = req.send().await.unwrap();
                (res.status(), res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => {
                ids.insert(body["id"].as_str().unwrap().to_owned());
            }
            StatusCode::CONFLICT => assert_eq!(body["code"], "DUPLICATE_REQUEST"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(
        ids.len(),
        1,
        "different identifications for one key: {ids:?}"
    );
    assert_eq!(n.list("u", "").await.1["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn lists_page_newest_first_with_a_cursor() {
    let n = Ncore::start().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            n.create(
                "u",
                json!({"type": "ADDITIONAL", "number": format!("N{i}")}),
            )
            .await
            .1["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    loop {
        let (status, page) = n.list("u", &query).await;
        assert_eq!(status, StatusCode::OK);
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_str().unwrap().to_owned()),
        );
        assert_eq!(
            page["paging"]["has_more"].as_bool().unwrap(),
            page["paging"]["after"].is_string()
        );
        match page["paging"]["after"].as_str() {
            Some(after) => query = format!("?limit=2&after={after}"),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    for (q, field) in [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?after=nope", "after"),
    ] {
        let (status, err) = n.list("u", q).await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{q}"
        );
    }
}

#[tokio::test]
async fn updates_replace_what_is_sent_and_null_clears() {
    let n = Ncore::start().await;
    let (_, created) = n.create("u", passport()).await;
    let path = format!(
        "/users/u/identifications/{}",
        created["id"].as_str().unwrap()
    );
    let put = |body: Value| n.send(Some(KEY_A), Method::PUT, &path, ONE, Some(body), None);
    let (status, u) =
        put(json!({"type": "NATIONAL_ID", "issuance_authority": "ICA", "issuing_country": "are"}))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (u["type"].as_str(), u["number"].as_str()),
        (Some("NATIONAL_ID"), Some("132123123")),
        "absent fields stay"
    );
    assert_eq!(
        (
            u["issuance_authority"].as_str(),
            u["issuing_country"].as_str()
        ),
        (Some("ICA"), Some("ARE"))
    );
    let (_, u) = put(json!({"expiration_date": null})).await;
    assert!(u["expiration_date"].is_null());
    let (_, u) = put(json!({"expiration_date": "2030-12-31"})).await;
    assert_eq!(u["expiration_date"], "2030-12-31");
    for (body, field) in [
        (json!({"number": "  "}), "number"),
        (json!({"expiration_date": "31/12/2030"}), "expiration_date"),
        (json!({"issuing_country": "AE"}), "issuing_country"),
    ] {
        let (status, err) = put(body.clone()).await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{body}"
        );
    }
}

#[tokio::test]
async fn bad_input_answers_in_the_ncore_error_shape() {
    let n = Ncore::start().await;
    for (body, field) in [
        (json!({"type": "PASSPORT", "number": ""}), Some("number")),
        (
            json!({"type": "PASSPORT", "number": "1", "expiration_date": "tomorrow"}),
            Some("expiration_date"),
        ),
        (json!({"type": "PASPORT", "number": "1"}), None),
        (json!({"number": "1"}), None),
    ] {
        let (status, err) = n.create("u", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(err["status"], 400);
        assert_eq!(err["field"].as_str(), field, "{body}");
    }
    let res = n
        .server
        .client
        .post(n.server.url("/v1/users/u/identifications"))
        .header("apikey", KEY_A)
        .body("{ \"type\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "BAD_REQUEST");
    let huge = json!({"type": "ADDITIONAL", "number": "1", "note": "x".repeat(n.server.config.server.json_body_limit)});
    let (status, err) = n.create("u", huge).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("PAYLOAD_TOO_LARGE"))
    );
    let (status, _) = n
        .send(
            Some(KEY_A),
            Method::GET,
            "/users/u/identifications/not-a-uuid",
            ONE,
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let res = n
        .server
        .client
        .get(
            n.server
                .url("/v1/users/u/identifications/00000000-0000-0000-0000-000000000000/files"),
        )
        .header("apikey", KEY_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "RESOURCE_NOT_EXIST"
    );
    // Refused requests stored nothing, not even the user.
    let (status, err) = n.list("u", "").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("RESOURCE_NOT_EXIST"))
    );
}

#[tokio::test]
async fn keys_and_tenants_are_kept_apart() {
    let n = Ncore::start().await;
    let (_, created) = n.create("u", passport()).await;
    let one = format!(
        "/users/u/identifications/{}",
        created["id"].as_str().unwrap()
    );
    for key in [None, Some("wrong-key-123"), Some(ADMIN_A)] {
        let (status, err) = n.send(key, Method::GET, &one, ONE, None, None).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("UNAUTHORIZED")),
            "{key:?}"
        );
    }
    let (status, err) = n
        .send(Some(KEY_B), Method::GET, &one, ONE, None, None)
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("RESOURCE_NOT_EXIST"))
    );
    assert!(!err.to_string().contains("132123123"));
    let (status, _) = n
        .send(
            Some(KEY_B),
            Method::PUT,
            &one,
            ONE,
            Some(json!({"number": "stolen"})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another user of the same tenant does not see it either.
    n.create("v", json!({"type": "VISA", "number": "9"})).await;
    let other = format!(
        "/users/v/identifications/{}",
        created["id"].as_str().unwrap()
    );
    let (status, _) = n
        .send(Some(KEY_A), Method::GET, &other, ONE, None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, mine) = n
        .send(Some(KEY_A), Method::GET, &one, ONE, None, None)
        .await;
    assert_eq!(
        mine["number"], "132123123",
        "beta changed alpha's identification"
    );
}

#[tokio::test]
async fn documents_stored_elsewhere_appear_with_ncore_types() {
    let n = Ncore::start().await;
    let (status, subject) = {
        let res = n
            .server
            .client
            .post(n.server.url("/admin/v1/subjects"))
            .bearer_auth(ADMIN_A)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        (res.status(), res.json::<Value>().await.unwrap())
    };
    assert_eq!(status, StatusCode::CREATED);
    let id: uuid::Uuid = subject["id"].as_str().unwrap().parse().unwrap();
    let store = &n.server.store;
    let t = tenant("alpha");
    let licence = NewDocument {
        kind: Some(DocumentKind::DrivingLicence),
        number: Some("DL-1".into()),
        ..Default::default()
    };
    store
        .create_document(&t, id, licence.validate().unwrap())
        .await
        .unwrap();
    let card = NewDocument {
        kind: Some(DocumentKind::IdCard),
        number: Some("784-1".into()),
        issuing_country: Some(CountryCode::new("ARE").unwrap()),
        expires_on: chrono::NaiveDate::from_ymd_opt(2029, 3, 4),
        ..Default::default()
    };
    store
        .create_document(&t, id, card.validate().unwrap())
        .await
        .unwrap();
    // The subject's UUID works as an nCore user_id.
    let (status, list) = n.list(&id.to_string(), "").await;
    assert_eq!(status, StatusCode::OK);
    let data = list["data"].as_array().unwrap();
    assert_eq!(
        (data[0]["type"].as_str(), data[0]["number"].as_str()),
        (Some("NATIONAL_ID"), Some("784-1"))
    );
    assert_eq!(
        (
            data[0]["expiration_date"].as_str(),
            data[0]["issuing_country"].as_str()
        ),
        (Some("2029-03-04T00:00:00.000Z"), Some("ARE"))
    );
    assert_eq!(
        data[1]["type"], "ADDITIONAL",
        "a kind nCore has no type for reads as ADDITIONAL"
    );
    // And what nCore writes shows up for the subject everywhere.
    n.create(&id.to_string(), passport()).await;
    let docs = store.list_documents(&t, id).await.unwrap();
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[2].kind, DocumentKind::Passport);
    assert_eq!(
        docs[2].expires_on,
        chrono::NaiveDate::from_ymd_opt(2021, 9, 20)
    );
}
