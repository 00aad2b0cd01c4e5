//! The Jumio KYX platform API over HTTP, as a Jumio client uses it: OAuth2 token, account and
//! workflow execution, acquisition with the execution's `api.token`, finalize, background
//! processing, retrieval, deletion, expiry, the callback (received by a listener started
//! here) and the cross-vendor view. Every JSON body is checked against the Jumio OpenAPI
//! document idbridge serves; request bodies are the guides' own examples where they exist.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod auth;
mod kyx;
mod ops;
mod web;

use crate::common::{Contract, TestServer, tenant};
use idbridge::config::Config;
use idbridge::model::DocumentKind;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use uuid::Uuid;

const UA: &str = "idbridge-tests JumioSuite/v1.0";
const CLIENT_A: (&str, &str) = ("test-jumio-alpha", "test-jumio-secret-alpha");
const CLIENT_B: (&str, &str) = ("test-jumio-beta", "test-jumio-secret-beta");
const NCORE_KEY_A: &str = "test-api-key-alpha";

const TOKEN: &str = "/oauth2/token";
const ACCOUNTS: &str = "/api/v1/accounts";
const ACCOUNT: &str = "/api/v1/accounts/{accountId}";
const EXECUTION: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}";
const STATUS: &str =
    "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/status";
const PART: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/{classifier}";
const PREPARED: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/PREPARED_DATA";
const ALL_PARTS: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts";
const PREFILL: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/data";
const PREFILL_ALIAS: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/prefill";
const IMAGE: &str = "/api/v1/accounts/{accountId}/credentials/{credentialId}/parts/{classifier}";

// ---------------------------------------------------------------------------------------
// Request bodies from Jumio's guides

/// api_guide.md, "Initiate Account" (the callback URL is given by each test).
fn guide_initiate_account(callback_url: &str) -> Value {
    json!({
        "customerInternalReference": "CUSTOMER_REFERENCE",
        "workflowDefinition": {
            "key": 2,
            "credentials": [
                {
                  "category": "ID",
                  "country": {
                    "predefinedType": "DEFINED",
                    "values": ["USA", "CAN", "AUT", "GBR"]
                  },
                  "type": {
                    "predefinedType": "DEFINED",
                    "values": ["DRIVING_LICENSE", "ID_CARD"]
                  }
                }
            ],
            "capabilities": {
              "watchlistScreening": {
                "additionalProperties": "string"
              }
            }
        },
        "callbackUrl": callback_url,
        "userReference": "YOUR_USER_REFERENCE",
        "userConsent": {
            "userIp": "226.80.211.232",
            "userLocation": {
                "country": "USA",
                "state": "IL"
            },
             "consent": {
              "obtained": "yes",
              "obtainedAt": "2022-07-20T17:20:35.000Z"
            }
        }
    })
}

/// api_guide.md, "Account Update" request.
fn guide_account_update() -> Value {
    json!({
        "customerInternalReference": "CUSTOMER_INTERNAL_REFERENCE",
        "workflowDefinition": {
            "key": 2,
            "credentials": [
                {
                    "category": "FACEMAP",
                    "type": {
                        "values": ["IPROOV_STANDARD", "JUMIO_STANDARD"]
                    }
                },
                {
                    "category": "ID",
                    "type": {
                        "values": ["DRIVING_LICENSE", "ID_CARD", "PASSPORT"]
                    },
                    "country": {
                        "values": ["USA", "CAN", "AUT"]
                    }
                }
            ]
        },
        "userConsent": {
            "userIp": "226.80.211.232",
            "userLocation": {
                "country": "AUT"
            }
        }
    })
}

/// workflow-descriptions-kyx.md, workflow 10005 "Initiate Account Creation".
fn guide_10005() -> Value {
    json!({
        "customerInternalReference": "CUSTOMER_REFERENCE",
        "workflowDefinition": {
            "key": 10005
        }
    })
}

/// workflow-descriptions-kyx.md, workflow 10005 "Upload Data".
fn guide_prepared_data() -> Value {
    json!({
        "suffix": "Mr.",
        "firstName": "FIRSTNAME",
        "middleName": "MIDDLENAME",
        "lastName": "LASTNAME",
        "sex": "M",
        "dateOfBirth": "1985-01-01",
        "socialSecurityNumber": "111-11-1120",
        "email": "tmp@tmp.com",
        "phoneNumber": "+231-375-9663",
        "personalNumber": "1234567890123456",
        "address": {
            "line1": "123 HIGHLAND DRIVE",
            "line2": "Line 2",
            "line3": "Line 3",
            "line4": "Line 4",
            "line5": "Line 5",
            "postalCode": "12345",
            "city": "CITY",
            "subdivision": "Indiana",
            "country": "BRA"
        },
        "id": {
            "idNumber": "ABCD12345",
            "issuingDate": "2014-02-20",
            "expiryDate": "2034-11-30",
            "type": "DRIVING_LICENSE"
        }
    })
}

/// The seed's personal-data example (its `id.expiryDate`, 2021-12-23, is in the past).
fn seed_personal_data() -> Value {
    json!({
        "suffix": "Mr, Mrs, Ms",
        "firstName": "Elroy",
        "middleName": "Percival",
        "lastName": "Jetson",
        "sex": "M",
        "dateOfBirth": "2021-12-23",
        "socialSecurityNumber": "3387462834",
        "nationality": "FRA",
        "email": "elroy.jetson@spacely.com",
        "phoneNumber": "2134445678",
        "phoneNumber2": "3109992939",
        "personalNumber": "string",
        "address": {
            "line1": "string", "line2": "string", "line3": "string", "line4": "string",
            "line5": "string", "postalCode": "90275", "city": "string",
            "subdivision": "string", "country": "string"
        },
        "id": {
            "issuingDate": "2021-12-23",
            "expiryDate": "2021-12-23",
            "idNumber": "string",
            "type": "PASSPORT",
            "subType": "TAX_ID"
        },
        "kyc": { "registrationDate": "2021-9-17", "registrationIpAddress": "8.8.8.8" }
    })
}

/// A workflow key alone, as the workflow descriptions' examples send it.
fn key_only(key: u32) -> Value {
    json!({ "customerInternalReference": "CUSTOMER_REFERENCE", "workflowDefinition": { "key": key } })
}

// ---------------------------------------------------------------------------------------
// Images

/// A PNG Jumio accepts by its header, with some bytes after it.
fn png(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let mut v = crate::common::png_header(width, height);
    v.extend((0..3000u32).map(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed)));
    v
}

