//! `kill -9` of one node while writes are in flight: the other node shows every write whole
//! or not at all. Every file it lists opens with exactly the bytes sent; a document whose
//! operation stores it with its files is never seen without them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::common::mydocs::new_client;
use crate::common::ncore::file;
use crate::harness::{ADMIN_KEY, Cluster, MASTER_KEY, eventually, png, sha};
use crate::ncore::list;

const BIG: u64 = 48 << 20;
const KILL_AT: u64 = 24 << 20;
const USER: &str = "multi-crash";
/// The big upload goes to an identification of its own user.
const BIG_USER: &str = "multi-crash-big";

/// The bytes of piece `i` of the big upload (a PDF of `BIG` bytes, in 1 MiB pieces).
fn big_piece(i: u64) -> Vec<u8> {
    let n = (BIG - (i << 20)).min(1 << 20) as usize;
    let mut piece: Vec<u8> = (0..n).map(|k| (k as u64 ^ i) as u8).collect();
    if i == 0 {
        piece[..9].copy_from_slice(b"%PDF-1.7\n");
    }
    piece
}

/// The big upload's form, counting the bytes handed to the connection in `sent`.
fn big_form(sent: Arc<AtomicU64>) -> Form {
    let pieces = futures::stream::iter((0..BIG.div_ceil(1 << 20)).map(move |i| {
        let piece = big_piece(i);
        sent.fetch_add(piece.len() as u64, Ordering::SeqCst);
        Ok::<_, std::io::Error>(piece)
    }));
    let part =
        Part::stream_with_length(reqwest::Body::wrap_stream(pieces), BIG).file_name("big.pdf");
    Form::new()
        .text("identification_document_type", "NOT_APPLICABLE")
        .part("file", part)
}

/// A subject and a B2Core client token for it, through node 1; answers (subject, token).
async fn b2core_client(c: &Cluster) -> (String, String) {
    let (subject, token) = new_client(&c.http, &c.nodes[1].base, ADMIN_KEY).await;
    (subject.to_string(), token)
}

/// Checks every identification of `user` through node 1: each listed file opens with the
/// bytes sent under its name, and each identification holds 0 or `whole` files (`whole`
/// when `must_have_files`). Answers the identifications' file counts by id.
async fn check_whole(
    c: &Cluster,
    user: &str,
    sent: &BTreeMap<String, Vec<u8>>,
    whole: usize,
    must_have_files: bool,
) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for ident in list(c, 1, user).await {
        let id = ident["id"].as_str().unwrap().to_owned();
        let files = ident["files"].as_array().unwrap();
        let allowed = if must_have_files {
            vec![whole]
        } else {
            vec![0, whole]
        };
        assert!(
            allowed.contains(&files.len()),
            "{user}: identification {id} is half there: {} files: {ident}",
            files.len()
        );
        for f in files {
            let name = f["file_name"].as_str().unwrap_or_default();
            let want = sent
                .get(name)
                .unwrap_or_else(|| panic!("{user}: a file nobody sent: {f}"));
            let bytes = c
                .ncore(1)
                .download(user, &id, f["id"].as_str().unwrap())
                .await;
            assert_eq!(bytes.len(), want.len(), "{user}: {name} is truncated");
            assert_eq!(sha(&bytes), sha(want), "{user}: {name} differs");
        }
        counts.insert(id, files.len());
    }
    counts
}

