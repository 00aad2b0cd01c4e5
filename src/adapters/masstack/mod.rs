//! MasOrange MasStack identity-document identifications (`/v1/orgs/{org_id}/…` by default),
//! authenticated with the tenant's MasStack key as `Authorization: Bearer <key>`; `org_id`
//! must be one of the tenant's configured organisations. An identification is a canonical
//! process (namespace `masstack`, kind `identity_document`) that expires lazily; its actor
//! is a subject found by the identity document it declares, through any API; `scoring`
//! computes a real score from checks on that document (see `scoring.rs`).
//!
//! MasStack shares the `/v1` prefix with nCore. Its routes and its not-found fallback are
//! nested under `/orgs`, so the two APIs own distinct path spaces and each answers unknown
//! paths in its own error shape.

mod actor;
mod authn;
mod duration;
mod error;
#[cfg(test)]
mod fuzz;
mod handlers;
pub(crate) mod mapping;
mod refusal;
mod request;
mod scoring;
pub(crate) mod vocabulary;
pub(crate) mod wire;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::common::api_document::ApiDocument;
use super::common::security::{Scheme, Security};
use super::common::vendor_error::with_fallbacks;

/// What the OpenAPI document says of this API besides its operations.
const DOCUMENT: ApiDocument = ApiDocument {
    title: "MasStack identity-document identifications (idbridge)",
    version: "1",
    description: "MasOrange MasStack Documents API's identity-document identifications as idbridge serves them. See docs/compat/masstack.md for what is served, the scoring rules and every choice made where MasStack's documentation is silent.",
    tags: &[
        (
            "Identification with identity document Admin",
            "Identity-document identifications: create, list, close",
        ),
        (
            "Identification with identity document",
            "An identification's metadata",
        ),
        (
            "AuthN",
            "MasStack AuthN's token endpoint: a service account's signed assertion for an access token",
        ),
    ],
    security: Security(&[(
        "bearer",
        Scheme::Bearer {
            format: Some("JWT"),
            description: "An access token from the AuthN token endpoint (a service account's JWT-bearer grant), or a MasStack key configured for the tenant",
        },
    )]),
};

/// The MasStack API's routes and OpenAPI document.
pub fn api(config: &crate::config::Config) -> Api {
    // Handlers declare paths relative to `/orgs`; the prefix is added to the router and to
    // the document alike, so the fallback below only covers MasStack's own path space.
    let (router, paths) = OpenApiRouter::new()
        .routes(routes!(
            handlers::create_identity_document_identification,
            handlers::list_identity_document_identifications
        ))
        .routes(routes!(
            handlers::get_identity_document_identification_metadata
        ))
        .routes(routes!(handlers::close_identity_document_identification))
        .layer(DefaultBodyLimit::max(config.server.json_body_limit))
        .split_for_parts();
    let mut openapi = DOCUMENT.openapi().nest("/orgs", paths);
    // The token endpoint's path is configurable: its document entry moves with it.
    let (token, token_doc) = OpenApiRouter::new()
        .routes(routes!(authn::oauth2_token))
        .layer(DefaultBodyLimit::max(config.server.json_body_limit))
        .split_for_parts();
    let token_path = &config.adapters.masstack.token_path;
    for (path, item) in token_doc.paths.paths {
        let path = path.replacen("/oauth2/token", token_path, 1);
        openapi.paths.paths.insert(path, item);
    }
    if let (Some(components), Some(token_components)) =
        (openapi.components.as_mut(), token_doc.components)
    {
        components.schemas.extend(token_components.schemas);
    }
    let token = if token_path == "/oauth2/token" {
        token
    } else {
        Router::new().route(
            token_path,
            axum::routing::post(authn::oauth2_token)
                .layer(DefaultBodyLimit::max(config.server.json_body_limit)),
        )
    };
    let router = Router::new()
        .nest("/orgs", with_fallbacks::<error::MasstackError>(router))
        .merge(token)
        .layer(axum::Extension(std::sync::Arc::new(authn::Authn::new(
            config,
        ))));
    Api {
        name: "masstack",
        error_schema: "ErrorsResponse",
        refuse: super::common::vendor_error::refuse::<error::MasstackError>,
        router,
        openapi,
        background: None,
    }
}
