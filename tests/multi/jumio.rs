//! Jumio across two nodes: one FRONT per credential, page numbers never reused, access
//! tokens valid on every node. The client helpers are shared with `callbacks` and `crash`.

use std::collections::BTreeSet;

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Cluster, JUMIO_CLIENT, png, sha};

/// The User-Agent Jumio requires.
pub const UA: &str = "idbridge-multi JumioSuite/v1.0";

/// A workflow execution as account creation answered it.
#[derive(Clone, Debug)]
pub struct Exec {
    pub account: String,
    pub id: String,
    pub token: String,
    pub credentials: Vec<Value>,
}

impl Exec {
    /// The id of the credential of this category.
    pub fn cred(&self, category: &str) -> String {
        self.credentials
            .iter()
            .find(|c| c["category"] == category)
            .unwrap_or_else(|| panic!("no {category} in {:?}", self.credentials))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The execution's path.
    pub fn path(&self) -> String {
        format!(
            "/api/v1/accounts/{}/workflow-executions/{}",
            self.account, self.id
        )
    }

    /// A part's path.
    pub fn part(&self, credential: &str, classifier: &str) -> String {
        format!(
            "{}/credentials/{credential}/parts/{classifier}",
            self.path()
        )
    }
}

/// Sends with Jumio's User-Agent and a bearer; answers status and JSON
/// (`Null` when empty).
pub async fn send(req: reqwest::RequestBuilder, bearer: &str) -> (StatusCode, Value) {
    let res = req
        .header("user-agent", UA)
        .header("accept", "application/json")
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.bytes().await.unwrap();
    if bytes.is_empty() {
        return (status, Value::Null);
    }
    let v = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, v)
}

/// An OAuth2 access token from node `i`.
pub async fn access(c: &Cluster, i: usize) -> String {
    let res = c
        .http
        .post(c.url(i, "/oauth2/token"))
        .header("user-agent", UA)
        .header("content-type", "application/x-www-form-urlencoded")
        .basic_auth(JUMIO_CLIENT.0, Some(JUMIO_CLIENT.1))
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// Creates an account through node `i`; answers status and body.
pub async fn create(c: &Cluster, i: usize, access: &str, body: Value) -> (StatusCode, Value) {
    send(
        c.http.post(c.url(i, "/api/v1/accounts")).json(&body),
        access,
    )
    .await
}

/// Opens an execution through node `i`.
pub async fn open(c: &Cluster, i: usize, access: &str, body: Value) -> Exec {
    let (status, b) = create(c, i, access, body).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let credentials = b["workflowExecution"]["credentials"]
        .as_array()
        .unwrap()
        .clone();
    let token = credentials
        .iter()
        .find_map(|c| c["api"]["token"].as_str())
        .unwrap()
        .to_owned();
    Exec {
        account: b["account"]["id"].as_str().unwrap().to_owned(),
        id: b["workflowExecution"]["id"].as_str().unwrap().to_owned(),
        token,
        credentials,
    }
}

/// Workflow 2 with only a key (an ID credential), or with the given credentials.
pub fn workflow(credentials: Option<Value>) -> Value {
    let mut body =
        json!({ "customerInternalReference": "MULTI", "workflowDefinition": { "key": 2 } });
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
    method: Method,
    credential: &str,
    classifier: &str,
    file: Vec<u8>,
) -> (StatusCode, Value) {
    let form = Form::new().part("file", Part::bytes(file).file_name("part.png"));
    let req = c
        .http
        .request(method, c.url(i, &e.part(credential, classifier)))
        .multipart(form);
    send(req, &e.token).await
}

/// Finalizes through node `i`.
pub async fn finalize(c: &Cluster, i: usize, e: &Exec) -> (StatusCode, Value) {
    send(c.http.put(c.url(i, &e.path())), &e.token).await
}

/// The execution's details through node `i`.
pub async fn details(c: &Cluster, i: usize, access: &str, e: &Exec) -> Value {
    let (status, body) = send(c.http.get(c.url(i, &e.path())), access).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The execution's status through node `i`.
pub async fn status(c: &Cluster, i: usize, access: &str, e: &Exec) -> String {
    let path = format!("{}/status", e.path());
    let (status, body) = send(c.http.get(c.url(i, &path)), access).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["workflowExecution"]["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A credential's parts as node `i`'s details list them: (classifier, href).
pub async fn parts(
    c: &Cluster,
    i: usize,
    access: &str,
    e: &Exec,
    credential: &str,
) -> Vec<(String, String)> {
    let d = details(c, i, access, e).await;
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
    let (status, bytes) = {
        let res = c
            .http
            .get(c.on(i, href))
            .header("user-agent", UA)
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        (res.status(), res.bytes().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK, "{href}");
    bytes.to_vec()
}

/// An image Jumio accepts as a part (longest side over its minimum).
pub fn picture(seed: u32) -> Vec<u8> {
    png(1000, 700, seed, 3000)
}

#[tokio::test]
async fn eight_fronts_over_two_nodes_leave_one() {
    let c = Cluster::start().await;
    let token = access(&c, 0).await;
    let e = open(&c, 0, &token, workflow(None)).await;
    let id = e.cred("ID");
    let sends = (0..8u32).map(|n| {
        part(
            &c,
            n as usize,
            &e,
            Method::POST,
            &id,
            "FRONT",
            picture(n + 1),
        )
    });
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
    let token = access(&c, 1).await;
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
        .map(|(n, p)| part(&c, n, &e, Method::POST, &doc, "DOCUMENT", p.clone()));
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
        let token = access(&c, mint).await;
        let e = open(&c, other, &token, workflow(None)).await;
        let id = e.cred("ID");
        // The execution's api.token, issued by `other`, works on `mint`.
        let (status, body) = part(&c, mint, &e, Method::POST, &id, "FRONT", picture(7)).await;
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
        let (status, body) = create(&c, i, "not-a-token", workflow(None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
}

async fn status_of_both(c: &Cluster, token: &str, e: &Exec) -> [String; 2] {
    [status(c, 0, token, e).await, status(c, 1, token, e).await]
}
