//! nCore's JSON shapes for users. Field names and examples are those of NymCard's "Necessary
//! parameters per user type" page (its `POST /users` sample and response); fields a client
//! sends that are not listed here are kept and returned unchanged.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// nCore's user types: a person, a business (an SME), and the KYB sub-users a business
/// names (its directors, signatories and shareholders, persons or businesses).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, strum::EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserType {
    /// A person.
    Individual,
    /// A business (an SME).
    Business,
    /// A director of a business (KYB sub-user).
    Director,
    /// An authorised signatory of a business (KYB sub-user).
    Signature,
    /// A shareholder of a business who is a person (KYB sub-user).
    Shareholder,
    /// A shareholder of a business that is itself a business (KYB sub-user).
    ShareholderBusiness,
}

/// A user's status. A new user is `PENDINGKYC`; `PUT` moves it (see docs/compat/ncore.md).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, strum::EnumIter,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum UserStatus {
    /// Created, KYC not done yet.
    Pendingkyc,
    /// KYC done: the user may hold accounts and cards.
    Active,
    /// Temporarily barred; may become `ACTIVE` again.
    Suspended,
    /// Closed for good: no change is taken any more.
    Terminated,
}

/// A postal address (`address`, `company_address`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"address_line1": "Flat 1904", "address_line2": "Glass Tower", "city": "New York City", "state": "New York", "postal_code": "12345", "country": "UKR"}))]
pub struct Address {
    /// First line.
    #[schema(max_length = 200)]
    pub address_line1: Option<String>,
    /// Second line.
    #[schema(max_length = 200)]
    pub address_line2: Option<String>,
    /// City.
    #[schema(max_length = 200)]
    pub city: Option<String>,
    /// State or region.
    #[schema(max_length = 200)]
    pub state: Option<String>,
    /// Postal code.
    #[schema(max_length = 200)]
    pub postal_code: Option<String>,
    /// Country, ISO 3166-1 alpha-3 (stored in capitals).
    #[schema(pattern = "^[A-Za-z]{3}$")]
    pub country: Option<String>,
}

/// The user fields idbridge knows and checks. Every one is optional and may be `null`;
/// which names a user type needs is checked apart (docs/compat/ncore.md).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserFields {
    /// Title, e.g. `MRS`.
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// First name (a person's; needed for `INDIVIDUAL` and the person sub-users).
    #[schema(max_length = 200)]
    pub first_name: Option<String>,
    /// Middle name.
    #[schema(max_length = 200)]
    pub middle_name: Option<String>,
    /// Last name.
    #[schema(max_length = 200)]
    pub last_name: Option<String>,
    /// Name in the native script.
    #[schema(max_length = 200)]
    pub native_name: Option<String>,
    /// Date of birth, `YYYY-MM-DD`, not in the future.
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}$", example = "1989-11-07")]
    pub date_of_birth: Option<String>,
    /// E-mail address.
    #[schema(max_length = 254, example = "bob@example.com")]
    pub email: Option<String>,
    /// Mobile number: digits, optionally after `+` (6 to 15 digits).
    #[schema(pattern = r"^\+?[0-9]{6,15}$", example = "+551185249635")]
    pub mobile: Option<String>,
    /// Phone number, as `mobile`.
    #[schema(pattern = r"^\+?[0-9]{6,15}$", example = "+551185249635")]
    pub phone_number: Option<String>,
    /// Home address.
    pub address: Option<Address>,
    /// Gender, a code such as `MALE`.
    #[schema(pattern = "^[A-Z0-9_]{1,50}$", example = "MALE")]
    pub gender: Option<String>,
    /// Preferred language, ISO 639-1 (stored in capitals, e.g. `EN`).
    #[schema(pattern = "^[A-Za-z]{2}$", example = "EN")]
    pub preferred_language: Option<String>,
    /// Place of birth.
    #[schema(max_length = 200)]
    pub place_of_birth: Option<String>,
    /// Nationality, ISO 3166-1 alpha-3.
    #[schema(pattern = "^[A-Za-z]{3}$", example = "USA")]
    pub nationality: Option<String>,
    /// Country of residence, ISO 3166-1 alpha-3.
    #[schema(pattern = "^[A-Za-z]{3}$")]
    pub country_residence: Option<String>,
    /// Country of tax residence, ISO 3166-1 alpha-3.
    #[schema(pattern = "^[A-Za-z]{3}$")]
    pub country_tax_residence: Option<String>,
    /// Employment type, a code such as `SALARIED`.
    #[schema(pattern = "^[A-Z0-9_]{1,50}$", example = "SALARIED")]
    pub employment_type: Option<String>,
    /// Job title.
    #[schema(max_length = 200)]
    pub employment_title: Option<String>,
    /// Monthly salary, at least 0.
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub monthly_salary: Option<serde_json::Number>,
    /// Company name (a business's own name, or a person's employer).
    #[schema(max_length = 200)]
    pub company_name: Option<String>,
    /// Company address.
    pub company_address: Option<Address>,
    /// Company country, ISO 3166-1 alpha-3.
    #[schema(pattern = "^[A-Za-z]{3}$")]
    pub company_country: Option<String>,
    /// Industry type, a code such as `I01`.
    #[schema(pattern = "^[A-Z0-9_]{1,50}$", example = "I01")]
    pub industry_type: Option<String>,
    /// Expected monthly balance, at least 0.
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub expected_monthly_balance: Option<serde_json::Number>,
    /// Relationship with the parent user, a code such as `SON`.
    #[schema(pattern = "^[A-Z0-9_]{1,50}$", example = "SON")]
    pub relationship_with_parent: Option<String>,
    /// The parent user's id: a user of the same tenant.
    #[schema(max_length = 255)]
    pub parent_user_id: Option<String>,
}

