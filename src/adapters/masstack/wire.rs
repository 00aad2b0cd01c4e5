//! MasStack's JSON shapes for identity-document identifications: keys in snake_case and
//! values in UPPER_CASE, as MasStack writes them. Request objects refuse unknown fields
//! (a misspelt `expire_in` must not silently become the 30-day default).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The type of the actor's identity document.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, strum::EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentType {
    /// Spanish NIF as printed on a DNI: 8 digits and a check letter.
    Nif,
    /// Spanish foreigner's number: X, Y or Z, 7 digits and a check letter.
    Nie,
    /// A passport.
    Passport,
    /// A national identity card (the `actor` example of MasStack's docs).
    IdentityCard,
}

/// How strong an identification must be.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, strum::EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ConfigurationName {
    /// The document number must be well formed.
    Low,
    /// Also on file for the actor and unexpired.
    Medium,
    /// Also with images on file.
    High,
}

/// Who scores the identification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoringProvider {
    /// idbridge's own checks.
    Internal,
    /// An outside provider: idbridge has none, so nothing is executed.
    External,
}

/// An identity document as a request gives it.
#[derive(Clone, Debug, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"document_number": "12345678Z", "document_type": "NIF", "country": "ES"}))]
pub struct IdentityDocument {
    /// The actor's document number.
    #[schema(max_length = 64)]
    pub document_number: String,
    /// Its type.
    pub document_type: DocumentType,
    /// Issuing country, ISO 3166-1 alpha-2 (`ES` is assumed for `NIF` and `NIE`).
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z]{2}$")]
    pub country: Option<String>,
}

/// A phone number; `phone_number` is a JSON number, as in MasStack's example.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Msisdn {
    /// The subscriber number, 4 to 15 digits.
    pub phone_number: u64,
    /// The country calling code, 1 to 3 digits (`34`).
    #[schema(pattern = r"^\+?[0-9]{1,3}$")]
    pub country_code: String,
}

/// The `actor` form of the request (`IdentificationActorCountry` in MasStack's docs).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentificationActorCountry {
    /// Given name.
    pub name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// The actor's identity document.
    pub identity_document: Option<IdentityDocument>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub msisdn: Option<Msisdn>,
    /// Preferred language, ISO 639-1 (`ES`).
    pub language: Option<String>,
}

/// Which scoring to run.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoringRequest {
    /// `INTERNAL` (default) or `EXTERNAL`.
    pub provider: Option<ScoringProvider>,
}

/// Body of `POST /orgs/{org_id}/identifications/identity_document`. Give the actor either
/// flat (`name`, `last_name`, `identity_document`) or as `actor`; an identity document is
/// required in one of the two places.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "James", "last_name": "Smith",
    "identity_document": {"document_number": "12345678Z", "document_type": "NIF", "country": "ES"},
    "configuration_name": "HIGH", "expires_in": "P7D", "scoring": {"provider": "INTERNAL"}
}))]
pub struct CreateIdentityDocumentIdentificationRequest {
    /// The actor, in the newer form of the docs.
    pub actor: Option<IdentificationActorCountry>,
    /// Given name.
    pub name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// The actor's identity document.
    pub identity_document: Option<IdentityDocument>,
    /// `LOW`, `MEDIUM` (default) or `HIGH`.
    pub configuration_name: Option<ConfigurationName>,
    /// ISO-8601 duration (`P7D`, `PT15M`); default `P30D`, at most 30 days.
    #[schema(example = "P7D")]
    pub expires_in: Option<String>,
    /// Which scoring to run (default `INTERNAL`).
    pub scoring: Option<ScoringRequest>,
}

/// Where an identification is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IdentificationStatus {
    /// Open until it is closed or `expires_at` passes.
    Open,
    /// Closed by the client.
    Closed,
    /// `expires_at` passed while it was open.
    Expired,
    /// Stopped (not reachable through this API; kept so every canonical state has a name).
    Cancelled,
}

/// The identity document of an identification, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActorIdentityDocument {
    /// The canonical document it is (visible through the other APIs).
    pub document_id: Uuid,
    /// The number, upper case without spaces or hyphens.
    pub document_number: String,
    /// The type as the request gave it.
    pub document_type: DocumentType,
    /// Issuing country, ISO 3166-1 alpha-2, when known.
    pub country: Option<String>,
}

/// The actor of an identification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Actor {
    /// idbridge's subject for the actor: the same id works as a user id in the other APIs.
    pub subject_id: Uuid,
    /// Given name.
    pub name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// The identity document.
    pub identity_document: ActorIdentityDocument,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number.
    pub msisdn: Option<Msisdn>,
    /// Preferred language, ISO 639-1.
    pub language: Option<String>,
}

/// Whether the scoring ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoringStatus {
    /// The checks ran; `score` and `result` are set.
    Executed,
    /// Nothing ran (`reason` says why); no score is given.
    NotExecuted,
}

