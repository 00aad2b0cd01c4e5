//! PassFort documents, images and categories to and from the canonical model. The exact
//! PassFort type and category a client sent are kept in the document's `passfort` extras, so
//! PassFort's own documents read back exactly; documents from other APIs go through the
//! tables here.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use super::wire::{
    Document as DocumentView, DocumentCategory, DocumentImageResource, DocumentImageType,
    DocumentType,
};
use crate::adapters::common::pair_table::{left_of, right_of};
use crate::error::{Error, Result};
use crate::media::MediaType;
use crate::model::{Category, CountryCode, Document, DocumentKind, FileSide, StoredFile};

/// The namespace of PassFort's extras.
pub const NAMESPACE: &str = "passfort";

/// Largest file: 50 MB.
pub const MAX_FILE_SIZE: u64 = 50 * 1000 * 1000;

/// What PassFort accepts, judged by content.
pub const ALLOWED: [MediaType; 5] = [
    MediaType::Gif,
    MediaType::Jpeg,
    MediaType::Png,
    MediaType::Pdf,
    MediaType::Tiff,
];

/// PassFort type ↔ canonical kind, for the types that name a kind. A kind's first entry is
/// the type it reads as.
const TYPES: [(DocumentType, DocumentKind); 10] = [
    (DocumentType::Passport, DocumentKind::Passport),
    (DocumentType::DrivingLicence, DocumentKind::DrivingLicence),
    (DocumentType::StateId, DocumentKind::StateId),
    (DocumentType::VoterId, DocumentKind::VoterId),
    (
        DocumentType::BirthCertificate,
        DocumentKind::BirthCertificate,
    ),
    (DocumentType::BankStatement, DocumentKind::BankStatement),
    (DocumentType::FaceImage, DocumentKind::FaceImage),
    (DocumentType::Tax, DocumentKind::TaxDocument),
    (
        DocumentType::Incorporation,
        DocumentKind::IncorporationCertificate,
    ),
    (DocumentType::Unknown, DocumentKind::Other),
];

/// Kinds PassFort has no type of their own for, and the type they read as (lossy).
const NEAREST: [(DocumentKind, DocumentType); 8] = [
    (DocumentKind::IdCard, DocumentType::StateId),
    (DocumentKind::ResidencePermit, DocumentType::StateId),
    (DocumentKind::Visa, DocumentType::Unknown),
    (DocumentKind::TradeLicence, DocumentType::Miscellaneous),
    (DocumentKind::CommercialLicence, DocumentType::Miscellaneous),
    (
        DocumentKind::IncumbencyCertificate,
        DocumentType::Miscellaneous,
    ),
    (
        DocumentKind::MemorandumArticles,
        DocumentType::Miscellaneous,
    ),
    (DocumentKind::UtilityBill, DocumentType::Unknown),
];

/// The canonical kind of a PassFort type; company filings without a kind of their own are
/// `other`.
pub fn kind_of(t: DocumentType) -> DocumentKind {
    right_of(&TYPES, t).unwrap_or(DocumentKind::Other)
}

/// The PassFort type of a canonical kind.
pub fn type_of(k: DocumentKind) -> DocumentType {
    left_of(&TYPES, k)
        .or_else(|| right_of(&NEAREST, k))
        .unwrap_or(DocumentType::Unknown)
}

/// PassFort's categories are the canonical ones, spelled in capitals.
const CATEGORIES: [(DocumentCategory, Category); 9] = [
    (DocumentCategory::ProofOfIdentity, Category::ProofOfIdentity),
    (
        DocumentCategory::ProofOfSourceOfWealth,
        Category::ProofOfSourceOfWealth,
    ),
    (
        DocumentCategory::ProofOfSourceOfFunds,
        Category::ProofOfSourceOfFunds,
    ),
    (DocumentCategory::ProofOfAddress, Category::ProofOfAddress),
    (DocumentCategory::Supporting, Category::Supporting),
    (DocumentCategory::CompanyFiling, Category::CompanyFiling),
    (DocumentCategory::DataSummary, Category::DataSummary),
    (
        DocumentCategory::ProofOfBankAccount,
        Category::ProofOfBankAccount,
    ),
    (
        DocumentCategory::ProofOfTaxStatus,
        Category::ProofOfTaxStatus,
    ),
];

