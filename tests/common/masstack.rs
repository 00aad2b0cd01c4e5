//! The MasStack client the tests drive: keys, organisations, paths and calls, each answer
//! checked against the MasStack OpenAPI document.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Contract, TestServer};

pub const KEY_A: &str = "test-masstack-key-alpha";
pub const KEY_B: &str = "test-masstack-key-beta";
pub const NCORE_KEY_A: &str = "test-api-key-alpha";
pub const ORG_A: &str = "org-alpha";
pub const ORG_B: &str = "org-beta";
pub const COLLECTION: &str = "/orgs/{org_id}/identifications/identity_document";
pub const ONE: &str = "/orgs/{org_id}/identifications/identity_document/{identification_id}";
pub const CLOSE: &str =
    "/orgs/{org_id}/identifications/identity_document/{admin_identification_id}/close";

/// A valid NIF (12345678 mod 23 is 14: Z).
pub const NIF: &str = "12345678Z";

pub struct Ms {
    pub server: TestServer,
    pub contract: Contract,
}

/// A response: its status and its JSON body, `None` when the body is empty.
pub struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub headers: reqwest::header::HeaderMap,
}

impl Reply {
    pub fn json(&self) -> &Value {
        self.body
            .as_ref()
            .unwrap_or_else(|| panic!("{}: empty body", self.status))
    }

    /// Asserts a documented bodiless answer.
    pub fn assert_bare(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{:?}", self.body);
        assert!(self.body.is_none(), "{status} has a body: {:?}", self.body);
    }

    /// Asserts a 400 naming `field`.
    pub fn assert_invalid(&self, field: &str) {
        assert_eq!(self.status, StatusCode::BAD_REQUEST, "{:?}", self.body);
        let e = &self.json()["errors"][0];
        assert_eq!(
            (e["code"].as_str(), e["field"].as_str()),
            (Some("INVALID_FIELD"), Some(field)),
            "{e}"
        );
        assert!(e["message"].as_str().unwrap().starts_with(field), "{e}");
    }
}

impl Ms {
    pub async fn start() -> Ms {
        Ms {
            server: TestServer::start().await,
            contract: Contract::of("masstack"),
        }
    }

    pub async fn send(
        &self,
        key: Option<&str>,
        method: Method,
        path: &str,
        template: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self
            .server
            .client
            .request(method.clone(), self.server.url(&format!("/v1{path}")));
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            None
        } else {
            let v: Value = serde_json::from_slice(&bytes).unwrap();
            // Only 200 and 400 carry bodies on documented operations.
            if matches!(status.as_u16(), 200 | 400) {
                self.contract
                    .check(method.as_str(), template, status.as_u16(), &v);
            }
            Some(v)
        };
        Reply {
            status,
            body,
            headers,
        }
    }

    pub async fn create_in(&self, key: &str, org: &str, body: Value) -> Reply {
        self.send(
            Some(key),
            Method::POST,
            &format!("/orgs/{org}/identifications/identity_document"),
            COLLECTION,
            Some(body),
        )
        .await
    }

    pub async fn create(&self, body: Value) -> Reply {
        self.create_in(KEY_A, ORG_A, body).await
    }

    pub async fn get(&self, key: &str, org: &str, id: &str) -> Reply {
        self.send(
            Some(key),
            Method::GET,
            &format!("/orgs/{org}/identifications/identity_document/{id}"),
            ONE,
            None,
        )
        .await
    }

    pub async fn close(&self, key: &str, org: &str, id: &str) -> Reply {
        self.send(
            Some(key),
            Method::POST,
            &format!("/orgs/{org}/identifications/identity_document/{id}/close"),
            CLOSE,
            None,
        )
        .await
    }

    pub async fn list(&self, query: &str) -> Reply {
        self.send(
            Some(KEY_A),
            Method::GET,
            &format!("/orgs/{ORG_A}/identifications/identity_document{query}"),
            COLLECTION,
            None,
        )
        .await
    }

    /// nCore of this server with alpha's key.
    pub fn ncore(&self) -> super::ncore::At<'_> {
        super::ncore::At::server(&self.server, NCORE_KEY_A)
    }

    /// Creates an nCore identification for `user` and returns its id.
    pub async fn ncore_identification(&self, user: &str, body: Value) -> String {
        self.ncore().identification(user, body).await
    }

    /// Uploads one PNG to an nCore identification.
    pub async fn ncore_image(&self, user: &str, id: &str, doc_type: &str) {
        let png = crate::common::png_header(640, 400);
        let v = self
            .ncore()
            .upload_one(user, id, doc_type, "front.png", png)
            .await;
        assert_eq!(v["data"][0]["width"], 640);
    }

    /// The user's identifications as nCore lists them.
    pub async fn ncore_list(&self, user: &str) -> Value {
        self.ncore().list(user, "").await
    }
}

pub fn seed_example() -> Value {
    json!({
        "name": "James",
        "last_name": "Smith",
        "identity_document": {"document_number": "12345678A", "document_type": "NIF", "country": "ES"},
        "configuration_name": "HIGH",
        "expires_in": "P7D",
        "scoring": {"provider": "INTERNAL"}
    })
}

pub fn nif(number: &str, config: &str) -> Value {
    json!({
        "identity_document": {"document_number": number, "document_type": "NIF", "country": "ES"},
        "configuration_name": config
    })
}

pub fn seconds_between(from: &Value, to: &Value) -> i64 {
    let parse = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    (parse(to) - parse(from)).num_seconds()
}

pub fn check<'a>(scoring: &'a Value, name: &str) -> &'a Value {
    scoring["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {scoring}"))
}

pub fn outcomes(scoring: &Value) -> Vec<(String, String)> {
    scoring["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}
