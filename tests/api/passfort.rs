//! The PassFort 4.0 profiles API over HTTP, as a PassFort client uses it. Every JSON body is
//! checked twice: against the OpenAPI document idbridge generates for the adapter, and against
//! the matching schema of PassFort's own OpenAPI document.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::common::{ADMIN_A, Contract, TestServer};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::Bytes;
use idbridge::config::Config;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const KEY_A: &str = "test-api-key-alpha";
const KEY_B: &str = "test-api-key-beta";

const PROFILES: &str = "/profiles";
const PROFILE: &str = "/profiles/{profile_id}";
const COLLECTED: &str = "/profiles/{profile_id}/collected_data";
const DOCUMENTS: &str = "/profiles/{profile_id}/collected_data/documents";
const FILES: &str = "/profiles/{profile_id}/files";
const FILE: &str = "/profiles/{profile_id}/files/{file_id}";
const IMAGES: &str = "/profiles/{profile_id}/document_images";
const IMAGE: &str = "/profiles/{profile_id}/document_images/{document_image_id}";
const CHECKS: &str = "/profiles/{profile_id}/checks";
const CHECK: &str = "/profiles/{profile_id}/checks/{check_id}";

mod checks;

/// The seed's file sample (also its FRONT document image sample): a 96×96 PNG.
const SEED_FILE: &str = "iVBORw0KGgoAAAANSUhEUgAAAGAAAABgCAQAAABIkb+zAAABMUlEQVR4Ae3YsTFAURhE4ZUAkAKIFAhEkIpFoAIAOQAJ0IYEAIAS4C07b+acv4H9Zm50RURE9K061KdNXeqj4I0pUL3m9V54eoxQpSPb+Ahhwjg9QGjRqz7KTBixzg4QDmxzQ4RzE0Apwr0NECL4AAZCHhAgeAEBghcQIDxYAQGCFxAgeAEBghcQIHgBAYIXECA8WgEBghcQIHgBAYIXECB4AQHCkwvwO0K5ANJY2QHSWNkB0lge4LzCPQMAACB6AF4AAABQbsArAAAAyg14AwAAQPQAvAMAAKDcgA8AAAAAAAAAAIDfVgEAAIDwFe46Ov9ahTuNAs5UuPEoYFyF6wl+bb2pU4ZmY4ApWarVWej9V8lUk9b++XvlXYuql7VuDWlbV38+/VIb6v/e2yciIvoEBh6x5m3tSdoAAAAASUVORK5CYII=";

/// The seed's FACE document image sample.
const SEED_FACE: &str = "iVBORw0KGgoAAAANSUhEUgAAAGAAAABgCAQAAABIkb+zAAAFDklEQVR4Ae3bQ5glSRSG4e+Wcdu2bdu2bdvdu0FrtGtjbNv7tm3bNmNWoziVHTdVWfU89/23cTJzkYw8QVRUVFRUlIfK0ItZLOUXNnGIizzlARc5yEZ+Zgkz6UEpMqQsDOZ9zqDM4QTv0p9UMowarOY+ymZus5IqBCyBQWxEucg6+hNHIHIxl0soD3KOl8lOugoximsoD3OZ4aSbymxC+ZB1VMB/9OQhyqfcpzO+iuENlCGPWMvbzKADNShCEskUpjodmcFq1vLIWL+QED5J4RcU1jnMXFqQyIsk0Zx5HEZhnR9Iwgd52GG5y+u8TmXsqMybXEdZZAs58VgpTlo+VyeQjBMpTLDc6lGK46EinEch85xlJONGKkt5jkLmNAW9O3lOoJA5STO80Mxi+4fIhQeS2I1C5jvCeCXMVyhktpOAaytQIk8ZgdeG8xQlsgSXOqFE7tEaP7TmHkqkLS7klbc67lMLv9TioXxLIheOfYoS6Yqf+qFEPsSh5iiRBfhtAUqkIQ4kclxs6HdC+C3E72K/B4nHtknyvkyY9BDmkNj3eGyKE8/e55QnvVQUT+cTxGHLSJSWlaSnVWL/w7BDvPDeIDtSIpM5hkJxjMkkYmCjLgc3xAlsQ1OUlleQCnLgf2MOUBDBcd0r4hiaErGPtNI7hNGF2CB2sYEQgsO67NzRRn1EhFLF8/BNpFEoGUYhOK57UxvzgFQi0ktsviSCxczEZgTHdaXFqF5EZIl4qZXgHkqGu0jO67Zro5YSkV1a2RwkuGs+ENd1s7VRe8Asp9h4FZAs5kQ3ITmvqyLG5cSolXgCAIFcxIB4nW+F0USt5BvSFpPm7TAGyU3d19rIiRgt1krmYqUQ+/43ch+FkNzVzdWOZjFGf2olA7GWyKR/XgkmkYjktm6gdjR/YiLmIOoQpNra0ezGRMyVlSBIJcRclGC67nMTpNxiFtZEfEokEaQk7WieYSJm8BMIUoL4+2B0NUOfQlcxOpGhL+ITme02Wsf2bVQ8yAYRpEHa0fxh/2tgPkGab/9VYrJW8i1B+kY7mkkYtZWv08ERkyttMMqF0lIVqTLK41RGqipGhcFsj1Y023ixu88fEX1S7iIiy8VfW9Pku/s0A6Stzn449YtoWgV+Q3mU3wGppNNplVQeICe2pLzcRHmQa+RFkhNbD0klQh+LqcXsgDQA5UEGAJKcWvyAiLUQO5kL5svMUWaTtrliZBMiFuKIVnyTHOYdOcirpC27OD0P+feDYzxPUA7ymPFYWSlGD8eWOM6JX0zVsVKfyw665Opjpar4LjxPHDZNEbvcQxgrufUL35CPyI2VMPvE+EnYFs8xm79ZW4gdp519tMBaCPmMP0gcDrRw8KO7GV/xGOuz/mtamF+gRRrg0CcokT6YZKENc/mTnZzhIQ84y27+ZB5tCGPSK83TzbHcyIvzIXXxSx1ks8cVcuNCW5TIbd/abW6jRFr70/A0PLM0PEESO1HIfEoYr2S1uAlvIwkP5OW4RdNfU7zQlJPeNv1JRThn0Xa5xHXb5RJz26W/ja8nmRhE46v3rcdVMlrrsZTCH8bm7+YeNH//TBI+ieEtzC/Ja1n9T/t9CskU4d/2+8eG6ucsIISv+vAgcy2AkKpktiUoUogx3Mh8i4DkMqwrKA9ynlfIQSASGOLydFrLQOIIWE3eyWxLEaWsDLKxGPQ9sRg0wyhDT2057kMucpBNfizHjYqKioqK+gugEYUfpUhYBwAAAABJRU5ErkJggg==";

/// The 50 MB limit on a decoded file.
const MAX_FILE: usize = 50_000_000;

// ---------------------------------------------------------------------------------------
// PassFort's own OpenAPI document

/// Validators for the schemas of PassFort's own OpenAPI document that responses are checked
/// against, built once per test binary.
fn vendor_schemas() -> &'static HashMap<&'static str, jsonschema::Validator> {
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
fn vendor_check(name: &str, body: &Value, context: &str) {
    let validator = &vendor_schemas()[name];
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{context}: body does not match PassFort's own {name} schema: {errors:?}\n{body}"
    );
}

/// Checks a response against PassFort's own schema for it: the resource of a 200, each item
/// of `errors` otherwise.
fn vendor_check_response(method: &Method, template: &str, status: StatusCode, body: &Value) {
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

#[test]
fn passforts_own_schemas_are_really_checked() {
    // Guards the checks above against passing vacuously (a $ref not followed, a draft that
    // ignores a keyword): each of these must be refused.
    let id = "01a201ee-fd60-73f9-a551-c102e8094f79";
    let refused = [
        (
            "DocumentImageResource",
            json!({"id": id, "image_type": "SIDE", "upload_date": "2019-10-03 14:05:19"}),
        ),
        (
            "DocumentImageResource",
            json!({"id": id, "image_type": "FRONT", "upload_date": "2019-10-03T14:05:19Z"}),
        ),
        ("FileResource", json!({"name": "x", "decrypted_data": ""})),
        ("FileResource", json!({"id": "not-a-uuid", "name": "x"})),
        (
            "Document",
            json!({"id": id, "category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENSE", "images": []}),
        ),
        (
            "Document",
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [], "colour": "red"}),
        ),
        ("EntityData", json!({"entity_type": "ROBOT"})),
        (
            "EntityData",
            json!({"entity_type": "INDIVIDUAL", "documents": [{"category": "X"}]}),
        ),
        ("ProfileResource", json!({"id": id, "role": "CUSTOMER"})),
        (
            "CheckResource",
            json!({"check_type": "DOCUMENT_VERIFICATION", "result": "Error"}),
        ),
        (
            "CheckResource",
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": id, "result": "Passed"}),
        ),
        (
            "CheckResource",
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": id,
                   "output_data": {"documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [],
                                                  "verification_result": {"field_checks": [{"field": "FIELD_DOB", "result": "MAYBE"}]}}]}}),
        ),
        (
            "ProfileResource",
            json!({"id": id, "category": "APPLICANT", "creation_date": "yesterday"}),
        ),
        (
            "ProfileSearchResults",
            json!({"count": 0, "limit": 50, "offset": 0, "results": []}),
        ),
        (
            "Error",
            json!({"code": "201", "message": "m", "source": "API", "info": {}}),
        ),
        (
            "Error",
            json!({"code": 201, "message": "m", "source": "SERVER", "info": {}}),
        ),
    ];
    for (name, body) in refused {
        assert!(
            !vendor_schemas()[name].is_valid(&body),
            "PassFort's {name} accepted {body}"
        );
    }
    let accepted = [
        (
            "DocumentImageResource",
            json!({"id": id, "image_type": "FACE", "upload_date": "2019-10-03 14:05:19"}),
        ),
        (
            "EntityData",
            json!({"entity_type": "COMPANY", "documents": [], "metadata": {"name": "Acme"}}),
        ),
        (
            "ProfileSearchResults",
            json!({"count": 0, "limit": 50, "offset": 0, "results": [], "associated_results": []}),
        ),
    ];
    for (name, body) in accepted {
        vendor_check(name, &body, "a valid example");
    }
}

// ---------------------------------------------------------------------------------------
// The harness

