//! Reading files: a byte range of a sealed blob, fetched a window of chunks at a time and
//! opened only where the range touches.

use bytes::{Bytes, BytesMut};
use futures::stream::StreamExt;
use uuid::Uuid;

use super::super::Store;
use super::super::crypto::{self, CHUNK, ChunkCipher, HEADER, Layout, TAG};
use super::{ByteRange, FileStream, key_context};
use crate::error::{Error, Result};
use crate::model::{StoredFile, TenantId};

/// Chunks read from the blob store per request when serving a file (about 1 MiB).
const READ_WINDOW_CHUNKS: u64 = 16;

impl Store {
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
            .open_data_key(
                row.key_id.as_deref(),
                &row.wrapped_key,
                &key_context(tenant, id),
            )
            .await?;
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
