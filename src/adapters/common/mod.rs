//! What every adapter shares. For now: how a core error is logged when it is internal.
//! Streaming multipart, base64 bodies and pagination join here with the first vendor
//! adapters that need them.

/// Logs an internal error once, with its cause chain, at the place it becomes a response.
/// Only error text from the core is logged: never request bodies, headers or file bytes.
pub fn log_internal(vendor: &'static str, e: &crate::error::Error) {
    tracing::error!(vendor, error = %e.chain(), "internal error");
}
