//! How Jumio clients authenticate, and what each way opens.
//! - **HTTP Basic** with the tenant's API token and secret (the guide: "either HTTP Basic
//!   Authentication or OAuth2"), on account and retrieval calls.
//! - **OAuth2 access tokens** (client credentials, 60 minutes) from `POST /oauth2/token`, on
//!   account and retrieval calls, and (an idbridge leniency: a Jumio employee's demo sends
//!   one) on a workflow execution's credential calls, for executions of the token's tenant.
//!   They are stored hashed in the store (`jumio_access`), so they survive a restart and
//!   work on every node.
//! - The **`api.token`** of a workflow execution opens only that execution's credential calls
//!   and finalize; a stored token (`jumio_api`) bound to the account and the execution.
//! - The **`sdk.token`** (a JWT, see `tokens`) opens the same calls of the same execution,
//!   for the same lifetime. The SDK's own protocol is not served.
//!
//! Every call needs a `User-Agent`. Wrong client credentials or Basic passwords count against
//! the sign-in bounds (per client id and per address); past them, 429.

use axum::extract::{FromRequestParts, RawPathParams, State};
use axum::http::header;
use axum::http::request::Parts;
use chrono::{Duration, Utc};
use uuid::Uuid;

use std::sync::Arc;

use super::context::UserAgent;
use super::context::{self, Ctx};
use super::error::JumioError;
use super::tokens::{Audience, Claims};
use super::wire::AccessToken;
use crate::auth::throttle::{Attempt, peer, peer_in};
use crate::config::Config;
use crate::model::TenantId;
use crate::state::AppState;

/// Purpose of the stored `api.token`s.
pub const API_TOKEN: &str = "jumio_api";

/// Purpose of the stored OAuth2 access tokens.
pub const ACCESS_TOKEN: &str = "jumio_access";

/// The sign-in flow failed client credentials and Basic passwords count against.
const FLOW: &str = "jumio";

/// Refuses a call without `User-Agent` (Jumio: 403 for missing headers).
fn user_agent(headers: &axum::http::HeaderMap) -> Result<(), JumioError> {
    match headers.get(header::USER_AGENT) {
        Some(v) if !v.as_bytes().iter().all(u8::is_ascii_whitespace) => Ok(()),
        _ => Err(JumioError::Forbidden(
            "send a User-Agent header, e.g. User-Agent: YourCompany YourApp/v1.0",
        )),
    }
}

fn authorization(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// Which configured pair a Basic user and password are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pair {
    /// The OAuth2 client id and secret.
    Client,
    /// The API token and secret (HTTP Basic on API calls).
    Api,
}

/// The tenant whose Jumio pair this is. Every tenant's pair is compared, in constant time,
/// without stopping at a match.
fn tenant_of(config: &Config, pair: Pair, user: &str, password: &str) -> Option<TenantId> {
    let mut found = None;
    for t in &config.tenants {
        let Some(j) = &t.jumio else { continue };
        let (id, secret) = match pair {
            Pair::Client => (j.client_id.as_str(), j.client_secret.as_ref()),
            Pair::Api => j.basic(),
        };
        let Some(secret) = secret else { continue };
        let matches = crate::auth::same_secret(id, user)
            & crate::auth::same_secret(secret.expose(), password);
        if matches {
            found = TenantId::new(&t.id).ok();
        }
    }
    found
}

/// Checks a Basic user and password against one kind of pair, within the sign-in bounds. The
/// check is instant, so only failures are counted (a success on every API call costs no
/// write); a right pair is refused while its client id or address is past the bound.
async fn check_pair(
    state: &AppState,
    peer: Option<std::net::IpAddr>,
    pair: Pair,
    user: &str,
    password: &str,
) -> Result<TenantId, JumioError> {
    let limits = &state.config.server.sign_in_limits;
    let attempt = Attempt::new(FLOW, user, peer);
    match tenant_of(&state.config, pair, user, password) {
        Some(tenant) => {
            attempt.check(&state.store, limits).await?;
            // The client id or API token is the pair's public half: it names the credential.
            let kind = match pair {
                Pair::Client => "jumio-client",
                Pair::Api => "jumio-api-token",
            };
            crate::audit::credential(&tenant, format!("{kind}:{user}"));
            Ok(tenant)
        }
        None => {
            attempt.failed(&state.store, limits).await?;
            Err(JumioError::Unauthorized("unknown API token or secret"))
        }
    }
}

