//! Personal data a process's credential carries: prepared data (with the document it
//! declares) and prefill (declared on the credential's document). Each function is one
//! transaction (see the module documentation of `ops`).

use uuid::Uuid;

use super::{Action, Target, open, record, start_document};
use crate::error::Result;
use crate::model::{DocumentPatch, Process, ValidNewDocument};
use crate::store::{ProcessCredential, Store};

/// What a body of personal data declares.
pub struct Declared<N> {
    /// The body, as sent (kept on the credential).
    pub value: serde_json::Value,
    /// The change it makes to the document it declares.
    pub patch: DocumentPatch,
    /// The document it declares when there is none yet.
    pub new_document: N,
}

/// Stores a credential's prepared data, replacing any earlier: with `declares_document`,
/// its data document takes `patch` (a new one when there is none); without, the data has
/// no document and an earlier one goes.
pub async fn put_prepared<F, N>(
    store: &Store,
    t: &Target<'_>,
    a: &Action<F>,
    credential: Uuid,
    declares_document: bool,
    body: Declared<N>,
) -> Result<()>
where
    F: Fn(&Process) -> Result<()>,
    N: FnOnce(&ProcessCredential) -> Result<ValidNewDocument>,
{
    let mut tx = store.begin().await?;
    let p = open(&mut tx, t, a).await?;
    let mut c = tx.credential(t.tenant, p.id, credential).await?;
    let old = match c.data_document_id {
        Some(id) => tx.document(t.tenant, id).await?,
        None => None,
    };
    c.data_document_id = match (old, declares_document) {
        (Some(d), true) => Some(tx.patch_document(t.tenant, d.id, body.patch).await?.id),
        (None, true) => {
            let new = (body.new_document)(&c)?;
            Some(tx.insert_document(t.tenant, t.subject, new).await?.id)
        }
        (Some(d), false) => {
            tx.delete_document(t.tenant, d.id).await?;
            None
        }
        (None, false) => None,
    };
    c.prepared = Some(body.value);
    tx.update_credential(t.tenant, &c).await?;
    record(&mut tx, &p, a).await?;
    tx.commit().await
}

/// Deletes a credential's prepared data and the document it declared. Without prepared
/// data: `NotFound("part")` when `required`, else nothing happens.
pub async fn drop_prepared<F: Fn(&Process) -> Result<()>>(
    store: &Store,
    t: &Target<'_>,
    a: &Action<F>,
    credential: Uuid,
    required: bool,
) -> Result<()> {
    let mut tx = store.begin().await?;
    let p = open(&mut tx, t, a).await?;
    let mut c = tx.credential(t.tenant, p.id, credential).await?;
    if c.prepared.is_none() {
        return if required {
            Err(crate::error::Error::NotFound("part"))
        } else {
            Ok(())
        };
    }
    c.prepared = None;
    let doc = c.data_document_id.take();
    tx.update_credential(t.tenant, &c).await?;
    record(&mut tx, &p, a).await?;
    if let Some(d) = doc {
        tx.delete_document(t.tenant, d).await?;
    }
    tx.commit().await
}

/// Prefills a credential: its document takes `patch` (a new document when it has none or
/// another API deleted it), and the body is kept on the credential.
pub async fn prefill<F, N>(
    store: &Store,
    t: &Target<'_>,
    a: &Action<F>,
    credential: Uuid,
    body: Declared<N>,
) -> Result<()>
where
    F: Fn(&Process) -> Result<()>,
    N: FnOnce(&ProcessCredential) -> Result<ValidNewDocument>,
{
    let mut tx = store.begin().await?;
    let p = open(&mut tx, t, a).await?;
    let mut c = tx.credential(t.tenant, p.id, credential).await?;
    let doc = match c.document_id {
        Some(id) => tx.document(t.tenant, id).await?,
        None => None,
    };
    match doc {
        Some(d) => {
            tx.patch_document(t.tenant, d.id, body.patch).await?;
        }
        None => {
            let new = (body.new_document)(&c)?;
            start_document(&mut tx, t, &mut c, new).await?;
        }
    }
    c.prefill = Some(body.value);
    tx.update_credential(t.tenant, &c).await?;
    record(&mut tx, &p, a).await?;
    tx.commit().await
}
