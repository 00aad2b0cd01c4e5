//! One async fn per admin operation.

use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use chrono::Utc;
use uuid::Uuid;

use super::error::AdminError;
use super::mapping;
use super::wire::{
    AliasInput, AliasView, ClientToken, CreateSubject, ErrorBody, JsonRefusals, KeyRefusals,
    ListQuery, MintClientToken, SubjectDetail, SubjectJsonRefusals, SubjectList, SubjectRefusals,
};
use crate::adapters::common::extract as kit;
use crate::auth::KeyKind;
use crate::error::Error;
use crate::model::{Namespace, TenantId};
use crate::state::AppState;

// `Json` (a JSON object body), `Path` and `Query`, answering in the admin error shape.
crate::vendor_extractors!(AdminError; Json, Path, Query);

/// The tenant an admin key (`Authorization: Bearer <key>`) administers.
pub struct AdminTenant(pub TenantId);

impl FromRequestParts<AppState> for AdminTenant {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AdminError> {
        kit::keyed_tenant(state, KeyKind::Admin, kit::bearer(parts))
            .map(AdminTenant)
            .ok_or(AdminError::Unauthorized)
    }
}

/// Longest and shortest client-token lifetimes, in seconds.
const TOKEN_TTL: std::ops::RangeInclusive<u64> = 60..=30 * 24 * 3600;
const DEFAULT_TOKEN_TTL: u64 = 3600;

/// Create a subject.
#[utoipa::path(post, path = "/subjects", tag = "subjects", request_body = CreateSubject,
    security(("admin_key" = [])),
    responses(
        (status = 201, description = "Created", body = SubjectDetail),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 409, description = "Id or alias already taken", body = ErrorBody),
        JsonRefusals,
    ))]
pub async fn create_subject(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Json(body): Json<CreateSubject>,
) -> Result<impl IntoResponse, AdminError> {
    let label = mapping::label(body.label)?;
    let aliases = mapping::aliases(body.aliases)?;
    let subject = state
        .store
        .create_subject(&tenant, body.id, label, &aliases)
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(detail(&state, &tenant, subject.id).await?),
    ))
}

/// List subjects.
#[utoipa::path(get, path = "/subjects", tag = "subjects", params(ListQuery),
    security(("admin_key" = [])),
    responses(
        (status = 200, description = "A page of subjects", body = SubjectList),
        (status = 400, description = "Invalid query", body = ErrorBody),
        KeyRefusals,
    ))]
pub async fn list_subjects(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<SubjectList>, AdminError> {
    let limit = crate::adapters::common::page_limit(q.limit, 50, 200)?;
    let offset = q.offset.unwrap_or(0);
    if offset > i64::MAX as u64 {
        return Err(Error::invalid("offset", "is too large").into());
    }
    let page = match q.after {
        Some(_) if offset > 0 => {
            return Err(Error::invalid("after", "cannot be combined with offset").into());
        }
        Some(after) => state
            .store
            .subjects_after(&tenant, after, limit)
            .await
            .map_err(|e| match e {
                Error::NotFound(_) => Error::invalid("after", "is not a subject of this tenant"),
                other => other,
            })?,
        None => state.store.list_subjects(&tenant, limit, offset).await?,
    };
    let next = (page.items.len() == limit as usize)
        .then(|| page.items.last().map(|s| s.id))
        .flatten();
    Ok(axum::Json(SubjectList {
        total: page.total,
        limit,
        offset,
        items: page
            .items
            .into_iter()
            .map(mapping::subject_summary)
            .collect(),
        next,
    }))
}

/// Everything stored for a subject, across every vendor API.
#[utoipa::path(get, path = "/subjects/{subject_id}", tag = "subjects",
    params(("subject_id" = Uuid, Path, description = "Subject id")),
    security(("admin_key" = [])),
    responses(
        (status = 200, description = "The subject and all it owns", body = SubjectDetail),
        SubjectRefusals,
    ))]
pub async fn get_subject(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Path(subject_id): Path<Uuid>,
) -> Result<axum::Json<SubjectDetail>, AdminError> {
    Ok(axum::Json(detail(&state, &tenant, subject_id).await?))
}

/// Delete a subject and everything it owns; every file is crypto-shredded.
#[utoipa::path(delete, path = "/subjects/{subject_id}", tag = "subjects",
    params(("subject_id" = Uuid, Path, description = "Subject id")),
    security(("admin_key" = [])),
    responses(
        (status = 204, description = "Deleted"),
        SubjectRefusals,
    ))]
