//! The Jumio client the tests drive: OAuth2 clients, paths, the guides' request bodies, the
//! execution as account create/update answered it, calls whose JSON answers are checked
//! against the Jumio OpenAPI document, and a callback listener.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use idbridge::config::Config;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{Contract, TestServer, tenant};

pub const UA: &str = "idbridge-tests JumioSuite/v1.0";
pub const CLIENT_A: (&str, &str) = ("test-jumio-alpha", "test-jumio-secret-alpha");
pub const CLIENT_B: (&str, &str) = ("test-jumio-beta", "test-jumio-secret-beta");
pub const NCORE_KEY_A: &str = "test-api-key-alpha";

pub const TOKEN: &str = "/oauth2/token";
pub const ACCOUNTS: &str = "/api/v1/accounts";
pub const ACCOUNT: &str = "/api/v1/accounts/{accountId}";
pub const EXECUTION: &str =
    "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}";
pub const STATUS: &str =
    "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/status";
pub const PART: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/{classifier}";
pub const PREPARED: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/PREPARED_DATA";
pub const ALL_PARTS: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts";
pub const PREFILL: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/data";
pub const PREFILL_ALIAS: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/prefill";
pub const IMAGE: &str =
    "/api/v1/accounts/{accountId}/credentials/{credentialId}/parts/{classifier}";

// ---------------------------------------------------------------------------------------
// Request bodies from Jumio's guides

