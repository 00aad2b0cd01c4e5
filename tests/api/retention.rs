//! Retention through the real server: a tenant keeps passports 30 days. The admin API's dry
//! run lists exactly the passports a run would delete at a given time and deletes nothing;
//! a run of the job at that time deletes them with their files (crypto-shredded: the blobs
//! go), each deletion an audit event, while other kinds, other tenants and younger documents
//! stay readable through nCore.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::ncore::{At, FILE, ONE};
use crate::common::{ADMIN_A, Contract, TestServer, fixtures, tenant};

const USER: &str = "retention-user";

/// The admin API's dry run as at `at`, checked against the admin OpenAPI document.
async fn report(server: &TestServer, at: chrono::DateTime<Utc>) -> Value {
    // RFC 3339 in UTC with `Z`: nothing in it needs escaping in a query.
    let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let res = server
        .client
        .get(server.url(&format!("/admin/v1/retention?at={at}")))
        .bearer_auth(ADMIN_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    Contract::of("admin").check("GET", "/retention", 200, &v);
    v
}

fn due_ids(report: &Value) -> BTreeSet<String> {
    report["due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["document_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn documents_past_their_period_are_listed_then_shredded_and_nothing_else() {
    let server = TestServer::start_with(|c| {
        c.tenants[0].retention = [("passport".to_owned(), "30d".to_owned())].into();
    })
    .await;
    let alpha = At::server(&server, "test-api-key-alpha");
    let beta = At::server(&server, "test-api-key-beta");
    let passport = json!({"type": "PASSPORT", "number": "R-1"});
    let old = alpha.identification(USER, passport.clone()).await;
    let with_file = alpha.identification(USER, passport.clone()).await;
    let stored = alpha
        .upload_one(
            USER,
            &with_file,
            "PASSPORT_PAGE1",
            "p.png",
            fixtures::png_small(5),
        )
        .await;
    let file_id = stored["data"][0]["id"].as_str().unwrap().to_owned();
    let licence = alpha
        .identification(USER, json!({"type": "BANK_STATEMENT", "number": "R-2"}))
        .await;
    let other_tenant = beta.identification(USER, passport).await;
    let files_before = server.store.count_files().await.unwrap();

    // Now, nothing is due; 31 days on, both of alpha's passports are, and only they.
    let now = report(&server, Utc::now()).await;
    assert_eq!(now["rules"], json!([{"kind": "passport", "keep": "30d"}]));
    assert!(due_ids(&now).is_empty(), "{now}");
    let later = Utc::now() + Duration::days(31);
    let due = report(&server, later).await;
    assert_eq!(
        due_ids(&due),
        [old.clone(), with_file.clone()].into(),
        "{due}"
    );
    assert_eq!(due["truncated"], false);
    assert!(
        due["due"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["kind"] == "passport")
    );
    // The dry run deleted nothing.
    alpha.read(USER, &old).await;
    assert_eq!(server.store.count_files().await.unwrap(), files_before);

    // The job's run at that time deletes exactly what the dry run listed.
    let config = server.config.clone();
    let deleted =
        idbridge::jobs::retention::run(&server.store, &config, later, None, false, usize::MAX)
            .await
            .unwrap();
    let deleted: BTreeSet<String> = deleted.iter().map(|d| d.document.id.to_string()).collect();
    assert_eq!(deleted, due_ids(&due));
    // Each deletion is an audit event of the tenant's, committed with it, and the chain holds.
    let filter = idbridge::store::AuditFilter {
        api: Some("retention".into()),
        ..Default::default()
    };
    let events = server
        .store
        .audit_events(&tenant("alpha"), &filter, 0, 100)
        .await
        .unwrap();
    let audited: BTreeSet<String> = events
        .iter()
        .map(|e| e.document_id.unwrap().to_string())
        .collect();
    assert_eq!(audited, deleted);
    for e in &events {
        assert_eq!(
            (e.credential.as_deref(), e.operation.as_str()),
            (Some("job:retention"), "delete expired passport")
        );
        assert_eq!(e.outcome, idbridge::audit::Outcome::Ok);
    }
    let chain = server.store.verify_audit(&tenant("alpha")).await.unwrap();
    assert_eq!(chain.broken, None);
    for id in [&old, &with_file] {
        let path = format!("/users/{USER}/identifications/{id}");
        let (status, body) = alpha.call(Method::GET, &path, ONE, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
    let (status, _) = alpha
        .call(
            Method::GET,
            &format!("/users/{USER}/identifications/{with_file}/files/{file_id}:download"),
            &format!("{FILE}:download"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(server.store.count_files().await.unwrap(), files_before - 1);
    assert!(
        server
            .store
            .get_file(&tenant("alpha"), file_id.parse().unwrap())
            .await
            .is_err()
    );
    // Other kinds and other tenants stay; a second run finds nothing.
    assert_eq!(alpha.read(USER, &licence).await["id"], licence.as_str());
    assert_eq!(
        beta.read(USER, &other_tenant).await["id"],
        other_tenant.as_str()
    );
    assert!(due_ids(&report(&server, later).await).is_empty());
}

#[tokio::test]
async fn a_period_that_does_not_read_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::common::test_config(dir.path());
    config.tenants[0].retention = [("passport".to_owned(), "five years".to_owned())].into();
    let e = config.validate().unwrap_err().to_string();
    assert!(e.contains("tenants[0].retention.passport"), "{e}");
    config.tenants[0].retention = [("passports".to_owned(), "5y".to_owned())].into();
    let e = config.validate().unwrap_err().to_string();
    assert!(e.contains("not a document kind"), "{e}");
}
