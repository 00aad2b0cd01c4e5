//! nCore users over HTTP, as NymCard's onboarding does it: the user first, then its
//! identifications under the user's id. Every JSON body is checked against the nCore
//! OpenAPI document.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{KEY_A, KEY_B, LIST, Ncore, passport};
use crate::common::{ADMIN_A, tenant};

const USERS: &str = "/users";
const USER: &str = "/users/{user_id}";

/// NymCard's own sample body ("Necessary parameters per user type"), its commented-out
/// parent fields left out as the sample does.
fn sara() -> Value {
    json!({
        "title": "MRS", "first_name": "Sara", "middle_name": "Anthony", "last_name": "pass",
        "native_name": "John Smith", "date_of_birth": "1989-11-07", "email": "bob@example.com",
        "mobile": "+551185249635",
        "address": {"address_line1": "Flat 1904", "address_line2": "Glass Tower",
            "city": "New York City", "state": "New York", "postal_code": "12345", "country": "UKR"},
        "gender": "MALE", "preferred_language": "EN", "place_of_birth": "USA", "nationality": "USA",
        "country_residence": "USA", "country_tax_residence": "USA", "employment_type": "SALARIED",
        "employment_title": "string", "monthly_salary": 0, "company_name": "string",
        "company_address": {"address_line1": "Flat 1904", "address_line2": "Glass Tower",
            "city": "New York City", "state": "New York", "postal_code": "12345", "country": "UKR"},
        "company_country": "USA", "industry_type": "I01", "expected_monthly_balance": 0,
        "user_type": "INDIVIDUAL", "phone_number": "+551185249635"
    })
}

impl Ncore {
    async fn create_user(&self, key: &str, body: Value, idem: Option<&str>) -> (StatusCode, Value) {
        self.send(Some(key), Method::POST, "/users", USERS, Some(body), idem)
            .await
    }

    async fn get_user(&self, key: &str, id: &str) -> (StatusCode, Value) {
        self.send(
            Some(key),
            Method::GET,
            &format!("/users/{id}"),
            USER,
            None,
            None,
        )
        .await
    }

    async fn put_user(&self, key: &str, id: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            Some(key),
            Method::PUT,
            &format!("/users/{id}"),
            USER,
            Some(body),
            None,
        )
        .await
    }

    /// A user that must be created; its id.
    async fn user(&self, body: Value) -> String {
        let (status, user) = self.create_user(KEY_A, body, None).await;
        assert_eq!(status, StatusCode::OK, "{user}");
        user["id"].as_str().unwrap().to_owned()
    }

    async fn subjects(&self, tenant_id: &str) -> u64 {
        self.server
            .store
            .list_subjects(&tenant(tenant_id), 1, 0)
            .await
            .unwrap()
            .total
    }

    /// A raw JSON text with this `Content-Type` (none when `None`).
    async fn raw(
        &self,
        method: Method,
        path: &str,
        ctype: Option<&str>,
        body: &str,
    ) -> (StatusCode, Value) {
        let mut req = self
            .server
            .client
            .request(method, self.server.url(&format!("/v1{path}")))
            .header("apikey", KEY_A)
            .body(body.to_owned());
        if let Some(c) = ctype {
            req = req.header("content-type", c);
        }
        let res = req.send().await.unwrap();
        (res.status(), res.json().await.unwrap())
    }
}

fn code(reply: &(StatusCode, Value)) -> (StatusCode, Option<&str>, Option<&str>) {
    (reply.0, reply.1["code"].as_str(), reply.1["field"].as_str())
}

