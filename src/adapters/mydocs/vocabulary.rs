//! B2Core's vocabulary as data: the `typeID` table in force, and the sides uploads get
//! from their position.

use strum::IntoEnumIterator;

use super::mapping::{self as m, Type, Types};
use crate::adapters::common::vocabulary::{
    Canon, Read, SIDES, Table, Vocabulary, Written, code, dedup, group, join,
};
use crate::config::Config;
use crate::model::DocumentKind;

/// B2Core's mapping tables.
pub struct Vocab;

impl Vocabulary for Vocab {
    fn table(config: &Config) -> Table {
        let types = Types::from_config(config.adapters.mydocs.document_types.as_deref());
        let type_name = |t: &Type| format!("{} {}", code(&t.id.to_string()), t.name);
        let mut written: Vec<Written> = DocumentKind::iter()
            .map(|k| Written::plain(Canon::Kind(k), Some(type_name(types.of_kind(k)))))
            .collect();
        let mut read: Vec<Read> = types
            .iter()
            .map(|t| Read::named(type_name(t), Canon::Kind(t.kind)))
            .collect();
        // A file's `side` is the canonical text; B2Core names no sides, so an upload's side
        // comes from its position among the document's files.
        written.extend(
            SIDES
                .into_iter()
                .map(|s| Written::plain(Canon::Side(s), Some(code(&s.to_text())))),
        );
        read.extend(positional_sides(&types));
        Table::plain(
            "B2Core mydocs",
            "a document's `typeID` (with the type's name; the table in force, here the \
             built-in one); a file's `side`, set from the file's position on upload",
            written,
            read,
        )
    }
}

/// The sides mydocs gives uploaded files, by position, for every type in the table.
fn positional_sides(types: &Types) -> Vec<Read> {
    let rows: Vec<_> = types
        .iter()
        .flat_map(|t| (0..t.max_files as usize).map(move |i| (i, t.kind)))
        .collect();
    let every: Vec<DocumentKind> = dedup(rows.iter().map(|(_, k)| *k));
    let by_place = group(rows.iter().map(|&(i, k)| ((i, m::side_of(k, i)), k)));
    by_place
        .into_iter()
        .map(|((i, side), kinds)| {
            let kinds = dedup(kinds.into_iter());
            let which = if kinds == every {
                "any type".to_owned()
            } else {
                join(kinds.iter().map(|k| code(k.as_str())))
            };
            Read {
                name: format!("_file {} of {which}_", i + 1),
                context: None,
                canon: Canon::Side(side),
                named: false,
            }
        })
        .collect()
}
