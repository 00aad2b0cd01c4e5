//! The crash loop of the reliability campaign: start `idbridge serve`, run mixed writes through
//! nCore, B2Core, PassFort and Jumio (uploads of 1 KB to 20 MB, deletes, a Jumio FRONT
//! replaced, Jumio finalize), `kill -9` at a random moment, restart on the same store, and
//! check after every iteration:
//! - every acknowledged write is shown by the admin API (which lists every file of every
//!   subject, with its SHA-256 and size) and reads back whole, with its SHA-256, through the
//!   API that wrote it (Jumio's parts: through the admin API's digest and size only);
//! - nothing unacknowledged is half-visible: every file shown is one that was sent, whole, and
//!   a two-file write shows both files or neither;
//! - an acknowledged delete or replace stays done;
//! - orphan blobs are swept: after the restart the store holds exactly the listed files' blobs;
//! - no nCore identification holds more than its 10 files.
//!
//! `IDB_CRASH_ITERATIONS` sets the number of iterations (CI: 10; the long setting: 100) and
//! `IDB_CRASH_SEED` the first seed (printed, so a failure replays). It prints
//! `iterations, acknowledged writes, lost 0, partial 0`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::common::jumio::{Exec, JumioClient, UA};
use crate::common::mydocs::new_client;
use crate::harness::{
    ADMIN_KEY, API_KEY, JUMIO_CLIENT, MASTER_KEY, Starting, eventually, png, sha,
};
use crate::jumio::workflow;

/// nCore users the writers upload to; each has `IDENTIFICATIONS` identifications.
const USERS: usize = 3;
const IDENTIFICATIONS: usize = 4;
/// nCore's limit of files per identification.
const NCORE_MAX_FILES: usize = 10;
/// Concurrent writers during an iteration.
const WRITERS: usize = 4;

/// How a written file is read back through the API that wrote it.
#[derive(Clone, Debug)]
pub(crate) enum Readback {
    Ncore {
        user: String,
        ident: String,
        file: String,
    },
    B2core {
        token: String,
        doc: String,
        file: String,
    },
    Passfort {
        profile: String,
        file: String,
    },
    Jumio,
}

/// One file sent: its size, and the write it was part of (files written together).
#[derive(Clone, Debug)]
struct Sent {
    size: usize,
    group: u64,
}

/// What the campaign sent and what the server acknowledged, across iterations.
#[derive(Clone, Default)]
pub(crate) struct Ledger {
    /// Every file ever sent, by SHA-256.
    sent: BTreeMap<String, Sent>,
    /// Acknowledged files still meant to exist, by SHA-256.
    pub(crate) acked: BTreeMap<String, Readback>,
    /// Files whose delete or replace was acknowledged.
    deleted: BTreeSet<String>,
    /// Files whose delete or replace was sent but not acknowledged: present or absent.
    deleting: BTreeSet<String>,
    /// Acknowledged writes, counted.
    pub(crate) acknowledged: u64,
    next_group: u64,
}

pub(crate) type Shared = Arc<Mutex<Ledger>>;

pub(crate) fn ledger(l: &Shared) -> std::sync::MutexGuard<'_, Ledger> {
    l.lock().unwrap_or_else(|e| e.into_inner())
}

/// What the writers share: the node's address, the HTTP client and the fixtures set up
/// before the writes.
#[derive(Clone)]
pub(crate) struct World {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) idents: Vec<(String, String)>,
    pub(crate) b2core: String,
    pub(crate) profile: String,
    pub(crate) access: String,
    /// Jumio executions opened for this iteration's writers.
    pub(crate) execs: Arc<Mutex<Vec<Exec>>>,
}

/// Bytes of a file: a PNG of 1 KB to 512 KB (past its header) made unique by `seed`, or,
/// when `big`, a 20 MB PDF.
fn content(rng: &mut StdRng, seed: u32, big: bool) -> Vec<u8> {
    if big {
        let mut v = vec![0u8; 20_000_000];
        v[..9].copy_from_slice(b"%PDF-1.7\n");
        v[9..13].copy_from_slice(&seed.to_be_bytes());
        rng.fill(&mut v[13..4096]);
        v
    } else {
        png(1200, 800, seed, rng.gen_range(1_000..512_000))
    }
}