/// How a request carries its API key.
#[derive(Clone, Copy)]
enum Auth<'a> {
    Header(&'a str),
    Query(&'a str),
    None,
}

/// A request body.
enum Body {
    Json(Value),
    /// Sent as `application/json` as it is.
    Raw(Bytes),
    Empty,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

struct Passfort {
    server: TestServer,
    contract: Contract,
    ncore: Contract,
}

impl Passfort {
    async fn start() -> Passfort {
        Self::start_with(|_| {}).await
    }

    async fn start_with(adjust: impl FnOnce(&mut Config)) -> Passfort {
        Passfort {
            server: TestServer::start_with(adjust).await,
            contract: Contract::of("passfort"),
            ncore: Contract::of("ncore"),
        }
    }

    /// Sends a request under `/4.0`; when `template` is given, checks the reply against both
    /// contracts.
    async fn request(
        &self,
        auth: Auth<'_>,
        method: Method,
        path: &str,
        template: Option<&str>,
        body: Body,
    ) -> Reply {
        let mut url = self.server.url(&format!("/4.0{path}"));
        if let Auth::Query(k) = auth {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&format!("apikey={k}"));
        }
        let mut req = self.server.client.request(method.clone(), url);
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
            self.contract
                .check(method.as_str(), t, status.as_u16(), &body);
            vendor_check_response(&method, t, status, &body);
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    /// A request with alpha's key in the header, checked against both contracts.
    async fn call(&self, method: Method, path: &str, template: &str, body: Body) -> Reply {
        self.request(Auth::Header(KEY_A), method, path, Some(template), body)
            .await
    }

    async fn get(&self, path: &str, template: &str) -> Reply {
        self.call(Method::GET, path, template, Body::Empty).await
    }

    async fn post(&self, path: &str, template: &str, body: Value) -> Reply {
        self.call(Method::POST, path, template, Body::Json(body))
            .await
    }

    async fn create_profile_as(&self, key: &str, body: Value) -> Value {
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
    async fn individual(&self, given: &str, family: &str) -> String {
        let p = self
            .create_profile_as(KEY_A, individual_body(given, family))
            .await;
        p["id"].as_str().unwrap().to_owned()
    }

    /// Adds a document image; asserts success and returns it.
    async fn add_image(&self, profile: &str, body: Value) -> Value {
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

    async fn add_image_id(&self, profile: &str, data: &[u8], image_type: &str) -> String {
        let img = self
            .add_image(
                profile,
                json!({"data": B64.encode(data), "image_type": image_type}),
            )
            .await;
        img["id"].as_str().unwrap().to_owned()
    }

    /// Adds a file; asserts success and returns it.
    async fn add_file(&self, profile: &str, body: Value) -> Value {
        let r = self
            .post(&format!("/profiles/{profile}/files"), FILES, body)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    /// The content of a file, read back with `GET …/files/{file_id}`.
    async fn read_file(&self, profile: &str, file: &str) -> Vec<u8> {
        let r = self
            .get(&format!("/profiles/{profile}/files/{file}"), FILE)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["id"], file);
        B64.decode(r.body["decrypted_data"].as_str().unwrap())
            .unwrap()
    }

    async fn collected(&self, profile: &str) -> Value {
        let r = self
            .get(&format!("/profiles/{profile}/collected_data"), COLLECTED)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    async fn images(&self, profile: &str) -> Vec<Value> {
        let r = self
            .get(&format!("/profiles/{profile}/document_images"), IMAGES)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body.as_array().unwrap().clone()
    }

    /// The seed's list form, `POST …/document_images` without `data`: a bare array.
    async fn post_image_list(&self, profile: &str, body: Body) -> Reply {
        self.call(
            Method::POST,
            &format!("/profiles/{profile}/document_images"),
            IMAGES,
            body,
        )
        .await
    }

    async fn add_document(&self, profile: &str, body: Value) -> Reply {
        self.post(
            &format!("/profiles/{profile}/collected_data/documents"),
            DOCUMENTS,
            body,
        )
        .await
    }

    async fn files_stored(&self) -> u64 {
        self.server.store.count_files().await.unwrap()
    }

    /// An nCore request with alpha's key, checked against the nCore contract.
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
            .header("apikey", KEY_A);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let value: Value = res.json().await.unwrap();
        self.ncore
            .check(method.as_str(), template, status.as_u16(), &value);
        (status, value)
    }
}

/// The body of `POST /profiles` for an individual customer.
fn individual_body(given: &str, family: &str) -> Value {
    json!({
        "role": "INDIVIDUAL_CUSTOMER",
        "collected_data": {
            "entity_type": "INDIVIDUAL",
            "personal_details": {"name": {"given_names": [given], "family_name": family}},
        }
    })
}

/// An error reply's first error.
fn first_error(r: &Reply) -> &Value {
    &r.body["errors"][0]
}

/// Asserts a 400 INVALID_INPUT_DATA naming `field`.
fn assert_invalid(r: &Reply, field: &str, context: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{context}: {}", r.body);
    let e = first_error(r);
    assert_eq!(e["code"], 201, "{context}: {e}");
    assert_eq!(e["info"]["field"], field, "{context}: {e}");
}

/// Asserts a 404 INVALID_INPUT_DATA saying what was not found.
fn assert_not_found(r: &Reply, what: &str, context: &str) {
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{context}: {}", r.body);
    let e = first_error(r);
    assert_eq!(e["code"], 201, "{context}: {e}");
    assert_eq!(e["info"]["not_found"], what, "{context}: {e}");
}

/// A PassFort datetime, `YYYY-MM-DD hh:mm:ss`.
fn assert_datetime(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    assert!(
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").is_ok() && s.len() == 19,
        "not YYYY-MM-DD hh:mm:ss: {s}"
    );
}

fn uuid(v: &Value) -> uuid::Uuid {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a UUID: {v}"))
}

/// A PNG (header and some varied bytes).
fn png(seed: u8) -> Vec<u8> {
    let mut v = crate::common::png_header(320, 200);
    v.extend((0..1500u32).map(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed)));
    v
}

fn sha(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

fn ids(list: &[Value]) -> Vec<&str> {
    list.iter().map(|v| v["id"].as_str().unwrap()).collect()
}

// ---------------------------------------------------------------------------------------
// The seed's examples

#[tokio::test]
async fn the_seed_examples_run_end_to_end() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;

    // Add a file: the seed's body and response shape.
    let file = p
        .add_file(
            &id,
            json!({ "data": SEED_FILE, "name": "PEP Declaration Form" }),
        )
        .await;
    assert_eq!(file["name"], "PEP Declaration Form");
    assert_eq!(file["decrypted_data"], "");
    let file_id = uuid(&file["id"]).to_string();
    assert_eq!(
        file.as_object().unwrap().len(),
        3,
        "decrypted_data, id, name: {file}"
    );

    // Get it: the seed's POST form and the spec's GET form both carry the content.
    let path = format!("/profiles/{id}/files/{file_id}");
    let by_post = p.call(Method::POST, &path, FILE, Body::Empty).await;
    assert_eq!(by_post.status, StatusCode::OK, "{}", by_post.body);
    assert_eq!(
        by_post.body,
        json!({"id": file_id, "name": "PEP Declaration Form", "decrypted_data": SEED_FILE})
    );
    let by_get = p.get(&path, FILE).await;
    assert_eq!(
        (by_get.status, &by_get.body),
        (StatusCode::OK, &by_post.body)
    );
    assert_eq!(
        p.read_file(&id, &file_id).await,
        B64.decode(SEED_FILE).unwrap()
    );

    // Add the FRONT and FACE document images of the seed.
    let front = p
        .add_image(&id, json!({ "data": SEED_FILE, "image_type": "FRONT" }))
        .await;
    let face = p
        .add_image(&id, json!({ "data": SEED_FACE, "image_type": "FACE" }))
        .await;
    for (img, t) in [(&front, "FRONT"), (&face, "FACE")] {
        uuid(&img["id"]);
        assert_eq!(img["image_type"], t);
        assert_datetime(&img["upload_date"]);
        assert_eq!(
            img.as_object().unwrap().len(),
            3,
            "id, image_type, upload_date: {img}"
        );
    }
    let (front_id, face_id) = (
        front["id"].as_str().unwrap().to_owned(),
        face["id"].as_str().unwrap().to_owned(),
    );
    assert_ne!(front_id, face_id);
    assert_ne!(front_id, file_id);

    // The seed's list form: POST …/document_images without a body. The plain file is not
    // a document image.
    let listed = p.post_image_list(&id, Body::Empty).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body, json!([front, face]));
    assert_eq!(p.images(&id).await, vec![front.clone(), face.clone()]);

    // Create the document with the seed's body, using the ids the uploads returned.
    let doc = p
        .add_document(
            &id,
            json!({
                "category": "PROOF_OF_IDENTITY",
                "document_type": "PASSPORT",
                "images": [ { "id": front_id }, { "id": face_id } ]
            }),
        )
        .await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
    let doc = doc.body;
    uuid(&doc["id"]);
    assert_eq!(doc["category"], "PROOF_OF_IDENTITY");
    assert_eq!(doc["document_type"], "PASSPORT");
    assert_eq!(
        doc["images"],
        json!([front, face]),
        "the images come back with image_type and upload_date"
    );

    // The seed's POST …/collected_data without a body returns everything collected.
    let posted = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/collected_data"),
            COLLECTED,
            Body::Empty,
        )
        .await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    assert_eq!(
        posted.body,
        json!({
            "entity_type": "INDIVIDUAL",
            "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}},
            "documents": [doc],
        })
    );
    assert_eq!(p.collected(&id).await, posted.body);

    // The profile shows all of it; its images' bytes are readable as files.
    let profile = p.get(&format!("/profiles/{id}"), PROFILE).await;
    assert_eq!(profile.status, StatusCode::OK);
    assert_eq!(profile.body["collected_data"], posted.body);
    assert_eq!(profile.body["document_images"], json!([front, face]));
    assert_eq!(
        p.read_file(&id, &face_id).await,
        B64.decode(SEED_FACE).unwrap()
    );
}

// ---------------------------------------------------------------------------------------
// Authentication

#[tokio::test]
async fn the_api_key_goes_in_the_header_or_the_query_and_is_checked() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let one = format!("/profiles/{id}");

    let by_header = p
        .request(
            Auth::Header(KEY_A),
            Method::GET,
            &one,
            Some(PROFILE),
            Body::Empty,
        )
        .await;
    let by_query = p
        .request(
            Auth::Query(KEY_A),
            Method::GET,
            &one,
            Some(PROFILE),
            Body::Empty,
        )
        .await;
    assert_eq!(by_header.status, StatusCode::OK);
    assert_eq!(
        (by_query.status, &by_query.body),
        (StatusCode::OK, &by_header.body)
    );
    // The query form works beside other query parameters and for writes too.
    let listed = p
        .request(
            Auth::Query(KEY_A),
            Method::GET,
            "/profiles?limit=5",
            Some(PROFILES),
            Body::Empty,
        )
        .await;
    assert_eq!(
        (listed.status, listed.body["count"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    let created = p
        .request(
            Auth::Query(KEY_A),
            Method::POST,
            "/profiles",
            Some(PROFILES),
            Body::Json(individual_body("Grace", "Hopper")),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);

    let cases: Vec<(Method, String, &str, Body)> = vec![
        (Method::GET, one.clone(), PROFILE, Body::Empty),
        (Method::GET, "/profiles".into(), PROFILES, Body::Empty),
        (
            Method::POST,
            "/profiles".into(),
            PROFILES,
            Body::Json(individual_body("X", "Y")),
        ),
        (
            Method::POST,
            format!("/profiles/{id}/files"),
            FILES,
            Body::Json(json!({"data": SEED_FILE})),
        ),
        (
            Method::GET,
            format!("/profiles/{id}/document_images"),
            IMAGES,
            Body::Empty,
        ),
        (
            Method::POST,
            format!("/profiles/{id}/collected_data"),
            COLLECTED,
            Body::Empty,
        ),
    ];
    let stored = p.files_stored().await;
    for (method, path, template, body) in cases {
        let body_again = match &body {
            Body::Json(v) => Body::Json(v.clone()),
            _ => Body::Empty,
        };
        let missing = p
            .request(Auth::None, method.clone(), &path, Some(template), body)
            .await;
        assert_eq!(
            (missing.status, &first_error(&missing)["code"]),
            (StatusCode::UNAUTHORIZED, &json!(203)),
            "{method} {path}: {}",
            missing.body
        );
        assert_eq!(first_error(&missing)["source"], "API");
        for wrong in ["wrong-key-123", ADMIN_A, "test-masstack-key-alpha", ""] {
            for auth in [Auth::Header(wrong), Auth::Query(wrong)] {
                let body = match &body_again {
                    Body::Json(v) => Body::Json(v.clone()),
                    _ => Body::Empty,
                };
                let r = p
                    .request(auth, method.clone(), &path, Some(template), body)
                    .await;
                assert_eq!(
                    (r.status, &first_error(&r)["code"]),
                    (StatusCode::UNAUTHORIZED, &json!(204)),
                    "{method} {path} with {wrong:?}: {}",
                    r.body
                );
            }
        }
    }
    assert_eq!(
        p.files_stored().await,
        stored,
        "an unauthenticated upload was kept"
    );
    let count = p.get("/profiles", PROFILES).await.body["count"].as_u64();
    assert_eq!(
        count,
        Some(2),
        "an unauthenticated POST /profiles created one"
    );
}

// ---------------------------------------------------------------------------------------
// Profiles

#[tokio::test]
async fn profiles_are_created_as_sent_with_a_role_that_suits_the_entity() {
    let p = Passfort::start().await;
    let r = p
        .post(
            "/profiles",
            PROFILES,
            json!({
                "role": "INDIVIDUAL_CUSTOMER",
                "collected_data": {
                    "entity_type": "INDIVIDUAL",
                    "customer_ref": "CUST-1",
                    "personal_details": {
                        "name": {"given_names": ["Ada", "Augusta"], "family_name": "Lovelace"},
                        "dob": "1815-12-10",
                        "nationality": "GBR"
                    },
                    "contact_details": {"email": "ada@example.com"}
                }
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for h in [
        "x-ratelimit-remaining",
        "x-ratelimit-reset-secs",
        "x-ratelimit-reset",
    ] {
        assert!(r.headers.contains_key(h), "no {h}: {:?}", r.headers);
    }
    let ada = &r.body;
    uuid(&ada["id"]);
    assert_datetime(&ada["creation_date"]);
    assert_eq!(ada["role"], "INDIVIDUAL_CUSTOMER");
    assert_eq!(ada["display_name"], "Ada Augusta Lovelace");
    assert_eq!(ada["category"], "APPLICANT");
    assert_eq!(ada["status"], "NORMAL");
    for empty in ["document_images", "checks", "tags"] {
        assert_eq!(ada[empty], json!([]), "{empty}");
    }
    assert_eq!(
        ada["collected_data"],
        json!({
            "entity_type": "INDIVIDUAL",
            "documents": [],
            "customer_ref": "CUST-1",
            "personal_details": {
                "name": {"given_names": ["Ada", "Augusta"], "family_name": "Lovelace"},
                "dob": "1815-12-10",
                "nationality": "GBR"
            },
            "contact_details": {"email": "ada@example.com"}
        })
    );
    let id = ada["id"].as_str().unwrap();
    let got = p.get(&format!("/profiles/{id}"), PROFILE).await;
    assert_eq!((got.status, &got.body), (StatusCode::OK, ada));

    let company = p
        .create_profile_as(
            KEY_A,
            json!({
                "role": "COMPANY_CUSTOMER",
                "collected_data": {"entity_type": "COMPANY", "metadata": {"name": "Acme Ltd", "number": "0123"}}
            }),
        )
        .await;
    assert_eq!(
        (
            company["role"].as_str(),
            company["display_name"].as_str(),
            company["collected_data"]["entity_type"].as_str()
        ),
        (Some("COMPANY_CUSTOMER"), Some("Acme Ltd"), Some("COMPANY"))
    );
    assert_eq!(company["collected_data"]["metadata"]["number"], "0123");
    let associated = p
        .create_profile_as(
            KEY_A,
            json!({"role": "INDIVIDUAL_ASSOCIATED", "collected_data": {"entity_type": "INDIVIDUAL"}}),
        )
        .await;
    assert_eq!(associated["role"], "INDIVIDUAL_ASSOCIATED");
    assert!(
        associated.get("display_name").is_none(),
        "no name, no display_name: {associated}"
    );

    // Bad input: 400 INVALID_INPUT_DATA naming the field; nothing created.
    for (body, field) in [
        (
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {"entity_type": "ROBOT"}}),
            "collected_data.entity_type",
        ),
        (
            json!({"role": "COMPANY_CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL"}}),
            "collected_data.entity_type",
        ),
        (
            json!({"role": "INDIVIDUAL_ASSOCIATED", "collected_data": {"entity_type": "COMPANY"}}),
            "collected_data.entity_type",
        ),
        (
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": "Ada"}),
            "collected_data",
        ),
        (
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {
                "entity_type": "INDIVIDUAL",
                "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
                               "images": [{"id": "ec1565b6-82c7-0577-8b3a-94462b67c97a"}]}]
            }}),
            "collected_data.documents",
        ),
    ] {
        let r = p.post("/profiles", PROFILES, body.clone()).await;
        assert_invalid(&r, field, &body.to_string());
        assert!(
            r.headers.contains_key("x-ratelimit-remaining"),
            "a refused POST /profiles has the rate-limit headers too"
        );
    }
    for (body, mentions) in [
        (
            json!({"collected_data": {"entity_type": "INDIVIDUAL"}}),
            "role",
        ),
        (
            json!({"role": "CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL"}}),
            "CUSTOMER",
        ),
    ] {
        let r = p.post("/profiles", PROFILES, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(first_error(&r)["code"], 201);
        assert!(
            first_error(&r)["message"]
                .as_str()
                .unwrap()
                .contains(mentions),
            "{body}: {}",
            r.body
        );
    }
    let r = p
        .call(
            Method::POST,
            "/profiles",
            PROFILES,
            Body::Raw(Bytes::from_static(b"{\"role\": ")),
        )
        .await;
    assert_eq!(
        (r.status, &first_error(&r)["code"]),
        (StatusCode::BAD_REQUEST, &json!(201))
    );
    let all = p.get("/profiles", PROFILES).await;
    assert_eq!(all.body["count"], 3, "a refused POST created a profile");
}

