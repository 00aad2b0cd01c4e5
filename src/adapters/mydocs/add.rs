//! Adding a document, the ways a B2Core client sends one: a multipart form with `file`
//! parts; JSON whose `file` is a path from `POST /files` or a `data:` URI, labelled
//! `application/json` or — as the seed's own `curl --data-raw` example sends it — labelled
//! urlencoded, `text/plain` or not at all; or a real urlencoded form naming upload paths.
//! Each file streams into the store as it arrives (or, inline, as it is decoded); the
//! document and all its files then appear in one transaction, or nothing does.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::body::{Encoding, SEND_JSON_OR_FORM, encoding, read_whole};
use super::error::MydocsError;
use super::handlers::{Client, Ctx, view};
use super::mapping::{self, TokenRefusals, Types};
use super::uploads::{self, no_such_upload, not_a_form_upload, not_an_upload, stage, upload_path};
use super::wire::{
    AddDocumentForm, AddDocumentJson, AddDocumentUrlencoded, Document as DocumentView, ErrorBody,
};
use crate::adapters::common::{self, inline};
use crate::error::Error;
use crate::model::NewDocument;
use crate::state::AppState;
use crate::store::Attach;

/// Most bytes of a text value that is a type id or an upload path.
const SMALL_TEXT: usize = 256;

/// Form fields and JSON keys naming the type: B2Core's docs spell it `typeID`, its
/// examples `typeId`.
const TYPE_FIELDS: [&str; 2] = ["typeID", "typeId"];

/// The body limit of a multipart `POST /documents`: every file of the largest type at the
/// size limit, plus room for part headers and text fields. The form streams, so this bounds
/// the request, not memory; each file's own limit is enforced exactly while it streams.
pub fn form_body_limit(types: &Types) -> usize {
    types.max_files() as usize * mapping::MAX_FILE_SIZE as usize + 1024 * 1024
}

/// The limit of a body read whole (JSON, urlencoded): one file at the size limit as base64
/// (4/3), with the allowance for escapes that JSON encoders add ([`inline::encoded_limit`]),
/// plus 64 KiB for the rest. Inline files are decoded out of the body, so this is the most
/// the request makes the server hold: about 30 MiB, not one copy per file of the type.
pub fn json_body_limit() -> usize {
    inline::encoded_limit(mapping::MAX_FILE_SIZE as usize) + 64 * 1024
}

/// Reads a `typeID` given as text (form field, JSON string): ASCII digits only, exactly
/// what the OpenAPI document's pattern `^[0-9]+$` allows (no sign, no spaces), so the
/// document and the server agree on every input.
fn type_id(text: &str) -> Result<u32, Error> {
    Some(text)
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse().ok())
        .ok_or_else(bad_type_id)
}

fn bad_type_id() -> Error {
    Error::invalid("typeID", "must be an integer document type id")
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

fn too_many_files(limit: u32) -> Error {
    Error::invalid(
        "file",
        format!(
            "at most {limit} file{} for this document type (its maxFiles)",
            if limit == 1 { "" } else { "s" }
        ),
    )
}

/// Most files the request may carry: its type's `maxFiles` once the type is known and
/// valid, else the most any type holds (the type is checked, and the count again, later).
fn files_allowed(types: &Types, type_slot: Option<u32>) -> u32 {
    type_slot
        .and_then(|id| types.by_id(id))
        .map_or_else(|| types.max_files(), |t| t.max_files)
}

/// Add a new document: `typeID` and one or more files (up to the type's `maxFiles`).
#[utoipa::path(post, path = "/documents", operation_id = "addDocument", tag = "Documents",
    request_body(content(
        (AddDocumentJson = "application/json"),
        (AddDocumentForm = "multipart/form-data"),
        (AddDocumentUrlencoded = "application/x-www-form-urlencoded"),
    )),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = DocumentView),
        (status = 400, description = "Missing or invalid `file` or `typeID` (named in `errors`; a JSON `file` that is neither an upload path nor a data URI, such as the placeholder text of B2Core's own example, is refused naming what is accepted), or more files than the type holds; nothing stored", body = ErrorBody),
        (status = 413, description = "A file over 20 MiB (named in `errors`), or a JSON body over its limit (about 30 MiB); nothing stored", body = ErrorBody),
        (status = 415, description = "Neither JSON nor a form, or a file that is not a PDF, JPEG or PNG (named in `errors`); nothing stored", body = ErrorBody),
        TokenRefusals,
    ))]
