//! The document verification idbridge can run, reported as PassFort's DocumentResult.
//!
//! Performed: the images a document of its type needs are there (`FRONT`; also `BACK` for a
//! `DRIVING_LICENCE`, as PassFort's Document says; `FACE` for a `FACE_IMAGE`), each image's
//! format (judged by content at upload) and size against PassFort's rules (GIF, JPEG, PNG,
//! PDF, TIFF; at most 50 MB), the document number's shape where a rule is known for the
//! type, and the expiry date against today. These read what is recorded of the document:
//! nothing is read from the images themselves.
//!
//! Not performed: forgery checks, the document's type as seen on the images, the images'
//! clarity, reading the data from the images and matching it against the profile. PassFort's
//! DocumentResult stands for all of them, so a check is `Pass` only if every one was
//! performed: with what idbridge does, never. A check is `Fail` when something performed
//! failed, `Error` (the check could not be carried out in full) otherwise.

use chrono::NaiveDate;
use strum::IntoEnumIterator;

use super::mapping;
use super::wire::{
    CheckResult, CheckedDocumentField, DecisionClass, DocumentCheck, DocumentImageType,
    DocumentResult, DocumentType, FieldCheck, FieldCheckResult,
};
use crate::model::{CountryCode, Document, StoredFile};

/// The provider named on idbridge's checks.
pub const PROVIDER: &str = "idbridge";

/// Why a document whose performed checks all passed is still not verified.
pub const NOT_PERFORMED: &str = "idbridge checks only the images' presence, format and size, \
     the document number's shape and the expiry date; it performs no forgery checks, does not \
     check the document's type or clarity on its images, and does not read data from the \
     images or match it against the profile";

/// Why a document without its images could not be checked.
pub const NO_IMAGES: &str =
    "the document lacks the images its type needs: what they show could not be checked";

/// What a verification found.
#[derive(Debug)]
pub struct Verification {
    /// PassFort's result of the check.
    pub result: CheckResult,
    /// The document's verification result.
    pub document: DocumentResult,
    /// The verifications PassFort's DocumentResult stands for that were not performed.
    pub not_performed: Vec<String>,
}

/// The image types a document of this type needs.
fn required(t: DocumentType) -> &'static [DocumentImageType] {
    match t {
        // PassFort's Document: "a DRIVING_LICENCE will have a FRONT and a BACK".
        DocumentType::DrivingLicence => &[DocumentImageType::Front, DocumentImageType::Back],
        DocumentType::FaceImage => &[DocumentImageType::Face],
        _ => &[DocumentImageType::Front],
    }
}

fn check(category: &str, on: DocumentImageType, passed: bool) -> DocumentCheck {
    let on = serde_json::to_value(on)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned));
    DocumentCheck {
        category: Some(category.to_owned()),
        r#type: on,
        result: Some(if passed {
            DecisionClass::Pass
        } else {
            DecisionClass::Fail
        }),
    }
}

/// The image checks: the needed image types present, then each image's format and size.
fn image_checks(t: DocumentType, images: &[&StoredFile]) -> Vec<DocumentCheck> {
    let types: Vec<DocumentImageType> = images
        .iter()
        .map(|f| mapping::image(f).image_type)
        .collect();
    let mut checks: Vec<DocumentCheck> = required(t)
        .iter()
        .map(|need| check("IMAGES_PRESENT", *need, types.contains(need)))
        .collect();
    for (f, on) in images.iter().zip(types) {
        // Files stored through other APIs passed their own rules, not PassFort's.
        checks.push(check(
            "IMAGE_FORMAT",
            on,
            mapping::ALLOWED.contains(&f.media_type),
        ));
        checks.push(check(
            "IMAGE_SIZE",
            on,
            f.size > 0 && f.size <= mapping::MAX_FILE_SIZE,
        ));
    }
    checks
}

/// Whether a number has the shape its document type needs; `None` where no rule is known.
pub fn number_shape(t: DocumentType, country: Option<&CountryCode>, number: &str) -> Option<bool> {
    // Spaces and hyphens are formatting (as in the store's number lookups); case is not
    // significant.
    let n: Vec<char> = number
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let alnum = |c: &char| c.is_ascii_uppercase() || c.is_ascii_digit();
    match t {
        // ICAO Doc 9303, TD3 (passports): the document number field is nine letters and
        // digits.
        DocumentType::Passport => Some((1..=9).contains(&n.len()) && n.iter().all(alnum)),
        DocumentType::DrivingLicence if country.is_some_and(|c| c.as_str() == "GBR") => {
            Some(dvla(&n))
        }
        _ => None,
    }
}

