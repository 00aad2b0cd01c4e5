//! Replacing a subject's documents and its data in one namespace, all in one transaction:
//! what PassFort's `POST …/collected_data` does. Either every document is updated, created
//! or removed as asked, every image is where it was asked to be and the data is written, or
//! nothing changed.
//!
//! A removed document's files are not deleted: they stay the subject's, free for another
//! document (PassFort keeps document images as a resource of their own).

use serde_json::Value;
use uuid::Uuid;

use super::{Store, db};
use crate::error::Result;
use crate::model::ValidNewDocument;
use crate::model::{Document, DocumentPatch, FileSide, Namespace, TenantId};

/// One document of the new set.
pub enum Target {
    /// An existing document of the subject, patched.
    Update(Uuid, DocumentPatch),
    /// A new document.
    Create(ValidNewDocument),
}

/// One document of the new set and the subject's files it is made of, each with its side.
pub struct Replacement {
    /// Which document.
    pub target: Target,
    /// Its files, each a file of the subject, listed by at most one document of the set.
    pub files: Vec<(Uuid, FileSide)>,
}

/// The subject's data in one namespace, with its search text.
#[derive(Debug)]
pub struct SubjectData<'a> {
    /// The namespace.
    pub namespace: &'a Namespace,
    /// The data.
    pub data: &'a Value,
    /// The text a search matches.
    pub search: &'a str,
}

impl Store {
    /// Makes `documents` the subject's whole set of documents and writes its data, in one
    /// transaction; returns the documents in the order given. A document of the subject not
    /// in the set is removed and its files freed. An update of a document that is not the
    /// subject's is `NotFound("document")`; a file that is not the subject's (or is listed
    /// twice) is `NotFound("file")`; a patch breaking the model's rules is its error. On any
    /// error nothing changed.
    pub async fn replace_documents(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        documents: Vec<Replacement>,
        data: SubjectData<'_>,
    ) -> Result<Vec<Document>> {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        super::extras::upsert(
            &mut tx,
            tenant,
            subject_id,
            data.namespace,
            data.data,
            data.search,
        )
        .await?;
        let kept: Vec<String> = documents
            .iter()
            .filter_map(|d| match &d.target {
                Target::Update(id, _) => Some(id.to_string()),
                Target::Create(_) => None,
            })
            .collect();
        // Every file leaves its document first, so the set below can take any of them,
        // wherever it was.
        sqlx::query(
            "UPDATE files SET document_id = NULL \
             WHERE tenant = $1 AND subject_id = $2 AND document_id IS NOT NULL",
        )
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .execute(&mut *tx)
        .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM documents WHERE tenant = $1 AND subject_id = $2 AND id NOT IN ({})",
            self.inner.engine.json_strings(3)
        )))
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .bind(db::to_json(&kept)?)
        .execute(&mut *tx)
        .await?;
        let mut out = Vec::with_capacity(documents.len());
        for d in documents {
            let mut doc = match d.target {
                Target::Update(id, patch) => {
                    super::documents::patch_document(&mut tx, tenant, id, Some(subject_id), patch)
                        .await?
                }
                Target::Create(new) => {
                    super::documents::insert_document(&mut tx, tenant, subject_id, new).await?
                }
            };
            for (file, side) in &d.files {
                super::files::attach_loose(&mut tx, tenant, subject_id, *file, doc.id, *side)
                    .await?;
            }
            doc.file_count = d.files.len() as u32;
            sqlx::query("UPDATE documents SET file_count = $1 WHERE tenant = $2 AND id = $3")
                .bind(i64::from(doc.file_count))
                .bind(tenant.as_str())
                .bind(doc.id.to_string())
                .execute(&mut *tx)
                .await?;
            out.push(doc);
        }
        tx.commit().await?;
        Ok(out)
    }
}
