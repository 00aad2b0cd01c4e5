//! The Jumio KYX platform API over HTTP, as a Jumio client uses it: OAuth2 token, account and
//! workflow execution, acquisition with the execution's `api.token`, finalize, background
//! processing, retrieval, deletion, expiry, the callback (received by a listener started
//! here) and the cross-vendor view. Every JSON body is checked against the Jumio OpenAPI
//! document idbridge serves; request bodies are the guides' own examples where they exist.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

mod acquisition;
mod auth;
mod concurrency;
mod cross_vendor;
mod deletion;
mod expiry;
mod kyx;
mod ops;
mod reuse;
mod web;

use crate::common::{Contract, tenant};
use idbridge::model::DocumentKind;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::common::fixtures::{jpeg, pdf, png, sha_hex as sha};
use crate::common::jumio::*;

// ---------------------------------------------------------------------------------------
// Access token

#[tokio::test]
async fn access_tokens_are_issued_and_refused_as_jumio_does() {
    let j = Jumio::start().await;
    let (status, body) = j
        .token_request(Some(CLIENT_A), "grant_type=client_credentials", true)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&body["expires_in"], &body["token_type"]),
        (&json!(3600), &json!("Bearer"))
    );
    let token = body["access_token"].as_str().unwrap();
    assert!(!token.is_empty());
    // A second request gives another working token.
    let other = j.access(CLIENT_A).await;
    assert_ne!(other, token);
    j.open(token, key_only(2)).await;
    j.open(&other, key_only(2)).await;

    let wrong_secret = j
        .token_request(
            Some(("test-jumio-alpha", "test-jumio-secret-beta")),
            "grant_type=client_credentials",
            true,
        )
        .await;
    assert_eq!(error(&wrong_secret, 401), None);
    let unknown_client = j
        .token_request(
            Some(("nobody", "test-jumio-secret-alpha")),
            "grant_type=client_credentials",
            true,
        )
        .await;
    error(&unknown_client, 401);
    let no_basic = j
        .token_request(None, "grant_type=client_credentials", true)
        .await;
    error(&no_basic, 401);
    let wrong_grant = j
        .token_request(Some(CLIENT_A), "grant_type=password", true)
        .await;
    assert_eq!(field(&wrong_grant, 400), "grant_type");
    let no_grant = j.token_request(Some(CLIENT_A), "", true).await;
    assert_eq!(field(&no_grant, 400), "grant_type");
    let no_agent = j
        .token_request(Some(CLIENT_A), "grant_type=client_credentials", false)
        .await;
    error(&no_agent, 403);

    // An unknown bearer opens nothing.
    let res = j.create("jat_0000000000000000", key_only(2)).await;
    error(&res, 401);
    let res = j
        .send(
            Method::POST,
            ACCOUNTS,
            ACCOUNTS,
            None,
            Body::Json(key_only(2)),
        )
        .await;
    error(&res, 401);
}

// ---------------------------------------------------------------------------------------
// Accounts and workflow executions

#[tokio::test]
async fn the_guides_account_create_example_opens_an_id_execution() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let (status, body) = j
        .create(&access, guide_initiate_account("http://127.0.0.1:9/cb"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    timestamp(&body["timestamp"]);
    let e = Exec::from(&body);
    let (account, execution) = (
        Uuid::parse_str(&e.account).unwrap(),
        Uuid::parse_str(&e.id).unwrap(),
    );
    assert_eq!(e.credentials.len(), 1, "{body}");
    let c = &e.credentials[0];
    let cred = e.cred("ID");
    assert_eq!(c["category"], "ID");
    assert_eq!(c["allowedChannels"], json!(["WEB", "API", "SDK"]));
    assert!(!e.token.is_empty());
    assert_eq!(
        c["api"]["parts"],
        json!({
            "front": j.server.url(&e.part(&cred, "FRONT")),
            "back": j.server.url(&e.part(&cred, "BACK")),
        })
    );
    assert_eq!(c["api"]["workflowExecution"], j.server.url(&e.path()));

    // The account is a subject; the ID credential is a canonical document of it.
    let t = tenant("alpha");
    j.server.store.get_subject(&t, account).await.unwrap();
    let doc = j
        .server
        .store
        .get_document(&t, cred.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(doc.subject_id, account);
    assert_eq!(doc.kind, DocumentKind::IdCard);

    let (status, st) = j.status(&access, &e).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        st,
        json!({
            "account": {"id": e.account, "href": j.server.url(&format!("/api/v1/accounts/{account}"))},
            "workflowExecution": {
                "id": e.id,
                "href": j.server.url(&e.path()),
                "definitionKey": "2",
                "status": "INITIATED",
            }
        })
    );
    let (status, details) = j.details(&access, &e).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        details["workflow"],
        json!({
            "id": execution,
            "status": "INITIATED",
            "definitionKey": "2",
            "userReference": "YOUR_USER_REFERENCE",
            "customerInternalReference": "CUSTOMER_REFERENCE",
        })
    );
    assert_eq!(details["account"], json!({"id": e.account}));
    timestamp(&details["createdAt"]);
    assert!(details.get("startedAt").is_none() && details.get("completedAt").is_none());
    assert_eq!(
        details["credentials"],
        json!([{"id": cred, "category": "ID", "parts": []}])
    );
    assert!(details.get("decision").is_none(), "{details}");
    assert_eq!(details["capabilities"], json!({}));
}

