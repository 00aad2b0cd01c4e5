//! The nCore client the tests drive: its keys, paths and calls, each answer checked against
//! the nCore OpenAPI document. [`At`] is the one place an nCore request is written: the
//! in-process [`Ncore`] server, the other vendors' clients and the two-process suite all send
//! through it, each against its own base URL.

use std::sync::OnceLock;

use reqwest::multipart::{Form, Part};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use super::{Contract, TestServer};

pub const KEY_A: &str = "test-api-key-alpha";
pub const KEY_B: &str = "test-api-key-beta";
pub const LIST: &str = "/users/{user_id}/identifications";
pub const ONE: &str = "/users/{user_id}/identifications/{identification_id}";

/// The nCore contract, built once per test binary.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract::of("ncore"))
}

/// (document type, file name, bytes) of one uploaded file; the type goes before its file.
pub type Upload = (Option<String>, String, Vec<u8>);

/// One file of `kind` named `name`.
pub fn file(kind: &str, name: &str, bytes: Vec<u8>) -> Upload {
    (Some(kind.to_owned()), name.to_owned(), bytes)
}

/// nCore as one server answers it: a client, the server's base URL (`http://host:port`,
/// nCore is under `/v1`) and the API key every call sends.
#[derive(Clone, Copy)]
pub struct At<'a> {
    pub http: &'a reqwest::Client,
    pub base: &'a str,
    /// `None` sends no key at all.
    pub key: Option<&'a str>,
}

