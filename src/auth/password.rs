//! Passwords, hashed with argon2id (RustCrypto's `argon2`, its default parameters: 19 MiB,
//! two passes). Hashing and checking run on the blocking pool: each takes tens of
//! milliseconds of CPU, which must not stall the request tasks.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2};

use crate::error::{Error, Result};

/// A hash no password matches, checked when there is no account to check against, so that a
/// sign-in takes as long whether or not the account exists.
const NOBODY: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$bm9ib2R5LW5vYm9keQ$0kkG7uXbsqQm1tH0lD3HcTzI3pHNzrqwmZrvbiTVYDk";

/// Hashes run at once, at most: each holds 19 MiB and a core for tens of milliseconds, so a
/// burst of sign-ins waits its turn instead of taking the machine's memory.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::sync::Semaphore::new(cores * 2)
});

/// Hashes a password: a PHC string (`$argon2id$…`) with a fresh salt.
pub async fn hash(password: String) -> Result<String> {
    let _turn = HASHING.acquire().await.map_err(Error::internal)?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(Error::internal)?
}

/// Whether `password` matches `hash` (a PHC string). `None` checks against a hash nothing
/// matches, at the same cost. A malformed stored hash matches nothing.
pub async fn verify(password: String, hash: Option<String>) -> Result<bool> {
    let _turn = HASHING.acquire().await.map_err(Error::internal)?;
    tokio::task::spawn_blocking(move || {
        let hash = hash.as_deref().unwrap_or(NOBODY);
        let Ok(parsed) = PasswordHash::new(hash) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(Error::internal)
}

/// Whether `text` is an argon2id PHC string that [`verify`] can check.
pub fn is_hash(text: &str) -> bool {
    PasswordHash::new(text)
        .is_ok_and(|h| h.algorithm == Algorithm::Argon2id.ident() && h.hash.is_some())
}

/// The rules a new password must keep: 8 to 128 characters, not all of one kind of
/// whitespace. Long enough to resist guessing within the sign-in bounds, short enough that
/// hashing it costs what it should.
pub fn check_new(password: &str) -> Result<()> {
    let n = password.chars().count();
    if !(8..=128).contains(&n) {
        return Err(Error::invalid(
            "password",
            "must be between 8 and 128 characters",
        ));
    }
    if password.trim().is_empty() {
        return Err(Error::invalid("password", "must not be blank"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_matches_its_hash_only() {
        let h = hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(is_hash(&h));
        assert!(
            verify("correct horse".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify("correct horsE".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("correct horse".into(), None).await.unwrap());
        assert!(!verify("x".into(), Some("not a hash".into())).await.unwrap());
        assert!(is_hash(NOBODY));
        assert!(!is_hash("$2b$12$abcdefghijklmnopqrstuv"));
        let again = hash("correct horse".into()).await.unwrap();
        assert_ne!(h, again, "every hash has its own salt");
    }

    #[test]
    fn new_passwords_are_checked() {
        assert!(check_new("12345678").is_ok());
        assert!(check_new("1234567").is_err());
        assert!(check_new(&"x".repeat(129)).is_err());
        assert!(check_new("         ").is_err());
    }
}
