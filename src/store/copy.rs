//! Copying one store into another (`idbridge store copy`): every table a client can observe,
//! row for row, and every blob re-sealed under the destination's master key.
//!
//! - **Streaming.** Tables are read a page at a time in primary-key order (keyset paging,
//!   `WHERE (key…) > (last key…)`, which both engines read); a blob flows through in chunks
//!   (the download path of the source, the upload path of the destination). Memory stays at
//!   one page of rows plus a few blob windows, whatever the store's size.
//! - **Resumable.** Rows go in with `ON CONFLICT DO NOTHING`: a row already in the
//!   destination is counted as skipped. A file whose row exists is skipped before its blob
//!   is read. A file's blob is written before its row, so an interrupted copy leaves at most
//!   an orphan blob, which a re-run overwrites (same key) or the destination's start-up sweep
//!   removes.
//! - **Verified.** Every file's plaintext is hashed while it is re-sealed and compared with
//!   the source's `sha256` and `size`; an altered blob fails authentication or the comparison.
//!   Either way the file counts as failed, its blob is removed and its row is not written.
//! - **Re-encrypted.** Each file gets a new data key wrapped by the destination's master
//!   key; signing keys' private halves are opened with the source's key and sealed with the
//!   destination's. Nothing else in the metadata is sealed by the master key.
//!
//! The rows are copied as stored (text and integers, both engines' only column types), so
//! ids, timestamps, counters and JSON stay exactly what clients saw.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use futures::StreamExt;
use sqlx::{AssertSqlSafe, Row};

use super::files::SealedBlob;
use super::{Store, db};
use crate::error::{Error, Result};
use crate::model::TenantId;

mod tables;

pub use tables::NOT_COPIED;
use tables::{Int, Special, TABLES, Table, Text};

/// Rows read (and written in one destination transaction) per page.
const PAGE: usize = 500;
/// Files whose blobs are copied at once: enough to hide an object store's latency, few
/// enough that memory stays a handful of read windows and upload parts.
const FILE_JOBS: usize = 4;

/// How one row (or file) went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Written to the destination.
    Copied,
    /// Already in the destination (an earlier run, or a row the destination had).
    Skipped,
    /// Could not be copied (a file that fails verification, a key that does not open); not
    /// written.
    Failed,
}

/// Counts of rows by outcome, and plaintext bytes of files copied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Rows written.
    pub copied: u64,
    /// Rows already there.
    pub skipped: u64,
    /// Rows that could not be copied.
    pub failed: u64,
    /// Plaintext bytes of the files copied.
    pub bytes: u64,
}

impl Tally {
    fn add(&mut self, outcome: Outcome, bytes: u64) {
        match outcome {
            Outcome::Copied => {
                self.copied += 1;
                self.bytes += bytes;
            }
            Outcome::Skipped => self.skipped += 1,
            Outcome::Failed => self.failed += 1,
        }
    }

    fn merge(&mut self, other: Tally) {
        self.copied += other.copied;
        self.skipped += other.skipped;
        self.failed += other.failed;
        self.bytes += other.bytes;
    }
}

impl std::fmt::Display for Tally {
    /// The summary line: `N copied, M skipped, K failed`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} copied, {} skipped, {} failed",
            self.copied, self.skipped, self.failed
        )
    }
}

/// What a copy is about to do: rows in each table and plaintext bytes of all files.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    /// `(table, rows)`, in copy order.
    pub tables: Vec<(&'static str, u64)>,
    /// Plaintext bytes of every file in the source.
    pub bytes: u64,
}

