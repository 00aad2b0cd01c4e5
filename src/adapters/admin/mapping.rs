//! Admin wire shapes to and from the canonical model.

use chrono::{DateTime, Utc};

use super::wire::{
    AliasInput, AliasView, ClientAccountView, DocumentView, FileView, ProcessView,
    ServiceAccountView, SubjectSummary,
};
use crate::error::{Error, Result};
use crate::model::{Alias, Document, Namespace, Process, StoredFile, Subject};
use crate::store::{ClientAccount, ServiceAccount};

/// The longest operator label accepted.
pub const MAX_LABEL_LEN: usize = 200;

/// Checks an operator label.
pub fn label(label: Option<String>) -> Result<Option<String>> {
    match label {
        Some(l) if l.chars().count() > MAX_LABEL_LEN || l.chars().any(char::is_control) => {
            Err(Error::invalid(
                "label",
                "must be at most 200 characters without control characters",
            ))
        }
        other => Ok(other),
    }
}

/// Validates alias inputs, naming the offending entry (a pair listed twice included).
pub fn aliases(inputs: Vec<AliasInput>) -> Result<Vec<(Namespace, String)>> {
    let mut seen = std::collections::HashSet::new();
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            if !seen.insert((a.namespace.clone(), a.external_id.clone())) {
                return Err(Error::invalid(format!("aliases[{i}]"), "is listed twice"));
            }
            let ns = Namespace::new(a.namespace)
                .map_err(|e| rename(e, format!("aliases[{i}].namespace")))?;
            crate::model::check_external_id(&a.external_id)
                .map_err(|e| rename(e, format!("aliases[{i}].external_id")))?;
            Ok((ns, a.external_id))
        })
        .collect()
}

/// Gives an invalid-field error the field name the caller used.
pub fn rename(e: Error, field: String) -> Error {
    match e {
        Error::InvalidField { reason, .. } => Error::InvalidField { field, reason },
        other => other,
    }
}

/// A subject as listed.
pub fn subject_summary(s: Subject) -> SubjectSummary {
    SubjectSummary {
        id: s.id,
        label: s.label,
        created_at: s.created_at,
    }
}

/// An alias as shown.
pub fn alias_view(a: Alias) -> AliasView {
    AliasView {
        namespace: a.namespace.as_str().to_owned(),
        external_id: a.external_id,
        created_at: a.created_at,
    }
}

/// A file's metadata as shown.
pub fn file_view(f: StoredFile) -> FileView {
    FileView {
        sha256: f.sha256_hex(),
        id: f.id,
        document_id: f.document_id,
        side: f.side,
        name: f.name,
        media_type: f.media_type.mime().to_owned(),
        size: f.size,
        width: f.width,
        height: f.height,
        extras: f.extras,
        created_at: f.created_at,
    }
}

/// A document with the files that belong to it.
pub fn document_view(d: Document, files: Vec<FileView>) -> DocumentView {
    DocumentView {
        id: d.id,
        seq: d.seq,
        kind: d.kind,
        category: d.category,
        number: d.number,
        issuing_country: d.issuing_country.map(String::from),
        issuing_authority: d.issuing_authority,
        issued_on: d.issued_on,
        expires_on: d.expires_on,
        personal: d.personal,
        extras: d.extras,
        files,
        written_by: d.written_by,
        created_at: d.created_at,
        updated_at: d.updated_at,
    }
}

/// A process as shown, with its effective status at `now`.
pub fn process_view(p: Process, now: DateTime<Utc>) -> ProcessView {
    ProcessView {
        status: p.status_at(now),
        id: p.id,
        namespace: p.namespace.as_str().to_owned(),
        kind: p.kind,
        expires_at: p.expires_at,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

/// The admin view of a client account.
pub fn client_account_view(a: ClientAccount) -> ClientAccountView {
    ClientAccountView {
        id: a.id,
        client_id: a.number,
        subject_id: a.subject_id,
        email: a.email,
        created_at: a.created_at,
    }
}

/// The admin view of a MasStack service account.
pub fn service_account_view(a: ServiceAccount) -> ServiceAccountView {
    ServiceAccountView {
        id: a.id,
        client_email: a.client_email,
        label: a.label,
        created_at: a.created_at,
        revoked_at: a.revoked_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_errors_name_the_entry() {
        let bad = vec![
            AliasInput {
                namespace: "ncore".into(),
                external_id: "u1".into(),
            },
            AliasInput {
                namespace: "N-CORE".into(),
                external_id: "u2".into(),
            },
        ];
        match aliases(bad) {
            Err(Error::InvalidField { field, .. }) => assert_eq!(field, "aliases[1].namespace"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn an_alias_listed_twice_is_named() {
        let twice = || AliasInput {
            namespace: "ncore".into(),
            external_id: "u1".into(),
        };
        match aliases(vec![twice(), twice()]) {
            Err(Error::InvalidField { field, .. }) => assert_eq!(field, "aliases[1]"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn labels_are_bounded() {
        assert!(label(Some("x".repeat(200))).is_ok());
        assert!(label(Some("x".repeat(201))).is_err());
        assert!(label(None).unwrap().is_none());
    }
}
