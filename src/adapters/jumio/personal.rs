//! The personal-data body of prefill and prepared data (the seed's and the guides' fields):
//! parsing and bounds, and what it declares about the identity document and its holder.

use crate::adapters::common::redact::without_input;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::error::JumioError;
use super::mapping;
use crate::error::Error;
use crate::model::{CountryCode, Document, DocumentKind, DocumentPatch, NewDocument, PersonalData};

/// The personal-data body of prefill and PREPARED_DATA (the guide's fields). Formats are
/// checked; the body is kept as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // every field's type is checked; the body itself is kept as sent
#[schema(example = json!({"firstName": "Elroy", "lastName": "Jetson", "dateOfBirth": "1990-12-23", "sex": "M", "nationality": "FRA", "id": {"idNumber": "X1234567", "expiryDate": "2031-12-23", "type": "PASSPORT"}}))]
pub struct PersonalBody {
    /// Title.
    pub suffix: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// `M`, `F` or `X`.
    pub sex: Option<String>,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    /// ISO 3166-1 alpha-3.
    pub nationality: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub phone_number: Option<String>,
    /// Personal number.
    pub personal_number: Option<String>,
    /// Address, kept as sent.
    #[schema(value_type = Option<Object>)]
    pub address: Option<serde_json::Value>,
    /// The identity document.
    pub id: Option<IdDetails>,
    /// Other sections (`kyc`, `bank`, `business`, …), kept as sent.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// `id` of the personal-data body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // every field's type is checked; the body itself is kept as sent
#[serde(rename_all = "camelCase")]
pub struct IdDetails {
    /// Document number.
    pub id_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub expiry_date: Option<String>,
    /// `YYYY-MM-DD`.
    pub issuing_date: Option<String>,
    /// `PASSPORT`, `DRIVING_LICENSE`, `ID_CARD` or `VISA`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Sub-type, kept as sent.
    pub sub_type: Option<String>,
    /// Issuing country, ISO 3166-1 alpha-3.
    pub issuing_country: Option<String>,
}

/// What a personal-data body says about the identity document and its holder.
pub(super) struct Declared {
    /// The ID type, as a kind.
    kind: Option<DocumentKind>,
    /// The document number (blank reads as none).
    pub(super) number: Option<String>,
    /// Expiry.
    expires_on: Option<NaiveDate>,
    /// Date of issue.
    issued_on: Option<NaiveDate>,
    /// Issuing country.
    issuing_country: Option<CountryCode>,
    /// The holder.
    personal: PersonalData,
}

/// Years a personal-data date may fall in: no one alive was born before 1900, and no
/// document runs past 2200.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

fn date(field: &str, v: Option<&str>) -> Result<Option<NaiveDate>, Error> {
    v.map(|s| {
        let bad = || Error::invalid(field, "must be a date, YYYY-MM-DD, between 1900 and 2200");
        // Exactly ten characters: chrono would also read `+99999-01-01`.
        if s.len() != 10 {
            return Err(bad());
        }
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?;
        if !YEARS.contains(&chrono::Datelike::year(&d)) {
            return Err(bad());
        }
        Ok(d)
    })
    .transpose()
}

/// The longest text field of a personal-data body, by name (characters).
const TEXT_LIMITS: [(&str, usize); 9] = [
    ("suffix", 100),
    ("firstName", 100),
    ("middleName", 100),
    ("lastName", 100),
    ("email", 255),
    ("phoneNumber", 50),
    ("personalNumber", 100),
    ("id.idNumber", 64),
    ("id.subType", 100),
];

/// Parses and checks a personal-data body.
pub(super) fn personal(bytes: &[u8]) -> Result<(serde_json::Value, Declared), JumioError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        JumioError::Body(format!(
            "invalid JSON body: {}",
            without_input(&e.to_string())
        ))
    })?;
    if !value.is_object() {
        return Err(JumioError::Body(
            crate::adapters::common::NOT_AN_OBJECT.into(),
        ));
    }
    let de = value.clone();
    let body: PersonalBody = serde_path_to_error::deserialize(de)
        .map_err(|e| Error::invalid(e.path().to_string(), without_input(&e.inner().to_string())))?;
    let id = body.id.as_ref();
    for (name, limit) in TEXT_LIMITS {
        let text = match name {
            "suffix" => body.suffix.as_deref(),
            "firstName" => body.first_name.as_deref(),
            "middleName" => body.middle_name.as_deref(),
            "lastName" => body.last_name.as_deref(),
            "email" => body.email.as_deref(),
            "phoneNumber" => body.phone_number.as_deref(),
            "personalNumber" => body.personal_number.as_deref(),
            "id.idNumber" => id.and_then(|i| i.id_number.as_deref()),
            _ => id.and_then(|i| i.sub_type.as_deref()),
        };
        if text.is_some_and(|t| t.chars().count() > limit) {
            return Err(Error::invalid(name, format!("must be at most {limit} characters")).into());
        }
    }
    if let Some(s) = &body.sex
        && !matches!(s.as_str(), "M" | "F" | "X")
    {
        return Err(Error::invalid("sex", "must be M, F or X").into());
    }
    let dob = date("dateOfBirth", body.date_of_birth.as_deref())?;
    if dob.is_some_and(|d| d > Utc::now().date_naive()) {
        return Err(Error::invalid("dateOfBirth", "is in the future").into());
    }
    let nationality = body
        .nationality
        .as_deref()
        .map(|n| {
            mapping::country(n)
                .ok_or_else(|| Error::invalid("nationality", "must be an ISO 3166-1 alpha-3 code"))
        })
        .transpose()?;
    let kind = id
        .and_then(|i| i.kind.as_deref())
        .map(|t| {
            mapping::kind_of_id_type(t).ok_or_else(|| {
                Error::invalid(
                    "id.type",
                    "must be PASSPORT, DRIVING_LICENSE, ID_CARD or VISA",
                )
            })
        })
        .transpose()?;
    let declared = Declared {
        kind,
        number: id
            .and_then(|i| i.id_number.clone())
            .filter(|n| !n.trim().is_empty()),
        expires_on: date("id.expiryDate", id.and_then(|i| i.expiry_date.as_deref()))?,
        issued_on: date("id.issuingDate", id.and_then(|i| i.issuing_date.as_deref()))?,
        issuing_country: id
            .and_then(|i| i.issuing_country.as_deref())
            .map(|c| {
                mapping::country(c).ok_or_else(|| {
                    Error::invalid("id.issuingCountry", "must be an ISO 3166-1 alpha-3 code")
                })
            })
            .transpose()?,
        personal: PersonalData {
            first_name: body.first_name.clone(),
            middle_name: body.middle_name.clone(),
            last_name: body.last_name.clone(),
            date_of_birth: dob,
            sex: body.sex.clone(),
            nationality,
        },
    };
    Ok((value, declared))
}

