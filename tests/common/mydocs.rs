//! The B2Core "my documents" client the tests drive: paths, request bodies, client tokens
//! minted through the admin API, and calls whose JSON answers are checked against the mydocs
//! (and, for nCore calls, the nCore) OpenAPI document.

use base64::Engine as _;
use idbridge::config::Config;
use idbridge::model::TenantId;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

#[allow(
    unused_imports,
    reason = "for the tests of this vendor that drive nCore too; other test binaries include this file"
)]
pub use super::ncore::{AlphaNcore, file as ncore_file};

use super::{ADMIN_A, Contract, TestServer, tenant};

/// A 640 × 400 PNG followed by bytes that depend on `seed`.
pub fn png(seed: u8) -> Vec<u8> {
    super::fixtures::png(640, 400, seed)
}

/// The two roots the API is served under; OpenAPI paths and download links use the first.
pub const API: &str = "/api/v2/my";
pub const ALT: &str = "/v2/my";

pub const LIST: &str = "/api/v2/my/documents";
pub const ONE: &str = "/api/v2/my/documents/{documentId}";
pub const TYPES: &str = "/api/v2/my/documents/types";
pub const FILES: &str = "/api/v2/my/files";
pub const FILE: &str = "/api/v2/my/documents/{documentId}/files/{fileId}";

pub const NCORE_KEY: &str = "test-api-key-alpha";
pub const NCORE_LIST: &str = "/users/{user_id}/identifications";
pub const NCORE_ONE: &str = "/users/{user_id}/identifications/{identification_id}";
pub const NCORE_FILES: &str = "/users/{user_id}/identifications/{identification_id}/files";

/// A new subject of the tenant `admin_key` administers on the server at `base`
/// (`http://host:port`, in process or spawned), with a client token minted for it through
/// the admin API: (subject, token).
pub async fn new_client(http: &reqwest::Client, base: &str, admin_key: &str) -> (Uuid, String) {
    let res = http
        .post(format!("{base}/admin/v1/subjects"))
        .bearer_auth(admin_key)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let subject: Uuid = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let res = http
        .post(format!("{base}/admin/v1/subjects/{subject}/client-tokens"))
        .bearer_auth(admin_key)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let minted: Value = res.json().await.unwrap();
    assert_eq!(minted["token_type"], "Bearer");
    assert!(minted["expires_at"].is_string(), "{minted}");
    (subject, minted["token"].as_str().unwrap().to_owned())
}

/// The documented per-file limit.
pub const MAX_FILE: usize = 20 * 1024 * 1024;

/// A request body.
pub enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
    /// Bytes with no `Content-Type` header at all.
    Bare(Vec<u8>),
    Form(Form),
}

/// One client: a subject of a tenant and a client token minted for it.
pub struct Client {
    pub tenant: TenantId,
    pub subject: Uuid,
    pub token: String,
}

pub struct Mydocs {
    pub server: TestServer,
    pub contract: Contract,
    pub ncore_contract: Contract,
}

impl AlphaNcore for Mydocs {
    fn test_server(&self) -> &TestServer {
        &self.server
    }
}

