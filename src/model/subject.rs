//! Tenants, subjects and the aliases vendors know them by.
//!
//! Resolution rule (applied by the store): an external id that parses as a UUID equal to a
//! subject's id *is* that subject, so one id works in every API; a UUID that matches no
//! subject creates a subject with exactly that id; any other external id is an alias in
//! its vendor's namespace, created on first use or linked explicitly by the admin API.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

/// The customer of idbridge. Everything is scoped to one; ids come from configuration.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    /// Validates a tenant id: 1–63 characters of `a-z 0-9 _ -`, starting with a letter or digit.
    pub fn new(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        let ok = !id.is_empty()
            && id.len() <= 63
            && id
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(TenantId(id))
        } else {
            Err(Error::invalid(
                "tenant id",
                "use 1-63 characters of a-z, 0-9, '_' and '-'",
            ))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        TenantId::new(s)
    }
}

impl From<TenantId> for String {
    fn from(t: TenantId) -> String {
        t.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantId({})", self.0)
    }
}

/// The namespace an external id lives in: one per vendor API (`ncore`, `passfort`, …).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Namespace(String);

impl Namespace {
    /// Validates a namespace: 1–32 characters of `a-z 0-9 _`, starting with a letter.
    pub fn new(ns: impl Into<String>) -> Result<Self> {
        let ns = ns.into();
        let ok = !ns.is_empty()
            && ns.len() <= 32
            && ns.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
            && ns
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(Namespace(ns))
        } else {
            Err(Error::invalid(
                "namespace",
                "use 1-32 characters of a-z, 0-9 and '_', starting with a letter",
            ))
        }
    }

    /// The namespace as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Namespace {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Namespace::new(s)
    }
}

impl From<Namespace> for String {
    fn from(n: Namespace) -> String {
        n.0
    }
}

/// The longest external id accepted, in bytes.
pub const MAX_EXTERNAL_ID_LEN: usize = 255;

/// Checks an external id: non-empty, at most 255 bytes, no control characters.
pub fn check_external_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > MAX_EXTERNAL_ID_LEN || id.chars().any(char::is_control) {
        return Err(Error::invalid(
            "external_id",
            "must be 1-255 characters without control characters",
        ));
    }
    Ok(())
}

/// The person or company documents belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// Canonical id, unique within its tenant.
    pub id: Uuid,
    /// The owning tenant.
    pub tenant: TenantId,
    /// A label for operators (no personal data required).
    pub label: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// An external id that names a subject in one vendor's namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    /// The vendor namespace.
    pub namespace: Namespace,
    /// The id as that vendor's clients send it.
    pub external_id: String,
    /// When it was linked.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_checked() {
        assert!(TenantId::new("demo").is_ok());
        assert!(TenantId::new("acme-2_x").is_ok());
        for bad in ["", "-x", "Demo", "a b", &"a".repeat(64)] {
            assert!(TenantId::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn namespaces_are_checked() {
        assert!(Namespace::new("ncore").is_ok());
        for bad in ["", "1x", "n-core", "NCORE"] {
            assert!(Namespace::new(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn external_ids_are_checked() {
        assert!(check_external_id("user-42").is_ok());
        assert!(check_external_id("").is_err());
        assert!(check_external_id("a\nb").is_err());
        assert!(check_external_id(&"x".repeat(256)).is_err());
    }
}
