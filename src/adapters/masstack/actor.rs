//! The actor of an identification is a subject: found through the identity document it
//! declares (stored through any API) or created with it, and the declared document becomes,
//! or is, one of its canonical documents.

use super::mapping::{self, DECLARED, DECLARED_TYPE, NAMESPACE};
use super::request::{DocumentInput, Valid};
use crate::error::Result;
use crate::model::{Document, NewDocument, PersonalData, TenantId};
use crate::state::AppState;
use crate::store::Anchor;
use chrono::NaiveDate;

/// Who the actor is and what they already had on file.
#[derive(Debug)]
pub struct Found {
    /// The best matching document the subject had that counts as evidence.
    pub evidence: Option<Document>,
    /// The best matching document on file at all, whose subject is the actor; `None` when
    /// nobody holds the declared document yet (the actor is then a new subject).
    pub existing: Option<Document>,
}

/// Finds the actor among the tenant's subjects by the declared document. When several
/// subjects hold a matching document, the one holding the best evidence wins (then the
/// oldest document), so the answer does not depend on which API stored it.
pub async fn find(
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
        return Ok(Found {
            evidence: None,
            existing: None,
        });
    };
    let evidence = best(
        candidates
            .iter()
            .filter(|d| d.subject_id == top.subject_id && mapping::is_evidence(d)),
        today,
    );
    Ok(Found {
        evidence,
        existing: Some(top),
    })
}

/// The best of some matching documents (see `mapping::rank`).
fn best<'a>(docs: impl Iterator<Item = &'a Document>, today: NaiveDate) -> Option<Document> {
    docs.max_by_key(|d| mapping::rank(d, today)).cloned()
}

/// Where the identification's canonical document comes from: the subject's matching
/// document when there is one, else a new one holding what the request declared (no
/// files), for a new subject.
pub fn anchor(found: &Found, req: &Valid) -> Result<Anchor> {
    if let Some(d) = &found.existing {
        return Ok(Anchor::OnFile(d.id));
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
        written_by: Some(NAMESPACE),
        ..Default::default()
    };
    Ok(Anchor::NewSubject(Box::new(new.validate()?)))
}
