//! nCore's errors. NymCard publishes only a status catalogue (401, 403, 404 "Resource Not
//! Exist", 409 "Duplicate Request", 429, 5xx), no body: idbridge answers every failure with
//! `{"status", "code", "message", "field"?}`, the code named after that catalogue.

use axum::extract::RawPathParams;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::wire::ErrorBody;
use crate::adapters::common::extract::Rejects;
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

impl From<Error> for NcoreError {
    fn from(e: Error) -> Self {
        NcoreError::Core(e)
    }
}

impl Rejects for NcoreError {
    fn path(r: PathRejection, _: Option<&RawPathParams>) -> Self {
        NcoreError::Path(r)
    }

    fn query<T>(r: QueryRejection, _: &str) -> Self {
        NcoreError::Query(r)
    }

    fn unreadable(message: String) -> Self {
        NcoreError::Body(message)
    }
}

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

/// The status and body a core error answers with.
fn core_body(e: &Error) -> ErrorBody {
    use StatusCode as S;
    match e {
        Error::NotFound(_) => body(S::NOT_FOUND, "RESOURCE_NOT_EXIST", e.to_string(), None),
        Error::Conflict(_) => body(S::CONFLICT, "CONFLICT", e.to_string(), None),
        Error::LimitExceeded { .. } => body(S::BAD_REQUEST, "LIMIT_EXCEEDED", e.to_string(), None),
        Error::InvalidField { field, reason } => body(
            S::BAD_REQUEST,
            "VALIDATION_ERROR",
            format!("{field} {reason}"),
            Some(field.clone()),
        ),
        Error::Unauthorized => body(S::UNAUTHORIZED, "UNAUTHORIZED", e.to_string(), None),
        Error::Forbidden => body(S::FORBIDDEN, "FORBIDDEN", e.to_string(), None),
        // nCore's catalogue: 429 "Request Attempt Exceed".
        Error::TooManyAttempts { .. } => body(
            S::TOO_MANY_REQUESTS,
            "REQUEST_ATTEMPT_EXCEED",
            e.to_string(),
            None,
        ),
        Error::PayloadTooLarge { .. } => body(
            S::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            e.to_string(),
            None,
        ),
        Error::UnsupportedMediaType(_) => body(
            S::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            e.to_string(),
            None,
        ),
        Error::Internal(_) => {
            super::super::common::log_internal("ncore", e);
            body(
                S::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                "internal error".into(),
                None,
            )
        }
    }
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
        let status = StatusCode::from_u16(b.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let core = match &self {
            NcoreError::Core(e) => Some(e),
            _ => None,
        };
        super::super::common::retry_after((status, axum::Json(b)).into_response(), core)
    }
}

/// Fallback for unknown nCore routes.
pub async fn no_route() -> NcoreError {
    NcoreError::NoRoute
}

/// Fallback for known routes called with another method.
pub async fn method_not_allowed() -> NcoreError {
    NcoreError::MethodNotAllowed
}
