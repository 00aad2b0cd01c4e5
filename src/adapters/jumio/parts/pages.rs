//! A DOCUMENT credential's pages: the documented upload (`POST …/credentials/{credentialId}/parts`)
//! and the pages the part alias `…/parts/DOCUMENT` and the web page add.

use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Extension, Multipart, State};
use uuid::Uuid;

use super::execution::{Refusals, action, envelope, open, target};
use super::form::{PartForm, files_of, new_document, stage_form, takes_parts};
use crate::adapters::jumio::accounts::{Ctx, Path, namespace};
use crate::adapters::jumio::auth::ApiToken;
use crate::adapters::jumio::context::UserAgent;
use crate::adapters::jumio::error::JumioError;
use crate::adapters::jumio::mapping::MAX_PAGES;
use crate::adapters::jumio::wire::{Category, ErrorBody, PartResponse};
use crate::error::Error;
use crate::model::FileSide;
use crate::ops;
use crate::state::AppState;

/// Upload a document: the pages of a DOCUMENT credential, as one or more `file` images (each
/// the next page) or one PDF alone. Seed 004's "Uploads a specified document (image(s)/single
/// pdf)" names no classifier: the pages go to the credential's parts.
#[utoipa::path(post, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts", operation_id = "uploadDocument", tag = "Acquisition",
    request_body(content = PartForm, content_type = "multipart/form-data"),
    params(
        ("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("credentialId" = Uuid, Path),
        UserAgent,
    ),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        Refusals,
        (status = 200, description = "Stored; `part` is the first new page", body = PartResponse),
        (status = 400, description = "Not a DOCUMENT credential, an image too small or too large, past 10 pages, or a PDF with other pages", body = ErrorBody),
        (status = 404, description = "Not this token's account, execution or credential", body = ErrorBody),
        (status = 409, description = "The execution is no longer INITIATED", body = ErrorBody),
        (status = 413, description = "A page over 15 MB", body = ErrorBody),
        (status = 415, description = "Not a JPEG, PNG or PDF", body = ErrorBody),
    ))]
pub async fn upload_document(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    token: ApiToken,
    Path((account, execution, credential)): Path<(Uuid, Uuid, Uuid)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<axum::Json<PartResponse>, JumioError> {
    let path = (account, execution, credential, "DOCUMENT".to_owned());
    add_pages(&state, &ctx, &token, path, multipart).await
}
/// Pages of a DOCUMENT credential: each `file` part is the next page (JPEG or PNG), or the
/// whole document is one PDF.
pub(in crate::adapters::jumio) async fn add_pages(
    state: &AppState,
    ctx: &Ctx,
    token: &ApiToken,
    (account, execution, credential_id, _): (Uuid, Uuid, Uuid, String),
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<axum::Json<PartResponse>, JumioError> {
    let (process, record) = open(state, token, account, execution).await?;
    let credential = record.credential(credential_id)?.clone();
    takes_parts(&credential)?;
    if credential.category != Category::Document {
        return Err(Error::invalid("classifier", "DOCUMENT is for DOCUMENT credentials").into());
    }
    let tenant = &token.tenant;
    // Refused while the form is read once past the page limit (the operation decides the
    // limit, the page numbers and "a PDF only alone" again in its transaction).
    let count = files_of(state, tenant, account, &credential).await?.len();
    let staged = stage_form(
        state,
        tenant,
        process.subject_id,
        multipart,
        |i| {
            if count + i + 1 > MAX_PAGES as usize {
                return Err(Error::LimitExceeded {
                    what: "pages per document",
                    limit: MAX_PAGES.into(),
                });
            }
            Ok(FileSide::None)
        },
        true,
    )
    .await?;
    let ns = namespace();
    let pages = ops::capture::Pages {
        credential: credential.id,
        max_pages: MAX_PAGES,
    };
    let stored = ops::capture::add_pages(
        &state.store,
        &target(token, &process, &ns),
        &action(&record),
        pages,
        |_| new_document(&credential),
        staged,
    )
    .await?;
    let part = stored.first().map_or(credential.id, |f| f.id);
    Ok(axum::Json(envelope(ctx, token, &credential, part)))
}
