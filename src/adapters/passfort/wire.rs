//! PassFort 4.0's JSON shapes, with the field names, enums and formats of PassFort's own
//! OpenAPI document (ProfileResource, EntityData, Document, DocumentImageResource,
//! FileResource, Error). Datetimes are `YYYY-MM-DD hh:mm:ss`; ids are UUIDs.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

mod checks;
mod refusals;

pub use checks::*;
pub use refusals::*;

/// Relation between the entity and the institution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// An individual customer.
    IndividualCustomer,
    /// An individual associated with a customer.
    IndividualAssociated,
    /// A company customer.
    CompanyCustomer,
    /// A company associated with a customer.
    CompanyAssociated,
}

/// Whether the entity is a person or a company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntityType {
    /// A person.
    Individual,
    /// A company.
    Company,
}

/// State of the customer for whom the profile exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, strum::EnumIter)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProfileCategory {
    /// A customer.
    Customer,
    /// A former customer.
    PreviousCustomer,
    /// An applicant (every new profile).
    Applicant,
    /// An applicant who stopped.
    InactiveApplicant,
}

/// Whether a profile has been suspended or banned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProfileStatus {
    /// Neither (idbridge never suspends or bans).
    Normal,
    /// Suspended.
    Suspended,
    /// Banned.
    Banned,
}

/// PassFort's document categories.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, strum::EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum DocumentCategory {
    ProofOfIdentity,
    ProofOfSourceOfWealth,
    ProofOfSourceOfFunds,
    ProofOfAddress,
    Supporting,
    CompanyFiling,
    DataSummary,
    ProofOfBankAccount,
    ProofOfTaxStatus,
}

/// PassFort's document types (British `DRIVING_LICENCE`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, strum::EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum DocumentType {
    Passport,
    DrivingLicence,
    StateId,
    VoterId,
    BirthCertificate,
    BankStatement,
    FaceImage,
    Unknown,
    CompanyAccounts,
    CompanyChangeOfAddress,
    AnnualReturn,
    ConfirmationStatement,
    StatementOfCapital,
    ChangeOfName,
    Incorporation,
    Liquidation,
    Miscellaneous,
    Mortgage,
    ChangeOfOfficers,
    Resolution,
    CreditReport,
    CreditCheck,
    RegisterReport,
    RegisterCheck,
    DataSummary,
    ChangeOfPsc,
    AdverseMedia,
    Tax,
}

/// Which part of a document an image shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, strum::EnumIter)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentImageType {
    /// The front.
    Front,
    /// The back.
    Back,
    /// The holder's face.
    Face,
}

/// A customer profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileResource {
    /// The profile's id (the subject's id).
    pub id: Uuid,
    /// When it was created.
    #[schema(
        example = "2019-10-03 14:05:19",
        pattern = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
    )]
    pub creation_date: String,
    /// The role.
    pub role: Role,
    /// What was collected about the entity, its documents included.
    pub collected_data: EntityData,
    /// Given and family name of an individual, legal name of a company, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// The profile's category.
    pub category: ProfileCategory,
    /// The profile's status.
    pub status: ProfileStatus,
    /// Every image stored for the profile, through any API.
    pub document_images: Vec<DocumentImageResource>,
    /// The checks run on the profile, oldest first, each as `GET …/checks/{check_id}`
    /// shows it.
    #[schema(value_type = Vec<CheckResource>)]
    pub checks: Vec<serde_json::Value>,
    /// Tags: idbridge keeps none.
    pub tags: Vec<serde_json::Value>,
}

/// Collected data: IndividualData or CompanyData, told apart by `entity_type`. Fields other
/// than `entity_type` and `documents` are kept as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityData {
    /// `INDIVIDUAL` or `COMPANY`.
    pub entity_type: EntityType,
    /// The entity's documents, from every API.
    pub documents: Vec<Document>,
    /// Everything else (`personal_details`, `customer_ref`, `metadata`, …), as sent.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

/// A single document with one or more images.
#[derive(Debug, Serialize, ToSchema)]
pub struct Document {
    /// The document's id.
    pub id: Uuid,
    /// Its category.
    pub category: DocumentCategory,
    /// Its type.
    pub document_type: DocumentType,
    /// Its images.
    pub images: Vec<DocumentImageResource>,
    /// What is known from it (number, issuing country, expiry, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DocumentData>)]
    pub extracted_data: Option<serde_json::Map<String, serde_json::Value>>,
    /// A verification result a client sent, kept as sent (idbridge's own checks report on
    /// the check's `output_data`, never here).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DocumentResult>)]
    pub verification_result: Option<serde_json::Value>,
}

