//! Files: streaming put and ranged get through sniffing, hashing and encryption.
//!
//! A put flows in bounded chunks: the first [`SNIFF_WINDOW`] bytes are held until the content
//! is recognised and accepted by the caller's rules, then every chunk is hashed, counted
//! against the size limit, sealed and handed to the blob writer. Metadata commits last, in a
//! transaction that also enforces the per-document file limit; a failed commit removes the
//! blob. A get reads ciphertext in windows of whole chunks and opens only the chunks the
//! requested range touches.

use std::collections::BTreeMap;

use bytes::{Bytes, BytesMut};
use futures::stream::{BoxStream, Stream, StreamExt};
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use super::blobs::{BlobWriter, Blobs};
use super::crypto::{self, CHUNK, ChunkCipher, HEADER, Layout, TAG};
use super::{Store, db};
use crate::error::{Error, Result};
use crate::media::{MediaType, SNIFF_WINDOW, Sniffed, sniff};
use crate::model::{Document, FileSide, NewFile, StoredFile, TenantId, ValidNewDocument};

/// Chunks read from the blob store per request when serving a file (about 1 MiB).
const READ_WINDOW_CHUNKS: u64 = 16;

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
    wrapped: Vec<u8>,
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
                       extras, blob_key, wrapped_key, created_at";

pub(super) struct FileRow {
    pub(super) file: StoredFile,
    blob_key: String,
    wrapped_key: Vec<u8>,
}

pub(super) fn file_from_row(tenant: &TenantId, r: &sqlx::sqlite::SqliteRow) -> Result<FileRow> {
    use base64::Engine as _;
    let sha: [u8; 32] = hex::decode(r.try_get::<&str, _>("sha256")?)
        .map_err(Error::internal)?
        .try_into()
        .map_err(|_| Error::internal("stored sha256 has the wrong length"))?;
    let media: &str = r.try_get("media_type")?;
    let document_id: Option<String> = r.try_get("document_id")?;
    Ok(FileRow {
        file: StoredFile {
            id: db::uuid(r.try_get("id")?)?,
            tenant: tenant.clone(),
            subject_id: db::uuid(r.try_get("subject_id")?)?,
            document_id: document_id.as_deref().map(db::uuid).transpose()?,
            side: FileSide::parse(r.try_get("side")?).map_err(Error::internal)?,
            name: r.try_get("name")?,
            media_type: MediaType::from_mime(media).unwrap_or(MediaType::Unknown),
            size: r.try_get::<i64, _>("size")? as u64,
            sha256: sha,
            width: r.try_get::<Option<i64>, _>("width")?.map(|v| v as u32),
            height: r.try_get::<Option<i64>, _>("height")?.map(|v| v as u32),
            extras: db::json::<BTreeMap<String, serde_json::Value>>(r.try_get("extras")?)?,
            created_at: db::from_millis(r.try_get("created_at")?)?,
        },
        blob_key: r.try_get("blob_key")?,
        wrapped_key: base64::engine::general_purpose::STANDARD
            .decode(r.try_get::<&str, _>("wrapped_key")?)
            .map_err(Error::internal)?,
    })
}

/// Binds a wrapped data key to its tenant and file, so a key row moved elsewhere cannot open.
fn key_context(tenant: &TenantId, file_id: Uuid) -> Vec<u8> {
    format!("idbridge/file/v1/{tenant}/{file_id}").into_bytes()
}

impl Store {
    /// Streams a new file into storage and returns what was stored. Nothing is visible until
    /// the blob is durable and the metadata has committed; on any error nothing remains.
    pub async fn put_file<S>(
        &self,
        tenant: &TenantId,
        new: NewFile,
        rules: PutRules,
        body: S,
    ) -> Result<StoredFile>
    where
        S: Stream<Item = Result<Bytes>> + Send + Unpin,
    {
        let max_files = rules.max_files_per_document;
        let staged = self.stage_file(tenant, new, rules, body).await?;
        let mut stored = self.commit_files(tenant, vec![staged], max_files).await?;
        stored
            .pop()
            .ok_or_else(|| Error::internal("a committed batch lost its file"))
    }