/// The canonical category of a PassFort category.
pub fn category_of(c: DocumentCategory) -> Category {
    right_of(&CATEGORIES, c).unwrap_or(Category::Supporting)
}

/// The PassFort category of a canonical category.
pub fn passfort_category(c: Category) -> DocumentCategory {
    left_of(&CATEGORIES, c).unwrap_or(DocumentCategory::Supporting)
}

/// The side of an image type.
pub fn side_of(t: DocumentImageType) -> FileSide {
    match t {
        DocumentImageType::Front => FileSide::Front,
        DocumentImageType::Back => FileSide::Back,
        DocumentImageType::Face => FileSide::Face,
    }
}

/// The image type of a side: pages read as the front (page 1) and back (page 2); later pages
/// and side-less files read as the front (lossy).
pub fn image_type_of(side: FileSide) -> DocumentImageType {
    match side {
        FileSide::Back | FileSide::Page(2) => DocumentImageType::Back,
        FileSide::Face => DocumentImageType::Face,
        FileSide::Front | FileSide::Page(_) | FileSide::None => DocumentImageType::Front,
    }
}

/// PassFort's datetime: `YYYY-MM-DD hh:mm:ss`, UTC.
pub fn datetime(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Why sniffed content PassFort does not accept is refused.
pub const NOT_ALLOWED: &str = "data must be a GIF, JPEG, PNG, PDF or TIFF (judged by content)";

/// Whether a stored file is a PassFort `file` (not a document image).
pub fn is_plain_file(f: &StoredFile) -> bool {
    f.extras
        .get(NAMESPACE)
        .and_then(|e| e.get("file"))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// A stored file as a document image.
pub fn image(f: &StoredFile) -> DocumentImageResource {
    let extras = f.extras.get(NAMESPACE);
    let field = |name: &str| extras.and_then(|e| e.get(name)).cloned();
    // The type a PassFort client gave wins while it still names the stored side.
    let given: Option<DocumentImageType> =
        field("image_type").and_then(|v| serde_json::from_value(v).ok());
    let image_type = match given {
        Some(t) if side_of(t) == f.side => t,
        _ => image_type_of(f.side),
    };
    DocumentImageResource {
        id: f.id,
        image_type,
        upload_date: datetime(f.created_at),
        document_type: field("document_type").and_then(|v| serde_json::from_value(v).ok()),
        document_category: field("document_category").and_then(|v| serde_json::from_value(v).ok()),
    }
}

/// The canonical fields of `extracted_data`, and the rest.
#[derive(Debug)]
pub struct Extracted {
    /// `number`.
    pub number: Option<String>,
    /// `issuing_country`.
    pub issuing_country: Option<CountryCode>,
    /// `issuer`.
    pub issuer: Option<String>,
    /// `issued`.
    pub issued: Option<NaiveDate>,
    /// `expiry`.
    pub expiry: Option<NaiveDate>,
    /// Every other field, kept as sent.
    pub rest: Map<String, Value>,
}

/// Splits `extracted_data` into the canonical columns and the rest, checking formats.
pub fn extracted(mut data: Map<String, Value>) -> Result<Extracted> {
    let mut text = |name: &str| -> Result<Option<String>> {
        match data.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Error::invalid(
                format!("extracted_data.{name}"),
                "must be a string",
            )),
        }
    };
    let number = text("number")?;
    // The store treats a blank number as none; taking one silently would drop what the
    // client sent, so it is refused (leave `number` out when it is unknown).
    if number.as_ref().is_some_and(|n| n.trim().is_empty()) {
        return Err(Error::invalid(
            "extracted_data.number",
            "must not be empty; leave it out when unknown",
        ));
    }
    let country = text("issuing_country")?;
    let issuer = text("issuer")?;
    let issued = text("issued")?;
    let expiry = text("expiry")?;
    let date = |name: &str, v: Option<String>| {
        v.map(|s| {
            NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| {
                Error::invalid(
                    format!("extracted_data.{name}"),
                    "must be a date, YYYY-MM-DD",
                )
            })
        })
        .transpose()
    };
    Ok(Extracted {
        number,
        issuing_country: country
            .map(|c| {
                CountryCode::new(&c).map_err(|_| {
                    Error::invalid("extracted_data.issuing_country", "must be an ICAO code")
                })
            })
            .transpose()?,
        issuer,
        issued: date("issued", issued)?,
        expiry: date("expiry", expiry)?,
        rest: data,
    })
}