/// A JPEG header (JFIF APP0, then SOF0 with the size) and some bytes.
fn jpeg(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    v.extend_from_slice(b"JFIF\0");
    v.extend_from_slice(&[1, 1, 0, 0, 1, 0, 1, 0, 0]);
    v.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    v.extend_from_slice(&(height as u16).to_be_bytes());
    v.extend_from_slice(&(width as u16).to_be_bytes());
    v.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    v.extend((0..3000u32).map(|i| (i as u8).wrapping_mul(seed)));
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

fn pdf(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.resize(len, b'x');
    v
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

// ---------------------------------------------------------------------------------------
// Client

enum Body {
    Empty,
    Json(Value),
    Text(&'static str),
    Files(Vec<Vec<u8>>),
}

/// A workflow execution as account create/update answered it.
#[derive(Clone, Debug)]
struct Exec {
    account: String,
    id: String,
    token: String,
    credentials: Vec<Value>,
}

impl Exec {
    fn from(body: &Value) -> Exec {
        let credentials = body["workflowExecution"]["credentials"]
            .as_array()
            .unwrap()
            .clone();
        let token = credentials
            .iter()
            .find_map(|c| c["api"]["token"].as_str())
            .unwrap_or_default()
            .to_owned();
        Exec {
            account: body["account"]["id"].as_str().unwrap().to_owned(),
            id: body["workflowExecution"]["id"].as_str().unwrap().to_owned(),
            token,
            credentials,
        }
    }

    fn cred(&self, category: &str) -> String {
        self.credentials
            .iter()
            .find(|c| c["category"] == category)
            .unwrap_or_else(|| panic!("no {category} credential in {:?}", self.credentials))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn path(&self) -> String {
        format!(
            "/api/v1/accounts/{}/workflow-executions/{}",
            self.account, self.id
        )
    }

    fn part(&self, credential: &str, classifier: &str) -> String {
        format!(
            "{}/credentials/{credential}/parts/{classifier}",
            self.path()
        )
    }

    fn image(&self, credential: &str, classifier: &str) -> String {
        format!(
            "/api/v1/accounts/{}/credentials/{credential}/parts/{classifier}",
            self.account
        )
    }
}

struct Jumio {
    server: TestServer,
    contract: Contract,
}

impl Jumio {
    async fn start() -> Jumio {
        Self::start_with(|_| {}).await
    }

    async fn start_with(adjust: impl FnOnce(&mut Config)) -> Jumio {
        Jumio {
            server: TestServer::start_with(adjust).await,
            contract: Contract::of("jumio"),
        }
    }

    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            self.server.url(path_or_url)
        }
    }

    /// Sends with a User-Agent and, when given, a bearer token; checks a JSON answer against
    /// the contract (an empty body is `Null` and is not checked).
    async fn send(
        &self,
        method: Method,
        path: &str,
        template: &str,
        bearer: Option<&str>,
        body: Body,
    ) -> (StatusCode, Value) {
        self.send_as(method, path, template, bearer, Some(UA), body)
            .await
    }

    async fn send_as(
        &self,
        method: Method,
        path: &str,
        template: &str,
        bearer: Option<&str>,
        user_agent: Option<&str>,
        body: Body,
    ) -> (StatusCode, Value) {
        let mut req = self
            .server
            .client
            .request(method.clone(), self.url(path))
            .header("accept", "application/json");
        if let Some(ua) = user_agent {
            req = req.header("user-agent", ua);
        }
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        req = match body {
            Body::Empty => req,
            Body::Json(v) => req.json(&v),
            Body::Text(t) => req.header("content-type", "application/json").body(t),
            Body::Files(files) => {
                let mut form = Form::new();
                for (i, f) in files.into_iter().enumerate() {
                    form = form.part("file", Part::bytes(f).file_name(format!("part-{i}")));
                }
                req.multipart(form)
            }
        };
        self.answer(req, method.as_str(), template).await
    }

    async fn answer(
        &self,
        req: reqwest::RequestBuilder,
        method: &str,
        template: &str,
    ) -> (StatusCode, Value) {
        let res = req.send().await.unwrap();
        let status = res.status();
        let bytes = res.bytes().await.unwrap();
        if bytes.is_empty() {
            return (status, Value::Null);
        }
        let value: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "{method} {template} {status}: not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        // An empty template: the caller checks (after asserting the status).
        if !template.is_empty() {
            self.contract
                .check(method, template, status.as_u16(), &value);
        }
        (status, value)
    }

    /// `POST /oauth2/token` with HTTP Basic credentials and a form body.
    async fn token_request(
        &self,
        basic: Option<(&str, &str)>,
        form: &str,
        user_agent: bool,
    ) -> (StatusCode, Value) {
        let mut req = self
            .server
            .client
            .post(self.server.url(TOKEN))
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned());
        if user_agent {
            req = req.header("user-agent", UA);
        }
        if let Some((id, secret)) = basic {
            req = req.basic_auth(id, Some(secret));
        }
        self.answer(req, "POST", TOKEN).await
    }

    async fn access(&self, client: (&str, &str)) -> String {
        let (status, body) = self
            .token_request(Some(client), "grant_type=client_credentials", true)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn create(&self, access: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            Method::POST,
            ACCOUNTS,
            ACCOUNTS,
            Some(access),
            Body::Json(body),
        )
        .await
    }

    async fn open(&self, access: &str, body: Value) -> Exec {
        let (status, created) = self.create(access, body).await;
        assert_eq!(status, StatusCode::OK, "{created}");
        Exec::from(&created)
    }

    async fn reopen(&self, access: &str, account: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            Method::PUT,
            &format!("/api/v1/accounts/{account}"),
            ACCOUNT,
            Some(access),
            Body::Json(body),
        )
        .await
    }

    async fn part(
        &self,
        e: &Exec,
        method: Method,
        credential: &str,
        classifier: &str,
        files: Vec<Vec<u8>>,
    ) -> (StatusCode, Value) {
        self.send(
            method,
            &e.part(credential, classifier),
            PART,
            Some(&e.token),
            Body::Files(files),
        )
        .await
    }

    async fn add(&self, e: &Exec, credential: &str, classifier: &str, file: Vec<u8>) -> Value {
        let (status, body) = self
            .part(e, Method::POST, credential, classifier, vec![file])
            .await;
        assert_eq!(status, StatusCode::OK, "{classifier}: {body}");
        body
    }

    async fn delete(&self, token: &str, path: &str, template: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, template, Some(token), Body::Empty)
            .await
    }

    async fn prefill(&self, e: &Exec, credential: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            Method::PUT,
            &format!("{}/credentials/{credential}/data", e.path()),
            PREFILL,
            Some(&e.token),
            Body::Json(body),
        )
        .await
    }

    async fn prepared(&self, e: &Exec, body: Value) -> (StatusCode, Value) {
        self.send(
            Method::POST,
            &e.part(&e.cred("DATA"), "PREPARED_DATA"),
            PREPARED,
            Some(&e.token),
            Body::Json(body),
        )
        .await
    }

    async fn finalize(&self, e: &Exec) -> (StatusCode, Value) {
        self.send(
            Method::PUT,
            &e.path(),
            EXECUTION,
            Some(&e.token),
            Body::Empty,
        )
        .await
    }

    async fn status(&self, access: &str, e: &Exec) -> (StatusCode, Value) {
        self.send(
            Method::GET,
            &format!("{}/status", e.path()),
            STATUS,
            Some(access),
            Body::Empty,
        )
        .await
    }

    async fn status_of(&self, access: &str, e: &Exec) -> String {
        let (status, body) = self.status(access, e).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["workflowExecution"]["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn details(&self, access: &str, e: &Exec) -> (StatusCode, Value) {
        self.send(Method::GET, &e.path(), EXECUTION, Some(access), Body::Empty)
            .await
    }

    /// Polls the status until PROCESSED (30 s at most), then answers the details.
    async fn processed(&self, access: &str, e: &Exec) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let status = self.status_of(access, e).await;
            if status == "PROCESSED" {
                break;
            }
            assert_eq!(status, "ACQUIRED", "a finalized execution reads {status}");
            assert!(
                Instant::now() < deadline,
                "the execution was not processed within 30 s"
            );
            // Each status request yields to the runtime, where processing runs.
            tokio::task::yield_now().await;
        }
        let (status, details) = self.details(access, e).await;
        assert_eq!(status, StatusCode::OK);
        details
    }

    /// `GET` of a stored part's image: status and bytes.
    async fn image(&self, access: &str, path_or_url: &str) -> (StatusCode, Vec<u8>) {
        let res = self
            .server
            .client
            .get(self.url(path_or_url))
            .header("user-agent", UA)
            .bearer_auth(access)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let bytes = res.bytes().await.unwrap().to_vec();
        if !status.is_success() {
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            self.contract.check("GET", IMAGE, status.as_u16(), &v);
        }
        (status, bytes)
    }

    /// Moves a stored execution's expiry into the past (as if its token lifetime or
    /// session had run out), through the store.
    async fn expire(&self, e: &Exec) {
        let t = tenant("alpha");
        let p = self
            .server
            .store
            .get_process(&t, e.id.parse().unwrap())
            .await
            .unwrap();
        let now = chrono::Utc::now();
        self.server
            .store
            .update_process_data(
                &t,
                &p,
                now,
                &p.data,
                Some(now - chrono::Duration::seconds(1)),
            )
            .await
            .unwrap();
    }
}

/// Asserts Jumio's error body with this status; answers its `field`.
fn error(answer: &(StatusCode, Value), want: u16) -> Option<String> {
    let (status, body) = answer;
    assert_eq!(status.as_u16(), want, "{body}");
    assert_eq!(body["status"], want, "{body}");
    assert_eq!(
        body["error"].as_str(),
        status.canonical_reason(),
        "error is the reason phrase: {body}"
    );
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    timestamp(&body["timestamp"]);
    body.get("field").map(|f| f.as_str().unwrap().to_owned())
}

fn field(answer: &(StatusCode, Value), want: u16) -> String {
    error(answer, want).unwrap_or_else(|| panic!("no field in {}", answer.1))
}

/// Jumio's timestamps: `YYYY-MM-DDThh:mm:ss.SSSZ`.
fn timestamp(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a timestamp: {v}"));
    assert!(
        s.len() == 24 && s.ends_with('Z') && s.as_bytes()[19] == b'.',
        "not YYYY-MM-DDThh:mm:ss.SSSZ: {s}"
    );
    chrono::DateTime::parse_from_rfc3339(s).unwrap();
}

