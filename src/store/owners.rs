//! A subject created inside a write transaction, together with what it is created for (a
//! process opened for a new account, say): the subject, its aliases and the rest are
//! committed together or not at all, so no subject is left behind by a refused request.

use uuid::Uuid;

use super::subjects::insert_subject;
use super::{Tx, db};
use crate::error::{Error, Result};
use crate::model::{Namespace, Subject, TenantId, check_external_id};

/// Links `aliases` to `subject` inside a transaction; an alias already linked (to any
/// subject) is a conflict.
pub(super) async fn link_aliases(
    conn: &mut db::Conn,
    tenant: &TenantId,
    subject: &Subject,
    aliases: &[(Namespace, String)],
) -> Result<()> {
    for (ns, ext) in aliases {
        let linked = sqlx::query(
            "INSERT INTO aliases (tenant, namespace, external_id, subject_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(tenant.as_str())
        .bind(ns.as_str())
        .bind(ext)
        .bind(subject.id.to_string())
        .bind(db::millis(subject.created_at))
        .execute(&mut *conn)
        .await?;
        if linked.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "a {} alias with this external id is linked to another subject",
                ns.as_str()
            )));
        }
    }
    Ok(())
}

impl Tx {
    /// Creates a subject with this id and these aliases inside the transaction (an id or
    /// alias already in use is a conflict).
    pub async fn insert_subject(
        &mut self,
        tenant: &TenantId,
        id: Uuid,
        aliases: &[(Namespace, String)],
    ) -> Result<Subject> {
        for (_, ext) in aliases {
            check_external_id(ext)?;
        }
        let subject = insert_subject(&mut self.tx, tenant, Some(id), None).await?;
        link_aliases(self.conn(), tenant, &subject, aliases).await?;
        Ok(subject)
    }
}