#[tokio::test]
async fn profiles_are_listed_searched_filtered_and_paged() {
    let p = Passfort::start().await;
    let ada = p.individual("Ada", "Lovelace").await;
    let grace = p
        .create_profile_as(
            KEY_A,
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {
                "entity_type": "INDIVIDUAL",
                "customer_ref": "CUST-42",
                "personal_details": {"name": {"given_names": ["Grace"], "family_name": "Hopper"}}
            }}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let acme = p
        .create_profile_as(
            KEY_A,
            json!({"role": "COMPANY_CUSTOMER", "collected_data": {"entity_type": "COMPANY", "metadata": {"name": "Acme Ltd"}}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let list = |q: &'static str| p.get(q, PROFILES);
    let all = list("/profiles").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        (
            &all.body["count"],
            &all.body["limit"],
            &all.body["offset"],
            &all.body["hidden"],
            &all.body["associated_results"]
        ),
        (&json!(3), &json!(50), &json!(0), &json!(0), &json!([]))
    );
    assert_eq!(
        ids(all.body["results"].as_array().unwrap()),
        [&ada, &grace, &acme],
        "oldest first"
    );
    let one = p.get(&format!("/profiles/{grace}"), PROFILE).await;
    assert_eq!(all.body["results"][1], one.body, "a result is the profile");

    for (q, expect) in [
        ("/profiles?q=lovelace", vec![&ada]),
        ("/profiles?q=ADA%20LOVE", vec![&ada]),
        ("/profiles?q=cust-42", vec![&grace]),
        ("/profiles?q=acme", vec![&acme]),
        ("/profiles?q=nobody", vec![]),
        ("/profiles?q=", vec![&ada, &grace, &acme]),
        ("/profiles?categories=APPLICANT", vec![&ada, &grace, &acme]),
        ("/profiles?categories=CUSTOMER", vec![]),
        (
            "/profiles?categories=CUSTOMER,PREVIOUS_CUSTOMER,INACTIVE_APPLICANT",
            vec![],
        ),
        (
            "/profiles?categories=CUSTOMER,APPLICANT&q=hopper",
            vec![&grace],
        ),
    ] {
        let r = list(q).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
        let results = r.body["results"].as_array().unwrap();
        assert_eq!(ids(results), expect, "{q}");
        assert_eq!(r.body["count"], expect.len(), "{q}");
    }

    let page = list("/profiles?limit=2").await;
    assert_eq!(
        (&page.body["count"], &page.body["limit"]),
        (&json!(3), &json!(2))
    );
    assert_eq!(
        ids(page.body["results"].as_array().unwrap()),
        [&ada, &grace]
    );
    let page = list("/profiles?limit=2&offset=2").await;
    assert_eq!(
        (&page.body["count"], &page.body["offset"]),
        (&json!(3), &json!(2))
    );
    assert_eq!(ids(page.body["results"].as_array().unwrap()), [&acme]);
    let page = list("/profiles?offset=10&limit=200").await;
    assert_eq!(
        (
            &page.body["count"],
            &page.body["results"],
            &page.body["limit"]
        ),
        (&json!(3), &json!([]), &json!(200))
    );

    for (q, field) in [
        ("/profiles?limit=0", "limit"),
        ("/profiles?limit=201", "limit"),
        ("/profiles?categories=BOGUS", "categories"),
        ("/profiles?categories=APPLICANT,applicant", "categories"),
    ] {
        assert_invalid(&list(q).await, field, q);
    }
    for q in ["/profiles?limit=many", "/profiles?offset=-1"] {
        let r = list(q).await;
        assert_eq!(
            (r.status, &first_error(&r)["code"]),
            (StatusCode::BAD_REQUEST, &json!(201)),
            "{q}"
        );
    }
}

#[tokio::test]
async fn an_offset_past_the_end_returns_no_profiles_however_large() {
    let p = Passfort::start().await;
    p.individual("Ada", "Lovelace").await;
    p.individual("Grace", "Hopper").await;
    for offset in [
        "2",
        "1000",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
    ] {
        let r = p.get(&format!("/profiles?offset={offset}"), PROFILES).await;
        match r.status {
            StatusCode::OK => {
                assert_eq!(
                    (&r.body["count"], &r.body["results"]),
                    (&json!(2), &json!([])),
                    "offset={offset}: profiles returned past the end"
                );
                assert_eq!(r.body["offset"].to_string(), offset);
            }
            _ => assert_invalid(&r, "offset", offset),
        }
    }
}

#[tokio::test]
async fn collected_data_that_breaks_passforts_own_schema_is_refused() {
    // Collected data is kept as sent, and sent back in every profile and collected_data
    // response: data that breaks PassFort's IndividualData/CompanyData schema must be
    // refused, or those responses break PassFort's own schema.
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    for collected in [
        json!({"entity_type": "INDIVIDUAL", "personal_details": {"name": {"given_names": "Ada", "family_name": "Lovelace"}}}),
        json!({"entity_type": "INDIVIDUAL", "personal_details": {"nickname": "Ada"}}),
        json!({"entity_type": "INDIVIDUAL", "customer_ref": 42}),
        json!({"entity_type": "INDIVIDUAL", "contact_details": {"fax": "+44"}}),
    ] {
        let r = p
            .post(
                "/profiles",
                PROFILES,
                json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": collected}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "POST /profiles {collected}: {}",
            r.body
        );
        assert_eq!(first_error(&r)["code"], 201);
        assert!(
            first_error(&r)["info"]["field"]
                .as_str()
                .is_some_and(|f| f.starts_with("collected_data")),
            "{}",
            r.body
        );
        let r = p
            .post(
                &format!("/profiles/{id}/collected_data"),
                COLLECTED,
                collected.clone(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "POST …/collected_data {collected}: {}",
            r.body
        );
    }
    assert_eq!(p.get("/profiles", PROFILES).await.body["count"], 1);
    assert_eq!(
        p.collected(&id).await["personal_details"]["name"]["given_names"],
        json!(["Ada"])
    );
}

#[tokio::test]
async fn unknown_profiles_and_resources_are_404s_and_tenants_are_kept_apart() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let file = p.add_file(&id, json!({"data": B64.encode(png(2))})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let doc = p
        .add_document(
            &id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}],
                   "extracted_data": {"number": "SECRET-NUMBER"}}),
        )
        .await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
    let other = p.individual("Grace", "Hopper").await;
    let stored = p.files_stored().await;

    let nobody = uuid::Uuid::new_v4().to_string();
    let r = p.get(&format!("/profiles/{nobody}"), PROFILE).await;
    assert_not_found(&r, "profile", "unknown profile");
    let r = p.get("/profiles/not-a-uuid", PROFILE).await;
    assert_eq!(
        (r.status, &first_error(&r)["code"]),
        (StatusCode::BAD_REQUEST, &json!(201))
    );
    for (method, path, template, body) in [
        (
            Method::GET,
            format!("/profiles/{nobody}/collected_data"),
            COLLECTED,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{nobody}/collected_data"),
            COLLECTED,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{nobody}/collected_data/documents"),
            DOCUMENTS,
            Some(
                json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": []}),
            ),
        ),
        (
            Method::POST,
            format!("/profiles/{nobody}/files"),
            FILES,
            Some(json!({"data": SEED_FILE})),
        ),
        (
            Method::GET,
            format!("/profiles/{nobody}/files/{file}"),
            FILE,
            None,
        ),
        (
            Method::GET,
            format!("/profiles/{nobody}/document_images"),
            IMAGES,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{nobody}/document_images"),
            IMAGES,
            Some(json!({"data": SEED_FILE})),
        ),
        (
            Method::GET,
            format!("/profiles/{nobody}/document_images/{image}"),
            IMAGE,
            None,
        ),
    ] {
        let body = body.map_or(Body::Empty, Body::Json);
        let r = p.call(method.clone(), &path, template, body).await;
        assert_not_found(&r, "profile", &format!("{method} {path}"));
    }
    // Resources that are not this profile's.
    for (path, template, what) in [
        (format!("/profiles/{id}/files/{nobody}"), FILE, "file"),
        (format!("/profiles/{other}/files/{file}"), FILE, "file"),
        (format!("/profiles/{other}/files/{image}"), FILE, "file"),
        (
            format!("/profiles/{id}/document_images/{nobody}"),
            IMAGE,
            "document image",
        ),
        (
            format!("/profiles/{other}/document_images/{image}"),
            IMAGE,
            "document image",
        ),
        (
            format!("/profiles/{id}/document_images/{file}"),
            IMAGE,
            "document image",
        ),
    ] {
        let r = p.get(&path, template).await;
        assert_not_found(&r, what, &path);
        assert!(!r.body.to_string().contains("SECRET"), "{}", r.body);
    }
    let r = p
        .call(
            Method::POST,
            &format!("/profiles/{other}/files/{file}"),
            FILE,
            Body::Empty,
        )
        .await;
    assert_not_found(&r, "file", "POST form, another profile's file");

    // Tenant beta sees none of alpha's profile, and can change nothing of it.
    let beta = |method: Method, path: String, template: &'static str, body: Option<Value>| {
        let p = &p;
        async move {
            p.request(
                Auth::Header(KEY_B),
                method,
                &path,
                Some(template),
                body.map_or(Body::Empty, Body::Json),
            )
            .await
        }
    };
    for (method, path, template, body) in [
        (Method::GET, format!("/profiles/{id}"), PROFILE, None),
        (
            Method::GET,
            format!("/profiles/{id}/collected_data"),
            COLLECTED,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{id}/collected_data"),
            COLLECTED,
            Some(json!({"entity_type": "INDIVIDUAL"})),
        ),
        (
            Method::POST,
            format!("/profiles/{id}/collected_data/documents"),
            DOCUMENTS,
            Some(
                json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}]}),
            ),
        ),
        (
            Method::POST,
            format!("/profiles/{id}/files"),
            FILES,
            Some(json!({"data": SEED_FILE})),
        ),
        (
            Method::GET,
            format!("/profiles/{id}/files/{file}"),
            FILE,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{id}/files/{image}"),
            FILE,
            None,
        ),
        (
            Method::GET,
            format!("/profiles/{id}/document_images"),
            IMAGES,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{id}/document_images"),
            IMAGES,
            Some(json!({"data": SEED_FILE, "image_type": "FACE"})),
        ),
        (
            Method::GET,
            format!("/profiles/{id}/document_images/{image}"),
            IMAGE,
            None,
        ),
    ] {
        let context = format!("beta: {method} {path}");
        let r = beta(method, path, template, body).await;
        assert_not_found(&r, "profile", &context);
        assert!(!r.body.to_string().contains("SECRET"), "{}", r.body);
    }
    let beta_list = beta(Method::GET, "/profiles".into(), PROFILES, None).await;
    assert_eq!(
        (&beta_list.body["count"], &beta_list.body["results"]),
        (&json!(0), &json!([]))
    );
    // Beta's own profile is invisible to alpha.
    let b = p
        .create_profile_as(KEY_B, individual_body("Beta", "Person"))
        .await;
    let r = p
        .get(&format!("/profiles/{}", b["id"].as_str().unwrap()), PROFILE)
        .await;
    assert_not_found(&r, "profile", "alpha reading beta's profile");
    assert_eq!(p.get("/profiles", PROFILES).await.body["count"], 2);

    // Nothing changed for alpha.
    assert_eq!(p.files_stored().await, stored, "beta stored a file");
    let collected = p.collected(&id).await;
    assert_eq!(collected["documents"].as_array().unwrap().len(), 1);
    assert_eq!(
        collected["documents"][0]["extracted_data"]["number"],
        "SECRET-NUMBER"
    );
    assert_eq!(
        collected["personal_details"]["name"]["family_name"],
        "Lovelace"
    );
    assert_eq!(p.images(&id).await.len(), 1);

    // Routes and methods that do not exist answer in PassFort's error shape.
    for (method, path, status) in [
        (Method::GET, "/nothing-here", StatusCode::NOT_FOUND),
        (Method::DELETE, "/profiles", StatusCode::METHOD_NOT_ALLOWED),
        (
            Method::DELETE,
            &format!("/profiles/{id}") as &str,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ] {
        let r = p
            .request(Auth::Header(KEY_A), method.clone(), path, None, Body::Empty)
            .await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        for e in r.body["errors"].as_array().unwrap() {
            vendor_check("Error", e, path);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Files and document images

#[tokio::test]
async fn files_take_base64_or_data_uris_of_the_accepted_types_only() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;

    // No name: "Untitled".
    let untitled = p.add_file(&id, json!({"data": B64.encode(png(1))})).await;
    assert_eq!(
        (&untitled["name"], &untitled["decrypted_data"]),
        (&json!("Untitled"), &json!(""))
    );
    let r = p
        .get(
            &format!("/profiles/{id}/files/{}", untitled["id"].as_str().unwrap()),
            FILE,
        )
        .await;
    assert_eq!(r.body["name"], "Untitled");
    // A data URI, and every accepted type, judged by content.
    let mut tiff_be = b"MM\0*\0\0\0\x08".to_vec();
    tiff_be.extend([7u8; 100]);
    let accepted: Vec<(&str, Vec<u8>, bool)> = vec![
        ("png", png(2), true),
        (
            "jpeg",
            [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[3u8; 300]].concat(),
            false,
        ),
        ("gif", b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0".to_vec(), false),
        ("gif87", b"GIF87a\x02\0\x02\0\0\0\0".to_vec(), true),
        ("pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n".to_vec(), false),
        (
            "tiff",
            [&b"II*\0\x08\0\0\0"[..], &[1u8; 100]].concat(),
            true,
        ),
        ("tiff-be", tiff_be, false),
    ];
    for (name, bytes, as_uri) in accepted {
        let data = if as_uri {
            format!(
                "data:application/octet-stream;base64,{}",
                B64.encode(&bytes)
            )
        } else {
            B64.encode(&bytes)
        };
        let f = p
            .add_file(&id, json!({"data": data, "name": format!("{name}.bin")}))
            .await;
        assert_eq!(f["name"], format!("{name}.bin"));
        assert_eq!(
            p.read_file(&id, f["id"].as_str().unwrap()).await,
            bytes,
            "{name}"
        );
    }
    // JSON may escape '/' in the base64; unpadded base64 is accepted too.
    let bytes = B64.decode(SEED_FILE).unwrap();
    let escaped = format!(
        "{{\"data\": \"{}\", \"name\": \"escaped\"}}",
        SEED_FILE.replace('/', "\\/")
    );
    assert!(escaped.contains("\\/"));
    let r = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/files"),
            FILES,
            Body::Raw(Bytes::from(escaped)),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        p.read_file(&id, r.body["id"].as_str().unwrap()).await,
        bytes
    );
    let unpadded = B64.encode(&bytes[..bytes.len() - 1]);
    assert!(unpadded.ends_with('='));
    let f = p
        .add_file(&id, json!({"data": unpadded.trim_end_matches('=')}))
        .await;
    assert_eq!(
        p.read_file(&id, f["id"].as_str().unwrap()).await,
        &bytes[..bytes.len() - 1]
    );
    // Files are not document images.
    assert_eq!(p.images(&id).await, Vec::<Value>::new());

    // Refused: nothing stored.
    let stored = p.files_stored().await;
    let webp = [&b"RIFF\x10\0\0\0WEBPVP8 "[..], &[0u8; 64]].concat();
    let mut bmp = b"BM".to_vec();
    bmp.extend([0u8; 12]);
    bmp.extend(40u32.to_le_bytes());
    bmp.extend([0u8; 40]);
    for (name, bytes) in [
        ("text", b"just some text, not an image".to_vec()),
        ("webp", webp),
        ("bmp", bmp),
        ("exe", b"MZ\x90\0program".to_vec()),
    ] {
        for path in [
            format!("/profiles/{id}/files"),
            format!("/profiles/{id}/document_images"),
        ] {
            let template = if path.ends_with("files") {
                FILES
            } else {
                IMAGES
            };
            let r = p
                .post(&path, template, json!({"data": B64.encode(&bytes)}))
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{name} {path}: {}",
                r.body
            );
            assert_eq!(
                (&first_error(&r)["code"], &first_error(&r)["info"]["field"]),
                (&json!(201), &json!("data")),
                "{name}"
            );
        }
    }
    // A declared PNG whose content is text is judged by content; so is empty content.
    for data in [
        format!("data:image/png;base64,{}", B64.encode("hello")),
        String::new(),
    ] {
        let r = p
            .post(
                &format!("/profiles/{id}/files"),
                FILES,
                json!({"data": data}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{data:?}: {}",
            r.body
        );
        assert_eq!(first_error(&r)["info"]["field"], "data");
    }
    for body in [
        json!({"name": "no data"}),
        json!({"data": "not base64 at all!"}),
        json!({"data": 12345}),
        json!({"data": null}),
        json!({"data": "data:image/png,notbase64"}),
        json!({"data": format!("{}\\u0041", &SEED_FILE[..40])}),
    ] {
        let r = p
            .post(&format!("/profiles/{id}/files"), FILES, body.clone())
            .await;
        assert_invalid(&r, "data", &body.to_string());
    }
    let r = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/files"),
            FILES,
            Body::Raw(Bytes::from_static(b"{\"data\": ")),
        )
        .await;
    assert_eq!(
        (r.status, &first_error(&r)["code"]),
        (StatusCode::BAD_REQUEST, &json!(201))
    );
    assert_eq!(p.files_stored().await, stored, "a refused file was kept");
}

#[tokio::test]
async fn document_images_are_added_listed_and_read() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let base = format!("/profiles/{id}/document_images");

    // Nothing yet: every form of the list is empty.
    assert_eq!(p.images(&id).await, Vec::<Value>::new());
    let empty = p.post_image_list(&id, Body::Empty).await;
    assert_eq!((empty.status, &empty.body), (StatusCode::OK, &json!([])));

    let front = p.add_image(&id, json!({"data": B64.encode(png(1))})).await;
    assert_eq!(front["image_type"], "FRONT", "FRONT is the default");
    let back = p
        .add_image(
            &id,
            json!({"data": format!("data:image/png;base64,{}", B64.encode(png(2))), "image_type": "BACK",
                   "document_type": "DRIVING_LICENCE", "document_category": "PROOF_OF_IDENTITY"}),
        )
        .await;
    assert_eq!(
        (
            &back["image_type"],
            &back["document_type"],
            &back["document_category"]
        ),
        (
            &json!("BACK"),
            &json!("DRIVING_LICENCE"),
            &json!("PROOF_OF_IDENTITY")
        )
    );
    assert_datetime(&back["upload_date"]);
    let face = p
        .add_image(&id, json!({"data": SEED_FACE, "image_type": "FACE"}))
        .await;
    // A plain file is not listed among document images.
    p.add_file(&id, json!({"data": B64.encode(png(9))})).await;

    let all = json!([front, back, face]);
    assert_eq!(Value::Array(p.images(&id).await), all);
    for body in [
        Body::Empty,
        Body::Json(json!({})),
        Body::Raw(Bytes::from_static(b"  \n")),
    ] {
        let r = p.post_image_list(&id, body).await;
        assert_eq!((r.status, &r.body), (StatusCode::OK, &all));
    }
    for img in [&front, &back, &face] {
        let r = p
            .get(&format!("{base}/{}", img["id"].as_str().unwrap()), IMAGE)
            .await;
        assert_eq!((r.status, &r.body), (StatusCode::OK, img));
    }
    // The content of a document image is read as a file.
    assert_eq!(p.read_file(&id, back["id"].as_str().unwrap()).await, png(2));
    let profile = p.get(&format!("/profiles/{id}"), PROFILE).await;
    assert_eq!(profile.body["document_images"], all);

    // Bad input: nothing stored.
    let stored = p.files_stored().await;
    for body in [
        json!({"data": B64.encode(png(3)), "image_type": "SIDE"}),
        json!({"data": B64.encode(png(3)), "document_type": "DRIVING_LICENSE"}),
        json!({"data": B64.encode(png(3)), "document_category": "IDENTITY"}),
    ] {
        let r = p.post(&base, IMAGES, body.clone()).await;
        assert_eq!(
            (r.status, &first_error(&r)["code"]),
            (StatusCode::BAD_REQUEST, &json!(201)),
            "{body}"
        );
    }
    let r = p
        .post(&base, IMAGES, json!({"data": "%%%", "image_type": "FRONT"}))
        .await;
    assert_invalid(&r, "data", "bad base64");
    assert_eq!(p.files_stored().await, stored);
    assert_eq!(Value::Array(p.images(&id).await), all);
}

