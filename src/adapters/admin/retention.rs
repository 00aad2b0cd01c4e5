//! What the retention job would delete in this tenant: the dry run of
//! `crate::jobs::retention`, as at now or at a given time.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::AdminError;
use super::handlers::{AdminTenant, Query};
use super::wire::{ErrorBody, KeyRefusals};
use crate::state::AppState;

/// The most documents one report lists.
const REPORT_LIMIT: usize = 1000;

/// When to look from.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RetentionQuery {
    /// The time the run is imagined at (RFC 3339; default now): what a run then would delete.
    pub at: Option<DateTime<Utc>>,
}

/// One kind's period, as configured.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionRuleView {
    /// Canonical document kind.
    pub kind: String,
    /// How long documents of this kind are kept (`5y`, `90d`).
    pub keep: String,
}

/// A document the run would delete.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueDocument {
    /// The document.
    pub document_id: Uuid,
    /// Its subject.
    pub subject_id: Uuid,
    /// Its kind.
    pub kind: String,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

/// The dry run's report.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionReport {
    /// The time the run was imagined at.
    pub at: DateTime<Utc>,
    /// The tenant's periods (none: nothing is ever deleted by age).
    pub rules: Vec<RetentionRuleView>,
    /// What a run at `at` would delete, oldest first per kind (at most 1000).
    pub due: Vec<DueDocument>,
    /// Whether more would be deleted than listed.
    pub truncated: bool,
}

/// What the retention job would delete: the tenant's documents past their kind's period
/// (`tenants[].retention`), as at `at`. Deletes nothing.
#[utoipa::path(get, path = "/retention", tag = "retention", params(RetentionQuery),
    security(("admin_key" = [])),
    responses(
        (status = 200, description = "The dry run's report", body = RetentionReport),
        (status = 400, description = "Invalid query", body = ErrorBody),
        KeyRefusals,
    ))]
pub async fn retention_report(
    State(state): State<AppState>,
    AdminTenant(tenant): AdminTenant,
    Query(q): Query<RetentionQuery>,
) -> Result<axum::Json<RetentionReport>, AdminError> {
    let at = q.at.unwrap_or_else(Utc::now);
    let config = &state.config;
    let mut due = crate::jobs::retention::run(
        &state.store,
        config,
        at,
        Some(&tenant),
        true,
        REPORT_LIMIT + 1,
    )
    .await?;
    let truncated = due.len() > REPORT_LIMIT;
    due.truncate(REPORT_LIMIT);
    let rules = config
        .tenants
        .iter()
        .filter(|t| t.id == tenant.as_str())
        .flat_map(|t| &t.retention)
        .map(|(kind, keep)| RetentionRuleView {
            kind: kind.clone(),
            keep: keep.clone(),
        })
        .collect();
    Ok(axum::Json(RetentionReport {
        at,
        rules,
        due: due
            .into_iter()
            .map(|d| DueDocument {
                document_id: d.document.id,
                subject_id: d.document.subject_id,
                kind: d.document.kind.as_str().to_owned(),
                created_at: d.document.created_at,
            })
            .collect(),
        truncated,
    }))
}
