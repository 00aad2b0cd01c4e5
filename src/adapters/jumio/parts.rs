//! The acquisition calls, opened by a workflow execution's `api.token` (or its `sdk.token`):
//! add, replace and delete parts; a DOCUMENT credential's pages. Finalize is in `finalize`,
//! prepared data and prefill in `data`. The web page stores its parts through the same
//! functions (`put_part`, `add_pages`), so every part is checked the same way whichever
//! channel brings it.

use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Extension, Multipart, State};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::accounts::{Ctx, Path, namespace};
use super::auth::ApiToken;
use super::error::JumioError;
use super::mapping::{self, Execution, MAX_PAGES, StoredCredential};
use super::wire::{ApiChannel, Category, ErrorBody, Id, PartResponse};
use crate::adapters::common;
use crate::error::Error;
use crate::media::MediaType;
use crate::model::{
    Document, FileSide, Namespace, NewDocument, NewFile, Process, StoredFile, TenantId,
};
use crate::ops;
use crate::state::AppState;
use crate::store::PutRules;

/// Refuses an action on an execution that is no longer `INITIATED` (409).
fn takes_actions(p: &Process, now: DateTime<Utc>) -> Result<(), Error> {
    let status = mapping::process_status(p, p.started_at, now);
    if status != super::wire::Status::Initiated {
        return Err(Error::Conflict(format!(
            "the workflow execution is {}",
            serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )));
    }
    Ok(())
}

/// The open execution a token opens, with its record: read before an operation so that a
/// request that cannot succeed is refused before its body is read. The operation checks
/// again inside its transaction, which is what decides.
pub(super) async fn open(
    state: &AppState,
    token: &ApiToken,
    account: Uuid,
    execution: Uuid,
) -> Result<(Process, Execution), JumioError> {
    token.opens(account, execution)?;
    let (_, process, record) =
        super::accounts::execution(state, &token.tenant, account, execution).await?;
    takes_actions(&process, Utc::now())?;
    Ok((process, record))
}

/// The execution an operation writes to.
pub(super) fn target<'a>(
    token: &'a ApiToken,
    process: &Process,
    ns: &'a Namespace,
) -> ops::Target<'a> {
    ops::Target {
        tenant: &token.tenant,
        subject: process.subject_id,
        process: process.id,
        namespace: ns,
        kind: mapping::EXECUTION,
    }
}

/// An action on the execution: it must still be `INITIATED`; it marks the execution started
/// and moves its session to 15 minutes from now (never past its token).
pub(super) fn action(record: &Execution) -> ops::Action<impl Fn(&Process) -> Result<(), Error>> {
    let now = Utc::now();
    ops::Action {
        now,
        session: chrono::Duration::minutes(mapping::SESSION_TIMEOUT_MINUTES),
        until: record.token_expires_at,
        accepts: move |p: &Process| takes_actions(p, now),
    }
}

pub(super) fn envelope(
    ctx: &Ctx,
    token: &ApiToken,
    credential: &StoredCredential,
    part: Uuid,
) -> PartResponse {
    let (a, w) = (token.account, token.execution);
    PartResponse {
        timestamp: mapping::timestamp(Utc::now()),
        account: Id { id: a },
        workflow_execution: Id { id: w },
        credential: Id { id: credential.id },
        part: Id { id: part },
        api: ApiChannel {
            token: token.token.clone(),
            parts: ctx.urls.parts(a, w, credential),
            workflow_execution: ctx.urls.execution(a, w),
        },
    }
}

/// Jumio's image rules, from the header: JPEG or PNG, at most 8000 × 8000, longest side
/// above 300 px. A DOCUMENT page may also be a PDF.
fn image_rules(pdf_allowed: bool) -> PutRules {
    PutRules {
        max_size: mapping::MAX_PART_SIZE,
        max_files_per_document: 100,
        accept: Box::new(move |s| {
            match s.media_type {
                MediaType::Jpeg | MediaType::Png => {}
                MediaType::Pdf if pdf_allowed => return Ok(()),
                _ => {
                    return Err(Error::UnsupportedMediaType(if pdf_allowed {
                        "a page must be a JPEG or PNG image, or a PDF".into()
                    } else {
                        "a part must be a JPEG or PNG image".into()
                    }));
                }
            }
            let (Some(w), Some(h)) = (s.width, s.height) else {
                return Err(Error::invalid("file", "the image size cannot be read"));
            };
            if w > mapping::MAX_SIDE || h > mapping::MAX_SIDE {
                return Err(Error::invalid(
                    "file",
                    "the image is larger than 8000 × 8000",
                ));
            }
            if w.max(h) <= mapping::MIN_LONGEST_SIDE {
                return Err(Error::invalid(
                    "file",
                    "the longest side must be above 300 px",
                ));
            }
            Ok(())
        }),
    }
}

