//! A process's own settings and outcome, one row per process (`process_details`): the flow
//! definition and references its caller chose, where its callback goes, when its token
//! expires, and, once processed, when it finished, its outcome and its check results.
//!
//! The store reads and writes them; it does not interpret the flow key, the outcome words
//! or the free-form JSON (`results`, `channel_settings`, `requested_checks`, `consent`).
//! The settings are written with the process ([`Tx::insert_details`]) and the outcome with
//! its final transition ([`Store::transition_announced`]).

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use super::{Store, Tx, db};
use crate::error::{Error, Result};
use crate::model::TenantId;

/// A process's details.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProcessDetails {
    /// The flow definition the caller chose.
    pub flow_key: u32,
    /// The caller's reference.
    pub customer_reference: String,
    /// The caller's user reference.
    pub user_reference: Option<String>,
    /// Reporting criteria, as sent.
    pub reporting_criteria: Option<String>,
    /// Where the final callback goes.
    pub callback_url: Option<String>,
    /// When the process's token expires.
    pub token_expires_at: Option<DateTime<Utc>>,
    /// Channel settings, as sent.
    pub channel_settings: Option<serde_json::Value>,
    /// Checks the caller asked for, as sent.
    pub requested_checks: Option<serde_json::Value>,
    /// Consent details, as sent.
    pub consent: Option<serde_json::Value>,
    /// Set once processing finished.
    pub outcome: Option<Outcome>,
}

/// How a process ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// When processing finished.
    pub completed_at: DateTime<Utc>,
    /// The overall decision.
    pub decision: String,
    /// Its reason.
    pub label: String,
    /// Each check's results, as the adapter reports them.
    pub results: serde_json::Value,
}

const COLUMNS: &str = "flow_key, customer_reference, user_reference, reporting_criteria, \
                       callback_url, token_expires_at, completed_at, outcome, outcome_label, \
                       results, channel_settings, requested_checks, consent";

fn details_from_row(r: &db::Row) -> Result<ProcessDetails> {
    let json = |c: &str| -> Result<Option<serde_json::Value>> {
        r.try_get::<Option<String>, _>(c)?
            .as_deref()
            .map(db::json)
            .transpose()
    };
    let time = |c: &str| -> Result<Option<DateTime<Utc>>> {
        r.try_get::<Option<i64>, _>(c)?
            .map(db::from_millis)
            .transpose()
    };
    let outcome = match (
        time("completed_at")?,
        r.try_get::<Option<String>, _>("outcome")?,
    ) {
        (Some(completed_at), Some(decision)) => Some(Outcome {
            completed_at,
            decision,
            label: r
                .try_get::<Option<String>, _>("outcome_label")?
                .unwrap_or_default(),
            results: json("results")?.unwrap_or_else(|| serde_json::json!({})),
        }),
        _ => None,
    };
    Ok(ProcessDetails {
        flow_key: u32::try_from(r.try_get::<i64, _>("flow_key")?).map_err(Error::internal)?,
        customer_reference: r.try_get("customer_reference")?,
        user_reference: r.try_get("user_reference")?,
        reporting_criteria: r.try_get("reporting_criteria")?,
        callback_url: r.try_get("callback_url")?,
        token_expires_at: time("token_expires_at")?,
        channel_settings: json("channel_settings")?,
        requested_checks: json("requested_checks")?,
        consent: json("consent")?,
        outcome,
    })
}

/// Records how a process ended, inside the transaction that moves it to its final status.
pub(super) async fn write_outcome(
    conn: &mut db::Conn,
    tenant: &TenantId,
    process_id: Uuid,
    o: &Outcome,
) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE process_details SET completed_at = $1, outcome = $2, outcome_label = $3, results = $4 \
         WHERE tenant = $5 AND process_id = $6",
    )
    .bind(db::millis(o.completed_at))
    .bind(&o.decision)
    .bind(&o.label)
    .bind(db::to_json(&o.results)?)
    .bind(tenant.as_str())
    .bind(process_id.to_string())
    .execute(conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(Error::NotFound("process details"));
    }
    Ok(())
}

impl Store {
    /// A process's details; `None` for a process that has none.
    pub async fn process_details(
        &self,
        tenant: &TenantId,
        process_id: Uuid,
    ) -> Result<Option<ProcessDetails>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM process_details WHERE tenant = $1 AND process_id = $2"
        )))
        .bind(tenant.as_str())
        .bind(process_id.to_string())
        .fetch_optional(&self.inner.pool)
        .await?;
        row.as_ref().map(details_from_row).transpose()
    }
}

