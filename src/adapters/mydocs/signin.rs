//! B2Core sign-in, as its Front Office and Back Office clients do it.
//! - Front Office: `GET|POST /api/v2/my/signin/wizard` opens a one-time sign-in session (its
//!   `uuid`), `POST /api/v2/my/signin` with `uuid, email, password, device_fingerprint` answers
//!   a token pair, `POST /api/v2/my/refresh` trades the refresh token for a new pair (once),
//!   `POST /api/v2/my/signout` ends the session. Accounts are subjects' client accounts
//!   (made by the admin API); passwords are argon2id hashes.
//! - Back Office: `POST /api/v2/signin` with `{email, password}` of a back-office user of the
//!   tenant's configuration; `/api/v2/refresh` and `/api/v2/signout` likewise.
//!
//! Failed sign-ins count against the account and the address; past the bounds, 429.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine as _;
use chrono::Duration;
use serde_json::{Map, Value};
use sha2::Digest as _;
use uuid::Uuid;

use super::error::MydocsError;
use super::mapping;
use super::wire::{
    BackofficeSigninRequest, ErrorBody, RefreshRequest, SigninRequest, SigninWizard, TokenInfo,
    TokenPair, WizardData,
};
use crate::adapters::common::extract::BodyLimit;
use crate::auth::password;
use crate::auth::throttle::{Attempt, peer_in};
use crate::config::Config;
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;
use crate::store::{Holder, SessionKind, SessionTokens};

/// Purpose of back-office access tokens.
pub const BACKOFFICE_TOKEN: &str = "b2core_backoffice";
const BACKOFFICE_REFRESH: &str = "b2core_backoffice_refresh";
const CLIENT_REFRESH: &str = "client_refresh";

/// How long a wizard's `uuid` can be signed in with.
const WIZARD_MINUTES: i64 = 15;

/// Longest body a sign-in takes.
pub const BODY_LIMIT: usize = 16 * 1024;

/// The sign-in routes' body limit, enforced by `Body` as the body arrives.
pub const LIMIT: BodyLimit = BodyLimit {
    field: "body",
    max_bytes: BODY_LIMIT as u64,
    body_bytes: BODY_LIMIT,
};

fn secs(n: u64) -> Duration {
    Duration::seconds(i64::try_from(n).unwrap_or(i64::MAX / 4_000_000))
}

/// The client session kind: its access token is a client token like the admin API's.
fn client_session(config: &Config) -> SessionKind {
    let m = &config.adapters.mydocs;
    SessionKind {
        access: crate::store::CLIENT_TOKEN,
        refresh: CLIENT_REFRESH,
        access_ttl: secs(m.access_token_ttl_secs),
        refresh_ttl: secs(m.refresh_token_ttl_secs),
    }
}

fn backoffice_session(config: &Config) -> SessionKind {
    SessionKind {
        access: BACKOFFICE_TOKEN,
        refresh: BACKOFFICE_REFRESH,
        ..client_session(config)
    }
}

fn pair(tokens: SessionTokens) -> axum::Json<TokenPair> {
    let created = mapping::time(tokens.created_at);
    axum::Json(TokenPair {
        two_fa_required: false,
        access_token: TokenInfo {
            token: tokens.access.token,
            created_at: created.clone(),
            expires_at: mapping::time(tokens.access.expires_at),
        },
        refresh_token: TokenInfo {
            token: tokens.refresh.token,
            created_at: created,
            expires_at: mapping::time(tokens.refresh.expires_at),
        },
    })
}

// A sign-in body (`Body`), read whole under [`LIMIT`]; refusals in B2Core's shape.
crate::vendor_extractors!(MydocsError; Body);

/// A sign-in body's fields: a JSON object (labelled or not, as B2Core's curl examples send
/// it) or a urlencoded form.
fn fields(body: &[u8]) -> Result<Map<String, Value>, MydocsError> {
    if crate::adapters::common::is_json_object(body) {
        return match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(MydocsError::Body("the body is not valid JSON".into())),
        };
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| MydocsError::Body("send a JSON object".into()))?;
    Ok(pairs
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect())
}