/// The seed lists document images with `POST …/document_images` and no `data`; the server
/// answers with a bare array, so the generated OpenAPI document must say so for that 200.
#[tokio::test]
async fn the_list_form_of_post_document_images_is_in_the_generated_contract() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let front = p
        .add_image(&id, json!({"data": SEED_FILE, "image_type": "FRONT"}))
        .await;
    for body in [Body::Empty, Body::Json(json!({}))] {
        let r = p
            .call(
                Method::POST,
                &format!("/profiles/{id}/document_images"),
                IMAGES,
                body,
            )
            .await;
        assert_eq!((r.status, &r.body), (StatusCode::OK, &json!([front])));
    }
}

// ---------------------------------------------------------------------------------------
// Documents

#[tokio::test]
async fn a_document_takes_only_free_document_images_of_its_profile() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let other = p.individual("Grace", "Hopper").await;
    let front = p.add_image_id(&id, &png(1), "FRONT").await;
    let back = p.add_image_id(&id, &png(2), "BACK").await;
    let spare = p.add_image_id(&id, &png(3), "FACE").await;
    let theirs = p.add_image_id(&other, &png(4), "FRONT").await;
    let plain = p.add_file(&id, json!({"data": B64.encode(png(5))})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let licence = p
        .add_document(
            &id,
            json!({
                "category": "PROOF_OF_IDENTITY",
                "document_type": "DRIVING_LICENCE",
                "images": [{"id": front}, {"id": back, "image_type": "BACK", "upload_date": "2000-01-01 00:00:00"}],
                "extracted_data": {
                    "number": "LOVEL-815",
                    "issuing_country": "GBR",
                    "issued": "2020-01-02",
                    "expiry": "2030-01-01",
                    "issuer": "DVLA",
                    "mrz1": "kept as sent",
                    "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}}
                }
            }),
        )
        .await;
    assert_eq!(licence.status, StatusCode::OK, "{}", licence.body);
    let licence = licence.body;
    assert_eq!(
        (&licence["category"], &licence["document_type"]),
        (&json!("PROOF_OF_IDENTITY"), &json!("DRIVING_LICENCE"))
    );
    assert_eq!(
        licence["extracted_data"],
        json!({
            "number": "LOVEL-815",
            "issuing_country": "GBR",
            "issued": "2020-01-02",
            "expiry": "2030-01-01",
            "issuer": "DVLA",
            "mrz1": "kept as sent",
            "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}}
        })
    );
    let images = licence["images"].as_array().unwrap();
    assert_eq!(ids(images), [&front, &back]);
    assert_eq!(
        (&images[0]["image_type"], &images[1]["image_type"]),
        (&json!("FRONT"), &json!("BACK"))
    );
    assert_ne!(
        images[1]["upload_date"], "2000-01-01 00:00:00",
        "read-only fields of an image reference are ignored"
    );
    assert_eq!(
        p.collected(&id).await["documents"],
        json!([licence]),
        "the document is in collected_data"
    );

    // Images that are not free document images of this profile: 400 naming the image, and
    // nothing created.
    let nobody = uuid::Uuid::new_v4().to_string();
    let stored = p.files_stored().await;
    for (images, bad) in [
        (vec![&nobody], 0),
        (vec![&spare, &theirs], 1),
        (vec![&plain], 0),
        (vec![&spare, &front], 1),
        (vec![&spare, &spare], 1),
    ] {
        let body = json!({
            "category": "PROOF_OF_IDENTITY",
            "document_type": "PASSPORT",
            "images": images.iter().map(|i| json!({"id": i})).collect::<Vec<_>>()
        });
        let r = p.add_document(&id, body.clone()).await;
        // Named in the add-document body's own terms: it is one document, not a list.
        let field = format!("images[{bad}].id");
        assert_invalid(&r, &field, &body.to_string());
        assert!(
            first_error(&r)["message"]
                .as_str()
                .unwrap()
                .contains(images[bad].as_str()),
            "the message names the image: {}",
            r.body
        );
    }
    for (body, field) in [
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "extracted_data": {"issuing_country": "GB"}}),
            "extracted_data.issuing_country",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "extracted_data": {"expiry": "01/01/2030"}}),
            "extracted_data.expiry",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "extracted_data": {"number": 42}}),
            "extracted_data.number",
        ),
        (
            // A blank number would be dropped by the store: refused, not silently lost.
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "extracted_data": {"number": ""}}),
            "extracted_data.number",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "extracted_data": []}),
            "extracted_data",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": "not-a-uuid"}]}),
            "images[0].id",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "verification_result": {"all_passed": "yes"}}),
            "verification_result.all_passed",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": []}),
            "images",
        ),
        (
            json!({"id": nobody, "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}]}),
            "id",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
                   "images": (0..11).map(|_| json!({"id": spare})).collect::<Vec<_>>()}),
            "images",
        ),
    ] {
        let r = p.add_document(&id, body.clone()).await;
        assert_invalid(&r, field, &body.to_string());
    }
    for body in [
        json!({"category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENSE", "images": [{"id": spare}]}),
        json!({"category": "IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}]}),
        json!({"category": "PROOF_OF_IDENTITY", "images": [{"id": spare}]}),
        json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": "not-a-uuid"}]}),
        json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}], "colour": "red"}),
    ] {
        let r = p.add_document(&id, body.clone()).await;
        assert_eq!(
            (r.status, &first_error(&r)["code"]),
            (StatusCode::BAD_REQUEST, &json!(201)),
            "{body}: {}",
            r.body
        );
    }
    assert_eq!(
        p.collected(&id).await["documents"],
        json!([licence]),
        "a refused document was created"
    );
    assert_eq!(p.files_stored().await, stored);
    // The spare image is still free: it makes a document now.
    let face = p
        .add_document(
            &id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "FACE_IMAGE", "images": [{"id": spare}]}),
        )
        .await;
    assert_eq!(face.status, StatusCode::OK, "{}", face.body);
    assert_eq!(face.body["images"][0]["image_type"], "FACE");
    assert!(face.body.get("extracted_data").is_none(), "{}", face.body);
    // Other profile's image still free for its own profile.
    let r = p
        .add_document(
            &other,
            json!({"category": "PROOF_OF_ADDRESS", "document_type": "BANK_STATEMENT", "images": [{"id": theirs}]}),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["category"], &r.body["document_type"]),
        (
            StatusCode::OK,
            &json!("PROOF_OF_ADDRESS"),
            &json!("BANK_STATEMENT")
        )
    );
    let docs = p.collected(&id).await["documents"].clone();
    assert_eq!(docs, json!([licence, face.body]));
}