    /// Streams a file into a durable blob without making it visible: the first half of an
    /// all-or-nothing upload of several files. Dropping the [`StagedFile`] (or failing later)
    /// removes the blob; [`Store::commit_files`] makes it visible.
    pub async fn stage_file<S>(
        &self,
        tenant: &TenantId,
        new: NewFile,
        rules: PutRules,
        body: S,
    ) -> Result<StagedFile>
    where
        S: Stream<Item = Result<Bytes>> + Send + Unpin,
    {
        self.check_owner(tenant, &new, rules.max_files_per_document)
            .await?;
        let id = Uuid::now_v7();
        let key = Blobs::key_for(id);
        let (cipher, wrapped) = self.inner.master.new_data_key(&key_context(tenant, id))?;
        let mut writer = self.inner.blobs.writer(&key).await?;
        let written =
            match seal_into(&mut writer, &cipher, rules.max_size, rules.accept, body).await {
                Ok(w) => w,
                Err(e) => {
                    writer.abort().await;
                    return Err(e);
                }
            };
        // From here the blob exists: until the metadata commits, the guard removes it on
        // every way out (an error, or this future being dropped by a cancelled request).
        let guard = self.inner.blobs.removal_guard(&key);
        writer.finish().await?;
        let file = StoredFile {
            id,
            tenant: tenant.clone(),
            subject_id: new.subject_id,
            document_id: new.document_id,
            side: new.side,
            name: new.name,
            media_type: written.sniffed.media_type,
            size: written.size,
            sha256: written.sha256,
            width: written.sniffed.width,
            height: written.sniffed.height,
            extras: new.extras,
            created_at: db::now(),
        };
        Ok(StagedFile {
            file,
            key,
            wrapped,
            guard,
        })
    }

    /// Makes staged files visible, all in one transaction: either every file of the batch is
    /// stored or none is. Each document's limit is checked for the whole batch at once.
    pub async fn commit_files(
        &self,
        tenant: &TenantId,
        staged: Vec<StagedFile>,
        max_files: u32,
    ) -> Result<Vec<StoredFile>> {
        let mut per_document: std::collections::BTreeMap<Uuid, (Uuid, i64)> = Default::default();
        for s in &staged {
            if s.file.tenant != *tenant {
                return Err(Error::internal("a staged file of another tenant"));
            }
            if let Some(doc) = s.file.document_id {
                per_document.entry(doc).or_insert((s.file.subject_id, 0)).1 += 1;
            }
        }
        let mut tx = db::write_tx(&self.inner.pool).await?;
        let now = db::millis(db::now());
        for (doc_id, (subject_id, n)) in &per_document {
            // The limit holds under any concurrency: the count moves only inside this
            // conditional update, which the database serialises per row.
            let bumped = sqlx::query(
                "UPDATE documents SET file_count = file_count + ?, updated_at = ? \
                 WHERE tenant = ? AND id = ? AND subject_id = ? AND file_count + ? <= ?",
            )
            .bind(n)
            .bind(now)
            .bind(tenant.as_str())
            .bind(doc_id.to_string())
            .bind(subject_id.to_string())
            .bind(n)
            .bind(i64::from(max_files))
            .execute(&mut *tx)
            .await?;
            if bumped.rows_affected() == 0 {
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT 1 FROM documents WHERE tenant = ? AND id = ?")
                        .bind(tenant.as_str())
                        .bind(doc_id.to_string())
                        .fetch_optional(&mut *tx)
                        .await?;
                return Err(match exists {
                    Some(_) => Error::LimitExceeded {
                        what: "files per document",
                        limit: max_files.into(),
                    },
                    None => Error::NotFound("document"),
                });
            }
        }
        for s in &staged {
            insert_file(&mut tx, s).await?;
        }
        tx.commit().await?;
        Ok(staged
            .into_iter()
            .map(|s| {
                s.guard.disarm();
                self.add_bytes_in(s.file.size);
                s.file
            })
            .collect())
    }