/// A DVLA driver number: five letters of the surname (padded with 9), the decade digit of
/// the year of birth, the month (plus 50 for women), the day, the year digit, two initials
/// (padded with 9), a digit, two check characters; optionally followed by the two-digit
/// issue number printed beside it.
fn dvla(n: &[char]) -> bool {
    if n.len() != 16 && n.len() != 18 {
        return false;
    }
    let letter9 = |c: &char| c.is_ascii_uppercase() || *c == '9';
    let digits = |r: std::ops::Range<usize>| n[r].iter().all(char::is_ascii_digit);
    let number = |r: std::ops::Range<usize>| {
        n[r].iter()
            .filter_map(|c| c.to_digit(10))
            .fold(0, |a, d| a * 10 + d)
    };
    let shape = n[..5].iter().all(letter9)
        && digits(5..11)
        && n[11..13].iter().all(letter9)
        && n[13].is_ascii_digit()
        && n[14..16]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && digits(16..n.len());
    let month = number(6..8);
    let day = number(8..10);
    shape && (matches!(month, 1..=12) || matches!(month, 51..=62)) && (1..=31).contains(&day)
}

fn field(field: CheckedDocumentField, valid: Option<bool>) -> FieldCheck {
    FieldCheck {
        field: Some(field),
        result: Some(match valid {
            None => FieldCheckResult::CheckUncertain,
            Some(true) => FieldCheckResult::CheckValid,
            Some(false) => FieldCheckResult::CheckInvalid,
        }),
    }
}

/// Every field PassFort names, `CHECK_UNCERTAIN` where idbridge did not check it.
fn field_checks(doc: &Document, t: DocumentType, today: NaiveDate) -> Vec<FieldCheck> {
    CheckedDocumentField::iter()
        .map(|f| {
            let valid = match f {
                CheckedDocumentField::FieldNumber => doc
                    .number
                    .as_deref()
                    .and_then(|n| number_shape(t, doc.issuing_country.as_ref(), n)),
                CheckedDocumentField::FieldExpiry => doc.expires_on.map(|_| !doc.is_expired(today)),
                _ => None,
            };
            field(f, valid)
        })
        .collect()
}

/// The result PassFort's semantics give a document result: `Fail` when something performed
/// failed; `Pass` only when the image, document type, forgery and field checks were all
/// performed (and passed); `Error` otherwise.
pub fn result_of(r: &DocumentResult) -> CheckResult {
    let failed = r.image_checks_passed == Some(false)
        || r.document_type_passed == Some(false)
        || r.forgery_checks_passed == Some(false)
        || r.all_passed == Some(false);
    let complete = r.image_checks_passed.is_some()
        && r.document_type_passed.is_some()
        && r.forgery_checks_passed.is_some()
        && r.field_checks.as_ref().is_some_and(|f| {
            !f.is_empty()
                && f.iter().all(|c| {
                    c.result
                        .is_some_and(|r| r != FieldCheckResult::CheckUncertain)
                })
        });
    if failed {
        CheckResult::Fail
    } else if complete {
        CheckResult::Pass
    } else {
        CheckResult::Error
    }
}

/// Verifies a document of PassFort type `t` with its images (the files on it), on `today`.
pub fn document(
    doc: &Document,
    t: DocumentType,
    images: &[&StoredFile],
    today: NaiveDate,
) -> Verification {
    let images_checked = image_checks(t, images);
    let fields = field_checks(doc, t, today);
    let image_failed = images_checked
        .iter()
        .any(|c| c.result == Some(DecisionClass::Fail));
    let field_failed = fields
        .iter()
        .any(|c| c.result == Some(FieldCheckResult::CheckInvalid));
    let missing_images = images_checked.iter().any(|c| {
        c.category.as_deref() == Some("IMAGES_PRESENT") && c.result == Some(DecisionClass::Fail)
    });
    let mut not_performed: Vec<String> = ["forgery_checks", "document_type", "image_clarity"]
        .map(str::to_owned)
        .to_vec();
    not_performed.extend(
        fields
            .iter()
            .filter(|c| c.result == Some(FieldCheckResult::CheckUncertain))
            .filter_map(|c| serde_json::to_value(c.field).ok())
            .filter_map(|v| v.as_str().map(str::to_owned)),
    );
    let mut document = DocumentResult {
        provider_name: Some(PROVIDER.to_owned()),
        // A failure is certain; a pass is not claimed, clarity not being checked.
        image_checks_passed: image_failed.then_some(false),
        image_checks: Some(images_checked),
        document_type_passed: None,
        forgery_checks_passed: None,
        forgery_checks: None,
        field_checks: Some(fields),
        all_passed: (image_failed || field_failed).then_some(false),
        error_reason: None,
    };
    let result = result_of(&document);
    document.error_reason = if missing_images {
        Some(NO_IMAGES.to_owned())
    } else if result == CheckResult::Error {
        Some(NOT_PERFORMED.to_owned())
    } else {
        None
    };
    Verification {
        result,
        document,
        not_performed,
    }
}

#[cfg(test)]
mod tests;
