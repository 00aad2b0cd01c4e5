//! B2Core documents to and from the canonical model: the document-type table, the side each
//! file of a document takes, and the JSON views.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

use super::wire::{
    Document as DocumentView, DocumentFile, DocumentType, TypeGroup, TypeRef, UploadedFile,
};
use crate::config::DocumentTypeConfig;
use crate::error::{Error, Result};
use crate::media::MediaType;
use crate::model::{Document, DocumentKind, FileSide, StoredFile};

/// Largest file a client may submit: 20 MiB.
pub const MAX_FILE_SIZE: u64 = 20 * 1024 * 1024;

/// Longest file name kept, in bytes (UTF-8). A name is echoed in every list and in the
/// download's `Content-Disposition` (twice, once percent-encoded: up to 9 bytes per byte of
/// name); 255 bytes, the common file-system limit, keeps that header under 3 KiB, inside the
/// 4–8 KiB header buffers of the proxies in front of a client.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// What a client may submit, judged by content.
pub const ALLOWED: [MediaType; 3] = [MediaType::Pdf, MediaType::Jpeg, MediaType::Png];

/// Prefix of the paths `POST /files` hands out.
pub const UPLOAD_PATH_PREFIX: &str = "uploads/";

/// This API's extras namespace, on documents (the `typeID` the client chose) and on files
/// (the mark of an upload).
pub const NAMESPACE: &str = "mydocs";

/// The extras a document added here keeps: the `typeID` its client chose, so that a type
/// sharing its canonical kind with another still reads back as itself.
pub fn document_extras(type_id: u32) -> (String, serde_json::Value) {
    (
        NAMESPACE.to_owned(),
        serde_json::json!({ "typeId": type_id }),
    )
}

/// The built-in table: `(typeID, name, kind, group)`. Replaceable in configuration.
const DEFAULT_TYPES: [(u32, &str, DocumentKind, &str); 10] = [
    (1, "Passport", DocumentKind::Passport, "Proof of identity"),
    (
        2,
        "National ID card",
        DocumentKind::IdCard,
        "Proof of identity",
    ),
    (
        3,
        "Driving licence",
        DocumentKind::DrivingLicence,
        "Proof of identity",
    ),
    (
        4,
        "Residence permit",
        DocumentKind::ResidencePermit,
        "Proof of identity",
    ),
    (
        5,
        "Utility bill",
        DocumentKind::UtilityBill,
        "Proof of address",
    ),
    (
        6,
        "Bank statement",
        DocumentKind::BankStatement,
        "Proof of address",
    ),
    (
        7,
        "Selfie with proof of identity",
        DocumentKind::FaceImage,
        "Selfie with proof of identity",
    ),
    (
        8,
        "Tax document",
        DocumentKind::TaxDocument,
        "Proof of address",
    ),
    (9, "Visa", DocumentKind::Visa, "Proof of identity"),
    (10, "Other", DocumentKind::Other, "Other"),
];

/// One usable document type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Type {
    /// The `typeID`.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// The canonical kind documents of this type have.
    pub kind: DocumentKind,
    /// Its group's name.
    pub group: String,
    /// Most files per document.
    pub max_files: u32,
}

/// The document-type table in force.
#[derive(Clone, Debug)]
pub struct Types(Vec<Type>);

impl Types {
    /// The configured table, or the built-in one. The configuration was validated at load.
    pub fn from_config(configured: Option<&[DocumentTypeConfig]>) -> Types {
        let Some(list) = configured else {
            return Types(
                DEFAULT_TYPES
                    .iter()
                    .map(|&(id, name, kind, group)| Type {
                        id,
                        name: name.into(),
                        kind,
                        group: group.into(),
                        max_files: 3,
                    })
                    .collect(),
            );
        };
        Types(
            list.iter()
                .filter_map(|t| {
                    Some(Type {
                        id: t.id,
                        name: t.name.clone(),
                        kind: DocumentKind::parse(&t.kind).ok()?,
                        group: t.group.clone(),
                        max_files: t.max_files,
                    })
                })
                .collect(),
        )
    }

    /// The type a client names by `typeID`.
    pub fn by_id(&self, id: u32) -> Option<&Type> {
        self.0.iter().find(|t| t.id == id)
    }

    /// The type a stored document shows as: the first of its kind, else the first of kind
    /// `other` (lossy: e.g. a state ID reads as "Other"), else the first type.
    pub fn of_kind(&self, kind: DocumentKind) -> &Type {
        self.0
            .iter()
            .find(|t| t.kind == kind)
            .or_else(|| self.0.iter().find(|t| t.kind == DocumentKind::Other))
            .unwrap_or(&self.0[0])
    }

