//! The nCore client the tests drive: its keys, paths and calls, each answer checked against
//! the nCore OpenAPI document.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Contract, TestServer};

pub const KEY_A: &str = "test-api-key-alpha";
pub const KEY_B: &str = "test-api-key-beta";
pub const LIST: &str = "/users/{user_id}/identifications";
pub const ONE: &str = "/users/{user_id}/identifications/{identification_id}";

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

    pub async fn send(
        &self,
        key: Option<&str>,
        method: Method,
        path: &str,
        template: &str,
        body: Option<Value>,
        idem: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .server
            .client
            .request(method.clone(), self.server.url(&format!("/v1{path}")));
        if let Some(k) = key {
            req = req.header("apikey", k);
        }
        if let Some(i) = idem {
            req = req.header("x-nymos-idempotency-key", i);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let value: Value = res.json().await.unwrap();
        self.contract
            .check(method.as_str(), template, status.as_u16(), &value);
        (status, value)
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
        let (status, body) = self
            .create(user, json!({"type": kind, "number": "N-1"}))
            .await;
        assert_eq!(status, StatusCode::OK);
        body["id"].as_str().unwrap().to_owned()
    }

    /// `PUT …/files` with (document type, file name, bytes) parts, types before their file.
    pub async fn upload(
        &self,
        key: &str,
        user: &str,
        id: &str,
        files: Vec<(Option<&str>, &str, Vec<u8>)>,
    ) -> (StatusCode, Value) {
        let mut form = reqwest::multipart::Form::new();
        for (doc_type, name, bytes) in files {
            if let Some(t) = doc_type {
                form = form.text("identification_document_type", t.to_owned());
            }
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        }
        let url = self
            .server
            .url(&format!("/v1/users/{user}/identifications/{id}/files"));
        let res = self
            .server
            .client
            .put(url)
            .header("apikey", key)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = res.status();
        let value: Value = res.json().await.unwrap();
        self.contract.check("PUT", FILES, status.as_u16(), &value);
        (status, value)
    }

    pub async fn file_count(&self, user: &str, id: &str) -> usize {
        let (_, ident) = self
            .send(
                Some(KEY_A),
                Method::GET,
                &format!("/users/{user}/identifications/{id}"),
                ONE,
                None,
                None,
            )
            .await;
        ident["files"].as_array().unwrap().len()
    }
}
