//! `idbridge store copy`: an embedded store (SQLite and a blob directory) written through all
//! five vendor APIs is copied onto the suite's storage (PostgreSQL and S3 when the
//! environment names them, another SQLite store otherwise) under another master key. A node
//! on the copy then reads what a node on the original read, byte for byte; a second run
//! skips everything; an altered file in the source is reported as failed and left out, and
//! once the source is repaired a re-run copies just what is missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection as _;

use crate::common::jumio::{Exec, JumioClient};
use crate::common::mydocs;
use crate::common::ncore::{At, file};
use crate::common::passfort::{Auth, Body, PassfortAt, individual_body};
use crate::harness::{
    ADMIN_KEY, API_KEY, JUMIO_CLIENT, MASTER_KEY, Node, PUBLIC_BASE, Starting, eventually, png,
    sha, storage_toml, write_config,
};
use crate::jumio::{picture, workflow};

const USER: &str = "copy-user-1";
const ORG: &str = "org-alpha";
const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A configuration over an embedded store in `dir/data`, whatever the environment says:
/// the deployment being moved.
fn embedded_config(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    let storage = format!(
        "metadata_url = {:?}\nblob_dir = {:?}\n",
        format!("sqlite://{}", data.join("idbridge.db").display()),
        data.join("blobs").display().to_string(),
    );
    write_config(dir, &storage)
}

/// `config` with another master key than the suite's.
fn with_other_master_key(config: &Path, byte: u8) {
    let toml = std::fs::read_to_string(config).unwrap();
    assert!(toml.contains(MASTER_KEY));
    let other = B64.encode([byte; 32]);
    std::fs::write(config, toml.replace(MASTER_KEY, &other)).unwrap();
}

/// One node on `config`, ready.
async fn start(http: &reqwest::Client, config: &Path) -> Node {
    let node = Starting::new(config).listening().await;
    eventually("the node is ready", || {
        let req = http.get(format!("{}/readyz", node.base));
        async move { (req.send().await.ok()?.status() == 200).then_some(()) }
    })
    .await;
    node
}

/// What `idbridge store copy` answered: success, stdout, stderr.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The summary line's counts: (copied, skipped, failed).
    fn counts(&self) -> (u64, u64, u64) {
        let line = self.stdout.lines().last().unwrap_or_default();
        let n: Vec<u64> = line
            .split(", ")
            .zip(["copied", "skipped", "failed"])
            .map(|(part, word)| {
                let (n, w) = part.split_once(' ').unwrap_or_default();
                assert_eq!(w, word, "summary line {line:?}");
                n.parse().unwrap()
            })
            .collect();
        assert_eq!(
            n.len(),
            3,
            "summary line {line:?}\nstderr:\n{}",
            self.stderr
        );
        (n[0], n[1], n[2])
    }
}

