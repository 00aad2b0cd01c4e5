//! Adding a document, the three ways a B2Core client sends one: a multipart form with `file`
//! parts, JSON whose `file` is a path from `POST /files`, or JSON whose `file` is a `data:`
//! URI. Each file streams into the store as it arrives (or, inline, as it is decoded); the
//! document and all its files then appear in one transaction, or nothing does.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::error::MydocsError;
use super::handlers::{Client, Ctx, view};
use super::mapping::{self, Types, UPLOAD_PATH_PREFIX};
use super::wire::{
    AddDocumentForm, AddDocumentJson, Document as DocumentView, ErrorBody, UploadForm, UploadedFile,
};
use crate::adapters::common::{self, inline};
use crate::error::Error;
use crate::model::{NewDocument, NewFile};
use crate::state::AppState;
use crate::store::{Attach, PutRules, StagedFile};

/// Most bytes of a text value that is a type id or an upload path.
const SMALL_TEXT: usize = 256;

/// Form fields and JSON keys naming the type: B2Core's docs spell it `typeID`, its
/// examples `typeId`.
const TYPE_FIELDS: [&str; 2] = ["typeID", "typeId"];

/// The body limit of the routes that take files: every file of the largest type at the size
/// limit as escaped base64 (the JSON form), plus room for the rest of the body. Each file's
/// own limit is enforced exactly while it streams.
pub fn body_limit(types: &Types) -> usize {
    let files = types.max_files() as usize * mapping::MAX_FILE_SIZE as usize;
    inline::encoded_limit(files) + 1024 * 1024
}

fn rules() -> PutRules {
    PutRules {
        max_size: mapping::MAX_FILE_SIZE,
        max_files_per_document: 0,
        accept: Box::new(|sniffed| mapping::check_media(sniffed.media_type)),
    }
}

/// A file of this client without a document yet, streamed in and staged.
async fn stage<S>(
    state: &AppState,
    client: &Client,
    name: Option<String>,
    upload: bool,
    body: S,
) -> Result<StagedFile, Error>
where
    S: futures::Stream<Item = Result<Bytes, Error>> + Send + Unpin,
{
    let new = NewFile {
        subject_id: client.subject_id,
        document_id: None,
        side: crate::model::FileSide::None,
        name,
        extras: if upload {
            [(
                UPLOAD_MARK.to_owned(),
                serde_json::json!({ "upload": true }),
            )]
            .into()
        } else {
            Default::default()
        },
    };
    state
        .store
        .stage_file(&client.tenant, new, rules(), body)
        .await
}

/// Reads a `typeID` given as text (form field, JSON string) or a JSON number.
fn type_id(text: &str) -> Result<u32, Error> {
    text.trim()
        .parse()
        .map_err(|_| Error::invalid("typeID", "must be an integer document type id"))
}

/// Remembers the type; the two spellings may both be sent, but must agree.
fn set_type(slot: &mut Option<u32>, id: u32) -> Result<(), Error> {
    match slot.replace(id) {
        Some(prev) if prev != id => Err(Error::invalid(
            "typeID",
            "typeID and typeId name different types",
        )),
        _ => Ok(()),
    }
}

fn not_an_upload() -> Error {
    Error::invalid(
        "file",
        "must be a path returned by POST /api/v2/my/files or a data:<type>;base64 URI",
    )
}

/// A path `POST /files` handed out.
fn upload_path(text: &str) -> Result<Uuid, Error> {
    text.trim()
        .strip_prefix(UPLOAD_PATH_PREFIX)
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(not_an_upload)
}

/// Marks the files `POST /files` stores: only those are upload paths (another API's loose
/// file of the same subject did not pass this API's checks).
const UPLOAD_MARK: &str = "mydocs";

fn no_such_upload() -> Error {
    Error::invalid(
        "file",
        "no such upload: unknown, another client's, or already on a document",
    )
}

