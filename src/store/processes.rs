//! Processes: vendor flows with a lifecycle, moved only by compare-and-set transitions.

use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use super::documents::{fetch_document, insert_document};
use super::lookup::{number_key, numbered};
use super::process_details::Outcome;
use super::subjects::insert_subject;
use super::{Store, db};
use crate::error::{Error, Result};
use crate::model::{
    Document, Namespace, NewProcess, Process, ProcessStatus, TenantId, ValidNewDocument,
};

pub(super) const COLUMNS: &str =
    "id, subject_id, namespace, kind, status, expires_at, data, created_at, updated_at";

/// What reads of a process select: its columns plus when its first action happened.
pub(super) const SELECT: &str =
    "id, subject_id, namespace, kind, status, expires_at, data, created_at, updated_at, started_at";

pub(super) fn process_from_row(tenant: &TenantId, r: &db::Row) -> Result<Process> {
    Ok(Process {
        id: db::uuid(r.try_get("id")?)?,
        tenant: tenant.clone(),
        subject_id: db::uuid(r.try_get("subject_id")?)?,
        namespace: Namespace::new(r.try_get::<String, _>("namespace")?).map_err(Error::internal)?,
        kind: r.try_get("kind")?,
        status: ProcessStatus::parse(r.try_get("status")?).map_err(Error::internal)?,
        expires_at: r
            .try_get::<Option<i64>, _>("expires_at")?
            .map(db::from_millis)
            .transpose()?,
        data: db::json(r.try_get("data")?)?,
        started_at: r
            .try_get::<Option<i64>, _>("started_at")?
            .map(db::from_millis)
            .transpose()?,
        created_at: db::from_millis(r.try_get("created_at")?)?,
        updated_at: db::from_millis(r.try_get("updated_at")?)?,
    })
}

