//! nCore's JSON shapes for identifications (users' are in `users`). Field names are nCore's
//! (snake_case); fields a client sends that are not listed here are kept and returned
//! unchanged.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

mod users;
pub use users::{CreateUser, UpdateUser, User, UserFields, UserRecord, UserStatus, UserType};

/// nCore's identification types.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, strum::EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IdentificationType {
    /// National identity card.
    NationalId,
    /// Passport.
    Passport,
    /// Visa.
    Visa,
    /// Trade license.
    TradeLicense,
    /// Commercial license.
    CommercialLicense,
    /// Certificate of incorporation.
    IncorporationCert,
    /// Certificate of incumbency.
    IncumbencyCert,
    /// Memorandum and articles of association.
    MemorandumArticles,
    /// Bank statement.
    BankStatement,
    /// Any other supporting document.
    Additional,
}

/// Body of `POST /users/{user_id}/identifications`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"type": "PASSPORT", "number": "132123123", "expiration_date": "2021-09-20T10:10:40.182Z"}))]
pub struct CreateIdentification {
    /// The identification type.
    #[serde(rename = "type")]
    pub kind: IdentificationType,
    /// The document number.
    #[schema(max_length = 64)]
    pub number: String,
    /// Expiry, ISO-8601 date-time (`2021-09-20T10:10:40.182Z`) or date.
    pub expiration_date: Option<String>,
    /// The authority that issued it.
    pub issuance_authority: Option<String>,
    /// Issuing country, ISO 3166-1 alpha-3 (an idbridge extension).
    pub issuing_country: Option<String>,
    /// Any other field: kept as sent and returned with the identification.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// Body of `PUT /users/{user_id}/identifications/{identification_id}`: fields present
/// replace the stored ones; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateIdentification {
    /// The identification type.
    #[serde(rename = "type")]
    pub kind: Option<IdentificationType>,
    /// The document number.
    pub number: Option<String>,
    /// Expiry, ISO-8601 date-time or date; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub expiration_date: Option<Option<String>>,
    /// The issuing authority; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub issuance_authority: Option<Option<String>>,
    /// Issuing country, ISO 3166-1 alpha-3; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub issuing_country: Option<Option<String>>,
    /// Any other field: merged into the kept fields.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// Tells "absent" (outer `None`) from "null" (`Some(None)`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// An identification as nCore returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Identification {
    /// Identification id.
    pub id: Uuid,
    /// The user it belongs to, as the path names it.
    pub user_id: String,
    /// The identification type.
    #[serde(rename = "type")]
    pub kind: IdentificationType,
    /// The document number.
    pub number: Option<String>,
    /// Expiry, ISO-8601 date-time with milliseconds.
    pub expiration_date: Option<String>,
    /// The issuing authority.
    pub issuance_authority: Option<String>,
    /// Issuing country, ISO 3166-1 alpha-3.
    pub issuing_country: Option<String>,
    /// When it was created.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// Its files.
    pub files: Vec<FileMetadata>,
    /// Other fields the client sent, returned as they came.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// Query of the identification list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Cursor: the `paging.after` of the previous page.
    pub after: Option<String>,
}

/// Cursor paging of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paging {
    /// The page size used.
    pub limit: u32,
    /// Pass as `after` to get the next page; null on the last page.
    pub after: Option<String>,
    /// Whether another page follows.
    pub has_more: bool,
}

/// A page of identifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentificationList {
    /// The identifications.
    pub data: Vec<Identification>,
    /// Where the page is.
    pub paging: Paging,
}

/// nCore's error body (idbridge's choice: NymCard publishes only the status codes).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The HTTP status.
    pub status: u16,
    /// Stable code after NymCard's status catalogue, e.g. `RESOURCE_NOT_EXIST`.
    #[schema(example = "RESOURCE_NOT_EXIST")]
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// The offending field, when one is to blame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// nCore's `identification_document_type`: which page or side a file shows.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, strum::EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentType {
    /// Front of a national id.
    NationalIdFront,
    /// Back of a national id.
    NationalIdBack,
    /// First passport page.
    PassportPage1,
    /// Second passport page.
    PassportPage2,
    /// A visa.
    Visa,
    /// Business documents have no side (the seed spells it `NOT APPLICABLE`; both accepted).
    #[serde(alias = "NOT APPLICABLE")]
    NotApplicable,
}

