//! The admin API's errors: every variant mapped explicitly to a status and the JSON body
//! `{"error": {"code", "message", "field"?}}`.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::wire::{ErrorBody, ErrorDetail};
use crate::adapters::common::vendor_error as common;
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

crate::vendor_error!(AdminError, rejects {
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
});

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
            AdminError::Core(e) => {
                let said = common::said("admin", e, " ");
                // A counted limit is a conflict with what the subject already has.
                let status = match e {
                    Error::LimitExceeded { .. } => StatusCode::CONFLICT,
                    _ => said.status,
                };
                body(status, e.kind().0, said.message, said.field)
            }
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
                let message = crate::adapters::common::redact::without_input(&r.body_text());
                body(status, code, message, None)
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
        let response = (status, axum::Json(body)).into_response();
        common::answer(response, Some("Bearer"), common::VendorError::core(&self))
    }
}
