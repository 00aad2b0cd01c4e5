//! Tenant-wide lookups that cut across subjects: documents by number (an actor identified by
//! the document it declares) and processes by kind (a vendor's list of its flows).

use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::documents::fetch_document;
use super::processes::{SELECT as PROCESS_COLUMNS, process_from_row};
use super::{Store, db};
use crate::error::{Error, Result};
use crate::model::{Document, Namespace, Process, TenantId};

/// One page of processes and how many match in all.
#[derive(Debug)]
pub struct ProcessPage {
    /// The processes on this page.
    pub items: Vec<Process>,
    /// How many match the filter in all.
    pub total: u64,
}

/// A document number in the form lookups compare: ASCII upper case, without spaces and
/// hyphens, so `12345678-z` and `12345678Z` name the same document.
pub fn number_key(number: &str) -> String {
    number
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The SQL form of [`number_key`] on `engine`: ASCII case folding only, exactly like it.
fn number_key_sql(engine: db::Engine) -> String {
    engine.ascii_upper("REPLACE(REPLACE(number, ' ', ''), '-', '')")
}

/// The tenant's documents whose number has this [`number_key`], oldest first, read inside
/// a transaction.
pub(super) async fn numbered(
    tx: &mut db::Conn,
    engine: db::Engine,
    tenant: &TenantId,
    key: &str,
) -> Result<Vec<Document>> {
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let ids = numbered_ids(&mut *tx, engine, tenant, key).await?;
    let mut docs = Vec::with_capacity(ids.len());
    for id in ids {
        docs.extend(fetch_document(&mut *tx, tenant, id).await?);
    }
    Ok(docs)
}

async fn numbered_ids<'e>(
    ex: impl sqlx::Executor<'e, Database = sqlx::Any>,
    engine: db::Engine,
    tenant: &TenantId,
    key: &str,
) -> Result<Vec<Uuid>> {
    let ids: Vec<String> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT id FROM documents WHERE tenant = $1 AND {} = $2 ORDER BY created_at, id",
        number_key_sql(engine)
    )))
    .bind(tenant.as_str())
    .bind(key)
    .fetch_all(ex)
    .await?;
    ids.iter().map(|id| db::uuid(id)).collect()
}

impl Store {
    /// The tenant's documents whose number equals `number` as [`number_key`] compares them,
    /// whichever API stored them and whoever they belong to, oldest first.
    pub async fn find_documents_by_number(
        &self,
        tenant: &TenantId,
        number: &str,
    ) -> Result<Vec<Document>> {
        let key = number_key(number);
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let mut docs = Vec::new();
        for id in numbered_ids(&self.inner.pool, self.inner.engine, tenant, &key).await? {
            // One deleted between the two reads is simply not there any more.
            docs.extend(fetch_document(&self.inner.pool, tenant, id).await?);
        }
        Ok(docs)
    }

