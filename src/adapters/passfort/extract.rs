//! Extractors answering in PassFort's error shape, each naming the offending field in
//! `info.field`: the path parameter, the query parameter, the body's JSON path, or the body
//! itself when it is over the route's limit.

use std::collections::HashMap;
use std::fmt::Display;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams};
use axum::http::header;
use axum::http::request::Parts;
use bytes::BytesMut;
use futures::{Stream, StreamExt};
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
    /// The most bytes the body itself may have (on upload routes, the base64 of a file at
    /// `max_bytes` with room for escapes and the other fields).
    pub body_bytes: usize,
}

/// Raw body extractor: the body read into one buffer, refused with 413 naming the route's
/// limit the moment it passes it.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = PassfortError;

    async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, PassfortError> {
        let limit = req
            .extensions()
            .get::<BodyLimit>()
            .copied()
            .ok_or_else(|| Error::internal("a PassFort route without a body limit"))?;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        read_limited(req.into_body().into_data_stream(), declared, limit)
            .await
            .map(|buf| Body(buf.freeze()))
    }
}

/// Reads a body into one buffer. axum's own `Bytes` extractor keeps every chunk and then
/// copies them into a new buffer, holding the payload twice at the end; here each chunk is
/// appended as it arrives to a buffer sized once from `Content-Length` (capped at the
/// limit, so a false length cannot make us reserve more), and the body is refused as soon
/// as it passes the limit: a declared length over it before anything is read, any body
/// the moment what arrived does.
async fn read_limited<B>(
    mut body: B,
    declared: Option<u64>,
    limit: BodyLimit,
) -> Result<BytesMut, PassfortError>
where
    B: Stream<Item = Result<Bytes, axum::Error>> + Unpin,
{
    let max = limit.body_bytes;
    if declared.is_some_and(|n| n > max as u64) {
        return Err(PassfortError::TooLarge(limit));
    }
    let mut buf = BytesMut::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(piece) = body.next().await {
        let piece = piece.map_err(|e| Error::invalid("body", format!("could not be read: {e}")))?;
        if buf.len() + piece.len() > max {
            return Err(PassfortError::TooLarge(limit));
        }
        buf.extend_from_slice(&piece);
    }
    Ok(buf)
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