impl Totals {
    /// Rows over all tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

/// Told what a copy does as it goes (a progress bar, log lines). Never given row contents:
/// only table names, counts, sizes, and for a failure the row's id and the reason.
pub trait Progress: Sync {
    /// Before the first row.
    fn start(&self, totals: &Totals);
    /// A table is about to be copied.
    fn table(&self, name: &str, rows: u64);
    /// One row is done; `bytes` is a file's plaintext size (0 for other rows).
    fn row(&self, outcome: Outcome, bytes: u64);
    /// A row could not be copied: its table, its id, why.
    fn failed(&self, table: &str, id: &str, reason: &str);
    /// A table is done.
    fn table_done(&self, name: &str, tally: &Tally);
}

/// Copies everything in `from` (tables and blobs) into `to`, which is opened and migrated
/// already. Rows already in `to` are skipped, so a copy that stopped is completed by running
/// it again. A failed SQL statement (a database unreachable, a constraint the row breaks)
/// ends the copy. A file whose blob cannot be read, opened, verified or written, or a
/// signing key that does not open, is counted as failed, reported with the reason, and the
/// copy goes on: a re-run retries just those.
pub async fn copy(from: &Store, to: &Store, progress: &dyn Progress) -> Result<Tally> {
    let totals = totals(from).await?;
    progress.start(&totals);
    let mut all = Tally::default();
    for (table, (_, rows)) in TABLES.iter().zip(&totals.tables) {
        progress.table(table.name, *rows);
        let tally = copy_table(from, to, table, progress).await?;
        progress.table_done(table.name, &tally);
        all.merge(tally);
    }
    Ok(all)
}

/// Counts the source's rows per table and the bytes of its files, for the progress bar.
async fn totals(from: &Store) -> Result<Totals> {
    let mut totals = Totals::default();
    for table in TABLES {
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            table.name
        )))
        .fetch_one(&from.inner.pool)
        .await?;
        totals.tables.push((table.name, n as u64));
    }
    let bytes: Option<i64> = sqlx::query_scalar("SELECT CAST(SUM(size) AS BIGINT) FROM files")
        .fetch_one(&from.inner.pool)
        .await?;
    totals.bytes = bytes.unwrap_or(0) as u64;
    Ok(totals)
}

/// One stored value, typed as its column.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Text(Option<String>),
    Int(Option<i64>),
}

/// A row as read: values in the table's column order.
type Values = Vec<Value>;

impl Table {
    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn position(&self, column: &str) -> Result<usize> {
        self.columns
            .iter()
            .position(|(c, _)| *c == column)
            .ok_or_else(|| Error::internal(format!("{}: no column {column}", self.name)))
    }

    /// The first page (`after` false) or the page after a key (`after` true, the key's
    /// values bound as `$1…`), in primary-key order.
    fn select_page(&self, after: bool) -> String {
        let key = self.key.join(", ");
        let filter = if after {
            format!(" WHERE ({key}) > ({})", placeholders(self.key.len()))
        } else {
            String::new()
        };
        format!(
            "SELECT {} FROM {}{filter} ORDER BY {key} LIMIT {PAGE}",
            self.column_list(),
            self.name
        )
    }

    /// Inserts one row unless it (or a row equal on any unique column) is there already.
    fn insert(&self) -> String {
        format!(
            "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING",
            self.name,
            self.column_list(),
            placeholders(self.columns.len())
        )
    }

    /// The values of the primary key of `row`, in key order.
    fn key_of(&self, row: &Values) -> Result<Values> {
        self.key
            .iter()
            .map(|k| -> Result<Value> { Ok(row[self.position(k)?].clone()) })
            .collect()
    }

    /// `row`'s id for a failure report: its primary key's values, joined.
    fn describe(&self, row: &Values) -> String {
        self.key_of(row)
            .unwrap_or_default()
            .iter()
            .map(|v| match v {
                Value::Text(t) => t.clone().unwrap_or_default(),
                Value::Int(n) => n.map(|n| n.to_string()).unwrap_or_default(),
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    fn read(&self, row: &db::Row) -> Result<Values> {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| -> Result<Value> {
                Ok(match kind {
                    Text => Value::Text(row.try_get(i)?),
                    Int => Value::Int(row.try_get(i)?),
                })
            })
            .collect()
    }

    fn text(&self, row: &Values, column: &str) -> Result<String> {
        match &row[self.position(column)?] {
            Value::Text(Some(t)) => Ok(t.clone()),
            _ => Err(Error::internal(format!(
                "{}.{column} is not text",
                self.name
            ))),
        }
    }

    fn int(&self, row: &Values, column: &str) -> Result<i64> {
        match &row[self.position(column)?] {
            Value::Int(Some(n)) => Ok(*n),
            _ => Err(Error::internal(format!(
                "{}.{column} is not an integer",
                self.name
            ))),
        }
    }

    fn set_text(&self, row: &mut Values, column: &str, text: String) -> Result<()> {
        row[self.position(column)?] = Value::Text(Some(text));
        Ok(())
    }
}

/// `$1, $2, …, $n`.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    values: &'q [Value],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for v in values {
        query = match v {
            Value::Text(t) => query.bind(t.as_deref()),
            Value::Int(n) => query.bind(*n),
        };
    }
    query
}

