//! nCore's vocabulary as data: identification types and the files' document types, which
//! depend on the identification's type both ways.

use strum::IntoEnumIterator;

use super::mapping as m;
use super::wire::{DocumentType, IdentificationType};
use crate::adapters::common::vocabulary::{
    Canon, Read, SIDES, Table, Vocabulary, Written, kind_names, wire,
};
use crate::config::Config;

/// nCore's mapping tables.
pub struct Vocab;

impl Vocabulary for Vocab {
    fn table(_: &Config) -> Table {
        let (mut written, mut read) = kind_names(|k| Some(m::type_of(k)), m::kind_of);
        // A file's document type depends on its identification's type, both ways.
        for t in IdentificationType::iter() {
            let context = Some(wire(&t));
            for s in SIDES {
                written.push(Written {
                    canon: Canon::Side(s),
                    context: context.clone(),
                    name: Some(wire(&m::document_type_of(t, s))),
                });
            }
            for d in DocumentType::iter() {
                if let Ok(s) = m::side_of(t, d) {
                    read.push(Read {
                        name: wire(&d),
                        context: context.clone(),
                        canon: Canon::Side(s),
                        named: true,
                    });
                }
            }
        }
        Table {
            title: "nCore",
            appear: "an identification's `type`; a file's `identification_document_type`, \
                     which depends on the identification's type",
            files: true,
            contexts: IdentificationType::iter().map(|t| wire(&t)).collect(),
            context_noun: "identifications",
            written,
            read,
        }
    }
}
