//! What every adapter's error type shares: it wraps the core error, answers an unknown
//! route and a wrong method, and says a core error's status, message and field the same way
//! before dressing them in its vendor's body. Each adapter writes only its codes and body.
//!
//! An adapter declares the shared part with [`vendor_error!`](crate::vendor_error):
//!
//! ```text
//! crate::vendor_error!(NcoreError, rejects {
//!     fn unreadable(message: String) -> Self { NcoreError::Body(message) }
//! });
//! ```

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::Error;
use crate::state::AppState;

/// A vendor's error type: the variants every adapter has (`Core`, `NoRoute`,
/// `MethodNotAllowed`), implemented by [`vendor_error!`](crate::vendor_error).
pub trait VendorError: From<Error> + IntoResponse + Send + 'static {
    /// No route has this path.
    fn no_route() -> Self;

    /// The path's route takes other methods.
    fn method_not_allowed() -> Self;

    /// The core error this wraps, if it is one.
    fn core(&self) -> Option<&Error>;
}

/// Fallback for unknown routes, in `E`'s shape.
pub async fn no_route<E: VendorError>() -> E {
    E::no_route()
}

/// Fallback for known routes called with another method, in `E`'s shape.
pub async fn method_not_allowed<E: VendorError>() -> E {
    E::method_not_allowed()
}

/// The router with both fallbacks answering in `E`'s shape.
pub fn with_fallbacks<E: VendorError>(router: Router<AppState>) -> Router<AppState> {
    router
        .fallback(no_route::<E>)
        .method_not_allowed_fallback(method_not_allowed::<E>)
}

/// A core error as `E` answers it: what an [`Api`](crate::adapters::Api) gives the layers
/// around its routes (the request timeout) to answer in its vendor's shape.
pub fn refuse<E: VendorError>(e: Error) -> axum::response::Response {
    E::from(e).into_response()
}

/// A vendor error's answer: `response` (its status and body), with `WWW-Authenticate:
/// {challenge}` on a 401 where the API names its scheme (RFC 6750 §3: a 401 names the scheme
/// the client must authenticate with), and `Retry-After` where the core error `core` asks for
/// it (see [`retry_after`](super::retry_after)).
pub fn answer(
    mut response: Response,
    challenge: Option<&'static str>,
    core: Option<&Error>,
) -> Response {
    if let Some(scheme) = challenge.filter(|_| response.status() == StatusCode::UNAUTHORIZED) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(scheme));
    }
    super::retry_after(response, core)
}

/// A JSON error body that carries its own status as a number (nCore's and Jumio's), answered
/// with that status; a number that is no status answers 500.
pub fn with_own_status(status: u16, body: impl serde::Serialize) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

/// What any API says of a core error before its vendor dresses it: the status, the message
/// and the field at fault.
pub struct Said {
    /// The status [`Error::status`] gives.
    pub status: StatusCode,
    /// The error's text; an invalid field's reads `field{separator}reason`.
    pub message: String,
    /// The field at fault, for an invalid field.
    pub field: Option<String>,
}

/// What a core error says on `vendor`'s API; `separator` goes between an invalid field's
/// name and its reason. An internal error is logged here, once, and says only "internal
/// error"; an engine outage is logged here too, as a warning with its cause.
pub fn said(vendor: &'static str, e: &Error, separator: &str) -> Said {
    match e {
        Error::Internal(_) => super::log_internal(vendor, e),
        Error::Unavailable { .. } => super::log_unavailable(vendor, e),
        _ => {}
    }
    let (message, field) = match e {
        Error::InvalidField { field, reason } => {
            (format!("{field}{separator}{reason}"), Some(field.clone()))
        }
        _ => (e.to_string(), None),
    };
    Said {
        status: e.status(),
        message,
        field,
    }
}

/// Implements `From<Error>` (as `Core`) and [`VendorError`] for a vendor error enum; with
/// `rejects { … }`, also [`Rejects`](super::extract::Rejects) with its path and query
/// rejections as `Path` and `Query` and the rest of its methods as given.
#[macro_export]
macro_rules! vendor_error {
    ($error:ident $(, rejects { $($rejects:tt)* })?) => {
        impl From<$crate::error::Error> for $error {
            fn from(e: $crate::error::Error) -> Self {
                $error::Core(e)
            }
        }

        impl $crate::adapters::common::vendor_error::VendorError for $error {
            fn no_route() -> Self {
                $error::NoRoute
            }

            fn method_not_allowed() -> Self {
                $error::MethodNotAllowed
            }

            fn core(&self) -> Option<&$crate::error::Error> {
                match self {
                    $error::Core(e) => Some(e),
                    _ => None,
                }
            }
        }

        $(
            impl $crate::adapters::common::extract::Rejects for $error {
                fn path(
                    r: axum::extract::rejection::PathRejection,
                    _: Option<&axum::extract::RawPathParams>,
                ) -> Self {
                    $error::Path(r)
                }

                fn query<T>(r: axum::extract::rejection::QueryRejection, _: &str) -> Self {
                    $error::Query(r)
                }

                $($rejects)*
            }
        )?
    };
}
