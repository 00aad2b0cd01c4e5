//! Files: streaming put and ranged get through sniffing, hashing and encryption.
//!
//! A put flows in bounded chunks: the first [`SNIFF_WINDOW`] bytes are held until the content
//! is recognised and accepted by the caller's rules, then every chunk is hashed, counted
//! against the size limit, sealed and handed to the blob writer. Metadata commits last, in a
//! transaction that also enforces the per-document file limit; a failed commit removes the
//! blob. A get reads ciphertext in windows of whole chunks and opens only the chunks the
//! requested range touches.
//!
//! The module is split along those seams: `write` (staging, committing, sealing), `read`
//! (ranged, decrypting reads), and `tx` (what runs inside a [`super::Tx`] or a caller's
//! transaction). Here: the types they share and the metadata reads.

mod read;
mod tx;
mod write;

pub use tx::Attach;
pub(super) use tx::{attach_loose, insert_file};
pub(super) use write::SealedBlob;

use std::collections::BTreeMap;

use bytes::Bytes;
use futures::stream::BoxStream;
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use super::{Store, db};
use crate::error::{Error, Result};
use crate::media::{MediaType, Sniffed};
use crate::model::{FileSide, StoredFile, TenantId};

/// Judges sniffed content before anything is stored; an error refuses the file.
pub type AcceptFn = Box<dyn FnOnce(&Sniffed) -> Result<()> + Send>;

/// The rules an adapter sets for one upload.
pub struct PutRules {
    /// The largest accepted file, in bytes; one byte more aborts the write.
    pub max_size: u64,
    /// At most this many files on the document (ignored for standalone files).
    pub max_files_per_document: u32,
    /// Judges the sniffed content before anything is stored; an error refuses the file.
    pub accept: AcceptFn,
}

/// A file whose blob is durable but not yet visible; see [`Store::stage_file`].
pub struct StagedFile {
    file: StoredFile,
    key: String,
    wrapped: super::keys::Wrapped,
    guard: super::blobs::RemovalGuard,
}

impl StagedFile {
    /// What will be stored (its id, size, sniffed type…).
    pub fn file(&self) -> &StoredFile {
        &self.file
    }

    /// The file, once its metadata has committed: the blob is no longer removed on drop.
    pub(super) fn committed(self) -> StoredFile {
        self.guard.disarm();
        self.file
    }
}

/// Plaintext bytes of a stored file, streamed.
pub type FileStream = BoxStream<'static, Result<Bytes>>;

/// A half-open byte range `[start, end)` of a file's plaintext.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteRange {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

pub(super) const COLUMNS: &str = "id, subject_id, document_id, side, name, media_type, size, sha256, width, height, \
                       extras, blob_key, wrapped_key, created_at, key_id";

pub(super) struct FileRow {
    pub(super) file: StoredFile,
    blob_key: String,
    wrapped_key: Vec<u8>,
    /// The master key the data key is wrapped under (`None`: stored before ids were kept).
    key_id: Option<String>,
}

/// Stored files from rows, in side order (`FileSide::position`), oldest first within a side:
/// the order every API lists a document's images in (see [`Store::list_files`]).
pub(super) fn in_side_order(tenant: &TenantId, rows: &[db::Row]) -> Result<Vec<StoredFile>> {
    let mut files = rows
        .iter()
        .map(|r| file_from_row(tenant, r).map(|f| f.file))
        .collect::<Result<Vec<_>>>()?;
    // Stable: within a side, the SQL order (oldest first) stays.
    files.sort_by_key(|f| f.side.position());
    Ok(files)
}

pub(super) fn file_from_row(tenant: &TenantId, r: &db::Row) -> Result<FileRow> {
    file_from_row_at(tenant, r, "")
}

