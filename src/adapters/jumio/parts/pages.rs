//! A DOCUMENT credential's pages: the documented upload (`POST …/credentials/{credentialId}/parts`)
//! and the pages the part alias `…/parts/DOCUMENT` and the web page add.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;

use super::execution::{CredentialRefusals, OnCredential, action};
use super::form::{PartForm, files_of, new_document, stage_form, takes_parts};
use crate::adapters::jumio::error::JumioError;
use crate::adapters::jumio::mapping::MAX_PAGES;
use crate::adapters::jumio::wire::{Category, ErrorBody, PartResponse};
use crate::error::Error;
use crate::model::FileSide;
use crate::ops;

/// Upload a document: the pages of a DOCUMENT credential, as one or more `file` images (each
/// the next page) or one PDF alone. Seed 004's "Uploads a specified document (image(s)/single
/// pdf)" names no classifier: the pages go to the credential's parts.
#[utoipa::path(post, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts", operation_id = "uploadDocument", tag = "Acquisition",
    request_body(content = PartForm, content_type = "multipart/form-data"),
    params(OnCredential),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        CredentialRefusals,
        (status = 200, description = "Stored; `part` is the first new page", body = PartResponse),
        (status = 400, description = "Not a DOCUMENT credential, an image too small or too large, past 10 pages, or a PDF with other pages", body = ErrorBody),
        (status = 413, description = "A page over 15 MB", body = ErrorBody),
        (status = 415, description = "Not a JPEG, PNG or PDF", body = ErrorBody),
    ))]
pub async fn upload_document(
    call: OnCredential,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<axum::Json<PartResponse>, JumioError> {
    add_pages(&call, multipart).await
}

/// Pages of a DOCUMENT credential: each `file` part is the next page (JPEG or PNG), or the
/// whole document is one PDF.
pub(in crate::adapters::jumio) async fn add_pages(
    call: &OnCredential,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<axum::Json<PartResponse>, JumioError> {
    let (process, record, credential) = call.open().await?;
    takes_parts(&credential)?;
    if credential.category != Category::Document {
        return Err(Error::invalid("classifier", "DOCUMENT is for DOCUMENT credentials").into());
    }
    let (state, tenant) = (&call.state, &call.token.tenant);
    // Refused while the form is read once past the page limit (the operation decides the
    // limit, the page numbers and "a PDF only alone" again in its transaction).
    let count = files_of(state, tenant, call.account, &credential)
        .await?
        .len();
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
    let pages = ops::capture::Pages {
        credential: credential.id,
        max_pages: MAX_PAGES,
    };
    let stored = ops::capture::add_pages(
        &state.store,
        &call.target(&process),
        &action(&record),
        pages,
        |_| new_document(&credential),
        staged,
    )
    .await?;
    let part = stored.first().map_or(credential.id, |f| f.id);
    Ok(call.envelope(&credential, part))
}