/// The verdict of an executed scoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoringVerdict {
    /// Every check the configuration requires passed.
    Passed,
    /// At least one required check did not pass.
    Failed,
}

/// One check of the internal scoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, strum::EnumIter)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(
    clippy::enum_variant_names,
    reason = "the wire names are DOCUMENT_NUMBER, DOCUMENT_ON_FILE, …"
)]
pub enum CheckName {
    /// The number is well formed for its type (NIF/NIE check letter, passport format).
    DocumentNumber,
    /// The actor already has this document on file (stored through any API).
    DocumentOnFile,
    /// That document is not past its expiry date.
    DocumentUnexpired,
    /// That document has at least one image or file.
    DocumentImages,
}

/// The outcome of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckOutcome {
    /// It passed.
    Passed,
    /// It failed.
    Failed,
    /// It could not run (it needs a document on file and there is none).
    NotExecuted,
}

/// One check and its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScoringCheck {
    /// Which check.
    pub name: CheckName,
    /// Its outcome.
    pub outcome: CheckOutcome,
    /// Whether the configuration requires it to pass.
    pub required: bool,
    /// Points it adds to the score when it passes.
    pub weight: u32,
    /// Why, in plain words (never the number or a name).
    pub detail: String,
}

/// The scoring of an identification, computed when it is created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Scoring {
    /// The provider asked for.
    pub provider: ScoringProvider,
    /// Whether it ran.
    pub status: ScoringStatus,
    /// Sum of the weights of the passed checks, 0 to `max_score`; null when not executed.
    pub score: Option<u32>,
    /// The highest possible score.
    pub max_score: u32,
    /// The verdict; null when not executed.
    pub result: Option<ScoringVerdict>,
    /// Why nothing ran, when nothing ran.
    pub reason: Option<String>,
    /// When it ran.
    pub scored_at: Option<String>,
    /// Each check with its outcome (empty when not executed).
    pub checks: Vec<ScoringCheck>,
}

/// An identity-document identification (`CreateIdentityDocumentIdentificationResponse` and
/// `GetIdentityDocumentIdentificationMetadataResponse` have this one shape).
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct IdentityDocumentIdentification {
    /// Identification id (UUID).
    pub id: Uuid,
    /// The organisation it belongs to.
    pub org_id: String,
    /// Its status now.
    pub status: IdentificationStatus,
    /// The actor and the identity document.
    pub actor: Actor,
    /// The strength asked for.
    pub configuration_name: ConfigurationName,
    /// Validity as asked for (ISO-8601 duration).
    pub expires_in: String,
    /// The scoring.
    pub scoring: Scoring,
    /// When it was created (RFC 3339, UTC, milliseconds).
    pub created_at: String,
    /// When it expires unless closed first.
    pub expires_at: String,
    /// When it was closed; null while not closed.
    pub closed_at: Option<String>,
}

/// Query of the identification list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// How many identifications to skip (default 0).
    #[param(value_type = Option<u64>, minimum = 0)]
    pub offset: Option<String>,
}

/// Where a page is.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pagination {
    /// The page size used.
    pub limit: u32,
    /// How many were skipped.
    pub offset: u64,
    /// How many the organisation has in all.
    pub total: u64,
}

/// A page of an organisation's identity-document identifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListIdentityDocumentIdentificationsResponse {
    /// The identifications.
    pub identifications: Vec<IdentityDocumentIdentification>,
    /// Where the page is.
    pub pagination: Pagination,
}

/// One error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code, e.g. `INVALID_FIELD`.
    #[schema(example = "INVALID_FIELD")]
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// The offending field as a dotted path (`identity_document.document_type`), when one is
    /// to blame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// MasStack's `ErrorsResponse` (idbridge's shape: MasStack does not publish its fields).
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorsResponse {
    /// The errors, at least one.
    pub errors: Vec<ErrorDetail>,
}

/// Body of the AuthN token request (a form).
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // documents the form; it is read as pairs
pub struct TokenRequest {
    /// `urn:ietf:params:oauth:grant-type:jwt-bearer`.
    #[schema(pattern = "^urn:ietf:params:oauth:grant-type:jwt-bearer$")]
    pub grant_type: String,
    /// The service account's signed assertion (RS256 JWT, `kid` = `private_key_id`).
    pub assertion: String,
    /// Scopes asked for; echoed in the access token's `scope` claim.
    pub scope: Option<String>,
}

/// An access token from AuthN.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The access token, a JWT: send it as `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(value_type = String, example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: u64,
}

/// An AuthN refusal, in OAuth2's shape (RFC 6749 §5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unsupported_grant_type`,
    /// `slow_down` or `server_error`.
    #[schema(value_type = String, example = "invalid_grant")]
    pub error: &'static str,
    /// What is wrong, for a person.
    pub error_description: String,
}
