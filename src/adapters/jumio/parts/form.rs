//! What a part upload brings and where it goes: the form's files, staged under Jumio's image
//! rules, and the credential's document and files, read in the owner's scope.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use uuid::Uuid;

use crate::adapters::common;
use crate::adapters::jumio::error::JumioError;
use crate::adapters::jumio::mapping::{self, StoredCredential};
use crate::adapters::jumio::wire::Category;
use crate::error::Error;
use crate::media::MediaType;
use crate::model::{Document, FileSide, NewDocument, NewFile, StoredFile, TenantId};
use crate::state::AppState;
use crate::store::PutRules;

/// Jumio's image rules, from the header: JPEG or PNG, at most 8000 × 8000, longest side
/// above 300 px. A DOCUMENT page may also be a PDF.
fn image_rules(pdf_allowed: bool) -> PutRules {
    PutRules {
        max_size: mapping::MAX_PART_SIZE,
        max_files_per_document: 100,
        accept: Box::new(move |s| {
            match s.media_type {
                MediaType::Jpeg | MediaType::Png => {}
                MediaType::Pdf if pdf_allowed => return Ok(()),
                _ => {
                    return Err(Error::UnsupportedMediaType(if pdf_allowed {
                        "a page must be a JPEG or PNG image, or a PDF".into()
                    } else {
                        "a part must be a JPEG or PNG image".into()
                    }));
                }
            }
            let (Some(w), Some(h)) = (s.width, s.height) else {
                return Err(Error::invalid("file", "the image size cannot be read"));
            };
            if w > mapping::MAX_SIDE || h > mapping::MAX_SIDE {
                return Err(Error::invalid(
                    "file",
                    "the image is larger than 8000 × 8000",
                ));
            }
            if w.max(h) <= mapping::MIN_LONGEST_SIDE {
                return Err(Error::invalid(
                    "file",
                    "the longest side must be above 300 px",
                ));
            }
            Ok(())
        }),
    }
}

/// The credential's stored files, in side order: its document's files if that document is
/// `subject`'s (none when it holds no document, or its document is gone).
pub(in crate::adapters::jumio) async fn files_of(
    state: &AppState,
    tenant: &TenantId,
    subject: Uuid,
    credential: &StoredCredential,
) -> Result<Vec<StoredFile>, Error> {
    match credential.doc() {
        Some(doc) => state.store.document_files_of(tenant, subject, doc).await,
        None => Ok(Vec::new()),
    }
}

/// `subject`'s document with this id, or `None` when there is none, it is gone or it is
/// another's: another API may delete a credential's document, which then reads as a
/// credential with no parts or data.
pub(in crate::adapters::jumio) async fn credential_document(
    state: &AppState,
    tenant: &TenantId,
    subject: Uuid,
    id: Option<Uuid>,
) -> Result<Option<Document>, Error> {
    let Some(id) = id else { return Ok(None) };
    found(state.store.document_of(tenant, subject, id).await)
}

/// A document read, with `NotFound` as `None`.
fn found(read: Result<Document, Error>) -> Result<Option<Document>, Error> {
    match read {
        Ok(d) => Ok(Some(d)),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The extras idbridge writes on a credential's document.
pub(in crate::adapters::jumio) fn extras(
    credential: &StoredCredential,
) -> std::collections::BTreeMap<String, serde_json::Value> {
    [(
        mapping::NAMESPACE.to_owned(),
        serde_json::json!({
            "category": credential.category,
            "idTypes": credential.id_types,
            "credential": credential.id,
        }),
    )]
    .into()
}

/// The new document a credential's parts go to when another API deleted its document.
pub(super) fn new_document(
    credential: &StoredCredential,
) -> Result<crate::model::ValidNewDocument, Error> {
    NewDocument {
        kind: Some(mapping::kind_for(credential.category, &credential.id_types)),
        extras: extras(credential),
        written_by: Some(mapping::NAMESPACE),
        ..Default::default()
    }
    .validate()
}

/// Refuses parts on a credential the execution reuses (captured before, no API channel).
pub(super) fn takes_parts(credential: &StoredCredential) -> Result<(), Error> {
    if credential.reused {
        return Err(Error::invalid(
            "credentialId",
            "this credential was captured before and is only referenced; it takes no parts",
        ));
    }
    if credential.category == Category::Facemap {
        return Err(Error::invalid(
            "classifier",
            "a FACEMAP credential takes no parts through the API",
        ));
    }
    Ok(())
}

/// Stages every `file` part of a form (without a document: the operation puts them on the
/// credential's document), checking `side` for each.
pub(super) async fn stage_form(
    state: &AppState,
    tenant: &TenantId,
    subject: Uuid,
    multipart: Result<Multipart, MultipartRejection>,
    mut side: impl FnMut(usize) -> Result<FileSide, Error>,
    pdf_allowed: bool,
) -> Result<Vec<crate::store::StagedFile>, JumioError> {
    let mut multipart = multipart.map_err(|r| JumioError::Body(r.body_text()))?;
    let mut staged = Vec::new();
    while let Some(field) = common::multipart::next_named!(multipart, "file") {
        let new = NewFile {
            subject_id: subject,
            document_id: None,
            side: side(staged.len())?,
            name: field.file_name().map(str::to_owned),
            extras: Default::default(),
        };
        let body = common::multipart::stream(field, "file");
        staged.push(
            state
                .store
                .stage_file(tenant, new, image_rules(pdf_allowed), body)
                .await?,
        );
    }
    if staged.is_empty() {
        return Err(Error::invalid("file", "is required").into());
    }
    Ok(staged)
}
/// Body of a part upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the form; the part is streamed by hand
pub struct PartForm {
    /// JPEG or PNG, at most 15 MB and 8000 × 8000, longest side above 300 px (a DOCUMENT
    /// page may also be a PDF).
    #[schema(format = Binary, value_type = String)]
    pub file: Vec<u8>,
}
