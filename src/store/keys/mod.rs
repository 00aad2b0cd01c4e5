//! Master keys and their rotation, online.
//!
//! A node is configured with one master key. `idbridge keys rotate` introduces a new one: it
//! stores the new key in `master_keys`, sealed under the key that was current, and from that
//! commit on the newest row is the key every node wraps new data keys under. A node learns
//! a key it does not hold yet by opening that row with a key it does hold, when it first
//! meets the key's id (reading a file) or when it commits a file. Then the rotation walks
//! every file and re-wraps its data key under the new key; blobs are never rewritten, only
//! `files.wrapped_key` and `files.key_id` change.
//!
//! Why nothing written during a rotation is left behind: a file's row is inserted inside the
//! writer lock, and the insert reads the newest key in that same transaction; a file sealed
//! under an older key (its upload started before the rotation) is re-wrapped then, before it
//! becomes visible. Files committed before the new key's row are all visible to the walk,
//! which starts after that row committed.
//!
//! Resumable: a rotation that stopped is finished by running it again; rows already under
//! the new key are skipped. Its row's `completed_at` says it finished. Only then may the old
//! key be retired: every node's configuration is switched to the new key, and
//! `idbridge keys retire` deletes the rows sealed under the old one, after which the old key
//! opens nothing in the store.

mod rotate;
#[cfg(test)]
mod tests;

use std::sync::RwLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sqlx::Row;

use super::crypto::{ChunkCipher, MasterKey};
use super::{Store, db};
use crate::error::{Error, Result};

pub use rotate::{KeyStatus, MasterKeyRow, RotationReport};

/// The master keys one node holds: the configured one and those it opened from the store.
pub(super) struct KeyRing {
    configured: MasterKey,
    known: RwLock<Known>,
}

#[derive(Clone)]
struct Known {
    /// Every key held, the current one included.
    keys: Vec<MasterKey>,
    /// The key new data keys are wrapped under.
    current: MasterKey,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyRing(configured {})", self.configured.id())
    }
}

impl KeyRing {
    /// A ring holding only the configured key.
    pub(super) fn new(configured: MasterKey) -> KeyRing {
        KeyRing {
            known: RwLock::new(Known {
                keys: vec![configured.clone()],
                current: configured.clone(),
            }),
            configured,
        }
    }

    fn read(&self) -> Known {
        self.known.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The key new data keys and sealed values are wrapped under.
    pub(super) fn current(&self) -> MasterKey {
        self.read().current
    }

    /// The key named `id`, if this node holds it.
    fn get(&self, id: &str) -> Option<MasterKey> {
        self.read().keys.into_iter().find(|k| k.id() == id)
    }

    /// Every key held, the current one first: what opens a value whose key is not recorded.
    pub(super) fn all(&self) -> Vec<MasterKey> {
        let known = self.read();
        let mut keys = vec![known.current.clone()];
        keys.extend(
            known
                .keys
                .into_iter()
                .filter(|k| k.id() != known.current.id()),
        );
        keys
    }

    /// The configured key's id.
    pub(super) fn configured_id(&self) -> &str {
        self.configured.id()
    }
}

/// A data key wrapped under a master key, with that key's id (`files.wrapped_key`,
/// `files.key_id`).
pub(in crate::store) struct Wrapped {
    /// The master key's id.
    pub(in crate::store) key_id: String,
    /// The wrapped data key.
    pub(in crate::store) bytes: Vec<u8>,
}

fn sealed_key_context(id: &str) -> Vec<u8> {
    format!("idbridge/master-key/v1/{id}").into_bytes()
}

impl Store {
    /// Reads `master_keys` and opens every key this node can reach from the keys it holds;
    /// the newest row becomes the current key.
    pub(super) async fn refresh_keys(&self) -> Result<()> {
        let rows =
            sqlx::query("SELECT id, sealed, sealed_by FROM master_keys ORDER BY created_at, id")
                .fetch_all(&self.inner.pool)
                .await?;
        let ring = &self.inner.keys;
        let mut known = ring.read();
        let mut newest = None;
        for r in &rows {
            let id: String = r.try_get("id")?;
            let sealed_by: String = r.try_get("sealed_by")?;
            if !known.keys.iter().any(|k| k.id() == id)
                && let Some(by) = known.keys.iter().find(|k| k.id() == sealed_by)
            {
                let sealed = B64
                    .decode(r.try_get::<String, _>("sealed")?)
                    .map_err(Error::internal)?;
                let raw: [u8; 32] = by
                    .open_secret(&sealed, &sealed_key_context(&id))?
                    .try_into()
                    .map_err(|_| Error::internal("a stored master key has the wrong length"))?;
                let key = MasterKey::from_raw(raw)?;
                if key.id() != id {
                    return Err(Error::internal("a stored master key does not match its id"));
                }
                known.keys.push(key);
            }
            newest = Some(id);
        }
        if let Some(id) = newest {
            known.current = known
                .keys
                .iter()
                .find(|k| k.id() == id)
                .cloned()
                .ok_or_else(|| {
                    Error::internal(format!(
                        "the current master key {id} cannot be opened with this node's key {}",
                        ring.configured_id()
                    ))
                })?;
        }
        *ring.known.write().unwrap_or_else(|e| e.into_inner()) = known;
        Ok(())
    }