impl Mydocs {
    pub async fn start() -> Mydocs {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Mydocs {
        Mydocs {
            server: TestServer::start_with(adjust).await,
            contract: Contract::of("mydocs"),
            ncore_contract: Contract::of("ncore"),
        }
    }

    /// A new subject of the tenant `admin_key` administers, with a client token minted for
    /// it through the admin API.
    pub async fn client(&self, admin_key: &str) -> Client {
        let (subject, token) = new_client(&self.server.client, &self.server.base, admin_key).await;
        Client {
            tenant: tenant(if admin_key == ADMIN_A {
                "alpha"
            } else {
                "beta"
            }),
            subject,
            token,
        }
    }

    /// Sends a request with an optional bearer token; `path` is the full path.
    pub async fn raw(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Body,
        range: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self.server.client.request(method, self.server.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(r) = range {
            req = req.header("range", r);
        }
        req = match body {
            Body::None => req,
            Body::Json(v) => req.json(&v),
            Body::Raw(content_type, bytes) => req.header("content-type", content_type).body(bytes),
            Body::Bare(bytes) => req.body(bytes),
            Body::Form(f) => req.multipart(f),
        };
        req.send().await.unwrap()
    }

    /// Sends a request and checks the JSON answer against the contract of `template`.
    pub async fn send(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        template: &str,
        body: Body,
    ) -> (StatusCode, Value) {
        let res = self.raw(token, method.clone(), path, body, None).await;
        let status = res.status();
        let content_type = res.headers().get("content-type").cloned();
        let text = res.text().await.unwrap();
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {path} {status}: not JSON ({e}): {text:?}"));
        assert_eq!(
            content_type.as_ref().and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "{method} {path}"
        );
        self.contract
            .check(method.as_str(), template, status.as_u16(), &value);
        if !status.is_success() {
            assert_error(&value, status, None);
        }
        (status, value)
    }

    pub async fn types(&self, token: &str, root: &str) -> (StatusCode, Value) {
        self.send(
            Some(token),
            Method::GET,
            &format!("{root}/documents/types"),
            TYPES,
            Body::None,
        )
        .await
    }

    pub async fn list(&self, token: &str, query: &str) -> (StatusCode, Value) {
        self.send(
            Some(token),
            Method::GET,
            &format!("{API}/documents{query}"),
            LIST,
            Body::None,
        )
        .await
    }

    /// The ids of a list page, in order, after checking the page succeeded.
    pub async fn ids(&self, token: &str, query: &str) -> (u64, Vec<i64>) {
        let (status, page) = self.list(token, query).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        let ids = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_i64().unwrap())
            .collect();
        (page["total"].as_u64().unwrap(), ids)
    }

    pub async fn get(&self, token: &str, id: i64) -> (StatusCode, Value) {
        self.send(
            Some(token),
            Method::GET,
            &format!("{API}/documents/{id}"),
            ONE,
            Body::None,
        )
        .await
    }

    /// `DELETE` under `root`: 204 with an empty body, or an error checked against the contract.
    pub async fn delete(
        &self,
        token: &str,
        root: &str,
        id: impl std::fmt::Display,
    ) -> (StatusCode, Value) {
        let path = format!("{root}/documents/{id}");
        let res = self
            .raw(Some(token), Method::DELETE, &path, Body::None, None)
            .await;
        let status = res.status();
        let bytes = res.bytes().await.unwrap();
        if status == StatusCode::NO_CONTENT {
            assert!(bytes.is_empty(), "a 204 with a body: {bytes:?}");
            return (status, Value::Null);
        }
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        self.contract.check("DELETE", ONE, status.as_u16(), &value);
        assert_error(&value, status, None);
        (status, value)
    }

    pub async fn add(&self, token: &str, body: Body) -> (StatusCode, Value) {
        self.add_at(token, API, body).await
    }

    pub async fn add_at(&self, token: &str, root: &str, body: Body) -> (StatusCode, Value) {
        self.send(
            Some(token),
            Method::POST,
            &format!("{root}/documents"),
            LIST,
            body,
        )
        .await
    }

    /// `POST /files` with one `file` part.
    pub async fn upload(&self, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
        self.send(
            Some(token),
            Method::POST,
            &format!("{API}/files"),
            FILES,
            Body::Form(form),
        )
        .await
    }

    /// Uploads a file that must be accepted; returns its path.
    pub async fn upload_ok(&self, token: &str, name: &str, bytes: Vec<u8>) -> String {
        let (status, up) = self.upload(token, name, bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{up}");
        up["path"].as_str().unwrap().to_owned()
    }

    /// Adds a document that must be accepted.
    pub async fn add_ok(&self, token: &str, body: Body) -> Value {
        let (status, doc) = self.add(token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{doc}");
        doc
    }

    /// Requests a `downloadUrl` (absolute, built from `public_base_url`) from this server.
    pub async fn download(
        &self,
        token: Option<&str>,
        url: &str,
        range: Option<&str>,
    ) -> reqwest::Response {
        let public = self.server.config.server.public_base_url.clone();
        let path = url
            .strip_prefix(&public)
            .unwrap_or_else(|| panic!("{url} is not under {public}"));
        assert!(path.starts_with(&format!("{API}/documents/")), "{url}");
        self.raw(token, Method::GET, path, Body::None, range).await
    }

    /// The bytes behind a `downloadUrl`, which must be served whole.
    pub async fn fetch(&self, token: &str, url: &str) -> Vec<u8> {
        let res = self.download(Some(token), url, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        res.bytes().await.unwrap().to_vec()
    }

    /// A download that must fail: its JSON error, checked against the contract.
    pub async fn download_error(&self, token: Option<&str>, path: &str) -> (StatusCode, Value) {
        self.send(token, Method::GET, path, FILE, Body::None).await
    }

    pub async fn files_stored(&self) -> u64 {
        self.server.store.count_files().await.unwrap()
    }

    /// Asserts the parts of a Document object that follow from its type and files: type,
    /// status, the sides of its files in order, the first file's fields, download links.
    pub fn assert_document(
        &self,
        doc: &Value,
        type_id: u64,
        type_name: &str,
        status: &str,
        sides: &[&str],
    ) {
        let id = doc["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no integer id: {doc}"));
        assert_eq!(doc["typeId"], type_id, "{doc}");
        assert_eq!(
            doc["type"],
            json!({"id": type_id, "name": type_name}),
            "{doc}"
        );
        assert_eq!(doc["status"], status, "{doc}");
        let files = doc["files"].as_array().unwrap();
        let got: Vec<&str> = files.iter().map(|f| f["side"].as_str().unwrap()).collect();
        assert_eq!(got, sides, "{doc}");
        for f in files {
            let file_id: Uuid = f["id"].as_str().unwrap().parse().unwrap();
            assert_eq!(
                f["downloadUrl"],
                format!(
                    "{}{API}/documents/{id}/files/{file_id}",
                    self.server.config.server.public_base_url
                ),
                "{doc}"
            );
            assert_time(&f["createTime"]);
        }
        match files.first() {
            Some(first) => {
                for (k, fk) in [
                    ("fileName", "fileName"),
                    ("fileSize", "fileSize"),
                    ("mimeType", "mimeType"),
                    ("downloadUrl", "downloadUrl"),
                ] {
                    assert_eq!(doc[k], first[fk], "{k} is the first file's: {doc}");
                }
            }
            None => {
                for k in ["fileName", "fileSize", "mimeType", "downloadUrl"] {
                    assert!(doc[k].is_null(), "{k} without files: {doc}");
                }
            }
        }
        assert_time(&doc["createTime"]);
        assert_time(&doc["updateTime"]);
    }

    /// The canonical id (nCore's identification id) of a document.
    pub async fn canonical_id(&self, client: &Client, id: i64) -> Uuid {
        self.server
            .store
            .get_document_by_seq(&client.tenant, id)
            .await
            .unwrap()
            .id
    }
}

/// Asserts B2Core's error shape: `{"code", "message", "errors"?}` and, when `field` is given,
/// a non-empty list of reasons for that field.
pub fn assert_error(body: &Value, status: StatusCode, field: Option<&str>) {
    assert_eq!(body["code"], status.as_u16(), "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    for key in body.as_object().unwrap().keys() {
        assert!(
            ["code", "message", "errors"].contains(&key.as_str()),
            "unexpected key {key} in {body}"
        );
    }
    if let Some(f) = field {
        let reasons = body["errors"][f]
            .as_array()
            .unwrap_or_else(|| panic!("no errors.{f} in {body}"));
        assert!(
            !reasons.is_empty()
                && reasons
                    .iter()
                    .all(|r| r.as_str().is_some_and(|s| !s.is_empty())),
            "{body}"
        );
    }
}

/// Asserts a B2Core time: ISO-8601 with the `+00:00` offset.
pub fn assert_time(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a time: {v}"));
    assert!(s.ends_with("+00:00"), "{s}");
    chrono::DateTime::parse_from_rfc3339(s).unwrap();
}

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A form: the type field (when given), then one `file` part per (name, bytes).
pub fn form(type_field: Option<(&str, &str)>, files: Vec<(&str, Vec<u8>)>) -> Form {
    let mut f = Form::new();
    if let Some((name, value)) = type_field {
        f = f.text(name.to_owned(), value.to_owned());
    }
    for (name, bytes) in files {
        f = f.part("file", Part::bytes(bytes).file_name(name.to_owned()));
    }
    f
}

pub fn typed(type_id: &str, files: Vec<(&str, Vec<u8>)>) -> Body {
    Body::Form(form(Some(("typeID", type_id)), files))
}

/// The upload id inside an `uploads/<uuid>` path.
pub fn upload_id(path: &str) -> Uuid {
    path.strip_prefix("uploads/")
        .unwrap_or_else(|| panic!("{path}"))
        .parse()
        .unwrap()
}

/// PassFort's API key of tenant alpha (the same key as nCore's in the test configuration).
pub const PASSFORT_KEY: &str = "test-api-key-alpha";
