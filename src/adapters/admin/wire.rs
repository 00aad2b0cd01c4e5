//! The admin API's JSON shapes.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::model::{Category, DocumentKind, FileSide, PersonalData, ProcessStatus};

/// An external id to link to a subject.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AliasInput {
    /// Vendor namespace: `ncore`, `mydocs`, `masstack`, `passfort`, `jumio`, or your own.
    #[schema(example = "ncore", pattern = "^[a-z][a-z0-9_]{0,31}$")]
    pub namespace: String,
    /// The id as that vendor's clients send it.
    #[schema(example = "user-42", min_length = 1, max_length = 255)]
    pub external_id: String,
}

/// Body of `POST /subjects`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSubject {
    /// Use this id instead of a fresh one (e.g. to adopt an id a vendor already uses).
    pub id: Option<Uuid>,
    /// A label for operators. Not needed, and best kept free of personal data.
    #[schema(max_length = 200)]
    pub label: Option<String>,
    /// External ids to link at creation, atomically.
    #[serde(default)]
    pub aliases: Vec<AliasInput>,
}

/// Query of `GET /subjects`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// How many to skip (default 0).
    pub offset: Option<u64>,
    /// A subject id: the page starts after it (the `next` of the previous page). Reads the
    /// same from any depth, unlike `offset`; not together with `offset`.
    pub after: Option<Uuid>,
}

/// A subject in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectSummary {
    /// Canonical id.
    pub id: Uuid,
    /// Operator label.
    pub label: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A page of subjects.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectList {
    /// How many subjects the tenant has.
    pub total: u64,
    /// The page size used.
    pub limit: u32,
    /// The offset used.
    pub offset: u64,
    /// The subjects, oldest first.
    pub items: Vec<SubjectSummary>,
    /// The last subject of a full page: pass it as `after` for the next page. Absent when
    /// the page is not full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Uuid>,
}

/// An external id linked to a subject.
#[derive(Debug, Serialize, ToSchema)]
pub struct AliasView {
    /// Vendor namespace.
    pub namespace: String,
    /// The external id.
    pub external_id: String,
    /// When it was linked.
    pub created_at: DateTime<Utc>,
}

/// A stored file's metadata (never its bytes).
#[derive(Debug, Serialize, ToSchema)]
pub struct FileView {
    /// Canonical id.
    pub id: Uuid,
    /// The document it belongs to, if any.
    pub document_id: Option<Uuid>,
    /// Which part of the document it shows.
    pub side: FileSide,
    /// Original file name.
    pub name: Option<String>,
    /// Media type sniffed from the bytes.
    #[schema(example = "image/png")]
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Image width, when known.
    pub width: Option<u32>,
    /// Image height, when known.
    pub height: Option<u32>,
    /// Vendor extras by namespace.
    pub extras: BTreeMap<String, serde_json::Value>,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

/// A document with its files.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    /// Canonical id.
    pub id: Uuid,
    /// Per-tenant number (B2Core's integer id).
    pub seq: i64,
    /// What it is.
    pub kind: DocumentKind,
    /// What it proves.
    pub category: Category,
    /// Document number.
    pub number: Option<String>,
    /// Issuing country, ISO 3166-1 alpha-3.
    pub issuing_country: Option<String>,
    /// Issuing authority.
    pub issuing_authority: Option<String>,
    /// Date of issue.
    pub issued_on: Option<NaiveDate>,
    /// Date of expiry.
    pub expires_on: Option<NaiveDate>,
    /// Personal data on the document.
    pub personal: PersonalData,
    /// Vendor extras by namespace.
    pub extras: BTreeMap<String, serde_json::Value>,
    /// Its files.
    pub files: Vec<FileView>,
    /// The API that created it: `ncore`, `mydocs`, `masstack`, `passfort` or `jumio`.
    /// Absent for documents stored before idbridge kept it.
    #[schema(example = "jumio")]
    pub written_by: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A vendor process about the subject.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProcessView {
    /// Canonical id.
    pub id: Uuid,
    /// Vendor namespace running it.
    pub namespace: String,
    /// The flow's kind in that vendor's terms.
    pub kind: String,
    /// Effective status now (an open process past its expiry reads as expired).
    pub status: ProcessStatus,
    /// When the open phase ends.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Everything stored for a subject, across every vendor API.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectDetail {
    /// Canonical id.
    pub id: Uuid,
    /// Operator label.
    pub label: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// External ids by vendor.
    pub aliases: Vec<AliasView>,
    /// Documents, each with its files.
    pub documents: Vec<DocumentView>,
    /// Files not attached to any document.
    pub files: Vec<FileView>,
    /// Vendor processes.
    pub processes: Vec<ProcessView>,
    /// Sign-in accounts (B2Core clients).
    pub client_accounts: Vec<ClientAccountView>,
}

/// Body of `POST /subjects/{subject_id}/client-tokens`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MintClientToken {
    /// Lifetime in seconds, 60 to 2592000 (30 days); default 3600.
    pub ttl_seconds: Option<u64>,
}

