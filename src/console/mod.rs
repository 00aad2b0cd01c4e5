//! The admin console (`/console`): server-rendered pages for one tenant, signed in with that
//! tenant's admin key. It lists and searches subjects, shows a subject's vendor ids,
//! documents (as each API names them), files (inline), processes and accounts, and deletes
//! subjects, mints client tokens and makes accounts.
//!
//! Every read goes through the same store methods, scoped by the session's tenant, as the
//! APIs; every change through the function the admin API uses. Plain HTML forms, no script:
//! it works with JavaScript off.

mod actions;
mod files;
mod pages;
pub mod session;
mod subject_page;
mod subjects;
mod view;

use axum::Router;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::de::DeserializeOwned;

use crate::state::AppState;

/// The console's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console",
            get(|| async { pages::see_other("/console/subjects") }),
        )
        .route(
            "/console/sign-in",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/console/sign-out", axum::routing::post(session::sign_out))
        .route("/console/subjects", get(subjects::list))
        .route("/console/subjects/{id}", get(subjects::show))
        .route(
            "/console/subjects/{id}/delete",
            get(actions::confirm_delete).post(actions::delete),
        )
        .route(
            "/console/subjects/{id}/client-token",
            axum::routing::post(actions::mint_token),
        )
        .route(
            "/console/subjects/{id}/client-account",
            axum::routing::post(actions::create_client_account),
        )
        .route(
            "/console/service-accounts",
            get(actions::service_accounts).post(actions::create_service_account),
        )
        .route("/console/files/{id}", get(files::content))
        // Forms are small; nothing the console takes is a file.
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
}

/// A urlencoded form body; one that cannot be read is answered with a page saying so.
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(e) => Err(pages::message(
                StatusCode::BAD_REQUEST,
                "Form refused",
                &format!("The form could not be read: {}", e.body_text()),
            )),
        }
    }
}
