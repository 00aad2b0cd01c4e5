//! Documents sent in collected data (a replace) or to `POST …/collected_data/documents` (one
//! new document), checked against what the profile has before anything is written, and
//! turned into the store's replacement set.
//!
//! A replace makes `documents` the profile's whole set, as PassFort's spec says: a listed
//! `id` updates that document (its image set included), an entry without `id` creates one,
//! a document not listed is removed. Images are PassFort's `document_images`, a resource of
//! their own: a removed document's images stay listed there, free for another document,
//! even one created by the same replace.

use std::collections::{BTreeMap, HashSet};

use serde_json::json;
use uuid::Uuid;

use super::error::PassfortError;
use super::mapping::{self, NAMESPACE};
use super::wire::NewDocument;
use crate::adapters::common::rename_field;
use crate::error::Error;
use crate::model::{Document, DocumentPatch, FileSide, StoredFile};
use crate::store::Filed;
use crate::store::replace::{Replacement, Target};

/// Most images on one document.
pub const MAX_IMAGES_PER_DOCUMENT: u32 = 10;

/// Whether images may come from other documents of the profile.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `POST …/collected_data`: the set is replaced, so any document image of the profile
    /// may be listed (once).
    Replace,
    /// `POST …/collected_data/documents`: the other documents stay, so only free images;
    /// the body is the one document, so its fields are named without `documents[i]`.
    Add,
}

/// A field of a document under `root`: `documents[i].<field>` in a replace, the field
/// itself in the add-document body, which is one document.
fn under(root: &str, field: &str) -> String {
    if root.is_empty() {
        field.to_owned()
    } else {
        format!("{root}.{field}")
    }
}

/// Names a canonical field's error by the `extracted_data` field it came from.
fn extracted_field(root: &str, e: Error) -> Error {
    rename_field(e, |field| {
        let name = match field {
            "issued_on" => "issued",
            "expires_on" => "expiry",
            "issuing_authority" => "issuer",
            other => other,
        };
        under(root, &format!("extracted_data.{name}"))
    })
}