    /// The type a document shows: the `typeID` its client chose when it was added here, as
    /// long as that type still exists and still has the document's kind (another API may
    /// have changed the kind since); otherwise [`Types::of_kind`].
    pub fn of_document(&self, doc: &Document) -> &Type {
        doc.extras
            .get(NAMESPACE)
            .and_then(|e| e.get("typeId"))
            .and_then(serde_json::Value::as_u64)
            .and_then(|id| u32::try_from(id).ok())
            .and_then(|id| self.by_id(id))
            .filter(|t| t.kind == doc.kind)
            .unwrap_or_else(|| self.of_kind(doc.kind))
    }

    /// Most files any type allows (sizes the request body limit).
    pub fn max_files(&self) -> u32 {
        self.0.iter().map(|t| t.max_files).max().unwrap_or(1)
    }

    /// The table in B2Core's Document Type shape.
    pub fn views(&self) -> Vec<DocumentType> {
        let mut groups: Vec<&str> = Vec::new();
        self.0
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let group = match groups.iter().position(|g| *g == t.group) {
                    Some(p) => p,
                    None => {
                        groups.push(&t.group);
                        groups.len() - 1
                    }
                } as u32
                    + 1;
                DocumentType {
                    id: t.id,
                    name: t.name.clone(),
                    description: t.name.clone(),
                    enabled: true,
                    example: String::new(),
                    group: TypeGroup {
                        id: group,
                        name: t.group.clone(),
                        description: t.group.clone(),
                        enabled: true,
                        priority: group,
                        resources: Vec::new(),
                        kind: "one",
                    },
                    max_files: t.max_files,
                    priority: i as u32 + 1,
                    resources: Vec::new(),
                }
            })
            .collect()
    }
}

/// The side the `index`-th file (from 0) of a document of this kind shows: two-sided cards
/// are front then back, a selfie is a face, everything else is numbered pages.
pub fn side_of(kind: DocumentKind, index: usize) -> FileSide {
    use DocumentKind as K;
    let page = FileSide::Page(index as u16 + 1);
    match kind {
        K::IdCard | K::DrivingLicence | K::ResidencePermit | K::StateId | K::VoterId => match index
        {
            0 => FileSide::Front,
            1 => FileSide::Back,
            _ => page,
        },
        K::FaceImage if index == 0 => FileSide::Face,
        _ => page,
    }
}

