//! The admin API (`/admin/v1` by default): subjects, their aliases and client tokens, and
//! a view of everything stored for a subject across every vendor API.
//! Authenticated with `Authorization: Bearer <admin key>`; each key administers one tenant.

mod audit;
mod credentials;
mod error;
mod handlers;
mod mapping;
mod retention;
mod wire;

pub use credentials::{new_client_account, new_service_account};
pub use handlers::mint_client_token_for;
pub use wire::{ClientToken, ServiceAccountFile};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::common::api_document::ApiDocument;
use super::common::security::{Scheme, Security};
use super::common::vendor_error::with_fallbacks;

/// What the OpenAPI document says of this API besides its operations.
const DOCUMENT: ApiDocument = ApiDocument {
    title: "idbridge admin API",
    version: "1",
    description: "Manage subjects, link vendor ids to them, mint client tokens, give subjects sign-in accounts, make service accounts, see everything stored for a subject across the five vendor APIs, see what the retention job would delete, and read the tenant's audit trail.",
    tags: &[
        ("subjects", "Subjects and what they own"),
        (
            "credentials",
            "Sign-in accounts of subjects (B2Core) and service accounts of the tenant (MasStack)",
        ),
        (
            "retention",
            "What the retention job deletes: documents past their kind's period",
        ),
        (
            "audit",
            "The tenant's audit trail: every read, write and delete, hash-chained",
        ),
    ],
    security: Security(&[(
        "admin_key",
        Scheme::Bearer {
            format: None,
            description: "An admin key from the configuration",
        },
    )]),
};

/// The admin API's routes and OpenAPI document. Bodies are small JSON documents, limited to
/// `server.json_body_limit`.
pub fn api(config: &crate::config::Config) -> Api {
    let (router, openapi) = OpenApiRouter::with_openapi(DOCUMENT.openapi())
        .routes(routes!(handlers::create_subject, handlers::list_subjects))
        .routes(routes!(handlers::get_subject, handlers::delete_subject))
        .routes(routes!(handlers::link_alias))
        .routes(routes!(handlers::mint_client_token))
        .routes(routes!(credentials::create_client_account))
        .routes(routes!(credentials::reset_password))
        .routes(routes!(
            credentials::create_service_account,
            credentials::list_service_accounts
        ))
        .routes(routes!(credentials::revoke_service_account))
        .routes(routes!(retention::retention_report))
        .routes(routes!(audit::audit_events))
        .routes(routes!(audit::export_audit))
        .split_for_parts();
    let router = with_fallbacks::<error::AdminError>(router).layer(
        axum::extract::DefaultBodyLimit::max(config.server.json_body_limit),
    );
    Api {
        name: "admin",
        error_schema: "ErrorBody",
        refuse: super::common::vendor_error::refuse::<error::AdminError>,
        router,
        openapi,
        background: None,
    }
}
