//! The Back Office's view of documents, as a back-office migration tool reads them:
//! `GET /api/v2/documents?filter[clientId]=…` (the query the addendum's customer code sends)
//! and `GET /api/v2/documents/{documentId}`, with a back-office token from `/api/v2/signin`.
//! `clientId` is the number of the subject's sign-in account (admin API).

use std::sync::Arc;

use axum::extract::{Extension, State};

use super::backoffice_signin::Backoffice;
use super::error::MydocsError;
use super::handlers::{self, Client, Ctx, Path, Query};
use super::list;
use super::mapping::{BackofficeIdRefusals, BackofficeRefusals, ListOrder};
use super::wire::{BackofficeDocument, BackofficeDocumentList, ErrorBody};
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;

/// The clientId of a subject: its first sign-in account's number.
async fn client_id_of(
    state: &AppState,
    tenant: &TenantId,
    subject_id: uuid::Uuid,
) -> Result<Option<i64>, Error> {
    Ok(state
        .store
        .client_accounts_of(tenant, subject_id)
        .await?
        .first()
        .map(|a| a.number))
}

/// Get a list of documents (Back Office): one client's, by `filter[clientId]`.
#[utoipa::path(get, path = "/documents", operation_id = "backofficeGetDocuments", tag = "Back Office",
    params(
        ("filter[clientId]" = i64, Query, minimum = 1, description = "The client whose documents to list (required)"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size, 1-100 (default 10)"),
        ("offset" = Option<i32>, Query, minimum = 0, maximum = 2147483647, description = "Documents to skip (default 0)"),
        ListOrder,
    ),
    security(("backoffice" = [])),
    responses(
        (status = 200, description = "A page of the client's documents, with the total", body = BackofficeDocumentList),
        (status = 400, description = "No or malformed filter[clientId], or another invalid parameter (named in `errors`)", body = ErrorBody),
        (status = 404, description = "No client with this id in the tenant", body = ErrorBody),
        BackofficeRefusals,
    ))]
pub async fn get_documents(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    Backoffice(tenant): Backoffice,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<axum::Json<BackofficeDocumentList>, MydocsError> {
    let (client, rest): (Vec<_>, Vec<_>) = pairs
        .into_iter()
        .partition(|(k, _)| k == "filter[clientId]");
    let number = match client.as_slice() {
        [(_, v)] => v.trim().parse::<i64>().ok().filter(|n| *n >= 1),
        _ => None,
    }
    .ok_or_else(|| {
        Error::invalid(
            "filter[clientId]",
            "is required: one client id (a positive integer)",
        )
    })?;
    let q = list::list_query(rest)?;
    let account = state
        .store
        .client_account_by_number(&tenant, number)
        .await?;
    let client = Client {
        tenant,
        subject_id: account.subject_id,
    };
    let page = list::list_page(&state, &ctx, &client, q).await?;
    Ok(axum::Json(BackofficeDocumentList {
        total: page.total,
        data: page
            .data
            .into_iter()
            .map(|document| BackofficeDocument {
                client_id: Some(number),
                document,
            })
            .collect(),
    }))
}

/// Get document details (Back Office): any document of the tenant.
#[utoipa::path(get, path = "/documents/{documentId}", operation_id = "backofficeGetDocument", tag = "Back Office",
    params(("documentId" = i64, Path, description = "The document's id")),
    security(("backoffice" = [])),
    responses(
        (status = 200, description = "The document and whose it is", body = BackofficeDocument),
        (status = 404, description = "No such document in the tenant", body = ErrorBody),
        BackofficeIdRefusals,
    ))]
pub async fn get_document(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    Backoffice(tenant): Backoffice,
    Path(id): Path<i64>,
) -> Result<axum::Json<BackofficeDocument>, MydocsError> {
    let doc = match state.store.get_document_by_seq(&tenant, id).await {
        Ok(d) => d,
        Err(Error::NotFound(_)) => return Err(Error::NotFound("document").into()),
        Err(e) => return Err(e.into()),
    };
    let client_id = client_id_of(&state, &tenant, doc.subject_id).await?;
    let client = Client {
        tenant,
        subject_id: doc.subject_id,
    };
    let document = handlers::view(&state, &ctx, &client, doc).await?;
    Ok(axum::Json(BackofficeDocument {
        client_id,
        document,
    }))
}
