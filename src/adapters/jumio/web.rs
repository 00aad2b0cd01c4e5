//! The web channel: the page `web.href` opens (`/web/v4/app?authorizationToken=…`, the path
//! of Jumio's own `web.href`). A person uploads the parts the workflow asks for and finishes;
//! the browser is then sent to `successUrl` or `errorUrl` with the query parameters of the
//! guide's "After the User Journey", or shown a final page when the request gave none.
//!
//! The page posts back to its own URL. Each upload goes through the API's own part code
//! (`parts::put_part`, `parts::add_pages`) and "Finish" through `finalize`, so a part is
//! checked exactly as the API checks it and the workflow goes on (processing, callback,
//! retrieval) as if the parts had come through the API. The token in the URL is the
//! execution's web JWT (see `tokens`): it opens this page only, for the execution's lifetime.
//!
//! Error codes (api_guide.md, "After the User Journey"), as idbridge uses them:
//! - `9200` "Authorization token missing, invalid, or expired": no token, one idbridge did not
//!   sign, one whose execution is gone, an execution whose token ran out before anything was
//!   added (`TOKEN_EXPIRED`), or one already finished (`ACQUIRED`, `PROCESSED`: the token no
//!   longer opens a journey);
//! - `9210` "Session expired after the user journey started": `SESSION_EXPIRED`;
//! - `9100` "Error occurred on our server": an internal error.
//!
//! The others never arise here: 9300 (transmission) and 98xx are failures of Jumio's
//! browser client, 9400 of its verification step, and 9835 ends a journey after three refused
//! submissions, where idbridge's page lets the person try again.

//!
//! The module's pieces: `journey` (the execution a token opens and where it ends) and `form`
//! (what a post asks for); neither imports this module.

mod form;
mod journey;

use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Extension, Multipart, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::accounts::Ctx;
use super::error::JumioError;
use super::finalize::{finalize_execution, needs_back};
use super::mapping;
use super::page::{self, CredentialView, PartView};
use super::parts::{OnCredential, add_pages, credential_document, files_of, put_part};
use super::urls::WEB_APP;
use super::wire::Category;
use crate::error::Error;
use crate::model::FileSide;
use crate::state::AppState;
use form::{Action, WebForm, action};
use journey::{ErrorCode, Journey, ended, failed, journey, policy};

/// The page's view of each credential: what it takes here and what is on file.
async fn view(state: &AppState, j: &Journey) -> Result<Vec<CredentialView>, Error> {
    let mut out = Vec::with_capacity(j.record.credentials.len());
    for c in &j.record.credentials {
        let files = files_of(state, &j.tenant, j.account, c).await?;
        let kind = credential_document(state, &j.tenant, j.account, c.doc())
            .await?
            .map(|d| d.kind);
        let side = |s: FileSide| {
            c.doc()
                .and_then(|d| mapping::file_for(&files, d, s))
                .map_or(0, |_| 1)
        };
        let part = |classifier, label, stored, required| PartView {
            classifier,
            label,
            stored,
            required,
        };
        let (title, parts, note) = match c.category {
            _ if c.reused => (
                format!("{} already on file", c.category.wire_name()),
                vec![],
                Some("Captured in an earlier verification: nothing to upload.".to_owned()),
            ),
            Category::Id => (
                format!("Identity document ({})", id_types(&c.id_types)),
                vec![
                    part("FRONT", "Front side", side(FileSide::Front), true),
                    part("BACK", "Back side", side(FileSide::Back), needs_back(kind)),
                ],
                None,
            ),
            Category::Selfie => (
                "Photo of your face".to_owned(),
                vec![part("FACE", "Your face", side(FileSide::Face), true)],
                None,
            ),
            Category::Document => {
                let pages = files.len();
                (
                    "Supporting document".to_owned(),
                    vec![part("DOCUMENT", "Pages (images, or one PDF)", pages, true)],
                    None,
                )
            }
            Category::Facemap => (
                "3D face map".to_owned(),
                vec![],
                Some(
                    "Not captured on this page (it needs a face-capture client); not needed to finish."
                        .to_owned(),
                ),
            ),
            Category::Data => (
                "Personal data".to_owned(),
                vec![],
                Some(if c.prepared_data.is_some() {
                    "Received from the service.".to_owned()
                } else {
                    "Sent by the service itself, not on this page: not received yet.".to_owned()
                }),
            ),
        };
        out.push(CredentialView {
            id: c.id,
            title,
            parts,
            note,
        });
    }
    Ok(out)
}

/// The requested ID types, for people.
fn id_types(types: &[String]) -> String {
    let names: Vec<&str> = types
        .iter()
        .map(|t| match t.as_str() {
            "PASSPORT" => "passport",
            "DRIVING_LICENSE" => "driving licence",
            "VISA" => "visa",
            _ => "ID card",
        })
        .collect();
    if names.is_empty() {
        "passport, ID card, driving licence or visa".to_owned()
    } else {
        names.join(" or ")
    }
}

/// The capture page, with `message` when an action was refused (answered with `status`).
async fn capture(
    state: &AppState,
    ctx: &Ctx,
    j: &Journey,
    status: StatusCode,
    message: Option<&str>,
) -> Response {
    match view(state, j).await {
        Ok(v) => policy(ctx, Some(j)).html(status, page::capture(&v, message)),
        Err(e) => {
            crate::adapters::common::log_internal("jumio", &e);
            failed(ctx, j, ErrorCode::Server)
        }
    }
}

