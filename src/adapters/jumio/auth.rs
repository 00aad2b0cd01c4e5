//! Jumio's two tokens and its header rule. The access token (OAuth2 client credentials,
//! 60 minutes) opens account and retrieval calls for its tenant; it is kept in memory as a
//! SHA-256, so a restart asks clients to fetch a new one, as an expiry would. The `api.token`
//! of a workflow execution opens only that execution's parts and finalize; it is a stored
//! token (`jumio_api` purpose) bound to the account and the execution. Every call needs a
//! `User-Agent`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Extension, FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::error::JumioError;
use super::wire::AccessToken;
use crate::config::Config;
use crate::model::TenantId;
use crate::state::AppState;

/// Purpose of the stored `api.token`s.
pub const API_TOKEN: &str = "jumio_api";

/// An access token's SHA-256, and whose it is until when.
type Issued = HashMap<[u8; 32], (TenantId, DateTime<Utc>)>;

/// Access tokens handed out.
#[derive(Default)]
pub struct AccessTokens(Mutex<Issued>);

impl AccessTokens {
    fn issue(&self, tenant: TenantId, now: DateTime<Utc>, ttl_secs: u64) -> String {
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let token = format!("jat_{}", hex::encode(raw));
        let expires = now + Duration::seconds(i64::try_from(ttl_secs).unwrap_or(i64::MAX / 2));
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // Expired entries go whenever a new token is issued: the map stays the size of the
        // tokens alive.
        map.retain(|_, (_, exp)| *exp > now);
        map.insert(Sha256::digest(token.as_bytes()).into(), (tenant, expires));
        token
    }

    fn tenant(&self, token: &str, now: DateTime<Utc>) -> Option<TenantId> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        map.get(&digest)
            .filter(|(_, exp)| *exp > now)
            .map(|(t, _)| t.clone())
    }
}

/// Refuses a call without `User-Agent` (Jumio: 403 for missing headers).
fn user_agent(parts: &Parts) -> Result<(), JumioError> {
    match parts.headers.get(header::USER_AGENT) {
        Some(v) if !v.as_bytes().iter().all(u8::is_ascii_whitespace) => Ok(()),
        _ => Err(JumioError::Forbidden(
            "send a User-Agent header, e.g. User-Agent: YourCompany YourApp/v1.0",
        )),
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::auth::bearer)
}

/// A call made with an access token: its tenant.
pub struct Access(pub TenantId);

impl FromRequestParts<AppState> for Access {
    type Rejection = JumioError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, JumioError> {
        user_agent(parts)?;
        let Extension(tokens) = Extension::<Arc<AccessTokens>>::from_request_parts(parts, state)
            .await
            .map_err(|_| crate::error::Error::internal("access tokens are not installed"))?;
        let token = bearer(parts).ok_or(JumioError::Unauthorized(
            "send an access token from POST /oauth2/token as Authorization: Bearer",
        ))?;
        tokens
            .tenant(token, Utc::now())
            .map(Access)
            .ok_or(JumioError::Unauthorized(
                "the access token is unknown or expired",
            ))
    }
}

/// A call made with a workflow execution's `api.token`: what it opens, and the token itself
/// (part answers echo it).
pub struct ApiToken {
    /// The tenant.
    pub tenant: TenantId,
    /// The account (subject) it was minted for.
    pub account: Uuid,
    /// The workflow execution it opens.
    pub execution: Uuid,
    /// The token as presented.
    pub token: String,
}

impl FromRequestParts<AppState> for ApiToken {
    type Rejection = JumioError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, JumioError> {
        user_agent(parts)?;
        let token = bearer(parts).ok_or(JumioError::Unauthorized(
            "send the api.token of the workflow execution as Authorization: Bearer",
        ))?;
        let owner = state
            .store
            .resolve_token(API_TOKEN, token, Utc::now())
            .await?
            .ok_or(JumioError::Unauthorized(
                "the api.token is unknown or expired",
            ))?;
        let execution = owner.process_id.ok_or_else(|| {
            crate::error::Error::internal("an api.token without its workflow execution")
        })?;
        Ok(ApiToken {
            tenant: owner.tenant,
            account: owner.subject_id,
            execution,
            token: token.to_owned(),
        })
    }
}

