//! Retrieval, opened by an access token: an execution's status and details, and the image of
//! a stored part. A credential id is a canonical document id, so the image path reads the
//! files of any document of the account, whichever API stored them.

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use uuid::Uuid;

use super::accounts::{Ctx, Path, account, namespace};
use super::auth::Access;
use super::error::JumioError;
use super::mapping::{self, EXECUTION, Execution};
use super::wire::{
    CredentialDetails, DetailsResponse, ErrorBody, ExecutionRef, Id, IdHref, PartRef,
    StatusResponse, WorkflowDetails,
};
use crate::adapters::common::{self, download::Disposition};
use crate::error::Error;
use crate::model::{FileSide, Process, Subject, TenantId};
use crate::state::AppState;

/// The account's workflow execution with this id, and its record; anything else (another
/// account's, another API's process) is not found.
pub(super) async fn execution(
    state: &AppState,
    tenant: &TenantId,
    account_id: Uuid,
    id: Uuid,
) -> Result<(Subject, Process, Execution), JumioError> {
    let subject = account(state, tenant, account_id).await?;
    let process = match state.store.get_process(tenant, id).await {
        Ok(p)
            if p.subject_id == subject.id && p.namespace == namespace() && p.kind == EXECUTION =>
        {
            p
        }
        Ok(_) | Err(Error::NotFound(_)) => {
            return Err(Error::NotFound("workflow execution").into());
        }
        Err(e) => return Err(e.into()),
    };
    let record = Execution::from_process(&process)?;
    Ok((subject, process, record))
}

/// The execution as status and callback bodies show it.
pub(super) fn reference(ctx: &Ctx, p: &Process, e: &Execution) -> (IdHref, ExecutionRef) {
    (
        IdHref {
            id: p.subject_id,
            href: ctx.urls.account(p.subject_id),
        },
        ExecutionRef {
            id: p.id,
            href: ctx.urls.execution(p.subject_id, p.id),
            definition_key: e.definition_key.to_string(),
            status: mapping::status(p, e, Utc::now()),
        },
    )
}

/// Get a workflow execution's status.
#[utoipa::path(get, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/status", operation_id = "getStatus", tag = "Retrieval",
    params(("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("User-Agent" = String, Header, description = "Required")),
    security(("access_token" = [])),
    responses(
        (status = 200, description = "INITIATED, ACQUIRED, PROCESSED, SESSION_EXPIRED or TOKEN_EXPIRED", body = StatusResponse),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No or expired access token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "No such account or workflow execution", body = ErrorBody),
    ))]
pub async fn get_status(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    Access(tenant): Access,
    Path((account_id, id)): Path<(Uuid, Uuid)>,
) -> Result<axum::Json<StatusResponse>, JumioError> {
    let (_, process, record) = execution(&state, &tenant, account_id, id).await?;
    let (account, workflow_execution) = reference(&ctx, &process, &record);
    Ok(axum::Json(StatusResponse {
        account,
        workflow_execution,
    }))
}

/// Get a workflow execution's details: credentials, parts, and (once processed) the
/// capabilities idbridge ran and the decision.
#[utoipa::path(get, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}", operation_id = "getDetails", tag = "Retrieval",
    params(("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("User-Agent" = String, Header, description = "Required")),
    security(("access_token" = [])),
    responses(
        (status = 200, description = "The details", body = DetailsResponse),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No or expired access token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "No such account or workflow execution", body = ErrorBody),
    ))]
pub async fn get_details(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    Access(tenant): Access,
    Path((account_id, id)): Path<(Uuid, Uuid)>,
) -> Result<axum::Json<DetailsResponse>, JumioError> {
    let (subject, process, record) = execution(&state, &tenant, account_id, id).await?;
    let files = state.store.list_files(&tenant, subject.id).await?;
    let credentials = record
        .credentials
        .iter()
        .map(|c| {
            let doc = if c.has_document {
                Some(c.id)
            } else {
                c.data_document
            };
            let mut mine: Vec<_> = files
                .iter()
                .filter(|f| doc.is_some() && f.document_id == doc)
                .collect();
            mine.sort_by_key(|f| (f.side.position(), f.created_at));
            CredentialDetails {
                id: c.id,
                category: c.category,
                parts: mine
                    .into_iter()
                    .map(|f| {
                        let classifier = mapping::classifier_of(f.side);
                        PartRef {
                            href: ctx.urls.image(subject.id, c.id, &classifier),
                            classifier,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let status = mapping::status(&process, &record, Utc::now());
    Ok(axum::Json(DetailsResponse {
        workflow: WorkflowDetails {
            id: process.id,
            status,
            definition_key: record.definition_key.to_string(),
            user_reference: record.user_reference.clone(),
            customer_internal_reference: record.customer_internal_reference.clone(),
        },
        account: Id { id: subject.id },
        created_at: mapping::timestamp(process.created_at),
        started_at: record.started_at.map(mapping::timestamp),
        completed_at: record.completed_at.map(mapping::timestamp),
        credentials,
        decision: record.decision.clone(),
        capabilities: record.capabilities.clone(),
    }))
}

/// Get the image of a part: any document of the account (a credential id is a document id),
/// by classifier (`FRONT`, `BACK`, `FACE`, `PAGE_<n>`).
#[utoipa::path(get, path = "/api/v1/accounts/{accountId}/credentials/{credentialId}/parts/{classifier}", operation_id = "getPartImage", tag = "Retrieval",
    params(
        ("accountId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("classifier" = String, Path, description = "FRONT, BACK, FACE or PAGE_<n>"),
        ("User-Agent" = String, Header, description = "Required"),
    ),
    security(("access_token" = [])),
    responses(
        common::download::FileResponses,
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No or expired access token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "No such account, credential or part", body = ErrorBody),
        (status = 416, description = "Range outside the file"),
    ))]
pub async fn get_part_image(
    State(state): State<AppState>,
    Access(tenant): Access,
    Path((account_id, credential, classifier)): Path<(Uuid, Uuid, String)>,
    headers: HeaderMap,
) -> Result<Response, JumioError> {
    let subject = account(&state, &tenant, account_id).await?;
    let side = mapping::side_named(&classifier).ok_or(Error::NotFound("part"))?;
    let files: Vec<_> = state
        .store
        .list_files(&tenant, subject.id)
        .await?
        .into_iter()
        .filter(|f| f.document_id == Some(credential))
        .collect();
    let newest = |side: FileSide| {
        files
            .iter()
            .filter(|f| f.side == side)
            .max_by_key(|f| f.created_at)
    };
    // A passport stored as pages (nCore, B2Core) has no FRONT/BACK: page 1 is its data page,
    // the side Jumio calls FRONT, and page 2 reads as BACK, as PassFort reads them.
    let file = newest(side)
        .or_else(|| match side {
            FileSide::Front => newest(FileSide::Page(1)),
            FileSide::Back => newest(FileSide::Page(2)),
            _ => None,
        })
        .ok_or(Error::NotFound("part"))?;
    Ok(common::download::serve(
        &state.store,
        &tenant,
        file,
        &headers,
        Disposition::Inline,
        "jumio",
    )
    .await?
    .into_response())
}