#[tokio::test]
async fn kill_9_mid_write_leaves_nothing_half_visible_on_the_other_node() {
    let c = Cluster::start().await;
    // Prepared through node 1: identifications for nCore uploads, a B2Core client.
    let big_id = c
        .ncore(1)
        .identification(BIG_USER, json!({"type": "BANK_STATEMENT", "number": "B-1"}))
        .await;
    let mut pairs = Vec::new();
    for _ in 0..12 {
        let body = json!({"type": "NATIONAL_ID", "number": "N-1"});
        pairs.push(c.ncore(1).identification(USER, body).await);
    }
    let (subject, b2core) = b2core_client(&c).await;
    let mut sent = BTreeMap::new();
    for n in 0..12u32 {
        for side in ["front", "back"] {
            let seed = n * 2 + u32::from(side == "back") + 1;
            sent.insert(
                format!("ncore-{n}-{side}.png"),
                png(1200, 800, seed, 512 << 10),
            );
            sent.insert(
                format!("b2core-{n}-{side}.png"),
                png(1200, 800, seed + 100, 512 << 10),
            );
        }
    }

    // Everything goes to node 0; node 0 is killed once the big upload is well under way.
    let big_sent = Arc::new(AtomicU64::new(0));
    let big = c
        .ncore(0)
        .upload_form(BIG_USER, &big_id, big_form(big_sent.clone()))
        .send();
    let ncore_adds = pairs.iter().enumerate().map(|(n, id)| {
        let files = ["front", "back"]
            .into_iter()
            .map(|side| {
                let name = format!("ncore-{n}-{side}.png");
                let kind = if side == "front" {
                    "NATIONAL_ID_FRONT"
                } else {
                    "NATIONAL_ID_BACK"
                };
                file(kind, &name, sent[&name].clone())
            })
            .collect();
        c.ncore(0).upload_request(USER, id, files).send()
    });
    let b2core_adds = (0..12).map(|n| {
        let mut form = Form::new().text("typeID", "2");
        for side in ["front", "back"] {
            let name = format!("b2core-{n}-{side}.png");
            form = form.part("file", Part::bytes(sent[&name].clone()).file_name(name));
        }
        c.http
            .post(c.url(0, "/api/v2/my/documents"))
            .bearer_auth(&b2core)
            .multipart(form)
            .send()
    });
    let killer = async {
        eventually("the big upload reaches the kill point", || {
            let at = big_sent.load(Ordering::SeqCst);
            async move { (at >= KILL_AT).then_some(()) }
        })
        .await;
        c.nodes[0].kill();
    };
    let (big, ncore_answers, b2core_answers, ()) = tokio::join!(
        big,
        futures::future::join_all(ncore_adds),
        futures::future::join_all(b2core_adds),
        killer
    );
    let big_ok = big.is_ok_and(|r| r.status() == StatusCode::OK);
    let acked_ncore: Vec<&String> = pairs
        .iter()
        .zip(&ncore_answers)
        .filter(|(_, r)| r.as_ref().is_ok_and(|r| r.status() == StatusCode::OK))
        .map(|(id, _)| id)
        .collect();
    let acked_b2core = b2core_answers
        .into_iter()
        .filter(|r| r.as_ref().is_ok_and(|r| r.status() == StatusCode::CREATED))
        .count();
    eprintln!(
        "before the kill: big upload {}, {} of 12 nCore uploads and {acked_b2core} of 12 B2Core documents acknowledged",
        if big_ok { "acknowledged" } else { "cut off" },
        acked_ncore.len()
    );

    // Through node 1: the big file is whole or absent.
    let big_files = c.ncore(1).read(BIG_USER, &big_id).await["files"]
        .as_array()
        .unwrap()
        .clone();
    match big_files.as_slice() {
        [] => assert!(!big_ok, "an acknowledged upload is gone"),
        [f] => {
            assert_eq!(f["size"], BIG, "{f}");
            let bytes = c
                .ncore(1)
                .download(BIG_USER, &big_id, f["id"].as_str().unwrap())
                .await;
            let want: Vec<u8> = (0..BIG.div_ceil(1 << 20)).flat_map(big_piece).collect();
            assert_eq!(sha(&bytes), sha(&want), "the big file differs");
        }
        more => panic!("one upload of one file left {} files", more.len()),
    }
    // Each nCore upload of two files: both or neither, and both when acknowledged.
    let counts = check_whole(&c, USER, &sent, 2, false).await;
    for id in acked_ncore {
        assert_eq!(
            counts.get(id),
            Some(&2),
            "acknowledged upload to {id} is not there"
        );
    }
    // Each B2Core document was added with its two files: never without them.
    let docs = check_whole(&c, &subject, &sent, 2, true).await;
    assert!(
        docs.len() >= acked_b2core,
        "{acked_b2core} B2Core documents acknowledged, {} there",
        docs.len()
    );
    eprintln!(
        "after the kill, node 1 shows: the big file {}, nCore uploads {:?}, {} B2Core documents",
        if big_files.is_empty() {
            "absent"
        } else {
            "whole"
        },
        counts.values().collect::<Vec<_>>(),
        docs.len()
    );
    // The survivor still writes.
    let after = file("NATIONAL_ID_FRONT", "after.png", png(1200, 800, 999, 1000));
    let (status, body) = c.ncore(1).upload(USER, &pairs[0], vec![after]).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "node 1 cannot write after node 0 died: {body}"
    );
}

