//! What an execution's credential needs before it can be finalized and judged usable: read
//! by `finalize` (which refuses an incomplete execution) and by `processing` (which rejects
//! an incomplete credential), kept apart so neither imports the other for it.

use super::mapping::{self, StoredCredential};
use super::wire::Category;
use crate::model::{DocumentKind, FileSide, StoredFile};

/// What finalize requires of a credential, or why it is incomplete: an ID needs FRONT (and
/// BACK unless it is a passport or visa), a SELFIE its FACE, a DOCUMENT a page, DATA its
/// prepared data. FACEMAP cannot come through the API and is never required here. Sides
/// are read as retrieval reads them (`mapping::file_for`); a document deleted through
/// another API has no parts.
pub fn missing(
    c: &StoredCredential,
    kind: Option<DocumentKind>,
    files: &[StoredFile],
) -> Option<&'static str> {
    let has = |side: FileSide| {
        c.doc()
            .is_some_and(|doc| mapping::file_for(files, doc, side).is_some())
    };
    match c.category {
        Category::Id if !has(FileSide::Front) => Some("FRONT"),
        Category::Id if needs_back(kind) && !has(FileSide::Back) => Some("BACK"),
        Category::Selfie if !has(FileSide::Face) => Some("FACE"),
        Category::Document
            if !files
                .iter()
                .any(|f| c.doc().is_some() && f.document_id == c.doc()) =>
        {
            Some("DOCUMENT")
        }
        Category::Data if c.prepared_data.is_none() => Some("PREPARED_DATA"),
        _ => None,
    }
}

/// Whether an ID of this kind needs its BACK: every ID but a passport or a visa.
pub fn needs_back(kind: Option<DocumentKind>) -> bool {
    !matches!(kind, Some(DocumentKind::Passport | DocumentKind::Visa))
}
