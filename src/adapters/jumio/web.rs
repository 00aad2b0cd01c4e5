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

use std::sync::Arc;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Extension, Multipart, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use uuid::Uuid;

use super::accounts::Ctx;
use super::auth::ApiToken;
use super::error::JumioError;
use super::finalize::{finalize_execution, needs_back};
use super::mapping::{self, Execution};
use super::page::{self, CredentialView, PartView, Policy};
use super::parts::{add_pages, document_of, put_part};
use super::tokens::Audience;
use super::urls::WEB_APP;
use super::wire::{Category, Status};
use crate::adapters::common::multipart::small_text;
use crate::error::Error;
use crate::model::{FileSide, TenantId};
use crate::state::AppState;

/// An error code of the guide's "After the User Journey".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ErrorCode {
    /// 9100: an error on the server.
    Server,
    /// 9200: the authorization token is missing, invalid or expired.
    Token,
    /// 9210: the session expired after the journey started.
    Session,
}

impl ErrorCode {
    fn code(self) -> u16 {
        match self {
            ErrorCode::Server => 9100,
            ErrorCode::Token => 9200,
            ErrorCode::Session => 9210,
        }
    }

    fn meaning(self) -> &'static str {
        match self {
            ErrorCode::Server => "An error occurred on our server.",
            ErrorCode::Token => {
                "The link is missing its token, or its token is invalid or expired."
            }
            ErrorCode::Session => "The session expired after the journey started.",
        }
    }
}

/// The execution a web token opens.
struct Journey {
    tenant: TenantId,
    account: Uuid,
    execution: Uuid,
    token: String,
    record: Execution,
    status: Status,
}

impl Journey {
    /// The API's view of this journey's calls: the same checks, on this execution only.
    fn api_token(&self) -> ApiToken {
        ApiToken {
            tenant: self.tenant.clone(),
            account: self.account,
            execution: self.execution,
            token: self.token.clone(),
        }
    }

    /// `successUrl` or `errorUrl` with the guide's query parameters, if the request gave it.
    fn end_url(&self, error: Option<ErrorCode>) -> Option<String> {
        let base = self.record.web_setting(match error {
            None => "successUrl",
            Some(_) => "errorUrl",
        })?;
        let mut url = reqwest::Url::parse(base).ok()?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("accountId", &self.account.to_string());
            q.append_pair("workflowExecutionId", &self.execution.to_string());
            q.append_pair(
                "acquisitionStatus",
                if error.is_some() { "ERROR" } else { "SUCCESS" },
            );
            q.append_pair(
                "customerInternalReference",
                &self.record.customer_internal_reference,
            );
            if let Some(e) = error {
                q.append_pair("errorCode", &e.code().to_string());
            }
        }
        Some(url.into())
    }
}

/// The security headers' settings for a journey (or, `None`, for a token that opens none).
fn policy(ctx: &Ctx, journey: Option<&Journey>) -> Policy {
    let end_origins = journey
        .into_iter()
        .flat_map(|j| {
            [
                j.record.web_setting("successUrl"),
                j.record.web_setting("errorUrl"),
            ]
        })
        .flatten()
        .filter_map(|u| reqwest::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
        .fold(Vec::new(), |mut all: Vec<String>, o| {
            // Both URLs are often on one site: name it once.
            if !all.contains(&o) {
                all.push(o);
            }
            all
        });
    Policy {
        end_origins,
        frame_ancestors: ctx.frame_ancestors.clone(),
    }
}

/// The query's `authorizationToken`.
fn token_of(raw: Option<&str>) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default()).ok()?;
    pairs
        .into_iter()
        .find(|(k, _)| k == "authorizationToken")
        .map(|(_, v)| v)
}

