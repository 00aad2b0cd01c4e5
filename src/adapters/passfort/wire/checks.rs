//! PassFort's check shapes (CheckResource, CheckType, the DOCUMENT_VERIFICATION result and
//! output) and DocumentResult, the verification result of one document, with the field
//! names and enums of PassFort's OpenAPI document.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Document, EntityType, Error};

/// The type of a check run against a profile (PassFort's CheckType).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, strum::EnumIter)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum CheckType {
    IdentityCheck,
    DocumentVerification,
    DocumentFetch,
    PepsAndSanctionsScreen,
    CraBankAccountVerification,
    CompanyRegistry,
    CompanyCharitiesRegistry,
    CompanyOwnership,
    CompanyFilings,
    CompanyFilingPurchase,
    CompanyPepsAndSanctionsScreen,
    IndividualManualForm,
    CompanyManualForm,
    CompanyDocumentVerification,
}

/// The progress of a check (PassFort's CheckState). PassFort's enum also has `PENDING` and
/// `RUNNING`; an idbridge check runs within its request, so it is never in either, and the
/// contract lists only the state it is answered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckState {
    /// Finished: every idbridge check.
    Complete,
}

/// The result of a DOCUMENT_VERIFICATION check: PassFort's own three values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub enum CheckResult {
    /// Every verification PassFort lists for the check was performed and passed (idbridge
    /// cannot perform them all, so it never answers this).
    Pass,
    /// A verification that was performed failed.
    Fail,
    /// Nothing performed failed, but the check could not be carried out in full.
    Error,
}

/// Which field of a document a field check is about (PassFort's CheckedDocumentField).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema, strum::EnumIter)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
// The variants spell PassFort's own values (`FIELD_…`, `CHECK_…`).
#[allow(clippy::enum_variant_names)]
pub enum CheckedDocumentField {
    FieldGivenNames,
    FieldFamilyName,
    FieldDob,
    FieldNationality,
    FieldExpiry,
    FieldNumber,
    FieldGender,
    FieldIssued,
    FieldAddress,
    FieldIssuingCountry,
    FieldMrz,
}

/// Whether a field was found valid (PassFort's FieldCheckResult).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
// The variants spell PassFort's own values (`FIELD_…`, `CHECK_…`).
#[allow(clippy::enum_variant_names)]
pub enum FieldCheckResult {
    /// Not established either way: every check idbridge does not perform.
    CheckUncertain,
    /// Checked and found invalid.
    CheckInvalid,
    /// Checked and found valid.
    CheckValid,
}

/// PassFort's DecisionClass, the result of one image or forgery check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
// idbridge's own image checks (presence, format, size) are yes-or-no and give only `PASS`
// and `FAIL`; the other values stay in the contract because a verification result a client
// sends on a document is kept as sent and typed as this DocumentResult.
#[allow(dead_code)]
pub enum DecisionClass {
    /// The check passed.
    Pass,
    /// The check failed.
    Fail,
    /// Partly passed.
    Partial,
    /// Passed with a warning.
    Warn,
    /// Could not be performed.
    Error,
}

/// PassFort's DocumentCheck: one image or forgery check.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct DocumentCheck {
    /// What was checked (idbridge: `IMAGES_PRESENT`, `IMAGE_FORMAT`, `IMAGE_SIZE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// What it was checked on (idbridge: the image type, `FRONT`, `BACK` or `FACE`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// The outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<DecisionClass>,
}

/// One field check of a DocumentResult.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct FieldCheck {
    /// The field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<CheckedDocumentField>,
    /// Whether it was found valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<FieldCheckResult>,
}

