//! The adapter kit: vendor-shaped extractors for the path, the query string, a JSON body, a
//! raw body under a limit (413) and the tenant behind a key.
//!
//! Each adapter states only its error shape, by implementing [`Rejects`] for its error
//! type, and declares its extractor types with [`vendor_extractors!`](crate::vendor_extractors):
//!
//! ```text
//! crate::vendor_extractors!(NcoreError; Path, Query);
//! ```
//!
//! The declared types are the adapter's own one-field tuple structs (so a handler still
//! writes `Path(id): Path<Uuid>`), and all they do is call the generic readers here.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use bytes::BytesMut;
use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::auth::KeyKind;
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;

/// How a vendor's error answers each kind of refused input. Implemented once per adapter;
/// the methods are all the vendor-specific part of reading a request.
pub trait Rejects: From<Error> + Send + Sized {
    /// A path parameter that cannot be read; `raw` holds the parameters as sent, so that an
    /// adapter may name the one at fault.
    fn path(rejection: PathRejection, raw: Option<&RawPathParams>) -> Self;

    /// A query string that cannot be read as `T`; `query` is the string as sent.
    fn query<T: DeserializeOwned>(rejection: QueryRejection, query: &str) -> Self;

    /// A body that could not be read (the connection failed); `message` says how.
    fn unreadable(message: String) -> Self;

    /// A body over its limit: the route's [`BodyLimit`] when it states one, `None` when the
    /// limit is axum's `DefaultBodyLimit`.
    fn too_large(limit: Option<BodyLimit>) -> Self {
        Error::PayloadTooLarge {
            limit: limit.map(|l| l.max_bytes),
        }
        .into()
    }

    /// A JSON body refused by axum's `Json` (content type, size, syntax or shape).
    fn json(rejection: JsonRejection) -> Self {
        Self::unreadable(super::redact::without_input(&rejection.body_text()))
    }

    /// A JSON body that is valid JSON but not an object.
    fn not_an_object() -> Self {
        Self::unreadable(super::NOT_AN_OBJECT.into())
    }
}

/// What a route's body may weigh, and the field to blame past it. Set on a route as an
/// `Extension`; the raw-body reader then enforces it as the body arrives.
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit {
    /// The field to blame: `body` on JSON routes, `data` on upload routes, whose size is
    /// the file's.
    pub field: &'static str,
    /// The limit stated in the error.
    pub max_bytes: u64,
    /// The most bytes the body itself may have (on upload routes, the base64 of a file at
    /// `max_bytes` with room for escapes and the other fields).
    pub body_bytes: usize,
}

/// Reads a path as `T`.
pub async fn path<T: DeserializeOwned + Send, E: Rejects>(parts: &mut Parts) -> Result<T, E> {
    match axum::extract::Path::<T>::from_request_parts(parts, &()).await {
        Ok(axum::extract::Path(value)) => Ok(value),
        Err(r) => {
            let raw = RawPathParams::from_request_parts(parts, &()).await.ok();
            Err(E::path(r, raw.as_ref()))
        }
    }
}

/// Reads the query string as `T`, as axum's `Query` does.
pub fn query<T: DeserializeOwned, E: Rejects>(parts: &Parts) -> Result<T, E> {
    axum::extract::Query::<T>::try_from_uri(&parts.uri)
        .map(|axum::extract::Query(value)| value)
        .map_err(|r| E::query::<T>(r, parts.uri.query().unwrap_or_default()))
}

/// Reads a JSON object body as `T`. Content type, size and syntax are checked (and
/// answered) as axum's `Json` does; the body must be an object, since serde would otherwise
/// read a struct from an array by position.
pub async fn json<T: DeserializeOwned, E: Rejects>(req: Request) -> Result<T, E> {
    let axum::Json(raw) = axum::Json::<Box<RawValue>>::from_request(req, &())
        .await
        .map_err(E::json)?;
    if !super::is_json_object(raw.get().as_bytes()) {
        return Err(E::not_an_object());
    }
    axum::Json::<T>::from_bytes(raw.get().as_bytes())
        .map(|axum::Json(value)| value)
        .map_err(E::json)
}