/// Copies one table, a page at a time.
async fn copy_table(
    from: &Store,
    to: &Store,
    table: &Table,
    progress: &dyn Progress,
) -> Result<Tally> {
    let mut tally = Tally::default();
    let mut after: Option<Values> = None;
    loop {
        let page = read_page(from, table, after.as_deref()).await?;
        let Some(last) = page.last() else {
            return Ok(tally);
        };
        after = Some(table.key_of(last)?);
        let done = page.len() < PAGE;
        let page_tally = match table.special {
            Special::Files => copy_files(from, to, table, page, progress).await?,
            _ => copy_rows(from, to, table, page, progress).await?,
        };
        tally.merge(page_tally);
        if done {
            return Ok(tally);
        }
    }
}

async fn read_page(from: &Store, table: &Table, after: Option<&[Value]>) -> Result<Vec<Values>> {
    let sql = table.select_page(after.is_some());
    let query = bind_all(sqlx::query(AssertSqlSafe(sql)), after.unwrap_or_default());
    query
        .fetch_all(&from.inner.pool)
        .await?
        .iter()
        .map(|r| table.read(r))
        .collect()
}

/// Writes a page of plain rows (re-sealing signing keys) in one destination transaction.
async fn copy_rows(
    from: &Store,
    to: &Store,
    table: &Table,
    page: Vec<Values>,
    progress: &dyn Progress,
) -> Result<Tally> {
    let mut tally = Tally::default();
    let insert = table.insert();
    let mut tx = db::write_tx(&to.inner.pool, to.inner.engine).await?;
    for mut row in page {
        if table.special == Special::SigningKeys
            && let Err(e) = reseal_signing_key(from, to, table, &mut row)
        {
            progress.failed(table.name, &table.describe(&row), &e.chain());
            progress.row(Outcome::Failed, 0);
            tally.add(Outcome::Failed, 0);
            continue;
        }
        let done = bind_all(sqlx::query(AssertSqlSafe(insert.as_str())), &row)
            .execute(&mut *tx)
            .await?;
        let outcome = if done.rows_affected() == 0 {
            Outcome::Skipped
        } else {
            Outcome::Copied
        };
        progress.row(outcome, 0);
        tally.add(outcome, 0);
    }
    tx.commit().await?;
    Ok(tally)
}

/// Replaces the row's sealed private key by one sealed with the destination's master key.
fn reseal_signing_key(from: &Store, to: &Store, table: &Table, row: &mut Values) -> Result<()> {
    let id = table.text(row, "id")?;
    let sealed = table.text(row, "private_key")?;
    let resealed = super::signing::reseal_private_key(
        &from.inner.keys.all(),
        &to.inner.keys.current(),
        &id,
        &sealed,
    )?;
    table.set_text(row, "private_key", resealed)
}

/// Copies a page of files, a few at a time; each file's blob first, then its row.
async fn copy_files(
    from: &Store,
    to: &Store,
    table: &Table,
    page: Vec<Values>,
    progress: &dyn Progress,
) -> Result<Tally> {
    let mut results = futures::stream::iter(page)
        .map(|row| copy_file(from, to, table, row, progress))
        .buffer_unordered(FILE_JOBS);
    let mut tally = Tally::default();
    while let Some(done) = results.next().await {
        let (outcome, bytes) = done?;
        progress.row(outcome, bytes);
        tally.add(outcome, bytes);
    }
    Ok(tally)
}