#[tokio::test]
async fn racing_documents_cannot_share_an_image() {
    let p = std::sync::Arc::new(Passfort::start().await);
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (p, id, image) = (p.clone(), id.clone(), image.clone());
            tokio::spawn(async move {
                let r = p
                    .add_document(
                        &id,
                        json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}]}),
                    )
                    .await;
                (r.status, r.body)
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => created += 1,
            StatusCode::BAD_REQUEST => assert_eq!(body["errors"][0]["code"], 201, "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 1, "one image went to several documents");
    let docs = p.collected(&id).await["documents"].clone();
    assert_eq!(docs.as_array().unwrap().len(), 1, "{docs}");
    assert_eq!(ids(docs[0]["images"].as_array().unwrap()), [&image]);
}

// ---------------------------------------------------------------------------------------
// Collected data

#[tokio::test]
async fn posting_collected_data_replaces_it_and_removes_unlisted_documents_keeping_their_images() {
    let p = Passfort::start().await;
    let id = p
        .create_profile_as(
            KEY_A,
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {
                "entity_type": "INDIVIDUAL",
                "customer_ref": "OLD-REF",
                "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}}
            }}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/profiles/{id}/collected_data");
    let keep_img = p.add_image_id(&id, &png(1), "FRONT").await;
    let drop_img = p.add_image_id(&id, &png(2), "FRONT").await;
    let new_front = p.add_image_id(&id, &png(3), "FRONT").await;
    let new_back = p.add_image_id(&id, &png(4), "BACK").await;
    let doc = |images: Vec<&str>, t: &str| {
        json!({"category": "PROOF_OF_IDENTITY", "document_type": t,
               "images": images.iter().map(|i| json!({"id": i})).collect::<Vec<_>>()})
    };
    let keep = p
        .add_document(&id, doc(vec![&keep_img], "PASSPORT"))
        .await
        .body;
    let gone = p
        .add_document(&id, doc(vec![&drop_img], "STATE_ID"))
        .await
        .body;

    // Without a body, POST returns it unchanged (as GET does), with the rate-limit headers.
    let before = p.collected(&id).await;
    assert_eq!(before["documents"], json!([keep, gone]));
    for body in [Body::Empty, Body::Raw(Bytes::from_static(b" \r\n"))] {
        let r = p.call(Method::POST, &path, COLLECTED, body).await;
        assert_eq!((r.status, &r.body), (StatusCode::OK, &before));
        assert!(r.headers.contains_key("x-ratelimit-remaining"));
    }

    // Refused replacements change nothing.
    let keep_id = keep["id"].as_str().unwrap();
    let with_images = |images: Vec<&str>| {
        let mut d = doc(images, "PASSPORT");
        d["id"] = json!(keep_id);
        d
    };
    let plain = p.add_file(&id, json!({"data": B64.encode(png(8))})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = p.individual("Grace", "Hopper").await;
    let theirs = p.add_image_id(&other, &png(7), "FRONT").await;
    let refused = [
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [with_images(vec![])]}),
            "documents[0].images",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [
                with_images(vec![&keep_img]),
                {"id": uuid::Uuid::new_v4(), "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": new_back}]}
            ]}),
            "documents[1].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [with_images(vec![&keep_img]), with_images(vec![&new_back])]}),
            "documents[1].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [doc(vec![&new_front], "PASSPORT"), doc(vec![&new_front], "VOTER_ID")]}),
            "documents[1].images[0].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [with_images(vec![&keep_img]), doc(vec![&keep_img], "VOTER_ID")]}),
            "documents[1].images[0].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [doc(vec![&new_front, &theirs], "PASSPORT")]}),
            "documents[0].images[1].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [doc(vec![&plain], "PASSPORT")]}),
            "documents[0].images[0].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [doc(vec!["nope"], "PASSPORT")]}),
            "documents[0].images[0].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENSE", "images": [{"id": new_front}]}]}),
            "documents[0].document_type",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [{"document_type": "PASSPORT", "images": [{"id": new_front}]}]}),
            "documents[0].category",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": new_front}], "verification_result": {"all_passed": "yes"}}]}),
            "documents[0].verification_result.all_passed",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": new_front}], "extracted_data": {"mrz1": 1}}]}),
            "documents[0].extracted_data.mrz1",
        ),
        // The role is not in this body: the field sent, `entity_type`, is named.
        (
            json!({"entity_type": "COMPANY"}),
            "collected_data.entity_type",
        ),
        (
            json!({"personal_details": {}}),
            "collected_data.entity_type",
        ),
        (json!(["INDIVIDUAL"]), "collected_data"),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": "none"}),
            "collected_data.documents",
        ),
    ];
    for (body, field) in refused {
        let r = p
            .call(Method::POST, &path, COLLECTED, Body::Json(body.clone()))
            .await;
        assert_invalid(&r, field, &body.to_string());
        assert!(r.headers.contains_key("x-ratelimit-remaining"));
    }
    assert_eq!(
        p.collected(&id).await,
        before,
        "a refused replacement changed something"
    );
    assert_eq!(p.images(&id).await.len(), 4);

    // The replacement: personal details replaced, customer_ref dropped, the kept document
    // updated in place with another image set (the removed document's image among it), the
    // other removed, a new one made of free images.
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({
                "entity_type": "INDIVIDUAL",
                "personal_details": {"name": {"given_names": ["Augusta"], "family_name": "King"}},
                "contact_details": {"phone_number": "+44 20 0000 0000"},
                "documents": [
                    {"id": keep_id, "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
                     "images": [{"id": keep_img}, {"id": drop_img}], "extracted_data": {"number": "P-2", "expiry": "2031-05-06"}},
                    {"category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENCE",
                     "images": [{"id": new_front}, {"id": new_back}], "extracted_data": {"number": "DL-9"}}
                ]
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = r.body;
    assert_eq!(after["entity_type"], "INDIVIDUAL");
    assert_eq!(
        after["personal_details"],
        json!({"name": {"given_names": ["Augusta"], "family_name": "King"}})
    );
    assert_eq!(after["contact_details"]["phone_number"], "+44 20 0000 0000");
    assert!(
        after.get("customer_ref").is_none(),
        "not sent, so gone: {after}"
    );
    let docs = after["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2, "{after}");
    assert_eq!(docs[0]["id"], keep["id"]);
    assert_eq!(
        ids(docs[0]["images"].as_array().unwrap()),
        [&keep_img, &drop_img],
        "an existing document's image set changes"
    );
    assert_eq!(
        docs[0]["extracted_data"],
        json!({"number": "P-2", "expiry": "2031-05-06"})
    );
    assert_ne!(docs[1]["id"], gone["id"]);
    assert_eq!(docs[1]["document_type"], "DRIVING_LICENCE");
    assert_eq!(
        ids(docs[1]["images"].as_array().unwrap()),
        [&new_front, &new_back]
    );
    assert_eq!(
        (
            &docs[1]["images"][0]["image_type"],
            &docs[1]["images"][1]["image_type"]
        ),
        (&json!("FRONT"), &json!("BACK"))
    );
    assert_eq!(p.collected(&id).await, after);

    // The removed document is gone through every API; its image is not (it moved).
    let t = crate::common::tenant("alpha");
    let subject: uuid::Uuid = id.parse().unwrap();
    let stored_docs = p.server.store.list_documents(&t, subject).await.unwrap();
    assert_eq!(stored_docs.len(), 2);
    assert!(stored_docs.iter().all(|d| d.id != uuid(&gone["id"])));
    let mut all = vec![
        keep_img.clone(),
        drop_img.clone(),
        new_front.clone(),
        new_back.clone(),
    ];
    all.sort();
    let listed = |images: Vec<Value>| {
        let mut v: Vec<String> = ids(&images).into_iter().map(str::to_owned).collect();
        v.sort();
        v
    };
    assert_eq!(listed(p.images(&id).await), all);

    // An existing document drops an image: the image stays, free.
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({
                "entity_type": "INDIVIDUAL",
                "personal_details": {"name": {"given_names": ["Augusta"], "family_name": "King"}},
                "contact_details": {"phone_number": "+44 20 0000 0000"},
                "documents": [
                    {"id": keep_id, "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
                     "images": [{"id": keep_img}], "extracted_data": {"number": "P-2", "expiry": "2031-05-06"}},
                    docs[1].clone()
                ]
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        ids(r.body["documents"][0]["images"].as_array().unwrap()),
        [&keep_img]
    );
    assert_eq!(
        r.body["documents"][1], docs[1],
        "a document sent back as read is unchanged"
    );
    let after = r.body;
    let dropped = p
        .get(&format!("/profiles/{id}/document_images/{drop_img}"), IMAGE)
        .await;
    assert_eq!(
        (dropped.status, &dropped.body["id"]),
        (StatusCode::OK, &json!(drop_img))
    );

    // The profile follows: display name and search.
    let profile = p.get(&format!("/profiles/{id}"), PROFILE).await.body;
    assert_eq!(profile["display_name"], "Augusta King");
    assert_eq!(profile["collected_data"], after);
    let found = p.get("/profiles?q=augusta%20king", PROFILES).await;
    assert_eq!(found.body["count"], 1);
    let found = p.get("/profiles?q=lovelace", PROFILES).await;
    assert_eq!(found.body["count"], 0, "the old name still matches");
    let found = p.get("/profiles?q=OLD-REF", PROFILES).await;
    assert_eq!(
        found.body["count"], 0,
        "the dropped customer_ref still matches"
    );

    // A body without documents removes them all; plain files and every image stay, and the
    // images make documents again.
    let free = p.add_image_id(&id, &png(9), "FACE").await;
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({"entity_type": "INDIVIDUAL"})),
        )
        .await;
    assert_eq!(
        (r.status, &r.body),
        (
            StatusCode::OK,
            &json!({"entity_type": "INDIVIDUAL", "documents": []})
        )
    );
    all.push(free.clone());
    all.sort();
    assert_eq!(listed(p.images(&id).await), all);
    assert_eq!(p.read_file(&id, &plain).await, png(8));
    assert!(
        p.get(&format!("/profiles/{id}"), PROFILE)
            .await
            .body
            .get("display_name")
            .is_none()
    );
    let again = p
        .add_document(&id, doc(vec![&new_front, &new_back], "DRIVING_LICENCE"))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        ids(again.body["images"].as_array().unwrap()),
        [&new_front, &new_back]
    );
}