/// The file name extension of bytes [`content`] made.
fn extension(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"%PDF") {
        "pdf"
    } else {
        "png"
    }
}

/// Records files about to be sent as one group (written together or not at all).
fn send(l: &Shared, files: &[&[u8]]) -> Vec<String> {
    let mut l = ledger(l);
    l.next_group += 1;
    let group = l.next_group;
    files
        .iter()
        .map(|f| {
            let digest = sha(f);
            let sent = Sent {
                size: f.len(),
                group,
            };
            l.sent.insert(digest.clone(), sent);
            digest
        })
        .collect()
}

fn ack(l: &Shared, files: Vec<(String, Readback)>) {
    let mut l = ledger(l);
    l.acknowledged += 1;
    l.acked.extend(files);
}

/// One random write through one of the APIs; transport errors (the kill) leave it
/// unacknowledged.
/// One write in `big_one_in` carries a 20 MB file.
pub(crate) async fn write_once(
    w: &World,
    l: &Shared,
    rng: &mut StdRng,
    seed: &mut u32,
    big_one_in: u32,
) {
    *seed += 1;
    let big = rng.gen_ratio(1, big_one_in);
    match rng.gen_range(0..10) {
        0..=2 => ncore_pair(w, l, rng, seed, big).await,
        3 => ncore_delete(w, l, rng).await,
        4 | 5 => b2core_pair(w, l, rng, seed, big).await,
        6 | 7 => passfort_image(w, l, rng, *seed).await,
        _ => jumio_execution(w, l, rng, seed).await,
    }
}

async fn ncore_pair(w: &World, l: &Shared, rng: &mut StdRng, seed: &mut u32, big: bool) {
    let (user, ident) = w.idents[rng.gen_range(0..w.idents.len())].clone();
    let front = content(rng, *seed, big);
    *seed += 1;
    let back = content(rng, *seed, false);
    let digests = send(l, &[&front, &back]);
    let names = [
        format!("f-{}.{}", digests[0], extension(&front)),
        format!("b-{}.{}", digests[1], extension(&back)),
    ];
    let mut form = Form::new();
    for (kind, (name, bytes)) in ["NATIONAL_ID_FRONT", "NATIONAL_ID_BACK"]
        .into_iter()
        .zip(names.iter().zip([front, back]))
    {
        form = form
            .text("identification_document_type", kind)
            .part("file", Part::bytes(bytes).file_name(name.clone()));
    }
    let url = format!("{}/v1/users/{user}/identifications/{ident}/files", w.base);
    let Some((status, body)) =
        answer(w.http.put(url).header("apikey", API_KEY).multipart(form)).await
    else {
        return;
    };
    if status != StatusCode::OK {
        // The identification is full: a refusal, in nCore's shape, that stores nothing.
        assert_eq!(body["code"], "LIMIT_EXCEEDED", "{status}: {body}");
        return;
    }
    let files = body["data"].as_array().cloned().unwrap_or_default();
    let acked = digests
        .into_iter()
        .zip(&names)
        .map(|(digest, name)| {
            let f = files
                .iter()
                .find(|f| f["file_name"] == name.as_str())
                .unwrap_or_else(|| panic!("acknowledged upload without {name}: {body}"));
            let file = f["id"].as_str().unwrap().to_owned();
            let how = Readback::Ncore {
                user: user.clone(),
                ident: ident.clone(),
                file,
            };
            (digest, how)
        })
        .collect();
    ack(l, acked);
}

async fn ncore_delete(w: &World, l: &Shared, rng: &mut StdRng) {
    let victim = {
        let l = ledger(l);
        let ncore: Vec<_> = l
            .acked
            .iter()
            .filter(|(d, r)| matches!(r, Readback::Ncore { .. }) && !l.deleting.contains(*d))
            .collect();
        if ncore.is_empty() {
            return;
        }
        let (d, r) = ncore[rng.gen_range(0..ncore.len())];
        (d.clone(), r.clone())
    };
    let (digest, Readback::Ncore { user, ident, file }) = victim else {
        return;
    };
    ledger(l).deleting.insert(digest.clone());
    let url = format!(
        "{}/v1/users/{user}/identifications/{ident}/files/{file}",
        w.base
    );
    let Ok(res) = w.http.delete(url).header("apikey", API_KEY).send().await else {
        return;
    };
    assert!(res.status().is_success(), "delete: {}", res.status());
    let mut l = ledger(l);
    l.deleting.remove(&digest);
    l.acked.remove(&digest);
    l.deleted.insert(digest);
    l.acknowledged += 1;
}

