//! Prepared data (`…/parts/PREPARED_DATA`, DATA credentials) and prefill (ID credentials):
//! the personal-data body stored on the execution, and the canonical document it declares.

use std::sync::Arc;

use axum::extract::{Extension, State};
use uuid::Uuid;

use super::accounts::{Ctx, Path};
use super::auth::ApiToken;
use super::error::JumioError;
use super::mapping;
use super::parts::{delete_part, document_of, envelope, extras, open, touch};
use super::personal::{
    PersonalBody, check_patch, declare, new_document, patch_of, patch_replacing, personal,
};
use super::wire::{Category, ErrorBody, PartResponse};
use crate::error::Error;
use crate::model::DocumentKind;
use crate::state::AppState;

/// Add prepared data to a DATA credential (`POST …/parts/PREPARED_DATA`, JSON). An `id`
/// section with a number becomes a canonical document, visible through the other APIs.
#[utoipa::path(post, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/PREPARED_DATA", operation_id = "addPreparedData", tag = "Acquisition",
    request_body = PersonalBody,
    params(
        ("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("User-Agent" = String, Header, description = "Required"),
    ),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        (status = 200, description = "Stored; a second POST replaces the data, as PUT does (keys read back sorted)", body = PartResponse),
        (status = 400, description = "A malformed field (named), or not a DATA credential", body = ErrorBody),
        (status = 401, description = "No or expired api.token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "Not this token's account, execution or credential", body = ErrorBody),
        (status = 409, description = "The execution is no longer INITIATED", body = ErrorBody),
        (status = 413, description = "Body over server.json_body_limit", body = ErrorBody),
    ))]
pub async fn add_prepared_data(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    token: ApiToken,
    Path((account, execution, credential_id)): Path<(Uuid, Uuid, Uuid)>,
    super::accounts::Body(bytes): super::accounts::Body,
) -> Result<axum::Json<PartResponse>, JumioError> {
    // Held to the last write: whether the credential already has a data document is
    // decided from what every earlier call wrote, so one credential never gets two.
    let _held = ctx.locks.lock(token.execution).await;
    let (_, record) = open(&state, &token, account, execution).await?;
    let credential = record.credential(credential_id)?.clone();
    if credential.category != Category::Data {
        return Err(Error::invalid("classifier", "PREPARED_DATA is for DATA credentials").into());
    }
    let (value, declared) = personal(&bytes)?;
    let tenant = &token.tenant;
    let has_number = declared.number.is_some();
    // The data document holds only what the current data says: a replacement overwrites
    // every field, and data without an `id` number has no document.
    let patch = patch_replacing(declared);
    let old = document_of(&state, tenant, credential.data_document).await?;
    // Everything is checked before anything is written: a document that the `id` section
    // would create is validated as a whole first.
    let document = match (&old, has_number) {
        (_, false) => None,
        (Some(d), true) => {
            check_patch(&state, tenant, d.id, &patch).await?;
            Some((d.id, false))
        }
        (None, true) => {
            let new = new_document(&patch, DocumentKind::IdCard, extras(&credential))?;
            let doc = state.store.create_document(tenant, account, new).await?;
            Some((doc.id, true))
        }
    };
    let recorded = touch(&state, &token, account, execution, |r| {
        for c in r.credentials.iter_mut().filter(|c| c.id == credential_id) {
            c.prepared_data = Some(value.clone());
            c.data_document = document.map(|(d, _)| d);
        }
    })
    .await;
    match (recorded, document) {
        (Err(e), Some((d, true))) => {
            // The action was refused: the document made for it goes too.
            let _ = state.store.delete_document(tenant, d).await;
            return Err(e);
        }
        (Err(e), _) => return Err(e),
        (Ok(_), Some((d, false))) => declare(&state, tenant, d, patch).await?,
        (Ok(_), _) => {}
    }
    if let (Some(d), false) = (&old, has_number) {
        // Replaced by data without an `id` section: its document goes with it.
        match state.store.delete_document(tenant, d.id).await {
            Ok(()) | Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(axum::Json(envelope(
        &ctx,
        &token,
        &credential,
        credential.id,
    )))
}

/// Replace prepared data: the same as adding it.
#[utoipa::path(put, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/PREPARED_DATA", operation_id = "updatePreparedData", tag = "Acquisition",
    request_body = PersonalBody,
    params(
        ("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("User-Agent" = String, Header, description = "Required"),
    ),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        (status = 200, description = "Stored", body = PartResponse),
        (status = 400, description = "A malformed field (named), or not a DATA credential", body = ErrorBody),
        (status = 401, description = "No or expired api.token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "Not this token's account, execution or credential", body = ErrorBody),
        (status = 409, description = "The execution is no longer INITIATED", body = ErrorBody),
        (status = 413, description = "Body over server.json_body_limit", body = ErrorBody),
    ))]
pub async fn update_prepared_data(
    state: State<AppState>,
    ctx: Extension<Arc<Ctx>>,
    token: ApiToken,
    path: Path<(Uuid, Uuid, Uuid)>,
    super::accounts::Body(bytes): super::accounts::Body,
) -> Result<axum::Json<PartResponse>, JumioError> {
    add_prepared_data(state, ctx, token, path, super::accounts::Body(bytes)).await
}

/// Delete prepared data.
#[utoipa::path(delete, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/PREPARED_DATA", operation_id = "deletePreparedData", tag = "Acquisition",
    params(
        ("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("User-Agent" = String, Header, description = "Required"),
    ),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        (status = 200, description = "Deleted", body = PartResponse),
        (status = 400, description = "Not a part classifier, or a malformed id", body = ErrorBody),
        (status = 401, description = "No or expired api.token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "No prepared data", body = ErrorBody),
        (status = 409, description = "The execution is no longer INITIATED", body = ErrorBody),
    ))]
