//! The vocabulary trait: each adapter exposes its mapping tables as data (vendor name ↔
//! canonical kind or side, in which context, with notes), and `crate::vocabulary` renders
//! `docs/vocabulary.md` from that data alone, never reaching into an adapter's wire types.

use serde::Serialize;
use strum::IntoEnumIterator;

use crate::config::Config;
use crate::model::{DocumentKind, FileSide};

/// An adapter's vocabulary, as its mapping tables define it.
pub trait Vocabulary {
    /// The adapter's table under this configuration (only the mydocs type table in it
    /// matters; the checked-in document uses the built-in one).
    fn table(config: &Config) -> Table;
}

/// The file sides shown: the fixed ones and the first three pages (the mydocs default table
/// takes at most three files per document, so no vendor name reaches further there).
pub const SIDES: [FileSide; 7] = [
    FileSide::Front,
    FileSide::Back,
    FileSide::Face,
    FileSide::Page(1),
    FileSide::Page(2),
    FileSide::Page(3),
    FileSide::None,
];

/// A canonical value: a document kind or a file side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Canon {
    /// A document kind.
    Kind(DocumentKind),
    /// A file side.
    Side(FileSide),
}

impl Canon {
    /// Every row of the table: all kinds, then the sides.
    pub fn all() -> Vec<Canon> {
        DocumentKind::iter()
            .map(Canon::Kind)
            .chain(SIDES.into_iter().map(Canon::Side))
            .collect()
    }

    /// The canonical text form, as code.
    pub fn code(self) -> String {
        match self {
            Canon::Kind(k) => code(k.as_str()),
            Canon::Side(s) => code(&s.to_text()),
        }
    }

    /// Kinds and sides are separate vocabularies: a name is only compared within one
    /// (nCore's `VISA` is both a type and a file's document type).
    pub fn same_axis(self, other: Canon) -> bool {
        matches!(
            (self, other),
            (Canon::Kind(_), Canon::Kind(_)) | (Canon::Side(_), Canon::Side(_))
        )
    }
}

/// What an adapter writes for a canonical value in one context; `name` is `None` when it
/// has no name for it.
#[derive(Clone, Debug)]
pub struct Written {
    /// The canonical value.
    pub canon: Canon,
    /// The context the name depends on (nCore's identification type), if any.
    pub context: Option<String>,
    /// The vendor's name, as Markdown.
    pub name: Option<String>,
}

/// Something an adapter reads as a canonical value in one context. `named` is false for
/// inputs that are not a name of the value (a credential category, a file's position),
/// which are shown but not checked for round trips.
#[derive(Clone, Debug)]
pub struct Read {
    /// The vendor's name (or a note in italics), as Markdown.
    pub name: String,
    /// The context the reading depends on, if any.
    pub context: Option<String>,
    /// The canonical value it reads as.
    pub canon: Canon,
    /// Whether `name` is a name of the value.
    pub named: bool,
}

impl Written {
    /// A name written in every context.
    pub fn plain(canon: Canon, name: Option<String>) -> Written {
        Written {
            canon,
            context: None,
            name,
        }
    }
}

impl Read {
    /// A name read in every context.
    pub fn named(name: String, canon: Canon) -> Read {
        Read {
            name,
            context: None,
            canon,
            named: true,
        }
    }
}

/// One vendor's vocabulary, as data.
pub struct Table {
    /// Column title.
    pub title: &'static str,
    /// Where the names appear on the wire.
    pub appear: &'static str,
    /// Whether the API takes files at all (MasStack's does not).
    pub files: bool,
    /// Every context a name may depend on (nCore's identification types), if any.
    pub contexts: Vec<String>,
    /// What a context is, in the plural.
    pub context_noun: &'static str,
    /// What the adapter writes.
    pub written: Vec<Written>,
    /// What the adapter reads.
    pub read: Vec<Read>,
}

impl Table {
    /// A table whose names depend on no context.
    pub fn plain(
        title: &'static str,
        appear: &'static str,
        written: Vec<Written>,
        read: Vec<Read>,
    ) -> Table {
        Table {
            title,
            appear,
            files: true,
            contexts: Vec::new(),
            context_noun: "",
            written,
            read,
        }
    }
}

/// Text as Markdown code.
pub fn code(s: &str) -> String {
    format!("`{s}`")
}

/// The name serde writes for a wire enum value, as code.
pub fn wire<T: Serialize + std::fmt::Debug>(v: &T) -> String {
    let text = serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{v:?}"));
    code(&text)
}

/// A vendor's kinds both ways where one wire enum `T` names them: each kind written as
/// `name_of` says (`None` where the vendor has no name for it), each of `T`'s names read as
/// the kind `kind_of` gives.
pub fn kind_names<T: IntoEnumIterator + Serialize + std::fmt::Debug>(
    name_of: impl Fn(DocumentKind) -> Option<T>,
    kind_of: impl Fn(T) -> DocumentKind,
) -> (Vec<Written>, Vec<Read>) {
    let written = DocumentKind::iter()
        .map(|k| Written::plain(Canon::Kind(k), name_of(k).map(|t| wire(&t))))
        .collect();
    let read = T::iter()
        .map(|t| {
            let name = wire(&t);
            Read::named(name, Canon::Kind(kind_of(t)))
        })
        .collect();
    (written, read)
}

/// Groups values by key, keeping the order in which keys first appear.
pub fn group<K: PartialEq, V>(items: impl Iterator<Item = (K, V)>) -> Vec<(K, Vec<V>)> {
    let mut groups: Vec<(K, Vec<V>)> = Vec::new();
    for (k, v) in items {
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, vs)) => vs.push(v),
            None => groups.push((k, vec![v])),
        }
    }
    groups
}

/// Drops repeats, keeping the first occurrence of each.
pub fn dedup<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Items joined with commas.
pub fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}
