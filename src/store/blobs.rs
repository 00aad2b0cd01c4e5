//! Blob I/O through the `object_store` crate: the only place that touches blob storage.
//!
//! Local filesystem is the embedded default. `object_store`'s local backend does not fsync,
//! so after an upload completes this module syncs the file and its directory itself: a write
//! is acknowledged only once its bytes are durable. An S3-compatible bucket (`s3`) is the
//! other backend; there an upload is durable once the store completes it.

mod s3;

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};

use crate::error::{Error, Result};

/// Where blobs live, with what the store needs to know about the backend.
#[derive(Clone, Debug)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// Set for the local backend: the root directory, for fsync and staged-upload cleanup.
    local_root: Option<PathBuf>,
    /// Bytes per multipart part: small locally (bounded memory), 5 MiB minimum on S3.
    part_size: usize,
}

/// Where the blobs live.
#[derive(Clone, Debug)]
pub enum BlobLocation {
    /// A local directory (the embedded default).
    Local(PathBuf),
    /// An S3-compatible bucket: `s3://bucket/prefix`, reached as the settings say.
    S3 {
        /// `storage.blob_url`.
        url: String,
        /// `[storage.s3]`.
        settings: crate::config::S3Config,
        /// How long a request may take to reach the bucket, retries included.
        connect_timeout: Duration,
    },
}

impl std::fmt::Display for BlobLocation {
    /// The directory, or the `s3://` URL (which holds no credentials: configuration refuses
    /// any but a bucket and a prefix).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlobLocation::Local(dir) => write!(f, "{}", dir.display()),
            BlobLocation::S3 { url, .. } => f.write_str(url),
        }
    }
}

/// Prefix of every blob key; anything else in the bucket is not ours and is left alone.
pub const PREFIX: &str = "blobs";
const READY_MARKER: &str = "idbridge-ready";

impl Blobs {
    /// Opens the blob store at `location`.
    pub fn open(location: &BlobLocation) -> Result<Self> {
        match location {
            BlobLocation::Local(dir) => Blobs::local(dir),
            BlobLocation::S3 {
                url,
                settings,
                connect_timeout,
            } => Ok(Blobs {
                store: s3::open(url, settings, *connect_timeout)?,
                local_root: None,
                part_size: s3::PART_SIZE,
            }),
        }
    }

    /// Opens (and creates) a local blob directory.
    pub fn local(root: &FsPath) -> Result<Self> {
        std::fs::create_dir_all(root)?;
        let root = root.canonicalize()?;
        let store = LocalFileSystem::new_with_prefix(&root)?;
        Ok(Blobs {
            store: Arc::new(store),
            local_root: Some(root),
            part_size: 1024 * 1024,
        })
    }

    /// The key of a file's blob. Keys carry no tenant data, only the file id.
    pub fn key_for(file_id: uuid::Uuid) -> String {
        format!("{PREFIX}/{file_id}")
    }

    /// Starts a streaming write of one blob.
    pub async fn writer(&self, key: &str) -> Result<BlobWriter> {
        let path = Path::from(key);
        let upload = self
            .store
            .put_multipart(&path)
            .await
            .map_err(|e| self.failed(e))?;
        Ok(BlobWriter {
            inner: Some(WriteMultipart::new_with_chunk_size(upload, self.part_size)),
            blobs: self.clone(),
            path,
        })
    }

    /// Reads `range` of a blob.
    pub async fn read(&self, key: &str, range: std::ops::Range<u64>) -> Result<Bytes> {
        self.store
            .get_range(&Path::from(key), range)
            .await
            .map_err(|e| self.failed(e))
    }

