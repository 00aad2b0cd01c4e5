//! Files and document images: base64 (or `data:` URI) inside JSON. The body is held once,
//! as the wire format forces (read into one buffer by [`Body`]), `data` is located in it
//! as a borrowed slice, and decoded from it a window at a time into the store; reading a
//! file back streams its base64 out the same way.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::error::PassfortError;
use super::extract::{ApiTenant, Body, Path, parse};
use super::mapping::{self, NAMESPACE};
use super::stored::{OnProfile, profile};
use super::wire::{
    CreateDocumentImage, CreateFileResource, DocumentCategory, DocumentImageResource,
    DocumentImageType, DocumentType, Errors, FileResource, ImageOrList, ItemRefusals,
    ProfileRefusals, UploadRefusals,
};
use crate::adapters::common::{self, inline};
use crate::error::Error;
use crate::model::{FileSide, NewFile, StoredFile, Subject, TenantId};
use crate::state::AppState;
use crate::store::PutRules;

/// The body limit of the upload routes: a file at the limit as escaped base64, plus room
/// for the other fields. A larger body is refused as it arrives; the decoded size is then
/// enforced exactly while it streams.
pub fn upload_body_limit() -> usize {
    inline::encoded_limit(mapping::MAX_FILE_SIZE as usize) + 64 * 1024
}

/// The name a file without one gets, as PassFort's portal shows it.
const UNTITLED: &str = "Untitled";

/// `data` found in a body, borrowed from it.
fn located(body: &Bytes, raw: Option<&RawValue>) -> Result<inline::Inline, PassfortError> {
    let raw = raw.ok_or_else(|| Error::invalid("data", "is required"))?;
    let text = raw.get();
    // A quoted UUID is 38 bytes; only that is worth parsing (parsing a long escaped string
    // would copy it).
    if text.len() == 38 && serde_json::from_str::<Uuid>(text).is_ok() {
        return Err(Error::invalid(
            "data",
            "referencing an uploaded file by its id is not supported by idbridge; send the content",
        )
        .into());
    }
    Ok(inline::locate(body.slice_ref(text.as_bytes()), "data")?)
}

/// Streams `data` into the store as a file of the profile without a document.
async fn store_data(
    state: &AppState,
    tenant: &TenantId,
    new: NewFile,
    data: inline::Inline,
) -> Result<StoredFile, PassfortError> {
    let rules = PutRules {
        max_size: mapping::MAX_FILE_SIZE,
        max_files_per_document: 0,
        accept: common::accept_only(&mapping::ALLOWED, mapping::NOT_ALLOWED),
    };
    let stream = inline::decode(data, "data");
    Ok(state.store.put_file(tenant, new, rules, stream).await?)
}

#[derive(Deserialize)]
struct FileBody<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    name: Option<String>,
}

/// Add a file to a profile.
#[utoipa::path(post, path = "/profiles/{profile_id}/files", operation_id = "addFile", tag = "Files",
    params(("profile_id" = Uuid, Path, description = "The profile's id")),
    request_body = CreateFileResource,
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "Stored; its id and name", body = FileResource),
        (status = 400, description = "201 INVALID_INPUT_DATA (bad base64, no data); nothing stored", body = Errors),
        UploadRefusals,
    ))]
pub async fn add_file(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path(id): Path<Uuid>,
    Body(bytes): Body,
) -> Result<axum::Json<FileResource>, PassfortError> {
    let subject = profile(&state, &tenant, id).await?;
    let req: FileBody = parse(&bytes)?;
    let data = located(&bytes, req.data)?;
    let name = req.name.filter(|n| !n.trim().is_empty());
    let new = NewFile {
        subject_id: subject.id,
        document_id: None,
        side: FileSide::None,
        name: name.clone(),
        extras: [(NAMESPACE.to_owned(), json!({ "file": true }))].into(),
    };
    let file = store_data(&state, &tenant, new, data).await?;
    Ok(axum::Json(FileResource {
        id: file.id,
        name: name.unwrap_or_else(|| UNTITLED.into()),
        decrypted_data: String::new(),
    }))
}

/// Get a file with its content: any file of the profile (document images included), its
/// content base64 in `decrypted_data`, streamed.
#[utoipa::path(get, path = "/profiles/{profile_id}/files/{file_id}", operation_id = "getFile", tag = "Files",
    params(("profile_id" = Uuid, Path, description = "The profile's id"), ("file_id" = Uuid, Path, description = "The file's id")),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(GetFileResponses))]
