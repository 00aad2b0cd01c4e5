//! Jumio across two nodes: one FRONT per credential, page numbers never reused, access
//! tokens valid on every node. The node-indexed helpers over the common Jumio client are
//! shared with `callbacks`.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::jumio::{Exec, key_only};
use crate::harness::{Cluster, png, sha};

/// Opens an execution through node `i`; its credentials carry the execution's token.
pub async fn open(c: &Cluster, i: usize, access: &str, body: Value) -> Exec {
    let e = c.jumio(i).open(access, body).await;
    assert!(!e.token.is_empty(), "no api.token in {:?}", e.credentials);
    e
}

/// Workflow 2 with only a key (an ID credential), or with the given credentials.
pub fn workflow(credentials: Option<Value>) -> Value {
    let mut body = key_only(2);
    if let Some(c) = credentials {
        body["workflowDefinition"]["credentials"] = c;
    }
    body
}

/// Sends one file as a part through node `i`.
pub async fn part(
    c: &Cluster,
    i: usize,
    e: &Exec,
    credential: &str,
    classifier: &str,
    file: Vec<u8>,
) -> (StatusCode, Value) {
    c.jumio(i)
        .part(e, Method::POST, credential, classifier, vec![file])
        .await
}

/// A credential's parts as node `i`'s details list them: (classifier, href).
pub async fn parts(
    c: &Cluster,
    i: usize,
    access: &str,
    e: &Exec,
    credential: &str,
) -> Vec<(String, String)> {
    let (status, d) = c.jumio(i).details(access, e).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let cred = d["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == credential)
        .unwrap_or_else(|| panic!("{credential} not in {d}"))
        .clone();
    cred["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["classifier"].as_str().unwrap().to_owned(),
                p["href"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The bytes behind a part's `href`, fetched through node `i`.
pub async fn image(c: &Cluster, i: usize, access: &str, href: &str) -> Vec<u8> {
    let (status, bytes) = c.jumio(i).image(access, &c.on(i, href)).await;
    assert_eq!(status, StatusCode::OK, "{href}");
    bytes
}

/// An image Jumio accepts as a part (longest side over its minimum).
pub fn picture(seed: u32) -> Vec<u8> {
    png(1000, 700, seed, 3000)
}

#[tokio::test]
async fn eight_fronts_over_two_nodes_leave_one() {
    let c = Cluster::start().await;
    let token = c.jumio_access(0).await;
    let e = open(&c, 0, &token, workflow(None)).await;
    let id = e.cred("ID");
    let sends = (0..8u32).map(|n| part(&c, n as usize, &e, &id, "FRONT", picture(n + 1)));
    let answers = futures::future::join_all(sends).await;
    let winners: Vec<usize> = (0..8).filter(|&n| answers[n].0 == StatusCode::OK).collect();
    assert_eq!(winners.len(), 1, "FRONTs added: {answers:?}");
    for (status, body) in &answers {
        if *status != StatusCode::OK {
            assert_eq!(
                (*status, &body["status"]),
                (StatusCode::CONFLICT, &json!(409)),
                "{body}"
            );
        }
    }
    for i in 0..2 {
        let listed = parts(&c, i, &token, &e, &id).await;
        let names: Vec<&str> = listed.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["FRONT"], "node {i}");
        let bytes = image(&c, i, &token, &listed[0].1).await;
        assert_eq!(
            sha(&bytes),
            sha(&picture(winners[0] as u32 + 1)),
            "node {i} serves a FRONT other than the one accepted"
        );
    }
    // Through nCore, the credential is one identification with one file.
    let idents = crate::ncore::list(&c, 1, &e.account).await;
    assert_eq!(idents.len(), 1, "{idents:?}");
    assert_eq!(
        idents[0]["files"].as_array().map(Vec::len),
        Some(1),
        "{idents:?}"
    );
}

#[tokio::test]
async fn concurrent_pages_over_two_nodes_never_share_a_number() {
    let c = Cluster::start().await;
    let token = c.jumio_access(1).await;
    let e = open(
        &c,
        1,
        &token,
        workflow(Some(json!([{"category": "DOCUMENT"}]))),
    )
    .await;
    let doc = e.cred("DOCUMENT");
    let pages: Vec<Vec<u8>> = (0..10u32).map(|n| picture(n + 100)).collect();
    let sends = pages
        .iter()
        .enumerate()
        .map(|(n, p)| part(&c, n, &e, &doc, "DOCUMENT", p.clone()));
    for (status, body) in futures::future::join_all(sends).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let want: Vec<String> = (1..=10).map(|n| format!("PAGE_{n}")).collect();
    let sent: BTreeSet<String> = pages.iter().map(|p| sha(p)).collect();
    for i in 0..2 {
        let listed = parts(&c, i, &token, &e, &doc).await;
        let names: Vec<String> = listed.iter().map(|(k, _)| k.clone()).collect();
        assert_eq!(names, want, "node {i}: page numbers");
        let mut served = BTreeSet::new();
        for (_, href) in &listed {
            served.insert(sha(&image(&c, i, &token, href).await));
        }
        assert_eq!(served, sent, "node {i}: a page was lost or overwritten");
    }
}

#[tokio::test]
async fn an_access_token_minted_on_one_node_works_on_the_other() {
    let c = Cluster::start().await;
    for (mint, other) in [(0, 1), (1, 0)] {
        let token = c.jumio_access(mint).await;
        let e = open(&c, other, &token, workflow(None)).await;
        let id = e.cred("ID");
        // The execution's api.token, issued by `other`, works on `mint`.
        let (status, body) = part(&c, mint, &e, &id, "FRONT", picture(7)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["workflowExecution"]["id"], e.id.as_str());
        let listed = parts(&c, mint, &token, &e, &id).await;
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(
            status_of_both(&c, &token, &e).await,
            ["INITIATED", "INITIATED"]
        );
    }
    // A token neither node issued is refused by both.
    for i in 0..2 {
        let (status, body) = c.jumio(i).create("not-a-token", workflow(None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
}

async fn status_of_both(c: &Cluster, token: &str, e: &Exec) -> [String; 2] {
    [
        c.jumio(0).status_of(token, e).await,
        c.jumio(1).status_of(token, e).await,
    ]
}
