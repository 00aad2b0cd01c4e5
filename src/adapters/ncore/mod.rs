//! NymCard nCore identifications (`/v1` by default): create, list, get and update a user's
//! identifications, authenticated with the tenant's key in the `apikey` header. A `user_id`
//! is a subject alias in the `ncore` namespace (a UUID equal to a subject's id is that subject).
//! The file operations (`…/files`, `:browse`, `:download`) are not served yet: they answer
//! 404 `RESOURCE_NOT_EXIST` like any unknown route.

mod error;
mod handlers;
mod mapping;
mod wire;

use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "NymCard nCore identifications (idbridge)",
        version = "1",
        description = "NymCard nCore's user identification API as idbridge serves it. See docs/compat/ncore.md for what is served and every choice made where NymCard's documentation is silent."
    ),
    modifiers(&ApiKeyHeader),
    tags((name = "User documents", description = "A user's identification documents"))
)]
struct NcoreDoc;

struct ApiKeyHeader;

impl utoipa::Modify for ApiKeyHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "apikey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("apikey"))),
        );
    }
}

/// The nCore API's routes and OpenAPI document.
pub fn api(config: &crate::config::Config) -> Api {
    let (router, openapi) = OpenApiRouter::with_openapi(NcoreDoc::openapi())
        .routes(routes!(
            handlers::create_identification,
            handlers::get_identifications
        ))
        .routes(routes!(
            handlers::get_identification,
            handlers::update_identification
        ))
        .split_for_parts();
    let router = router
        .fallback(error::no_route)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(
            config.server.json_body_limit,
        ));
    Api {
        name: "ncore",
        router,
        openapi,
    }
}
