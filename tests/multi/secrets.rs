//! Secrets never leak (issue 19, "Reliability campaigns").
//!
//! One `idbridge serve` process, logging at `debug` (and `trace` for idbridge itself): every
//! line an operator could turn on. A whole session runs through the five vendor APIs and the
//! admin API with recognisable secrets and personal data (every one carries `Qx7Lm`, or is a
//! token the server minted): names, document numbers, an e-mail address, API keys, passwords,
//! JWTs (MasStack assertions and access tokens, Jumio's `sdk.token`), B2Core and Jumio tokens,
//! a service account's private key, the master key, and file bytes (a marker inside each
//! image). It also makes the failing requests where leaks hide: wrong keys, tokens and
//! passwords carrying a marker, invalid fields carrying a document number or a name, files
//! of the wrong type carrying a marker.
//!
//! Then it searches the server's log, `/metrics`, and every 4xx answer (head and body) for
//! each secret: raw, and base64-encoded (standard and URL-safe alphabets) at each of the
//! three alignments. It finds none. Nor does it find, in any file of the data directory
//! (the database, its WAL, the blobs), a file's bytes, a key, a password or a token: only the
//! personal data the writes keep. A 2xx answer that returns the caller's own data (a
//! document's number to its owner) is not a leak and is not searched, except to prove that
//! the search sees data in each form it looks for.

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::GeneralPurpose;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::common::png_header;
use crate::harness::{self, MASTER_KEY, PUBLIC_BASE, Starting};

/// nCore and PassFort key.
const API_KEY: &str = "ApiKey-Qx7Lm-ncore-passfort-29Vt";
/// MasStack's static key.
const MASSTACK_KEY: &str = "MsKey-Qx7Lm-static-41Wd";
/// Admin key.
const ADMIN_KEY: &str = "AdminKey-Qx7Lm-63Pz";
/// Jumio OAuth2 client (the id is not secret).
const JUMIO_CLIENT: &str = "jumio-client-alpha";
const JUMIO_SECRET: &str = "JumioSecret-Qx7Lm-88Rk";
/// Jumio's HTTP Basic pair.
const JUMIO_API_TOKEN: &str = "jumio-api-alpha";
const JUMIO_API_SECRET: &str = "JumioApiSecret-Qx7Lm-52Hb";
/// The back-office user.
const BO_EMAIL: &str = "ops@alpha.test";
const BO_PASSWORD: &str = "BackofficePw-Qx7Lm-17Ns";
const UA: &str = "idbridge-tests SecretsSuite/v1.0";
/// The request id of the session's last request: its log line says the log is complete.
const LAST_REQUEST: &str = "secrets-session-last-request";

/// One secret and what it is.
struct Secret {
    what: String,
    raw: Vec<u8>,
    /// Personal data a write keeps: it may sit in the store's metadata (never in a log,
    /// `/metrics` or an error answer).
    kept: bool,
}

/// Where a secret might turn up, and in which form.
struct Needle {
    what: String,
    form: String,
    bytes: Vec<u8>,
}

/// The texts that must appear in any text holding `secret`: the secret itself, and for each
/// base64 alphabet and each of the three alignments (the secret preceded by 0, 1 or 2 other
/// bytes), the part of the encoding made of the secret's bytes alone.
fn encodings(secret: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![("raw".to_owned(), secret.to_vec())];
    let alphabets: [(&str, &GeneralPurpose); 2] = [("base64", &B64), ("base64url", &B64URL)];
    for k in 0..3usize {
        let mut shifted = vec![0u8; k];
        shifted.extend_from_slice(secret);
        // Whole 3-byte groups of the secret start at byte `k.div_ceil(3) * 3`.
        let start = k.div_ceil(3) * 4;
        let end = (k + secret.len()) / 3 * 4;
        for (name, engine) in alphabets {
            let text = engine.encode(&shifted);
            let stable = text.as_bytes()[start..end].to_vec();
            assert!(stable.len() >= 8, "a secret too short to find in base64");
            if !out.iter().any(|(_, b)| *b == stable) {
                out.push((format!("{name}, offset {k}"), stable));
            }
        }
    }
    out
}

/// Everything the session must keep to itself.
#[derive(Default)]
struct Secrets(Vec<Secret>);

impl Secrets {
    fn add(&mut self, what: &str, raw: impl AsRef<[u8]>) {
        self.0.push(Secret {
            what: what.to_owned(),
            raw: raw.as_ref().to_vec(),
            kept: false,
        });
    }

    /// Personal data that a successful write keeps in the store.
    fn personal(&mut self, what: &str, raw: impl AsRef<[u8]>) {
        self.add(what, raw);
        if let Some(s) = self.0.last_mut() {
            s.kept = true;
        }
    }

    fn needles(&self) -> Vec<Needle> {
        self.needles_of(|_| true)
    }

    /// The needles of the secrets `keep` selects.
    fn needles_of(&self, keep: impl Fn(&Secret) -> bool) -> Vec<Needle> {
        self.0
            .iter()
            .filter(|s| keep(s))
            .flat_map(|s| {
                encodings(&s.raw).into_iter().map(|(form, bytes)| Needle {
                    what: s.what.clone(),
                    form,
                    bytes,
                })
            })
            .collect()
    }
}

