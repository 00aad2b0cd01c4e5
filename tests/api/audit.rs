//! The audit trail through the real server: a mixed run over all five vendor APIs and the
//! admin API leaves one chain per tenant that verifies, whose events name the credential,
//! operation, subject, document and file of each call (never a secret, name or number),
//! that the admin API filters and exports as JSON Lines, and in which one altered event is
//! found.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::jumio::{CLIENT_A, JumioClient};
use crate::common::mydocs::new_client;
use crate::common::ncore::{At, ONE};
use crate::common::passfort::Passfort;
use crate::common::{ADMIN_A, Contract, TestServer, fixtures, tenant};

const NCORE_KEY: &str = "test-api-key-alpha";
const NUMBER: &str = "AUDIT-NUMBER-7781";

/// Every event of tenant alpha, read page by page through the admin API with `query`, each
/// page checked against the admin OpenAPI document.
async fn events(server: &TestServer, query: &str) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let sep = if query.is_empty() { "" } else { "&" };
        let res = server
            .client
            .get(server.url(&format!(
                "/admin/v1/audit?limit=50&after={after}{sep}{query}"
            )))
            .bearer_auth(ADMIN_A)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = res.json().await.unwrap();
        Contract::of("admin").check("GET", "/audit", 200, &page);
        all.extend(page["events"].as_array().unwrap().iter().cloned());
        match page["next_after"].as_i64() {
            Some(n) => after = n,
            None => return all,
        }
    }
}

fn with<'a>(events: &'a [Value], field: &str, value: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e[field] == value).collect()
}

