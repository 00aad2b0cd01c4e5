//! What B2Core's client and Back Office sign-ins share: the body they read, the token pairs
//! they answer, refresh and sign-out, and the sign-in attempt counted before any password is
//! checked.

use axum::http::{HeaderMap, StatusCode, header};
use chrono::Duration;
use serde_json::{Map, Value};

use super::error::MydocsError;
use super::mapping;
use super::wire::{ErrorBody, TokenInfo, TokenPair};
use crate::adapters::common::extract::BodyLimit;
use crate::auth::throttle::{Attempt, peer_in};
use crate::config::Config;
use crate::error::Error;
use crate::state::AppState;
use crate::store::{SessionKind, SessionTokens};

/// Purpose of back-office access tokens.
pub const BACKOFFICE_TOKEN: &str = "b2core_backoffice";
const BACKOFFICE_REFRESH: &str = "b2core_backoffice_refresh";
const CLIENT_REFRESH: &str = "client_refresh";

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
pub(super) fn client_session(config: &Config) -> SessionKind {
    let m = &config.adapters.mydocs;
    SessionKind {
        access: crate::store::CLIENT_TOKEN,
        refresh: CLIENT_REFRESH,
        access_ttl: secs(m.access_token_ttl_secs),
        refresh_ttl: secs(m.refresh_token_ttl_secs),
    }
}

pub(super) fn backoffice_session(config: &Config) -> SessionKind {
    SessionKind {
        access: BACKOFFICE_TOKEN,
        refresh: BACKOFFICE_REFRESH,
        ..client_session(config)
    }
}

pub(super) fn pair(tokens: SessionTokens) -> axum::Json<TokenPair> {
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
pub(super) fn fields(body: &[u8]) -> Result<Map<String, Value>, MydocsError> {
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

pub(super) fn text(fields: &Map<String, Value>, name: &str) -> Result<String, Error> {
    match fields.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(Error::invalid(name, "is required"))
        }
        Some(_) => Err(Error::invalid(name, "must be a string")),
    }
}

/// The email and password of a sign-in body, in that order of checking.
pub(super) fn email_and_password(f: &Map<String, Value>) -> Result<(String, String), Error> {
    Ok((text(f, "email")?, text(f, "password")?))
}

/// The sign-in attempt of `email` (normalised) from the caller's address, counted against the
/// sign-in limits before any password is checked.
pub(super) async fn charge(
    state: &AppState,
    flow: &'static str,
    email: &str,
    extensions: &axum::http::Extensions,
) -> Result<(String, Attempt), MydocsError> {
    let email = crate::auth::normalize_email(email).unwrap_or_default();
    let attempt = Attempt::new(flow, &email, peer_in(extensions));
    attempt
        .charge(&state.store, &state.config.server.sign_in_limits)
        .await?;
    Ok((email, attempt))
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

/// A new pair of `kind` for the refresh token in `body`; the old pair stops working.
pub(super) async fn refresh_as(
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

/// The bearer token of a request, else 401.
pub(super) fn bearer(headers: &HeaderMap) -> Result<&str, MydocsError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::auth::bearer)
        .ok_or(MydocsError::Unauthorized)
}

/// Ends the session of the caller's `purpose` access token: 204, else 401.
pub(super) async fn sign_out(
    state: &AppState,
    purpose: &str,
    headers: &HeaderMap,
) -> Result<StatusCode, MydocsError> {
    let token = bearer(headers)?;
    if state.store.end_session(purpose, token).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(MydocsError::Unauthorized)
    }
}
