//! Processing a finalized execution with the checks idbridge really makes, the callback, and
//! the sweep that announces expired executions.
//!
//! What is checked: that each credential's parts are all there and are what Jumio accepts
//! (`usability`), and idbridge's own `declaredDataChecks`: prepared data complete and well
//! formed, and a declared (prefilled or prepared) document expiry not passed. Image
//! forensics, data extraction, Jumio's `dataChecks` (which check extracted data), liveness,
//! similarity, authentication and screening are not performed: every capability the guide
//! lists for the workflow key that idbridge does not perform is reported `NOT_EXECUTED`,
//! and the overall decision is then never `PASSED`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use super::accounts::Ctx;
use super::mapping::{self, EXECUTION, Execution, NAMESPACE};
use super::parts;
use super::wire::{Callback, CapabilityResult, Category, CredentialRef, Decision, DecisionDetails};
use crate::error::Error;
use crate::media::MediaType;
use crate::model::{Namespace, Process, ProcessStatus, StoredFile, TenantId};
use crate::state::AppState;

/// The label of a capability idbridge does not perform.
pub const NOT_PERFORMED: &str = "NOT_PERFORMED_BY_IDBRIDGE";

/// idbridge's own check of the data the customer declared (prefill, prepared data); not
/// Jumio's `dataChecks`, which checks data extracted from the images.
pub const DECLARED_DATA_CHECKS: &str = "declaredDataChecks";

fn decision(kind: &str, label: &str) -> Decision {
    Decision {
        kind: kind.into(),
        details: DecisionDetails {
            label: label.into(),
        },
    }
}

fn result(
    c: &mapping::StoredCredential,
    d: Decision,
    data: Option<serde_json::Value>,
) -> CapabilityResult {
    CapabilityResult {
        id: Uuid::now_v7(),
        credentials: vec![CredentialRef {
            id: c.id,
            category: c.category,
        }],
        decision: d,
        data,
    }
}

/// Usability: every part the credential needs is there and is what Jumio accepts.
fn usability(
    c: &mapping::StoredCredential,
    kind: Option<crate::model::DocumentKind>,
    files: &[StoredFile],
) -> Decision {
    if c.category == Category::Facemap {
        return decision("NOT_EXECUTED", "NOT_UPLOADED");
    }
    if super::finalize::missing(c, kind, files).is_some() {
        return decision("REJECTED", "MISSING_PAGE");
    }
    let doc = c.doc();
    let acceptable = files
        .iter()
        .filter(|f| doc.is_some() && f.document_id == doc)
        .all(|f| {
            // Files stored through other APIs passed their own rules, not Jumio's.
            let image = matches!(f.media_type, MediaType::Jpeg | MediaType::Png)
                && f.size <= mapping::MAX_PART_SIZE
                && matches!((f.width, f.height), (Some(w), Some(h))
                    if w <= mapping::MAX_SIDE && h <= mapping::MAX_SIDE
                        && w.max(h) > mapping::MIN_LONGEST_SIDE);
            image || (c.category == Category::Document && f.media_type == MediaType::Pdf)
        });
    if acceptable {
        decision("PASSED", "OK")
    } else {
        // A part stored through another API that Jumio would not have taken.
        decision("REJECTED", "BAD_QUALITY")
    }
}

/// idbridge's checks of declared data: prepared data complete and well formed, a declared
/// expiry not passed. Only the current data counts: the prepared data as it now stands, the
/// ID credential's document as it now is (none when deleted through another API).
async fn declared_data_checks(
    state: &AppState,
    tenant: &TenantId,
    c: &mapping::StoredCredential,
) -> Result<Option<CapabilityResult>, Error> {
    let today = Utc::now().date_naive();
    let expired = |expiry: NaiveDate, data: serde_json::Value, d: Decision| {
        if expiry < today {
            result(c, decision("REJECTED", "DOCUMENT_EXPIRED"), Some(data))
        } else {
            result(c, d, Some(data))
        }
    };
    match c.category {
        Category::Data => {
            let Some(data) = &c.prepared_data else {
                return Ok(Some(result(
                    c,
                    decision("NOT_EXECUTED", "PRECONDITION_NOT_FULFILLED"),
                    None,
                )));
            };
            let missing: Vec<&str> = ["firstName", "lastName", "dateOfBirth"]
                .into_iter()
                .filter(|k| {
                    data.get(*k)
                        .and_then(|v| v.as_str())
                        .is_none_or(|s| s.trim().is_empty())
                })
                .collect();
            let d = if missing.is_empty() {
                decision("PASSED", "OK")
            } else {
                decision("REJECTED", "MISSING_MANDATORY_DATAPOINTS")
            };
            let mut checked = json!({ "missing": missing });
            // Checked as a date when the data arrived.
            let expiry = data
                .pointer("/id/expiryDate")
                .and_then(|v| v.as_str())
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
            Ok(Some(match expiry {
                Some(e) => {
                    checked["expiryDate"] = json!(e.to_string());
                    expired(e, checked, d)
                }
                None => result(c, d, Some(checked)),
            }))
        }
        Category::Id => {
            let doc = parts::document_of(state, tenant, c.doc()).await?;
            Ok(Some(
                match doc.as_ref().and_then(|d| d.expires_on.map(|e| (d, e))) {
                    None => result(
                        c,
                        decision("NOT_EXECUTED", "PRECONDITION_NOT_FULFILLED"),
                        None,
                    ),
                    Some((doc, expiry)) => {
                        let data = json!({
                            "type": mapping::id_type_of(doc.kind),
                            "expiryDate": expiry.to_string(),
                        });
                        expired(expiry, data, decision("PASSED", "OK"))
                    }
                },
            ))
        }
        _ => Ok(None),
    }
}

