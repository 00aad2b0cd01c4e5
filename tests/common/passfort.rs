//! The PassFort client the tests drive: keys, paths, request bodies, and calls whose JSON
//! answers are checked twice: against the OpenAPI document idbridge generates for the
//! adapter, and against the matching schema of PassFort's own OpenAPI document.

use std::collections::HashMap;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::Bytes;
use idbridge::config::Config;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

#[allow(
    unused_imports,
    reason = "for the tests of this vendor that drive nCore too; other test binaries include this file"
)]
pub use super::ncore::{AlphaNcore, file as ncore_file};

use super::{Contract, TestServer};

pub const KEY_A: &str = "test-api-key-alpha";
pub const KEY_B: &str = "test-api-key-beta";

pub const PROFILES: &str = "/profiles";
pub const PROFILE: &str = "/profiles/{profile_id}";
pub const COLLECTED: &str = "/profiles/{profile_id}/collected_data";
pub const DOCUMENTS: &str = "/profiles/{profile_id}/collected_data/documents";
pub const FILES: &str = "/profiles/{profile_id}/files";
pub const FILE: &str = "/profiles/{profile_id}/files/{file_id}";
pub const IMAGES: &str = "/profiles/{profile_id}/document_images";
pub const IMAGE: &str = "/profiles/{profile_id}/document_images/{document_image_id}";
pub const CHECKS: &str = "/profiles/{profile_id}/checks";
pub const CHECK: &str = "/profiles/{profile_id}/checks/{check_id}";

/// The seed's file sample (also its FRONT document image sample): a 96×96 PNG.
pub const SEED_FILE: &str = "iVBORw0KGgoAAAANSUhEUgAAAGAAAABgCAQAAABIkb+zAAABMUlEQVR4Ae3YsTFAURhE4ZUAkAKIFAhEkIpFoAIAOQAJ0IYEAIAS4C07b+acv4H9Zm50RURE9K061KdNXeqj4I0pUL3m9V54eoxQpSPb+Ahhwjg9QGjRqz7KTBixzg4QDmxzQ4RzE0Apwr0NECL4AAZCHhAgeAEBghcQIDxYAQGCFxAgeAEBghcQIHgBAYIXECA8WgEBghcQIHgBAYIXECB4AQHCkwvwO0K5ANJY2QHSWNkB0lge4LzCPQMAACB6AF4AAABQbsArAAAAyg14AwAAQPQAvAMAAKDcgA8AAAAAAAAAAIDfVgEAAIDwFe46Ov9ahTuNAs5UuPEoYFyF6wl+bb2pU4ZmY4ApWarVWej9V8lUk9b++XvlXYuql7VuDWlbV38+/VIb6v/e2yciIvoEBh6x5m3tSdoAAAAASUVORK5CYII=";