/// A call made with an access token or HTTP Basic API credentials: its tenant.
pub struct Access(pub TenantId);

impl FromRequestParts<AppState> for Access {
    type Rejection = JumioError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, JumioError> {
        user_agent(&parts.headers)?;
        let header = authorization(parts).ok_or(JumioError::Unauthorized(
            "send an access token from POST /oauth2/token as Authorization: Bearer, or the API token and secret as HTTP Basic",
        ))?;
        if let Some((user, password)) = crate::auth::basic(header) {
            return check_pair(state, peer(parts), Pair::Api, &user, &password)
                .await
                .map(Access);
        }
        let token = crate::auth::bearer(header).ok_or(JumioError::Unauthorized(
            "send an access token as Authorization: Bearer, or HTTP Basic credentials",
        ))?;
        state
            .store
            .resolve_tenant_token(ACCESS_TOKEN, token, Utc::now())
            .await?
            .map(|owner| Access(owner.tenant))
            .ok_or(JumioError::Unauthorized(
                "the access token is unknown or expired",
            ))
    }
}

/// A retrieval call on one workflow execution, made with access credentials: the state,
/// its tenant, and the execution its path names (`accountId`, `workflowExecutionId`), read in
/// that account's scope, so another account's execution is not found. Documented as those
/// ids and the `User-Agent` header: `params(OnExecution)`.
pub struct OnExecution {
    /// The state the call runs on.
    pub state: AppState,
    /// The tenant of the credentials.
    pub tenant: TenantId,
    /// The account.
    pub account: crate::model::Subject,
    /// The execution.
    pub process: crate::model::Process,
    /// The execution's record.
    pub record: super::mapping::Execution,
}

impl FromRequestParts<AppState> for OnExecution {
    type Rejection = JumioError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, JumioError> {
        let Access(tenant) = Access::from_request_parts(parts, state).await?;
        let context::Path((account, execution)) =
            context::Path::<(Uuid, Uuid)>::from_request_parts(parts, state).await?;
        let (account, process, record) =
            context::execution(state, &tenant, account, execution).await?;
        Ok(OnExecution {
            state: state.clone(),
            tenant,
            account,
            process,
            record,
        })
    }
}

impl utoipa::IntoParams for OnExecution {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        context::ids_and_user_agent(&context::EXECUTION_IDS)
    }
}

/// A call on a workflow execution's credentials: its `api.token` or `sdk.token`, or an access
/// token of the execution's tenant. What it opens, and the token itself (part answers echo
/// it).
pub struct ApiToken {
    /// The tenant.
    pub tenant: TenantId,
    /// The account (subject) it opens.
    pub account: Uuid,
    /// The workflow execution it opens.
    pub execution: Uuid,
    /// The token as presented.
    pub token: String,
}

