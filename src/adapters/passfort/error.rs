//! PassFort's errors: `{"errors": [{"code", "message", "source", "info"}]}` with PassFort's
//! ErrorCodes. PassFort's document gives no HTTP status per code; the table idbridge uses is
//! in docs/compat/passfort.md and in [`PassfortError::to_body`].

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::extract::BodyLimit;
use super::ratelimit::Refused;
use super::wire::{Error as ErrorItem, ErrorCode, ErrorSource, Errors};
use crate::error::Error;

/// 104 CHARGEABLE_LIMIT_REACHED: PassFort's clients read it as "Rate limit exceeded".
pub const CHARGEABLE_LIMIT_REACHED: ErrorCode = ErrorCode(104);
/// 105 CONSTRAINTS_NOT_SATISFIED: what idbridge cannot do (PassFort has no code for an
/// unavailable check; this one is the closest, an inference).
pub const CONSTRAINTS_NOT_SATISFIED: ErrorCode = ErrorCode(105);
/// 201 INVALID_INPUT_DATA.
pub const INVALID_INPUT_DATA: ErrorCode = ErrorCode(201);
/// 203 MISSING_API_KEY.
pub const MISSING_API_KEY: ErrorCode = ErrorCode(203);
/// 204 INVALID_API_KEY.
pub const INVALID_API_KEY: ErrorCode = ErrorCode(204);
/// 401 UNKNOWN_INTERNAL_ERROR.
pub const UNKNOWN_INTERNAL_ERROR: ErrorCode = ErrorCode(401);

/// Everything the PassFort API can answer with besides success.
#[derive(Debug)]
pub enum PassfortError {
    /// An error from the core.
    Core(Error),
    /// The body is over the route's limit.
    TooLarge(BodyLimit),
    /// No `apikey` header or query parameter.
    MissingApiKey,
    /// An `apikey` that is not a key of any tenant.
    InvalidApiKey,
    /// Over the rate limit.
    RateLimited(Refused),
    /// A request idbridge understands and cannot carry out (a check type it cannot run):
    /// 105 CONSTRAINTS_NOT_SATISFIED naming the field that asks for it.
    Unavailable {
        /// The field to blame.
        field: &'static str,
        /// Why.
        message: String,
    },
    /// No such route.
    NoRoute,
    /// The route exists, the method does not.
    MethodNotAllowed,
}

crate::vendor_error!(PassfortError);

fn item(code: Option<ErrorCode>, message: String, info: serde_json::Value) -> ErrorItem {
    ErrorItem {
        code,
        message,
        source: ErrorSource::Api,
        info,
    }
}

fn invalid(
    status: StatusCode,
    message: String,
    info: serde_json::Value,
) -> (StatusCode, ErrorItem) {
    (status, item(Some(INVALID_INPUT_DATA), message, info))
}

fn core(e: &Error) -> (StatusCode, ErrorItem) {
    use StatusCode as S;
    match e {
        Error::NotFound(what) => invalid(S::NOT_FOUND, e.to_string(), json!({ "not_found": what })),
        Error::LimitExceeded { what, limit } => invalid(
            S::BAD_REQUEST,
            e.to_string(),
            json!({ "limit": what, "max": limit }),
        ),
        Error::InvalidField { field, reason } => invalid(
            S::BAD_REQUEST,
            format!("{field}: {reason}"),
            json!({ "field": field }),
        ),
        Error::Unauthorized => (
            S::UNAUTHORIZED,
            item(Some(INVALID_API_KEY), e.to_string(), json!({})),
        ),
        Error::Forbidden => (S::FORBIDDEN, item(None, e.to_string(), json!({}))),
        Error::PayloadTooLarge { limit } => invalid(
            S::PAYLOAD_TOO_LARGE,
            e.to_string(),
            json!({ "field": "data", "max_bytes": limit }),
        ),
        Error::UnsupportedMediaType(_) => invalid(
            S::UNSUPPORTED_MEDIA_TYPE,
            e.to_string(),
            json!({ "field": "data" }),
        ),
        // A body that did not arrive in whole is incomplete input: the client's to resend.
        Error::RequestTimeout { .. } => invalid(S::REQUEST_TIMEOUT, e.to_string(), json!({})),
        // No PassFort operation can conflict (conflicts come from processes and aliases,
        // which this API never touches) or sign in (its key is a configured one): either
        // reaching here is a bug, answered as internal.
        // PassFort's catalogue has no code of its own for an outage; its internal-error code
        // with a 503 tells a client the failure is on this side and worth a retry.
        Error::Unavailable { .. } => {
            super::super::common::log_unavailable("passfort", e);
            (
                S::SERVICE_UNAVAILABLE,
                item(Some(UNKNOWN_INTERNAL_ERROR), e.to_string(), json!({})),
            )
        }
        Error::Internal(_) | Error::Conflict(_) | Error::TooManyAttempts { .. } => {
            super::super::common::log_internal("passfort", e);
            (
                S::INTERNAL_SERVER_ERROR,
                item(
                    Some(UNKNOWN_INTERNAL_ERROR),
                    "internal error".into(),
                    json!({}),
                ),
            )
        }
    }
}

impl PassfortError {
    /// The status and error this answers with.
    pub fn to_body(&self) -> (StatusCode, ErrorItem) {
        use StatusCode as S;
        match self {
            PassfortError::Core(e) => core(e),
            PassfortError::TooLarge(l) => invalid(
                S::PAYLOAD_TOO_LARGE,
                format!("{}: the body is over {} bytes", l.field, l.max_bytes),
                json!({ "field": l.field, "max_bytes": l.max_bytes }),
            ),
            PassfortError::MissingApiKey => (
                S::UNAUTHORIZED,
                item(
                    Some(MISSING_API_KEY),
                    "send an API key in the apikey header or the apikey query parameter".into(),
                    json!({}),
                ),
            ),
            PassfortError::InvalidApiKey => (
                S::UNAUTHORIZED,
                item(
                    Some(INVALID_API_KEY),
                    "the API key is not valid".into(),
                    json!({}),
                ),
            ),
            PassfortError::RateLimited(r) => (
                S::TOO_MANY_REQUESTS,
                item(
                    Some(CHARGEABLE_LIMIT_REACHED),
                    "Rate limit exceeded".into(),
                    json!({ "retry_secs": r.retry_secs }),
                ),
            ),
            PassfortError::Unavailable { field, message } => (
                S::BAD_REQUEST,
                item(
                    Some(CONSTRAINTS_NOT_SATISFIED),
                    format!("{field}: {message}"),
                    json!({ "field": field }),
                ),
            ),
            PassfortError::NoRoute => (
                S::NOT_FOUND,
                item(None, "no such resource".into(), json!({})),
            ),
            PassfortError::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                item(
                    None,
                    "method not allowed on this resource".into(),
                    json!({}),
                ),
            ),
        }
    }
}

impl IntoResponse for PassfortError {
    fn into_response(self) -> Response {
        let (status, error) = self.to_body();
        let mut response = (
            status,
            axum::Json(Errors {
                errors: vec![error],
            }),
        )
            .into_response();
        if let PassfortError::RateLimited(r) = &self {
            super::ratelimit::refused_headers(r, response.headers_mut());
        }
        let core = crate::adapters::common::vendor_error::VendorError::core(&self);
        super::super::common::retry_after(response, core)
    }
}
