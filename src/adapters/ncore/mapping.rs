//! nCore identifications to and from the canonical model, with the one vocabulary table.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::wire::{DocumentType, FileMetadata, Identification, IdentificationType};
use crate::error::{Error, Result};
use crate::media::MediaType;
use crate::model::{CountryCode, Document, DocumentKind, FileSide, StoredFile};

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

/// The fields of [`Identification`] itself, which kept client fields may not replace.
const OWN_FIELDS: &[&str] = &[
    "id",
    "user_id",
    "type",
    "number",
    "expiration_date",
    "issuance_authority",
    "issuing_country",
    "created_at",
    "updated_at",
    "files",
];

/// An identification as nCore shows it. The expiry comes back exactly as the client wrote it
/// when it still names the stored date; otherwise (changed through another API) as midnight UTC.
pub fn identification(doc: Document, files: Vec<StoredFile>, user_id: &str) -> Identification {
    let mut other = match doc.extras.get(NAMESPACE) {
        Some(serde_json::Value::Object(m)) => m.clone(),
        _ => serde_json::Map::new(),
    };
    let sent_expiry = match other.remove(EXPIRY_AS_SENT) {
        Some(serde_json::Value::String(s)) => Some(s),
        _ => None,
    };
    // A kept field named like one of the identification's own would be written twice in
    // the answer and shadow it (`"user_id": {}` after the real one): the own fields win.
    // Found by `tests/api/fuzz.rs`.
    other.retain(|name, _| !OWN_FIELDS.contains(&name.as_str()));
    let expiration_date = doc.expires_on.map(|d| match sent_expiry {
        Some(s) if expiration(&s).ok() == Some(d) => s,
        _ => format!("{d}T00:00:00.000Z"),
    });
    let kind = type_of(doc.kind);
    Identification {
        files: files
            .into_iter()
            .map(|f| file_metadata(f, kind, doc.id, user_id))
            .collect(),
        id: doc.id,
        user_id: user_id.to_owned(),
        kind,
        number: doc.number,
        expiration_date,
        issuance_authority: doc.issuing_authority,
        issuing_country: doc.issuing_country.map(String::from),
        created_at: timestamp(doc.created_at),
        updated_at: timestamp(doc.updated_at),
        other,
    }
}

/// The document types an identification type takes, each with its canonical side.
/// The business types take none: their files are `NOT_APPLICABLE`.
pub fn sides_of(t: IdentificationType) -> &'static [(DocumentType, FileSide)] {
    match t {
        IdentificationType::NationalId => &[
            (DocumentType::NationalIdFront, FileSide::Front),
            (DocumentType::NationalIdBack, FileSide::Back),
        ],
        IdentificationType::Passport => &[
            (DocumentType::PassportPage1, FileSide::Page(1)),
            (DocumentType::PassportPage2, FileSide::Page(2)),
        ],
        IdentificationType::Visa => &[(DocumentType::Visa, FileSide::Front)],
        _ => &[(DocumentType::NotApplicable, FileSide::None)],
    }
}

/// The canonical side of a file of document type `d` on an identification of type `t`, or
/// the reason the pair is not allowed.
pub fn side_of(t: IdentificationType, d: DocumentType) -> Result<FileSide> {
    sides_of(t)
        .iter()
        .find(|(dt, _)| *dt == d)
        .map(|(_, side)| *side)
        .ok_or_else(|| {
            let allowed: Vec<String> = sides_of(t).iter().map(|(dt, _)| name(dt)).collect();
            Error::invalid(
                "identification_document_type",
                format!(
                    "{} is not allowed for {}; use {}",
                    name(&d),
                    name(&t),
                    allowed.join(" or ")
                ),
            )
        })
}

