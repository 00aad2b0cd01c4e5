//! Subject-scoped reads: a document or file is looked up together with whose it must be,
//! and the ownership test is part of the SQL `WHERE`. Another subject's (or tenant's)
//! document or file is `NotFound`, exactly like one that does not exist, so no adapter has
//! to fetch by tenant and compare owners itself (each such copy was a place where one
//! subject could see another's file). A document's files are selected by the document,
//! never by loading all of its subject's files and picking.

use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::credentials::{self, ProcessCredential};
use super::documents::{self, document_from_row};
use super::files::{self, file_from_row};
use super::processes::{self, process_from_row};
use super::{Store, db};
use crate::error::{Error, Result};
use crate::model::{Document, DocumentPatch, Namespace, Process, StoredFile, TenantId};

/// A subject's documents, each with its files, and its files on no document.
#[derive(Clone, Default)]
pub struct Filed {
    /// The documents, oldest first, each with its files in side order.
    pub documents: Vec<(Document, Vec<StoredFile>)>,
    /// The subject's files that belong to no document, in side order.
    pub loose: Vec<StoredFile>,
}

/// `subject_id`'s document `id`, from the pool or inside a transaction; anything else is
/// `NotFound("document")`.
async fn fetch_document_of<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    tenant: &TenantId,
    subject_id: Uuid,
    id: Uuid,
) -> Result<Document> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {} FROM documents WHERE tenant = $1 AND subject_id = $2 AND id = $3",
        documents::COLUMNS
    )))
    .bind(tenant.as_str())
    .bind(subject_id.to_string())
    .bind(id.to_string())
    .fetch_optional(ex)
    .await?
    .ok_or(Error::NotFound("document"))?;
    let doc = document_from_row(tenant, &row)?;
    crate::audit::on_document(&doc);
    Ok(doc)
}

impl Store {
    /// The document with this id if it is `subject_id`'s; anything else is
    /// `NotFound("document")`.
    pub async fn document_of(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        id: Uuid,
    ) -> Result<Document> {
        fetch_document_of(&self.inner.pool, tenant, subject_id, id).await
    }

    /// The document with this per-tenant sequence number if it is `subject_id`'s; anything
    /// else is `NotFound("document")`.
    pub async fn document_of_by_seq(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        seq: i64,
    ) -> Result<Document> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM documents WHERE tenant = $1 AND subject_id = $2 AND seq = $3",
            documents::COLUMNS
        )))
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .bind(seq)
        .fetch_optional(&self.inner.pool)
        .await?
        .ok_or(Error::NotFound("document"))?;
        let doc = document_from_row(tenant, &row)?;
        crate::audit::on_document(&doc);
        Ok(doc)
    }

    /// The files of one document, in side order. A document of another tenant has none.
    pub async fn files_of(&self, tenant: &TenantId, document_id: Uuid) -> Result<Vec<StoredFile>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM files WHERE tenant = $1 AND document_id = $2 ORDER BY created_at, id",
            files::COLUMNS
        )))
        .bind(tenant.as_str())
        .bind(document_id.to_string())
        .fetch_all(&self.inner.pool)
        .await?;
        files::in_side_order(tenant, &rows)
    }

    /// The file with this id if it is `subject_id`'s (on a document or not); anything else
    /// is `NotFound("file")`.
    pub async fn file_of(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        id: Uuid,
    ) -> Result<StoredFile> {
        self.file_where(tenant, "subject_id", subject_id, id).await
    }

    /// The file with this id if it is on `document_id`; anything else is `NotFound("file")`.
    pub async fn file_of_document(
        &self,
        tenant: &TenantId,
        document_id: Uuid,
        id: Uuid,
    ) -> Result<StoredFile> {
        self.file_where(tenant, "document_id", document_id, id)
            .await
    }

    /// One file, selected by tenant, id and one owning column (a literal of this module).
    async fn file_where(
        &self,
        tenant: &TenantId,
        owner: &'static str,
        owner_id: Uuid,
        id: Uuid,
    ) -> Result<StoredFile> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM files WHERE tenant = $1 AND {owner} = $2 AND id = $3",
            files::COLUMNS
        )))
        .bind(tenant.as_str())
        .bind(owner_id.to_string())
        .bind(id.to_string())
        .fetch_optional(&self.inner.pool)
        .await?
        .ok_or(Error::NotFound("file"))?;
        let file = file_from_row(tenant, &row)?.file;
        crate::audit::on_file(&file);
        Ok(file)
    }

    /// Patches `subject_id`'s document `id` with what `patch` makes of it as stored, in one
    /// write transaction: read, decide and write cannot be split by another writer. Another
    /// subject's document is `NotFound("document")`.
    pub async fn update_document_of<F>(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        id: Uuid,
        patch: F,
    ) -> Result<Document>
    where
        F: FnOnce(&Document) -> Result<DocumentPatch>,
    {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let current = fetch_document_of(&mut *tx, tenant, subject_id, id).await?;
        let patch = patch(&current)?;
        let doc = documents::patch_document(&mut tx, tenant, id, Some(subject_id), patch).await?;
        tx.commit().await?;
        Ok(doc)
    }
}