/// The blob keys in the cluster's store.
async fn blob_keys(c: &Cluster) -> std::collections::BTreeSet<String> {
    let blobs = idbridge::store::Blobs::open(&c.blobs).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    blobs
        .list_older_than(later)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// `kill -9` exactly between a blob write and its metadata commit. The test holds the store's
/// writer lock, so node 0's upload writes its blob and then waits at the lock, with nothing
/// committed; node 0 dies there. Node 1 shows nothing of the upload; the blob is an orphan,
/// which the next start-up's sweep removes, leaving the files whose metadata committed.
#[tokio::test]
async fn kill_9_between_blob_write_and_commit_leaves_an_orphan_the_sweep_removes() {
    const USER: &str = "multi-orphan";
    let c = Cluster::start().await;
    let id = c
        .ncore(1)
        .identification(USER, json!({"type": "NATIONAL_ID", "number": "O-1"}))
        .await;
    let kept = png(800, 600, 7, 4096);
    let front = file("NATIONAL_ID_FRONT", "kept.png", kept.clone());
    let (status, body) = c.ncore(1).upload(USER, &id, vec![front]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let before = blob_keys(&c).await;

    let lock = idbridge::store::testing::hold_writer_lock(&c.metadata_url).await;
    let back = file("NATIONAL_ID_BACK", "lost.png", png(800, 600, 8, 4096));
    let upload = tokio::spawn(c.ncore(0).upload_request(USER, &id, vec![back]).send());
    let orphan = eventually("node 0 wrote the blob and waits to commit", || async {
        let now = blob_keys(&c).await;
        let new: Vec<String> = now.difference(&before).cloned().collect();
        (new.len() == 1).then(|| new[0].clone())
    })
    .await;
    c.nodes[0].kill();
    drop(lock);
    assert!(upload.await.unwrap().is_err(), "the killed node answered");

    // Nothing of the upload is visible through node 1; the orphan is still in the store.
    let ident = c.ncore(1).read(USER, &id).await;
    let names: Vec<&str> = ident["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["kept.png"]);
    assert!(blob_keys(&c).await.contains(&orphan));

    // The next start-up sweeps it (a grace of zero: no upload is in flight here).
    let (_, report) = idbridge::store::Store::open(idbridge::store::StoreOptions {
        metadata_url: c.metadata_url.clone(),
        db: idbridge::store::DbSettings::default(),
        blobs: c.blobs.clone(),
        master_key: idbridge::store::MasterKey::from_base64(MASTER_KEY).unwrap(),
        sweep_grace: std::time::Duration::ZERO,
    })
    .await
    .unwrap();
    assert_eq!(report.swept, 1, "exactly the orphan is swept");
    assert_eq!(
        blob_keys(&c).await,
        before,
        "the orphan went, the stored file stayed"
    );
    let file_id = ident["files"][0]["id"].as_str().unwrap();
    let bytes = c.ncore(1).download(USER, &id, file_id).await;
    assert_eq!(sha(&bytes), sha(&kept));
}