/// Checks every document against what the profile has (its documents with their files,
/// and its free files) and returns the new set; nothing is written. Errors name fields
/// relative to the body sent: `documents[i].…` in a replace, the document's own fields
/// (`images[0].id`) when adding one.
pub fn plan(
    profile: &Filed,
    docs: Vec<NewDocument>,
    mode: Mode,
) -> Result<Vec<Replacement>, PassfortError> {
    // Adding never updates: no document of the profile is listed there.
    let current: &[(Document, Vec<StoredFile>)] = match mode {
        Mode::Replace => &profile.documents,
        Mode::Add => &[],
    };
    let mut out = Vec::with_capacity(docs.len());
    let mut kept = HashSet::new();
    let mut taken = HashSet::new();
    let by_id: BTreeMap<Uuid, &StoredFile> = profile
        .documents
        .iter()
        .flat_map(|(_, files)| files)
        .chain(&profile.loose)
        .map(|f| (f.id, f))
        .collect();
    for (i, d) in docs.into_iter().enumerate() {
        let root = match mode {
            Mode::Replace => format!("documents[{i}]"),
            Mode::Add => String::new(),
        };
        let at = |field: &str| under(&root, field);
        // Checked in the order a reader of the error expects: which document, its data,
        // then its images.
        let existing = match d.id {
            None => None,
            Some(id) => Some(
                current
                    .iter()
                    .find(|(c, _)| c.id == id)
                    .filter(|_| kept.insert(id))
                    .ok_or_else(|| {
                        Error::invalid(at("id"), "is not a document of this profile (listed once)")
                    })?,
            ),
        };
        super::schema::check_document(&d, &root)?;
        let ex = mapping::extracted(d.extracted_data.unwrap_or_default())
            .map_err(|e| rename_field(e, at))?;
        let extras = json!({
            "document_type": d.document_type,
            "category": d.category,
            "extracted_data": ex.rest,
            "verification_result": d.verification_result,
        });
        // A document is one or more images (the seed). A document written through another API
        // may have none yet; sent back as read, it keeps none.
        let imageless = existing.is_some_and(|(_, files)| files.is_empty());
        if d.images.is_empty() && !imageless {
            return Err(Error::invalid(at("images"), "a document has one or more images").into());
        }
        if d.images.len() > MAX_IMAGES_PER_DOCUMENT as usize {
            return Err(Error::invalid(at("images"), "at most 10 images per document").into());
        }
        let mut images: Vec<(Uuid, FileSide)> = Vec::with_capacity(d.images.len());
        for (j, r) in d.images.iter().enumerate() {
            let usable = by_id.get(&r.id).filter(|f| {
                !mapping::is_plain_file(f) && (mode == Mode::Replace || f.document_id.is_none())
            });
            match usable {
                Some(f) if taken.insert(f.id) => images.push((f.id, f.side)),
                Some(_) => {
                    return Err(Error::invalid(
                        at(&format!("images[{j}].id")),
                        format!("{} is listed by another document", r.id),
                    )
                    .into());
                }
                None => {
                    let what = match mode {
                        Mode::Replace => "a document image of this profile",
                        Mode::Add => "a document image of this profile that is free to use",
                    };
                    return Err(Error::invalid(
                        at(&format!("images[{j}].id")),
                        format!("{} is not {what}", r.id),
                    )
                    .into());
                }
            }
        }
        let target = match existing {
            Some((existing, _)) => {
                // A type or category sent back as this API shows it keeps the stored kind:
                // reading and writing back unchanged must not turn an ID card into a
                // state ID for every other API.
                let kind = if mapping::type_of(existing.kind) == d.document_type {
                    existing.kind
                } else {
                    mapping::kind_of(d.document_type)
                };
                let category = if mapping::passfort_category(existing.category) == d.category {
                    existing.category
                } else {
                    mapping::category_of(d.category)
                };
                let patch = DocumentPatch {
                    kind: Some(kind),
                    category: Some(category),
                    number: Some(ex.number),
                    issuing_country: Some(ex.issuing_country),
                    issuing_authority: Some(ex.issuer),
                    issued_on: Some(ex.issued),
                    expires_on: Some(ex.expiry),
                    extras: Some((NAMESPACE.into(), extras)),
                    ..Default::default()
                };
                // Checked now, on a copy, so a bad patch refuses the request before the
                // transaction starts.
                patch
                    .clone()
                    .apply(&mut existing.clone())
                    .map_err(|e| extracted_field(&root, e))?;
                Target::Update(existing.id, patch)
            }
            None => {
                let new = crate::model::NewDocument {
                    kind: Some(mapping::kind_of(d.document_type)),
                    category: Some(mapping::category_of(d.category)),
                    number: ex.number,
                    issuing_country: ex.issuing_country,
                    issuing_authority: ex.issuer,
                    issued_on: ex.issued,
                    expires_on: ex.expiry,
                    extras: [(NAMESPACE.to_owned(), extras)].into(),
                    written_by: Some(NAMESPACE),
                    ..Default::default()
                };
                Target::Create(new.validate().map_err(|e| extracted_field(&root, e))?)
            }
        };
        out.push(Replacement {
            target,
            files: images,
        });
    }
    Ok(out)
}

/// A store error of a replace that lost a race with another request (the checks above
/// passed on what was read before the transaction), as the 400 that says nothing changed.
pub fn raced(e: Error) -> PassfortError {
    match e {
        Error::NotFound("document") => Error::invalid(
            "documents",
            "a listed document was removed meanwhile; nothing changed",
        )
        .into(),
        Error::NotFound("file") => Error::invalid(
            "documents",
            "a listed image was removed or used meanwhile; nothing changed",
        )
        .into(),
        Error::NotFound("subject") => Error::NotFound("profile").into(),
        other => other.into(),
    }
}
