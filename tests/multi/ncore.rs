//! nCore across two nodes: the 10-file limit and idempotency keys are settled in the store,
//! not in a process.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::harness::{API_KEY, Cluster, png, sha};

const USER: &str = "multi-user-1";

/// Creates an identification through node `i`; answers its id.
async fn identification(c: &Cluster, i: usize, user: &str, kind: &str) -> String {
    let res = c
        .http
        .post(c.url(i, &format!("/v1/users/{user}/identifications")))
        .header("apikey", API_KEY)
        .json(&json!({"type": kind, "number": "N-1"}))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

/// `PUT …/files` through node `i` with (document type, name, bytes) parts, not yet sent.
pub fn upload_request(
    c: &Cluster,
    i: usize,
    user: &str,
    id: &str,
    files: Vec<(&str, String, Vec<u8>)>,
) -> reqwest::RequestBuilder {
    let mut form = Form::new();
    for (kind, name, bytes) in files {
        form = form
            .text("identification_document_type", kind.to_owned())
            .part("file", Part::bytes(bytes).file_name(name));
    }
    c.http
        .put(c.url(i, &format!("/v1/users/{user}/identifications/{id}/files")))
        .header("apikey", API_KEY)
        .multipart(form)
}

/// `PUT …/files` through node `i`; answers status and body.
pub async fn upload(
    c: &Cluster,
    i: usize,
    user: &str,
    id: &str,
    files: Vec<(&str, String, Vec<u8>)>,
) -> (StatusCode, Value) {
    let res = upload_request(c, i, user, id, files).send().await.unwrap();
    (res.status(), res.json().await.unwrap())
}

/// The identification as node `i` reads it.
pub async fn read(c: &Cluster, i: usize, user: &str, id: &str) -> Value {
    let res = c
        .http
        .get(c.url(i, &format!("/v1/users/{user}/identifications/{id}")))
        .header("apikey", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The user's identifications as node `i` lists them (up to 100).
pub async fn list(c: &Cluster, i: usize, user: &str) -> Vec<Value> {
    let res = c
        .http
        .get(c.url(i, &format!("/v1/users/{user}/identifications?limit=100")))
        .header("apikey", API_KEY)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].as_array().unwrap().clone()
}

/// A file's bytes through node `i`'s `:download`.
pub async fn download(c: &Cluster, i: usize, user: &str, id: &str, file: &str) -> Vec<u8> {
    let res = c
        .http
        .get(c.url(
            i,
            &format!("/v1/users/{user}/identifications/{id}/files/{file}:download"),
        ))
        .header("apikey", API_KEY)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.bytes().await.unwrap();
    assert_eq!(
        status,
        StatusCode::OK,
        "file {file} of {id} is listed but does not open: {}",
        String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
    );
    bytes.to_vec()
}

#[tokio::test]
async fn thirty_file_adds_over_two_nodes_leave_exactly_ten() {
    let c = Cluster::start().await;
    let id = identification(&c, 0, USER, "PASSPORT").await;
    let sent: BTreeMap<String, Vec<u8>> = (0..30u32)
        .map(|n| (format!("page-{n}.png"), png(640, 400, n + 1, 4000)))
        .collect();
    let adds = sent.iter().enumerate().map(|(n, (name, bytes))| {
        upload(
            &c,
            n,
            USER,
            &id,
            vec![("PASSPORT_PAGE1", name.clone(), bytes.clone())],
        )
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
    let seen: Vec<Value> = futures::future::join_all((0..2).map(|i| read(&c, i, USER, &id))).await;
    assert_eq!(seen[0]["files"], seen[1]["files"], "the nodes disagree");
    let files = seen[0]["files"].as_array().unwrap();
    let listed: BTreeSet<String> = files
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, accepted, "listed files are not the accepted ones");
    for (n, f) in files.iter().enumerate() {
        let name = f["file_name"].as_str().unwrap();
        let bytes = download(&c, n, USER, &id, f["id"].as_str().unwrap()).await;
        assert_eq!(sha(&bytes), sha(&sent[name]), "{name}");
    }
}

#[tokio::test]
async fn one_idempotency_key_on_both_nodes_creates_one_identification() {
    let c = Cluster::start().await;
    let body = json!({"type": "PASSPORT", "number": "132123123", "expiration_date": "2031-09-20T10:10:40.182Z"});
    let sends = (0..12).map(|n| {
        c.http
            .post(c.url(n, &format!("/v1/users/{USER}/identifications")))
            .header("apikey", API_KEY)
            .header("x-nymos-idempotency-key", "multi-race")
            .json(&body)
            .send()
    });
    let mut ids = BTreeSet::new();
    let mut ok = 0;
    for res in futures::future::join_all(sends).await {
        let res = res.unwrap();
        let status = res.status();
        let answer: Value = res.json().await.unwrap();
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
