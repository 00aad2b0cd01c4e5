//! MasStack AuthN as a service account uses it: the client signs an assertion (RS256, header
//! `kid` = its `private_key_id`, claims `iss` = `client_email`, `aud` = the token URL, `iat`,
//! `exp` at most an hour later, optional `jti` and `scope`) and trades it at the token
//! endpoint (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`) for an access token:
//! a JWT idbridge signs (RS256, its key in the store) carrying the claims AuthN documents
//! (`tid`, `cid`, `scope`, `tenants`, …). The Documents API checks that token's signature,
//! expiry, issuer and audience, and that its service account is not revoked.
//!
//! Refusals follow RFC 6749 §5.2 (`{"error", "error_description"}`), since MasStack's own
//! codes are not in the material; 429 when the sign-in bounds are passed.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use crate::auth::keys::StoreKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::refusal::Refusal;
use super::wire::{OAuthError, TokenRequest, TokenResponse};
use crate::auth::throttle::{Attempt, peer_in};
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;

/// The grant a service account's assertion is traded with (RFC 7523).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The `aud` of every access token: the Documents API.
pub const AUDIENCE: &str = "documents";

/// Clock skew tolerated on `iat`, `exp` and `nbf`, in seconds.
const LEEWAY_SECS: u64 = 60;

/// Longest lifetime an assertion may declare (`exp - iat`), in seconds: Google's and
/// MasStack's clients sign for one hour.
const MAX_ASSERTION_SECS: i64 = 3600;

/// Purpose of idbridge's signing key for these tokens.
const SIGNING_KEY: &str = "masstack_access";

/// The sign-in flow failed assertions count against.
const FLOW: &str = "masstack-authn";

/// The scope given when an assertion asks for none (AuthN's tokeninfo example).
const DEFAULT_SCOPE: &str = "api:everything";

/// What the token endpoint and the Documents API share: where tokens are issued, and the key.
pub struct Authn {
    /// The token URL as handed out in service-account files: every assertion may name it.
    pub token_uri: String,
    /// The issuer of access tokens.
    pub issuer: String,
    /// Further audiences an assertion may name (`adapters.masstack.token_audiences`).
    pub audiences: Vec<String>,
    /// Lifetime of an access token, in seconds.
    pub ttl_secs: u64,
    key: StoreKey,
}

impl Authn {
    /// The endpoint's settings from configuration.
    pub fn new(config: &crate::config::Config) -> Authn {
        let m = &config.adapters.masstack;
        let base = format!(
            "{}{}",
            config.server.public_base_url.trim_end_matches('/'),
            m.prefix
        );
        Authn {
            token_uri: format!("{base}{}", m.token_path),
            issuer: base,
            audiences: m.token_audiences.clone(),
            ttl_secs: m.access_token_ttl_secs,
            key: StoreKey::new(SIGNING_KEY),
        }
    }
}

/// The claims of an assertion that idbridge reads.
#[derive(Debug, Deserialize)]
struct Assertion {
    iat: i64,
    exp: i64,
    #[serde(default)]
    jti: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

/// One organisation in `tenants_translation`.
#[derive(Debug, Serialize, Deserialize)]
struct TenantOrg {
    tenant_id: String,
    org: String,
}

/// The claims of an access token (AuthN's tokeninfo names).
#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    iss: String,
    sub: String,
    aud: String,
    iat: i64,
    exp: i64,
    jti: String,
    /// The tenant.
    pub tid: String,
    /// The service account (client id).
    pub cid: String,
    scope: String,
    preferred_username: String,
    tenants: Vec<String>,
    tenants_translation: Vec<TenantOrg>,
}

/// Trades a service account's signed assertion for an access token (MasStack AuthN's
/// `oauth2` token endpoint, JWT-bearer grant).
#[utoipa::path(post, path = "/oauth2/token", operation_id = "oauth2Token", tag = "AuthN",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "An access token for the Documents API", body = TokenResponse),
        (status = 400, description = "invalid_request, unsupported_grant_type or invalid_grant (bad signature, unknown key, expired, future or too long-lived assertion, wrong audience, replayed jti)", body = OAuthError),
        (status = 401, description = "invalid_client: the assertion's service account does not exist or is revoked", body = OAuthError),
        (status = 429, description = "slow_down: too many failed assertions for this service account or from this address; Retry-After says when to try again", body = OAuthError),
    ))]
