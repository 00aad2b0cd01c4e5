//! MasStack identifications to and from the canonical model: the document-type and status
//! tables, what an identification keeps in its process, and how a stored document is
//! matched against the one a request declares.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::request::DocumentInput;
use super::wire::{
    Actor, ConfigurationName, DocumentType, IdentificationStatus, IdentityDocumentIdentification,
    Scoring,
};
use crate::adapters::common::pair_table::right_of;
use crate::error::{Error, Result};
use crate::model::{Document, DocumentKind, Process, ProcessStatus};
use crate::store::number_key;

/// The namespace of MasStack's processes and extras.
pub const NAMESPACE: &str = "masstack";
/// The process kind of an identity-document identification.
pub const KIND: &str = "identity_document";
/// Key in a document's `masstack` extras: the type a request declared (NIF, NIE, …).
pub const DECLARED_TYPE: &str = "document_type";
/// Key in a document's `masstack` extras: true when an identification created the document
/// from the request alone (it proves nothing until it has files).
pub const DECLARED: &str = "declared";

/// MasStack document type → canonical kind. NIF and NIE are printed on Spanish identity
/// cards (DNI and the foreigner's card); MasStack's `actor` example says `IDENTITY_CARD`.
const TYPES: [(DocumentType, DocumentKind); 4] = [
    (DocumentType::Nif, DocumentKind::IdCard),
    (DocumentType::Nie, DocumentKind::IdCard),
    (DocumentType::IdentityCard, DocumentKind::IdCard),
    (DocumentType::Passport, DocumentKind::Passport),
];

/// Canonical kind → MasStack document type, for documents stored through other APIs. A
/// residence permit carries a NIE; kinds without a MasStack type never match.
const KINDS: [(DocumentKind, DocumentType); 3] = [
    (DocumentKind::IdCard, DocumentType::IdentityCard),
    (DocumentKind::ResidencePermit, DocumentType::Nie),
    (DocumentKind::Passport, DocumentType::Passport),
];

/// Canonical status → MasStack status.
const STATUSES: [(ProcessStatus, IdentificationStatus); 5] = [
    (ProcessStatus::Open, IdentificationStatus::Open),
    // Not used by MasStack identifications; an open flow that took input is still open.
    (ProcessStatus::Submitted, IdentificationStatus::Open),
    (ProcessStatus::Completed, IdentificationStatus::Closed),
    (ProcessStatus::Expired, IdentificationStatus::Expired),
    (ProcessStatus::Cancelled, IdentificationStatus::Cancelled),
];

/// The canonical kind of a MasStack document type.
pub fn kind_of(t: DocumentType) -> DocumentKind {
    right_of(&TYPES, t).unwrap_or(DocumentKind::IdCard)
}

/// The MasStack type a stored document reads as: the declared one when MasStack created it,
/// else by kind; `None` for kinds MasStack has no type for.
pub fn type_of(doc: &Document) -> Option<DocumentType> {
    let declared = doc
        .extras
        .get(NAMESPACE)
        .and_then(|m| m.get(DECLARED_TYPE))
        .and_then(|v| serde_json::from_value::<DocumentType>(v.clone()).ok());
    let by_kind = right_of(&KINDS, doc.kind);
    match (declared, by_kind) {
        // Only while the kind still agrees (another API may have changed it since).
        (Some(d), Some(_)) if kind_of(d) == doc.kind => Some(d),
        (_, by_kind) => by_kind,
    }
}

/// Document types of one family are the same document for matching: NIF, NIE and
/// IDENTITY_CARD are national identity documents; PASSPORT is its own family.
pub fn same_family(a: DocumentType, b: DocumentType) -> bool {
    let national = |t| {
        matches!(
            t,
            DocumentType::Nif | DocumentType::Nie | DocumentType::IdentityCard
        )
    };
    national(a) == national(b)
}

/// The MasStack status of a canonical one.
pub fn status_of(s: ProcessStatus) -> IdentificationStatus {
    right_of(&STATUSES, s).unwrap_or(IdentificationStatus::Open)
}

/// Whether a stored document is the one a request declares: same type family, same number
/// (ignoring case, spaces and hyphens) and same country, where a country missing on either
/// side does not contradict (the other APIs often store none).
pub fn matches(doc: &Document, input: &DocumentInput) -> bool {
    let family = type_of(doc).is_some_and(|t| same_family(t, input.document_type));
    let number = doc
        .number
        .as_deref()
        .is_some_and(|n| number_key(n) == input.number);
    let country = match (&doc.issuing_country, &input.country) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    family && number && country
}

