//! Jumio's vocabulary as data, read from the tables in `mapping`: ID types, credential
//! categories and part classifiers.

use strum::IntoEnumIterator;

use super::mapping as m;
use super::wire::Category;
use crate::adapters::common::vocabulary::{
    Canon, Read, SIDES, Table, Vocabulary, Written, code, dedup, wire,
};
use crate::config::Config;
use crate::model::DocumentKind;

/// Jumio's mapping tables.
pub struct Vocab;

impl Vocabulary for Vocab {
    fn table(_: &Config) -> Table {
        let mut written: Vec<Written> = DocumentKind::iter()
            .map(|k| Written::plain(Canon::Kind(k), Some(code(m::id_type_of(k)))))
            .collect();
        let mut read: Vec<Read> = m::ID_TYPES
            .iter()
            .filter_map(|(t, _)| Some(Read::named(code(t), Canon::Kind(m::kind_of_id_type(t)?))))
            .collect();
        // A credential's category decides the kind of its document too; not a name of the
        // kind.
        read.extend(Category::iter().map(|c| Read {
            name: match c {
                Category::Id => format!("_{} credential of several or no ID types_", wire(&c)),
                _ => format!("_{} credential_", wire(&c)),
            },
            context: None,
            canon: Canon::Kind(m::kind_for(c, &[])),
            named: false,
        }));
        written.extend(
            SIDES
                .into_iter()
                .map(|s| Written::plain(Canon::Side(s), Some(code(&m::classifier_of(s))))),
        );
        read.extend(classifier_names().into_iter().filter_map(|name| {
            let side = m::side_named(&name)?;
            Some(Read::named(code(&name), Canon::Side(side)))
        }));
        Table::plain(
            "Jumio",
            "an ID credential's result `type`; a part's `classifier` in credential details \
             and part URLs (a `DOCUMENT` upload adds the next page)",
            written,
            read,
        )
    }
}

/// Every classifier Jumio names: those each category takes and those stored files read as.
fn classifier_names() -> Vec<String> {
    let taken =
        Category::iter().flat_map(|c| m::classifiers(c).iter().map(|(n, _)| (*n).to_owned()));
    let shown = SIDES.into_iter().map(m::classifier_of);
    dedup(taken.chain(shown))
}
