//! Retrieval, opened by an access token: an execution's status and details, and the image of
//! a stored part. A credential id is a canonical document id, so the image path reads the
//! files of any document of the account, whichever API stored them.

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use utoipa::openapi::RefOr;
use uuid::Uuid;

use super::accounts::{Ctx, Path, account, namespace, reference};
use super::auth::{Access, OnExecution};
use super::context::{ExecutionRefusals, IdRefusals, UserAgent};
use super::error::JumioError;
use super::mapping::{self, EXECUTION};
use super::parts::files_of;
use super::wire::{
    CredentialDetails, DetailsResponse, ErrorBody, Id, PartRef, StatusResponse, StepsRef,
    WorkflowDetails,
};
use crate::adapters::common::{self, download::Disposition};
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;
use crate::store::ProcessScope;

/// Get a workflow execution's status.
#[utoipa::path(get, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/status", operation_id = "getStatus", tag = "Retrieval",
    params(OnExecution),
    security(("access_token" = []), ("basic" = [])),
    responses(
        (status = 200, description = "INITIATED, ACQUIRED, PROCESSED, SESSION_EXPIRED or TOKEN_EXPIRED", body = StatusResponse),
        ExecutionRefusals,
    ))]
pub async fn get_status(
    Extension(ctx): Extension<Arc<Ctx>>,
    call: OnExecution,
) -> Result<axum::Json<StatusResponse>, JumioError> {
    let (account, workflow_execution) = reference(&ctx, &call.process, &call.record);
    Ok(axum::Json(StatusResponse {
        account,
        workflow_execution,
    }))
}

/// Get a workflow execution's details: credentials, parts, and (once processed) the
/// capabilities idbridge ran and the decision.
#[utoipa::path(get, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}", operation_id = "getDetails", tag = "Retrieval",
    params(OnExecution),
    security(("access_token" = []), ("basic" = [])),
    responses(
        (status = 200, description = "The details", body = DetailsResponse),
        ExecutionRefusals,
    ))]
pub async fn get_details(
    Extension(ctx): Extension<Arc<Ctx>>,
    call: OnExecution,
) -> Result<axum::Json<DetailsResponse>, JumioError> {
    let OnExecution {
        state,
        tenant,
        account: subject,
        process,
        record,
    } = call;
    let mut credentials = Vec::with_capacity(record.credentials.len());
    for c in &record.credentials {
        let part = |classifier: String| PartRef {
            href: ctx.urls.image(subject.id, c.id, &classifier),
            classifier,
        };
        // Read as the acquisition calls and the image path read them (`file_for`).
        let files = files_of(&state, &tenant, subject.id, c).await?;
        let mut parts: Vec<PartRef> = c
            .doc()
            .map(|doc| mapping::parts_of(&files, doc, c.category))
            .unwrap_or_default()
            .into_iter()
            .map(|(classifier, _)| part(classifier))
            .collect();
        if c.prepared_data.is_some() {
            parts.push(part("PREPARED_DATA".into()));
        }
        credentials.push(CredentialDetails {
            id: c.id,
            category: c.category,
            parts,
        });
    }
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
        steps: record.is_kyx().then(|| StepsRef {
            href: ctx.urls.steps(subject.id, process.id),
        }),
        capabilities: record.capabilities.clone(),
    }))
}

/// The part download's success answers: the file with the media type of its content, or
/// (`PREPARED_DATA`) the JSON a DATA credential was given.
pub struct PartResponses;

impl utoipa::IntoResponses for PartResponses {
    fn responses() -> std::collections::BTreeMap<String, RefOr<utoipa::openapi::Response>> {
        use utoipa::openapi::schema::{Object, Schema};
        let mut all = <common::download::FileResponses as utoipa::IntoResponses>::responses();
        if let Some(RefOr::T(ok)) = all.get_mut("200") {
            ok.content.insert(
                "application/json".into(),
                RefOr::T(
                    utoipa::openapi::ContentBuilder::new()
                        .schema(Some(RefOr::T(Schema::Object(Object::new()))))
                        .build(),
                ),
            );
        }
        all
    }
}

/// The credential with this id in one of the account's workflow executions (the oldest
/// first), if any.
async fn credential_of(
    state: &AppState,
    tenant: &TenantId,
    subject: Uuid,
    id: Uuid,
) -> Result<Option<mapping::StoredCredential>, Error> {
    let ns = namespace();
    let scope = ProcessScope {
        subject_id: subject,
        namespace: &ns,
        kind: EXECUTION,
    };
    match state.store.credential_of(tenant, scope, id).await {
        Ok(c) => mapping::StoredCredential::from_row(&c).map(Some),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Get the image of a part: any document of the account (a credential id is a document id),
/// by classifier (`FRONT`, `BACK`, `FACE`, `PAGE_<n>`, `DOCUMENT` for a file that is no
/// side of anything); a DATA credential's `PREPARED_DATA` is its JSON.
#[utoipa::path(get, path = "/api/v1/accounts/{accountId}/credentials/{credentialId}/parts/{classifier}", operation_id = "getPartImage", tag = "Retrieval",
    params(
        ("accountId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("classifier" = String, Path, description = "FRONT, BACK, FACE, PAGE_<n>, DOCUMENT, or PREPARED_DATA (a DATA credential's JSON, as sent)"),
        UserAgent,
    ),
    security(("access_token" = []), ("basic" = [])),
    responses(
        PartResponses,
        IdRefusals,
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
    let stored = credential_of(&state, &tenant, subject.id, credential).await?;
    if classifier == "PREPARED_DATA" {
        let data = stored
            .and_then(|c| c.prepared_data)
            .ok_or(Error::NotFound("part"))?;
        return Ok(axum::Json(data).into_response());
    }
    let side = mapping::side_named(&classifier).ok_or(Error::NotFound("part"))?;
    // A Jumio credential whose document was deleted elsewhere keeps its id; its parts are
    // in the document it moved to.
    let doc = stored.and_then(|c| c.doc()).unwrap_or(credential);
    let files = state
        .store
        .document_files_of(&tenant, subject.id, doc)
        .await?;
    let file = mapping::file_for(&files, doc, side).ok_or(Error::NotFound("part"))?;
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
