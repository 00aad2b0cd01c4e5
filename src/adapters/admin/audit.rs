//! The tenant's audit trail (`crate::store::audit`): a page of events, or all of them as
//! JSON Lines, filtered by subject, operation, credential, API and time.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::AdminError;
use super::handlers::{AdminTenant, Query};
use super::wire::{ErrorBody, KeyRefusals};
use crate::error::Error;
use crate::state::AppState;
use crate::store::{AuditEvent, AuditFilter};

/// Which events.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events concerning this subject.
    pub subject_id: Option<Uuid>,
    /// Only this operation, exactly as recorded (`GET /v1/users/{user_id}/identifications`).
    pub operation: Option<String>,
    /// Only this credential id (`key:…`, `client:…`, `jumio-client:…`).
    pub credential: Option<String>,
    /// Only this API (`ncore`, `mydocs`, `masstack`, `passfort`, `jumio`, `admin`, `console`,
    /// `retention`).
    pub api: Option<String>,
    /// Only events at or after this time (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Only events before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
    /// Only events after this number (the `next_after` of the page before).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// Events per page: 1 to 1000, default 100. Not accepted by the export, which has no pages.
    pub limit: Option<u32>,
}

impl AuditQuery {
    fn filter(&self) -> Result<(AuditFilter, i64), Error> {
        let after = self.after.unwrap_or(0);
        if after < 0 {
            return Err(Error::invalid("after", "must not be negative"));
        }
        let filter = AuditFilter {
            subject: self.subject_id,
            operation: self.operation.clone(),
            credential: self.credential.clone(),
            api: self.api.clone(),
            since: self.since,
            until: self.until,
        };
        Ok((filter, after))
    }
}

/// A page of events.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// The events, in chain order.
    pub events: Vec<AuditEvent>,
    /// Pass as `after` for the next page; absent on the last.
    pub next_after: Option<i64>,
}

/// The tenant's audit events, oldest first: who read, wrote or deleted what, with which
/// credential, and how it ended. Never secrets, names, document numbers or file bytes.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    security(("admin_key" = [])),
    responses(
        (status = 200, description = "A page of events", body = AuditPage),
        (status = 400, description = "Invalid query", body = ErrorBody),
        KeyRefusals,
    ))]
pub async fn audit_events(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Query(q): Query<AuditQuery>,
) -> Result<axum::Json<AuditPage>, AdminError> {
    let limit = crate::adapters::common::page_limit(q.limit, 100, 1000)?;
    let (filter, after) = q.filter()?;
    let events = state
        .store
        .audit_events(&tenant, &filter, after, limit)
        .await?;
    let next_after = (events.len() == limit as usize)
        .then(|| events.last().map(|e| e.seq))
        .flatten();
    Ok(axum::Json(AuditPage { events, next_after }))
}

/// Every one of the tenant's events that passes the filters, as JSON Lines (one event per
/// line, in chain order), streamed: an export of any length.
#[utoipa::path(get, path = "/audit/export", tag = "audit", params(AuditQuery),
    security(("admin_key" = [])),
    responses(
        (status = 200, description = "One event per line", content_type = "application/x-ndjson", body = AuditEvent),
        (status = 400, description = "Invalid query", body = ErrorBody),
        KeyRefusals,
    ))]
pub async fn export_audit(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AdminError> {
    if q.limit.is_some() {
        return Err(Error::invalid("limit", "the export has no pages: leave limit out").into());
    }
    let (filter, after) = q.filter()?;
    let lines = state
        .store
        .audit_stream(tenant, filter, after)
        .map(|event| {
            let event = event.inspect_err(|e| {
                tracing::error!(error = %e.chain(), "the audit export stopped");
            })?;
            let mut line = serde_json::to_vec(&event).map_err(Error::internal)?;
            line.push(b'\n');
            Ok::<_, Error>(line)
        });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(lines),
    )
        .into_response())
}
