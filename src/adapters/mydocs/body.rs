//! Reading the body of `POST /documents` before its fields: which encoding its
//! `Content-Type` declares (B2Core documents none, and its own curl example sends JSON
//! labelled as a urlencoded form), and reading a JSON or urlencoded body whole under a limit.

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{HeaderMap, header};
use bytes::BytesMut;
use futures::StreamExt;

use super::error::MydocsError;

/// How the body of `POST /documents` is encoded, from its `Content-Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Encoding {
    /// `multipart/form-data`.
    Multipart,
    /// `application/json`.
    Json,
    /// Urlencoded: a form, unless the body is a JSON object (`curl --data-raw '{…}'`).
    Urlencoded,
    /// None or `text/plain`: JSON if the body is a JSON object.
    Unlabelled,
    /// Anything else: refused.
    Other,
}

/// The encoding a request's `Content-Type` (its essence, case-insensitive) declares.
pub(super) fn encoding(headers: &HeaderMap) -> Encoding {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Encoding::Unlabelled;
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "multipart/form-data" => Encoding::Multipart,
        "application/json" => Encoding::Json,
        "application/x-www-form-urlencoded" => Encoding::Urlencoded,
        "" | "text/plain" => Encoding::Unlabelled,
        _ => Encoding::Other,
    }
}

/// The 415 for a body neither JSON nor a form.
pub(super) const SEND_JSON_OR_FORM: &str = "send application/json or multipart/form-data (a body with no \
     Content-Type, text/plain or urlencoded is read as JSON when it is a JSON object)";

/// Reads a body whole, refusing it past `limit` (by `Content-Length` before reading, else
/// as it arrives) so a client cannot make the server hold more.
pub(super) async fn read_whole(req: Request, limit: usize) -> Result<Bytes, MydocsError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(MydocsError::BodyTooLarge(limit));
    }
    let mut buf = BytesMut::with_capacity(declared.unwrap_or(0));
    let mut body = req.into_body().into_data_stream();
    while let Some(piece) = body.next().await {
        let piece =
            piece.map_err(|e| MydocsError::Body(format!("the body could not be read: {e}")))?;
        if buf.len() + piece.len() > limit {
            return Err(MydocsError::BodyTooLarge(limit));
        }
        buf.extend_from_slice(&piece);
    }
    Ok(buf.freeze())
}
