//! The read benchmark's helpers, one binary (`bench/reads.sh` drives it; see there):
//!
//! - `ceiling --listen ADDR`: a minimal axum JSON route, the stack's ceiling. Every figure of
//!   the benchmark is reported as a ratio to it, measured in the same run.
//! - `seed --dir DIR --documents N`: fills an embedded store (SQLite + blob directory) directly
//!   through `Store` transactions, not over HTTP: subjects in two tenants, nCore aliases,
//!   documents, files and processes, plus the hot subjects the benchmark reads (one with 10
//!   documents, one with up to 10,000). Prints what it made as JSON.
//! - `commits --dir DIR --seconds S`: the write ceiling, a bare loop of fsynced SQLite commits
//!   (WAL, `synchronous = FULL`, one small row per commit) through a pool of the store's
//!   default size, 50 writers at once.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use clap::{Parser, Subcommand};
use idbridge::model::{
    Category, DocumentKind, FileSide, Namespace, NewDocument, NewFile, NewProcess, PersonalData,
    TenantId,
};
use idbridge::store::{BlobLocation, DbSettings, MasterKey, PutRules, Store, StoreOptions};
use serde_json::json;
use uuid::Uuid;

/// The master key the benchmark's servers are configured with (base64 of 32 bytes of `*`).
const MASTER_KEY: &str = "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=";
/// Rows per seeding transaction.
const BATCH: usize = 5_000;
/// One subject per this many documents of the background load.
const DOCS_PER_SUBJECT: usize = 10;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Appended by `cargo bench`; ignored.
    #[arg(long, global = true, hide = true)]
    bench: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Serves the minimal JSON route at `/json`.
    Ceiling {
        #[arg(long)]
        listen: String,
    },
    /// Seeds a store.
    Seed {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        documents: usize,
    },
    /// Runs the fsynced-commit loop and prints commits per second.
    Commits {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, default_value_t = 8)]
        seconds: u64,
    },
}

#[tokio::main]
async fn main() {
    match Cli::parse().command {
        Command::Ceiling { listen } => ceiling(&listen).await,
        Command::Seed { dir, documents } => seed(&dir, documents).await,
        Command::Commits { dir, seconds } => commits(&dir, seconds).await,
    }
}

async fn ceiling(listen: &str) {
    let app = axum::Router::new().route(
        "/json",
        axum::routing::get(|| async {
            axum::Json(json!({"id": "0190a0b0-0000-7000-8000-000000000000", "status": "ok"}))
        }),
    );
    let listener = tokio::net::TcpListener::bind(listen).await.unwrap();
    axum::serve(listener, app).await.unwrap();
}

async fn open(dir: &Path) -> Store {
    std::fs::create_dir_all(dir).unwrap();
    Store::open(StoreOptions {
        metadata_url: format!("sqlite://{}", dir.join("idbridge.db").display()),
        db: DbSettings::default(),
        blobs: BlobLocation::Local(dir.join("blobs")),
        master_key: MasterKey::from_base64(MASTER_KEY).unwrap(),
        sweep_grace: Duration::from_secs(3600),
    })
    .await
    .unwrap()
    .0
}

