//! nCore's file operations: upload 1–5 files to an identification (all or nothing), file
//! metadata, `:browse` (inline), `:download` (attachment), delete.

use std::collections::VecDeque;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::error::NcoreError;
use super::extract::{ApiTenant, Path};
use super::handlers::{owned, user};
use super::mapping;
use super::wire::{
    DocumentType, ErrorBody, FileMetadata, FileRefusals, IdentificationKeyRefusals,
    IdentificationType, UploadFiles, UploadedFiles,
};
use crate::adapters::common::{self, download::Disposition};
use crate::error::Error;
use crate::model::{Document, NewFile, StoredFile, TenantId};
use crate::state::AppState;
use crate::store::PutRules;

/// Largest file nCore takes: 128 MB.
pub const MAX_FILE_SIZE: u64 = 128 * 1024 * 1024;
/// Most files in one upload call.
pub const MAX_FILES_PER_CALL: usize = 5;
/// Most files on one identification.
pub const MAX_FILES_PER_IDENTIFICATION: u32 = 10;
/// The upload route's body limit: five files at the limit, plus room for the form itself.
pub const UPLOAD_BODY_LIMIT: usize = MAX_FILES_PER_CALL * MAX_FILE_SIZE as usize + 1024 * 1024;

fn enum_field<T: serde::de::DeserializeOwned>(text: &str, field: &str) -> Result<T, Error> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_owned()))
        .map_err(|_| Error::invalid(field, format!("unknown value {:?}", text.trim())))
}

/// Upload identification files: 1 to 5 files, each with its `identification_document_type`.
#[utoipa::path(put, path = "/users/{user_id}/identifications/{identification_id}/files", operation_id = "uploadIdentificationFiles",
    tag = "User documents",
    request_body(content = UploadFiles, content_type = "multipart/form-data"),
    params(("user_id" = String, Path, description = "The user's id"), ("identification_id" = Uuid, Path, description = "Identification id")),
    security(("apikey" = [])),
    responses(
        (status = 200, description = "Every file stored", body = UploadedFiles),
        (status = 400, description = "A file or field refused (named in `field`); nothing stored", body = ErrorBody),
        (status = 413, description = "A file over 128 MB; nothing stored", body = ErrorBody),
        (status = 415, description = "A file whose name or content is not allowed; nothing stored", body = ErrorBody),
        IdentificationKeyRefusals,
    ))]
