//! RSA keys and RS256 JSON Web Tokens. Keys are made with RustCrypto's `rsa` (ring cannot
//! generate RSA keys); signing and checking go through `jsonwebtoken` on ring.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
use rsa::pkcs8::EncodePublicKey;
use serde::Serialize;
use tokio::sync::OnceCell;

use crate::error::{Error, Result};
use crate::store::Store;

/// Bits of every RSA key idbridge makes.
pub const RSA_BITS: usize = 2048;

/// A new RSA key pair: the private key as PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`, the form
/// MasStack's service-account files carry) and the public key as SPKI PEM. Runs on the
/// blocking pool: generating a 2048-bit key takes a noticeable fraction of a second.
pub async fn generate_rsa() -> Result<(String, String)> {
    tokio::task::spawn_blocking(|| {
        let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, RSA_BITS)
            .map_err(|e| Error::internal(format!("RSA key generation failed: {e}")))?;
        let private_pem = private
            .to_pkcs1_pem(LineEnding::LF)
            .map_err(|e| Error::internal(format!("RSA key encoding failed: {e}")))?;
        let public_pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .map_err(|e| Error::internal(format!("RSA key encoding failed: {e}")))?;
        Ok((private_pem.to_string(), public_pem))
    })
    .await
    .map_err(Error::internal)?
}

/// A signing key of the store, ready to sign and check RS256 tokens.
pub struct Signer {
    /// The key id, put in every token's header.
    pub kid: String,
    encoding: EncodingKey,
    /// The public half, for checking tokens.
    pub decoding: DecodingKey,
}

impl Signer {
    /// Signs `claims` as an RS256 JWT naming this key.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| Error::internal(format!("JWT signing failed: {e}")))
    }
}

/// The store's signing key for one purpose, read once per process: every node reads the same
/// key from the store, so a token signed on one is checked on another.
pub struct StoreKey {
    purpose: &'static str,
    signer: OnceCell<Signer>,
}

impl StoreKey {
    /// The key kept in the store under `purpose` (e.g. `masstack_authn`).
    pub const fn new(purpose: &'static str) -> StoreKey {
        StoreKey {
            purpose,
            signer: OnceCell::const_new(),
        }
    }

    /// The key, made in the store the first time it is needed.
    pub async fn get(&self, store: &Store) -> Result<&Signer> {
        self.signer
            .get_or_try_init(|| async {
                let key = match store.signing_key(self.purpose).await? {
                    Some(k) => k,
                    None => {
                        let (private, public) = generate_rsa().await?;
                        store
                            .add_signing_key(self.purpose, &private, &public)
                            .await?
                    }
                };
                Ok(Signer {
                    kid: key.id.to_string(),
                    encoding: EncodingKey::from_rsa_pem(key.private_pem.as_bytes())
                        .map_err(|e| Error::internal(format!("signing key unreadable: {e}")))?,
                    decoding: DecodingKey::from_rsa_pem(key.public_pem.as_bytes())
                        .map_err(|e| Error::internal(format!("signing key unreadable: {e}")))?,
                })
            })
            .await
    }

    /// The key if one was made: checking a presented token never makes one (and no token can
    /// have been signed before it exists).
    pub async fn existing(&self, store: &Store) -> Result<Option<&Signer>> {
        if let Some(s) = self.signer.get() {
            return Ok(Some(s));
        }
        if store.signing_key(self.purpose).await?.is_none() {
            return Ok(None);
        }
        self.get(store).await.map(Some)
    }
}

/// Signs `claims` as an RS256 JWT with header `kid`.
pub fn sign_rs256<T: Serialize>(claims: &T, kid: &str, private_pem: &str) -> Result<String> {
    let key = EncodingKey::from_rsa_pem(private_pem.as_bytes())
        .map_err(|e| Error::internal(format!("signing key unreadable: {e}")))?;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key)
        .map_err(|e| Error::internal(format!("JWT signing failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::Validation;

    #[tokio::test]
    async fn a_token_signed_with_a_new_key_verifies_with_its_public_half_only() {
        let (private, public) = generate_rsa().await.unwrap();
        assert!(private.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        let claims = serde_json::json!({"sub": "x", "exp": 4_102_444_800u64});
        let token = sign_rs256(&claims, "kid-1", &private).unwrap();
        assert_eq!(
            jsonwebtoken::decode_header(&token).unwrap().kid.as_deref(),
            Some("kid-1")
        );
        let key = DecodingKey::from_rsa_pem(public.as_bytes()).unwrap();
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_aud = false;
        let read = jsonwebtoken::decode::<serde_json::Value>(&token, &key, &v).unwrap();
        assert_eq!(read.claims["sub"], "x");
        let (_, other) = generate_rsa().await.unwrap();
        let other = DecodingKey::from_rsa_pem(other.as_bytes()).unwrap();
        assert!(jsonwebtoken::decode::<serde_json::Value>(&token, &other, &v).is_err());
    }
}