impl<'a> At<'a> {
    /// nCore of `server` with `key`.
    pub fn server(server: &'a TestServer, key: &'a str) -> At<'a> {
        At {
            http: &server.client,
            base: &server.base,
            key: Some(key),
        }
    }

    /// A request to `path` (under `/v1`) with the key, not yet sent.
    pub fn request(self, method: Method, path: &str) -> RequestBuilder {
        let req = self.http.request(method, format!("{}/v1{path}", self.base));
        match self.key {
            Some(k) => req.header("apikey", k),
            None => req,
        }
    }

    /// Sends `req` and checks its JSON answer against the contract at `template`.
    pub async fn checked(
        self,
        req: RequestBuilder,
        method: &Method,
        template: &str,
    ) -> (StatusCode, Value) {
        let res = req.send().await.unwrap();
        let status = res.status();
        let value: Value = res.json().await.unwrap();
        contract().check(method.as_str(), template, status.as_u16(), &value);
        (status, value)
    }

    /// A JSON call, with an idempotency key when `idem` is given.
    pub async fn call(
        self,
        method: Method,
        path: &str,
        template: &str,
        body: Option<Value>,
        idem: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self.request(method.clone(), path);
        if let Some(i) = idem {
            req = req.header("x-nymos-idempotency-key", i);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        self.checked(req, &method, template).await
    }

    /// A JSON call that must answer 200; answers the body.
    pub async fn ok(
        self,
        method: Method,
        path: &str,
        template: &str,
        body: Option<Value>,
    ) -> Value {
        let (status, v) = self.call(method, path, template, body, None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        v
    }

    /// Creates an identification for `user`; asserts 200 and answers its id.
    pub async fn identification(self, user: &str, body: Value) -> String {
        let path = format!("/users/{user}/identifications");
        let v = self.ok(Method::POST, &path, LIST, Some(body)).await;
        v["id"].as_str().unwrap().to_owned()
    }

    /// The identification as the server reads it; asserts 200.
    pub async fn read(self, user: &str, id: &str) -> Value {
        let path = format!("/users/{user}/identifications/{id}");
        self.ok(Method::GET, &path, ONE, None).await
    }

    /// The user's identifications (`query` as sent, e.g. `?limit=100`); asserts 200.
    pub async fn list(self, user: &str, query: &str) -> Value {
        let path = format!("/users/{user}/identifications{query}");
        self.ok(Method::GET, &path, LIST, None).await
    }

    /// `PUT …/files` with these files, not yet sent.
    pub fn upload_request(self, user: &str, id: &str, files: Vec<Upload>) -> RequestBuilder {
        let mut form = Form::new();
        for (doc_type, name, bytes) in files {
            if let Some(t) = doc_type {
                form = form.text("identification_document_type", t);
            }
            form = form.part("file", Part::bytes(bytes).file_name(name));
        }
        self.upload_form(user, id, form)
    }

    /// `PUT …/files` with this form, not yet sent.
    pub fn upload_form(self, user: &str, id: &str, form: Form) -> RequestBuilder {
        self.request(
            Method::PUT,
            &format!("/users/{user}/identifications/{id}/files"),
        )
        .multipart(form)
    }

    /// `PUT …/files` with these files; answers status and body, checked.
    pub async fn upload(self, user: &str, id: &str, files: Vec<Upload>) -> (StatusCode, Value) {
        let req = self.upload_request(user, id, files);
        self.checked(req, &Method::PUT, FILES).await
    }

    /// Uploads one file of `kind`; asserts 200 and answers the body.
    pub async fn upload_one(
        self,
        user: &str,
        id: &str,
        kind: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Value {
        let (status, v) = self.upload(user, id, vec![file(kind, name, bytes)]).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        v
    }

    /// A file's bytes through `:download`; asserts 200.
    pub async fn download(self, user: &str, id: &str, file: &str) -> Vec<u8> {
        let res = self
            .request(
                Method::GET,
                &format!("/users/{user}/identifications/{id}/files/{file}:download"),
            )
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
}

/// nCore calls with tenant alpha's key, for a vendor's test client whose tests also drive
/// nCore on the same server.
pub trait AlphaNcore {
    /// The server the client drives.
    fn test_server(&self) -> &TestServer;

    /// nCore of that server with alpha's key.
    fn ncore_at(&self) -> At<'_> {
        At::server(self.test_server(), KEY_A)
    }

    /// An nCore request of tenant alpha; `path` is under `/v1`. The answer is checked
    /// against the nCore contract.
    fn ncore(
        &self,
        method: Method,
        path: &str,
        template: &str,
        body: Option<Value>,
    ) -> impl std::future::Future<Output = (StatusCode, Value)> {
        self.ncore_at().call(method, path, template, body, None)
    }
}

pub struct Ncore {
    pub server: TestServer,
    pub contract: Contract,
}

impl Ncore {
    pub async fn start() -> Ncore {
        Ncore {
            server: TestServer::start().await,
            contract: Contract::of("ncore"),
        }
    }

    /// nCore of this server with `key` (`None`: no key sent).
    pub fn at<'a>(&'a self, key: Option<&'a str>) -> At<'a> {
        At {
            http: &self.server.client,
            base: &self.server.base,
            key,
        }
    }

    pub async fn send(
        &self,
        key: Option<&str>,
        method: Method,
        path: &str,
        template: &str,
        body: Option<Value>,
        idem: Option<&str>,
    ) -> (StatusCode, Value) {
        self.at(key).call(method, path, template, body, idem).await
    }

    pub async fn create(&self, user: &str, body: Value) -> (StatusCode, Value) {
        self.send(
            Some(KEY_A),
            Method::POST,
            &format!("/users/{user}/identifications"),
            LIST,
            Some(body),
            None,
        )
        .await
    }

    pub async fn list(&self, user: &str, query: &str) -> (StatusCode, Value) {
        self.send(
            Some(KEY_A),
            Method::GET,
            &format!("/users/{user}/identifications{query}"),
            LIST,
            None,
            None,
        )
        .await
    }
}

pub fn passport() -> Value {
    json!({ "type": "PASSPORT", "number": "132123123", "expiration_date": "2021-09-20T10:10:40.182Z" })
}

pub const FILES: &str = "/users/{user_id}/identifications/{identification_id}/files";
pub const FILE: &str = "/users/{user_id}/identifications/{identification_id}/files/{file_id}";

impl Ncore {
    pub async fn identification(&self, user: &str, kind: &str) -> String {
        self.at(Some(KEY_A))
            .identification(user, json!({"type": kind, "number": "N-1"}))
            .await
    }

    /// `PUT …/files` with (document type, file name, bytes) parts, types before their file.
    pub async fn upload(
        &self,
        key: &str,
        user: &str,
        id: &str,
        files: Vec<(Option<&str>, &str, Vec<u8>)>,
    ) -> (StatusCode, Value) {
        let files = files
            .into_iter()
            .map(|(t, name, bytes)| (t.map(str::to_owned), name.to_owned(), bytes))
            .collect();
        self.at(Some(key)).upload(user, id, files).await
    }

    pub async fn file_count(&self, user: &str, id: &str) -> usize {
        let ident = self.at(Some(KEY_A)).read(user, id).await;
        ident["files"].as_array().unwrap().len()
    }
}
