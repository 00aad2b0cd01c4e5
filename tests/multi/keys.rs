//! `idbridge keys rotate` while both nodes serve: uploads and downloads run throughout (and
//! one upload is held open across the whole rotation), every file ends up wrapped under the
//! new key with its blob untouched, and once the nodes run on the new key alone and the old
//! one is retired, every file reads back byte for byte.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use futures::channel::mpsc;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::common::ncore::{At, file};
use crate::harness::{API_KEY, Cluster, MASTER_KEY, Starting, png, sha};
use idbridge::store::{Blobs, crypto};

const USER: &str = "keys-user";

/// `idbridge keys <args>` on `config`; answers stdout, panicking with stderr unless it
/// succeeded (`ok`) or failed (`!ok`) as expected.
fn keys(config: &std::path::Path, args: &[&str], ok: bool) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_idbridge"))
        .arg("keys")
        .arg(args[0])
        .arg("--config")
        .arg(config)
        .args(&args[1..])
        .env("RUST_LOG", "warn")
        .env_remove("IDBRIDGE_CONFIG")
        .output()
        .expect("the idbridge binary runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(
        out.status.success(),
        ok,
        "keys {args:?}: {stdout}\n{stderr}"
    );
    if ok { stdout } else { stderr }
}

/// The value after `label` on its line of `keys status`.
fn field(status: &str, label: &str) -> String {
    status
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("no {label:?} in {status}"))
        .trim()
        .to_owned()
}

/// A file sent through nCore: where it is and what it holds.
#[derive(Clone)]
struct Sent {
    ident: String,
    id: String,
    sha: String,
    size: u64,
}

/// The id of the file an nCore `PUT …/files` of one file stored.
fn stored_id(v: &Value) -> Result<String, String> {
    v["data"][0]["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no file id in {v}"))
}

/// Uploads `bytes` (a PNG) to `ident` through `at`.
async fn upload(at: At<'_>, ident: &str, bytes: Vec<u8>) -> Result<Sent, String> {
    let (status, v) = at
        .upload(
            USER,
            ident,
            vec![file("PASSPORT_PAGE1", "p.png", bytes.clone())],
        )
        .await;
    if status != 200 {
        return Err(format!("upload: {status} {v}"));
    }
    Ok(Sent {
        ident: ident.to_owned(),
        id: stored_id(&v)?,
        sha: sha(&bytes),
        size: bytes.len() as u64,
    })
}

/// Downloads `f` through `at` and checks its bytes.
async fn check(at: At<'_>, f: &Sent) -> Result<(), String> {
    let bytes = at.download(USER, &f.ident, &f.id).await;
    if sha(&bytes) == f.sha {
        Ok(())
    } else {
        Err(format!("file {} read back altered", f.id))
    }
}

