//! The B2Core "my documents" API over HTTP, as a B2Core front-office client uses it: a client
//! token minted by the admin API, the three ways of adding a document, the list, details,
//! downloads and delete, and the same documents seen through nCore. Every JSON body is
//! checked against the mydocs OpenAPI document.

mod bodies;
mod contract;
mod signin;
mod types;
mod uploads;

use crate::common::{ADMIN_A, ADMIN_B, Contract, TestServer, tenant};
use base64::Engine as _;
use idbridge::config::{Config, DocumentTypeConfig};
use idbridge::error::Error;
use idbridge::model::TenantId;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The two roots the API is served under; OpenAPI paths and download links use the first.
const API: &str = "/api/v2/my";
const ALT: &str = "/v2/my";

const LIST: &str = "/api/v2/my/documents";
const ONE: &str = "/api/v2/my/documents/{documentId}";
const TYPES: &str = "/api/v2/my/documents/types";
const FILES: &str = "/api/v2/my/files";
const FILE: &str = "/api/v2/my/documents/{documentId}/files/{fileId}";

const NCORE_KEY: &str = "test-api-key-alpha";
const NCORE_LIST: &str = "/users/{user_id}/identifications";
const NCORE_ONE: &str = "/users/{user_id}/identifications/{identification_id}";
const NCORE_FILES: &str = "/users/{user_id}/identifications/{identification_id}/files";

/// The documented per-file limit.
const MAX_FILE: usize = 20 * 1024 * 1024;

/// A request body.
enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
    /// Bytes with no `Content-Type` header at all.
    Bare(Vec<u8>),
    Form(Form),
}

/// One client: a subject of a tenant and a client token minted for it.
struct Client {
    tenant: TenantId,
    subject: Uuid,
    token: String,
}

struct Mydocs {
    server: TestServer,
    contract: Contract,
    ncore_contract: Contract,
}

impl Mydocs {
    async fn start() -> Mydocs {
        Self::start_with(|_| {}).await
    }

    async fn start_with(adjust: impl FnOnce(&mut Config)) -> Mydocs {
        Mydocs {
            server: TestServer::start_with(adjust).await,
            contract: Contract::of("mydocs"),
            ncore_contract: Contract::of("ncore"),
        }
    }

    /// A new subject of the tenant `admin_key` administers, with a client token minted for
    /// it through the admin API.
    async fn client(&self, admin_key: &str) -> Client {
        let http = &self.server.client;
        let res = http
            .post(self.server.url("/admin/v1/subjects"))
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
            .post(
                self.server
                    .url(&format!("/admin/v1/subjects/{subject}/client-tokens")),
            )
            .bearer_auth(admin_key)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let minted: Value = res.json().await.unwrap();
        assert_eq!(minted["token_type"], "Bearer");
        assert!(minted["expires_at"].is_string(), "{minted}");
        Client {
            tenant: tenant(if admin_key == ADMIN_A {
                "alpha"
            } else {
                "beta"
            }),
            subject,
            token: minted["token"].as_str().unwrap().to_owned(),
        }
    }