fn position(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Each needle found in `text`, named with its form, `place` and a little context.
fn found(needles: &[Needle], place: &str, text: &[u8]) -> Vec<String> {
    needles
        .iter()
        .filter_map(|n| {
            let at = position(text, &n.bytes)?;
            let from = at.saturating_sub(60);
            let to = (at + n.bytes.len() + 60).min(text.len());
            Some(format!(
                "{} ({}) in {place}: …{}…",
                n.what,
                n.form,
                String::from_utf8_lossy(&text[from..to])
            ))
        })
        .collect()
}

/// A PNG every vendor takes (1000 × 700 by its header) whose bytes carry `marker`.
fn marked_png(marker: &str) -> Vec<u8> {
    let mut v = png_header(1000, 700);
    for _ in 0..4 {
        v.extend_from_slice(marker.as_bytes());
        v.extend((0..97u8).map(|i| i.wrapping_mul(31)));
    }
    v
}

/// A text file (a type no vendor takes) made of `marker`.
fn marked_text(marker: &str) -> Vec<u8> {
    format!("{marker}\n{marker}\n").into_bytes()
}

fn data_uri(bytes: &[u8]) -> String {
    format!("data:image/png;base64,{}", B64.encode(bytes))
}

/// The check letter of a Spanish NIF.
fn nif(digits: u32) -> String {
    let letters = b"TRWAGMYFPDXBNJZSQVHLCKE";
    format!("{digits:08}{}", letters[(digits % 23) as usize] as char)
}

/// The node's configuration: one tenant with every kind of credential, and a back-office
/// user whose password hash is `bo_hash`.
fn config_toml(data: &Path, storage: &str, bo_hash: &str) -> String {
    format!(
        r#"[server]
listen = "127.0.0.1:0"
public_base_url = "{PUBLIC_BASE}"
shutdown_grace_secs = 1

[storage]
data_dir = {data:?}
master_key = "{MASTER_KEY}"
{storage}
[[tenants]]
id = "alpha"
api_keys = ["{API_KEY}"]
masstack_keys = ["{MASSTACK_KEY}"]
masstack_orgs = ["org-alpha"]
jumio = {{ client_id = "{JUMIO_CLIENT}", client_secret = "{JUMIO_SECRET}", api_token = "{JUMIO_API_TOKEN}", api_secret = "{JUMIO_API_SECRET}" }}
b2core_backoffice = [{{ email = "{BO_EMAIL}", password_hash = "{bo_hash}" }}]

[[admin_keys]]
tenant = "alpha"
key = "{ADMIN_KEY}"

[adapters.passfort]
enabled = true
prefix = "/4.0"

[adapters.jumio]
enabled = true
prefix = ""
callback_hosts = ["127.0.0.1"]
"#,
        data = data.display().to_string(),
    )
}

/// A client session against the node: every 4xx answer it gets is kept for the search, and
/// a 5xx fails the test.
struct Session {
    http: reqwest::Client,
    base: String,
    /// (which request, status, head and body) of every 4xx answer.
    refusals: Vec<(String, Vec<u8>)>,
}

impl Session {
    fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("user-agent", UA)
    }

    /// Sends `req`: the status and the body.
    async fn send(&mut self, what: &str, req: RequestBuilder) -> (StatusCode, Vec<u8>) {
        let res = req.send().await.unwrap();
        let status = res.status();
        let mut text = format!("{status}\n").into_bytes();
        for (name, value) in res.headers() {
            text.extend_from_slice(format!("{name}: ").as_bytes());
            text.extend_from_slice(value.as_bytes());
            text.push(b'\n');
        }
        let body = res.bytes().await.unwrap().to_vec();
        assert!(
            !status.is_server_error(),
            "{what}: {status}: {}",
            String::from_utf8_lossy(&body)
        );
        if status.is_client_error() {
            text.extend_from_slice(&body);
            self.refusals.push((what.to_owned(), text));
        }
        (status, body)
    }

    /// Sends `req`, which must answer `want`; its JSON body (`Null` when empty).
    async fn expect(&mut self, what: &str, req: RequestBuilder, want: u16) -> Value {
        let (status, body) = self.send(what, req).await;
        assert_eq!(
            status.as_u16(),
            want,
            "{what}: {}",
            String::from_utf8_lossy(&body)
        );
        if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {body:?}"))
        }
    }
}

/// Asserts a refusal's body names `field`, in whichever place its vendor names fields.
fn names_field(body: &Value, field: &str, what: &str) {
    let text = body.to_string();
    assert!(
        text.contains(field),
        "{what}: the refusal names no {field}: {body}"
    );
}