/// PassFort's DocumentData: all data extracted from a document. idbridge keeps `number`,
/// `issuing_country`, `issuer`, `issued` and `expiry` as canonical fields and every other
/// field as sent (checked against these types).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the shape; the data is kept as a JSON object
pub struct DocumentData {
    /// Name of the issuing authority.
    pub issuer: Option<String>,
    /// ICAO code of the issuing country.
    #[schema(pattern = "^[A-Z]{3}$")]
    pub issuing_country: Option<String>,
    /// Document number.
    pub number: Option<String>,
    /// Date of issue, `YYYY-MM-DD`.
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub issued: Option<String>,
    /// Date of expiry, `YYYY-MM-DD`.
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub expiry: Option<String>,
    /// PassFort's PersonalDetails as read from the document.
    #[schema(value_type = Option<Object>)]
    pub personal_details: Option<serde_json::Value>,
    /// PassFort's AddressHistory as read from the document.
    #[schema(value_type = Option<Vec<Object>>)]
    pub address_history: Option<serde_json::Value>,
    /// Line one of the MRZ.
    pub mrz1: Option<String>,
    /// Line two of the MRZ.
    pub mrz2: Option<String>,
    /// Line three of the MRZ.
    pub mrz3: Option<String>,
    /// A check's result on the document.
    pub result: Option<DocumentResult>,
    /// External service.
    pub external_service: Option<String>,
    /// External service reference.
    pub external_ref: Option<String>,
}

/// A single image of a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentImageResource {
    /// The image's id.
    pub id: Uuid,
    /// Which part of the document it shows.
    pub image_type: DocumentImageType,
    /// When it was uploaded.
    #[schema(
        example = "2019-10-03 14:05:19",
        pattern = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
    )]
    pub upload_date: String,
    /// The document type it was uploaded for, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_type: Option<DocumentType>,
    /// The document category it was uploaded for, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_category: Option<DocumentCategory>,
}

/// The answer to `POST …/document_images`: the stored image, or — for the seed's form
/// without `data` — every image of the profile.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ImageOrList {
    /// The image just stored.
    One(DocumentImageResource),
    /// Every image of the profile.
    List(Vec<DocumentImageResource>),
}

/// A file (with its content, base64, when read back).
#[derive(Debug, Serialize, ToSchema)]
pub struct FileResource {
    /// The file's id.
    pub id: Uuid,
    /// The file name ("Untitled" when none was sent).
    pub name: String,
    /// The content, base64 (empty in the answer to an upload).
    pub decrypted_data: String,
}

/// Search results for a profile search.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileSearchResults {
    /// The total number of matching profiles.
    pub count: u64,
    /// The maximum number of profiles returned.
    pub limit: u32,
    /// The number of profiles skipped.
    pub offset: u64,
    /// Profiles hidden for lack of permissions: always 0.
    pub hidden: u64,
    /// The profiles.
    pub results: Vec<ProfileResource>,
    /// Associated profiles: idbridge keeps no associations.
    pub associated_results: Vec<ProfileResource>,
}

/// Body of `POST /profiles` (a ProfileResource: its read-only fields are ignored).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL", "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}}}}))]
pub struct CreateProfile {
    /// The role.
    pub role: Role,
    /// What is known of the entity. Left out (or `{}`, or without `entity_type`), the
    /// entity type is the role's: `INDIVIDUAL` for `INDIVIDUAL_*`, `COMPANY` for
    /// `COMPANY_*`; an `entity_type` sent must be that one.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub collected_data: Option<serde_json::Value>,
}