/// The decision of capability `name`'s results, as `(type, label)`.
fn decisions(details: &Value, name: &str) -> Vec<(String, String)> {
    details["capabilities"][name]
        .as_array()
        .unwrap_or_else(|| panic!("no {name} capability: {details}"))
        .iter()
        .map(|r| {
            (
                r["decision"]["type"].as_str().unwrap().to_owned(),
                r["decision"]["details"]["label"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect()
}

fn pair(kind: &str, label: &str) -> (String, String) {
    (kind.to_owned(), label.to_owned())
}

// ---------------------------------------------------------------------------------------
// Callback listener

/// A callback receiver on 127.0.0.1: answers each POST with the next scripted status
/// (then 200) and hands over (arrival, headers, body).
struct Listener {
    url: String,
    hits: mpsc::UnboundedReceiver<(Instant, axum::http::HeaderMap, Value)>,
}

impl Listener {
    async fn start(answers: Vec<u16>) -> Listener {
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/cb", socket.local_addr().unwrap());
        let (tx, hits) = mpsc::unbounded_channel();
        let count = Arc::new(AtomicUsize::new(0));
        let answers = Arc::new(answers);
        let app = axum::Router::new().route(
            "/cb",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let (tx, count, answers) = (tx.clone(), count.clone(), answers.clone());
                    async move {
                        let n = count.fetch_add(1, Ordering::SeqCst);
                        let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        let _ = tx.send((Instant::now(), headers, value));
                        axum::http::StatusCode::from_u16(answers.get(n).copied().unwrap_or(200))
                            .unwrap()
                    }
                },
            ),
        );
        tokio::spawn(async move {
            let _ = axum::serve(socket, app).await;
        });
        Listener { url, hits }
    }

    /// The next callback, within `secs` seconds.
    async fn next(&mut self, secs: u64) -> (Instant, axum::http::HeaderMap, Value) {
        tokio::time::timeout(Duration::from_secs(secs), self.hits.recv())
            .await
            .unwrap_or_else(|_| panic!("no callback arrived within {secs} s"))
            .unwrap()
    }
}

/// Asserts a callback body: the guide's shape, for this execution and status.
fn assert_callback(j: &Jumio, body: &Value, e: &Exec, key: &str, status: &str) {
    timestamp(&body["callbackSentAt"]);
    assert_eq!(
        body["workflowExecution"],
        json!({
            "id": e.id,
            "href": j.server.url(&e.path()),
            "definitionKey": key,
            "status": status,
        }),
        "{body}"
    );
    assert_eq!(
        body["account"],
        json!({"id": e.account, "href": j.server.url(&format!("/api/v1/accounts/{}", e.account))}),
        "{body}"
    );
}

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

// ---------------------------------------------------------------------------------------
// Acquisition, finalize, processing, retrieval

#[tokio::test]
async fn an_id_is_uploaded_finalized_processed_and_read_back() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let cred = e.cred("ID");
    let api = &e.credentials[0]["api"];
    let (front, back, front2) = (png(1200, 800, 3), jpeg(1200, 800, 5), png(1600, 1000, 9));

    // Upload through the URLs handed out.
    let (status, up) = j
        .send(
            Method::POST,
            api["parts"]["front"].as_str().unwrap(),
            PART,
            Some(&e.token),
            Body::Files(vec![front.clone()]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{up}");
    timestamp(&up["timestamp"]);
    assert_eq!(up["account"], json!({"id": e.account}));
    assert_eq!(up["workflowExecution"], json!({"id": e.id}));
    assert_eq!(up["credential"], json!({"id": cred}));
    let part_id = up["part"]["id"].as_str().unwrap();
    Uuid::parse_str(part_id).unwrap();
    assert_eq!(up["api"]["token"], e.token.as_str());
    assert_eq!(up["api"]["parts"], api["parts"]);
    assert_eq!(up["api"]["workflowExecution"], api["workflowExecution"]);
    // Adding it again is a conflict; PUT replaces it.
    let again = j
        .part(&e, Method::POST, &cred, "FRONT", vec![front2.clone()])
        .await;
    error(&again, 409);
    let (status, replaced) = j
        .part(&e, Method::PUT, &cred, "FRONT", vec![front2.clone()])
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_ne!(replaced["part"]["id"], part_id);
    let (status, up) = j
        .send(
            Method::POST,
            api["parts"]["back"].as_str().unwrap(),
            PART,
            Some(&e.token),
            Body::Files(vec![back.clone()]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{up}");

    assert_eq!(j.status_of(&access, &e).await, "INITIATED");
    let (_, details) = j.details(&access, &e).await;
    timestamp(&details["startedAt"]);
    assert_eq!(
        details["credentials"],
        json!([{"id": cred, "category": "ID", "parts": [
            {"classifier": "FRONT", "href": j.server.url(&e.image(&cred, "FRONT"))},
            {"classifier": "BACK", "href": j.server.url(&e.image(&cred, "BACK"))},
        ]}])
    );

    let (status, fin) = j
        .send(
            Method::PUT,
            api["workflowExecution"].as_str().unwrap(),
            EXECUTION,
            Some(&e.token),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fin}");
    timestamp(&fin["timestamp"]);
    assert_eq!(fin["account"], json!({"id": e.account}));
    assert_eq!(fin["workflowExecution"], json!({"id": e.id}));

    let details = j.processed(&access, &e).await;
    assert_eq!(details["workflow"]["status"], "PROCESSED");
    timestamp(&details["completedAt"]);
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}})
    );
    assert_eq!(decisions(&details, "usability"), [pair("PASSED", "OK")]);
    assert_eq!(
        details["capabilities"]["usability"][0]["credentials"],
        json!([{"id": cred, "category": "ID"}])
    );
    for name in ["imageChecks", "extraction"] {
        assert_eq!(
            decisions(&details, name),
            [pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")],
            "{name}"
        );
    }
    // No expiry is known: the expiry check could not run.
    assert_eq!(
        decisions(&details, "dataChecks"),
        [pair("NOT_EXECUTED", "PRECONDITION_NOT_FULFILLED")]
    );
    assert!(details["capabilities"].get("liveness").is_none());

    // The images come back byte for byte, FRONT as replaced.
    for (part, want) in details["credentials"][0]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .zip([&front2, &back])
    {
        let (status, bytes) = j.image(&access, part["href"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sha(&bytes), sha(want), "{}", part["classifier"]);
    }
    let (status, _) = j.image(&access, &e.image(&cred, "FACE")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = j
        .image(&access, &e.image(&Uuid::now_v7().to_string(), "FRONT"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Once finalized, the acquisition calls are closed.
    error(
        &j.part(&e, Method::POST, &cred, "FRONT", vec![png(900, 600, 1)])
            .await,
        409,
    );
    error(
        &j.part(&e, Method::PUT, &cred, "FRONT", vec![png(900, 600, 1)])
            .await,
        409,
    );
    error(
        &j.send(
            Method::DELETE,
            &e.part(&cred, "FRONT"),
            PART,
            Some(&e.token),
            Body::Empty,
        )
        .await,
        409,
    );
    error(&j.finalize(&e).await, 409);
    assert_eq!(j.status_of(&access, &e).await, "PROCESSED");
}

#[tokio::test]
async fn part_files_are_checked_by_content_size_and_dimensions() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(3)).await;
    let id = e.cred("ID");
    let put = |file: Vec<u8>| j.part(&e, Method::PUT, &id, "FRONT", vec![file]);

    let gif = b"GIF89a\x40\x01\xf0\x00rest-of-a-gif".to_vec();
    assert_eq!(field(&put(gif).await, 415), "file");
    assert_eq!(field(&put(pdf(2000)).await, 415), "file");
    assert_eq!(field(&put(b"just text".to_vec()).await, 415), "file");
    assert_eq!(field(&put(png(8001, 400, 1)).await, 400), "file");
    assert_eq!(field(&put(png(400, 8001, 1)).await, 400), "file");
    assert_eq!(field(&put(png(300, 300, 1)).await, 400), "file");
    assert_eq!(field(&put(jpeg(200, 300, 1)).await, 400), "file");
    // 15 MB is the limit, exactly.
    let mut big = crate::common::png_header(1000, 1000);
    big.resize(15_000_001, 7);
    assert_eq!(field(&put(big.clone()).await, 413), "file");
    // Nothing refused was stored.
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]), "{details}");

    big.truncate(15_000_000);
    let (status, body) = put(big.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, got) = j.image(&access, &e.image(&id, "FRONT")).await;
    assert_eq!(sha(&got), sha(&big));
    for ok in [png(301, 100, 2), jpeg(100, 301, 2), png(8000, 8000, 2)] {
        let (status, body) = put(ok.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, got) = j.image(&access, &e.image(&id, "FRONT")).await;
        assert_eq!(sha(&got), sha(&ok));
    }

    // Classifiers follow the credential's category.
    let selfie = e.cred("SELFIE");
    let facemap = e.cred("FACEMAP");
    for (credential, classifier) in [
        (&id, "FACE"),
        (&id, "DOCUMENT"),
        (&id, "front"),
        (&selfie, "FRONT"),
        (&facemap, "FACEMAP"),
        (&facemap, "FACE"),
    ] {
        let res = j
            .part(
                &e,
                Method::POST,
                credential,
                classifier,
                vec![png(900, 600, 1)],
            )
            .await;
        assert_eq!(field(&res, 400), "classifier", "{classifier}");
    }
    let res = j
        .send(
            Method::POST,
            &e.part(&id, "PREPARED_DATA"),
            PREPARED,
            Some(&e.token),
            Body::Json(guide_prepared_data()),
        )
        .await;
    assert_eq!(field(&res, 400), "classifier");
    let res = j
        .part(
            &e,
            Method::POST,
            &Uuid::now_v7().to_string(),
            "FRONT",
            vec![png(900, 600, 1)],
        )
        .await;
    error(&res, 404);
    // A form without a `file` part.
    let res = j
        .send(
            Method::POST,
            &e.part(&selfie, "FACE"),
            PART,
            Some(&e.token),
            Body::Files(vec![]),
        )
        .await;
    assert_eq!(field(&res, 400), "file");
    j.add(&e, &selfie, "FACE", jpeg(640, 480, 4)).await;
}

#[tokio::test]
async fn tokens_open_only_what_they_are_for() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let a = j.open(&access, key_only(2)).await;
    let b = j.open(&access, key_only(2)).await;
    let (status, body) = j.reopen(&access, &a.account, key_only(2)).await;
    assert_eq!(status, StatusCode::OK);
    let a2 = Exec::from(&body);

    // A's api.token on B's execution, and on a second execution of A's own account.
    let a_on_b = Exec {
        token: a.token.clone(),
        ..b.clone()
    };
    error(
        &j.part(
            &a_on_b,
            Method::POST,
            &b.cred("ID"),
            "FRONT",
            vec![png(900, 600, 1)],
        )
        .await,
        404,
    );
    error(&j.finalize(&a_on_b).await, 404);
    let a_on_a2 = Exec {
        token: a.token.clone(),
        ..a2.clone()
    };
    error(
        &j.part(
            &a_on_a2,
            Method::POST,
            &a2.cred("ID"),
            "FRONT",
            vec![png(900, 600, 1)],
        )
        .await,
        404,
    );
    // A's api.token with A's execution but B's credential.
    error(
        &j.part(
            &a,
            Method::POST,
            &b.cred("ID"),
            "FRONT",
            vec![png(900, 600, 1)],
        )
        .await,
        404,
    );
    // Another tenant's access token finds none of A's acquisition (its own tenant's access
    // token opens it: see `an_access_token_opens_its_tenants_credential_calls`); the
    // api.token opens nothing else.
    let beta_on_a = Exec {
        token: j.access(CLIENT_B).await,
        ..a.clone()
    };
    error(
        &j.part(
            &beta_on_a,
            Method::POST,
            &a.cred("ID"),
            "FRONT",
            vec![png(900, 600, 1)],
        )
        .await,
        404,
    );
    error(&j.finalize(&beta_on_a).await, 404);
    error(&j.create(&a.token, key_only(2)).await, 401);
    error(&j.reopen(&a.token, &a.account, key_only(2)).await, 401);
    error(&j.status(&a.token, &a).await, 401);
    error(&j.details(&a.token, &a).await, 401);
    let (status, _) = j.image(&a.token, &a.image(&a.cred("ID"), "FRONT")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Without a User-Agent nothing opens.
    let no_agent = j
        .send_as(
            Method::POST,
            &a.part(&a.cred("ID"), "FRONT"),
            PART,
            Some(&a.token),
            None,
            Body::Files(vec![png(900, 600, 1)]),
        )
        .await;
    error(&no_agent, 403);
    let no_agent = j
        .send_as(
            Method::GET,
            &format!("{}/status", a.path()),
            STATUS,
            Some(&access),
            None,
            Body::Empty,
        )
        .await;
    error(&no_agent, 403);
    // Nothing was stored by any of it.
    let (_, details) = j.details(&access, &b).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]));
    // Each token works where it belongs.
    j.add(&a, &a.cred("ID"), "FRONT", png(900, 600, 1)).await;
    j.add(&a2, &a2.cred("ID"), "FRONT", png(900, 600, 2)).await;
}

#[tokio::test]
async fn parts_and_pages_are_deleted_and_documents_take_pages_or_one_pdf() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    let front = j.add(&e, &id, "FRONT", png(900, 600, 1)).await;
    let (status, gone) = j.delete(&e.token, &e.part(&id, "FRONT"), PART).await;
    assert_eq!(status, StatusCode::OK, "{gone}");
    assert_eq!(gone["part"], front["part"]);
    assert_eq!(gone["credential"], json!({"id": id}));
    error(&j.delete(&e.token, &e.part(&id, "FRONT"), PART).await, 404);
    let (status, _) = j.image(&access, &e.image(&id, "FRONT")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // FRONT and BACK, then all parts of the credential at once.
    j.add(&e, &id, "FRONT", png(900, 600, 2)).await;
    j.add(&e, &id, "BACK", png(900, 600, 3)).await;
    let all_parts = format!("{}/credentials/{id}/parts", e.path());
    let (status, all) = j.delete(&e.token, &all_parts, ALL_PARTS).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["credential"], json!({"id": id}));
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]));
    assert_eq!(
        field(&j.finalize(&e).await, 400),
        format!("credentials[{id}].parts.FRONT")
    );

    // A DOCUMENT credential: pages, several per call, in order.
    let (status, body) = j
        .reopen(
            &access,
            &e.account,
            json!({
                "customerInternalReference": "CUSTOMER_REFERENCE",
                "workflowDefinition": {"key": 2, "credentials": [{"category": "DOCUMENT"}]}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let d = Exec::from(&body);
    let doc = d.cred("DOCUMENT");
    // Seed 004's document upload takes no classifier: the credential's parts.
    assert_eq!(
        d.credentials[0]["api"]["parts"],
        json!({"document": j.server.url(&format!("{}/credentials/{doc}/parts", d.path()))})
    );
    assert_eq!(
        field(&j.finalize(&d).await, 400),
        format!("credentials[{doc}].parts.DOCUMENT")
    );
    let pages = [png(900, 1200, 1), jpeg(900, 1200, 2), png(900, 1200, 3)];
    let (status, body) = j
        .part(&d, Method::POST, &doc, "DOCUMENT", pages[..2].to_vec())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["credential"], json!({"id": doc}));
    let (status, body) = j
        .part(&d, Method::POST, &doc, "DOCUMENT", vec![pages[2].clone()])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (n, page) in pages.iter().enumerate() {
        let (status, got) = j
            .image(&access, &d.image(&doc, &format!("PAGE_{}", n + 1)))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sha(&got), sha(page), "PAGE_{}", n + 1);
    }
    // A PDF is the whole document: not next to pages.
    let res = j
        .part(&d, Method::POST, &doc, "DOCUMENT", vec![pdf(5000)])
        .await;
    assert_eq!(field(&res, 400), "file");
    for classifier in ["FRONT", "PAGE_1"] {
        let res = j
            .part(&d, Method::POST, &doc, classifier, vec![png(900, 600, 1)])
            .await;
        assert_eq!(field(&res, 400), "classifier", "{classifier}");
    }
    let res = j
        .part(&e, Method::POST, &id, "DOCUMENT", vec![png(900, 600, 1)])
        .await;
    assert_eq!(field(&res, 400), "classifier", "DOCUMENT on an ID");
    // One page deleted by its classifier, then all of them.
    let (status, _) = j
        .send(
            Method::DELETE,
            &d.part(&doc, "PAGE_3"),
            PART,
            Some(&d.token),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = j.image(&access, &d.image(&doc, "PAGE_3")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = j
        .send(
            Method::DELETE,
            &format!("{}/credentials/{doc}/parts", d.path()),
            ALL_PARTS,
            Some(&d.token),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, details) = j.details(&access, &d).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]));
    // A PDF alone; two PDFs in one call are refused.
    let res = j
        .part(
            &d,
            Method::POST,
            &doc,
            "DOCUMENT",
            vec![pdf(4000), pdf(4000)],
        )
        .await;
    assert_eq!(field(&res, 400), "file");
    let statement = pdf(6000);
    let (status, body) = j
        .part(&d, Method::POST, &doc, "DOCUMENT", vec![statement.clone()])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let res = j
        .part(&d, Method::POST, &doc, "DOCUMENT", vec![png(900, 600, 1)])
        .await;
    assert_eq!(field(&res, 400), "file", "a page after the PDF");
    let (status, fin) = j.finalize(&d).await;
    assert_eq!(status, StatusCode::OK, "{fin}");
    let details = j.processed(&access, &d).await;
    // Page numbers are never reused, even after every page was deleted.
    assert_eq!(
        details["credentials"][0]["parts"],
        json!([{"classifier": "PAGE_4", "href": j.server.url(&d.image(&doc, "PAGE_4"))}])
    );
    assert_eq!(decisions(&details, "usability"), [pair("PASSED", "OK")]);
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}}),
        "presence and format alone are no pass: workflow 2's other capabilities did not run"
    );
    for name in ["imageChecks", "extraction", "dataChecks"] {
        assert_eq!(
            decisions(&details, name),
            [pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")],
            "{name}"
        );
    }
    let (_, got) = j.image(&access, &d.image(&doc, "PAGE_4")).await;
    assert_eq!(sha(&got), sha(&statement));
}

