//! Jumio KYX (mounted at the root): the hosts Jumio splits its API over (auth, account, api,
//! retrieval, and the web client's) served on one listener under their own paths,
//! `/oauth2/token`, `/api/v1/…` and `/web/v4/app`. `auth` serves the token; `accounts`
//! accounts and deletion (their body checked by `checks`); `parts` acquisition, `finalize`
//! its end; `data` prepared data and prefill (their body read by `personal`); `retrieval`
//! status, details and images, `steps` a KYX workflow's steps; `processing` the checks,
//! callbacks and the expiry sweep; `tokens` the execution's JWTs (`sdk.token`, the web
//! token); `web` the capture page (rendered by `page`). Every URL handed out is built from
//! `server.public_base_url`.

mod accounts;
mod auth;
mod checks;
mod context;
mod data;
mod error;
mod finalize;
#[cfg(test)]
mod fuzz;
pub(crate) mod mapping;
mod page;
mod parts;
mod personal;
mod processing;
mod record;
mod required;
mod retrieval;
mod steps;
mod tokens;
mod urls;
pub(crate) mod vocabulary;
mod web;
pub(crate) mod wire;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::common::api_document::ApiDocument;
use super::common::security::{Scheme, Security};
use super::common::vendor_error::{method_not_allowed, no_route};
use crate::state::AppState;

/// What the OpenAPI document says of this API besides its operations.
const DOCUMENT: ApiDocument = ApiDocument {
    title: "Jumio KYX platform API (idbridge)",
    version: "1",
    description: "Jumio's OAuth2 token, account, acquisition (parts, prepared data, finalize), retrieval calls and web client as idbridge serves them, on one host. See docs/compat/jumio.md for what is served, the paths chosen where Jumio publishes none, the error body, the web page's error codes and security headers, and exactly what processing checks.",
    tags: &[
        (
            "Authorization",
            "OAuth2 client credentials; HTTP Basic is accepted on account and retrieval calls",
        ),
        ("Accounts", "Accounts and workflow executions"),
        (
            "Acquisition",
            "Parts, data and finalize, with a workflow execution's api.token",
        ),
        ("Retrieval", "Status, details, steps, images and deletion"),
        (
            "Web",
            "The web client web.href opens: a server-rendered HTML capture page (no script) protected by the execution's web token",
        ),
    ],
    security: Security(&[
        (
            "access_token",
            Scheme::Bearer {
                format: None,
                description: "An access token from POST /oauth2/token. Also opens the credential calls of any workflow execution of its tenant (an idbridge leniency)",
            },
        ),
        (
            "api_token",
            Scheme::Bearer {
                format: None,
                description: "The api.token of a workflow execution, from account create or update",
            },
        ),
        (
            "sdk_token",
            Scheme::Bearer {
                format: None,
                description: "The sdk.token of a workflow execution (a JWT): the same calls as its api.token, for the same lifetime",
            },
        ),
        (
            "basic",
            Scheme::Basic(
                "The API token as user and the API secret as password (Jumio's HTTP Basic authentication)",
            ),
        ),
    ]),
};

/// Makes every operation's `User-Agent` parameter as strict as [`auth`] is: a value with a
/// non-blank character, since a missing or blank one is refused with 403. Applied to the
/// finished document so that no operation can document it looser.
fn strict_user_agent(openapi: &mut utoipa::openapi::OpenApi) {
    let operations = openapi.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
        ]
    });
    let parameters = operations
        .flatten()
        .flat_map(|op| op.parameters.iter_mut().flatten())
        .filter_map(|p| match p {
            RefOr::T(p) => Some(p),
            RefOr::Ref(_) => None,
        })
        .filter(|p| p.parameter_in == ParameterIn::Header && p.name == "User-Agent");
    for p in parameters {
        p.schema = Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"\S"))
                .into(),
        );
    }
}

/// The `User-Agent` of every callback.
pub const CALLBACK_USER_AGENT: &str =
    concat!("idbridge/", env!("CARGO_PKG_VERSION"), " (Jumio callback)");

/// The Jumio API's routes and OpenAPI document.
pub fn api(config: &crate::config::Config) -> Api {
    let base = format!(
        "{}{}",
        config.server.public_base_url.trim_end_matches('/'),
        config.adapters.jumio.prefix
    );
    // Callbacks name idbridge, as Jumio asks its clients to name themselves.
    let http = crate::http::client_builder()
        .timeout(std::time::Duration::from_secs(
            config.adapters.jumio.callback_timeout_secs,
        ))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(CALLBACK_USER_AGENT)
        .build()
        .unwrap_or_default();
    let ctx = Arc::new(context::Ctx {
        urls: urls::Urls {
            api: format!("{base}/api/v1"),
            web: format!("{base}{}", urls::WEB_APP),
        },
        http,
        outbox: crate::jobs::outbox::Waker::default(),
        tokens: tokens::Tokens::new(base.clone()),
        frame_ancestors: config.adapters.jumio.web_frame_ancestors.clone(),
    });
    // Pages of a DOCUMENT credential arrive several at once: each at the part limit.
    let part_limit = (mapping::MAX_PAGES as u64 * mapping::MAX_PART_SIZE) as usize + (1 << 20);
    let uploads = OpenApiRouter::new()
        .routes(routes!(
            parts::add_part,
            parts::update_part,
            parts::delete_part
        ))
        // The document upload shares its path with "delete all parts" (merged below).
        .routes(routes!(parts::upload_document))
        .routes(routes!(web::web_client, web::web_client_submit))
        .layer(DefaultBodyLimit::max(part_limit));
    let (router, mut openapi) = OpenApiRouter::with_openapi(DOCUMENT.openapi())
        .routes(routes!(auth::get_access_token))
        .routes(routes!(accounts::create_account))
        .routes(routes!(accounts::update_account, accounts::delete_account))
        .routes(routes!(
            finalize::finalize,
            retrieval::get_details,
            accounts::delete_execution
        ))
        .routes(routes!(retrieval::get_status))
        .routes(routes!(steps::get_steps))
        .routes(routes!(
            data::add_prepared_data,
            data::update_prepared_data,
            data::delete_prepared_data
        ))
        .routes(routes!(parts::delete_all_parts))
        .routes(routes!(data::prefill_data))
        .routes(routes!(data::prefill))
        .routes(routes!(retrieval::get_part_image))
        .layer(DefaultBodyLimit::max(config.server.json_body_limit))
        .merge(uploads)
        .split_for_parts();
    strict_user_agent(&mut openapi);
    // Unknown paths under Jumio's two roots answer in Jumio's error shape; the rest of the
    // root stays free for the other APIs mounted there.
    let fallbacks = ["/api/v1", "/oauth2"]
        .into_iter()
        .fold(Router::<AppState>::new(), |r, root| {
            r.nest(root, Router::new().fallback(no_route::<error::JumioError>))
        });
    let router = router
        .method_not_allowed_fallback(method_not_allowed::<error::JumioError>)
        .merge(fallbacks)
        .layer(axum::Extension(ctx.clone()));
    let enabled = config.adapters.jumio.enabled;
    Api {
        name: "jumio",
        error_schema: "ErrorBody",
        refuse: super::common::vendor_error::refuse::<error::JumioError>,
        router,
        openapi,
        background: enabled.then(|| {
            Box::new(move |state: AppState| {
                processing::spawn_deliverer(&state, &ctx);
                processing::spawn_sweeper(state, ctx);
            }) as Box<dyn FnOnce(AppState) + Send>
        }),
    }
}
