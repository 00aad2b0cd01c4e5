//! Extractors answering in PassFort's error shape, each naming the offending field in
//! `info.field`: the path parameter, the query parameter, the body's JSON path, or the body
//! itself when it is over the route's limit.

use std::collections::HashMap;
use std::fmt::Display;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::error::PassfortError;
use crate::adapters::common::extract::Rejects;
use crate::auth::KeyKind;
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;

pub use crate::adapters::common::extract::BodyLimit;

// `Path`, `Query` and `Body` (raw, under the route's `BodyLimit`), answering as below.
crate::vendor_extractors!(PassfortError; Path, Query, Body);

impl Rejects for PassfortError {
    /// Every PassFort path parameter is a UUID, so a failure names the first parameter that
    /// is not one.
    fn path(r: PathRejection, raw: Option<&RawPathParams>) -> Self {
        if r.status().is_server_error() {
            return Error::internal(r.body_text()).into();
        }
        let field = raw
            .and_then(|raw| {
                raw.iter()
                    .find(|(_, v)| v.parse::<Uuid>().is_err())
                    .map(|(k, _)| k.to_owned())
            })
            .unwrap_or_else(|| "path".to_owned());
        Error::invalid(field, format!("must be a UUID ({})", r.body_text())).into()
    }

    /// A failure names the query parameter that cannot be read.
    fn query<T: DeserializeOwned>(r: QueryRejection, q: &str) -> Self {
        // serde's own message, as axum's wraps it.
        let e = serde_urlencoded::from_str::<T>(q)
            .err()
            .map_or_else(|| r.body_text(), |e| e.to_string());
        let e = crate::adapters::common::redact::without_input(&e);
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
    }

    fn unreadable(message: String) -> Self {
        Error::invalid("body", message).into()
    }

    /// Past a route's limit, the field the route names (`body` or `data`) is blamed.
    fn too_large(limit: Option<BodyLimit>) -> Self {
        match limit {
            Some(l) => PassfortError::TooLarge(l),
            None => Error::PayloadTooLarge { limit: None }.into(),
        }
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
            let reason = crate::adapters::common::redact::without_input(&e.inner().to_string());
            Error::invalid("body", format!("is not JSON: {reason}")).into()
        } else {
            serde_field("", e).into()
        }
    })
}

/// The error of a value that does not have its type, naming the field by its JSON path
/// under `prefix` (and, for a missing or unknown field, the field itself).
pub fn serde_field<E: Display>(prefix: &str, e: serde_path_to_error::Error<E>) -> Error {
    let message = crate::adapters::common::redact::without_input(&e.inner().to_string());
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
    use axum::body::Bytes;
    use bytes::BytesMut;
    use futures::Stream;

    async fn read_limited<B>(
        body: B,
        declared: Option<u64>,
        limit: BodyLimit,
    ) -> Result<BytesMut, PassfortError>
    where
        B: Stream<Item = Result<Bytes, axum::Error>> + Unpin,
    {
        crate::adapters::common::extract::read_limited(body, declared, limit).await
    }

    const LIMIT: BodyLimit = BodyLimit {
        field: "data",
        max_bytes: 50,
        body_bytes: 1000,
    };

    /// An endless body of 64-byte pieces, counting the pieces taken from it.
    fn endless(
        taken: &std::sync::atomic::AtomicUsize,
    ) -> impl Stream<Item = Result<Bytes, axum::Error>> + Unpin + '_ {
        futures::stream::repeat_with(move || {
            taken.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(Bytes::from_static(&[b'A'; 64]))
        })
    }

    fn refused(r: Result<BytesMut, PassfortError>) -> serde_json::Value {
        let e = r.expect_err("the body was accepted");
        let (status, item) = e.to_body();
        assert_eq!(status, axum::http::StatusCode::PAYLOAD_TOO_LARGE);
        serde_json::to_value(item).unwrap()
    }

    #[tokio::test]
    async fn a_body_that_never_ends_is_refused_once_past_the_limit() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let taken = AtomicUsize::new(0);
        let e = refused(read_limited(endless(&taken), None, LIMIT).await);
        assert_eq!(e["code"], 201);
        assert_eq!(
            e["info"],
            serde_json::json!({"field": "data", "max_bytes": 50})
        );
        // 15 pieces make 960 bytes; the 16th passes 1000 and is the last one read.
        assert_eq!(taken.load(Ordering::Relaxed), 16);
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_refused_before_reading() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let taken = AtomicUsize::new(0);
        let e = refused(read_limited(endless(&taken), Some(1001), LIMIT).await);
        assert_eq!(e["info"]["field"], "data");
        assert_eq!(taken.load(Ordering::Relaxed), 0);
    }

    #[tokio::test]
    async fn a_declared_body_is_read_into_one_buffer_of_its_size() {
        let pieces: Vec<Result<Bytes, axum::Error>> =
            (0..10u8).map(|i| Ok(Bytes::from(vec![i; 100]))).collect();
        let buf = read_limited(futures::stream::iter(pieces), Some(1000), LIMIT)
            .await
            .unwrap();
        assert_eq!(buf.len(), 1000);
        // Never grown: the pieces went into the one buffer sized from Content-Length, so
        // the payload was never held twice.
        assert_eq!(buf.capacity(), 1000);
        assert_eq!(&buf[900..], &[9u8; 100][..]);
        // Exactly at the limit is accepted; one byte more, even under a smaller declared
        // length, is not.
        let over: Vec<Result<Bytes, axum::Error>> =
            vec![Ok(Bytes::from(vec![0; 1000])), Ok(Bytes::from_static(b"x"))];
        refused(read_limited(futures::stream::iter(over), Some(10), LIMIT).await);
    }

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
