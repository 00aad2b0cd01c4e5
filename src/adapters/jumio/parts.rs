//! The acquisition calls, opened by a workflow execution's `api.token` (or its `sdk.token`):
//! add, replace and delete parts; a DOCUMENT credential's pages. Finalize is in `finalize`,
//! prepared data and prefill in `data`. The web page stores its parts through the same
//! functions (`put_part`, `add_pages`), so every part is checked the same way whichever
//! channel brings it.

use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Extension, Multipart, State};
use chrono::Utc;
use uuid::Uuid;

use super::accounts::{Ctx, Path};
use super::auth::ApiToken;
use super::error::JumioError;
use super::mapping::{self, Execution, MAX_PAGES, StoredCredential};
use super::wire::{ApiChannel, Category, ErrorBody, Id, PartResponse};
use crate::adapters::common;
use crate::error::Error;
use crate::media::MediaType;
use crate::model::{Document, FileSide, NewDocument, NewFile, Process, StoredFile, TenantId};
use crate::state::AppState;
use crate::store::PutRules;

/// The open execution a token opens, with its record.
pub(super) async fn open(
    state: &AppState,
    token: &ApiToken,
    account: Uuid,
    execution: Uuid,
) -> Result<(Process, Execution), JumioError> {
    token.opens(account, execution)?;
    let (_, process, record) =
        super::retrieval::execution(state, &token.tenant, account, execution).await?;
    let status = mapping::status(&process, &record, Utc::now());
    if status != super::wire::Status::Initiated {
        return Err(Error::Conflict(format!(
            "the workflow execution is {}",
            serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ))
        .into());
    }
    Ok((process, record))
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

/// Records an action before its effect is written: applies `change` to the record, marks
/// the execution started, and moves its session to 15 minutes from now (never past its
/// token). The write is a compare-and-set on the execution as read; a concurrent action
/// makes it read again and retry, and an execution no longer `INITIATED` refuses the action
/// (409) before any file is stored or deleted.
pub(super) async fn touch(
    state: &AppState,
    token: &ApiToken,
    account: Uuid,
    execution: Uuid,
    change: impl Fn(&mut Execution),
) -> Result<Execution, JumioError> {
    let mut attempts = 0;
    loop {
        let (process, mut record) = open(state, token, account, execution).await?;
        change(&mut record);
        let now = Utc::now();
        record.started_at.get_or_insert(now);
        let session = now + chrono::Duration::minutes(mapping::SESSION_TIMEOUT_MINUTES);
        let expires = record.token_expires_at.map_or(session, |t| t.min(session));
        match state
            .store
            .update_process_data(
                &token.tenant,
                &process,
                now,
                &record.to_data()?,
                Some(expires),
            )
            .await
        {
            Ok(_) => return Ok(record),
            Err(Error::Conflict(_)) if attempts < 8 => attempts += 1,
            Err(e) => return Err(e.into()),
        }
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

/// The document a new part of the credential goes to: its document, or, when another API
/// deleted that one, a new document the credential records (`document`) from now on.
async fn part_document(
    state: &AppState,
    token: &ApiToken,
    credential: &StoredCredential,
) -> Result<Uuid, JumioError> {
    let tenant = &token.tenant;
    if let Some(d) = document_of(state, tenant, credential.doc()).await? {
        return Ok(d.id);
    }
    let new = NewDocument {
        kind: Some(mapping::kind_for(credential.category, &credential.id_types)),
        extras: extras(credential),
        ..Default::default()
    };
    let doc = state
        .store
        .create_document(tenant, token.account, new.validate()?)
        .await?;
    repoint(state, token, credential.id, doc.id).await?;
    Ok(doc.id)
}

/// Records that a credential's parts now live in document `doc`; if the execution refuses
/// the action, the document goes again.
async fn repoint(
    state: &AppState,
    token: &ApiToken,
    credential: Uuid,
    doc: Uuid,
) -> Result<(), JumioError> {
    let recorded = touch(state, token, token.account, token.execution, |r| {
        for c in r.credentials.iter_mut().filter(|c| c.id == credential) {
            c.document = Some(doc);
        }
    })
    .await;
    if let Err(e) = recorded {
        let _ = state.store.delete_document(&token.tenant, doc).await;
        return Err(e);
    }
    Ok(())
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

/// Stages every `file` part of a form for the credential's document, with `side` for each.
async fn stage_form(
    state: &AppState,
    tenant: &TenantId,
    subject: Uuid,
    doc: Uuid,
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
            document_id: Some(doc),
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
    // Held to the last write: the exists-check and the document a part goes to are decided
    // from what every earlier call on this execution wrote.
    let _held = ctx.locks.lock(token.execution).await;
    let (_, record) = open(state, token, account, execution).await?;
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
    let files = files_of(state, tenant, account, &credential).await?;
    // The part as retrieval and finalize read it: a passport's PAGE_1 is its FRONT, so a
    // FRONT next to it would be a second one.
    let mut existing: Vec<StoredFile> = files.iter().filter(|f| f.side == side).cloned().collect();
    if existing.is_empty()
        && let Some(doc) = credential.doc()
    {
        existing.extend(mapping::file_for(&files, doc, side).cloned());
    }
    if !existing.is_empty() && !replace {
        return Err(Error::Conflict(format!(
            "the credential already has a {classifier} part; PUT replaces it"
        ))
        .into());
    }
    let doc = part_document(state, token, &credential).await?;
    let mut staged = stage_form(
        state,
        tenant,
        account,
        doc,
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
    touch(state, token, account, execution, |_| {}).await?;
    let stored = state
        .store
        .commit_files(tenant, std::mem::take(&mut staged), 100)
        .await?;
    // The new file is in place before the old one goes, so the part is never missing.
    for old in existing {
        state.store.delete_file(tenant, old.id).await?;
    }
    let part = stored.first().map_or(credential.id, |f| f.id);
    Ok(axum::Json(envelope(ctx, token, &credential, part)))
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
    // Held to the last write: page numbers, the page limit and "a PDF only alone" are
    // decided from every page stored before.
    let _held = ctx.locks.lock(token.execution).await;
    let (_, record) = open(state, token, account, execution).await?;
    let credential = record.credential(credential_id)?.clone();
    takes_parts(&credential)?;
    if credential.category != Category::Document {
        return Err(Error::invalid("classifier", "DOCUMENT is for DOCUMENT credentials").into());
    }
    let tenant = &token.tenant;
    let existing = files_of(state, tenant, account, &credential).await?;
    let count = existing.len();
    // New pages follow the highest page number ever given (kept on the execution record,
    // so deleting every page does not bring numbers back), and never one in use.
    let last = existing
        .iter()
        .filter_map(|f| match f.side {
            FileSide::Page(n) => Some(n),
            _ => None,
        })
        .chain([credential.last_page])
        .max()
        .unwrap_or(0);
    let doc = part_document(state, token, &credential).await?;
    let staged = stage_form(
        state,
        tenant,
        account,
        doc,
        multipart,
        |i| {
            if count + i + 1 > MAX_PAGES as usize {
                return Err(Error::LimitExceeded {
                    what: "pages per document",
                    limit: MAX_PAGES.into(),
                });
            }
            u16::try_from(usize::from(last) + i + 1)
                .map(FileSide::Page)
                .map_err(|_| Error::invalid("file", "too many pages"))
        },
        true,
    )
    .await?;
    let pdfs = existing
        .iter()
        .map(|f| f.media_type)
        .chain(staged.iter().map(|s| s.file().media_type))
        .filter(|m| *m == MediaType::Pdf)
        .count();
    if pdfs > 0 && count + staged.len() > 1 {
        return Err(Error::invalid(
            "file",
            "a PDF is the whole document: send it alone, or send images as pages",
        )
        .into());
    }
    let high = u16::try_from(usize::from(last) + staged.len()).unwrap_or(u16::MAX);
    touch(state, token, account, execution, |r| {
        for c in r.credentials.iter_mut().filter(|c| c.id == credential_id) {
            c.last_page = c.last_page.max(high);
        }
    })
    .await?;
    let stored = state.store.commit_files(tenant, staged, MAX_PAGES).await?;
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
    let _held = ctx.locks.lock(token.execution).await;
    let (_, record) = open(&state, &token, account, execution).await?;
    let credential = record.credential(credential_id)?.clone();
    let tenant = &token.tenant;
    if classifier == "PREPARED_DATA" && credential.category == Category::Data {
        if credential.prepared_data.is_none() {
            return Err(Error::NotFound("part").into());
        }
        drop_prepared_data(&state, &token, &credential).await?;
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
    let files = files_of(&state, tenant, account, &credential).await?;
    let file = credential
        .doc()
        .and_then(|doc| mapping::file_for(&files, doc, side))
        .cloned()
        .ok_or(Error::NotFound("part"))?;
    touch(&state, &token, account, execution, |_| {}).await?;
    state.store.delete_file(tenant, file.id).await?;
    Ok(axum::Json(envelope(&ctx, &token, &credential, file.id)))
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
    let _held = ctx.locks.lock(token.execution).await;
    let (_, record) = open(&state, &token, account, execution).await?;
    let credential = record.credential(credential_id)?.clone();
    if credential.category == Category::Data {
        // A DATA credential's one part is its prepared data.
        if credential.prepared_data.is_some() {
            drop_prepared_data(&state, &token, &credential).await?;
        }
        return Ok(axum::Json(envelope(
            &ctx,
            &token,
            &credential,
            credential.id,
        )));
    }
    takes_parts(&credential)?;
    touch(&state, &token, account, execution, |_| {}).await?;
    for f in files_of(&state, &token.tenant, account, &credential).await? {
        state.store.delete_file(&token.tenant, f.id).await?;
    }
    Ok(axum::Json(envelope(
        &ctx,
        &token,
        &credential,
        credential.id,
    )))
}

/// Deletes a DATA credential's prepared data and the document its `id` section became, so
/// nothing of it stays visible through the other APIs or counts in later checks.
pub(super) async fn drop_prepared_data(
    state: &AppState,
    token: &ApiToken,
    credential: &StoredCredential,
) -> Result<(), JumioError> {
    let id = credential.id;
    touch(state, token, token.account, token.execution, |r| {
        for c in r.credentials.iter_mut().filter(|c| c.id == id) {
            c.prepared_data = None;
            c.data_document = None;
        }
    })
    .await?;
    if let Some(d) = credential.data_document {
        match state.store.delete_document(&token.tenant, d).await {
            Ok(()) | Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
