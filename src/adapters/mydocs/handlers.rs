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
use super::mapping::{self, DocumentRefusals, IdRefusals, ListOrder, TokenRefusals, Types};
use super::wire::{Document as DocumentView, DocumentList, DocumentTypeList, ErrorBody};
use crate::adapters::common::{self, download::Disposition};
use crate::error::Error;
use crate::model::{Document, StoredFile, TenantId};
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

fn today() -> NaiveDate {
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

/// How the list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortBy {
    CreateTime,
    UpdateTime,
    Id,
}

/// The list's query, read by hand so that an unknown `filter[…]` is named in the error.
#[derive(Debug)]
pub(super) struct ListQuery {
    limit: usize,
    offset: usize,
    sort_by: SortBy,
    descending: bool,
    type_ids: Option<Vec<u32>>,
    statuses: Option<Vec<String>>,
}

const STATUSES: [&str; 3] = ["new", "incomplete", "expired"];

/// Largest page; the OpenAPI document declares `limit` as 1 to this.
const MAX_LIMIT: u64 = 100;

/// Largest `offset`: the top of the `int32` the OpenAPI document declares. No client has
/// that many documents, and a bound that is exact in every JSON Schema tool (unlike
/// `i64::MAX`, which a float `maximum` rounds up) keeps document and server in agreement.
const MAX_OFFSET: u64 = i32::MAX as u64;

/// A query number: ASCII digits only (no sign, no spaces), as the OpenAPI document's
/// `integer` with `minimum` allows; `None` for anything else, or one past `u64`.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

pub(super) fn list_query(pairs: Vec<(String, String)>) -> Result<ListQuery, Error> {
    let mut q = ListQuery {
        limit: 10,
        offset: 0,
        sort_by: SortBy::CreateTime,
        descending: true,
        type_ids: None,
        statuses: None,
    };
    for (key, value) in pairs {
        let v = value.trim();
        match key.as_str() {
            "limit" => {
                q.limit = digits(&value)
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        Error::invalid("limit", format!("must be an integer from 1 to {MAX_LIMIT}"))
                    })? as usize
            }
            "offset" => {
                q.offset = digits(&value).filter(|n| *n <= MAX_OFFSET).ok_or_else(|| {
                    Error::invalid(
                        "offset",
                        format!("must be an integer from 0 to {MAX_OFFSET}"),
                    )
                })? as usize
            }
            "sort_by" => {
                q.sort_by = match v {
                    "createTime" => SortBy::CreateTime,
                    "updateTime" => SortBy::UpdateTime,
                    "id" => SortBy::Id,
                    _ => {
                        return Err(Error::invalid(
                            "sort_by",
                            "must be createTime, updateTime or id",
                        ));
                    }
                }
            }
            "sort_order" => {
                q.descending = match v.to_ascii_lowercase().as_str() {
                    "desc" => true,
                    "asc" => false,
                    _ => return Err(Error::invalid("sort_order", "must be asc or desc")),
                }
            }
            "filter[typeId]" | "filter[typeID]" => {
                let ids = v
                    .split(',')
                    .map(|s| s.trim().parse::<u32>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| {
                        Error::invalid(key.clone(), "must be a type id or a comma-separated list")
                    })?;
                q.type_ids.get_or_insert_with(Vec::new).extend(ids);
            }
            "filter[status]" => {
                let statuses: Vec<String> = v.split(',').map(|s| s.trim().to_owned()).collect();
                if let Some(bad) = statuses.iter().find(|s| !STATUSES.contains(&s.as_str())) {
                    return Err(Error::invalid(
                        key.clone(),
                        format!("unknown status {bad:?}; use new, incomplete or expired"),
                    ));
                }
                q.statuses.get_or_insert_with(Vec::new).extend(statuses);
            }
            k if k.starts_with("filter[") => {
                return Err(Error::invalid(
                    k.to_owned(),
                    "is not a filter of this list; use filter[typeId] or filter[status]",
                ));
            }
            // Other parameters (a client's cache-busters, locale…) do not change the list.
            _ => {}
        }
    }
    Ok(q)
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
    let q = list_query(pairs)?;
    Ok(axum::Json(list_page(&state, &ctx, &client, q).await?))
}

/// One page of a client's documents, filtered, sorted and counted as `q` asks.
pub(super) async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    client: &Client,
    q: ListQuery,
) -> Result<DocumentList, MydocsError> {
    let docs = state
        .store
        .documents_with_files(&client.tenant, client.subject_id)
        .await?
        .documents;
    let today = today();
    let mut docs: Vec<(Document, Vec<StoredFile>)> = docs
        .into_iter()
        .filter(|(d, _)| {
            q.type_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&ctx.types.of_document(d).id))
        })
        .filter(|(d, _)| {
            q.statuses
                .as_ref()
                .is_none_or(|s| s.iter().any(|s| s == mapping::status(d, today)))
        })
        .collect();
    docs.sort_by(|(a, _), (b, _)| {
        let order = match q.sort_by {
            SortBy::CreateTime => a.created_at.cmp(&b.created_at),
            SortBy::UpdateTime => a.updated_at.cmp(&b.updated_at),
            SortBy::Id => std::cmp::Ordering::Equal,
        }
        .then(a.seq.cmp(&b.seq));
        if q.descending { order.reverse() } else { order }
    });
    let total = docs.len();
    let data = docs
        .into_iter()
        .skip(q.offset)
        .take(q.limit)
        .map(|(d, files)| mapping::document(d, files, &ctx.types, &ctx.base, today))
        .collect();
    Ok(DocumentList { total, data })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Result<ListQuery, Error> {
        list_query(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn list_parameters_are_read_and_checked() {
        let d = q(&[]).unwrap();
        assert_eq!((d.limit, d.offset, d.descending), (10, 0, true));
        let x = q(&[
            ("limit", "5"),
            ("offset", "2"),
            ("sort_order", "ASC"),
            ("filter[typeId]", "1,2"),
            ("utm", "x"),
        ])
        .unwrap();
        assert_eq!((x.limit, x.offset, x.descending), (5, 2, false));
        assert_eq!(x.type_ids, Some(vec![1, 2]));
        for (k, v) in [
            ("limit", "0"),
            ("limit", "101"),
            ("offset", "-1"),
            ("sort_by", "name"),
            ("filter[typeId]", "a"),
            ("filter[status]", "approved"),
            ("filter[clientId]", "1"),
        ] {
            let e = q(&[(k, v)]).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidField { field, .. } if field == k),
                "{k}={v}: {e:?}"
            );
        }
    }
}
