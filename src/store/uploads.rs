//! Loose files: files a subject stored without a document, waiting for a later request to
//! attach them (B2Core's `POST /api/v2/my/files`). An adapter marks the ones it hands out
//! with its extras namespace; the store caps how many of them a subject holds and deletes
//! the ones that were never attached in time. Attaching and deleting both require
//! `document_id IS NULL` inside their transaction, so a file is either attached or deleted,
//! never both.

use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::files::{StagedFile, insert_file};
use super::{Store, db};
use crate::error::{Error, Result};
use crate::model::{StoredFile, TenantId};

/// SQL condition selecting loose files whose extras carry the namespace bound as parameter
/// `$n`.
fn loose(engine: db::Engine, n: u8) -> String {
    format!("document_id IS NULL AND {}", engine.json_has("extras", n))
}

impl Store {
    /// How many files the subject holds without a document, marked with `ns`.
    pub async fn count_loose_files(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        ns: &str,
    ) -> Result<u32> {
        let n: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM files WHERE tenant = $1 AND subject_id = $2 AND {}",
            loose(self.inner.engine, 3)
        )))
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .bind(ns)
        .fetch_one(&self.inner.pool)
        .await?;
        Ok(n as u32)
    }

    /// Makes a staged file without a document visible, unless its subject already holds
    /// `cap` loose files marked with `ns` (`LimitExceeded`, and the staged blob is removed).
    /// Count and insert share one write transaction, so concurrent uploads cannot pass the
    /// cap together.
    pub async fn commit_loose_file(
        &self,
        tenant: &TenantId,
        staged: StagedFile,
        ns: &str,
        cap: u32,
    ) -> Result<StoredFile> {
        let f = staged.file();
        if f.tenant != *tenant || f.document_id.is_some() || !f.extras.contains_key(ns) {
            return Err(Error::internal(
                "not a loose file of this tenant and namespace",
            ));
        }
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let held: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM files WHERE tenant = $1 AND subject_id = $2 AND {}",
            loose(self.inner.engine, 3)
        )))
        .bind(tenant.as_str())
        .bind(f.subject_id.to_string())
        .bind(ns)
        .fetch_one(&mut *tx)
        .await?;
        if held >= i64::from(cap) {
            return Err(Error::LimitExceeded {
                what: "unused uploads",
                limit: cap.into(),
            });
        }
        insert_file(&mut tx, self, &staged).await?;
        tx.commit().await?;
        let file = staged.committed();
        self.add_bytes_in(file.size);
        Ok(file)
    }

    /// Deletes the loose files marked with `ns` stored before `cutoff` (of one subject when
    /// `only` is given, else of every tenant): their keys go with the rows, then the blobs.
    /// Returns how many were deleted.
    pub async fn delete_loose_files_before(
        &self,
        ns: &str,
        cutoff: DateTime<Utc>,
        only: Option<(&TenantId, Uuid)>,
    ) -> Result<usize> {
        let (owner, tenant, subject) = match only {
            Some((t, s)) => (
                " AND tenant = $3 AND subject_id = $4",
                t.as_str().to_owned(),
                s.to_string(),
            ),
            None => ("", String::new(), String::new()),
        };
        let condition = format!("{} AND created_at < $2{owner}", loose(self.inner.engine, 1));
        let select_sql = format!("SELECT blob_key FROM files WHERE {condition}");
        let delete_sql = format!("DELETE FROM files WHERE {condition}");
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let mut select = sqlx::query_scalar::<_, String>(AssertSqlSafe(select_sql.as_str()))
            .bind(ns)
            .bind(db::millis(cutoff));
        let mut delete = sqlx::query(AssertSqlSafe(delete_sql.as_str()))
            .bind(ns)
            .bind(db::millis(cutoff));
        if only.is_some() {
            select = select.bind(tenant.clone()).bind(subject.clone());
            delete = delete.bind(tenant).bind(subject);
        }
        let keys = select.fetch_all(&mut *tx).await?;
        if keys.is_empty() {
            return Ok(0);
        }
        delete.execute(&mut *tx).await?;
        tx.commit().await?;
        let n = keys.len();
        self.shredded(keys).await;
        Ok(n)
    }
}
