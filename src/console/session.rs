//! Console sessions: signing in with an admin key, the session cookie, and the CSRF token
//! every form carries.
//!
//! A session is a cookie the client holds and the server does not store: its claims (tenant,
//! the digest of the admin key it signed in with, expiry, CSRF token) sealed with
//! AES-256-GCM under the master key ([`Store::seal_for_client`]), so any node opens it and
//! no client can read or alter it. It is `HttpOnly`, `SameSite=Strict`, limited to
//! `/console`, and `Secure` when the public base URL is HTTPS. Each request checks the
//! expiry and that the admin key is still configured, so removing a key ends its sessions.
//!
//! CSRF: every form posts the session's token, compared in constant time. The sign-in form,
//! which has no session yet, gets its token from a short-lived sealed cookie of its own.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::Utc;
use rand::RngCore as _;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::Form;
use super::pages;
use crate::auth::throttle::{Attempt, peer_in};
use crate::auth::{KeyKind, Keyring, same_secret};
use crate::model::TenantId;
use crate::state::AppState;
use crate::store::Store;

/// The session cookie.
const COOKIE: &str = "idb_console";
/// The sign-in form's cookie (its CSRF token, before there is a session).
const SIGN_IN_COOKIE: &str = "idb_console_sign_in";
const SESSION_PURPOSE: &str = "console-session";
const SIGN_IN_PURPOSE: &str = "console-sign-in";
/// How long a session lasts, in seconds: a working day.
pub const SESSION_SECS: i64 = 8 * 3600;
/// How long a sign-in form stays valid, in seconds.
const SIGN_IN_SECS: i64 = 3600;
/// The flow name sign-in failures are counted under (`server.sign_in_limits`).
const FLOW: &str = "console-sign-in";

/// What a session cookie holds, sealed.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The tenant administered.
    pub tenant: String,
    /// SHA-256 of the admin key signed in with, hex.
    pub key: String,
    /// Unix seconds after which the session is over.
    pub expires: i64,
    /// The CSRF token of its forms.
    pub csrf: String,
}

/// What the sign-in cookie holds, sealed.
#[derive(Serialize, Deserialize)]
struct SignInClaims {
    expires: i64,
    csrf: String,
}

/// Seals claims into a cookie value.
pub fn seal<T: Serialize>(
    store: &Store,
    purpose: &str,
    claims: &T,
) -> crate::error::Result<String> {
    let plain = serde_json::to_vec(claims).map_err(crate::error::Error::internal)?;
    Ok(B64.encode(store.seal_for_client(purpose, &plain)?))
}

fn open<T: DeserializeOwned>(store: &Store, purpose: &str, value: &str) -> Option<T> {
    let sealed = B64.decode(value).ok()?;
    serde_json::from_slice(&store.open_from_client(purpose, &sealed)?).ok()
}

/// A session cookie for `claims`, as `Set-Cookie` sends it: what tests use to present a
/// session they made (an expired one, for instance).
pub fn session_cookie(store: &Store, claims: &Claims) -> crate::error::Result<String> {
    Ok(format!(
        "{COOKIE}={}",
        seal(store, SESSION_PURPOSE, claims)?
    ))
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.server.public_base_url.starts_with("https:") {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("idb_console=; Max-Age=0"))
}

fn token() -> String {
    let mut b = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut b);
    B64.encode(b)
}

/// A signed-in console session: the tenant it administers and its CSRF token.
pub struct Session {
    /// The tenant; every console read is scoped to it.
    pub tenant: TenantId,
    /// The token every form of this session carries.
    pub csrf: String,
}

impl Session {
    /// Whether a posted form carries this session's CSRF token (refuse it with [`forged`]
    /// when not).
    pub fn accepts(&self, presented: &str) -> bool {
        same_secret(presented, &self.csrf)
    }
}

/// The answer to a form posted without the right CSRF token.
pub fn forged() -> Response {
    pages::message(
        StatusCode::FORBIDDEN,
        "Form refused",
        "This form did not come from this console session (its security token is missing or wrong). Go back, reload the page and try again.",
    )
}