fn text(fields: &Map<String, Value>, name: &str) -> Result<String, Error> {
    match fields.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(Error::invalid(name, "is required"))
        }
        Some(_) => Err(Error::invalid(name, "must be a string")),
    }
}

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
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this email or from this address; Retry-After says when to try again", body = ErrorBody),
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
    let email = text(&f, "email")?;
    let password = text(&f, "password")?;
    check_fingerprint(&text(&f, "device_fingerprint")?)?;
    let uuid = Uuid::parse_str(&uuid).map_err(|_| Error::invalid("uuid", "must be a UUID"))?;
    if !state.store.signin_open(uuid).await? {
        return Err(Error::invalid(
            "uuid",
            "is no open sign-in session: get one from /signin/wizard (it is valid 15 minutes and for one sign-in)",
        )
        .into());
    }
    let email = crate::auth::normalize_email(&email).unwrap_or_default();
    let limits = &state.config.server.sign_in_limits;
    let attempt = Attempt::new("b2core-client", &email, peer_in(&extensions));
    attempt.charge(&state.store, limits).await?;
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
    attempt.succeeded(&state.store, limits).await?;
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

/// The refresh token of a refresh body (`refreshToken`, or `refresh_token`).
fn refresh_token(body: &[u8]) -> Result<String, MydocsError> {
    let f = fields(body)?;
    if f.contains_key("refreshToken") {
        Ok(text(&f, "refreshToken")?)
    } else {
        Ok(text(&f, "refresh_token").map_err(|_| Error::invalid("refreshToken", "is required"))?)
    }
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

/// The answers of a refresh, the client's and the Back Office's alike.
#[derive(utoipa::IntoResponses)]
// Only read by the OpenAPI document: the handlers answer through their error type.
#[allow(dead_code)]
pub enum RefreshResponses {
    /// A new pair
    #[response(status = 200)]
    Refreshed(TokenPair),
    /// No refresh token in the body
    #[response(status = 400)]
    NoToken(ErrorBody),
    /// Unknown, used or expired refresh token
    #[response(status = 401)]
    Refused(ErrorBody),
    /// Body too large
    #[response(status = 413)]
    TooLarge(ErrorBody),
}

async fn refresh_as(
    state: &AppState,
    kind: SessionKind,
    body: &[u8],
) -> Result<axum::Json<TokenPair>, MydocsError> {
    let token = refresh_token(body)?;
    let (_, _, tokens) = state
        .store
        .refresh_session(kind, &token)
        .await?
        .ok_or(MydocsError::Unauthorized)?;
    Ok(pair(tokens))
}

fn bearer(headers: &HeaderMap) -> Result<&str, MydocsError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::auth::bearer)
        .ok_or(MydocsError::Unauthorized)
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
    let token = bearer(&headers)?;
    if state
        .store
        .end_session(crate::store::CLIENT_TOKEN, token)
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(MydocsError::Unauthorized)
    }
}

/// Back Office sign-in: a back-office user's email and password for a token pair.
#[utoipa::path(post, path = "/signin", operation_id = "backofficeSignin", tag = "Back Office",
    request_body(content = BackofficeSigninRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 400, description = "A field is missing or malformed (named in `errors`)", body = ErrorBody),
        (status = 401, description = "Wrong email or password", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins for this email or from this address; Retry-After says when to try again", body = ErrorBody),
    ))]
pub async fn backoffice_signin(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    Body(body): Body,
) -> Result<axum::Json<TokenPair>, MydocsError> {
    let f = fields(&body)?;
    let email = text(&f, "email")?;
    let password = text(&f, "password")?;
    let email = crate::auth::normalize_email(&email).unwrap_or_default();
    let limits = &state.config.server.sign_in_limits;
    let attempt = Attempt::new("b2core-backoffice", &email, peer_in(&extensions));
    attempt.charge(&state.store, limits).await?;
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
    attempt.succeeded(&state.store, limits).await?;
    // The principal names the user without its email: a digest is enough to tell users apart.
    let principal = format!(
        "backoffice:{}",
        &hex::encode(sha2::Sha256::digest(email.as_bytes()))[..16]
    );
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
    let token = bearer(&headers)?;
    if state.store.end_session(BACKOFFICE_TOKEN, token).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(MydocsError::Unauthorized)
    }
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