/// The seed's FACE document image sample.
pub const SEED_FACE: &str = "iVBORw0KGgoAAAANSUhEUgAAAGAAAABgCAQAAABIkb+zAAAFDklEQVR4Ae3bQ5glSRSG4e+Wcdu2bdu2bdvdu0FrtGtjbNv7tm3bNmNWoziVHTdVWfU89/23cTJzkYw8QVRUVFRUlIfK0ItZLOUXNnGIizzlARc5yEZ+Zgkz6UEpMqQsDOZ9zqDM4QTv0p9UMowarOY+ymZus5IqBCyBQWxEucg6+hNHIHIxl0soD3KOl8lOugoximsoD3OZ4aSbymxC+ZB1VMB/9OQhyqfcpzO+iuENlCGPWMvbzKADNShCEskUpjodmcFq1vLIWL+QED5J4RcU1jnMXFqQyIsk0Zx5HEZhnR9Iwgd52GG5y+u8TmXsqMybXEdZZAs58VgpTlo+VyeQjBMpTLDc6lGK46EinEch85xlJONGKkt5jkLmNAW9O3lOoJA5STO80Mxi+4fIhQeS2I1C5jvCeCXMVyhktpOAaytQIk8ZgdeG8xQlsgSXOqFE7tEaP7TmHkqkLS7klbc67lMLv9TioXxLIheOfYoS6Yqf+qFEPsSh5iiRBfhtAUqkIQ4kclxs6HdC+C3E72K/B4nHtknyvkyY9BDmkNj3eGyKE8/e55QnvVQUT+cTxGHLSJSWlaSnVWL/w7BDvPDeIDtSIpM5hkJxjMkkYmCjLgc3xAlsQ1OUlleQCnLgf2MOUBDBcd0r4hiaErGPtNI7hNGF2CB2sYEQgsO67NzRRn1EhFLF8/BNpFEoGUYhOK57UxvzgFQi0ktsviSCxczEZgTHdaXFqF5EZIl4qZXgHkqGu0jO67Zro5YSkV1a2RwkuGs+ENd1s7VRe8Asp9h4FZAs5kQ3ITmvqyLG5cSolXgCAIFcxIB4nW+F0USt5BvSFpPm7TAGyU3d19rIiRgt1krmYqUQ+/43ch+FkNzVzdWOZjFGf2olA7GWyKR/XgkmkYjktm6gdjR/YiLmIOoQpNra0ezGRMyVlSBIJcRclGC67nMTpNxiFtZEfEokEaQk7WieYSJm8BMIUoL4+2B0NUOfQlcxOpGhL+ITme02Wsf2bVQ8yAYRpEHa0fxh/2tgPkGab/9VYrJW8i1B+kY7mkkYtZWv08ERkyttMMqF0lIVqTLK41RGqipGhcFsj1Y023ixu88fEX1S7iIiy8VfW9Pku/s0A6Stzn449YtoWgV+Q3mU3wGppNNplVQeICe2pLzcRHmQa+RFkhNbD0klQh+LqcXsgDQA5UEGAJKcWvyAiLUQO5kL5svMUWaTtrliZBMiFuKIVnyTHOYdOcirpC27OD0P+feDYzxPUA7ymPFYWSlGD8eWOM6JX0zVsVKfyw665Opjpar4LjxPHDZNEbvcQxgrufUL35CPyI2VMPvE+EnYFs8xm79ZW4gdp519tMBaCPmMP0gcDrRw8KO7GV/xGOuz/mtamF+gRRrg0CcokT6YZKENc/mTnZzhIQ84y27+ZB5tCGPSK83TzbHcyIvzIXXxSx1ks8cVcuNCW5TIbd/abW6jRFr70/A0PLM0PEESO1HIfEoYr2S1uAlvIwkP5OW4RdNfU7zQlJPeNv1JRThn0Xa5xHXb5RJz26W/ja8nmRhE46v3rcdVMlrrsZTCH8bm7+YeNH//TBI+ieEtzC/Ja1n9T/t9CskU4d/2+8eG6ucsIISv+vAgcy2AkKpktiUoUogx3Mh8i4DkMqwrKA9ynlfIQSASGOLydFrLQOIIWE3eyWxLEaWsDLKxGPQ9sRg0wyhDT2057kMucpBNfizHjYqKioqK+gugEYUfpUhYBwAAAABJRU5ErkJggg==";

/// The 50 MB limit on a decoded file.
pub const MAX_FILE: usize = 50_000_000;

// ---------------------------------------------------------------------------------------
// PassFort's own OpenAPI document

/// Validators for the schemas of PassFort's own OpenAPI document that responses are checked
/// against, built once per test binary.
pub fn vendor_schemas() -> &'static HashMap<&'static str, jsonschema::Validator> {
    static SCHEMAS: OnceLock<HashMap<&'static str, jsonschema::Validator>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vendor/passfort-openapi.json"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            panic!("PassFort's own OpenAPI document is needed at {path} and cannot be read: {e}")
        });
        let doc: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
        [
            "ProfileResource",
            "ProfileSearchResults",
            "EntityData",
            "Document",
            "DocumentImageResource",
            "FileResource",
            "Error",
            "CheckResource",
        ]
        .into_iter()
        .map(|name| {
            let mut root = doc.clone();
            root["$ref"] = Value::String(format!("#/components/schemas/{name}"));
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|e| panic!("PassFort's schema {name} does not build: {e}"));
            (name, validator)
        })
        .collect()
    })
}

/// Asserts that `body` matches PassFort's own schema `name`.
pub fn vendor_check(name: &str, body: &Value, context: &str) {
    let validator = &vendor_schemas()[name];
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{context}: body does not match PassFort's own {name} schema: {errors:?}\n{body}"
    );
}

