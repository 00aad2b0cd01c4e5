//! nCore's vocabulary as data: identification types and the files' document types, which
//! depend on the identification's type both ways.

use strum::IntoEnumIterator;

use super::mapping as m;
use super::wire::{DocumentType, IdentificationType};
use crate::adapters::common::vocabulary::{Canon, Read, SIDES, Table, Vocabulary, Written, wire};
use crate::config::Config;
use crate::model::DocumentKind;

/// nCore's mapping tables.
pub struct Vocab;

impl Vocabulary for Vocab {
    fn table(_: &Config) -> Table {
        let mut written: Vec<Written> = DocumentKind::iter()
            .map(|k| Written::plain(Canon::Kind(k), Some(wire(&m::type_of(k)))))
            .collect();
        let mut read: Vec<Read> = IdentificationType::iter()
            .map(|t| Read::named(wire(&t), Canon::Kind(m::kind_of(t))))
            .collect();
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
