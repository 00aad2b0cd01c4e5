//! Writing files: a body streamed through sniffing, hashing and sealing into a blob (staged),
//! then its metadata committed, alone, in a batch, or with a new document.

use bytes::{Bytes, BytesMut};
use futures::stream::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::super::blobs::{BlobWriter, Blobs, RemovalGuard};
use super::super::crypto::{self, CHUNK, ChunkCipher, TAG};
use super::super::keys::Wrapped;
use super::super::{Store, db};
use super::{AcceptFn, Attach, PutRules, StagedFile, attach_loose, insert_file, key_context};
use crate::error::{Error, Result};
use crate::media::{SNIFF_WINDOW, Sniffed, sniff};
use crate::model::{Document, FileSide, NewFile, StoredFile, TenantId, ValidNewDocument};

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
        let SealedBlob {
            written,
            wrapped,
            guard,
        } = self
            .seal_blob(tenant, id, &key, rules.max_size, rules.accept, body)
            .await?;
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

    /// Streams `body` into a durable blob at `key`, sealed under a new data key for file `id`
    /// of `tenant`, wrapped by this store's master key. No row refers to the blob yet: the
    /// returned guard removes it unless disarmed once the file's row has committed. Shared
    /// by uploads and by `store copy`, which re-seals a source file under this store's key.
    pub(in crate::store) async fn seal_blob<S>(
        &self,
        tenant: &TenantId,
        id: Uuid,
        key: &str,
        max_size: u64,
        accept: AcceptFn,
        body: S,
    ) -> Result<SealedBlob>
    where
        S: Stream<Item = Result<Bytes>> + Send + Unpin,
    {
        let (cipher, wrapped) = self.new_data_key(&key_context(tenant, id))?;
        let mut writer = self.inner.blobs.writer(key).await?;
        let written = match seal_into(&mut writer, &cipher, max_size, accept, body).await {
            Ok(w) => w,
            Err(e) => {
                writer.abort().await;
                return Err(e);
            }
        };
        // From here the blob exists: until the metadata commits, the guard removes it on
        // every way out (an error, or this future being dropped by a cancelled request).
        let guard = self.inner.blobs.removal_guard(key);
        writer.finish().await?;
        Ok(SealedBlob {
            written,
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
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let now = db::millis(db::now());
        for (doc_id, (subject_id, n)) in &per_document {
            // The limit holds under any concurrency: the count moves only inside this
            // conditional update, which the database serialises per row.
            let bumped = sqlx::query(
                "UPDATE documents SET file_count = file_count + $1, updated_at = $2 \
                 WHERE tenant = $3 AND id = $4 AND subject_id = $5 AND file_count + $6 <= $7",
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
                    sqlx::query_scalar("SELECT 1 FROM documents WHERE tenant = $1 AND id = $2")
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
            insert_file(&mut tx, self, s).await?;
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
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let mut doc =
            super::super::documents::insert_document(&mut tx, tenant, subject_id, new).await?;
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
                    insert_file(&mut tx, self, &s).await?;
                    staged.push(s);
                }
                Attach::Existing(id) => {
                    attach_loose(&mut tx, tenant, subject_id, id, doc.id, side).await?;
                    existing.push(id);
                }
            }
        }
        doc.file_count = (staged.len() + existing.len()) as u32;
        sqlx::query("UPDATE documents SET file_count = $1 WHERE tenant = $2 AND id = $3")
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
}

/// A durable blob no row refers to yet; see [`Store::seal_blob`].
pub(in crate::store) struct SealedBlob {
    /// What was read from the body.
    pub(in crate::store) written: Written,
    /// The blob's data key, wrapped by the master key (`files.wrapped_key` and `key_id`).
    pub(in crate::store) wrapped: Wrapped,
    /// Removes the blob on drop unless disarmed.
    pub(in crate::store) guard: RemovalGuard,
}

/// What sealing a body found: its plaintext size and SHA-256, and its sniffed content.
pub(in crate::store) struct Written {
    pub(in crate::store) size: u64,
    pub(in crate::store) sha256: [u8; 32],
    pub(in crate::store) sniffed: Sniffed,
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
