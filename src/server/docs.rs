//! `/docs`: Swagger UI over the OpenAPI documents of the enabled APIs, one page with a
//! selector (`/docs/?urls.primaryName=<name>` opens one).
//!
//! Swagger UI's files are built into the binary (utoipa-swagger-ui's `vendored` feature), so
//! nothing loads from a CDN. It reads the documents idbridge already serves at
//! `/openapi/<name>.json` rather than serving copies of its own; each document's `servers`
//! is its mount prefix, relative, so "Try it out" calls this same server.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi, Url};

use super::front::listed;
use crate::config::Config;
use crate::state::AppState;

/// The six document paths, `'static` as Swagger UI's configuration wants them.
fn static_openapi_path(name: &str) -> Option<&'static str> {
    Some(match name {
        "admin" => "/openapi/admin.json",
        "ncore" => "/openapi/ncore.json",
        "mydocs" => "/openapi/mydocs.json",
        "masstack" => "/openapi/masstack.json",
        "passfort" => "/openapi/passfort.json",
        "jumio" => "/openapi/jumio.json",
        _ => return None,
    })
}

/// Swagger UI's settings: the enabled APIs' documents, in the front page's order.
fn swagger_config(config: &Config) -> SwaggerConfig<'static> {
    let urls: Vec<Url<'static>> = listed(config)
        .into_iter()
        .filter(|api| api.mount.enabled)
        .filter_map(|api| static_openapi_path(api.name).map(|path| Url::new(api.name, path)))
        .collect();
    SwaggerConfig::new(urls)
        // The default validator is validator.swagger.io: a request to an outside host.
        .validator_url("none")
        // Admin keys typed into Authorize stay in this tab only (not in localStorage).
        .persist_authorization(false)
        .display_request_duration(true)
}

/// `/docs` (a redirect to `/docs/`) and Swagger UI's files under `/docs/`.
pub fn routes(config: &Config) -> Router<AppState> {
    Router::from(SwaggerUi::new("/docs").config(swagger_config(config))).layer(
        axum::middleware::map_response(|mut res: Response| async move {
            res.headers_mut().insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            res
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_api_has_its_document_path() {
        for api in listed(&Config::default()) {
            assert_eq!(
                static_openapi_path(api.name),
                Some(super::super::front::openapi_path(api.name).as_str())
            );
        }
    }

    #[test]
    fn only_enabled_apis_are_offered_and_no_outside_validator() {
        let mut config = Config::default();
        config.adapters.jumio.enabled = false;
        let json = serde_json::to_value(swagger_config(&config)).unwrap();
        let names: Vec<_> = json["urls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["ncore", "mydocs", "masstack", "passfort", "admin"]);
        assert_eq!(json["urls"][0]["url"], "/openapi/ncore.json");
        assert_eq!(json["validatorUrl"], "none");
    }
}
