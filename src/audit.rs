//! The audit trail's request side: what the event of the operation running now will say.
//!
//! A request to an API runs inside a [`Scope`] (set by `crate::server::audit`), which knows
//! the API and the operation. Whatever resolves the caller's credential notes it here
//! ([`credential`]), and the store notes the subject, document and file an operation reads
//! or writes ([`subject`], [`document`], [`file`]). The event is then written by whichever
//! comes first:
//! - the commit of a store write transaction inside the scope (the event is one of the
//!   transaction's rows: no committed change without its event);
//! - the end of the request, for one that committed nothing (reads, refusals), before its
//!   answer goes out.
//!
//! Code outside a scope (start-up, the CLI, background work that opens no scope) notes
//! nothing: every function here is then a no-op. A background job that must be audited
//! (retention) opens a scope of its own with [`within`].
//!
//! An event never holds a secret, a name, a document number or file bytes: credentials are
//! named by an id (a fingerprint of the key or token, an account id), documents by id.

use std::future::Future;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::model::TenantId;

/// How an audited operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It did what was asked (and, for a write, committed).
    Ok,
    /// The credential was refused, or does not reach what was asked.
    Denied,
    /// What was asked for does not exist (or is another tenant's).
    NotFound,
    /// The request was refused as malformed or against the API's rules.
    Refused,
    /// It failed on the server's side.
    Failed,
}

impl Outcome {
    /// The outcome an HTTP answer's status says.
    pub fn of_status(status: u16) -> Outcome {
        match status {
            200..=399 => Outcome::Ok,
            401 | 403 => Outcome::Denied,
            404 | 410 => Outcome::NotFound,
            400..=499 => Outcome::Refused,
            _ => Outcome::Failed,
        }
    }

    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::NotFound => "not_found",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }

    /// The outcome a stored name stands for.
    pub fn parse(text: &str) -> Option<Outcome> {
        [
            Outcome::Ok,
            Outcome::Denied,
            Outcome::NotFound,
            Outcome::Refused,
            Outcome::Failed,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }
}

/// One event as an operation produces it, before the store chains it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When.
    pub at: DateTime<Utc>,
    /// Whose chain it joins.
    pub tenant: TenantId,
    /// The credential's id (never the secret), when one was presented and recognised.
    pub credential: Option<String>,
    /// The API (`ncore`, `passfort`, `admin`, `console`, `retention`, …).
    pub api: String,
    /// The operation: method and route, or the job's action.
    pub operation: String,
    /// The subject it concerned.
    pub subject: Option<Uuid>,
    /// The document it concerned.
    pub document: Option<Uuid>,
    /// The file it concerned.
    pub file: Option<Uuid>,
    /// How it ended.
    pub outcome: Outcome,
}

#[derive(Default)]
struct Note {
    tenant: Option<TenantId>,
    credential: Option<String>,
    subject: Option<Uuid>,
    document: Option<Uuid>,
    file: Option<Uuid>,
    recorded: bool,
}

/// The audit scope of one operation (see the module documentation).
pub struct Scope {
    api: &'static str,
    operation: String,
    note: Mutex<Note>,
}

tokio::task_local! {
    static SCOPE: Arc<Scope>;
}

impl Scope {
    /// A scope for `operation` of `api`, with nothing noted yet.
    pub fn new(api: &'static str, operation: String) -> Arc<Scope> {
        Arc::new(Scope {
            api,
            operation,
            note: Mutex::new(Note::default()),
        })
    }

    fn note(&self) -> std::sync::MutexGuard<'_, Note> {
        // A panic while noting leaves a note no less true than before: keep using it.
        self.note.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The event of this scope as it stands, with this outcome; none until a tenant is known.
    pub fn event(&self, outcome: Outcome) -> Option<Event> {
        let n = self.note();
        Some(Event {
            at: Utc::now(),
            tenant: n.tenant.clone()?,
            credential: n.credential.clone(),
            api: self.api.to_owned(),
            operation: self.operation.clone(),
            subject: n.subject,
            document: n.document,
            file: n.file,
            outcome,
        })
    }

    /// Whether an event of this scope has been committed.
    pub fn recorded(&self) -> bool {
        self.note().recorded
    }
}

/// Runs `f` inside `scope`.
pub async fn within<F: Future>(scope: Arc<Scope>, f: F) -> F::Output {
    SCOPE.scope(scope, f).await
}