/// The document type nCore shows for a file with `side` on an identification of type `t`.
/// Sides written through other APIs map to the nearest one (a passport's front is page 1).
pub fn document_type_of(t: IdentificationType, side: FileSide) -> DocumentType {
    match (t, side) {
        (IdentificationType::NationalId, FileSide::Front) => DocumentType::NationalIdFront,
        (IdentificationType::NationalId, FileSide::Back) => DocumentType::NationalIdBack,
        (IdentificationType::Passport, FileSide::Page(1) | FileSide::Front) => {
            DocumentType::PassportPage1
        }
        (IdentificationType::Passport, FileSide::Page(2) | FileSide::Back) => {
            DocumentType::PassportPage2
        }
        (IdentificationType::Visa, _) => DocumentType::Visa,
        _ => DocumentType::NotApplicable,
    }
}

fn name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The media types nCore takes, by content.
pub const ALLOWED: [MediaType; 6] = [
    MediaType::Pdf,
    MediaType::Jpeg,
    MediaType::Png,
    MediaType::Bmp,
    MediaType::Doc,
    MediaType::Docx,
];

/// Checks a file against nCore's allow-list: its name must end in `.pdf .jpg .jpeg .png .bmp
/// .doc .docx`, and its content must be of the type the name says.
pub fn check_file(name: &str, sniffed: MediaType) -> Result<()> {
    let Some(ext) = crate::media::extension(name) else {
        return Err(Error::UnsupportedMediaType(format!(
            "{name}: the name has no extension; allowed are .pdf .jpg .jpeg .png .bmp .doc .docx"
        )));
    };
    let allowed_ext = ALLOWED
        .iter()
        .any(|m| m.extensions().contains(&ext.as_str()));
    if !allowed_ext {
        return Err(Error::UnsupportedMediaType(format!(
            "{name}: .{ext} files are not accepted; allowed are .pdf .jpg .jpeg .png .bmp .doc .docx"
        )));
    }
    if !sniffed.matches_name(name) {
        return Err(Error::UnsupportedMediaType(format!(
            "{name}: the content is {}, not what .{ext} says",
            sniffed.mime()
        )));
    }
    Ok(())
}

/// A file's metadata as nCore shows it.
pub fn file_metadata(
    f: StoredFile,
    t: IdentificationType,
    identification_id: uuid::Uuid,
    user_id: &str,
) -> FileMetadata {
    FileMetadata {
        sha256: f.sha256_hex(),
        id: f.id,
        identification_id,
        user_id: user_id.to_owned(),
        identification_document_type: document_type_of(t, f.side),
        content_type: f.media_type.mime().to_owned(),
        file_name: f.name,
        size: f.size,
        width: f.width,
        height: f.height,
        created_at: timestamp(f.created_at),
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
    fn document_types_round_trip_through_sides() {
        for t in IdentificationType::iter() {
            for (d, side) in sides_of(t) {
                assert_eq!(side_of(t, *d).unwrap(), *side);
                assert_eq!(document_type_of(t, *side), *d, "{t:?} {d:?}");
            }
        }
        assert!(side_of(IdentificationType::Passport, DocumentType::NationalIdFront).is_err());
        assert!(side_of(IdentificationType::TradeLicense, DocumentType::Visa).is_err());
        assert_eq!(
            document_type_of(IdentificationType::Passport, FileSide::Front),
            DocumentType::PassportPage1
        );
        let na: DocumentType = serde_json::from_str("\"NOT APPLICABLE\"").unwrap();
        assert_eq!(na, DocumentType::NotApplicable);
    }

    #[test]
    fn files_must_be_allowed_by_name_and_by_content() {
        assert!(check_file("scan.PDF", MediaType::Pdf).is_ok());
        assert!(check_file("id.jpeg", MediaType::Jpeg).is_ok());
        assert!(check_file("id.jpg", MediaType::Jpeg).is_ok());
        assert!(check_file("cv.docx", MediaType::Docx).is_ok());
        assert!(
            check_file("id.png", MediaType::Pdf).is_err(),
            "a .png that is really a PDF"
        );
        assert!(
            check_file("id.gif", MediaType::Gif).is_err(),
            "GIF is not on nCore's list"
        );
        assert!(check_file("setup.exe", MediaType::Unknown).is_err());
        assert!(check_file("noextension", MediaType::Pdf).is_err());
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