/// A file from a row whose file columns are named with `prefix` (a join's `f_id`, …).
pub(super) fn file_from_row_at(tenant: &TenantId, r: &db::Row, prefix: &str) -> Result<FileRow> {
    use base64::Engine as _;
    // Plain reads (no prefix) name the columns as they are, without building a string each.
    let c = |name: &'static str| -> std::borrow::Cow<'static, str> {
        if prefix.is_empty() {
            name.into()
        } else {
            format!("{prefix}{name}").into()
        }
    };
    let sha: [u8; 32] = hex::decode(r.try_get::<&str, _>(&*c("sha256"))?)
        .map_err(Error::internal)?
        .try_into()
        .map_err(|_| Error::internal("stored sha256 has the wrong length"))?;
    let media: &str = r.try_get(&*c("media_type"))?;
    let document_id: Option<String> = r.try_get(&*c("document_id"))?;
    Ok(FileRow {
        file: StoredFile {
            id: db::uuid(r.try_get(&*c("id"))?)?,
            tenant: tenant.clone(),
            subject_id: db::uuid(r.try_get(&*c("subject_id"))?)?,
            document_id: document_id.as_deref().map(db::uuid).transpose()?,
            side: FileSide::parse(r.try_get(&*c("side"))?).map_err(Error::internal)?,
            name: r.try_get(&*c("name"))?,
            media_type: MediaType::from_mime(media).unwrap_or(MediaType::Unknown),
            size: r.try_get::<i64, _>(&*c("size"))? as u64,
            sha256: sha,
            width: r.try_get::<Option<i64>, _>(&*c("width"))?.map(|v| v as u32),
            height: r
                .try_get::<Option<i64>, _>(&*c("height"))?
                .map(|v| v as u32),
            extras: db::json::<BTreeMap<String, serde_json::Value>>(r.try_get(&*c("extras"))?)?,
            created_at: db::from_millis(r.try_get(&*c("created_at"))?)?,
        },
        blob_key: r.try_get(&*c("blob_key"))?,
        wrapped_key: base64::engine::general_purpose::STANDARD
            .decode(r.try_get::<&str, _>(&*c("wrapped_key"))?)
            .map_err(Error::internal)?,
        key_id: r.try_get(&*c("key_id"))?,
    })
}

/// Binds a wrapped data key to its tenant and file, so a key row moved elsewhere cannot open.
fn key_context(tenant: &TenantId, file_id: Uuid) -> Vec<u8> {
    key_context_text(tenant.as_str(), &file_id.to_string())
}

/// [`key_context`] of a row's `tenant` and `id` columns.
pub(super) fn key_context_text(tenant: &str, file_id: &str) -> Vec<u8> {
    format!("idbridge/file/v1/{tenant}/{file_id}").into_bytes()
}

impl Store {
    async fn file_row(&self, tenant: &TenantId, id: Uuid) -> Result<FileRow> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM files WHERE tenant = $1 AND id = $2"
        )))
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(&self.inner.pool)
        .await?
        .ok_or(Error::NotFound("file"))?;
        let row = file_from_row(tenant, &row)?;
        crate::audit::on_file(&row.file);
        Ok(row)
    }

    /// A file's metadata.
    pub async fn get_file(&self, tenant: &TenantId, id: Uuid) -> Result<StoredFile> {
        Ok(self.file_row(tenant, id).await?.file)
    }

    /// A subject's files (attached or not) in side order (`FileSide::position`), oldest first
    /// within a side, so every API lists a document's images the same way whatever order they
    /// were uploaded or replaced in.
    pub async fn list_files(&self, tenant: &TenantId, subject_id: Uuid) -> Result<Vec<StoredFile>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM files WHERE tenant = $1 AND subject_id = $2 ORDER BY created_at, id"
        )))
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .fetch_all(&self.inner.pool)
        .await?;
        in_side_order(tenant, &rows)
    }
    /// Deletes a file: the row holding its wrapped data key goes first, then the blob.
    pub async fn delete_file(&self, tenant: &TenantId, id: Uuid) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.delete_file(tenant, id).await?;
        tx.commit().await
    }
}