pub async fn oauth2_token(
    State(state): State<AppState>,
    axum::Extension(authn): axum::Extension<Arc<Authn>>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let form = read_form(&headers, &body)?;
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    match field("grant_type") {
        None => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required",
            ));
        }
        Some(JWT_BEARER) => {}
        Some(_) => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("only {JWT_BEARER} is served"),
            ));
        }
    }
    let assertion = field("assertion")
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "assertion is required",
            )
        })?;
    let header = assertion_header(assertion).ok_or_else(|| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "assertion is not a JWT",
        )
    })?;
    let kid = header
        .kid
        .ok_or_else(|| Refusal::grant("the assertion header has no kid (the private_key_id)"))?;
    // One spelling per account: a key id that is a UUID is counted in its canonical form.
    let account_key = Uuid::parse_str(&kid).map_or_else(|_| kid.clone(), |u| u.to_string());
    let limits = &state.config.server.sign_in_limits;
    let attempt = Attempt::new(FLOW, &account_key, peer_in(&extensions));
    attempt.charge(&state.store, limits).await?;
    if header.alg != "RS256" {
        return Err(Refusal::grant("the assertion must be signed with RS256"));
    }
    let (account, claims) = check_assertion(&state, &authn, &kid, assertion).await?;
    attempt.succeeded(&state.store, limits).await?;
    crate::audit::credential(
        &account.tenant,
        format!("masstack-service-account:{}", account.id),
    );
    // The form's scope (RFC 7521 §4.1) wins over one inside the assertion.
    let scope = field("scope")
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
        .or(claims.scope);
    let token = issue(&state, &authn, &account, scope).await?;
    let mut response = axum::Json(TokenResponse {
        access_token: token,
        token_type: "Bearer",
        expires_in: authn.ttl_secs,
    })
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The header of a compact JWT, read whatever its `alg` (so that `none` or an algorithm
/// unknown here is an `invalid_grant`, not a malformed request).
#[derive(Deserialize)]
struct AssertionHeader {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

fn assertion_header(assertion: &str) -> Option<AssertionHeader> {
    use base64::Engine as _;
    let mut parts = assertion.split('.');
    let (Some(head), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The form's pairs; a body that is not a urlencoded form is `invalid_request`.
fn read_form(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, Refusal> {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form_type {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send the request as application/x-www-form-urlencoded",
        ));
    }
    serde_urlencoded::from_bytes(body).map_err(|_| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the form cannot be read",
        )
    })
}

/// Checks an assertion against the service account its `kid` names.
async fn check_assertion(
    state: &AppState,
    authn: &Authn,
    kid: &str,
    assertion: &str,
) -> Result<(crate::store::ServiceAccount, Assertion), Refusal> {
    let unknown = || Refusal::grant("no service account has this key id");
    let id = Uuid::parse_str(kid).map_err(|_| unknown())?;
    let account = state.store.service_account(id).await?.ok_or_else(unknown)?;
    if account.revoked_at.is_some() {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "the service account is revoked",
        ));
    }
    let key = DecodingKey::from_rsa_pem(account.public_key.as_bytes()).map_err(Error::internal)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = LEEWAY_SECS;
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
    validation.set_issuer(&[&account.client_email]);
    let mut audiences = vec![authn.token_uri.as_str()];
    audiences.extend(authn.audiences.iter().map(String::as_str));
    validation.set_audience(&audiences);
    let claims = jsonwebtoken::decode::<Assertion>(assertion, &key, &validation)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            Refusal::grant(match e.kind() {
                K::InvalidSignature => {
                    "the assertion's signature does not verify with this key".to_owned()
                }
                K::ExpiredSignature => "the assertion has expired".to_owned(),
                K::InvalidAudience => format!("the assertion's aud must be {}", authn.token_uri),
                K::InvalidIssuer => {
                    "the assertion's iss must be the service account's client_email".to_owned()
                }
                K::ImmatureSignature => "the assertion is not valid yet".to_owned(),
                K::MissingRequiredClaim(c) => format!("the assertion has no {c} claim"),
                _ => "the assertion cannot be read".to_owned(),
            })
        })?
        .claims;
    let now = Utc::now().timestamp();
    let leeway = LEEWAY_SECS as i64;
    if claims.iat > now + leeway {
        return Err(Refusal::grant("the assertion's iat is in the future"));
    }
    if claims.exp - claims.iat > MAX_ASSERTION_SECS {
        return Err(Refusal::grant(
            "an assertion may be valid for at most one hour (exp - iat)",
        ));
    }
    if let Some(jti) = &claims.jti {
        let until =
            chrono::DateTime::from_timestamp(claims.exp + leeway, 0).unwrap_or_else(Utc::now);
        if !state
            .store
            .use_assertion(&account.id.to_string(), jti, until)
            .await?
        {
            return Err(Refusal::grant("this assertion (its jti) was used before"));
        }
    }
    Ok((account, claims))
}

