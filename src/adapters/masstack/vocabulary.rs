//! MasStack's vocabulary as data: the identification's document types. MasStack takes no
//! files.

use strum::IntoEnumIterator;

use super::mapping as m;
use super::wire::DocumentType;
use crate::adapters::common::vocabulary::{Canon, Read, Table, Vocabulary, Written, wire};
use crate::config::Config;
use crate::model::{Document, DocumentKind, TenantId};

/// MasStack's mapping tables.
pub struct Vocab;

impl Vocabulary for Vocab {
    fn table(_: &Config) -> Table {
        let written = DocumentKind::iter()
            .map(|k| Written::plain(Canon::Kind(k), m::type_of(&bare(k)).map(|t| wire(&t))))
            .collect();
        let read = DocumentType::iter()
            .map(|t| Read::named(wire(&t), Canon::Kind(m::kind_of(t))))
            .collect();
        Table {
            files: false,
            ..Table::plain(
                "MasStack",
                "an identification's `document.document_type`; a stored document matches a \
                 declared one by it. MasStack takes no files",
                written,
                read,
            )
        }
    }
}

/// A document of this kind as another API would have stored it: no MasStack extras.
fn bare(kind: DocumentKind) -> Document {
    let tenant = TenantId::new("vocabulary").expect("a valid tenant id");
    Document::blank(
        tenant,
        uuid::Uuid::nil(),
        kind,
        chrono::DateTime::UNIX_EPOCH,
    )
}
