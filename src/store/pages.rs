//! Documents with their files, as the vendors' reads show them, each read in one statement:
//! the documents (a page, or one document) joined with their files. One statement is one
//! consistent snapshot, and on SQLite it is one round trip to the connection's worker thread,
//! which is most of what a statement costs there (see docs/benchmarks.md).
//!
//! A page is cut in SQL (a keyset `WHERE id < cursor` where the vendor pages by cursor,
//! `LIMIT … OFFSET` where it pages by offset) over an index that serves the `ORDER BY`, so it
//! costs about the same whether the subject has ten documents or ten thousand, and whether
//! the store holds a thousand documents or a million.

use std::sync::LazyLock;

use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

use super::documents::{self, document_from_row};
use super::files::{self, file_from_row_at};
use super::scoped::Filed;
use super::subjects::canonical_uuid;
use super::{Store, db};
use crate::error::Result;
use crate::model::{Document, Namespace, StoredFile, TenantId};

/// Documents, each with its files in side order.
pub type WithFiles = Vec<(Document, Vec<StoredFile>)>;

/// The orders a page by offset can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentOrder {
    /// By creation time, then sequence number.
    Created,
    /// By last update, then sequence number.
    Updated,
    /// By sequence number (creation order).
    Seq,
}

/// The file columns of a join, each named `f_<column>`.
static FILE_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    files::COLUMNS
        .split(',')
        .map(|c| format!("f.{0} AS f_{0}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
});

/// Whose documents a read is of.
#[derive(Clone, Copy, Debug)]
pub enum Owner<'a> {
    /// A subject by its id.
    Subject(Uuid),
    /// A subject as a vendor names it, resolved as [`Store::resolve_subject`] does: a
    /// subject with that UUID first, else the alias. Resolved inside the read's statement.
    Named {
        /// The vendor's namespace.
        namespace: &'a Namespace,
        /// The vendor's id of the subject.
        external_id: &'a str,
    },
}

/// A statement's text and its parameters, numbered as they are added.
#[derive(Default)]
struct Params(Vec<Option<String>>);

impl Params {
    /// Adds a parameter; returns its placeholder.
    fn add(&mut self, v: Option<String>) -> String {
        self.0.push(v);
        format!("${}", self.0.len())
    }

    /// `subject_id = …` for `owner`, in `tenant`.
    fn owner(&mut self, tenant: &TenantId, owner: Owner<'_>) -> String {
        match owner {
            Owner::Subject(id) => format!("subject_id = {}", self.add(Some(id.to_string()))),
            Owner::Named {
                namespace,
                external_id,
            } => {
                let as_uuid = canonical_uuid(external_id);
                format!(
                    "subject_id = COALESCE((SELECT id FROM subjects WHERE tenant = {} AND id = {}), \
                     (SELECT subject_id FROM aliases WHERE tenant = {} AND namespace = {} AND external_id = {}))",
                    self.add(Some(tenant.as_str().to_owned())),
                    self.add(as_uuid.map(|u| u.to_string())),
                    self.add(Some(tenant.as_str().to_owned())),
                    self.add(Some(namespace.as_str().to_owned())),
                    self.add(Some(external_id.to_owned())),
                )
            }
        }
    }

    /// Runs `sql` with these parameters.
    async fn fetch(self, store: &Store, sql: String) -> Result<Vec<db::Row>> {
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for v in self.0 {
            q = q.bind(v);
        }
        Ok(q.fetch_all(&store.inner.pool).await?)
    }
}

/// `SELECT` of the documents `d` (a parenthesised subquery with its alias) joined with their
/// files (of `tenant`, `$1`), in `order` (columns of `d`), each document's files oldest first.
fn joined(d: &str, order: &str) -> String {
    format!(
        "SELECT d.*, {files} FROM {d} LEFT JOIN files f ON f.tenant = $1 AND f.document_id = d.id \
         ORDER BY {order}, f.created_at, f.id",
        files = *FILE_COLUMNS
    )
}

/// Parameters that start with the tenant as `$1`, as [`joined`] expects.
fn for_tenant(tenant: &TenantId) -> Params {
    let mut p = Params::default();
    p.add(Some(tenant.as_str().to_owned()));
    p
}

impl Store {
    /// `owner`'s documents newest first (ids are UUIDv7, so id order is creation order),
    /// only those older than `before` when it is given, at most `limit`. Empty when the
    /// owner does not exist, too.
    pub async fn documents_before(
        &self,
        tenant: &TenantId,
        owner: Owner<'_>,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<WithFiles> {
        let mut p = for_tenant(tenant);
        let t = p.add(Some(tenant.as_str().to_owned()));
        let who = p.owner(tenant, owner);
        // Only with a cursor, not `(… IS NULL OR id < …)`: SQLite cannot seek an index on
        // a range joined by OR, and would walk the subject's documents from the newest.
        let cursor = match before {
            Some(b) => format!("AND id < {}", p.add(Some(b.to_string()))),
            None => String::new(),
        };
        let page = format!(
            "(SELECT {} FROM documents WHERE tenant = {t} AND {who} {cursor} \
             ORDER BY id DESC LIMIT {limit}) d",
            documents::COLUMNS
        );
        grouped(tenant, &p.fetch(self, joined(&page, "d.id DESC")).await?)
    }