/// Signs an access token for a service account.
async fn issue(
    state: &AppState,
    authn: &Authn,
    account: &crate::store::ServiceAccount,
    scope: Option<String>,
) -> Result<String, Refusal> {
    let signer = authn.key.get(&state.store).await?;
    let now = Utc::now().timestamp();
    let orgs = orgs_of(state, &account.tenant);
    let claims = AccessClaims {
        iss: authn.issuer.clone(),
        sub: account.client_email.clone(),
        aud: AUDIENCE.to_owned(),
        iat: now,
        exp: now + i64::try_from(authn.ttl_secs).unwrap_or(3600),
        jti: Uuid::new_v4().to_string(),
        tid: account.tenant.as_str().to_owned(),
        cid: account.id.to_string(),
        scope: scope.unwrap_or_else(|| DEFAULT_SCOPE.to_owned()),
        preferred_username: account.client_email.clone(),
        tenants: orgs.clone(),
        tenants_translation: orgs
            .into_iter()
            .map(|org| TenantOrg {
                tenant_id: account.tenant.as_str().to_owned(),
                org,
            })
            .collect(),
    };
    Ok(signer.sign(&claims)?)
}

fn orgs_of(state: &AppState, tenant: &TenantId) -> Vec<String> {
    state
        .config
        .tenants
        .iter()
        .find(|t| t.id == tenant.as_str())
        .map(|t| t.masstack_orgs.clone())
        .unwrap_or_default()
}

/// The tenant an access token opens, when it is one idbridge signed, unexpired, for the
/// Documents API, of a service account that is not revoked. `None` for anything else.
pub async fn tenant_of(
    state: &AppState,
    authn: &Authn,
    token: &str,
) -> Result<Option<TenantId>, Error> {
    // A configured static key is not a JWT: no need to look for a signing key.
    if token.split('.').count() != 3 {
        return Ok(None);
    }
    let signer = authn.key.get(&state.store).await?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = LEEWAY_SECS;
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    validation.set_issuer(&[&authn.issuer]);
    validation.set_audience(&[AUDIENCE]);
    let Ok(data) = jsonwebtoken::decode::<AccessClaims>(token, &signer.decoding, &validation)
    else {
        return Ok(None);
    };
    let claims = data.claims;
    let Ok(account) = Uuid::parse_str(&claims.cid) else {
        return Ok(None);
    };
    let live = state
        .store
        .service_account(account)
        .await?
        .filter(|a| a.revoked_at.is_none() && a.tenant.as_str() == claims.tid);
    if let Some(a) = &live {
        crate::audit::credential(&a.tenant, format!("masstack-service-account:{}", a.id));
    }
    Ok(live.map(|a| a.tenant))
}