/// api_guide.md, "Initiate Account" (the callback URL is given by each test).
pub fn guide_initiate_account(callback_url: &str) -> Value {
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
pub fn guide_account_update() -> Value {
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
pub fn guide_10005() -> Value {
    json!({
        "customerInternalReference": "CUSTOMER_REFERENCE",
        "workflowDefinition": {
            "key": 10005
        }
    })
}

/// workflow-descriptions-kyx.md, workflow 10005 "Upload Data".
pub fn guide_prepared_data() -> Value {
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
pub fn seed_personal_data() -> Value {
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
/// Workflow 2 asking for one credential: an ID card.
pub fn id_card_body() -> Value {
    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] =
        json!([{"category": "ID", "type": {"values": ["ID_CARD"]}}]);
    body
}

pub fn key_only(key: u32) -> Value {
    json!({ "customerInternalReference": "CUSTOMER_REFERENCE", "workflowDefinition": { "key": key } })
}

// ---------------------------------------------------------------------------------------
// Images

// ---------------------------------------------------------------------------------------
// Client

pub enum Body {
    Empty,
    Json(Value),
    Text(&'static str),
    Files(Vec<Vec<u8>>),
}

/// A workflow execution as account create/update answered it.
#[derive(Clone, Debug)]
pub struct Exec {
    pub account: String,
    pub id: String,
    pub token: String,
    pub credentials: Vec<Value>,
}

impl Exec {
    pub fn from(body: &Value) -> Exec {
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

    pub fn cred(&self, category: &str) -> String {
        self.credentials
            .iter()
            .find(|c| c["category"] == category)
            .unwrap_or_else(|| panic!("no {category} credential in {:?}", self.credentials))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub fn path(&self) -> String {
        format!(
            "/api/v1/accounts/{}/workflow-executions/{}",
            self.account, self.id
        )
    }

    pub fn part(&self, credential: &str, classifier: &str) -> String {
        format!(
            "{}/credentials/{credential}/parts/{classifier}",
            self.path()
        )
    }

    pub fn image(&self, credential: &str, classifier: &str) -> String {
        format!(
            "/api/v1/accounts/{}/credentials/{credential}/parts/{classifier}",
            self.account
        )
    }
}

/// The one contract every Jumio client checks against, built once per test binary.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract::of("jumio"))
}

/// The Jumio client of one server, in process ([`Jumio`] derefs to it) or a spawned
/// `idbridge serve` (the two-process suite): a client and the server's base URL.
#[derive(Clone)]
pub struct JumioClient {
    pub http: reqwest::Client,
    /// `http://host:port`.
    pub base: String,
    pub contract: &'static Contract,
}

/// The in-process server with its Jumio client; the calls are [`JumioClient`]'s.
pub struct Jumio {
    pub server: TestServer,
    client: JumioClient,
}

impl std::ops::Deref for Jumio {
    type Target = JumioClient;

    fn deref(&self) -> &JumioClient {
        &self.client
    }
}

impl JumioClient {
    /// The client of the server at `base`.
    pub fn at(http: reqwest::Client, base: &str) -> JumioClient {
        JumioClient {
            http,
            base: base.to_owned(),
            contract: contract(),
        }
    }

    pub fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    /// Sends with a User-Agent and, when given, a bearer token; checks a JSON answer against
    /// the contract (an empty body is `Null` and is not checked).
    pub async fn send(
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

    pub async fn send_as(
        &self,
        method: Method,
        path: &str,
        template: &str,
        bearer: Option<&str>,
        user_agent: Option<&str>,
        body: Body,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
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

    pub async fn answer(
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
    pub async fn token_request(
        &self,
        basic: Option<(&str, &str)>,
        form: &str,
        user_agent: bool,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(self.url(TOKEN))
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

    pub async fn access(&self, client: (&str, &str)) -> String {
        let (status, body) = self
            .token_request(Some(client), "grant_type=client_credentials", true)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn create(&self, access: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            Method::POST,
            ACCOUNTS,
            ACCOUNTS,
            Some(access),
            Body::Json(body),
        )
        .await
    }

    pub async fn open(&self, access: &str, body: Value) -> Exec {
        let (status, created) = self.create(access, body).await;
        assert_eq!(status, StatusCode::OK, "{created}");
        Exec::from(&created)
    }

    /// A flow of tenant alpha holding an ID card whose FRONT and BACK parts are these files:
    /// its access token and execution.
    pub async fn id_card(&self, front: Vec<u8>, back: Vec<u8>) -> (String, Exec) {
        let access = self.access(CLIENT_A).await;
        let e = self.open(&access, id_card_body()).await;
        let id = e.cred("ID");
        self.add(&e, &id, "FRONT", front).await;
        self.add(&e, &id, "BACK", back).await;
        (access, e)
    }

    pub async fn reopen(&self, access: &str, account: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            Method::PUT,
            &format!("/api/v1/accounts/{account}"),
            ACCOUNT,
            Some(access),
            Body::Json(body),
        )
        .await
    }

    pub async fn part(
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

    pub async fn add(&self, e: &Exec, credential: &str, classifier: &str, file: Vec<u8>) -> Value {
        let (status, body) = self
            .part(e, Method::POST, credential, classifier, vec![file])
            .await;
        assert_eq!(status, StatusCode::OK, "{classifier}: {body}");
        body
    }

    pub async fn delete(&self, token: &str, path: &str, template: &str) -> (StatusCode, Value) {
        self.send(Method::DELETE, path, template, Some(token), Body::Empty)
            .await
    }

    pub async fn prefill(&self, e: &Exec, credential: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            Method::PUT,
            &format!("{}/credentials/{credential}/data", e.path()),
            PREFILL,
            Some(&e.token),
            Body::Json(body),
        )
        .await
    }

    pub async fn prepared(&self, e: &Exec, body: Value) -> (StatusCode, Value) {
        self.send(
            Method::POST,
            &e.part(&e.cred("DATA"), "PREPARED_DATA"),
            PREPARED,
            Some(&e.token),
            Body::Json(body),
        )
        .await
    }

    pub async fn finalize(&self, e: &Exec) -> (StatusCode, Value) {
        self.send(
            Method::PUT,
            &e.path(),
            EXECUTION,
            Some(&e.token),
            Body::Empty,
        )
        .await
    }

    pub async fn status(&self, access: &str, e: &Exec) -> (StatusCode, Value) {
        self.send(
            Method::GET,
            &format!("{}/status", e.path()),
            STATUS,
            Some(access),
            Body::Empty,
        )
        .await
    }

    pub async fn status_of(&self, access: &str, e: &Exec) -> String {
        let (status, body) = self.status(access, e).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["workflowExecution"]["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn details(&self, access: &str, e: &Exec) -> (StatusCode, Value) {
        self.send(Method::GET, &e.path(), EXECUTION, Some(access), Body::Empty)
            .await
    }

    /// Polls the status until PROCESSED (30 s at most), then answers the details.
    pub async fn processed(&self, access: &str, e: &Exec) -> Value {
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
    pub async fn image(&self, access: &str, path_or_url: &str) -> (StatusCode, Vec<u8>) {
        let res = self
            .http
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
}

impl Jumio {
    pub async fn start() -> Jumio {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Jumio {
        Self::over(TestServer::start_with(adjust).await)
    }

    /// The client of a server already running (e.g. restarted).
    pub fn over(server: TestServer) -> Jumio {
        let client = JumioClient::at(server.client.clone(), &server.base);
        Jumio { server, client }
    }

    /// Moves a stored execution's expiry into the past (as if its token lifetime or
    /// session had run out), through the store.
    pub async fn expire(&self, e: &Exec) {
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
pub fn error(answer: &(StatusCode, Value), want: u16) -> Option<String> {
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

pub fn field(answer: &(StatusCode, Value), want: u16) -> String {
    error(answer, want).unwrap_or_else(|| panic!("no field in {}", answer.1))
}

/// Jumio's timestamps: `YYYY-MM-DDThh:mm:ss.SSSZ`.
pub fn timestamp(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a timestamp: {v}"));
    assert!(
        s.len() == 24 && s.ends_with('Z') && s.as_bytes()[19] == b'.',
        "not YYYY-MM-DDThh:mm:ss.SSSZ: {s}"
    );
    chrono::DateTime::parse_from_rfc3339(s).unwrap();
}

/// The decision of capability `name`'s results, as `(type, label)`.
pub fn decisions(details: &Value, name: &str) -> Vec<(String, String)> {
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

pub fn pair(kind: &str, label: &str) -> (String, String) {
    (kind.to_owned(), label.to_owned())
}

// ---------------------------------------------------------------------------------------
// Callback listener

/// A callback receiver on 127.0.0.1: answers each POST with the next scripted status
/// (then 200) and hands over (arrival, headers, body).
pub struct Listener {
    pub url: String,
    pub hits: mpsc::UnboundedReceiver<(Instant, axum::http::HeaderMap, Value)>,
}

impl Listener {
    pub async fn start(answers: Vec<u16>) -> Listener {
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
    pub async fn next(&mut self, secs: u64) -> (Instant, axum::http::HeaderMap, Value) {
        tokio::time::timeout(Duration::from_secs(secs), self.hits.recv())
            .await
            .unwrap_or_else(|_| panic!("no callback arrived within {secs} s"))
            .unwrap()
    }
}

/// Asserts a callback body: the guide's shape, for this execution and status.
pub fn assert_callback(j: &Jumio, body: &Value, e: &Exec, key: &str, status: &str) {
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

/// Deletes a canonical document as another API would (the store is what they all call).
pub async fn delete_elsewhere(j: &Jumio, doc: &str) {
    j.server
        .store
        .delete_document(&tenant("alpha"), doc.parse().unwrap())
        .await
        .unwrap();
}

/// The account's canonical documents, as every API sees them.
pub async fn documents_of(j: &Jumio, account: &str) -> Vec<idbridge::model::Document> {
    j.server
        .store
        .list_documents(&tenant("alpha"), account.parse().unwrap())
        .await
        .unwrap()
}

/// Uploads a file to an nCore identification with this document type.
pub async fn ncore_file(j: &Jumio, user: &str, ident: &str, doc_type: &str, bytes: Vec<u8>) {
    super::ncore::At::server(&j.server, NCORE_KEY_A)
        .upload_one(user, ident, doc_type, "f.png", bytes)
        .await;
}

/// workflow_descriptions.md, workflow 5 "Initiate Account Update" (the ID id is the test's).
pub fn guide_workflow_5(id: &str) -> Value {
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

pub async fn delete_execution(j: &Jumio, access: &str, e: &Exec) {
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

/// The classifiers details lists for a credential.
pub async fn listed(j: &Jumio, access: &str, e: &Exec, credential: &str) -> Vec<String> {
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

/// A fresh DOCUMENT credential on a new account.
pub async fn document_execution(j: &Jumio, access: &str) -> (Exec, String) {
    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] = json!([{"category": "DOCUMENT"}]);
    let e = j.open(access, body).await;
    let doc = e.cred("DOCUMENT");
    (e, doc)
}
