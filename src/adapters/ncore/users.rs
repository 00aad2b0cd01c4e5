//! nCore users: `POST /users`, `GET /users/{user_id}`, `PUT /users/{user_id}`. A user is a
//! subject: its id is its subject's id, so it is the `user_id` its identifications take, and
//! its fields are the subject's data in the `ncore` namespace. No NymCard source gives the
//! `GET`/`PUT` paths: they follow from its `/users/{user_id}/…` routes and REST conventions
//! (docs/compat/ncore.md).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::error::NcoreError;
use super::extract::{ApiTenant, Body, Path};
use super::handlers::{namespace, user};
use super::idempotency::{self, IdempotencyKey};
use super::mapping::timestamp;
use super::user_fields::{self, Mode};
use super::user_rules;
use super::wire::{
    CreateUser, ErrorBody, IdempotentRefusals, UpdateUser, User, UserJsonRefusals, UserRecord,
    UserRefusals,
};
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;

/// The body as a JSON object, or a 400 saying it is not one.
fn object(bytes: &[u8]) -> Result<Map<String, Value>, NcoreError> {
    match super::handlers::parse::<Value>(bytes)? {
        Value::Object(m) => Ok(m),
        _ => Err(NcoreError::Body("the body must be a JSON object".into())),
    }
}

/// A subject's user record, if it was created as an nCore user.
async fn record(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
) -> Result<Option<UserRecord>, NcoreError> {
    let data = state
        .store
        .subject_data(tenant, subject_id, &namespace())
        .await?;
    Ok(data
        .map(serde_json::from_value)
        .transpose()
        .map_err(Error::internal)?)
}

/// The user `user_id` names: another tenant's, one never created with `POST /users`, or one
/// that does not exist at all are the same 404.
async fn load(
    state: &AppState,
    tenant: &TenantId,
    user_id: &str,
) -> Result<(Uuid, UserRecord), NcoreError> {
    let subject = user(state, tenant, user_id, false).await?;
    let found = record(state, tenant, subject.id).await?;
    Ok((subject.id, found.ok_or(Error::NotFound("user"))?))
}

/// A named parent must be a user of this tenant, and not the user itself.
async fn check_parent(
    state: &AppState,
    tenant: &TenantId,
    parent: Option<&str>,
    itself: Option<Uuid>,
) -> Result<(), NcoreError> {
    let Some(parent) = parent else {
        return Ok(());
    };
    match load(state, tenant, parent).await {
        Ok((id, _)) if Some(id) == itself => {
            Err(Error::invalid("parent_user_id", "cannot be the user itself").into())
        }
        Ok(_) => Ok(()),
        Err(NcoreError::Core(Error::NotFound(_) | Error::InvalidField { .. })) => {
            Err(Error::invalid("parent_user_id", "names no user").into())
        }
        Err(e) => Err(e),
    }
}

/// Create a user.
#[utoipa::path(post, path = "/users", operation_id = "createUser",
    tag = "Users", request_body = CreateUser,
    params(IdempotencyKey),
    security(("apikey" = [])),
    responses(
        (status = 200, description = "Created, PENDINGKYC", body = User),
        (status = 400, description = "Invalid input (`field` names it); nothing stored", body = ErrorBody),
        IdempotentRefusals,
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    headers: HeaderMap,
    Body(bytes): Body,
) -> Result<Response, NcoreError> {
    // The empty first part keeps this request's fingerprint apart from any identification's
    // (a user id is never empty).
    idempotency::once(
        &state,
        &tenant,
        &headers,
        &[b"", b"users", &bytes],
        create(&state, &tenant, &bytes),
    )
    .await
}

async fn create(state: &AppState, tenant: &TenantId, bytes: &[u8]) -> Result<User, NcoreError> {
    let checked = user_fields::check(object(bytes)?, Mode::Create)?;
    check_parent(state, tenant, checked.parent(), None).await?;
    let record = user_rules::new_record(checked, &timestamp(chrono::Utc::now()))?;
    let data = serde_json::to_value(&record).map_err(Error::internal)?;
    // The subject and its user data are one transaction: nothing half stored.
    let subject = state
        .store
        .create_subject_with_data(
            tenant,
            &namespace(),
            &data,
            &user_rules::search_text(&record),
        )
        .await?;
    Ok(User {
        id: subject.id,
        record,
    })
}

/// Get a user.
#[utoipa::path(get, path = "/users/{user_id}", operation_id = "getUser",
    tag = "Users",
    params(("user_id" = String, Path, description = "The user's id")),
    security(("apikey" = [])),
    responses(
        (status = 200, description = "The user", body = User),
        UserRefusals,
    ))]
pub async fn get_user(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path(user_id): Path<String>,
) -> Result<axum::Json<User>, NcoreError> {
    let (id, record) = load(&state, &tenant, &user_id).await?;
    Ok(axum::Json(User { id, record }))
}

/// Update a user: fields present replace the stored ones, `null` clears one, and `status`
/// moves along the allowed transitions.
#[utoipa::path(put, path = "/users/{user_id}", operation_id = "updateUser",
    tag = "Users", request_body = UpdateUser,
    params(("user_id" = String, Path, description = "The user's id")),
    security(("apikey" = [])),
    responses(
        (status = 200, description = "The user now", body = User),
        (status = 400, description = "Invalid input or a transition not allowed (`field` names it); nothing changed", body = ErrorBody),
        (status = 409, description = "The user is TERMINATED: it takes no change any more", body = ErrorBody),
        UserJsonRefusals,
    ))]
pub async fn update_user(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path(user_id): Path<String>,
    Body(bytes): Body,
) -> Result<axum::Json<User>, NcoreError> {
    let body = object(&bytes)?;
    let (id, _) = load(&state, &tenant, &user_id).await?;
    let checked = user_fields::check(body, Mode::Update(&id.to_string()))?;
    check_parent(&state, &tenant, checked.parent(), Some(id)).await?;
    let now = timestamp(chrono::Utc::now());
    // The rules (status transitions, the type's names) see the user as it is under the write
    // lock, so two concurrent updates cannot both pass a rule only one of them may.
    let data = state
        .store
        .update_subject_data(&tenant, id, &namespace(), |current| {
            let current: UserRecord =
                serde_json::from_value(current.ok_or(Error::NotFound("user"))?)
                    .map_err(Error::internal)?;
            let next = user_rules::apply(current, checked, &now)?;
            let data = serde_json::to_value(&next).map_err(Error::internal)?;
            Ok((data, user_rules::search_text(&next)))
        })
        .await
        .map_err(|e| match e {
            Error::NotFound(_) => Error::NotFound("user"),
            other => other,
        })?;
    let record = serde_json::from_value(data).map_err(Error::internal)?;
    Ok(axum::Json(User { id, record }))
}