    /// Creates a document with its files in one transaction: files staged by this request
    /// and files the subject stored earlier without a document, each given its side. Either
    /// the document exists with every file or nothing changed. An earlier file that is not
    /// the subject's, or already belongs to a document, is `NotFound("file")`.
    pub async fn create_document_with_files(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        new: ValidNewDocument,
        files: Vec<(Attach, FileSide)>,
        max_files: u32,
    ) -> Result<(Document, Vec<StoredFile>)> {
        if files.len() > max_files as usize {
            return Err(Error::LimitExceeded {
                what: "files per document",
                limit: max_files.into(),
            });
        }
        let mut tx = db::write_tx(&self.inner.pool).await?;
        let mut doc = super::documents::insert_document(&mut tx, tenant, subject_id, new).await?;
        let mut staged = Vec::new();
        let mut existing = Vec::new();
        for (attach, side) in files {
            match attach {
                Attach::Staged(s) => {
                    let mut s = *s;
                    if s.file.tenant != *tenant || s.file.subject_id != subject_id {
                        return Err(Error::internal("a staged file of another owner"));
                    }
                    s.file.document_id = Some(doc.id);
                    s.file.side = side;
                    insert_file(&mut tx, &s).await?;
                    staged.push(s);
                }
                Attach::Existing(id) => {
                    attach_loose(&mut tx, tenant, subject_id, id, doc.id, side).await?;
                    existing.push(id);
                }
            }
        }
        doc.file_count = (staged.len() + existing.len()) as u32;
        sqlx::query("UPDATE documents SET file_count = ? WHERE tenant = ? AND id = ?")
            .bind(i64::from(doc.file_count))
            .bind(tenant.as_str())
            .bind(doc.id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let mut stored = Vec::with_capacity(staged.len() + existing.len());
        for s in staged {
            s.guard.disarm();
            self.add_bytes_in(s.file.size);
            stored.push(s.file);
        }
        for id in existing {
            stored.push(self.get_file(tenant, id).await?);
        }
        Ok((doc, stored))
    }

    /// Fails early (before reading the body) when the owner is missing or the document is
    /// already full. The authoritative limit check happens again at commit.
    async fn check_owner(&self, tenant: &TenantId, new: &NewFile, max_files: u32) -> Result<()> {
        self.get_subject(tenant, new.subject_id).await?;
        if let Some(doc_id) = new.document_id {
            let doc = self.document_of(tenant, new.subject_id, doc_id).await?;
            if doc.file_count >= max_files {
                return Err(Error::LimitExceeded {
                    what: "files per document",
                    limit: max_files.into(),
                });
            }
        }
        Ok(())
    }

    async fn file_row(&self, tenant: &TenantId, id: Uuid) -> Result<FileRow> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM files WHERE tenant = ? AND id = ?"
        ))
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(&self.inner.pool)
        .await?
        .ok_or(Error::NotFound("file"))?;
        file_from_row(tenant, &row)
    }

    /// A file's metadata.
    pub async fn get_file(&self, tenant: &TenantId, id: Uuid) -> Result<StoredFile> {
        Ok(self.file_row(tenant, id).await?.file)
    }

    /// A subject's files (attached or not) in side order (`FileSide::position`), oldest first
    /// within a side, so every API lists a document's images the same way whatever order they
    /// were uploaded or replaced in.
    pub async fn list_files(&self, tenant: &TenantId, subject_id: Uuid) -> Result<Vec<StoredFile>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM files WHERE tenant = ? AND subject_id = ? ORDER BY created_at, id"
        ))
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .fetch_all(&self.inner.pool)
        .await?;
        super::scoped::in_side_order(tenant, &rows)
    }

    /// Opens a file for reading, whole or a byte range of it. The stream fails (rather than
    /// returning altered bytes) if the stored blob was tampered with.
    pub async fn open_file(
        &self,
        tenant: &TenantId,
        id: Uuid,
        range: Option<ByteRange>,
    ) -> Result<(StoredFile, FileStream)> {
        let row = self.file_row(tenant, id).await?;
        let size = row.file.size;
        let range = range.unwrap_or(ByteRange {
            start: 0,
            end: size,
        });
        if range.start > range.end || range.end > size {
            return Err(Error::invalid("range", "is outside the file"));
        }
        let cipher = self
            .inner
            .master
            .open_data_key(&row.wrapped_key, &key_context(tenant, id))?;
        crypto::check_header(
            &self
                .inner
                .blobs
                .read(&row.blob_key, 0..HEADER as u64)
                .await?,
        )?;
        let reader = ChunkReader {
            store: self.clone(),
            key: row.blob_key,
            cipher,
            layout: Layout { size },
            range,
            next: range.start / CHUNK as u64,
            prefetch: None,
        };
        Ok((row.file, reader.into_stream()))
    }

    /// Deletes a file: the row holding its wrapped data key goes first, then the blob.
    pub async fn delete_file(&self, tenant: &TenantId, id: Uuid) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.delete_file(tenant, id).await?;
        tx.commit().await
    }
}

