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

use super::context::{Ctx, reference};
use super::mapping::{self, EXECUTION, Execution, NAMESPACE};
use super::parts;
use super::wire::{Callback, CapabilityResult, Category, CredentialRef, Decision, DecisionDetails};
use crate::error::Error;
use crate::media::MediaType;
use crate::model::{Namespace, Process, ProcessStatus, StoredFile, TenantId};
use crate::state::AppState;
use crate::store::NewEvent;

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
    if super::required::missing(c, kind, files).is_some() {
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
    subject: Uuid,
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
            let doc = parts::credential_document(state, tenant, subject, c.doc()).await?;
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
    let mut record = super::record::record_of(state, process).await?;
    let mut caps: BTreeMap<String, Vec<CapabilityResult>> = BTreeMap::new();
    let mut push =
        |name: &str, r: CapabilityResult| caps.entry(name.to_owned()).or_default().push(r);
    let has = |cat: Category| record.credentials.iter().any(|c| c.category == cat);
    for c in &record.credentials {
        // A document deleted through another API reads as one with no parts.
        let subject = process.subject_id;
        let files = parts::files_of(state, tenant, subject, c).await?;
        let kind = parts::credential_document(state, tenant, subject, c.doc())
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
        if let Some(r) = declared_data_checks(state, tenant, process.subject_id, c).await? {
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
    Ok(record)
}

/// The outbox topic of Jumio's callbacks.
pub const CALLBACKS: &str = "jumio.callback";

/// Processes a finalized execution in the background and records the result together with
/// its callback (in the outbox); the request that finalized it does not wait.
pub fn spawn(state: AppState, ctx: Arc<Ctx>, tenant: TenantId, id: Uuid) {
    tokio::spawn(async move {
        let run = async {
            let p = state.store.get_process(&tenant, id).await?;
            let record = process(&state, &tenant, &p).await?;
            finish(&state, &ctx, &p, ProcessStatus::Completed, &record).await
        };
        match run.await {
            // Processed by another run meanwhile (a re-run of a stalled execution).
            Ok(()) | Err(Error::Conflict(_)) => {}
            Err(e) => crate::adapters::common::log_internal("jumio", &e),
        }
    });
}

/// Moves an execution to its final status `next` and stores its outcome (once processed)
/// and its callback (if it has a callback URL) in the same transaction, then wakes this
/// node's deliverer.
async fn finish(
    state: &AppState,
    ctx: &Ctx,
    p: &Process,
    next: ProcessStatus,
    record: &Execution,
) -> Result<(), Error> {
    let now = Utc::now();
    let event = callback(ctx, p, next, now, record)?;
    state
        .store
        .transition_announced(
            &p.tenant,
            p.id,
            next,
            now,
            record.outcome()?.as_ref(),
            event.as_ref(),
        )
        .await?;
    if event.is_some() {
        ctx.outbox.wake();
    }
    Ok(())
}

/// The callback announcing that `p` became `next`, if its execution has a callback URL.
/// Its body is fixed when the execution finishes: every attempt sends the same bytes, with
/// `callbackSentAt` the moment it was queued.
fn callback(
    ctx: &Ctx,
    p: &Process,
    next: ProcessStatus,
    now: chrono::DateTime<Utc>,
    record: &Execution,
) -> Result<Option<NewEvent>, Error> {
    let Some(url) = record.callback_url.clone() else {
        return Ok(None);
    };
    let mut after = p.clone();
    after.status = next;
    after.updated_at = now;
    let (account, workflow_execution) = reference(ctx, &after, record);
    let body = Callback {
        callback_sent_at: mapping::timestamp(now),
        user_reference: record.user_reference.clone(),
        workflow_execution,
        account,
    };
    Ok(Some(NewEvent {
        topic: CALLBACKS,
        url,
        body: serde_json::to_string(&body).map_err(Error::internal)?,
    }))
}

/// Delivers this node's share of the callbacks in the outbox (see `crate::jobs::outbox`).
pub fn spawn_deliverer(state: &AppState, ctx: &Ctx) {
    let cfg = &state.config.adapters.jumio;
    let policy = crate::jobs::outbox::Policy {
        topic: CALLBACKS,
        client: ctx.http.clone(),
        attempts: cfg.callback_attempts,
        backoff: Duration::from_millis(cfg.callback_backoff_ms),
        claim: Duration::from_secs(cfg.callback_claim_secs),
        poll: Duration::from_millis(cfg.callback_poll_ms),
    };
    crate::jobs::outbox::deliver(state.store.clone(), policy, ctx.outbox.clone());
}

/// Announces executions that expired before they were finalized (records the expiry with
/// its callback) and processes again those finalized but never processed. Runs every
/// `sweep_interval_secs` on one node at a time (a lease in the store); reads never depend
/// on it.
pub fn spawn_sweeper(state: AppState, ctx: Arc<Ctx>) {
    let every = Duration::from_secs(state.config.adapters.jumio.sweep_interval_secs);
    let store = state.store.clone();
    crate::jobs::periodic(store, "jumio.executions", every, move || {
        sweep(state.clone(), ctx.clone())
    });
}

/// One round of the sweep.
async fn sweep(state: AppState, ctx: Arc<Ctx>) {
    let ns = Namespace::new(NAMESPACE).expect("a valid namespace literal");
    let due = match state
        .store
        .expired_open_processes(&ns, EXECUTION, Utc::now(), 100)
        .await
    {
        Ok(d) => d,
        Err(e) => return crate::adapters::common::log_internal("jumio", &e),
    };
    // Executions finalized but never processed (an error, or a node dying in between) are
    // processed again; the transition to PROCESSED happens at most once.
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
            let record = super::record::record_of(&state, &p).await?;
            finish(&state, &ctx, &p, ProcessStatus::Expired, &record).await
        };
        match expire.await {
            // Another writer got there first (a finalize, an action extending the session),
            // or the execution was deleted meanwhile.
            Ok(()) | Err(Error::Conflict(_) | Error::NotFound(_)) => {}
            Err(e) => crate::adapters::common::log_internal("jumio", &e),
        }
    }
}