#[tokio::test]
async fn finalize_requires_the_parts_each_credential_needs() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(3)).await;
    let (id, selfie) = (e.cred("ID"), e.cred("SELFIE"));
    let missing = |part: &str, cred: &str| format!("credentials[{cred}].parts.{part}");
    assert_eq!(field(&j.finalize(&e).await, 400), missing("FRONT", &id));
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    assert_eq!(field(&j.finalize(&e).await, 400), missing("BACK", &id));
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    assert_eq!(field(&j.finalize(&e).await, 400), missing("FACE", &selfie));
    assert_eq!(j.status_of(&access, &e).await, "INITIATED");
    let face = jpeg(720, 960, 3);
    j.add(&e, &selfie, "FACE", face.clone()).await;
    // FACEMAP cannot come through the API and is not required.
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}})
    );
    let usability: Vec<(String, String)> = decisions(&details, "usability");
    assert_eq!(
        usability,
        [
            pair("PASSED", "OK"),
            pair("PASSED", "OK"),
            pair("NOT_EXECUTED", "NOT_UPLOADED")
        ]
    );
    for name in ["liveness", "similarity"] {
        assert!(
            decisions(&details, name)
                .iter()
                .all(|d| *d == pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")),
            "{name}: {details}"
        );
    }
    let face_part = details["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "SELFIE")
        .unwrap()["parts"]
        .clone();
    assert_eq!(
        face_part,
        json!([{"classifier": "FACE", "href": j.server.url(&e.image(&selfie, "FACE"))}])
    );
    let (_, got) = j.image(&access, &e.image(&selfie, "FACE")).await;
    assert_eq!(sha(&got), sha(&face));

    // A passport needs its FRONT only.
    let (status, body) = j.reopen(&access, &e.account, key_only(2)).await;
    assert_eq!(status, StatusCode::OK);
    let p = Exec::from(&body);
    let pid = p.cred("ID");
    let (status, body) = j
        .prefill(
            &p,
            &pid,
            json!({"id": {"idNumber": "X1234567", "expiryDate": "2034-11-30", "type": "PASSPORT"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    j.add(&p, &pid, "FRONT", png(1000, 700, 4)).await;
    let (status, body) = j.finalize(&p).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &p).await;
    assert_eq!(decisions(&details, "usability"), [pair("PASSED", "OK")]);
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("PASSED", "OK")]
    );
    assert_eq!(
        details["capabilities"]["declaredDataChecks"][0]["data"],
        json!({"type": "PASSPORT", "expiryDate": "2034-11-30"})
    );
    // Jumio's dataChecks check extracted data, and extraction did not run.
    assert_eq!(
        decisions(&details, "dataChecks"),
        [pair("NOT_EXECUTED", "PRECONDITION_NOT_FULFILLED")]
    );
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}})
    );
}

#[tokio::test]
async fn the_seeds_prefill_sets_the_document_and_its_past_expiry_rejects() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(3)).await;
    let id = e.cred("ID");
    for (patch, name) in [
        (json!({"sex": "Q"}), "sex"),
        (json!({"dateOfBirth": "1990-13-01"}), "dateOfBirth"),
        (json!({"dateOfBirth": "23.12.1990"}), "dateOfBirth"),
        (json!({"nationality": "FR"}), "nationality"),
        (json!({"id": {"type": "LIBRARY_CARD"}}), "id.type"),
        (json!({"id": {"expiryDate": "2031/12/23"}}), "id.expiryDate"),
    ] {
        let mut body = json!({"firstName": "Elroy"});
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        assert_eq!(field(&j.prefill(&e, &id, body).await, 400), name);
    }
    assert_eq!(
        field(
            &j.prefill(&e, &e.cred("SELFIE"), seed_personal_data()).await,
            400
        ),
        "credentialId"
    );
    let (status, body) = j.prefill(&e, &id, seed_personal_data()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["credential"], json!({"id": id}));
    assert_eq!(body["api"]["token"], e.token.as_str());
    let doc = j
        .server
        .store
        .get_document(&tenant("alpha"), id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(doc.kind, DocumentKind::Passport);
    assert_eq!(doc.number.as_deref(), Some("string"));
    assert_eq!(
        doc.expires_on,
        chrono::NaiveDate::from_ymd_opt(2021, 12, 23)
    );
    assert_eq!(doc.personal.first_name.as_deref(), Some("Elroy"));

    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &e.cred("SELFIE"), "FACE", png(700, 1000, 2))
        .await;
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        details["decision"],
        json!({"type": "REJECTED", "details": {"label": "REJECTED"}})
    );
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("REJECTED", "DOCUMENT_EXPIRED")]
    );
    assert_eq!(
        details["capabilities"]["declaredDataChecks"][0]["data"],
        json!({"type": "PASSPORT", "expiryDate": "2021-12-23"})
    );
}

#[tokio::test]
async fn the_guides_prepared_data_is_checked_for_completeness() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_10005()).await;
    let data = e.cred("DATA");
    let url = e.credentials[0]["api"]["parts"]["prepared_data"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        field(&j.finalize(&e).await, 400),
        format!("credentials[{data}].parts.PREPARED_DATA")
    );
    let mut bad = guide_prepared_data();
    bad["dateOfBirth"] = json!("01/01/1985");
    assert_eq!(field(&j.prepared(&e, bad).await, 400), "dateOfBirth");
    let mut bad = guide_prepared_data();
    bad["dateOfBirth"] = json!("2999-01-01");
    assert_eq!(field(&j.prepared(&e, bad).await, 400), "dateOfBirth");
    error(
        &j.send(
            Method::POST,
            &url,
            PREPARED,
            Some(&e.token),
            Body::Text("{\"firstName\":"),
        )
        .await,
        400,
    );
    let (status, body) = j
        .send(
            Method::POST,
            &url,
            PREPARED,
            Some(&e.token),
            Body::Json(guide_prepared_data()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["credential"], json!({"id": data}));
    assert_eq!(body["api"]["parts"], json!({"prepared_data": url}));
    // The `id` section became a canonical document of the account.
    let docs = j
        .server
        .store
        .list_documents(&tenant("alpha"), e.account.parse().unwrap())
        .await
        .unwrap();
    let licence = docs
        .iter()
        .find(|d| d.number.as_deref() == Some("ABCD12345"))
        .expect("the prepared data's id section is a document");
    assert_eq!(licence.kind, DocumentKind::DrivingLicence);
    assert_eq!(
        licence.expires_on,
        chrono::NaiveDate::from_ymd_opt(2034, 11, 30)
    );
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("PASSED", "OK")]
    );
    // Workflow 10005 exists for a CPF validation, which idbridge does not perform: it is
    // reported as not executed, so the whole is a warning, never a pass.
    assert_eq!(
        decisions(&details, "braCpfValidation"),
        [pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")]
    );
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}})
    );
    assert_eq!(details["workflow"]["definitionKey"], "10005");

    // Without a last name and a date of birth: rejected for missing data points.
    let (status, body) = j.reopen(&access, &e.account, guide_10005()).await;
    assert_eq!(status, StatusCode::OK);
    let incomplete = Exec::from(&body);
    let (status, body) = j
        .prepared(
            &incomplete,
            json!({"firstName": "FIRSTNAME", "email": "tmp@tmp.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = j.finalize(&incomplete).await;
    assert_eq!(status, StatusCode::OK);
    let details = j.processed(&access, &incomplete).await;
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("REJECTED", "MISSING_MANDATORY_DATAPOINTS")]
    );
    assert_eq!(
        details["decision"],
        json!({"type": "REJECTED", "details": {"label": "REJECTED"}})
    );
}

