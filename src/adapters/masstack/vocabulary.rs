//! MasStack's vocabulary as data: the identification's document types. MasStack takes no
//! files.

use super::mapping as m;

use crate::adapters::common::vocabulary::{Table, Vocabulary, kind_names};
use crate::config::Config;
use crate::model::{Document, DocumentKind, TenantId};

/// MasStack's mapping tables.
pub struct Vocab;

impl Vocabulary for Vocab {
    fn table(_: &Config) -> Table {
        let (written, read) = kind_names(|k| m::type_of(&bare(k)), m::kind_of);
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