impl Store {
    /// Starts a process (status open) for a subject of this tenant.
    pub async fn create_process(&self, tenant: &TenantId, new: NewProcess) -> Result<Process> {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let p = insert_process(&mut tx, tenant, new, ProcessStatus::Open).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Records a process that ran to its end within one request (a check run and answered
    /// at once), stored directly in its final `status`: a record with no lifecycle left,
    /// written once.
    pub async fn record_process(
        &self,
        tenant: &TenantId,
        new: NewProcess,
        status: ProcessStatus,
    ) -> Result<Process> {
        if !status.is_final() {
            return Err(Error::internal(format!(
                "a recorded process must be final, not {}",
                status.as_str()
            )));
        }
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let p = insert_process(&mut tx, tenant, new, status).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Starts a process on a document in one transaction: on a document on file, or on a new
    /// document held by a new subject. Either everything is stored or nothing is.
    ///
    /// `Ok(None)` says the world changed since the caller looked: the document on file is
    /// gone, or a document with the new one's number for which `same` holds appeared (a
    /// concurrent request stored it). The caller looks again; this is how two racing
    /// requests for one person end up with one subject instead of two.
    pub async fn create_process_on_document<S, F>(
        &self,
        tenant: &TenantId,
        anchor: Anchor,
        same: S,
        process: F,
    ) -> Result<Option<(Document, Process)>>
    where
        S: Fn(&Document) -> bool,
        F: FnOnce(&Document) -> Result<NewProcess>,
    {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let doc = match anchor {
            Anchor::OnFile(id) => match fetch_document(&mut *tx, tenant, id).await? {
                Some(d) => d,
                None => return Ok(None),
            },
            Anchor::NewSubject(new) => {
                let number = new.doc.number.as_deref().unwrap_or_default();
                let on_file =
                    numbered(&mut tx, self.inner.engine, tenant, &number_key(number)).await?;
                if on_file.iter().any(same) {
                    return Ok(None);
                }
                let subject = insert_subject(&mut tx, tenant, None, None).await?;
                insert_document(&mut tx, tenant, subject.id, *new).await?
            }
        };
        let p = insert_process(&mut tx, tenant, process(&doc)?, ProcessStatus::Open).await?;
        if p.subject_id != doc.subject_id {
            return Err(Error::internal(
                "a process on a document must be its subject's",
            ));
        }
        tx.commit().await?;
        Ok(Some((doc, p)))
    }

    /// The process with this id in this tenant.
    pub async fn get_process(&self, tenant: &TenantId, id: Uuid) -> Result<Process> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SELECT} FROM processes WHERE tenant = $1 AND id = $2"
        )))
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(&self.inner.pool)
        .await?
        .ok_or(Error::NotFound("process"))?;
        let p = process_from_row(tenant, &row)?;
        crate::audit::subject(p.subject_id);
        Ok(p)
    }

    /// A subject's processes, oldest first.
    pub async fn list_processes(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
    ) -> Result<Vec<Process>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SELECT} FROM processes WHERE tenant = $1 AND subject_id = $2 ORDER BY created_at, id"
        )))
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter().map(|r| process_from_row(tenant, r)).collect()
    }

    /// Moves a process to `next`, if its effective status at `now` allows it. The stored
    /// status is re-checked in the update itself, so two racing transitions cannot both win.
    pub async fn transition_process(
        &self,
        tenant: &TenantId,
        id: Uuid,
        next: ProcessStatus,
        now: DateTime<Utc>,
        data: Option<serde_json::Value>,
    ) -> Result<Process> {
        let then = Then {
            data,
            outcome: None,
            event: None,
        };
        self.transition(tenant, id, next, now, then).await
    }

    /// [`Store::transition_process`] keeping the data, with `outcome` (how processing
    /// ended, into the process's details) and `event` (the callback announcing the move,
    /// into the outbox) stored in the same transaction: the move, its outcome and its
    /// announcement are committed together or not at all, so no move goes unannounced.
    pub async fn transition_announced(
        &self,
        tenant: &TenantId,
        id: Uuid,
        next: ProcessStatus,
        now: DateTime<Utc>,
        outcome: Option<&Outcome>,
        event: Option<&super::NewEvent>,
    ) -> Result<Process> {
        let then = Then {
            data: None,
            outcome,
            event,
        };
        self.transition(tenant, id, next, now, then).await
    }

    /// A transition and what is written with it (see the two callers).
    async fn transition(
        &self,
        tenant: &TenantId,
        id: Uuid,
        next: ProcessStatus,
        now: DateTime<Utc>,
        then: Then<'_>,
    ) -> Result<Process> {
        let Then {
            data,
            outcome,
            event,
        } = then;
        let mut p = self.get_process(tenant, id).await?;
        // Recording the expiry of an open process that has run out is how a sweep makes a
        // lazy expiry explicit; every other move starts from the status at `now`.
        let current = if next == ProcessStatus::Expired {
            p.status
        } else {
            p.status_at(now)
        };
        if !current.can_become(next) {
            return Err(Error::Conflict(format!(
                "process is {}, it cannot become {}",
                current.as_str(),
                next.as_str()
            )));
        }
        if next == ProcessStatus::Expired && p.expires_at.is_none_or(|t| t > now) {
            return Err(Error::Conflict("process has not expired".into()));
        }
        let data = data.unwrap_or(p.data.clone());
        // An expiry is recorded only if it still holds in the row: a session extended
        // meanwhile is not expired by a sweep that read it before.
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let updated = sqlx::query(
            "UPDATE processes SET status = $1, data = $2, updated_at = $3 \
             WHERE tenant = $4 AND id = $5 AND status = $6 \
               AND ($7 = 0 OR (expires_at IS NOT NULL AND expires_at <= $8))",
        )
        .bind(next.as_str())
        .bind(db::to_json(&data)?)
        .bind(db::millis(now))
        .bind(tenant.as_str())
        .bind(id.to_string())
        .bind(p.status.as_str())
        .bind(i64::from(next == ProcessStatus::Expired))
        .bind(db::millis(now))
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(Error::Conflict("process changed concurrently".into()));
        }
        if let Some(o) = outcome {
            super::process_details::write_outcome(&mut tx, tenant, id, o).await?;
        }
        if let Some(event) = event {
            super::outbox::insert_event(&mut tx, self.inner.engine, tenant, event).await?;
        }
        tx.commit().await?;
        p.status = next;
        p.data = data;
        p.updated_at = db::from_millis(db::millis(now))?;
        Ok(p)
    }

    /// Replaces the data (and, when given, the expiry) of a process as the caller read it:
    /// refused as a conflict when the process changed since (another write won) or has
    /// expired by `now`, so a read-modify-write never loses another writer's change.
    pub async fn update_process_data(
        &self,
        tenant: &TenantId,
        read: &Process,
        now: DateTime<Utc>,
        data: &serde_json::Value,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<Process> {
        let current = read.status_at(now);
        if current != read.status {
            return Err(Error::Conflict(format!("process is {}", current.as_str())));
        }
        let updated = sqlx::query(
            "UPDATE processes SET data = $1, expires_at = $2, updated_at = $3 \
             WHERE tenant = $4 AND id = $5 AND status = $6 AND updated_at = $7",
        )
        .bind(db::to_json(data)?)
        .bind(expires_at.or(read.expires_at).map(db::millis))
        .bind(db::millis(now).max(db::millis(read.updated_at) + 1))
        .bind(tenant.as_str())
        .bind(read.id.to_string())
        .bind(read.status.as_str())
        .bind(db::millis(read.updated_at))
        .execute(&self.inner.pool)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(Error::Conflict("process changed concurrently".into()));
        }
        self.get_process(tenant, read.id).await
    }

    /// Deletes a process and the tokens scoped to it.
    pub async fn delete_process(&self, tenant: &TenantId, id: Uuid) -> Result<()> {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        sqlx::query("DELETE FROM tokens WHERE tenant = $1 AND process_id = $2")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let gone = sqlx::query("DELETE FROM processes WHERE tenant = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        if gone.rows_affected() == 0 {
            return Err(Error::NotFound("process"));
        }
        tx.commit().await?;
        // A flow's data can hold personal data (Jumio's prepared data): its deleted row must
        // survive in neither the database file nor the WAL.
        db::checkpoint(&self.inner.pool, self.inner.engine).await;
        Ok(())
    }
}

