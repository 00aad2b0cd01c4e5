//! Documents past their retention period, for the retention job (`crate::jobs::retention`).

use chrono::{DateTime, Utc};
use sqlx::Row;
use uuid::Uuid;

use super::{Store, db};
use crate::error::Result;
use crate::model::{DocumentKind, TenantId};

/// A document the retention job deletes (or, in a dry run, would delete).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expired {
    /// The document.
    pub id: Uuid,
    /// Its subject.
    pub subject_id: Uuid,
    /// Its kind.
    pub kind: DocumentKind,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Up to `limit` documents of `kind` stored before `before`, oldest first, after the
    /// position `after` (`created_at`, id) of an earlier page. Served by the index
    /// `documents (tenant, kind, created_at, id)`.
    pub async fn expired_documents(
        &self,
        tenant: &TenantId,
        kind: DocumentKind,
        before: DateTime<Utc>,
        after: Option<(DateTime<Utc>, Uuid)>,
        limit: u32,
    ) -> Result<Vec<Expired>> {
        let (after_at, after_id) = after
            .map(|(t, id)| (db::millis(t), id.to_string()))
            .unwrap_or((i64::MIN, String::new()));
        let rows = sqlx::query(
            "SELECT id, subject_id, created_at FROM documents \
             WHERE tenant = $1 AND kind = $2 AND created_at < $3 \
               AND (created_at > $4 OR (created_at = $4 AND id > $5)) \
             ORDER BY created_at, id LIMIT $6",
        )
        .bind(tenant.as_str())
        .bind(kind.as_str())
        .bind(db::millis(before))
        .bind(after_at)
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Expired {
                    id: db::uuid(r.try_get("id")?)?,
                    subject_id: db::uuid(r.try_get("subject_id")?)?,
                    kind,
                    created_at: db::from_millis(r.try_get("created_at")?)?,
                })
            })
            .collect()
    }
}
