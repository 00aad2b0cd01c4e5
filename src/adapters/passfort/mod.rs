//! PassFort 4.0 profiles (`/4.0` by default), authenticated with a tenant API key in the
//! `apikey` header or query parameter. `handlers` serves profiles; `collected` collected
//! data and documents; `stored` is what PassFort keeps of a profile (role, category,
//! collected data) and how it is checked and shown; `files` serves files and document
//! images (base64 in JSON); `replace` checks the documents of a replace before the store
//! writes them in one transaction; `extract` answers malformed input in PassFort's shape,
//! naming the field; `ratelimit` limits `POST /profiles` and `POST …/collected_data` as
//! PassFort does, its buckets kept in the store; `checks` runs and records
//! DOCUMENT_VERIFICATION checks, whose verification `verify` performs.

mod checks;
mod collected;
mod error;
mod extract;
mod files;
#[cfg(test)]
mod fuzz;
mod handlers;
pub(crate) mod mapping;
mod ratelimit;
mod replace;
mod schema;
mod stored;
mod verify;
pub(crate) mod vocabulary;
pub(crate) mod wire;

use std::sync::Arc;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::common::api_document::ApiDocument;
use super::common::security::{Scheme, Security};
use super::common::vendor_error::with_fallbacks;

/// What the OpenAPI document says of this API besides its operations.
const DOCUMENT: ApiDocument = ApiDocument {
    title: "PassFort API (idbridge)",
    version: "4.0.0",
    description: "PassFort 4.0's profiles, collected data, documents, document images, files and document verification checks as idbridge serves them. Schemas follow PassFort's own OpenAPI document. See docs/compat/passfort.md for what is served, the HTTP status of each error code, and every choice made where PassFort's documentation is silent.",
    tags: &[
        ("Profiles", "Profiles, collected data and documents"),
        ("Files", "Files of a profile"),
        ("Document images", "Images that documents are made of"),
        (
            "Checks",
            "Checks run on a profile: DOCUMENT_VERIFICATION only, never answered Pass (see docs/compat/passfort.md)",
        ),
    ],
    security: Security(&[
        ("API_Key_Header", Scheme::HeaderKey("apikey")),
        ("API_Key_Query_Parameter", Scheme::QueryKey("apikey")),
    ]),
};

/// The PassFort API's routes and OpenAPI document.
pub fn api(config: &crate::config::Config) -> Api {
    let pf = &config.adapters.passfort;
    let limiter = Arc::new(ratelimit::Limiter::new(
        pf.rate_limit_per_hour,
        pf.rate_limit_burst,
    ));
    let uploads = OpenApiRouter::new()
        .routes(routes!(files::add_file))
        .routes(routes!(
            files::add_document_image,
            files::list_document_images
        ))
        // A body too large for an upload route is a file too large. The limit is enforced
        // by the `Body` extractor as the body arrives (axum's `DefaultBodyLimit` only
        // governs axum's own extractors, which no PassFort handler uses).
        .layer(axum::Extension(extract::BodyLimit {
            field: "data",
            max_bytes: mapping::MAX_FILE_SIZE,
            body_bytes: files::upload_body_limit(),
        }));
    let (router, openapi) = OpenApiRouter::with_openapi(DOCUMENT.openapi())
        .routes(routes!(handlers::create_profile, handlers::list_profiles))
        .routes(routes!(handlers::get_profile))
        .routes(routes!(
            collected::get_collected_data,
            collected::update_collected_data
        ))
        .routes(routes!(collected::add_document))
        .routes(routes!(files::get_file, files::post_file))
        .routes(routes!(files::get_document_image))
        .routes(routes!(checks::run_check, checks::list_checks))
        .routes(routes!(checks::get_check))
        .layer(axum::Extension(extract::BodyLimit {
            field: "body",
            max_bytes: config.server.json_body_limit as u64,
            body_bytes: config.server.json_body_limit,
        }))
        .merge(uploads)
        .split_for_parts();
    let router = with_fallbacks::<error::PassfortError>(router).layer(axum::Extension(limiter));
    Api {
        name: "passfort",
        error_schema: "Errors",
        refuse: super::common::vendor_error::refuse::<error::PassfortError>,
        router,
        openapi,
        background: None,
    }
}