/// Copies one file: skipped when its row is in the destination; otherwise its plaintext is
/// streamed from the source (opened with the source's key) into a blob under the same key
/// in the destination (sealed with a new data key wrapped by the destination's key), checked
/// against the row's size and SHA-256, and only then is the row written. Answers the outcome
/// and the file's size. An error is returned only when a SQL statement fails; anything
/// wrong with the blob makes the file count as failed.
async fn copy_file(
    from: &Store,
    to: &Store,
    table: &Table,
    mut row: Values,
    progress: &dyn Progress,
) -> Result<(Outcome, u64)> {
    let id = table.text(&row, "id")?;
    let size = table.int(&row, "size")?.max(0) as u64;
    let present: Option<i64> = sqlx::query_scalar("SELECT 1 FROM files WHERE id = $1")
        .bind(&id)
        .fetch_optional(&to.inner.pool)
        .await?;
    if present.is_some() {
        return Ok((Outcome::Skipped, size));
    }
    let sealed = match reseal_blob(from, to, table, &row).await {
        Ok(sealed) => sealed,
        Err(e) => {
            progress.failed(table.name, &id, &e.chain());
            return Ok((Outcome::Failed, size));
        }
    };
    table.set_text(&mut row, "wrapped_key", B64.encode(&sealed.wrapped.bytes))?;
    table.set_text(&mut row, "key_id", sealed.wrapped.key_id.clone())?;
    let insert = table.insert();
    let written = bind_all(sqlx::query(AssertSqlSafe(insert.as_str())), &row)
        .execute(&to.inner.pool)
        .await?;
    // The row now refers to the blob: keep it. (A row that was there after all still names
    // this key, so the blob stays referenced either way.)
    sealed.guard.disarm();
    Ok(if written.rows_affected() == 0 {
        (Outcome::Skipped, size)
    } else {
        (Outcome::Copied, size)
    })
}

/// Streams one file's blob from `from` into `to`, re-sealed, and verifies it. On any
/// failure no blob is left in the destination.
async fn reseal_blob(from: &Store, to: &Store, table: &Table, row: &Values) -> Result<SealedBlob> {
    let tenant = TenantId::new(table.text(row, "tenant")?)?;
    let id = db::uuid(&table.text(row, "id")?)?;
    let blob_key = table.text(row, "blob_key")?;
    let size = table.int(row, "size")?.max(0) as u64;
    let sha256 = table.text(row, "sha256")?;
    let (_, plaintext) = from.open_file(&tenant, id, None).await?;
    // The source's own rules accepted this content once; the copy takes it as it is. A blob
    // longer than its row says stops at `size` + 1 bytes.
    let accept_all: super::AcceptFn = Box::new(|_| Ok(()));
    let sealed = to
        .seal_blob(&tenant, id, &blob_key, size, accept_all, plaintext)
        .await
        .map_err(|e| match e {
            Error::PayloadTooLarge { .. } => {
                Error::internal("the blob holds more bytes than its row says")
            }
            e => e,
        })?;
    if let Err(e) = verify(&sealed, size, &sha256) {
        // Removed now, not by the guard's background task, which the process might not
        // outlive.
        to.inner.blobs.delete(&blob_key).await?;
        sealed.guard.disarm();
        return Err(e);
    }
    Ok(sealed)
}

/// The plaintext that went into the destination is the one the source's row describes.
fn verify(sealed: &SealedBlob, size: u64, sha256_hex: &str) -> Result<()> {
    if sealed.written.size != size {
        return Err(Error::internal(format!(
            "the blob holds {} bytes, its row says {size}",
            sealed.written.size
        )));
    }
    if !hex::encode(sealed.written.sha256).eq_ignore_ascii_case(sha256_hex) {
        return Err(Error::internal(
            "the plaintext's SHA-256 differs from the row's sha256",
        ));
    }
    Ok(())
}

/// Whether `copy` writes rows of `table`: for tests and documentation.
pub fn copies_table(table: &str) -> bool {
    TABLES.iter().any(|t| t.name == table)
}