/// Whether a document is evidence for the scoring: stored through any API, but not merely
/// declared by an earlier MasStack identification unless files were added to it since.
pub fn is_evidence(doc: &Document) -> bool {
    let declared_only = doc
        .extras
        .get(NAMESPACE)
        .and_then(|m| m.get(DECLARED))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    !declared_only || doc.file_count > 0
}

/// How good a matching document is as evidence: evidence first, then unexpired, then with
/// files, then the oldest.
pub fn rank(
    doc: &Document,
    today: chrono::NaiveDate,
) -> (bool, bool, bool, std::cmp::Reverse<DateTime<Utc>>) {
    (
        is_evidence(doc),
        !doc.is_expired(today),
        doc.file_count > 0,
        std::cmp::Reverse(doc.created_at),
    )
}

/// What an identification keeps in its process's `data` (MasStack's own state).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The organisation (listing filters on this top-level member).
    pub org_id: String,
    /// The strength asked for.
    pub configuration_name: ConfigurationName,
    /// Validity as asked for.
    pub expires_in: String,
    /// The actor and the document, as the request gave them.
    pub actor: Actor,
    /// The scoring asked for and its result.
    pub scoring: Scoring,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// Name of the org member in [`Record`], for store filters.
pub const ORG_FIELD: &str = "org_id";

impl Record {
    /// Reads a process's record; a process that is not a MasStack identification is an
    /// internal error (callers check namespace and kind first).
    pub fn of(p: &Process) -> Result<Record> {
        serde_json::from_value(p.data.clone()).map_err(Error::internal)
    }

    /// The record as process data.
    pub fn to_data(&self) -> Result<serde_json::Value> {
        serde_json::to_value(self).map_err(Error::internal)
    }
}

/// Whether a process is a MasStack identity-document identification of `org_id`.
pub fn belongs_to(p: &Process, org_id: &str) -> bool {
    p.namespace.as_str() == NAMESPACE
        && p.kind == KIND
        && p.data.get(ORG_FIELD).and_then(serde_json::Value::as_str) == Some(org_id)
}

/// The current time at the precision the store keeps (milliseconds), so that times written
/// into a record and into the process's columns compare equal when read back.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// Writes a timestamp as RFC 3339, UTC, milliseconds.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An identification as MasStack shows it at `now` (expiry is read lazily).
pub fn identification(p: &Process, now: DateTime<Utc>) -> Result<IdentityDocumentIdentification> {
    let r = Record::of(p)?;
    let expires_at = p
        .expires_at
        .ok_or_else(|| Error::internal("identification without an expiry"))?;
    Ok(IdentityDocumentIdentification {
        id: p.id,
        org_id: r.org_id,
        status: status_of(p.status_at(now)),
        actor: r.actor,
        configuration_name: r.configuration_name,
        expires_in: r.expires_in,
        scoring: r.scoring,
        created_at: timestamp(p.created_at),
        expires_at: timestamp(expires_at),
        closed_at: r.closed_at.map(timestamp),
    })
}

#[cfg(test)]
pub(super) mod tests {
    use std::collections::BTreeMap;

    use strum::IntoEnumIterator;
    use uuid::Uuid;

    use super::*;
    use crate::model::{Category, CountryCode, TenantId};

    fn doc(
        kind: DocumentKind,
        number: &str,
        country: Option<&str>,
        extras: serde_json::Value,
    ) -> Document {
        let t = TenantId::new("t").unwrap();
        Document {
            category: Category::ProofOfIdentity,
            number: Some(number.into()),
            issuing_country: country.map(|c| CountryCode::new(c).unwrap()),
            extras: BTreeMap::from([(NAMESPACE.to_owned(), extras)]),
            ..Document::blank(t, Uuid::now_v7(), kind, Utc::now())
        }
    }

    /// A declared document, as a validated request holds it (the scoring tests use it too).
    pub(in crate::adapters::masstack) fn input(
        number: &str,
        t: DocumentType,
        country: Option<&str>,
    ) -> DocumentInput {
        DocumentInput {
            number: number.into(),
            document_type: t,
            country: country.map(|c| CountryCode::from_alpha2(c).unwrap()),
        }
    }

