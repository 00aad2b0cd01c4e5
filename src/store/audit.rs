//! The audit trail's storage: `audit_events`, one hash chain per tenant.
//!
//! Each event is numbered in its tenant's chain (`seq` 1, 2, …) and carries the hash of the
//! event before it (`prev_hash`; 64 zeros for the first) and its own `hash`: a SHA-256 over
//! the previous hash and every field of the event, in a fixed order. Removing or altering an
//! event breaks the chain at that point, which [`Store::verify_audit`] finds. The table is
//! append-only (triggers refuse UPDATE and DELETE), so the chain guards against what goes
//! around the store's own code.
//!
//! Appends are serialised per tenant: on SQLite by the writer lock every write transaction
//! holds, on PostgreSQL by a transaction-level advisory lock named by the tenant, taken
//! before the chain's head is read. An operation's transaction appends its event before it
//! commits ([`db::WriteTx::commit`]). A read's event goes through the store's [`Writer`],
//! which commits the events of the reads waiting at that moment in one transaction (group
//! commit): each read still waits until its event is durable, but concurrent reads share one
//! commit (one fsync on SQLite) instead of queueing for one each.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use super::{Engine, Store, db};
use crate::audit::{Event, Outcome};
use crate::error::{Error, Result};
use crate::model::TenantId;

/// The `prev_hash` of a chain's first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored event: the event, its place in its tenant's chain and the chain's hashes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    /// Its number in the tenant's chain, from 1.
    pub seq: i64,
    /// When it happened (milliseconds).
    pub at: DateTime<Utc>,
    /// The tenant.
    pub tenant: String,
    /// The credential's id (never the secret): `key:…` for a configured key, `<purpose>:…`
    /// for a token idbridge minted, `account:…` and the like for a signed-in account.
    pub credential: Option<String>,
    /// The API: `ncore`, `mydocs`, `masstack`, `passfort`, `jumio`, `admin`, `console`, or a
    /// background job (`retention`).
    pub api: String,
    /// The operation: method and route (`GET /v1/users/{user_id}/identifications`), or the
    /// job's action.
    pub operation: String,
    /// The subject it concerned.
    pub subject_id: Option<Uuid>,
    /// The document it concerned.
    pub document_id: Option<Uuid>,
    /// The file it concerned.
    pub file_id: Option<Uuid>,
    /// How it ended.
    pub outcome: Outcome,
    /// The hash of the tenant's event before it (64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 (hex) of `prev_hash` and this event's fields.
    pub hash: String,
}

/// Which of a tenant's events to read. Empty fields do not filter.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Only events concerning this subject.
    pub subject: Option<Uuid>,
    /// Only this operation (exactly as recorded).
    pub operation: Option<String>,
    /// Only this credential id.
    pub credential: Option<String>,
    /// Only this API.
    pub api: Option<String>,
    /// Only events at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only events before this time.
    pub until: Option<DateTime<Utc>>,
}

/// Where a chain check stopped.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ChainBreak {
    /// The first event that does not fit the chain (or the number expected where one is missing).
    pub seq: i64,
    /// What is wrong with it.
    pub reason: String,
}

/// The result of checking one tenant's chain.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ChainReport {
    /// The tenant.
    pub tenant: String,
    /// Events checked (up to the break, if any).
    pub events: u64,
    /// The hash of the last event checked.
    pub head: String,
    /// The first break; none when the chain is intact.
    pub broken: Option<ChainBreak>,
}

const COLUMNS: &str = "seq, at, tenant, credential, api, operation, subject_id, document_id, \
                       file_id, outcome, prev_hash, hash";

/// The hash an event must carry: SHA-256 over a JSON array of its `prev_hash`, its number
/// and every field in a fixed order, so no two different events hash the same input.
fn hash_of(e: &AuditEvent) -> String {
    let input = serde_json::json!([
        e.prev_hash,
        e.seq,
        db::millis(e.at),
        e.tenant,
        e.credential,
        e.api,
        e.operation,
        e.subject_id,
        e.document_id,
        e.file_id,
        e.outcome.as_str()
    ]);
    hex::encode(Sha256::digest(input.to_string().as_bytes()))
}

/// The PostgreSQL advisory lock that serialises one tenant's appends: a key derived from
/// the tenant (two tenants sharing a key only wait for each other).
fn tenant_lock(tenant: &TenantId) -> i64 {
    let d = Sha256::digest(format!("idbridge audit chain\0{}", tenant.as_str()).as_bytes());
    i64::from_be_bytes(d[..8].try_into().unwrap_or([0; 8]))
}

