//! Subjects and their vendor aliases.

use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use super::{Store, db};
use crate::error::{Error, Result};
use crate::model::{Alias, Namespace, Subject, TenantId, check_external_id};

/// One page of subjects and the total count.
#[derive(Debug)]
pub struct SubjectPage {
    /// The subjects on this page, oldest first.
    pub items: Vec<Subject>,
    /// How many the tenant has in all.
    pub total: u64,
}

pub(super) fn subject_from_row(tenant: &TenantId, row: &db::Row) -> Result<Subject> {
    Ok(Subject {
        id: db::uuid(row.try_get("id")?)?,
        tenant: tenant.clone(),
        label: row.try_get("label")?,
        created_at: db::from_millis(row.try_get("created_at")?)?,
    })
}

/// The UUID a vendor's id is, when it is written in the canonical (hyphenated, lower-case)
/// form: only then does it name a subject by its id (see [`Store::resolve_subject`]).
pub(super) fn canonical_uuid(external_id: &str) -> Option<Uuid> {
    Uuid::parse_str(external_id)
        .ok()
        .filter(|u| u.hyphenated().to_string() == external_id)
}

impl Store {
    /// Creates a subject, with the given id or a fresh one, and links its aliases, all in one
    /// transaction: an id already used in this tenant, or an alias already linked, is a
    /// conflict and nothing is stored.
    pub async fn create_subject(
        &self,
        tenant: &TenantId,
        id: Option<Uuid>,
        label: Option<String>,
        aliases: &[(Namespace, String)],
    ) -> Result<Subject> {
        for (_, ext) in aliases {
            check_external_id(ext)?;
        }
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let subject = insert_subject(&mut tx, tenant, id, label).await?;
        super::owners::link_aliases(&mut tx, tenant, &subject, aliases).await?;
        tx.commit().await?;
        Ok(subject)
    }

    /// The subject with this id in this tenant.
    pub async fn get_subject(&self, tenant: &TenantId, id: Uuid) -> Result<Subject> {
        let row =
            sqlx::query("SELECT id, label, created_at FROM subjects WHERE tenant = $1 AND id = $2")
                .bind(tenant.as_str())
                .bind(id.to_string())
                .fetch_optional(&self.inner.pool)
                .await?
                .ok_or(Error::NotFound("subject"))?;
        crate::audit::subject(id);
        subject_from_row(tenant, &row)
    }

    /// A page of the tenant's subjects, oldest first.
    pub async fn list_subjects(
        &self,
        tenant: &TenantId,
        limit: u32,
        offset: u64,
    ) -> Result<SubjectPage> {
        let rows = sqlx::query(
            "SELECT id, label, created_at FROM subjects WHERE tenant = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3",
        )
        .bind(tenant.as_str())
        .bind(i64::from(limit))
        .bind(offset as i64)
        .fetch_all(&self.inner.pool)
        .await?;
        self.subject_page(tenant, &rows).await
    }

    /// The tenant's subjects created after subject `after` (oldest first, ties by id), at
    /// most `limit`, and how many the tenant has: a keyset page, read from the
    /// `(tenant, created_at, id)` index however deep it is. `NotFound("subject")` when
    /// `after` is not a subject of the tenant.
    pub async fn subjects_after(
        &self,
        tenant: &TenantId,
        after: Uuid,
        limit: u32,
    ) -> Result<SubjectPage> {
        let cursor = self.get_subject(tenant, after).await?;
        let rows = sqlx::query(
            "SELECT id, label, created_at FROM subjects WHERE tenant = $1 \
             AND (created_at, id) > ($2, $3) ORDER BY created_at, id LIMIT $4",
        )
        .bind(tenant.as_str())
        .bind(db::millis(cursor.created_at))
        .bind(after.to_string())
        .bind(i64::from(limit))
        .fetch_all(&self.inner.pool)
        .await?;
        self.subject_page(tenant, &rows).await
    }