/// The journey a token opens, or why it opens none (an error page: no execution is known to
/// send the browser anywhere).
async fn journey(state: &AppState, ctx: &Ctx, raw: Option<&str>) -> Result<Journey, Response> {
    let refuse = || {
        let code = ErrorCode::Token;
        policy(ctx, None).html(
            StatusCode::UNAUTHORIZED,
            page::failed(code.code(), code.meaning()),
        )
    };
    let server = |e: Error| {
        crate::adapters::common::log_internal("jumio", &e);
        let code = ErrorCode::Server;
        policy(ctx, None).html(
            StatusCode::INTERNAL_SERVER_ERROR,
            page::failed(code.code(), code.meaning()),
        )
    };
    let token = token_of(raw).ok_or_else(refuse)?;
    // An expired token is read too: its execution's status names the error (9200 or 9210).
    let claims = ctx
        .tokens
        .read(state, Audience::Web, &token, true)
        .await
        .map_err(server)?
        .ok_or_else(refuse)?;
    let tenant = claims.tenant().map_err(|_| refuse())?;
    let (_, process, record) =
        match super::accounts::execution(state, &tenant, claims.sub, claims.wid).await {
            Ok(found) => found,
            Err(JumioError::Core(Error::NotFound(_))) => return Err(refuse()),
            Err(JumioError::Core(e)) => return Err(server(e)),
            Err(_) => return Err(refuse()),
        };
    let now = Utc::now();
    let mut status = mapping::status(&process, &record, now);
    if status == Status::Initiated && claims.exp <= now.timestamp() {
        // Never expected (the execution expires with its token), but the token decides.
        status = Status::TokenExpired;
    }
    Ok(Journey {
        tenant,
        account: process.subject_id,
        execution: process.id,
        token,
        record,
        status,
    })
}

/// The end of a journey that failed: to `errorUrl`, or an error page.
fn failed(ctx: &Ctx, j: &Journey, code: ErrorCode) -> Response {
    let p = policy(ctx, Some(j));
    match j.end_url(Some(code)) {
        Some(url) => p.see_other(&url),
        None => {
            let status = match code {
                ErrorCode::Server => StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Token | ErrorCode::Session => StatusCode::UNAUTHORIZED,
            };
            p.html(status, page::failed(code.code(), code.meaning()))
        }
    }
}

/// The error code of an execution that no longer takes parts, if it does not.
fn ended(status: Status) -> Option<ErrorCode> {
    match status {
        Status::Initiated => None,
        Status::SessionExpired => Some(ErrorCode::Session),
        Status::TokenExpired | Status::Acquired | Status::Processed => Some(ErrorCode::Token),
    }
}

/// The page's view of each credential: what it takes here and what is on file.
async fn view(state: &AppState, j: &Journey) -> Result<Vec<CredentialView>, Error> {
    let files = state.store.list_files(&j.tenant, j.account).await?;
    let mut out = Vec::with_capacity(j.record.credentials.len());
    for c in &j.record.credentials {
        let kind = document_of(state, &j.tenant, c.doc())
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
                let pages = files
                    .iter()
                    .filter(|f| c.doc().is_some() && f.document_id == c.doc())
                    .count();
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

/// What the page posts: one part's files, or "finish".
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the form; it is read field by field
pub struct WebForm {
    /// The credential the files are for (before `classifier` and `file`).
    pub credential_id: Option<Uuid>,
    /// `FRONT`, `BACK`, `FACE`, or `DOCUMENT` (pages).
    pub classifier: Option<String>,
    /// The files: one image, or a DOCUMENT's pages (images, or one PDF).
    #[schema(format = Binary, value_type = Option<Vec<String>>)]
    pub file: Option<Vec<Vec<u8>>>,
    /// Present (first) to finish instead.
    pub finish: Option<String>,
}

/// What a post asks for.
enum Action {
    Upload {
        credential: Uuid,
        classifier: String,
    },
    Finish,
}

/// Reads the form's leading fields: `finish`, or `credentialId` then `classifier` (the files
/// follow and are streamed by the part code).
async fn action(multipart: &mut Multipart) -> Result<Action, Error> {
    let bad = || Error::invalid("form", "send credentialId, classifier and file, or finish");
    let field = multipart
        .next_field()
        .await
        .map_err(|e| crate::adapters::common::multipart::error(e, "form"))?
        .ok_or_else(bad)?;
    match field.name() {
        Some("finish") => return Ok(Action::Finish),
        Some("credentialId") => {}
        _ => return Err(bad()),
    }
    let id = small_text(field, "credentialId", 64).await?;
    let credential = Uuid::parse_str(id.trim())
        .map_err(|_| Error::invalid("credentialId", "is not a credential id"))?;
    let field = multipart
        .next_field()
        .await
        .map_err(|e| crate::adapters::common::multipart::error(e, "classifier"))?
        .filter(|f| f.name() == Some("classifier"))
        .ok_or_else(bad)?;
    let classifier = small_text(field, "classifier", 32).await?;
    Ok(Action::Upload {
        credential,
        classifier,
    })
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
            let path = (j.account, j.execution, credential, classifier);
            // A browser re-upload replaces the side (the API's PUT); pages are added.
            let stored = if path.3 == "DOCUMENT" {
                add_pages(&state, &ctx, &token, path, Ok(multipart)).await
            } else {
                put_part(&state, &ctx, &token, path, Ok(multipart), true).await
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
