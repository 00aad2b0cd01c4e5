//! # Two processes, one store
//!
//! The proof asked for by issue 15: two real `idbridge serve` processes (the binary cargo
//! builds, `CARGO_BIN_EXE_idbridge`) share one data directory, the SQLite database in WAL
//! mode and the blob directory, and behave as one server:
//!
//! - nCore: 30 concurrent file adds to one identification, split over both processes,
//!   leave exactly 10 (the per-identification limit); an idempotency key sent to both
//!   creates one identification (`ncore`).
//! - PassFort: limit + k profile creations split over both let exactly `limit` through, and
//!   the remaining budgets they report are one bucket's (`passfort`).
//! - Jumio: 8 concurrent FRONT uploads for one credential leave one FRONT; concurrent pages
//!   of a DOCUMENT credential never share a page number; an access token minted by one
//!   process works on the other (`jumio`).
//! - Jumio callbacks: with both processes sweeping, a receiver sees each finished
//!   execution's callback once, and at least once when the process delivering it is killed
//!   (SIGKILL) mid-delivery (`callbacks`).
//! - `kill -9` of one process during a large streaming upload and concurrent writes leaves
//!   nothing half visible through the other: every file listed opens with the bytes sent,
//!   no document is seen without the files its operation stores with it; a node killed
//!   exactly between a blob write and its metadata commit (caught there by a test holding the
//!   store's writer lock) leaves an orphan blob, invisible, which the next start-up's sweep
//!   removes (`crash`).
//! - A node started before its database waits for it, logging each attempt, and serves
//!   once it is there, with no restart (`startup`).
//! - `idbridge store copy` moves an embedded store (SQLite and files) onto the suite's
//!   storage under another master key: a node on the copy reads what every API wrote to the
//!   original, a second run skips everything, an altered file is reported and left out
//!   (`copy`).
//! - `idbridge keys rotate` runs while both nodes upload and download (one upload held open
//!   across the whole rotation): every file ends up wrapped under the new key, no blob is
//!   rewritten, and after the nodes move to the new key and the old one is retired, every
//!   file reads back byte for byte (`keys`).
//! - Secrets never leak: a whole session through every API, failing requests included,
//!   leaves no key, password, token, name, document number or file byte (raw or base64) in
//!   the log at debug level, `/metrics` or any error answer, nor a file byte, key, password
//!   or token in the data directory (`secrets`).
//!
//! With `IDB_TEST_POSTGRES` and `IDB_TEST_S3_ENDPOINT` set (`.ci/pg .ci/s3 .ci/scale-out`)
//! the nodes share one PostgreSQL database and one S3 bucket instead of a directory.
//!
//! Every vendor call goes through the clients of `tests/common` (nCore's `At`, Jumio's
//! `JumioClient`), pointed at one node's base URL.
//!
//! The harness (`harness`) writes one TOML configuration into a temporary directory
//! (tenants `alpha` and `beta`, `listen = "127.0.0.1:0"`), starts the first process, reads
//! its bound address from its "listening (http)" log line, polls `/readyz`, then does the
//! same for the second (so the migrations run once). Both processes are killed on drop,
//! and a failing test prints the tail of both logs. Every wait is a poll with a deadline
//! (30 s); nothing sleeps to wait for a server.
//!
//! Run it with `cargo test --test multi` (it is also part of `cargo test`). Linux only:
//! the callback test finds which process holds a connection through `/proc`.

#[path = "common/mod.rs"]
mod common;

#[path = "multi/audit.rs"]
mod audit;
#[path = "multi/callbacks.rs"]
mod callbacks;
#[path = "multi/copy.rs"]
mod copy;
#[path = "multi/crash.rs"]
mod crash;
#[path = "multi/crashloop.rs"]
mod crashloop;
#[path = "multi/harness.rs"]
mod harness;
#[path = "multi/jumio.rs"]
mod jumio;
#[path = "multi/keys.rs"]
mod keys;
#[path = "multi/ncore.rs"]
mod ncore;
#[path = "multi/passfort.rs"]
mod passfort;
#[path = "multi/secrets.rs"]
mod secrets;
#[path = "multi/soak.rs"]
mod soak;
#[path = "multi/startup.rs"]
mod startup;
