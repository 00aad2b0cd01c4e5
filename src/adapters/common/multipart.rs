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

/// A small text part (a type id, an upload path), read a chunk at a time and refused once
/// it passes `max` bytes: a form cannot make the server hold a large "text" part.
pub async fn small_text(mut field: Field<'_>, name: &str, max: usize) -> Result<String, Error> {
    let mut text = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| error(e, name))? {
        if text.len() + chunk.len() > max {
            return Err(Error::invalid(name, format!("must be at most {max} bytes")));
        }
        text.extend_from_slice(&chunk);
    }
    String::from_utf8(text).map_err(|_| Error::invalid(name, "must be UTF-8 text"))
}

/// The next part of a form named `$name` (the parts before it with other names skipped,
/// unread), or `None` at the form's end; `?` returns a multipart error, on `$name`, from the
/// calling function. A macro and not a function because a function cannot hand back the
/// part it found inside its loop: the borrow checker ties every turn's borrow of the form to
/// the part returned (NLL "problem case 3"), while a loop in the caller's body compiles.
macro_rules! next_named {
    ($multipart:expr, $name:expr) => {
        loop {
            match $multipart
                .next_field()
                .await
                .map_err(|e| $crate::adapters::common::multipart::error(e, $name))?
            {
                Some(field) if field.name() != Some($name) => continue,
                found => break found,
            }
        }
    };
}
pub(crate) use next_named;

#[cfg(test)]
mod fuzz;