/// PassFort's DocumentResult: the results of a check on a document. A client may also send
/// one on a document, kept as sent once checked against these types.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct DocumentResult {
    /// Name of the verification provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
    /// Whether all of the image checks passed (idbridge: `false` when one of its image
    /// checks failed, left out otherwise: it does not judge an image's clarity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_checks_passed: Option<bool>,
    /// Each image check performed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_checks: Option<Vec<DocumentCheck>>,
    /// Whether the document is of the correct type (idbridge: left out, not checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_type_passed: Option<bool>,
    /// Whether all forgery checks passed (idbridge: left out, none performed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forgery_checks_passed: Option<bool>,
    /// Each forgery check performed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forgery_checks: Option<Vec<DocumentCheck>>,
    /// Each field check (idbridge: every field, `CHECK_UNCERTAIN` where not checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_checks: Option<Vec<FieldCheck>>,
    /// Whether every image, forgery and field check passed (idbridge: `false` when one
    /// failed, left out otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_passed: Option<bool>,
    /// Why the document could not be checked (in full).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_reason: Option<String>,
}

/// A provider used to run a check.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct CheckProvider {
    /// `idbridge`: no other provider is called.
    pub provider_name: String,
}

/// `output_data` of a DOCUMENT_VERIFICATION check.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentVerificationOutput {
    /// Always `INDIVIDUAL`: the check runs on individuals.
    pub entity_type: EntityType,
    /// The document checked, as it was then, with its `verification_result`.
    pub documents: Vec<Document>,
}

/// A check run on a profile: a DOCUMENT_VERIFICATION, the one check type idbridge runs
/// (PassFort's CheckResourceDocumentVerification). What it says was true when it ran.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResource {
    /// The check's id.
    pub id: Uuid,
    /// When it ran.
    #[schema(
        example = "2019-10-03 14:05:19",
        pattern = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
    )]
    pub performed_on: String,
    /// What it ran on and found.
    #[serde(flatten)]
    pub run: CheckRun,
}

/// A check as it is recorded when it runs: everything of a CheckResource but its id and
/// time, which the record gets.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckRun {
    /// `DOCUMENT_VERIFICATION`.
    pub check_type: CheckType,
    /// The document checked.
    pub document_id: Uuid,
    /// `COMPLETE`: a check runs within its request.
    pub state: CheckState,
    /// `Fail` when a verification performed failed, `Error` otherwise; never `Pass`, as
    /// idbridge cannot perform every verification the check stands for.
    pub result: CheckResult,
    /// The profile's collected data it ran on (IndividualData), with the one document
    /// checked.
    #[schema(value_type = Object)]
    pub input_data: serde_json::Value,
    /// The document checked and its verification result.
    pub output_data: DocumentVerificationOutput,
    /// Why the check ran to `Error` (code 105 CONSTRAINTS_NOT_SATISFIED, source `ENGINE`);
    /// empty otherwise.
    pub errors: Vec<Error>,
    /// Tasks of the check: idbridge keeps no tasks.
    pub task_ids: Vec<Uuid>,
    /// Always `false`: idbridge ran it.
    pub instructed_externally: bool,
    /// `[{"provider_name": "idbridge"}]`.
    pub providers: Vec<CheckProvider>,
}

/// Body of `POST /profiles/{profile_id}/checks`: a CheckResource to run. Fields other than
/// these (`id`, `state`, `result`, `input_data`, `output_data`, `variant`, …) are read-only
/// or choose a provider's set-up, and are ignored.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": "0196f3a4-7c1e-7b8a-9d2f-5e6a7b8c9d0e"}))]
pub struct NewCheck {
    /// The check to run: `DOCUMENT_VERIFICATION` (any other type is refused with 105
    /// CONSTRAINTS_NOT_SATISFIED).
    pub check_type: CheckType,
    /// The document of the profile to verify: required for `DOCUMENT_VERIFICATION`.
    pub document_id: Option<Uuid>,
    /// Tasks to link: idbridge keeps no tasks, so only `[]` is accepted.
    pub task_ids: Option<Vec<Uuid>>,
    /// `true` (a result run elsewhere) is refused with 105: idbridge records only checks
    /// it runs.
    pub instructed_externally: Option<bool>,
}