/// A replace is one transaction: a failure at its last step (an image that vanished after
/// the checks) leaves collected data and document images exactly as they were.
#[tokio::test]
async fn a_replace_failing_in_the_store_changes_nothing() {
    use idbridge::model::{DocumentKind, DocumentPatch, FileSide, Namespace, NewDocument};
    use idbridge::store::replace::{Replacement, SubjectData, Target};
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let front = p.add_image_id(&id, &png(1), "FRONT").await;
    let back = p.add_image_id(&id, &png(2), "BACK").await;
    let doc = p
        .add_document(
            &id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": front}],
                   "extracted_data": {"number": "P-1"}}),
        )
        .await
        .body;
    let before = p.collected(&id).await;
    let images_before = p.images(&id).await;
    let t = crate::common::tenant("alpha");
    let subject: uuid::Uuid = id.parse().unwrap();
    let new = NewDocument {
        kind: Some(DocumentKind::DrivingLicence),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let ns = Namespace::new("passfort").unwrap();
    let data = json!({"role": "INDIVIDUAL_CUSTOMER", "category": "APPLICANT",
                      "collected_data": {"entity_type": "INDIVIDUAL"}});
    let plan = vec![
        // Updated (new number, another image), then a new document whose second image does
        // not exist: the transaction fails after the update, the move and the data.
        Replacement {
            target: Target::Update(
                uuid(&doc["id"]),
                DocumentPatch {
                    number: Some(Some("P-2".into())),
                    ..Default::default()
                },
            ),
            files: vec![(back.parse().unwrap(), FileSide::Back)],
        },
        Replacement {
            target: Target::Create(new),
            files: vec![
                (front.parse().unwrap(), FileSide::Front),
                (uuid::Uuid::new_v4(), FileSide::Back),
            ],
        },
    ];
    let err = p
        .server
        .store
        .replace_documents(
            &t,
            subject,
            plan,
            SubjectData {
                namespace: &ns,
                data: &data,
                search: "",
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, idbridge::error::Error::NotFound("file")),
        "{err:?}"
    );
    assert_eq!(p.collected(&id).await, before);
    assert_eq!(p.images(&id).await, images_before);
    assert_eq!(
        p.get(&format!("/profiles/{id}"), PROFILE).await.body["display_name"],
        "Ada Lovelace"
    );
}

// ---------------------------------------------------------------------------------------
// Rate limiting

fn header_u64(r: &Reply, name: &str) -> u64 {
    r.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name}: {:?}", r.headers))
        .to_str()
        .unwrap()
        .parse()
        .unwrap_or_else(|e| panic!("{name} is not a number: {e}"))
}