/// `DELETE …/parts/PREPARED_DATA` is served by the part deletion (its classifier list
/// names PREPARED_DATA) and removes the prepared data.
#[tokio::test]
async fn prepared_data_is_deleted_like_a_part() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_10005()).await;
    let data = e.cred("DATA");
    let (status, _) = j
        .send(
            Method::POST,
            &e.part(&data, "PREPARED_DATA"),
            PREPARED,
            Some(&e.token),
            Body::Json(guide_prepared_data()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = j
        .send(
            Method::DELETE,
            &e.part(&data, "PREPARED_DATA"),
            "",
            Some(&e.token),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    j.contract.check("DELETE", PART, 200, &body);
    assert_eq!(body["credential"], json!({"id": data}));
    assert_eq!(
        field(&j.finalize(&e).await, 400),
        format!("credentials[{data}].parts.PREPARED_DATA")
    );
}

// ---------------------------------------------------------------------------------------
// Deletion

#[tokio::test]
async fn executions_and_accounts_are_deleted_for_good() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let t = tenant("alpha");
    let e = j.open(&access, key_only(3)).await;
    let (id, selfie) = (e.cred("ID"), e.cred("SELFIE"));
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &selfie, "FACE", png(700, 1000, 2)).await;
    let (status, body) = j.reopen(&access, &e.account, key_only(2)).await;
    assert_eq!(status, StatusCode::OK);
    let other = Exec::from(&body);
    j.add(&other, &other.cred("ID"), "FRONT", png(1000, 700, 3))
        .await;

    let (status, body) = j
        .send(
            Method::DELETE,
            &e.path(),
            EXECUTION,
            Some(&access),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    error(&j.status(&access, &e).await, 404);
    error(&j.details(&access, &e).await, 404);
    error(
        &j.send(
            Method::DELETE,
            &e.path(),
            EXECUTION,
            Some(&access),
            Body::Empty,
        )
        .await,
        404,
    );
    for doc in [&id, &selfie] {
        assert!(
            j.server
                .store
                .get_document(&t, doc.parse().unwrap())
                .await
                .is_err(),
            "the credential's document is still stored"
        );
    }
    assert!(
        j.server
            .store
            .get_process(&t, e.id.parse().unwrap())
            .await
            .is_err()
    );
    let (status, _) = j.image(&access, &e.image(&id, "FRONT")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    error(
        &j.part(&e, Method::POST, &id, "BACK", vec![png(1000, 700, 1)])
            .await,
        401,
    );
    // The other execution of the account is untouched.
    let files = j
        .server
        .store
        .list_files(&t, e.account.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(files.len(), 1, "only the other execution's FRONT is left");
    assert_eq!(j.status_of(&access, &other).await, "INITIATED");

    let account = format!("/api/v1/accounts/{}", e.account);
    let (status, body) = j
        .send(
            Method::DELETE,
            &account,
            ACCOUNT,
            Some(&access),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        j.server
            .store
            .get_subject(&t, e.account.parse().unwrap())
            .await
            .is_err()
    );
    error(&j.status(&access, &other).await, 404);
    error(&j.reopen(&access, &e.account, key_only(2)).await, 404);
    error(
        &j.send(
            Method::DELETE,
            &account,
            ACCOUNT,
            Some(&access),
            Body::Empty,
        )
        .await,
        404,
    );
    error(&j.finalize(&other).await, 401);
    let (status, _) = j
        .image(&access, &other.image(&other.cred("ID"), "FRONT"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------
// Expiry and callbacks

#[tokio::test]
async fn expired_executions_read_token_or_session_expired_and_close() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let untouched = j.open(&access, key_only(2)).await;
    let started = j.open(&access, key_only(2)).await;
    j.add(&started, &started.cred("ID"), "FRONT", png(1000, 700, 1))
        .await;
    j.expire(&untouched).await;
    j.expire(&started).await;
    assert_eq!(j.status_of(&access, &untouched).await, "TOKEN_EXPIRED");
    assert_eq!(j.status_of(&access, &started).await, "SESSION_EXPIRED");
    let (_, details) = j.details(&access, &started).await;
    assert_eq!(details["workflow"]["status"], "SESSION_EXPIRED");
    for e in [&untouched, &started] {
        error(
            &j.part(
                e,
                Method::PUT,
                &e.cred("ID"),
                "BACK",
                vec![png(1000, 700, 2)],
            )
            .await,
            409,
        );
        error(&j.finalize(e).await, 409);
    }
    // What was uploaded before the expiry is still there to read.
    let (status, _) = j
        .image(&access, &started.image(&started.cred("ID"), "FRONT"))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_callback_announces_the_processed_execution() {
    let j = Jumio::start().await;
    let mut listener = Listener::start(vec![]).await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_initiate_account(&listener.url)).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    let (status, _) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK);
    let (_, headers, body) = listener.next(20).await;
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    assert!(
        header("content-type").starts_with("application/json"),
        "{headers:?}"
    );
    // The callback names idbridge, as Jumio asks its own clients to name themselves.
    let agent = header("user-agent");
    assert!(
        agent.starts_with("idbridge/") && agent.contains("Jumio callback"),
        "{agent}"
    );
    assert_callback(&j, &body, &e, "2", "PROCESSED");
    assert_eq!(body["userReference"], "YOUR_USER_REFERENCE");
    assert_eq!(j.status_of(&access, &e).await, "PROCESSED");
}

#[tokio::test]
async fn a_refused_callback_is_retried_with_backoff() {
    let j = Jumio::start_with(|c| c.adapters.jumio.callback_backoff_ms = 50).await;
    let mut listener = Listener::start(vec![500, 500, 200]).await;
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["callbackUrl"] = json!(listener.url);
    let e = j.open(&access, body).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    let (status, _) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK);
    let mut arrivals = Vec::new();
    for _ in 0..3 {
        let (at, _, body) = listener.next(20).await;
        assert_callback(&j, &body, &e, "2", "PROCESSED");
        assert!(body.get("userReference").is_none(), "none was set: {body}");
        arrivals.push(at);
    }
    assert!(
        arrivals[1] - arrivals[0] >= Duration::from_millis(50)
            && arrivals[2] - arrivals[1] >= Duration::from_millis(100),
        "the retries do not back off: {arrivals:?}"
    );
    // The 200 ends it: no fourth attempt comes (checked for 10 times the next backoff).
    assert!(
        tokio::time::timeout(Duration::from_secs(2), listener.hits.recv())
            .await
            .is_err(),
        "a callback was sent again after a 200"
    );
}

#[tokio::test]
async fn the_sweep_announces_an_expired_execution() {
    let j = Jumio::start_with(|c| {
        c.adapters.jumio.sweep_interval_secs = 1;
        c.adapters.jumio.callback_backoff_ms = 50;
    })
    .await;
    let mut listener = Listener::start(vec![]).await;
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["callbackUrl"] = json!(listener.url);
    body["userReference"] = json!("user-7");
    let untouched = j.open(&access, body.clone()).await;
    let started = j.open(&access, body).await;
    j.add(&started, &started.cred("ID"), "FRONT", png(1000, 700, 1))
        .await;
    j.expire(&untouched).await;
    let (_, _, got) = listener.next(20).await;
    assert_callback(&j, &got, &untouched, "2", "TOKEN_EXPIRED");
    assert_eq!(got["userReference"], "user-7");
    j.expire(&started).await;
    let (_, _, got) = listener.next(20).await;
    assert_callback(&j, &got, &started, "2", "SESSION_EXPIRED");
    // Announced once: the recorded expiry reads the same.
    assert_eq!(j.status_of(&access, &untouched).await, "TOKEN_EXPIRED");
    assert_eq!(j.status_of(&access, &started).await, "SESSION_EXPIRED");
}

// ---------------------------------------------------------------------------------------
// Cross-vendor

#[tokio::test]
async fn an_id_credential_is_an_ncore_identification_with_its_files() {
    let j = Jumio::start().await;
    let ncore = Contract::of("ncore");
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] =
        json!([{"category": "ID", "type": {"values": ["ID_CARD"]}}]);
    let e = j.open(&access, body).await;
    let id = e.cred("ID");
    let (front, back) = (png(1000, 700, 11), jpeg(1000, 700, 12));
    j.add(&e, &id, "FRONT", front.clone()).await;
    j.add(&e, &id, "BACK", back.clone()).await;

    let res = j
        .server
        .client
        .get(
            j.server
                .url(&format!("/v1/users/{}/identifications", e.account)),
        )
        .header("apikey", NCORE_KEY_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    ncore.check("GET", "/users/{user_id}/identifications", 200, &list);
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{list}");
    assert_eq!(data[0]["id"], id.as_str());
    assert_eq!(data[0]["type"], "NATIONAL_ID");
    let files = data[0]["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{list}");
    for (file, (kind, bytes)) in files
        .iter()
        .zip([("NATIONAL_ID_FRONT", &front), ("NATIONAL_ID_BACK", &back)])
    {
        assert_eq!(file["identification_document_type"], kind);
        let url = format!(
            "/v1/users/{}/identifications/{id}/files/{}:download",
            e.account,
            file["id"].as_str().unwrap()
        );
        let res = j
            .server
            .client
            .get(j.server.url(&url))
            .header("apikey", NCORE_KEY_A)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(sha(&res.bytes().await.unwrap()), sha(bytes), "{kind}");
    }
}

#[tokio::test]
async fn a_document_stored_through_ncore_is_read_through_jumio() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let user = &e.account;
    let res = j
        .server
        .client
        .post(j.server.url(&format!("/v1/users/{user}/identifications")))
        .header("apikey", NCORE_KEY_A)
        .json(&json!({"type": "NATIONAL_ID", "number": "784-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let ident: Value = res.json().await.unwrap();
    let doc = ident["id"].as_str().unwrap().to_owned();
    let front = png(1000, 640, 21);
    let form = Form::new()
        .text("identification_document_type", "NATIONAL_ID_FRONT")
        .part("file", Part::bytes(front.clone()).file_name("front.png"));
    let res = j
        .server
        .client
        .put(
            j.server
                .url(&format!("/v1/users/{user}/identifications/{doc}/files")),
        )
        .header("apikey", NCORE_KEY_A)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let (status, got) = j
        .image(
            &access,
            &format!("/api/v1/accounts/{user}/credentials/{doc}/parts/FRONT"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&got), sha(&front));
    let (status, _) = j
        .image(
            &access,
            &format!("/api/v1/accounts/{user}/credentials/{doc}/parts/BACK"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another tenant's access token reads nothing of it.
    let beta = j.access(CLIENT_B).await;
    let (status, _) = j
        .image(
            &beta,
            &format!("/api/v1/accounts/{user}/credentials/{doc}/parts/FRONT"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_api_token_stops_working_when_its_lifetime_runs_out() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let cred = e.cred("ID");
    j.add(&e, &cred, "FRONT", png(640, 400, 1)).await;
    // Time passing, for the token only: its stored expiry moves into the past. (The
    // execution's own expiry is another clock; it is tested separately.)
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        j.server.dir.path().join("idbridge.db").display()
    ))
    .await
    .unwrap();
    let moved = sqlx::query("UPDATE tokens SET expires_at = ? WHERE process_id = ?")
        .bind(chrono::Utc::now().timestamp_millis() - 1000)
        .bind(&e.id)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(moved.rows_affected(), 1, "one api.token per execution");
    let answer = j
        .part(&e, Method::POST, &cred, "BACK", vec![png(640, 400, 2)])
        .await;
    assert_eq!(error(&answer, 401).as_deref(), None, "{answer:?}");
    assert!(
        answer.1["message"].as_str().unwrap().contains("expired"),
        "{answer:?}"
    );
    let answer = j.finalize(&e).await;
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED, "{answer:?}");
    // The access token is another clock: retrieval still works, and shows nothing was added.
    let (status, details) = j.details(&access, &e).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        details["credentials"][0]["parts"].as_array().unwrap().len(),
        1
    );
}

/// Found by schemathesis: a part's image is sent with its own media type (`image/jpeg`,
/// `image/png`), which the document did not declare (it said `application/octet-stream`).
#[tokio::test]
async fn part_images_are_typed_as_their_document_declares() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", jpeg(1000, 700, 3)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 5)).await;
    let doc: Value = j
        .server
        .client
        .get(j.server.url("/openapi/jumio.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented = |status: &str| -> Vec<String> {
        doc["paths"][IMAGE]["get"]["responses"][status]["content"]
            .as_object()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    };
    for (classifier, sent) in [("FRONT", "image/jpeg"), ("BACK", "image/png")] {
        for (range, status) in [(None, "200"), (Some("bytes=0-3"), "206")] {
            let mut req = j
                .server
                .client
                .get(j.url(&e.image(&id, classifier)))
                .header("user-agent", UA)
                .bearer_auth(&access);
            if let Some(r) = range {
                req = req.header("range", r);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status().as_str(), status, "{classifier}");
            assert_eq!(res.headers()["content-type"], sent);
            assert!(
                documented(status).iter().any(|t| t == sent),
                "{status} {sent}: {:?}",
                documented(status)
            );
        }
    }
}

/// Schemathesis warned that calls its document called valid were refused: the document let
/// `User-Agent` and `grant_type` be any string, while a blank User-Agent is 403 and another
/// grant 400. Both are now declared as strictly as they are checked.
#[tokio::test]
async fn user_agent_and_grant_type_are_documented_as_strictly_as_checked() {
    let j = Jumio::start().await;
    let (status, _) = j
        .send_as(
            Method::POST,
            ACCOUNTS,
            ACCOUNTS,
            None,
            Some(" \t"),
            Body::Json(key_only(2)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a blank User-Agent");
    let (status, _) = j
        .token_request(Some(CLIENT_A), "grant_type=password", true)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let doc: Value = j
        .server
        .client
        .get(j.server.url("/openapi/jumio.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let operations: Vec<(&String, &Value)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().values().map(move |op| (path, op)))
        .collect();
    assert_eq!(operations.len(), 22);
    // The web page is opened by a browser with its token in the URL: no API header applies.
    for (path, op) in operations
        .into_iter()
        .filter(|(p, _)| !p.starts_with("/web/"))
    {
        let ua = op["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "User-Agent"))
            .unwrap_or_else(|| panic!("{path}: no User-Agent parameter"));
        assert_eq!(
            (&ua["in"], &ua["required"]),
            (&json!("header"), &json!(true))
        );
        assert_eq!(ua["schema"]["pattern"], r"\S", "{path}");
    }
    assert_eq!(
        doc["components"]["schemas"]["TokenRequest"]["properties"]["grant_type"]["pattern"],
        "^client_credentials$"
    );
}

/// Found by schemathesis (its `negative_data_rejection` check, on the admin API): serde reads
/// a struct from a JSON array by position, so an account was created from
/// `["CUST", {"key": 2}, null, …]` and prefill took `[…]`. A body that is not an object is a
/// 400 and creates nothing.
#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let subjects = || async {
        j.server
            .store
            .list_subjects(&tenant("alpha"), 1000, 0)
            .await
            .unwrap()
            .total
    };
    let positional = json!(["CUST", {"key": 2}, null, null, null, null, null, null]);
    let answer = j.create(&access, positional).await;
    assert_eq!(error(&answer, 400), None, "{answer:?}");
    assert_eq!(subjects().await, 0, "no account is left behind");

    let e = j.open(&access, key_only(2)).await;
    let positional = json!(["JOHN", "DOE", "1990-01-01"]);
    let answer = j.prefill(&e, &e.cred("ID"), positional).await;
    assert_eq!(error(&answer, 400), None, "{answer:?}");
}

// ---------------------------------------------------------------------------------------
// Documents deleted elsewhere, side resolution, reuse, aliases, bounds

/// Deletes a canonical document as another API would (the store is what they all call).
async fn delete_elsewhere(j: &Jumio, doc: &str) {
    j.server
        .store
        .delete_document(&tenant("alpha"), doc.parse().unwrap())
        .await
        .unwrap();
}

/// The account's canonical documents, as every API sees them.
async fn documents_of(j: &Jumio, account: &str) -> Vec<idbridge::model::Document> {
    j.server
        .store
        .list_documents(&tenant("alpha"), account.parse().unwrap())
        .await
        .unwrap()
}

/// Uploads a file to an nCore identification with this document type.
async fn ncore_file(j: &Jumio, user: &str, ident: &str, doc_type: &str, bytes: Vec<u8>) {
    let form = Form::new()
        .text("identification_document_type", doc_type.to_owned())
        .part("file", Part::bytes(bytes).file_name("f.png"));
    let res = j
        .server
        .client
        .put(
            j.server
                .url(&format!("/v1/users/{user}/identifications/{ident}/files")),
        )
        .header("apikey", NCORE_KEY_A)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

#[tokio::test]
async fn prepared_data_whose_document_was_deleted_elsewhere_is_still_processed() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_10005()).await;
    let (status, body) = j.prepared(&e, guide_prepared_data()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let docs = documents_of(&j, &e.account).await;
    assert_eq!(docs.len(), 1, "the id section is a canonical document");
    delete_elsewhere(&j, &docs[0].id.to_string()).await;
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Processed, not left ACQUIRED: the checks use the data as it stands.
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("PASSED", "OK")]
    );
}

#[tokio::test]
async fn an_id_whose_document_was_deleted_elsewhere_takes_new_parts() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    delete_elsewhere(&j, &id).await;
    // Its parts are gone with it: finalize names the first one missing.
    let res = j.finalize(&e).await;
    assert_eq!(field(&res, 400), format!("credentials[{id}].parts.FRONT"));
    assert!(
        res.1["message"]
            .as_str()
            .unwrap()
            .contains("the ID credential"),
        "{}",
        res.1
    );
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]));
    // Prefill and new parts start a new document; the credential keeps its id.
    let (status, body) = j
        .prefill(
            &e,
            &id,
            json!({"id": {"idNumber": "N-1", "expiryDate": "2034-01-31"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let front = png(1000, 700, 3);
    j.add(&e, &id, "FRONT", front.clone()).await;
    j.add(&e, &id, "BACK", png(1000, 700, 4)).await;
    let docs = documents_of(&j, &e.account).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].number.as_deref(), Some("N-1"));
    assert_eq!(docs[0].file_count, 2);
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(decisions(&details, "usability"), [pair("PASSED", "OK")]);
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("PASSED", "OK")]
    );
    let href = details["credentials"][0]["parts"][0]["href"]
        .as_str()
        .unwrap();
    assert_eq!(href, j.server.url(&e.image(&id, "FRONT")));
    let (status, got) = j.image(&access, href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&got), sha(&front));
}

#[tokio::test]
async fn an_id_deleted_elsewhere_after_finalize_is_processed_as_missing() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    // Finalized with the document already gone (the race a delete elsewhere can win):
    // marked ACQUIRED by hand, then processed by the sweep's re-run.
    delete_elsewhere(&j, &id).await;
    let t = tenant("alpha");
    let pid: Uuid = e.id.parse().unwrap();
    j.server
        .store
        .transition_process(
            &t,
            pid,
            idbridge::model::ProcessStatus::Submitted,
            chrono::Utc::now() - chrono::Duration::minutes(5),
            None,
        )
        .await
        .unwrap();
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "usability"),
        [pair("REJECTED", "MISSING_PAGE")]
    );
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("NOT_EXECUTED", "PRECONDITION_NOT_FULFILLED")]
    );
    assert_eq!(details["decision"]["type"], "REJECTED");
}