async fn b2core_pair(w: &World, l: &Shared, rng: &mut StdRng, seed: &mut u32, big: bool) {
    let front = content(rng, *seed, big);
    *seed += 1;
    let back = content(rng, *seed, false);
    let digests = send(l, &[&front, &back]);
    let mut form = Form::new().text("typeID", "2");
    for (digest, bytes) in digests.iter().zip([front, back]) {
        let name = format!("{digest}.{}", extension(&bytes));
        form = form.part("file", Part::bytes(bytes).file_name(name));
    }
    let url = format!("{}/api/v2/my/documents", w.base);
    let Some((status, body)) =
        answer(w.http.post(url).bearer_auth(&w.b2core).multipart(form)).await
    else {
        return;
    };
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let doc = id_text(&body["id"]);
    let files = body["files"].as_array().cloned().unwrap_or_default();
    assert_eq!(files.len(), 2, "{body}");
    let acked = digests
        .into_iter()
        .zip(files)
        .map(|(digest, f)| {
            let how = Readback::B2core {
                token: w.b2core.clone(),
                doc: doc.clone(),
                file: id_text(&f["id"]),
            };
            (digest, how)
        })
        .collect();
    ack(l, acked);
}

/// The status and JSON body of `req`; `None` when the connection failed or broke (the kill):
/// the write is then unacknowledged.
async fn answer(req: reqwest::RequestBuilder) -> Option<(StatusCode, Value)> {
    let res = req.send().await.ok()?;
    let status = res.status();
    Some((status, res.json().await.ok()?))
}