/// Checks a response against PassFort's own schema for it: the resource of a 200, each item
/// of `errors` otherwise.
pub fn vendor_check_response(method: &Method, template: &str, status: StatusCode, body: &Value) {
    let context = format!("{method} {template} {status}");
    if status != StatusCode::OK {
        let errors = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{context}: no errors array in {body}"));
        assert!(!errors.is_empty(), "{context}: empty errors in {body}");
        for e in errors {
            vendor_check("Error", e, &context);
            assert_eq!(e["source"], "API", "{context}: {e}");
            assert!(e["message"].is_string(), "{context}: {e}");
            assert!(e["info"].is_object(), "{context}: {e}");
        }
        return;
    }
    let images = |body: &Value| {
        for image in body.as_array().unwrap() {
            vendor_check("DocumentImageResource", image, &context);
        }
    };
    match (method.as_str(), template) {
        ("POST", PROFILES) | ("GET", PROFILE) => vendor_check("ProfileResource", body, &context),
        ("GET", PROFILES) => vendor_check("ProfileSearchResults", body, &context),
        (_, COLLECTED) => vendor_check("EntityData", body, &context),
        ("POST", DOCUMENTS) => vendor_check("Document", body, &context),
        (_, FILES) | (_, FILE) => vendor_check("FileResource", body, &context),
        ("GET", IMAGES) => {
            assert!(body.is_array(), "{context}: not a bare array: {body}");
            images(body);
        }
        ("POST", IMAGES) if body.is_array() => images(body),
        (_, IMAGES) | (_, IMAGE) => vendor_check("DocumentImageResource", body, &context),
        ("POST", CHECKS) | ("GET", CHECK) => vendor_check("CheckResource", body, &context),
        ("GET", CHECKS) => {
            let checks = body
                .as_array()
                .unwrap_or_else(|| panic!("{context}: not a bare array: {body}"));
            for check in checks {
                vendor_check("CheckResource", check, &context);
            }
        }
        other => panic!("no PassFort schema chosen for {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// The harness

/// How a request carries its API key.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    Header(&'a str),
    Query(&'a str),
    None,
}

/// A request body.
pub enum Body {
    Json(Value),
    /// Sent as `application/json` as it is.
    Raw(Bytes),
    Empty,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

/// The PassFort contract idbridge generates, built once per test binary.
pub fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract::of("passfort"))
}

/// PassFort as one server answers it, in process or a spawned `idbridge serve` (whose
/// PassFort prefix must be `/4.0`): a client and the server's base URL.
#[derive(Clone, Copy)]
pub struct PassfortAt<'a> {
    pub http: &'a reqwest::Client,
    /// `http://host:port`.
    pub base: &'a str,
}

impl PassfortAt<'_> {
    /// Sends a request under `/4.0`; when `template` is given, checks the reply against both
    /// contracts.
    pub async fn request(
        self,
        auth: Auth<'_>,
        method: Method,
        path: &str,
        template: Option<&str>,
        body: Body,
    ) -> Reply {
        let mut url = format!("{}/4.0{path}", self.base);
        if let Auth::Query(k) = auth {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&format!("apikey={k}"));
        }
        let mut req = self.http.request(method.clone(), url);
        if let Auth::Header(k) = auth {
            req = req.header("apikey", k);
        }
        req = match body {
            Body::Json(v) => req.json(&v),
            Body::Raw(b) => req.header("content-type", "application/json").body(b),
            Body::Empty => req,
        };
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "{method} {path} {status}: not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(500)])
            )
        });
        if let Some(t) = template {
            contract().check(method.as_str(), t, status.as_u16(), &body);
            vendor_check_response(&method, t, status, &body);
        }
        Reply {
            status,
            headers,
            body,
        }
    }
}

pub struct Passfort {
    pub server: TestServer,
    pub contract: Contract,
    pub ncore: Contract,
}

impl AlphaNcore for Passfort {
    fn test_server(&self) -> &TestServer {
        &self.server
    }
}

