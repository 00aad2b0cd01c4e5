//! Streaming a multipart part into the store, a chunk at a time.

use axum::extract::multipart::{Field, MultipartError};
use axum::http::StatusCode;
use bytes::Bytes;
use futures::Stream;

use crate::error::Error;

/// A multipart error in the core's terms: over the body limit is "payload too large";
/// anything else is malformed input on `field`.
pub fn error(e: MultipartError, field: &str) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Error::PayloadTooLarge { limit: None }
    } else {
        Error::invalid(field, e.body_text())
    }
}

/// The part's bytes as a stream for [`crate::store::Store::put_file`]; the first error ends it.
pub fn stream<'a>(
    field: Field<'a>,
    name: &'a str,
) -> impl Stream<Item = Result<Bytes, Error>> + Send + Unpin + 'a {
    Box::pin(futures::stream::unfold(
        Some(field),
        move |field| async move {
            let mut field = field?;
            match field.chunk().await {
                Ok(Some(bytes)) => Some((Ok(bytes), Some(field))),
                Ok(None) => None,
                Err(e) => Some((Err(error(e, name)), None)),
            }
        },
    ))
}
