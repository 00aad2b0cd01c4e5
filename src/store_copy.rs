//! `idbridge store copy --from A --to B`: the command around [`crate::store::copy`]. It
//! loads both configurations, refuses a copy of a store onto itself, opens both stores as a
//! node's start-up does (the destination's migrations run then), copies, and shows progress:
//! a bar on a terminal, log lines otherwise.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::Instrument as _;

use crate::config::{Config, StorageConfig};
use crate::store::copy::{self, Outcome, Progress, Tally, Totals};

/// Copies the store `from` describes into the store `to` describes (both configuration
/// files, read as `idbridge serve` reads them) and answers the counts.
pub async fn run(from: &Path, to: &Path) -> anyhow::Result<Tally> {
    let from = Config::load(Some(from))?;
    let to = Config::load(Some(to))?;
    if let Some(why) = same_store(&from.storage, &to.storage) {
        anyhow::bail!("--from and --to name the same store ({why}): nothing to copy");
    }
    refuse_new_source_key(&from.storage)?;
    let source = crate::server::open_store(&from)
        .instrument(tracing::info_span!("source"))
        .await?;
    let destination = crate::server::open_store(&to)
        .instrument(tracing::info_span!("destination"))
        .await?;
    let tally = if std::io::stderr().is_terminal() {
        let bar = Bar::new();
        let tally = copy::copy(&source, &destination, &bar).await;
        bar.finish();
        tally?
    } else {
        copy::copy(&source, &destination, &Log::default()).await?
    };
    destination.close().await;
    source.close().await;
    Ok(tally)
}

/// Why two storage configurations name one store (the same metadata database or the same
/// blob location), if they do. Copying a store onto itself would at best skip everything
/// and at worst overwrite blobs while reading them.
pub fn same_store(a: &StorageConfig, b: &StorageConfig) -> Option<&'static str> {
    if metadata_place(&a.metadata_url()) == metadata_place(&b.metadata_url()) {
        return Some("the same storage.metadata_url");
    }
    let same_blobs = match (&a.blob_url, &b.blob_url) {
        (Some(x), Some(y)) => x == y && a.s3.endpoint == b.s3.endpoint,
        (None, None) => place(&a.blob_dir()) == place(&b.blob_dir()),
        _ => false,
    };
    same_blobs.then_some("the same blob location")
}

/// What a metadata URL points at: a SQLite URL's file as an absolute path (so `./data/x.db`
/// and `data/x.db` compare equal), any other URL as written.
fn metadata_place(url: &str) -> String {
    match url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        Some(rest) => {
            let file = rest.split('?').next().unwrap_or(rest);
            place(Path::new(file)).display().to_string()
        }
        None => url.trim_end_matches('/').to_owned(),
    }
}

