//! The refusals several PassFort operations document alike, written once for the OpenAPI
//! document. Each operation lists its own 200 and whatever it answers differently.

// Only read by the OpenAPI document: the handlers answer through `PassfortError`.
#![allow(dead_code)]

use super::Errors;

/// What a read of one profile's resource answers when it cannot be served.
#[derive(utoipa::IntoResponses)]
pub enum ProfileRefusals {
    /// 201 INVALID_INPUT_DATA (malformed id)
    #[response(status = 400)]
    Malformed(Errors),
    /// 203 MISSING_API_KEY or 204 INVALID_API_KEY
    #[response(status = 401)]
    Unauthorized(Errors),
    /// No such profile
    #[response(status = 404)]
    NotFound(Errors),
}

/// The refusals of a rate-limited write that are not its own: the key, the body's size and
/// the limit itself. A body too large counts against the limit, so it carries the headers.
#[derive(utoipa::IntoResponses)]
pub enum LimitedRefusals {
    /// 203 MISSING_API_KEY or 204 INVALID_API_KEY
    #[response(status = 401)]
    Unauthorized(Errors),
    /// Body over server.json_body_limit
    #[response(status = 413, headers(
        ("X-RateLimit-Remaining" = u32),
        ("X-RateLimit-Reset-Secs" = u64),
        ("X-RateLimit-Reset" = String),
    ))]
    TooLarge(Errors),
    /// 104 CHARGEABLE_LIMIT_REACHED (rate limit exceeded)
    #[response(status = 429, headers(
        ("X-RateLimit-Remaining" = u32, description = "Always 0"),
        ("X-RateLimit-Reset-Secs" = u64),
        ("X-RateLimit-Reset" = String),
        ("X-RateLimit-Retry-Secs" = u64),
    ))]
    Limited(Errors),
}

/// The refusals of an upload of base64 content into a profile, but for its own 400.
#[derive(utoipa::IntoResponses)]
pub enum UploadRefusals {
    /// 203 MISSING_API_KEY or 204 INVALID_API_KEY
    #[response(status = 401)]
    Unauthorized(Errors),
    /// No such profile
    #[response(status = 404)]
    NotFound(Errors),
    /// Over 50 MB; refused as it arrives
    #[response(status = 413)]
    TooLarge(Errors),
    /// Not a GIF, JPEG, PNG, PDF or TIFF; nothing stored
    #[response(status = 415)]
    Unsupported(Errors),
}
