//! B2Core "my documents": the documents of the current client, who is identified by
//! `Authorization: Bearer <client token>` (minted by the admin API for a subject). Served at
//! both `/api/v2/my/…` and `/v2/my/…`, the two spellings B2Core's pages use. `handlers`
//! serves reading and deleting, `add` adding documents (`body` reads their bodies),
//! `uploads` the expiring, capped uploads a JSON document names by path, and `types` the
//! `typeID` table.

mod add;
mod backoffice;
mod backoffice_signin;
mod body;
mod error;
#[cfg(test)]
mod fuzz;
mod handlers;
mod list;
pub(crate) mod mapping;
mod sessions;
mod signin;
pub(crate) mod types;
mod uploads;
pub(crate) mod vocabulary;
pub(crate) mod wire;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::common::api_document::ApiDocument;
use super::common::security::{Scheme, Security};
use super::common::vendor_error::with_fallbacks;
use crate::state::AppState;

/// Where the API lives under the mount prefix; its OpenAPI paths are written under the first.
const ROOTS: [&str; 2] = ["/api/v2/my", "/v2/my"];

/// Where the Back Office's sign-in and document reads live under the mount prefix.
const BACKOFFICE_ROOT: &str = "/api/v2";

/// The longest upload lifetime honoured (a longer one is as good as "never expires").
const CENTURY_SECS: u64 = 100 * 365 * 24 * 60 * 60;

/// What the OpenAPI document says of this API besides its operations.
const DOCUMENT: ApiDocument = ApiDocument {
    title: "B2Core my documents (idbridge)",
    version: "2",
    description: "B2Core's Front Office documents API as idbridge serves it: the documents the current client submitted for verification. Every path is also served without the leading /api. See docs/compat/mydocs.md for what is served and every choice made where B2Core's documentation is silent.",
    tags: &[
        ("Documents", "Documents submitted by the current client"),
        (
            "Authentication",
            "Client sign-in: wizard, sign-in, refresh, sign-out",
        ),
        (
            "Back Office",
            "Back-office sign-in and the back office's view of a client's documents",
        ),
    ],
    security: Security(&[
        (
            "bearer",
            Scheme::Bearer {
                format: None,
                description: "A client's access token from POST /api/v2/my/signin, or a client token minted by the admin API (POST /admin/v1/subjects/{id}/client-tokens)",
            },
        ),
        (
            "backoffice",
            Scheme::Bearer {
                format: None,
                description: "A back-office user's access token from POST /api/v2/signin",
            },
        ),
    ]),
};

/// The my-documents API's routes and OpenAPI document.
pub fn api(config: &crate::config::Config) -> Api {
    let cfg = &config.adapters.mydocs;
    let types = mapping::Types::from_config(cfg.document_types.as_deref());
    // A form streams and may carry every file of a type; JSON is read whole and has its own,
    // smaller limit inside the handler; an upload is one file.
    let documents = OpenApiRouter::new()
        .routes(routes!(add::add_document, handlers::get_documents))
        .layer(DefaultBodyLimit::max(add::form_body_limit(&types)));
    let upload = OpenApiRouter::new()
        .routes(routes!(uploads::upload_file))
        .layer(DefaultBodyLimit::max(uploads::body_limit()));
    let sign_in = OpenApiRouter::new()
        .routes(routes!(signin::signin_wizard, signin::signin_wizard_post))
        .routes(routes!(signin::signin))
        .routes(routes!(signin::refresh))
        .routes(routes!(signin::signout))
        .layer(DefaultBodyLimit::max(sessions::BODY_LIMIT))
        .layer(axum::Extension(sessions::LIMIT));
    let (router, mut openapi) = OpenApiRouter::with_openapi(DOCUMENT.openapi())
        .routes(routes!(handlers::get_document_types))
        .routes(routes!(handlers::get_document, handlers::delete_document))
        .routes(routes!(handlers::get_document_file))
        .layer(DefaultBodyLimit::max(config.server.json_body_limit))
        .merge(documents)
        .merge(upload)
        .merge(sign_in)
        .split_for_parts();
    openapi.paths.paths = std::mem::take(&mut openapi.paths.paths)
        .into_iter()
        .map(|(path, item)| (format!("{}{path}", ROOTS[0]), item))
        .collect();
    // The Back Office lives under `/api/v2` beside the Front Office's `/api/v2/my`.
    let (backoffice, backoffice_doc) = OpenApiRouter::new()
        .routes(routes!(backoffice_signin::backoffice_signin))
        .routes(routes!(backoffice_signin::backoffice_refresh))
        .routes(routes!(backoffice_signin::backoffice_signout))
        .layer(DefaultBodyLimit::max(sessions::BODY_LIMIT))
        .layer(axum::Extension(sessions::LIMIT))
        .routes(routes!(backoffice::get_documents))
        .routes(routes!(backoffice::get_document))
        .split_for_parts();
    for (path, item) in backoffice_doc.paths.paths {
        openapi
            .paths
            .paths
            .insert(format!("{BACKOFFICE_ROOT}{path}"), item);
    }
    if let (Some(components), Some(more)) = (openapi.components.as_mut(), backoffice_doc.components)
    {
        components.schemas.extend(more.schemas);
    }
    let base = format!(
        "{}{}{}",
        config.server.public_base_url.trim_end_matches('/'),
        config.adapters.mydocs.prefix,
        ROOTS[0]
    );
    // Capped at a century, so that adding it to or taking it from a time never overflows.
    let upload_ttl = chrono::Duration::seconds(cfg.upload_ttl_secs.min(CENTURY_SECS) as i64);
    let ctx = Arc::new(handlers::Ctx {
        types,
        base,
        upload_ttl,
        max_uploads: cfg.max_pending_uploads,
    });
    let sweep_every = std::time::Duration::from_secs(cfg.upload_sweep_interval_secs);
    let inner = with_fallbacks::<error::MydocsError>(router).layer(axum::Extension(ctx.clone()));
    let ctx_bo = ctx;
    // Each root nests its own copy, so the not-found fallback covers only these paths and
    // the API can share the empty prefix with others.
    let router = ROOTS
        .iter()
        .fold(Router::<AppState>::new(), |r, root| {
            r.nest(root, inner.clone())
        })
        .nest(BACKOFFICE_ROOT, backoffice.layer(axum::Extension(ctx_bo)));
    Api {
        name: "mydocs",
        error_schema: "ErrorBody",
        refuse: super::common::vendor_error::refuse::<error::MydocsError>,
        router,
        openapi,
        background: cfg.enabled.then(|| {
            Box::new(move |state: AppState| uploads::spawn_sweeper(state, upload_ttl, sweep_every))
                as Box<dyn FnOnce(AppState) + Send>
        }),
    }
}
