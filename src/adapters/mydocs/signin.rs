//! B2Core's Front Office sign-in: `GET|POST /api/v2/my/signin/wizard` opens a one-time
//! sign-in session (its `uuid`), `POST /api/v2/my/signin` with `uuid, email, password,
//! device_fingerprint` answers a token pair, `POST /api/v2/my/refresh` trades the refresh token
//! for a new pair (once), `POST /api/v2/my/signout` ends the session. Accounts are subjects'
//! client accounts (made by the admin API); passwords are argon2id hashes.
//!
//! Failed sign-ins count against the account and the address; past the bounds, 429.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use chrono::Duration;
use serde_json::Value;
use uuid::Uuid;

use super::error::MydocsError;
use super::mapping::SigninRefusals;
use super::sessions::{
    Body, RefreshResponses, charge, client_session, email_and_password, fields, pair, refresh_as,
    sign_out, text,
};
use super::wire::{ErrorBody, RefreshRequest, SigninRequest, SigninWizard, TokenPair, WizardData};
use crate::auth::password;
use crate::config::Config;
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;
use crate::store::Holder;

/// How long a wizard's `uuid` can be signed in with.
const WIZARD_MINUTES: i64 = 15;

/// B2Core's device fingerprint: base64 of a JSON object with a `user_agent` string.
fn check_fingerprint(text: &str) -> Result<(), Error> {
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let decoded = engines.iter().find_map(|e| e.decode(text.trim()).ok());
    let json = decoded.and_then(|d| serde_json::from_slice::<Value>(&d).ok());
    match json.as_ref().and_then(|j| j.get("user_agent")) {
        Some(Value::String(ua)) if !ua.trim().is_empty() => Ok(()),
        _ => Err(Error::invalid(
            "device_fingerprint",
            "must be base64 of a JSON object with a user_agent string",
        )),
    }
}

/// The host a request came to, without its port, lower case: HTTP/2's `:authority` (the
/// URI's), else HTTP/1.1's `Host` header.
fn host(uri: &axum::http::Uri, headers: &HeaderMap) -> Option<String> {
    if let Some(host) = uri.host() {
        return Some(
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase(),
        );
    }
    let value = headers.get(header::HOST)?.to_str().ok()?;
    let host = match value.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => value.split(':').next()?,
    };
    Some(host.to_ascii_lowercase())
}

/// The tenants whose clients may sign in at this host: the one listing it in
/// `b2core_hosts`, or, on a host none lists, every tenant that lists none.
fn tenants_at(config: &Config, uri: &axum::http::Uri, headers: &HeaderMap) -> Vec<TenantId> {
    let host = host(uri, headers);
    let claimed = |t: &crate::config::TenantConfig| {
        host.as_deref()
            .is_some_and(|h| t.b2core_hosts.iter().any(|c| c.eq_ignore_ascii_case(h)))
    };
    let owners: Vec<_> = config.tenants.iter().filter(|t| claimed(t)).collect();
    let chosen: Vec<_> = if owners.is_empty() {
        config
            .tenants
            .iter()
            .filter(|t| t.b2core_hosts.is_empty())
            .collect()
    } else {
        owners
    };
    chosen
        .into_iter()
        .filter_map(|t| TenantId::new(&t.id).ok())
        .collect()
}

/// Initialize the Sign In Wizard: the `uuid` of a sign-in session, valid 15 minutes.
#[utoipa::path(get, path = "/signin/wizard", operation_id = "signinWizard", tag = "Authentication",
    responses(
        (status = 200, description = "The sign-in session and what the form shows", body = SigninWizard),
    ))]
pub async fn signin_wizard(
    State(state): State<AppState>,
) -> Result<axum::Json<SigninWizard>, MydocsError> {
    let uuid = state
        .store
        .open_signin(Duration::minutes(WIZARD_MINUTES))
        .await?;
    Ok(axum::Json(SigninWizard {
        code: 202,
        data: WizardData {
            recaptcha: super::wire::Recaptcha { enabled: false },
        },
        done: true,
        uuid,
        workflow: "login",
    }))
}

