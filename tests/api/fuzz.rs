//! Any bytes as a body: every write route of every API (each `POST`, `PUT` and `PATCH` the
//! served OpenAPI documents declare, so a new route is fuzzed as soon as it is documented)
//! gets bodies that are valid, damaged, hostile or random, labelled with each content type
//! the route accepts, with a random one, or with none, through the real app in process.
//!
//! Each answer must be a 4xx, or a 2xx when the bytes happen to be valid; never a 5xx, and
//! never a connection dropped before the whole answer arrived. Its shape is the vendor's:
//! [`TestServer`] checks every response against the API's OpenAPI document (the error
//! schema of its status, a status the operation declares), and a violation fails the case
//! that caused it. The credentials and ids in the paths are real, so that the body is what
//! is refused, not the caller.
//!
//! The seed corpus `tests/corpus/http/` runs first, every file to every route under every
//! label; then `PROPTEST_CASES` generated cases per API (see `tests/corpus/README.md`).

#[path = "../../src/fuzz_kit.rs"]
mod kit;

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::jumio::{CLIENT_A, JumioClient, key_only};
use crate::common::mydocs::new_client;
use crate::common::passfort::individual_body;
use crate::common::{ADMIN_A, TestServer, served_documents};

/// Generated cases per API when `PROPTEST_CASES` is not set.
const CI_CASES: u32 = 300;

/// The multipart boundary of generated forms and of the corpus's forms.
const BOUNDARY: &str = "X-BOUNDARY";

