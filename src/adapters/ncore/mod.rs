//! NymCard nCore users and identifications (`/v1` by default), authenticated with the
//! tenant's key in the `apikey` header. `users` serves users (create, get, update: a user is
//! a subject, with its fields as the subject's `ncore` data); `handlers` serves
//! identifications (create, list, get, update); `files` serves their files (upload 1–5 at
//! once, all or nothing; metadata; `:browse` and `:download` with `Range`; delete). A
//! `user_id` is a subject alias in the `ncore` namespace (a UUID equal to a subject's id is
//! that subject, which is what a user created with `POST /users` is).

mod error;
mod extract;
mod files;
#[cfg(test)]
mod fuzz;
mod handlers;
mod idempotency;
pub(crate) mod mapping;
mod user_fields;
mod user_rules;
mod users;
pub(crate) mod vocabulary;
pub(crate) mod wire;

use axum::extract::DefaultBodyLimit;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::common::api_document::ApiDocument;
use super::common::security::{Scheme, Security};
use super::common::vendor_error::with_fallbacks;

/// What the OpenAPI document says of this API besides its operations.
const DOCUMENT: ApiDocument = ApiDocument {
    title: "NymCard nCore users and identifications (idbridge)",
    version: "1",
    description: "NymCard nCore's users and user identifications as idbridge serves them. Every JSON body must be sent as application/json (otherwise 415). See docs/compat/ncore.md for what is served and every choice made where NymCard's documentation is silent.",
    tags: &[
        (
            "Users",
            "Users: persons, businesses and the KYB sub-users of a business",
        ),
        ("User documents", "A user's identification documents"),
    ],
    security: Security(&[("apikey", Scheme::HeaderKey("apikey"))]),
};

/// The operations served by hand beside the routes (`:browse` and `:download` share the
/// file's path, which the router cannot tell apart), documented all the same.
#[derive(OpenApi)]
#[openapi(paths(files::browse_file, files::download_file))]
struct HandServed;

/// Spells out the upload form's encoding: which media types a `file` part may hold. Applied
/// after the routes are merged (derive-time modifiers run before the paths exist).
struct UploadEncoding;

impl utoipa::Modify for UploadEncoding {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::encoding::Encoding;
        let path = "/users/{user_id}/identifications/{identification_id}/files";
        let Some(item) = openapi.paths.paths.get_mut(path) else {
            return;
        };
        let Some(RefOr::T(body)) = item.put.as_mut().and_then(|op| op.request_body.as_mut()) else {
            return;
        };
        if let Some(RefOr::T(form)) = body.content.get_mut("multipart/form-data") {
            let types = mapping::ALLOWED
                .iter()
                .map(|m| m.mime())
                .collect::<Vec<_>>()
                .join(", ");
            form.encoding.insert(
                "file".into(),
                Encoding::builder().content_type(Some(types)).build(),
            );
            let text = Encoding::builder().content_type(Some("text/plain")).build();
            form.encoding
                .insert("identification_document_type".into(), text.clone());
            form.encoding.insert("identification_type".into(), text);
        }
    }
}

/// The nCore API's routes and OpenAPI document.
pub fn api(config: &crate::config::Config) -> Api {
    // Uploads carry up to five 128 MB files; everything else is small JSON.
    let uploads = OpenApiRouter::new()
        .routes(routes!(files::upload_identification_files))
        .layer(DefaultBodyLimit::max(files::UPLOAD_BODY_LIMIT));
    let (router, mut openapi) =
        OpenApiRouter::with_openapi(DOCUMENT.openapi().merge_from(HandServed::openapi()))
            .routes(routes!(users::create_user))
            .routes(routes!(users::get_user, users::update_user))
            .routes(routes!(
                handlers::create_identification,
                handlers::get_identifications
            ))
            .routes(routes!(
                handlers::get_identification,
                handlers::update_identification
            ))
            .routes(routes!(files::get_file, files::delete_file))
            .layer(DefaultBodyLimit::max(config.server.json_body_limit))
            .merge(uploads)
            .split_for_parts();
    utoipa::Modify::modify(&UploadEncoding, &mut openapi);
    let router = with_fallbacks::<error::NcoreError>(router);
    Api {
        name: "ncore",
        error_schema: "ErrorBody",
        refuse: super::common::vendor_error::refuse::<error::NcoreError>,
        router,
        openapi,
        background: None,
    }
}