impl Store {
    /// Closes the metadata pool, waiting for its connections to close (a SQLite database
    /// checkpoints its WAL as the last one does): what a command ends with.
    pub async fn close(&self) {
        self.inner.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use bytes::Bytes;
    use uuid::Uuid;

    use super::*;

    /// A file's plaintext as a stream of one piece.
    fn body(bytes: &'static [u8]) -> impl futures::Stream<Item = Result<Bytes>> + Send + Unpin {
        futures::stream::iter([Ok(Bytes::from_static(bytes))])
    }

    async fn sqlite_store(dir: &std::path::Path, key: u8) -> Store {
        let url = format!("sqlite://{}", dir.join("idbridge.db").display());
        crate::store::testing::open_keyed(dir, url, [key; 32]).await
    }

    /// The table list is the schema: every table the migrations make is copied or named as
    /// deliberately left out, and each copied table lists every column with its type and
    /// its whole primary key. A migration that adds a table or a column fails this until
    /// the copy knows of it.
    #[tokio::test]
    async fn the_table_list_matches_the_migrated_schema() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(dir.path(), 1).await;
        let pool = &store.inner.pool;
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        for name in &names {
            let skipped = NOT_COPIED.iter().any(|(t, _)| t == name);
            assert!(
                copies_table(name) != skipped,
                "{name}: copy it or say in NOT_COPIED why not"
            );
        }
        for table in TABLES {
            assert!(names.iter().any(|n| n == table.name), "{}", table.name);
            let info = sqlx::query(AssertSqlSafe(format!(
                "SELECT name, type, pk FROM pragma_table_info('{}')",
                table.name
            )))
            .fetch_all(pool)
            .await
            .unwrap();
            let mut schema = BTreeSet::new();
            let mut key = Vec::new();
            for r in &info {
                let name: String = r.try_get("name").unwrap();
                let ty: String = r.try_get("type").unwrap();
                let kind = if ty.contains("INT") { Int } else { Text };
                schema.insert((name.clone(), kind == Int));
                let pk: i64 = r.try_get("pk").unwrap();
                if pk > 0 {
                    key.push((pk, name));
                }
            }
            let listed: BTreeSet<(String, bool)> = table
                .columns
                .iter()
                .map(|(c, k)| ((*c).to_owned(), *k == Int))
                .collect();
            assert_eq!(listed, schema, "columns of {}", table.name);
            key.sort();
            let key: Vec<String> = key.into_iter().map(|(_, n)| n).collect();
            assert_eq!(key, table.key, "primary key of {}", table.name);
        }
    }

    /// Foreign keys point only at tables copied earlier, so a destination that checks them
    /// row by row accepts every row.
    #[tokio::test]
    async fn parents_are_copied_before_children() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(dir.path(), 1).await;
        for (i, table) in TABLES.iter().enumerate() {
            let parents: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
                "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list('{}')",
                table.name
            )))
            .fetch_all(&store.inner.pool)
            .await
            .unwrap();
            for parent in parents {
                let at = TABLES.iter().position(|t| t.name == parent).unwrap();
                assert!(
                    at < i,
                    "{} is copied before its parent {parent}",
                    table.name
                );
            }
        }
    }

    #[test]
    fn paging_and_inserts_use_shared_sql() {
        let pages = TABLES.iter().find(|t| t.name == "process_pages").unwrap();
        assert_eq!(
            pages.select_page(true),
            format!(
                "SELECT process_id, credential_id, page FROM process_pages \
                 WHERE (process_id, credential_id, page) > ($1, $2, $3) \
                 ORDER BY process_id, credential_id, page LIMIT {PAGE}"
            )
        );
        assert_eq!(
            pages.insert(),
            "INSERT INTO process_pages (process_id, credential_id, page) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING"
        );
        assert!(!pages.select_page(false).contains("WHERE"));
    }

    #[test]
    fn the_summary_line_counts_rows() {
        let mut t = Tally::default();
        t.add(Outcome::Copied, 10);
        t.add(Outcome::Copied, 0);
        t.add(Outcome::Skipped, 5);
        t.add(Outcome::Failed, 7);
        assert_eq!(t.to_string(), "2 copied, 1 skipped, 1 failed");
        assert_eq!(t.bytes, 10, "only copied bytes count");
    }

    /// A sealed blob is checked against both the size and the hash its row records.
    #[tokio::test]
    async fn verification_compares_size_and_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = sqlite_store(dir.path(), 2).await;
        let tenant = TenantId::new("t").unwrap();
        let id = Uuid::now_v7();
        let key = super::super::Blobs::key_for(id);
        let sealed = store
            .seal_blob(&tenant, id, &key, 100, Box::new(|_| Ok(())), body(b"hello"))
            .await
            .unwrap();
        let good = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"hello"));
        assert!(verify(&sealed, 5, &good).is_ok());
        assert!(verify(&sealed, 5, &good.to_uppercase()).is_ok());
        assert!(verify(&sealed, 6, &good).is_err());
        let other = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"hellO"));
        assert!(verify(&sealed, 5, &other).is_err());
    }
}
