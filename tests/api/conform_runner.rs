//! Runs the conformance runner against a small in-process echo server.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Form, Json, Multipart, Path as UrlPath};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use idbridge::conform::{Options, Report, run};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

const FIXTURE: &[u8] = b"\x89PNG\r\n\x1a\n not really a png, but bytes with \x00 and \xff in them";
const SECRET: &str = "wrong-secret-value-4711";

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn create(Json(input): Json<Value>) -> impl IntoResponse {
    let id = uuid::Uuid::new_v4();
    let body =
        json!({"id": id, "input": input, "created_at": "2024-05-01T10:00:00Z", "tags": ["a"]});
    (
        StatusCode::CREATED,
        [(header::LOCATION, format!("/things/{id}"))],
        Json(body),
    )
}

async fn fetch(UrlPath(id): UrlPath<String>) -> Json<Value> {
    Json(json!({"id": id, "kind": "passport", "items": [1, 2, 3], "note": null, "score": 1.0}))
}

async fn upload(mut form: Multipart) -> Json<Value> {
    let mut out = serde_json::Map::new();
    while let Some(field) = form.next_field().await.expect("multipart field") {
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.expect("multipart bytes");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let entry = json!({"sha256": sha256_hex(&bytes), "filename": filename, "content_type": content_type, "text": text});
        out.insert(name, entry);
    }
    Json(Value::Object(out))
}

async fn decode(Json(input): Json<Value>) -> Json<Value> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(input["data"].as_str().unwrap_or_default())
        .unwrap_or_default();
    Json(json!({"sha256": sha256_hex(&raw), "len": raw.len()}))
}

async fn echo(headers: HeaderMap, body: Bytes) -> Response {
    let ct = headers.get(header::CONTENT_TYPE).cloned();
    let mut resp = body.into_response();
    if let Some(ct) = ct {
        resp.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    resp
}

async fn secure(headers: HeaderMap) -> Response {
    match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some("Bearer right") => Json(json!({"ok": true})).into_response(),
        _ => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "unauthorized"})),
        )
            .into_response(),
    }
}

async fn form(Form(fields): Form<BTreeMap<String, String>>) -> Json<BTreeMap<String, String>> {
    Json(fields)
}

async fn serve() -> String {
    let app = Router::new()
        .route("/things", post(create))
        .route("/things/{id}", get(fetch))
        .route("/upload", post(upload))
        .route("/decode", post(decode))
        .route("/echo", post(echo))
        .route("/secure", get(secure))
        .route("/form", post(form))
        .route("/empty", get(|| async { StatusCode::NO_CONTENT }))
        .route(
            "/redirect",
            get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/things/r")]) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}/")
}