/// The wizard by POST, as one of B2Core's pages prints it.
#[utoipa::path(post, path = "/signin/wizard", operation_id = "signinWizardPost", tag = "Authentication",
    responses(
        (status = 200, description = "The sign-in session and what the form shows", body = SigninWizard),
    ))]
pub async fn signin_wizard_post(
    state: State<AppState>,
) -> Result<axum::Json<SigninWizard>, MydocsError> {
    signin_wizard(state).await
}

/// Sign in to the B2Core UI: a client's email and password for a token pair.
#[utoipa::path(post, path = "/signin", operation_id = "signin", tag = "Authentication",
    request_body(content = SigninRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 400, description = "A field is missing or malformed, or the uuid is no open sign-in session (named in `errors`)", body = ErrorBody),
        SigninRefusals,
    ))]
pub async fn signin(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Body(body): Body,
) -> Result<axum::Json<TokenPair>, MydocsError> {
    let f = fields(&body)?;
    let uuid = text(&f, "uuid")?;
    let (email, password) = email_and_password(&f)?;
    check_fingerprint(&text(&f, "device_fingerprint")?)?;
    let uuid = Uuid::parse_str(&uuid).map_err(|_| Error::invalid("uuid", "must be a UUID"))?;
    if !state.store.signin_open(uuid).await? {
        return Err(Error::invalid(
            "uuid",
            "is no open sign-in session: get one from /signin/wizard (it is valid 15 minutes and for one sign-in)",
        )
        .into());
    }
    let (email, attempt) = charge(&state, "b2core-client", &email, &extensions).await?;
    let tenants = tenants_at(&state.config, &uri, &headers);
    let candidates: Vec<_> = state
        .store
        .client_accounts_by_email(&email)
        .await?
        .into_iter()
        .filter(|a| tenants.contains(&a.tenant))
        .collect();
    // Every candidate is checked (normally one); with none, a hash nothing matches is, so a
    // sign-in takes as long whether or not the email has an account.
    let mut matched = Vec::new();
    if candidates.is_empty() {
        password::verify(password.clone(), None).await?;
    }
    for account in candidates {
        if password::verify(password.clone(), Some(account.password_hash.clone())).await? {
            matched.push(account);
        }
    }
    // The attempt is already counted: a wrong one needs nothing more.
    let Ok([account]) = <[_; 1]>::try_from(matched) else {
        return Err(MydocsError::WrongCredentials);
    };
    if !state.store.close_signin(uuid).await? {
        return Err(Error::invalid("uuid", "this sign-in session was used meanwhile").into());
    }
    attempt
        .succeeded(&state.store, &state.config.server.sign_in_limits)
        .await?;
    crate::audit::credential(
        &account.tenant,
        format!("b2core-client:{}", account.subject_id),
    );
    let tokens = state
        .store
        .start_session(
            &account.tenant,
            &Holder::Subject(account.subject_id),
            client_session(&state.config),
        )
        .await?;
    Ok(pair(tokens))
}

/// Refresh the access token: a refresh token for a new pair. The old pair stops working.
#[utoipa::path(post, path = "/refresh", operation_id = "refresh", tag = "Authentication",
    request_body(content = RefreshRequest, content_type = "application/json"),
    responses(RefreshResponses))]
pub async fn refresh(
    State(state): State<AppState>,
    Body(body): Body,
) -> Result<axum::Json<TokenPair>, MydocsError> {
    refresh_as(&state, client_session(&state.config), &body).await
}

/// Sign out of the B2Core UI: the session of the access token ends (both its tokens).
#[utoipa::path(post, path = "/signout", operation_id = "signout", tag = "Authentication",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "No, unknown or expired access token, or one minted by the admin API (it has no session)", body = ErrorBody),
    ))]
pub async fn signout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, MydocsError> {
    sign_out(&state, crate::store::CLIENT_TOKEN, &headers).await
}