impl FromRequestParts<AppState> for Session {
    /// Not signed in (or the session is over): to the sign-in page.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let claims = cookie(&parts.headers, COOKIE)
            .and_then(|v| open::<Claims>(&state.store, SESSION_PURPOSE, v));
        let Some(claims) = claims else {
            return Err(pages::see_other("/console/sign-in"));
        };
        if claims.expires <= Utc::now().timestamp() {
            return Err(pages::see_other("/console/sign-in?ended=1"));
        }
        let mut digest = [0u8; 32];
        let key_ok = hex::decode_to_slice(&claims.key, &mut digest).is_ok();
        match state.keys.tenant_for_digest(KeyKind::Admin, &digest) {
            Some(t) if key_ok && t.as_str() == claims.tenant => Ok(Session {
                tenant: t,
                csrf: claims.csrf,
            }),
            _ => Err(pages::see_other("/console/sign-in?ended=1")),
        }
    }
}

/// Query of the sign-in page.
#[derive(Deserialize)]
pub struct SignInQuery {
    /// Set when a session ended (expired or its key removed).
    ended: Option<String>,
    /// Set after signing out.
    signed_out: Option<String>,
}

/// `GET /console/sign-in`: the form, with a fresh CSRF token in its own cookie.
pub async fn sign_in_page(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<SignInQuery>,
) -> Response {
    let note = if q.ended.is_some() {
        Some("Your session has ended. Sign in again.")
    } else if q.signed_out.is_some() {
        Some("You are signed out.")
    } else {
        None
    };
    sign_in_form(&state, StatusCode::OK, note)
}

fn sign_in_form(state: &AppState, status: StatusCode, note: Option<&str>) -> Response {
    let csrf = token();
    let claims = SignInClaims {
        expires: Utc::now().timestamp() + SIGN_IN_SECS,
        csrf: csrf.clone(),
    };
    let Ok(sealed) = seal(&state.store, SIGN_IN_PURPOSE, &claims) else {
        return pages::failed(&crate::error::Error::internal("could not seal a cookie"));
    };
    let mut res = pages::sign_in(status, &csrf, note);
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state, SIGN_IN_COOKIE, &sealed, SIGN_IN_SECS),
    );
    res
}

/// The sign-in form's fields.
#[derive(Deserialize)]
pub struct SignIn {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    admin_key: String,
}

/// `POST /console/sign-in`: an admin key opens a session on its tenant.
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Form(form): Form<SignIn>,
) -> Response {
    let expected = cookie(&headers, SIGN_IN_COOKIE)
        .and_then(|v| open::<SignInClaims>(&state.store, SIGN_IN_PURPOSE, v))
        .filter(|c| c.expires > Utc::now().timestamp());
    if !expected.is_some_and(|c| same_secret(&form.csrf, &c.csrf)) {
        return forged();
    }
    let limits = &state.config.server.sign_in_limits;
    // Failures count against the address only: an admin key names no account before it
    // matches, and one shared account would let anyone's guesses lock every admin out.
    let peer = peer_in(&extensions);
    let address = peer.map(|ip| ip.to_string()).unwrap_or_default();
    let attempt = Attempt::new(FLOW, &address, peer);
    let Some(tenant) = state.keys.tenant_for(KeyKind::Admin, &form.admin_key) else {
        if let Err(e) = attempt.failed(&state.store, limits).await {
            return pages::failed(&e);
        }
        return sign_in_form(
            &state,
            StatusCode::UNAUTHORIZED,
            Some("That admin key is not valid."),
        );
    };
    if let Err(e) = attempt.check(&state.store, limits).await {
        return pages::failed(&e);
    }
    let claims = Claims {
        tenant: tenant.as_str().to_owned(),
        key: hex::encode(Keyring::digest_of(&form.admin_key)),
        expires: Utc::now().timestamp() + SESSION_SECS,
        csrf: token(),
    };
    let sealed = match seal(&state.store, SESSION_PURPOSE, &claims) {
        Ok(s) => s,
        Err(e) => return pages::failed(&e),
    };
    tracing::info!(tenant = %tenant.as_str(), "console sign-in");
    let mut res = pages::see_other("/console/subjects");
    let h = res.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(&state, COOKIE, &sealed, SESSION_SECS),
    );
    h.append(
        header::SET_COOKIE,
        set_cookie(&state, SIGN_IN_COOKIE, "", 0),
    );
    res
}

/// A form that carries nothing but its CSRF token.
#[derive(Deserialize)]
pub struct Csrf {
    /// The session's token.
    #[serde(default)]
    pub csrf: String,
}

/// `POST /console/sign-out`: clears the session cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Csrf>,
) -> Response {
    if !session.accepts(&form.csrf) {
        return forged();
    }
    let mut res = pages::see_other("/console/sign-in?signed_out=1");
    res.headers_mut()
        .append(header::SET_COOKIE, set_cookie(&state, COOKIE, "", 0));
    res
}