impl Tx {
    /// Records a new process's details (its outcome, if given, too).
    pub async fn insert_details(
        &mut self,
        tenant: &TenantId,
        process_id: Uuid,
        d: &ProcessDetails,
    ) -> Result<()> {
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(db::to_json).transpose();
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO process_details (tenant, process_id, {COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL, NULL, $9, $10, $11)"
        )))
        .bind(tenant.as_str())
        .bind(process_id.to_string())
        .bind(i64::from(d.flow_key))
        .bind(&d.customer_reference)
        .bind(&d.user_reference)
        .bind(&d.reporting_criteria)
        .bind(&d.callback_url)
        .bind(d.token_expires_at.map(db::millis))
        .bind(json(&d.channel_settings)?)
        .bind(json(&d.requested_checks)?)
        .bind(json(&d.consent)?)
        .execute(self.conn())
        .await?;
        if let Some(o) = &d.outcome {
            write_outcome(self.conn(), tenant, process_id, o).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

    use super::*;

    /// A database migrated up to (not including) 0008, holding one process whose details
    /// are JSON in its data, as every Jumio execution stored before 0008 was.
    async fn before_0008(dir: &std::path::Path, tenant: &str, id: Uuid, data: &str) {
        let opts = SqliteConnectOptions::new()
            .filename(dir.join("t.db"))
            .create_if_missing(true);
        let pool = SqlitePoolOptions::new().connect_with(opts).await.unwrap();
        let all = sqlx::migrate!("./migrations/sqlite");
        let old = sqlx::migrate::Migrator {
            migrations: Cow::Owned(
                all.migrations
                    .iter()
                    .filter(|m| m.version < 8)
                    .cloned()
                    .collect(),
            ),
            ..all
        };
        old.run(&pool).await.unwrap();
        let subject = Uuid::now_v7().to_string();
        sqlx::query("INSERT INTO subjects (tenant, id, created_at) VALUES ($1, $2, 0)")
            .bind(tenant)
            .bind(&subject)
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO processes (tenant, id, subject_id, namespace, kind, status, data, created_at, updated_at) \
             VALUES ($1, $2, $3, 'jumio', 'workflow_execution', 'completed', $4, 0, 0)",
        )
        .bind(tenant)
        .bind(id.to_string())
        .bind(&subject)
        .bind(data)
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }

    #[tokio::test]
    async fn an_old_process_moves_its_details_out_of_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let id = Uuid::now_v7();
        let data = serde_json::json!({
            "definitionKey": 3,
            "customerInternalReference": "ref-1",
            "userReference": "user-1",
            "reportingCriteria": null,
            "callbackUrl": "https://example.test/cb",
            "completedAt": "2026-01-02T03:04:05.678Z",
            "decision": {"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}},
            "capabilities": {"usability": [{"id": "x", "decision": {"type": "PASSED"}}]},
            "callbackQueued": true,
            "tokenExpiresAt": "2026-01-02T03:00:00Z",
            "web": {"locale": "de"},
            "requestedCapabilities": null,
            "userConsent": {"userIp": "192.0.2.1"},
            "kept": 1
        });
        before_0008(dir.path(), "a", id, &data.to_string()).await;
        // A SQLite migration: on SQLite whatever engine the other tests run on.
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = super::super::testing::open_at(dir.path(), url).await;
        let t = TenantId::new("a").unwrap();
        let got = store.process_details(&t, id).await.unwrap().unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            got,
            ProcessDetails {
                flow_key: 3,
                customer_reference: "ref-1".into(),
                user_reference: Some("user-1".into()),
                reporting_criteria: None,
                callback_url: Some("https://example.test/cb".into()),
                token_expires_at: Some(at("2026-01-02T03:00:00Z")),
                channel_settings: Some(serde_json::json!({"locale": "de"})),
                requested_checks: None,
                consent: Some(serde_json::json!({"userIp": "192.0.2.1"})),
                outcome: Some(Outcome {
                    completed_at: at("2026-01-02T03:04:05.678Z"),
                    decision: "WARNING".into(),
                    label: "NOT_ALL_CHECKS_EXECUTED".into(),
                    results: data["capabilities"].clone(),
                }),
            }
        );
        // What is not execution state stays in the data; the rest is gone from it.
        let p = store.get_process(&t, id).await.unwrap();
        assert_eq!(p.data, serde_json::json!({"kept": 1}));
        // A process with no details (another API's) has none, and keeps its data.
        assert!(
            store
                .process_details(&t, Uuid::now_v7())
                .await
                .unwrap()
                .is_none()
        );
    }
}