#[tokio::test]
async fn prepared_data_is_listed_served_and_deleted_with_its_document() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_10005()).await;
    let data = e.cred("DATA");
    let (status, body) = j.prepared(&e, guide_prepared_data()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let href = j.server.url(&e.image(&data, "PREPARED_DATA"));
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(
        details["credentials"][0]["parts"],
        json!([{"classifier": "PREPARED_DATA", "href": href}])
    );
    let (status, bytes) = j.image(&access, &href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&bytes).unwrap(),
        guide_prepared_data()
    );
    assert_eq!(documents_of(&j, &e.account).await.len(), 1);

    let res = j
        .delete(&e.token, &e.part(&data, "PREPARED_DATA"), PREPARED)
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    assert!(
        documents_of(&j, &e.account).await.is_empty(),
        "the document the id section made goes with the data"
    );
    let (status, _) = j.image(&access, &href).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]));

    // Expired data replaced by data without an id section: the old expiry no longer counts.
    let mut expired = guide_prepared_data();
    expired["id"]["expiryDate"] = json!("2020-01-31");
    let (status, body) = j.prepared(&e, expired).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut current = guide_prepared_data();
    current.as_object_mut().unwrap().remove("id");
    let (status, body) = j
        .send(
            Method::PUT,
            &e.part(&data, "PREPARED_DATA"),
            PREPARED,
            Some(&e.token),
            Body::Json(current),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(documents_of(&j, &e.account).await.is_empty());
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("PASSED", "OK")]
    );
    assert_eq!(
        details["capabilities"]["declaredDataChecks"][0]["data"],
        json!({"missing": []})
    );
}

#[tokio::test]
async fn side_less_files_read_and_delete_as_document() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] = json!([{"category": "DOCUMENT"}]);
    let e = j.open(&access, body).await;
    let doc = e.cred("DOCUMENT");
    let file = png(1000, 700, 31);
    ncore_file(&j, &e.account, &doc, "NOT_APPLICABLE", file.clone()).await;
    let href = j.server.url(&e.image(&doc, "DOCUMENT"));
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(
        details["credentials"][0]["parts"],
        json!([{"classifier": "DOCUMENT", "href": href}])
    );
    let (status, got) = j.image(&access, &href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&got), sha(&file));
    let res = j.delete(&e.token, &e.part(&doc, "DOCUMENT"), PART).await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    let (status, _) = j.image(&access, &href).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A bank statement stored through nCore reads at the classifier Jumio lists it under.
    let res = j
        .server
        .client
        .post(
            j.server
                .url(&format!("/v1/users/{}/identifications", e.account)),
        )
        .header("apikey", NCORE_KEY_A)
        .json(&json!({"type": "BANK_STATEMENT", "number": "BS-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let ident: Value = res.json().await.unwrap();
    let ident = ident["id"].as_str().unwrap().to_owned();
    let statement = png(1200, 900, 32);
    ncore_file(&j, &e.account, &ident, "NOT_APPLICABLE", statement.clone()).await;
    let (status, got) = j.image(&access, &e.image(&ident, "DOCUMENT")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&got), sha(&statement));
}

#[tokio::test]
async fn a_passports_page_1_is_its_front_for_every_call() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] =
        json!([{"category": "ID", "type": {"values": ["PASSPORT"]}}]);
    let e = j.open(&access, body).await;
    let id = e.cred("ID");
    let page = png(1000, 700, 41);
    ncore_file(&j, &e.account, &id, "PASSPORT_PAGE1", page.clone()).await;
    let (status, got) = j.image(&access, &e.image(&id, "FRONT")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&got), sha(&page));
    // Jumio does not take a second FRONT next to it.
    let res = j
        .part(&e, Method::POST, &id, "FRONT", vec![png(1000, 700, 42)])
        .await;
    error(&res, 409);
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(decisions(&details, "usability"), [pair("PASSED", "OK")]);
}