    /// The master keys that may open a value wrapped under `key_id`: that key (learnt from
    /// the store if this node does not hold it yet), or, for a value stored before key ids
    /// were recorded, every key held.
    pub(super) async fn keys_for(&self, key_id: Option<&str>) -> Result<Vec<MasterKey>> {
        let Some(id) = key_id else {
            return Ok(self.inner.keys.all());
        };
        if let Some(k) = self.inner.keys.get(id) {
            return Ok(vec![k]);
        }
        self.refresh_keys().await?;
        self.inner
            .keys
            .get(id)
            .map(|k| vec![k])
            .ok_or_else(|| Error::internal(format!("master key {id} is not known to this node")))
    }

    /// Opens a file's data key.
    pub(super) async fn open_data_key(
        &self,
        key_id: Option<&str>,
        wrapped: &[u8],
        context: &[u8],
    ) -> Result<ChunkCipher> {
        let mut last = Error::internal("no master key");
        for key in self.keys_for(key_id).await? {
            match key.open_data_key(wrapped, context) {
                Ok(c) => return Ok(c),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// A new data key for a file, wrapped under the current master key.
    pub(super) fn new_data_key(&self, context: &[u8]) -> Result<(ChunkCipher, Wrapped)> {
        let key = self.inner.keys.current();
        let (cipher, bytes) = key.new_data_key(context)?;
        Ok((
            cipher,
            Wrapped {
                key_id: key.id().to_owned(),
                bytes,
            },
        ))
    }

    /// The key a file row inserted in `tx` must be wrapped under: `wrapped` itself when it is
    /// under the newest key, else re-wrapped (its upload began before a rotation started).
    pub(super) async fn wrapped_for_commit(
        &self,
        tx: &mut db::Conn,
        wrapped: &Wrapped,
        context: &[u8],
    ) -> Result<Wrapped> {
        let newest: Option<String> = sqlx::query_scalar(
            "SELECT id FROM master_keys ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        match newest {
            Some(id) if id != wrapped.key_id => self.rewrap(wrapped, &id, context).await,
            _ => Ok(Wrapped {
                key_id: wrapped.key_id.clone(),
                bytes: wrapped.bytes.clone(),
            }),
        }
    }

    /// `wrapped` (under its key, or any held key when unrecorded) wrapped again under `to`.
    async fn rewrap(&self, wrapped: &Wrapped, to: &str, context: &[u8]) -> Result<Wrapped> {
        let target = self.keys_for(Some(to)).await?.remove(0);
        let from = (!wrapped.key_id.is_empty()).then_some(wrapped.key_id.as_str());
        let mut last = Error::internal("no master key");
        for key in self.keys_for(from).await? {
            match key.rewrap_data_key(&wrapped.bytes, context, &target) {
                Ok(bytes) => {
                    return Ok(Wrapped {
                        key_id: to.to_owned(),
                        bytes,
                    });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// Seals a small value under the current master key.
    pub(super) fn seal_current(&self, plain: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        self.inner.keys.current().seal_secret(plain, context)
    }

    /// Opens a value sealed under any master key this node holds.
    pub(super) fn open_any(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        let mut last = Error::internal("no master key");
        for key in self.inner.keys.all() {
            match key.open_secret(sealed, context) {
                Ok(p) => return Ok(p),
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}
