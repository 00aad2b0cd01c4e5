//! B2Core's errors. B2Core documents its statuses (400 for a payload that cannot be read or
//! fails validation, 401, 403, 404, 422, 500) but not its error body; idbridge answers
//! `{"code", "message", "errors"?}`, with per-field reasons under `errors`.

use std::collections::BTreeMap;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::wire::ErrorBody;
use crate::adapters::common::vendor_error::{self as common, VendorError};
use crate::error::Error;

/// Everything the my-documents API can answer with besides success.
#[derive(Debug)]
pub enum MydocsError {
    /// An error from the core.
    Core(Error),
    /// The body cannot be read as this operation's input.
    Body(String),
    /// A path parameter is malformed.
    Path(PathRejection),
    /// The query string is malformed.
    Query(QueryRejection),
    /// A file the client sent is refused (`415` for its content, `413` for its size): the
    /// reason is given under `errors.file` too.
    File(StatusCode, String),
    /// A body read whole (JSON, or a urlencoded form) is over its limit, in bytes.
    BodyTooLarge(usize),
    /// A body neither JSON nor a form; the text says what to send.
    UnsupportedBody(&'static str),
    /// No, unknown or expired bearer token.
    Unauthorized,
    /// A sign-in with a wrong email or password.
    WrongCredentials,
    /// No such route.
    NoRoute,
    /// The route exists, the method does not.
    MethodNotAllowed,
}

crate::vendor_error!(MydocsError, rejects {
    fn unreadable(message: String) -> Self {
        MydocsError::Body(message)
    }
});

fn plain(status: StatusCode, message: String) -> (StatusCode, ErrorBody) {
    (
        status,
        ErrorBody {
            code: status.as_u16(),
            message,
            errors: BTreeMap::new(),
        },
    )
}

/// A core error as B2Core's body: an invalid field's reason is given under `errors` too.
fn core(e: &Error) -> (StatusCode, ErrorBody) {
    let said = common::said("mydocs", e, ": ");
    let (status, mut body) = plain(said.status, said.message);
    if let Error::InvalidField { field, reason } = e {
        body.errors.insert(field.clone(), vec![reason.clone()]);
    }
    (status, body)
}

impl MydocsError {
    /// The status and body this error answers with.
    pub fn to_body(&self) -> (StatusCode, ErrorBody) {
        use StatusCode as S;
        match self {
            MydocsError::Core(e) => core(e),
            MydocsError::Body(reason) => plain(S::BAD_REQUEST, reason.clone()),
            MydocsError::File(status, reason) => {
                let (status, mut body) = plain(*status, format!("file: {reason}"));
                body.errors.insert("file".into(), vec![reason.clone()]);
                (status, body)
            }
            MydocsError::BodyTooLarge(limit) => plain(
                S::PAYLOAD_TOO_LARGE,
                format!(
                    "a body read whole (JSON or a urlencoded form) may be at most {limit} bytes, \
                     one file at the 20 MiB limit as base64; send larger or several files as \
                     multipart/form-data, or upload each with POST /api/v2/my/files"
                ),
            ),
            MydocsError::UnsupportedBody(what) => plain(S::UNSUPPORTED_MEDIA_TYPE, (*what).into()),
            MydocsError::Path(r) => plain(S::BAD_REQUEST, r.body_text()),
            MydocsError::Query(r) => plain(S::BAD_REQUEST, r.body_text()),
            MydocsError::Unauthorized => plain(
                S::UNAUTHORIZED,
                "send a valid access token as Authorization: Bearer <token>".into(),
            ),
            MydocsError::WrongCredentials => {
                plain(S::UNAUTHORIZED, "wrong email or password".into())
            }
            MydocsError::NoRoute => plain(S::NOT_FOUND, "no such resource".into()),
            MydocsError::MethodNotAllowed => plain(
                S::METHOD_NOT_ALLOWED,
                "method not allowed on this resource".into(),
            ),
        }
    }
}

impl IntoResponse for MydocsError {
    fn into_response(self) -> Response {
        let (status, body) = self.to_body();
        let response = (status, axum::Json(body)).into_response();
        common::answer(response, Some("Bearer"), self.core())
    }
}
