//! The verification's rules, one by one, on documents built in memory.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::*;
use crate::media::MediaType;
use crate::model::{Category, DocumentKind, FileSide, TenantId};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

fn doc(kind: DocumentKind, number: Option<&str>, country: &str, expiry: Option<&str>) -> Document {
    let t = TenantId::new("t").unwrap();
    Document {
        category: Category::ProofOfIdentity,
        number: number.map(str::to_owned),
        issuing_country: Some(CountryCode::new(country).unwrap()),
        expires_on: expiry.map(|e| e.parse().unwrap()),
        ..Document::blank(t, Uuid::now_v7(), kind, Utc::now())
    }
}

fn file(doc: &Document, side: FileSide, media_type: MediaType, size: u64) -> StoredFile {
    StoredFile {
        id: Uuid::now_v7(),
        tenant: doc.tenant.clone(),
        subject_id: doc.subject_id,
        document_id: Some(doc.id),
        side,
        name: None,
        media_type,
        size,
        sha256: [0; 32],
        width: Some(320),
        height: Some(200),
        extras: BTreeMap::new(),
        created_at: Utc::now(),
    }
}

/// A GBR passport with `number` and `expiry`, verified with one front image.
fn passport(
    number: Option<&str>,
    expiry: Option<&str>,
    media_type: MediaType,
    size: u64,
) -> Verification {
    let d = doc(DocumentKind::Passport, number, "GBR", expiry);
    let front = file(&d, FileSide::Front, media_type, size);
    document(&d, DocumentType::Passport, &[&front], today())
}

fn field_result(v: &Verification, f: CheckedDocumentField) -> FieldCheckResult {
    v.document
        .field_checks
        .as_ref()
        .unwrap()
        .iter()
        .find(|c| c.field == Some(f))
        .and_then(|c| c.result)
        .unwrap()
}

/// The results of the checks of `fields`, in that order.
fn field_results<const N: usize>(
    v: &Verification,
    fields: [CheckedDocumentField; N],
) -> [FieldCheckResult; N] {
    fields.map(|f| field_result(v, f))
}

