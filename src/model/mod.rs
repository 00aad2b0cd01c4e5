//! The canonical document model: pure types and rules, no I/O, no vendor, no HTTP, no SQL.
//!
//! Every vendor adapter translates its wire format to and from these types; the store
//! persists them. Vendor vocabularies never appear here: adapters map them in their own
//! `mapping.rs`.

mod document;
mod file;
mod process;
mod subject;

pub use document::{
    Category, CountryCode, Document, DocumentKind, DocumentPatch, NewDocument, PersonalData,
    ValidNewDocument,
};
pub use file::{FileSide, MediaType, NewFile, StoredFile};
pub use process::{NewProcess, Process, ProcessStatus};
pub use subject::{Alias, Namespace, Subject, TenantId, check_external_id};