pub async fn add_document(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    client: Client,
    req: Request,
) -> Result<(StatusCode, axum::Json<DocumentView>), MydocsError> {
    let encoding = encoding(req.headers());
    let (type_id, files) = match encoding {
        Encoding::Multipart => {
            let multipart = Multipart::from_request(req, &state)
                .await
                .map_err(|r| MydocsError::Body(r.body_text()))?;
            from_form(&state, &client, &ctx.types, multipart).await?
        }
        Encoding::Other => return Err(MydocsError::UnsupportedBody(SEND_JSON_OR_FORM)),
        Encoding::Json | Encoding::Urlencoded | Encoding::Unlabelled => {
            let body = read_whole(req, json_body_limit()).await?;
            if encoding == Encoding::Json || common::is_json_object(&body) {
                from_json(&state, &client, &ctx.types, body).await?
            } else if encoding == Encoding::Urlencoded {
                from_urlencoded(&ctx.types, &body)?
            } else {
                return Err(MydocsError::UnsupportedBody(SEND_JSON_OR_FORM));
            }
        }
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
    if files.len() > t.max_files as usize {
        return Err(too_many_files(t.max_files).into());
    }
    uploads::check(&state, &ctx, &client, &files).await?;
    let files = files
        .into_iter()
        .enumerate()
        .map(|(i, f)| (f, mapping::side_of(t.kind, i)))
        .collect();
    let new = NewDocument {
        kind: Some(t.kind),
        category: Some(t.category),
        extras: [mapping::document_extras(t.id)].into(),
        written_by: Some(mapping::NAMESPACE),
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
            Error::LimitExceeded { .. } => too_many_files(t.max_files),
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
            let allowed = files_allowed(types, type_slot);
            if files.len() >= allowed as usize {
                return Err(too_many_files(allowed).into());
            }
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let body = common::multipart::stream(field, "file");
                    let staged = stage(state, client, Some(file_name), None, body).await?;
                    files.push(Attach::Staged(Box::new(staged)));
                }
                None => {
                    let text = common::multipart::small_text(field, "file", SMALL_TEXT).await?;
                    files.push(Attach::Existing(upload_path(&text, not_a_form_upload)?));
                }
            }
        }
        // Parts B2Core does not define are skipped, unread.
    }
    Ok((type_slot, files))
}

/// The JSON body, borrowed from the request bytes: `file` stays raw so an inline file is
/// decoded straight from the body, never copied whole.
/// A key sent as `null` is kept (as the raw `null`) and refused like any other wrong type:
/// the OpenAPI document does not declare these fields nullable, and `{"typeID": null,
/// "typeId": 1}` must not pass where the document says it is invalid.
#[derive(Deserialize)]
struct AddJson<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    file: Option<&'a RawValue>,
    #[serde(rename = "typeID", borrow, default, deserialize_with = "present")]
    type_upper: Option<&'a RawValue>,
    #[serde(rename = "typeId", borrow, default, deserialize_with = "present")]
    type_lower: Option<&'a RawValue>,
}

/// A key that is present, whatever its value (`null` included); a missing one is `None`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// A JSON `typeID`: a numeric string, or a number that JSON Schema calls an integer (`5`,
/// but also `5.0` and `5e0`) from 0 to `u32::MAX`, as the OpenAPI document declares.
fn json_type_id(raw: &RawValue) -> Result<u32, Error> {
    let text = raw.get();
    if text.len() > SMALL_TEXT {
        return Err(bad_type_id());
    }
    if text.starts_with('"') {
        let s: String = serde_json::from_str(text).map_err(|_| bad_type_id())?;
        return type_id(&s);
    }
    let n: serde_json::Number = serde_json::from_str(text).map_err(|_| bad_type_id())?;
    if let Some(i) = n.as_u64() {
        return u32::try_from(i).map_err(|_| bad_type_id());
    }
    match n.as_f64() {
        // Exact: every integer up to u32::MAX is exactly an f64.
        Some(f) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => Ok(f as u32),
        _ => Err(bad_type_id()),
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
    let parsed: AddJson = serde_json::from_slice(&body).map_err(|e| {
        MydocsError::Body(format!(
            "invalid JSON body: {}",
            crate::adapters::common::redact::without_input(&e.to_string())
        ))
    })?;
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
    let allowed = files_allowed(types, type_slot);
    if raws.len() > allowed as usize {
        return Err(too_many_files(allowed).into());
    }
    let mut files = Vec::with_capacity(raws.len());
    for raw in raws {
        let text = raw.get().as_bytes();
        if inline::is_data_uri(text) {
            let located = inline::locate(body.slice_ref(text), "file")?;
            let decoded = inline::decode(located, "file");
            let staged = stage(state, client, None, None, decoded).await?;
            files.push(Attach::Staged(Box::new(staged)));
        } else if text.len() > SMALL_TEXT {
            // Not a data URI and too long to be a path: refused without copying it.
            return Err(not_an_upload().into());
        } else {
            let path: String = serde_json::from_str(raw.get())
                .map_err(|_| Error::invalid("file", "must be a string or an array of strings"))?;
            files.push(Attach::Existing(upload_path(&path, not_an_upload)?));
        }
    }
    Ok((type_slot, files))
}

/// Reads a urlencoded form: `typeID`/`typeId` and `file` (or `file[]`) fields naming upload
/// paths. Inline data is not read from a form: base64's `+` reads as a space there unless
/// the client escaped it, so it goes as JSON or multipart instead.
fn from_urlencoded(types: &Types, body: &[u8]) -> Result<(Option<u32>, Vec<Attach>), MydocsError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|e| MydocsError::Body(format!("invalid urlencoded form: {e}")))?;
    let mut type_slot = None;
    let mut paths = Vec::new();
    for (name, value) in &pairs {
        if TYPE_FIELDS.contains(&name.as_str()) {
            set_type(&mut type_slot, type_id(value)?)?;
        } else if name == "file" || name == "file[]" {
            paths.push(value);
        }
    }
    let allowed = files_allowed(types, type_slot);
    if paths.len() > allowed as usize {
        return Err(too_many_files(allowed).into());
    }
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        if path.trim_start().starts_with("data:") {
            return Err(Error::invalid(
                "file",
                "a form names upload paths; send a data URI as JSON, or the file as multipart/form-data",
            )
            .into());
        }
        if path.len() > SMALL_TEXT {
            return Err(not_a_form_upload().into());
        }
        files.push(Attach::Existing(upload_path(path, not_a_form_upload)?));
    }
    Ok((type_slot, files))
}