fn write(root: &Path, rel: &str, content: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

/// `alpha` passes entirely; every `beta` case fails in its own way.
fn tree(root: &Path) {
    write(root, "alpha/fixtures/doc.png", FIXTURE);
    write(root, "alpha/notes.txt", b"not a case");
    write(
        root,
        "alpha/01_flow.yaml",
        br#"
name: create and fetch
vars: { who: Alice, n: "3", greeting: from-case }
steps:
  - name: create
    request:
      method: post
      path: /things?x=${who}
      json: { name: "${who}", count: "${int:n}", greeting: "${greeting}", n_text: "${n}" }
    expect:
      status: 201
      headers: { Content-Type: application/json, location: $any, x-nothing: $absent }
      json:
        id: $uuid
        input: { name: Alice, count: 3, greeting: from-cli, n_text: "3" }
        created_at: $datetime
        tags: $nonempty
        secret: $absent
    capture: { id: /id, loc: "header:Location", count: /input/count }
  - name: fetch by id
    request: { method: GET, path: "/things/${id}" }
    expect:
      status: 200
      json: { id: "${id}", kind: $string, items: [1, "$number", 3], note: $any, score: 1 }
  - name: follow location
    request: { method: GET, path: "${loc}" }
    expect: { status: 200, json: { id: "${id}", items: [1, 2, "${int:count}"] } }
  - name: redirects are not followed
    request: { method: GET, path: /redirect }
    expect: { status: 302, headers: { location: /things/r }, body_empty: true }
"#,
    );
    write(
        root,
        "alpha/02_upload.yml",
        br#"
name: multipart upload
steps:
  - name: upload
    request:
      method: POST
      path: /upload
      multipart:
        - { name: file, file: fixtures/doc.png, filename: p.png }
        - { name: typeID, value: 3 }
    expect:
      status: 200
      json:
        file: { sha256: "${sha256:fixtures/doc.png}", filename: p.png, content_type: image/png }
        typeID: { text: "3", filename: null }
"#,
    );
    write(
        root,
        "alpha/03_base64.yaml",
        br#"
name: base64 in a json body
steps:
  - name: decode
    request: { method: POST, path: /decode, json: { data: "${base64:fixtures/doc.png}" } }
    expect: { status: 200, json: { sha256: "${sha256:fixtures/doc.png}" } }
"#,
    );
    write(root, "alpha/04_raw.yaml", br#"
name: raw bodies
steps:
  - name: file bytes
    request: { method: POST, path: /echo, body_file: fixtures/doc.png }
    expect: { status: 200, headers: { content-type: image/png }, body_sha256: "${sha256:fixtures/doc.png}" }
  - name: text
    request: { method: POST, path: /echo, body: "{not json", content_type: text/plain }
    expect: { status: 200, headers: { content-type: text/plain }, body_empty: false }
  - name: form
    request: { method: POST, path: /form, form: { grant_type: client_credentials, n: 7 } }
    expect: { status: 200, json: { grant_type: client_credentials, n: "7" } }
  - name: empty
    request: { method: GET, path: /empty }
    expect: { status: 204, body_empty: true }
  - name: authorized
    request: { method: GET, path: /secure, headers: { Authorization: "Bearer ${good_token}" } }
    expect: { status: 200, json: { ok: true } }
"#);
    let fail = |file: &str, expect_json: &str| {
        let case = format!(
            "name: {file}\nsteps:\n  - name: get\n    request: {{ method: GET, path: /things/t1 }}\n    expect: {{ status: 200, json: {expect_json} }}\n"
        );
        write(root, &format!("beta/{file}.yaml"), case.as_bytes());
    };
    fail("a_wrong_value", "{ kind: visa }");
    fail("b_missing_key", "{ nope: 1 }");
    fail("c_absent", "{ kind: $absent }");
    fail("d_array_len", "{ items: [1, 2] }");
    fail("e_nested", "{ items: [1, 2, \"$string\"] }");
    write(
        root,
        "beta/f_unknown_var.yaml",
        br#"
name: unknown variable
steps:
  - { name: get, request: { method: GET, path: "/things/${nobody}" }, expect: { status: 200 } }
"#,
    );
    write(
        root,
        "beta/g_broken.yaml",
        b"name: broken\nsteps: [ { name: x\n",
    );
    write(
        root,
        "beta/h_no_leak.yaml",
        br#"
name: captures do not leak
steps:
  - { name: get, request: { method: GET, path: "/things/${id}" }, expect: { status: 200 } }
"#,
    );
    write(
        root,
        "beta/i_status.yaml",
        br#"
name: wrong status
steps:
  - name: first
    request: { method: GET, path: /secure, headers: { Authorization: "Bearer ${bad_token}" } }
    expect: { status: 200 }
  - { name: second, request: { method: GET, path: /nowhere }, expect: { status: 200 } }
"#,
    );
    write(
        root,
        "beta/j_header.yaml",
        br#"
name: wrong header
steps:
  - name: h
    request: { method: POST, path: /echo, body: x, content_type: text/plain }
    expect: { status: 200, headers: { content-type: application/json } }
"#,
    );
    // Neither a root-level fixtures folder nor a loose file is a suite.
    write(root, "fixtures/never.yaml", b"name: never\nsteps: []\n");
    write(root, "loose.yaml", b"name: loose\nsteps: []\n");
}

fn options(base_url: String, root: &Path, suite: Option<&str>) -> Options {
    let vars = [
        ("greeting", "from-cli"),
        ("good_token", "right"),
        ("bad_token", SECRET),
    ];
    Options {
        base_url,
        root: root.to_path_buf(),
        suite: suite.map(str::to_owned),
        vars: vars
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        contracts: None,
        ca_cert: None,
    }
}

async fn run_to_text(opts: &Options) -> (Report, String) {
    let mut out = Vec::new();
    let report = run(opts, &mut out).await.expect("run");
    (report, String::from_utf8(out).expect("utf-8 output"))
}

#[tokio::test]
async fn passing_suite_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    tree(dir.path());
    let opts = options(serve().await, dir.path(), Some("alpha"));
    let (report, text) = run_to_text(&opts).await;
    let expected = "PASS alpha/01_flow.yaml (create and fetch)\n\
                    PASS alpha/02_upload.yml (multipart upload)\n\
                    PASS alpha/03_base64.yaml (base64 in a json body)\n\
                    PASS alpha/04_raw.yaml (raw bodies)\n\
                    4 passed, 0 failed\n";
    assert_eq!(text, expected);
    assert_eq!(
        report,
        Report {
            passed: 4,
            failed: 0
        }
    );
}

#[tokio::test]
async fn every_suite_with_failures() {
    let dir = tempfile::tempdir().expect("tempdir");
    tree(dir.path());
    let opts = options(serve().await, dir.path(), None);
    let (report, text) = run_to_text(&opts).await;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 15, "{text}");
    assert!(
        lines[..4].iter().all(|l| l.starts_with("PASS alpha/")),
        "{text}"
    );
    let beta = |i: usize| lines[4 + i];
    assert_eq!(
        beta(0),
        "FAIL beta/a_wrong_value.yaml (a_wrong_value): step \"get\": at /kind: expected \"visa\", got \"passport\""
    );
    assert!(beta(1).starts_with(
        "FAIL beta/b_missing_key.yaml (b_missing_key): step \"get\": at /nope: missing key"
    ));
    assert!(
        beta(2).contains("at /kind: expected key to be absent, got \"passport\""),
        "{}",
        beta(2)
    );
    assert!(
        beta(3).contains("at /items: expected an array of length 2, got length 3"),
        "{}",
        beta(3)
    );
    assert!(
        beta(4).contains("at /items/2: expected $string, got 3"),
        "{}",
        beta(4)
    );
    assert!(beta(5).starts_with("FAIL beta/f_unknown_var.yaml (unknown variable): step \"get\": "));
    assert!(
        beta(5).contains("unknown variable \"nobody\""),
        "{}",
        beta(5)
    );
    assert!(
        beta(6).starts_with("FAIL beta/g_broken.yaml: invalid case file")
            && beta(6).contains("line 3"),
        "{}",
        beta(6)
    );
    assert!(beta(7).contains("unknown variable \"id\""), "{}", beta(7));
    assert!(beta(8).starts_with(
        "FAIL beta/i_status.yaml (wrong status): step \"first\": expected status 200, got 401"
    ));
    assert!(beta(8).contains("unauthorized"), "{}", beta(8));
    assert!(
        beta(9).contains("header content-type: expected \"application/json\", got \"text/plain\""),
        "{}",
        beta(9)
    );
    assert_eq!(lines[14], "4 passed, 10 failed");
    assert!(!text.contains(SECRET), "a secret leaked: {text}");
    assert!(!text.contains("never") && !text.contains("loose"), "{text}");
    assert_eq!(
        report,
        Report {
            passed: 4,
            failed: 10
        }
    );
}