impl Passfort {
    pub async fn start() -> Passfort {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Passfort {
        Passfort {
            server: TestServer::start_with(adjust).await,
            contract: Contract::of("passfort"),
            ncore: Contract::of("ncore"),
        }
    }

    /// Sends a request under `/4.0`; when `template` is given, checks the reply against both
    /// contracts.
    pub async fn request(
        &self,
        auth: Auth<'_>,
        method: Method,
        path: &str,
        template: Option<&str>,
        body: Body,
    ) -> Reply {
        let at = PassfortAt {
            http: &self.server.client,
            base: &self.server.base,
        };
        at.request(auth, method, path, template, body).await
    }

    /// A request with alpha's key in the header, checked against both contracts.
    pub async fn call(&self, method: Method, path: &str, template: &str, body: Body) -> Reply {
        self.request(Auth::Header(KEY_A), method, path, Some(template), body)
            .await
    }

    pub async fn get(&self, path: &str, template: &str) -> Reply {
        self.call(Method::GET, path, template, Body::Empty).await
    }

    pub async fn post(&self, path: &str, template: &str, body: Value) -> Reply {
        self.call(Method::POST, path, template, Body::Json(body))
            .await
    }

    pub async fn create_profile_as(&self, key: &str, body: Value) -> Value {
        let r = self
            .request(
                Auth::Header(key),
                Method::POST,
                "/profiles",
                Some(PROFILES),
                Body::Json(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    /// A new individual profile of tenant alpha; returns its id.
    pub async fn individual(&self, given: &str, family: &str) -> String {
        let p = self
            .create_profile_as(KEY_A, individual_body(given, family))
            .await;
        p["id"].as_str().unwrap().to_owned()
    }

    /// Adds a document image; asserts success and returns it.
    pub async fn add_image(&self, profile: &str, body: Value) -> Value {
        let r = self
            .post(
                &format!("/profiles/{profile}/document_images"),
                IMAGES,
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    pub async fn add_image_id(&self, profile: &str, data: &[u8], image_type: &str) -> String {
        let img = self
            .add_image(
                profile,
                json!({"data": B64.encode(data), "image_type": image_type}),
            )
            .await;
        img["id"].as_str().unwrap().to_owned()
    }

    /// Adds a file; asserts success and returns it.
    pub async fn add_file(&self, profile: &str, body: Value) -> Value {
        let r = self
            .post(&format!("/profiles/{profile}/files"), FILES, body)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    /// Adds a file; asserts success and returns its id.
    pub async fn add_file_id(&self, profile: &str, body: Value) -> String {
        let f = self.add_file(profile, body).await;
        f["id"].as_str().unwrap().to_owned()
    }

    /// Adds a document to the collected data; asserts success and returns its id.
    pub async fn add_document_id(&self, profile: &str, body: Value) -> String {
        let r = self.add_document(profile, body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    /// The content of a file, read back with `GET …/files/{file_id}`.
    pub async fn read_file(&self, profile: &str, file: &str) -> Vec<u8> {
        let r = self
            .get(&format!("/profiles/{profile}/files/{file}"), FILE)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["id"], file);
        B64.decode(r.body["decrypted_data"].as_str().unwrap())
            .unwrap()
    }

    pub async fn collected(&self, profile: &str) -> Value {
        let r = self
            .get(&format!("/profiles/{profile}/collected_data"), COLLECTED)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    pub async fn images(&self, profile: &str) -> Vec<Value> {
        let r = self
            .get(&format!("/profiles/{profile}/document_images"), IMAGES)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body.as_array().unwrap().clone()
    }

    /// The seed's list form, `POST …/document_images` without `data`: a bare array.
    pub async fn post_image_list(&self, profile: &str, body: Body) -> Reply {
        self.call(
            Method::POST,
            &format!("/profiles/{profile}/document_images"),
            IMAGES,
            body,
        )
        .await
    }

    pub async fn add_document(&self, profile: &str, body: Value) -> Reply {
        self.post(
            &format!("/profiles/{profile}/collected_data/documents"),
            DOCUMENTS,
            body,
        )
        .await
    }

    pub async fn files_stored(&self) -> u64 {
        self.server.store.count_files().await.unwrap()
    }
}

/// The body of `POST /profiles` for an individual customer.
pub fn individual_body(given: &str, family: &str) -> Value {
    json!({
        "role": "INDIVIDUAL_CUSTOMER",
        "collected_data": {
            "entity_type": "INDIVIDUAL",
            "personal_details": {"name": {"given_names": [given], "family_name": family}},
        }
    })
}

/// An error reply's first error.
pub fn first_error(r: &Reply) -> &Value {
    &r.body["errors"][0]
}

/// Asserts a 400 INVALID_INPUT_DATA naming `field`.
pub fn assert_invalid(r: &Reply, field: &str, context: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{context}: {}", r.body);
    let e = first_error(r);
    assert_eq!(e["code"], 201, "{context}: {e}");
    assert_eq!(e["info"]["field"], field, "{context}: {e}");
}

/// Asserts a 404 INVALID_INPUT_DATA saying what was not found.
pub fn assert_not_found(r: &Reply, what: &str, context: &str) {
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{context}: {}", r.body);
    let e = first_error(r);
    assert_eq!(e["code"], 201, "{context}: {e}");
    assert_eq!(e["info"]["not_found"], what, "{context}: {e}");
}

/// A PassFort datetime, `YYYY-MM-DD hh:mm:ss`.
pub fn assert_datetime(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    assert!(
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").is_ok() && s.len() == 19,
        "not YYYY-MM-DD hh:mm:ss: {s}"
    );
}

pub fn uuid(v: &Value) -> uuid::Uuid {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a UUID: {v}"))
}

pub fn sha(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

pub fn ids(list: &[Value]) -> Vec<&str> {
    list.iter().map(|v| v["id"].as_str().unwrap()).collect()
}

pub const NCORE_LIST: &str = "/users/{user_id}/identifications";

pub const NCORE_ONE: &str = "/users/{user_id}/identifications/{identification_id}";

pub const NCORE_FILES: &str = "/users/{user_id}/identifications/{identification_id}/files";

pub fn header_u64(r: &Reply, name: &str) -> u64 {
    r.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name}: {:?}", r.headers))
        .to_str()
        .unwrap()
        .parse()
        .unwrap_or_else(|e| panic!("{name} is not a number: {e}"))
}
