//! The acquisition calls, opened by a workflow execution's `api.token` (or its `sdk.token`):
//! add, replace and delete parts; a DOCUMENT credential's pages. Finalize is in `finalize`,
//! prepared data and prefill in `data`. The web page stores its parts through the same
//! functions (`put_part`, `add_pages`), so every part is checked the same way whichever
//! channel brings it.
//!
//! The module's pieces: `execution` (the open execution a call acts on, and its answer),
//! `form` (the uploaded files and the credential's document) and `pages` (a DOCUMENT
//! credential's pages). None of them imports this module or another's parent.

mod execution;
mod form;
mod pages;

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;

pub use execution::{
    CredentialRefusals, OnCredential, PartDeleteRefusals, PartRefusals, PrefillRefusals,
    PreparedDataRefusals, Refusals,
};
pub(super) use execution::{action, open, target};
pub use form::PartForm;
pub(super) use form::{credential_document, extras, files_of};
pub(super) use pages::add_pages;
pub use pages::{__path_upload_document, upload_document};

use super::error::JumioError;
use super::mapping;
use super::wire::{Category, ErrorBody, PartResponse};
use crate::error::Error;
use crate::ops;
use form::{new_document, stage_form, takes_parts};

/// Stores one side (FRONT, BACK, FACE) of a credential from a form's `file`: added, or, with
/// `replace`, replacing the side on file.
pub(super) async fn put_part(
    call: &OnCredential,
    multipart: Result<Multipart, MultipartRejection>,
    replace: bool,
) -> Result<axum::Json<PartResponse>, JumioError> {
    let (process, record, credential) = call.open().await?;
    let classifier = call.classifier.as_deref().unwrap_or_default();
    takes_parts(&credential)?;
    if credential.category == Category::Document {
        return Err(Error::invalid(
            "classifier",
            "a DOCUMENT credential takes pages: POST …/credentials/{credentialId}/parts",
        )
        .into());
    }
    let side = mapping::side_of(credential.category, classifier)?;
    if credential.category == Category::Data {
        return Err(
            Error::invalid("classifier", "PREPARED_DATA takes a JSON body, not a file").into(),
        );
    }
    let (state, tenant) = (&call.state, &call.token.tenant);
    // Refused before the body is read when the part is on file (the operation decides
    // again in its transaction). The part as retrieval and finalize read it: a passport's
    // PAGE_1 is its FRONT, so a FRONT next to it would be a second one.
    let files = files_of(state, tenant, call.account, &credential).await?;
    let on_file = credential
        .doc()
        .is_some_and(|doc| mapping::file_for(&files, doc, side).is_some());
    if on_file && !replace {
        return Err(Error::Conflict(format!(
            "the credential already has a {classifier} part; PUT replaces it"
        ))
        .into());
    }
    let mut staged = stage_form(
        state,
        tenant,
        process.subject_id,
        multipart,
        |i| {
            if i == 0 {
                Ok(side)
            } else {
                Err(Error::invalid("file", "send one file per part"))
            }
        },
        false,
    )
    .await?;
    let file = staged
        .pop()
        .ok_or_else(|| Error::invalid("file", "is required"))?;
    let part = ops::capture::Side {
        credential: credential.id,
        side,
        stands_in: mapping::stands_in(side),
        replace,
        max_files: 100,
    };
    let stored = ops::capture::add_part(
        &state.store,
        &call.target(&process),
        &action(&record),
        part,
        |_| new_document(&credential),
        file,
    )
    .await?;
    Ok(call.envelope(&credential, stored.id))
}