/// An admin API read, as JSON.
async fn admin_get(w: &World, path: &str) -> Value {
    let req = w
        .http
        .get(format!("{}{path}", w.base))
        .bearer_auth(ADMIN_KEY);
    let (status, body) = answer(req).await.expect("the admin API answers");
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// An id as it goes in a path, whether the body gave it as a number or a string.
fn id_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

async fn passfort_image(w: &World, l: &Shared, rng: &mut StdRng, seed: u32) {
    let bytes = png(1200, 800, seed, rng.gen_range(1_000..256_000));
    let digest = send(l, &[&bytes]).remove(0);
    let body = json!({
        "data": base64::engine::general_purpose::STANDARD.encode(&bytes),
        "image_type": "FRONT",
    });
    let url = format!("{}/4.0/profiles/{}/document_images", w.base, w.profile);
    let Some((status, body)) = answer(w.http.post(url).header("apikey", API_KEY).json(&body)).await
    else {
        return;
    };
    assert_eq!(status, StatusCode::OK, "{body}");
    let file = body["id"].as_str().unwrap().to_owned();
    let how = Readback::Passfort {
        profile: w.profile.clone(),
        file,
    };
    ack(l, vec![(digest, how)]);
}

/// FRONT and BACK of one prepared execution, then finalize.
async fn jumio_execution(w: &World, l: &Shared, rng: &mut StdRng, seed: &mut u32) {
    let Some(e) = w.execs.lock().unwrap_or_else(|e| e.into_inner()).pop() else {
        return;
    };
    let id = e.cred("ID");
    // The second FRONT (a PUT) replaces the first: an acknowledged replace removes the first file,
    // one cut off may or may not have.
    let mut replaced: Option<String> = None;
    for (classifier, method) in [
        ("FRONT", reqwest::Method::POST),
        ("FRONT", reqwest::Method::PUT),
        ("BACK", reqwest::Method::POST),
    ] {
        *seed += 1;
        let bytes = png(1200, 800, *seed, rng.gen_range(1_000..256_000));
        let digest = send(l, &[&bytes]).remove(0);
        if let Some(first) = &replaced {
            ledger(l).deleting.insert(first.clone());
        }
        let form = Form::new().part("file", Part::bytes(bytes).file_name("part"));
        let url = format!("{}{}", w.base, e.part(&id, classifier));
        let Ok(res) = w
            .http
            .request(method, url)
            .bearer_auth(&e.token)
            .header("user-agent", UA)
            .multipart(form)
            .send()
            .await
        else {
            return;
        };
        let status = res.status();
        let Ok(body) = res.text().await else {
            return;
        };
        assert_eq!(status, StatusCode::OK, "{classifier}: {body}");
        ack(l, vec![(digest.clone(), Readback::Jumio)]);
        if let Some(first) = replaced.take() {
            let mut l = ledger(l);
            l.deleting.remove(&first);
            l.acked.remove(&first);
            l.deleted.insert(first);
        } else if classifier == "FRONT" {
            replaced = Some(digest);
        }
    }
    let url = format!("{}{}", w.base, e.path());
    let finalized = w
        .http
        .put(url)
        .bearer_auth(&e.token)
        .header("user-agent", UA)
        .send()
        .await;
    if let Ok(res) = finalized {
        assert!(res.status().is_success(), "finalize: {}", res.status());
        ledger(l).acknowledged += 1;
    }
}

/// Starts a node on `config` and waits until it is ready.
pub(crate) async fn start(config: &Path, http: &reqwest::Client) -> crate::harness::Node {
    let node = Starting::new(config).listening().await;
    let ready = format!("{}/readyz", node.base);
    eventually("the node is ready", || async {
        let r = http.get(&ready).send().await.ok()?;
        (r.status() == StatusCode::OK).then_some(())
    })
    .await;
    node
}

/// The fixtures the writers use: nCore identifications, a B2Core client, a PassFort
/// profile, Jumio executions; made once, on the first node.
pub(crate) async fn world(http: &reqwest::Client, base: &str) -> World {
    let mut idents = Vec::new();
    for u in 0..USERS {
        let user = format!("crash-user-{u}");
        for n in 0..IDENTIFICATIONS {
            let res = http
                .post(format!("{base}/v1/users/{user}/identifications"))
                .header("apikey", API_KEY)
                .json(&json!({"type": "NATIONAL_ID", "number": format!("CL-{u}-{n}")}))
                .send()
                .await
                .unwrap();
            let body: Value = res.json().await.unwrap();
            idents.push((user.clone(), body["id"].as_str().unwrap().to_owned()));
        }
    }
    let (_, b2core) = new_client(http, base, ADMIN_KEY).await;
    let res = http
        .post(format!("{base}/4.0/profiles"))
        .header("apikey", API_KEY)
        .json(&crate::common::passfort::individual_body("Crash", "Loop"))
        .send()
        .await
        .unwrap();
    let profile: Value = res.json().await.unwrap();
    let access = JumioClient::at(http.clone(), base)
        .access(JUMIO_CLIENT)
        .await;
    World {
        http: http.clone(),
        base: base.to_owned(),
        idents,
        b2core,
        profile: profile["id"].as_str().unwrap().to_owned(),
        access,
        execs: Arc::default(),
    }
}

/// Every file of every subject of the tenant, as the admin API shows them: (SHA-256, size,
/// document id).
async fn admin_files(w: &World) -> Vec<(String, u64, Option<String>)> {
    let mut files = Vec::new();
    let mut after = String::new();
    loop {
        let page = admin_get(w, &format!("/admin/v1/subjects?limit=100{after}")).await;
        for s in page["items"].as_array().unwrap() {
            let d = admin_get(
                w,
                &format!("/admin/v1/subjects/{}", s["id"].as_str().unwrap()),
            )
            .await;
            let docs = d["documents"].as_array().unwrap();
            let attached = docs.iter().flat_map(|doc| doc["files"].as_array().unwrap());
            for f in attached.chain(d["files"].as_array().unwrap()) {
                files.push((
                    f["sha256"].as_str().unwrap().to_owned(),
                    f["size"].as_u64().unwrap(),
                    f["document_id"].as_str().map(str::to_owned),
                ));
            }
        }
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => return files,
        }
    }
}