/// workflow_descriptions.md, workflow 5 "Initiate Account Update" (the ID id is the test's).
fn guide_workflow_5(id: &str) -> Value {
    json!({
        "customerInternalReference": "123",
        "workflowDefinition": {
            "key": 5,
            "credentials": [
                { "id": id, "category": "ID" },
                { "category": "SELFIE" }
            ]
        },
        "userConsent": {
            "userIp": "192.168.0.1",
            "userLocation": { "country": "USA", "state": "IL" },
            "consent": { "obtained": "yes", "obtainedAt": "2022-07-20T17:20:35.000Z" }
        }
    })
}

#[tokio::test]
async fn the_guides_workflow_5_reuses_the_id_on_file() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let first = j.open(&access, key_only(2)).await;
    let id = first.cred("ID");
    j.add(&first, &id, "FRONT", png(1000, 700, 51)).await;
    j.add(&first, &id, "BACK", png(1000, 700, 52)).await;

    // A new account has no credential to reuse; another account's is not this one's.
    let res = j.create(&access, guide_workflow_5(&id)).await;
    assert_eq!(field(&res, 400), "workflowDefinition.credentials[0].id");
    let other = j.open(&access, key_only(6)).await;
    let res = j
        .reopen(&access, &other.account, guide_workflow_5(&id))
        .await;
    assert_eq!(field(&res, 400), "workflowDefinition.credentials[0].id");
    // Unknown fields are refused, named.
    let mut bad = guide_workflow_5(&id);
    bad["workflowDefinition"]["credentials"][1]["colour"] = json!("red");
    let res = j.reopen(&access, &first.account, bad).await;
    assert!(
        error(&res, 400)
            .unwrap()
            .starts_with("workflowDefinition.credentials"),
        "{}",
        res.1
    );
    assert!(
        res.1["message"].as_str().unwrap().contains("colour"),
        "{}",
        res.1
    );

    let (status, body) = j
        .reopen(&access, &first.account, guide_workflow_5(&id))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let creds = &body["workflowExecution"]["credentials"];
    assert_eq!(
        creds[0],
        json!({"id": id, "category": "ID", "allowedChannels": []})
    );
    assert_eq!(creds[1]["category"], "SELFIE");
    let e = Exec::from(&body);
    let selfie = e.cred("SELFIE");
    // The reused credential takes no parts here.
    let res = j
        .part(&e, Method::POST, &id, "FRONT", vec![png(1000, 700, 53)])
        .await;
    assert_eq!(field(&res, 400), "credentialId");
    j.add(&e, &selfie, "FACE", png(800, 800, 54)).await;
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "usability"),
        [pair("PASSED", "OK"), pair("PASSED", "OK")]
    );
    assert_eq!(
        decisions(&details, "similarity"),
        [pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")]
    );
    assert_eq!(details["decision"]["type"], "WARNING");
    // Deleting this execution leaves the ID it only referenced.
    let res = j
        .send(
            Method::DELETE,
            &e.path(),
            EXECUTION,
            Some(&access),
            Body::Empty,
        )
        .await;
    assert_eq!(res.0, StatusCode::OK);
    let (status, _) = j.image(&access, &e.image(&id, "FRONT")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn workflow_20_reports_similarity_as_not_executed() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(20)).await;
    let (id, selfie) = (e.cred("ID"), e.cred("SELFIE"));
    j.add(&e, &id, "FRONT", png(1000, 700, 61)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 62)).await;
    j.add(&e, &selfie, "FACE", png(800, 800, 63)).await;
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "similarity"),
        [pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")]
    );
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}})
    );
}

#[tokio::test]
async fn a_jumio_alias_names_its_account() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let t = tenant("alpha");
    let ns = idbridge::model::Namespace::new("jumio").unwrap();
    // New accounts carry their jumio alias.
    let e = j.open(&access, key_only(2)).await;
    let aliases = j
        .server
        .store
        .aliases(&t, e.account.parse().unwrap())
        .await
        .unwrap();
    assert!(
        aliases
            .iter()
            .any(|a| a.namespace == ns && a.external_id == e.account),
        "{aliases:?}"
    );
    // A subject an operator linked a jumio alias to is that account.
    let subject = j
        .server
        .store
        .create_subject(&t, None, None, &[])
        .await
        .unwrap();
    let alias = Uuid::now_v7().to_string();
    j.server
        .store
        .link_alias(&t, subject.id, &ns, &alias)
        .await
        .unwrap();
    let (status, body) = j.reopen(&access, &alias, key_only(2)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["account"]["id"], subject.id.to_string());
    let e2 = Exec::from(&body);
    assert_eq!(j.status_of(&access, &e2).await, "INITIATED");
    let (status, _) = j
        .send(
            Method::GET,
            &format!(
                "/api/v1/accounts/{alias}/workflow-executions/{}/status",
                e2.id
            ),
            STATUS,
            Some(&access),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn facemap_takes_no_delete_all_and_pages_are_never_renumbered() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(3)).await;
    let facemap = e.cred("FACEMAP");
    let res = j
        .delete(
            &e.token,
            &format!("{}/credentials/{facemap}/parts", e.path()),
            ALL_PARTS,
        )
        .await;
    assert_eq!(field(&res, 400), "classifier");
    assert!(
        res.1["message"].as_str().unwrap().contains("FACEMAP"),
        "{}",
        res.1
    );

    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] = json!([{"category": "DOCUMENT"}]);
    let d = j.open(&access, body).await;
    let doc = d.cred("DOCUMENT");
    let res = j
        .part(
            &d,
            Method::POST,
            &doc,
            "DOCUMENT",
            vec![png(900, 600, 1), png(900, 600, 2)],
        )
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    let res = j
        .delete(
            &d.token,
            &format!("{}/credentials/{doc}/parts", d.path()),
            ALL_PARTS,
        )
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    j.add(&d, &doc, "DOCUMENT", png(900, 600, 3)).await;
    let (_, details) = j.details(&access, &d).await;
    assert_eq!(
        details["credentials"][0]["parts"][0]["classifier"],
        "PAGE_3"
    );
}

#[tokio::test]
async fn account_and_personal_input_is_bounded_and_named() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let cases = [
        (
            json!([{"category": "FACEMAP", "type": {"values": ["NOPE"]}}]),
            "workflowDefinition.credentials[0].type.values",
        ),
        (
            json!([{"category": "ID", "country": {"values": ["XXXX"]}}]),
            "workflowDefinition.credentials[0].country.values",
        ),
        (
            json!([{"category": "ID", "country": {"values": ["ZZZ"]}}]),
            "workflowDefinition.credentials[0].country.values",
        ),
    ];
    for (credentials, want) in cases {
        let mut body = key_only(2);
        body["workflowDefinition"]["credentials"] = credentials;
        assert_eq!(field(&j.create(&access, body).await, 400), want);
    }
    let mut body = key_only(2);
    body["userConsent"] = json!("string");
    assert_eq!(field(&j.create(&access, body).await, 400), "userConsent");
    let mut body = key_only(2);
    body["customerInternalReference"] = json!("   ");
    assert_eq!(
        field(&j.create(&access, body).await, 400),
        "customerInternalReference"
    );

    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    let long = "a".repeat(100_000);
    let cases = [
        (json!({"dateOfBirth": "0000-01-01"}), "dateOfBirth"),
        (
            json!({"id": {"expiryDate": "+99999-01-01"}}),
            "id.expiryDate",
        ),
        (json!({"nationality": "ZZZ"}), "nationality"),
        (json!({"firstName": long}), "firstName"),
    ];
    for (body, want) in cases {
        assert_eq!(field(&j.prefill(&e, &id, body).await, 400), want);
    }
    let (_, details) = j.details(&access, &e).await;
    assert!(
        details.get("startedAt").is_none(),
        "nothing was recorded: {details}"
    );
    // Messages name categories as Jumio writes them.
    let f = j.open(&access, key_only(3)).await;
    let res = j
        .part(
            &f,
            Method::POST,
            &f.cred("FACEMAP"),
            "FACEMAP",
            vec![png(900, 600, 1)],
        )
        .await;
    assert!(
        res.1["message"].as_str().unwrap().contains("FACEMAP"),
        "{}",
        res.1
    );
}

#[tokio::test]
async fn access_tokens_expire_after_their_configured_lifetime() {
    let j = Jumio::start_with(|c| c.adapters.jumio.access_token_ttl_secs = 1).await;
    let (status, body) = j
        .token_request(Some(CLIENT_A), "grant_type=client_credentials", true)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["expires_in"], 1);
    let access = body["access_token"].as_str().unwrap().to_owned();
    let mut lifetime = key_only(2);
    lifetime["tokenLifetime"] = json!("5m");
    let e = j.open(&access, lifetime).await;
    // tokenLifetime sets the api.token's expiry: 5 minutes from now.
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        j.server.dir.path().join("idbridge.db").display()
    ))
    .await
    .unwrap();
    let expires: i64 = sqlx::query_scalar("SELECT expires_at FROM tokens WHERE process_id = ?")
        .bind(&e.id)
        .fetch_one(&db)
        .await
        .unwrap();
    let want = chrono::Utc::now().timestamp_millis() + 300_000;
    assert!((expires - want).abs() < 30_000, "{expires} vs {want}");
    // The access token stops opening anything once its second is over.
    let deadline = Instant::now() + Duration::from_secs(10);
    let refused = loop {
        let answer = j.status(&access, &e).await;
        if answer.0 == StatusCode::UNAUTHORIZED {
            break answer;
        }
        assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
        assert!(Instant::now() < deadline, "the access token never expired");
        tokio::task::yield_now().await;
    };
    assert_eq!(error(&refused, 401), None);
    assert_eq!(
        refused.1["message"], "the access token is unknown or expired",
        "{}",
        refused.1
    );
    // The api.token lives on by its own lifetime.
    j.add(&e, &e.cred("ID"), "FRONT", png(1000, 700, 1)).await;
}

/// Opens a key-2 execution with a callback URL, adds its parts and finalizes it.
async fn finalized_with_callback(j: &Jumio, access: &str, url: &str) -> Exec {
    let mut body = key_only(2);
    body["callbackUrl"] = json!(url);
    let e = j.open(access, body).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    e
}

