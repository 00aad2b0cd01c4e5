//! The actor of an identification is a subject: found through the identity document it
//! declares (stored through any API) or created, and the declared document becomes, or is,
//! one of its canonical documents.

use chrono::NaiveDate;
use uuid::Uuid;

use super::mapping::{self, DECLARED, DECLARED_TYPE, NAMESPACE};
use super::request::{DocumentInput, Valid};
use crate::error::Result;
use crate::model::{Document, NewDocument, PersonalData, TenantId};
use crate::state::AppState;

/// Who the actor is and what they already had on file.
#[derive(Debug)]
pub struct Found {
    /// The subject.
    pub subject_id: Uuid,
    /// The best matching document the subject had that counts as evidence.
    pub evidence: Option<Document>,
    /// The best matching document the subject had at all (reused instead of a new one).
    pub existing: Option<Document>,
}

/// Finds the actor among the tenant's subjects by the declared document, or creates one.
/// When several subjects hold a matching document, the one holding the best evidence wins
/// (then the oldest document), so the answer does not depend on which API stored it.
pub async fn find_or_create(
    state: &AppState,
    tenant: &TenantId,
    input: &DocumentInput,
    today: NaiveDate,
) -> Result<Found> {
    let candidates: Vec<Document> = state
        .store
        .find_documents_by_number(tenant, &input.number)
        .await?
        .into_iter()
        .filter(|d| mapping::matches(d, input))
        .collect();
    let Some(top) = best(candidates.iter(), today) else {
        let subject = state.store.create_subject(tenant, None, None, &[]).await?;
        return Ok(Found {
            subject_id: subject.id,
            evidence: None,
            existing: None,
        });
    };
    let subject_id = top.subject_id;
    let evidence = best(
        candidates
            .iter()
            .filter(|d| d.subject_id == subject_id && mapping::is_evidence(d)),
        today,
    );
    Ok(Found {
        subject_id,
        evidence,
        existing: Some(top),
    })
}

/// The best of some matching documents (see `mapping::rank`).
fn best<'a>(docs: impl Iterator<Item = &'a Document>, today: NaiveDate) -> Option<Document> {
    docs.max_by_key(|d| mapping::rank(d, today)).cloned()
}

/// The canonical document of an identification: the subject's matching document when it
/// has one, else a new one holding what the request declared (no files).
pub async fn document(
    state: &AppState,
    tenant: &TenantId,
    found: &Found,
    req: &Valid,
) -> Result<Document> {
    if let Some(d) = &found.existing {
        return Ok(d.clone());
    }
    let extras = serde_json::json!({
        DECLARED_TYPE: req.document.document_type,
        DECLARED: true,
    });
    let new = NewDocument {
        kind: Some(mapping::kind_of(req.document.document_type)),
        number: Some(req.document.number.clone()),
        issuing_country: req.document.country.clone(),
        personal: PersonalData {
            first_name: req.name.clone(),
            last_name: req.last_name.clone(),
            ..Default::default()
        },
        extras: [(NAMESPACE.to_owned(), extras)].into(),
        ..Default::default()
    };
    state
        .store
        .create_document(tenant, found.subject_id, new.validate()?)
        .await
}
