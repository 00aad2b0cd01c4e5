//! The refusals several PassFort operations document alike, written once for the OpenAPI
//! document. Each operation lists its own 200 and whatever it answers differently.

// Only read by the OpenAPI document: the handlers answer through `PassfortError`.
#![allow(dead_code)]

use super::Errors;

/// No key or a wrong one (401), as every operation answers.
const KEY: (u16, &str) = (401, "203 MISSING_API_KEY or 204 INVALID_API_KEY");
/// A malformed id in the path (400).
const MALFORMED: (u16, &str) = (400, "201 INVALID_INPUT_DATA (malformed id)");
/// The path's profile does not exist (404).
const NO_PROFILE: (u16, &str) = (404, "No such profile");

crate::refusal_set!("Errors";
    /// What a read of one profile's resource answers when it cannot be served.
    ProfileRefusals = [&[MALFORMED, KEY, NO_PROFILE]],
    /// The refusals of a JSON body sent to one profile, but for its own 400.
    BodyRefusals = [&[KEY, NO_PROFILE, (413, "Body over server.json_body_limit")]],
    /// The refusals of a read of one item of a profile by its id, but for its own 404 (which
    /// names what is missing).
    ItemRefusals = [&[MALFORMED, KEY]],
    /// The refusals of an upload of base64 content into a profile, but for its own 400.
    UploadRefusals = [&[
        KEY,
        NO_PROFILE,
        (413, "Over 50 MB; refused as it arrives"),
        (415, "Not a GIF, JPEG, PNG, PDF or TIFF; nothing stored"),
    ]],
);

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