impl super::Tx {
    /// A document's files, oldest first.
    pub async fn document_files(
        &mut self,
        tenant: &TenantId,
        document_id: Uuid,
    ) -> Result<Vec<StoredFile>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM files WHERE tenant = ? AND document_id = ? ORDER BY created_at, id"
        ))
        .bind(tenant.as_str())
        .bind(document_id.to_string())
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|r| file_from_row(tenant, r).map(|f| f.file))
            .collect()
    }

    /// Puts a staged file (staged without a document) on `document_id` at `side`, within
    /// the document's file limit, which the conditional count update enforces under any
    /// concurrency. The file is visible once the transaction commits; until then its blob
    /// is removed if the transaction is dropped.
    pub async fn add_staged(
        &mut self,
        tenant: &TenantId,
        mut staged: StagedFile,
        document_id: Uuid,
        side: FileSide,
        max_files: u32,
    ) -> Result<StoredFile> {
        if staged.file.tenant != *tenant || staged.file.document_id.is_some() {
            return Err(Error::internal(
                "a staged file of another owner or document",
            ));
        }
        let bumped = sqlx::query(
            "UPDATE documents SET file_count = file_count + 1, updated_at = ? \
             WHERE tenant = ? AND id = ? AND subject_id = ? AND file_count + 1 <= ?",
        )
        .bind(db::millis(db::now()))
        .bind(tenant.as_str())
        .bind(document_id.to_string())
        .bind(staged.file.subject_id.to_string())
        .bind(i64::from(max_files))
        .execute(self.conn())
        .await?;
        if bumped.rows_affected() == 0 {
            return Err(match self.document(tenant, document_id).await? {
                Some(d) if d.subject_id == staged.file.subject_id => Error::LimitExceeded {
                    what: "files per document",
                    limit: max_files.into(),
                },
                _ => Error::NotFound("document"),
            });
        }
        staged.file.document_id = Some(document_id);
        staged.file.side = side;
        insert_file(&mut self.tx, &staged).await?;
        let file = staged.file.clone();
        self.staged.push(staged);
        Ok(file)
    }

    /// Deletes a file; its blob goes after the commit.
    pub async fn delete_file(&mut self, tenant: &TenantId, id: Uuid) -> Result<()> {
        let row =
            sqlx::query("SELECT blob_key, document_id FROM files WHERE tenant = ? AND id = ?")
                .bind(tenant.as_str())
                .bind(id.to_string())
                .fetch_optional(self.conn())
                .await?
                .ok_or(Error::NotFound("file"))?;
        let key: String = row.try_get("blob_key")?;
        let document_id: Option<String> = row.try_get("document_id")?;
        sqlx::query("DELETE FROM files WHERE tenant = ? AND id = ?")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        if let Some(doc) = document_id {
            sqlx::query("UPDATE documents SET file_count = file_count - 1, updated_at = ? WHERE tenant = ? AND id = ?")
                .bind(db::millis(db::now()))
                .bind(tenant.as_str())
                .bind(doc)
                .execute(self.conn())
                .await?;
        }
        self.shred.push(key);
        self.checkpoint = true;
        Ok(())
    }
}

