//! nCore across two nodes: the 10-file limit and idempotency keys are settled in the store,
//! not in a process.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::ncore::{LIST, file};
use crate::harness::{Cluster, png, sha};

const USER: &str = "multi-user-1";

/// The user's identifications as node `i` lists them (up to 100).
pub async fn list(c: &Cluster, i: usize, user: &str) -> Vec<Value> {
    let body = c.ncore(i).list(user, "?limit=100").await;
    body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn thirty_file_adds_over_two_nodes_leave_exactly_ten() {
    let c = Cluster::start().await;
    let id = c
        .ncore(0)
        .identification(USER, json!({"type": "PASSPORT", "number": "N-1"}))
        .await;
    let sent: BTreeMap<String, Vec<u8>> = (0..30u32)
        .map(|n| (format!("page-{n}.png"), png(640, 400, n + 1, 4000)))
        .collect();
    let adds = sent.iter().enumerate().map(|(n, (name, bytes))| {
        c.ncore(n)
            .upload(USER, &id, vec![file("PASSPORT_PAGE1", name, bytes.clone())])
    });
    let answers = futures::future::join_all(adds).await;
    let mut accepted = BTreeSet::new();
    for (status, body) in &answers {
        match *status {
            StatusCode::OK => {
                let data = body["data"].as_array().unwrap();
                assert_eq!(data.len(), 1, "{body}");
                accepted.insert(data[0]["id"].as_str().unwrap().to_owned());
            }
            StatusCode::BAD_REQUEST => assert_eq!(body["code"], "LIMIT_EXCEEDED", "{body}"),
            other => panic!("an add answered {other}: {body}"),
        }
    }
    assert_eq!(accepted.len(), 10, "accepted adds: {answers:?}");
    // Both nodes read the same ten files, those the accepted adds named, byte for byte.
    let seen: Vec<Value> =
        futures::future::join_all((0..2).map(|i| c.ncore(i).read(USER, &id))).await;
    assert_eq!(seen[0]["files"], seen[1]["files"], "the nodes disagree");
    let files = seen[0]["files"].as_array().unwrap();
    let listed: BTreeSet<String> = files
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, accepted, "listed files are not the accepted ones");
    for (n, f) in files.iter().enumerate() {
        let name = f["file_name"].as_str().unwrap();
        let bytes = c
            .ncore(n)
            .download(USER, &id, f["id"].as_str().unwrap())
            .await;
        assert_eq!(sha(&bytes), sha(&sent[name]), "{name}");
    }
}

#[tokio::test]
async fn one_idempotency_key_on_both_nodes_creates_one_identification() {
    let c = Cluster::start().await;
    let body = json!({"type": "PASSPORT", "number": "132123123", "expiration_date": "2031-09-20T10:10:40.182Z"});
    let path = format!("/users/{USER}/identifications");
    let sends = (0..12).map(|n| {
        let body = Some(body.clone());
        c.ncore(n)
            .call(Method::POST, &path, LIST, body, Some("multi-race"))
    });
    let mut ids = BTreeSet::new();
    let mut ok = 0;
    for (status, answer) in futures::future::join_all(sends).await {
        match status {
            StatusCode::OK => {
                ok += 1;
                assert_eq!(answer["number"], "132123123", "{answer}");
                ids.insert(answer["id"].as_str().unwrap().to_owned());
            }
            StatusCode::CONFLICT => assert_eq!(answer["code"], "DUPLICATE_REQUEST", "{answer}"),
            other => panic!("unexpected {other}: {answer}"),
        }
    }
    assert!(ok >= 1, "no request went through");
    assert_eq!(
        ids.len(),
        1,
        "one key made several identifications: {ids:?}"
    );
    for i in 0..2 {
        let listed = list(&c, i, USER).await;
        let listed: Vec<&str> = listed.iter().map(|v| v["id"].as_str().unwrap()).collect();
        assert_eq!(
            listed,
            ids.iter().map(String::as_str).collect::<Vec<_>>(),
            "node {i} lists"
        );
    }
}