impl FromRequestParts<AppState> for ApiToken {
    type Rejection = JumioError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, JumioError> {
        user_agent(&parts.headers)?;
        let token = authorization(parts)
            .and_then(crate::auth::bearer)
            .ok_or(JumioError::Unauthorized(
                "send the api.token of the workflow execution (or an access token) as Authorization: Bearer",
            ))?
            .to_owned();
        let now = Utc::now();
        if let Some(owner) = state.store.resolve_token(API_TOKEN, &token, now).await? {
            let execution = owner.process_id.ok_or_else(|| {
                crate::error::Error::internal("an api.token without its workflow execution")
            })?;
            return Ok(ApiToken {
                tenant: owner.tenant,
                account: owner.subject_id,
                execution,
                token,
            });
        }
        if let Some(ctx) = parts.extensions.get::<Arc<Ctx>>().cloned()
            && let Some(claims) = ctx.tokens.read(state, Audience::Sdk, &token, false).await?
        {
            return sdk_token(state, claims, token).await;
        }
        let owner = state
            .store
            .resolve_tenant_token(ACCESS_TOKEN, &token, now)
            .await?
            .ok_or(JumioError::Unauthorized(
                "the api.token is unknown or expired",
            ))?;
        // An access token opens any execution of its tenant: the one the path names, once it
        // is known to be the tenant's (another tenant's answers as one that does not exist).
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| crate::error::Error::NotFound("workflow execution"))?;
        let id = |name: &str| {
            params
                .iter()
                .find(|(k, _)| *k == name)
                .and_then(|(_, v)| Uuid::parse_str(v).ok())
        };
        let (Some(account), Some(execution)) = (id("accountId"), id("workflowExecutionId")) else {
            return Err(crate::error::Error::NotFound("workflow execution").into());
        };
        let (subject, _, _) = context::execution(state, &owner.tenant, account, execution).await?;
        // The account as the subject's own id, as an api.token carries it: a path naming the
        // account by another id is then refused by `opens`, as it is for an api.token.
        Ok(ApiToken {
            tenant: owner.tenant,
            account: subject.id,
            execution,
            token,
        })
    }
}

/// What an `sdk.token` opens: its execution's credential calls, while the execution exists
/// (a deleted one's token opens nothing, as its deleted api.token does not).
async fn sdk_token(
    state: &AppState,
    claims: Claims,
    token: String,
) -> Result<ApiToken, JumioError> {
    let tenant = claims.tenant()?;
    crate::audit::credential(&tenant, format!("jumio-sdk-token:{}", claims.wid));
    match context::execution(state, &tenant, claims.sub, claims.wid).await {
        Ok(_) => Ok(ApiToken {
            tenant,
            account: claims.sub,
            execution: claims.wid,
            token,
        }),
        Err(JumioError::Core(crate::error::Error::NotFound(_))) => Err(JumioError::Unauthorized(
            "the sdk.token's workflow execution no longer exists",
        )),
        Err(e) => Err(e),
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
    params(UserAgent),
    responses(
        (status = 200, description = "The access token, valid 3600 s", body = AccessToken),
        (status = 400, description = "grant_type is not client_credentials", body = super::wire::ErrorBody),
        (status = 401, description = "Unknown client id or secret", body = super::wire::ErrorBody),
        (status = 403, description = "No User-Agent", body = super::wire::ErrorBody),
        (status = 429, description = "Too many failed attempts for this client id or from this address; Retry-After says when to try again", body = super::wire::ErrorBody),
    ))]
pub async fn get_access_token(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    extensions: axum::http::Extensions,
    body: axum::body::Bytes,
) -> Result<axum::Json<AccessToken>, JumioError> {
    user_agent(&headers)?;
    let (id, secret) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::auth::basic)
        .ok_or(JumioError::Unauthorized(
            "send the client id and secret as HTTP Basic authorization",
        ))?;
    let tenant = check_pair(&state, peer_in(&extensions), Pair::Client, &id, &secret)
        .await
        .map_err(|e| match e {
            JumioError::Unauthorized(_) => JumioError::Unauthorized("unknown client id or secret"),
            other => other,
        })?;
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
    let minted = state
        .store
        .mint_tenant_token(
            &tenant,
            ACCESS_TOKEN,
            &id,
            Duration::seconds(i64::try_from(ttl).unwrap_or(i64::MAX / 4_000_000)),
        )
        .await?;
    Ok(axum::Json(AccessToken {
        access_token: minted.token,
        expires_in: ttl,
        token_type: "Bearer",
    }))
}