impl super::Tx {
    /// The process with this id in this tenant, held for the rest of the transaction: the
    /// transaction holds the writer lock from its start (see [`super::Tx`]), so writers of
    /// one process run one after the other.
    pub async fn lock_process(&mut self, tenant: &TenantId, id: Uuid) -> Result<Process> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {SELECT} FROM processes WHERE tenant = $1 AND id = $2"
        )))
        .bind(tenant.as_str())
        .bind(id.to_string())
        .fetch_optional(self.conn())
        .await?
        .ok_or(Error::NotFound("process"))?;
        let p = process_from_row(tenant, &row)?;
        crate::audit::subject(p.subject_id);
        Ok(p)
    }

    /// Starts a process (status open) inside the transaction.
    pub async fn insert_process(&mut self, tenant: &TenantId, new: NewProcess) -> Result<Process> {
        insert_process(&mut self.tx, tenant, new, ProcessStatus::Open).await
    }

    /// Records an action on an open process: marks it started (once) and moves its expiry.
    /// `updated_at` always moves forward, so a compare-and-set on it (`update_process_data`)
    /// made from an older read fails.
    pub async fn touch_process(
        &mut self,
        p: &Process,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE processes SET started_at = COALESCE(started_at, $1), expires_at = $2, updated_at = $3 \
             WHERE tenant = $4 AND id = $5",
        )
        .bind(db::millis(now))
        .bind(db::millis(expires_at))
        .bind(db::millis(now).max(db::millis(p.updated_at) + 1))
        .bind(p.tenant.as_str())
        .bind(p.id.to_string())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Moves a locked process to `next` if its status at `now` allows it.
    pub async fn move_process(
        &mut self,
        p: &Process,
        next: ProcessStatus,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let current = p.status_at(now);
        if !current.can_become(next) {
            return Err(Error::Conflict(format!(
                "process is {}, it cannot become {}",
                current.as_str(),
                next.as_str()
            )));
        }
        sqlx::query(
            "UPDATE processes SET status = $1, updated_at = $2 WHERE tenant = $3 AND id = $4 AND status = $5",
        )
        .bind(next.as_str())
        .bind(db::millis(now).max(db::millis(p.updated_at) + 1))
        .bind(p.tenant.as_str())
        .bind(p.id.to_string())
        .bind(p.status.as_str())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Deletes a process with its credentials, page numbers and the tokens scoped to it.
    pub async fn delete_process(&mut self, tenant: &TenantId, id: Uuid) -> Result<()> {
        sqlx::query("DELETE FROM tokens WHERE tenant = $1 AND process_id = $2")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        // Credentials and their page numbers go by `ON DELETE CASCADE`.
        let gone = sqlx::query("DELETE FROM processes WHERE tenant = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(id.to_string())
            .execute(self.conn())
            .await?;
        if gone.rows_affected() == 0 {
            return Err(Error::NotFound("process"));
        }
        // A flow's data can hold personal data: checkpoint the WAL after the commit.
        self.checkpoint = true;
        Ok(())
    }
}

/// What a transition writes besides the status.
struct Then<'a> {
    /// New process data (`None`: unchanged).
    data: Option<serde_json::Value>,
    /// How processing ended.
    outcome: Option<&'a Outcome>,
    /// The event announcing the move.
    event: Option<&'a super::NewEvent>,
}

/// Where [`Store::create_process_on_document`] finds its document. (No `Debug`: a new
/// document holds personal data.)
pub enum Anchor {
    /// A document on file, by id: the process belongs to its subject.
    OnFile(Uuid),
    /// A new document, stored for a new subject unless the same document is on file.
    NewSubject(Box<ValidNewDocument>),
}

async fn insert_process(
    tx: &mut db::Conn,
    tenant: &TenantId,
    new: NewProcess,
    status: ProcessStatus,
) -> Result<Process> {
    super::subjects::require_subject(tx, tenant, new.subject_id).await?;
    let now = db::now();
    let p = Process {
        id: Uuid::now_v7(),
        tenant: tenant.clone(),
        subject_id: new.subject_id,
        namespace: new.namespace,
        kind: new.kind,
        status,
        expires_at: new.expires_at,
        data: new.data,
        started_at: None,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO processes (tenant, {COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )))
    .bind(tenant.as_str())
    .bind(p.id.to_string())
    .bind(p.subject_id.to_string())
    .bind(p.namespace.as_str())
    .bind(&p.kind)
    .bind(p.status.as_str())
    .bind(p.expires_at.map(db::millis))
    .bind(db::to_json(&p.data)?)
    .bind(db::millis(now))
    .bind(db::millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(p)
}