/// Checks a file name as a client sent it (multipart `filename`) before any byte is stored.
pub fn check_file_name(name: &str) -> Result<()> {
    if name.len() > MAX_FILE_NAME_BYTES {
        return Err(Error::invalid(
            "file",
            format!("the file name must be at most {MAX_FILE_NAME_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// Checks content against the allowed types.
pub fn check_media(media: MediaType) -> Result<()> {
    if ALLOWED.contains(&media) {
        Ok(())
    } else {
        Err(Error::UnsupportedMediaType(
            "must be a PDF, JPEG or PNG (judged by content)".into(),
        ))
    }
}

/// Writes a time as B2Core does: ISO-8601 with an offset, e.g. `2026-01-01T00:00:00+00:00`.
pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The `status` a document shows; see [`DocumentView::status`].
pub fn status(doc: &Document, today: NaiveDate) -> &'static str {
    if doc.is_expired(today) {
        "expired"
    } else if doc.file_count == 0 {
        "incomplete"
    } else {
        "new"
    }
}

/// A document as the client sees it. `base` is the absolute URL of `/api/v2/my`.
pub fn document(
    doc: Document,
    mut files: Vec<StoredFile>,
    types: &Types,
    base: &str,
    today: NaiveDate,
) -> DocumentView {
    files.sort_by_key(|f| (f.side.position(), f.created_at));
    let t = types.of_document(&doc);
    let files: Vec<DocumentFile> = files
        .into_iter()
        .map(|f| DocumentFile {
            download_url: format!("{base}/documents/{}/files/{}", doc.seq, f.id),
            id: f.id,
            file_name: f.name,
            file_size: f.size,
            mime_type: f.media_type.mime(),
            side: f.side.to_text(),
            create_time: time(f.created_at),
        })
        .collect();
    let first = files.first();
    DocumentView {
        id: doc.seq,
        type_id: t.id,
        type_ref: TypeRef {
            id: t.id,
            name: t.name.clone(),
        },
        status: status(&doc, today),
        file_name: first.and_then(|f| f.file_name.clone()),
        file_size: first.map(|f| f.file_size),
        mime_type: first.map(|f| f.mime_type),
        download_url: first.map(|f| f.download_url.clone()),
        number: doc.number.clone(),
        expiry_date: doc.expires_on.map(|d| d.to_string()),
        issuing_country: doc.issuing_country.as_ref().map(|c| c.as_str().to_owned()),
        create_time: time(doc.created_at),
        update_time: time(doc.updated_at),
        files,
    }
}

/// An upload as `POST /files` answers it.
pub fn uploaded(f: StoredFile) -> UploadedFile {
    UploadedFile {
        path: format!("{UPLOAD_PATH_PREFIX}{}", f.id),
        file_name: f.name,
        file_size: f.size,
        mime_type: f.media_type.mime(),
        create_time: time(f.created_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_default_type_reads_back_as_itself() {
        let types = Types::from_config(None);
        for (id, _, kind, _) in DEFAULT_TYPES {
            let t = types.by_id(id).unwrap();
            assert_eq!(t.kind, kind);
            assert_eq!(types.of_kind(kind).id, id, "{kind:?} must map back to {id}");
        }
    }

    #[test]
    fn every_canonical_kind_has_a_type() {
        let types = Types::from_config(None);
        for kind in DocumentKind::iter() {
            let t = types.of_kind(kind);
            let own = DEFAULT_TYPES.iter().any(|(_, _, k, _)| *k == kind);
            assert_eq!(t.kind == kind, own, "{kind:?}");
            if !own {
                assert_eq!(t.kind, DocumentKind::Other, "{kind:?} falls back to Other");
            }
        }
    }

    #[test]
    fn a_configured_table_replaces_the_default() {
        let configured = [
            DocumentTypeConfig {
                id: 42,
                name: "ID".into(),
                kind: "id_card".into(),
                group: "Identity".into(),
                max_files: 2,
            },
            DocumentTypeConfig {
                id: 7,
                name: "Anything".into(),
                kind: "other".into(),
                group: "Misc".into(),
                max_files: 1,
            },
        ];
        let types = Types::from_config(Some(&configured));
        assert_eq!(types.by_id(42).unwrap().kind, DocumentKind::IdCard);
        assert!(types.by_id(1).is_none());
        assert_eq!(types.of_kind(DocumentKind::Passport).id, 7);
        let views = types.views();
        assert_eq!((views[0].group.id, views[1].group.id), (1, 2));
        assert_eq!(types.max_files(), 2);
    }

    fn stored(kind: DocumentKind, chosen: Option<u32>) -> Document {
        let now = Utc::now();
        Document {
            id: uuid::Uuid::now_v7(),
            seq: 1,
            tenant: crate::model::TenantId::new("t").unwrap(),
            subject_id: uuid::Uuid::now_v7(),
            kind,
            category: kind.default_category(),
            number: None,
            issuing_country: None,
            issuing_authority: None,
            issued_on: None,
            expires_on: None,
            personal: Default::default(),
            extras: chosen.map(document_extras).into_iter().collect(),
            file_count: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_document_keeps_the_type_its_client_chose_while_it_fits_the_kind() {
        let entry = |id: u32, kind: &str| DocumentTypeConfig {
            id,
            name: format!("T{id}"),
            kind: kind.into(),
            group: "G".into(),
            max_files: 3,
        };
        let configured = [
            entry(1, "passport"),
            entry(2, "passport"),
            entry(3, "id_card"),
            entry(4, "other"),
        ];
        let types = Types::from_config(Some(&configured));
        let shows = |kind, chosen| types.of_document(&stored(kind, chosen)).id;
        assert_eq!(shows(DocumentKind::Passport, Some(2)), 2);
        assert_eq!(shows(DocumentKind::Passport, Some(1)), 1);
        // Stored elsewhere: the first type of the kind.
        assert_eq!(shows(DocumentKind::Passport, None), 1);
        // The kind changed through another API, or the type left the table.
        assert_eq!(shows(DocumentKind::IdCard, Some(2)), 3);
        assert_eq!(shows(DocumentKind::Passport, Some(99)), 1);
        assert_eq!(shows(DocumentKind::Visa, Some(2)), 4);
    }

    #[test]
    fn sides_follow_the_kind() {
        assert_eq!(side_of(DocumentKind::IdCard, 0), FileSide::Front);
        assert_eq!(side_of(DocumentKind::IdCard, 1), FileSide::Back);
        assert_eq!(side_of(DocumentKind::IdCard, 2), FileSide::Page(3));
        assert_eq!(side_of(DocumentKind::Passport, 1), FileSide::Page(2));
        assert_eq!(side_of(DocumentKind::FaceImage, 0), FileSide::Face);
        assert_eq!(side_of(DocumentKind::BankStatement, 0), FileSide::Page(1));
    }
}
