//! Rotating to a new master key, finishing an unfinished rotation, retiring an old key, and
//! the status `idbridge keys status` shows (see the parent module for how it stays safe while
//! nodes serve).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sqlx::Row;

use super::super::crypto::MasterKey;
use super::super::signing::context as signing_context;
use super::super::{Store, db};
use super::{Wrapped, sealed_key_context};
use crate::error::{Error, Result};

/// Files re-wrapped per transaction.
const BATCH: i64 = 256;

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

impl Store {
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
                let context = super::super::files::key_context_text(&tenant, &id);
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
    pub(super) async fn introduce_key(&self, new: Option<MasterKey>) -> Result<MasterKey> {
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
