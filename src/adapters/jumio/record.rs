//! The execution record: an execution's process, its details' row and its credentials'
//! rows, read into one value, and Jumio's status of it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::wire::{CapabilityResult, Category, Decision, DecisionDetails, Status};
use crate::error::{Error, Result};
use crate::model::{Process, ProcessStatus};
use crate::store::{Outcome, ProcessCredential, ProcessDetails};

/// One credential of an execution, as kept in the process.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredCredential {
    /// Its id: the canonical document's id for ID, SELFIE and DOCUMENT credentials.
    pub id: Uuid,
    /// Its category.
    pub category: Category,
    /// Whether it holds a canonical document (ID, SELFIE, DOCUMENT).
    pub has_document: bool,
    /// The ID types requested, if any.
    #[serde(default)]
    pub id_types: Vec<String>,
    /// Prefilled personal data, as sent.
    #[serde(default)]
    pub prefill: Option<serde_json::Value>,
    /// Prepared data (DATA credentials), as sent.
    #[serde(default)]
    pub prepared_data: Option<serde_json::Value>,
    /// The canonical document the prepared data's `id` section became.
    #[serde(default)]
    pub data_document: Option<Uuid>,
    /// The document now holding the parts, when the first one (whose id is the credential's)
    /// was deleted through another API and a later part started a new one.
    #[serde(default)]
    pub document: Option<Uuid>,
    /// The highest page number ever given (pages are never renumbered or reused).
    #[serde(default)]
    pub last_page: u16,
    /// An existing credential the request referenced by id (workflow 5's ID "already on
    /// file"): no API channel, its parts were captured before.
    #[serde(default)]
    pub reused: bool,
}

impl StoredCredential {
    /// Reads a credential's row.
    pub fn from_row(c: &ProcessCredential) -> Result<StoredCredential> {
        let category = serde_json::from_value(serde_json::Value::String(c.category.clone()))
            .map_err(Error::internal)?;
        Ok(StoredCredential {
            id: c.id,
            category,
            has_document: c.document_id.is_some(),
            id_types: c.id_types.clone(),
            prefill: c.prefill.clone(),
            prepared_data: c.prepared.clone(),
            data_document: c.data_document_id,
            document: c.document_id.filter(|d| *d != c.id),
            last_page: c.last_page,
            reused: c.reused,
        })
    }

    /// The canonical document holding this credential's parts (ID, SELFIE, DOCUMENT).
    pub fn doc(&self) -> Option<Uuid> {
        self.has_document.then(|| self.document.unwrap_or(self.id))
    }

    /// The channels it can be captured through, as account create/update lists them: a
    /// reused credential was captured before (the guide's workflow 5 response shows none), a
    /// FACEMAP has no API channel, prepared data comes only through the API.
    pub fn channels(&self) -> Vec<&'static str> {
        match self.category {
            _ if self.reused => vec![],
            Category::Facemap => vec!["WEB", "SDK"],
            Category::Data => vec!["API"],
            _ => vec!["WEB", "API", "SDK"],
        }
    }
}

/// A workflow execution: its process, its details' row (`process_details`) and its
/// credentials' rows (`process_credentials`), read into one value. Nothing of it is kept
/// in the process's data.
#[derive(Clone, Debug)]
pub struct Execution {
    /// The workflow key.
    pub definition_key: u32,
    /// The customer's reference.
    pub customer_internal_reference: String,
    /// The customer's user reference.
    pub user_reference: Option<String>,
    /// Reporting criteria, as sent.
    pub reporting_criteria: Option<String>,
    /// Where the callback goes.
    pub callback_url: Option<String>,
    /// The credentials.
    pub credentials: Vec<StoredCredential>,
    /// When the first part arrived (the process's `started_at`).
    pub started_at: Option<DateTime<Utc>>,
    /// When processing finished.
    pub completed_at: Option<DateTime<Utc>>,
    /// The overall decision.
    pub decision: Option<Decision>,
    /// Each capability's results.
    pub capabilities: BTreeMap<String, Vec<CapabilityResult>>,
    /// When the execution's token expires (the session can never outlive it).
    pub token_expires_at: Option<DateTime<Utc>>,
    /// Web channel settings, as sent (`successUrl`, `errorUrl`, `locale`).
    pub web: Option<serde_json::Value>,
    /// `workflowDefinition.capabilities`, as sent: a capability asked for there that
    /// idbridge does not perform is reported `NOT_EXECUTED`.
    pub requested_capabilities: Option<serde_json::Value>,
    /// Consent details, as sent.
    pub user_consent: Option<serde_json::Value>,
}

