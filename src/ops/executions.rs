//! Processes with credentials: opening one (its subject when new, its documents,
//! credentials and token together) and deleting one or a whole subject. Each function is one transaction.

use chrono::Duration;
use uuid::Uuid;

use super::{Target, lock};
use crate::error::Result;
use crate::model::{Namespace, NewProcess, Process, TenantId, ValidNewDocument};
use crate::store::{MintedToken, ProcessCredential, ProcessDetails, Store};

/// A credential of a new process.
pub struct NewCredential {
    /// The vendor's category, as the vendor writes it.
    pub category: String,
    /// The document types requested.
    pub id_types: Vec<String>,
    /// Where its parts go: a new document, an existing one it reuses (captured before, it
    /// takes no parts here), or none.
    pub holds: Holds,
}

/// Where a new credential's parts go.
pub enum Holds {
    /// A new document, created with the process; the credential takes its id.
    New(Box<ValidNewDocument>),
    /// A document on file, reused.
    Reused(Uuid),
    /// No document (personal data only, or a capture with no API channel).
    Nothing,
}

/// The token a new process comes with.
pub struct NewToken<'a> {
    /// Its purpose.
    pub purpose: &'a str,
    /// Its lifetime.
    pub ttl: Duration,
}

/// Whose a new process is: `NewProcess::subject_id` names a subject on file, or the
/// subject created with the process.
pub enum Owner {
    /// A subject on file (gone by the time the process is stored: not found).
    OnFile,
    /// A new subject with that id and these aliases, created in the process's transaction.
    New(Vec<(Namespace, String)>),
}

/// Everything a process is opened with.
pub struct Opening<'a> {
    /// Whose it is.
    pub owner: Owner,
    /// The process.
    pub process: NewProcess,
    /// Its credentials, in order.
    pub credentials: Vec<NewCredential>,
    /// Its token.
    pub token: NewToken<'a>,
    /// Its settings (flow, references, callback), if it has any.
    pub details: Option<ProcessDetails>,
}

/// Opens a process for a subject on file with its credentials (and their new documents)
/// and its token, all or nothing.
pub async fn open_process(
    store: &Store,
    tenant: &TenantId,
    new: NewProcess,
    credentials: Vec<NewCredential>,
    token: NewToken<'_>,
) -> Result<(Process, Vec<ProcessCredential>, MintedToken)> {
    let opening = Opening {
        owner: Owner::OnFile,
        process: new,
        credentials,
        token,
        details: None,
    };
    open(store, tenant, opening).await
}

/// Opens a process with its details, its credentials (and their new documents) and its
/// token, and creates its subject first if it is new: all or nothing.
pub async fn open(
    store: &Store,
    tenant: &TenantId,
    o: Opening<'_>,
) -> Result<(Process, Vec<ProcessCredential>, MintedToken)> {
    let Opening {
        owner,
        process: new,
        credentials,
        token,
        details,
    } = o;
    let subject = new.subject_id;
    let mut tx = store.begin().await?;
    if let Owner::New(aliases) = owner {
        tx.insert_subject(tenant, subject, &aliases).await?;
    }
    let p = tx.insert_process(tenant, new).await?;
    if let Some(d) = &details {
        tx.insert_details(tenant, p.id, d).await?;
    }
    let mut stored = Vec::with_capacity(credentials.len());
    for (position, c) in (0u32..).zip(credentials) {
        let (id, document_id, reused) = match c.holds {
            Holds::New(doc) => {
                let d = tx.insert_document(tenant, subject, *doc).await?;
                (d.id, Some(d.id), false)
            }
            Holds::Reused(id) => (id, Some(id), true),
            Holds::Nothing => (Uuid::now_v7(), None, false),
        };
        let row = ProcessCredential {
            id,
            process_id: p.id,
            position,
            category: c.category,
            id_types: c.id_types,
            document_id,
            data_document_id: None,
            reused,
            last_page: 0,
            prefill: None,
            prepared: None,
        };
        tx.insert_credential(tenant, &row).await?;
        stored.push(row);
    }
    let minted = tx
        .mint_token(tenant, subject, Some(p.id), token.purpose, token.ttl)
        .await?;
    tx.commit().await?;
    Ok((p, stored, minted))
}

/// Deletes a process: the documents its credentials started or declared (not those it
/// reused), their files (unrecoverably), its credentials and its tokens.
pub async fn delete_process(store: &Store, t: &Target<'_>) -> Result<()> {
    let mut tx = store.begin().await?;
    let p = lock(&mut tx, t).await?;
    for c in tx.credentials(t.tenant, p.id).await? {
        if c.reused {
            continue;
        }
        for d in [c.document_id, c.data_document_id].into_iter().flatten() {
            tx.delete_document(t.tenant, d).await?;
        }
    }
    tx.delete_process(t.tenant, p.id).await?;
    tx.commit().await
}

/// Deletes a subject and everything stored for it, through every API (the store's
/// one-transaction subject delete): a process operation that runs after it finds nothing.
pub async fn delete_subject(store: &Store, tenant: &TenantId, subject: Uuid) -> Result<()> {
    store.delete_subject(tenant, subject).await
}
