//! What every adapter shares: the vendor-shaped extractors (`extract`), logging internal
//! errors, streaming multipart parts into the store, and serving stored files with byte
//! ranges; the OpenAPI security schemes each adapter declares.

pub mod api_document;
pub mod download;
pub mod extract;
pub mod inline;
pub mod multipart;
pub mod pair_table;
pub mod refusal_docs;
pub mod security;
pub mod vendor_error;
pub mod vocabulary;

/// Logs an internal error once, with its cause chain, at the place it becomes a response.
/// Only error text from the core is logged: never request bodies, headers or file bytes.
pub fn log_internal(vendor: &'static str, e: &crate::error::Error) {
    tracing::error!(vendor, error = %e.chain(), "internal error");
}

/// Adds `Retry-After` to the answer of a refused sign-in (the core's `TooManyAttempts`).
pub fn retry_after(
    mut response: axum::response::Response,
    e: Option<&crate::error::Error>,
) -> axum::response::Response {
    if let Some(crate::error::Error::TooManyAttempts { retry_after_secs }) = e {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(*retry_after_secs),
        );
    }
    response
}

/// Whether a JSON body is an object, as every vendor's request bodies are. Checked before
/// serde reads a struct from it: serde also reads a struct from an array, field by field in
/// declaration order, so `["INDIVIDUAL_CUSTOMER", {…}]` would otherwise create a profile.
pub fn is_json_object(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// The message for a JSON body that is not an object.
pub const NOT_AN_OBJECT: &str = "the body must be a JSON object";

/// A vendor's namespace of external ids, from the adapter's literal.
pub fn namespace(literal: &'static str) -> crate::model::Namespace {
    crate::model::Namespace::new(literal).expect("a valid namespace literal")
}