/// A file for [`Store::create_document_with_files`].
pub enum Attach {
    /// Staged by this request ([`Store::stage_file`] without a document).
    Staged(Box<StagedFile>),
    /// Stored earlier by the same subject, not yet on any document.
    Existing(Uuid),
}

/// Inserts a staged file's metadata row inside the caller's transaction.
/// Attaches a file of the subject that has no document to `document_id` at `side`; a file
/// that is not the subject's, or already has a document, is `NotFound("file")`.
pub(super) async fn attach_loose(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    tenant: &TenantId,
    subject_id: Uuid,
    file: Uuid,
    document_id: Uuid,
    side: FileSide,
) -> Result<()> {
    let moved = sqlx::query(
        "UPDATE files SET document_id = ?, side = ? \
         WHERE tenant = ? AND id = ? AND subject_id = ? AND document_id IS NULL",
    )
    .bind(document_id.to_string())
    .bind(side.to_text())
    .bind(tenant.as_str())
    .bind(file.to_string())
    .bind(subject_id.to_string())
    .execute(&mut **tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(Error::NotFound("file"));
    }
    Ok(())
}

pub(super) async fn insert_file(
    tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    s: &StagedFile,
) -> Result<()> {
    use base64::Engine as _;
    let f = &s.file;
    sqlx::query(&format!(
        "INSERT INTO files (tenant, {COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ))
    .bind(f.tenant.as_str())
    .bind(f.id.to_string())
    .bind(f.subject_id.to_string())
    .bind(f.document_id.map(|d| d.to_string()))
    .bind(f.side.to_text())
    .bind(&f.name)
    .bind(f.media_type.mime())
    .bind(f.size as i64)
    .bind(f.sha256_hex())
    .bind(f.width.map(i64::from))
    .bind(f.height.map(i64::from))
    .bind(db::to_json(&f.extras)?)
    .bind(&s.key)
    .bind(base64::engine::general_purpose::STANDARD.encode(&s.wrapped))
    .bind(db::millis(f.created_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

struct Written {
    size: u64,
    sha256: [u8; 32],
    sniffed: Sniffed,
}

/// Reads the body, sniffs its head, and writes it sealed. Memory stays at one sniff window
/// plus one incoming piece, whatever the file size.
async fn seal_into<S>(
    writer: &mut BlobWriter,
    cipher: &ChunkCipher,
    max_size: u64,
    accept: AcceptFn,
    mut body: S,
) -> Result<Written>
where
    S: Stream<Item = Result<Bytes>> + Send + Unpin,
{
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut pending = BytesMut::new();
    let mut accept = Some(accept);
    let mut sniffed = None;
    let mut index = 0u64;
    let mut sealed = Vec::with_capacity(CHUNK + TAG);
    writer.write(&crypto::header()).await?;
    loop {
        let piece = body.next().await.transpose()?;
        let done = piece.is_none();
        if let Some(piece) = piece {
            size += piece.len() as u64;
            if size > max_size {
                return Err(Error::PayloadTooLarge {
                    limit: Some(max_size),
                });
            }
            hasher.update(&piece);
            pending.extend_from_slice(&piece);
        }
        if sniffed.is_none() && (done || pending.len() >= SNIFF_WINDOW) {
            let s = sniff(&pending[..pending.len().min(SNIFF_WINDOW)]);
            if let Some(accept) = accept.take() {
                accept(&s)?;
            }
            sniffed = Some(s);
        }
        if sniffed.is_none() {
            continue;
        }
        // Seal full chunks while more data is known to follow; the last chunk is sealed as
        // last only at the end of the body.
        while pending.len() > CHUNK {
            sealed.clear();
            sealed.extend_from_slice(&pending.split_to(CHUNK));
            cipher.seal(index, false, &mut sealed)?;
            writer.write(&sealed).await?;
            index += 1;
        }
        if done {
            sealed.clear();
            sealed.extend_from_slice(&pending.split());
            cipher.seal(index, true, &mut sealed)?;
            writer.write(&sealed).await?;
            let sniffed = sniffed.ok_or_else(|| Error::internal("content was never sniffed"))?;
            return Ok(Written {
                size,
                sha256: hasher.finalize().into(),
                sniffed,
            });
        }
    }
}

/// Serves a byte range of a sealed blob, a window of chunks at a time. The next window's
/// read is started before the current one is decrypted, so disk and CPU work overlap.
struct ChunkReader {
    store: Store,
    key: String,
    cipher: ChunkCipher,
    layout: Layout,
    range: ByteRange,
    next: u64,
    prefetch: Option<Prefetch>,
}

/// A read started ahead of need; aborted if the download is dropped before it is used.
struct Prefetch(tokio::task::JoinHandle<Result<Bytes>>);

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl ChunkReader {
    fn into_stream(self) -> FileStream {
        futures::stream::try_unfold(self, |mut r| async move {
            if r.range.start >= r.range.end || r.next * CHUNK as u64 >= r.range.end {
                return Ok(None);
            }
            let out = r.read_window().await?;
            Ok(Some((out, r)))
        })
        .boxed()
    }

    /// The chunks `[first, last]` of the window starting at `first`, and their blob range.
    fn window(&self, first: u64) -> (u64, std::ops::Range<u64>) {
        let last_needed = (self.range.end - 1) / CHUNK as u64;
        let last = (first + READ_WINDOW_CHUNKS - 1).min(last_needed);
        let end = self.layout.offset(last) + (self.layout.plain_len(last) + TAG) as u64;
        (last, self.layout.offset(first)..end)
    }

    fn fetch(&self, first: u64) -> Prefetch {
        let blobs = self.store.inner.blobs.clone();
        let key = self.key.clone();
        let (_, range) = self.window(first);
        Prefetch(tokio::spawn(async move { blobs.read(&key, range).await }))
    }

    async fn read_window(&mut self) -> Result<Bytes> {
        let first = self.next;
        let (last, _) = self.window(first);
        let mut current = match self.prefetch.take() {
            Some(handle) => handle,
            None => self.fetch(first),
        };
        if (last + 1) * (CHUNK as u64) < self.range.end {
            self.prefetch = Some(self.fetch(last + 1));
        }
        let sealed = (&mut current.0).await.map_err(Error::internal)??;
        // Decrypt in place in the buffer the read produced, then close the gaps the tags and
        // the unrequested bytes leave, so a window costs no extra copy of the file.
        let mut buf = sealed
            .try_into_mut()
            .unwrap_or_else(|shared| BytesMut::from(&shared[..]));
        let (mut read_at, mut write_at) = (0usize, 0usize);
        for i in first..=last {
            let len = self.layout.plain_len(i) + TAG;
            let piece = buf
                .get_mut(read_at..read_at + len)
                .ok_or_else(|| Error::internal("stored blob is shorter than its metadata says"))?;
            let plain = self.cipher.open(i, i + 1 == self.layout.chunks(), piece)?;
            let chunk_start = i * CHUNK as u64;
            let from = self.range.start.saturating_sub(chunk_start) as usize;
            let to = ((self.range.end - chunk_start) as usize).min(plain);
            let from = from.min(to);
            buf.copy_within(read_at + from..read_at + to, write_at);
            write_at += to - from;
            read_at += len;
        }
        buf.truncate(write_at);
        self.next = last + 1;
        self.store.add_bytes_out(write_at);
        Ok(buf.freeze())
    }
}
