//! nCore's errors. NymCard publishes only a status catalogue (401, 403, 404 "Resource Not
//! Exist", 409 "Duplicate Request", 429, 5xx), no body: idbridge answers every failure with
//! `{"status", "code", "message", "field"?}`, the code named after that catalogue.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::wire::ErrorBody;
use crate::adapters::common::vendor_error::{self as common, VendorError};
use crate::error::Error;

/// Everything the nCore API can answer with besides success.
#[derive(Debug)]
pub enum NcoreError {
    /// An error from the core.
    Core(Error),
    /// The body is not the JSON this operation takes.
    Body(String),
    /// A path parameter is malformed.
    Path(PathRejection),
    /// The query string is malformed.
    Query(QueryRejection),
    /// No or unknown `apikey`.
    Unauthorized,
    /// The idempotency key was used for another request.
    DuplicateRequest,
    /// The first request with this idempotency key is still running.
    RequestInProgress,
    /// One file of an upload was refused; nothing of the upload was stored.
    File {
        /// Its position among the upload's files, from 0.
        index: usize,
        /// Why.
        source: Error,
    },
    /// No such route.
    NoRoute,
    /// The route exists, the method does not.
    MethodNotAllowed,
}

crate::vendor_error!(NcoreError, rejects {
    fn unreadable(message: String) -> Self {
        NcoreError::Body(message)
    }
});

fn body(
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
) -> ErrorBody {
    ErrorBody {
        status: status.as_u16(),
        code,
        message,
        field,
    }
}

/// A core error's code, named after nCore's status catalogue where it has a name.
fn core_code(e: &Error) -> &'static str {
    match e {
        Error::NotFound(_) => "RESOURCE_NOT_EXIST",
        Error::Conflict(_) => "CONFLICT",
        Error::LimitExceeded { .. } => "LIMIT_EXCEEDED",
        Error::InvalidField { .. } => "VALIDATION_ERROR",
        Error::Unauthorized => "UNAUTHORIZED",
        Error::Forbidden => "FORBIDDEN",
        // nCore's catalogue: 429 "Request Attempt Exceed".
        Error::TooManyAttempts { .. } => "REQUEST_ATTEMPT_EXCEED",
        Error::PayloadTooLarge { .. } => "PAYLOAD_TOO_LARGE",
        Error::UnsupportedMediaType(_) => "UNSUPPORTED_MEDIA_TYPE",
        Error::Unavailable { .. } => "SERVICE_UNAVAILABLE",
        Error::RequestTimeout { .. } => "REQUEST_TIMEOUT",
        Error::Internal(_) => "INTERNAL_ERROR",
    }
}

/// The status and body a core error answers with.
fn core_body(e: &Error) -> ErrorBody {
    let said = common::said("ncore", e, " ");
    body(said.status, core_code(e), said.message, said.field)
}

impl NcoreError {
    /// The status and body this error answers with.
    pub fn to_body(&self) -> ErrorBody {
        use StatusCode as S;
        match self {
            NcoreError::Core(e) => core_body(e),
            NcoreError::Body(reason) => body(S::BAD_REQUEST, "BAD_REQUEST", reason.clone(), None),
            NcoreError::File { index, source } => {
                let mut b = core_body(source);
                b.message = format!("file[{index}]: {}", b.message);
                b.field = Some(format!("file[{index}]"));
                b
            }
            NcoreError::Path(r) => body(S::BAD_REQUEST, "BAD_REQUEST", r.body_text(), None),
            NcoreError::Query(r) => body(S::BAD_REQUEST, "BAD_REQUEST", r.body_text(), None),
            NcoreError::Unauthorized => body(
                S::UNAUTHORIZED,
                "UNAUTHORIZED",
                "send a valid API key in the apikey header".into(),
                None,
            ),
            NcoreError::DuplicateRequest => body(
                S::CONFLICT,
                "DUPLICATE_REQUEST",
                "this idempotency key was used for a different request".into(),
                Some("x-nymos-idempotency-key".into()),
            ),
            NcoreError::RequestInProgress => body(
                S::CONFLICT,
                "DUPLICATE_REQUEST",
                "a request with this idempotency key is still in progress".into(),
                Some("x-nymos-idempotency-key".into()),
            ),
            NcoreError::NoRoute => body(
                S::NOT_FOUND,
                "RESOURCE_NOT_EXIST",
                "no such resource".into(),
                None,
            ),
            NcoreError::MethodNotAllowed => body(
                S::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "method not allowed on this resource".into(),
                None,
            ),
        }
    }
}

impl IntoResponse for NcoreError {
    fn into_response(self) -> Response {
        let b = self.to_body();
        super::super::common::retry_after(common::with_own_status(b.status, b), self.core())
    }
}