/// The request that reads a file through the API that wrote it (`None` for Jumio, whose
/// parts are checked through the admin API's digest and size).
pub(crate) fn read_request(w: &World, how: &Readback) -> Option<reqwest::RequestBuilder> {
    let path = match how {
        Readback::Ncore { user, ident, file } => {
            format!("/v1/users/{user}/identifications/{ident}/files/{file}:download")
        }
        Readback::B2core { doc, file, .. } => format!("/api/v2/my/documents/{doc}/files/{file}"),
        Readback::Passfort { profile, file } => format!("/4.0/profiles/{profile}/files/{file}"),
        Readback::Jumio => return None,
    };
    let req = w.http.get(format!("{}{path}", w.base));
    Some(match how {
        Readback::B2core { token, .. } => req.bearer_auth(token),
        _ => req.header("apikey", API_KEY),
    })
}

/// The bytes of an acknowledged file through the API that wrote it (`None` for Jumio).
async fn read_back(w: &World, how: &Readback) -> Option<Vec<u8>> {
    let res = read_request(w, how)?.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{how:?}");
    let bytes = res.bytes().await.unwrap();
    if !matches!(how, Readback::Passfort { .. }) {
        return Some(bytes.to_vec());
    }
    // PassFort answers a file as JSON, its content in base64.
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    let data = body["decrypted_data"].as_str().unwrap();
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap(),
    )
}

/// The checks after a restart; answers how many files are shown. The bytes of the files
/// acknowledged since `verified` (all, with an empty set) are read back; the others were
/// read in an earlier iteration, and their digests and sizes are checked every time.
async fn check(
    w: &World,
    l: &Shared,
    (metadata_url, blobs): (&str, &idbridge::store::BlobLocation),
    verified: &mut BTreeSet<String>,
) -> usize {
    let shown = admin_files(w).await;
    // No writer runs now; a copy keeps the lock out of the reads below.
    let l = ledger(l).clone();
    let mut by_group: BTreeMap<u64, usize> = BTreeMap::new();
    let mut per_document: BTreeMap<String, usize> = BTreeMap::new();
    for (digest, size, doc) in &shown {
        let Some(sent) = l.sent.get(digest) else {
            // Set up before the loop (none are), or a file nobody sent.
            panic!("a file nobody sent is shown: {digest}");
        };
        assert_eq!(
            *size, sent.size as u64,
            "{digest} is shown with another size"
        );
        assert!(
            !l.deleted.contains(digest),
            "{digest} was deleted, and is back"
        );
        *by_group.entry(sent.group).or_default() += 1;
        if let Some(doc) = doc {
            *per_document.entry(doc.clone()).or_default() += 1;
        }
    }
    let shown: BTreeSet<&String> = shown.iter().map(|(d, _, _)| d).collect();
    for (digest, how) in &l.acked {
        if l.deleting.contains(digest) {
            continue;
        }
        assert!(
            shown.contains(digest),
            "lost: an acknowledged write {how:?}"
        );
        if !verified.insert(digest.clone()) {
            continue;
        }
        if let Some(bytes) = read_back(w, how).await {
            assert_eq!(sha(&bytes), *digest, "{how:?} reads back other bytes");
        }
    }
    // A group is written whole or not at all; a deleted member explains a missing one.
    for (group, count) in by_group {
        let members: Vec<&String> = l
            .sent
            .iter()
            .filter(|(_, s)| s.group == group)
            .map(|(d, _)| d)
            .collect();
        let gone = members
            .iter()
            .filter(|d| l.deleted.contains(**d) || l.deleting.contains(**d))
            .count();
        assert!(
            count + gone >= members.len(),
            "partial: {count} of the {} files of one write are shown",
            members.len()
        );
    }
    for (_, ident) in &w.idents {
        let held = per_document.get(ident).copied().unwrap_or(0);
        assert!(
            held <= NCORE_MAX_FILES,
            "identification {ident} holds {held} files"
        );
    }
    // Orphans are swept: the store holds the shown files' blobs only. On a directory the
    // restart's own sweep (grace 0) removed them all. On S3 a write the killed node had sent
    // can still complete after that sweep (the bucket finishes it, not the dead node), so a
    // store opened here sweeps again, as the next start-up would, until nothing is left over.
    let bucket = idbridge::store::Blobs::open(blobs).unwrap();
    eventually("the store holds the shown files' blobs only", || async {
        let later = std::time::SystemTime::now() + Duration::from_secs(3600);
        let keys = bucket.list_older_than(later).await.unwrap().len();
        if keys == shown.len() {
            return Some(());
        }
        assert!(keys > shown.len(), "{keys} blobs for {} files", shown.len());
        assert!(
            matches!(blobs, idbridge::store::BlobLocation::S3 { .. }),
            "the restart's sweep left {} orphan blobs in the directory",
            keys - shown.len()
        );
        let options = idbridge::store::StoreOptions {
            metadata_url: metadata_url.to_owned(),
            db: idbridge::store::DbSettings::default(),
            blobs: blobs.clone(),
            master_key: idbridge::store::MasterKey::from_base64(MASTER_KEY).unwrap(),
            sweep_grace: Duration::ZERO,
        };
        let (_, report) = idbridge::store::Store::open(options).await.unwrap();
        eprintln!(
            "{} blob(s) completed on S3 after the restart's sweep; swept now",
            report.swept
        );
        None
    })
    .await;
    shown.len()
}

