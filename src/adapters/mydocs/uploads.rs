//! Uploads: files a client stores with `POST /files` to name later, by the path it is
//! handed, as the `file` of a JSON `POST /documents` (B2Core's "path to a document file").
//! An upload is usable once, by its owner, for `upload_ttl_secs`; a client holds at most
//! `max_pending_uploads` unused ones; expired ones are deleted (the client's own when it
//! uploads again, everyone's by a periodic sweep), so abandoned uploads cannot fill the disk.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Extension, Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use chrono::Utc;
use uuid::Uuid;

use super::error::MydocsError;
use super::handlers::{Client, Ctx};
use super::mapping::{self, NAMESPACE, TokenRefusals, UPLOAD_PATH_PREFIX};
use super::wire::{ErrorBody, UploadForm, UploadedFile};
use crate::adapters::common;
use crate::error::Error;
use crate::model::NewFile;
use crate::state::AppState;
use crate::store::{Attach, PutRules, StagedFile};

/// The body limit of `POST /files`: one file at the size limit plus its part headers.
pub fn body_limit() -> usize {
    mapping::MAX_FILE_SIZE as usize + 64 * 1024
}

/// The extras that mark a file as an upload of this API: only those are upload paths (a
/// loose file the subject stored through another API did not pass this API's checks).
pub fn mark() -> (String, serde_json::Value) {
    (NAMESPACE.to_owned(), serde_json::json!({ "upload": true }))
}

fn is_upload(f: &crate::model::StoredFile) -> bool {
    f.extras.get(NAMESPACE).is_some_and(|m| m["upload"] == true)
}

/// What a JSON `file` string may be, for a client that sent something else (B2Core's own
/// example sends placeholder text: "The path to a document file" names no upload endpoint).
pub const JSON_FILE_ACCEPTED: &str = "is neither an upload path nor a data URI: send a path \
     returned by POST /api/v2/my/files (uploads/<id>) or a data:<type>;base64,<data> URI, or \
     send the file itself as a multipart/form-data part named file";

/// What a form's `file` text may be: forms name upload paths only (see `add`).
pub const FORM_FILE_ACCEPTED: &str = "is not an upload path: send a path returned by POST \
     /api/v2/my/files (uploads/<id>), or the file itself as a multipart/form-data part named \
     file, with a file name";

/// Why a JSON `file` string is not a file.
pub fn not_an_upload() -> Error {
    Error::invalid("file", JSON_FILE_ACCEPTED)
}

/// Why a form's `file` text (urlencoded, or a multipart part without a file name) is not a
/// file.
pub fn not_a_form_upload() -> Error {
    Error::invalid("file", FORM_FILE_ACCEPTED)
}

/// The answer for a path that names no usable upload. One answer for all the reasons, so a
/// client cannot probe for other clients' uploads.
pub fn no_such_upload() -> Error {
    Error::invalid(
        "file",
        "no such upload: unknown, expired, another client's, or already on a document",
    )
}

/// A path `POST /files` handed out; anything else is refused with `refusal` (what the
/// body the text came in accepts).
pub fn upload_path(text: &str, refusal: fn() -> Error) -> Result<Uuid, Error> {
    text.trim()
        .strip_prefix(UPLOAD_PATH_PREFIX)
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(refusal)
}

/// Checks that every earlier file named is an unused, unexpired upload of this client. The
/// store checks ownership and "unused" again when it attaches them, atomically.
pub async fn check(
    state: &AppState,
    ctx: &Ctx,
    client: &Client,
    files: &[Attach],
) -> Result<(), Error> {
    let now = Utc::now();
    for f in files {
        let Attach::Existing(id) = f else { continue };
        let ok = match state
            .store
            .file_of(&client.tenant, client.subject_id, *id)
            .await
        {
            Ok(f) => {
                f.document_id.is_none() && is_upload(&f) && f.created_at + ctx.upload_ttl > now
            }
            Err(Error::NotFound(_)) => false,
            Err(e) => return Err(e),
        };
        if !ok {
            return Err(no_such_upload());
        }
    }
    Ok(())
}

fn too_many_uploads(cap: u32) -> Error {
    Error::invalid(
        "file",
        format!(
            "this client already holds {cap} unused uploads (the most allowed); add them to \
             documents or wait until they expire"
        ),
    )
}

/// Upload a file for a later `POST /documents` with JSON; answers with its path.
#[utoipa::path(post, path = "/files", operation_id = "uploadFile", tag = "Documents",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored; send `path` as `file` when adding a document (usable once, for 24 hours by default)", body = UploadedFile),
        (status = 400, description = "No `file` part, more than one, or this client already holds the most unused uploads allowed (20 by default); `errors.file` says which", body = ErrorBody),
        (status = 413, description = "Over 20 MiB; nothing stored", body = ErrorBody),
        (status = 415, description = "Not multipart/form-data, or a file that is not a PDF, JPEG or PNG; nothing stored", body = ErrorBody),
        TokenRefusals,
    ))]