/// Checks that every earlier file named is an unused upload of this client.
async fn check_uploads(state: &AppState, client: &Client, files: &[Attach]) -> Result<(), Error> {
    for f in files {
        let Attach::Existing(id) = f else { continue };
        let ok = match state.store.get_file(&client.tenant, *id).await {
            Ok(f) => {
                f.subject_id == client.subject_id
                    && f.document_id.is_none()
                    && f.extras
                        .get(UPLOAD_MARK)
                        .is_some_and(|m| m["upload"] == true)
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

/// Add a new document: `typeID` and one or more files (up to the type's `maxFiles`).
#[utoipa::path(post, path = "/documents", operation_id = "addDocument", tag = "Documents",
    request_body(content(
        (AddDocumentJson = "application/json"),
        (AddDocumentForm = "multipart/form-data"),
    )),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = DocumentView),
        (status = 400, description = "Missing or invalid `file` or `typeID` (named in `errors`), or too many files; nothing stored", body = ErrorBody),
        (status = 401, description = "No, unknown or expired token", body = ErrorBody),
        (status = 413, description = "A file over 20 MiB; nothing stored", body = ErrorBody),
        (status = 415, description = "Not JSON or a form, or a file that is not a PDF, JPEG or PNG; nothing stored", body = ErrorBody),
    ))]
pub async fn add_document(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    client: Client,
    req: Request,
) -> Result<(StatusCode, axum::Json<DocumentView>), MydocsError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (type_id, files) = if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(req, &state)
            .await
            .map_err(|r| MydocsError::Body(r.body_text()))?;
        from_form(&state, &client, &ctx.types, multipart).await?
    } else if content_type.starts_with("application/json") {
        let body = Bytes::from_request(req, &state)
            .await
            .map_err(|r| match r.status() {
                StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge { limit: None }.into(),
                _ => MydocsError::Body(r.body_text()),
            })?;
        from_json(&state, &client, &ctx.types, body).await?
    } else {
        return Err(Error::UnsupportedMediaType(
            "send application/json or multipart/form-data".into(),
        )
        .into());
    };
    let type_id = type_id.ok_or_else(|| Error::invalid("typeID", "is required"))?;
    let t = ctx.types.by_id(type_id).ok_or_else(|| {
        Error::invalid(
            "typeID",
            "is not a document type; see GET /api/v2/my/documents/types",
        )
    })?;
    if files.is_empty() {
        return Err(Error::invalid("file", "is required").into());
    }
    check_uploads(&state, &client, &files).await?;
    let files = files
        .into_iter()
        .enumerate()
        .map(|(i, f)| (f, mapping::side_of(t.kind, i)))
        .collect();
    let new = NewDocument {
        kind: Some(t.kind),
        ..Default::default()
    };
    let (doc, _) = state
        .store
        .create_document_with_files(
            &client.tenant,
            client.subject_id,
            new.validate()?,
            files,
            t.max_files,
        )
        .await
        .map_err(|e| match e {
            Error::NotFound("file") => no_such_upload(),
            other => other,
        })?;
    let view = view(&state, &ctx, &client, doc).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Reads a form: `typeID`/`typeId` fields and `file` parts. A `file` part with a file name
/// is a file; one without is the text of an upload path.
async fn from_form(
    state: &AppState,
    client: &Client,
    types: &Types,
    mut multipart: Multipart,
) -> Result<(Option<u32>, Vec<Attach>), MydocsError> {
    let mut type_slot = None;
    let mut files = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| common::multipart::error(e, "file"))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if TYPE_FIELDS.contains(&name.as_str()) {
            let text = common::multipart::small_text(field, "typeID", SMALL_TEXT).await?;
            set_type(&mut type_slot, type_id(&text)?)?;
        } else if name == "file" || name == "file[]" {
            if files.len() == types.max_files() as usize {
                return Err(Error::LimitExceeded {
                    what: "files per document",
                    limit: types.max_files().into(),
                }
                .into());
            }
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let body = common::multipart::stream(field, "file");
                    let staged = stage(state, client, Some(file_name), false, body).await?;
                    files.push(Attach::Staged(Box::new(staged)));
                }
                None => {
                    let text = common::multipart::small_text(field, "file", SMALL_TEXT).await?;
                    files.push(Attach::Existing(upload_path(&text)?));
                }
            }
        }
        // Parts B2Core does not define are skipped, unread.
    }
    Ok((type_slot, files))
}

/// The JSON body, borrowed from the request bytes: `file` stays raw so an inline file is
/// decoded straight from the body, never copied whole.
#[derive(Deserialize)]
struct AddJson<'a> {
    #[serde(borrow)]
    file: Option<&'a RawValue>,
    #[serde(rename = "typeID", borrow)]
    type_upper: Option<&'a RawValue>,
    #[serde(rename = "typeId", borrow)]
    type_lower: Option<&'a RawValue>,
}