#[tokio::test]
async fn the_guides_account_update_example_opens_a_new_execution_on_the_account() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let first = j.open(&access, key_only(2)).await;
    let (status, body) = j
        .reopen(&access, &first.account, guide_account_update())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = Exec::from(&body);
    assert_eq!(second.account, first.account);
    assert_ne!(second.id, first.id);
    assert_ne!(second.token, first.token);
    let facemap = second
        .credentials
        .iter()
        .find(|c| c["category"] == "FACEMAP")
        .unwrap();
    assert_eq!(facemap["allowedChannels"], json!(["WEB", "SDK"]));
    assert!(facemap.get("api").is_none(), "FACEMAP has no API channel");
    let id = second.cred("ID");
    assert_ne!(id, first.cred("ID"));
    // Both executions live on, each with its own status.
    assert_eq!(j.status_of(&access, &first).await, "INITIATED");
    assert_eq!(j.status_of(&access, &second).await, "INITIATED");
    let (_, st) = j.status(&access, &second).await;
    assert_eq!(st["workflowExecution"]["definitionKey"], "2");

    let unknown = j
        .reopen(&access, &Uuid::now_v7().to_string(), guide_account_update())
        .await;
    error(&unknown, 404);
    // Another tenant's access token does not see the account.
    let beta = j.access(CLIENT_B).await;
    error(&j.reopen(&beta, &first.account, key_only(2)).await, 404);
    error(&j.status(&beta, &first).await, 404);
    error(&j.details(&beta, &first).await, 404);
}

#[tokio::test]
async fn a_workflow_key_alone_gives_its_credentials() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let categories = |e: &Exec| -> Vec<String> {
        e.credentials
            .iter()
            .map(|c| c["category"].as_str().unwrap().to_owned())
            .collect()
    };
    let two = j.open(&access, key_only(2)).await;
    assert_eq!(categories(&two), ["ID"]);
    let three = j.open(&access, key_only(3)).await;
    assert_eq!(categories(&three), ["ID", "SELFIE", "FACEMAP"]);
    let selfie = three
        .credentials
        .iter()
        .find(|c| c["category"] == "SELFIE")
        .unwrap();
    assert_eq!(
        selfie["api"]["parts"],
        json!({"face": j.server.url(&three.part(&three.cred("SELFIE"), "FACE"))})
    );
    // One api.token for the whole execution.
    assert!(
        three
            .credentials
            .iter()
            .filter_map(|c| c["api"]["token"].as_str())
            .all(|t| t == three.token)
    );
    let data = j.open(&access, guide_10005()).await;
    assert_eq!(categories(&data), ["DATA"]);
    assert_eq!(
        data.credentials[0]["api"]["parts"],
        json!({"prepared_data": j.server.url(&data.part(&data.cred("DATA"), "PREPARED_DATA"))})
    );
    let unknown = j.create(&access, key_only(4)).await;
    assert_eq!(field(&unknown, 400), "workflowDefinition.key");
}

