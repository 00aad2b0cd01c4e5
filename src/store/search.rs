//! Finding a tenant's subjects from what an operator knows of them: a label, a vendor's id
//! for the person (an alias), or the id of something they own.

use sqlx::AssertSqlSafe;
use uuid::Uuid;

use super::subjects::SubjectPage;
use super::{Store, db};
use crate::error::Result;
use crate::model::TenantId;

/// Which subjects a search matches: `$2` an id (or `''`), `$3` a LIKE pattern, `$4` an
/// integer (or -1). Case-insensitive on labels and aliases, exact on ids.
const MATCHES: &str = "s.tenant = $1 AND ( \
       s.id = $2 \
    OR LOWER(COALESCE(s.label, '')) LIKE $3 ESCAPE '\\' \
    OR EXISTS (SELECT 1 FROM aliases a WHERE a.tenant = s.tenant AND a.subject_id = s.id \
               AND LOWER(a.external_id) LIKE $3 ESCAPE '\\') \
    OR EXISTS (SELECT 1 FROM documents d WHERE d.tenant = s.tenant AND d.subject_id = s.id \
               AND (d.id = $2 OR d.seq = $4)) \
    OR EXISTS (SELECT 1 FROM processes p WHERE p.tenant = s.tenant AND p.subject_id = s.id \
               AND p.id = $2) \
    OR EXISTS (SELECT 1 FROM files f WHERE f.tenant = s.tenant AND f.subject_id = s.id \
               AND f.id = $2))";

impl Store {
    /// The tenant's subjects that `query` names, oldest first: its label or one of its
    /// aliases (a vendor's user, profile or account id) contains it, ignoring case; or it is
    /// the id of the subject or of one of its documents, processes or files; or it is the
    /// number of one of its documents (B2Core's document ids). `total` counts every match.
    pub async fn find_subjects(
        &self,
        tenant: &TenantId,
        query: &str,
        limit: u32,
        offset: u64,
    ) -> Result<SubjectPage> {
        let query = query.trim();
        let id = Uuid::parse_str(query)
            .map(|u| u.to_string())
            .unwrap_or_default();
        let seq: i64 = query.parse().unwrap_or(-1);
        let pattern = super::extras::like_pattern(query);
        let total: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM subjects s WHERE {MATCHES}"
        )))
        .bind(tenant.as_str())
        .bind(&id)
        .bind(&pattern)
        .bind(seq)
        .fetch_one(&self.inner.pool)
        .await?;
        let rows: Vec<db::Row> = sqlx::query(AssertSqlSafe(format!(
            "SELECT s.id, s.label, s.created_at FROM subjects s WHERE {MATCHES} \
             ORDER BY s.created_at, s.id LIMIT $5 OFFSET $6"
        )))
        .bind(tenant.as_str())
        .bind(&id)
        .bind(&pattern)
        .bind(seq)
        .bind(i64::from(limit))
        .bind(offset.min(i64::MAX as u64) as i64)
        .fetch_all(&self.inner.pool)
        .await?;
        let items = rows
            .iter()
            .map(|r| super::subjects::subject_from_row(tenant, r))
            .collect::<Result<_>>()?;
        Ok(SubjectPage {
            items,
            total: total as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocumentKind, Namespace, NewDocument};
    use crate::store::testing;

    #[tokio::test]
    async fn a_search_finds_subjects_by_label_alias_or_owned_id_and_only_in_its_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let s = testing::open(dir.path()).await;
        let a = TenantId::new("a").unwrap();
        let b = TenantId::new("b").unwrap();
        let ns = Namespace::new("jumio").unwrap();
        let anna = s
            .create_subject(
                &a,
                None,
                Some("Anna 50%".into()),
                &[(ns.clone(), "ACC-77".into())],
            )
            .await
            .unwrap();
        let other = s
            .create_subject(&a, None, Some("Bob".into()), &[])
            .await
            .unwrap();
        s.create_subject(
            &b,
            None,
            Some("Anna in b".into()),
            &[(ns, "acc-77x".into())],
        )
        .await
        .unwrap();
        let doc = s
            .create_document(
                &a,
                other.id,
                NewDocument {
                    kind: Some(DocumentKind::Passport),
                    ..Default::default()
                }
                .validate()
                .unwrap(),
            )
            .await
            .unwrap();
        let ids = |p: SubjectPage| p.items.into_iter().map(|s| s.id).collect::<Vec<_>>();
        assert_eq!(
            ids(s.find_subjects(&a, "anna", 10, 0).await.unwrap()),
            [anna.id]
        );
        assert_eq!(
            ids(s.find_subjects(&a, "acc-7", 10, 0).await.unwrap()),
            [anna.id]
        );
        // `%` is a character searched for, not a wildcard.
        assert_eq!(
            ids(s.find_subjects(&a, "0%", 10, 0).await.unwrap()),
            [anna.id]
        );
        assert!(
            s.find_subjects(&a, "n%a", 10, 0)
                .await
                .unwrap()
                .items
                .is_empty()
        );
        let by_doc = s
            .find_subjects(&a, &doc.id.to_string(), 10, 0)
            .await
            .unwrap();
        assert_eq!((by_doc.total, ids(by_doc)), (1, vec![other.id]));
        let by_seq = s
            .find_subjects(&a, &doc.seq.to_string(), 10, 0)
            .await
            .unwrap();
        assert_eq!(ids(by_seq), [other.id]);
        assert_eq!(s.find_subjects(&a, "", 1, 1).await.unwrap().total, 2);
        assert_eq!(
            ids(s.find_subjects(&a, "", 1, 1).await.unwrap()),
            [other.id]
        );
    }
}
