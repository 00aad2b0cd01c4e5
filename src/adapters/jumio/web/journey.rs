//! The journey a web token opens: the execution, its status, where the browser goes when it
//! ends (`successUrl`/`errorUrl` with the guide's query parameters, or an error page) and the
//! security headers' settings. The error codes are the ones named in the module docs of `web`.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use uuid::Uuid;

use crate::adapters::jumio::accounts::{self, Ctx};
use crate::adapters::jumio::auth::ApiToken;
use crate::adapters::jumio::error::JumioError;
use crate::adapters::jumio::mapping::{self, Execution};
use crate::adapters::jumio::page::{self, Policy};
use crate::adapters::jumio::tokens::Audience;
use crate::adapters::jumio::wire::Status;
use crate::error::Error;
use crate::model::TenantId;
use crate::state::AppState;

/// An error code of the guide's "After the User Journey".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ErrorCode {
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
pub(super) struct Journey {
    /// The execution's tenant.
    pub(super) tenant: TenantId,
    /// The execution's account (subject).
    pub(super) account: Uuid,
    /// The execution.
    pub(super) execution: Uuid,
    /// The web token that opened it.
    token: String,
    /// The execution's record.
    pub(super) record: Execution,
    /// Its status when the token was read.
    pub(super) status: Status,
}

impl Journey {
    /// The API's view of this journey's calls: the same checks, on this execution only.
    pub(super) fn api_token(&self) -> ApiToken {
        ApiToken {
            tenant: self.tenant.clone(),
            account: self.account,
            execution: self.execution,
            token: self.token.clone(),
        }
    }

    /// `successUrl` or `errorUrl` with the guide's query parameters, if the request gave it.
    pub(super) fn end_url(&self, error: Option<ErrorCode>) -> Option<String> {
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
pub(super) fn policy(ctx: &Ctx, journey: Option<&Journey>) -> Policy {
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
pub(super) async fn journey(
    state: &AppState,
    ctx: &Ctx,
    raw: Option<&str>,
) -> Result<Journey, Response> {
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
        match accounts::execution(state, &tenant, claims.sub, claims.wid).await {
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
pub(super) fn failed(ctx: &Ctx, j: &Journey, code: ErrorCode) -> Response {
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
pub(super) fn ended(status: Status) -> Option<ErrorCode> {
    match status {
        Status::Initiated => None,
        Status::SessionExpired => Some(ErrorCode::Session),
        Status::TokenExpired | Status::Acquired | Status::Processed => Some(ErrorCode::Token),
    }
}