    /// A page of the tenant's processes of one namespace and kind, newest first. With
    /// `data_eq = Some((field, value))` only processes whose `data` has the top-level string
    /// `field` equal to `value` count (e.g. the organisation a flow belongs to).
    pub async fn list_processes_by_kind(
        &self,
        tenant: &TenantId,
        namespace: &Namespace,
        kind: &str,
        data_eq: Option<(&str, &str)>,
        limit: u32,
        offset: u64,
    ) -> Result<ProcessPage> {
        // The field name is bound as a parameter; it is still restricted so that it can only
        // ever name one top-level member.
        let (field, value) = match data_eq {
            Some((field, value)) => {
                let simple = !field.is_empty()
                    && field
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                if !simple {
                    return Err(Error::internal(format!("unsupported data field {field:?}")));
                }
                (Some(field), Some(value))
            }
            None => (None, None),
        };
        let filter = format!(
            "tenant = $1 AND namespace = $2 AND kind = $3 AND ($4 IS NULL OR {} = $6)",
            self.inner.engine.json_text("data", 5)
        );
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {PROCESS_COLUMNS} FROM processes WHERE {filter} \
             ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
        )))
        .bind(tenant.as_str())
        .bind(namespace.as_str())
        .bind(kind)
        .bind(field)
        .bind(field)
        .bind(value)
        .bind(i64::from(limit))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&self.inner.pool)
        .await?;
        let total: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM processes WHERE {filter}"
        )))
        .bind(tenant.as_str())
        .bind(namespace.as_str())
        .bind(kind)
        .bind(field)
        .bind(field)
        .bind(value)
        .fetch_one(&self.inner.pool)
        .await?;
        let items = rows
            .iter()
            .map(|r| process_from_row(tenant, r))
            .collect::<Result<_>>()?;
        Ok(ProcessPage {
            items,
            total: total as u64,
        })
    }

    /// Processes of every tenant, of one namespace and kind, in `status`, that have not
    /// changed since `before`: work a crash or an error left half done. At most `limit`.
    pub async fn stalled_processes(
        &self,
        namespace: &Namespace,
        kind: &str,
        status: crate::model::ProcessStatus,
        before: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<Process>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT tenant, {PROCESS_COLUMNS} FROM processes \
             WHERE namespace = $1 AND kind = $2 AND status = $3 AND updated_at <= $4 \
             ORDER BY updated_at LIMIT $5"
        )))
        .bind(namespace.as_str())
        .bind(kind)
        .bind(status.as_str())
        .bind(db::millis(before))
        .bind(i64::from(limit))
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let tenant = TenantId::new(sqlx::Row::try_get::<String, _>(r, "tenant")?)
                    .map_err(Error::internal)?;
                process_from_row(&tenant, r)
            })
            .collect()
    }

    /// Processes of every tenant, of one namespace and kind, that are still stored as open
    /// but whose expiry has passed: what a vendor's background sweep must announce. At most
    /// `limit`, soonest expired first.
    pub async fn expired_open_processes(
        &self,
        namespace: &Namespace,
        kind: &str,
        now: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<Process>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT tenant, {PROCESS_COLUMNS} FROM processes \
             WHERE namespace = $1 AND kind = $2 AND status = 'open' \
               AND expires_at IS NOT NULL AND expires_at <= $3 \
             ORDER BY expires_at LIMIT $4"
        )))
        .bind(namespace.as_str())
        .bind(kind)
        .bind(db::millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.inner.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let tenant = TenantId::new(sqlx::Row::try_get::<String, _>(r, "tenant")?)
                    .map_err(Error::internal)?;
                process_from_row(&tenant, r)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::number_key;
    use crate::model::{DocumentKind, Namespace, NewDocument, NewProcess, TenantId};
    use crate::store::Store;

    async fn store(dir: &std::path::Path) -> Store {
        crate::store::testing::open(dir).await
    }

    #[tokio::test]
    async fn documents_are_found_by_number_across_subjects_within_the_tenant_only() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path()).await;
        let (a, b) = (TenantId::new("a").unwrap(), TenantId::new("b").unwrap());
        let mut ids = Vec::new();
        for (tenant, number) in [
            (&a, "12345678-z"),
            (&a, "12345678Z"),
            (&a, "1234"),
            (&b, "12345678Z"),
        ] {
            let subject = s.create_subject(tenant, None, None, &[]).await.unwrap();
            let new = NewDocument {
                kind: Some(DocumentKind::IdCard),
                number: Some(number.into()),
                ..Default::default()
            };
            ids.push(
                s.create_document(tenant, subject.id, new.validate().unwrap())
                    .await
                    .unwrap()
                    .id,
            );
        }
        let found: Vec<_> = s
            .find_documents_by_number(&a, "12345678 z")
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(found, ids[..2], "oldest first, this tenant only");
        assert!(
            s.find_documents_by_number(&a, " - ")
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn processes_are_listed_by_kind_and_data_field_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let s = store(dir.path()).await;
        let (a, b) = (TenantId::new("a").unwrap(), TenantId::new("b").unwrap());
        let ns = Namespace::new("vendor").unwrap();
        let mut mine = Vec::new();
        for (tenant, ns_name, kind, org) in [
            (&a, "vendor", "flow", "x"),
            (&a, "vendor", "flow", "y"),
            (&a, "vendor", "other", "x"),
            (&a, "another", "flow", "x"),
            (&b, "vendor", "flow", "x"),
            (&a, "vendor", "flow", "x"),
            (&a, "vendor", "flow", "x"),
        ] {
            let subject = s.create_subject(tenant, None, None, &[]).await.unwrap();
            let p = s
                .create_process(
                    tenant,
                    NewProcess {
                        subject_id: subject.id,
                        namespace: Namespace::new(ns_name).unwrap(),
                        kind: kind.into(),
                        expires_at: None,
                        data: serde_json::json!({"org": org}),
                    },
                )
                .await
                .unwrap();
            if tenant == &a && ns_name == "vendor" && kind == "flow" && org == "x" {
                mine.push(p.id);
            }
        }
        mine.reverse();
        let page = s
            .list_processes_by_kind(&a, &ns, "flow", Some(("org", "x")), 2, 0)
            .await
            .unwrap();
        assert_eq!(page.total, 3);
        assert_eq!(
            page.items.iter().map(|p| p.id).collect::<Vec<_>>(),
            mine[..2]
        );
        let rest = s
            .list_processes_by_kind(&a, &ns, "flow", Some(("org", "x")), 2, 2)
            .await
            .unwrap();
        assert_eq!(
            rest.items.iter().map(|p| p.id).collect::<Vec<_>>(),
            mine[2..]
        );
        let all = s
            .list_processes_by_kind(&a, &ns, "flow", None, 10, 0)
            .await
            .unwrap();
        assert_eq!((all.total, all.items.len()), (4, 4));
        assert!(
            s.list_processes_by_kind(&a, &ns, "flow", Some(("org') OR 1=1 --", "x")), 10, 0)
                .await
                .is_err(),
            "only plain member names"
        );
    }

    #[test]
    fn number_keys_ignore_case_spaces_and_hyphens() {
        assert_eq!(number_key("12345678-z"), "12345678Z");
        assert_eq!(number_key(" x 1234567 l "), "X1234567L");
        assert_eq!(number_key("-- "), "");
    }
}
