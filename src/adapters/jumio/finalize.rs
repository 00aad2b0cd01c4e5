//! Finalize: the end of acquisition, by the API (`PUT …/workflow-executions/{w}` with the
//! execution's token) or by the web page's "Finish". Every required part must be there; the
//! execution becomes `ACQUIRED` and processing starts in the background.

use std::sync::Arc;

use axum::extract::{Extension, State};
use uuid::Uuid;

use super::auth::ApiToken;
use super::context::UserAgent;
use super::context::{Ctx, Path, namespace};
use super::error::JumioError;
use super::mapping::{self, StoredCredential};
use super::parts::{Refusals, action, open, target};
use super::wire::{ErrorBody, FinalizeResponse, Id};
use crate::error::Error;
use crate::model::{Document, StoredFile};
use crate::ops;
use crate::state::AppState;
use crate::store::ProcessCredential;

// Where the web page has always found it.
use super::required::missing;
pub(super) use super::required::needs_back;

/// Finalizes the execution a token opens: checks every required part, moves it to
/// `ACQUIRED` and starts processing. Shared by the API call and the web page, so both end an
/// acquisition the same way.
pub(super) async fn finalize_execution(
    state: &AppState,
    ctx: &Arc<Ctx>,
    token: &ApiToken,
    account: Uuid,
    execution: Uuid,
) -> Result<FinalizeResponse, JumioError> {
    let (process, record) = open(state, token, account, execution).await?;
    let tenant = &token.tenant;
    let ns = namespace();
    let a = action(&record);
    let now = a.now;
    // One transaction: no part may arrive or go between the check of required parts and
    // the transition. A reused credential was captured before and cannot take parts here:
    // processing judges it as it is (the operation skips it).
    let complete = |row: &ProcessCredential, doc: Option<&Document>, files: &[StoredFile]| {
        let c = StoredCredential::from_row(row)?;
        match missing(&c, doc.map(|d| d.kind), files) {
            None => Ok(()),
            Some(part) => Err(Error::invalid(
                format!("credentials[{}].parts.{part}", c.id),
                format!(
                    "the {} credential has no {part} part yet",
                    c.category.wire_name()
                ),
            )),
        }
    };
    ops::capture::finalize(&state.store, &target(token, &process, &ns), &a, complete).await?;
    super::processing::spawn(state.clone(), ctx.clone(), tenant.clone(), process.id);
    Ok(FinalizeResponse {
        timestamp: mapping::timestamp(now),
        account: Id { id: account },
        workflow_execution: Id { id: execution },
    })
}

/// Finalize: every required part must be there; processing starts and the answer does not
/// wait for it.
#[utoipa::path(put, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}", operation_id = "finalize", tag = "Acquisition",
    params(("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), UserAgent),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        Refusals,
        (status = 200, description = "ACQUIRED; processing started", body = FinalizeResponse),
        (status = 400, description = "A required part is missing (named in `field`)", body = ErrorBody),
        (status = 404, description = "Not this token's account or execution", body = ErrorBody),
        (status = 409, description = "Already finalized or expired", body = ErrorBody),
    ))]
pub async fn finalize(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    token: ApiToken,
    Path((account, execution)): Path<(Uuid, Uuid)>,
) -> Result<axum::Json<FinalizeResponse>, JumioError> {
    finalize_execution(&state, &ctx, &token, account, execution)
        .await
        .map(axum::Json)
}