#[tokio::test]
async fn no_secret_reaches_a_log_line_metrics_or_an_error_body() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let storage = harness::storage_toml(&data).await;
    let bo_hash = idbridge::auth::password::hash(BO_PASSWORD.into())
        .await
        .unwrap();
    let config = dir.path().join("idbridge.toml");
    std::fs::write(&config, config_toml(&data, &storage, &bo_hash)).unwrap();
    let node = Starting::logging(&config, "debug,idbridge=trace")
        .listening()
        .await;
    let http = idbridge::http::client_builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    node.wait_ready(&http, "the node").await;
    let mut s = Session {
        http,
        base: node.base.clone(),
        refusals: Vec::new(),
    };
    let mut secrets = Secrets::default();
    for (what, raw) in [
        ("the nCore/PassFort API key", API_KEY),
        ("the MasStack key", MASSTACK_KEY),
        ("the admin key", ADMIN_KEY),
        ("the Jumio client secret", JUMIO_SECRET),
        ("the Jumio API secret", JUMIO_API_SECRET),
        ("the back-office password", BO_PASSWORD),
        ("the master key", MASTER_KEY),
    ] {
        secrets.add(what, raw);
    }

    let (subject, service_account, client_id) = admin(&mut s, &mut secrets).await;
    mydocs(&mut s, &mut secrets, client_id).await;
    ncore(&mut s, &mut secrets, &subject).await;
    passfort(&mut s, &mut secrets).await;
    masstack(&mut s, &mut secrets, &service_account).await;
    jumio(&mut s, &mut secrets).await;

    let metrics = s.req(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    let metrics = metrics.bytes().await.unwrap().to_vec();
    assert!(
        position(&metrics, b"http_requests_total").is_some(),
        "no request counts in /metrics"
    );
    // The last request's line at debug level says every earlier line has been read.
    let last = s
        .req(Method::GET, "/healthz")
        .header("x-request-id", LAST_REQUEST);
    s.expect("the last request", last, 200).await;
    let log = harness::eventually("the last request's log line", || {
        let lines = node.log_lines();
        async move {
            lines
                .iter()
                .any(|l| l.contains(LAST_REQUEST))
                .then_some(lines)
        }
    })
    .await;
    // The search reads what an operator at debug level reads: the requests, idbridge's own
    // lines and its dependencies'.
    assert!(log.iter().any(|l| l.contains("DEBUG")), "no debug lines");
    assert!(
        log.iter().any(|l| l.contains("idbridge")),
        "no line of idbridge's own"
    );

    let needles = secrets.needles();
    let mut leaks = Vec::new();
    for (i, line) in log.iter().enumerate() {
        leaks.extend(found(&needles, &format!("log line {i}"), line.as_bytes()));
    }
    leaks.extend(found(&needles, "/metrics", &metrics));
    for (what, answer) in &s.refusals {
        leaks.extend(found(&needles, &format!("the refusal of {what}"), answer));
    }
    // At rest: blobs hold no plaintext window of a file, and nothing but personal data a
    // write keeps (no key, password, token or file byte) is in any file of the data
    // directory (the database and its WAL, the blobs), raw or in base64.
    let at_rest = secrets.needles_of(|s| !s.kept);
    let kept = secrets.needles_of(|s| s.kept);
    let (mut files, mut kept_found) = (0, 0);
    for path in files_under(&data) {
        files += 1;
        let bytes = std::fs::read(&path).unwrap_or_default();
        leaks.extend(found(&at_rest, &path.display().to_string(), &bytes));
        kept_found += found(&kept, "", &bytes).len();
    }
    // The search reads what is stored: with the embedded database, the personal data.
    if data.join("idbridge.db").exists() {
        assert!(
            kept_found > 0,
            "no personal data found in the data directory"
        );
    }
    println!(
        "secrets: {} secrets ({} needles) searched in {} log lines, /metrics ({} bytes), {} refusals and {files} stored files: {} found",
        secrets.0.len(),
        needles.len(),
        log.len(),
        metrics.len(),
        s.refusals.len(),
        leaks.len()
    );
    assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// The search finds `secret`'s `form` in `answer` (a 2xx answer of the caller's own data):
/// proof that it sees data in the shape answers carry it.
fn sees(secret: &str, raw: &[u8], form: &str, answer: &[u8]) {
    let needles: Vec<Needle> = encodings(raw)
        .into_iter()
        .filter(|(f, _)| f.starts_with(form))
        .map(|(form, bytes)| Needle {
            what: secret.to_owned(),
            form,
            bytes,
        })
        .collect();
    assert!(
        !found(&needles, "an answer", answer).is_empty(),
        "the search does not find {secret} as {form} in its owner's answer"
    );
}

/// The admin API: a subject, a B2Core client token and sign-in account (password set, then
/// reset), a MasStack service account; and refusals carrying a key, a password, an e-mail.
/// Answers the subject id, the service-account file and the client account's number.
async fn admin(s: &mut Session, secrets: &mut Secrets) -> (String, Value, i64) {
    let admin = |s: &Session, method: Method, path: &str, key: &str| {
        s.req(method, &format!("/admin/v1{path}")).bearer_auth(key)
    };
    let created = admin(s, Method::POST, "/subjects", ADMIN_KEY).json(&json!({}));
    let subject = s.expect("admin: create a subject", created, 201).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mint = admin(
        s,
        Method::POST,
        &format!("/subjects/{subject}/client-tokens"),
        ADMIN_KEY,
    )
    .json(&json!({}));
    let minted = s.expect("admin: mint a client token", mint, 201).await;
    secrets.add(
        "an admin-minted B2Core client token",
        minted["token"].as_str().unwrap(),
    );

    let wrong = "WrongAdminKey-Qx7Lm-80Fa";
    secrets.add("a wrong admin key", wrong);
    let body = s
        .expect(
            "admin with a wrong key",
            admin(s, Method::GET, "/subjects", wrong),
            401,
        )
        .await;
    assert_eq!(body["error"]["code"], "unauthorized", "{body}");

    let accounts = format!("/subjects/{subject}/client-accounts");
    let email = "quinn.qx7lm@example.com";
    let password = "ClientPw-Qx7Lm-first";
    secrets.personal("the client's e-mail address", email);
    secrets.add("the client's first password", password);
    let too_long = format!("TooLongPw-Qx7Lm-{}", "x".repeat(130));
    secrets.add("a refused (too long) password", &too_long);
    let bad = admin(s, Method::POST, &accounts, ADMIN_KEY)
        .json(&json!({"email": email, "password": too_long}));
    let body = s.expect("admin: a too long password", bad, 400).await;
    names_field(&body, "password", "admin: a too long password");
    let bad_email = "GivenAdminQx7Lm at nowhere";
    secrets.add("a refused e-mail address (a name)", bad_email);
    let bad = admin(s, Method::POST, &accounts, ADMIN_KEY)
        .json(&json!({"email": bad_email, "password": password}));
    let body = s.expect("admin: a malformed e-mail", bad, 400).await;
    names_field(&body, "email", "admin: a malformed e-mail");
    let made = admin(s, Method::POST, &accounts, ADMIN_KEY)
        .json(&json!({"email": email, "password": password}));
    let account = s.expect("admin: a client account", made, 201).await;
    let reset_to = "ClientPw-Qx7Lm-second";
    secrets.add("the client's second password", reset_to);
    let reset = admin(
        s,
        Method::PUT,
        &format!("{accounts}/{}/password", account["id"].as_str().unwrap()),
        ADMIN_KEY,
    )
    .json(&json!({"password": reset_to}));
    s.expect("admin: a password reset", reset, 200).await;

    let sa = admin(s, Method::POST, "/service-accounts", ADMIN_KEY).json(&json!({}));
    let sa = s.expect("admin: a service account", sa, 201).await;
    let pem = sa["private_key"].as_str().unwrap();
    // Two lines from the middle of the key: any copy of the key holds them.
    let lines: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    secrets.add(
        "the service account's private key",
        lines[lines.len() / 2..lines.len() / 2 + 2].concat(),
    );
    (subject, sa, account["client_id"].as_i64().unwrap())
}

/// B2Core: a client signs in (after a wrong password), uploads, adds a document inline,
/// refreshes, signs out; the back office signs in (after a wrong password) and lists.
async fn mydocs(s: &mut Session, secrets: &mut Secrets, client_id: i64) {
    let fingerprint = B64.encode(json!({"user_agent": UA}).to_string());
    let wizard = |s: &Session| s.req(Method::GET, "/api/v2/my/signin/wizard");
    let sign_in = async |s: &mut Session, password: &str, want: u16| {
        let uuid = s.expect("mydocs: the sign-in wizard", wizard(s), 200).await["uuid"]
            .as_str()
            .unwrap()
            .to_owned();
        let body = json!({"uuid": uuid, "email": "quinn.qx7lm@example.com",
            "password": password, "device_fingerprint": fingerprint});
        let req = s.req(Method::POST, "/api/v2/my/signin").json(&body);
        s.expect("mydocs: a sign-in", req, want).await
    };
    let wrong = "WrongClientPw-Qx7Lm-guess";
    secrets.add("a wrong client password", wrong);
    let body = sign_in(s, wrong, 401).await;
    assert_eq!(body["code"], 401, "{body}");
    let first = sign_in(s, "ClientPw-Qx7Lm-second", 200).await;
    let access = first["accessToken"]["token"].as_str().unwrap().to_owned();
    let refresh = first["refreshToken"]["token"].as_str().unwrap().to_owned();
    secrets.add("a B2Core access token", &access);
    secrets.add("a B2Core refresh token", &refresh);

    let upload_png = marked_png("FileBytes-Qx7Lm-mydocs-upload");
    secrets.add("an uploaded file's bytes", "FileBytes-Qx7Lm-mydocs-upload");
    let form = Form::new().part(
        "file",
        Part::bytes(upload_png).file_name("front.png".to_owned()),
    );
    let up = s
        .req(Method::POST, "/api/v2/my/files")
        .bearer_auth(&access)
        .multipart(form);
    let path = s.expect("mydocs: an upload", up, 201).await["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let inline = marked_png("FileBytes-Qx7Lm-mydocs-inline");
    secrets.add("an inline file's bytes", "FileBytes-Qx7Lm-mydocs-inline");
    let add = s
        .req(Method::POST, "/api/v2/my/documents")
        .bearer_auth(&access)
        .json(&json!({"typeID": 2, "file": [path, data_uri(&inline)]}));
    let doc = s.expect("mydocs: a document", add, 201).await;
    let link = doc["files"][1]["downloadUrl"].as_str().unwrap();
    let link = link.strip_prefix(PUBLIC_BASE).unwrap();
    let download = s.req(Method::GET, link).bearer_auth(&access);
    let (status, bytes) = s.send("mydocs: a download", download).await;
    assert_eq!(status, StatusCode::OK);
    sees(
        "an inline file's bytes",
        b"FileBytes-Qx7Lm-mydocs-inline",
        "raw",
        &bytes,
    );

    let garbage = "data:image/png;base64,FileGarbage-Qx7Lm-not*base64";
    secrets.add("an inline file that is not base64", "FileGarbage-Qx7Lm-not");
    let add = s
        .req(Method::POST, "/api/v2/my/documents")
        .bearer_auth(&access)
        .json(&json!({"typeID": 1, "file": [garbage]}));
    let body = s.expect("mydocs: invalid base64", add, 400).await;
    names_field(&body, "file", "mydocs: invalid base64");
    secrets.add("a text file's bytes", "FileText-Qx7Lm-mydocs");
    let form = Form::new().part(
        "file",
        Part::bytes(marked_text("FileText-Qx7Lm-mydocs")).file_name("notes.png".to_owned()),
    );
    let up = s
        .req(Method::POST, "/api/v2/my/files")
        .bearer_auth(&access)
        .multipart(form);
    s.expect("mydocs: a text file", up, 415).await;
    let guess = "BearerGuess-Qx7Lm-mydocs";
    secrets.add("a guessed B2Core token", guess);
    let list = s
        .req(Method::GET, "/api/v2/my/documents")
        .bearer_auth(guess);
    s.expect("mydocs: a guessed token", list, 401).await;
    let guess = "RefreshGuess-Qx7Lm-mydocs";
    secrets.add("a guessed refresh token", guess);
    let req = s
        .req(Method::POST, "/api/v2/my/refresh")
        .json(&json!({"refreshToken": guess}));
    s.expect("mydocs: a guessed refresh token", req, 401).await;

    let req = s
        .req(Method::POST, "/api/v2/my/refresh")
        .json(&json!({"refreshToken": refresh}));
    let second = s.expect("mydocs: a refresh", req, 200).await;
    let access = second["accessToken"]["token"].as_str().unwrap().to_owned();
    secrets.add("a refreshed B2Core access token", &access);
    secrets.add(
        "a refreshed B2Core refresh token",
        second["refreshToken"]["token"].as_str().unwrap(),
    );
    let out = s
        .req(Method::POST, "/api/v2/my/signout")
        .bearer_auth(&access);
    s.expect("mydocs: a sign-out", out, 204).await;
    let list = s
        .req(Method::GET, "/api/v2/my/documents")
        .bearer_auth(&access);
    s.expect("mydocs: a signed-out token", list, 401).await;

    let wrong = "WrongBackofficePw-Qx7Lm";
    secrets.add("a wrong back-office password", wrong);
    for (password, want) in [(wrong, 401), (BO_PASSWORD, 200)] {
        let req = s
            .req(Method::POST, "/api/v2/signin")
            .json(&json!({"email": BO_EMAIL, "password": password}));
        let body = s.expect("mydocs: a back-office sign-in", req, want).await;
        if want == 200 {
            let token = body["accessToken"]["token"].as_str().unwrap().to_owned();
            secrets.add("a back-office access token", &token);
            secrets.add(
                "a back-office refresh token",
                body["refreshToken"]["token"].as_str().unwrap(),
            );
            let list = s
                .req(
                    Method::GET,
                    &format!("/api/v2/documents?filter[clientId]={client_id}"),
                )
                .bearer_auth(&token);
            s.expect("mydocs: the back office's list", list, 200).await;
        }
    }
}

/// nCore: a user with names, an identification with a number, a file; refusals with a
/// wrong key, invalid fields carrying the number, a text file.
async fn ncore(s: &mut Session, secrets: &mut Secrets, subject: &str) {
    let ncore = |s: &Session, method: Method, path: &str| {
        s.req(method, &format!("/v1{path}"))
            .header("apikey", API_KEY)
    };
    let number = "NCQX7LMP4417";
    secrets.personal("the nCore document number", number);
    for (what, name) in [
        ("the nCore user's first name", "GivenNcoreQx7Lm"),
        ("the nCore user's last name", "FamilyNcoreQx7Lm"),
        ("the nCore user's e-mail", "sara.qx7lm@example.com"),
        ("the nCore issuing authority", "AuthorityNcoreQx7Lm"),
    ] {
        secrets.personal(what, name);
    }
    let user = json!({
        "user_type": "INDIVIDUAL", "title": "MRS", "first_name": "GivenNcoreQx7Lm",
        "last_name": "FamilyNcoreQx7Lm", "date_of_birth": "1989-11-07",
        "email": "sara.qx7lm@example.com", "mobile": "+551185249635", "gender": "FEMALE",
        "nationality": "USA",
    });
    let mut bad = user.clone();
    bad["date_of_birth"] = json!("GivenNcoreQx7Lm");
    let body = s
        .expect(
            "nCore: a user with a name for a birth date",
            ncore(s, Method::POST, "/users").json(&bad),
            400,
        )
        .await;
    assert_eq!(body["status"], 400, "{body}");
    let made = s
        .expect(
            "nCore: a user",
            ncore(s, Method::POST, "/users").json(&user),
            200,
        )
        .await;
    let user_id = made["id"].as_str().unwrap_or(subject).to_owned();

    let idents = format!("/users/{user_id}/identifications");
    let wrong = "WrongApiKey-Qx7Lm-ncore";
    secrets.add("a wrong nCore key", wrong);
    let req = s
        .req(Method::GET, &format!("/v1{idents}"))
        .header("apikey", wrong);
    let body = s.expect("nCore: a wrong key", req, 401).await;
    assert_eq!(body["code"], "UNAUTHORIZED", "{body}");
    for (what, body) in [
        (
            "nCore: a number for a type",
            json!({"type": number, "number": number}),
        ),
        (
            "nCore: a number for a date",
            json!({"type": "PASSPORT", "number": number, "expiration_date": number}),
        ),
        (
            "nCore: a number that is not a string",
            json!({"type": "PASSPORT", "number": {"value": number}}),
        ),
    ] {
        let req = ncore(s, Method::POST, &idents).json(&body);
        let body = s.expect(what, req, 400).await;
        assert_eq!(body["status"], 400, "{what}: {body}");
    }
    let req = ncore(s, Method::POST, &idents).json(&json!({
        "type": "PASSPORT", "number": number, "issuance_authority": "AuthorityNcoreQx7Lm",
        "expiration_date": "2031-09-20T10:10:40.182Z",
    }));
    let ident = s.expect("nCore: an identification", req, 200).await;
    let id = ident["id"].as_str().unwrap().to_owned();
    let read = s
        .send(
            "nCore: the identification",
            ncore(s, Method::GET, &format!("{idents}/{id}")),
        )
        .await;
    sees(
        "the nCore document number",
        number.as_bytes(),
        "raw",
        &read.1,
    );

    let files = format!("{idents}/{id}/files");
    secrets.add("an nCore file's bytes", "FileBytes-Qx7Lm-ncore");
    secrets.add("an nCore text file's bytes", "FileText-Qx7Lm-ncore");
    let upload = |s: &Session, bytes: Vec<u8>, name: &str| {
        let form = Form::new()
            .text("identification_document_type", "PASSPORT_PAGE1")
            .part("file", Part::bytes(bytes).file_name(name.to_owned()));
        ncore(s, Method::PUT, &files).multipart(form)
    };
    let req = upload(s, marked_text("FileText-Qx7Lm-ncore"), "page.png");
    s.expect("nCore: a text file", req, 415).await;
    let req = upload(s, marked_png("FileBytes-Qx7Lm-ncore"), "page.png");
    s.expect("nCore: a file", req, 200).await;
}

/// PassFort: a profile with names, images and a file in base64, a document with a number;
/// refusals with wrong keys (header and query), invalid fields carrying the number or a name,
/// base64 that is not, a text file.
async fn passfort(s: &mut Session, secrets: &mut Secrets) {
    let pf = |s: &Session, method: Method, path: &str| {
        s.req(method, &format!("/4.0{path}"))
            .header("apikey", API_KEY)
    };
    let number = "PFQX7LMD4417";
    secrets.personal("the PassFort document number", number);
    secrets.personal("the PassFort given name", "GivenPassfortQx7Lm");
    secrets.personal("the PassFort family name", "FamilyPassfortQx7Lm");
    let profile = |dob: &str| {
        json!({
            "role": "INDIVIDUAL_CUSTOMER",
            "collected_data": {"entity_type": "INDIVIDUAL", "personal_details": {
                "name": {"given_names": ["GivenPassfortQx7Lm"], "family_name": "FamilyPassfortQx7Lm"},
                "dob": dob,
            }},
        })
    };
    for (what, wrong, query) in [
        ("PassFort: a wrong key", "WrongApiKey-Qx7Lm-pfheader", false),
        (
            "PassFort: a wrong key in the query",
            "WrongApiKey-Qx7Lm-pfquery",
            true,
        ),
    ] {
        secrets.add(what, wrong);
        let req = if query {
            s.req(Method::GET, &format!("/4.0/profiles?apikey={wrong}"))
        } else {
            s.req(Method::GET, "/4.0/profiles").header("apikey", wrong)
        };
        let body = s.expect(what, req, 401).await;
        assert_eq!(body["errors"][0]["code"], 204, "{what}: {body}");
    }
    let req = pf(s, Method::POST, "/profiles").json(&profile("GivenPassfortQx7Lm"));
    let body = s
        .expect("PassFort: a name for a birth date", req, 400)
        .await;
    assert_eq!(body["errors"][0]["code"], 201, "{body}");
    let req = pf(s, Method::POST, "/profiles").json(&profile("1980-02-03"));
    let made = s.expect("PassFort: a profile", req, 200).await;
    let p = made["id"].as_str().unwrap().to_owned();

    secrets.add("a PassFort image's bytes", "FileBytes-Qx7Lm-pfimage");
    secrets.add("a PassFort file's bytes", "FileBytes-Qx7Lm-pffile");
    secrets.add("a PassFort text image's bytes", "FileText-Qx7Lm-pfimage");
    secrets.add(
        "PassFort image data that is not base64",
        "FileGarbage-Qx7Lm-pf",
    );
    let images = format!("/profiles/{p}/document_images");
    for (what, data, want) in [
        (
            "PassFort: a text image",
            B64.encode(marked_text("FileText-Qx7Lm-pfimage")),
            415,
        ),
        (
            "PassFort: image data that is not base64",
            "FileGarbage-Qx7Lm-pf*not*base64".to_owned(),
            400,
        ),
    ] {
        let req = pf(s, Method::POST, &images).json(&json!({"data": data, "image_type": "FRONT"}));
        let body = s.expect(what, req, want).await;
        assert!(body["errors"][0]["message"].is_string(), "{what}: {body}");
    }
    let png = marked_png("FileBytes-Qx7Lm-pfimage");
    let req = pf(s, Method::POST, &images)
        .json(&json!({"data": B64.encode(&png), "image_type": "FRONT"}));
    let image = s.expect("PassFort: an image", req, 200).await;
    let documents = format!("/profiles/{p}/collected_data/documents");
    let document = |document_type: &str| {
        json!({
            "category": "PROOF_OF_IDENTITY", "document_type": document_type,
            "images": [{"id": image["id"]}], "extracted_data": {"number": number},
        })
    };
    let req = pf(s, Method::POST, &documents).json(&document(number));
    let body = s.expect("PassFort: a number for a type", req, 400).await;
    assert_eq!(body["errors"][0]["code"], 201, "{body}");
    let req = pf(s, Method::POST, &documents).json(&document("DRIVING_LICENCE"));
    s.expect("PassFort: a document", req, 200).await;
    let file = marked_png("FileBytes-Qx7Lm-pffile");
    let req = pf(s, Method::POST, &format!("/profiles/{p}/files"))
        .json(&json!({"data": B64.encode(&file), "name": "scan.png"}));
    let added = s.expect("PassFort: a file", req, 200).await;
    let read = s
        .send(
            "PassFort: the file",
            pf(
                s,
                Method::GET,
                &format!("/profiles/{p}/files/{}", added["id"].as_str().unwrap()),
            ),
        )
        .await;
    sees(
        "a PassFort file's bytes",
        b"FileBytes-Qx7Lm-pffile",
        "base64,",
        &read.1,
    );
}

/// MasStack: a service account's assertion traded for an access token, an identification
/// with names and a NIF through it and through the static key; refusals with a forged and a
/// malformed assertion, a wrong key, an invalid NIF, a name too long.
async fn masstack(s: &mut Session, secrets: &mut Secrets, sa: &Value) {
    let field = |name: &str| sa[name].as_str().unwrap().to_owned();
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": field("client_email"), "aud": field("token_uri"), "iat": now, "exp": now + 3600,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(field("private_key_id"));
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(field("private_key").as_bytes()).unwrap();
    let assertion = jsonwebtoken::encode(&header, &claims, &key).unwrap();
    secrets.add("a MasStack assertion", &assertion);
    // The signature kept, the claims changed: a forgery naming someone.
    let mut forged_claims = claims.clone();
    forged_claims["iss"] = json!("forged.qx7lm@example.com");
    let parts: Vec<&str> = assertion.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        B64URL.encode(forged_claims.to_string()),
        parts[2]
    );
    secrets.add("a forged MasStack assertion", &forged);
    secrets.add("a forged assertion's issuer", "forged.qx7lm@example.com");
    secrets.add("a malformed MasStack assertion", "NotAJwt-Qx7Lm-assertion");
    let token = |s: &Session, assertion: &str| {
        s.req(Method::POST, "/v1/oauth2/token").form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion),
        ])
    };
    for (what, bad, error) in [
        (
            "MasStack: a forged assertion",
            forged.as_str(),
            "invalid_grant",
        ),
        (
            "MasStack: a malformed assertion",
            "NotAJwt-Qx7Lm-assertion",
            "invalid_request",
        ),
    ] {
        let body = s.expect(what, token(s, bad), 400).await;
        assert_eq!(body["error"], error, "{what}: {body}");
    }
    let granted = s
        .expect("MasStack: a token", token(s, &assertion), 200)
        .await;
    let access = granted["access_token"].as_str().unwrap().to_owned();
    secrets.add("a MasStack access token", &access);

    let number = nif(73_918_264);
    secrets.personal("the MasStack NIF", &number);
    secrets.personal("the MasStack name", "GivenMasstackQx7Lm");
    secrets.personal("the MasStack last name", "FamilyMasstackQx7Lm");
    let malformed = "MSQX7LM73918264/X";
    secrets.add("an invalid MasStack document number", malformed);
    let path = "/v1/orgs/org-alpha/identifications/identity_document";
    let body = |name: &str, number: &str, document_type: &str| {
        json!({
            "name": name, "last_name": "FamilyMasstackQx7Lm",
            "identity_document": {"document_number": number, "document_type": document_type, "country": "ES"},
            "configuration_name": "LOW",
        })
    };
    let wrong = "WrongMsKey-Qx7Lm-bearer";
    secrets.add("a wrong MasStack key", wrong);
    let req = s
        .req(Method::POST, path)
        .bearer_auth(wrong)
        .json(&body("x", &number, "NIF"));
    s.expect("MasStack: a wrong key", req, 401).await;
    let long = format!("GivenMasstackQx7Lm{}", "y".repeat(120));
    for (what, name, number, document_type, field) in [
        (
            "MasStack: an invalid number",
            "GivenMasstackQx7Lm",
            malformed,
            "NIF",
            "document_number",
        ),
        (
            "MasStack: a number for a type",
            "GivenMasstackQx7Lm",
            number.as_str(),
            number.as_str(),
            "document_type",
        ),
        (
            "MasStack: a name too long",
            long.as_str(),
            number.as_str(),
            "NIF",
            "name",
        ),
    ] {
        let req =
            s.req(Method::POST, path)
                .bearer_auth(&access)
                .json(&body(name, number, document_type));
        let body = s.expect(what, req, 400).await;
        assert!(body["errors"][0]["code"].is_string(), "{what}: {body}");
        names_field(&body, field, what);
    }
    let req = s.req(Method::POST, path).bearer_auth(&access).json(&body(
        "GivenMasstackQx7Lm",
        &number,
        "NIF",
    ));
    s.expect("MasStack: an identification", req, 200).await;
    let req = s.req(Method::GET, path).bearer_auth(MASSTACK_KEY);
    s.expect("MasStack: the list with the static key", req, 200)
        .await;
}