/// Reads a raw body whole. Under a route's [`BodyLimit`] it is read as it arrives and
/// refused the moment it passes the limit; otherwise axum's `DefaultBodyLimit` applies.
pub async fn body<E: Rejects>(req: Request) -> Result<Bytes, E> {
    if let Some(limit) = req.extensions().get::<BodyLimit>().copied() {
        let declared = declared_length(req.headers());
        return read_limited(req.into_body().into_data_stream(), declared, limit)
            .await
            .map(BytesMut::freeze);
    }
    match Bytes::from_request(req, &()).await {
        Ok(bytes) => Ok(bytes),
        Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(E::too_large(None)),
        Err(r) => Err(E::unreadable(r.body_text())),
    }
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// Reads a body into one buffer. axum's own `Bytes` extractor keeps every chunk and then
/// copies them into a new buffer, holding the payload twice at the end; here each chunk is
/// appended as it arrives to a buffer sized once from `Content-Length` (capped at the
/// limit, so a false length cannot make us reserve more), and the body is refused as soon
/// as it passes the limit: a declared length over it before anything is read, any body
/// the moment what arrived does.
pub async fn read_limited<B, E>(
    mut body: B,
    declared: Option<u64>,
    limit: BodyLimit,
) -> Result<BytesMut, E>
where
    B: Stream<Item = Result<Bytes, axum::Error>> + Unpin,
    E: Rejects,
{
    let max = limit.body_bytes;
    if declared.is_some_and(|n| n > max as u64) {
        return Err(E::too_large(Some(limit)));
    }
    let mut buf = BytesMut::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(piece) = body.next().await {
        let piece = piece.map_err(|e| E::unreadable(format!("could not be read: {e}")))?;
        if buf.len() + piece.len() > max {
            return Err(E::too_large(Some(limit)));
        }
        buf.extend_from_slice(&piece);
    }
    Ok(buf)
}

/// The text of a request header, if it is text.
pub fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer(parts: &Parts) -> Option<&str> {
    header(parts, header::AUTHORIZATION.as_str()).and_then(crate::auth::bearer)
}

/// The tenant a configured key of this kind belongs to; `None` for no key or an unknown
/// one (compared in constant time by the key table).
pub fn keyed_tenant(state: &AppState, kind: KeyKind, key: Option<&str>) -> Option<TenantId> {
    key.and_then(|k| state.keys.tenant_for(kind, k))
}

/// Declares an adapter's vendor-shaped extractors: `vendor_extractors!(NcoreError; Path,
/// Query)` declares `Path<T>` and `Query<T>` answering in `NcoreError`; `Json<T>` and
/// `Body` (raw bytes) may be listed too. The error type must implement
/// [`Rejects`](crate::adapters::common::extract::Rejects).
#[macro_export]
macro_rules! vendor_extractors {
    ($error:ty; $($which:ident),+ $(,)?) => {
        $( $crate::vendor_extractors!(@$which $error); )+
    };
    (@Path $error:ty) => {
        /// Path extractor answering in this vendor's error shape.
        pub struct Path<T>(pub T);

        impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send>
            axum::extract::FromRequestParts<S> for Path<T>
        {
            type Rejection = $error;

            async fn from_request_parts(
                parts: &mut axum::http::request::Parts,
                _: &S,
            ) -> Result<Self, $error> {
                $crate::adapters::common::extract::path(parts).await.map(Path)
            }
        }
    };
    (@Query $error:ty) => {
        /// Query extractor answering in this vendor's error shape.
        pub struct Query<T>(pub T);

        impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S>
            for Query<T>
        {
            type Rejection = $error;

            async fn from_request_parts(
                parts: &mut axum::http::request::Parts,
                _: &S,
            ) -> Result<Self, $error> {
                $crate::adapters::common::extract::query(parts).map(Query)
            }
        }
    };
    (@Json $error:ty) => {
        /// JSON object body extractor answering in this vendor's error shape.
        pub struct Json<T>(pub T);

        impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S>
            for Json<T>
        {
            type Rejection = $error;

            async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, $error> {
                $crate::adapters::common::extract::json(req).await.map(Json)
            }
        }
    };
    (@Body $error:ty) => {
        /// Raw body extractor answering in this vendor's error shape (413 past the limit).
        pub struct Body(pub axum::body::Bytes);

        impl<S: Send + Sync> axum::extract::FromRequest<S> for Body {
            type Rejection = $error;

            async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, $error> {
                $crate::adapters::common::extract::body(req).await.map(Body)
            }
        }
    };
}