    #[test]
    fn every_document_type_maps_to_a_kind_and_back_into_its_family() {
        for t in DocumentType::iter() {
            let k = kind_of(t);
            let back = KINDS
                .iter()
                .find(|(kind, _)| *kind == k)
                .map(|(_, t)| *t)
                .unwrap();
            assert!(same_family(t, back), "{t:?} -> {k:?} -> {back:?}");
        }
        assert_eq!(kind_of(DocumentType::Nif), DocumentKind::IdCard);
        assert_eq!(kind_of(DocumentType::Nie), DocumentKind::IdCard);
        assert_eq!(kind_of(DocumentType::IdentityCard), DocumentKind::IdCard);
        assert_eq!(kind_of(DocumentType::Passport), DocumentKind::Passport);
    }

    #[test]
    fn canonical_kinds_read_as_their_masstack_type() {
        let empty = serde_json::json!({});
        assert_eq!(
            type_of(&doc(DocumentKind::IdCard, "1", None, empty.clone())),
            Some(DocumentType::IdentityCard)
        );
        assert_eq!(
            type_of(&doc(DocumentKind::Passport, "1", None, empty.clone())),
            Some(DocumentType::Passport)
        );
        assert_eq!(
            type_of(&doc(
                DocumentKind::ResidencePermit,
                "1",
                None,
                empty.clone()
            )),
            Some(DocumentType::Nie)
        );
        assert_eq!(
            type_of(&doc(DocumentKind::DrivingLicence, "1", None, empty)),
            None
        );
        let declared = serde_json::json!({"document_type": "NIE"});
        assert_eq!(
            type_of(&doc(DocumentKind::IdCard, "1", None, declared.clone())),
            Some(DocumentType::Nie)
        );
        assert_eq!(
            type_of(&doc(DocumentKind::Passport, "1", None, declared)),
            Some(DocumentType::Passport),
            "a kind changed elsewhere wins over a stale declaration"
        );
        for k in DocumentKind::iter() {
            if let Some(t) = type_of(&doc(k, "1", None, serde_json::json!({}))) {
                assert_eq!(kind_of(t) == k, k != DocumentKind::ResidencePermit, "{k:?}");
            }
        }
    }

    #[test]
    fn statuses_map_both_ways() {
        assert_eq!(status_of(ProcessStatus::Open), IdentificationStatus::Open);
        assert_eq!(
            status_of(ProcessStatus::Completed),
            IdentificationStatus::Closed
        );
        assert_eq!(
            status_of(ProcessStatus::Expired),
            IdentificationStatus::Expired
        );
        assert_eq!(
            status_of(ProcessStatus::Cancelled),
            IdentificationStatus::Cancelled
        );
        for (p, m) in STATUSES {
            if p != ProcessStatus::Submitted {
                let back: Vec<_> = STATUSES
                    .iter()
                    .filter(|(_, x)| *x == m)
                    .map(|(p, _)| *p)
                    .collect();
                assert!(back.contains(&p));
            }
        }
    }

    #[test]
    fn matching_needs_family_number_and_no_contradicting_country() {
        let dni = doc(
            DocumentKind::IdCard,
            "12345678-z",
            Some("ESP"),
            serde_json::json!({}),
        );
        assert!(matches(
            &dni,
            &input("12345678Z", DocumentType::Nif, Some("ES"))
        ));
        assert!(matches(
            &dni,
            &input("12345678Z", DocumentType::IdentityCard, None)
        ));
        assert!(!matches(
            &dni,
            &input("12345678Z", DocumentType::Passport, Some("ES"))
        ));
        assert!(!matches(
            &dni,
            &input("12345678Z", DocumentType::IdentityCard, Some("FR"))
        ));
        assert!(!matches(
            &dni,
            &input("12345679Z", DocumentType::Nif, Some("ES"))
        ));
        let no_country = doc(
            DocumentKind::IdCard,
            "12345678Z",
            None,
            serde_json::json!({}),
        );
        assert!(matches(
            &no_country,
            &input("12345678Z", DocumentType::Nif, Some("ES"))
        ));
    }

    #[test]
    fn declared_documents_are_evidence_only_with_files() {
        let mut d = doc(
            DocumentKind::IdCard,
            "1",
            None,
            serde_json::json!({"declared": true}),
        );
        assert!(!is_evidence(&d));
        d.file_count = 1;
        assert!(is_evidence(&d));
        assert!(is_evidence(&doc(
            DocumentKind::IdCard,
            "1",
            None,
            serde_json::json!({})
        )));
    }
}
