//! File writes inside a transaction: a [`Tx`]'s file methods, and the row inserts and moves
//! the store's other multi-row operations run in their own transactions.

use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use super::super::{Store, Tx, db};
use super::{COLUMNS, StagedFile, file_from_row, key_context};
use crate::error::{Error, Result};
use crate::model::{FileSide, StoredFile, TenantId};

impl Tx {
    /// A document's files, oldest first.
    pub async fn document_files(
        &mut self,
        tenant: &TenantId,
        document_id: Uuid,
    ) -> Result<Vec<StoredFile>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM files WHERE tenant = $1 AND document_id = $2 ORDER BY created_at, id"
        )))
        .bind(tenant.as_str())
        .bind(document_id.to_string())
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|r| file_from_row(tenant, r).map(|f| f.file))
            .collect()
    }

    /// Puts a staged file (staged without a document) on `document_id` at `side`, within
    /// the document's file limit, which the conditional count update enforces under any
    /// concurrency. The file is visible once the transaction commits; until then its blob
    /// is removed if the transaction is dropped.
    pub async fn add_staged(
        &mut self,
        tenant: &TenantId,
        mut staged: StagedFile,
        document_id: Uuid,
        side: FileSide,
        max_files: u32,
    ) -> Result<StoredFile> {
        if staged.file.tenant != *tenant || staged.file.document_id.is_some() {
            return Err(Error::internal(
                "a staged file of another owner or document",
            ));
        }
        let bumped = sqlx::query(
            "UPDATE documents SET file_count = file_count + 1, updated_at = $1 \
             WHERE tenant = $2 AND id = $3 AND subject_id = $4 AND file_count + 1 <= $5",
        )
        .bind(db::millis(db::now()))
        .bind(tenant.as_str())
        .bind(document_id.to_string())
        .bind(staged.file.subject_id.to_string())
        .bind(i64::from(max_files))
        .execute(self.conn())
        .await?;
        if bumped.rows_affected() == 0 {
            return Err(match self.document(tenant, document_id).await? {
                Some(d) if d.subject_id == staged.file.subject_id => Error::LimitExceeded {
                    what: "files per document",
                    limit: max_files.into(),
                },
                _ => Error::NotFound("document"),
            });
        }
        staged.file.document_id = Some(document_id);
        staged.file.side = side;
        insert_file(&mut self.tx, &self.store, &staged).await?;
        let file = staged.file.clone();
        self.staged.push(staged);
        Ok(file)
    }

    /// Deletes a file; its blob goes after the commit.
    pub async fn delete_file(&mut self, tenant: &TenantId, id: Uuid) -> Result<()> {
        crate::audit::file(id);
        let row =
            sqlx::query("SELECT blob_key, document_id FROM files WHERE tenant = $1 AND id = $2")
                .bind(tenant.as_str())
                .bind(id.to_string())
                .fetch_optional(self.conn())
                .await?
                .ok_or(Error::NotFound("file"))?;
        let key: String = row.try_get("blob_key")?;
        let document_id: Option<String> = row.try_get("document_id")?;
        sqlx::query("DELETE FROM files WHERE tenant = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        if let Some(doc) = document_id {
            sqlx::query("UPDATE documents SET file_count = file_count - 1, updated_at = $1 WHERE tenant = $2 AND id = $3")
                .bind(db::millis(db::now()))
                .bind(tenant.as_str())
                .bind(doc)
                .execute(self.conn())
                .await?;
        }
        self.shred.push(key);
        self.checkpoint = true;
        Ok(())
    }
}

/// A file for [`Store::create_document_with_files`].
pub enum Attach {
    /// Staged by this request ([`Store::stage_file`] without a document).
    Staged(Box<StagedFile>),
    /// Stored earlier by the same subject, not yet on any document.
    Existing(Uuid),
}

/// Attaches a file of the subject that has no document to `document_id` at `side`; a file
/// that is not the subject's, or already has a document, is `NotFound("file")`.
pub(in crate::store) async fn attach_loose(
    tx: &mut db::Conn,
    tenant: &TenantId,
    subject_id: Uuid,
    file: Uuid,
    document_id: Uuid,
    side: FileSide,
) -> Result<()> {
    let moved = sqlx::query(
        "UPDATE files SET document_id = $1, side = $2 \
         WHERE tenant = $3 AND id = $4 AND subject_id = $5 AND document_id IS NULL",
    )
    .bind(document_id.to_string())
    .bind(side.to_text())
    .bind(tenant.as_str())
    .bind(file.to_string())
    .bind(subject_id.to_string())
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(Error::NotFound("file"));
    }
    Ok(())
}

/// Inserts a staged file's metadata row inside the caller's transaction.
pub(in crate::store) async fn insert_file(
    tx: &mut db::Conn,
    store: &Store,
    s: &StagedFile,
) -> Result<()> {
    use base64::Engine as _;
    let f = &s.file;
    crate::audit::on_file(f);
    let wrapped = store
        .wrapped_for_commit(tx, &s.wrapped, &key_context(&f.tenant, f.id))
        .await?;
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO files (tenant, {COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    )))
    .bind(f.tenant.as_str())
    .bind(f.id.to_string())
    .bind(f.subject_id.to_string())
    .bind(f.document_id.map(|d| d.to_string()))
    .bind(f.side.to_text())
    .bind(&f.name)
    .bind(f.media_type.mime())
    .bind(f.size as i64)
    .bind(f.sha256_hex())
    .bind(f.width.map(i64::from))
    .bind(f.height.map(i64::from))
    .bind(db::to_json(&f.extras)?)
    .bind(&s.key)
    .bind(base64::engine::general_purpose::STANDARD.encode(&wrapped.bytes))
    .bind(db::millis(f.created_at))
    .bind(&wrapped.key_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