impl ApiToken {
    /// Refuses a path naming another account or execution than the token's (as not found:
    /// the token does not reveal what else exists).
    pub fn opens(&self, account: Uuid, execution: Uuid) -> Result<(), JumioError> {
        if self.account == account && self.execution == execution {
            Ok(())
        } else {
            Err(crate::error::Error::NotFound("workflow execution").into())
        }
    }
}

/// The tenant whose Jumio client id and secret these are (compared in constant time).
fn client_tenant(config: &Config, id: &str, secret: &str) -> Option<TenantId> {
    let digest = |s: &str| -> [u8; 32] { Sha256::digest(s.as_bytes()).into() };
    let (id_d, secret_d) = (digest(id), digest(secret));
    let mut found = None;
    for t in &config.tenants {
        let Some(j) = &t.jumio else { continue };
        let Some(s) = &j.client_secret else { continue };
        let matches = digest(&j.client_id).ct_eq(&id_d) & digest(s.expose()).ct_eq(&secret_d);
        if bool::from(matches) {
            found = TenantId::new(&t.id).ok();
        }
    }
    found
}

/// Body of `POST /oauth2/token`.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)] // documents the form; it is read as pairs
pub struct TokenRequest {
    /// `client_credentials`.
    #[schema(pattern = "^client_credentials$")]
    pub grant_type: String,
}

/// Get an access token: `grant_type=client_credentials` with HTTP Basic client id and secret.
#[utoipa::path(post, path = "/oauth2/token", operation_id = "getAccessToken", tag = "Authorization",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    params(("User-Agent" = String, Header, description = "Required")),
    responses(
        (status = 200, description = "The access token, valid 3600 s", body = AccessToken),
        (status = 400, description = "grant_type is not client_credentials", body = super::wire::ErrorBody),
        (status = 401, description = "Unknown client id or secret", body = super::wire::ErrorBody),
        (status = 403, description = "No User-Agent", body = super::wire::ErrorBody),
    ))]
pub async fn get_access_token(
    State(state): State<AppState>,
    Extension(tokens): Extension<Arc<AccessTokens>>,
    parts: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<axum::Json<AccessToken>, JumioError> {
    if parts
        .get(header::USER_AGENT)
        .is_none_or(|v| v.as_bytes().iter().all(u8::is_ascii_whitespace))
    {
        return Err(JumioError::Forbidden(
            "send a User-Agent header, e.g. User-Agent: YourCompany YourApp/v1.0",
        ));
    }
    let basic = parts
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(JumioError::Unauthorized(
            "send the client id and secret as HTTP Basic authorization",
        ))?;
    let (id, secret) = basic.split_once(':').ok_or(JumioError::Unauthorized(
        "send the client id and secret as HTTP Basic authorization",
    ))?;
    let tenant = client_tenant(&state.config, id, secret)
        .ok_or(JumioError::Unauthorized("unknown client id or secret"))?;
    let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| JumioError::Body(format!("invalid form body: {e}")))?;
    let grant = form
        .iter()
        .find(|(k, _)| k == "grant_type")
        .map(|(_, v)| v.as_str());
    if grant != Some("client_credentials") {
        return Err(
            crate::error::Error::invalid("grant_type", "must be client_credentials").into(),
        );
    }
    // Jumio's lifetime is 3600 s; configurable so that an expiry can be observed.
    let ttl = state.config.adapters.jumio.access_token_ttl_secs;
    Ok(axum::Json(AccessToken {
        access_token: tokens.issue(tenant, Utc::now(), ttl),
        expires_in: ttl,
        token_type: "Bearer",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_open_their_tenant_until_they_expire() {
        let tokens = AccessTokens::default();
        let now = Utc::now();
        let t = tokens.issue(TenantId::new("a").unwrap(), now, 3600);
        assert_eq!(tokens.tenant(&t, now).unwrap().as_str(), "a");
        assert!(tokens.tenant(&t, now + Duration::seconds(3601)).is_none());
        assert!(tokens.tenant("jat_other", now).is_none());
    }
}
