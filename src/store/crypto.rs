//! Encryption at rest: a random data key per file, sealed in fixed-size chunks with
//! AES-256-GCM (ring's implementation: several times faster than the portable ones on
//! AES-NI hardware, which is what downloads are bound by), and the data key wrapped by the
//! master key.
//!
//! Blob layout: a 16-byte header (`IDBBLOB1`, chunk size as u32 LE, 4 reserved bytes), then
//! the chunks. Chunk `i` holds plaintext bytes `[i*C, (i+1)*C)` sealed with nonce `i` and, as
//! associated data, a flag saying whether it is the last chunk, so that reordering, dropping or
//! truncating chunks fails authentication. An empty file is one empty last chunk. Nonces never
//! repeat under a key because every file has its own data key.

use std::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rand::RngCore;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};

use crate::error::{Error, Result};

/// Plaintext bytes per sealed chunk.
pub const CHUNK: usize = 64 * 1024;
/// Bytes the AEAD tag adds to every chunk.
pub const TAG: usize = 16;
/// Size of the blob header.
pub const HEADER: usize = 16;
const MAGIC: &[u8; 8] = b"IDBBLOB1";

/// The key that wraps every data key. Never logged, never stored among the blobs (a
/// rotation stores the next key sealed under this one, see `store::keys`).
#[derive(Clone)]
pub struct MasterKey {
    aead: LessSafeKey,
    raw: [u8; 32],
    id: String,
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey({}, <redacted>)", self.id)
    }
}

/// Where the master key came from, for the start-up log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Given in configuration.
    Config,
    /// Read from the key file.
    File,
    /// Created in the key file on this start.
    Created,
}

impl MasterKey {
    /// Decodes a base64 key of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self> {
        let raw = B64
            .decode(text.trim())
            .map_err(|_| Error::invalid("storage.master_key", "is not valid base64"))?;
        let raw: [u8; 32] = raw
            .try_into()
            .map_err(|_| Error::invalid("storage.master_key", "must decode to exactly 32 bytes"))?;
        Self::from_raw(raw)
    }

    /// A key from its 32 bytes.
    pub fn from_raw(raw: [u8; 32]) -> Result<Self> {
        Ok(MasterKey {
            aead: aes_key(&raw)?,
            id: key_id(&raw),
            raw,
        })
    }

    /// The key's id: 16 hex digits of a SHA-256 of the key under a label of its own. It names
    /// the key in the store and in logs; it says nothing usable about the key's bytes.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key's bytes, for sealing it under another key during a rotation.
    pub(crate) fn raw(&self) -> &[u8; 32] {
        &self.raw
    }

    /// Reads the key file, or creates it (mode 0600) with a fresh random key when absent.
    /// Errors name the configuration key and the path.
    pub fn from_file(path: &Path) -> Result<(Self, KeySource)> {
        let problem = |what: String| {
            Error::invalid(
                "storage.master_key_file",
                format!("{}: {what}", path.display()),
            )
        };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text)
                .map_err(|_| problem("does not hold a base64 32-byte key".into()))
                .map(|k| (k, KeySource::File)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut raw = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut raw);
                match create_private(path, B64.encode(raw).as_bytes()) {
                    Ok(()) => Ok((Self::from_raw(raw)?, KeySource::Created)),
                    // Another process created it first: use theirs.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::from_file(path)
                    }
                    Err(e) => Err(problem(format!("cannot create: {e}"))),
                }
            }
            Err(e) => Err(problem(format!("cannot read: {e}"))),
        }
    }

    /// Creates a data key for a new file: the cipher to seal with and the wrapped form to store.
    /// `context` binds the wrapped key to its file, so it cannot be moved to another.
    pub fn new_data_key(&self, context: &[u8]) -> Result<(ChunkCipher, Vec<u8>)> {
        let mut dk = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut dk);
        Ok((ChunkCipher(aes_key(&dk)?), self.wrap(dk, context)?))
    }

    /// `dk` wrapped under this key for `context`: nonce, sealed key, tag.
    fn wrap(&self, dk: [u8; 32], context: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut wrapped = dk.to_vec();
        let tag = self
            .aead
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                &mut wrapped,
            )
            .map_err(|_| Error::internal("data key wrap failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&wrapped);
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Unwraps a stored data key; fails when the key or its context was altered.
    pub fn open_data_key(&self, wrapped: &[u8], context: &[u8]) -> Result<ChunkCipher> {
        let mut buf = wrapped.to_vec();
        let dk = self.unwrap_in_place(&mut buf, context)?;
        Ok(ChunkCipher(aes_key(dk)?))
    }

    /// A stored data key, wrapped again under `to`, for the same file (`context`): what a
    /// master key rotation writes in place of the old wrapped key. The blob is untouched.
    pub fn rewrap_data_key(
        &self,
        wrapped: &[u8],
        context: &[u8],
        to: &MasterKey,
    ) -> Result<Vec<u8>> {
        let mut buf = wrapped.to_vec();
        let dk: [u8; 32] = self
            .unwrap_in_place(&mut buf, context)?
            .try_into()
            .map_err(|_| Error::internal("a data key must be 32 bytes"))?;
        to.wrap(dk, context)
    }

    fn unwrap_in_place<'a>(&self, buf: &'a mut [u8], context: &[u8]) -> Result<&'a [u8]> {
        if buf.len() != 12 + 32 + TAG {
            return Err(Error::internal("wrapped data key has the wrong length"));
        }
        let (nonce, sealed) = buf.split_at_mut(12);
        let nonce =
            Nonce::try_assume_unique_for_key(nonce).map_err(|_| Error::internal("bad nonce"))?;
        let dk = self
            .aead
            .open_in_place(nonce, Aad::from(context), sealed)
            .map_err(|_| {
                Error::internal("data key unwrap failed (wrong master key or altered record)")
            })?;
        Ok(dk)
    }
}

