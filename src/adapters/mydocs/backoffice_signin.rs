//! B2Core's Back Office sign-in: `POST /api/v2/signin` with `{email, password}` of a
//! back-office user of the tenant's configuration; `/api/v2/refresh` and `/api/v2/signout` as
//! the client's. A back-office token opens a tenant's documents (`Backoffice`).

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use sha2::Digest as _;

use super::error::MydocsError;
use super::mapping::SigninRefusals;
use super::sessions::{
    BACKOFFICE_TOKEN, Body, RefreshResponses, backoffice_session, bearer, charge,
    email_and_password, fields, pair, refresh_as, sign_out,
};
use super::wire::{BackofficeSigninRequest, ErrorBody, RefreshRequest, TokenPair};
use crate::auth::password;
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;
use crate::store::Holder;

/// Back Office sign-in: a back-office user's email and password for a token pair.
#[utoipa::path(post, path = "/signin", operation_id = "backofficeSignin", tag = "Back Office",
    request_body(content = BackofficeSigninRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 400, description = "A field is missing or malformed (named in `errors`)", body = ErrorBody),
        SigninRefusals,
    ))]
pub async fn backoffice_signin(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    Body(body): Body,
) -> Result<axum::Json<TokenPair>, MydocsError> {
    let f = fields(&body)?;
    let (email, password) = email_and_password(&f)?;
    let (email, attempt) = charge(&state, "b2core-backoffice", &email, &extensions).await?;
    let user = state.config.tenants.iter().find_map(|t| {
        t.b2core_backoffice
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(&email))
            .map(|u| (t.id.clone(), u.password_hash.expose().to_owned()))
    });
    let hash = user.as_ref().map(|(_, h)| h.clone());
    if !password::verify(password, hash).await? {
        return Err(MydocsError::WrongCredentials);
    }
    let (tenant, _) = user.ok_or_else(|| Error::internal("a password matched no user"))?;
    let tenant = TenantId::new(tenant).map_err(Error::internal)?;
    attempt
        .succeeded(&state.store, &state.config.server.sign_in_limits)
        .await?;
    // The principal names the user without its email: a digest is enough to tell users apart.
    let principal = format!(
        "backoffice:{}",
        &hex::encode(sha2::Sha256::digest(email.as_bytes()))[..16]
    );
    crate::audit::credential(&tenant, principal.clone());
    let tokens = state
        .store
        .start_session(
            &tenant,
            &Holder::Principal(principal),
            backoffice_session(&state.config),
        )
        .await?;
    Ok(pair(tokens))
}

/// Back Office refresh, as the client's.
#[utoipa::path(post, path = "/refresh", operation_id = "backofficeRefresh", tag = "Back Office",
    request_body(content = RefreshRequest, content_type = "application/json"),
    responses(RefreshResponses))]
pub async fn backoffice_refresh(
    State(state): State<AppState>,
    Body(body): Body,
) -> Result<axum::Json<TokenPair>, MydocsError> {
    refresh_as(&state, backoffice_session(&state.config), &body).await
}

/// Back Office sign-out, as the client's.
#[utoipa::path(post, path = "/signout", operation_id = "backofficeSignout", tag = "Back Office",
    security(("backoffice" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "No, unknown or expired back-office token", body = ErrorBody),
    ))]
pub async fn backoffice_signout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, MydocsError> {
    sign_out(&state, BACKOFFICE_TOKEN, &headers).await
}

/// A back-office user: the tenant an unexpired back-office token opens.
pub struct Backoffice(pub TenantId);

impl FromRequestParts<AppState> for Backoffice {
    type Rejection = MydocsError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, MydocsError> {
        let token = bearer(&parts.headers)?;
        state
            .store
            .resolve_tenant_token(BACKOFFICE_TOKEN, token, chrono::Utc::now())
            .await?
            .map(|owner| Backoffice(owner.tenant))
            .ok_or(MydocsError::Unauthorized)
    }
}