pub async fn delete_subject(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Path(subject_id): Path<Uuid>,
) -> Result<StatusCode, AdminError> {
    state.store.delete_subject(&tenant, subject_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Link an external id (a vendor's user, profile or account id) to a subject.
#[utoipa::path(post, path = "/subjects/{subject_id}/aliases", tag = "subjects", request_body = AliasInput,
    params(("subject_id" = Uuid, Path, description = "Subject id")),
    security(("admin_key" = [])),
    responses(
        (status = 201, description = "Linked (or already linked to this subject)", body = AliasView),
        (status = 400, description = "Invalid input", body = ErrorBody),
        (status = 409, description = "The external id is linked to another subject", body = ErrorBody),
        SubjectJsonRefusals,
    ))]
pub async fn link_alias(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Path(subject_id): Path<Uuid>,
    Json(body): Json<AliasInput>,
) -> Result<impl IntoResponse, AdminError> {
    let mut parsed = mapping::aliases(vec![body])?;
    let (ns, ext): (Namespace, String) = parsed
        .pop()
        .ok_or_else(|| Error::internal("alias vanished"))?;
    let alias = state
        .store
        .link_alias(&tenant, subject_id, &ns, &ext)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(mapping::alias_view(alias))))
}

/// Mint a client token for a subject: what a B2Core "my documents" client sends as
/// `Authorization: Bearer <token>`.
#[utoipa::path(post, path = "/subjects/{subject_id}/client-tokens", tag = "subjects", request_body = MintClientToken,
    params(("subject_id" = Uuid, Path, description = "Subject id")),
    security(("admin_key" = [])),
    responses(
        (status = 201, description = "Minted; the token is shown only once", body = ClientToken),
        (status = 400, description = "Invalid input", body = ErrorBody),
        SubjectJsonRefusals,
    ))]
pub async fn mint_client_token(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Path(subject_id): Path<Uuid>,
    Json(body): Json<MintClientToken>,
) -> Result<impl IntoResponse, AdminError> {
    let token = mint_client_token_for(&state, &tenant, subject_id, body.ttl_seconds).await?;
    Ok((StatusCode::CREATED, axum::Json(token)))
}

/// Mints a B2Core client token for a subject of `tenant`, valid `ttl_seconds` (an hour when
/// absent): the admin API and the console.
pub async fn mint_client_token_for(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
    ttl_seconds: Option<u64>,
) -> Result<ClientToken, Error> {
    let ttl = ttl_seconds.unwrap_or(DEFAULT_TOKEN_TTL);
    if !TOKEN_TTL.contains(&ttl) {
        return Err(Error::invalid(
            "ttl_seconds",
            "must be between 60 and 2592000",
        ));
    }
    let minted = state
        .store
        .mint_token(
            tenant,
            subject_id,
            None,
            crate::store::CLIENT_TOKEN,
            chrono::Duration::seconds(ttl as i64),
        )
        .await?;
    Ok(ClientToken {
        token: minted.token,
        token_type: "Bearer",
        expires_at: minted.expires_at,
    })
}

/// Gathers everything the store holds for a subject.
async fn detail(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
) -> Result<SubjectDetail, Error> {
    let store = &state.store;
    let subject = store.get_subject(tenant, subject_id).await?;
    let aliases = store.aliases(tenant, subject_id).await?;
    let filed = store.documents_with_files(tenant, subject_id).await?;
    let processes = store.list_processes(tenant, subject_id).await?;
    let accounts = store.client_accounts_of(tenant, subject_id).await?;
    let now = Utc::now();
    let documents = filed
        .documents
        .into_iter()
        .map(|(d, files)| {
            mapping::document_view(d, files.into_iter().map(mapping::file_view).collect())
        })
        .collect();
    Ok(SubjectDetail {
        id: subject.id,
        label: subject.label,
        created_at: subject.created_at,
        aliases: aliases.into_iter().map(mapping::alias_view).collect(),
        documents,
        files: filed.loose.into_iter().map(mapping::file_view).collect(),
        processes: processes
            .into_iter()
            .map(|p| mapping::process_view(p, now))
            .collect(),
        client_accounts: accounts
            .into_iter()
            .map(mapping::client_account_view)
            .collect(),
    })
}
