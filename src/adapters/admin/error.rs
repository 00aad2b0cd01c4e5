//! The admin API's errors: every variant mapped explicitly to a status and the JSON body
//! `{"error": {"code", "message", "field"?}}`.

use axum::extract::RawPathParams;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::wire::{ErrorBody, ErrorDetail};
use crate::adapters::common::extract::Rejects;
use crate::error::Error;

/// Everything the admin API can answer with besides success.
#[derive(Debug)]
pub enum AdminError {
    /// An error from the core.
    Core(Error),
    /// The JSON body could not be read.
    Json(JsonRejection),
    /// The JSON body is valid JSON but not an object.
    NotAnObject,
    /// A path parameter is malformed.
    Path(PathRejection),
    /// The query string is malformed.
    Query(QueryRejection),
    /// No or wrong admin key.
    Unauthorized,
    /// No such route.
    NoRoute,
    /// The route exists, the method does not.
    MethodNotAllowed,
}

impl From<Error> for AdminError {
    fn from(e: Error) -> Self {
        AdminError::Core(e)
    }
}

impl Rejects for AdminError {
    fn path(r: PathRejection, _: Option<&RawPathParams>) -> Self {
        AdminError::Path(r)
    }

    fn query<T>(r: QueryRejection, _: &str) -> Self {
        AdminError::Query(r)
    }

    /// No admin route reads a raw body; one that could not be read is invalid input.
    fn unreadable(message: String) -> Self {
        Error::invalid("body", message).into()
    }

    fn json(r: JsonRejection) -> Self {
        AdminError::Json(r)
    }

    fn not_an_object() -> Self {
        AdminError::NotAnObject
    }
}

fn body(
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
) -> (StatusCode, ErrorBody) {
    (
        status,
        ErrorBody {
            error: ErrorDetail {
                code,
                message,
                field,
            },
        },
    )
}

impl AdminError {
    fn parts(&self) -> (StatusCode, ErrorBody) {
        match self {
            AdminError::Core(e) => match e {
                Error::NotFound(_) => body(StatusCode::NOT_FOUND, "not_found", e.to_string(), None),
                Error::Conflict(_) => body(StatusCode::CONFLICT, "conflict", e.to_string(), None),
                Error::LimitExceeded { .. } => {
                    body(StatusCode::CONFLICT, "limit_exceeded", e.to_string(), None)
                }
                Error::InvalidField { field, reason } => body(
                    StatusCode::BAD_REQUEST,
                    "invalid_field",
                    format!("{field} {reason}"),
                    Some(field.clone()),
                ),
                Error::Unauthorized => body(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    e.to_string(),
                    None,
                ),
                Error::Forbidden => body(StatusCode::FORBIDDEN, "forbidden", e.to_string(), None),
                Error::TooManyAttempts { .. } => body(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    e.to_string(),
                    None,
                ),
                Error::PayloadTooLarge { .. } => body(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    e.to_string(),
                    None,
                ),
                Error::UnsupportedMediaType(_) => body(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    e.to_string(),
                    None,
                ),
                Error::Internal(_) => {
                    super::super::common::log_internal("admin", e);
                    body(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        "internal error".into(),
                        None,
                    )
                }
            },
            AdminError::Json(r) => {
                // A body that parses but does not fit is a 400 like any other bad input
                // (axum would say 422); only the content type and size keep their own status.
                let (status, code) = match r {
                    JsonRejection::MissingJsonContentType(_) => {
                        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
                    }
                    JsonRejection::JsonSyntaxError(_) => {
                        (StatusCode::BAD_REQUEST, "malformed_json")
                    }
                    JsonRejection::BytesRejection(_)
                        if r.status() == StatusCode::PAYLOAD_TOO_LARGE =>
                    {
                        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
                    }
                    JsonRejection::BytesRejection(_) => {
                        (StatusCode::BAD_REQUEST, "unreadable_body")
                    }
                    _ => (StatusCode::BAD_REQUEST, "invalid_body"),
                };
                body(status, code, r.body_text(), None)
            }
            AdminError::NotAnObject => body(
                StatusCode::BAD_REQUEST,
                "invalid_body",
                crate::adapters::common::NOT_AN_OBJECT.into(),
                None,
            ),
            AdminError::Path(r) => {
                body(StatusCode::BAD_REQUEST, "invalid_path", r.body_text(), None)
            }
            AdminError::Query(r) => body(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                r.body_text(),
                None,
            ),
            AdminError::Unauthorized => body(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send an admin key as Authorization: Bearer <key>".into(),
                None,
            ),
            AdminError::NoRoute => body(
                StatusCode::NOT_FOUND,
                "not_found",
                "no such route".into(),
                None,
            ),
            AdminError::MethodNotAllowed => body(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "method not allowed on this route".into(),
                None,
            ),
        }
    }
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, body) = self.parts();
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// Fallback for unknown admin routes.
pub async fn no_route() -> AdminError {
    AdminError::NoRoute
}

/// Fallback for known routes called with another method.
pub async fn method_not_allowed() -> AdminError {
    AdminError::MethodNotAllowed
}
