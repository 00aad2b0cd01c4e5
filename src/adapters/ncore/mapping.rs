//! nCore identifications to and from the canonical model, with the one vocabulary table.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::wire::{Identification, IdentificationType};
use crate::error::{Error, Result};
use crate::model::{CountryCode, Document, DocumentKind};

/// The namespace of nCore's user ids and extras.
pub const NAMESPACE: &str = "ncore";

/// nCore type ↔ canonical kind. Every nCore type maps to one kind and back.
const TYPES: [(IdentificationType, DocumentKind); 10] = [
    (IdentificationType::NationalId, DocumentKind::IdCard),
    (IdentificationType::Passport, DocumentKind::Passport),
    (IdentificationType::Visa, DocumentKind::Visa),
    (IdentificationType::TradeLicense, DocumentKind::TradeLicence),
    (
        IdentificationType::CommercialLicense,
        DocumentKind::CommercialLicence,
    ),
    (
        IdentificationType::IncorporationCert,
        DocumentKind::IncorporationCertificate,
    ),
    (
        IdentificationType::IncumbencyCert,
        DocumentKind::IncumbencyCertificate,
    ),
    (
        IdentificationType::MemorandumArticles,
        DocumentKind::MemorandumArticles,
    ),
    (
        IdentificationType::BankStatement,
        DocumentKind::BankStatement,
    ),
    (IdentificationType::Additional, DocumentKind::Other),
];

/// The canonical kind of an nCore type.
pub fn kind_of(t: IdentificationType) -> DocumentKind {
    TYPES
        .iter()
        .find(|(n, _)| *n == t)
        .map_or(DocumentKind::Other, |(_, k)| *k)
}

/// The nCore type of a canonical kind. Kinds nCore has no type for (driving licence,
/// residence permit, selfie, …) read as `ADDITIONAL`: lossy, and documented as such.
pub fn type_of(k: DocumentKind) -> IdentificationType {
    TYPES
        .iter()
        .find(|(_, c)| *c == k)
        .map_or(IdentificationType::Additional, |(n, _)| *n)
}

/// Parses an nCore expiration date: an ISO-8601 date-time (any offset) or a plain date.
pub fn expiration(text: &str) -> Result<NaiveDate> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc).date_naive());
    }
    text.parse::<NaiveDate>().map_err(|_| {
        Error::invalid(
            "expiration_date",
            "must be an ISO-8601 date-time such as 2021-09-20T10:10:40.182Z",
        )
    })
}

/// Writes a timestamp as nCore does: ISO-8601, milliseconds, `Z`.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses an issuing country.
pub fn country(text: &str) -> Result<CountryCode> {
    CountryCode::new(text)
        .map_err(|_| Error::invalid("issuing_country", "must be an ISO 3166-1 alpha-3 code"))
}

/// An identification as nCore shows it. The expiry comes back exactly as the client wrote it
/// when it still names the stored date; otherwise (changed through another API) as midnight UTC.
pub fn identification(doc: Document, user_id: &str) -> Identification {
    let mut other = match doc.extras.get(NAMESPACE) {
        Some(serde_json::Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    let sent_expiry = match other.remove(EXPIRY_AS_SENT) {
        Some(serde_json::Value::String(s)) => Some(s),
        _ => None,
    };
    let expiration_date = doc.expires_on.map(|d| match sent_expiry {
        Some(s) if expiration(&s).ok() == Some(d) => s,
        _ => format!("{d}T00:00:00.000Z"),
    });
    Identification {
        id: doc.id,
        user_id: user_id.to_owned(),
        kind: type_of(doc.kind),
        number: doc.number,
        expiration_date,
        issuance_authority: doc.issuing_authority,
        issuing_country: doc.issuing_country.map(String::from),
        created_at: timestamp(doc.created_at),
        updated_at: timestamp(doc.updated_at),
        other,
    }
}

/// Key in the nCore extras bag under which the expiry is kept as the client wrote it.
pub const EXPIRY_AS_SENT: &str = "expiration_date";

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn every_ncore_type_round_trips() {
        for t in IdentificationType::iter() {
            assert_eq!(type_of(kind_of(t)), t, "{t:?}");
        }
    }

    #[test]
    fn every_canonical_kind_has_an_ncore_type() {
        for k in DocumentKind::iter() {
            let t = type_of(k);
            let back = kind_of(t);
            assert!(
                back == k || t == IdentificationType::Additional,
                "{k:?} -> {t:?} -> {back:?}"
            );
        }
        assert_eq!(
            type_of(DocumentKind::DrivingLicence),
            IdentificationType::Additional
        );
        assert_eq!(
            kind_of(IdentificationType::NationalId),
            DocumentKind::IdCard
        );
    }

    #[test]
    fn expiration_dates_parse_as_ncore_writes_them() {
        let d = NaiveDate::from_ymd_opt(2021, 9, 20).unwrap();
        assert_eq!(expiration("2021-09-20T10:10:40.182Z").unwrap(), d);
        assert_eq!(expiration("2021-09-20").unwrap(), d);
        assert_eq!(
            expiration("2021-09-21T01:00:00+04:00").unwrap(),
            d,
            "offsets are honoured"
        );
        assert!(expiration("20/09/2021").is_err());
    }
}
