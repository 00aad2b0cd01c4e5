//! # Blobs in an S3-compatible store
//!
//! The server with `storage.blob_url = "s3://bucket/prefix"`, against a real S3 API: moto's
//! server, which `.ci/run` installs and starts, naming its endpoint in
//! `IDB_TEST_S3_ENDPOINT`. Built only with the `ci-tests` feature
//! (`cargo test --features ci-tests --test s3`) because it needs that service; run without
//! the variable, it fails rather than pass untested.
//!
//! Each test works in a bucket of its own and reads the bucket back through S3's own API
//! (ListObjectsV2, ListMultipartUploads), so what it asserts is what the store holds.

mod common;
#[path = "s3/outage.rs"]
mod outage;

use common::TestServer;
use common::fixtures::{noisy_pdf, png_header, sha_hex};
use common::jumio::{CLIENT_A, Jumio, field, key_only};
use common::ncore::{At, KEY_A, passport};
use idbridge::config::Config;
use reqwest::{Method, StatusCode};

/// The S3 endpoint the tests run against.
fn endpoint() -> String {
    idbridge::store::testing::s3_endpoint().expect(
        "IDB_TEST_S3_ENDPOINT names the S3 endpoint these tests need (.ci/s3 starts moto_server and sets it)",
    )
}

/// A new, empty bucket, created through S3's API.
async fn bucket() -> String {
    idbridge::store::testing::s3_bucket(&endpoint()).await
}

/// Points `config`'s blobs at `s3://bucket/tenant-data`.
fn in_bucket(config: &mut Config, bucket: &str) {
    config.storage.blob_url = Some(format!("s3://{bucket}/tenant-data"));
    config.storage.s3 = idbridge::store::testing::s3_settings(&endpoint());
}

/// S3's answer to `GET /bucket?query`, as text.
async fn s3_get(bucket: &str, query: &str) -> String {
    let res = idbridge::http::client()
        .get(format!("{}/{bucket}?{query}", endpoint()))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{query}: {}", res.status());
    res.text().await.unwrap()
}

/// The keys of the file blobs in the bucket.
async fn blob_keys(bucket: &str) -> Vec<String> {
    let xml = s3_get(bucket, "list-type=2&prefix=tenant-data/blobs/").await;
    xml.split("<Key>")
        .skip(1)
        .filter_map(|s| s.split("</Key>").next())
        .map(str::to_owned)
        .collect()
}

/// How many multipart uploads are open in the bucket.
async fn open_uploads(bucket: &str) -> usize {
    s3_get(bucket, "uploads").await.matches("<Upload>").count()
}

#[tokio::test]
async fn a_large_file_is_stored_in_parts_and_reads_back_whole_and_by_range() {
    let bucket = bucket().await;
    let server = TestServer::start_with(|c| in_bucket(c, &bucket)).await;
    let ncore = At::server(&server, KEY_A);
    let id = ncore.identification("s3-user", passport()).await;
    // Over two S3 parts of 5 MiB, so the upload is a real multipart upload.
    let bytes = noisy_pdf(12 * 1024 * 1024 + 333, 7);
    let answer = ncore
        .upload_one("s3-user", &id, "PASSPORT_PAGE1", "big.pdf", bytes.clone())
        .await;
    let file = answer["data"][0]["id"].as_str().unwrap().to_owned();

    let keys = blob_keys(&bucket).await;
    assert_eq!(keys, vec![format!("tenant-data/blobs/{file}")]);
    assert_eq!(open_uploads(&bucket).await, 0, "the upload was completed");
    // The object holds ciphertext, never the file's bytes.
    let stored = idbridge::http::client()
        .get(format!("{}/{bucket}/{}", endpoint(), keys[0]))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(stored.len() > bytes.len(), "chunked and sealed");
    assert!(
        !stored.windows(64).any(|w| w == &bytes[4096..4160]),
        "plaintext reached the bucket"
    );

    let back = ncore.download("s3-user", &id, &file).await;
    assert_eq!(sha_hex(&back), sha_hex(&bytes));
    // A range across the boundary of two S3 parts and of two sealed chunks.
    let (from, to) = (5 * 1024 * 1024 - 100, 5 * 1024 * 1024 + 70_000);
    let res = ncore
        .request(
            Method::GET,
            &format!("/users/s3-user/identifications/{id}/files/{file}:download"),
        )
        .header("range", format!("bytes={from}-{to}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(&res.bytes().await.unwrap()[..], &bytes[from..=to]);

    // Deleting the file deletes its object.
    let res = ncore
        .request(
            Method::DELETE,
            &format!("/users/s3-user/identifications/{id}/files/{file}"),
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(blob_keys(&bucket).await, Vec::<String>::new());

    // A restart over the same bucket finds its readiness marker and serves on.
    let server = server.restart().await;
    let res = server
        .client
        .get(server.url("/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_refused_upload_leaves_no_object_and_no_open_multipart_upload() {
    let bucket = bucket().await;
    let j = Jumio::start_with(|c| in_bucket(c, &bucket)).await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(3)).await;
    // Past Jumio's 15 MB part limit: refused as it streams in, after two S3 parts went up.
    let mut big = png_header(1000, 1000);
    big.resize(15_000_001, 7);
    let answer = j
        .part(&e, Method::PUT, &e.cred("ID"), "FRONT", vec![big])
        .await;
    assert_eq!(field(&answer, 413), "file");

    assert_eq!(blob_keys(&bucket).await, Vec::<String>::new());
    assert_eq!(
        open_uploads(&bucket).await,
        0,
        "the multipart upload was aborted"
    );
}

/// What a node killed between its blob write and its metadata commit leaves in the bucket:
/// an object no file row names. The next start-up sweeps it (once older than
/// `sweep_grace_secs`); files whose metadata committed stay and read back.
#[tokio::test]
async fn an_object_no_file_names_is_swept_at_start_up_and_stored_files_stay() {
    let bucket = bucket().await;
    let server = TestServer::start_with(|c| {
        in_bucket(c, &bucket);
        c.storage.sweep_grace_secs = 0;
    })
    .await;
    let ncore = At::server(&server, KEY_A);
    let id = ncore.identification("s3-user", passport()).await;
    let bytes = noisy_pdf(300_000, 3);
    let answer = ncore
        .upload_one("s3-user", &id, "PASSPORT_PAGE1", "kept.pdf", bytes.clone())
        .await;
    let file = answer["data"][0]["id"].as_str().unwrap().to_owned();
    // The orphan: a blob under a fresh file id, with no row.
    let orphan = format!("tenant-data/blobs/{}", uuid::Uuid::now_v7());
    let res = idbridge::http::client()
        .put(format!("{}/{bucket}/{orphan}", endpoint()))
        .body(vec![7u8; 1000])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let mut before = blob_keys(&bucket).await;
    before.sort();
    assert!(before.contains(&orphan) && before.len() == 2, "{before:?}");

    let server = server.restart().await;
    assert_eq!(
        blob_keys(&bucket).await,
        vec![format!("tenant-data/blobs/{file}")],
        "the orphan went, the stored file stayed"
    );
    let ncore = At::server(&server, KEY_A);
    let back = ncore.download("s3-user", &id, &file).await;
    assert_eq!(sha_hex(&back), sha_hex(&bytes));
}