/// The credential's stored files (none when it holds no document, or its document is gone).
async fn files_of(
    state: &AppState,
    tenant: &TenantId,
    subject: Uuid,
    credential: &StoredCredential,
) -> Result<Vec<StoredFile>, JumioError> {
    let Some(doc) = credential.doc() else {
        return Ok(Vec::new());
    };
    Ok(state
        .store
        .list_files(tenant, subject)
        .await?
        .into_iter()
        .filter(|f| f.document_id == Some(doc))
        .collect())
}

/// The document with this id, or `None` when there is none or it is gone: another API may
/// delete a credential's document, which then reads as a credential with no parts or data.
pub(super) async fn document_of(
    state: &AppState,
    tenant: &TenantId,
    id: Option<Uuid>,
) -> Result<Option<Document>, Error> {
    let Some(id) = id else { return Ok(None) };
    match state.store.get_document(tenant, id).await {
        Ok(d) => Ok(Some(d)),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The extras idbridge writes on a credential's document.
pub(super) fn extras(
    credential: &StoredCredential,
) -> std::collections::BTreeMap<String, serde_json::Value> {
    [(
        mapping::NAMESPACE.to_owned(),
        serde_json::json!({
            "category": credential.category,
            "idTypes": credential.id_types,
            "credential": credential.id,
        }),
    )]
    .into()
}

/// The new document a credential's parts go to when another API deleted its document.
fn new_document(credential: &StoredCredential) -> Result<crate::model::ValidNewDocument, Error> {
    NewDocument {
        kind: Some(mapping::kind_for(credential.category, &credential.id_types)),
        extras: extras(credential),
        ..Default::default()
    }
    .validate()
}

/// Refuses parts on a credential the execution reuses (captured before, no API channel).
fn takes_parts(credential: &StoredCredential) -> Result<(), Error> {
    if credential.reused {
        return Err(Error::invalid(
            "credentialId",
            "this credential was captured before and is only referenced; it takes no parts",
        ));
    }
    if credential.category == Category::Facemap {
        return Err(Error::invalid(
            "classifier",
            "a FACEMAP credential takes no parts through the API",
        ));
    }
    Ok(())
}

/// Stages every `file` part of a form (without a document: the operation puts them on the
/// credential's document), checking `side` for each.
async fn stage_form(
    state: &AppState,
    tenant: &TenantId,
    subject: Uuid,
    multipart: Result<Multipart, MultipartRejection>,
    mut side: impl FnMut(usize) -> Result<FileSide, Error>,
    pdf_allowed: bool,
) -> Result<Vec<crate::store::StagedFile>, JumioError> {
    let mut multipart = multipart.map_err(|r| JumioError::Body(r.body_text()))?;
    let mut staged = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| common::multipart::error(e, "file"))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let new = NewFile {
            subject_id: subject,
            document_id: None,
            side: side(staged.len())?,
            name: field.file_name().map(str::to_owned),
            extras: Default::default(),
        };
        let body = common::multipart::stream(field, "file");
        staged.push(
            state
                .store
                .stage_file(tenant, new, image_rules(pdf_allowed), body)
                .await?,
        );
    }
    if staged.is_empty() {
        return Err(Error::invalid("file", "is required").into());
    }
    Ok(staged)
}