#[tokio::test]
async fn kill_9_at_random_moments_loses_no_acknowledged_write() {
    let setting = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let iterations = setting("IDB_CRASH_ITERATIONS", 10);
    let first_seed = setting("IDB_CRASH_SEED", 20261207);
    eprintln!("crash loop: {iterations} iterations, IDB_CRASH_SEED={first_seed}");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // One location, named once: on S3 each call makes a new bucket.
    let (metadata_url, blobs) = crate::harness::storage(&data).await;
    // A grace of zero: each start-up sweeps every orphan (no write is in flight then).
    let storage = crate::harness::toml_of(&metadata_url, &blobs) + "sweep_grace_secs = 0\n";
    let config = crate::harness::write_config(dir.path(), &storage);
    let http = idbridge::http::client_builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let mut node = start(&config, &http).await;
    let base = world(&http, &node.base).await;
    let l: Shared = Arc::default();
    let mut rng = StdRng::seed_from_u64(first_seed);
    let mut verified = BTreeSet::new();
    for iteration in 0..iterations {
        let jumio = JumioClient::at(http.clone(), &node.base);
        let mut execs = Vec::new();
        for _ in 0..3 {
            execs.push(jumio.open(&base.access, workflow(None)).await);
        }
        let w = World {
            base: node.base.clone(),
            execs: Arc::new(Mutex::new(execs)),
            ..base.clone()
        };
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writers: Vec<_> = (0..WRITERS as u32)
            .map(|k| {
                let (w, l, stop) = (w.clone(), l.clone(), stop.clone());
                let mut rng = StdRng::seed_from_u64(rng.r#gen());
                let mut seed = (iteration as u32 * WRITERS as u32 + k) << 16;
                tokio::spawn(async move {
                    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                        write_once(&w, &l, &mut rng, &mut seed, 10).await;
                    }
                })
            })
            .collect();
        // The random moment of the kill: not a wait for the server, the point of the test.
        tokio::time::sleep(Duration::from_millis(rng.gen_range(200..3_000))).await;
        node.kill();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        for t in writers {
            // A writer's assertion (a refusal where none was due) fails the test here.
            t.await.unwrap();
        }
        node = start(&config, &http).await;
        if iteration + 1 == iterations {
            // The last check reads back every acknowledged file again.
            verified.clear();
        }
        let w = World {
            base: node.base.clone(),
            ..base.clone()
        };
        let shown = check(&w, &l, (&metadata_url, &blobs), &mut verified).await;
        eprintln!(
            "iteration {iteration}: {shown} files shown, {} writes acknowledged so far",
            ledger(&l).acknowledged
        );
    }
    let l = ledger(&l);
    eprintln!(
        "{iterations} iterations, {} acknowledged writes, lost 0, partial 0",
        l.acknowledged
    );
}