fn with_note(f: impl FnOnce(&mut Note)) {
    // Outside a scope there is nothing to note.
    let _ = SCOPE.try_with(|s| f(&mut s.note()));
}

/// Notes the caller's tenant and credential id (the first credential noted stands).
pub fn credential(tenant: &TenantId, id: String) {
    with_note(|n| {
        if n.tenant.is_none() {
            n.tenant = Some(tenant.clone());
            n.credential = Some(id);
        }
    });
}

/// Notes the subject the operation concerns (the first noted stands).
pub fn subject(id: Uuid) {
    with_note(|n| {
        n.subject.get_or_insert(id);
    });
}

/// Notes the document the operation concerns (the first noted stands).
pub fn document(id: Uuid) {
    with_note(|n| {
        n.document.get_or_insert(id);
    });
}

/// Notes the file the operation concerns (the first noted stands).
pub fn file(id: Uuid) {
    with_note(|n| {
        n.file.get_or_insert(id);
    });
}

/// Notes a document the operation reads or writes, and its subject.
pub fn on_document(d: &crate::model::Document) {
    subject(d.subject_id);
    document(d.id);
}

/// Notes a file the operation reads or writes, with its subject and document.
pub fn on_file(f: &crate::model::StoredFile) {
    subject(f.subject_id);
    if let Some(d) = f.document_id {
        document(d);
    }
    file(f.id);
}

/// The event a write transaction committing now records, if it runs inside a scope whose
/// tenant is known.
pub(crate) fn pending() -> Option<Event> {
    SCOPE.try_with(|s| s.event(Outcome::Ok)).ok().flatten()
}

/// Says that the event [`pending`] gave was committed: the request records no other.
pub(crate) fn committed() {
    with_note(|n| n.recorded = true);
}

/// The id a configured key goes by in events, from the SHA-256 digest the key table keeps:
/// `key:` and 16 hex digits of a labelled SHA-256 of that digest. It names the key without
/// revealing it or its digest.
pub fn key_id(digest: &[u8; 32]) -> String {
    format!("key:{}", fingerprint(digest))
}

/// The id a token idbridge minted goes by in events, from the digest the store looks it up
/// by: its purpose, `:` and a fingerprint of the digest (as for keys).
pub fn token_id(purpose: &str, digest: &str) -> String {
    format!("{purpose}:{}", fingerprint(digest.as_bytes()))
}

/// 16 hex digits of a labelled SHA-256 of a credential's digest.
fn fingerprint(digest: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"idbridge audit credential id\0");
    h.update(digest);
    hex::encode(h.finalize())[..16].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn notes_stay_inside_their_scope_and_the_first_credential_stands() {
        let tenant = TenantId::new("t1").unwrap();
        credential(&tenant, "outside".into());
        let scope = Scope::new("ncore", "GET /x".into());
        let s = scope.clone();
        within(scope, async {
            assert!(pending().is_none(), "no tenant noted yet");
            credential(&tenant, "key:a".into());
            credential(&TenantId::new("t2").unwrap(), "key:b".into());
            let id = Uuid::new_v4();
            subject(id);
            subject(Uuid::new_v4());
            let e = pending().unwrap();
            assert_eq!(e.tenant, tenant);
            assert_eq!(e.credential.as_deref(), Some("key:a"));
            assert_eq!(e.subject, Some(id));
            assert_eq!(e.api, "ncore");
            committed();
        })
        .await;
        assert!(s.recorded());
        assert!(pending().is_none(), "nothing leaks out of the scope");
    }

    #[test]
    fn outcomes_follow_the_status_and_key_ids_hide_the_key() {
        assert_eq!(Outcome::of_status(201), Outcome::Ok);
        assert_eq!(Outcome::of_status(403), Outcome::Denied);
        assert_eq!(Outcome::of_status(404), Outcome::NotFound);
        assert_eq!(Outcome::of_status(422), Outcome::Refused);
        assert_eq!(Outcome::of_status(503), Outcome::Failed);
        for o in ["ok", "denied", "not_found", "refused", "failed"] {
            assert_eq!(Outcome::parse(o).unwrap().as_str(), o);
        }
        let id = key_id(&[7; 32]);
        assert!(id.starts_with("key:") && id.len() == 20);
        assert!(!hex::encode([7u8; 32]).contains(&id[4..]));
        assert_eq!(id, key_id(&[7; 32]));
        assert_ne!(id, key_id(&[8; 32]));
    }
}