/// Add a part to a credential: `file`, a JPEG or PNG. `DOCUMENT` is an alias of the
/// document upload (`POST …/credentials/{credentialId}/parts`), kept because idbridge handed
/// this URL out in `api.parts` before it served the documented form.
#[utoipa::path(post, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/{classifier}", operation_id = "addPart", tag = "Acquisition",
    request_body(content = PartForm, content_type = "multipart/form-data"),
    params(OnCredential, ("classifier" = String, Path, description = "FRONT, BACK (ID), FACE (SELFIE); DOCUMENT: alias of uploadDocument")),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        PartRefusals,
        (status = 200, description = "Stored", body = PartResponse),
        (status = 409, description = "The part exists (PUT replaces it), or the execution is no longer INITIATED", body = ErrorBody),
    ))]
pub async fn add_part(
    call: OnCredential,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<axum::Json<PartResponse>, JumioError> {
    if call.classifier.as_deref() == Some("DOCUMENT") {
        return add_pages(&call, multipart).await;
    }
    put_part(&call, multipart, false).await
}

/// Update a part: replaces it (or adds it when missing).
#[utoipa::path(put, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/{classifier}", operation_id = "updatePart", tag = "Acquisition",
    request_body(content = PartForm, content_type = "multipart/form-data"),
    params(OnCredential, ("classifier" = String, Path, description = "FRONT, BACK (ID), FACE (SELFIE)")),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        PartRefusals,
        (status = 200, description = "Replaced", body = PartResponse),
        (status = 409, description = "The execution is no longer INITIATED", body = ErrorBody),
    ))]
pub async fn update_part(
    call: OnCredential,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<axum::Json<PartResponse>, JumioError> {
    put_part(&call, multipart, true).await
}

/// Delete a part: unrecoverable.
#[utoipa::path(delete, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/{classifier}", operation_id = "deletePart", tag = "Acquisition",
    params(OnCredential, ("classifier" = String, Path, description = "FRONT, BACK, FACE, PAGE_<n>, PREPARED_DATA")),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        PartDeleteRefusals,
        (status = 200, description = "Deleted", body = PartResponse),
        (status = 404, description = "No such part", body = ErrorBody),
    ))]
pub async fn delete_part(call: OnCredential) -> Result<axum::Json<PartResponse>, JumioError> {
    drop_part(&call, call.classifier.as_deref().unwrap_or_default()).await
}

/// Deletes the part `classifier` names: a side or page, or a DATA credential's prepared data.
pub(super) async fn drop_part(
    call: &OnCredential,
    classifier: &str,
) -> Result<axum::Json<PartResponse>, JumioError> {
    let (process, record, credential) = call.open().await?;
    let (store, t, a) = (&call.state.store, call.target(&process), action(&record));
    if classifier == "PREPARED_DATA" && credential.category == Category::Data {
        ops::data::drop_prepared(store, &t, &a, credential.id, true).await?;
        return Ok(call.envelope(&credential, credential.id));
    }
    takes_parts(&credential)?;
    let side = mapping::side_named(classifier)
        .ok_or_else(|| Error::invalid("classifier", "is not a part classifier"))?;
    let stands_in = mapping::stands_in(side);
    let file = ops::capture::delete_part(store, &t, &a, credential.id, side, stands_in).await?;
    Ok(call.envelope(&credential, file))
}

/// Delete every part (every page) of a credential.
#[utoipa::path(delete, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts", operation_id = "deleteAllParts", tag = "Acquisition",
    params(OnCredential),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        CredentialRefusals,
        (status = 200, description = "Deleted (also when there was nothing)", body = PartResponse),
        (status = 400, description = "Malformed id", body = ErrorBody),
    ))]
pub async fn delete_all_parts(call: OnCredential) -> Result<axum::Json<PartResponse>, JumioError> {
    let (process, record, credential) = call.open().await?;
    let (store, t, a) = (&call.state.store, call.target(&process), action(&record));
    if credential.category == Category::Data {
        // A DATA credential's one part is its prepared data.
        ops::data::drop_prepared(store, &t, &a, credential.id, false).await?;
    } else {
        takes_parts(&credential)?;
        ops::capture::delete_parts(store, &t, &a, credential.id).await?;
    }
    Ok(call.envelope(&credential, credential.id))
}