fn store_copy(from: &Path, to: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_idbridge"))
        .args(["store", "copy", "--from"])
        .arg(from)
        .arg("--to")
        .arg(to)
        .env("RUST_LOG", "info,sqlx=warn")
        .env_remove("IDBRIDGE_CONFIG")
        .output()
        .expect("the idbridge binary runs");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Ids and credentials of what was written through the five APIs, to read it back.
struct Written {
    ncore_id: String,
    mydocs_token: String,
    service_account: Value,
    /// An assertion already traded for a token on the source.
    used_assertion: String,
    masstack_token: String,
    masstack_id: String,
    profile: String,
    passfort_file: String,
    jumio_access: String,
    exec: Exec,
}

/// A JWT assertion of the service account, as a MasStack client signs it.
fn assertion(sa: &Value) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": sa["client_email"], "aud": sa["token_uri"], "iat": now, "exp": now + 3600,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = sa["private_key_id"].as_str().map(str::to_owned);
    let key =
        jsonwebtoken::EncodingKey::from_rsa_pem(sa["private_key"].as_str().unwrap().as_bytes())
            .unwrap();
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

/// Trades an assertion for a MasStack access token: (status, body).
async fn trade(http: &reqwest::Client, base: &str, assertion: &str) -> (StatusCode, Value) {
    let res = http
        .post(format!("{base}/v1/oauth2/token"))
        .form(&[("grant_type", GRANT), ("assertion", assertion)])
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

/// A JSON call with a bearer token; asserts `want` and answers the body.
async fn bearer(
    http: &reqwest::Client,
    method: Method,
    url: String,
    token: &str,
    body: Option<Value>,
    want: StatusCode,
) -> Value {
    let mut req = http.request(method, &url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, want, "{url}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// The bytes at a URL handed out under the public base, fetched from `base`.
async fn fetch(http: &reqwest::Client, base: &str, handed_out: &str, token: &str) -> Vec<u8> {
    let path = handed_out.strip_prefix(PUBLIC_BASE).unwrap_or(handed_out);
    let res = http
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .header("user-agent", "Copy Test/1.0")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{handed_out}");
    res.bytes().await.unwrap().to_vec()
}

/// Every string at member `name`, anywhere in `v`.
fn strings_at(v: &Value, name: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::String(s) if k == name => out.push(s.clone()),
                    _ => strings_at(x, name, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| strings_at(x, name, out)),
        _ => {}
    }
}

/// Writes through every API on the node at `base`: an nCore identification with a file,
/// a B2Core document with a file, a MasStack identification (with an access token from a
/// service account's assertion), a PassFort profile with a document image and a file, a
/// Jumio account with a FRONT part.
async fn write_everything(http: &reqwest::Client, base: &str) -> Written {
    let ncore = At {
        http,
        base,
        key: Some(API_KEY),
    };
    let ncore_id = ncore
        .identification(
            USER,
            json!({"type": "PASSPORT", "number": "C-1", "expiration_date": "2031-09-20T10:10:40.182Z"}),
        )
        .await;
    let (status, up) = ncore
        .upload(
            USER,
            &ncore_id,
            vec![file("PASSPORT_PAGE1", "page.png", png(640, 400, 1, 70_000))],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{up}");

    let (_, mydocs_token) = mydocs::new_client(http, base, ADMIN_KEY).await;
    let res = http
        .post(format!("{base}{}/documents", mydocs::API))
        .bearer_auth(&mydocs_token)
        .multipart(mydocs::form(
            Some(("typeID", "2")),
            vec![("front.png", png(640, 400, 2, 5000))],
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );

    let service_account = bearer(
        http,
        Method::POST,
        format!("{base}/admin/v1/service-accounts"),
        ADMIN_KEY,
        Some(json!({"label": "copy"})),
        StatusCode::CREATED,
    )
    .await;
    let used_assertion = assertion(&service_account);
    let (status, granted) = trade(http, base, &used_assertion).await;
    assert_eq!(status, StatusCode::OK, "{granted}");
    let masstack_token = granted["access_token"].as_str().unwrap().to_owned();
    let created = bearer(
        http,
        Method::POST,
        format!("{base}/v1/orgs/{ORG}/identifications/identity_document"),
        &masstack_token,
        Some(crate::common::masstack::seed_example()),
        StatusCode::OK,
    )
    .await;
    let masstack_id = created["id"].as_str().unwrap().to_owned();

    let passfort = PassfortAt { http, base };
    let post = |path: String, body: Value| async move {
        passfort
            .request(
                Auth::Header(API_KEY),
                Method::POST,
                &path,
                None,
                Body::Json(body),
            )
            .await
    };
    let r = post("/profiles".into(), individual_body("Ada", "Lovelace")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let profile = r.body["id"].as_str().unwrap().to_owned();
    let image = B64.encode(png(800, 600, 3, 2000));
    let r = post(
        format!("/profiles/{profile}/document_images"),
        json!({"data": image, "image_type": "FRONT"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = post(
        format!("/profiles/{profile}/files"),
        json!({"data": B64.encode(png(300, 300, 4, 100))}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let passfort_file = r.body["id"].as_str().unwrap().to_owned();

    let jumio = JumioClient::at(http.clone(), base);
    let jumio_access = jumio.access(JUMIO_CLIENT).await;
    let exec = jumio.open(&jumio_access, workflow(None)).await;
    jumio
        .add(&exec, &exec.cred("ID"), "FRONT", picture(5))
        .await;

    Written {
        ncore_id,
        mydocs_token,
        service_account,
        used_assertion,
        masstack_token,
        masstack_id,
        profile,
        passfort_file,
        jumio_access,
        exec,
    }
}

/// What every API reads of `w` on the node at `base`, with the SHA-256 of every file's bytes
/// in place of the bytes: (what, answer).
async fn observe(http: &reqwest::Client, base: &str, w: &Written) -> Vec<(String, Value)> {
    let mut seen = Vec::new();
    let ncore = At {
        http,
        base,
        key: Some(API_KEY),
    };
    let ident = ncore.read(USER, &w.ncore_id).await;
    for f in ident["files"].as_array().unwrap() {
        let bytes = ncore
            .download(USER, &w.ncore_id, f["id"].as_str().unwrap())
            .await;
        seen.push((format!("ncore file {}", f["id"]), json!(sha(&bytes))));
    }
    seen.push(("ncore identification".into(), ident));
    seen.push(("ncore list".into(), ncore.list(USER, "?limit=100").await));

    let docs = bearer(
        http,
        Method::GET,
        format!("{base}{}/documents", mydocs::API),
        &w.mydocs_token,
        None,
        StatusCode::OK,
    )
    .await;
    let mut urls = Vec::new();
    strings_at(&docs, "downloadUrl", &mut urls);
    assert!(!urls.is_empty(), "{docs}");
    for url in urls {
        let bytes = fetch(http, base, &url, &w.mydocs_token).await;
        seen.push((format!("mydocs {url}"), json!(sha(&bytes))));
    }
    seen.push(("mydocs documents".into(), docs));

    let one = format!("{base}/v1/orgs/{ORG}/identifications/identity_document");
    seen.push((
        "masstack identification".into(),
        bearer(
            http,
            Method::GET,
            format!("{one}/{}", w.masstack_id),
            &w.masstack_token,
            None,
            StatusCode::OK,
        )
        .await,
    ));
    seen.push((
        "masstack list".into(),
        bearer(
            http,
            Method::GET,
            one,
            &w.masstack_token,
            None,
            StatusCode::OK,
        )
        .await,
    ));

    let passfort = PassfortAt { http, base };
    let p = &w.profile;
    for path in [
        format!("/profiles/{p}"),
        format!("/profiles/{p}/collected_data"),
        format!("/profiles/{p}/document_images"),
        format!("/profiles/{p}/files/{}", w.passfort_file),
    ] {
        let r = passfort
            .request(Auth::Header(API_KEY), Method::GET, &path, None, Body::Empty)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
        seen.push((format!("passfort {path}"), r.body));
    }

    let jumio = JumioClient::at(http.clone(), base);
    let (status, details) = jumio.details(&w.jumio_access, &w.exec).await;
    assert_eq!(status, StatusCode::OK, "{details}");
    let mut hrefs = Vec::new();
    strings_at(&details, "href", &mut hrefs);
    // The parts' images (other links, such as a web channel's page, are not files).
    hrefs.retain(|h| h.contains("/parts/"));
    assert!(!hrefs.is_empty(), "{details}");
    for href in hrefs {
        let bytes = fetch(http, base, &href, &w.jumio_access).await;
        seen.push((format!("jumio {href}"), json!(sha(&bytes))));
    }
    seen.push(("jumio details".into(), details));

    // Everything stored for each subject, as the admin API shows it.
    let subjects = bearer(
        http,
        Method::GET,
        format!("{base}/admin/v1/subjects?limit=100"),
        ADMIN_KEY,
        None,
        StatusCode::OK,
    )
    .await;
    for s in subjects["items"].as_array().unwrap() {
        let id = s["id"].as_str().unwrap();
        let all = bearer(
            http,
            Method::GET,
            format!("{base}/admin/v1/subjects/{id}"),
            ADMIN_KEY,
            None,
            StatusCode::OK,
        )
        .await;
        seen.push((format!("admin subject {id}"), all));
    }
    seen.push(("admin subjects".into(), subjects));
    seen
}

/// The ids and blob keys of the first two files of the SQLite store at `url`.
async fn first_files(url: &str) -> Vec<(String, String)> {
    let mut db = sqlx::SqliteConnection::connect(url).await.unwrap();
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, blob_key FROM files ORDER BY id LIMIT 2")
            .fetch_all(&mut db)
            .await
            .unwrap();
    db.close().await.unwrap();
    rows
}

#[tokio::test]
async fn an_embedded_store_moves_under_another_master_key_and_reads_the_same() {
    let http = idbridge::http::client_builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let source_dir = tempfile::tempdir().unwrap();
    let source = embedded_config(source_dir.path());
    let node = start(&http, &source).await;
    let written = write_everything(&http, &node.base).await;
    let before = observe(&http, &node.base, &written).await;
    node.kill();

    let target_dir = tempfile::tempdir().unwrap();
    let storage = storage_toml(&target_dir.path().join("data")).await;
    let target = write_config(target_dir.path(), &storage);
    with_other_master_key(&target, 7);

    let first = store_copy(&source, &target);
    assert!(first.ok, "{}\n{}", first.stdout, first.stderr);
    let (copied, skipped, failed) = first.counts();
    assert!(copied > 0, "{}", first.stdout);
    assert_eq!((skipped, failed), (0, 0), "{}", first.stderr);
    let again = store_copy(&source, &target);
    assert!(again.ok, "{}\n{}", again.stdout, again.stderr);
    assert_eq!(
        again.counts(),
        (0, copied, 0),
        "a second run skips everything"
    );

    // Every API reads on the copy what it read on the original: the same JSON, the same
    // file bytes. The tokens minted by the original work (their rows were copied, the
    // MasStack token's signing key too), and blobs open under the new master key only.
    let node = start(&http, &target).await;
    let after = observe(&http, &node.base, &written).await;
    assert_eq!(before.len(), after.len());
    for ((what, a), (_, b)) in before.iter().zip(&after) {
        assert_eq!(a, b, "{what} reads differently on the copy");
    }
    // The signing key's private half opens under the new master key: the copy issues new
    // MasStack tokens. The assertion used on the original stays used.
    let (status, granted) = trade(&http, &node.base, &assertion(&written.service_account)).await;
    assert_eq!(status, StatusCode::OK, "{granted}");
    let (status, replay) = trade(&http, &node.base, &written.used_assertion).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a replayed assertion: {replay}"
    );
    node.kill();

    // An altered source: one blob's ciphertext changed, another file's recorded SHA-256
    // changed. Both are reported as failed, neither row nor blob reaches the destination,
    // everything else is copied, and the command fails.
    let source_db = format!(
        "sqlite://{}",
        source_dir.path().join("data/idbridge.db").display()
    );
    let tampered = first_files(&source_db).await;
    assert_eq!(tampered.len(), 2);
    let blob = source_dir.path().join("data/blobs").join(&tampered[0].1);
    let sealed = std::fs::read(&blob).unwrap();
    let mut altered = sealed.clone();
    altered[40] ^= 0x01;
    std::fs::write(&blob, altered).unwrap();
    let set_sha = |value: String| {
        let (url, id) = (source_db.clone(), tampered[1].0.clone());
        async move {
            let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
            let old: String = sqlx::query_scalar("SELECT sha256 FROM files WHERE id = $1")
                .bind(&id)
                .fetch_one(&mut db)
                .await
                .unwrap();
            sqlx::query("UPDATE files SET sha256 = $1 WHERE id = $2")
                .bind(value)
                .bind(&id)
                .execute(&mut db)
                .await
                .unwrap();
            db.close().await.unwrap();
            old
        }
    };
    let recorded = set_sha(sha(b"other bytes")).await;
    let third_dir = tempfile::tempdir().unwrap();
    let third = embedded_config(third_dir.path());
    let run = store_copy(&source, &third);
    assert!(!run.ok, "failures make the command fail: {}", run.stdout);
    assert_eq!(run.counts(), (copied - 2, 0, 2), "{}", run.stderr);
    for (id, key) in &tampered {
        assert!(
            run.stderr.contains(id.as_str()),
            "{id} not reported:\n{}",
            run.stderr
        );
        assert!(
            !third_dir.path().join("data/blobs").join(key).exists(),
            "the blob of failed file {id} stayed"
        );
    }
    let third_db = format!(
        "sqlite://{}",
        third_dir.path().join("data/idbridge.db").display()
    );
    let mut db = sqlx::SqliteConnection::connect(&third_db).await.unwrap();
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM files WHERE id IN ($1, $2)")
        .bind(&tampered[0].0)
        .bind(&tampered[1].0)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(rows, 0, "a failed file's row was written");
    db.close().await.unwrap();

    // The source repaired, the same command completes the copy: the two files now, the
    // rest skipped.
    std::fs::write(&blob, sealed).unwrap();
    set_sha(recorded).await;
    let run = store_copy(&source, &third);
    assert!(run.ok, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(run.counts(), (2, copied - 2, 0), "{}", run.stderr);
}

/// A store is not copied onto itself: the command says so and copies nothing.
#[tokio::test]
async fn a_store_is_not_copied_onto_itself() {
    let dir = tempfile::tempdir().unwrap();
    let config = embedded_config(dir.path());
    let run = store_copy(&config, &config);
    assert!(!run.ok);
    assert!(run.stderr.contains("the same store"), "{}", run.stderr);
    assert!(
        !dir.path().join("data/idbridge.db").exists(),
        "nothing was opened"
    );
}
