//! The soak of the reliability campaign: a mixed workload drives nCore, B2Core, PassFort,
//! Jumio and the admin API at a steady rate, about 80% reads and 20% writes, some of them
//! 20 MB files, for `IDB_SOAK_SECS` seconds (CI: 60; the long setting: 600). Each second it
//! samples the server's resident memory, open file descriptors and SQLite WAL size. It
//! reports the requests served and the non-2xx by kind from the server's own `/metrics`,
//! and asserts no 5xx, memory with no growth trend over the last half, and bounded
//! descriptors and WAL.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::common::jumio::JumioClient;
use crate::crashloop::{Readback, Shared, World, ledger, read_request, start, world, write_once};
use crate::harness::{ADMIN_KEY, API_KEY};
use crate::jumio::workflow;

/// Concurrent clients, and the pause each takes between requests: 8 × 20/s = 160 requests/s.
const CLIENTS: u64 = 8;
const PAUSE: Duration = Duration::from_millis(50);

/// One read of something stored: a file through the API that wrote it, or a listing.
async fn read_once(w: &World, l: &Shared, rng: &mut StdRng) {
    let pick = {
        let l = ledger(l);
        let n = l.acked.len();
        (n > 0).then(|| l.acked.values().nth(rng.gen_range(0..n)).cloned())
    };
    match (rng.gen_range(0..4), pick.flatten()) {
        (0, _) => {
            let (user, _) = &w.idents[rng.gen_range(0..w.idents.len())];
            let url = format!("{}/v1/users/{user}/identifications", w.base);
            let _ = w.http.get(url).header("apikey", API_KEY).send().await;
        }
        (1, _) => {
            let url = format!("{}/admin/v1/subjects?limit=20", w.base);
            let _ = w.http.get(url).bearer_auth(ADMIN_KEY).send().await;
        }
        (2, _) => {
            let url = format!("{}/api/v2/my/documents", w.base);
            let _ = w.http.get(url).bearer_auth(&w.b2core).send().await;
        }
        (_, Some(how)) if !matches!(how, Readback::Jumio) => {
            // A file deleted meanwhile answers the vendor's 404, counted like any non-2xx.
            if let Some(req) = read_request(w, &how) {
                let _ = req.send().await.map(|r| r.bytes());
            }
        }
        _ => {
            let url = format!("{}/4.0/profiles/{}/document_images", w.base, w.profile);
            let _ = w.http.get(url).header("apikey", API_KEY).send().await;
        }
    }
}

/// `VmRSS` of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Open file descriptors of process `pid`.
fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

/// `idbridge_http_requests_total` by status, and the non-2xx by (vendor, status).
fn requests(metrics: &str) -> (BTreeMap<u16, u64>, BTreeMap<(String, u16), u64>) {
    let mut by_status = BTreeMap::new();
    let mut failed = BTreeMap::new();
    for line in metrics
        .lines()
        .filter(|l| l.starts_with("idbridge_http_requests_total{"))
    {
        let label = |name: &str| {
            let start = line.find(&format!("{name}=\""))? + name.len() + 2;
            line[start..].split('"').next().map(str::to_owned)
        };
        let (Some(vendor), Some(status)) = (label("vendor"), label("status")) else {
            continue;
        };
        let status: u16 = status.parse().unwrap();
        let n: u64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        *by_status.entry(status).or_default() += n;
        if !(200..300).contains(&status) {
            *failed.entry((vendor, status)).or_default() += n;
        }
    }
    (by_status, failed)
}

#[tokio::test]
async fn a_steady_mixed_load_serves_without_5xx_or_growth() {
    let secs: u64 = std::env::var("IDB_SOAK_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let storage = crate::harness::storage_toml(&data).await;
    let config = crate::harness::write_config(dir.path(), &storage);
    let http = idbridge::http::client_builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let node = start(&config, &http).await;
    let mut w = world(&http, &node.base).await;
    let jumio = JumioClient::at(http.clone(), &node.base);
    let mut execs = Vec::new();
    for _ in 0..secs {
        execs.push(jumio.open(&w.access, workflow(None)).await);
    }
    w.execs = Arc::new(Mutex::new(execs));
    let l: Shared = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|k| {
            let (w, l, stop) = (w.clone(), l.clone(), stop.clone());
            tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(20261207 + k);
                let mut seed = (k as u32 + 1) << 20;
                let mut tick = tokio::time::interval(PAUSE);
                while !stop.load(Ordering::SeqCst) {
                    tick.tick().await;
                    if rng.gen_ratio(1, 5) {
                        write_once(&w, &l, &mut rng, &mut seed, 25).await;
                    } else {
                        read_once(&w, &l, &mut rng).await;
                    }
                }
            })
        })
        .collect();
    let wal = data.join("idbridge.db-wal");
    let mut samples = Vec::new();
    let mut second = tokio::time::interval(Duration::from_secs(1));
    for _ in 0..secs {
        second.tick().await;
        let wal = std::fs::metadata(&wal).map_or(0, |m| m.len());
        samples.push((rss_kib(node.pid()), fds(node.pid()), wal));
    }
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }
    let metrics = http
        .get(format!("{}/metrics", node.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (by_status, failed) = requests(&metrics);
    let served: u64 = by_status.values().sum();
    let peak = samples.iter().map(|s| s.0).max().unwrap();
    let half = samples.len() / 2;
    let third_quarter = samples[half..half + half / 2]
        .iter()
        .map(|s| s.0)
        .max()
        .unwrap();
    let last_quarter = samples[half + half / 2..]
        .iter()
        .map(|s| s.0)
        .max()
        .unwrap();
    let most_fds = samples.iter().map(|s| s.1).max().unwrap();
    let most_wal = samples.iter().map(|s| s.2).max().unwrap();
    eprintln!(
        "soak {secs} s: {served} requests served ({} writes acknowledged), non-2xx {failed:?}, \
         5xx {}; peak RSS {} MiB (3rd quarter {} MiB, last {} MiB); at most {most_fds} fds, \
         WAL at most {} MiB",
        ledger(&l).acknowledged,
        by_status.range(500..).map(|(_, n)| n).sum::<u64>(),
        peak / 1024,
        third_quarter / 1024,
        last_quarter / 1024,
        most_wal >> 20,
    );
    // A sanity floor, not a speed test: on moto a 20 MB upload takes a while.
    assert!(served > secs * 10, "only {served} requests in {secs} s");
    assert!(
        by_status.range(500..).next().is_none(),
        "5xx: {by_status:?}"
    );
    // No growth trend: the last quarter's peak within 25% (and 32 MiB of slack for the
    // allocator's arenas) of the third quarter's.
    assert!(
        last_quarter <= third_quarter + third_quarter / 4 + 32 * 1024,
        "resident memory grows: {third_quarter} KiB, then {last_quarter} KiB"
    );
    assert!(peak < 1024 * 1024, "peak RSS {peak} KiB");
    assert!(most_fds < 256, "{most_fds} open file descriptors");
    assert!(most_wal < 64 << 20, "WAL of {most_wal} bytes");
}
