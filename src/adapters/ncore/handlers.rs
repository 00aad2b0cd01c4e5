//! One async fn per nCore operation, named after NymCard's operation ids.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use uuid::Uuid;

use super::error::NcoreError;
use super::extract::{ApiTenant, Body, Path, Query};
use super::idempotency::{self, IdempotencyKey};
use super::mapping::{self, EXPIRY_AS_SENT, NAMESPACE};
use super::wire::{
    CreateIdentification, ErrorBody, IdempotentRefusals, Identification,
    IdentificationJsonRefusals, IdentificationList, IdentificationRefusals, ListQuery, Paging,
    UpdateIdentification, UserKeyRefusals,
};
use crate::error::Error;
use crate::model::{Document, DocumentPatch, Namespace, NewDocument, Subject, TenantId};
use crate::state::AppState;
use crate::store::Owner;

/// nCore's namespace of user ids and per-user data.
pub(super) fn namespace() -> Namespace {
    crate::adapters::common::namespace(NAMESPACE)
}

pub(super) fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, NcoreError> {
    serde_json::from_slice(bytes).map_err(|e| {
        NcoreError::Body(format!(
            "invalid JSON body: {}",
            crate::adapters::common::redact::without_input(&e.to_string())
        ))
    })
}

/// The subject an nCore `user_id` names; reads never create one.
pub(super) async fn user(
    state: &AppState,
    tenant: &TenantId,
    user_id: &str,
    create: bool,
) -> Result<Subject, NcoreError> {
    let found = state
        .store
        .resolve_subject(tenant, &namespace(), user_id, create)
        .await
        .map_err(|e| match e {
            Error::InvalidField { reason, .. } => Error::invalid("user_id", reason),
            other => other,
        })?;
    Ok(found.ok_or(Error::NotFound("user"))?)
}

/// The user's identification with this id, or not found (another user's is not found too).
pub(super) async fn owned(
    state: &AppState,
    tenant: &TenantId,
    subject: &Subject,
    id: Uuid,
) -> Result<Document, NcoreError> {
    Ok(state
        .store
        .document_of(tenant, subject.id, id)
        .await
        .map_err(not_found)?)
}

/// The store's "no such document" in nCore's words.
fn not_found(e: Error) -> Error {
    match e {
        Error::NotFound(_) => Error::NotFound("identification"),
        other => other,
    }
}

fn required_number(number: String) -> Result<String, Error> {
    let n = number.trim();
    if n.is_empty() {
        return Err(Error::invalid("number", "is required"));
    }
    Ok(n.to_owned())
}

fn authority(a: Option<String>) -> Result<Option<String>, Error> {
    match a {
        Some(a) if a.chars().count() > 200 || a.chars().any(char::is_control) => {
            Err(Error::invalid(
                "issuance_authority",
                "must be at most 200 characters without control characters",
            ))
        }
        other => Ok(other),
    }
}

/// Create a user identification.
#[utoipa::path(post, path = "/users/{user_id}/identifications", operation_id = "createIdentification",
    tag = "User documents", request_body = CreateIdentification,
    params(("user_id" = String, Path, description = "The user's id"), IdempotencyKey),
    security(("apikey" = [])),
    responses(
        (status = 200, description = "Created", body = Identification),
        (status = 400, description = "Invalid input", body = ErrorBody),
        IdempotentRefusals,
    ))]
pub async fn create_identification(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    Body(bytes): Body,
) -> Result<Response, NcoreError> {
    idempotency::once(
        &state,
        &tenant,
        &headers,
        &[user_id.as_bytes(), &bytes],
        create(&state, &tenant, &user_id, &bytes),
    )
    .await
}

async fn create(
    state: &AppState,
    tenant: &TenantId,
    user_id: &str,
    bytes: &[u8],
) -> Result<Identification, NcoreError> {
    let req: CreateIdentification = parse(bytes)?;
    let mut extras = req.other;
    let expires_on = match req.expiration_date {
        Some(text) => {
            let date = mapping::expiration(&text)?;
            extras.insert(EXPIRY_AS_SENT.into(), serde_json::Value::String(text));
            Some(date)
        }
        None => None,
    };
    let new = NewDocument {
        kind: Some(mapping::kind_of(req.kind)),
        number: Some(required_number(req.number)?),
        issuing_country: req
            .issuing_country
            .as_deref()
            .map(mapping::country)
            .transpose()?,
        issuing_authority: authority(req.issuance_authority)?,
        expires_on,
        extras: [(NAMESPACE.to_owned(), serde_json::Value::Object(extras))].into(),
        written_by: Some(NAMESPACE),
        ..Default::default()
    };
    let subject = user(state, tenant, user_id, true).await?;
    let doc = state
        .store
        .create_document(tenant, subject.id, new.validate()?)
        .await?;
    Ok(mapping::identification(doc, Vec::new(), user_id))
}

/// Get the user's identifications, newest first, with cursor paging.
#[utoipa::path(get, path = "/users/{user_id}/identifications", operation_id = "getIdentifications",
    tag = "User documents",
    params(("user_id" = String, Path, description = "The user's id"), ListQuery),
    security(("apikey" = [])),
    responses(
        (status = 200, description = "A page of identifications", body = IdentificationList),
        (status = 400, description = "Invalid query", body = ErrorBody),
        UserKeyRefusals,
    ))]
