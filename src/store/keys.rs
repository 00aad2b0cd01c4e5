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

use std::sync::RwLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sqlx::Row;

use super::crypto::{ChunkCipher, MasterKey};
use super::{Store, db};
use crate::error::{Error, Result};

/// Files re-wrapped per transaction.
const BATCH: i64 = 256;

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

/// One row of `master_keys`, for `idbridge keys status`.
#[derive(Debug, Clone)]
pub struct MasterKeyRow {
    /// The key's id.
    pub id: String,
    /// The id of the key it is sealed under.
    pub sealed_by: String,
    /// When the rotation to it started.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When every file was re-wrapped under it; `None` while the rotation is unfinished.
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What `idbridge keys status` shows.
#[derive(Debug, Clone)]
pub struct KeyStatus {
    /// The configured key's id.
    pub configured: String,
    /// The key new files are wrapped under.
    pub current: String,
    /// Keys introduced by rotations, oldest first.
    pub rotations: Vec<MasterKeyRow>,
    /// Files per key id (`None`: stored before key ids were recorded, under the configured
    /// key of the time).
    pub files: Vec<(Option<String>, u64)>,
}

/// What a rotation did.
#[derive(Debug, Clone, Default)]
pub struct RotationReport {
    /// The key every file is now wrapped under.
    pub key_id: String,
    /// Files whose data key this run re-wrapped.
    pub rewrapped: u64,
    /// Files already under the new key (written after it was introduced, or by an earlier
    /// run that stopped).
    pub already: u64,
    /// Sealed signing keys re-sealed.
    pub secrets: u64,
}

fn sealed_key_context(id: &str) -> Vec<u8> {
    format!("idbridge/master-key/v1/{id}").into_bytes()
}

fn signing_context(id: &str) -> Vec<u8> {
    format!("signing-key:{id}").into_bytes()
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
        tx: &mut db::DbTx,
        wrapped: &Wrapped,
        context: &[u8],
    ) -> Result<Wrapped> {
        let newest: Option<String> = sqlx::query_scalar(
            "SELECT id FROM master_keys ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .fetch_optional(&mut **tx)
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

    /// The master keys and how many files each wraps.
    pub async fn key_status(&self) -> Result<KeyStatus> {
        self.refresh_keys().await?;
        let rows = sqlx::query(
            "SELECT id, sealed_by, created_at, completed_at FROM master_keys ORDER BY created_at, id",
        )
        .fetch_all(&self.inner.pool)
        .await?;
        let mut rotations = Vec::new();
        for r in &rows {
            rotations.push(MasterKeyRow {
                id: r.try_get("id")?,
                sealed_by: r.try_get("sealed_by")?,
                created_at: db::from_millis(r.try_get("created_at")?)?,
                completed_at: r
                    .try_get::<Option<i64>, _>("completed_at")?
                    .map(db::from_millis)
                    .transpose()?,
            });
        }
        let counts =
            sqlx::query("SELECT key_id, COUNT(*) AS n FROM files GROUP BY key_id ORDER BY key_id")
                .fetch_all(&self.inner.pool)
                .await?;
        let mut files = Vec::new();
        for r in &counts {
            files.push((
                r.try_get("key_id")?,
                r.try_get::<i64, _>("n")?.max(0) as u64,
            ));
        }
        Ok(KeyStatus {
            configured: self.inner.keys.configured_id().to_owned(),
            current: self.inner.keys.current().id().to_owned(),
            rotations,
            files,
        })
    }

    /// Rotates to `new` (or finishes the unfinished rotation when `None`): introduces the
    /// key, re-wraps every file's data key and re-seals the signing keys under it, then marks
    /// it complete. `progress` is told the files handled so far and the total.
    pub async fn rotate_master_key(
        &self,
        new: Option<MasterKey>,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<RotationReport> {
        let target = self.introduce_key(new).await?;
        let mut report = RotationReport {
            key_id: target.id().to_owned(),
            ..RotationReport::default()
        };
        // Nothing can be committed under an older key once the row above is in (see the
        // module documentation), so one walk finds every file; the count after it checks.
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM files")
            .fetch_one(&self.inner.pool)
            .await?;
        let mut after = String::new();
        loop {
            let rows = sqlx::query(
                "SELECT tenant, id, key_id, wrapped_key FROM files WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .bind(&after)
            .bind(BATCH)
            .fetch_all(&self.inner.pool)
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("id")?;
            let mut changes = Vec::new();
            for r in &rows {
                let key_id: Option<String> = r.try_get("key_id")?;
                if key_id.as_deref() == Some(target.id()) {
                    report.already += 1;
                    continue;
                }
                let tenant: String = r.try_get("tenant")?;
                let id: String = r.try_get("id")?;
                let old: String = r.try_get("wrapped_key")?;
                let wrapped = Wrapped {
                    key_id: key_id.unwrap_or_default(),
                    bytes: B64.decode(&old).map_err(Error::internal)?,
                };
                let context = super::files::key_context_text(&tenant, &id);
                let new = self.rewrap(&wrapped, target.id(), &context).await?;
                changes.push((tenant, id, old, B64.encode(new.bytes)));
            }
            let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
            for (tenant, id, old, new) in &changes {
                // Only if the row is as read: a file deleted meanwhile is simply gone.
                let done = sqlx::query(
                    "UPDATE files SET wrapped_key = $1, key_id = $2 \
                     WHERE tenant = $3 AND id = $4 AND wrapped_key = $5",
                )
                .bind(new)
                .bind(target.id())
                .bind(tenant)
                .bind(id)
                .bind(old)
                .execute(&mut *tx)
                .await?;
                report.rewrapped += done.rows_affected();
            }
            tx.commit().await?;
            progress(report.rewrapped + report.already, total.max(0) as u64);
        }
        report.secrets = self.reseal_signing_keys(&target).await?;
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let left: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM files WHERE key_id IS NULL OR key_id <> $1")
                .bind(target.id())
                .fetch_one(&mut *tx)
                .await?;
        if left > 0 {
            return Err(Error::internal(format!(
                "{left} files are still under an older key; run the rotation again"
            )));
        }
        sqlx::query("UPDATE master_keys SET completed_at = $1 WHERE id = $2")
            .bind(db::millis(db::now()))
            .bind(target.id())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// Stores `new` sealed under the current key, unless it is the unfinished rotation's
    /// key already; with `None`, the unfinished rotation's key. Answers the target key.
    async fn introduce_key(&self, new: Option<MasterKey>) -> Result<MasterKey> {
        self.refresh_keys().await?;
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let open: Option<String> = sqlx::query_scalar(
            "SELECT id FROM master_keys WHERE completed_at IS NULL ORDER BY created_at DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let target = match (new, open) {
            (None, None) => {
                return Err(Error::invalid(
                    "--new-key-file",
                    "no rotation is unfinished: name the new key",
                ));
            }
            (None, Some(id)) => {
                drop(tx);
                return self.keys_for(Some(&id)).await.map(|mut k| k.remove(0));
            }
            (Some(new), Some(id)) if new.id() == id => {
                drop(tx);
                return Ok(new);
            }
            (Some(_), Some(id)) => {
                return Err(Error::invalid(
                    "--new-key-file",
                    format!(
                        "the rotation to key {id} is unfinished: finish it first (`idbridge keys rotate` without --new-key-file)"
                    ),
                ));
            }
            (Some(new), None) => new,
        };
        let current = self.inner.keys.current();
        if self.inner.keys.get(target.id()).is_some() {
            return Err(Error::invalid(
                "--new-key-file",
                format!("key {} is already in use: give a new key", target.id()),
            ));
        }
        let sealed = current.seal_secret(target.raw(), &sealed_key_context(target.id()))?;
        sqlx::query(
            "INSERT INTO master_keys (id, sealed, sealed_by, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(target.id())
        .bind(B64.encode(sealed))
        .bind(current.id())
        .bind(db::millis(db::now()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.refresh_keys().await?;
        Ok(target)
    }

    /// Re-seals every stored signing key under `target`, in one transaction.
    async fn reseal_signing_keys(&self, target: &MasterKey) -> Result<u64> {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let rows = sqlx::query("SELECT id, private_key FROM signing_keys")
            .fetch_all(&mut *tx)
            .await?;
        for r in &rows {
            let id: String = r.try_get("id")?;
            let sealed = B64
                .decode(r.try_get::<String, _>("private_key")?)
                .map_err(Error::internal)?;
            let private = self.open_any(&sealed, &signing_context(&id))?;
            let resealed = target.seal_secret(&private, &signing_context(&id))?;
            sqlx::query("UPDATE signing_keys SET private_key = $1 WHERE id = $2")
                .bind(B64.encode(resealed))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    /// Deletes what the old key `id` can open in the store: its own row and the rows sealed
    /// under it. Refused while this node is configured with it, while a file is still
    /// wrapped under it (or unrecorded), or while a rotation is unfinished. Answers the rows
    /// deleted.
    pub async fn retire_master_key(&self, id: &str) -> Result<u64> {
        if id == self.inner.keys.configured_id() {
            return Err(Error::invalid(
                "--key-id",
                "is this configuration's master key: configure the new key first",
            ));
        }
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let open: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM master_keys WHERE completed_at IS NULL")
                .fetch_one(&mut *tx)
                .await?;
        if open > 0 {
            return Err(Error::invalid("--key-id", "a rotation is unfinished"));
        }
        let under: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM files WHERE key_id IS NULL OR key_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        if under > 0 {
            return Err(Error::invalid(
                "--key-id",
                format!("{under} files are still wrapped under it: rotate first"),
            ));
        }
        let gone = sqlx::query("DELETE FROM master_keys WHERE id = $1 OR sealed_by = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(gone.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{metadata_url, open_keyed};

    fn key(byte: u8) -> MasterKey {
        MasterKey::from_raw([byte; 32]).unwrap()
    }

    /// Values sealed under the old key (a signing key, a client's cookie) are re-sealed or
    /// still open during the rotation; once a node runs on the new key alone and the old
    /// one is retired, the signing key opens there and nowhere under the old key.
    #[tokio::test]
    async fn sealed_values_follow_the_rotation_and_the_retired_key_opens_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let url = metadata_url(dir.path()).await;
        let old = open_keyed(dir.path(), url.clone(), [3; 32]).await;
        old.add_signing_key("test", "PRIVATE PEM", "PUBLIC PEM")
            .await
            .unwrap();
        let cookie = old.seal_for_client("test", b"session").unwrap();

        let report = old
            .rotate_master_key(Some(key(9)), &|_, _| {})
            .await
            .unwrap();
        assert_eq!((report.key_id.as_str(), report.secrets), (key(9).id(), 1));
        // The node on the old key holds both now: old cookies open, new ones are sealed
        // under the new key.
        assert_eq!(old.open_from_client("test", &cookie).unwrap(), b"session");
        let fresh = old.seal_for_client("test", b"later").unwrap();
        assert!(key(9).open_secret(&fresh, b"client:test").is_ok());

        let new = open_keyed(dir.path(), url.clone(), [9; 32]).await;
        assert!(new.retire_master_key(key(9).id()).await.is_err());
        assert_eq!(new.retire_master_key(key(3).id()).await.unwrap(), 1);
        let signing = new.signing_key("test").await.unwrap().unwrap();
        assert_eq!(signing.private_pem, "PRIVATE PEM");
        assert_eq!(new.key_status().await.unwrap().current, key(9).id());

        let stale = open_keyed(dir.path(), url, [3; 32]).await;
        assert!(stale.signing_key("test").await.is_err());
        assert!(stale.open_from_client("test", &fresh).is_none());
    }

    /// A second rotation cannot start while one is unfinished, and a key in use is refused.
    #[tokio::test]
    async fn one_rotation_at_a_time_and_never_back_to_a_key_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let store = open_keyed(dir.path(), metadata_url(dir.path()).await, [3; 32]).await;
        let e = store.rotate_master_key(Some(key(3)), &|_, _| {}).await;
        assert!(e.unwrap_err().to_string().contains("already in use"));
        // Introduced but not finished (as if the command was killed after its first step).
        store.introduce_key(Some(key(4))).await.unwrap();
        let e = store.rotate_master_key(Some(key(5)), &|_, _| {}).await;
        assert!(e.unwrap_err().to_string().contains("is unfinished"));
        let done = store.rotate_master_key(None, &|_, _| {}).await.unwrap();
        assert_eq!(done.key_id, key(4).id());
        let status = store.key_status().await.unwrap();
        assert!(status.rotations[0].completed_at.is_some());
    }
}