/// Runs the checks on a finalized execution and records the results.
async fn process(
    state: &AppState,
    tenant: &TenantId,
    process: &Process,
) -> Result<Execution, Error> {
    let mut record = super::retrieval::record_of(state, process).await?;
    let files = state.store.list_files(tenant, process.subject_id).await?;
    let mut caps: BTreeMap<String, Vec<CapabilityResult>> = BTreeMap::new();
    let mut push =
        |name: &str, r: CapabilityResult| caps.entry(name.to_owned()).or_default().push(r);
    let has = |cat: Category| record.credentials.iter().any(|c| c.category == cat);
    for c in &record.credentials {
        // A document deleted through another API reads as one with no parts.
        let kind = parts::document_of(state, tenant, c.doc())
            .await?
            .map(|d| d.kind);
        if c.category != Category::Data {
            push("usability", result(c, usability(c, kind, &files), None));
        }
        if c.category == Category::Id {
            push(
                "imageChecks",
                result(c, decision("NOT_EXECUTED", NOT_PERFORMED), None),
            );
            push(
                "extraction",
                result(c, decision("NOT_EXECUTED", NOT_PERFORMED), None),
            );
            // Jumio's dataChecks check extracted data; extraction did not run.
            push(
                "dataChecks",
                result(
                    c,
                    decision("NOT_EXECUTED", "PRECONDITION_NOT_FULFILLED"),
                    None,
                ),
            );
        }
        if let Some(r) = declared_data_checks(state, tenant, c).await? {
            push(DECLARED_DATA_CHECKS, r);
        }
        if matches!(c.category, Category::Selfie | Category::Facemap) {
            push(
                "liveness",
                result(c, decision("NOT_EXECUTED", NOT_PERFORMED), None),
            );
            if has(Category::Id) {
                push(
                    "similarity",
                    result(c, decision("NOT_EXECUTED", NOT_PERFORMED), None),
                );
            }
        }
    }
    // Every other capability the guide lists for the key (a workflow with fewer credentials
    // than its description, say) and every further one it runs: not performed.
    let key = record.definition_key;
    // A capability the request configured (`workflowDefinition.capabilities`, e.g. the
    // guide's `watchlistScreening` on key 2) runs as far as idbridge is concerned: not at all.
    let configured: Vec<&'static str> = record
        .requested_capabilities
        .as_ref()
        .and_then(|c| c.as_object())
        .map(|c| {
            mapping::CONFIGURABLE
                .iter()
                .copied()
                .filter(|n| c.contains_key(*n))
                .collect()
        })
        .unwrap_or_default();
    let others = mapping::guide_capabilities(key)
        .iter()
        .chain(mapping::unperformed(key))
        .chain(&configured)
        .filter(|n| **n != "usability");
    for name in others {
        if caps.contains_key(*name) {
            continue;
        }
        caps.entry((*name).to_owned())
            .or_default()
            .push(CapabilityResult {
                id: Uuid::now_v7(),
                credentials: record
                    .credentials
                    .iter()
                    .map(|c| CredentialRef {
                        id: c.id,
                        category: c.category,
                    })
                    .collect(),
                decision: decision("NOT_EXECUTED", NOT_PERFORMED),
                data: None,
            });
    }
    let all: Vec<&Decision> = caps.values().flatten().map(|r| &r.decision).collect();
    let overall = if all.iter().any(|d| d.kind == "REJECTED") {
        decision("REJECTED", "REJECTED")
    } else if all.iter().any(|d| d.kind == "NOT_EXECUTED") {
        // Some capability did not run: the checks that ran passed, which is not a pass.
        decision("WARNING", "NOT_ALL_CHECKS_EXECUTED")
    } else {
        decision("PASSED", "PASSED")
    };
    record.capabilities = caps;
    record.decision = Some(overall);
    record.completed_at = Some(Utc::now());
    record.callback_queued = record.callback_url.is_some();
    Ok(record)
}

