//! Jumio's errors. Jumio documents statuses only (400 for bad input, 401 without a valid
//! token, 403 for missing or suspicious headers, 404); idbridge answers every failure with
//! `{"timestamp", "status", "error", "message", "field"?}`.

use axum::extract::RawPathParams;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::wire::ErrorBody;
use crate::adapters::common::extract::Rejects;
use crate::error::Error;

/// Everything the Jumio API can answer with besides success.
#[derive(Debug)]
pub enum JumioError {
    /// An error from the core.
    Core(Error),
    /// The body cannot be read as this operation's input.
    Body(String),
    /// A path parameter is malformed.
    Path(PathRejection),
    /// The query string is malformed.
    Query(QueryRejection),
    /// No valid token (or client credentials) for this call.
    Unauthorized(&'static str),
    /// A header Jumio requires is missing (`User-Agent`).
    Forbidden(&'static str),
    /// No such route.
    NoRoute,
    /// The route exists, the method does not.
    MethodNotAllowed,
}

impl From<Error> for JumioError {
    fn from(e: Error) -> Self {
        JumioError::Core(e)
    }
}

impl Rejects for JumioError {
    fn path(r: PathRejection, _: Option<&RawPathParams>) -> Self {
        JumioError::Path(r)
    }

    fn query<T>(r: QueryRejection, _: &str) -> Self {
        JumioError::Query(r)
    }

    fn unreadable(message: String) -> Self {
        JumioError::Body(message)
    }
}

fn body(status: StatusCode, message: String, field: Option<String>) -> ErrorBody {
    ErrorBody {
        timestamp: super::mapping::timestamp(chrono::Utc::now()),
        status: status.as_u16(),
        error: status.canonical_reason().unwrap_or("Error").to_owned(),
        message,
        field,
    }
}

impl JumioError {
    /// The body this error answers with.
    pub fn to_body(&self) -> ErrorBody {
        use StatusCode as S;
        match self {
            JumioError::Core(e) => match e {
                Error::NotFound(_) => body(S::NOT_FOUND, e.to_string(), None),
                Error::Conflict(_) => body(S::CONFLICT, e.to_string(), None),
                Error::LimitExceeded { .. } => body(S::BAD_REQUEST, e.to_string(), None),
                Error::InvalidField { field, reason } => body(
                    S::BAD_REQUEST,
                    format!("{field}: {reason}"),
                    Some(field.clone()),
                ),
                Error::Unauthorized => body(S::UNAUTHORIZED, e.to_string(), None),
                Error::Forbidden => body(S::FORBIDDEN, e.to_string(), None),
                Error::TooManyAttempts { .. } => body(S::TOO_MANY_REQUESTS, e.to_string(), None),
                Error::PayloadTooLarge { .. } => {
                    body(S::PAYLOAD_TOO_LARGE, e.to_string(), Some("file".into()))
                }
                Error::UnsupportedMediaType(_) => body(
                    S::UNSUPPORTED_MEDIA_TYPE,
                    e.to_string(),
                    Some("file".into()),
                ),
                Error::Internal(_) => {
                    super::super::common::log_internal("jumio", e);
                    body(S::INTERNAL_SERVER_ERROR, "internal error".into(), None)
                }
            },
            JumioError::Body(reason) => body(S::BAD_REQUEST, reason.clone(), None),
            JumioError::Path(r) => body(S::BAD_REQUEST, r.body_text(), None),
            JumioError::Query(r) => body(S::BAD_REQUEST, r.body_text(), None),
            JumioError::Unauthorized(why) => body(S::UNAUTHORIZED, (*why).into(), None),
            JumioError::Forbidden(why) => body(S::FORBIDDEN, (*why).into(), None),
            JumioError::NoRoute => body(S::NOT_FOUND, "no such resource".into(), None),
            JumioError::MethodNotAllowed => body(
                S::METHOD_NOT_ALLOWED,
                "method not allowed on this resource".into(),
                None,
            ),
        }
    }
}

impl IntoResponse for JumioError {
    fn into_response(self) -> Response {
        let b = self.to_body();
        let status = StatusCode::from_u16(b.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let core = match &self {
            JumioError::Core(e) => Some(e),
            _ => None,
        };
        super::super::common::retry_after((status, axum::Json(b)).into_response(), core)
    }
}

/// Fallback for unknown routes under `/api/v1` and `/oauth2`.
pub async fn no_route() -> JumioError {
    JumioError::NoRoute
}

/// Fallback for known routes called with another method.
pub async fn method_not_allowed() -> JumioError {
    JumioError::MethodNotAllowed
}