/// One write route: where it is, how its caller signs in, what it is documented to accept.
#[derive(Clone, Debug)]
struct Route {
    method: Method,
    /// The path with real ids, under the API's mount prefix.
    path: String,
    /// The documented template, for failure messages.
    template: String,
    /// Headers that sign the caller in.
    auth: Vec<(&'static str, String)>,
    /// The documented request body types (none for a route that takes no body).
    content_types: Vec<String>,
}

/// The credentials and ids of one tenant's callers, made through the APIs.
struct Callers {
    ncore_user: String,
    ncore_identification: String,
    mydocs_token: String,
    admin_subject: String,
    passfort_profile: String,
    jumio_access: String,
    jumio_exec: crate::common::jumio::Exec,
}

async fn callers(s: &TestServer) -> Callers {
    let ncore = crate::common::ncore::At::server(s, crate::common::ncore::KEY_A);
    let ncore_user = "fuzz-user".to_owned();
    let ncore_identification = ncore
        .identification(&ncore_user, crate::common::ncore::passport())
        .await;
    let (admin_subject, mydocs_token) = new_client(&s.client, &s.base, ADMIN_A).await;
    let res = s
        .client
        .post(s.url("/4.0/profiles"))
        .header("apikey", crate::common::passfort::KEY_A)
        .json(&individual_body("Fuzz", "Tester"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let profile: Value = res.json().await.unwrap();
    let jumio = JumioClient::at(s.client.clone(), &s.base);
    let jumio_access = jumio.access(CLIENT_A).await;
    let jumio_exec = jumio.open(&jumio_access, key_only(2)).await;
    Callers {
        ncore_user,
        ncore_identification,
        mydocs_token,
        admin_subject: admin_subject.to_string(),
        passfort_profile: profile["id"].as_str().unwrap().to_owned(),
        jumio_access,
        jumio_exec,
    }
}

/// A real value for a path parameter; an unknown parameter fails, so that a new route's
/// parameters are given values here.
fn param(c: &Callers, name: &str) -> String {
    let unknown = "0190f7a8-0000-7000-8000-000000000000".to_owned();
    match name {
        "user_id" => c.ncore_user.clone(),
        "identification_id" => c.ncore_identification.clone(),
        "subject_id" => c.admin_subject.clone(),
        "profile_id" => c.passfort_profile.clone(),
        "org_id" => "org-alpha".into(),
        "accountId" => c.jumio_exec.account.clone(),
        "workflowExecutionId" => c.jumio_exec.id.clone(),
        "credentialId" => c.jumio_exec.credentials[0]["id"].as_str().unwrap().into(),
        "classifier" => "FRONT".into(),
        // Ids no setup makes: their routes answer 404, after or before reading the body.
        "account_id" | "file_id" | "admin_identification_id" => unknown,
        other => panic!("no value for the path parameter {other}: add one to fuzz.rs"),
    }
}

/// The headers that sign in to an operation secured by `scheme` of `api`.
fn auth(c: &Callers, api: &str, scheme: Option<&str>, path: &str) -> Vec<(&'static str, String)> {
    let bearer = |t: &str| vec![("authorization", format!("Bearer {t}"))];
    match (api, scheme) {
        ("admin", _) => bearer(ADMIN_A),
        ("ncore", _) | ("passfort", Some(_)) => {
            vec![("apikey", crate::common::ncore::KEY_A.to_owned())]
        }
        ("masstack", Some(_)) => bearer(crate::common::masstack::KEY_A),
        ("mydocs", Some(_)) => bearer(&c.mydocs_token),
        // Jumio refuses a call without a User-Agent.
        ("jumio", Some("access_token")) => [bearer(&c.jumio_access), jumio_ua()].concat(),
        ("jumio", Some(_)) => [bearer(&c.jumio_exec.token), jumio_ua()].concat(),
        ("jumio", None) if path.ends_with("/oauth2/token") => {
            use base64::Engine as _;
            let basic = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", CLIENT_A.0, CLIENT_A.1));
            [
                vec![("authorization", format!("Basic {basic}"))],
                jumio_ua(),
            ]
            .concat()
        }
        _ => Vec::new(),
    }
}

fn jumio_ua() -> Vec<(&'static str, String)> {
    vec![("user-agent", crate::common::jumio::UA.to_owned())]
}

/// The write routes of `api`, from its served OpenAPI document.
fn routes(s: &TestServer, c: &Callers, api: &str) -> (Vec<Route>, Vec<String>) {
    let (_, doc) = served_documents(&s.config)
        .into_iter()
        .find(|(name, _)| name == api)
        .unwrap_or_else(|| panic!("no API named {api}"));
    let prefix = doc["servers"][0]["url"]
        .as_str()
        .unwrap_or("")
        .trim_end_matches('/')
        .to_owned();
    let mut routes = Vec::new();
    for (template, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let method = match method.as_str() {
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                _ => continue,
            };
            let mut path = template.clone();
            while let Some(open) = path.find('{') {
                let close = open + path[open..].find('}').unwrap();
                let value = param(c, &path[open + 1..close]);
                path.replace_range(open..=close, &value);
            }
            let scheme = op["security"][0]
                .as_object()
                .and_then(|m| m.keys().next().cloned());
            let content_types = op["requestBody"]["content"]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            routes.push(Route {
                auth: auth(c, api, scheme.as_deref(), &path),
                method,
                path: format!("{prefix}{path}"),
                template: template.clone(),
                content_types,
            });
        }
    }
    assert!(!routes.is_empty(), "{api} declares no write route");
    (routes, field_names(&doc))
}

/// Every property name the document's schemas declare: the fields the readers know.
fn field_names(doc: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Object(props)) = m.get("properties") {
                    out.extend(props.keys().cloned());
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(doc, &mut out);
    out.into_iter().collect()
}

/// Sends `body` to `route` labelled `content_type`, and checks the answer.
async fn post(
    s: &TestServer,
    route: &Route,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Result<(), TestCaseError> {
    let seen = s.contract_violations().len();
    let mut req = s
        .client
        .request(route.method.clone(), s.url(&route.path))
        .body(body);
    for (name, value) in &route.auth {
        req = req.header(*name, value);
    }
    if let Some(t) = content_type {
        req = req.header("content-type", t);
    }
    let what = || format!("{} {} ({content_type:?})", route.method, route.template);
    let res = req
        .send()
        .await
        .map_err(|e| TestCaseError::fail(format!("{}: no answer: {e:?}", what())))?;
    let status = res.status();
    let answer = res
        .bytes()
        .await
        .map_err(|e| TestCaseError::fail(format!("{}: answer cut: {e:?}", what())))?;
    kit::ensure(status.is_client_error() || status.is_success(), || {
        format!(
            "{}: {status}: {}",
            what(),
            String::from_utf8_lossy(&answer[..answer.len().min(300)])
        )
    })?;
    let broke = s.contract_violations().split_off(seen);
    kit::ensure(broke.is_empty(), || {
        format!("{}: not the vendor's shape: {}", what(), broke.join("; "))
    })
}

/// A multipart form of parts with names the upload routes read, and random content.
fn form() -> impl Strategy<Value = Vec<u8>> {
    let part = (
        prop_oneof![
            Just("file"),
            Just("type"),
            Just("typeId"),
            Just("typeID"),
            Just("file[]"),
            Just("document"),
            Just("image"),
            Just("action"),
            Just("x"),
        ],
        proptest::option::of("[a-z]{1,8}\\.(png|jpg|pdf|txt)"),
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..200),
            "[0-9]{1,4}".prop_map(String::into_bytes),
            Just(crate::common::png_header(100_000, 100_000)),
        ],
    );
    (proptest::collection::vec(part, 0..4), any::<bool>()).prop_map(|(parts, close)| {
        let mut out = Vec::new();
        for (name, file_name, content) in parts {
            out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
            let mut d = format!("Content-Disposition: form-data; name=\"{name}\"");
            if let Some(f) = file_name {
                d += &format!("; filename=\"{f}\"");
            }
            out.extend_from_slice(format!("{d}\r\n\r\n").as_bytes());
            out.extend_from_slice(&content);
            out.extend_from_slice(b"\r\n");
        }
        if close {
            out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        }
        out
    })
}

/// What a label says: a documented type (a form's with the boundary), a random one, none.
fn label(declared: &[String], pick: usize, random: String) -> Option<String> {
    let with_boundary = |t: &str| {
        if t == "multipart/form-data" {
            format!("{t}; boundary={BOUNDARY}")
        } else {
            t.to_owned()
        }
    };
    match pick % 6 {
        0..=3 if !declared.is_empty() => Some(with_boundary(&declared[pick % declared.len()])),
        4 => Some(random),
        _ => None,
    }
}

/// Fuzzes every write route of `api`: the corpus to each route under each label, then
/// generated cases.
fn fuzz_api(api: &'static str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let s = rt.block_on(TestServer::start());
    let c = rt.block_on(callers(&s));
    let (routes, fields) = routes(&s, &c, api);
    let fields: &'static [&'static str] = Vec::leak(
        fields
            .into_iter()
            .map(|f| &*String::leak(f))
            .collect::<Vec<_>>(),
    );
    kit::run_corpus("http", |body| {
        rt.block_on(async {
            for route in &routes {
                let mut labels: Vec<Option<String>> = (0..route.content_types.len())
                    .map(|i| label(&route.content_types, i, String::new()))
                    .collect();
                labels.push(None);
                for l in labels {
                    post(&s, route, l.as_deref(), body.clone()).await?;
                }
            }
            Ok(())
        })
    });
    let body = prop_oneof![
        4 => kit::json_bytes(fields),
        2 => form(),
        1 => proptest::collection::vec(any::<u8>(), 0..512),
        1 => "([a-zA-Z_\\[\\]]{1,12}=[a-zA-Z0-9%+.:/=-]{0,24}&?){0,6}".prop_map(String::into_bytes),
    ];
    let case = (
        0..routes.len(),
        any::<usize>(),
        "[a-z]{1,10}/[a-z+.-]{1,16}(; ?[a-z]{1,8}=[!-~]{0,8})?",
        body,
    );
    kit::run(
        &format!("http-{api}"),
        CI_CASES,
        case,
        |(r, pick, random, body)| {
            let route = &routes[r];
            let l = label(&route.content_types, pick, random);
            rt.block_on(post(&s, route, l.as_deref(), body))
        },
    );
    // Dropped, not stopped: a graceful stop can wait out its grace period (30 s) for a
    // connection a fuzzed request left open. Every answer's contract was checked above.
    assert!(s.contract_violations().is_empty());
    drop(s);
}

