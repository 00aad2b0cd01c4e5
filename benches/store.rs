//! Store throughput against the plain filesystem, measured in the same run on the same disk.
//!
//! `cargo bench --bench store` writes and reads a 128 MB file five rounds over:
//! plain file write (+fsync) and read, then the store's put (sniff, SHA-256, AES-256-GCM,
//! fsync, metadata commit) and get (decrypt). Reads run twice: warm (both files in the page
//! cache, so the plain read is a memory copy) and cold (both files evicted first with
//! `POSIX_FADV_DONTNEED`, so both come from the disk). It reports MB/s, the store's figures
//! as ratios of the plain ones, and the process's peak RSS during each store phase.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use futures::StreamExt;
use idbridge::error::Error;
use idbridge::model::{FileSide, NewFile, TenantId};
use idbridge::store::{BlobLocation, MasterKey, PutRules, Store, StoreOptions};

const SIZE: usize = 128 * 1024 * 1024;
const PIECE: usize = 64 * 1024;
const ROUNDS: usize = 5;

/// Deterministic pseudo-random pieces, made as they are consumed (never 128 MB at once).
struct Source {
    x: u64,
    sent: usize,
}

impl Source {
    fn new() -> Self {
        Source {
            x: 0x9E37_79B9_7F4A_7C15,
            sent: 0,
        }
    }

    fn next_piece(&mut self) -> Option<Vec<u8>> {
        if self.sent >= SIZE {
            return None;
        }
        let n = (SIZE - self.sent).min(PIECE);
        let mut v = Vec::with_capacity(n);
        while v.len() < n {
            self.x ^= self.x << 13;
            self.x ^= self.x >> 7;
            self.x ^= self.x << 17;
            v.extend_from_slice(&self.x.to_le_bytes());
        }
        v.truncate(n);
        self.sent += n;
        Some(v)
    }
}

/// Resets the kernel's peak-RSS mark for this process (Linux ≥ 4.0).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak RSS since the last reset, in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Drops a file's pages from the page cache (it was fsynced, so none are dirty).
fn evict(path: &std::path::Path) {
    let f = std::fs::File::open(path).unwrap();
    rustix::fs::fadvise(&f, 0, None, rustix::fs::Advice::DontNeed).unwrap();
}

fn mb_per_s(d: Duration) -> f64 {
    SIZE as f64 / 1e6 / d.as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn plain_write(path: &std::path::Path) -> Duration {
    let started = Instant::now();
    let mut f = std::fs::File::create(path).unwrap();
    let mut src = Source::new();
    while let Some(p) = src.next_piece() {
        f.write_all(&p).unwrap();
    }
    f.sync_all().unwrap();
    started.elapsed()
}

fn plain_read(path: &std::path::Path) -> Duration {
    let started = Instant::now();
    let mut f = std::fs::File::open(path).unwrap();
    let mut buf = vec![0u8; 1024 * 1024];
    let mut total = 0usize;
    let mut check = 0u8;
    loop {
        let n = f.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        check ^= buf[n - 1];
        total += n;
    }
    assert_eq!(total, SIZE);
    std::hint::black_box(check);
    started.elapsed()
}

async fn store_put(
    store: &Store,
    tenant: &TenantId,
    subject: uuid::Uuid,
) -> (Duration, uuid::Uuid) {
    let body = futures::stream::unfold(Source::new(), |mut s| async move {
        s.next_piece().map(|p| (Ok::<_, Error>(Bytes::from(p)), s))
    })
    .boxed();
    let new = NewFile {
        subject_id: subject,
        document_id: None,
        side: FileSide::None,
        name: None,
        extras: Default::default(),
    };
    let rules = PutRules {
        max_size: SIZE as u64,
        max_files_per_document: 10,
        accept: Box::new(|_| Ok(())),
    };
    let started = Instant::now();
    let f = store.put_file(tenant, new, rules, body).await.unwrap();
    (started.elapsed(), f.id)
}

async fn store_get(store: &Store, tenant: &TenantId, id: uuid::Uuid) -> Duration {
    let started = Instant::now();
    let (_, mut stream) = store.open_file(tenant, id, None).await.unwrap();
    let mut total = 0usize;
    while let Some(piece) = stream.next().await {
        total += piece.unwrap().len();
    }
    assert_eq!(total, SIZE);
    started.elapsed()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Beside the target directory, so both contenders use the same disk.
        let dir = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();
        let key =
            MasterKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([9u8; 32]))
                .unwrap();
        let (store, _) = Store::open(StoreOptions {
            metadata_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
            db: Default::default(),
            blobs: BlobLocation::Local(dir.path().join("blobs")),
            master_key: key,
            sweep_grace: Duration::from_secs(3600),
        })
        .await
        .unwrap();
        let tenant = TenantId::new("bench").unwrap();
        let subject = store
            .create_subject(&tenant, None, None, &[])
            .await
            .unwrap()
            .id;
        let plain = dir.path().join("plain.bin");

        let blob = |id: uuid::Uuid| dir.path().join("blobs/blobs").join(id.to_string());
        let (mut pw, mut sp) = (vec![], vec![]);
        let (mut pr_warm, mut sg_warm, mut pr_cold, mut sg_cold) = (vec![], vec![], vec![], vec![]);
        let (mut put_rss, mut get_rss) = (0f64, 0f64);
        for _ in 0..ROUNDS {
            pw.push(mb_per_s(plain_write(&plain)));
            reset_peak_rss();
            let (d, id) = store_put(&store, &tenant, subject).await;
            sp.push(mb_per_s(d));
            put_rss = put_rss.max(peak_rss_mib());

            pr_warm.push(mb_per_s(plain_read(&plain)));
            reset_peak_rss();
            sg_warm.push(mb_per_s(store_get(&store, &tenant, id).await));
            get_rss = get_rss.max(peak_rss_mib());

            evict(&plain);
            pr_cold.push(mb_per_s(plain_read(&plain)));
            evict(&blob(id));
            sg_cold.push(mb_per_s(store_get(&store, &tenant, id).await));
            store.delete_file(&tenant, id).await.unwrap();
        }
        let row = |name: &str, plain: Vec<f64>, ours: Vec<f64>, target: &str, rss: f64| {
            let (p, o) = (median(plain), median(ours));
            println!(
                "| {name} | {p:.0} | {o:.0} | {:.2}x | {target} | {rss:.1} |",
                o / p
            );
        };
        println!("128 MB file, median of {ROUNDS} rounds");
        println!("| operation | plain file MB/s | store MB/s | ratio | target | peak RSS (MiB) |");
        println!("|---|---|---|---|---|---|");
        row("write (fsync) / put", pw, sp, ">= 0.5x", put_rss);
        row(
            "read / get, cold cache",
            pr_cold,
            sg_cold,
            ">= 0.7x",
            get_rss,
        );
        row(
            "read / get, warm cache",
            pr_warm,
            sg_warm,
            ">= 0.7x",
            get_rss,
        );
    });
}