/// A minted client token. The token is shown only here; idbridge keeps only its hash.
// No `Debug` derive: the token must not reach a log by accident.
#[derive(Serialize, ToSchema)]
pub struct ClientToken {
    /// What a B2Core client sends as `Authorization: Bearer <token>`.
    pub token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Body of `POST /subjects/{subject_id}/client-accounts`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClientAccount {
    /// The sign-in email (unique in the tenant; compared without regard to case).
    #[schema(example = "client@example.com")]
    pub email: String,
    /// The password, 8 to 128 characters; only its argon2id hash is kept.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

/// Body of `PUT /subjects/{subject_id}/client-accounts/{account_id}/password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// The new password, 8 to 128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

/// A subject's sign-in account (what a B2Core client signs in with).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientAccountView {
    /// The account's id.
    pub id: Uuid,
    /// Its integer id: B2Core's `clientId` (`filter[clientId]` in the back office).
    pub client_id: i64,
    /// The subject it signs in as.
    pub subject_id: Uuid,
    /// The sign-in email, lower case.
    pub email: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Body of `POST /service-accounts`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateServiceAccount {
    /// A label for operators, up to 200 characters.
    pub label: Option<String>,
}

/// A new MasStack service account: the JSON file its client loads. The private key is shown
/// only here; idbridge keeps only the public key.
// No `Debug` derive: the private key must not reach a log by accident.
#[derive(Serialize, ToSchema)]
pub struct ServiceAccountFile {
    /// Always `service_account`.
    #[serde(rename = "type")]
    #[schema(example = "service_account")]
    pub kind: &'static str,
    /// The key id: the assertion header's `kid`.
    pub private_key_id: Uuid,
    /// The RSA private key, PEM (PKCS#1, as MasStack's files carry it).
    pub private_key: String,
    /// The assertion's `iss`.
    pub client_email: String,
    /// The account's id (the access token's `cid`).
    pub client_id: Uuid,
    /// Where assertions are traded for access tokens; also the assertion's `aud`.
    pub token_uri: String,
    /// The operator's label.
    pub label: Option<String>,
}

/// A service account as listed (no key material).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceAccountView {
    /// Its id, which is also its key id.
    pub id: Uuid,
    /// The email it signs as.
    pub client_email: String,
    /// The operator's label.
    pub label: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The tenant's service accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceAccountList {
    /// Oldest first.
    pub items: Vec<ServiceAccountView>,
}

/// The admin API's error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code.
    #[schema(example = "not_found")]
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// The offending input field, when one is to blame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// No or wrong admin key (401): what every admin call may answer.
const KEY: &[(u16, &str)] = &[(401, "No or wrong admin key")];
/// An id in the path that is not a UUID (400).
const MALFORMED_ID: &[(u16, &str)] = &[(400, "Malformed id")];
/// A subject id in the path that names no subject of the tenant (404).
const NO_SUBJECT: &[(u16, &str)] = &[(404, "No such subject in this tenant")];
/// A JSON body over the limit (413) or not labelled JSON (415).
const JSON_BODY: &[(u16, &str)] = &[(413, "Body too large"), (415, "Body is not JSON")];

crate::refusal_set!("ErrorBody";
    /// The refusal every admin call shares: no or wrong admin key.
    KeyRefusals = [KEY],
    /// The refusals of a call with an id in its path.
    IdRefusals = [MALFORMED_ID, KEY],
    /// The refusals of a call on one subject, named in its path.
    SubjectRefusals = [MALFORMED_ID, KEY, NO_SUBJECT],
    /// The refusals of a call with a JSON body.
    JsonRefusals = [KEY, JSON_BODY],
    /// The refusals of a call with a JSON body on one subject, named in its path.
    SubjectJsonRefusals = [KEY, NO_SUBJECT, JSON_BODY],
);