#[test]
fn fuzz_ncore_write_routes() {
    fuzz_api("ncore");
}

#[test]
fn fuzz_mydocs_write_routes() {
    fuzz_api("mydocs");
}

#[test]
fn fuzz_masstack_write_routes() {
    fuzz_api("masstack");
}

#[test]
fn fuzz_passfort_write_routes() {
    fuzz_api("passfort");
}

#[test]
fn fuzz_jumio_write_routes() {
    fuzz_api("jumio");
}

#[test]
fn fuzz_admin_write_routes() {
    fuzz_api("admin");
}

/// The setup the fuzz relies on does sign in: a valid body to a write route of each API
/// succeeds, so refusals of fuzzed bodies are about the bodies.
#[test]
fn fuzz_routes_are_signed_in() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = TestServer::start().await;
        let c = callers(&s).await;
        let valid = [
            (
                "ncore",
                "/users/{user_id}/identifications",
                crate::common::ncore::passport(),
            ),
            ("admin", "/subjects", json!({})),
            ("passfort", "/profiles", individual_body("Valid", "Body")),
        ];
        for (api, template, body) in valid {
            let (routes, _) = routes(&s, &c, api);
            let route = routes
                .iter()
                .find(|r| r.template == template && r.method == Method::POST)
                .unwrap();
            let bytes = serde_json::to_vec(&body).unwrap();
            let mut req = s.client.post(s.url(&route.path)).body(bytes);
            for (name, value) in &route.auth {
                req = req.header(*name, value);
            }
            let res = req
                .header("content-type", "application/json")
                .send()
                .await
                .unwrap();
            assert!(
                res.status().is_success(),
                "{api} {template}: {}",
                res.status()
            );
        }
        s.stop().await.unwrap();
    });
}