#[tokio::test]
async fn profile_creation_and_collected_data_are_rate_limited_per_tenant() {
    let p = Passfort::start_with(|c| {
        c.adapters.passfort.rate_limit_burst = 2;
        c.adapters.passfort.rate_limit_per_hour = 1;
    })
    .await;
    let create = |key: &'static str, body: Value| {
        let p = &p;
        async move {
            p.request(
                Auth::Header(key),
                Method::POST,
                "/profiles",
                Some(PROFILES),
                Body::Json(body),
            )
            .await
        }
    };
    // A refused request spends the budget like any other.
    let first = create(
        KEY_A,
        json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": []}),
    )
    .await;
    assert_eq!(first.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (
            header_u64(&first, "x-ratelimit-remaining"),
            header_u64(&first, "x-ratelimit-reset-secs")
        ),
        (1, 3600)
    );
    let second = create(KEY_A, individual_body("Ada", "Lovelace")).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(
        (
            header_u64(&second, "x-ratelimit-remaining"),
            header_u64(&second, "x-ratelimit-reset-secs")
        ),
        (0, 7200)
    );
    let reset = second.headers["x-ratelimit-reset"].to_str().unwrap();
    let reset = chrono::DateTime::parse_from_rfc2822(reset)
        .unwrap_or_else(|e| panic!("X-RateLimit-Reset is not an HTTP date ({e}): {reset}"));
    let ahead = reset.timestamp() - chrono::Utc::now().timestamp();
    assert!((7190..=7201).contains(&ahead), "reset {ahead}s ahead");

    let third = create(KEY_A, individual_body("Grace", "Hopper")).await;
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        third.body
    );
    let e = first_error(&third);
    assert_eq!(
        (&e["code"], &e["message"]),
        (&json!(104), &json!("Rate limit exceeded")),
        "PassFort's clients read 104 as the rate limit: {e}"
    );
    let retry = e["info"]["retry_secs"].as_u64().unwrap();
    assert!((3590..=3600).contains(&retry), "retry in {retry}s");
    assert_eq!(header_u64(&third, "x-ratelimit-retry-secs"), retry);
    assert_eq!(header_u64(&third, "x-ratelimit-remaining"), 0);
    let reset_secs = header_u64(&third, "x-ratelimit-reset-secs");
    assert_eq!(
        reset_secs,
        retry + 3600,
        "the whole burst is back one interval later"
    );
    let reset = third.headers["x-ratelimit-reset"].to_str().unwrap();
    let reset = chrono::DateTime::parse_from_rfc2822(reset).unwrap();
    let ahead = reset.timestamp() - chrono::Utc::now().timestamp();
    assert!((reset_secs as i64 - 10..=reset_secs as i64 + 1).contains(&ahead));
    let listed = p.get("/profiles", PROFILES).await;
    assert_eq!(
        listed.body["count"], 1,
        "a rate-limited request created a profile"
    );
    assert!(
        !listed.headers.contains_key("x-ratelimit-remaining"),
        "listing is not limited"
    );
    let id = second.body["id"].as_str().unwrap();

    // POST …/collected_data has its own budget.
    let path = format!("/profiles/{id}/collected_data");
    for remaining in [1, 0] {
        let r = p.call(Method::POST, &path, COLLECTED, Body::Empty).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(header_u64(&r, "x-ratelimit-remaining"), remaining);
    }
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({"entity_type": "INDIVIDUAL"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(header_u64(&r, "x-ratelimit-retry-secs") >= 3590);
    assert_eq!(
        p.collected(id).await["personal_details"]["name"]["family_name"],
        "Lovelace",
        "a rate-limited replacement was applied"
    );
    // Reading is not limited, nor are the other writes.
    for _ in 0..3 {
        assert_eq!(
            p.get(&format!("/profiles/{id}"), PROFILE).await.status,
            StatusCode::OK
        );
    }
    let image = p.add_image_id(id, &png(1), "FRONT").await;
    let r = p
        .add_document(
            id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Tenant beta has a budget of its own.
    let beta = create(KEY_B, individual_body("Beta", "Person")).await;
    assert_eq!(beta.status, StatusCode::OK, "{}", beta.body);
    assert_eq!(header_u64(&beta, "x-ratelimit-remaining"), 1);
}

// ---------------------------------------------------------------------------------------
// Across vendors: nCore

const NCORE_LIST: &str = "/users/{user_id}/identifications";
const NCORE_ONE: &str = "/users/{user_id}/identifications/{identification_id}";
const NCORE_FILES: &str = "/users/{user_id}/identifications/{identification_id}/files";

#[tokio::test]
async fn what_ncore_writes_appears_in_passfort() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let (status, ident) = p
        .ncore(
            Method::POST,
            &format!("/users/{id}/identifications"),
            NCORE_LIST,
            Some(
                json!({"type": "PASSPORT", "number": "132123123", "issuing_country": "GBR",
                        "expiration_date": "2031-09-20T10:10:40.182Z"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ident}");
    let ident_id = ident["id"].as_str().unwrap();
    let page = png(7);
    let form = reqwest::multipart::Form::new()
        .text("identification_document_type", "PASSPORT_PAGE1")
        .part(
            "file",
            reqwest::multipart::Part::bytes(page.clone()).file_name("page1.png"),
        );
    let res = p
        .server
        .client
        .put(
            p.server
                .url(&format!("/v1/users/{id}/identifications/{ident_id}/files")),
        )
        .header("apikey", KEY_A)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let up: Value = res.json().await.unwrap();
    p.ncore.check("PUT", NCORE_FILES, status.as_u16(), &up);
    assert_eq!(status, StatusCode::OK, "{up}");
    let file_id = up["data"][0]["id"].as_str().unwrap().to_owned();

    let collected = p.collected(&id).await;
    let docs = collected["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{collected}");
    let doc = &docs[0];
    assert_eq!(
        doc["id"], ident_id,
        "one document, one id, whatever the API"
    );
    assert_eq!(
        (&doc["document_type"], &doc["category"]),
        (&json!("PASSPORT"), &json!("PROOF_OF_IDENTITY"))
    );
    assert_eq!(
        (
            &doc["extracted_data"]["number"],
            &doc["extracted_data"]["issuing_country"],
            &doc["extracted_data"]["expiry"]
        ),
        (&json!("132123123"), &json!("GBR"), &json!("2031-09-20"))
    );
    assert_eq!(ids(doc["images"].as_array().unwrap()), [&file_id]);
    assert_eq!(doc["images"][0]["image_type"], "FRONT");
    assert_datetime(&doc["images"][0]["upload_date"]);

    let images = p.images(&id).await;
    assert_eq!(images, vec![doc["images"][0].clone()]);
    let one = p
        .get(&format!("/profiles/{id}/document_images/{file_id}"), IMAGE)
        .await;
    assert_eq!((one.status, &one.body), (StatusCode::OK, &images[0]));
    let profile = p.get(&format!("/profiles/{id}"), PROFILE).await.body;
    assert_eq!(profile["document_images"], json!(images));
    assert_eq!(profile["collected_data"], collected);
    // The bytes read back through PassFort are the bytes nCore received.
    assert_eq!(sha(&p.read_file(&id, &file_id).await), sha(&page));
    let by_post = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/files/{file_id}"),
            FILE,
            Body::Empty,
        )
        .await;
    assert_eq!(by_post.body["name"], "page1.png");
    assert_eq!(
        B64.decode(by_post.body["decrypted_data"].as_str().unwrap())
            .unwrap(),
        page
    );
    // nCore's image is already on its document: it cannot make a PassFort document.
    let r = p
        .add_document(
            &id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": file_id}]}),
        )
        .await;
    assert_invalid(&r, "images[0].id", "an nCore document's image");

    // A subject only nCore knows is a profile too.
    let (status, _) = p
        .ncore(
            Method::POST,
            "/users/ncore-only-user/identifications",
            NCORE_LIST,
            Some(json!({"type": "NATIONAL_ID", "number": "784-1"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let all = p.get("/profiles", PROFILES).await.body;
    assert_eq!(all["count"], 2, "{all}");
    let stranger = &all["results"][1];
    assert_eq!(
        (
            &stranger["role"],
            &stranger["category"],
            &stranger["status"]
        ),
        (
            &json!("INDIVIDUAL_CUSTOMER"),
            &json!("APPLICANT"),
            &json!("NORMAL")
        )
    );
    assert_eq!(stranger["collected_data"]["entity_type"], "INDIVIDUAL");
    assert_eq!(
        stranger["collected_data"]["documents"][0]["extracted_data"]["number"],
        "784-1"
    );
    let stranger_id = stranger["id"].as_str().unwrap();
    let got = p.get(&format!("/profiles/{stranger_id}"), PROFILE).await;
    assert_eq!((got.status, &got.body), (StatusCode::OK, stranger));
}

#[tokio::test]
async fn what_passfort_writes_appears_in_ncore_and_its_deletion_too() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let front = p.add_image_id(&id, &png(1), "FRONT").await;
    let doc = p
        .add_document(
            &id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": front}],
                   "extracted_data": {"number": "P-77", "issuing_country": "GBR", "expiry": "2030-04-05"}}),
        )
        .await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
    let doc_id = doc.body["id"].as_str().unwrap().to_owned();

    let (status, list) = p
        .ncore(
            Method::GET,
            &format!("/users/{id}/identifications"),
            NCORE_LIST,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{list}");
    assert_eq!(
        (
            &data[0]["id"],
            &data[0]["type"],
            &data[0]["number"],
            &data[0]["issuing_country"]
        ),
        (
            &json!(doc_id),
            &json!("PASSPORT"),
            &json!("P-77"),
            &json!("GBR")
        )
    );
    assert!(
        data[0]["expiration_date"]
            .as_str()
            .unwrap()
            .starts_with("2030-04-05"),
        "{}",
        data[0]
    );
    let files = data[0]["files"].as_array().unwrap();
    assert_eq!(
        ids(files),
        [&front],
        "the image is the identification's file"
    );

    // Replacing collected data without the document deletes it for nCore too.
    let r = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/collected_data"),
            COLLECTED,
            Body::Json(json!({
                "entity_type": "INDIVIDUAL",
                "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}},
                "documents": []
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["documents"], json!([]));
    let (status, list) = p
        .ncore(
            Method::GET,
            &format!("/users/{id}/identifications"),
            NCORE_LIST,
            None,
        )
        .await;
    assert_eq!((status, &list["data"]), (StatusCode::OK, &json!([])));
    let (status, _) = p
        .ncore(
            Method::GET,
            &format!("/users/{id}/identifications/{doc_id}"),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------------------------------
// Limits

/// `{"data": "<base64 of bytes>"}`, built once.
fn data_body(bytes: &[u8]) -> Bytes {
    let mut body = String::with_capacity(bytes.len().div_ceil(3) * 4 + 16);
    body.push_str("{\"data\":\"");
    B64.encode_string(bytes, &mut body);
    body.push_str("\"}");
    Bytes::from(body)
}

#[tokio::test]
async fn fifty_megabytes_per_file_exactly() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let files = format!("/profiles/{id}/files");
    let images = format!("/profiles/{id}/document_images");
    let stored = p.files_stored().await;

    // One byte over: the body fits the body limit, the decoded file does not.
    let mut file = crate::common::png_header(10, 10);
    file.resize(MAX_FILE + 1, 0x5A);
    let over = data_body(&file);
    assert!(
        over.len() < MAX_FILE / 3 * 4 + 64 * 1024,
        "fits the body limit"
    );
    for (path, template) in [(&files, FILES), (&images, IMAGES)] {
        let r = p
            .call(Method::POST, path, template, Body::Raw(over.clone()))
            .await;
        assert_eq!(
            r.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{path}: {}",
            r.body
        );
        let e = first_error(&r);
        assert_eq!(
            (&e["code"], &e["info"]["field"], &e["info"]["max_bytes"]),
            (&json!(201), &json!("data"), &json!(MAX_FILE)),
            "{e}"
        );
    }
    drop(over);
    assert_eq!(p.files_stored().await, stored, "an oversized file was kept");

    // Exactly 50,000,000 bytes: accepted, and read back whole.
    file.truncate(MAX_FILE);
    let digest = sha(&file);
    let exact = data_body(&file);
    drop(file);
    let r = p.call(Method::POST, &files, FILES, Body::Raw(exact)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let file_id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(p.files_stored().await, stored + 1);
    let back = p.read_file(&id, &file_id).await;
    assert_eq!(back.len(), MAX_FILE);
    assert_eq!(sha(&back), digest);
    drop(back);

    // A body far past the limit (~70 MB of base64) is refused before it is read whole.
    let mut huge = String::with_capacity(70_000_020);
    huge.push_str("{\"data\":\"");
    huge.push_str(&B64.encode(crate::common::png_header(10, 10)));
    while huge.len() < 70_000_000 {
        huge.push_str("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    }
    huge.push_str("\"}");
    let r = p
        .call(Method::POST, &files, FILES, Body::Raw(Bytes::from(huge)))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(first_error(&r)["code"], 201);
    assert_eq!(p.files_stored().await, stored + 1);
    // JSON routes keep the ordinary JSON limit.
    let limit = p.server.config.server.json_body_limit;
    let big_json = format!(
        "{{\"role\":\"INDIVIDUAL_CUSTOMER\",\"collected_data\":{{\"entity_type\":\"INDIVIDUAL\",\"customer_ref\":\"{}\"}}}}",
        "x".repeat(limit + 1)
    );
    let r = p
        .request(
            Auth::Header(KEY_A),
            Method::POST,
            "/profiles",
            None,
            Body::Raw(Bytes::from(big_json)),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    vendor_check("Error", first_error(&r), "POST /profiles 413");
    assert_eq!(p.get("/profiles", PROFILES).await.body["count"], 1);
}

#[tokio::test]
async fn an_upload_body_past_the_limit_is_refused_as_it_arrives() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let stored = p.files_stored().await;
    const GIB: u64 = 1 << 30;
    let preamble = format!(
        "{{\"data\":\"{}",
        B64.encode(crate::common::png_header(10, 10))
    );
    let head = format!(
        "POST /4.0/profiles/{id}/files HTTP/1.1\r\nhost: x\r\napikey: {KEY_A}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{preamble}",
        GIB + preamble.len() as u64
    );
    let stream = tokio::net::TcpStream::connect(p.server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let (mut read, mut write) = stream.into_split();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let writer = tokio::spawn(async move {
        write.write_all(head.as_bytes()).await.unwrap();
        let piece = vec![b'A'; 1 << 20];
        while counter.load(Ordering::Relaxed) < GIB {
            if write.write_all(&piece).await.is_err() {
                break;
            }
            counter.fetch_add(piece.len() as u64, Ordering::Relaxed);
        }
    });
    // The server answers 413 and closes with the rest unread; the kernel may reset the
    // connection before the answer is read. Either way the writer must be stopped long
    // before 1 GiB.
    let mut answer = vec![0u8; 12];
    match read.read_exact(&mut answer).await {
        Ok(_) => assert_eq!(&answer, b"HTTP/1.1 413"),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(60), writer).await;
    assert!(stopped.is_ok(), "the server kept reading the body");
    let taken = sent.load(Ordering::Relaxed);
    assert!(
        taken < GIB / 4,
        "the server read {} MiB of a 1 GiB body before refusing it",
        taken >> 20
    );
    assert_eq!(p.files_stored().await, stored);
}

// ---------------------------------------------------------------------------------------
// Review regressions

/// A subject made through the admin API and a mydocs client token for it.
async fn mydocs_client(p: &Passfort) -> (String, String) {
    let http = &p.server.client;
    let res = http
        .post(p.server.url("/admin/v1/subjects"))
        .bearer_auth(ADMIN_A)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let subject = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = http
        .post(
            p.server
                .url(&format!("/admin/v1/subjects/{subject}/client-tokens")),
        )
        .bearer_auth(ADMIN_A)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    (subject, token)
}

/// A mydocs request with a client token: status and JSON body.
async fn mydocs(
    p: &Passfort,
    token: &str,
    method: Method,
    path: &str,
    form: Option<reqwest::multipart::Form>,
) -> (StatusCode, Value) {
    let mut req = p
        .server
        .client
        .request(method, p.server.url(&format!("/api/v2/my{path}")))
        .bearer_auth(token);
    if let Some(f) = form {
        req = req.multipart(f);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn collected_data_posted_back_unchanged_keeps_other_apis_view() {
    let p = Passfort::start().await;

    // An ID card through mydocs (type 2, front and back).
    let (subject, token) = mydocs_client(&p).await;
    let form = reqwest::multipart::Form::new()
        .text("typeID", "2")
        .part(
            "file",
            reqwest::multipart::Part::bytes(png(1)).file_name("front.png"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(png(2)).file_name("back.png"),
        );
    let (status, card) = mydocs(&p, &token, Method::POST, "/documents", Some(form)).await;
    assert_eq!(status, StatusCode::CREATED, "{card}");
    assert_eq!(card["typeId"], 2, "{card}");
    let card_seq = card["id"].as_i64().unwrap();
    let card_uuid = p.collected(&subject).await["documents"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // An ID card through nCore, on a PassFort profile.
    let id = p.individual("Ada", "Lovelace").await;
    let (status, ident) = p
        .ncore(
            Method::POST,
            &format!("/users/{id}/identifications"),
            NCORE_LIST,
            Some(json!({"type": "NATIONAL_ID", "number": "784-1", "issuing_country": "ARE"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ident}");
    let ident_id = ident["id"].as_str().unwrap().to_owned();

    for profile in [&subject, &id] {
        let before = p.collected(profile).await;
        let docs = before["documents"].as_array().unwrap();
        assert_eq!(docs.len(), 1, "{before}");
        assert_eq!(docs[0]["document_type"], "STATE_ID", "{before}");
        let r = p
            .call(
                Method::POST,
                &format!("/profiles/{profile}/collected_data"),
                COLLECTED,
                Body::Json(before.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["documents"][0]["id"], docs[0]["id"], "{}", r.body);
        assert_eq!(r.body["documents"][0]["document_type"], "STATE_ID");
        assert_eq!(r.body["documents"][0]["images"], docs[0]["images"]);
        assert_eq!(p.collected(profile).await, r.body);
    }

    // mydocs still shows a national ID card, nCore still a NATIONAL_ID.
    let (status, got) = mydocs(
        &p,
        &token,
        Method::GET,
        &format!("/documents/{card_seq}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(
        (&got["typeId"], &got["type"]["name"]),
        (&json!(2), &json!("National ID / Passport")),
        "{got}"
    );
    assert_eq!(got["files"].as_array().unwrap().len(), 2, "{got}");
    let (status, one) = p
        .ncore(
            Method::GET,
            &format!("/users/{subject}/identifications/{card_uuid}"),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["type"], "NATIONAL_ID", "mydocs' card in nCore: {one}");
    let (status, one) = p
        .ncore(
            Method::GET,
            &format!("/users/{id}/identifications/{ident_id}"),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(
        (&one["type"], &one["number"], &one["issuing_country"]),
        (&json!("NATIONAL_ID"), &json!("784-1"), &json!("ARE")),
        "{one}"
    );
}

#[tokio::test]
async fn a_search_text_is_at_most_200_characters() {
    let p = Passfort::start().await;
    p.individual("Ada", "Lovelace").await;
    let e_acute = "%C3%A9";
    for (q, ok) in [
        ("a".repeat(200), true),
        ("a".repeat(201), false),
        (e_acute.repeat(200), true),
        (e_acute.repeat(201), false),
        ("a".repeat(5000), false),
    ] {
        let r = p.get(&format!("/profiles?q={q}"), PROFILES).await;
        let context = format!("q of {} bytes", q.len());
        if ok {
            assert_eq!(r.status, StatusCode::OK, "{context}: {}", r.body);
            assert_eq!(
                (&r.body["count"], &r.body["results"]),
                (&json!(0), &json!([])),
                "{context}"
            );
        } else {
            assert_invalid(&r, "q", &context);
        }
    }
}

#[tokio::test]
async fn a_replace_with_an_invalid_document_patch_changes_nothing() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let img = p.add_image_id(&id, &png(1), "FRONT").await;
    let free = p.add_image_id(&id, &png(2), "FRONT").await;
    let doc = p
        .add_document(
            &id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": img}],
                   "extracted_data": {"number": "P-1", "issued": "2020-01-01", "expiry": "2030-01-01"}}),
        )
        .await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
    let doc_id = doc.body["id"].as_str().unwrap().to_owned();
    let path = format!("/profiles/{id}/collected_data");
    let before = p.collected(&id).await;
    let profile_before = p.get(&format!("/profiles/{id}"), PROFILE).await.body;
    assert_eq!(profile_before["display_name"], "Ada Lovelace");

    let existing = |extracted: Value| {
        json!({"id": doc_id, "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
               "images": [{"id": img}], "extracted_data": extracted})
    };
    let unchanged = existing(before["documents"][0]["extracted_data"].clone());
    let cases = [
        (
            vec![existing(
                json!({"number": "P-1", "issued": "2031-01-01", "expiry": "2030-01-01"}),
            )],
            "documents[0].extracted_data.issued",
        ),
        (
            vec![existing(
                json!({"issued": "2020-01-01", "expiry": "2030-01-01", "number": "P\u{1}1"}),
            )],
            "documents[0].extracted_data.number",
        ),
        (
            vec![
                unchanged.clone(),
                json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": free}],
                       "extracted_data": {"issued": "2031-01-01", "expiry": "2030-01-01"}}),
            ],
            "documents[1].extracted_data.issued",
        ),
    ];
    for (documents, field) in cases {
        let body = json!({
            "entity_type": "INDIVIDUAL",
            "personal_details": {"name": {"given_names": ["Augusta"], "family_name": "King"}},
            "documents": documents,
        });
        let r = p
            .call(Method::POST, &path, COLLECTED, Body::Json(body.clone()))
            .await;
        assert_invalid(&r, field, &body.to_string());
        assert_eq!(
            p.collected(&id).await,
            before,
            "{field}: collected data changed"
        );
        let profile = p.get(&format!("/profiles/{id}"), PROFILE).await.body;
        assert_eq!(
            profile["display_name"], "Ada Lovelace",
            "{field}: {profile}"
        );
        assert_eq!(profile, profile_before, "{field}: the profile changed");
        let found = p.get("/profiles?q=augusta", PROFILES).await;
        assert_eq!(
            found.body["count"], 0,
            "{field}: the new name is searchable"
        );
    }
    assert_eq!(ids(&p.images(&id).await), [&img, &free]);
    assert_eq!(
        p.server
            .store
            .list_documents(&crate::common::tenant("alpha"), id.parse().unwrap())
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn malformed_ids_are_400s_in_the_contract() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let file = p.add_file(&id, json!({"data": B64.encode(png(2))})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for bad in [
        "not-a-uuid",
        "12345",
        "0190a8b2-zzzz-7000-8000-000000000000",
    ] {
        for (method, path, template) in [
            (
                Method::GET,
                format!("/profiles/{bad}/collected_data"),
                COLLECTED,
            ),
            (Method::GET, format!("/profiles/{bad}/files/{file}"), FILE),
            (Method::GET, format!("/profiles/{id}/files/{bad}"), FILE),
            (Method::POST, format!("/profiles/{bad}/files/{file}"), FILE),
            (Method::POST, format!("/profiles/{id}/files/{bad}"), FILE),
            (
                Method::GET,
                format!("/profiles/{bad}/document_images"),
                IMAGES,
            ),
            (
                Method::GET,
                format!("/profiles/{bad}/document_images/{image}"),
                IMAGE,
            ),
            (
                Method::GET,
                format!("/profiles/{id}/document_images/{bad}"),
                IMAGE,
            ),
        ] {
            // `call` checks the body against the generated contract's 400 entry and
            // PassFort's own Error schema.
            let r = p.call(method.clone(), &path, template, Body::Empty).await;
            assert_eq!(
                (r.status, &first_error(&r)["code"]),
                (StatusCode::BAD_REQUEST, &json!(201)),
                "{method} {path}: {}",
                r.body
            );
        }
    }
}

/// Found by schemathesis (its `negative_data_rejection` check, on the admin API): serde reads
/// a struct from a JSON array by position, so `["INDIVIDUAL_CUSTOMER", {…}]` created a
/// profile. A body that is not an object is a 400 naming `body` and creates nothing.
#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let p = Passfort::start().await;
    let positional = json!(["INDIVIDUAL_CUSTOMER", {"entity_type": "INDIVIDUAL"}]);
    let r = p
        .call(Method::POST, "/profiles", PROFILES, Body::Json(positional))
        .await;
    assert_invalid(&r, "body", "a profile as an array");
    let count = p.get("/profiles", PROFILES).await.body["count"].as_u64();
    assert_eq!(count, Some(0), "no profile is left behind");

    let profile = p.individual("Ada", "Lovelace").await;
    let path = format!("/profiles/{profile}/collected_data/documents");
    let positional = json!(["PROOF_OF_IDENTITY", "PASSPORT", []]);
    let r = p
        .call(Method::POST, &path, DOCUMENTS, Body::Json(positional))
        .await;
    assert_invalid(&r, "body", "a document as an array");
}

/// The limiter runs before the path and the body are read: a 413 or a malformed id on a
/// limited operation is counted and answers with the `X-RateLimit-*` headers, naming its
/// field and limit.
#[tokio::test]
async fn errors_before_the_handler_are_rate_limited_too() {
    let p = Passfort::start_with(|c| {
        c.adapters.passfort.rate_limit_burst = 3;
        c.adapters.passfort.rate_limit_per_hour = 1;
        c.server.json_body_limit = 4096;
    })
    .await;
    let big = Bytes::from(format!("{{\"pad\": \"{}\"}}", "x".repeat(8192)));
    let r = p
        .call(Method::POST, "/profiles", PROFILES, Body::Raw(big))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(
        first_error(&r)["info"],
        json!({"field": "body", "max_bytes": 4096})
    );
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 2);
    let r = p
        .call(
            Method::POST,
            "/profiles/not-a-uuid/collected_data",
            COLLECTED,
            Body::Empty,
        )
        .await;
    assert_invalid(&r, "profile_id", "a malformed id");
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 2, "its own budget");
    let r = p
        .call(
            Method::POST,
            "/profiles",
            PROFILES,
            Body::Json(individual_body("Ada", "Lovelace")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        header_u64(&r, "x-ratelimit-remaining"),
        1,
        "the 413 was counted"
    );
    let id = r.body["id"].as_str().unwrap().to_owned();
    let big = Bytes::from(format!("{{\"entity_type\": \"{}\"}}", "x".repeat(8192)));
    let r = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/collected_data"),
            COLLECTED,
            Body::Raw(big),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 1);
}

/// Every 201 INVALID_INPUT_DATA names its field in `info.field`: serde's failures by their
/// JSON path, path and query parameters by name.
#[tokio::test]
async fn bad_input_names_its_field() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let cd = json!({"entity_type": "INDIVIDUAL"});
    for (body, field) in [
        (
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": []}),
            "collected_data",
        ),
        (json!({"collected_data": cd}), "role"),
        (json!({"role": "ROBOT", "collected_data": cd}), "role"),
        (
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL",
                   "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}]}]}}),
            "collected_data.documents",
        ),
    ] {
        let r = p.post("/profiles", PROFILES, body.clone()).await;
        assert_invalid(&r, field, &body.to_string());
    }
    let images = format!("/profiles/{id}/document_images");
    for (body, field) in [
        (
            json!({"data": SEED_FILE, "image_type": "SIDE"}),
            "image_type",
        ),
        (json!({"image_type": "FRONT"}), "data"),
        (json!({"data": uuid::Uuid::new_v4()}), "data"),
    ] {
        let r = p.post(&images, IMAGES, body.clone()).await;
        assert_invalid(&r, field, &body.to_string());
    }
    let r = p
        .post(
            &format!("/profiles/{id}/files"),
            FILES,
            json!({"data": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_invalid(&r, "data", "a UUID as a file's data");
    assert!(
        first_error(&r)["message"]
            .as_str()
            .unwrap()
            .contains("not supported"),
        "{}",
        r.body
    );
    for (body, field) in [
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENSE", "images": [{"id": image}]}),
            "document_type",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": "nope"}]}),
            "images[0].id",
        ),
        (
            json!({"document_type": "PASSPORT", "images": [{"id": image}]}),
            "category",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}], "colour": "red"}),
            "colour",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": []}),
            "images",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}],
                   "extracted_data": {"expiry": "01/02/2030"}}),
            "extracted_data.expiry",
        ),
    ] {
        let r = p.add_document(&id, body.clone()).await;
        assert_invalid(&r, field, &body.to_string());
    }
    for (path, template, field) in [
        ("/profiles?limit=abc".to_owned(), PROFILES, "limit"),
        ("/profiles?offset=-1".to_owned(), PROFILES, "offset"),
        ("/profiles?q=%00".to_owned(), PROFILES, "q"),
        ("/profiles/not-a-uuid".to_owned(), PROFILE, "profile_id"),
        (format!("/profiles/{id}/files/nope"), FILE, "file_id"),
        (
            format!("/profiles/{id}/document_images/nope"),
            IMAGE,
            "document_image_id",
        ),
    ] {
        let r = p.get(&path, template).await;
        assert_invalid(&r, field, &path);
    }
    // Nothing was added along the way.
    assert_eq!(ids(&p.images(&id).await), [&image]);
    assert_eq!(p.collected(&id).await["documents"], json!([]));
}

/// An `apikey` header that is not text is a key sent, and not a valid one: 204, not 203.
#[tokio::test]
async fn an_apikey_header_that_is_not_text_is_an_invalid_key() {
    let p = Passfort::start().await;
    let res = p
        .server
        .client
        .get(p.server.url("/4.0/profiles"))
        .header(
            "apikey",
            reqwest::header::HeaderValue::from_bytes(b"key-\xff\xfe").unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], 204, "{body}");
}

/// A stored blob that cannot be read is a 500 with PassFort's 401 UNKNOWN_INTERNAL_ERROR,
/// saying nothing of the cause.
#[tokio::test]
async fn an_unreadable_file_is_an_unknown_internal_error() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let blob = p
        .server
        .store
        .blobs()
        .local_root()
        .unwrap()
        .join(idbridge::store::Blobs::key_for(image.parse().unwrap()));
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[0] ^= 0xff;
    std::fs::write(&blob, bytes).unwrap();
    // Not checked against the contract: a 500 is declared nowhere.
    let r = p
        .request(
            Auth::Header(KEY_A),
            Method::GET,
            &format!("/profiles/{id}/files/{image}"),
            None,
            Body::Empty,
        )
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    vendor_check("Error", first_error(&r), "a 500");
    assert_eq!(
        (
            &first_error(&r)["code"],
            &first_error(&r)["message"],
            &first_error(&r)["info"]
        ),
        (&json!(401), &json!("internal error"), &json!({}))
    );
}

/// Sends `POST /4.0{path}` with a chunked body of `A`s that passes `limit` and then never
/// ends (no final chunk), and returns the raw answer. The server must answer while the body
/// is still open: a server that waited for the body's end would never answer (the timeout
/// fails the test). Nothing is sent past the limit, so the server has read everything sent
/// when it closes and the answer cannot be lost to a reset.
async fn endless_chunked_body(p: &Passfort, path: &str, preamble: &str, limit: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(p.server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let (mut read, mut write) = stream.into_split();
    let head = format!(
        "POST /4.0{path} HTTP/1.1\r\nhost: x\r\napikey: {KEY_A}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    write.write_all(head.as_bytes()).await.unwrap();
    let chunk = |data: &[u8]| [format!("{:x}\r\n", data.len()).as_bytes(), data, b"\r\n"].concat();
    write.write_all(&chunk(preamble.as_bytes())).await.unwrap();
    let mut sent = preamble.len();
    let piece = vec![b'A'; 256 * 1024];
    while sent <= limit {
        let n = piece.len().min(limit + 1 - sent);
        write.write_all(&chunk(&piece[..n])).await.unwrap();
        sent += n;
    }
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        read.read_to_end(&mut answer),
    )
    .await
    .expect("no answer while the body was still open")
    .unwrap();
    drop(write);
    String::from_utf8(answer).unwrap()
}

/// The JSON of a raw HTTP/1.1 answer with a `content-length`.
fn raw_json(answer: &str) -> Value {
    let (_, body) = answer.split_once("\r\n\r\n").expect("a complete answer");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

/// A body without `Content-Length` is refused the moment it passes the route's limit, even
/// though it never ends, with PassFort's 413: on a JSON route and on an upload route.
#[tokio::test]
async fn a_chunked_body_that_never_ends_is_refused_once_past_the_limit() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let stored = p.files_stored().await;
    let json_limit = p.server.config.server.json_body_limit;
    let answer = endless_chunked_body(
        &p,
        "/profiles",
        r#"{"role":"INDIVIDUAL_CUSTOMER","collected_data":{"entity_type":"INDIVIDUAL","customer_ref":""#,
        json_limit,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // A limited operation: the refusal is counted and says so.
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("x-ratelimit-remaining"),
        "{answer}"
    );
    let body = raw_json(&answer);
    vendor_check(
        "Error",
        &body["errors"][0],
        "a chunked POST /profiles past the limit",
    );
    assert_eq!(
        body["errors"][0],
        json!({"code": 201, "source": "API", "message": format!("body: the body is over {json_limit} bytes"),
               "info": {"field": "body", "max_bytes": json_limit}})
    );

    // An upload route: the limit is the base64 of a 50 MB file with room for escapes.
    let upload_limit = MAX_FILE.div_ceil(3) * 4 / 8 * 9 + 64 * 1024;
    let preamble = format!(
        "{{\"data\":\"{}",
        B64.encode(crate::common::png_header(10, 10))
    );
    let answer = endless_chunked_body(
        &p,
        &format!("/profiles/{id}/files"),
        &preamble,
        upload_limit,
    )
    .await;
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "{}",
        &answer[..answer.len().min(300)]
    );
    let body = raw_json(&answer);
    assert_eq!(
        body["errors"][0]["info"],
        json!({"field": "data", "max_bytes": MAX_FILE})
    );
    assert_eq!(body["errors"][0]["code"], 201);
    assert_eq!(p.files_stored().await, stored, "a refused upload was kept");
    assert_eq!(p.get("/profiles", PROFILES).await.body["count"], 1);
}

/// `POST /profiles` with documents in collected data gets one error saying documents come
/// once the profile exists (their images need the profile), not an error about an image id;
/// `documents: []` is no document and is accepted.
#[tokio::test]
async fn documents_on_a_new_profile_are_refused_as_too_early() {
    let p = Passfort::start().await;
    let body = json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL",
        "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
                       "images": [{"id": uuid::Uuid::new_v4()}]}, {"category": "X"}]}});
    let r = p.post("/profiles", PROFILES, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["errors"].as_array().map(Vec::len), Some(1));
    let e = first_error(&r);
    assert_eq!(
        (&e["code"], &e["info"]),
        (&json!(201), &json!({"field": "collected_data.documents"}))
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("added once the profile exists"),
        "{e}"
    );
    assert_eq!(p.get("/profiles", PROFILES).await.body["count"], 0);
    let r = p
        .post(
            "/profiles",
            PROFILES,
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL", "documents": []}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["collected_data"]["documents"], json!([]));
}

/// A replace whose `entity_type` does not suit the stored role names `entity_type`, the
/// field of its body, and the role it does not suit; a blank document number is refused
/// in a replace too, and nothing changes.
#[tokio::test]
async fn a_replace_names_the_fields_of_its_own_body() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let path = format!("/profiles/{id}/collected_data");
    let before = p.collected(&id).await;
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({"entity_type": "COMPANY", "metadata": {"name": "Acme"}})),
        )
        .await;
    assert_invalid(
        &r,
        "collected_data.entity_type",
        "a company on an individual",
    );
    assert!(
        first_error(&r)["message"]
            .as_str()
            .unwrap()
            .contains("INDIVIDUAL_CUSTOMER"),
        "{}",
        r.body
    );
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({"entity_type": "INDIVIDUAL", "documents": [
                {"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}],
                 "extracted_data": {"number": ""}}]})),
        )
        .await;
    assert_invalid(&r, "documents[0].extracted_data.number", "a blank number");
    assert_eq!(
        p.collected(&id).await,
        before,
        "a refused replace changed something"
    );
}

/// A key in both places: the header is the one checked. A wrong header is refused even
/// with a valid `?apikey=`, and a valid header is served whatever the query says.
#[tokio::test]
async fn the_apikey_header_wins_over_the_query_parameter() {
    let p = Passfort::start().await;
    let send = |header: &'static str, query: &'static str| {
        p.server
            .client
            .get(p.server.url(&format!("/4.0/profiles?apikey={query}")))
            .header("apikey", header)
            .send()
    };
    let res = send("wrong-key-123", KEY_A).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["errors"][0],
        json!({"code": 204, "source": "API", "message": "the API key is not valid", "info": {}})
    );
    // Beta's valid key in the header, alpha's in the query: beta's profiles are listed.
    p.individual("Ada", "Lovelace").await;
    let res = send(KEY_B, KEY_A).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["count"], 0, "the query's tenant was served: {body}");
    let res = send(KEY_A, "wrong-key-123").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["count"], 1, "{body}");
}
