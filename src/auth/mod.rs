//! Resolving presented secrets to tenants. Submodules: `password` (argon2id hashes),
//! `keys` (RSA keys and RS256 JWTs), `throttle` (the bound on failed sign-ins).
//!
//! Configured keys are kept only as SHA-256 digests. A presented key is hashed and compared
//! with every digest in constant time, without stopping at a match, so neither the time taken
//! nor the order of keys says anything about how close a guess was.

pub mod keys;
pub mod password;
pub mod throttle;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Config;
use crate::model::TenantId;

/// What a key opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// The admin API.
    Admin,
    /// `apikey` header APIs (nCore, PassFort).
    Api,
    /// MasStack bearer keys.
    Masstack,
}

#[derive(Clone)]
struct Entry {
    digest: [u8; 32],
    kind: KeyKind,
    tenant: TenantId,
}

/// Every configured key, hashed.
#[derive(Clone, Default)]
pub struct Keyring {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keyring({} keys)", self.entries.len())
    }
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

impl Keyring {
    /// Builds the keyring from a validated configuration.
    pub fn from_config(config: &Config) -> Keyring {
        let mut entries = Vec::new();
        let mut add = |key: &str, kind, tenant: &str| {
            if let Ok(tenant) = TenantId::new(tenant) {
                entries.push(Entry {
                    digest: digest(key),
                    kind,
                    tenant,
                });
            }
        };
        for t in &config.tenants {
            t.api_keys
                .iter()
                .for_each(|k| add(k.expose(), KeyKind::Api, &t.id));
            t.masstack_keys
                .iter()
                .for_each(|k| add(k.expose(), KeyKind::Masstack, &t.id));
        }
        for a in &config.admin_keys {
            add(a.key.expose(), KeyKind::Admin, &a.tenant);
        }
        Keyring { entries }
    }

    /// The tenant a presented key of this kind belongs to.
    pub fn tenant_for(&self, kind: KeyKind, presented: &str) -> Option<TenantId> {
        self.tenant_for_digest(kind, &digest(presented))
    }

    /// The SHA-256 digest under which a key is kept: what a console session carries (sealed)
    /// to stay bound to the key it signed in with, never the key itself.
    pub fn digest_of(presented: &str) -> [u8; 32] {
        digest(presented)
    }

    /// The tenant of the configured key of this kind with this digest, compared like
    /// [`Keyring::tenant_for`]: a session ends once its key is no longer configured. The
    /// key is noted (by its id) as the credential of the running operation's audit event.
    pub fn tenant_for_digest(&self, kind: KeyKind, d: &[u8; 32]) -> Option<TenantId> {
        let mut found = None;
        for e in &self.entries {
            let matches = bool::from(e.digest.ct_eq(d)) & (e.kind == kind);
            if matches {
                found = Some(e.tenant.clone());
            }
        }
        if let Some(t) = &found {
            crate::audit::credential(t, crate::audit::key_id(d));
        }
        found
    }
}

/// Whether two secrets are equal, compared in constant time (over their SHA-256 digests, so
/// the time does not depend on where they differ or on their lengths).
pub fn same_secret(a: &str, b: &str) -> bool {
    bool::from(digest(a).ct_eq(&digest(b)))
}

/// An email as sign-in compares it: trimmed and lower case. `None` for what cannot be an
/// address (no `@` between two non-empty parts, spaces, over 254 bytes).
pub fn normalize_email(text: &str) -> Option<String> {
    let email = text.trim().to_lowercase();
    let (local, domain) = email.rsplit_once('@')?;
    let ok = !local.is_empty()
        && !domain.is_empty()
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(email)
}

/// Reads HTTP Basic credentials (`user:password`) from an `Authorization` header value.
pub fn basic(header: &str) -> Option<(String, String)> {
    use base64::Engine as _;
    let (scheme, encoded) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Reads a bearer token from an `Authorization` header value (scheme case-insensitive).
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AdminKeyConfig, TenantConfig};

    fn ring() -> Keyring {
        let tenant = |id: &str, key: &str| TenantConfig {
            retention: Default::default(),
            id: id.into(),
            api_keys: vec![crate::config::Secret::new(key)],
            masstack_keys: vec![],
            masstack_orgs: vec![],
            jumio: None,
            b2core_hosts: vec![],
            b2core_backoffice: vec![],
        };
        let config = Config {
            tenants: vec![tenant("a", "key-of-a-123"), tenant("b", "key-of-b-123")],
            admin_keys: vec![AdminKeyConfig {
                tenant: "b".into(),
                key: crate::config::Secret::new("admin-of-b"),
            }],
            ..Config::default()
        };
        Keyring::from_config(&config)
    }

    #[test]
    fn keys_resolve_to_their_tenant_and_kind_only() {
        let r = ring();
        assert_eq!(
            r.tenant_for(KeyKind::Api, "key-of-a-123").unwrap().as_str(),
            "a"
        );
        assert_eq!(
            r.tenant_for(KeyKind::Api, "key-of-b-123").unwrap().as_str(),
            "b"
        );
        assert_eq!(
            r.tenant_for(KeyKind::Admin, "admin-of-b").unwrap().as_str(),
            "b"
        );
        assert!(
            r.tenant_for(KeyKind::Admin, "key-of-a-123").is_none(),
            "an api key is not an admin key"
        );
        assert!(r.tenant_for(KeyKind::Api, "key-of-a-12").is_none());
        assert!(r.tenant_for(KeyKind::Api, "").is_none());
        assert!(!format!("{r:?}").contains("key-of"));
    }

    #[test]
    fn basic_credentials_are_parsed() {
        assert_eq!(
            basic("Basic dXNlcjpwYXNzOndvcmQ="),
            Some(("user".into(), "pass:word".into()))
        );
        assert_eq!(
            basic("basic  dXNlcjo= "),
            Some(("user".into(), String::new()))
        );
        assert_eq!(basic("Basic bm9jb2xvbg=="), None, "no colon");
        assert_eq!(basic("Basic !!!"), None);
        assert_eq!(basic("Bearer dXNlcjpwYXNz"), None);
        assert_eq!(
            normalize_email(" Ann@Example.COM "),
            Some("ann@example.com".into())
        );
        assert_eq!(normalize_email("no-at"), None);
        assert_eq!(normalize_email("@example.com"), None);
        assert_eq!(normalize_email("a b@example.com"), None);
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn bearer_tokens_are_parsed() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("Bearer"), None);
    }
}
