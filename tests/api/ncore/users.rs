//! nCore users over HTTP, as NymCard's onboarding does it: the user first, then its
//! identifications under the user's id. Every JSON body is checked against the nCore
//! OpenAPI document.

mod rules;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{KEY_A, KEY_B, LIST, Ncore, passport, race_one_key};
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
    let ids = race_one_key(&n, "/v1/users", sara()).await;
    assert_eq!(ids.len(), 1, "different users for one key: {ids:?}");
    assert_eq!(n.subjects("alpha").await, 1);
}