pub async fn upload_identification_files(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path((user_id, id)): Path<(String, Uuid)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<axum::Json<UploadedFiles>, NcoreError> {
    let mut multipart = multipart.map_err(|r| NcoreError::Body(r.body_text()))?;
    let subject = user(&state, &tenant, &user_id, false).await?;
    let doc = owned(&state, &tenant, &subject, id).await?;
    let kind = mapping::type_of(doc.kind);
    let mut types: VecDeque<DocumentType> = VecDeque::new();
    let mut staged = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| common::multipart::error(e, "file"))?
    {
        match field.name().unwrap_or_default() {
            "identification_type" => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| common::multipart::error(e, "identification_type"))?;
                let given: IdentificationType = enum_field(&text, "identification_type")?;
                if given != kind {
                    return Err(Error::invalid(
                        "identification_type",
                        "is not the identification's type",
                    )
                    .into());
                }
            }
            "identification_document_type" => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| common::multipart::error(e, "identification_document_type"))?;
                types.push_back(enum_field(&text, "identification_document_type")?);
            }
            "file" | "files" => {
                let index = staged.len();
                // A refusal names the file at fault; an outage or a bug is no file's doing.
                let at = |source| match source {
                    Error::Unavailable { .. }
                    | Error::RequestTimeout { .. }
                    | Error::Internal(_) => NcoreError::Core(source),
                    _ => NcoreError::File { index, source },
                };
                if index == MAX_FILES_PER_CALL {
                    return Err(at(Error::LimitExceeded {
                        what: "files per upload call",
                        limit: MAX_FILES_PER_CALL as u64,
                    }));
                }
                let document_type = match types.pop_front() {
                    Some(d) => d,
                    None if mapping::sides_of(kind)
                        == [(DocumentType::NotApplicable, crate::model::FileSide::None)] =>
                    {
                        DocumentType::NotApplicable
                    }
                    None => {
                        return Err(at(Error::invalid(
                            "identification_document_type",
                            "is required before each file",
                        )));
                    }
                };
                let side = mapping::side_of(kind, document_type).map_err(at)?;
                let name = field
                    .file_name()
                    .map(str::to_owned)
                    .ok_or_else(|| at(Error::invalid("file", "has no file name")))?;
                let checked = name.clone();
                let rules = PutRules {
                    max_size: MAX_FILE_SIZE,
                    max_files_per_document: MAX_FILES_PER_IDENTIFICATION,
                    accept: Box::new(move |sniffed| {
                        mapping::check_file(&checked, sniffed.media_type)
                    }),
                };
                let new = NewFile {
                    subject_id: subject.id,
                    document_id: Some(doc.id),
                    side,
                    name: Some(name),
                    extras: Default::default(),
                };
                let body = common::multipart::stream(field, "file");
                staged.push(
                    state
                        .store
                        .stage_file(&tenant, new, rules, body)
                        .await
                        .map_err(at)?,
                );
            }
            // Parts nCore does not define are skipped, unread.
            _ => {}
        }
    }
    if staged.is_empty() {
        return Err(Error::invalid("file", "at least one file is required").into());
    }
    if !types.is_empty() {
        return Err(Error::invalid(
            "identification_document_type",
            "there are more types than files",
        )
        .into());
    }
    let stored = state
        .store
        .commit_files(&tenant, staged, MAX_FILES_PER_IDENTIFICATION)
        .await?;
    Ok(axum::Json(UploadedFiles {
        data: stored
            .into_iter()
            .map(|f| mapping::file_metadata(f, kind, doc.id, &user_id))
            .collect(),
    }))
}

/// The identification and its file, or not found (a file of another identification too).
async fn owned_file(
    state: &AppState,
    tenant: &TenantId,
    user_id: &str,
    id: Uuid,
    file_id: Uuid,
) -> Result<(Document, StoredFile), NcoreError> {
    let subject = user(state, tenant, user_id, false).await?;
    let doc = owned(state, tenant, &subject, id).await?;
    let file = state
        .store
        .file_of_document(tenant, doc.id, file_id)
        .await?;
    Ok((doc, file))
}

/// Splits `{file_id}`, `{file_id}:browse` or `{file_id}:download`.
fn file_ref(text: &str) -> Result<(Uuid, Option<&str>), NcoreError> {
    let (id, action) = match text.split_once(':') {
        Some((id, action)) => (id, Some(action)),
        None => (text, None),
    };
    let id = Uuid::parse_str(id).map_err(|_| Error::invalid("file_id", "is not a file id"))?;
    Ok((id, action))
}

/// Return a file's metadata (and, through the same path, `:browse` and `:download`).
#[utoipa::path(get, path = "/users/{user_id}/identifications/{identification_id}/files/{file_id}", operation_id = "getFile",
    tag = "User documents",
    params(("user_id" = String, Path, description = "The user's id"), ("identification_id" = Uuid, Path, description = "Identification id"), ("file_id" = Uuid, Path, description = "File id")),
    security(("apikey" = [])),
    responses(
        (status = 200, description = "The file's metadata", body = FileMetadata),
        FileRefusals,
    ))]
pub async fn get_file(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path((user_id, id, reference)): Path<(String, Uuid, String)>,
    headers: HeaderMap,
) -> Result<Response, NcoreError> {
    let (file_id, action) = file_ref(&reference)?;
    let (doc, file) = owned_file(&state, &tenant, &user_id, id, file_id).await?;
    match action {
        None => Ok(axum::Json(mapping::file_metadata(
            file,
            mapping::type_of(doc.kind),
            doc.id,
            &user_id,
        ))
        .into_response()),
        Some("browse") => browse_file(&state, &tenant, &file, &headers).await,
        Some("download") => download_file(&state, &tenant, &file, &headers).await,
        Some(_) => Err(NcoreError::NoRoute),
    }
}