    /// Sends a request with an optional bearer token; `path` is the full path.
    async fn raw(
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
    async fn send(
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

    async fn types(&self, token: &str, root: &str) -> (StatusCode, Value) {
        self.send(
            Some(token),
            Method::GET,
            &format!("{root}/documents/types"),
            TYPES,
            Body::None,
        )
        .await
    }

    async fn list(&self, token: &str, query: &str) -> (StatusCode, Value) {
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
    async fn ids(&self, token: &str, query: &str) -> (u64, Vec<i64>) {
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

    async fn get(&self, token: &str, id: i64) -> (StatusCode, Value) {
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
    async fn delete(
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

    async fn add(&self, token: &str, body: Body) -> (StatusCode, Value) {
        self.add_at(token, API, body).await
    }

    async fn add_at(&self, token: &str, root: &str, body: Body) -> (StatusCode, Value) {
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
    async fn upload(&self, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
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
    async fn upload_ok(&self, token: &str, name: &str, bytes: Vec<u8>) -> String {
        let (status, up) = self.upload(token, name, bytes).await;
        assert_eq!(status, StatusCode::CREATED, "{up}");
        up["path"].as_str().unwrap().to_owned()
    }

    /// Adds a document that must be accepted.
    async fn add_ok(&self, token: &str, body: Body) -> Value {
        let (status, doc) = self.add(token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{doc}");
        doc
    }

    /// Requests a `downloadUrl` (absolute, built from `public_base_url`) from this server.
    async fn download(
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
    async fn fetch(&self, token: &str, url: &str) -> Vec<u8> {
        let res = self.download(Some(token), url, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        res.bytes().await.unwrap().to_vec()
    }

    /// A download that must fail: its JSON error, checked against the contract.
    async fn download_error(&self, token: Option<&str>, path: &str) -> (StatusCode, Value) {
        self.send(token, Method::GET, path, FILE, Body::None).await
    }

    async fn files_stored(&self) -> u64 {
        self.server.store.count_files().await.unwrap()
    }

    /// An nCore request of tenant alpha; `path` is under `/v1`.
    async fn ncore(
        &self,
        method: Method,
        path: &str,
        template: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .server
            .client
            .request(method.clone(), self.server.url(&format!("/v1{path}")))
            .header("apikey", NCORE_KEY);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let value: Value = res.json().await.unwrap();
        self.ncore_contract
            .check(method.as_str(), template, status.as_u16(), &value);
        (status, value)
    }

    /// Asserts the parts of a Document object that follow from its type and files: type,
    /// status, the sides of its files in order, the first file's fields, download links.
    fn assert_document(
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
    async fn canonical_id(&self, client: &Client, id: i64) -> Uuid {
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
fn assert_error(body: &Value, status: StatusCode, field: Option<&str>) {
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
fn assert_time(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a time: {v}"));
    assert!(s.ends_with("+00:00"), "{s}");
    chrono::DateTime::parse_from_rfc3339(s).unwrap();
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/conformance/ncore/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A PNG (a sniffable header) followed by bytes that depend on `seed`.
fn png(seed: u8) -> Vec<u8> {
    let mut v = crate::common::png_header(640, 400);
    v.extend((0..3000u32).map(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed)));
    v
}

fn pdf(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n".to_vec();
    v.extend((0..len.saturating_sub(9)).map(|i| b'a' + (i % 26) as u8));
    v
}

/// A JPEG whose base64 is full of `/` (runs of 0xFF encode as `////`).
fn jpeg() -> Vec<u8> {
    let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    v.extend_from_slice(b"JFIF\0");
    v.extend([0xFF; 300]);
    v.extend((0..500u32).map(|i| i as u8));
    v
}

fn gif() -> Vec<u8> {
    let mut v = b"GIF89a".to_vec();
    v.extend([1, 0, 1, 0, 0, 0, 0, 0x3B]);
    v
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A form: the type field (when given), then one `file` part per (name, bytes).
fn form(type_field: Option<(&str, &str)>, files: Vec<(&str, Vec<u8>)>) -> Form {
    let mut f = Form::new();
    if let Some((name, value)) = type_field {
        f = f.text(name.to_owned(), value.to_owned());
    }
    for (name, bytes) in files {
        f = f.part("file", Part::bytes(bytes).file_name(name.to_owned()));
    }
    f
}

fn typed(type_id: &str, files: Vec<(&str, Vec<u8>)>) -> Body {
    Body::Form(form(Some(("typeID", type_id)), files))
}

/// The upload id inside an `uploads/<uuid>` path.
fn upload_id(path: &str) -> Uuid {
    path.strip_prefix("uploads/")
        .unwrap_or_else(|| panic!("{path}"))
        .parse()
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// Adding documents

#[tokio::test]
async fn a_multipart_document_is_added_and_downloads_byte_for_byte() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let (front, back) = (fixture("id-front.png"), fixture("id-back.png"));
    let doc = m
        .add_ok(
            &a.token,
            typed(
                "2",
                vec![("front.png", front.clone()), ("back.png", back.clone())],
            ),
        )
        .await;
    m.assert_document(&doc, 2, "National ID / Passport", "new", &["front", "back"]);
    assert_eq!(doc["id"], 1, "the tenant's first document");
    assert_eq!(
        (
            doc["fileName"].as_str(),
            doc["fileSize"].as_u64(),
            doc["mimeType"].as_str()
        ),
        (
            Some("front.png"),
            Some(front.len() as u64),
            Some("image/png")
        )
    );
    assert_eq!(doc["files"][1]["fileName"], "back.png");
    assert_eq!(doc["files"][1]["fileSize"], back.len());
    for k in ["number", "expiryDate", "issuingCountry"] {
        assert!(doc[k].is_null(), "{k}: {doc}");
    }
    let (status, got) = m.get(&a.token, 1).await;
    assert_eq!((status, &got), (StatusCode::OK, &doc));

    for (file, bytes, name) in [(0, &front, "front.png"), (1, &back, "back.png")] {
        let url = doc["files"][file]["downloadUrl"].as_str().unwrap();
        let res = m.download(Some(&a.token), url, None).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/png");
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            disposition.starts_with("attachment")
                && disposition.contains(&format!("filename=\"{name}\"")),
            "{disposition}"
        );
        assert_eq!(sha(&res.bytes().await.unwrap()), sha(bytes));
    }
    // Ranges.
    let url = doc["downloadUrl"].as_str().unwrap();
    let res = m.download(Some(&a.token), url, Some("bytes=10-19")).await;
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes 10-19/{}", front.len()).as_str()
    );
    assert_eq!(res.bytes().await.unwrap(), &front[10..20]);
    let res = m.download(Some(&a.token), url, Some("bytes=999999-")).await;
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    // `typeId` spelling; a passport's files are pages, in the order sent, of any allowed type.
    let (p1, p2, p3) = (pdf(4000), jpeg(), png(9));
    let passport = m
        .add_ok(
            &a.token,
            Body::Form(form(
                Some(("typeId", "1")),
                vec![
                    ("p1.pdf", p1.clone()),
                    ("p2.jpg", p2.clone()),
                    ("p3.png", p3.clone()),
                ],
            )),
        )
        .await;
    m.assert_document(
        &passport,
        1,
        "Passport",
        "new",
        &["page1", "page2", "page3"],
    );
    assert_eq!(passport["id"], 2);
    let mimes: Vec<&str> = passport["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["mimeType"].as_str().unwrap())
        .collect();
    assert_eq!(mimes, ["application/pdf", "image/jpeg", "image/png"]);
    for (i, bytes) in [&p1, &p2, &p3].into_iter().enumerate() {
        let got = m
            .fetch(
                &a.token,
                passport["files"][i]["downloadUrl"].as_str().unwrap(),
            )
            .await;
        assert_eq!(sha(&got), sha(bytes), "page {}", i + 1);
    }

    // A selfie's file is the face; the type field may come after the file.
    let selfie_form = Form::new()
        .part("file", Part::bytes(png(4)).file_name("me.png"))
        .text("typeID", "7");
    let selfie = m.add_ok(&a.token, Body::Form(selfie_form)).await;
    m.assert_document(
        &selfie,
        7,
        "Selfie with proof of identity",
        "new",
        &["face"],
    );
    assert_eq!(
        sha(&m
            .fetch(&a.token, selfie["downloadUrl"].as_str().unwrap())
            .await),
        sha(&png(4))
    );
}

#[tokio::test]
async fn an_uploaded_path_becomes_a_document() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let statement = fixture("statement.pdf");
    let (status, up) = m.upload(&a.token, "statement.pdf", statement.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let path = up["path"].as_str().unwrap().to_owned();
    let upload = upload_id(&path);
    assert_eq!(
        (
            up["fileName"].as_str(),
            up["fileSize"].as_u64(),
            up["mimeType"].as_str()
        ),
        (
            Some("statement.pdf"),
            Some(statement.len() as u64),
            Some("application/pdf")
        )
    );
    assert_time(&up["createTime"]);
    let stored = m.server.store.get_file(&a.tenant, upload).await.unwrap();
    assert_eq!((stored.subject_id, stored.document_id), (a.subject, None));
    assert_eq!(
        m.ids(&a.token, "").await,
        (0, vec![]),
        "an upload alone is not a document"
    );

    // `typeID` as a numeric string.
    let doc = m
        .add_ok(&a.token, Body::Json(json!({"file": path, "typeID": "20"})))
        .await;
    m.assert_document(&doc, 20, "Bank statement", "new", &["page1"]);
    assert_eq!(
        doc["files"][0]["id"],
        upload.to_string(),
        "the upload is the file"
    );
    assert_eq!(doc["fileName"], "statement.pdf");
    assert_eq!(doc["mimeType"], "application/pdf");
    assert_eq!(
        sha(&m
            .fetch(&a.token, doc["downloadUrl"].as_str().unwrap())
            .await),
        sha(&statement)
    );
    let stored = m.server.store.get_file(&a.tenant, upload).await.unwrap();
    assert!(stored.document_id.is_some());
    assert_eq!(
        m.files_stored().await,
        1,
        "the upload was moved, not copied"
    );

    // A path already on a document is refused, and nothing is created.
    let (status, err) = m
        .add(&a.token, Body::Json(json!({"file": path, "typeID": 22})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("file"));
    assert_eq!(m.ids(&a.token, "").await.0, 1);

    // An array of paths: a driving licence's front and back, `typeId` spelling.
    let (front, back) = (png(1), png(2));
    let p1 = m.upload_ok(&a.token, "f.png", front.clone()).await;
    let p2 = m.upload_ok(&a.token, "b.png", back.clone()).await;
    let licence = m
        .add_ok(&a.token, Body::Json(json!({"file": [p1, p2], "typeId": 3})))
        .await;
    m.assert_document(&licence, 3, "Driving license", "new", &["front", "back"]);
    assert_eq!(licence["files"][0]["id"], upload_id(&p1).to_string());
    assert_eq!(licence["files"][1]["id"], upload_id(&p2).to_string());
    for (i, bytes) in [&front, &back].into_iter().enumerate() {
        let url = licence["files"][i]["downloadUrl"].as_str().unwrap();
        assert_eq!(sha(&m.fetch(&a.token, url).await), sha(bytes));
    }

    // PHP escapes slashes in JSON: `uploads\/<uuid>`.
    let p3 = m.upload_ok(&a.token, "o.pdf", pdf(700)).await;
    let escaped = format!(r#"{{"file":"{}","typeID":22}}"#, p3.replace('/', "\\/"));
    assert!(escaped.contains("uploads\\/"));
    let other = m
        .add_ok(
            &a.token,
            Body::Raw("application/json", escaped.into_bytes()),
        )
        .await;
    m.assert_document(&other, 22, "Other", "new", &["page1"]);
    assert_eq!(other["files"][0]["id"], upload_id(&p3).to_string());

    // A form's `file` part without a file name is an upload path.
    let p4 = m.upload_ok(&a.token, "bill.pdf", pdf(900)).await;
    let bill = m
        .add_ok(
            &a.token,
            Body::Form(Form::new().text("typeID", "4").text("file", p4.clone())),
        )
        .await;
    m.assert_document(&bill, 4, "Utility bill", "new", &["page1"]);
    assert_eq!(bill["files"][0]["id"], upload_id(&p4).to_string());
    assert_eq!(bill["fileName"], "bill.pdf");
    assert_eq!(
        sha(&m
            .fetch(&a.token, bill["downloadUrl"].as_str().unwrap())
            .await),
        sha(&pdf(900))
    );

    // The same path twice in one document: refused whole, and the upload stays usable.
    let p5 = m.upload_ok(&a.token, "x.png", png(5)).await;
    let (status, err) = m
        .add(&a.token, Body::Json(json!({"file": [p5, p5], "typeID": 2})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("file"));
    assert_eq!(m.ids(&a.token, "").await.0, 4);
    let ok = m
        .add_ok(&a.token, Body::Json(json!({"file": p5, "typeID": 2})))
        .await;
    m.assert_document(&ok, 2, "National ID / Passport", "new", &["front"]);
}

#[tokio::test]
async fn an_inline_data_uri_becomes_a_document() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let image = png(3);
    let doc = m
        .add_ok(
            &a.token,
            Body::Json(
                json!({"file": format!("data:image/png;base64,{}", b64(&image)), "typeID": 1}),
            ),
        )
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
    assert_eq!(
        (doc["fileSize"].as_u64(), doc["mimeType"].as_str()),
        (Some(image.len() as u64), Some("image/png"))
    );
    assert_eq!(
        sha(&m
            .fetch(&a.token, doc["downloadUrl"].as_str().unwrap())
            .await),
        sha(&image)
    );

    // PHP's json_encode: `data:image\/jpeg;base64,…` with every `/` of the base64 escaped.
    let photo = jpeg();
    let encoded = b64(&photo);
    assert!(encoded.contains('/'), "the fixture must exercise escaping");
    let body = format!(
        r#"{{"typeID":7,"file":"data:image\/jpeg;base64,{}"}}"#,
        encoded.replace('/', "\\/")
    );
    let selfie = m
        .add_ok(&a.token, Body::Raw("application/json", body.into_bytes()))
        .await;
    m.assert_document(
        &selfie,
        7,
        "Selfie with proof of identity",
        "new",
        &["face"],
    );
    assert_eq!(selfie["mimeType"], "image/jpeg");
    assert_eq!(
        sha(&m
            .fetch(&a.token, selfie["downloadUrl"].as_str().unwrap())
            .await),
        sha(&photo)
    );

    // An array mixing a data URI and an upload path: front then back.
    let scan = pdf(5000);
    let back = png(8);
    let path = m.upload_ok(&a.token, "back.png", back.clone()).await;
    let card = m
        .add_ok(
            &a.token,
            Body::Json(json!({
                "file": [format!("data:application/pdf;base64,{}", b64(&scan)), path],
                "typeID": 2,
            })),
        )
        .await;
    m.assert_document(
        &card,
        2,
        "National ID / Passport",
        "new",
        &["front", "back"],
    );
    assert_eq!(card["files"][0]["mimeType"], "application/pdf");
    assert_eq!(card["files"][1]["id"], upload_id(&path).to_string());
    for (i, bytes) in [&scan, &back].into_iter().enumerate() {
        let url = card["files"][i]["downloadUrl"].as_str().unwrap();
        assert_eq!(sha(&m.fetch(&a.token, url).await), sha(bytes));
    }

    // Broken data URIs are the `file` field's fault, and store nothing.
    let before = m.files_stored().await;
    for file in [
        "data:image/png;base64,!!!!",
        "data:image/png,abc",
        "data:image/png;base64",
    ] {
        let (status, err) = m
            .add(&a.token, Body::Json(json!({"file": file, "typeID": 1})))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{file}: {err}");
        assert_error(&err, status, Some("file"));
    }
    assert_eq!(m.files_stored().await, before);
    assert_eq!(m.ids(&a.token, "").await.0, 3);
}

#[tokio::test]
async fn one_upload_goes_to_one_document_even_under_concurrency() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let path = m.upload_ok(&a.token, "p.png", png(1)).await;
    let tries = (0..8).map(|i| {
        m.add(
            &a.token,
            Body::Json(json!({"file": path, "typeID": if i % 2 == 0 { 1 } else { 10 }})),
        )
    });
    let results = futures::future::join_all(tries).await;
    let created: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .map(|(_, d)| d)
        .collect();
    assert_eq!(created.len(), 1, "{results:?}");
    for (status, body) in &results {
        if *status != StatusCode::CREATED {
            assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
            assert_error(body, *status, Some("file"));
        }
    }
    assert_eq!(m.ids(&a.token, "").await.0, 1);
    assert_eq!(m.files_stored().await, 1);
    assert_eq!(created[0]["files"][0]["id"], upload_id(&path).to_string());
}

#[tokio::test]
async fn both_type_spellings_are_accepted_but_must_agree() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let path = m.upload_ok(&a.token, "p.png", png(1)).await;
    let (status, err) = m
        .add(
            &a.token,
            Body::Json(json!({"file": path, "typeID": 1, "typeId": 2})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("typeID"));
    let form = Form::new()
        .text("typeID", "1")
        .text("typeId", "2")
        .part("file", Part::bytes(png(2)).file_name("p.png"));
    let (status, err) = m.add(&a.token, Body::Form(form)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("typeID"));
    assert_eq!(m.ids(&a.token, "").await.0, 0);
    assert_eq!(m.files_stored().await, 1, "only the upload");

    let doc = m
        .add_ok(
            &a.token,
            Body::Json(json!({"file": path, "typeID": 1, "typeId": "1"})),
        )
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
    let form = Form::new()
        .text("typeId", "11")
        .text("typeID", "11")
        .part("file", Part::bytes(png(2)).file_name("v.png"));
    let visa = m.add_ok(&a.token, Body::Form(form)).await;
    m.assert_document(&visa, 11, "Visa", "new", &["page1"]);
}

#[tokio::test]
async fn bad_additions_are_400_naming_the_field_and_store_nothing() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let b = m.client(ADMIN_A).await;
    let beta = m.client(ADMIN_B).await;
    let mine = m.upload_ok(&a.token, "mine.png", png(1)).await;
    let theirs = m.upload_ok(&b.token, "theirs.png", png(2)).await;
    let other_tenant = m.upload_ok(&beta.token, "beta.png", png(3)).await;
    let unknown = format!("uploads/{}", Uuid::new_v4());
    let stored = m.files_stored().await;
    assert_eq!(stored, 3);

    let json_cases: Vec<(Value, &str)> = vec![
        (json!({"file": mine, "typeID": 99}), "typeID"),
        (json!({"file": mine, "typeID": 0}), "typeID"),
        (json!({"file": mine, "typeID": "abc"}), "typeID"),
        (json!({"file": mine, "typeID": -1}), "typeID"),
        (json!({"file": mine}), "typeID"),
        (json!({"typeID": 1}), "file"),
        (json!({"file": null, "typeID": 1}), "file"),
        (json!({"file": [], "typeID": 1}), "file"),
        (json!({"file": 5, "typeID": 1}), "file"),
        (json!({"file": unknown, "typeID": 1}), "file"),
        (json!({"file": "foo/bar", "typeID": 1}), "file"),
        (json!({"file": "uploads/not-a-uuid", "typeID": 1}), "file"),
        (json!({"file": theirs, "typeID": 1}), "file"),
        (json!({"file": other_tenant, "typeID": 1}), "file"),
        (json!({"file": [mine, theirs], "typeID": 2}), "file"),
    ];
    for (body, field) in json_cases {
        let (status, err) = m.add(&a.token, Body::Json(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {err}");
        assert_error(&err, status, Some(field));
    }
    let form_cases: Vec<(Form, &str)> = vec![
        (
            form(Some(("typeID", "99")), vec![("a.png", png(4))]),
            "typeID",
        ),
        (
            form(Some(("typeID", "x")), vec![("a.png", png(4))]),
            "typeID",
        ),
        (form(None, vec![("a.png", png(4))]), "typeID"),
        (form(Some(("typeID", "1")), vec![]), "file"),
        (
            Form::new()
                .text("typeID", "1")
                .text("file", unknown.clone()),
            "file",
        ),
        (
            Form::new().text("typeID", "1").text("file", theirs.clone()),
            "file",
        ),
    ];
    for (f, field) in form_cases {
        let (status, err) = m.add(&a.token, Body::Form(f)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {err}");
        assert_error(&err, status, Some(field));
    }
    // Unreadable bodies.
    let (status, err) = m
        .add(
            &a.token,
            Body::Raw("application/json", b"{\"file\":".to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    // A urlencoded form whose file is not an upload path.
    let (status, err) = m
        .add(
            &a.token,
            Body::Raw(
                "application/x-www-form-urlencoded",
                b"typeID=1&file=x".to_vec(),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_error(&err, status, Some("file"));
    // Neither JSON nor a form.
    for content_type in ["text/plain", "application/octet-stream"] {
        let (status, err) = m
            .add(
                &a.token,
                Body::Raw(content_type, b"typeID=1&file=x".to_vec()),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}: {err}"
        );
    }

    // Nothing was created or stored, and every upload is still its owner's to use.
    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));
    assert_eq!(m.ids(&b.token, "").await, (0, vec![]));
    assert_eq!(m.files_stored().await, stored);
    for (client, path) in [(&a, &mine), (&b, &theirs), (&beta, &other_tenant)] {
        let f = m
            .server
            .store
            .get_file(&client.tenant, upload_id(path))
            .await
            .unwrap();
        assert_eq!((f.subject_id, f.document_id), (client.subject, None));
    }
    let doc = m
        .add_ok(&b.token, Body::Json(json!({"file": theirs, "typeID": 1})))
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
}

// ---------------------------------------------------------------------------------------
// Limits

/// A form with one PDF file of exactly `len` bytes, typed as a bank statement.
fn big_pdf_form(len: usize) -> Form {
    form(Some(("typeID", "20")), vec![("big.pdf", pdf(len))])
}

#[tokio::test]
async fn the_20_mib_limit_is_exact_and_a_refused_file_is_not_kept() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let doc = m.add_ok(&a.token, Body::Form(big_pdf_form(MAX_FILE))).await;
    m.assert_document(&doc, 20, "Bank statement", "new", &["page1"]);
    assert_eq!(doc["fileSize"], MAX_FILE);
    assert_eq!(
        sha(&m
            .fetch(&a.token, doc["downloadUrl"].as_str().unwrap())
            .await),
        sha(&pdf(MAX_FILE))
    );
    assert_eq!(m.files_stored().await, 1);

    let (status, err) = m
        .add(&a.token, Body::Form(big_pdf_form(MAX_FILE + 1)))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
    // A good first file does not survive a too-large second one.
    let two = form(
        Some(("typeID", "1")),
        vec![("ok.png", png(1)), ("big.pdf", pdf(MAX_FILE + 1))],
    );
    let (status, _) = m.add(&a.token, Body::Form(two)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = m.upload(&a.token, "big.pdf", pdf(MAX_FILE + 1)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let inline = format!("data:application/pdf;base64,{}", b64(&pdf(MAX_FILE + 1)));
    let (status, _) = m
        .add(&a.token, Body::Json(json!({"file": inline, "typeID": 20})))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(m.files_stored().await, 1, "a refused file was kept");
    assert_eq!(
        m.server
            .store
            .list_files(&a.tenant, a.subject)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(m.ids(&a.token, "").await, (1, vec![1]));
}

/// `len` bytes of a PDF whose body is pseudo-random (as compressed scans are).
fn noisy_pdf(len: usize, seed: u64) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n".to_vec();
    let mut x = seed | 1;
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

/// One page at the size limit as a JSON data URI is accepted, plain and the way PHP's
/// json_encode writes it (`\/` for every `/`, which the adapter documents it accepts). The
/// JSON body is held whole, so its limit is one such file, not the type's `maxFiles` of
/// them: three pages at the limit go as a form, which streams.
#[tokio::test]
async fn a_file_at_the_size_limit_fits_a_php_escaped_json_body() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let page = noisy_pdf(MAX_FILE, 1);
    for escape in [false, true] {
        let data = b64(&page);
        let uri = if escape {
            format!("data:application\\/pdf;base64,{}", data.replace('/', "\\/"))
        } else {
            format!("data:application/pdf;base64,{data}")
        };
        let bytes = format!(r#"{{"typeID":20,"file":"{uri}"}}"#).into_bytes();
        let len = bytes.len();
        let (status, doc) = m.add(&a.token, Body::Raw("application/json", bytes)).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "escaped: {escape}, a {len}-byte body of one file at the limit was refused: {doc}"
        );
        m.assert_document(&doc, 20, "Bank statement", "new", &["page1"]);
        let url = doc["downloadUrl"].as_str().unwrap();
        assert_eq!(sha(&m.fetch(&a.token, url).await), sha(&page));
    }
    let pages: Vec<Vec<u8>> = (1..=3).map(|i| noisy_pdf(MAX_FILE, i)).collect();
    let parts = pages.iter().map(|p| ("page.pdf", p.clone())).collect();
    let doc = m.add_ok(&a.token, typed("1", parts)).await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1", "page2", "page3"]);
    for (i, page) in pages.iter().enumerate() {
        let url = doc["files"][i]["downloadUrl"].as_str().unwrap();
        assert_eq!(sha(&m.fetch(&a.token, url).await), sha(page));
    }
}

#[tokio::test]
async fn a_mount_prefix_is_part_of_every_route_and_download_link() {
    let m = Mydocs::start_with(|c| c.adapters.mydocs.prefix = "/b2core".into()).await;
    let a = m.client(ADMIN_A).await;
    let (status, types) = m.types(&a.token, "/b2core/api/v2/my").await;
    assert_eq!((status, &types["total"]), (StatusCode::OK, &json!(22)));
    let bytes = png(5);
    let (status, doc) = m
        .add_at(
            &a.token,
            "/b2core/v2/my",
            typed("22", vec![("o.png", bytes.clone())]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    let url = doc["downloadUrl"].as_str().unwrap();
    let public = m.server.config.server.public_base_url.clone();
    assert_eq!(
        url,
        format!(
            "{public}/b2core/api/v2/my/documents/1/files/{}",
            doc["files"][0]["id"].as_str().unwrap()
        )
    );
    let res = m
        .raw(
            Some(&a.token),
            Method::GET,
            url.strip_prefix(&public).unwrap(),
            Body::None,
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(sha(&res.bytes().await.unwrap()), sha(&bytes));
    let res = m
        .raw(
            Some(&a.token),
            Method::GET,
            &format!("{API}/documents"),
            Body::None,
            None,
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "served outside its prefix"
    );
}

#[tokio::test]
async fn only_pdf_jpeg_and_png_are_accepted_judged_by_content() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let text = b"just some text, not a document".to_vec();
    for (name, bytes) in [
        ("a.gif", gif()),
        ("a.png", text.clone()),
        ("a.pdf", b"".to_vec()),
    ] {
        let (status, err) = m
            .add(&a.token, typed("22", vec![(name, bytes.clone())]))
            .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}: {err}");
        let (status, err) = m.upload(&a.token, name, bytes.clone()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}: {err}");
        let inline = format!("data:image/png;base64,{}", b64(&bytes));
        let (status, err) = m
            .add(&a.token, Body::Json(json!({"file": inline, "typeID": 22})))
            .await;
        if bytes.is_empty() {
            // An empty data URI carries no file at all.
            assert!(status.is_client_error(), "{err}");
        } else {
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}: {err}");
        }
    }
    // A good file does not survive a bad one beside it.
    let (status, _) = m
        .add(
            &a.token,
            typed("2", vec![("front.png", png(1)), ("back.gif", gif())]),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // The name and declared type do not matter; the content does.
    let doc = m
        .add_ok(&a.token, typed("22", vec![("scan.gif", pdf(300))]))
        .await;
    assert_eq!(doc["mimeType"], "application/pdf");
    assert_eq!(m.files_stored().await, 1);
    assert_eq!(m.ids(&a.token, "").await.0, 1);
}

#[tokio::test]
async fn more_files_than_the_type_allows_is_400_and_stores_nothing() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let four: Vec<(&str, Vec<u8>)> = (1..=4).map(|i| ("p.png", png(i))).collect();
    let (status, err) = m.add(&a.token, typed("1", four)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let mut paths = Vec::new();
    for i in 1..=4 {
        paths.push(m.upload_ok(&a.token, "p.png", png(i)).await);
    }
    let (status, err) = m
        .add(&a.token, Body::Json(json!({"file": paths, "typeID": 1})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let inline: Vec<String> = (1..=4)
        .map(|i| format!("data:image/png;base64,{}", b64(&png(i))))
        .collect();
    let (status, err) = m
        .add(&a.token, Body::Json(json!({"file": inline, "typeID": 1})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(m.ids(&a.token, "").await.0, 0);
    assert_eq!(m.files_stored().await, 4, "only the four uploads");
    for p in &paths {
        let f = m
            .server
            .store
            .get_file(&a.tenant, upload_id(p))
            .await
            .unwrap();
        assert_eq!(f.document_id, None, "a refused document took an upload");
    }
    // Three is fine.
    let doc = m
        .add_ok(
            &a.token,
            Body::Json(json!({"file": &paths[..3], "typeID": 1})),
        )
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1", "page2", "page3"]);
}

#[tokio::test]
async fn an_upload_takes_exactly_one_file() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let none = Form::new().text("other", "x");
    let (status, err) = m
        .send(
            Some(&a.token),
            Method::POST,
            &format!("{API}/files"),
            FILES,
            Body::Form(none),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("file"));
    let two = Form::new()
        .part("file", Part::bytes(png(1)).file_name("a.png"))
        .part("file", Part::bytes(png(2)).file_name("b.png"));
    let (status, err) = m
        .send(
            Some(&a.token),
            Method::POST,
            &format!("{API}/files"),
            FILES,
            Body::Form(two),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("file"));
    assert_eq!(m.files_stored().await, 0);
}

// ---------------------------------------------------------------------------------------
// Tokens and isolation

#[tokio::test]
async fn missing_unknown_expired_or_foreign_tokens_are_401() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let doc = m
        .add_ok(&a.token, typed("1", vec![("p.png", png(1))]))
        .await;
    let file_path = format!(
        "{API}/documents/1/files/{}",
        doc["files"][0]["id"].as_str().unwrap()
    );
    let store = &m.server.store;
    let expired = store
        .mint_token(
            &a.tenant,
            a.subject,
            None,
            idbridge::store::CLIENT_TOKEN,
            chrono::Duration::seconds(-1),
        )
        .await
        .unwrap()
        .token;
    let other_purpose = store
        .mint_token(
            &a.tenant,
            a.subject,
            None,
            "process",
            chrono::Duration::hours(1),
        )
        .await
        .unwrap()
        .token;
    let gone = m.client(ADMIN_A).await;
    let res = m
        .server
        .client
        .delete(
            m.server
                .url(&format!("/admin/v1/subjects/{}", gone.subject)),
        )
        .bearer_auth(ADMIN_A)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());

    let bad: Vec<(&str, Option<String>)> = vec![
        ("none", None),
        ("unknown", Some("Bearer idb_client_0000".into())),
        ("empty", Some("Bearer ".into())),
        ("not bearer", Some(format!("Basic {}", a.token))),
        ("bare token", Some(a.token.clone())),
        ("expired", Some(format!("Bearer {expired}"))),
        ("other purpose", Some(format!("Bearer {other_purpose}"))),
        ("admin key", Some(format!("Bearer {ADMIN_A}"))),
        ("nCore key", Some(format!("Bearer {NCORE_KEY}"))),
        ("deleted subject", Some(format!("Bearer {}", gone.token))),
    ];
    let requests: Vec<(Method, String, &str)> = vec![
        (Method::GET, format!("{API}/documents/types"), TYPES),
        (Method::GET, format!("{API}/documents"), LIST),
        (Method::GET, format!("{ALT}/documents"), LIST),
        (Method::POST, format!("{API}/documents"), LIST),
        (Method::POST, format!("{API}/files"), FILES),
        (Method::GET, format!("{API}/documents/1"), ONE),
        (Method::DELETE, format!("{API}/documents/1"), ONE),
        (Method::GET, file_path.clone(), FILE),
    ];
    for (what, header) in &bad {
        for (method, path, template) in &requests {
            let mut req = m.server.client.request(method.clone(), m.server.url(path));
            if let Some(h) = header {
                req = req.header("authorization", h);
            }
            if *method == Method::POST {
                req = req.multipart(form(Some(("typeID", "1")), vec![("p.png", png(2))]));
            }
            let res = req.send().await.unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap();
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{what}: {method} {path}: {body}"
            );
            m.contract.check(method.as_str(), template, 401, &body);
            assert_error(&body, status, None);
        }
    }
    // Nothing changed; the real token still works, and a token minted with a TTL too.
    let (status, got) = m.get(&a.token, 1).await;
    assert_eq!((status, &got), (StatusCode::OK, &doc));
    assert_eq!(m.files_stored().await, 1);
    let res = m
        .server
        .client
        .post(
            m.server
                .url(&format!("/admin/v1/subjects/{}/client-tokens", a.subject)),
        )
        .bearer_auth(ADMIN_A)
        .json(&json!({"ttl_seconds": 60}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let short = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(m.ids(&short, "").await, (1, vec![1]));
    // The scheme is case-insensitive.
    let res = m
        .server
        .client
        .get(m.server.url(&format!("{API}/documents")))
        .header("authorization", format!("bearer {}", a.token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn clients_see_only_their_own_documents_within_and_across_tenants() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let b = m.client(ADMIN_A).await;
    let beta = m.client(ADMIN_B).await;
    let secret = png(7);
    let doc = m
        .add_ok(&a.token, typed("1", vec![("secret.png", secret.clone())]))
        .await;
    let id = doc["id"].as_i64().unwrap();
    let file_id = doc["files"][0]["id"].as_str().unwrap().to_owned();
    let file_path = format!("{API}/documents/{id}/files/{file_id}");

    for other in [&b, &beta] {
        assert_eq!(m.ids(&other.token, "").await, (0, vec![]));
        let (status, err) = m.get(&other.token, id).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!err.to_string().contains("secret"), "{err}");
        let (status, _) = m.download_error(Some(&other.token), &file_path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = m.delete(&other.token, API, id).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // B's own document does not open A's file either.
    let mine = m
        .add_ok(&b.token, typed("22", vec![("b.png", png(8))]))
        .await;
    let mine_id = mine["id"].as_i64().unwrap();
    assert_eq!(mine_id, 2, "ids are per tenant, not per client");
    let (status, _) = m
        .download_error(
            Some(&b.token),
            &format!("{API}/documents/{mine_id}/files/{file_id}"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // And A cannot reach B's.
    let (status, _) = m.get(&a.token, mine_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another tenant numbers its own documents: beta's first is 1, and it is beta's.
    let theirs = m
        .add_ok(&beta.token, typed("11", vec![("v.png", png(9))]))
        .await;
    assert_eq!(theirs["id"], 1);
    let (status, got) = m.get(&beta.token, 1).await;
    assert_eq!((status, &got), (StatusCode::OK, &theirs));
    assert_eq!(got["typeId"], 11);
    let (status, _) = m.download_error(Some(&beta.token), &file_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(
        sha(&m
            .fetch(&beta.token, got["downloadUrl"].as_str().unwrap())
            .await),
        sha(&secret)
    );

    // A's document is untouched and A's alone.
    let (status, again) = m.get(&a.token, id).await;
    assert_eq!((status, &again), (StatusCode::OK, &doc));
    assert_eq!(m.ids(&a.token, "").await, (1, vec![id]));
    assert_eq!(m.ids(&b.token, "").await, (1, vec![mine_id]));
    assert_eq!(m.ids(&beta.token, "").await, (1, vec![1]));
    assert_eq!(
        sha(&m
            .fetch(&a.token, doc["downloadUrl"].as_str().unwrap())
            .await),
        sha(&secret)
    );
}

// ---------------------------------------------------------------------------------------
// The list

#[tokio::test]
async fn the_list_pages_sorts_and_filters() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let (status, empty) = m.list(&a.token, "").await;
    assert_eq!(
        (status, &empty),
        (StatusCode::OK, &json!({"total": 0, "data": []}))
    );
    // 1..=5 with a file each (status new), 6 without (incomplete), 7 expired.
    for (i, type_id) in ["1", "2", "4", "7", "22"].into_iter().enumerate() {
        let doc = m
            .add_ok(&a.token, typed(type_id, vec![("f.png", png(i as u8 + 1))]))
            .await;
        assert_eq!(doc["id"], i as u64 + 1);
    }
    let user = a.subject.to_string();
    for body in [
        json!({"type": "PASSPORT", "number": "P-6", "expiration_date": "2099-01-01"}),
        json!({"type": "VISA", "number": "V-7", "expiration_date": "2001-01-01"}),
    ] {
        let (status, _) = m
            .ncore(
                Method::POST,
                &format!("/users/{user}/identifications"),
                NCORE_LIST,
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, all) = m.list(&a.token, "").await;
    assert_eq!(all["total"], 7);
    let statuses: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["expired", "incomplete", "new", "new", "new", "new", "new"]
    );
    for d in all["data"].as_array().unwrap() {
        let (status, one) = m.get(&a.token, d["id"].as_i64().unwrap()).await;
        assert_eq!(
            (status, &one),
            (StatusCode::OK, d),
            "the list shows the details"
        );
    }

    let cases: Vec<(&str, u64, Vec<i64>)> = vec![
        ("", 7, vec![7, 6, 5, 4, 3, 2, 1]),
        ("?limit=10&offset=0", 7, vec![7, 6, 5, 4, 3, 2, 1]),
        ("?limit=3", 7, vec![7, 6, 5]),
        ("?limit=3&offset=3", 7, vec![4, 3, 2]),
        ("?limit=3&offset=6", 7, vec![1]),
        ("?offset=10", 7, vec![]),
        ("?sort_order=asc", 7, vec![1, 2, 3, 4, 5, 6, 7]),
        (
            "?sort_by=createTime&sort_order=desc",
            7,
            vec![7, 6, 5, 4, 3, 2, 1],
        ),
        ("?sort_by=id&sort_order=asc&limit=2&offset=1", 7, vec![2, 3]),
        ("?sort_by=id", 7, vec![7, 6, 5, 4, 3, 2, 1]),
        ("?filter[typeId]=1,2", 3, vec![6, 2, 1]),
        ("?filter[typeId]=1&filter[typeId]=11", 3, vec![7, 6, 1]),
        ("?filter[typeID]=11", 1, vec![7]),
        ("?filter[typeId]=21", 0, vec![]),
        ("?filter[status]=new", 5, vec![5, 4, 3, 2, 1]),
        ("?filter[status]=incomplete", 1, vec![6]),
        ("?filter[status]=expired", 1, vec![7]),
        (
            "?filter[status]=incomplete,expired&sort_order=asc",
            2,
            vec![6, 7],
        ),
        ("?filter[typeId]=1&filter[status]=new", 1, vec![1]),
        ("?filter[status]=new&limit=2&offset=1", 5, vec![4, 3]),
        ("?cache_buster=123", 7, vec![7, 6, 5, 4, 3, 2, 1]),
    ];
    for (query, total, ids) in cases {
        assert_eq!(m.ids(&a.token, query).await, (total, ids), "{query}");
    }
    // Both roots list the same.
    let (status, alt) = m
        .send(
            Some(&a.token),
            Method::GET,
            &format!("{ALT}/documents?limit=3&sort_order=asc"),
            LIST,
            Body::None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(alt, m.list(&a.token, "?limit=3&sort_order=asc").await.1);

    // Changing the first document (through nCore) makes it the most recently updated.
    let first = m.canonical_id(&a, 1).await;
    let store = &m.server.store;
    let mut number = String::new();
    for attempt in 0.. {
        assert!(attempt < 1000, "the update never got a later time");
        number = format!("P-{attempt}");
        let (status, _) = m
            .ncore(
                Method::PUT,
                &format!("/users/{user}/identifications/{first}"),
                NCORE_ONE,
                Some(json!({"number": number})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let docs = store.list_documents(&a.tenant, a.subject).await.unwrap();
        let updated = |seq: i64| docs.iter().find(|d| d.seq == seq).unwrap().updated_at;
        if (2..=7).all(|s| updated(1) > updated(s)) {
            break;
        }
    }
    let (_, by_update) = m.ids(&a.token, "?sort_by=updateTime").await;
    assert_eq!(by_update[0], 1, "{by_update:?}");
    let (_, by_update_asc) = m.ids(&a.token, "?sort_by=updateTime&sort_order=asc").await;
    assert_eq!(by_update_asc.last(), Some(&1), "{by_update_asc:?}");
    assert_eq!(
        m.ids(&a.token, "?sort_by=createTime").await.1,
        vec![7, 6, 5, 4, 3, 2, 1],
        "creation order does not change"
    );
    let (_, updated) = m.get(&a.token, 1).await;
    assert_eq!(updated["number"], number.as_str());
}

#[tokio::test]
async fn bad_list_parameters_are_400_naming_the_parameter() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=ten", "limit"),
        ("?limit=-1", "limit"),
        ("?offset=-1", "offset"),
        ("?offset=x", "offset"),
        ("?sort_by=name", "sort_by"),
        ("?sort_order=up", "sort_order"),
        ("?filter[typeId]=a", "filter[typeId]"),
        ("?filter[typeId]=1,,2", "filter[typeId]"),
        ("?filter[status]=approved", "filter[status]"),
        ("?filter[clientId]=1", "filter[clientId]"),
        ("?filter[name]=x", "filter[name]"),
    ] {
        let (status, err) = m.list(&a.token, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {err}");
        assert_error(&err, status, Some(field));
        assert_eq!(
            err["errors"].as_object().unwrap().len(),
            1,
            "{query}: only the bad parameter is named: {err}"
        );
    }
    assert_eq!(m.ids(&a.token, "?limit=1").await, (0, vec![]));
    assert_eq!(m.ids(&a.token, "?limit=100").await, (0, vec![]));
}

// ---------------------------------------------------------------------------------------
// Other vendors' APIs over the same store

#[tokio::test]
async fn documents_from_ncore_appear_here_and_ours_appear_there() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let user = a.subject.to_string();
    // nCore -> mydocs: a passport without files is "incomplete", with its number and expiry.
    let (status, ident) = m
        .ncore(
            Method::POST,
            &format!("/users/{user}/identifications"),
            NCORE_LIST,
            Some(json!({"type": "PASSPORT", "number": "132123123",
                        "expiration_date": "2031-09-20T10:10:40.182Z", "issuing_country": "ARE"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ident}");
    let ident_id = ident["id"].as_str().unwrap().to_owned();
    let (status, list) = m.list(&a.token, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 1);
    let passport = &list["data"][0];
    m.assert_document(passport, 1, "Passport", "incomplete", &[]);
    assert_eq!(
        (
            passport["number"].as_str(),
            passport["expiryDate"].as_str(),
            passport["issuingCountry"].as_str()
        ),
        (Some("132123123"), Some("2031-09-20"), Some("ARE"))
    );
    let id = passport["id"].as_i64().unwrap();
    assert_eq!(m.canonical_id(&a, id).await.to_string(), ident_id);

    // A page uploaded through nCore makes it "new" here and downloads here.
    let page = fixture("id-front.png");
    let form = Form::new()
        .text("identification_document_type", "PASSPORT_PAGE1")
        .part("file", Part::bytes(page.clone()).file_name("page1.png"));
    let res = m
        .server
        .client
        .put(m.server.url(&format!(
            "/v1/users/{user}/identifications/{ident_id}/files"
        )))
        .header("apikey", NCORE_KEY)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let up: Value = res.json().await.unwrap();
    m.ncore_contract
        .check("PUT", NCORE_FILES, status.as_u16(), &up);
    assert_eq!(status, StatusCode::OK, "{up}");
    let (_, doc) = m.get(&a.token, id).await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
    assert_eq!(doc["files"][0]["id"], up["data"][0]["id"]);
    assert_eq!(doc["fileName"], "page1.png");
    assert_eq!(
        sha(&m
            .fetch(&a.token, doc["downloadUrl"].as_str().unwrap())
            .await),
        sha(&page)
    );
    // An expired one from nCore is "expired".
    m.ncore(
        Method::POST,
        &format!("/users/{user}/identifications"),
        NCORE_LIST,
        Some(json!({"type": "NATIONAL_ID", "number": "784-1", "expiration_date": "2020-01-31"})),
    )
    .await;
    let (_, list) = m.list(&a.token, "").await;
    m.assert_document(
        &list["data"][0],
        2,
        "National ID / Passport",
        "expired",
        &[],
    );
    assert_eq!(list["data"][0]["expiryDate"], "2020-01-31");

    // mydocs -> nCore: a card with front and back shows there with nCore's types and bytes.
    let (front, back) = (png(1), png(2));
    let card = m
        .add_ok(
            &a.token,
            typed(
                "2",
                vec![("front.png", front.clone()), ("back.png", back.clone())],
            ),
        )
        .await;
    let card_uuid = m.canonical_id(&a, card["id"].as_i64().unwrap()).await;
    let (status, nlist) = m
        .ncore(
            Method::GET,
            &format!("/users/{user}/identifications"),
            NCORE_LIST,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let data = nlist["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    let theirs = data
        .iter()
        .find(|i| i["id"] == card_uuid.to_string())
        .unwrap_or_else(|| panic!("the card is not in nCore's list: {nlist}"));
    assert_eq!(theirs["type"], "NATIONAL_ID");
    let files = theirs["files"].as_array().unwrap();
    let kinds: Vec<&str> = files
        .iter()
        .map(|f| f["identification_document_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["NATIONAL_ID_FRONT", "NATIONAL_ID_BACK"]);
    for (f, bytes) in files.iter().zip([&front, &back]) {
        let res = m
            .server
            .client
            .get(m.server.url(&format!(
                "/v1/users/{user}/identifications/{card_uuid}/files/{}:download",
                f["id"].as_str().unwrap()
            )))
            .header("apikey", NCORE_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(sha(&res.bytes().await.unwrap()), sha(bytes));
    }
    let (status, one) = m
        .ncore(
            Method::GET,
            &format!("/users/{user}/identifications/{card_uuid}"),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!((status, &one), (StatusCode::OK, theirs));

    // A file already on a document (here nCore's) is not an upload path.
    let (status, err) = m
        .add(
            &a.token,
            Body::Json(json!({"file": format!("uploads/{}", up["data"][0]["id"].as_str().unwrap()), "typeID": 22})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("file"));
}

// ---------------------------------------------------------------------------------------
// Delete

#[tokio::test]
async fn deleting_removes_the_document_and_its_files_everywhere() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let user = a.subject.to_string();
    let path = m.upload_ok(&a.token, "back.png", png(2)).await;
    let keep = m.upload_ok(&a.token, "keep.png", png(3)).await;
    let card = m
        .add_ok(
            &a.token,
            Body::Form(
                form(Some(("typeID", "2")), vec![("front.png", png(1))]).text("file", path.clone()),
            ),
        )
        .await;
    m.assert_document(
        &card,
        2,
        "National ID / Passport",
        "new",
        &["front", "back"],
    );
    let other = m
        .add_ok(&a.token, typed("22", vec![("o.pdf", pdf(500))]))
        .await;
    let id = card["id"].as_i64().unwrap();
    let file_ids: Vec<Uuid> = card["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let uuid = m.canonical_id(&a, id).await;
    assert_eq!(m.files_stored().await, 4);
    let blob = |f: &Uuid| {
        m.server
            .store
            .blobs()
            .local_root()
            .unwrap()
            .join(idbridge::store::Blobs::key_for(*f))
    };
    for f in &file_ids {
        assert!(blob(f).exists(), "no blob at {}", blob(f).display());
    }

    let (status, _) = m.delete(&a.token, API, id).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, err) = m.get(&a.token, id).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    let (status, _) = m.delete(&a.token, API, id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for url in card["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["downloadUrl"].as_str().unwrap())
    {
        let res = m.download(Some(&a.token), url, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let body: Value = res.json().await.unwrap();
        m.contract.check("GET", FILE, 404, &body);
    }
    for f in &file_ids {
        assert!(!blob(f).exists(), "the blob of {f} survived its document");
        assert!(
            matches!(
                m.server.store.get_file(&a.tenant, *f).await,
                Err(Error::NotFound(_))
            ),
            "file {f} survived its document"
        );
    }
    assert_eq!(
        m.files_stored().await,
        2,
        "the other document's file and the unused upload stay"
    );
    assert_eq!(
        m.ids(&a.token, "").await,
        (1, vec![other["id"].as_i64().unwrap()])
    );
    let kept = m
        .server
        .store
        .get_file(&a.tenant, upload_id(&keep))
        .await
        .unwrap();
    assert_eq!(kept.document_id, None);
    // Gone from nCore too.
    let (status, err) = m
        .ncore(
            Method::GET,
            &format!("/users/{user}/identifications/{uuid}"),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    let (_, nlist) = m
        .ncore(
            Method::GET,
            &format!("/users/{user}/identifications"),
            NCORE_LIST,
            None,
        )
        .await;
    assert_eq!(nlist["data"].as_array().unwrap().len(), 1);

    // A document nCore created is deleted here, for nCore too; through the other root.
    let (_, ident) = m
        .ncore(
            Method::POST,
            &format!("/users/{user}/identifications"),
            NCORE_LIST,
            Some(json!({"type": "PASSPORT", "number": "X1"})),
        )
        .await;
    let (_, list) = m.list(&a.token, "").await;
    let ncore_doc = list["data"][0]["id"].as_i64().unwrap();
    assert_eq!(list["data"][0]["number"], "X1");
    let (status, _) = m.delete(&a.token, ALT, ncore_doc).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = m
        .ncore(
            Method::GET,
            &format!(
                "/users/{user}/identifications/{}",
                ident["id"].as_str().unwrap()
            ),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(m.ids(&a.token, "").await.0, 1);
    // Ids are not reused.
    let next = m
        .add_ok(&a.token, typed("22", vec![("n.pdf", pdf(400))]))
        .await;
    assert!(next["id"].as_i64().unwrap() > ncore_doc, "{next}");
}

// ---------------------------------------------------------------------------------------
// Roots, malformed ids, unknown routes

#[tokio::test]
async fn both_roots_serve_the_same_documents() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let bytes = png(6);
    let (status, doc) = m
        .add_at(
            &a.token,
            ALT,
            typed("10", vec![("permit.png", bytes.clone())]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    m.assert_document(&doc, 10, "Residence permit", "new", &["front"]);
    let id = doc["id"].as_i64().unwrap();
    let (status, via_alt) = m
        .send(
            Some(&a.token),
            Method::GET,
            &format!("{ALT}/documents/{id}"),
            ONE,
            Body::None,
        )
        .await;
    assert_eq!((status, &via_alt), (StatusCode::OK, &doc));
    assert_eq!(m.get(&a.token, id).await.1, doc);
    // Download links point at /api/v2/my; the same file is served at /v2/my.
    let url = doc["downloadUrl"].as_str().unwrap();
    assert_eq!(sha(&m.fetch(&a.token, url).await), sha(&bytes));
    let alt_path = format!(
        "{ALT}/documents/{id}/files/{}",
        doc["files"][0]["id"].as_str().unwrap()
    );
    let res = m
        .raw(Some(&a.token), Method::GET, &alt_path, Body::None, None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(sha(&res.bytes().await.unwrap()), sha(&bytes));
    // An upload through one root is usable through the other.
    let form = Form::new().part("file", Part::bytes(png(7)).file_name("u.png"));
    let (status, up) = m
        .send(
            Some(&a.token),
            Method::POST,
            &format!("{ALT}/files"),
            FILES,
            Body::Form(form),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let second = m
        .add_ok(
            &a.token,
            Body::Json(json!({"file": up["path"], "typeID": 22})),
        )
        .await;
    m.assert_document(&second, 22, "Other", "new", &["page1"]);
}

#[tokio::test]
async fn malformed_ids_unknown_routes_and_methods_answer_in_the_error_shape() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let doc = m
        .add_ok(&a.token, typed("1", vec![("p.png", png(1))]))
        .await;
    let file_id = doc["files"][0]["id"].as_str().unwrap().to_owned();

    for id in ["abc", "1.5", "99999999999999999999"] {
        let (status, err) = m
            .send(
                Some(&a.token),
                Method::GET,
                &format!("{API}/documents/{id}"),
                ONE,
                Body::None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{id}: {err}");
        let (status, err) = m.delete(&a.token, API, id).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{id}: {err}");
    }
    let (status, _) = m.delete(&a.token, API, 0).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = m
        .download_error(
            Some(&a.token),
            &format!("{API}/documents/1/files/not-a-uuid"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = m
        .download_error(
            Some(&a.token),
            &format!("{API}/documents/x/files/{file_id}"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = m
        .download_error(
            Some(&a.token),
            &format!("{API}/documents/1/files/{}", Uuid::new_v4()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = m
        .download_error(
            Some(&a.token),
            &format!("{API}/documents/2/files/{file_id}"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = m.get(&a.token, 2).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let unknown = [
        (Method::GET, format!("{API}/nothing")),
        (Method::GET, format!("{ALT}/nothing")),
        (Method::GET, format!("{API}/documents/1/extra")),
        (Method::GET, format!("{API}/documents/1/files")),
        (Method::POST, format!("{API}/documents/1/files/{file_id}/x")),
    ];
    for (method, path) in unknown {
        let res = m
            .raw(Some(&a.token), method.clone(), &path, Body::None, None)
            .await;
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
        // Every error is the one documented ErrorBody.
        m.contract.check("GET", ONE, 404, &body);
        assert_error(&body, status, None);
    }
    let wrong = [
        (Method::PUT, format!("{API}/documents/1")),
        (Method::PATCH, format!("{ALT}/documents/1")),
        (Method::POST, format!("{API}/documents/1")),
        (Method::DELETE, format!("{API}/documents")),
        (Method::DELETE, format!("{API}/documents/types")),
        (Method::POST, format!("{API}/documents/types")),
        (Method::GET, format!("{API}/files")),
        (Method::DELETE, format!("{API}/documents/1/files/{file_id}")),
    ];
    for (method, path) in wrong {
        let res = m
            .raw(Some(&a.token), method.clone(), &path, Body::None, None)
            .await;
        let status = res.status();
        let allow = res
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned());
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {body}"
        );
        assert!(
            allow.as_deref().is_some_and(|a| !a.is_empty()),
            "{method} {path}: no Allow header"
        );
        assert_error(&body, status, None);
    }
    // Nothing was changed by any of it.
    let (status, got) = m.get(&a.token, 1).await;
    assert_eq!((status, &got), (StatusCode::OK, &doc));
}

// ---------------------------------------------------------------------------------------
// Review regressions: upload paths, small text values, files per document

/// PassFort's API key of tenant alpha (the same key as nCore's in the test configuration).
const PASSFORT_KEY: &str = "test-api-key-alpha";

#[tokio::test]
async fn a_file_stored_through_passfort_is_not_an_upload_path() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    // Loose files of the same subject, stored through PassFort (the profile id is the
    // subject's UUID): a GIF mydocs itself would refuse, and a PNG it would accept.
    let mut foreign = Vec::new();
    for bytes in [gif(), png(5)] {
        let res = m
            .server
            .client
            .post(m.server.url(&format!("/4.0/profiles/{}/files", a.subject)))
            .header("apikey", PASSFORT_KEY)
            .json(&json!({"data": b64(&bytes)}))
            .send()
            .await
            .unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "PassFort upload: {body}");
        foreign.push(body["id"].as_str().unwrap().parse::<Uuid>().unwrap());
    }
    let mine = m.upload_ok(&a.token, "mine.png", png(1)).await;
    assert_eq!(m.files_stored().await, 3);

    for id in &foreign {
        let path = format!("uploads/{id}");
        let (status, err) = m
            .add(&a.token, Body::Json(json!({"file": path, "typeID": 1})))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "JSON {path}: {err}");
        assert_error(&err, status, Some("file"));
        let (status, err) = m
            .add(
                &a.token,
                Body::Form(Form::new().text("typeID", "1").text("file", path.clone())),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "form {path}: {err}");
        assert_error(&err, status, Some("file"));
        // Next to a genuine upload too.
        let (status, err) = m
            .add(
                &a.token,
                Body::Json(json!({"file": [mine, path], "typeID": 2})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "mixed {path}: {err}");
        assert_error(&err, status, Some("file"));
    }

    // No document was created; the PassFort files and the upload are untouched.
    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));
    assert!(
        m.server
            .store
            .list_documents(&a.tenant, a.subject)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(m.files_stored().await, 3);
    for id in foreign.iter().copied().chain([upload_id(&mine)]) {
        let f = m.server.store.get_file(&a.tenant, id).await.unwrap();
        assert_eq!((f.subject_id, f.document_id), (a.subject, None), "{id}");
    }
    // The genuine upload is still usable.
    let doc = m
        .add_ok(&a.token, Body::Json(json!({"file": mine, "typeID": 1})))
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
}

#[tokio::test]
async fn type_and_path_texts_over_256_bytes_are_400_naming_the_field() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let path = m.upload_ok(&a.token, "p.png", png(1)).await;
    // Values padded past 256 bytes (a padded type id is refused anyway: digits only).
    let long_type = format!("1{}", " ".repeat(300));
    let long_path = format!("{path}{}", " ".repeat(300));
    assert!(long_type.len() > 256 && long_path.len() > 256);

    let form_cases: Vec<(Form, &str)> = vec![
        (
            Form::new()
                .text("typeID", long_type.clone())
                .text("file", path.clone()),
            "typeID",
        ),
        (
            Form::new()
                .text("typeID", "x".repeat(1000))
                .text("file", path.clone()),
            "typeID",
        ),
        (
            Form::new()
                .text("typeID", "1")
                .text("file", long_path.clone()),
            "file",
        ),
        (
            Form::new()
                .text("typeID", "1")
                .text("file", "y".repeat(1000)),
            "file",
        ),
    ];
    for (f, field) in form_cases {
        let (status, err) = m.add(&a.token, Body::Form(f)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "form {field}: {err}");
        assert_error(&err, status, Some(field));
    }
    let json_cases: Vec<(Value, &str)> = vec![
        (json!({"file": long_path, "typeID": 1}), "file"),
        (json!({"file": [long_path], "typeID": 1}), "file"),
        (json!({"file": "z".repeat(1000), "typeID": 1}), "file"),
        (json!({"file": path, "typeID": long_type}), "typeID"),
    ];
    for (body, field) in json_cases {
        let (status, err) = m.add(&a.token, Body::Json(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "JSON {field}: {err}");
        assert_error(&err, status, Some(field));
    }

    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));
    assert_eq!(m.files_stored().await, 1);
    let f = m
        .server
        .store
        .get_file(&a.tenant, upload_id(&path))
        .await
        .unwrap();
    assert_eq!(f.document_id, None);
    // A type id is digits only, as the OpenAPI document's integer says: padding is refused
    // at any length. A path of exactly 256 bytes is still accepted (and trimmed).
    let (status, err) = m
        .add(
            &a.token,
            Body::Form(Form::new().text("typeID", "1 ").text("file", path.clone())),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(
        err["errors"]["typeID"][0],
        "must be an integer document type id"
    );
    let path_256 = format!("{path}{}", " ".repeat(256 - path.len()));
    assert_eq!(path_256.len(), 256);
    let doc = m
        .add_ok(
            &a.token,
            Body::Form(Form::new().text("typeID", "1").text("file", path_256)),
        )
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
}

#[tokio::test]
async fn more_data_uris_than_max_files_are_refused_before_any_is_stored() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let before = m.files_stored().await;
    let uri = |bytes: &[u8], mime: &str| format!("data:{mime};base64,{}", b64(bytes));
    let cases: Vec<Vec<String>> = vec![
        // Four acceptable PNGs for a type of at most three.
        (1..=4).map(|i| uri(&png(i), "image/png")).collect(),
        // The count is checked before any content: GIFs (otherwise 415) are never read.
        vec![
            uri(&png(1), "image/png"),
            uri(&gif(), "image/gif"),
            uri(&gif(), "image/gif"),
            uri(&gif(), "image/gif"),
        ],
        // Five, to be sure it is not only the fourth.
        (1..=5).map(|i| uri(&png(i), "image/png")).collect(),
    ];
    for files in cases {
        let n = files.len();
        let (status, err) = m
            .add(&a.token, Body::Json(json!({"file": files, "typeID": 1})))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{n} data URIs: {err}");
        assert_error(&err, status, None);
        assert!(
            err["message"].as_str().unwrap().contains("at most 3"),
            "{n} data URIs: {err}"
        );
        assert_eq!(m.files_stored().await, before, "{n} data URIs stored files");
    }
    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));
    // Three fit.
    let three: Vec<String> = (1..=3).map(|i| uri(&png(i), "image/png")).collect();
    let doc = m
        .add_ok(&a.token, Body::Json(json!({"file": three, "typeID": 1})))
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1", "page2", "page3"]);
    assert_eq!(m.files_stored().await, before + 3);
}

/// Found by schemathesis: a file download is sent with its content's media type (a PDF as
/// `application/pdf`, a photo as `image/jpeg`), which the document did not declare (it said
/// `application/octet-stream`).
#[tokio::test]
async fn downloads_are_typed_as_their_document_declares() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let passport = m
        .add_ok(
            &a.token,
            typed(
                "1",
                vec![
                    ("p1.pdf", pdf(4000)),
                    ("p2.jpg", jpeg()),
                    ("p3.png", png(9)),
                ],
            ),
        )
        .await;
    let doc: Value = m
        .server
        .client
        .get(m.server.url("/openapi/mydocs.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented = |status: &str| -> Vec<String> {
        doc["paths"][FILE]["get"]["responses"][status]["content"]
            .as_object()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    };
    let files = passport["files"].as_array().unwrap();
    for (file, sent) in files
        .iter()
        .zip(["application/pdf", "image/jpeg", "image/png"])
    {
        let url = file["downloadUrl"].as_str().unwrap();
        for (range, status) in [(None, "200"), (Some("bytes=0-3"), "206")] {
            let res = m.download(Some(&a.token), url, range).await;
            assert_eq!(res.status().as_str(), status, "{url}");
            assert_eq!(res.headers()["content-type"], sent);
            assert!(
                documented(status).iter().any(|t| t == sent),
                "{status} {sent}: {:?}",
                documented(status)
            );
        }
    }
}

/// Found by schemathesis (its `negative_data_rejection` check, on the admin API): serde reads
/// a struct from a JSON array by position, so `["data:…", 2, null]` added a document. A body
/// that is not an object is a 400 and stores nothing.
#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let before = m.files_stored().await;
    let uri = format!("data:image/png;base64,{}", b64(&png(1)));
    let positional = json!([uri, 2, null]);
    let (status, err) = m.add(&a.token, Body::Json(positional)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_error(&err, status, None);
    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));
    assert_eq!(m.files_stored().await, before);
}