#[tokio::test]
async fn a_mixed_run_leaves_a_chain_that_verifies_filters_exports_and_shows_tampering() {
    let p = Passfort::start().await;
    let server = &p.server;
    let http = &server.client;

    // nCore: an identification with a document number, a file, the file read back.
    let ncore = At::server(server, NCORE_KEY);
    let ident = ncore
        .identification("audit-user", json!({"type": "PASSPORT", "number": NUMBER}))
        .await;
    let png = fixtures::png_small(7);
    let stored = ncore
        .upload_one("audit-user", &ident, "PASSPORT_PAGE1", "p.png", png.clone())
        .await;
    let file_id = stored["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(ncore.download("audit-user", &ident, &file_id).await, png);
    // Tenant beta asking for alpha's identification: its own chain records the miss.
    let foreign = At::server(server, "test-api-key-beta")
        .call(
            Method::GET,
            &format!("/users/audit-user/identifications/{ident}"),
            ONE,
            None,
            None,
        )
        .await;
    assert_eq!(foreign.0, StatusCode::NOT_FOUND);

    // PassFort: a profile with a name, an image.
    let profile = p.individual("Ada", "Lovelace").await;
    p.add_image_id(&profile, &fixtures::png_small(8), "FRONT")
        .await;

    // B2Core: a client made and given a token through the admin API, listing its documents.
    let (client_subject, client_token) = new_client(http, &server.base, ADMIN_A).await;
    let res = http
        .get(server.url("/api/v2/my/documents"))
        .bearer_auth(&client_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // MasStack: an identification of the tenant's organisation.
    let res = http
        .post(server.url("/v1/orgs/org-alpha/identifications/identity_document"))
        .bearer_auth("test-masstack-key-alpha")
        .json(&json!({
            "name": "James",
            "last_name": "Smith",
            "identity_document": {"document_number": "12345678Z", "document_type": "NIF", "country": "ES"}
        }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());

    // Jumio: an access token, an execution, two parts.
    let jumio = JumioClient::at(http.clone(), &server.base);
    let (_, _) = jumio
        .id_card(fixtures::png_small(9), fixtures::png_small(10))
        .await;

    let all = events(server, "").await;
    let alpha = tenant("alpha");
    let report = server.store.verify_audit(&alpha).await.unwrap();
    assert_eq!(report.broken, None);
    assert!(
        report.events as usize >= all.len(),
        "the chain holds every event read"
    );
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1, "numbered without a gap");
        assert_eq!(e["tenant"], "alpha");
    }
    let apis: std::collections::BTreeSet<&str> =
        all.iter().map(|e| e["api"].as_str().unwrap()).collect();
    for api in ["ncore", "passfort", "mydocs", "masstack", "jumio", "admin"] {
        assert!(apis.contains(api), "no {api} event in {apis:?}");
    }

    // The download names the file, its document and subject, and the nCore key by its id.
    let read = all
        .iter()
        .find(|e| {
            e["file_id"] == file_id.as_str() && e["operation"].as_str().unwrap().starts_with("GET")
        })
        .unwrap_or_else(|| panic!("no read of {file_id}"));
    assert_eq!(read["api"], "ncore");
    assert_eq!(read["outcome"], "ok");
    assert!(
        read["document_id"].is_string() && read["subject_id"].is_string(),
        "{read}"
    );
    let key = read["credential"].as_str().unwrap();
    assert!(key.starts_with("key:"), "{key}");
    // The upload (a PUT) is a write: its event was committed with the file.
    assert!(
        all.iter().any(|e| e["file_id"] == file_id.as_str()
            && e["operation"].as_str().unwrap().starts_with("PUT ")),
        "no upload event"
    );
    // The Jumio token was issued to the client id; the parts were sent with the token.
    let issued = with(&all, "operation", "POST /oauth2/token");
    assert_eq!(issued.len(), 1, "{issued:?}");
    assert_eq!(
        issued[0]["credential"],
        format!("jumio-client:{}", CLIENT_A.0)
    );

    // Nothing secret or personal is in any event.
    let text = serde_json::to_string(&all).unwrap();
    for secret in [
        NCORE_KEY,
        NUMBER,
        "Lovelace",
        "12345678Z",
        &client_token,
        CLIENT_A.1,
        ADMIN_A,
    ] {
        assert!(!text.contains(secret), "an event holds {secret:?}");
    }

    // Beta's chain holds its refused read, and alpha's holds nothing of beta's.
    let beta = server.store.verify_audit(&tenant("beta")).await.unwrap();
    assert_eq!((beta.events, beta.broken), (1, None));

    // Filters: by subject, credential, API and operation, each through the admin API.
    let subject = read["subject_id"].as_str().unwrap();
    let of_subject = events(server, &format!("subject_id={subject}")).await;
    assert!(
        of_subject.len() >= 3,
        "create, upload, download: {of_subject:?}"
    );
    assert!(of_subject.iter().all(|e| e["subject_id"] == subject));
    let by_client = all.iter().find(|e| e["api"] == "mydocs").unwrap()["credential"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(by_client.starts_with("client:"), "{by_client}");
    let client_events = events(server, &format!("credential={by_client}")).await;
    assert_eq!(client_events.len(), 1);
    assert_eq!(client_events[0]["subject_id"], client_subject.to_string());
    let jumio_events = events(server, "api=jumio").await;
    assert_eq!(jumio_events.len(), with(&all, "api", "jumio").len());
    let op = events(server, "operation=POST%20/oauth2/token").await;
    assert_eq!(op.len(), 1);
    let bad = http
        .get(server.url("/admin/v1/audit?since=yesterday"))
        .bearer_auth(ADMIN_A)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    // The export: every event so far as JSON Lines, its own event last.
    let res = http
        .get(server.url("/admin/v1/audit/export"))
        .bearer_auth(ADMIN_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    let body = res.text().await.unwrap();
    let lines: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let report = server.store.verify_audit(&alpha).await.unwrap();
    assert_eq!(lines.len() as u64, report.events, "{body}");
    assert_eq!(lines[..all.len()], all[..]);
    assert_eq!(
        lines.last().unwrap()["operation"],
        "GET /admin/v1/audit/export"
    );
    assert_eq!(lines.last().unwrap()["hash"], report.head);

    // One event altered in the database: the chain breaks exactly there.
    let victim = all.len() as i64 / 2;
    let url = server.config.storage.metadata_url();
    idbridge::store::testing::alter_audit_event(&url, "alpha", victim).await;
    let broken = server.store.verify_audit(&alpha).await.unwrap();
    let at = broken.broken.expect("the altered event is found");
    assert_eq!(at.seq, victim);
    assert_eq!(broken.events as i64, victim - 1);
}
