//! The web and SDK channels of account create/update, and the KYX workflow steps
//! (api-guide-kyx.md, "Get Workflow Steps").

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Decision;

/// `web` of account create/update: the web client's URL and the pages the browser ends on.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebChannel {
    /// The capture page, with the execution's `authorizationToken` (and `locale` when given).
    pub href: String,
    /// Where the browser is sent at the end of a successful journey, as the request gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_url: Option<String>,
    /// Where the browser is sent at the end of a failed journey, as the request gave it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_url: Option<String>,
}

/// `sdk` of account create/update.
#[derive(Debug, Serialize, ToSchema)]
pub struct SdkChannel {
    /// A JWT scoped to the workflow execution and its token lifetime; a bearer on its
    /// credential calls.
    pub token: String,
}

/// `steps` in the details of a KYX workflow execution.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepsRef {
    /// Where the steps are read.
    pub href: String,
}

/// One step of a KYX workflow: capabilities grouped under one of the guide's step names.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Its id (the same at every read).
    pub id: Uuid,
    /// `ID_IV`, `SCREENING`, `ADDRESS_VERIFICATION`, `DL_VERIFICATION` or
    /// `BRA_CPF_VALIDATION`.
    pub name: &'static str,
    /// The ids of the capability results (in the details' `capabilities`) of this step.
    pub capability_ids: Vec<Uuid>,
    /// The step's decision, from its capabilities' (no `risk`: see the compatibility notes).
    pub decision: Decision,
}

/// Answer of `GET …/workflow-executions/{w}/steps`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepsResponse {
    /// The steps, once processed (none before).
    pub steps: Vec<Step>,
}