/// A canonical document as PassFort shows it, with its images (`files`: the document's own,
/// as [`crate::store::Store::files_of`] lists them).
pub fn document(doc: &Document, files: &[StoredFile]) -> DocumentView {
    let extras = doc.extras.get(NAMESPACE);
    let field = |name: &str| extras.and_then(|e| e.get(name)).cloned();
    let given_type: Option<DocumentType> =
        field("document_type").and_then(|v| serde_json::from_value(v).ok());
    let document_type = match given_type {
        Some(t) if kind_of(t) == doc.kind => t,
        _ => type_of(doc.kind),
    };
    let given_category: Option<DocumentCategory> =
        field("category").and_then(|v| serde_json::from_value(v).ok());
    let category = match given_category {
        Some(c) if category_of(c) == doc.category => c,
        _ => passfort_category(doc.category),
    };
    let mut data = match field("extracted_data") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            data.insert(k.into(), Value::String(v));
        }
    };
    put("number", doc.number.clone());
    put(
        "issuing_country",
        doc.issuing_country.as_ref().map(|c| c.as_str().to_owned()),
    );
    put("issuer", doc.issuing_authority.clone());
    put("issued", doc.issued_on.map(|d| d.to_string()));
    put("expiry", doc.expires_on.map(|d| d.to_string()));
    let mut images: Vec<&StoredFile> = files.iter().collect();
    images.sort_by_key(|f| (f.side.position(), f.created_at, f.id));
    DocumentView {
        id: doc.id,
        category,
        document_type,
        images: images.into_iter().map(image).collect(),
        extracted_data: (!data.is_empty()).then_some(data),
        verification_result: field("verification_result").filter(|v| !v.is_null()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_named_type_round_trips_and_every_kind_has_a_type() {
        for (t, k) in TYPES {
            assert_eq!(kind_of(t), k);
            assert_eq!(type_of(k), t, "{k:?}");
        }
        for k in DocumentKind::iter() {
            let t = type_of(k);
            let exact = TYPES.iter().any(|(_, c)| *c == k);
            assert_eq!(kind_of(t) == k, exact, "{k:?} reads as {t:?}");
        }
        assert_eq!(type_of(DocumentKind::IdCard), DocumentType::StateId);
        assert_eq!(kind_of(DocumentType::AnnualReturn), DocumentKind::Other);
    }

    #[test]
    fn categories_and_image_types_round_trip() {
        for c in DocumentCategory::iter() {
            assert_eq!(passfort_category(category_of(c)), c);
        }
        for t in DocumentImageType::iter() {
            assert_eq!(image_type_of(side_of(t)), t);
        }
        assert_eq!(image_type_of(FileSide::Page(1)), DocumentImageType::Front);
        assert_eq!(image_type_of(FileSide::Page(2)), DocumentImageType::Back);
    }

    #[test]
    fn extracted_data_is_split_and_checked() {
        let m = serde_json::json!({"number": "P1", "issuing_country": "GBR", "expiry": "2030-01-02", "mrz1": "P<GBR"});
        let e = extracted(m.as_object().unwrap().clone()).unwrap();
        assert_eq!(e.number.as_deref(), Some("P1"));
        assert_eq!(e.expiry, NaiveDate::from_ymd_opt(2030, 1, 2));
        assert_eq!(e.rest.keys().collect::<Vec<_>>(), ["mrz1"]);
        for bad in [
            serde_json::json!({"expiry": "02/01/2030"}),
            serde_json::json!({"number": 5}),
            serde_json::json!({"issuing_country": "GB"}),
            serde_json::json!({"number": ""}),
            serde_json::json!({"number": "  "}),
        ] {
            let e = extracted(bad.as_object().unwrap().clone()).unwrap_err();
            let key = bad.as_object().unwrap().keys().next().unwrap().clone();
            assert!(
                matches!(e, Error::InvalidField { ref field, .. } if *field == format!("extracted_data.{key}")),
                "{bad}: {e:?}"
            );
        }
    }
}
