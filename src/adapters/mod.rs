//! The API adapters: one module per vendor API (plus the admin API), each with the same
//! skeleton: `mod.rs` (routes and their OpenAPI together), `handlers.rs`, `wire.rs`,
//! `mapping.rs`, `error.rs`. An adapter knows its wire format and the canonical model; it
//! never imports another adapter and never writes SQL.

pub mod admin;
pub mod common;
pub mod jumio;
pub mod masstack;
pub mod mydocs;
pub mod ncore;
pub mod passfort;

use axum::Router;
use axum::middleware;
use axum::routing::get;
use utoipa::openapi::OpenApi;
use utoipa::openapi::server::Server;

use crate::config::{AdapterConfig, Config};
use crate::state::AppState;

/// One API as idbridge serves it.
pub struct Api {
    /// Short name: the vendor label in metrics and the OpenAPI file name.
    pub name: &'static str,
    /// Routes, relative to the mount prefix.
    pub router: Router<AppState>,
    /// Its OpenAPI document, paths relative to the prefix (the prefix is the server URL).
    pub openapi: OpenApi,
    /// The schema of its error bodies (a component of `openapi`), in which the 503 of an
    /// engine outage is declared on every operation.
    pub error_schema: &'static str,
    /// A core error in this API's shape, for the layers around its routes.
    pub refuse: fn(crate::error::Error) -> axum::response::Response,
    /// Work it runs beside its routes while served (Jumio's expiry sweep), started once.
    pub background: Option<Box<dyn FnOnce(AppState) + Send>>,
}

/// Every API with its mount configuration.
fn apis(config: &Config) -> Vec<(Api, AdapterConfig)> {
    let all = vec![
        (admin::api(config), config.adapters.admin.clone()),
        (ncore::api(config), config.adapters.ncore.clone()),
        (masstack::api(config), config.adapters.masstack.mount()),
        (mydocs::api(config), config.adapters.mydocs.mount()),
        (passfort::api(config), config.adapters.passfort.mount()),
        (jumio::api(config), config.adapters.jumio.mount()),
    ];
    all.into_iter()
        .map(|(mut api, mount)| {
            common::refusal_docs::declare_everywhere(&mut api.openapi, api.error_schema);
            (api, mount)
        })
        .collect()
}

/// The OpenAPI documents of every enabled API, by name, with the mount prefix as server.
pub fn openapi_documents(config: &Config) -> Vec<(&'static str, OpenApi)> {
    apis(config)
        .into_iter()
        .filter(|(_, mount)| mount.enabled)
        .map(|(api, mount)| (api.name, with_server(api.openapi, &mount.prefix)))
        .collect()
}

fn with_server(mut doc: OpenApi, prefix: &str) -> OpenApi {
    let url = if prefix.is_empty() { "/" } else { prefix };
    doc.servers = Some(vec![Server::new(url)]);
    doc
}

/// Routes of every enabled API under its prefix, each instrumented with its vendor label,
/// plus `/openapi/<name>.json` for each. APIs sharing a prefix (nCore and MasStack both live
/// under `/v1`) are merged before nesting; each keeps its own error shape by owning a
/// distinct path space (an API that shares a prefix nests its own not-found fallback).
pub fn routes(state: &AppState) -> Router<AppState> {
    let mut by_prefix: Vec<(String, Router<AppState>)> = Vec::new();
    let mut all = Router::new();
    for (api, mount) in apis(&state.config) {
        if !mount.enabled {
            continue;
        }
        let doc = serde_json::to_value(with_server(api.openapi, &mount.prefix)).unwrap_or_default();
        // The timeout sits inside the recording layer, so a timed-out request is counted and
        // logged with its vendor and operation like any other.
        let deadline = (
            std::time::Duration::from_secs(state.config.server.request_timeout_secs),
            api.refuse,
        );
        if let Some(start) = api.background {
            start(state.clone());
        }
        let instrumented = api
            .router
            .layer(middleware::from_fn_with_state(deadline, common::deadline))
            // Inside the recording layer: a request refused for want of its audit event is
            // counted and logged like any other.
            .route_layer(middleware::from_fn_with_state(
                (state.clone(), api.name, api.refuse),
                crate::server::audit::scope,
            ))
            .route_layer(middleware::from_fn_with_state(
                (state.clone(), api.name),
                crate::server::metrics::record,
            ));
        match by_prefix.iter_mut().find(|(p, _)| *p == mount.prefix) {
            Some((_, router)) => *router = std::mem::take(router).merge(instrumented),
            None => by_prefix.push((mount.prefix.clone(), instrumented)),
        }
        all = all.route(
            &format!("/openapi/{}.json", api.name),
            get(move || async move { axum::Json(doc) }),
        );
    }
    for (prefix, router) in by_prefix {
        all = if prefix.is_empty() {
            all.merge(router)
        } else {
            all.nest(&prefix, router)
        };
    }
    all
}

/// The committed form of an OpenAPI document: pretty JSON with a trailing newline.
pub fn render_openapi(doc: &OpenApi) -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(doc)? + "\n")
}
