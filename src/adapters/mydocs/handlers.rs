//! The current client's documents: list, details, delete, the file behind a document, and
//! the document types. Adding documents and uploads live in `add`.

use std::sync::Arc;

use axum::extract::{Extension, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::error::MydocsError;
use super::list;
use super::mapping::{self, DocumentRefusals, IdRefusals, ListOrder, TokenRefusals, Types};
use super::wire::{Document as DocumentView, DocumentList, DocumentTypeList, ErrorBody};
use crate::adapters::common::{self, download::Disposition};
use crate::model::{Document, TenantId};
use crate::state::AppState;

/// What every handler needs beyond the store: the type table and the absolute URL of
/// `/api/v2/my` (download links are built from it).
pub struct Ctx {
    /// The document-type table in force.
    pub types: Types,
    /// `public_base_url` + mount prefix + `/api/v2/my`.
    pub base: String,
    /// How long an upload stays usable.
    pub upload_ttl: chrono::Duration,
    /// Most unused uploads one client holds.
    pub max_uploads: u32,
}

crate::vendor_extractors!(MydocsError; Path, Query);

/// The current client: the subject an unexpired client token was minted for.
pub struct Client {
    /// The client's tenant.
    pub tenant: TenantId,
    /// The client (a subject).
    pub subject_id: Uuid,
}

impl FromRequestParts<AppState> for Client {
    type Rejection = MydocsError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, MydocsError> {
        let token = common::extract::bearer(parts).ok_or(MydocsError::Unauthorized)?;
        let owner = state
            .store
            .resolve_token(crate::store::CLIENT_TOKEN, token, Utc::now())
            .await?
            .ok_or(MydocsError::Unauthorized)?;
        Ok(Client {
            tenant: owner.tenant,
            subject_id: owner.subject_id,
        })
    }
}

pub(super) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The client's document with this id; another client's is not found.
pub(super) async fn owned(
    state: &AppState,
    client: &Client,
    id: i64,
) -> Result<Document, MydocsError> {
    Ok(state
        .store
        .document_of_by_seq(&client.tenant, client.subject_id, id)
        .await?)
}

/// A document with its files, as the client sees it.
pub(super) async fn view(
    state: &AppState,
    ctx: &Ctx,
    client: &Client,
    doc: Document,
) -> Result<DocumentView, MydocsError> {
    let files = state.store.files_of(&client.tenant, doc.id).await?;
    Ok(mapping::document(
        doc,
        files,
        &ctx.types,
        &ctx.base,
        today(),
    ))
}

/// Get a list of documents.
#[utoipa::path(get, path = "/documents", operation_id = "getDocuments", tag = "Documents",
    params(
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size, 1-100 (default 10); anything else is a 400 naming `limit`"),
        ("offset" = Option<i32>, Query, minimum = 0, maximum = 2147483647, description = "Documents to skip, 0-2147483647 (default 0); anything else is a 400 naming `offset`"),
        ListOrder,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the client's documents, with the total", body = DocumentList),
        (status = 400, description = "Invalid query parameter (named in `errors`)", body = ErrorBody),
        TokenRefusals,
    ))]
pub async fn get_documents(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    client: Client,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<axum::Json<DocumentList>, MydocsError> {
    let q = list::list_query(pairs)?;
    Ok(axum::Json(list::list_page(&state, &ctx, &client, q).await?))
}

/// Get document details.
#[utoipa::path(get, path = "/documents/{documentId}", operation_id = "getDocument", tag = "Documents",
    params(("documentId" = i64, Path, description = "The identifier of a document")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The document", body = DocumentView),
        DocumentRefusals,
    ))]
pub async fn get_document(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    client: Client,
    Path(id): Path<i64>,
) -> Result<axum::Json<DocumentView>, MydocsError> {
    let doc = owned(&state, &client, id).await?;
    Ok(axum::Json(view(&state, &ctx, &client, doc).await?))
}

/// Delete a document: the document and its files, through every API; unrecoverable.
#[utoipa::path(delete, path = "/documents/{documentId}", operation_id = "deleteDocument", tag = "Documents",
    params(("documentId" = i64, Path, description = "The identifier of a document")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted; no body"),
        DocumentRefusals,
    ))]
pub async fn delete_document(
    State(state): State<AppState>,
    client: Client,
    Path(id): Path<i64>,
) -> Result<StatusCode, MydocsError> {
    let doc = owned(&state, &client, id).await?;
    state.store.delete_document(&client.tenant, doc.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Download one file of a document (as an attachment named as uploaded); honours `Range`.
#[utoipa::path(get, path = "/documents/{documentId}/files/{fileId}", operation_id = "getDocumentFile", tag = "Documents",
    params(
        ("documentId" = i64, Path, description = "The identifier of a document"),
        ("fileId" = Uuid, Path, description = "The file's id, from the document's `files`"),
    ),
    security(("bearer" = [])),
    responses(
        common::download::FileResponses,
        (status = 404, description = "No such document or file of this client", body = ErrorBody),
        (status = 416, description = "Range outside the file"),
        IdRefusals,
    ))]
pub async fn get_document_file(
    State(state): State<AppState>,
    client: Client,
    Path((id, file_id)): Path<(i64, Uuid)>,
    headers: HeaderMap,
) -> Result<Response, MydocsError> {
    let doc = owned(&state, &client, id).await?;
    let file = state
        .store
        .file_of_document(&client.tenant, doc.id, file_id)
        .await?;
    Ok(common::download::serve(
        &state.store,
        &client.tenant,
        &file,
        &headers,
        Disposition::Attachment,
        "mydocs",
    )
    .await?
    .into_response())
}

/// Get the document types a client can submit (the valid `typeID`s).
///
/// The built-in table serves B2Core's own types as its Back Office lists them (ids 2–9:
/// National ID / Passport, Driving license, Utility bill, Tax Invoice, Certificate of
/// registration, Selfie with proof of identity, Deposit Receipt, Bank Slip), 1 Passport, one
/// type from 10 for each other kind of document idbridge stores, and 22 Other. A deployment
/// may configure its own table instead.
#[utoipa::path(get, path = "/documents/types", operation_id = "getDocumentTypes", tag = "Documents",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every document type", body = DocumentTypeList),
        TokenRefusals,
    ))]
pub async fn get_document_types(
    Extension(ctx): Extension<Arc<Ctx>>,
    _client: Client,
) -> axum::Json<DocumentTypeList> {
    let data = ctx.types.views();
    axum::Json(DocumentTypeList {
        total: data.len(),
        data,
    })
}
