//! What every adapter shares: logging internal errors, streaming multipart parts into the
//! store, and serving stored files with byte ranges.

pub mod download;
pub mod inline;
pub mod multipart;

/// Logs an internal error once, with its cause chain, at the place it becomes a response.
/// Only error text from the core is logged: never request bodies, headers or file bytes.
pub fn log_internal(vendor: &'static str, e: &crate::error::Error) {
    tracing::error!(vendor, error = %e.chain(), "internal error");
}