/// Return a file: its bytes inline, with the content's media type; honours `Range`.
#[utoipa::path(get, path = "/users/{user_id}/identifications/{identification_id}/files/{file_id}:browse", operation_id = "browseFile",
    tag = "User documents",
    params(("user_id" = String, Path, description = "The user's id"), ("identification_id" = Uuid, Path, description = "Identification id"), ("file_id" = Uuid, Path, description = "File id")),
    security(("apikey" = [])),
    responses(
        common::download::FileResponses,
        ServeErrors,
    ))]
pub async fn browse_file(
    state: &AppState,
    tenant: &TenantId,
    file: &StoredFile,
    headers: &HeaderMap,
) -> Result<Response, NcoreError> {
    serve(state, tenant, file, headers, Disposition::Inline).await
}

/// Download a file: its bytes as an attachment named as uploaded; honours `Range`.
#[utoipa::path(get, path = "/users/{user_id}/identifications/{identification_id}/files/{file_id}:download", operation_id = "downloadFile",
    tag = "User documents",
    params(("user_id" = String, Path, description = "The user's id"), ("identification_id" = Uuid, Path, description = "Identification id"), ("file_id" = Uuid, Path, description = "File id")),
    security(("apikey" = [])),
    responses(
        common::download::FileResponses,
        ServeErrors,
    ))]
pub async fn download_file(
    state: &AppState,
    tenant: &TenantId,
    file: &StoredFile,
    headers: &HeaderMap,
) -> Result<Response, NcoreError> {
    serve(state, tenant, file, headers, Disposition::Attachment).await
}

/// A file's bytes, whole or the range `headers` ask for, inline or as an attachment.
async fn serve(
    state: &AppState,
    tenant: &TenantId,
    file: &StoredFile,
    headers: &HeaderMap,
    disposition: Disposition,
) -> Result<Response, NcoreError> {
    Ok(common::download::serve(&state.store, tenant, file, headers, disposition, "ncore").await?)
}

/// The answers `:browse` and `:download` share besides the file itself.
#[derive(utoipa::IntoResponses)]
// Only read by the OpenAPI document: the handlers answer through their error type.
#[allow(dead_code)]
pub enum ServeErrors {
    /// Malformed id
    #[response(status = 400)]
    Malformed(ErrorBody),
    /// No or unknown API key
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// No such user, identification or file
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Range outside the file
    #[response(status = 416)]
    Unsatisfiable,
}

/// Delete a file: unrecoverable (its key is destroyed). Answers with what was deleted.
#[utoipa::path(delete, path = "/users/{user_id}/identifications/{identification_id}/files/{file_id}", operation_id = "deleteFile",
    tag = "User documents",
    params(("user_id" = String, Path, description = "The user's id"), ("identification_id" = Uuid, Path, description = "Identification id"), ("file_id" = Uuid, Path, description = "File id")),
    security(("apikey" = [])),
    responses(
        (status = 200, description = "Deleted; the metadata it had", body = FileMetadata),
        FileRefusals,
    ))]
pub async fn delete_file(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path((user_id, id, reference)): Path<(String, Uuid, String)>,
) -> Result<axum::Json<FileMetadata>, NcoreError> {
    let (file_id, action) = file_ref(&reference)?;
    if action.is_some() {
        return Err(NcoreError::MethodNotAllowed);
    }
    let (doc, file) = owned_file(&state, &tenant, &user_id, id, file_id).await?;
    state.store.delete_file(&tenant, file.id).await?;
    Ok(axum::Json(mapping::file_metadata(
        file,
        mapping::type_of(doc.kind),
        doc.id,
        &user_id,
    )))
}