impl Execution {
    /// Reads the record from a process, its details' row and its credentials' rows.
    pub fn read(
        p: &Process,
        d: ProcessDetails,
        credentials: &[ProcessCredential],
    ) -> Result<Execution> {
        let (completed_at, decision, capabilities) = match d.outcome {
            None => (None, None, BTreeMap::new()),
            Some(o) => (
                Some(o.completed_at),
                Some(Decision {
                    kind: o.decision,
                    details: DecisionDetails { label: o.label },
                }),
                serde_json::from_value(o.results).map_err(Error::internal)?,
            ),
        };
        Ok(Execution {
            definition_key: d.flow_key,
            customer_internal_reference: d.customer_reference,
            user_reference: d.user_reference,
            reporting_criteria: d.reporting_criteria,
            callback_url: d.callback_url,
            credentials: credentials
                .iter()
                .map(StoredCredential::from_row)
                .collect::<Result<_>>()?,
            started_at: p.started_at,
            completed_at,
            decision,
            capabilities,
            token_expires_at: d.token_expires_at,
            web: d.channel_settings,
            requested_capabilities: d.requested_checks,
            user_consent: d.consent,
        })
    }

    /// The record's row of details, as stored with its process (and, once processed, with
    /// its final transition).
    pub fn details(&self) -> Result<ProcessDetails> {
        Ok(ProcessDetails {
            flow_key: self.definition_key,
            customer_reference: self.customer_internal_reference.clone(),
            user_reference: self.user_reference.clone(),
            reporting_criteria: self.reporting_criteria.clone(),
            callback_url: self.callback_url.clone(),
            token_expires_at: self.token_expires_at,
            channel_settings: self.web.clone(),
            requested_checks: self.requested_capabilities.clone(),
            consent: self.user_consent.clone(),
            outcome: self.outcome()?,
        })
    }

    /// How processing ended, once it has: what the final transition stores.
    pub fn outcome(&self) -> Result<Option<Outcome>> {
        let (Some(completed_at), Some(d)) = (self.completed_at, &self.decision) else {
            return Ok(None);
        };
        Ok(Some(Outcome {
            completed_at,
            decision: d.kind.clone(),
            label: d.details.label.clone(),
            results: serde_json::to_value(&self.capabilities).map_err(Error::internal)?,
        }))
    }

    /// A `web` setting (`successUrl`, `errorUrl`, `locale`), when the request gave it.
    pub fn web_setting(&self, name: &str) -> Option<&str> {
        self.web.as_ref()?.get(name)?.as_str()
    }

    /// Whether the workflow is a KYX one (keys from 10000, those of the KYX guides).
    pub fn is_kyx(&self) -> bool {
        self.definition_key >= 10_000
    }

    /// The credential with this id.
    pub fn credential(&self, id: Uuid) -> Result<&StoredCredential> {
        self.credentials
            .iter()
            .find(|c| c.id == id)
            .ok_or(Error::NotFound("credential"))
    }
}

/// Jumio's status of a process at `now`. An execution that ran out of time is
/// `SESSION_EXPIRED` if it had started (a part arrived), `TOKEN_EXPIRED` otherwise.
pub fn status(p: &Process, e: &Execution, now: DateTime<Utc>) -> Status {
    process_status(p, p.started_at.or(e.started_at), now)
}

/// Jumio's status of a process at `now`, given when its first action happened.
pub fn process_status(p: &Process, started: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Status {
    match p.status_at(now) {
        ProcessStatus::Open => Status::Initiated,
        ProcessStatus::Submitted => Status::Acquired,
        ProcessStatus::Completed => Status::Processed,
        ProcessStatus::Expired | ProcessStatus::Cancelled => {
            if started.is_some() {
                Status::SessionExpired
            } else {
                Status::TokenExpired
            }
        }
    }
}

/// The record of an execution: its process and its credentials' rows.
pub(super) async fn record_of(
    state: &crate::state::AppState,
    p: &Process,
) -> Result<Execution, Error> {
    let details = state
        .store
        .process_details(&p.tenant, p.id)
        .await?
        // Written in one transaction with the process, so details missing after the process
        // was read mean a concurrent deletion took both: the execution is gone.
        .ok_or(Error::NotFound("workflow execution"))?;
    let credentials = state.store.process_credentials(&p.tenant, p.id).await?;
    Execution::read(p, details, &credentials)
}
