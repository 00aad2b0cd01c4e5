//! nCore's extractors: each answers a rejection in nCore's error shape, never axum's plain
//! text.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use super::error::NcoreError;
use crate::adapters::common::extract as kit;
use crate::auth::KeyKind;
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;

/// Raw JSON body, answering in nCore's error shape: 415 unless the `Content-Type` is
/// `application/json` (idbridge's choice, as its OpenAPI document says: NymCard's docs send
/// JSON labelled so and name no other type), 413 past the body limit. The raw bytes are
/// what the idempotency fingerprint covers.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = NcoreError;

    async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, NcoreError> {
        json_content_type(req.headers())?;
        kit::body(req).await.map(Body)
    }
}

/// Refuses a body not labelled `application/json` (parameters such as `charset` allowed,
/// any case), before a byte of it is read. No `Content-Type` at all is refused too: the body
/// does not say it is JSON.
fn json_content_type(headers: &HeaderMap) -> Result<(), Error> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => Ok(()),
        Some(other) => Err(Error::UnsupportedMediaType(format!(
            "send the body as application/json, not {other:?}"
        ))),
        None => Err(Error::UnsupportedMediaType(
            "send the body as application/json (the request has no Content-Type)".into(),
        )),
    }
}

crate::vendor_extractors!(NcoreError; Path, Query);

/// The tenant whose key came in the `apikey` header.
pub struct ApiTenant(pub TenantId);

impl FromRequestParts<AppState> for ApiTenant {
    type Rejection = NcoreError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, NcoreError> {
        kit::keyed_tenant(state, KeyKind::Api, kit::header(parts, "apikey"))
            .map(ApiTenant)
            .ok_or(NcoreError::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = value {
            h.insert(header::CONTENT_TYPE, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_json_is_taken() {
        for ok in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
        ] {
            assert!(json_content_type(&with(Some(ok))).is_ok(), "{ok}");
        }
        for refused in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/jsonx"),
            Some("application/vnd.api+json"),
        ] {
            assert!(
                matches!(
                    json_content_type(&with(refused)),
                    Err(Error::UnsupportedMediaType(_))
                ),
                "{refused:?}"
            );
        }
    }
}