impl MasterKey {
    /// Seals a small secret (a private key) for storage, bound to `context`.
    pub fn seal_secret(&self, secret: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut sealed = secret.to_vec();
        let tag = self
            .aead
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context),
                &mut sealed,
            )
            .map_err(|_| Error::internal("secret seal failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    /// Opens a secret sealed by [`MasterKey::seal_secret`] with the same context.
    pub fn open_secret(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        if sealed.len() < 12 + TAG {
            return Err(Error::internal("sealed secret too short"));
        }
        let (nonce, body) = sealed.split_at(12);
        let nonce =
            Nonce::try_assume_unique_for_key(nonce).map_err(|_| Error::internal("bad nonce"))?;
        let mut buf = body.to_vec();
        let plain = self
            .aead
            .open_in_place(nonce, Aad::from(context), &mut buf)
            .map_err(|_| {
                Error::internal("secret unseal failed (wrong master key or altered record)")
            })?;
        Ok(plain.to_vec())
    }
}

fn key_id(raw: &[u8; 32]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"idbridge/master-key-id/v1\0")
        .chain_update(raw)
        .finalize();
    hex::encode(&digest[..8])
}

fn aes_key(raw: &[u8]) -> Result<LessSafeKey> {
    UnboundKey::new(&AES_256_GCM, raw)
        .map(LessSafeKey::new)
        .map_err(|_| Error::internal("an AES-256 key must be 32 bytes"))
}

