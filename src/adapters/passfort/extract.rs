//! Extractors answering in PassFort's error shape, each naming the offending field in
//! `info.field`: the path parameter, the query parameter, the body's JSON path, or the body
//! itself when it is over the route's limit.

use std::collections::HashMap;
use std::fmt::Display;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::error::PassfortError;
use crate::auth::KeyKind;
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;

/// Path extractor. Every PassFort path parameter is a UUID, so a failure names the first
/// parameter that is not one.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = PassfortError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PassfortError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(p) => Ok(Path(p.0)),
            Err(r) if r.status().is_server_error() => Err(Error::internal(r.body_text()).into()),
            Err(r) => {
                let raw = RawPathParams::from_request_parts(parts, state).await.ok();
                let field = raw
                    .as_ref()
                    .and_then(|raw| {
                        raw.iter()
                            .find(|(_, v)| v.parse::<Uuid>().is_err())
                            .map(|(k, _)| k.to_owned())
                    })
                    .unwrap_or_else(|| "path".to_owned());
                Err(Error::invalid(field, format!("must be a UUID ({})", r.body_text())).into())
            }
        }
    }
}

/// Query extractor: a failure names the query parameter that cannot be read.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = PassfortError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, PassfortError> {
        let q = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str::<T>(q).map(Query).map_err(|e| {
            // The parameter to blame is the one that fails on its own (every field of a
            // PassFort query is optional, so any other parses alone).
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap_or_default();
            let field = pairs
                .iter()
                .find(|p| {
                    serde_urlencoded::to_string(std::slice::from_ref(*p))
                        .is_ok_and(|one| serde_urlencoded::from_str::<T>(&one).is_err())
                })
                .map_or_else(|| "query".to_owned(), |(k, _)| k.clone());
            Error::invalid(field, format!("is not valid: {e}")).into()
        })
    }
}

/// What a route's body may weigh, and the field to blame past it.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit {
    /// `body` on JSON routes; `data` on upload routes, whose size is the file's.
    pub field: &'static str,
    /// The limit stated in the error.
    pub max_bytes: u64,
}

/// Raw body extractor: 413 naming the route's limit past it.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = PassfortError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, PassfortError> {
        let limit = req.extensions().get::<BodyLimit>().copied();
        Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|r: BytesRejection| match (r.status(), limit) {
                (StatusCode::PAYLOAD_TOO_LARGE, Some(l)) => PassfortError::TooLarge(l),
                (StatusCode::PAYLOAD_TOO_LARGE, None) => {
                    Error::PayloadTooLarge { limit: None }.into()
                }
                _ => Error::invalid("body", r.body_text()).into(),
            })
    }
}

/// The tenant whose key came in the `apikey` header or `?apikey=`.
pub struct ApiTenant(pub TenantId);

impl FromRequestParts<AppState> for ApiTenant {
    type Rejection = PassfortError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, PassfortError> {
        let key = match parts.headers.get("apikey") {
            // A header that is not text is a key sent, and not a valid one.
            Some(v) => v
                .to_str()
                .map_err(|_| PassfortError::InvalidApiKey)?
                .to_owned(),
            None => axum::extract::Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
                .ok()
                .and_then(|q| q.0.get("apikey").cloned())
                .ok_or(PassfortError::MissingApiKey)?,
        };
        state
            .keys
            .tenant_for(KeyKind::Api, &key)
            .map(ApiTenant)
            .ok_or(PassfortError::InvalidApiKey)
    }
}

/// A JSON object body as `T`.
pub fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, PassfortError> {
    if !crate::adapters::common::is_json_object(bytes) {
        return Err(Error::invalid("body", crate::adapters::common::NOT_AN_OBJECT).into());
    }
    json(bytes)
}

/// Any JSON body, for a caller that checks its shape itself and names what is wrong.
pub fn json<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, PassfortError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let syntax = !matches!(e.inner().classify(), serde_json::error::Category::Data);
        if syntax {
            Error::invalid("body", format!("is not JSON: {}", e.inner())).into()
        } else {
            serde_field("", e).into()
        }
    })
}

/// The error of a value that does not have its type, naming the field by its JSON path
/// under `prefix` (and, for a missing or unknown field, the field itself).
pub fn serde_field<E: Display>(prefix: &str, e: serde_path_to_error::Error<E>) -> Error {
    let message = e.inner().to_string();
    let mut field = join(prefix, &e.path().to_string());
    // serde names a missing, unknown or repeated field only in its message: `field `x``.
    if let Some(name) = message
        .split_once("field `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| name)
    {
        // The path may or may not already end with it, depending on where serde failed.
        if field != name && !field.ends_with(&format!(".{name}")) {
            field = join(&field, name);
        }
    }
    if field.is_empty() {
        field = "body".to_owned();
    }
    Error::invalid(field, format!("is not valid: {message}"))
}

/// `prefix` and a serde path (`.` for the root, `[0].id`, `images[0].id`) joined.
fn join(prefix: &str, path: &str) -> String {
    match path {
        "." | "" => prefix.to_owned(),
        p if p.starts_with('[') || prefix.is_empty() => format!("{prefix}{p}"),
        p => format!("{prefix}.{p}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_failures_name_their_field() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            id: Uuid,
        }
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Outer {
            role: u8,
            images: Vec<Inner>,
        }
        let field = |body: &str| match json::<Outer>(body.as_bytes()) {
            Err(PassfortError::Core(Error::InvalidField { field, .. })) => field,
            other => panic!("{body}: {other:?}"),
        };
        assert_eq!(field(r#"{"images": []}"#), "role");
        assert_eq!(field(r#"{"role": "x", "images": []}"#), "role");
        assert_eq!(
            field(r#"{"role": 1, "images": [{"id": "nope"}]}"#),
            "images[0].id"
        );
        assert_eq!(field(r#"{"role": 1, "images": [{}]}"#), "images[0].id");
        assert_eq!(field(r#"{"role": 1, "images": [], "colour": 1}"#), "colour");
        assert_eq!(field(r#"{"role": 1,"#), "body");
        assert_eq!(
            join("documents", "[1].images[0].id"),
            "documents[1].images[0].id"
        );
        assert_eq!(join("documents", "."), "documents");
    }
}