    /// Deletes a blob; a blob already gone is not an error.
    pub async fn delete(&self, key: &str) -> Result<()> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.failed(e)),
        }
    }

    /// The core error for a failed blob operation. A remote store that fails is out of
    /// reach (a refused or broken connection, a timeout, a 5xx after the client's retries):
    /// an outage, which the caller may retry. A missing blob is not found; the local
    /// backend's failures are the machine's own (a broken permission), except a full disk,
    /// which is an outage too.
    fn failed(&self, e: object_store::Error) -> Error {
        match e {
            object_store::Error::NotFound { .. } => Error::NotFound("blob"),
            object_store::Error::Generic { .. } if self.local_root.is_none() => {
                Error::unavailable(crate::error::BLOBS, e)
            }
            // A full disk under the local backend: refused like an outage, retried once
            // space is freed.
            _ if crate::error::is_disk_full(&e) => Error::unavailable(crate::error::BLOBS, e),
            other => Error::internal(other),
        }
    }

    /// A guard that deletes the blob at `key` when dropped, unless disarmed: what keeps a
    /// blob without metadata from outliving a failed or cancelled write.
    pub fn removal_guard(&self, key: &str) -> RemovalGuard {
        RemovalGuard {
            blobs: Some(self.clone()),
            key: key.to_owned(),
        }
    }

    /// Writes a small object in one go and makes it durable (used for the readiness marker).
    async fn put_small(&self, key: &str, bytes: Bytes) -> Result<()> {
        self.store
            .put(&Path::from(key), bytes.into())
            .await
            .map_err(|e| self.failed(e))?;
        self.sync(&Path::from(key)).await
    }

    /// Writes the readiness marker that [`Blobs::check_ready`] looks for.
    pub async fn mark_ready(&self) -> Result<()> {
        self.put_small(READY_MARKER, Bytes::from_static(b"ok\n"))
            .await
    }

    /// Whether the blob store answers and still holds the marker written at start-up.
    pub async fn check_ready(&self) -> Result<()> {
        self.store
            .head(&Path::from(READY_MARKER))
            .await
            .map_err(|e| self.failed(e))?;
        Ok(())
    }

    /// Lists blob keys last modified before `cutoff`.
    pub async fn list_older_than(&self, cutoff: SystemTime) -> Result<Vec<String>> {
        let cutoff: chrono::DateTime<chrono::Utc> = cutoff.into();
        let metas: Vec<_> = self
            .store
            .list(Some(&Path::from(PREFIX)))
            .try_collect()
            .await
            .map_err(|e| self.failed(e))?;
        Ok(metas
            .into_iter()
            .filter(|m| m.last_modified < cutoff)
            .map(|m| m.location.to_string())
            .collect())
    }

    /// Removes uploads that a crash left half-written (local backend only: `object_store`
    /// stages them as `key#N`, which listing does not show). Returns how many were removed.
    pub async fn sweep_staged(&self, older_than: Duration) -> Result<usize> {
        let Some(root) = self.local_root.clone() else {
            return Ok(0);
        };
        tokio::task::spawn_blocking(move || -> Result<usize> {
            let dir = root.join(PREFIX);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                return Ok(0);
            };
            let mut removed = 0;
            for entry in entries.flatten() {
                let staged = entry.file_name().to_string_lossy().contains('#');
                let old = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t.elapsed().unwrap_or_default() >= older_than);
                if staged && old && std::fs::remove_file(entry.path()).is_ok() {
                    removed += 1;
                }
            }
            Ok(removed)
        })
        .await
        .map_err(Error::internal)?
    }

    /// Makes a completed blob durable: fsync the file, then its directory (so the rename that
    /// completed the upload survives a crash). Remote stores are durable on completion.
    async fn sync(&self, path: &Path) -> Result<()> {
        let Some(root) = &self.local_root else {
            return Ok(());
        };
        let file = root.join(path.as_ref());
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::File::open(&file)?.sync_all()?;
            if let Some(dir) = file.parent() {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        })
        .await
        .map_err(Error::internal)??;
        Ok(())
    }

    /// The local root, if this is the local backend (tests reach under it to tamper).
    pub fn local_root(&self) -> Option<&FsPath> {
        self.local_root.as_deref()
    }
}

/// Deletes a blob on drop unless disarmed. The delete runs as its own task, so it completes
/// even when the future holding the guard was cancelled.
pub struct RemovalGuard {
    blobs: Option<Blobs>,
    key: String,
}

impl RemovalGuard {
    /// The blob is now referenced by metadata: keep it.
    pub fn disarm(mut self) {
        self.blobs = None;
    }
}

impl Drop for RemovalGuard {
    fn drop(&mut self) {
        let Some(blobs) = self.blobs.take() else {
            return;
        };
        let key = std::mem::take(&mut self.key);
        let remove = async move {
            if let Err(e) = blobs.delete(&key).await {
                tracing::warn!(error = %e, "blob of a failed write not removed; the sweep will retry");
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => drop(rt.spawn(remove)),
            Err(_) => {
                tracing::warn!("no runtime to remove a blob of a failed write; the sweep will")
            }
        }
    }
}

/// One blob being written. Call [`BlobWriter::abort`] on every error path; one dropped
/// without `finish` (a cancelled request) is aborted by a task of its own, so no multipart
/// upload is left open on S3.
pub struct BlobWriter {
    inner: Option<WriteMultipart>,
    blobs: Blobs,
    path: Path,
}

impl BlobWriter {
    /// Appends bytes, waiting while too many parts are in flight (bounded memory).
    pub async fn write(&mut self, bytes: &[u8]) -> Result<()> {
        let w = self
            .inner
            .as_mut()
            .ok_or_else(|| Error::internal("blob writer already closed"))?;
        w.wait_for_capacity(2)
            .await
            .map_err(|e| self.blobs.failed(e))?;
        w.write(bytes);
        Ok(())
    }

    /// Completes the upload and makes it durable.
    pub async fn finish(mut self) -> Result<()> {
        let w = self
            .inner
            .take()
            .ok_or_else(|| Error::internal("blob writer already closed"))?;
        w.finish().await.map_err(|e| self.blobs.failed(e))?;
        self.blobs.sync(&self.path).await
    }

    /// Abandons the upload and removes what was staged.
    pub async fn abort(mut self) {
        if let Some(w) = self.inner.take() {
            abort(w).await;
        }
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        let Some(w) = self.inner.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => drop(rt.spawn(abort(w))),
            Err(_) => tracing::warn!("no runtime to abort a blob upload; the sweep will remove it"),
        }
    }
}

/// Aborts an upload, removing its staged parts.
async fn abort(w: WriteMultipart) {
    if let Err(e) = w.abort().await {
        tracing::warn!(error = %e, "could not abort a blob upload; the start-up sweep will remove it");
    }
}
