//! The metadata database and the bucket going down mid-run and coming back: requests that
//! need the missing engine get their vendor's 503 with `Retry-After`, promptly; nothing is
//! half stored; and when the engine returns the same server serves again, unrestarted.
//!
//! The engines are cut by a TCP proxy between the server and them ([`Proxy`]): the server sees
//! what a stopped PostgreSQL or S3 server looks like (refused connections, and open ones
//! closed), while the shared test services stay up for the other tests. Needs PostgreSQL
//! (`IDB_TEST_POSTGRES`) as well as the S3 endpoint: SQLite has no connection to lose.

use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{blob_keys, bucket, endpoint, in_bucket};
use crate::common::fixtures::noisy_pdf;
use crate::common::ncore::{At, KEY_A, file, passport};
use crate::common::passfort::Passfort;
use crate::common::passfort::{IMAGES, PROFILE, SEED_FILE};
use crate::common::proxy::Proxy;

/// The nCore user of the test.
const USER: &str = "outage";

/// `url` with its `host:port` replaced by the proxy's.
fn through(url: &str, proxy: &Proxy) -> String {
    let mut url = reqwest::Url::parse(url).unwrap();
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(proxy.port)).unwrap();
    url.to_string().trim_end_matches('/').to_owned()
}

/// `host:port` of `url`.
fn address(url: &str) -> String {
    let url = reqwest::Url::parse(url).unwrap();
    format!(
        "{}:{}",
        url.host_str().unwrap(),
        url.port_or_known_default().unwrap()
    )
}

/// Asserts an nCore 503: its error body, with `Retry-After`.
async fn ncore_unavailable(res: reqwest::Response, engine: &str) {
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()["retry-after"], "2");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], 503, "{body}");
    assert_eq!(body["code"], "SERVICE_UNAVAILABLE", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(engine), "{body}");
}

/// `/readyz`'s status.
async fn readiness(p: &Passfort) -> StatusCode {
    let res = p.server.client.get(p.server.url("/readyz")).send().await;
    res.unwrap().status()
}

/// Uploads one small PDF named `name` to the identification; answers the response.
async fn upload(ncore: At<'_>, id: &str, name: &str, seed: u64) -> reqwest::Response {
    let files = vec![file("PASSPORT_PAGE2", name, noisy_pdf(100_000, seed))];
    ncore.upload_request(USER, id, files).send().await.unwrap()
}

/// Uploads a 12 MiB PDF named `name`, cutting `engine` once 8 MiB are sent (after the first
/// S3 part went up); answers the response.
async fn upload_cut(ncore: At<'_>, id: &str, name: &str, engine: &Proxy) -> reqwest::Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let big = noisy_pdf(12 << 20, 3);
    let pieces = futures::stream::unfold(rx, |mut rx| async { rx.recv().await.map(|p| (p, rx)) });
    let part = Part::stream_with_length(reqwest::Body::wrap_stream(pieces), big.len() as u64)
        .file_name(name.to_owned());
    let form = Form::new()
        .text("identification_document_type", "PASSPORT_PAGE2")
        .part("file", part);
    let upload = tokio::spawn(ncore.upload_form(USER, id, form).send());
    for (i, piece) in big.chunks(1 << 20).enumerate() {
        if i == 8 {
            engine.down();
        }
        // The server may stop reading once it has its answer.
        if tx.send(Ok(piece.to_vec())).await.is_err() {
            break;
        }
    }
    drop(tx);
    upload.await.unwrap().unwrap()
}

/// The file names of an identification, sorted.
fn file_names(identification: &Value) -> Vec<String> {
    let mut names: Vec<String> = identification["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file_name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn an_engine_outage_answers_503_stores_nothing_and_service_resumes_without_restart() {
    let postgres = std::env::var(idbridge::store::testing::POSTGRES_ENV)
        .expect("IDB_TEST_POSTGRES names the PostgreSQL server this test cuts (.ci/pg starts one)");
    let bucket = bucket().await;
    let db = Proxy::start(&address(&postgres)).await;
    let s3 = Proxy::start(&address(&endpoint())).await;
    let p = Passfort::start_with(|c| {
        in_bucket(c, &bucket);
        c.storage.s3.endpoint = Some(through(&endpoint(), &s3));
        let url = c.storage.metadata_url.as_ref().unwrap().expose().to_owned();
        c.storage.metadata_url = Some(idbridge::config::Secret::new(through(&url, &db)));
        c.storage.connect_timeout_secs = 1;
    })
    .await;
    let ncore = At::server(&p.server, KEY_A);
    let id = ncore.identification(USER, passport()).await;
    let kept = noisy_pdf(200_000, 1);
    ncore
        .upload_one(USER, &id, "PASSPORT_PAGE1", "kept.pdf", kept)
        .await;
    let profile = p.individual("Ada", "Outage").await;
    let image = json!({"image_type": "FRONT", "data": SEED_FILE});
    let images = format!("/profiles/{profile}/document_images");

    // The bucket is down: an upload is refused at once, in nCore's shape and in PassFort's.
    s3.down();
    ncore_unavailable(upload(ncore, &id, "lost.pdf", 2).await, "blob store").await;
    let r = p.post(&images, IMAGES, image.clone()).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.headers["retry-after"], "2");
    assert_eq!(r.body["errors"][0]["code"], 401, "{}", r.body);
    // Metadata alone still reads; the node says it is not ready.
    assert_eq!(file_names(&ncore.read(USER, &id).await), ["kept.pdf"]);
    assert_eq!(readiness(&p).await, StatusCode::SERVICE_UNAVAILABLE);
    s3.up().await;

    // The bucket goes down in the middle of an upload, after its first S3 part went up.
    ncore_unavailable(upload_cut(ncore, &id, "cut.pdf", &s3).await, "blob store").await;
    s3.up().await;
    // Service resumes, unrestarted.
    let res = upload(ncore, &id, "after.pdf", 4).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    // The database goes down: every call needs it, and says so in its vendor's shape.
    db.down();
    let res = ncore
        .request(Method::GET, &format!("/users/{USER}/identifications/{id}"))
        .send()
        .await
        .unwrap();
    ncore_unavailable(res, "metadata database").await;
    let r = p.get(&format!("/profiles/{profile}"), PROFILE).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert_eq!(r.body["errors"][0]["code"], 401, "{}", r.body);
    assert_eq!(readiness(&p).await, StatusCode::SERVICE_UNAVAILABLE);
    db.up().await;

    // The database goes down in the middle of an upload: its blob is written whole, its
    // metadata is not, so the blob is removed and nothing is listed.
    ncore_unavailable(
        upload_cut(ncore, &id, "orphan.pdf", &db).await,
        "metadata database",
    )
    .await;
    db.up().await;

    // Back, unrestarted: exactly the files whose uploads succeeded, each with its blob.
    let ident = ncore.read(USER, &id).await;
    assert_eq!(file_names(&ident), ["after.pdf", "kept.pdf"]);
    let r = p.get(&format!("/profiles/{profile}"), PROFILE).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = p.post(&images, IMAGES, image).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let files = ident["files"].as_array().unwrap().len() + 1;
    // The removal of the orphan's blob runs as a task of its own: wait for it (bounded).
    let mut keys = blob_keys(&bucket).await;
    for _ in 0..100 {
        if keys.len() == files {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        keys = blob_keys(&bucket).await;
    }
    assert_eq!(keys.len(), files, "a blob no file names is left: {keys:?}");
    assert_eq!(readiness(&p).await, StatusCode::OK);
}
