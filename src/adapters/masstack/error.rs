//! MasStack's errors. MasStack documents 400, 401, 404, 409 and 500 on the identification
//! endpoints with no body ("None") and `ErrorsResponse` for `default`. idbridge keeps 401,
//! 404, 409 and 500 bodiless, answers every other failure (unknown routes, 405, 413, 415)
//! with `ErrorsResponse`, and gives 400 an `ErrorsResponse` too: the field at fault must be
//! named, and a client that expects no body ignores one.

use axum::extract::RawPathParams;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::wire::{ErrorDetail, ErrorsResponse};
use crate::adapters::common::extract::Rejects;
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

impl From<Error> for MasstackError {
    fn from(e: Error) -> Self {
        MasstackError::Core(e)
    }
}

impl Rejects for MasstackError {
    fn path(r: PathRejection, _: Option<&RawPathParams>) -> Self {
        MasstackError::Path(r)
    }

    fn query<T>(r: QueryRejection, _: &str) -> Self {
        MasstackError::Query(r)
    }

    fn unreadable(message: String) -> Self {
        MasstackError::Body {
            field: None,
            message,
        }
    }
}

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

/// The answer to a core error. Every variant is mapped here, on purpose without a wildcard.
fn core_answer(e: &Error) -> Answer {
    use StatusCode as S;
    match e {
        Error::NotFound(_) => bare(S::NOT_FOUND),
        Error::Conflict(_) => bare(S::CONFLICT),
        Error::LimitExceeded { .. } => {
            with_body(S::BAD_REQUEST, "LIMIT_EXCEEDED", e.to_string(), None)
        }
        Error::InvalidField { field, reason } => with_body(
            S::BAD_REQUEST,
            "INVALID_FIELD",
            format!("{field} {reason}"),
            Some(field.clone()),
        ),
        Error::Unauthorized => bare(S::UNAUTHORIZED),
        // MasStack's 401 covers AuthN and AuthZ ("AuthN and AuthZ validations have fail").
        Error::Forbidden => bare(S::UNAUTHORIZED),
        Error::TooManyAttempts { .. } => with_body(
            S::TOO_MANY_REQUESTS,
            "TOO_MANY_ATTEMPTS",
            e.to_string(),
            None,
        ),
        Error::PayloadTooLarge { .. } => with_body(
            S::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            e.to_string(),
            None,
        ),
        Error::UnsupportedMediaType(_) => with_body(
            S::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            e.to_string(),
            None,
        ),
        Error::Internal(_) => {
            super::super::common::log_internal("masstack", e);
            bare(S::INTERNAL_SERVER_ERROR)
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
        let mut response = match answer.body {
            Some(body) => (answer.status, axum::Json(body)).into_response(),
            None => answer.status.into_response(),
        };
        if answer.status == StatusCode::UNAUTHORIZED {
            // RFC 6750: tell the client which scheme to use; the body stays empty.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"masstack\""),
            );
        }
        let core = match &self {
            MasstackError::Core(e) => Some(e),
            _ => None,
        };
        super::super::common::retry_after(response, core)
    }
}

/// Fallback for unknown routes under `/orgs`.
pub async fn no_route() -> MasstackError {
    MasstackError::NoRoute
}

/// Fallback for known routes called with another method.
pub async fn method_not_allowed() -> MasstackError {
    MasstackError::MethodNotAllowed
}

#[cfg(test)]
mod tests {
    use super::*;

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