fn image_results(v: &Verification) -> Vec<(String, String, DecisionClass)> {
    v.document
        .image_checks
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c.category.clone().unwrap(),
                c.r#type.clone().unwrap(),
                c.result.unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_sound_passport_is_an_error_never_a_pass() {
    let v = passport(Some("123456789"), Some("2030-01-01"), MediaType::Png, 1000);
    assert_eq!(v.result, CheckResult::Error);
    use CheckedDocumentField as F;
    assert_eq!(
        field_results(&v, [F::FieldNumber, F::FieldExpiry]),
        [FieldCheckResult::CheckValid; 2]
    );
    assert_eq!(
        field_results(
            &v,
            [
                F::FieldGivenNames,
                F::FieldDob,
                F::FieldMrz,
                F::FieldIssuingCountry
            ]
        ),
        [FieldCheckResult::CheckUncertain; 4]
    );
    assert_eq!(v.document.field_checks.as_ref().unwrap().len(), 11);
    assert_eq!(
        image_results(&v),
        [
            ("IMAGES_PRESENT".into(), "FRONT".into(), DecisionClass::Pass),
            ("IMAGE_FORMAT".into(), "FRONT".into(), DecisionClass::Pass),
            ("IMAGE_SIZE".into(), "FRONT".into(), DecisionClass::Pass),
        ]
    );
    let r = &v.document;
    assert_eq!(
        (
            r.forgery_checks_passed,
            r.forgery_checks.as_ref(),
            r.document_type_passed
        ),
        (None, None, None)
    );
    assert_eq!((r.image_checks_passed, r.all_passed), (None, None));
    assert_eq!(r.error_reason.as_deref(), Some(NOT_PERFORMED));
    assert_eq!(r.provider_name.as_deref(), Some("idbridge"));
    assert!(v.not_performed.contains(&"forgery_checks".to_owned()));
    assert!(v.not_performed.contains(&"FIELD_DOB".to_owned()));
    assert!(!v.not_performed.contains(&"FIELD_NUMBER".to_owned()));
}

#[test]
fn an_expired_document_fails_and_expiring_today_is_still_valid() {
    let v = passport(None, Some("2026-02-28"), MediaType::Jpeg, 1000);
    assert_eq!(v.result, CheckResult::Fail);
    assert_eq!(
        field_results(
            &v,
            [
                CheckedDocumentField::FieldExpiry,
                CheckedDocumentField::FieldNumber
            ]
        ),
        [
            FieldCheckResult::CheckInvalid,
            FieldCheckResult::CheckUncertain
        ]
    );
    assert_eq!(v.document.all_passed, Some(false));
    assert_eq!(v.document.image_checks_passed, None, "the images were fine");
    assert_eq!(
        v.document.error_reason, None,
        "the document was checked, and failed"
    );
    let v = passport(None, Some("2026-03-01"), MediaType::Jpeg, 1000);
    assert_eq!(
        field_result(&v, CheckedDocumentField::FieldExpiry),
        FieldCheckResult::CheckValid
    );
    assert_eq!(v.result, CheckResult::Error);
}

#[test]
fn missing_images_fail_and_say_why() {
    let d = doc(DocumentKind::DrivingLicence, None, "FRA", None);
    let front = file(&d, FileSide::Front, MediaType::Png, 1000);
    let v = document(&d, DocumentType::DrivingLicence, &[&front], today());
    assert_eq!(v.result, CheckResult::Fail);
    assert_eq!(
        image_results(&v)[..2],
        [
            ("IMAGES_PRESENT".into(), "FRONT".into(), DecisionClass::Pass),
            ("IMAGES_PRESENT".into(), "BACK".into(), DecisionClass::Fail),
        ]
    );
    assert_eq!(v.document.image_checks_passed, Some(false));
    assert_eq!(v.document.error_reason.as_deref(), Some(NO_IMAGES));
    let v = document(&d, DocumentType::DrivingLicence, &[], today());
    assert_eq!(image_results(&v).len(), 2, "only presence can be checked");
    assert_eq!(v.result, CheckResult::Fail);
    // A page 2 stored through another API is a BACK.
    let page2 = file(&d, FileSide::Page(2), MediaType::Png, 1000);
    let v = document(&d, DocumentType::DrivingLicence, &[&front, &page2], today());
    assert_eq!(v.result, CheckResult::Error);
    // A face image needs its FACE.
    let face = file(&d, FileSide::Face, MediaType::Jpeg, 10);
    assert_eq!(
        document(&d, DocumentType::FaceImage, &[&face], today()).result,
        CheckResult::Error
    );
    assert_eq!(
        document(&d, DocumentType::FaceImage, &[&front], today()).result,
        CheckResult::Fail
    );
}

#[test]
fn images_passforts_rules_refuse_fail() {
    for (media, size) in [
        (MediaType::Bmp, 1000),
        (MediaType::Docx, 1000),
        (MediaType::Png, 0),
        (MediaType::Png, mapping::MAX_FILE_SIZE + 1),
    ] {
        let v = passport(None, None, media, size);
        assert_eq!(v.result, CheckResult::Fail, "{media:?} {size}");
        assert_eq!(v.document.image_checks_passed, Some(false));
        assert!(
            image_results(&v)
                .iter()
                .any(|(_, _, r)| *r == DecisionClass::Fail)
        );
    }
    assert_eq!(
        passport(None, None, MediaType::Pdf, mapping::MAX_FILE_SIZE).result,
        CheckResult::Error
    );
}

#[test]
fn numbers_have_the_shape_of_their_type() {
    let gbr = CountryCode::new("GBR").unwrap();
    let fra = CountryCode::new("FRA").unwrap();
    let pass = |n: &str| number_shape(DocumentType::Passport, Some(&fra), n);
    assert_eq!(pass("123456789"), Some(true));
    assert_eq!(
        pass("ab 12345"),
        Some(true),
        "case and spaces are formatting"
    );
    assert_eq!(pass("1234567890"), Some(false), "ten characters");
    assert_eq!(pass("12345/789"), Some(false));
    assert_eq!(pass("12345678É"), Some(false));
    let dl = |n: &str| number_shape(DocumentType::DrivingLicence, Some(&gbr), n);
    assert_eq!(dl("MORGA657054SM9IJ"), Some(true));
    assert_eq!(
        dl("morga 657054 sm9ij 35"),
        Some(true),
        "with the issue number"
    );
    assert_eq!(
        dl("SMITH962011J99AB"),
        Some(true),
        "a woman's month, padded initials"
    );
    assert_eq!(dl("MORGA613054SM9IJ"), Some(false), "month 13");
    assert_eq!(dl("MORGA657004SM9IJ"), Some(false), "day 0");
    assert_eq!(dl("MORGA657054SM9I"), Some(false), "15 characters");
    assert_eq!(
        dl("M0RGA657054SM9IJ"),
        Some(false),
        "a digit in the surname"
    );
    assert_eq!(
        number_shape(DocumentType::DrivingLicence, Some(&fra), "12AB"),
        None
    );
    assert_eq!(
        number_shape(DocumentType::DrivingLicence, None, "12AB"),
        None
    );
    assert_eq!(number_shape(DocumentType::StateId, Some(&gbr), "X"), None);
    let v = passport(Some("1234567890"), None, MediaType::Png, 10);
    assert_eq!(
        field_result(&v, CheckedDocumentField::FieldNumber),
        FieldCheckResult::CheckInvalid
    );
    assert_eq!(v.result, CheckResult::Fail);
}

#[test]
fn pass_needs_every_verification_performed() {
    let every_field = |r: FieldCheckResult| {
        Some(
            CheckedDocumentField::iter()
                .map(|f| FieldCheck {
                    field: Some(f),
                    result: Some(r),
                })
                .collect(),
        )
    };
    let full = DocumentResult {
        image_checks_passed: Some(true),
        document_type_passed: Some(true),
        forgery_checks_passed: Some(true),
        field_checks: every_field(FieldCheckResult::CheckValid),
        all_passed: Some(true),
        ..DocumentResult::default()
    };
    assert_eq!(result_of(&full), CheckResult::Pass);
    for partial in [
        DocumentResult {
            forgery_checks_passed: None,
            ..full.clone()
        },
        DocumentResult {
            document_type_passed: None,
            ..full.clone()
        },
        DocumentResult {
            image_checks_passed: None,
            ..full.clone()
        },
        DocumentResult {
            field_checks: every_field(FieldCheckResult::CheckUncertain),
            ..full.clone()
        },
        DocumentResult {
            field_checks: Some(Vec::new()),
            ..full.clone()
        },
    ] {
        assert_eq!(result_of(&partial), CheckResult::Error, "{partial:?}");
    }
    let failed = DocumentResult {
        forgery_checks_passed: Some(false),
        ..full.clone()
    };
    assert_eq!(result_of(&failed), CheckResult::Fail);
}