/// A JSON `typeID`: a number or a numeric string.
fn json_type_id(raw: &RawValue) -> Result<u32, Error> {
    let text = raw.get();
    if text.len() > SMALL_TEXT {
        return Err(Error::invalid(
            "typeID",
            "must be an integer document type id",
        ));
    }
    match serde_json::from_str::<String>(text) {
        Ok(s) => type_id(&s),
        Err(_) => type_id(text),
    }
}

async fn from_json(
    state: &AppState,
    client: &Client,
    types: &Types,
    body: Bytes,
) -> Result<(Option<u32>, Vec<Attach>), MydocsError> {
    if !crate::adapters::common::is_json_object(&body) {
        return Err(MydocsError::Body(
            crate::adapters::common::NOT_AN_OBJECT.into(),
        ));
    }
    let parsed: AddJson = serde_json::from_slice(&body)
        .map_err(|e| MydocsError::Body(format!("invalid JSON body: {e}")))?;
    let mut type_slot = None;
    for raw in [parsed.type_upper, parsed.type_lower].into_iter().flatten() {
        set_type(&mut type_slot, json_type_id(raw)?)?;
    }
    let raws: Vec<&RawValue> = match parsed.file {
        None => Vec::new(),
        Some(raw) if raw.get().starts_with('[') => serde_json::from_str(raw.get())
            .map_err(|_| Error::invalid("file", "must be a string or an array of strings"))?,
        Some(raw) => vec![raw],
    };
    if raws.len() > types.max_files() as usize {
        return Err(Error::LimitExceeded {
            what: "files per document",
            limit: types.max_files().into(),
        }
        .into());
    }
    let mut files = Vec::with_capacity(raws.len());
    for raw in raws {
        let text = raw.get().as_bytes();
        if inline::is_data_uri(text) {
            let located = inline::locate(body.slice_ref(text), "file")?;
            let decoded = inline::decode(located, "file");
            let staged = stage(state, client, None, false, decoded).await?;
            files.push(Attach::Staged(Box::new(staged)));
        } else if text.len() > SMALL_TEXT {
            // Not a data URI and too long to be a path: refused without copying it.
            return Err(not_an_upload().into());
        } else {
            let path: String = serde_json::from_str(raw.get())
                .map_err(|_| Error::invalid("file", "must be a string or an array of strings"))?;
            files.push(Attach::Existing(upload_path(&path)?));
        }
    }
    Ok((type_slot, files))
}

/// Upload a file for a later `POST /documents` with JSON; answers with its path.
#[utoipa::path(post, path = "/files", operation_id = "uploadFile", tag = "Documents",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored; send `path` as `file` when adding a document", body = UploadedFile),
        (status = 400, description = "No `file` part, or more than one", body = ErrorBody),
        (status = 401, description = "No, unknown or expired token", body = ErrorBody),
        (status = 413, description = "Over 20 MiB; nothing stored", body = ErrorBody),
        (status = 415, description = "Not a PDF, JPEG or PNG; nothing stored", body = ErrorBody),
    ))]
pub async fn upload_file(
    State(state): State<AppState>,
    client: Client,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(StatusCode, axum::Json<UploadedFile>), MydocsError> {
    let mut multipart = multipart.map_err(|r| MydocsError::Body(r.body_text()))?;
    let mut staged = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| common::multipart::error(e, "file"))?
    {
        if field.name() != Some("file") {
            continue;
        }
        if staged.is_some() {
            return Err(Error::invalid("file", "send one file per upload").into());
        }
        let name = field.file_name().map(str::to_owned);
        let body = common::multipart::stream(field, "file");
        staged = Some(stage(&state, &client, name, true, body).await?);
    }
    let staged = staged.ok_or_else(|| Error::invalid("file", "is required"))?;
    let mut stored = state
        .store
        .commit_files(&client.tenant, vec![staged], 0)
        .await?;
    let file = stored
        .pop()
        .ok_or_else(|| Error::internal("a committed upload lost its file"))?;
    Ok((StatusCode::CREATED, axum::Json(mapping::uploaded(file))))
}
