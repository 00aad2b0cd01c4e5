//! Jumio's JSON shapes (camelCase), after the request and response examples of Jumio's API
//! guide: account create/update (the request in `request`), the part envelope, finalize,
//! status, details, steps (in `steps`), callback.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

mod request;
mod steps;

pub use request::*;
pub use steps::*;

/// `{ "id": … }`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Id {
    /// The id.
    pub id: Uuid,
}

/// `{ "id", "href" }`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IdHref {
    /// The id.
    pub id: Uuid,
    /// Where to read it.
    pub href: String,
}

/// Answer of `POST /oauth2/token`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessToken {
    /// The bearer token for the account and retrieval calls.
    pub access_token: String,
    /// Seconds it is valid: 3600.
    pub expires_in: u64,
    /// `Bearer`.
    pub token_type: &'static str,
}

/// Credential categories.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, strum::EnumIter,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Category {
    /// An identity document.
    Id,
    /// A selfie.
    Selfie,
    /// A supporting document (bank statement, utility bill…).
    Document,
    /// A 3D face map (web and SDK only).
    Facemap,
    /// Prepared data about the user.
    Data,
}

impl Category {
    /// The name Jumio gives it on the wire (`ID`, `FACEMAP`…), for messages.
    pub fn wire_name(self) -> &'static str {
        match self {
            Category::Id => "ID",
            Category::Selfie => "SELFIE",
            Category::Document => "DOCUMENT",
            Category::Facemap => "FACEMAP",
            Category::Data => "DATA",
        }
    }
}

/// What the API channel of a credential offers.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiChannel {
    /// The token for this execution's parts and finalize.
    pub token: String,
    /// Upload URL of each part, by lowercase classifier.
    pub parts: BTreeMap<String, String>,
    /// Finalize URL.
    pub workflow_execution: String,
}

/// A credential of a new workflow execution.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    /// Its id.
    pub id: Uuid,
    /// Its category.
    pub category: Category,
    /// Channels it can be collected through.
    pub allowed_channels: Vec<&'static str>,
    /// The API channel; absent for FACEMAP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api: Option<ApiChannel>,
}

/// A workflow execution as account create/update shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewExecution {
    /// Its id.
    pub id: Uuid,
    /// Its credentials.
    pub credentials: Vec<Credential>,
}

/// Answer of account create/update.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountResponse {
    /// When it was answered.
    pub timestamp: String,
    /// The account.
    pub account: Id,
    /// The web channel, when a credential can be captured through it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web: Option<WebChannel>,
    /// The SDK channel, when a credential can be captured through it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdk: Option<SdkChannel>,
    /// The new workflow execution.
    pub workflow_execution: NewExecution,
}

/// Answer of every part, data, document and delete call.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PartResponse {
    /// When it was answered.
    pub timestamp: String,
    /// The account.
    pub account: Id,
    /// The workflow execution.
    pub workflow_execution: Id,
    /// The credential.
    pub credential: Id,
    /// The part (the stored file; for data, the credential).
    pub part: Id,
    /// The API channel: the same token and the credential's part URLs.
    pub api: ApiChannel,
}

/// Answer of finalize.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FinalizeResponse {
    /// When it was answered.
    pub timestamp: String,
    /// The account.
    pub account: Id,
    /// The workflow execution.
    pub workflow_execution: Id,
}

/// Workflow execution statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// Created; parts may be added.
    Initiated,
    /// Finalized; processing.
    Acquired,
    /// Processed; the decision is available.
    Processed,
    /// Parts were added but it was not finalized in time.
    SessionExpired,
    /// Nothing was added before the token expired.
    TokenExpired,
}

/// The workflow execution in status and callback bodies.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionRef {
    /// Its id.
    pub id: Uuid,
    /// Its details URL.
    pub href: String,
    /// The workflow key.
    pub definition_key: String,
    /// Its status.
    pub status: Status,
}

/// Answer of `GET …/workflow-executions/{id}/status`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusResponse {
    /// The account.
    pub account: IdHref,
    /// The execution.
    pub workflow_execution: ExecutionRef,
}

/// The body POSTed to `callbackUrl`.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Callback {
    /// When it was sent.
    pub callback_sent_at: String,
    /// The account's user reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_reference: Option<String>,
    /// The execution.
    pub workflow_execution: ExecutionRef,
    /// The account.
    pub account: IdHref,
}

/// A decision.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    /// `PASSED`, `REJECTED`, `WARNING` or `NOT_EXECUTED`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Why.
    pub details: DecisionDetails,
}

/// A decision's label.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionDetails {
    /// The reason, e.g. `OK`, `NOT_UPLOADED`, `EXPIRED`, `NOT_EXECUTED`.
    pub label: String,
}

/// A credential reference in a capability.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CredentialRef {
    /// Its id.
    pub id: Uuid,
    /// Its category.
    pub category: Category,
}

/// The result of one capability on some credentials.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct CapabilityResult {
    /// This result's id.
    pub id: Uuid,
    /// The credentials it looked at.
    pub credentials: Vec<CredentialRef>,
    /// The decision.
    pub decision: Decision,
    /// What was read, when anything was (e.g. the document expiry compared).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

/// A part in the details.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartRef {
    /// Its classifier.
    pub classifier: String,
    /// Where its image is retrieved.
    pub href: String,
}

/// A credential in the details.
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialDetails {
    /// Its id.
    pub id: Uuid,
    /// Its category.
    pub category: Category,
    /// Its parts.
    pub parts: Vec<PartRef>,
}

/// The workflow in the details.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkflowDetails {
    /// The execution's id.
    pub id: Uuid,
    /// Its status.
    pub status: Status,
    /// The workflow key.
    pub definition_key: String,
    /// The user reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_reference: Option<String>,
    /// The customer internal reference.
    pub customer_internal_reference: String,
}

/// Answer of `GET …/workflow-executions/{id}`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DetailsResponse {
    /// The workflow.
    pub workflow: WorkflowDetails,
    /// The account.
    pub account: Id,
    /// When it was created.
    pub created_at: String,
    /// When the first part arrived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    /// When processing finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// The credentials and their parts.
    pub credentials: Vec<CredentialDetails>,
    /// The overall decision, once processed (no `risk`: see the compatibility notes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    /// Where the steps are read: KYX workflows (keys from 10000) only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<StepsRef>,
    /// Each capability's results, once processed.
    #[schema(value_type = Object)]
    pub capabilities: BTreeMap<String, Vec<CapabilityResult>>,
}

/// Every error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// When it was answered.
    pub timestamp: String,
    /// The HTTP status.
    pub status: u16,
    /// The status's reason phrase.
    pub error: String,
    /// What went wrong.
    pub message: String,
    /// The field to blame, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