fn document(i: usize) -> NewDocument {
    let kinds = [
        DocumentKind::Passport,
        DocumentKind::IdCard,
        DocumentKind::DrivingLicence,
    ];
    NewDocument {
        kind: Some(kinds[i % kinds.len()]),
        category: Some(Category::ProofOfIdentity),
        number: Some(format!("B{i:08}")),
        issued_on: chrono::NaiveDate::from_ymd_opt(2020, 1, 1 + (i % 28) as u32),
        expires_on: chrono::NaiveDate::from_ymd_opt(2030, 1, 1 + (i % 28) as u32),
        personal: PersonalData {
            first_name: Some("Bench".into()),
            last_name: Some(format!("Holder{i}")),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A 1×1 PNG: what the hot documents' files hold (the benchmark reads metadata).
fn png() -> Bytes {
    Bytes::from(
        base64::engine::general_purpose::STANDARD
            .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
            .unwrap(),
    )
}

/// Subject `count` documents in one tenant, in batches: `(subject, [documents])`.
async fn subject_with(
    store: &Store,
    tenant: &TenantId,
    alias: Option<&str>,
    count: usize,
    first: usize,
) -> (Uuid, Vec<Uuid>) {
    let subject = Uuid::now_v7();
    let ncore = Namespace::new("ncore").unwrap();
    let aliases: Vec<_> = alias.map(|a| (ncore, a.to_owned())).into_iter().collect();
    let mut docs = Vec::with_capacity(count);
    let mut tx = store.begin().await.unwrap();
    tx.insert_subject(tenant, subject, &aliases).await.unwrap();
    for i in 0..count {
        if i > 0 && i % BATCH == 0 {
            tx.commit().await.unwrap();
            tx = store.begin().await.unwrap();
        }
        let doc = document(first + i).validate().unwrap();
        docs.push(tx.insert_document(tenant, subject, doc).await.unwrap().id);
    }
    tx.commit().await.unwrap();
    (subject, docs)
}

/// Puts `sides` files on each document (committed in batches).
async fn attach(
    store: &Store,
    tenant: &TenantId,
    subject: Uuid,
    docs: &[Uuid],
    sides: &[FileSide],
) {
    for chunk in docs.chunks(500) {
        let mut staged = Vec::new();
        for _ in chunk {
            for _ in sides {
                let new = NewFile {
                    subject_id: subject,
                    document_id: None,
                    side: FileSide::None,
                    name: Some("image.png".into()),
                    extras: Default::default(),
                };
                let rules = PutRules {
                    max_size: 1 << 20,
                    max_files_per_document: 10,
                    accept: Box::new(|_| Ok(())),
                };
                let body = futures::stream::iter([Ok(png())]);
                staged.push(store.stage_file(tenant, new, rules, body).await.unwrap());
            }
        }
        let mut tx = store.begin().await.unwrap();
        let mut staged = staged.into_iter();
        for doc in chunk {
            for side in sides {
                let s = staged.next().unwrap();
                tx.add_staged(tenant, s, *doc, *side, 10).await.unwrap();
            }
        }
        tx.commit().await.unwrap();
    }
}

async fn seed(dir: &Path, documents: usize) {
    let started = Instant::now();
    let store = open(dir).await;
    let bench = TenantId::new("bench").unwrap();
    let other = TenantId::new("other").unwrap();
    let big = (documents / 10).clamp(10, 10_000);
    // The hot subjects, as an nCore client names them (aliases) and as PassFort does (ids).
    let (small, small_docs) = subject_with(&store, &bench, Some("hot-small"), 10, 0).await;
    attach(
        &store,
        &bench,
        small,
        &small_docs,
        &[FileSide::Front, FileSide::Back],
    )
    .await;
    let (large, large_docs) = subject_with(&store, &bench, Some("hot-large"), big, 10).await;
    attach(
        &store,
        &bench,
        large,
        &large_docs[..large_docs.len().min(1_000)],
        &[FileSide::Front],
    )
    .await;
    // The background: subjects of DOCS_PER_SUBJECT documents over both tenants, half of them
    // with an nCore alias, one document in 100 with a file, one subject in 10 with a process.
    let rest = documents.saturating_sub(10 + big);
    let subjects = rest.div_ceil(DOCS_PER_SUBJECT);
    let mut made = 0;
    let mut tx = store.begin().await.unwrap();
    let mut in_tx = 0;
    let mut filed = Vec::new();
    // A bench-tenant subject halfway through the tenant: where a deep admin page starts.
    let mut deep = None;
    let ns = Namespace::new("ncore").unwrap();
    let process_ns = Namespace::new("bench").unwrap();
    for s in 0..subjects {
        let tenant = if s % 2 == 0 { &bench } else { &other };
        let subject = Uuid::now_v7();
        let aliases: Vec<_> = (s % 2 == 0)
            .then(|| (ns.clone(), format!("user-{s}")))
            .into_iter()
            .collect();
        tx.insert_subject(tenant, subject, &aliases).await.unwrap();
        if s % 2 == 0 && s >= subjects / 2 && deep.is_none() {
            deep = Some(subject);
        }
        if s % 10 == 0 {
            let new = NewProcess {
                subject_id: subject,
                namespace: process_ns.clone(),
                kind: "bench".into(),
                expires_at: None,
                data: json!({"n": s}),
            };
            tx.insert_process(tenant, new).await.unwrap();
        }
        for _ in 0..DOCS_PER_SUBJECT.min(rest - made) {
            let id = tx
                .insert_document(tenant, subject, document(made).validate().unwrap())
                .await
                .unwrap()
                .id;
            if made % 100 == 0 {
                filed.push((tenant.clone(), subject, id));
            }
            made += 1;
            in_tx += 1;
        }
        if in_tx >= BATCH {
            tx.commit().await.unwrap();
            tx = store.begin().await.unwrap();
            in_tx = 0;
        }
    }
    tx.commit().await.unwrap();
    for (tenant, subject, doc) in &filed {
        attach(&store, tenant, *subject, &[*doc], &[FileSide::Front]).await;
    }
    store.close().await;
    let out = json!({
        "documents": documents,
        "subjects": subjects + 2,
        "deep_subject": deep.unwrap_or(large),
        "small": {"subject": small, "alias": "hot-small", "document": small_docs[0], "documents": 10},
        "large": {"subject": large, "alias": "hot-large", "document": large_docs[big / 2], "documents": big},
        "seconds": started.elapsed().as_secs_f64(),
    });
    println!("{out}");
}

async fn commits(dir: &Path, seconds: u64) {
    use sqlx::sqlite::{
        SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
    };
    std::fs::create_dir_all(dir).unwrap();
    let options = SqliteConnectOptions::new()
        .filename(dir.join("commits.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(30));
    let pool = SqlitePoolOptions::new()
        .max_connections(DbSettings::default().pool_size)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::query("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    let until = Instant::now() + Duration::from_secs(seconds);
    let writers: Vec<_> = (0..50)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut n = 0u64;
                while Instant::now() < until {
                    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
                    sqlx::query("INSERT INTO t (v) VALUES ('a small row')")
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for w in writers {
        total += w.await.unwrap();
    }
    println!("{:.0}", total as f64 / seconds as f64);
}