/// Which processes a scoped process read may answer: a subject's, of one flow.
#[derive(Clone, Copy, Debug)]
pub struct ProcessScope<'a> {
    /// The subject the process must belong to.
    pub subject_id: Uuid,
    /// The API that started it.
    pub namespace: &'a Namespace,
    /// Its flow within that API.
    pub kind: &'a str,
}

impl Store {
    /// The process `id` if it is one of `scope`'s (that subject's, of that flow); any other
    /// process is `NotFound`, like one that does not exist.
    pub async fn process_of(
        &self,
        tenant: &TenantId,
        scope: ProcessScope<'_>,
        id: Uuid,
    ) -> Result<Process> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM processes WHERE tenant = $1 AND subject_id = $2 AND namespace = $3 \
               AND kind = $4 AND id = $5",
            processes::SELECT
        )))
        .bind(tenant.as_str())
        .bind(scope.subject_id.to_string())
        .bind(scope.namespace.as_str())
        .bind(scope.kind)
        .bind(id.to_string())
        .fetch_optional(&self.inner.pool)
        .await?
        .ok_or(Error::NotFound("process"))?;
        crate::audit::subject(scope.subject_id);
        process_from_row(tenant, &row)
    }

    /// `scope`'s processes (that subject's, of that flow), oldest first.
    pub async fn processes_of(
        &self,
        tenant: &TenantId,
        scope: ProcessScope<'_>,
    ) -> Result<Vec<Process>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM processes WHERE tenant = $1 AND subject_id = $2 AND namespace = $3 \
               AND kind = $4 ORDER BY created_at, id",
            processes::SELECT
        )))
        .bind(tenant.as_str())
        .bind(scope.subject_id.to_string())
        .bind(scope.namespace.as_str())
        .bind(scope.kind)
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter().map(|r| process_from_row(tenant, r)).collect()
    }
}

impl Store {
    /// The files of `subject_id`'s document `document_id`, in side order: none when the
    /// document is another subject's (or tenant's), or gone. Both owners are in the `WHERE`,
    /// so a caller holding only a document id read from its own records cannot reach
    /// another subject's files.
    pub async fn document_files_of(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        document_id: Uuid,
    ) -> Result<Vec<StoredFile>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM files WHERE tenant = $1 AND subject_id = $2 AND document_id = $3 \
               ORDER BY created_at, id",
            files::COLUMNS
        )))
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .bind(document_id.to_string())
        .fetch_all(&self.inner.pool)
        .await?;
        files::in_side_order(tenant, &rows)
    }

    /// The credential with this id in one of `scope`'s processes, the oldest process first
    /// (a reused credential keeps its id in every process that references it); anything
    /// else is `NotFound("credential")`.
    pub async fn credential_of(
        &self,
        tenant: &TenantId,
        scope: ProcessScope<'_>,
        id: Uuid,
    ) -> Result<ProcessCredential> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {} FROM process_credentials c WHERE tenant = $1 AND id = $2 \
               AND process_id IN (SELECT id FROM processes WHERE tenant = $3 AND subject_id = $4 \
                 AND namespace = $5 AND kind = $6) \
             ORDER BY (SELECT created_at FROM processes p \
                        WHERE p.tenant = c.tenant AND p.id = c.process_id), process_id \
             LIMIT 1",
            credentials::COLUMNS
        )))
        .bind(tenant.as_str())
        .bind(id.to_string())
        .bind(tenant.as_str())
        .bind(scope.subject_id.to_string())
        .bind(scope.namespace.as_str())
        .bind(scope.kind)
        .fetch_optional(&self.inner.pool)
        .await?
        .ok_or(Error::NotFound("credential"))?;
        credentials::credential_from_row(&row)
    }
}