/// Processes a finalized execution in the background, then sends its callback; the request
/// that finalized it does not wait.
pub fn spawn(state: AppState, ctx: Arc<Ctx>, tenant: TenantId, id: Uuid) {
    tokio::spawn(async move {
        let run = async {
            let p = state.store.get_process(&tenant, id).await?;
            let record = process(&state, &tenant, &p).await?;
            let done = state
                .store
                .transition_process(
                    &tenant,
                    id,
                    ProcessStatus::Completed,
                    Utc::now(),
                    Some(record.to_data()?),
                )
                .await?;
            send(&state, &ctx, &done, &record);
            Ok::<_, Error>(())
        };
        match run.await {
            // Processed by another run meanwhile (a re-run of a stalled execution).
            Ok(()) | Err(Error::Conflict(_)) => {}
            Err(e) => crate::adapters::common::log_internal("jumio", &e),
        }
    });
}

/// Sends the callback of a final execution, if it has a callback URL, retrying with
/// backoff in the background.
fn send(state: &AppState, ctx: &Arc<Ctx>, p: &Process, record: &Execution) {
    let Some(url) = record.callback_url.clone() else {
        return;
    };
    let (account, workflow_execution) = super::retrieval::reference(ctx, p, record);
    let body = Callback {
        callback_sent_at: mapping::timestamp(Utc::now()),
        user_reference: record.user_reference.clone(),
        workflow_execution,
        account,
    };
    let cfg = state.config.adapters.jumio.clone();
    let client = ctx.http.clone();
    tokio::spawn(async move {
        let mut wait = Duration::from_millis(cfg.callback_backoff_ms);
        for attempt in 1..=cfg.callback_attempts {
            let sent = client.post(&url).json(&body).send().await;
            match sent {
                Ok(r) if r.status().is_success() => return,
                Ok(r) => tracing::warn!(
                    attempt,
                    status = r.status().as_u16(),
                    "jumio callback refused"
                ),
                Err(e) => {
                    tracing::warn!(attempt, error = %e.without_url(), "jumio callback failed")
                }
            }
            if attempt < cfg.callback_attempts {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
        tracing::error!(attempts = cfg.callback_attempts, "jumio callback given up");
    });
}

/// Announces executions that expired before they were finalized: records the expiry and
/// sends the callback. Runs every `sweep_interval_secs`; reads never depend on it.
pub fn spawn_sweeper(state: AppState, ctx: Arc<Ctx>) {
    let every = Duration::from_secs(state.config.adapters.jumio.sweep_interval_secs);
    tokio::spawn(async move {
        let ns = Namespace::new(NAMESPACE).expect("a valid namespace literal");
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let due = match state
                .store
                .expired_open_processes(&ns, EXECUTION, Utc::now(), 100)
                .await
            {
                Ok(d) => d,
                Err(e) => {
                    crate::adapters::common::log_internal("jumio", &e);
                    continue;
                }
            };
            // Executions finalized but never processed (an error, or a restart in between)
            // are processed again; the transition to PROCESSED happens at most once.
            let stalled = state
                .store
                .stalled_processes(
                    &ns,
                    EXECUTION,
                    ProcessStatus::Submitted,
                    Utc::now() - chrono::Duration::seconds(60),
                    100,
                )
                .await;
            match stalled {
                Ok(list) => {
                    for p in list {
                        spawn(state.clone(), ctx.clone(), p.tenant.clone(), p.id);
                    }
                }
                Err(e) => crate::adapters::common::log_internal("jumio", &e),
            }
            for p in due {
                let expire = async {
                    let mut record = super::retrieval::record_of(&state, &p).await?;
                    record.callback_queued = record.callback_url.is_some();
                    let done = state
                        .store
                        .transition_process(
                            &p.tenant,
                            p.id,
                            ProcessStatus::Expired,
                            Utc::now(),
                            Some(record.to_data()?),
                        )
                        .await?;
                    send(&state, &ctx, &done, &record);
                    Ok::<_, Error>(())
                };
                match expire.await {
                    // Another writer got there first (a finalize, an action extending the
                    // session), or the execution was deleted meanwhile.
                    Ok(()) | Err(Error::Conflict(_) | Error::NotFound(_)) => {}
                    Err(e) => crate::adapters::common::log_internal("jumio", &e),
                }
            }
        }
    });
}
