//! Processes: vendor flows with a lifecycle around documents (a Jumio workflow execution,
//! a MasStack identification).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::subject::{Namespace, TenantId};
use crate::error::{Error, Result};

/// Where a process is in its lifecycle.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ProcessStatus {
    /// Started; input may still arrive (Jumio INITIATED, MasStack open).
    Open,
    /// Input is complete and handed in (Jumio ACQUIRED).
    Submitted,
    /// Finished (Jumio PROCESSED, MasStack closed).
    Completed,
    /// Ran out of time before it finished.
    Expired,
    /// Stopped on request.
    Cancelled,
}

impl ProcessStatus {
    /// Whether a process may move from `self` to `next`.
    pub fn can_become(self, next: ProcessStatus) -> bool {
        use ProcessStatus::*;
        matches!(
            (self, next),
            (Open, Submitted | Completed | Expired | Cancelled) | (Submitted, Completed)
        )
    }

    /// Whether no further transition is possible.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            ProcessStatus::Completed | ProcessStatus::Expired | ProcessStatus::Cancelled
        )
    }

    /// The stable text form.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Parses the text form.
    pub fn parse(s: &str) -> Result<Self> {
        s.parse()
            .map_err(|_| Error::invalid("status", format!("unknown value {s:?}")))
    }
}

/// A vendor flow around a subject's documents.
#[derive(Clone, Debug, PartialEq)]
pub struct Process {
    /// Canonical id.
    pub id: Uuid,
    /// Owning tenant.
    pub tenant: TenantId,
    /// The subject it is about.
    pub subject_id: Uuid,
    /// The vendor namespace that runs it.
    pub namespace: Namespace,
    /// What sort of flow it is in that vendor's terms (e.g. `workflow_execution`).
    pub kind: String,
    /// Stored status (see [`Process::status_at`] for the effective one).
    pub status: ProcessStatus,
    /// When an open process stops accepting input.
    pub expires_at: Option<DateTime<Utc>>,
    /// Vendor state that only that vendor's adapter reads.
    pub data: serde_json::Value,
    /// When the first action on it happened (none yet: `None`).
    pub started_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Process {
    /// The status at `now`: an open process past its expiry is expired, with no background
    /// job needed to say so.
    pub fn status_at(&self, now: DateTime<Utc>) -> ProcessStatus {
        match (self.status, self.expires_at) {
            (ProcessStatus::Open, Some(t)) if t <= now => ProcessStatus::Expired,
            (s, _) => s,
        }
    }
}

/// What a caller gives to start a process.
#[derive(Clone, Debug)]
pub struct NewProcess {
    /// The subject.
    pub subject_id: Uuid,
    /// The vendor namespace.
    pub namespace: Namespace,
    /// The flow's kind.
    pub kind: String,
    /// Expiry of the open phase.
    pub expires_at: Option<DateTime<Utc>>,
    /// Vendor state.
    pub data: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProcessStatus::*;

    #[test]
    fn transitions_follow_the_lifecycle() {
        assert!(Open.can_become(Submitted));
        assert!(Submitted.can_become(Completed));
        assert!(!Completed.can_become(Open));
        assert!(!Expired.can_become(Completed));
        assert!(!Submitted.can_become(Expired));
    }

    #[test]
    fn open_processes_expire_lazily() {
        let now = Utc::now();
        let p = Process {
            id: Uuid::now_v7(),
            tenant: TenantId::new("t").unwrap(),
            subject_id: Uuid::now_v7(),
            namespace: Namespace::new("jumio").unwrap(),
            kind: "workflow_execution".into(),
            status: Open,
            expires_at: Some(now - chrono::Duration::seconds(1)),
            data: serde_json::Value::Null,
            started_at: None,
            created_at: now,
            updated_at: now,
        };
        assert_eq!(p.status_at(now), Expired);
        assert_eq!(
            Process {
                status: Submitted,
                ..p.clone()
            }
            .status_at(now),
            Submitted
        );
        assert_eq!(ProcessStatus::parse(Open.as_str()).unwrap(), Open);
    }
}