/// A user as stored (its nCore data) and returned, less its id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserRecord {
    /// The user type, fixed at creation.
    pub user_type: UserType,
    /// The status.
    pub status: UserStatus,
    /// The fields idbridge checks.
    #[serde(flatten)]
    pub fields: UserFields,
    /// When it was created: ISO-8601 UTC with milliseconds.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// Other fields the client sent, returned as they came.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// A user as nCore returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    /// The user's id: the `user_id` of its identifications, and its subject id in idbridge.
    pub id: Uuid,
    /// Everything else.
    #[serde(flatten)]
    pub record: UserRecord,
}

/// Body of `POST /users` (documentation of the shape: the body is checked field by field).
#[derive(Deserialize, ToSchema)]
#[schema(example = json!({"title": "MRS", "first_name": "Sara", "middle_name": "Anthony", "last_name": "pass", "date_of_birth": "1989-11-07", "email": "bob@example.com", "mobile": "+551185249635", "address": {"address_line1": "Flat 1904", "address_line2": "Glass Tower", "city": "New York City", "state": "New York", "postal_code": "12345", "country": "UKR"}, "gender": "MALE", "preferred_language": "EN", "nationality": "USA", "user_type": "INDIVIDUAL"}))]
#[allow(
    dead_code,
    reason = "describes the request body for the OpenAPI document only"
)]
pub struct CreateUser {
    /// The user type.
    pub user_type: UserType,
    /// If given, must be `PENDINGKYC`: every new user starts there.
    pub status: Option<UserStatus>,
    /// The fields idbridge checks.
    #[serde(flatten)]
    pub fields: UserFields,
    /// Any other field: kept as sent and returned with the user.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// Body of `PUT /users/{user_id}` (documentation of the shape): fields present replace the
/// stored ones, `null` clears one, absent fields stay; `created_at` and `updated_at` are
/// ignored, so a user read with `GET` can be sent back.
#[derive(Deserialize, ToSchema)]
#[allow(
    dead_code,
    reason = "describes the request body for the OpenAPI document only"
)]
pub struct UpdateUser {
    /// If given, must be the user's type: it cannot change.
    pub user_type: Option<UserType>,
    /// The new status, along the allowed transitions.
    pub status: Option<UserStatus>,
    /// If given, must be the user's id.
    pub id: Option<Uuid>,
    /// The fields idbridge checks.
    #[serde(flatten)]
    pub fields: UserFields,
    /// Any other field: merged into the kept fields (`null` removes one).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub other: serde_json::Map<String, serde_json::Value>,
}