/// The web client: the capture page of the execution `authorizationToken` opens.
#[utoipa::path(get, path = "/web/v4/app", operation_id = "webClient", tag = "Web",
    params(
        ("authorizationToken" = Option<String>, Query, description = "The execution's web token, from web.href"),
        ("locale" = Option<String>, Query, description = "Accepted and ignored: the page is in English"),
    ),
    responses(
        (status = 200, description = "The capture page: a form per part, and Finish", content_type = "text/html", body = String),
        (status = 303, description = "The journey has ended (token or session expired, execution finished): to errorUrl with accountId, workflowExecutionId, acquisitionStatus=ERROR, customerInternalReference and errorCode (9200, 9210, 9100)",
            headers(("Location" = String, description = "errorUrl with the query parameters"))),
        (status = 401, description = "No token, an unknown one, or an ended journey without errorUrl: an error page naming the error code", content_type = "text/html", body = String),
    ))]
pub async fn web_client(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let j = match journey(&state, &ctx, raw.as_deref()).await {
        Ok(j) => j,
        Err(page) => return page,
    };
    match ended(j.status) {
        Some(code) => failed(&ctx, &j, code),
        None => capture(&state, &ctx, &j, StatusCode::OK, None).await,
    }
}

/// The page's form: a part (checked by the API's part code; back to the page) or Finish (to
/// `successUrl`, or the final page).
#[utoipa::path(post, path = "/web/v4/app", operation_id = "webClientSubmit", tag = "Web",
    params(
        ("authorizationToken" = Option<String>, Query, description = "The execution's web token, from web.href"),
        ("locale" = Option<String>, Query, description = "Accepted and ignored"),
    ),
    request_body(content = WebForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Finished, without successUrl: the final page", content_type = "text/html", body = String),
        (status = 303, description = "A part was stored (back to the page); finished (to successUrl with acquisitionStatus=SUCCESS); or the journey has ended (to errorUrl with errorCode)",
            headers(("Location" = String, description = "The page, successUrl or errorUrl"))),
        (status = 400, description = "The page again, saying what was refused (as the API would: a part too small or too large, a part missing at Finish)", content_type = "text/html", body = String),
        (status = 401, description = "No token, an unknown one, or an ended journey without errorUrl", content_type = "text/html", body = String),
        (status = 404, description = "The page again: no such credential in this execution", content_type = "text/html", body = String),
        (status = 409, description = "The page again: the part cannot change now", content_type = "text/html", body = String),
        (status = 413, description = "The page again: a file over 15 MB", content_type = "text/html", body = String),
        (status = 415, description = "The page again: not a JPEG or PNG (or PDF, for a document)", content_type = "text/html", body = String),
    ))]
pub async fn web_client_submit(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    RawQuery(raw): RawQuery,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let j = match journey(&state, &ctx, raw.as_deref()).await {
        Ok(j) => j,
        Err(page) => return page,
    };
    if let Some(code) = ended(j.status) {
        return failed(&ctx, &j, code);
    }
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(r) => {
            return capture(
                &state,
                &ctx,
                &j,
                StatusCode::BAD_REQUEST,
                Some(&r.body_text()),
            )
            .await;
        }
    };
    let token = j.api_token();
    let done = match action(&mut multipart).await {
        Err(e) => Err(JumioError::from(e)),
        Ok(Action::Finish) => finalize_execution(&state, &ctx, &token, j.account, j.execution)
            .await
            .map(|_| true),
        Ok(Action::Upload {
            credential,
            classifier,
        }) => {
            let pages = classifier == "DOCUMENT";
            let call = OnCredential::new(&state, &ctx, token, credential, classifier);
            // A browser re-upload replaces the side (the API's PUT); pages are added.
            let stored = if pages {
                add_pages(&call, Ok(multipart)).await
            } else {
                put_part(&call, Ok(multipart), true).await
            };
            stored.map(|_| false)
        }
    };
    match done {
        Ok(true) => match j.end_url(None) {
            Some(url) => policy(&ctx, Some(&j)).see_other(&url),
            None => policy(&ctx, Some(&j)).html(StatusCode::OK, page::finished()),
        },
        Ok(false) => {
            let prefix = &state.config.adapters.jumio.prefix;
            let query = raw.as_deref().unwrap_or_default();
            policy(&ctx, Some(&j)).see_other(&format!("{prefix}{WEB_APP}?{query}"))
        }
        Err(e) => refused(&state, &ctx, raw.as_deref(), e).await,
    }
}

/// A refused upload or finish: the page again with the API's message and status, unless the
/// journey ended meanwhile (or the server failed), which ends it.
async fn refused(state: &AppState, ctx: &Ctx, raw: Option<&str>, e: JumioError) -> Response {
    let body = e.to_body();
    // Read again: a refusal for the execution's state may mean it expired meanwhile.
    let j = match journey(state, ctx, raw).await {
        Ok(j) => j,
        Err(page) => return page,
    };
    if let Some(code) = ended(j.status) {
        return failed(ctx, &j, code);
    }
    match StatusCode::from_u16(body.status) {
        Ok(s) if s.is_client_error() => capture(state, ctx, &j, s, Some(&body.message)).await,
        _ => failed(ctx, &j, ErrorCode::Server),
    }
}