/// Stores one side (FRONT, BACK, FACE) of a credential from a form's `file`: added, or, with
/// `replace`, replacing the side on file.
pub(super) async fn put_part(
    state: &AppState,
    ctx: &Ctx,
    token: &ApiToken,
    (account, execution, credential_id, classifier): (Uuid, Uuid, Uuid, String),
    multipart: Result<Multipart, MultipartRejection>,
    replace: bool,
) -> Result<axum::Json<PartResponse>, JumioError> {
    let (process, record) = open(state, token, account, execution).await?;
    let credential = record.credential(credential_id)?.clone();
    takes_parts(&credential)?;
    if credential.category == Category::Document {
        return Err(Error::invalid(
            "classifier",
            "a DOCUMENT credential takes pages: POST …/credentials/{credentialId}/parts",
        )
        .into());
    }
    let side = mapping::side_of(credential.category, &classifier)?;
    if credential.category == Category::Data {
        return Err(
            Error::invalid("classifier", "PREPARED_DATA takes a JSON body, not a file").into(),
        );
    }
    let tenant = &token.tenant;
    // Refused before the body is read when the part is on file (the operation decides
    // again in its transaction). The part as retrieval and finalize read it: a passport's
    // PAGE_1 is its FRONT, so a FRONT next to it would be a second one.
    let files = files_of(state, tenant, account, &credential).await?;
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
    let ns = namespace();
    let part = ops::capture::Side {
        credential: credential.id,
        side,
        stands_in: mapping::stands_in(side),
        replace,
        max_files: 100,
    };
    let stored = ops::capture::add_part(
        &state.store,
        &target(token, &process, &ns),
        &action(&record),
        part,
        |_| new_document(&credential),
        file,
    )
    .await?;
    Ok(axum::Json(envelope(ctx, token, &credential, stored.id)))
}

/// Add a part to a credential: `file`, a JPEG or PNG. `DOCUMENT` is an alias of the
/// document upload (`POST …/credentials/{credentialId}/parts`), kept because idbridge handed
/// this URL out in `api.parts` before it served the documented form.
#[utoipa::path(post, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/{classifier}", operation_id = "addPart", tag = "Acquisition",
    request_body(content = PartForm, content_type = "multipart/form-data"),
    params(
        ("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("classifier" = String, Path, description = "FRONT, BACK (ID), FACE (SELFIE); DOCUMENT: alias of uploadDocument"),
        ("User-Agent" = String, Header, description = "Required"),
    ),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        (status = 200, description = "Stored", body = PartResponse),
        (status = 400, description = "A classifier this credential does not take, an image too small or too large", body = ErrorBody),
        (status = 401, description = "No or expired api.token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "Not this token's account, execution or credential", body = ErrorBody),
        (status = 409, description = "The part exists (PUT replaces it), or the execution is no longer INITIATED", body = ErrorBody),
        (status = 413, description = "Over 15 MB", body = ErrorBody),
        (status = 415, description = "Not a JPEG or PNG", body = ErrorBody),
    ))]
