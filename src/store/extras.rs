//! Per-vendor data about a subject as a whole: one JSON object per namespace (a PassFort
//! profile's role, category and collected data), with a search text kept beside it.

use serde_json::Value;
use sqlx::Row;
use uuid::Uuid;

use super::{Store, db};
use crate::error::Result;
use crate::model::{Namespace, Subject, TenantId};

/// What [`Store::search_subjects`] looks for. Subjects without data in the namespace match
/// as if their `field` held `default`.
#[derive(Debug)]
pub struct SubjectSearch<'a> {
    /// The namespace whose data is searched.
    pub namespace: &'a Namespace,
    /// Case-insensitive substring of the search text, if any.
    pub text: Option<&'a str>,
    /// A top-level member of the data (`category`) whose value must be one of `values`.
    pub field: &'a str,
    /// The accepted values of `field`; `None` accepts all.
    pub values: Option<&'a [String]>,
    /// The value `field` has for subjects without data.
    pub default: &'a str,
    /// Page size.
    pub limit: u32,
    /// Subjects skipped.
    pub offset: u64,
}

/// One page of subjects with their data in the searched namespace.
#[derive(Debug)]
pub struct SubjectDataPage {
    /// Each subject and its data (`None` when it has none in the namespace), oldest first.
    pub items: Vec<(Subject, Option<Value>)>,
    /// How many match in all.
    pub total: u64,
}

/// `text` as a `LIKE … ESCAPE '\'` pattern matching it anywhere, lower case, with `%`, `_`
/// and the escape character itself escaped.
pub(super) fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl Store {
    /// Creates a subject (fresh id) together with its data in `ns`, in one transaction.
    pub async fn create_subject_with_data(
        &self,
        tenant: &TenantId,
        ns: &Namespace,
        data: &Value,
        search: &str,
    ) -> Result<Subject> {
        let subject = Subject {
            id: Uuid::now_v7(),
            tenant: tenant.clone(),
            label: None,
            created_at: db::from_millis(db::millis(db::now()))?,
        };
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        sqlx::query(
            "INSERT INTO subjects (tenant, id, label, created_at) VALUES ($1, $2, NULL, $3)",
        )
        .bind(tenant.as_str())
        .bind(subject.id.to_string())
        .bind(db::millis(subject.created_at))
        .execute(&mut *tx)
        .await?;
        upsert(&mut tx, tenant, subject.id, ns, data, search).await?;
        tx.commit().await?;
        Ok(subject)
    }

    /// A subject's data in `ns`, if it has any.
    pub async fn subject_data(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        ns: &Namespace,
    ) -> Result<Option<Value>> {
        let text: Option<String> = sqlx::query_scalar(
            "SELECT data FROM subject_extras WHERE tenant = $1 AND subject_id = $2 AND namespace = $3",
        )
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .bind(ns.as_str())
        .fetch_optional(&self.inner.pool)
        .await?;
        text.as_deref().map(db::json).transpose()
    }

    /// Replaces a subject's data in `ns`.
    pub async fn set_subject_data(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        ns: &Namespace,
        data: &Value,
        search: &str,
    ) -> Result<()> {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        upsert(&mut tx, tenant, subject_id, ns, data, search).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of the tenant's subjects matching `q`, oldest first, with their data.
    pub async fn search_subjects(
        &self,
        tenant: &TenantId,
        q: &SubjectSearch<'_>,
    ) -> Result<SubjectDataPage> {
        let values: Vec<String> = q.values.map(<[String]>::to_vec).unwrap_or_default();
        let engine = self.inner.engine;
        let filter = format!(
            "FROM subjects s LEFT JOIN subject_extras e \
               ON e.tenant = s.tenant AND e.subject_id = s.id AND e.namespace = $1 \
             WHERE s.tenant = $2 \
               AND ($3 IS NULL OR COALESCE(e.search, '') LIKE $4 ESCAPE '\\') \
               AND ($5 = 0 OR COALESCE({}, $7) IN ({}))",
            engine.json_text("e.data", 6),
            engine.json_strings(8)
        );
        let pattern = q.text.map(like_pattern);
        let values_json = db::to_json(&values)?;
        let bound = Filter {
            namespace: q.namespace.as_str(),
            tenant: tenant.as_str(),
            pattern: pattern.as_deref(),
            any_value: q.values.is_none(),
            field: q.field,
            default: q.default,
            values: &values_json,
        };
        let count_sql = format!("SELECT COUNT(*) AS n {filter}");
        let total: i64 = bound
            .bind(count_sql)
            .fetch_one(&self.inner.pool)
            .await?
            .try_get("n")?;
        let page_sql = format!(
            "SELECT s.id, s.label, s.created_at, e.data {filter} ORDER BY s.created_at, s.id LIMIT $9 OFFSET $10"
        );
        let rows = bound
            .bind(page_sql)
            .bind(i64::from(q.limit))
            .bind(i64::try_from(q.offset).unwrap_or(i64::MAX))
            .fetch_all(&self.inner.pool)
            .await?;
        let items = rows
            .iter()
            .map(|r| {
                let data: Option<String> = r.try_get("data")?;
                Ok((
                    Subject {
                        id: db::uuid(r.try_get("id")?)?,
                        tenant: tenant.clone(),
                        label: r.try_get("label")?,
                        created_at: db::from_millis(r.try_get("created_at")?)?,
                    },
                    data.as_deref().map(db::json).transpose()?,
                ))
            })
            .collect::<Result<_>>()?;
        Ok(SubjectDataPage {
            items,
            total: total as u64,
        })
    }
}

/// The values bound to the search filter, in the order its placeholders appear.
struct Filter<'a> {
    namespace: &'a str,
    tenant: &'a str,
    pattern: Option<&'a str>,
    any_value: bool,
    field: &'a str,
    default: &'a str,
    values: &'a str,
}

impl<'a> Filter<'a> {
    fn bind(&self, sql: String) -> sqlx::query::Query<'a, sqlx::Any, sqlx::any::AnyArguments> {
        // The SQL is `filter` plus fixed clauses; every value in it is a bound parameter.
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.namespace)
            .bind(self.tenant)
            .bind(self.pattern)
            .bind(self.pattern)
            .bind(i64::from(!self.any_value))
            .bind(self.field)
            .bind(self.default)
            .bind(self.values)
    }
}

/// Writes the subject's data in a namespace, with its search text (the subject must exist).
pub(super) async fn upsert(
    tx: &mut db::Conn,
    tenant: &TenantId,
    subject_id: Uuid,
    ns: &Namespace,
    data: &Value,
    search: &str,
) -> Result<()> {
    super::subjects::require_subject(tx, tenant, subject_id).await?;
    sqlx::query(
        "INSERT INTO subject_extras (tenant, subject_id, namespace, data, search, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant, subject_id, namespace) \
         DO UPDATE SET data = excluded.data, search = excluded.search, updated_at = excluded.updated_at",
    )
    .bind(tenant.as_str())
    .bind(subject_id.to_string())
    .bind(ns.as_str())
    .bind(db::to_json(data)?)
    .bind(search.to_lowercase())
    .bind(db::millis(db::now()))
    .execute(&mut *tx)
    .await?;
    Ok(())
}
