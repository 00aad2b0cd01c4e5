//! MasStack's errors. MasStack documents 400, 401, 404, 409 and 500 on the identification
//! endpoints with no body ("None") and `ErrorsResponse` for `default`. idbridge keeps 401,
//! 404, 409 and 500 bodiless, answers every other failure (unknown routes, 405, 413, 415)
//! with `ErrorsResponse`, and gives 400 an `ErrorsResponse` too: the field at fault must be
//! named, and a client that expects no body ignores one.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::wire::{ErrorDetail, ErrorsResponse};
use crate::adapters::common::vendor_error::{self as common, VendorError};
use crate::error::Error;

/// Everything the MasStack API can answer with besides success.
#[derive(Debug)]
pub enum MasstackError {
    /// An error from the core.
    Core(Error),
    /// The body is not JSON, or not the JSON this operation takes; `field` names the member
    /// at fault when there is one.
    Body {
        /// The dotted path of the member at fault.
        field: Option<String>,
        /// Why.
        message: String,
    },
    /// A path parameter is malformed (not UTF-8).
    Path(PathRejection),
    /// The query string is malformed.
    Query(QueryRejection),
    /// No, malformed or unknown bearer key.
    Unauthorized,
    /// No such route.
    NoRoute,
    /// The route exists, the method does not.
    MethodNotAllowed,
}

crate::vendor_error!(MasstackError, rejects {
    fn unreadable(message: String) -> Self {
        MasstackError::Body {
            field: None,
            message,
        }
    }
});

/// What an error answers with: a status and, unless MasStack documents none, a body.
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The `ErrorsResponse`, or `None` for a bodiless answer.
    pub body: Option<ErrorsResponse>,
}

fn bare(status: StatusCode) -> Answer {
    Answer { status, body: None }
}

fn with_body(
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
) -> Answer {
    Answer {
        status,
        body: Some(ErrorsResponse {
            errors: vec![ErrorDetail {
                code,
                message,
                field,
            }],
        }),
    }
}

/// The answer to a core error. Every variant is mapped here, on purpose without a wildcard:
/// which answers have a body is MasStack's documentation's choice.
fn core_answer(e: &Error) -> Answer {
    let said = common::said("masstack", e, " ");
    match e {
        Error::NotFound(_) | Error::Conflict(_) | Error::Unauthorized | Error::Internal(_) => {
            bare(said.status)
        }
        // MasStack's 401 covers AuthN and AuthZ ("AuthN and AuthZ validations have fail").
        Error::Forbidden => bare(StatusCode::UNAUTHORIZED),
        Error::LimitExceeded { .. }
        | Error::InvalidField { .. }
        | Error::TooManyAttempts { .. }
        | Error::PayloadTooLarge { .. }
        | Error::UnsupportedMediaType(_)
        // Neither 408 nor 503 is among MasStack's documented statuses: its `default` body
        // says why.
        | Error::RequestTimeout { .. }
        | Error::Unavailable { .. } => {
            with_body(said.status, e.kind().1, said.message, said.field)
        }
    }
}

impl MasstackError {
    /// The status and body this error answers with.
    pub fn answer(&self) -> Answer {
        use StatusCode as S;
        match self {
            MasstackError::Core(e) => core_answer(e),
            MasstackError::Body { field, message } => {
                let code = if field.is_some() {
                    "INVALID_FIELD"
                } else {
                    "BAD_REQUEST"
                };
                with_body(S::BAD_REQUEST, code, message.clone(), field.clone())
            }
            MasstackError::Path(r) => with_body(S::BAD_REQUEST, "BAD_REQUEST", r.body_text(), None),
            MasstackError::Query(r) => {
                with_body(S::BAD_REQUEST, "BAD_REQUEST", r.body_text(), None)
            }
            MasstackError::Unauthorized => bare(S::UNAUTHORIZED),
            MasstackError::NoRoute => {
                with_body(S::NOT_FOUND, "NOT_FOUND", "no such resource".into(), None)
            }
            MasstackError::MethodNotAllowed => with_body(
                S::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "method not allowed on this resource".into(),
                None,
            ),
        }
    }
}

impl IntoResponse for MasstackError {
    fn into_response(self) -> Response {
        let answer = self.answer();
        let response = match answer.body {
            Some(body) => (answer.status, axum::Json(body)).into_response(),
            None => answer.status.into_response(),
        };
        // A 401 keeps its empty body and names the scheme in its header.
        common::answer(response, Some("Bearer realm=\"masstack\""), self.core())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn documented_bodiless_statuses_stay_bodiless() {
        for (e, status) in [
            (Error::NotFound("x"), StatusCode::NOT_FOUND),
            (Error::Conflict("x".into()), StatusCode::CONFLICT),
            (Error::Unauthorized, StatusCode::UNAUTHORIZED),
            (Error::Forbidden, StatusCode::UNAUTHORIZED),
            (Error::internal("boom"), StatusCode::INTERNAL_SERVER_ERROR),
        ] {
            let a = MasstackError::Core(e).answer();
            assert_eq!(a.status, status);
            assert!(a.body.is_none(), "{status}");
        }
    }

    #[test]
    fn an_outage_is_a_503_with_its_default_body_and_retry_after() {
        let e = Error::unavailable(crate::error::METADATA, "connection refused");
        let response = MasstackError::Core(e).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        let a = MasstackError::Core(Error::unavailable(crate::error::BLOBS, "timeout")).answer();
        let body = serde_json::to_value(a.body.unwrap()).unwrap();
        assert_eq!(body["errors"][0]["code"], "SERVICE_UNAVAILABLE");
        assert_eq!(
            body["errors"][0]["message"],
            "the blob store is unavailable; try again shortly"
        );
    }

    #[test]
    fn invalid_fields_are_named() {
        let a =
            MasstackError::Core(Error::invalid("expires_in", "must be at most 30 days")).answer();
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        let body = serde_json::to_value(a.body.unwrap()).unwrap();
        assert_eq!(body["errors"][0]["code"], "INVALID_FIELD");
        assert_eq!(body["errors"][0]["field"], "expires_in");
        assert_eq!(
            body["errors"][0]["message"],
            "expires_in must be at most 30 days"
        );
    }
}