/// Workflow descriptions (workflow_descriptions.md and workflow-descriptions-kyx.md),
/// "Required Credentials" of each workflow, against what a key alone opens. (Workflow 5
/// needs an ID already on file and is left out.)
#[tokio::test]
async fn every_described_workflow_key_gives_the_credentials_its_description_lists() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let described: &[(u32, &[&str])] = &[
        (1, &["ID"]),
        (2, &["ID"]),
        (3, &["ID", "SELFIE", "FACEMAP"]),
        (6, &["SELFIE", "FACEMAP"]),
        (9, &["SELFIE", "FACEMAP"]),
        (16, &["SELFIE", "FACEMAP"]),
        (20, &["SELFIE", "ID"]),
        (32, &["ID", "SELFIE", "FACEMAP"]),
        (10005, &["DATA"]),
        (10006, &["SELFIE", "DATA"]),
        (10008, &["DATA"]),
        (10010, &["DATA"]),
        (10011, &["ID", "SELFIE", "FACEMAP"]),
        (10013, &["ID", "SELFIE", "FACEMAP"]),
        (10014, &["SELFIE", "FACEMAP"]),
    ];
    let mut wrong = Vec::new();
    for (key, want) in described {
        let want: BTreeSet<String> = want.iter().map(|s| (*s).to_owned()).collect();
        let (status, body) = j.create(&access, key_only(*key)).await;
        let got: BTreeSet<String> = if status == StatusCode::OK {
            body["workflowExecution"]["credentials"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["category"].as_str().unwrap().to_owned())
                .collect()
        } else {
            [format!("HTTP {status}")].into()
        };
        if got != want {
            wrong.push(format!("key {key}: described {want:?}, got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// workflow_descriptions.md, workflow 6 "Initiate Account Update": `credentials: []` and the
/// response lists FACEMAP and SELFIE (SELFIE with an API channel).
#[tokio::test]
async fn the_guides_workflow_6_example_gets_a_selfie_with_an_api_channel() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let first = j.open(&access, key_only(2)).await;
    let (status, body) = j
        .reopen(
            &access,
            &first.account,
            json!({
                "customerInternalReference": "CUSTOMER_REFERENCE",
                "workflowDefinition": { "key": 6, "credentials": [] }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let e = Exec::from(&body);
    let selfie = e
        .credentials
        .iter()
        .find(|c| c["category"] == "SELFIE")
        .unwrap_or_else(|| panic!("no SELFIE credential: {body}"));
    assert_eq!(
        selfie["api"]["parts"]["face"],
        j.server.url(&e.part(&e.cred("SELFIE"), "FACE"))
    );
}

/// workflow-descriptions-kyx.md, workflow 10005 response: the DATA credential's
/// `allowedChannels` is `["API"]` (prepared data only comes through the API).
#[tokio::test]
async fn a_data_credential_is_allowed_through_the_api_only() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_10005()).await;
    assert_eq!(e.credentials[0]["allowedChannels"], json!(["API"]));
}

#[tokio::test]
async fn account_input_is_checked_before_anything_is_created() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let with = |patch: Value| {
        let mut body = key_only(2);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let subjects = || async {
        j.server
            .store
            .list_subjects(&tenant("alpha"), 1000, 0)
            .await
            .unwrap()
            .total
    };
    // Each refusal: its body, the field named, and no subject left behind.
    let mut refusals: Vec<(Value, Option<&str>)> = Vec::new();
    for bad in ["a/b", "a;b", "<x>", &"r".repeat(101), ""] {
        refusals.push((
            with(json!({"customerInternalReference": bad})),
            Some("customerInternalReference"),
        ));
    }
    for bad in ["4m", "299s", "61d", "30", "abc", "5x", "-5m"] {
        refusals.push((with(json!({"tokenLifetime": bad})), Some("tokenLifetime")));
    }
    for bad in [
        "http://example.com/cb",
        "http://10.0.0.1/cb",
        "ftp://127.0.0.1/cb",
        "not a url",
    ] {
        refusals.push((with(json!({"callbackUrl": bad})), Some("callbackUrl")));
    }
    refusals.push((
        with(json!({"userReference": "u".repeat(101)})),
        Some("userReference"),
    ));
    refusals.push((
        with(json!({"reportingCriteria": "c".repeat(256)})),
        Some("reportingCriteria"),
    ));
    refusals.push((
        json!({
            "customerInternalReference": "CUSTOMER_REFERENCE",
            "workflowDefinition": {"key": 2, "credentials": [{"category": "ID", "type": {"values": ["LIBRARY_CARD"]}}]}
        }),
        Some("workflowDefinition.credentials[0].type.values"),
    ));
    refusals.push((with(json!({"surprise": true})), None));
    refusals.push((json!({"workflowDefinition": {"key": 2}}), None));
    let mut leaks = Vec::new();
    for (body, want) in refusals {
        let before = subjects().await;
        let res = j.create(&access, body.clone()).await;
        let got = error(&res, 400);
        if let Some(want) = want {
            assert_eq!(got.as_deref(), Some(want), "{body}");
        }
        if subjects().await != before {
            leaks.push(body.to_string());
        }
    }
    error(
        &j.send(
            Method::POST,
            ACCOUNTS,
            ACCOUNTS,
            Some(&access),
            Body::Text("{not json"),
        )
        .await,
        400,
    );
    let no_agent = j
        .send_as(
            Method::POST,
            ACCOUNTS,
            ACCOUNTS,
            Some(&access),
            None,
            Body::Json(key_only(2)),
        )
        .await;
    error(&no_agent, 403);
    // The limits themselves are accepted.
    let before = subjects().await;
    let accepted = [
        with(json!({"customerInternalReference": "r".repeat(100)})),
        with(json!({"tokenLifetime": "5m"})),
        with(json!({"tokenLifetime": "300s"})),
        with(json!({"tokenLifetime": "1d"})),
        with(json!({"tokenLifetime": "60d"})),
        with(json!({"userReference": "u".repeat(100)})),
        with(json!({"callbackUrl": "https://127.0.0.1:8443/jumio"})),
    ];
    let n = accepted.len() as u64;
    for body in accepted {
        j.open(&access, body).await;
    }
    assert_eq!(subjects().await, before + n);
    assert!(
        leaks.is_empty(),
        "refused creates left a subject (account) behind:\n{}",
        leaks.join("\n")
    );
}
