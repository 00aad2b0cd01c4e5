//! The token endpoint's refusals: RFC 6749 §5.2 bodies (`{"error", "error_description"}`),
//! never cached, with `Retry-After` on 429.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::wire::OAuthError;
use crate::error::Error;

/// A refusal of the token endpoint.
pub struct Refusal {
    status: StatusCode,
    body: OAuthError,
    retry_after: Option<u64>,
}

impl Refusal {
    /// A refusal with this status, RFC 6749 error code and description.
    pub(super) fn new(
        status: StatusCode,
        error: &'static str,
        description: impl Into<String>,
    ) -> Refusal {
        Refusal {
            status,
            body: OAuthError {
                error,
                error_description: description.into(),
            },
            retry_after: None,
        }
    }

    /// `invalid_grant`: the assertion is refused.
    pub(super) fn grant(description: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }
}

impl From<Error> for Refusal {
    fn from(e: Error) -> Refusal {
        match e {
            Error::TooManyAttempts { retry_after_secs } => Refusal {
                retry_after: Some(retry_after_secs),
                ..Refusal::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "slow_down",
                    format!("too many failed assertions; try again in {retry_after_secs} seconds"),
                )
            },
            other => {
                crate::adapters::common::log_internal("masstack", &other);
                Refusal::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "server_error",
                    "internal error",
                )
            }
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        // RFC 6749 §5.2: token responses are never cached.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
