//! Read-modify-write of a subject's data in one namespace, as one transaction: the rule that
//! decides the new data (a state machine, say) sees the data as it is when the write lock is
//! held, so two concurrent changes can never both pass a rule that only one of them may.

use serde_json::Value;
use uuid::Uuid;

use super::{Store, db};
use crate::error::Result;
use crate::model::{Namespace, TenantId};

impl Store {
    /// Replaces a subject's data in `ns` with what `change` makes of the current data, all
    /// under the write lock. `change` gets the current data (`None` when the subject has none
    /// in `ns`, or does not exist in this tenant) and returns the new data and its search
    /// text, or an error, in which case nothing is written and the error is returned. A
    /// subject that does not exist is `NotFound("subject")` unless `change` refuses first.
    pub async fn update_subject_data<F>(
        &self,
        tenant: &TenantId,
        subject_id: Uuid,
        ns: &Namespace,
        change: F,
    ) -> Result<Value>
    where
        F: FnOnce(Option<Value>) -> Result<(Value, String)> + Send,
    {
        let mut tx = db::write_tx(&self.inner.pool, self.inner.engine).await?;
        let text: Option<String> = sqlx::query_scalar(
            "SELECT data FROM subject_extras WHERE tenant = $1 AND subject_id = $2 AND namespace = $3",
        )
        .bind(tenant.as_str())
        .bind(subject_id.to_string())
        .bind(ns.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let current = text.as_deref().map(db::json).transpose()?;
        // On an error the transaction is dropped, which rolls it back.
        let (data, search) = change(current)?;
        super::extras::upsert(&mut tx, tenant, subject_id, ns, &data, &search).await?;
        tx.commit().await?;
        Ok(data)
    }
}
