//! The credentials a process collects (a Jumio workflow execution's ID, SELFIE, DOCUMENT…
//! credentials), one row each, and the page numbers handed out for them.
//!
//! The store reads and writes them; it does not interpret the vendor's `category` or
//! `id_types` text, nor the free-form `prefill` and `prepared` JSON.

use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use super::{Store, Tx, db};
use crate::error::{Error, Result};
use crate::model::TenantId;

/// One credential of a process.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcessCredential {
    /// Its id (the id of the document it started with, when it holds one).
    pub id: Uuid,
    /// The process collecting it.
    pub process_id: Uuid,
    /// Its place in the process's list, from 0.
    pub position: u32,
    /// The vendor's category of credential, as the vendor writes it.
    pub category: String,
    /// The vendor's document types requested for it.
    pub id_types: Vec<String>,
    /// The document holding its parts; `None` for a credential that holds none.
    pub document_id: Option<Uuid>,
    /// The document its prepared data declared, if any.
    pub data_document_id: Option<Uuid>,
    /// Captured before, referenced by this process only: it takes no parts here.
    pub reused: bool,
    /// The highest page number ever handed out (pages are never renumbered or reused).
    pub last_page: u16,
    /// Personal data the caller prefilled, as sent.
    pub prefill: Option<serde_json::Value>,
    /// Prepared data, as sent.
    pub prepared: Option<serde_json::Value>,
}

pub(super) const COLUMNS: &str = "id, process_id, position, category, id_types, document_id, data_document_id, \
                       reused, last_page, prefill, prepared";

pub(super) fn credential_from_row(r: &db::Row) -> Result<ProcessCredential> {
    let uuid = |c: &str| -> Result<Option<Uuid>> {
        r.try_get::<Option<String>, _>(c)?
            .as_deref()
            .map(db::uuid)
            .transpose()
    };
    let json = |c: &str| -> Result<Option<serde_json::Value>> {
        r.try_get::<Option<String>, _>(c)?
            .as_deref()
            .map(db::json)
            .transpose()
    };
    Ok(ProcessCredential {
        id: db::uuid(r.try_get("id")?)?,
        process_id: db::uuid(r.try_get("process_id")?)?,
        position: r.try_get::<i64, _>("position")? as u32,
        category: r.try_get("category")?,
        id_types: db::json(r.try_get("id_types")?)?,
        document_id: uuid("document_id")?,
        data_document_id: uuid("data_document_id")?,
        reused: r.try_get::<i64, _>("reused")? != 0,
        last_page: u16::try_from(r.try_get::<i64, _>("last_page")?).map_err(Error::internal)?,
        prefill: json("prefill")?,
        prepared: json("prepared")?,
    })
}

impl Store {
    /// A process's credentials, in their order.
    pub async fn process_credentials(
        &self,
        tenant: &TenantId,
        process_id: Uuid,
    ) -> Result<Vec<ProcessCredential>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM process_credentials WHERE tenant = $1 AND process_id = $2 ORDER BY position"
        )))
        .bind(tenant.as_str())
        .bind(process_id.to_string())
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter().map(credential_from_row).collect()
    }
}

impl Tx {
    /// A process's credentials, in their order.
    pub async fn credentials(
        &mut self,
        tenant: &TenantId,
        process_id: Uuid,
    ) -> Result<Vec<ProcessCredential>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM process_credentials WHERE tenant = $1 AND process_id = $2 ORDER BY position"
        )))
        .bind(tenant.as_str())
        .bind(process_id.to_string())
        .fetch_all(self.conn())
        .await?;
        rows.iter().map(credential_from_row).collect()
    }

    /// The credential with this id of a process; `NotFound("credential")` if it has none.
    pub async fn credential(
        &mut self,
        tenant: &TenantId,
        process_id: Uuid,
        id: Uuid,
    ) -> Result<ProcessCredential> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM process_credentials WHERE tenant = $1 AND process_id = $2 AND id = $3"
        )))
        .bind(tenant.as_str())
        .bind(process_id.to_string())
        .bind(id.to_string())
        .fetch_optional(self.conn())
        .await?
        .ok_or(Error::NotFound("credential"))?;
        credential_from_row(&row)
    }

    /// Adds a credential to a process (one of the same id or position is refused).
    pub async fn insert_credential(
        &mut self,
        tenant: &TenantId,
        c: &ProcessCredential,
    ) -> Result<()> {
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO process_credentials (tenant, {COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )))
        .bind(tenant.as_str())
        .bind(c.id.to_string())
        .bind(c.process_id.to_string())
        .bind(i64::from(c.position))
        .bind(&c.category)
        .bind(db::to_json(&c.id_types)?)
        .bind(c.document_id.map(|d| d.to_string()))
        .bind(c.data_document_id.map(|d| d.to_string()))
        .bind(i64::from(c.reused))
        .bind(i64::from(c.last_page))
        .bind(c.prefill.as_ref().map(db::to_json).transpose()?)
        .bind(c.prepared.as_ref().map(db::to_json).transpose()?)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Writes what changes of a credential: its documents, prefill and prepared data. The
    /// page counter moves only through [`Tx::claim_pages`].
    pub async fn update_credential(
        &mut self,
        tenant: &TenantId,
        c: &ProcessCredential,
    ) -> Result<()> {
        let updated = sqlx::query(
            "UPDATE process_credentials SET document_id = $1, data_document_id = $2, prefill = $3, prepared = $4 \
             WHERE tenant = $5 AND process_id = $6 AND id = $7",
        )
        .bind(c.document_id.map(|d| d.to_string()))
        .bind(c.data_document_id.map(|d| d.to_string()))
        .bind(c.prefill.as_ref().map(db::to_json).transpose()?)
        .bind(c.prepared.as_ref().map(db::to_json).transpose()?)
        .bind(tenant.as_str())
        .bind(c.process_id.to_string())
        .bind(c.id.to_string())
        .execute(self.conn())
        .await?;
        if updated.rows_affected() == 0 {
            return Err(Error::NotFound("credential"));
        }
        Ok(())
    }

    /// Hands out the next `n` page numbers of a credential, after the highest ever given
    /// and after `in_use` (the highest page on file, which another API may have stored),
    /// and returns the first. Each number is recorded; the database refuses one given twice
    /// (a conflict), so a number is never reused, whoever asks.
    pub async fn claim_pages(&mut self, c: &ProcessCredential, in_use: u16, n: u16) -> Result<u16> {
        let first = c
            .last_page
            .max(in_use)
            .checked_add(1)
            .filter(|f| f.checked_add(n).is_some())
            .ok_or_else(|| Error::invalid("file", "too many pages"))?;
        for page in first..first + n {
            let added = sqlx::query(
                "INSERT INTO process_pages (process_id, credential_id, page) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(c.process_id.to_string())
            .bind(c.id.to_string())
            .bind(i64::from(page))
            .execute(self.conn())
            .await?;
            if added.rows_affected() == 0 {
                return Err(Error::Conflict(format!("page {page} was given before")));
            }
        }
        sqlx::query(
            "UPDATE process_credentials \
             SET last_page = CASE WHEN last_page > $1 THEN last_page ELSE $1 END \
             WHERE process_id = $2 AND id = $3",
        )
        .bind(i64::from(first + n - 1))
        .bind(c.process_id.to_string())
        .bind(c.id.to_string())
        .execute(self.conn())
        .await?;
        Ok(first)
    }
}
