//! Keys idbridge signs its own tokens with (MasStack access tokens are JWTs). One key per
//! purpose, made by whichever node first needs it and then shared by all: the private key is
//! stored sealed by the master key, so a copy of the database alone cannot sign.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sqlx::Row;
use uuid::Uuid;

use super::{MasterKey, Store, db};
use crate::error::{Error, Result};

/// A signing key as stored: its id (a JWT `kid`) and both halves, PEM.
#[derive(Clone)]
pub struct SigningKey {
    /// The key id.
    pub id: Uuid,
    /// The private key, PEM.
    pub private_pem: String,
    /// The public key, PEM.
    pub public_pem: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// What a signing key's sealed private half is bound to.
pub(super) fn context(id: &str) -> Vec<u8> {
    format!("signing-key:{id}").into_bytes()
}

/// A stored `signing_keys.private_key` of key `id` (base64 of the private key sealed by
/// one of the keys `from`), sealed again by `to`: what `store copy` writes into a store
/// with another master key. Fails when no key of `from` opens it (another master key, an
/// altered row).
pub(super) fn reseal_private_key(
    from: &[MasterKey],
    to: &MasterKey,
    id: &str,
    stored: &str,
) -> Result<String> {
    let sealed = B64.decode(stored).map_err(Error::internal)?;
    let private = from
        .iter()
        .find_map(|k| k.open_secret(&sealed, &context(id)).ok())
        .ok_or_else(|| Error::internal("no master key opens the signing key"))?;
    Ok(B64.encode(to.seal_secret(&private, &context(id))?))
}

impl Store {
    /// Seals a small value the server hands a client to keep (a console session cookie):
    /// AES-256-GCM under the master key, bound to `purpose`. Every node opens what any node
    /// sealed; the client can neither read nor alter it.
    pub fn seal_for_client(&self, purpose: &str, plain: &[u8]) -> Result<Vec<u8>> {
        self.seal_current(plain, format!("client:{purpose}").as_bytes())
    }

    /// Opens what [`Store::seal_for_client`] sealed for the same purpose; `None` for
    /// anything else (altered, sealed for another purpose or under another master key).
    pub fn open_from_client(&self, purpose: &str, sealed: &[u8]) -> Option<Vec<u8>> {
        self.open_any(sealed, format!("client:{purpose}").as_bytes())
            .ok()
    }

    /// The signing key of `purpose`, if one was made.
    pub async fn signing_key(&self, purpose: &str) -> Result<Option<SigningKey>> {
        let Some(row) =
            sqlx::query("SELECT id, private_key, public_key FROM signing_keys WHERE purpose = $1")
                .bind(purpose)
                .fetch_optional(&self.inner.pool)
                .await?
        else {
            return Ok(None);
        };
        let id: String = row.try_get("id")?;
        let sealed = B64
            .decode(row.try_get::<String, _>("private_key")?)
            .map_err(Error::internal)?;
        let private = self.open_any(&sealed, &context(&id))?;
        Ok(Some(SigningKey {
            id: db::uuid(&id)?,
            private_pem: String::from_utf8(private).map_err(Error::internal)?,
            public_pem: row.try_get("public_key")?,
        }))
    }

    /// Stores a new signing key of `purpose` (PEM halves) unless one exists, and returns the
    /// one that is stored: when two nodes make one at once, the first stored wins for both.
    pub async fn add_signing_key(
        &self,
        purpose: &str,
        private_pem: &str,
        public_pem: &str,
    ) -> Result<SigningKey> {
        let id = Uuid::now_v7().to_string();
        let sealed = self.seal_current(private_pem.as_bytes(), &context(&id))?;
        sqlx::query(
            "INSERT INTO signing_keys (id, purpose, private_key, public_key, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (purpose) DO NOTHING",
        )
        .bind(&id)
        .bind(purpose)
        .bind(B64.encode(sealed))
        .bind(public_pem)
        .bind(db::millis(db::now()))
        .execute(&self.inner.pool)
        .await?;
        self.signing_key(purpose)
            .await?
            .ok_or_else(|| Error::internal("signing key vanished after it was stored"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> MasterKey {
        MasterKey::from_base64(&B64.encode([byte; 32])).unwrap()
    }

    /// A private key re-sealed for another store opens there, under its id only, and no
    /// longer under the old master key.
    #[test]
    fn resealed_private_keys_open_only_under_the_new_master_key() {
        let (old, new) = (key(1), key(2));
        let stored = B64.encode(old.seal_secret(b"PEM", &context("k1")).unwrap());
        let moved = reseal_private_key(std::slice::from_ref(&old), &new, "k1", &stored).unwrap();
        let sealed = B64.decode(&moved).unwrap();
        assert_eq!(new.open_secret(&sealed, &context("k1")).unwrap(), b"PEM");
        assert!(old.open_secret(&sealed, &context("k1")).is_err());
        assert!(new.open_secret(&sealed, &context("k2")).is_err());
        assert!(reseal_private_key(std::slice::from_ref(&new), &old, "k1", &stored).is_err());
    }
}
