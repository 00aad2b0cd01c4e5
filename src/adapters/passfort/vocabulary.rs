//! PassFort's vocabulary as data: document types and document image types.

use strum::IntoEnumIterator;

use super::mapping as m;
use super::wire::DocumentImageType;
use crate::adapters::common::vocabulary::{
    Canon, Read, SIDES, Table, Vocabulary, Written, kind_names, wire,
};
use crate::config::Config;

/// PassFort's mapping tables.
pub struct Vocab;

impl Vocabulary for Vocab {
    fn table(_: &Config) -> Table {
        let (mut written, mut read) = kind_names(|k| Some(m::type_of(k)), m::kind_of);
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