/// Appends `e` to its tenant's chain, inside the caller's transaction (which must hold the
/// engine's writer lock on SQLite).
pub(super) async fn append(conn: &mut db::Conn, engine: Engine, e: &Event) -> Result<()> {
    if engine == Engine::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(tenant_lock(&e.tenant))
            .execute(&mut *conn)
            .await?;
    }
    let head = sqlx::query(
        "SELECT seq, hash FROM audit_events WHERE tenant = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(e.tenant.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let (seq, prev) = match head {
        Some(r) => (
            r.try_get::<i64, _>("seq")? + 1,
            r.try_get::<String, _>("hash")?,
        ),
        None => (1, GENESIS.to_owned()),
    };
    let mut stored = AuditEvent {
        seq,
        at: e.at,
        tenant: e.tenant.as_str().to_owned(),
        credential: e.credential.clone(),
        api: e.api.clone(),
        operation: e.operation.clone(),
        subject_id: e.subject,
        document_id: e.document,
        file_id: e.file,
        outcome: e.outcome,
        prev_hash: prev,
        hash: String::new(),
    };
    stored.hash = hash_of(&stored);
    let id = |u: Option<Uuid>| u.map(|u| u.to_string());
    sqlx::query(
        "INSERT INTO audit_events (tenant, seq, at, credential, api, operation, subject_id, \
         document_id, file_id, outcome, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(stored.tenant)
    .bind(seq)
    .bind(db::millis(stored.at))
    .bind(stored.credential)
    .bind(stored.api)
    .bind(stored.operation)
    .bind(id(stored.subject_id))
    .bind(id(stored.document_id))
    .bind(id(stored.file_id))
    .bind(stored.outcome.as_str())
    .bind(stored.prev_hash)
    .bind(stored.hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn event_from_row(r: &db::Row) -> Result<AuditEvent> {
    let id = |col: &str| -> Result<Option<Uuid>> {
        r.try_get::<Option<String>, _>(col)?
            .map(|s| db::uuid(&s))
            .transpose()
    };
    let outcome: String = r.try_get("outcome")?;
    Ok(AuditEvent {
        seq: r.try_get("seq")?,
        at: db::from_millis(r.try_get("at")?)?,
        tenant: r.try_get("tenant")?,
        credential: r.try_get("credential")?,
        api: r.try_get("api")?,
        operation: r.try_get("operation")?,
        subject_id: id("subject_id")?,
        document_id: id("document_id")?,
        file_id: id("file_id")?,
        outcome: Outcome::parse(&outcome)
            .ok_or_else(|| Error::internal(format!("unknown audit outcome {outcome:?}")))?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// An event waiting for the writer, with whom to tell once it is stored.
type Waiting = (Event, oneshot::Sender<Result<()>>);

/// Events one group commit stores at most.
const GROUP: usize = 256;

/// The store's writer of events that belong to no write transaction (see the module
/// documentation). A task of its own, which ends when the store is dropped.
#[derive(Debug)]
pub(super) struct Writer {
    queue: mpsc::Sender<Waiting>,
}

impl Writer {
    /// Starts the writer's task on the current runtime.
    pub(super) fn start(pool: db::Pool, engine: Engine) -> Writer {
        let (queue, waiting) = mpsc::channel(GROUP * 4);
        tokio::spawn(write_groups(pool, engine, waiting));
        Writer { queue }
    }
}

/// Stores the waiting events a group at a time until the store is dropped.
async fn write_groups(pool: db::Pool, engine: Engine, mut waiting: mpsc::Receiver<Waiting>) {
    let mut group = Vec::with_capacity(GROUP);
    while waiting.recv_many(&mut group, GROUP).await > 0 {
        let stored = write_group(&pool, engine, &mut group).await;
        if let Err(e) = &stored {
            tracing::error!(error = %e.chain(), events = group.len(), "audit events could not be stored");
        }
        for (_, done) in group.drain(..) {
            // Each waiter gets an error of its own (errors are not `Clone`); a waiter that
            // gave up (its request dropped) is not told.
            let answer = match &stored {
                Ok(()) => Ok(()),
                Err(_) => Err(Error::unavailable(
                    "metadata database",
                    "the audit events of this request could not be stored",
                )),
            };
            let _ = done.send(answer);
        }
    }
}

/// One transaction appending every event of `group`. Sorted by tenant lock first (stable, so
/// each tenant's events keep their order): on PostgreSQL, two nodes' groups then take the
/// tenants' locks in the same order and cannot deadlock.
async fn write_group(pool: &db::Pool, engine: Engine, group: &mut [Waiting]) -> Result<()> {
    group.sort_by_key(|(e, _)| tenant_lock(&e.tenant));
    let mut tx = match engine {
        // The writer lock keeps each head read and its insert together.
        Engine::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        // The tenants' advisory locks (taken by `append`) are enough: these appends wait
        // for no writer of other tables.
        Engine::Postgres => pool.begin().await?,
    };
    for (e, _) in group.iter() {
        append(&mut tx, engine, e).await?;
    }
    tx.commit().await?;
    Ok(())
}

impl Store {
    /// Stores the event of an operation that committed no write (a read, a refusal), with
    /// those of other requests waiting at the same moment; answers once it is durable.
    pub async fn record_event(&self, e: Event) -> Result<()> {
        let stopped = || Error::internal("the audit writer has stopped");
        let (done, stored) = oneshot::channel();
        self.inner
            .audit
            .queue
            .send((e, done))
            .await
            .map_err(|_| stopped())?;
        stored.await.map_err(|_| stopped())?
    }

    /// Up to `limit` of the tenant's events after number `after` that pass `filter`, in
    /// chain order.
    pub async fn audit_events(
        &self,
        tenant: &TenantId,
        filter: &AuditFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEvent>> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_events WHERE tenant = $1 AND seq > $2 \
             AND ($3 = '' OR subject_id = $3) AND ($4 = '' OR operation = $4) \
             AND ($5 = '' OR credential = $5) AND ($6 = '' OR api = $6) \
             AND at >= $7 AND at < $8 ORDER BY seq LIMIT $9"
        )))
        .bind(tenant.as_str())
        .bind(after)
        .bind(filter.subject.map(|s| s.to_string()).unwrap_or_default())
        .bind(text(&filter.operation))
        .bind(text(&filter.credential))
        .bind(text(&filter.api))
        .bind(filter.since.map_or(i64::MIN, db::millis))
        .bind(filter.until.map_or(i64::MAX, db::millis))
        .bind(i64::from(limit))
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// Every one of the tenant's events after number `after` that passes `filter`, in chain
    /// order, read a page at a time as the stream is polled (an export of any length in
    /// bounded memory).
    pub fn audit_stream(
        &self,
        tenant: TenantId,
        filter: AuditFilter,
        after: i64,
    ) -> impl futures::Stream<Item = Result<AuditEvent>> + Send + 'static {
        const PAGE: u32 = 500;
        let store = self.clone();
        let pages = futures::stream::try_unfold(Some(after), move |after| {
            let (store, tenant, filter) = (store.clone(), tenant.clone(), filter.clone());
            async move {
                let Some(after) = after else {
                    return Ok::<_, Error>(None);
                };
                let page = store.audit_events(&tenant, &filter, after, PAGE).await?;
                let next = (page.len() == PAGE as usize).then(|| page.last().map(|e| e.seq));
                Ok(Some((page, next.flatten())))
            }
        });
        futures::TryStreamExt::map_ok(pages, |page| {
            futures::stream::iter(page.into_iter().map(Ok))
        })
        .try_flatten()
    }

    /// The tenants that have events, in order.
    pub async fn audited_tenants(&self) -> Result<Vec<TenantId>> {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT tenant FROM audit_events ORDER BY tenant")
                .fetch_all(&self.inner.pool)
                .await?;
        names
            .into_iter()
            .map(|n| TenantId::new(&n).map_err(Error::internal))
            .collect()
    }

    /// Checks the tenant's chain from its first event: numbers without a gap, each event's
    /// `prev_hash` the hash of the one before, each `hash` recomputed from the fields.
    /// Reads the chain through [`Store::audit_stream`], so memory stays bounded however long
    /// it is.
    pub async fn verify_audit(&self, tenant: &TenantId) -> Result<ChainReport> {
        let mut report = ChainReport {
            tenant: tenant.as_str().to_owned(),
            events: 0,
            head: GENESIS.to_owned(),
            broken: None,
        };
        let mut events =
            std::pin::pin!(self.audit_stream(tenant.clone(), AuditFilter::default(), 0));
        while let Some(e) = events.try_next().await? {
            let expected = report.events as i64 + 1;
            let reason = if e.seq != expected {
                Some(format!(
                    "event {expected} is missing (the next is {})",
                    e.seq
                ))
            } else if e.prev_hash != report.head {
                Some("its prev_hash is not the hash of the event before it".to_owned())
            } else if hash_of(&e) != e.hash {
                Some("its fields do not match its hash (altered)".to_owned())
            } else {
                None
            };
            if let Some(reason) = reason {
                report.broken = Some(ChainBreak {
                    seq: expected,
                    reason,
                });
                return Ok(report);
            }
            report.events += 1;
            report.head = e.hash;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests;