    /// A page of subjects from `rows`, with how many subjects the tenant has.
    async fn subject_page(&self, tenant: &TenantId, rows: &[db::Row]) -> Result<SubjectPage> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM subjects WHERE tenant = $1")
            .bind(tenant.as_str())
            .fetch_one(&self.inner.pool)
            .await?;
        let items = rows
            .iter()
            .map(|r| subject_from_row(tenant, r))
            .collect::<Result<_>>()?;
        Ok(SubjectPage {
            items,
            total: total as u64,
        })
    }

    /// Resolves a vendor's external id to a subject (see the rule in `model::subject`):
    /// a UUID equal to a subject's id is that subject; otherwise an alias; otherwise, when
    /// `create` is set, a new subject (with the UUID as its id, or a fresh id and an alias).
    /// Returns `None` only when nothing matches and `create` is false.
    pub async fn resolve_subject(
        &self,
        tenant: &TenantId,
        namespace: &Namespace,
        external_id: &str,
        create: bool,
    ) -> Result<Option<Subject>> {
        check_external_id(external_id)?;
        // Only the canonical form counts as a UUID: a vendor id made of 32 hex digits (a hash,
        // say) must stay an alias, or unrelated ids in different namespaces would merge.
        let as_uuid = canonical_uuid(external_id);
        if let Some(id) = as_uuid {
            match self.get_subject(tenant, id).await {
                Ok(s) => return Ok(Some(s)),
                Err(Error::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        if let Some(s) = self
            .subject_by_alias(tenant, namespace, external_id)
            .await?
        {
            return Ok(Some(s));
        }
        if !create {
            return Ok(None);
        }
        match as_uuid {
            Some(id) => match self.create_subject(tenant, Some(id), None, &[]).await {
                Ok(s) => Ok(Some(s)),
                // Created concurrently by another request: that one is the subject.
                Err(Error::Conflict(_)) => self.get_subject(tenant, id).await.map(Some),
                Err(e) => Err(e),
            },
            None => {
                let alias = [(namespace.clone(), external_id.to_owned())];
                match self.create_subject(tenant, None, None, &alias).await {
                    Ok(s) => Ok(Some(s)),
                    // Another request linked this alias first: theirs is the subject.
                    Err(Error::Conflict(_)) => {
                        self.subject_by_alias(tenant, namespace, external_id).await
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }

    async fn subject_by_alias(
        &self,
        tenant: &TenantId,
        namespace: &Namespace,
        external_id: &str,
    ) -> Result<Option<Subject>> {
        let row = sqlx::query(
            "SELECT s.id, s.label, s.created_at FROM aliases a \
             JOIN subjects s ON s.tenant = a.tenant AND s.id = a.subject_id \
             WHERE a.tenant = $1 AND a.namespace = $2 AND a.external_id = $3",
        )
        .bind(tenant.as_str())
        .bind(namespace.as_str())
        .bind(external_id)
        .fetch_optional(&self.inner.pool)
        .await?;
        let subject = row.map(|r| subject_from_row(tenant, &r)).transpose()?;
        subject.iter().for_each(|s| crate::audit::subject(s.id));
        Ok(subject)
    }

    /// Links an external id to a subject. Linking the same pair again is a no-op; an external
    /// id already linked to another subject is a conflict.
    pub async fn link_alias(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        namespace: &Namespace,
        external_id: &str,
    ) -> Result<Alias> {
        check_external_id(external_id)?;
        self.get_subject(tenant, subject_id).await?;
        let now = db::now();
        sqlx::query(
            "INSERT INTO aliases (tenant, namespace, external_id, subject_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(tenant.as_str())
        .bind(namespace.as_str())
        .bind(external_id)
        .bind(subject_id.to_string())
        .bind(db::millis(now))
        .execute(&self.inner.pool)
        .await?;
        let row = sqlx::query(
            "SELECT subject_id, created_at FROM aliases WHERE tenant = $1 AND namespace = $2 AND external_id = $3",
        )
        .bind(tenant.as_str())
        .bind(namespace.as_str())
        .bind(external_id)
        .fetch_one(&self.inner.pool)
        .await?;
        if db::uuid(row.try_get("subject_id")?)? != subject_id {
            return Err(Error::Conflict(
                "this external id is linked to another subject".into(),
            ));
        }
        Ok(Alias {
            namespace: namespace.clone(),
            external_id: external_id.to_owned(),
            created_at: db::from_millis(row.try_get("created_at")?)?,
        })
    }

    /// The aliases of a subject.
    pub async fn aliases(&self, tenant: &TenantId, subject_id: Uuid) -> Result<Vec<Alias>> {
        let rows = sqlx::query(
            "SELECT namespace, external_id, created_at FROM aliases WHERE tenant = $1 AND subject_id = $2 \
             ORDER BY namespace, external_id",
        )
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Alias {
                    namespace: Namespace::new(r.try_get::<String, _>("namespace")?)
                        .map_err(Error::internal)?,
                    external_id: r.try_get("external_id")?,
                    created_at: db::from_millis(r.try_get("created_at")?)?,
                })
            })
            .collect()
    }

    /// Deletes a subject and everything it owns. Every file's data key is destroyed in the
    /// same transaction that removes the rows, before any blob is deleted.
    pub async fn delete_subject(&self, tenant: &TenantId, subject_id: Uuid) -> Result<()> {
        crate::audit::subject(subject_id);
        let sid = subject_id.to_string();
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT blob_key FROM files WHERE tenant = $1 AND subject_id = $2")
                .bind(tenant.as_str())
                .bind(&sid)
                .fetch_all(&mut *tx)
                .await?;
        for table in [
            "files",
            "documents",
            "processes",
            "tokens",
            "client_accounts",
            "aliases",
            "subject_extras",
        ] {
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE tenant = $1 AND subject_id = $2"
            )))
            .bind(tenant.as_str())
            .bind(&sid)
            .execute(&mut *tx)
            .await?;
        }
        let gone = sqlx::query("DELETE FROM subjects WHERE tenant = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(&sid)
            .execute(&mut *tx)
            .await?;
        if gone.rows_affected() == 0 {
            return Err(Error::NotFound("subject"));
        }
        tx.commit().await?;
        self.shredded(keys).await;
        Ok(())
    }

    /// Finishes a delete whose rows (and wrapped keys) are committed away: checkpoints the
    /// WAL so the old pages do not linger there, then removes the blobs.
    pub(super) async fn shredded(&self, keys: Vec<String>) {
        db::checkpoint(&self.inner.pool, self.inner.engine).await;
        self.delete_blobs(keys).await;
    }

    /// Deletes blobs whose keys are already destroyed. A failure here leaves only ciphertext
    /// nobody can open; the start-up sweep removes it later.
    async fn delete_blobs(&self, keys: Vec<String>) {
        for key in keys {
            if let Err(e) = self.inner.blobs.delete(&key).await {
                tracing::warn!(error = %e, "blob of a deleted file not removed yet; the sweep will retry");
            }
        }
    }
}

/// Inserts a subject, with the given id or a fresh one; an id already used in this tenant
/// is a conflict.
pub(super) async fn insert_subject(
    tx: &mut db::Conn,
    tenant: &TenantId,
    id: Option<Uuid>,
    label: Option<String>,
) -> Result<Subject> {
    let subject = Subject {
        id: id.unwrap_or_else(Uuid::now_v7),
        tenant: tenant.clone(),
        label,
        created_at: db::now(),
    };
    let done = sqlx::query(
        "INSERT INTO subjects (tenant, id, label, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(tenant.as_str())
    .bind(subject.id.to_string())
    .bind(&subject.label)
    .bind(db::millis(subject.created_at))
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::Conflict(
            "a subject with this id already exists".into(),
        ));
    }
    crate::audit::subject(subject.id);
    Ok(subject)
}

/// `NotFound("subject")` unless the subject exists in this tenant, read inside a transaction
/// (so what is written next cannot lose its owner before the commit).
pub(super) async fn require_subject(
    tx: &mut db::Conn,
    tenant: &TenantId,
    subject_id: Uuid,
) -> Result<()> {
    let owner: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM subjects WHERE tenant = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(subject_id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    crate::audit::subject(subject_id);
    owner.map(|_| ()).ok_or(Error::NotFound("subject"))
}
