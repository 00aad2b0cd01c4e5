//! Documents: create, read, update, delete.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use super::{Store, db};
use crate::error::{Error, Result};
use crate::model::{
    Category, CountryCode, Document, DocumentKind, DocumentPatch, TenantId, ValidNewDocument,
};

pub(super) const COLUMNS: &str = "id, seq, subject_id, kind, category, number, issuing_country, issuing_authority, \
                       issued_on, expires_on, personal, extras, file_count, created_at, updated_at, written_by";

fn date(v: Option<String>) -> Result<Option<NaiveDate>> {
    v.map(|s| s.parse().map_err(Error::internal)).transpose()
}

pub(super) fn document_from_row(tenant: &TenantId, r: &db::Row) -> Result<Document> {
    let country: Option<String> = r.try_get("issuing_country")?;
    Ok(Document {
        id: db::uuid(r.try_get("id")?)?,
        seq: r.try_get("seq")?,
        tenant: tenant.clone(),
        subject_id: db::uuid(r.try_get("subject_id")?)?,
        kind: DocumentKind::parse(r.try_get("kind")?).map_err(Error::internal)?,
        category: Category::parse(r.try_get("category")?).map_err(Error::internal)?,
        number: r.try_get("number")?,
        issuing_country: country
            .map(|c| CountryCode::new(&c))
            .transpose()
            .map_err(Error::internal)?,
        issuing_authority: r.try_get("issuing_authority")?,
        issued_on: date(r.try_get("issued_on")?)?,
        expires_on: date(r.try_get("expires_on")?)?,
        personal: db::json(r.try_get("personal")?)?,
        extras: db::json::<BTreeMap<String, serde_json::Value>>(r.try_get("extras")?)?,
        file_count: r.try_get::<i64, _>("file_count")? as u32,
        written_by: r.try_get("written_by")?,
        created_at: db::from_millis(r.try_get("created_at")?)?,
        updated_at: db::from_millis(r.try_get("updated_at")?)?,
    })
}

impl Store {
    /// Creates a document for a subject of this tenant.
    pub async fn create_document(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        new: ValidNewDocument,
    ) -> Result<Document> {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let doc = insert_document(&mut tx, tenant, subject_id, new).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// The document with this id in this tenant.
    pub async fn get_document(&self, tenant: &TenantId, id: Uuid) -> Result<Document> {
        let doc = fetch_document(&self.inner.pool, tenant, id)
            .await?
            .ok_or(Error::NotFound("document"))?;
        crate::audit::on_document(&doc);
        Ok(doc)
    }

    /// The document with this per-tenant sequence number.
    pub async fn get_document_by_seq(&self, tenant: &TenantId, seq: i64) -> Result<Document> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM documents WHERE tenant = $1 AND seq = $2"
        )))
        .bind(tenant.as_str())
        .bind(seq)
        .fetch_optional(&self.inner.pool)
        .await?
        .ok_or(Error::NotFound("document"))?;
        let doc = document_from_row(tenant, &row)?;
        crate::audit::on_document(&doc);
        Ok(doc)
    }

    /// A subject's documents, oldest first.
    pub async fn list_documents(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
    ) -> Result<Vec<Document>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM documents WHERE tenant = $1 AND subject_id = $2 ORDER BY created_at, id"
        )))
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter().map(|r| document_from_row(tenant, r)).collect()
    }

    /// Applies a patch atomically (read, apply the model's rules, write, in one transaction).
    pub async fn update_document(
        &self,
        tenant: &TenantId,
        id: Uuid,
        patch: DocumentPatch,
    ) -> Result<Document> {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let doc = patch_document(&mut tx, tenant, id, None, patch).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// Deletes a document and its files: the files' data keys go with the rows, in one
    /// transaction, before their blobs are removed.
    pub async fn delete_document(&self, tenant: &TenantId, id: Uuid) -> Result<()> {
        let mut tx = self.begin().await?;
        if !tx.delete_document(tenant, id).await? {
            return Err(Error::NotFound("document"));
        }
        tx.commit().await
    }
}

/// Inserts a new document inside the caller's transaction, taking the tenant's next `seq`.
/// Applies a patch to a document of this tenant (and of `owner`, when given) inside a
/// transaction; another subject's document is `NotFound("document")`.
pub(super) async fn patch_document(
    tx: &mut db::Conn,
    tenant: &TenantId,
    id: Uuid,
    owner: Option<Uuid>,
    patch: DocumentPatch,
) -> Result<Document> {
    let mut doc = fetch_document(&mut *tx, tenant, id)
        .await?
        .filter(|d| owner.is_none_or(|o| d.subject_id == o))
        .ok_or(Error::NotFound("document"))?;
    patch.apply(&mut doc)?;
    doc.updated_at = db::now();
    sqlx::query(
        "UPDATE documents SET kind = $1, category = $2, number = $3, issuing_country = $4, issuing_authority = $5, \
         issued_on = $6, expires_on = $7, personal = $8, extras = $9, updated_at = $10 WHERE tenant = $11 AND id = $12",
    )
    .bind(doc.kind.as_str())
    .bind(doc.category.as_str())
    .bind(&doc.number)
    .bind(doc.issuing_country.as_ref().map(CountryCode::as_str))
    .bind(&doc.issuing_authority)
    .bind(doc.issued_on.map(|d| d.to_string()))
    .bind(doc.expires_on.map(|d| d.to_string()))
    .bind(db::to_json(&doc.personal)?)
    .bind(db::to_json(&doc.extras)?)
    .bind(db::millis(doc.updated_at))
    .bind(tenant.as_str())
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    Ok(doc)
}

