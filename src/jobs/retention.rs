//! The retention job: documents older than their tenant's period for their kind
//! (`tenants[].retention`) are deleted with their files, which crypto-shreds them (the
//! wrapped data keys go with the rows, then the blobs), exactly as a vendor's delete does.
//! Runs every `storage.retention_interval_secs` on one node at a time (lease `retention`);
//! [`run`] with `dry_run` reports what the next run would delete, deleting nothing. Each
//! deletion is an audit event (API `retention`, credential `job:retention`).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::audit::Scope;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::TenantId;
use crate::store::{Expired, Store};

/// Documents read (and deleted) per query.
const BATCH: u32 = 200;

/// One tenant's document the run deleted or would delete.
#[derive(Clone, Debug)]
pub struct Due {
    /// The tenant.
    pub tenant: TenantId,
    /// The document.
    pub document: Expired,
}

/// Documents one job run deletes at most; the job runs again at once while runs are full.
const PER_RUN: usize = 10_000;

/// One pass as at `now`: documents past their period, per tenant and kind, deleted (unless
/// `dry_run`), at most `limit` of them. `only` limits it to one tenant. A document deleted
/// meanwhile by a client is skipped. Answers the documents, oldest first per tenant and kind.
pub async fn run(
    store: &Store,
    config: &Config,
    now: DateTime<Utc>,
    only: Option<&TenantId>,
    dry_run: bool,
    limit: usize,
) -> Result<Vec<Due>> {
    let mut due = Vec::new();
    for t in &config.tenants {
        let tenant = TenantId::new(&t.id)?;
        if only.is_some_and(|o| *o != tenant) {
            continue;
        }
        for rule in t.retention_rules() {
            let keep = chrono::Duration::from_std(rule.keep).map_err(Error::internal)?;
            let before = now - keep;
            let mut after = None;
            loop {
                let page = store
                    .expired_documents(&tenant, rule.kind, before, after, BATCH)
                    .await?;
                let Some(last) = page.last() else { break };
                after = Some((last.created_at, last.id));
                let full = page.len() == BATCH as usize;
                for document in page {
                    if due.len() == limit {
                        return Ok(due);
                    }
                    if !dry_run {
                        // Each deletion is an audit event of the tenant's, committed with it.
                        let scope = Scope::new(
                            "retention",
                            format!("delete expired {}", rule.kind.as_str()),
                        );
                        let deleted = crate::audit::within(scope, async {
                            crate::audit::credential(&tenant, "job:retention".to_owned());
                            store.delete_document(&tenant, document.id).await
                        });
                        match deleted.await {
                            Ok(()) | Err(Error::NotFound(_)) => {}
                            Err(e) => return Err(e),
                        }
                    }
                    due.push(Due {
                        tenant: tenant.clone(),
                        document,
                    });
                }
                if !full {
                    break;
                }
            }
        }
    }
    Ok(due)
}

/// Starts the periodic job when any tenant has a rule.
pub fn spawn(store: Store, config: std::sync::Arc<Config>) {
    if config.tenants.iter().all(|t| t.retention.is_empty()) {
        return;
    }
    let every = Duration::from_secs(config.storage.retention_interval_secs.max(1));
    super::periodic(store.clone(), "retention", every, move || {
        let (store, config) = (store.clone(), config.clone());
        async move {
            loop {
                match run(&store, &config, Utc::now(), None, false, PER_RUN).await {
                    Ok(due) => {
                        if !due.is_empty() {
                            tracing::info!(
                                deleted = due.len(),
                                "retention: documents past their period deleted"
                            );
                        }
                        if due.len() < PER_RUN {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e.chain(), "retention run failed; the next run retries");
                        break;
                    }
                }
            }
        }
    });
}