    /// One page of `subject_id`'s documents in `order` (reversed when `descending`), after
    /// skipping `offset`, and how many documents the subject has in all, from one snapshot.
    pub async fn documents_sorted(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        order: DocumentOrder,
        descending: bool,
        offset: u64,
        limit: u32,
    ) -> Result<(WithFiles, u64)> {
        let dir = if descending { "DESC" } else { "ASC" };
        let by = |t: &str| match order {
            DocumentOrder::Created => format!("{t}created_at {dir}, {t}seq {dir}"),
            DocumentOrder::Updated => format!("{t}updated_at {dir}, {t}seq {dir}"),
            DocumentOrder::Seq => format!("{t}seq {dir}"),
        };
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let mut p = for_tenant(tenant);
        let t = p.add(Some(tenant.as_str().to_owned()));
        let who = p.owner(tenant, Owner::Subject(subject_id));
        // The total rides on every row, so the page and its count share the snapshot.
        let page = format!(
            "(SELECT {}, (SELECT COUNT(*) FROM documents WHERE tenant = {t} AND {who}) AS total \
             FROM documents WHERE tenant = {t} AND {who} ORDER BY {} LIMIT {limit} OFFSET {offset}) d",
            documents::COLUMNS,
            by("")
        );
        let rows = p.fetch(self, joined(&page, &by("d."))).await?;
        let total = match rows.first() {
            Some(r) => r.try_get::<i64, _>("total")?,
            // Past the end: no row carries the count.
            None => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM documents WHERE tenant = $1 AND subject_id = $2",
                )
                .bind(tenant.as_str())
                .bind(subject_id.to_string())
                .fetch_one(&self.inner.pool)
                .await?
            }
        };
        Ok((grouped(tenant, &rows)?, total as u64))
    }

    /// A subject's documents (oldest first), each with its files, and its files on no
    /// document: everything a profile or subject view shows, in one statement (one
    /// snapshot: a file moved between documents meanwhile is counted once).
    pub async fn documents_with_files(&self, tenant: &TenantId, subject_id: Uuid) -> Result<Filed> {
        let mut p = for_tenant(tenant);
        let t = p.add(Some(tenant.as_str().to_owned()));
        let who = p.owner(tenant, Owner::Subject(subject_id));
        // The subject's documents with their files, then (`part` 1) its loose files under
        // a row of NULL document columns.
        let nulls = documents::COLUMNS
            .split(',')
            .map(|c| format!("NULL AS {}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT * FROM (\
               SELECT CAST(0 AS BIGINT) AS part, d.*, {files} FROM (SELECT {cols} FROM documents WHERE tenant = {t} AND {who}) d \
               LEFT JOIN files f ON f.tenant = $1 AND f.document_id = d.id \
             UNION ALL \
               SELECT CAST(1 AS BIGINT) AS part, {nulls}, {files} FROM files f \
               WHERE f.tenant = $1 AND f.{who} AND f.document_id IS NULL\
             ) u ORDER BY part, created_at, id, f_created_at, f_id",
            files = *FILE_COLUMNS,
            cols = documents::COLUMNS,
        );
        let rows = p.fetch(self, sql).await?;
        let mut split = rows.len();
        for (i, r) in rows.iter().enumerate() {
            if r.try_get::<i64, _>("part")? == 1 {
                split = i;
                break;
            }
        }
        let documents = grouped(tenant, &rows[..split])?;
        let mut loose = rows[split..]
            .iter()
            .map(|r| file_from_row_at(tenant, r, "f_").map(|f| f.file))
            .collect::<Result<Vec<_>>>()?;
        loose.sort_by_key(|f| f.side.position());
        Ok(Filed { documents, loose })
    }

    /// The document `id` with its files, if it is `owner`'s. `None` when there is no such
    /// owner or no such document of it: the caller asks [`Store::resolve_subject`] which,
    /// when it matters. One statement for the whole read.
    pub async fn filed_document_of(
        &self,
        tenant: &TenantId,
        owner: Owner<'_>,
        id: Uuid,
    ) -> Result<Option<(Document, Vec<StoredFile>)>> {
        let mut p = for_tenant(tenant);
        let one = format!(
            "(SELECT {} FROM documents WHERE tenant = {} AND id = {} AND {}) d",
            documents::COLUMNS,
            p.add(Some(tenant.as_str().to_owned())),
            p.add(Some(id.to_string())),
            p.owner(tenant, owner),
        );
        Ok(grouped(tenant, &p.fetch(self, joined(&one, "d.id")).await?)?.pop())
    }
}

/// Rows of [`joined`] (a document's columns, then one file's or NULLs, a document's rows
/// together) as documents in row order, each with its files in side order.
fn grouped(tenant: &TenantId, rows: &[db::Row]) -> Result<WithFiles> {
    let mut out: WithFiles = Vec::new();
    for r in rows {
        let id = db::uuid(r.try_get("id")?)?;
        if out.last().is_none_or(|(d, _)| d.id != id) {
            out.push((document_from_row(tenant, r)?, Vec::new()));
        }
        if r.try_get::<Option<String>, _>("f_id")?.is_some() {
            let file = file_from_row_at(tenant, r, "f_")?.file;
            if let Some((_, files)) = out.last_mut() {
                files.push(file);
            }
        }
    }
    for (_, files) in &mut out {
        // Stable: within a side, the SQL order (oldest first) stays.
        files.sort_by_key(|f| f.side.position());
    }
    Ok(out)
}