#[tokio::test]
async fn the_documented_sample_creates_a_user_that_reads_back_and_updates() {
    let n = Ncore::start().await;
    let (status, created) = n.create_user(KEY_A, sara(), None).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let id = created["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());
    let mut expected = sara();
    for (k, v) in [
        ("id", json!(id)),
        ("status", json!("PENDINGKYC")),
        ("relationship_with_parent", Value::Null),
        ("parent_user_id", Value::Null),
    ] {
        expected[k] = v;
    }
    expected["created_at"] = created["created_at"].clone();
    expected["updated_at"] = created["created_at"].clone();
    assert_eq!(created, expected, "every sample field comes back as sent");
    assert!(created["created_at"].as_str().unwrap().ends_with('Z'));
    let (status, got) = n.get_user(KEY_A, id).await;
    assert_eq!((status, &got), (StatusCode::OK, &created));

    let (status, updated) = n
        .put_user(
            KEY_A,
            id,
            json!({"last_name": "Smith", "middle_name": null,
            "address": {"address_line1": "Villa 7", "city": "Dubai", "country": "are"},
            "loyalty": {"tier": 2}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(
        (
            updated["last_name"].as_str(),
            &updated["middle_name"],
            updated["first_name"].as_str()
        ),
        (Some("Smith"), &Value::Null, Some("Sara"))
    );
    assert_eq!(
        updated["address"],
        json!({"address_line1": "Villa 7", "address_line2": null, "city": "Dubai",
            "state": null, "postal_code": null, "country": "ARE"}),
        "an address is replaced whole, its country in capitals"
    );
    assert_eq!(
        updated["loyalty"],
        json!({"tier": 2}),
        "other fields are kept"
    );
    assert_eq!(updated["created_at"], created["created_at"]);
    assert_eq!(n.get_user(KEY_A, id).await.1, updated);
}

#[tokio::test]
async fn a_user_is_the_subject_its_identifications_and_the_admin_api_see() {
    let n = Ncore::start().await;
    let before = n.subjects("alpha").await;
    let id = n.user(sara()).await;
    assert_eq!(
        n.subjects("alpha").await,
        before + 1,
        "one subject per user"
    );
    let (status, ident) = n.create(&id, passport()).await;
    assert_eq!(
        (status, ident["user_id"].as_str()),
        (StatusCode::OK, Some(id.as_str()))
    );
    let (_, list) = n.list(&id, "").await;
    assert_eq!(list["data"], json!([ident]));
    assert_eq!(
        n.subjects("alpha").await,
        before + 1,
        "the identification found the user"
    );

    let res = n
        .server
        .client
        .get(n.server.url(&format!("/admin/v1/subjects/{id}")))
        .bearer_auth(ADMIN_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let subject: Value = res.json().await.unwrap();
    assert_eq!(subject["id"], json!(id));
    assert_eq!(subject["documents"][0]["id"], ident["id"]);
    assert_eq!(
        (
            subject["documents"][0]["kind"].as_str(),
            subject["documents"][0]["number"].as_str()
        ),
        (Some("passport"), Some("132123123"))
    );

    // Write on first use is unchanged: an unknown user id gets a subject with its
    // identification, but no user record (nothing says what type or status it has).
    let (status, _) = n.create("legacy-user", passport()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        code(&n.get_user(KEY_A, "legacy-user").await),
        (StatusCode::NOT_FOUND, Some("RESOURCE_NOT_EXIST"), None)
    );
    // So is a subject made through the admin API: its id works for identifications only.
    let made: Value = n
        .server
        .client
        .post(n.server.url("/admin/v1/subjects"))
        .bearer_auth(ADMIN_A)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other = made["id"].as_str().unwrap();
    assert_eq!(n.get_user(KEY_A, other).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        n.put_user(KEY_A, other, json!({"first_name": "X"})).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(n.create(other, passport()).await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_user() {
    let n = Ncore::start().await;
    let (s1, first) = n.create_user(KEY_A, sara(), Some("user-key")).await;
    let (s2, again) = n.create_user(KEY_A, sara(), Some("user-key")).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(first, again);
    assert_eq!(
        n.subjects("alpha").await,
        1,
        "a retry created a second user"
    );
    let mut other = sara();
    other["first_name"] = json!("Someone");
    let refused = n.create_user(KEY_A, other, Some("user-key")).await;
    assert_eq!(
        code(&refused),
        (
            StatusCode::CONFLICT,
            Some("DUPLICATE_REQUEST"),
            Some("x-nymos-idempotency-key")
        )
    );
    // One key for an identification, then for a user: another request.
    let (status, _) = n
        .send(
            Some(KEY_A),
            Method::POST,
            "/users/u/identifications",
            LIST,
            Some(passport()),
            Some("shared"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        n.create_user(KEY_A, sara(), Some("shared")).await.0,
        StatusCode::CONFLICT
    );
    // A refused create does not hold its key; keys are per tenant.
    let bad = n
        .create_user(KEY_A, json!({"user_type": "INDIVIDUAL"}), Some("retry"))
        .await;
    assert_eq!(
        code(&bad),
        (
            StatusCode::BAD_REQUEST,
            Some("VALIDATION_ERROR"),
            Some("first_name")
        )
    );
    assert_eq!(
        n.create_user(KEY_A, sara(), Some("retry")).await.0,
        StatusCode::OK
    );
    let (status, beta) = n.create_user(KEY_B, sara(), Some("user-key")).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(beta["id"], first["id"]);
}

#[tokio::test]
async fn racing_retries_create_one_user() {
    let n = Ncore::start().await;
    let url = n.server.url("/v1/users");
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let req = n
                .server
                .client
                .post(&url)
                .header("apikey", KEY_A)
                .header("x-nymos-idempotency-key", "race")
                .json(&sara());
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
    assert_eq!(ids.len(), 1, "different users for one key: {ids:?}");
    assert_eq!(n.subjects("alpha").await, 1);
}

#[tokio::test]
async fn each_bad_field_is_named_and_nothing_is_stored() {
    let n = Ncore::start().await;
    let with = |k: &str, v: Value| {
        let mut b = sara();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("user_type", json!("PERSON")), "user_type"),
        (json!({"first_name": "Sara"}), "user_type"),
        (with("first_name", json!("")), "first_name"),
        (with("date_of_birth", json!("07/11/1989")), "date_of_birth"),
        (with("date_of_birth", json!("2999-01-01")), "date_of_birth"),
        (with("email", json!("bob")), "email"),
        (with("mobile", json!("call me")), "mobile"),
        (with("nationality", json!("US")), "nationality"),
        (
            with("preferred_language", json!("English")),
            "preferred_language",
        ),
        (with("gender", json!(1)), "gender"),
        (with("monthly_salary", json!(-5)), "monthly_salary"),
        (with("address", json!({"country": "UK"})), "address.country"),
        (
            with("company_address", json!({"street": "x"})),
            "company_address.street",
        ),
        (with("status", json!("ACTIVE")), "status"),
        (
            with("id", json!("95e7ffbe-0d8a-4c8d-ab84-4476c16a1494")),
            "id",
        ),
        (
            with(
                "parent_user_id",
                json!("95e7ffbe-0d8a-4c8d-ab84-4476c16a1494"),
            ),
            "parent_user_id",
        ),
        (
            json!({"user_type": "BUSINESS", "last_name": "x"}),
            "company_name",
        ),
    ] {
        let reply = n.create_user(KEY_A, body.clone(), None).await;
        assert_eq!(
            code(&reply),
            (
                StatusCode::BAD_REQUEST,
                Some("VALIDATION_ERROR"),
                Some(field)
            ),
            "{body}"
        );
        assert_eq!(reply.1["status"], 400);
        assert!(
            reply.1["message"].as_str().unwrap().starts_with(field),
            "{}",
            reply.1
        );
    }
    for (text, what) in [
        ("[1, 2]", "an array"),
        ("{\"user_type\": ", "cut short"),
        ("", "empty"),
    ] {
        let reply = n
            .raw(Method::POST, "/users", Some("application/json"), text)
            .await;
        assert_eq!(
            code(&reply),
            (StatusCode::BAD_REQUEST, Some("BAD_REQUEST"), None),
            "{what}"
        );
    }
    let huge = with(
        "note",
        json!("x".repeat(n.server.config.server.json_body_limit)),
    );
    assert_eq!(
        code(&n.create_user(KEY_A, huge, None).await).1,
        Some("PAYLOAD_TOO_LARGE")
    );
    assert_eq!(
        n.subjects("alpha").await,
        0,
        "a refused create stored something"
    );

    // A refused update changes nothing.
    let id = n.user(sara()).await;
    let (_, before) = n.get_user(KEY_A, &id).await;
    for (body, field) in [
        (json!({"last_name": "Changed", "email": "nope"}), "email"),
        (
            json!({"last_name": "Changed", "first_name": null}),
            "first_name",
        ),
        (
            json!({"last_name": "Changed", "user_type": "BUSINESS"}),
            "user_type",
        ),
        (json!({"last_name": "Changed", "id": "another"}), "id"),
        (
            json!({"last_name": "Changed", "parent_user_id": id}),
            "parent_user_id",
        ),
        (
            json!({"last_name": "Changed", "status": "SUSPENDED"}),
            "status",
        ),
    ] {
        let reply = n.put_user(KEY_A, &id, body.clone()).await;
        assert_eq!(
            code(&reply),
            (
                StatusCode::BAD_REQUEST,
                Some("VALIDATION_ERROR"),
                Some(field)
            ),
            "{body}"
        );
    }
    assert_eq!(n.get_user(KEY_A, &id).await.1, before);
    // A user read back whole can be sent back: nothing changes, not even updated_at.
    let (status, same) = n.put_user(KEY_A, &id, before.clone()).await;
    assert_eq!((status, &same), (StatusCode::OK, &before));
}

#[tokio::test]
async fn json_bodies_must_be_labelled_application_json() {
    let n = Ncore::start().await;
    let id = n.user(sara()).await;
    let (_, ident) = n.create(&id, passport()).await;
    let ident_path = format!(
        "/users/{id}/identifications/{}",
        ident["id"].as_str().unwrap()
    );
    let user_path = format!("/users/{id}");
    let ident_list = format!("/users/{id}/identifications");
    let user_body = r#"{"user_type": "INDIVIDUAL", "first_name": "Form"}"#;
    for (method, path, body) in [
        (Method::POST, "/users", user_body),
        (Method::PUT, user_path.as_str(), r#"{"last_name": "Form"}"#),
        (
            Method::POST,
            ident_list.as_str(),
            r#"{"type": "VISA", "number": "V1"}"#,
        ),
        (Method::PUT, ident_path.as_str(), r#"{"number": "FORM"}"#),
    ] {
        for ctype in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("application/xml"),
            None,
        ] {
            let reply = n.raw(method.clone(), path, ctype, body).await;
            assert_eq!(
                code(&reply),
                (
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    Some("UNSUPPORTED_MEDIA_TYPE"),
                    None
                ),
                "{method} {path} as {ctype:?}"
            );
            assert_eq!(reply.1["status"], 415);
        }
    }
    assert_eq!(
        n.subjects("alpha").await,
        1,
        "a refused body created a user"
    );
    assert_eq!(n.get_user(KEY_A, &id).await.1["last_name"], "pass");
    assert_eq!(n.list(&id, "").await.1["data"].as_array().unwrap().len(), 1);
    assert_eq!(n.list(&id, "").await.1["data"][0]["number"], "132123123");
    // Parameters and case do not matter.
    let (status, user) = n
        .raw(
            Method::POST,
            "/users",
            Some("Application/JSON; charset=utf-8"),
            user_body,
        )
        .await;
    assert_eq!(
        (status, user["first_name"].as_str()),
        (StatusCode::OK, Some("Form"))
    );
}

#[tokio::test]
async fn status_moves_only_along_the_allowed_transitions() {
    let n = Ncore::start().await;
    let id = n.user(sara()).await;
    let status_of = |v: &Value| v["status"].as_str().map(str::to_owned);
    for (to, ok) in [
        ("SUSPENDED", false),
        ("ACTIVE", true),
        ("ACTIVE", true),
        ("PENDINGKYC", false),
        ("SUSPENDED", true),
        ("ACTIVE", true),
        ("SUSPENDED", true),
        ("TERMINATED", true),
    ] {
        let before = n.get_user(KEY_A, &id).await.1;
        let reply = n.put_user(KEY_A, &id, json!({"status": to})).await;
        if ok {
            assert_eq!(
                (reply.0, status_of(&reply.1)),
                (StatusCode::OK, Some(to.to_owned())),
                "{before} -> {to}"
            );
        } else {
            assert_eq!(
                code(&reply),
                (
                    StatusCode::BAD_REQUEST,
                    Some("VALIDATION_ERROR"),
                    Some("status")
                ),
                "-> {to}"
            );
            assert!(reply.1["message"].as_str().unwrap().contains(to));
            assert_eq!(n.get_user(KEY_A, &id).await.1, before);
        }
    }
    let (_, gone) = n.get_user(KEY_A, &id).await;
    for body in [
        json!({"status": "ACTIVE"}),
        json!({"first_name": "Back"}),
        json!({"status": "TERMINATED"}),
    ] {
        let reply = n.put_user(KEY_A, &id, body).await;
        assert_eq!(code(&reply), (StatusCode::CONFLICT, Some("CONFLICT"), None));
    }
    assert_eq!(n.get_user(KEY_A, &id).await.1, gone);
    // The status gates accounts and cards at NymCard, not identifications.
    assert_eq!(n.create(&id, passport()).await.0, StatusCode::OK);
}

#[tokio::test]
async fn kyb_sub_users_are_users_of_their_own_before_their_business() {
    let n = Ncore::start().await;
    let mut subs = Vec::new();
    for (t, body) in [
        ("DIRECTOR", json!({"first_name": "Dana"})),
        ("SIGNATURE", json!({"first_name": "Sam"})),
        ("SHAREHOLDER", json!({"first_name": "Sol"})),
        ("SHAREHOLDER_BUSINESS", json!({"company_name": "Holding"})),
    ] {
        let mut b = body;
        b["user_type"] = json!(t);
        let (status, user) = n.create_user(KEY_A, b, None).await;
        assert_eq!(
            (status, user["user_type"].as_str(), user["status"].as_str()),
            (StatusCode::OK, Some(t), Some("PENDINGKYC"))
        );
        let id = user["id"].as_str().unwrap().to_owned();
        let kind = if t == "SHAREHOLDER_BUSINESS" {
            "TRADE_LICENSE"
        } else {
            "PASSPORT"
        };
        let (status, ident) = n
            .create(&id, json!({"type": kind, "number": format!("N-{t}")}))
            .await;
        assert_eq!(
            (status, ident["user_id"].as_str()),
            (StatusCode::OK, Some(id.as_str()))
        );
        subs.push(id);
    }
    // NymCard's field names for the sub-users' ids in the business's request could not be
    // read: whatever the client names them is kept as sent.
    let (status, business) = n
        .create_user(KEY_A, json!({"user_type": "BUSINESS", "company_name": "Test", "directors": [subs[0]], "shareholders": [subs[2], subs[3]]}), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{business}");
    assert_eq!(business["directors"], json!([subs[0]]));
    assert_eq!(business["shareholders"], json!([subs[2], subs[3]]));
    assert_eq!(n.subjects("alpha").await, 5);
    // Each sub-user keeps its own identifications.
    for id in &subs {
        assert_eq!(n.list(id, "").await.1["data"].as_array().unwrap().len(), 1);
    }
    // A parent must be a user of the tenant, and not the user itself.
    let child = json!({"user_type": "INDIVIDUAL", "first_name": "Kid", "parent_user_id": subs[0], "relationship_with_parent": "SON"});
    let (status, kid) = n.create_user(KEY_A, child.clone(), None).await;
    assert_eq!(
        (status, kid["parent_user_id"].as_str()),
        (StatusCode::OK, Some(subs[0].as_str()))
    );
    let (status, _) = n.create("plain-id", passport()).await;
    assert_eq!(status, StatusCode::OK);
    let orphan =
        json!({"user_type": "INDIVIDUAL", "first_name": "Kid", "parent_user_id": "plain-id"});
    assert_eq!(
        code(&n.create_user(KEY_A, orphan, None).await).2,
        Some("parent_user_id"),
        "a subject that is no user"
    );
}

#[tokio::test]
async fn another_tenants_user_is_a_user_that_does_not_exist() {
    let n = Ncore::start().await;
    let id = n.user(sara()).await;
    n.create(&id, passport()).await;
    let missing = uuid::Uuid::now_v7().to_string();
    for target in [id.as_str(), missing.as_str()] {
        let (status, err) = n.get_user(KEY_B, target).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("RESOURCE_NOT_EXIST"))
        );
        assert!(!err.to_string().contains("Sara"));
        let reply = n
            .put_user(
                KEY_B,
                target,
                json!({"first_name": "Stolen", "status": "ACTIVE"}),
            )
            .await;
        assert_eq!(
            code(&reply),
            (StatusCode::NOT_FOUND, Some("RESOURCE_NOT_EXIST"), None)
        );
    }
    // Naming alpha's user as a parent from beta: no such user.
    let reply = n
        .create_user(
            KEY_B,
            json!({"user_type": "INDIVIDUAL", "first_name": "B", "parent_user_id": id}),
            None,
        )
        .await;
    assert_eq!(code(&reply).2, Some("parent_user_id"));
    // Beta writing an identification under alpha's user id makes beta's own subject.
    assert_eq!(
        n.send(
            Some(KEY_B),
            Method::POST,
            &format!("/users/{id}/identifications"),
            LIST,
            Some(json!({"type": "VISA", "number": "B"})),
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(n.get_user(KEY_B, &id).await.0, StatusCode::NOT_FOUND);
    let (_, mine) = n.get_user(KEY_A, &id).await;
    assert_eq!(
        (mine["first_name"].as_str(), mine["status"].as_str()),
        (Some("Sara"), Some("PENDINGKYC"))
    );
    assert_eq!(n.list(&id, "").await.1["data"].as_array().unwrap().len(), 1);
    for key in [None, Some("wrong-key-123"), Some(ADMIN_A)] {
        let (status, err) = n
            .send(key, Method::GET, &format!("/users/{id}"), USER, None, None)
            .await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("UNAUTHORIZED"))
        );
        let (status, _) = n
            .send(key, Method::POST, "/users", USERS, Some(sara()), None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(n.subjects("alpha").await, 1);
    // No user list is served: the path exists for POST only.
    let res = n
        .server
        .client
        .get(n.server.url("/v1/users"))
        .header("apikey", KEY_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "METHOD_NOT_ALLOWED"
    );
}