#[tokio::test]
async fn run_level_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    tree(dir.path());
    let base = "http://127.0.0.1:9".to_owned();
    let mut out = Vec::new();
    let unknown = run(&options(base.clone(), dir.path(), Some("gamma")), &mut out).await;
    assert!(unknown.unwrap_err().to_string().contains("gamma"));
    let missing = run(&options(base, &dir.path().join("absent"), None), &mut out).await;
    assert!(missing.is_err());
    assert!(out.is_empty());
}

#[tokio::test]
async fn unreachable_server_fails_cases_not_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "solo/a.yaml", b"name: a\nsteps:\n  - { name: s, request: { method: GET, path: x }, expect: { status: 200 } }\n");
    // Port 9 (discard) on loopback is essentially never listening.
    let opts = options("http://127.0.0.1:9".to_owned(), dir.path(), None);
    let (report, text) = run_to_text(&opts).await;
    assert!(
        text.starts_with("FAIL solo/a.yaml (a): step \"s\": "),
        "{text}"
    );
    assert!(text.ends_with("0 passed, 1 failed\n"), "{text}");
    assert_eq!(
        report,
        Report {
            passed: 0,
            failed: 1
        }
    );
}

#[test]
fn run_future_is_send() {
    fn assert_send<T: Send>(_: T) {}
    let opts = options(String::new(), Path::new("."), None);
    let mut out = Vec::new();
    assert_send(run(&opts, &mut out));
}