/// The canonical change a personal-data body makes to a document.
pub(super) fn patch_of(d: Declared) -> DocumentPatch {
    DocumentPatch {
        kind: d.kind,
        number: d.number.map(Some),
        expires_on: d.expires_on.map(Some),
        issued_on: d.issued_on.map(Some),
        issuing_country: d.issuing_country.map(Some),
        personal: (!d.personal.is_empty()).then_some(d.personal),
        ..Default::default()
    }
}

/// The canonical change a personal-data body makes to a data document: every field, so
/// that nothing of earlier data survives a replacement.
pub(super) fn patch_replacing(d: Declared) -> DocumentPatch {
    DocumentPatch {
        kind: d.kind,
        number: Some(d.number),
        expires_on: Some(d.expires_on),
        issued_on: Some(d.issued_on),
        issuing_country: Some(d.issuing_country),
        personal: Some(d.personal),
        ..Default::default()
    }
}

/// A new document holding what a patch declares, checked by the model's rules.
pub(super) fn new_document(
    patch: &DocumentPatch,
    kind: DocumentKind,
    extras: std::collections::BTreeMap<String, serde_json::Value>,
) -> Result<crate::model::ValidNewDocument, Error> {
    let mut new = NewDocument {
        kind: Some(patch.kind.unwrap_or(kind)),
        extras,
        written_by: Some(super::mapping::NAMESPACE),
        ..Default::default()
    };
    new.number = patch.number.clone().flatten();
    new.expires_on = patch.expires_on.flatten();
    new.issued_on = patch.issued_on.flatten();
    new.issuing_country = patch.issuing_country.clone().flatten();
    new.personal = patch.personal.clone().unwrap_or_default();
    new.validate().map_err(personal_field)
}

/// Names a canonical field's error by the personal-data field it came from.
pub(super) fn personal_field(e: Error) -> Error {
    crate::adapters::common::rename_field(e, |field| {
        match field {
            "number" => "id.idNumber",
            "expires_on" => "id.expiryDate",
            "issued_on" => "id.issuingDate",
            "issuing_country" => "id.issuingCountry",
            other => other,
        }
        .to_owned()
    })
}

/// Checks a patch against the document it would change, without writing.
pub(super) fn check_patch(doc: &Document, patch: &DocumentPatch) -> Result<(), Error> {
    let mut doc = doc.clone();
    patch.clone().apply(&mut doc).map_err(personal_field)
}