pub async fn get_identifications(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path(user_id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<IdentificationList>, NcoreError> {
    let limit = crate::adapters::common::page_limit(q.limit, 20, 100)?;
    let after = q
        .after
        .as_deref()
        .map(|a| {
            Uuid::parse_str(a)
                .map_err(|_| Error::invalid("after", "is not a cursor this API returned"))
        })
        .transpose()?;
    let ns = namespace();
    let owner = Owner::Named {
        namespace: &ns,
        external_id: &user_id,
    };
    // Newest first (ids are UUIDv7, so id order is creation order), cut in SQL after the
    // cursor, the user resolved in the same statement: one more than asked says whether
    // there is a next page.
    let mut page = state
        .store
        .documents_before(&tenant, owner, after, limit + 1)
        .await?;
    if page.is_empty() {
        // No identifications, or no such user (a 404), or a malformed user id (a 400).
        user(&state, &tenant, &user_id, false).await?;
    }
    let has_more = page.len() > limit as usize;
    page.truncate(limit as usize);
    let cursor = if has_more {
        page.last().map(|(d, _)| d.id.to_string())
    } else {
        None
    };
    Ok(axum::Json(IdentificationList {
        data: page
            .into_iter()
            .map(|(d, files)| mapping::identification(d, files, &user_id))
            .collect(),
        paging: Paging {
            limit,
            after: cursor,
            has_more,
        },
    }))
}

/// Get a specific user identification.
#[utoipa::path(get, path = "/users/{user_id}/identifications/{identification_id}", operation_id = "getIdentification",
    tag = "User documents",
    params(("user_id" = String, Path, description = "The user's id"), ("identification_id" = Uuid, Path, description = "Identification id")),
    security(("apikey" = [])),
    responses(
        (status = 200, description = "The identification", body = Identification),
        IdentificationRefusals,
    ))]
pub async fn get_identification(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path((user_id, id)): Path<(String, Uuid)>,
) -> Result<axum::Json<Identification>, NcoreError> {
    let found = state
        .store
        .filed_document_of(
            &tenant,
            Owner::Named {
                namespace: &namespace(),
                external_id: &user_id,
            },
            id,
        )
        .await?;
    match found {
        Some((doc, files)) => Ok(axum::Json(mapping::identification(doc, files, &user_id))),
        // Which 404 (or 400, for a malformed user id): no such user, or no such
        // identification of it.
        None => {
            user(&state, &tenant, &user_id, false).await?;
            Err(Error::NotFound("identification").into())
        }
    }
}

/// An identification with its files.
async fn with_files(
    state: &AppState,
    tenant: &TenantId,
    doc: Document,
    user_id: &str,
) -> Result<Identification, NcoreError> {
    let files = state.store.files_of(tenant, doc.id).await?;
    Ok(mapping::identification(doc, files, user_id))
}

/// Update a user identification: fields present replace the stored ones.
#[utoipa::path(put, path = "/users/{user_id}/identifications/{identification_id}", operation_id = "updateIdentification",
    tag = "User documents", request_body = UpdateIdentification,
    params(("user_id" = String, Path, description = "The user's id"), ("identification_id" = Uuid, Path, description = "Identification id")),
    security(("apikey" = [])),
    responses(
        (status = 200, description = "The updated identification", body = Identification),
        (status = 400, description = "Invalid input", body = ErrorBody),
        IdentificationJsonRefusals,
    ))]
pub async fn update_identification(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path((user_id, id)): Path<(String, Uuid)>,
    Body(bytes): Body,
) -> Result<axum::Json<Identification>, NcoreError> {
    let req: UpdateIdentification = parse(&bytes)?;
    let subject = user(&state, &tenant, &user_id, false).await?;
    // An unknown identification is a 404 before any field is judged, as it always was; the
    // update below checks ownership again inside its transaction.
    owned(&state, &tenant, &subject, id).await?;
    let expiry = match req.expiration_date {
        None => None,
        Some(None) => Some(None),
        Some(Some(text)) => Some(Some((mapping::expiration(&text)?, text))),
    };
    let kind = req.kind.map(mapping::kind_of);
    let number = req.number.map(required_number).transpose()?.map(Some);
    let issuing_authority = req.issuance_authority.map(authority).transpose()?;
    let issuing_country = req
        .issuing_country
        .map(|c| c.as_deref().map(mapping::country).transpose())
        .transpose()?;
    let other = req.other;
    // The extras merge with what is stored when the update runs, in its transaction, so a
    // concurrent update's extras are not lost.
    let doc = state
        .store
        .update_document_of(&tenant, subject.id, id, |doc| {
            let mut extras = match doc.extras.get(NAMESPACE) {
                Some(serde_json::Value::Object(m)) => m.clone(),
                _ => serde_json::Map::new(),
            };
            extras.extend(other);
            let expires_on = expiry.map(|e| {
                e.map(|(date, text)| {
                    extras.insert(EXPIRY_AS_SENT.into(), serde_json::Value::String(text));
                    date
                })
            });
            if expires_on == Some(None) {
                extras.remove(EXPIRY_AS_SENT);
            }
            Ok(DocumentPatch {
                kind,
                number,
                issuing_authority,
                issuing_country,
                expires_on,
                extras: Some((NAMESPACE.to_owned(), serde_json::Value::Object(extras))),
                ..Default::default()
            })
        })
        .await
        .map_err(not_found)?;
    Ok(axum::Json(
        with_files(&state, &tenant, doc, &user_id).await?,
    ))
}