pub async fn delete_prepared_data(
    state: State<AppState>,
    ctx: Extension<Arc<Ctx>>,
    token: ApiToken,
    Path((account, execution, credential)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<axum::Json<PartResponse>, JumioError> {
    delete_part(
        state,
        ctx,
        token,
        Path((account, execution, credential, "PREPARED_DATA".into())),
    )
    .await
}

/// Prefill an ID credential with what the customer already knows (the personal-data body,
/// seed 004's prefill parameters): the credential's document takes the number, dates, type
/// and holder. `PUT …/credentials/{credentialId}/data`, the form the research brief names
/// (DIGEST §4); `POST …/prefill` is an alias (see `prefill`).
#[utoipa::path(put, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/data", operation_id = "prefillCredentialData", tag = "Acquisition",
    request_body = PersonalBody,
    params(
        ("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("User-Agent" = String, Header, description = "Required"),
    ),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        (status = 200, description = "Stored", body = PartResponse),
        (status = 400, description = "A malformed field (named), or not an ID credential", body = ErrorBody),
        (status = 401, description = "No or expired api.token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "Not this token's account, execution or credential", body = ErrorBody),
        (status = 409, description = "The execution is no longer INITIATED", body = ErrorBody),
        (status = 413, description = "Body over server.json_body_limit", body = ErrorBody),
    ))]
pub async fn prefill_data(
    state: State<AppState>,
    ctx: Extension<Arc<Ctx>>,
    token: ApiToken,
    path: Path<(Uuid, Uuid, Uuid)>,
    body: super::accounts::Body,
) -> Result<axum::Json<PartResponse>, JumioError> {
    prefill(state, ctx, token, path, body).await
}

/// Prefill, at the path idbridge served before `PUT …/data` (an alias, deprecated): clients
/// written against idbridge's earlier OpenAPI document use it, so it stays.
#[utoipa::path(post, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/prefill", operation_id = "prefillCredential", tag = "Acquisition",
    request_body = PersonalBody,
    params(
        ("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("User-Agent" = String, Header, description = "Required"),
    ),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        (status = 200, description = "Stored", body = PartResponse),
        (status = 400, description = "A malformed field (named), or not an ID credential", body = ErrorBody),
        (status = 401, description = "No or expired api.token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "Not this token's account, execution or credential", body = ErrorBody),
        (status = 409, description = "The execution is no longer INITIATED", body = ErrorBody),
        (status = 413, description = "Body over server.json_body_limit", body = ErrorBody),
    ))]
pub async fn prefill(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    token: ApiToken,
    Path((account, execution, credential_id)): Path<(Uuid, Uuid, Uuid)>,
    super::accounts::Body(bytes): super::accounts::Body,
) -> Result<axum::Json<PartResponse>, JumioError> {
    // Held to the last write, as for parts: a prefill may start the credential's document.
    let _held = ctx.locks.lock(token.execution).await;
    let (_, record) = open(&state, &token, account, execution).await?;
    let credential = record.credential(credential_id)?.clone();
    if credential.category != Category::Id || credential.reused {
        return Err(Error::invalid(
            "credentialId",
            "prefill is for ID credentials of this execution",
        )
        .into());
    }
    let (value, declared) = personal(&bytes)?;
    let patch = patch_of(declared);
    let tenant = &token.tenant;
    let Some(doc) = document_of(&state, tenant, credential.doc()).await? else {
        // The document was deleted through another API: the prefill starts a new one.
        let kind = mapping::kind_for(Category::Id, &credential.id_types);
        let new = new_document(&patch, kind, extras(&credential))?;
        let doc = state.store.create_document(tenant, account, new).await?;
        let recorded = touch(&state, &token, account, execution, |r| {
            for c in r.credentials.iter_mut().filter(|c| c.id == credential_id) {
                c.prefill = Some(value.clone());
                c.document = Some(doc.id);
            }
        })
        .await;
        if let Err(e) = recorded {
            let _ = state.store.delete_document(tenant, doc.id).await;
            return Err(e);
        }
        return Ok(axum::Json(envelope(
            &ctx,
            &token,
            &credential,
            credential.id,
        )));
    };
    check_patch(&state, tenant, doc.id, &patch).await?;
    touch(&state, &token, account, execution, |r| {
        for c in r.credentials.iter_mut().filter(|c| c.id == credential_id) {
            c.prefill = Some(value.clone());
        }
    })
    .await?;
    declare(&state, tenant, doc.id, patch).await?;
    Ok(axum::Json(envelope(
        &ctx,
        &token,
        &credential,
        credential.id,
    )))
}