/// The raw (sealed) bytes of each file's blob: one chunk, so header, body and tag.
async fn raw_blobs(c: &Cluster, files: &[Sent]) -> Vec<Vec<u8>> {
    let blobs = Blobs::open(&c.blobs).unwrap();
    let mut raw = Vec::new();
    for f in files {
        let len = (crypto::HEADER + crypto::TAG) as u64 + f.size;
        let key = Blobs::key_for(f.id.parse().unwrap());
        raw.push(blobs.read(&key, 0..len).await.unwrap().to_vec());
    }
    raw
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rotation_under_load_rewraps_every_file_and_the_old_key_retires() {
    let c = Cluster::start().await;
    let config = c.config.clone();
    let before = keys(&config, &["status"], true);
    let old_id = field(&before, "configured key:");
    assert_eq!(field(&before, "current key:"), old_id);

    // 16 files stored before the rotation, over both nodes.
    let mut seeded = Vec::new();
    for i in 0..4 {
        let ident = c
            .ncore(i)
            .identification(
                USER,
                json!({"type": "PASSPORT", "number": format!("K-{i}")}),
            )
            .await;
        for j in 0..4 {
            let bytes = png(640, 480, (i * 10 + j) as u32, 3000 + j);
            seeded.push(upload(c.ncore(i + j), &ident, bytes).await.unwrap());
        }
    }
    let sealed_before = raw_blobs(&c, &seeded).await;

    // An upload held open across the whole rotation: its first half is sent now, the rest
    // once the rotation has reported completion.
    let held_ident = c
        .ncore(1)
        .identification(USER, json!({"type": "PASSPORT", "number": "K-held"}))
        .await;
    let held_bytes = png(800, 600, 77, 200_000);
    let (tx, rx) = mpsc::unbounded::<Result<Vec<u8>, std::io::Error>>();
    tx.unbounded_send(Ok(held_bytes[..100_000].to_vec()))
        .unwrap();
    let part = Part::stream_with_length(reqwest::Body::wrap_stream(rx), held_bytes.len() as u64)
        .file_name("held.png");
    let form = Form::new()
        .text("identification_document_type", "PASSPORT_PAGE1")
        .part("file", part);
    let held = tokio::spawn(c.ncore(1).upload_form(USER, &held_ident, form).send());

    // Uploads and downloads on both nodes until the rotation is over.
    let c = Arc::new(c);
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (c, stop, seeded) = (c.clone(), stop.clone(), seeded.clone());
        tokio::spawn(async move {
            let (mut sent, mut errors, mut reads) = (Vec::new(), Vec::new(), 0);
            let mut ident = String::new();
            let mut i = 0usize;
            while !stop.load(Ordering::SeqCst) || sent.is_empty() {
                if i.is_multiple_of(8) {
                    ident = c
                        .ncore(i)
                        .identification(USER, json!({"type": "PASSPORT", "number": "K-load"}))
                        .await;
                }
                match upload(c.ncore(i), &ident, png(320, 240, 1000 + i as u32, 2000)).await {
                    Ok(f) => sent.push(f),
                    Err(e) => errors.push(e),
                }
                if let Err(e) = check(c.ncore(i + 1), &seeded[i % seeded.len()]).await {
                    errors.push(e);
                }
                reads += 1;
                i += 1;
            }
            (sent, errors, reads)
        })
    };

    let dir = tempfile::tempdir().unwrap();
    let new_key = dir.path().join("new.key");
    let rotated = {
        let (config, new_key) = (config.clone(), new_key.clone());
        tokio::task::spawn_blocking(move || {
            keys(
                &config,
                &["rotate", "--new-key-file", new_key.to_str().unwrap()],
                true,
            )
        })
        .await
        .unwrap()
    };
    let new_id = field(&keys(&config, &["status"], true), "current key:");
    assert_ne!(new_id, old_id);
    assert!(
        rotated.contains(&format!("rotation to key {new_id} complete")),
        "{rotated}"
    );

    tx.unbounded_send(Ok(held_bytes[100_000..].to_vec()))
        .unwrap();
    drop(tx);
    let res = held.await.unwrap().unwrap();
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    let held_file = Sent {
        ident: held_ident,
        id: stored_id(&v).unwrap(),
        sha: sha(&held_bytes),
        size: held_bytes.len() as u64,
    };

    stop.store(true, Ordering::SeqCst);
    let (loaded, errors, reads) = load.await.unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    eprintln!(
        "DEBUG rotated={rotated} loaded={} reads={reads}",
        loaded.len()
    );
    assert!(!loaded.is_empty() && reads > 0);

    // Every file (uploaded before, during and across the rotation) is under the new key;
    // a second run finds nothing left to do.
    let status = keys(&config, &["status"], true);
    let total = seeded.len() + loaded.len() + 1;
    assert_eq!(
        field(&status, &format!("files under {new_id}:")),
        total.to_string(),
        "{status}"
    );
    assert_eq!(status.matches("files under").count(), 1, "{status}");
    assert!(status.contains(&format!("rotation to {new_id} (sealed by {old_id})")));
    let again = keys(&config, &["rotate"], false);
    assert!(again.contains("no rotation is unfinished"), "{again}");
    // Only the wrapped keys changed: every blob holds the bytes it held before.
    assert!(
        raw_blobs(&c, &seeded).await == sealed_before,
        "a blob was rewritten"
    );

    // The old key cannot be retired by a configuration that still names it.
    let refused = keys(&config, &["retire", "--key-id", &old_id], false);
    assert!(refused.contains("configure the new key first"), "{refused}");

    // Every node moves to the new key alone; then the old key is retired.
    for node in &c.nodes {
        node.kill();
    }
    let key_text = std::fs::read_to_string(&new_key).unwrap();
    assert_eq!(B64.decode(key_text.trim()).unwrap().len(), 32);
    let toml = std::fs::read_to_string(&config).unwrap();
    let moved = dir.path().join("moved.toml");
    std::fs::write(&moved, toml.replace(MASTER_KEY, key_text.trim())).unwrap();
    let retired = keys(&moved, &["retire", "--key-id", &old_id], true);
    assert!(retired.contains("1 stored key rows deleted"), "{retired}");
    let after = keys(&moved, &["status"], true);
    assert_eq!(field(&after, "configured key:"), new_id);
    assert!(!after.contains("rotation to"), "{after}");

    let node = Starting::new(&moved).listening().await;
    node.wait_ready(&c.http, "the node on the new key").await;
    let on_new = At {
        http: &c.http,
        base: &node.base,
        key: Some(API_KEY),
    };
    for f in seeded.iter().chain(&loaded).chain([&held_file]) {
        check(on_new, f).await.unwrap();
    }
}