/// A path made absolute: through symbolic links when it exists, else with `.` and `..`
/// resolved as written (a destination not created yet).
fn place(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Opening a store whose master key file is missing creates a new key; for the source that
/// key would open nothing, so every file would fail. Refuse at once instead.
fn refuse_new_source_key(source: &StorageConfig) -> anyhow::Result<()> {
    if let (None, Some(path)) = (&source.master_key, &source.master_key_file)
        && !path.exists()
    {
        anyhow::bail!(
            "--from: storage.master_key_file {} does not exist: the source's blobs cannot be \
             opened without the key they were sealed with",
            path.display()
        );
    }
    Ok(())
}

/// Progress on a terminal: one bar of rows, one of bytes, each with its rate and ETA.
struct Bar {
    multi: MultiProgress,
    rows: ProgressBar,
    bytes: ProgressBar,
}

impl Bar {
    fn new() -> Bar {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = |template: &str| {
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ")
        };
        let rows = multi.add(ProgressBar::new(0).with_style(style(
            "{prefix:>20} [{bar:30}] {human_pos}/{human_len} rows  {per_sec}  ETA {eta}",
        )));
        let bytes = multi.add(ProgressBar::new(0).with_style(style(
            "{prefix:>20} [{bar:30}] {bytes}/{total_bytes}  {bytes_per_sec}  ETA {eta}",
        )));
        bytes.set_prefix("file bytes");
        Bar { multi, rows, bytes }
    }

    fn finish(&self) {
        self.rows.finish();
        self.bytes.finish();
    }
}

impl Progress for Bar {
    fn start(&self, totals: &Totals) {
        self.rows.set_length(totals.rows());
        self.bytes.set_length(totals.bytes);
    }

    fn table(&self, name: &str, _rows: u64) {
        self.rows.set_prefix(name.to_owned());
    }

    fn row(&self, _outcome: Outcome, bytes: u64) {
        self.rows.inc(1);
        // Skipped and failed files count too: the bar measures work done, not bytes written.
        self.bytes.inc(bytes);
    }

    fn failed(&self, table: &str, id: &str, reason: &str) {
        let _ = self
            .multi
            .println(format!("not copied: {table} {id}: {reason}"));
    }

    fn table_done(&self, name: &str, tally: &Tally) {
        let _ = self.multi.println(format!("{name}: {tally}"));
    }
}

/// Progress as log lines (stderr is not a terminal): one per table, one per
/// [`Log::EVERY`] rows, one per failure.
#[derive(Default)]
struct Log {
    total_rows: AtomicU64,
    total_bytes: AtomicU64,
    rows: AtomicU64,
    bytes: AtomicU64,
}

impl Log {
    const EVERY: u64 = 1000;
}

impl Progress for Log {
    fn start(&self, totals: &Totals) {
        self.total_rows.store(totals.rows(), Ordering::Relaxed);
        self.total_bytes.store(totals.bytes, Ordering::Relaxed);
        tracing::info!(rows = totals.rows(), bytes = totals.bytes, "copy: starting");
    }

    fn table(&self, name: &str, rows: u64) {
        tracing::info!(table = name, rows, "copy: table");
    }

    fn row(&self, _outcome: Outcome, bytes: u64) {
        let rows = self.rows.fetch_add(1, Ordering::Relaxed) + 1;
        let bytes = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if rows.is_multiple_of(Self::EVERY) {
            tracing::info!(
                rows,
                of_rows = self.total_rows.load(Ordering::Relaxed),
                bytes,
                of_bytes = self.total_bytes.load(Ordering::Relaxed),
                "copy: progress"
            );
        }
    }

    fn failed(&self, table: &str, id: &str, reason: &str) {
        tracing::warn!(table, id, reason, "copy: not copied");
    }

    fn table_done(&self, name: &str, tally: &Tally) {
        tracing::info!(
            table = name,
            copied = tally.copied,
            skipped = tally.skipped,
            failed = tally.failed,
            "copy: table done"
        );
    }
}

#[cfg(test)]
mod tests {
    use figment::providers::Format as _;

    use super::*;

    fn storage(toml: &str) -> StorageConfig {
        let mut c: StorageConfig = figment::Figment::from(
            figment::providers::Serialized::defaults(StorageConfig::default()),
        )
        .merge(figment::providers::Toml::string(toml))
        .extract()
        .unwrap();
        c.master_key_file = None;
        c
    }

    #[test]
    fn a_store_is_not_copied_onto_itself() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let a = storage(&format!("data_dir = \"{d}/a\""));
        let b = storage(&format!("data_dir = \"{d}/b\""));
        assert_eq!(same_store(&a, &b), None);
        assert_eq!(
            same_store(&a, &a.clone()),
            Some("the same storage.metadata_url")
        );
        // The same file spelled two ways.
        let spelled = storage(&format!(
            "data_dir = \"{d}/b\"\nmetadata_url = \"sqlite:{d}/a/../a/idbridge.db?mode=rwc\""
        ));
        assert_eq!(
            metadata_place(&spelled.metadata_url()),
            metadata_place(&a.metadata_url())
        );
        // Another database, the same blob directory.
        let blobs = storage(&format!("data_dir = \"{d}/c\"\nblob_dir = \"{d}/a/blobs\""));
        assert_eq!(same_store(&a, &blobs), Some("the same blob location"));
        let pg = |db: &str, blob: &str| {
            storage(&format!(
                "metadata_url = \"postgres://u@h/{db}\"\nblob_url = \"s3://{blob}/p\""
            ))
        };
        assert_eq!(
            same_store(&pg("x", "b1"), &pg("x", "b2")),
            Some("the same storage.metadata_url")
        );
        assert_eq!(
            same_store(&pg("x", "b1"), &pg("y", "b1")),
            Some("the same blob location")
        );
        assert_eq!(same_store(&pg("x", "b1"), &pg("y", "b2")), None);
        assert_eq!(same_store(&a, &pg("y", "b2")), None);
    }

    #[test]
    fn a_missing_source_key_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = storage("");
        s.master_key_file = Some(dir.path().join("absent.key"));
        let e = refuse_new_source_key(&s).unwrap_err().to_string();
        assert!(e.contains("absent.key"), "{e}");
        std::fs::write(dir.path().join("absent.key"), "x").unwrap();
        assert!(refuse_new_source_key(&s).is_ok());
    }
}
