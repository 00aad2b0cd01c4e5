//! The admin API client the tests drive, each JSON answer checked against the admin OpenAPI
//! document.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{ADMIN_A, Contract, TestServer};

pub struct Admin {
    pub server: TestServer,
    pub contract: Contract,
}

impl Admin {
    pub async fn start() -> Admin {
        Admin {
            server: TestServer::start().await,
            contract: Contract::of("admin"),
        }
    }

    /// Sends a request with `key` and checks the JSON answer against the contract.
    pub async fn call(
        &self,
        key: Option<&str>,
        method: Method,
        path: &str,
        template: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .server
            .client
            .request(method.clone(), self.server.url(&format!("/admin/v1{path}")));
        if let Some(k) = key {
            req = req.bearer_auth(k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        if text.is_empty() {
            return (status, Value::Null);
        }
        let value: Value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        self.contract
            .check(method.as_str(), template, status.as_u16(), &value);
        (status, value)
    }

    pub async fn create(&self, body: Value) -> (StatusCode, Value) {
        self.call(
            Some(ADMIN_A),
            Method::POST,
            "/subjects",
            "/subjects",
            Some(body),
        )
        .await
    }
}