#[tokio::test]
async fn a_callback_gives_up_after_its_attempts() {
    let j = Jumio::start_with(|c| {
        c.adapters.jumio.callback_attempts = 2;
        c.adapters.jumio.callback_backoff_ms = 1;
    })
    .await;
    let mut listener = Listener::start(vec![500, 500]).await;
    let access = j.access(CLIENT_A).await;
    let first = finalized_with_callback(&j, &access, &listener.url).await;
    for _ in 0..2 {
        let (_, _, body) = listener.next(20).await;
        assert_eq!(body["workflowExecution"]["id"], first.id.as_str());
    }
    // A third attempt would have come 2 ms after the second; the next callback to arrive
    // is the one of an execution finalized only now.
    j.processed(&access, &first).await;
    let second = finalized_with_callback(&j, &access, &listener.url).await;
    let (_, _, body) = listener.next(20).await;
    assert_eq!(
        body["workflowExecution"]["id"],
        second.id.as_str(),
        "the first callback was not given up after 2 attempts"
    );
}

#[tokio::test]
async fn a_callback_receiver_that_never_answers_delays_nothing() {
    let j = Jumio::start().await;
    // Accepts connections and never answers them.
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", socket.local_addr().unwrap());
    let (tx, mut hits) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = socket.accept().await {
            held.push(conn);
            let _ = tx.send(());
        }
    });
    let access = j.access(CLIENT_A).await;
    let stuck = finalized_with_callback(&j, &access, &url).await;
    tokio::time::timeout(Duration::from_secs(20), hits.recv())
        .await
        .expect("the callback was sent");
    // While that callback hangs, the execution reads PROCESSED and other executions are
    // finalized and processed.
    assert_eq!(j.status_of(&access, &stuck).await, "PROCESSED");
    let started = Instant::now();
    let next = finalized_with_callback(&j, &access, &url).await;
    j.processed(&access, &next).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------
// Concurrent calls on one workflow execution: each decides from what the others wrote

/// Creates an nCore identification of this type on the account; answers its id.
async fn ncore_identification(j: &Jumio, user: &str, kind: &str) -> String {
    let res = j
        .server
        .client
        .post(j.server.url(&format!("/v1/users/{user}/identifications")))
        .header("apikey", NCORE_KEY_A)
        .json(&json!({"type": kind, "number": "N-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let ident: Value = res.json().await.unwrap();
    ident["id"].as_str().unwrap().to_owned()
}

/// The account's identifications as nCore lists them.
async fn ncore_identifications(j: &Jumio, user: &str) -> Vec<Value> {
    let res = j
        .server
        .client
        .get(j.server.url(&format!("/v1/users/{user}/identifications")))
        .header("apikey", NCORE_KEY_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    list["data"].as_array().unwrap().clone()
}

/// The classifiers details lists for a credential.
async fn listed(j: &Jumio, access: &str, e: &Exec, credential: &str) -> Vec<String> {
    let (status, details) = j.details(access, e).await;
    assert_eq!(status, StatusCode::OK, "{details}");
    let c = details["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == credential)
        .unwrap_or_else(|| panic!("{credential} not in {details}"));
    c["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["classifier"].as_str().unwrap().to_owned())
        .collect()
}

async fn delete_execution(j: &Jumio, access: &str, e: &Exec) {
    let res = j
        .send(
            Method::DELETE,
            &e.path(),
            EXECUTION,
            Some(access),
            Body::Empty,
        )
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
}

#[tokio::test]
async fn concurrent_parts_on_one_side_keep_one_file() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    let fronts =
        (0..8u8).map(|i| j.part(&e, Method::POST, &id, "FRONT", vec![png(1000, 700, i + 1)]));
    let answers = futures::future::join_all(fronts).await;
    let ok = answers.iter().filter(|a| a.0 == StatusCode::OK).count();
    assert_eq!(ok, 1, "one FRONT is added: {answers:?}");
    for a in answers.iter().filter(|a| a.0 != StatusCode::OK) {
        error(a, 409);
    }
    let backs =
        (0..8u8).map(|i| j.part(&e, Method::PUT, &id, "BACK", vec![png(1000, 700, i + 20)]));
    for a in futures::future::join_all(backs).await {
        assert_eq!(a.0, StatusCode::OK, "PUT replaces: {}", a.1);
    }
    let docs = documents_of(&j, &e.account).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].file_count, 2, "one FRONT and one BACK file");
    assert_eq!(listed(&j, &access, &e, &id).await, ["FRONT", "BACK"]);
    let (status, body) = j.delete(&e.token, &e.part(&id, "FRONT"), PART).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(listed(&j, &access, &e, &id).await, ["BACK"]);
    error(&j.delete(&e.token, &e.part(&id, "FRONT"), PART).await, 404);
}

/// A fresh DOCUMENT credential on a new account.
async fn document_execution(j: &Jumio, access: &str) -> (Exec, String) {
    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] = json!([{"category": "DOCUMENT"}]);
    let e = j.open(access, body).await;
    let doc = e.cred("DOCUMENT");
    (e, doc)
}

#[tokio::test]
async fn concurrent_pages_are_numbered_one_to_n() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let (e, doc) = document_execution(&j, &access).await;
    let pages = (0..10u8).map(|i| {
        j.part(
            &e,
            Method::POST,
            &doc,
            "DOCUMENT",
            vec![png(1000, 700, i + 1)],
        )
    });
    for a in futures::future::join_all(pages).await {
        assert_eq!(a.0, StatusCode::OK, "{}", a.1);
    }
    let want: Vec<String> = (1..=10).map(|n| format!("PAGE_{n}")).collect();
    assert_eq!(listed(&j, &access, &e, &doc).await, want);
    assert_eq!(documents_of(&j, &e.account).await[0].file_count, 10);
}

#[tokio::test]
async fn a_pdf_sent_with_images_at_once_is_still_alone_or_refused() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let (e, doc) = document_execution(&j, &access).await;
    // One PDF and seven images at once: whichever comes first decides, as one by one.
    let sends = (0..8u8).map(|i| {
        let file = if i == 0 { pdf(4000) } else { png(1000, 700, i) };
        j.part(&e, Method::POST, &doc, "DOCUMENT", vec![file])
    });
    let answers = futures::future::join_all(sends).await;
    let pdf_ok = answers[0].0 == StatusCode::OK;
    for a in &answers[1..] {
        if pdf_ok {
            assert_eq!(field(a, 400), "file", "nothing next to the PDF");
        } else {
            assert_eq!(a.0, StatusCode::OK, "{}", a.1);
        }
    }
    if pdf_ok {
        assert_eq!(listed(&j, &access, &e, &doc).await, ["PAGE_1"]);
    } else {
        assert_eq!(field(&answers[0], 400), "file");
        assert_eq!(listed(&j, &access, &e, &doc).await.len(), 7);
    }
}

#[tokio::test]
async fn concurrent_prepared_data_keeps_one_document_and_deletes_it() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_10005()).await;
    let sends = (0..8).map(|i| {
        let mut body = guide_prepared_data();
        body["id"]["idNumber"] = json!(format!("ABCD{i}"));
        j.prepared(&e, body)
    });
    for a in futures::future::join_all(sends).await {
        assert_eq!(a.0, StatusCode::OK, "a later POST replaces: {}", a.1);
    }
    let idents = ncore_identifications(&j, &e.account).await;
    assert_eq!(idents.len(), 1, "one data document: {idents:?}");
    assert_eq!(documents_of(&j, &e.account).await.len(), 1);
    // Its deletion leaves nothing of it.
    let (status, body) = j
        .delete(
            &e.token,
            &e.part(&e.cred("DATA"), "PREPARED_DATA"),
            PREPARED,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        ncore_identifications(&j, &e.account).await,
        Vec::<Value>::new()
    );

    let sends = (0..8).map(|_| j.prepared(&e, guide_prepared_data()));
    for a in futures::future::join_all(sends).await {
        assert_eq!(a.0, StatusCode::OK, "{}", a.1);
    }
    assert_eq!(ncore_identifications(&j, &e.account).await.len(), 1);
    delete_execution(&j, &access, &e).await;
    assert_eq!(
        ncore_identifications(&j, &e.account).await,
        Vec::<Value>::new()
    );
    assert!(documents_of(&j, &e.account).await.is_empty());
}

#[tokio::test]
async fn concurrent_sides_after_an_elsewhere_delete_share_one_new_document() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    delete_elsewhere(&j, &id).await;
    let sends = (0..8u8).map(|i| {
        let (method, side) = if i % 2 == 0 {
            (Method::POST, "FRONT")
        } else {
            (Method::PUT, "BACK")
        };
        j.part(&e, method, &id, side, vec![png(1000, 700, i + 1)])
    });
    let answers = futures::future::join_all(sends).await;
    let fronts = answers
        .iter()
        .step_by(2)
        .filter(|a| a.0 == StatusCode::OK)
        .count();
    assert_eq!(fronts, 1, "{answers:?}");
    for a in answers.iter().skip(1).step_by(2) {
        assert_eq!(a.0, StatusCode::OK, "{}", a.1);
    }
    let docs = documents_of(&j, &e.account).await;
    assert_eq!(docs.len(), 1, "one new document for the credential");
    assert_eq!(docs[0].file_count, 2);
    assert_eq!(ncore_identifications(&j, &e.account).await.len(), 1);
    assert_eq!(listed(&j, &access, &e, &id).await, ["FRONT", "BACK"]);
    delete_execution(&j, &access, &e).await;
    assert!(documents_of(&j, &e.account).await.is_empty());
}

#[tokio::test]
async fn a_reused_credential_must_be_of_its_category() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let first = j.open(&access, key_only(2)).await;
    let id = first.cred("ID");
    let statement = ncore_identification(&j, &first.account, "BANK_STATEMENT").await;
    let passport = ncore_identification(&j, &first.account, "PASSPORT").await;
    let res = j
        .reopen(&access, &first.account, guide_workflow_5(&statement))
        .await;
    assert_eq!(
        field(&res, 400),
        "workflowDefinition.credentials[0].category"
    );
    let mut body = guide_workflow_5(&id);
    body["workflowDefinition"]["credentials"] = json!([{"id": passport, "category": "SELFIE"}]);
    let res = j.reopen(&access, &first.account, body).await;
    assert_eq!(
        field(&res, 400),
        "workflowDefinition.credentials[0].category"
    );
    // An identity document fits an ID credential.
    let (status, body) = j
        .reopen(&access, &first.account, guide_workflow_5(&passport))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_passport_stored_as_pages_lists_front_and_back() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] =
        json!([{"category": "ID", "type": {"values": ["PASSPORT"]}}]);
    let e = j.open(&access, body).await;
    let id = e.cred("ID");
    ncore_file(&j, &e.account, &id, "PASSPORT_PAGE1", png(1000, 700, 61)).await;
    ncore_file(&j, &e.account, &id, "PASSPORT_PAGE2", png(1000, 700, 62)).await;
    // As POST FRONT and GET …/FRONT read them.
    assert_eq!(listed(&j, &access, &e, &id).await, ["FRONT", "BACK"]);
    error(
        &j.part(&e, Method::POST, &id, "FRONT", vec![png(1000, 700, 63)])
            .await,
        409,
    );
    let (status, _) = j.image(&access, &e.image(&id, "BACK")).await;
    assert_eq!(status, StatusCode::OK);
}