/// Body of `POST /profiles/{profile_id}/collected_data/documents`, and each entry of
/// `collected_data.documents` when collected data is replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": "ec1565b6-82c7-0577-8b3a-94462b67c97a"}]}))]
pub struct NewDocument {
    /// The id of a document already on the profile (replacing collected data only).
    pub id: Option<Uuid>,
    /// The category.
    pub category: DocumentCategory,
    /// The type.
    pub document_type: DocumentType,
    /// The document images it is made of, by id: one or more.
    #[schema(min_items = 1)]
    pub images: Vec<ImageRef>,
    /// What is known from it: `number`, `issuing_country` (ICAO), `issued`, `expiry`
    /// (`YYYY-MM-DD`), `issuer`; other fields are kept as sent.
    #[schema(value_type = Option<DocumentData>)]
    pub extracted_data: Option<serde_json::Map<String, serde_json::Value>>,
    /// Kept as sent.
    #[schema(value_type = Option<DocumentResult>)]
    pub verification_result: Option<serde_json::Value>,
}

/// A document image, by id. Other fields (`image_type`, `upload_date`) are read-only and
/// ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ImageRef {
    /// The document image's id.
    pub id: Uuid,
}

/// Body of `POST /profiles/{profile_id}/files`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the body; it is parsed by hand to decode `data` in place
pub struct CreateFileResource {
    /// The file, base64 or a `data:` URI (GIF, JPEG, PNG, PDF, TIFF; at most 50 MB).
    pub data: String,
    /// The file name (default "Untitled").
    pub name: Option<String>,
}

/// Body of `POST /profiles/{profile_id}/document_images`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the body; it is parsed by hand to decode `data` in place
pub struct CreateDocumentImage {
    /// The image, base64 or a `data:` URI (GIF, JPEG, PNG, PDF, TIFF; at most 50 MB).
    /// Without it (no body, or `{}`: the seed's form) the profile's images are listed.
    pub data: Option<String>,
    /// Which part of the document it shows (default `FRONT`).
    pub image_type: Option<DocumentImageType>,
    /// The document type it is for.
    pub document_type: Option<DocumentType>,
    /// The document category it is for.
    pub document_category: Option<DocumentCategory>,
}

/// Where an error comes from.
#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorSource {
    /// The API itself (every refused request).
    Api,
    /// The check engine: why a check ran to `Error` (on a check's `errors`).
    Engine,
}

/// Body of `POST /profiles/{profile_id}/collected_data`: PassFort's IndividualData or
/// CompanyData, which replaces the profile's collected data. The body may be left out.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)] // documents the body; it is checked against PassFort's schemas by hand
pub struct CollectedDataBody {
    /// `INDIVIDUAL` or `COMPANY` (it must suit the profile's role).
    pub entity_type: EntityType,
    /// The whole set of documents: one with an `id` is updated, one without is created, a
    /// document not listed is removed (its images stay, free for reuse).
    pub documents: Option<Vec<NewDocument>>,
    /// Everything else (`personal_details`, `customer_ref`, `metadata`, …), in PassFort's
    /// types.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub rest: serde_json::Map<String, serde_json::Value>,
}

/// PassFort's ErrorCodes (104 CHARGEABLE_LIMIT_REACHED for the rate limit, 201
/// INVALID_INPUT_DATA, 202 DATA_PRESENT, 203 MISSING_API_KEY, 204 INVALID_API_KEY, 401
/// UNKNOWN_INTERNAL_ERROR, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ErrorCode(pub u16);

/// Every code of PassFort's ErrorCodes.
pub const ERROR_CODES: [u16; 18] = [
    101, 102, 103, 104, 105, 106, 107, 201, 202, 203, 204, 301, 302, 303, 401, 402, 501, 502,
];

impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .enum_values(Some(ERROR_CODES))
            .description(Some(
                "PassFort's ErrorCodes: 1xx normal errors (104 CHARGEABLE_LIMIT_REACHED), 2xx \
                 caller errors (201 INVALID_INPUT_DATA, 202 DATA_PRESENT, 203 MISSING_API_KEY, \
                 204 INVALID_API_KEY), 3xx transient, 4xx internal (401 \
                 UNKNOWN_INTERNAL_ERROR), 5xx miscellaneous",
            ))
            .into()
    }
}

impl utoipa::ToSchema for ErrorCode {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ErrorCodes")
    }
}

/// Details of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct Error {
    /// PassFort's error code; absent where none fits (an unknown route or method).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// What went wrong.
    pub message: String,
    /// Always `API`.
    pub source: ErrorSource,
    /// The offending field, when one is to blame, and other details.
    #[schema(value_type = Object)]
    pub info: serde_json::Value,
}

/// Every failed request's body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Errors {
    /// The errors (one per failure).
    pub errors: Vec<Error>,
}
