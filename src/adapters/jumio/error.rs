//! Jumio's errors. Jumio documents statuses only (400 for bad input, 401 without a valid
//! token, 403 for missing or suspicious headers, 404); idbridge answers every failure with
//! `{"timestamp", "status", "error", "message", "field"?}`.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::wire::ErrorBody;
use crate::adapters::common;
use crate::adapters::common::vendor_error::VendorError;
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

crate::vendor_error!(JumioError, rejects {
    fn unreadable(message: String) -> Self {
        JumioError::Body(message)
    }
});

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
            JumioError::Core(e) => {
                let said = common::vendor_error::said("jumio", e, ": ");
                // On Jumio's routes only a file can be too large or of a refused type.
                let field = match e {
                    Error::PayloadTooLarge { .. } | Error::UnsupportedMediaType(_) => {
                        Some("file".into())
                    }
                    _ => said.field,
                };
                body(said.status, said.message, field)
            }
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
        common::retry_after(
            common::vendor_error::with_own_status(b.status, b),
            self.core(),
        )
    }
}
