//! What every adapter shares: the vendor-shaped extractors (`extract`), logging internal
//! errors, streaming multipart parts into the store, and serving stored files with byte
//! ranges; the OpenAPI security schemes each adapter declares.

pub mod api_document;
pub mod download;
pub mod extract;
#[cfg(test)]
pub mod fuzz;
pub mod inline;
pub mod multipart;
pub mod pair_table;
pub mod redact;
pub mod refusal_docs;
pub mod security;
pub mod vendor_error;
pub mod vocabulary;

/// Logs an internal error once, with its cause chain, at the place it becomes a response.
/// Only error text from the core is logged: never request bodies, headers or file bytes.
pub fn log_internal(vendor: &'static str, e: &crate::error::Error) {
    tracing::error!(vendor, error = %e.chain(), "internal error");
}

/// Logs an engine outage once, with its cause, at the place it becomes a 503.
pub fn log_unavailable(vendor: &'static str, e: &crate::error::Error) {
    tracing::warn!(vendor, error = %e.chain(), "engine unavailable");
}

/// Adds `Retry-After` to the answer of a refused sign-in (the core's `TooManyAttempts`) and
/// of an engine outage (`Unavailable`).
pub fn retry_after(
    mut response: axum::response::Response,
    e: Option<&crate::error::Error>,
) -> axum::response::Response {
    use crate::error::{Error, UNAVAILABLE_RETRY_SECS};
    let secs = match e {
        Some(Error::TooManyAttempts { retry_after_secs }) => *retry_after_secs,
        Some(Error::Unavailable { .. }) => UNAVAILABLE_RETRY_SECS,
        _ => return response,
    };
    response.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from(secs),
    );
    response
}

/// Whether a JSON body is an object, as every vendor's request bodies are. Checked before
/// serde reads a struct from it: serde also reads a struct from an array, field by field in
/// declaration order, so `["INDIVIDUAL_CUSTOMER", {…}]` would otherwise create a profile.
pub fn is_json_object(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// A core error with its invalid field renamed by `name`, from the core's name to the one the
/// request used; any other error is unchanged.
pub fn rename_field(
    e: crate::error::Error,
    name: impl FnOnce(&str) -> String,
) -> crate::error::Error {
    match e {
        crate::error::Error::InvalidField { field, reason } => {
            crate::error::Error::invalid(name(&field), reason)
        }
        other => other,
    }
}

/// An upload's content check (`PutRules::accept`): only the media types in `allowed`, judged
/// by the sniffed content; any other is refused as unsupported (415) with `refusal`.
pub fn accept_only(
    allowed: &'static [crate::media::MediaType],
    refusal: &'static str,
) -> crate::store::AcceptFn {
    Box::new(move |sniffed| {
        if allowed.contains(&sniffed.media_type) {
            Ok(())
        } else {
            Err(crate::error::Error::UnsupportedMediaType(refusal.into()))
        }
    })
}

/// The page size a list is asked for in `limit`: `default` when none is given, else 1 to `max`.
pub fn page_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32, crate::error::Error> {
    let limit = limit.unwrap_or(default);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        let reason = format!("must be between 1 and {max}");
        Err(crate::error::Error::invalid("limit", reason))
    }
}

/// The message for a JSON body that is not an object.
pub const NOT_AN_OBJECT: &str = "the body must be a JSON object";

/// A vendor's namespace of external ids, from the adapter's literal.
pub fn namespace(literal: &'static str) -> crate::model::Namespace {
    crate::model::Namespace::new(literal).expect("a valid namespace literal")
}

/// A request timeout and how its API answers it: the state of [`deadline`].
pub type Deadline = (
    std::time::Duration,
    fn(crate::error::Error) -> axum::response::Response,
);

/// Middleware: the request timeout, answered in the API's own shape (a body that trickles in
/// is cut here). The handler's future is dropped at the deadline, and with it whatever it had
/// begun: a blob written without its row is an orphan the sweep removes.
pub async fn deadline(
    axum::extract::State((limit, refuse)): axum::extract::State<Deadline>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => refuse(crate::error::Error::RequestTimeout {
            secs: limit.as_secs(),
        }),
    }
}
