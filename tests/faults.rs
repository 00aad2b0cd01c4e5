//! # Faults the machine causes: a full disk
//!
//! The server's data directory (SQLite and blobs) on a 64 MB tmpfs, mounted by the test,
//! which needs root. Built only with the `ci-tests` feature (`cargo test --features ci-tests
//! --test faults`), which `.ci/run` enables as root; run without root, it fails rather than
//! pass untested.
//!
//! A full disk is an outage of the store as far as a client can tell: each vendor's 503 with
//! `Retry-After`, nothing half stored, reads still served, and writes working again once
//! space is freed, with no restart.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use common::TestServer;
use common::fixtures::{png, sha_hex};
use common::jumio::{CLIENT_A, JumioClient, key_only};
use common::ncore::{At, KEY_A, file};
use idbridge::config::Secret;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A tmpfs of `megabytes`, mounted for the test's lifetime.
struct Tmpfs {
    path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(megabytes: u32) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mnt");
        std::fs::create_dir(&path).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(&path)
            .status()
            .expect("mount(8) runs");
        assert!(
            status.success(),
            "mounting a tmpfs needs root (CI runs this suite as root)"
        );
        Tmpfs { path, _dir: dir }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Fills `dir`'s filesystem with a file until fewer than `leave` bytes are free; answers
/// its path.
fn fill(dir: &Path, leave: u64) -> PathBuf {
    use std::io::Write;
    let filler = dir.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0u8; 64 << 10];
    loop {
        let free = rustix::fs::statvfs(dir)
            .map(|s| s.f_bavail * s.f_frsize)
            .unwrap();
        if free <= leave {
            break;
        }
        let n = (free - leave).min(chunk.len() as u64) as usize;
        if f.write_all(&chunk[..n]).is_err() {
            break;
        }
    }
    f.sync_all().ok();
    filler
}

/// Every regular file under `dir`, recursively (the blobs, staged ones included).
fn files_under(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => files_under(&e.path()),
                    Ok(t) if t.is_file() => 1,
                    _ => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// An upload through each of four APIs, of `bytes`: (API, status, body).
async fn uploads(
    s: &TestServer,
    ncore: (&str, &str),
    bytes: &[u8],
) -> Vec<(&'static str, StatusCode, Value)> {
    let mut answers = Vec::new();
    let at = At::server(s, KEY_A);
    let (status, body) = at
        .upload(
            ncore.0,
            ncore.1,
            vec![file("NATIONAL_ID_FRONT", "front.png", bytes.to_vec())],
        )
        .await;
    answers.push(("ncore", status, body));
    let (_, b2core) = common::mydocs::new_client(&s.client, &s.base, common::ADMIN_A).await;
    let form = reqwest::multipart::Form::new().text("typeID", "2").part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("front.png"),
    );
    let res = s
        .client
        .post(s.url("/api/v2/my/documents"))
        .bearer_auth(&b2core)
        .multipart(form)
        .send()
        .await
        .unwrap();
    answers.push(("mydocs", res.status(), res.json().await.unwrap()));
    let res = s
        .client
        .post(s.url("/4.0/profiles"))
        .header("apikey", KEY_A)
        .json(&common::passfort::individual_body("Full", "Disk"))
        .send()
        .await
        .unwrap();
    let profile: Value = res.json().await.unwrap();
    let image = json!({"data": base64::engine::general_purpose::STANDARD.encode(bytes), "image_type": "FRONT"});
    let res = s
        .client
        .post(s.url(&format!(
            "/4.0/profiles/{}/document_images",
            profile["id"].as_str().unwrap()
        )))
        .header("apikey", KEY_A)
        .json(&image)
        .send()
        .await
        .unwrap();
    answers.push(("passfort", res.status(), res.json().await.unwrap()));
    let jumio = JumioClient::at(s.client.clone(), &s.base);
    let access = jumio.access(CLIENT_A).await;
    let e = jumio.open(&access, key_only(2)).await;
    let (status, body) = jumio
        .part(
            &e,
            reqwest::Method::POST,
            &e.cred("ID"),
            "FRONT",
            vec![bytes.to_vec()],
        )
        .await;
    answers.push(("jumio", status, body));
    answers
}

#[tokio::test]
async fn a_full_disk_refuses_writes_in_each_vendors_shape_and_recovers_without_restart() {
    let disk = Tmpfs::mount(64);
    let data = disk.path.clone();
    let s = TestServer::start_with(|c| {
        c.storage.data_dir = data.clone();
        c.storage.metadata_url = Some(Secret::new(format!(
            "sqlite://{}",
            data.join("idbridge.db").display()
        )));
        c.storage.blob_url = None;
    })
    .await;
    let at = At::server(&s, KEY_A);
    let user = "disk-full";
    let ident = at
        .identification(user, json!({"type": "NATIONAL_ID", "number": "DF-1"}))
        .await;
    let before = png(1200, 800, 1);
    let (status, body) = at
        .upload(
            user,
            &ident,
            vec![file("NATIONAL_ID_FRONT", "before.png", before.clone())],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let kept = body["data"][0]["id"].as_str().unwrap().to_owned();
    let blobs = data.join("blobs");
    let stored = files_under(&blobs);

    // Less than a megabyte left: a 4 MB upload cannot fit.
    let filler = fill(&data, 512 << 10);
    let big = png(2000, 1500, 2);
    let big = [big, vec![7u8; 4 << 20]].concat();
    for (api, status, body) in uploads(&s, (user, &ident), &big).await {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{api}: {body}");
        let text = body.to_string();
        assert!(text.contains("unavailable"), "{api}: {text}");
    }
    // Nothing half stored: no new blob, staged or not; the identification holds its one file.
    assert_eq!(
        files_under(&blobs),
        stored,
        "blobs after the refused uploads"
    );
    assert_eq!(
        at.read(user, &ident).await["files"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Reads are served meanwhile.
    assert_eq!(
        sha_hex(&at.download(user, &ident, &kept).await),
        sha_hex(&before)
    );
    let ready = s.client.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);

    // Space freed: the same uploads succeed, with no restart.
    std::fs::remove_file(&filler).unwrap();
    for (api, status, body) in uploads(&s, (user, &ident), &big).await {
        assert!(status.is_success(), "{api}: {status} {body}");
    }
    assert_eq!(files_under(&blobs), stored + 4, "one blob per upload");
    assert_eq!(
        at.read(user, &ident).await["files"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