/// A server whose answer changes with time: each `GET /ticks` counts one more.
async fn ticking() -> String {
    let n = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let app =
        Router::new().route(
            "/ticks",
            get(move || {
                let n = n.clone();
                async move {
                    Json(json!({"n": n.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1}))
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_polling_step_resends_until_its_expectations_hold_or_time_runs_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "poll/01_reaches.yaml",
        b"name: reaches\nsteps:\n  - name: wait for the third tick\n    request: { method: GET, path: /ticks }\n    expect: { status: 200, json: { n: 3 } }\n    poll: { within_secs: 10, every_ms: 10 }\n    capture: { n: /n }\n  - name: captured from the passing answer\n    request: { method: GET, path: /ticks }\n    expect: { status: 200, json: { n: 4 } }\n",
    );
    write(
        dir.path(),
        "poll/02_gives_up.yaml",
        b"name: gives up\nsteps:\n  - name: never\n    request: { method: GET, path: /ticks }\n    expect: { status: 200, json: { n: 0 } }\n    poll: { within_secs: 1, every_ms: 50 }\n",
    );
    let opts = options(ticking().await, dir.path(), None);
    let (report, text) = run_to_text(&opts).await;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "PASS poll/01_reaches.yaml (reaches)", "{text}");
    assert!(
        lines[1].starts_with(
            "FAIL poll/02_gives_up.yaml (gives up): step \"never\": at /n: expected 0, got "
        ) && lines[1].ends_with("(still, after polling for 1s)"),
        "{text}"
    );
    assert_eq!(
        report,
        Report {
            passed: 1,
            failed: 1
        }
    );
}

/// `include:` runs a fragment's steps in the case's scope, `set:` overrides variables, and a
/// fragment's failure names the fragment.
#[tokio::test]
async fn fragments_share_the_case_scope_and_set_overrides() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "s/fragments/make.yaml",
        br#"steps:
  - name: make one
    request: { method: POST, path: /things, json: { n: "${n}", digits: "${digits:6}" } }
    expect: { status: 201, json: { input: { n: "${n}" }, missing: $none, note: $none } }
    capture: { id: /id }
"#,
    );
    write(
        dir.path(),
        "s/fragments/broken.yaml",
        b"steps:\n  - name: wrong kind\n    request: { method: GET, path: /things/x }\n    expect: { status: 200, json: { kind: visa } }\n",
    );
    write(
        dir.path(),
        "s/01_ok.yaml",
        br#"name: two makes
vars: { n: first }
steps:
  - include: fragments/make.yaml
  - set: { n: second, first_id: "${id}" }
  - include: fragments/make.yaml
  - name: the first still reads
    request: { method: GET, path: "/things/${first_id}" }
    expect: { status: 200, json: { id: "${first_id}" } }
"#,
    );
    write(
        dir.path(),
        "s/02_broken.yaml",
        b"name: broken\nsteps:\n  - include: fragments/broken.yaml\n",
    );
    let opts = options(serve().await, dir.path(), Some("s"));
    let (report, text) = run_to_text(&opts).await;
    assert!(text.contains("PASS s/01_ok.yaml (two makes)"), "{text}");
    assert!(
        text.contains(
            "FAIL s/02_broken.yaml (broken): step \"wrong kind\" (fragments/broken.yaml): at /kind"
        ),
        "{text}"
    );
    assert_eq!(report.failed, 1);
}

/// With contracts, a response that breaks its OpenAPI document fails the step even when the
/// case's own expectations hold.
#[tokio::test]
async fn a_response_that_breaks_its_contract_fails_the_step() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "s/01_fetch.yaml",
        b"name: fetch\nsteps:\n  - name: get\n    request: { method: GET, path: /things/x }\n    expect: { status: 200, json: { kind: passport } }\n",
    );
    let doc = |score_type: &str| {
        json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "servers": [{"url": "/"}],
            "paths": {"/things/{id}": {"get": {"responses": {"200": {"description": "a thing",
                "content": {"application/json": {"schema": {"type": "object",
                    "properties": {"score": {"type": score_type}}}}}}}}}}
        })
    };
    let base = serve().await;
    for (score_type, passes) in [("number", true), ("string", false)] {
        let mut opts = options(base.clone(), dir.path(), Some("s"));
        opts.contracts = Some(std::sync::Arc::new(idbridge::contract::Contracts::new(
            vec![("things".into(), doc(score_type))],
        )));
        let (report, text) = run_to_text(&opts).await;
        assert_eq!(report.passed == 1, passes, "{text}");
        if !passes {
            assert!(text.contains("breaks the OpenAPI contract"), "{text}");
            assert!(text.contains("/score"), "{text}");
        }
    }
}