/// The multipart body of `PUT …/{identification_id}/files` (documentation of the form).
#[derive(ToSchema)]
#[allow(
    dead_code,
    reason = "describes the multipart form for the OpenAPI document only"
)]
pub struct UploadFiles {
    /// One to five files (`.pdf .jpg .jpeg .png .bmp .doc .docx`, at most 128 MB each). Each
    /// takes the next `identification_document_type` given before it.
    #[schema(value_type = Vec<String>, format = Binary)]
    pub file: Vec<Vec<u8>>,
    /// The document type of each file, in the order of the files. May be left out for the
    /// business types (`NOT_APPLICABLE`).
    pub identification_document_type: Vec<DocumentType>,
    /// If given, must be the identification's type.
    pub identification_type: Option<IdentificationType>,
}

/// A file's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileMetadata {
    /// File id.
    pub id: Uuid,
    /// The identification it belongs to.
    pub identification_id: Uuid,
    /// The user, as the path names it.
    pub user_id: String,
    /// Which side or page it shows.
    pub identification_document_type: DocumentType,
    /// The name it was uploaded with.
    pub file_name: Option<String>,
    /// The media type read from its content.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Image width in pixels, for images.
    pub width: Option<u32>,
    /// Image height in pixels, for images.
    pub height: Option<u32>,
    /// When it was uploaded.
    pub created_at: String,
}

/// The files an upload stored, in the order they were sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadedFiles {
    /// The stored files.
    pub data: Vec<FileMetadata>,
}

/// No or unknown API key (401): what every nCore call may answer.
const KEY: &[(u16, &str)] = &[(401, "No or unknown API key")];
/// An id in the path that is malformed (400).
const MALFORMED_ID: &[(u16, &str)] = &[(400, "Malformed id")];
/// No user of the tenant with the path's id (404).
const NO_USER: &[(u16, &str)] = &[(404, "No such user")];
/// No such user, or no identification of that user (404).
const NO_IDENTIFICATION: &[(u16, &str)] = &[(404, "No such user or identification")];
/// No such user, identification of that user, or file of that identification (404).
const NO_FILE: &[(u16, &str)] = &[(404, "No such user, identification or file")];
/// An idempotency key sent again with another request, or while the first still runs (409).
const IDEMPOTENCY: &[(u16, &str)] = &[(409, "Idempotency key reused for another request")];
/// A JSON body over the limit (413) or not labelled JSON (415).
const JSON_BODY: &[(u16, &str)] = &[
    (413, "Body too large"),
    (415, "The body is not labelled application/json"),
];

crate::refusal_set!("ErrorBody";
    /// The refusals of a POST with a JSON body and an idempotency key.
    IdempotentRefusals = [KEY, IDEMPOTENCY, JSON_BODY],
    /// The refusals of a read of one user.
    UserRefusals = [MALFORMED_ID, KEY, NO_USER],
    /// The refusals of a call on a user's collection, besides its own 400.
    UserKeyRefusals = [KEY, NO_USER],
    /// The refusals of a call with a JSON body on one user.
    UserJsonRefusals = [KEY, NO_USER, JSON_BODY],
    /// The refusals of a read of one identification.
    IdentificationRefusals = [MALFORMED_ID, KEY, NO_IDENTIFICATION],
    /// The refusals of a call on one identification, besides its own 400, 413 and 415.
    IdentificationKeyRefusals = [KEY, NO_IDENTIFICATION],
    /// The refusals of a call with a JSON body on one identification.
    IdentificationJsonRefusals = [KEY, NO_IDENTIFICATION, JSON_BODY],
    /// The refusals of a call on one file of an identification.
    FileRefusals = [MALFORMED_ID, KEY, NO_FILE],
);