/// Creates `path` holding `bytes`, mode 0600, all or nothing: the bytes go to a temporary
/// file first, which is then linked into place (failing if `path` already exists), so a crash
/// never leaves a half-written key file behind.
fn create_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = (|| {
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::hard_link(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    let _ = std::fs::remove_file(&tmp);
    written
}

/// A file's data key, ready to seal or open chunks.
pub struct ChunkCipher(LessSafeKey);

impl ChunkCipher {
    /// Seals chunk `index` in place (appending the tag).
    pub fn seal(&self, index: u64, last: bool, buf: &mut Vec<u8>) -> Result<()> {
        let tag = self
            .0
            .seal_in_place_separate_tag(nonce(index), Aad::from([last as u8]), buf)
            .map_err(|_| Error::internal("chunk seal failed"))?;
        buf.extend_from_slice(tag.as_ref());
        Ok(())
    }

    /// Opens chunk `index` in place: `sealed` is ciphertext then tag; on success its first
    /// bytes are the plaintext, whose length is returned. An altered chunk is an error.
    pub fn open(&self, index: u64, last: bool, sealed: &mut [u8]) -> Result<usize> {
        self.0
            .open_in_place(nonce(index), Aad::from([last as u8]), sealed)
            .map(|plain| plain.len())
            .map_err(|_| {
                Error::internal("stored blob failed authentication (altered or truncated)")
            })
    }
}

/// Chunk `index`'s nonce: unique per chunk, and every file has its own key.
fn nonce(index: u64) -> Nonce {
    let mut n = [0u8; 12];
    n[4..].copy_from_slice(&index.to_be_bytes());
    Nonce::assume_unique_for_key(n)
}

/// The blob header for the fixed chunk size.
pub fn header() -> [u8; HEADER] {
    let mut h = [0u8; HEADER];
    h[..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&(CHUNK as u32).to_le_bytes());
    h
}

/// Checks a blob header read back from storage.
pub fn check_header(h: &[u8]) -> Result<()> {
    if h.len() == HEADER && &h[..8] == MAGIC && h[8..12] == (CHUNK as u32).to_le_bytes() {
        Ok(())
    } else {
        Err(Error::internal("stored blob has an unknown header"))
    }
}

/// Layout arithmetic for a sealed blob of `size` plaintext bytes.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// Plaintext size.
    pub size: u64,
}

impl Layout {
    /// Number of chunks (an empty file still has one).
    pub fn chunks(self) -> u64 {
        self.size.div_ceil(CHUNK as u64).max(1)
    }

    /// Plaintext length of chunk `i`.
    pub fn plain_len(self, i: u64) -> usize {
        let start = i * CHUNK as u64;
        (self.size.saturating_sub(start)).min(CHUNK as u64) as usize
    }

    /// Offset of chunk `i` in the blob.
    pub fn offset(self, i: u64) -> u64 {
        HEADER as u64 + i * (CHUNK + TAG) as u64
    }

    /// Total blob size.
    pub fn blob_len(self) -> u64 {
        let n = self.chunks();
        self.offset(n - 1) + (self.plain_len(n - 1) + TAG) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MasterKey {
        MasterKey::from_base64(&B64.encode([7u8; 32])).unwrap()
    }

    #[test]
    fn chunks_round_trip_and_detect_tampering() {
        let (c, wrapped) = key().new_data_key(b"file-1").unwrap();
        let mut buf = b"hello".to_vec();
        c.seal(3, true, &mut buf).unwrap();
        let opener = key().open_data_key(&wrapped, b"file-1").unwrap();
        let mut ok = buf.clone();
        let n = opener.open(3, true, &mut ok).unwrap();
        assert_eq!(&ok[..n], b"hello");
        let mut flipped = buf.clone();
        flipped[0] ^= 1;
        assert!(opener.open(3, true, &mut flipped).is_err());
        assert!(
            opener.open(4, true, &mut buf.clone()).is_err(),
            "moved chunk accepted"
        );
        assert!(
            opener.open(3, false, &mut buf.clone()).is_err(),
            "truncation not detected"
        );
    }

    #[test]
    fn wrapped_keys_are_bound_to_their_file() {
        let (_, wrapped) = key().new_data_key(b"file-1").unwrap();
        assert!(key().open_data_key(&wrapped, b"file-2").is_err());
        let other = MasterKey::from_base64(&B64.encode([8u8; 32])).unwrap();
        assert!(other.open_data_key(&wrapped, b"file-1").is_err());
    }

    #[test]
    fn layout_counts_chunks_and_offsets() {
        let l = Layout { size: 0 };
        assert_eq!(
            (l.chunks(), l.plain_len(0), l.blob_len()),
            (1, 0, (HEADER + TAG) as u64)
        );
        let l = Layout {
            size: CHUNK as u64 * 2 + 1,
        };
        assert_eq!(l.chunks(), 3);
        assert_eq!(l.plain_len(2), 1);
        assert_eq!(l.offset(1), (HEADER + CHUNK + TAG) as u64);
        assert_eq!(l.blob_len(), (HEADER + 3 * TAG + 2 * CHUNK + 1) as u64);
    }

    #[test]
    fn key_file_problems_name_the_key_and_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        std::fs::write(&path, "").unwrap();
        let e = MasterKey::from_file(&path).unwrap_err().to_string();
        assert!(
            e.contains("storage.master_key_file") && e.contains("master.key"),
            "{e}"
        );
    }

    #[test]
    fn key_material_is_checked() {
        assert!(MasterKey::from_base64("not base64!").is_err());
        assert!(MasterKey::from_base64(&B64.encode([1u8; 16])).is_err());
        assert!(format!("{:?}", key()).contains("redacted"));
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/master.key");
        let (k1, s1) = MasterKey::from_file(&path).unwrap();
        assert_eq!(s1, KeySource::Created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let (k2, s2) = MasterKey::from_file(&path).unwrap();
        assert_eq!(s2, KeySource::File);
        assert_eq!(
            std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
            1,
            "temporary file left behind"
        );
        let (_, wrapped) = k1.new_data_key(b"x").unwrap();
        assert!(k2.open_data_key(&wrapped, b"x").is_ok());
    }
}