/// The document with this id in this tenant, read from the pool or inside a transaction.
pub(super) async fn fetch_document<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    tenant: &TenantId,
    id: Uuid,
) -> Result<Option<Document>> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM documents WHERE tenant = $1 AND id = $2"
    )))
    .bind(tenant.as_str())
    .bind(id.to_string())
    .fetch_optional(ex)
    .await?;
    row.map(|r| document_from_row(tenant, &r)).transpose()
}

pub(super) async fn insert_document(
    tx: &mut db::Conn,
    tenant: &TenantId,
    subject_id: Uuid,
    new: ValidNewDocument,
) -> Result<Document> {
    super::subjects::require_subject(tx, tenant, subject_id).await?;
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO counters (tenant, name, value) VALUES ($1, 'document', 1) \
         ON CONFLICT (tenant, name) DO UPDATE SET value = counters.value + 1 RETURNING value",
    )
    .bind(tenant.as_str())
    .fetch_one(&mut *tx)
    .await?;
    let now = db::now();
    let d = new.doc;
    let doc = Document {
        id: Uuid::now_v7(),
        seq,
        tenant: tenant.clone(),
        subject_id,
        kind: new.kind,
        category: new.category,
        number: d.number,
        issuing_country: d.issuing_country,
        issuing_authority: d.issuing_authority,
        issued_on: d.issued_on,
        expires_on: d.expires_on,
        personal: d.personal,
        extras: d.extras,
        file_count: 0,
        written_by: d.written_by.map(str::to_owned),
        created_at: now,
        updated_at: now,
    };
    sqlx::query(AssertSqlSafe(format!("INSERT INTO documents (tenant, {COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)")))
        .bind(tenant.as_str())
        .bind(doc.id.to_string())
        .bind(doc.seq)
        .bind(subject_id.to_string())
        .bind(doc.kind.as_str())
        .bind(doc.category.as_str())
        .bind(&doc.number)
        .bind(doc.issuing_country.as_ref().map(CountryCode::as_str))
        .bind(&doc.issuing_authority)
        .bind(doc.issued_on.map(|d| d.to_string()))
        .bind(doc.expires_on.map(|d| d.to_string()))
        .bind(db::to_json(&doc.personal)?)
        .bind(db::to_json(&doc.extras)?)
        .bind(0i64)
        .bind(db::millis(now))
        .bind(db::millis(now))
        .bind(&doc.written_by)
        .execute(&mut *tx)
        .await?;
    crate::audit::on_document(&doc);
    Ok(doc)
}

impl super::Tx {
    /// The document with this id in this tenant, if there is one.
    pub async fn document(&mut self, tenant: &TenantId, id: Uuid) -> Result<Option<Document>> {
        let doc = fetch_document(self.conn(), tenant, id).await?;
        doc.iter().for_each(crate::audit::on_document);
        Ok(doc)
    }

    /// Creates a document for a subject of this tenant.
    pub async fn insert_document(
        &mut self,
        tenant: &TenantId,
        subject_id: Uuid,
        new: ValidNewDocument,
    ) -> Result<Document> {
        insert_document(&mut self.tx, tenant, subject_id, new).await
    }

    /// Applies a patch by the model's rules.
    pub async fn patch_document(
        &mut self,
        tenant: &TenantId,
        id: Uuid,
        patch: DocumentPatch,
    ) -> Result<Document> {
        patch_document(&mut self.tx, tenant, id, None, patch).await
    }

    /// Deletes a document and its files, if it exists; its files' blobs go after the commit.
    /// Whether there was one.
    pub async fn delete_document(&mut self, tenant: &TenantId, id: Uuid) -> Result<bool> {
        crate::audit::document(id);
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT blob_key FROM files WHERE tenant = $1 AND document_id = $2")
                .bind(tenant.as_str())
                .bind(id.to_string())
                .fetch_all(self.conn())
                .await?;
        sqlx::query("DELETE FROM files WHERE tenant = $1 AND document_id = $2")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        let gone = sqlx::query("DELETE FROM documents WHERE tenant = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        self.shred.extend(keys);
        self.checkpoint = true;
        Ok(gone.rows_affected() > 0)
    }
}