pub async fn add_part(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    token: ApiToken,
    Path(path): Path<(Uuid, Uuid, Uuid, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<axum::Json<PartResponse>, JumioError> {
    if path.3 == "DOCUMENT" {
        return add_pages(&state, &ctx, &token, path, multipart).await;
    }
    put_part(&state, &ctx, &token, path, multipart, false).await
}

/// Update a part: replaces it (or adds it when missing).
#[utoipa::path(put, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/{classifier}", operation_id = "updatePart", tag = "Acquisition",
    request_body(content = PartForm, content_type = "multipart/form-data"),
    params(
        ("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("classifier" = String, Path, description = "FRONT, BACK (ID), FACE (SELFIE)"),
        ("User-Agent" = String, Header, description = "Required"),
    ),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        (status = 200, description = "Replaced", body = PartResponse),
        (status = 400, description = "A classifier this credential does not take, an image too small or too large", body = ErrorBody),
        (status = 401, description = "No or expired api.token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "Not this token's account, execution or credential", body = ErrorBody),
        (status = 409, description = "The execution is no longer INITIATED", body = ErrorBody),
        (status = 413, description = "Over 15 MB", body = ErrorBody),
        (status = 415, description = "Not a JPEG or PNG", body = ErrorBody),
    ))]
pub async fn update_part(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    token: ApiToken,
    Path(path): Path<(Uuid, Uuid, Uuid, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<axum::Json<PartResponse>, JumioError> {
    put_part(&state, &ctx, &token, path, multipart, true).await
}

/// Upload a document: the pages of a DOCUMENT credential, as one or more `file` images (each
/// the next page) or one PDF alone. Seed 004's "Uploads a specified document (image(s)/single
/// pdf)" names no classifier: the pages go to the credential's parts.
#[utoipa::path(post, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts", operation_id = "uploadDocument", tag = "Acquisition",
    request_body(content = PartForm, content_type = "multipart/form-data"),
    params(
        ("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("User-Agent" = String, Header, description = "Required"),
    ),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        (status = 200, description = "Stored; `part` is the first new page", body = PartResponse),
        (status = 400, description = "Not a DOCUMENT credential, an image too small or too large, past 10 pages, or a PDF with other pages", body = ErrorBody),
        (status = 401, description = "No or expired api.token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
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

/// Body of a part upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the form; the part is streamed by hand
pub struct PartForm {
    /// JPEG or PNG, at most 15 MB and 8000 × 8000, longest side above 300 px (a DOCUMENT
    /// page may also be a PDF).
    #[schema(format = Binary, value_type = String)]
    pub file: Vec<u8>,
}

/// Pages of a DOCUMENT credential: each `file` part is the next page (JPEG or PNG), or the
/// whole document is one PDF.
pub(super) async fn add_pages(
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

/// Delete a part: unrecoverable.
#[utoipa::path(delete, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/{classifier}", operation_id = "deletePart", tag = "Acquisition",
    params(
        ("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("classifier" = String, Path, description = "FRONT, BACK, FACE, PAGE_<n>, PREPARED_DATA"),
        ("User-Agent" = String, Header, description = "Required"),
    ),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        (status = 200, description = "Deleted", body = PartResponse),
        (status = 400, description = "Not a part classifier, or a malformed id", body = ErrorBody),
        (status = 401, description = "No or expired api.token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "No such part", body = ErrorBody),
        (status = 409, description = "The execution is no longer INITIATED", body = ErrorBody),
    ))]
pub async fn delete_part(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    token: ApiToken,
    Path((account, execution, credential_id, classifier)): Path<(Uuid, Uuid, Uuid, String)>,
) -> Result<axum::Json<PartResponse>, JumioError> {
    let (process, record) = open(&state, &token, account, execution).await?;
    let credential = record.credential(credential_id)?.clone();
    let ns = namespace();
    let t = target(&token, &process, &ns);
    if classifier == "PREPARED_DATA" && credential.category == Category::Data {
        ops::data::drop_prepared(&state.store, &t, &action(&record), credential.id, true).await?;
        return Ok(axum::Json(envelope(
            &ctx,
            &token,
            &credential,
            credential.id,
        )));
    }
    takes_parts(&credential)?;
    let side = mapping::side_named(&classifier)
        .ok_or_else(|| Error::invalid("classifier", "is not a part classifier"))?;
    let file = ops::capture::delete_part(
        &state.store,
        &t,
        &action(&record),
        credential.id,
        side,
        mapping::stands_in(side),
    )
    .await?;
    Ok(axum::Json(envelope(&ctx, &token, &credential, file)))
}

/// Delete every part (every page) of a credential.
#[utoipa::path(delete, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts", operation_id = "deleteAllParts", tag = "Acquisition",
    params(
        ("accountId" = Uuid, Path), ("workflowExecutionId" = Uuid, Path), ("credentialId" = Uuid, Path),
        ("User-Agent" = String, Header, description = "Required"),
    ),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        (status = 200, description = "Deleted (also when there was nothing)", body = PartResponse),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No or expired api.token", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "Not this token's account, execution or credential", body = ErrorBody),
        (status = 409, description = "The execution is no longer INITIATED", body = ErrorBody),
    ))]
pub async fn delete_all_parts(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    token: ApiToken,
    Path((account, execution, credential_id)): Path<(Uuid, Uuid, Uuid)>,
) -> Result<axum::Json<PartResponse>, JumioError> {
    let (process, record) = open(&state, &token, account, execution).await?;
    let credential = record.credential(credential_id)?.clone();
    let ns = namespace();
    let t = target(&token, &process, &ns);
    if credential.category == Category::Data {
        // A DATA credential's one part is its prepared data.
        ops::data::drop_prepared(&state.store, &t, &action(&record), credential.id, false).await?;
    } else {
        takes_parts(&credential)?;
        ops::capture::delete_parts(&state.store, &t, &action(&record), credential.id).await?;
    }
    Ok(axum::Json(envelope(
        &ctx,
        &token,
        &credential,
        credential.id,
    )))
}