/// Jumio: an access token, an account, parts sent with the `api.token` and the `sdk.token`,
/// prefilled data, finalize, retrieval with HTTP Basic; refusals with a wrong secret, wrong
/// tokens, an invalid prefill carrying the number, a text file.
async fn jumio(s: &mut Session, secrets: &mut Secrets) {
    let wrong = "WrongJumioSecret-Qx7Lm";
    secrets.add("a wrong Jumio client secret", wrong);
    let token = |s: &Session, secret: &str| {
        s.req(Method::POST, "/oauth2/token")
            .basic_auth(JUMIO_CLIENT, Some(secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
    };
    let body = s
        .expect("Jumio: a wrong secret", token(s, wrong), 401)
        .await;
    assert_eq!(body["status"], 401, "{body}");
    let granted = s
        .expect("Jumio: a token", token(s, JUMIO_SECRET), 200)
        .await;
    let access = granted["access_token"].as_str().unwrap().to_owned();
    secrets.add("a Jumio access token", &access);

    let wrong = "WrongJumioToken-Qx7Lm";
    secrets.add("a wrong Jumio access token", wrong);
    secrets.personal("a customer reference", "CustomerRefQx7Lm");
    let account = |reference: &str| {
        json!({
            "customerInternalReference": reference,
            "workflowDefinition": {"key": 2, "credentials": [{"category": "ID", "type": {"values": ["ID_CARD"]}}]},
        })
    };
    let req = s
        .req(Method::POST, "/api/v1/accounts")
        .bearer_auth(wrong)
        .json(&account("CustomerRefQx7Lm"));
    s.expect("Jumio: a wrong access token", req, 401).await;
    let req = s
        .req(Method::POST, "/api/v1/accounts")
        .bearer_auth(&access)
        .json(&account("CustomerRefQx7Lm/<not allowed>"));
    let body = s.expect("Jumio: an invalid reference", req, 400).await;
    assert_eq!(body["status"], 400, "{body}");
    let req = s
        .req(Method::POST, "/api/v1/accounts")
        .bearer_auth(&access)
        .json(&account("CustomerRefQx7Lm"));
    let created = s.expect("Jumio: an account", req, 200).await;
    let exec = &created["workflowExecution"];
    let credential = &exec["credentials"][0];
    let api_token = credential["api"]["token"].as_str().unwrap().to_owned();
    let sdk_token = created["sdk"]["token"].as_str().unwrap().to_owned();
    secrets.add("a Jumio api.token", &api_token);
    secrets.add("a Jumio sdk.token", &sdk_token);
    let web = created["web"]["href"].as_str().unwrap();
    let web_token = web
        .split("authorizationToken=")
        .nth(1)
        .and_then(|t| t.split('&').next())
        .unwrap();
    secrets.add("a Jumio web token", web_token);
    let base = format!(
        "/api/v1/accounts/{}/workflow-executions/{}",
        created["account"]["id"].as_str().unwrap(),
        exec["id"].as_str().unwrap()
    );
    let cred = format!("{base}/credentials/{}", credential["id"].as_str().unwrap());

    let part = |s: &Session, token: &str, classifier: &str, bytes: Vec<u8>| {
        let form = Form::new().part("file", Part::bytes(bytes).file_name("part.png".to_owned()));
        s.req(Method::POST, &format!("{cred}/parts/{classifier}"))
            .bearer_auth(token)
            .multipart(form)
    };
    secrets.add("a Jumio text part's bytes", "FileText-Qx7Lm-jumio");
    secrets.add("a Jumio front's bytes", "FileBytes-Qx7Lm-jumiofront");
    secrets.add("a Jumio back's bytes", "FileBytes-Qx7Lm-jumioback");
    let wrong = "WrongApiToken-Qx7Lm-jumio";
    secrets.add("a wrong Jumio api.token", wrong);
    let req = part(s, wrong, "FRONT", marked_png("FileBytes-Qx7Lm-jumiofront"));
    s.expect("Jumio: a part with a wrong token", req, 401).await;
    let req = part(s, &api_token, "FRONT", marked_text("FileText-Qx7Lm-jumio"));
    let (status, _) = s.send("Jumio: a text part", req).await;
    assert!(status.is_client_error(), "a text part: {status}");
    let req = part(
        s,
        &api_token,
        "FRONT",
        marked_png("FileBytes-Qx7Lm-jumiofront"),
    );
    s.expect("Jumio: the front", req, 200).await;
    let req = part(
        s,
        &sdk_token,
        "BACK",
        marked_png("FileBytes-Qx7Lm-jumioback"),
    );
    s.expect("Jumio: the back, with the sdk.token", req, 200)
        .await;

    let number = "JUQX7LMI4417";
    secrets.personal("the Jumio document number", number);
    secrets.personal("the Jumio first name", "GivenJumioQx7Lm");
    secrets.personal("the Jumio last name", "FamilyJumioQx7Lm");
    let prefill = |id_type: &str, expiry: &str| {
        json!({
            "firstName": "GivenJumioQx7Lm", "lastName": "FamilyJumioQx7Lm",
            "id": {"idNumber": number, "type": id_type, "expiryDate": expiry},
        })
    };
    for (what, body) in [
        ("Jumio: a number for a type", prefill(number, "2031-01-01")),
        ("Jumio: a number for a date", prefill("ID_CARD", number)),
    ] {
        let req = s
            .req(Method::PUT, &format!("{cred}/data"))
            .bearer_auth(&api_token)
            .json(&body);
        let body = s.expect(what, req, 400).await;
        assert_eq!(body["status"], 400, "{what}: {body}");
    }
    let req = s
        .req(Method::PUT, &format!("{cred}/data"))
        .bearer_auth(&api_token)
        .json(&prefill("ID_CARD", "2031-01-01"));
    s.expect("Jumio: prefilled data", req, 200).await;
    let req = s.req(Method::PUT, &base).bearer_auth(&api_token);
    s.expect("Jumio: finalize", req, 200).await;

    let wrong = "WrongJumioApiSecret-Qx7Lm";
    secrets.add("a wrong Jumio API secret", wrong);
    let status = |s: &Session, secret: &str| {
        s.req(Method::GET, &format!("{base}/status"))
            .basic_auth(JUMIO_API_TOKEN, Some(secret))
    };
    s.expect("Jumio: a wrong API secret", status(s, wrong), 401)
        .await;
    s.expect("Jumio: the status", status(s, JUMIO_API_SECRET), 200)
        .await;
}

#[test]
fn a_secret_is_found_in_base64_at_every_alignment() {
    let secret = b"Needle-Qx7Lm-?>~";
    let needles: Vec<Vec<u8>> = encodings(secret).into_iter().map(|(_, b)| b).collect();
    for before in 0..6 {
        let mut text = vec![0xA5u8; before];
        text.extend_from_slice(secret);
        text.extend_from_slice(b"tail");
        for engine in [&B64, &B64URL] {
            let encoded = engine.encode(&text);
            assert!(
                needles
                    .iter()
                    .any(|n| position(encoded.as_bytes(), n).is_some()),
                "not found after {before} bytes"
            );
        }
    }
    // Nor does a text without the secret hold a needle.
    let other = B64.encode(b"Another text, entirely");
    assert!(
        !needles
            .iter()
            .any(|n| position(other.as_bytes(), n).is_some())
    );
}
