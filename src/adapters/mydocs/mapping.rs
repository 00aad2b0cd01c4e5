//! B2Core documents to and from the canonical model: the side each file of a document takes,
//! the file checks and the JSON views (the document-type table is in `types`).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{self as doc_schema, ObjectBuilder};

pub use super::types::{Type, Types};
use super::wire::{Document as DocumentView, DocumentFile, TypeRef, UploadedFile};
use crate::adapters::common::api_document::parameter;
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

/// Why content not of the allowed types is refused.
pub const NOT_ALLOWED: &str = "must be a PDF, JPEG or PNG (judged by content)";

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

/// No, unknown or expired client token (401): what every client call may answer.
const TOKEN: &[(u16, &str)] = &[(401, "No, unknown or expired token")];
/// No, unknown or expired back-office token (401): what every back-office call may answer.
const BACKOFFICE: &[(u16, &str)] = &[(401, "No, unknown or expired back-office token")];
/// An id in the path that is not a number (400).
const MALFORMED_ID: &[(u16, &str)] = &[(400, "Malformed id")];
/// No document with the path's id among the client's own (404).
const NO_DOCUMENT: &[(u16, &str)] = &[(404, "No such document of this client")];
/// What a sign-in refuses besides its fields, client or back office alike (the two share
/// one email-and-password check and one failed-attempt limit).
const SIGNIN: &[(u16, &str)] = &[
    (401, "Wrong email or password"),
    (413, "Body too large"),
    (
        429,
        "Too many failed sign-ins for this email or from this address; Retry-After says when to try again",
    ),
];

crate::refusal_set!("ErrorBody";
    /// The refusal every client call shares.
    TokenRefusals = [TOKEN],
    /// The refusals of a client call with an id in its path.
    IdRefusals = [MALFORMED_ID, TOKEN],
    /// The refusals of a client call on one of its documents.
    DocumentRefusals = [MALFORMED_ID, TOKEN, NO_DOCUMENT],
    /// The refusal every back-office call shares.
    BackofficeRefusals = [BACKOFFICE],
    /// The refusals of a back-office call with an id in its path.
    BackofficeIdRefusals = [MALFORMED_ID, BACKOFFICE],
    /// The refusals of a sign-in (client or back office) but for its own 400.
    SigninRefusals = [SIGNIN],
);

/// The sort and filter parameters both document lists take, in the documents' order
/// (name, description); `list::list_query` reads them.
const LIST_ORDER: [(&str, &str); 4] = [
    ("sort_by", "createTime (default), updateTime or id"),
    ("sort_order", "desc (default) or asc"),
    ("filter[typeId]", "Only these type ids (comma-separated)"),
    (
        "filter[status]",
        "Only these statuses: new, incomplete, expired (comma-separated)",
    ),
];

/// The sort and filter parameters of both document lists, for the OpenAPI document.
pub struct ListOrder;

impl utoipa::IntoParams for ListOrder {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        LIST_ORDER
            .iter()
            .map(|(name, description)| {
                let text = ObjectBuilder::new().schema_type(doc_schema::Type::String);
                parameter(name, ParameterIn::Query, description, Required::False, text)
            })
            .collect()
    }
}
