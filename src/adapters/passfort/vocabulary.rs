//! PassFort's vocabulary as data: document types and document image types.

use strum::IntoEnumIterator;

use super::mapping as m;
use super::wire::{DocumentImageType, DocumentType};
use crate::adapters::common::vocabulary::{Canon, Read, SIDES, Table, Vocabulary, Written, wire};
use crate::config::Config;
use crate::model::DocumentKind;

/// PassFort's mapping tables.
pub struct Vocab;

impl Vocabulary for Vocab {
    fn table(_: &Config) -> Table {
        let mut written: Vec<Written> = DocumentKind::iter()
            .map(|k| Written::plain(Canon::Kind(k), Some(wire(&m::type_of(k)))))
            .collect();
        let mut read: Vec<Read> = DocumentType::iter()
            .map(|t| Read::named(wire(&t), Canon::Kind(m::kind_of(t))))
            .collect();
        written.extend(
            SIDES
                .into_iter()
                .map(|s| Written::plain(Canon::Side(s), Some(wire(&m::image_type_of(s))))),
        );
        read.extend(
            DocumentImageType::iter().map(|t| Read::named(wire(&t), Canon::Side(m::side_of(t)))),
        );
        Table::plain(
            "PassFort",
            "a document's `document_type`; an image's `image_type`",
            written,
            read,
        )
    }
}
