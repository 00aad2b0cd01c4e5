//! Processing a finalized execution with the checks idbridge really makes, the callback, and
//! the sweep that announces expired executions.
//!
//! What is checked: that each credential's parts are all there and are what Jumio accepts
//! (usability), that prepared data is complete and well formed, and that a document whose
//! expiry is known has not expired (dataChecks). Image forensics, data extraction, liveness,
//! similarity, authentication and screening are not performed: those capabilities are
//! reported `NOT_EXECUTED`, and the overall decision says so.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
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
    if parts::missing(c, kind, files).is_some() {
        return decision("REJECTED", "MISSING_PAGE");
    }
    let doc = if c.has_document { Some(c.id) } else { None };
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

/// Data checks: prepared data complete and well formed; a known expiry not passed.
async fn data_checks(
    state: &AppState,
    tenant: &TenantId,
    c: &mapping::StoredCredential,
) -> Result<Option<CapabilityResult>, Error> {
    let today = Utc::now().date_naive();
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
            if let Some(doc) = c.data_document {
                let doc = state.store.get_document(tenant, doc).await?;
                if let Some(expiry) = doc.expires_on {
                    checked["expiryDate"] = json!(expiry.to_string());
                    if expiry < today {
                        return Ok(Some(result(
                            c,
                            decision("REJECTED", "DOCUMENT_EXPIRED"),
                            Some(checked),
                        )));
                    }
                }
            }
            Ok(Some(result(c, d, Some(checked))))
        }
        Category::Id => {
            let doc = state.store.get_document(tenant, c.id).await?;
            Ok(Some(match doc.expires_on {
                None => result(
                    c,
                    decision("NOT_EXECUTED", "PRECONDITION_NOT_FULFILLED"),
                    None,
                ),
                Some(expiry) => {
                    let data = Some(json!({
                        "type": mapping::id_type_of(doc.kind),
                        "expiryDate": expiry.to_string(),
                    }));
                    if expiry < today {
                        result(c, decision("REJECTED", "DOCUMENT_EXPIRED"), data)
                    } else {
                        result(c, decision("PASSED", "OK"), data)
                    }
                }
            }))
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
    let mut record = Execution::from_process(process)?;
    let files = state.store.list_files(tenant, process.subject_id).await?;
    let mut caps: BTreeMap<String, Vec<CapabilityResult>> = BTreeMap::new();
    let mut push =
        |name: &str, r: CapabilityResult| caps.entry(name.to_owned()).or_default().push(r);
    let has = |cat: Category| record.credentials.iter().any(|c| c.category == cat);
    for c in &record.credentials {
        let kind = if c.has_document {
            Some(state.store.get_document(tenant, c.id).await?.kind)
        } else {
            None
        };
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
        }
        if let Some(r) = data_checks(state, tenant, c).await? {
            push("dataChecks", r);
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
    for name in mapping::unperformed(record.definition_key) {
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
                    let mut record = Execution::from_process(&p)?;
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