pub async fn get_file(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path((id, file_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, PassfortError> {
    let subject = profile(&state, &tenant, id).await?;
    let file = state.store.file_of(&tenant, subject.id, file_id).await?;
    let (_, stream) = state.store.open_file(&tenant, file.id, None).await?;
    let name = file.name.clone().unwrap_or_else(|| UNTITLED.into());
    let prefix = format!(
        "{{\"id\":\"{}\",\"name\":{},\"decrypted_data\":\"",
        file.id,
        serde_json::to_string(&name).map_err(Error::internal)?
    );
    let body = inline::encode_into_json(prefix, stream, "\"}".into());
    let body = axum::body::Body::from_stream(futures::StreamExt::map(body, |r| {
        r.inspect_err(|e| crate::adapters::common::log_internal("passfort", e))
    }));
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The answers of getting a file, by `GET` or by `POST`.
#[derive(utoipa::IntoResponses)]
// Only read by the OpenAPI document: the handlers answer through their error type.
#[allow(dead_code)]
pub enum GetFileResponses {
    /// The file, content in decrypted_data
    #[response(status = 200)]
    File(FileResource),
    /// 201 INVALID_INPUT_DATA (malformed id)
    #[response(status = 400)]
    Malformed(Errors),
    /// 203 MISSING_API_KEY or 204 INVALID_API_KEY
    #[response(status = 401)]
    Unauthorized(Errors),
    /// No such profile or file
    #[response(status = 404)]
    NotFound(Errors),
    /// 401 UNKNOWN_INTERNAL_ERROR (the stored file cannot be read)
    #[response(status = 500)]
    Unreadable(Errors),
}

/// The seed's form of getting a file: `POST` on the file's path.
#[utoipa::path(post, path = "/profiles/{profile_id}/files/{file_id}", operation_id = "getFileByPost", tag = "Files",
    params(("profile_id" = Uuid, Path, description = "The profile's id"), ("file_id" = Uuid, Path, description = "The file's id")),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(GetFileResponses))]
pub async fn post_file(
    state: State<AppState>,
    tenant: ApiTenant,
    path: Path<(Uuid, Uuid)>,
) -> Result<Response, PassfortError> {
    get_file(state, tenant, path).await
}

#[derive(Deserialize)]
struct ImageBody<'a> {
    #[serde(borrow)]
    data: Option<&'a RawValue>,
    image_type: Option<DocumentImageType>,
    document_type: Option<DocumentType>,
    document_category: Option<DocumentCategory>,
}

/// The profile's document images: every file stored for it through any API, except its
/// plain `files`.
async fn images(
    state: &AppState,
    tenant: &TenantId,
    subject: &Subject,
) -> Result<Vec<DocumentImageResource>, PassfortError> {
    Ok(state
        .store
        .list_files(tenant, subject.id)
        .await?
        .iter()
        .filter(|f| !mapping::is_plain_file(f))
        .map(mapping::image)
        .collect())
}

/// List document images (a bare array).
#[utoipa::path(get, path = "/profiles/{profile_id}/document_images", operation_id = "listDocumentImages", tag = "Document images",
    params(OnProfile),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "Every document image of the profile, oldest first", body = Vec<DocumentImageResource>),
        ProfileRefusals,
    ))]
pub async fn list_document_images(
    OnProfile {
        state,
        tenant,
        subject,
    }: OnProfile,
) -> Result<axum::Json<Vec<DocumentImageResource>>, PassfortError> {
    Ok(axum::Json(images(&state, &tenant, &subject).await?))
}

/// Add a document image; without `data` (the seed's form), list them.
#[utoipa::path(post, path = "/profiles/{profile_id}/document_images", operation_id = "addDocumentImage", tag = "Document images",
    params(("profile_id" = Uuid, Path, description = "The profile's id")),
    request_body(content = Option<CreateDocumentImage>, description = "The image to add; without a body (or with `{}`), the seed's list form: the profile's document images are returned"),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The stored image (or, for a body without data, the list)", body = ImageOrList),
        (status = 400, description = "201 INVALID_INPUT_DATA; nothing stored", body = Errors),
        UploadRefusals,
    ))]
pub async fn add_document_image(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path(id): Path<Uuid>,
    Body(bytes): Body,
) -> Result<axum::Json<ImageOrList>, PassfortError> {
    let list = || async {
        let subject = profile(&state, &tenant, id).await?;
        Ok(axum::Json(ImageOrList::List(
            images(&state, &tenant, &subject).await?,
        )))
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return list().await;
    }
    let req: ImageBody = parse(&bytes)?;
    if req.data.is_none() {
        // Only the seed's list form (no body, or `{}`) lists; a body that describes an image
        // without its content is a mistake to point out, not a request to list.
        let fields: serde_json::Map<String, serde_json::Value> = parse(&bytes)?;
        if fields.is_empty() {
            return list().await;
        }
        return Err(Error::invalid("data", "is required to add a document image").into());
    }
    let subject = profile(&state, &tenant, id).await?;
    let data = located(&bytes, req.data)?;
    let image_type = req.image_type.unwrap_or(DocumentImageType::Front);
    let new = NewFile {
        subject_id: subject.id,
        document_id: None,
        side: mapping::side_of(image_type),
        name: None,
        extras: [(
            NAMESPACE.to_owned(),
            json!({
                "image_type": image_type,
                "document_type": req.document_type,
                "document_category": req.document_category,
            }),
        )]
        .into(),
    };
    let file = store_data(&state, &tenant, new, data).await?;
    Ok(axum::Json(ImageOrList::One(mapping::image(&file))))
}

/// Get a document image.
#[utoipa::path(get, path = "/profiles/{profile_id}/document_images/{document_image_id}", operation_id = "getDocumentImage", tag = "Document images",
    params(("profile_id" = Uuid, Path, description = "The profile's id"), ("document_image_id" = Uuid, Path, description = "The image's id")),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The image (its content: GET …/files/{document_image_id})", body = DocumentImageResource),
        ItemRefusals,
        (status = 404, description = "No such profile or image", body = Errors),
    ))]
pub async fn get_document_image(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path((id, image_id)): Path<(Uuid, Uuid)>,
) -> Result<axum::Json<DocumentImageResource>, PassfortError> {
    let subject = profile(&state, &tenant, id).await?;
    // A plain file is not a document image (a resource of its own).
    match state.store.file_of(&tenant, subject.id, image_id).await {
        Ok(f) if !mapping::is_plain_file(&f) => Ok(axum::Json(mapping::image(&f))),
        Ok(_) | Err(Error::NotFound(_)) => Err(Error::NotFound("document image").into()),
        Err(e) => Err(e.into()),
    }
}
