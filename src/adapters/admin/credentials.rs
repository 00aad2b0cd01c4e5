//! Credentials the vendors' own sign-in flows use, made and revoked here: B2Core client
//! accounts (an email and a password for a subject) and MasStack service accounts (an RSA key
//! pair whose private half is handed out once).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use uuid::Uuid;

use super::error::AdminError;
use super::handlers::{AdminTenant, Json, Path};
use super::mapping::{client_account_view, service_account_view};
use super::wire::{
    ClientAccountView, CreateClientAccount, CreateServiceAccount, ErrorBody, IdRefusals,
    JsonRefusals, KeyRefusals, ResetPassword, ServiceAccountFile, ServiceAccountList,
    SubjectJsonRefusals,
};
use crate::auth::password;
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;
use crate::store::ClientAccount;

/// Give a subject a sign-in account: what a B2Core client signs in with
/// (`POST /api/v2/my/signin`). Only an argon2id hash of the password is kept.
#[utoipa::path(post, path = "/subjects/{subject_id}/client-accounts", tag = "credentials", request_body = CreateClientAccount,
    params(("subject_id" = Uuid, Path, description = "Subject id")),
    security(("admin_key" = [])),
    responses(
        (status = 201, description = "Created", body = ClientAccountView),
        (status = 400, description = "Invalid email or password", body = ErrorBody),
        (status = 409, description = "The email has an account in this tenant, or the subject has one already", body = ErrorBody),
        SubjectJsonRefusals,
    ))]
pub async fn create_client_account(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Path(subject_id): Path<Uuid>,
    Json(body): Json<CreateClientAccount>,
) -> Result<impl IntoResponse, AdminError> {
    let account =
        new_client_account(&state, &tenant, subject_id, &body.email, body.password).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(client_account_view(account)),
    ))
}

/// Gives a subject of `tenant` a B2Core sign-in account (the admin API and the console).
pub async fn new_client_account(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
    email: &str,
    new_password: String,
) -> Result<ClientAccount, Error> {
    let email = crate::auth::normalize_email(email)
        .ok_or_else(|| Error::invalid("email", "must be an email address"))?;
    password::check_new(&new_password)?;
    // Fails fast on an unknown subject, before the hashing work.
    state.store.get_subject(tenant, subject_id).await?;
    let hash = password::hash(new_password).await?;
    state
        .store
        .create_client_account(tenant, subject_id, &email, &hash)
        .await
}

/// Set a new password on a subject's sign-in account. Every session signed in with the old
/// one ends; tokens minted by the admin API keep working.
#[utoipa::path(put, path = "/subjects/{subject_id}/client-accounts/{account_id}/password", tag = "credentials", request_body = ResetPassword,
    params(
        ("subject_id" = Uuid, Path, description = "Subject id"),
        ("account_id" = Uuid, Path, description = "Client account id"),
    ),
    security(("admin_key" = [])),
    responses(
        (status = 200, description = "Changed", body = ClientAccountView),
        (status = 400, description = "Invalid password", body = ErrorBody),
        (status = 404, description = "No such account of this subject in this tenant", body = ErrorBody),
        JsonRefusals,
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Path((subject_id, account_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<ResetPassword>,
) -> Result<axum::Json<ClientAccountView>, AdminError> {
    password::check_new(&body.password)?;
    let hash = password::hash(body.password).await?;
    let account = state
        .store
        .set_client_password(&tenant, subject_id, account_id, &hash)
        .await?;
    Ok(axum::Json(client_account_view(account)))
}

/// Create a MasStack service account. The answer is the JSON file its client loads,
/// private key included; idbridge keeps only the public key, so it is shown once.
#[utoipa::path(post, path = "/service-accounts", tag = "credentials", request_body = CreateServiceAccount,
    security(("admin_key" = [])),
    responses(
        (status = 201, description = "Created; the private key is shown only now", body = ServiceAccountFile),
        (status = 400, description = "Invalid input", body = ErrorBody),
        JsonRefusals,
    ))]
pub async fn create_service_account(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Json(body): Json<CreateServiceAccount>,
) -> Result<impl IntoResponse, AdminError> {
    let file = new_service_account(&state, &tenant, body.label).await?;
    Ok((StatusCode::CREATED, axum::Json(file)))
}

/// Makes a MasStack service account of `tenant` and returns its key file, the only time the
/// private key is ever shown (the admin API and the console).
pub async fn new_service_account(
    state: &AppState,
    tenant: &TenantId,
    label: Option<String>,
) -> Result<ServiceAccountFile, Error> {
    let label = super::mapping::label(label)?;
    let (private_key, public_key) = crate::auth::keys::generate_rsa().await?;
    let id = Uuid::new_v4();
    let simple = id.simple().to_string();
    let client_email = format!(
        "sa-{}@{}.serviceaccounts.idbridge",
        &simple[..12],
        tenant.as_str()
    );
    let account = state
        .store
        .create_service_account(tenant, id, &client_email, &public_key, label.as_deref())
        .await?;
    let config = &state.config;
    let token_uri = format!(
        "{}{}{}",
        config.server.public_base_url.trim_end_matches('/'),
        config.adapters.masstack.prefix,
        config.adapters.masstack.token_path
    );
    Ok(ServiceAccountFile {
        kind: "service_account",
        private_key_id: account.id,
        private_key,
        client_email: account.client_email,
        client_id: account.id,
        token_uri,
        label: account.label,
    })
}

/// List the tenant's MasStack service accounts.
#[utoipa::path(get, path = "/service-accounts", tag = "credentials",
    security(("admin_key" = [])),
    responses(
        (status = 200, description = "Every service account, revoked ones too", body = ServiceAccountList),
        KeyRefusals,
    ))]
pub async fn list_service_accounts(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
) -> Result<axum::Json<ServiceAccountList>, AdminError> {
    let items = state.store.list_service_accounts(&tenant).await?;
    Ok(axum::Json(ServiceAccountList {
        items: items.into_iter().map(service_account_view).collect(),
    }))
}

/// Revoke a MasStack service account: its assertions are refused and the access tokens it
/// obtained stop working at once.
#[utoipa::path(delete, path = "/service-accounts/{account_id}", tag = "credentials",
    params(("account_id" = Uuid, Path, description = "Service account id (its private_key_id)")),
    security(("admin_key" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such service account in this tenant", body = ErrorBody),
        IdRefusals,
    ))]
pub async fn revoke_service_account(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Path(account_id): Path<Uuid>,
) -> Result<StatusCode, AdminError> {
    state
        .store
        .revoke_service_account(&tenant, account_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