pub async fn upload_file(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    client: Client,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(StatusCode, axum::Json<UploadedFile>), MydocsError> {
    // Checked before the multipart reader, whose complaint about any other body would be a
    // 400 about a missing `boundary`.
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|e| e.trim().eq_ignore_ascii_case("multipart/form-data"))
        });
    if !is_form {
        return Err(MydocsError::UnsupportedBody(
            "send the file as multipart/form-data with one `file` part",
        ));
    }
    let mut multipart = multipart.map_err(|r| MydocsError::Body(r.body_text()))?;
    // The client's own expired uploads go first, so they never count against its cap.
    state
        .store
        .delete_loose_files_before(
            NAMESPACE,
            Utc::now() - ctx.upload_ttl,
            Some((&client.tenant, client.subject_id)),
        )
        .await?;
    // Refused before any byte is read when the cap is already reached; the store enforces
    // it again, atomically, when the upload commits.
    let held = state
        .store
        .count_loose_files(&client.tenant, client.subject_id, NAMESPACE)
        .await?;
    if held >= ctx.max_uploads {
        return Err(too_many_uploads(ctx.max_uploads).into());
    }
    let mut staged = None;
    while let Some(field) = common::multipart::next_named!(multipart, "file") {
        if staged.is_some() {
            return Err(Error::invalid("file", "send one file per upload").into());
        }
        let name = field.file_name().map(str::to_owned);
        let body = common::multipart::stream(field, "file");
        staged = Some(stage(&state, &client, name, Some(mark()), body).await?);
    }
    let staged = staged.ok_or_else(|| Error::invalid("file", "is required"))?;
    let file = state
        .store
        .commit_loose_file(&client.tenant, staged, NAMESPACE, ctx.max_uploads)
        .await
        .map_err(|e| match e {
            Error::LimitExceeded { .. } => too_many_uploads(ctx.max_uploads),
            other => other,
        })?;
    Ok((StatusCode::CREATED, axum::Json(mapping::uploaded(file))))
}

/// How every file of this API is stored: the size limit, the accepted media types, and no
/// per-document count (`POST /documents` checks its type's own).
fn rules() -> PutRules {
    PutRules {
        max_size: mapping::MAX_FILE_SIZE,
        max_files_per_document: 0,
        accept: common::accept_only(&mapping::ALLOWED, mapping::NOT_ALLOWED),
    }
}

/// A refused file answers naming `file`; other errors pass through.
fn file_error(e: Error) -> MydocsError {
    match e {
        Error::UnsupportedMediaType(reason) => {
            MydocsError::File(StatusCode::UNSUPPORTED_MEDIA_TYPE, reason)
        }
        Error::PayloadTooLarge { limit: Some(l) } => MydocsError::File(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("is larger than {l} bytes"),
        ),
        other => other.into(),
    }
}

/// A file of this client without a document yet, streamed in and staged; `mark` is the
/// extras of an upload. Every file arrives here (form part, upload, data URI), so the name
/// rule is checked here once, before the first byte is read.
pub async fn stage<S>(
    state: &AppState,
    client: &Client,
    name: Option<String>,
    mark: Option<(String, serde_json::Value)>,
    body: S,
) -> Result<StagedFile, MydocsError>
where
    S: futures::Stream<Item = Result<Bytes, Error>> + Send + Unpin,
{
    if let Some(name) = &name {
        mapping::check_file_name(name)?;
    }
    let new = NewFile {
        subject_id: client.subject_id,
        document_id: None,
        side: crate::model::FileSide::None,
        name,
        extras: mark.into_iter().collect(),
    };
    state
        .store
        .stage_file(&client.tenant, new, rules(), body)
        .await
        .map_err(file_error)
}

/// Deletes every client's expired uploads now and then, for clients who never come back.
/// The first sweep runs one interval after start, so a freshly started server (or a test)
/// sees uploads expire only through a client's own requests until then. One node at a time
/// sweeps (a lease in the store).
pub fn spawn_sweeper(state: AppState, ttl: chrono::Duration, every: Duration) {
    let store = state.store.clone();
    crate::jobs::periodic(state.store, "mydocs.uploads", every, move || {
        let store = store.clone();
        async move {
            match store
                .delete_loose_files_before(NAMESPACE, Utc::now() - ttl, None)
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "mydocs: expired uploads deleted"),
                Err(e) => common::log_internal("mydocs", &e),
            }
        }
    });
}
