//! `docs/vocabulary.md`: the canonical document kinds and file sides against every vendor's
//! names, with what is lossy in each direction.
//!
//! The document is rendered by calling each adapter's own mapping functions for every
//! canonical value and every vendor name (never a copy of their tables), so it cannot drift
//! from the code: a unit test fails when the checked-in file differs from this output.

use std::fmt::Write as _;

use serde::Serialize;
use strum::IntoEnumIterator;

use crate::adapters::{jumio, masstack, mydocs, ncore, passfort};
use crate::config::Config;
use crate::model::{DocumentKind, FileSide};

/// The command that regenerates the document.
pub const REGENERATE: &str = "cargo run -- vocabulary > docs/vocabulary.md";

/// The file sides shown: the fixed ones and the first three pages (the mydocs default table
/// takes at most three files per document, so no vendor name reaches further there).
const SIDES: [FileSide; 7] = [
    FileSide::Front,
    FileSide::Back,
    FileSide::Face,
    FileSide::Page(1),
    FileSide::Page(2),
    FileSide::Page(3),
    FileSide::None,
];

/// Renders `docs/vocabulary.md` for this configuration (only the mydocs type table in it
/// matters; the checked-in document uses the built-in one).
pub fn markdown(config: &Config) -> String {
    let vendors = vendors(config);
    let mut out = String::new();
    out.push_str(&preamble(&vendors));
    out.push_str(&table(&vendors));
    out.push_str(&lossy_section(&vendors));
    out
}

/// A canonical value: a document kind or a file side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Canon {
    Kind(DocumentKind),
    Side(FileSide),
}

impl Canon {
    /// Every row of the table: all kinds, then the sides.
    fn all() -> Vec<Canon> {
        DocumentKind::iter()
            .map(Canon::Kind)
            .chain(SIDES.into_iter().map(Canon::Side))
            .collect()
    }

    /// The canonical text form, as code.
    fn code(self) -> String {
        match self {
            Canon::Kind(k) => code(k.as_str()),
            Canon::Side(s) => code(&s.to_text()),
        }
    }

    /// Kinds and sides are separate vocabularies: a name is only compared within one
    /// (nCore's `VISA` is both a type and a file's document type).
    fn same_axis(self, other: Canon) -> bool {
        matches!(
            (self, other),
            (Canon::Kind(_), Canon::Kind(_)) | (Canon::Side(_), Canon::Side(_))
        )
    }
}

/// What an adapter shows for a canonical value in one context; `name` is `None` when it has
/// no name for it.
#[derive(Clone, Debug)]
struct Out {
    canon: Canon,
    context: Option<String>,
    name: Option<String>,
}

/// Something an adapter reads as a canonical value in one context. `named` is false for
/// inputs that are not a name of the value (a credential category, a file's position), which
/// are shown but not checked for round trips.
#[derive(Clone, Debug)]
struct In {
    name: String,
    context: Option<String>,
    canon: Canon,
    named: bool,
}

/// One vendor's vocabulary, as its adapter's mapping functions define it.
struct Vendor {
    /// Column title.
    title: &'static str,
    /// Where the names appear on the wire.
    appear: &'static str,
    /// Whether the API takes files at all (MasStack's does not).
    files: bool,
    /// Every context a name may depend on (nCore's identification types), if any.
    contexts: Vec<String>,
    /// What a context is, in the plural.
    context_noun: &'static str,
    outs: Vec<Out>,
    ins: Vec<In>,
}

impl Vendor {
    fn outs_of(&self, c: Canon) -> impl Iterator<Item = &Out> {
        self.outs.iter().filter(move |o| o.canon == c)
    }

    fn ins_of(&self, c: Canon) -> impl Iterator<Item = &In> {
        self.ins.iter().filter(move |i| i.canon == c)
    }
}

fn code(s: &str) -> String {
    format!("`{s}`")
}

/// The name serde writes for a wire enum value, as code.
fn wire<T: Serialize + std::fmt::Debug>(v: &T) -> String {
    let text = serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("{v:?}"));
    code(&text)
}

fn plain_out(canon: Canon, name: Option<String>) -> Out {
    Out {
        canon,
        context: None,
        name,
    }
}

fn named_in(name: String, canon: Canon) -> In {
    In {
        name,
        context: None,
        canon,
        named: true,
    }
}

fn vendors(config: &Config) -> Vec<Vendor> {
    vec![
        ncore_vendor(),
        mydocs_vendor(config),
        masstack_vendor(),
        passfort_vendor(),
        jumio_vendor(),
    ]
}

fn ncore_vendor() -> Vendor {
    use ncore::mapping as m;
    use ncore::wire::{DocumentType, IdentificationType};
    let mut outs: Vec<Out> = DocumentKind::iter()
        .map(|k| plain_out(Canon::Kind(k), Some(wire(&m::type_of(k)))))
        .collect();
    let mut ins: Vec<In> = IdentificationType::iter()
        .map(|t| named_in(wire(&t), Canon::Kind(m::kind_of(t))))
        .collect();
    // A file's document type depends on its identification's type, both ways.
    for t in IdentificationType::iter() {
        let context = Some(wire(&t));
        for s in SIDES {
            outs.push(Out {
                canon: Canon::Side(s),
                context: context.clone(),
                name: Some(wire(&m::document_type_of(t, s))),
            });
        }
        for d in DocumentType::iter() {
            if let Ok(s) = m::side_of(t, d) {
                ins.push(In {
                    name: wire(&d),
                    context: context.clone(),
                    canon: Canon::Side(s),
                    named: true,
                });
            }
        }
    }
    Vendor {
        title: "nCore",
        appear: "an identification's `type`; a file's `identification_document_type`, which \
                 depends on the identification's type",
        files: true,
        contexts: IdentificationType::iter().map(|t| wire(&t)).collect(),
        context_noun: "identifications",
        outs,
        ins,
    }
}

fn mydocs_vendor(config: &Config) -> Vendor {
    use mydocs::mapping as m;
    let types = m::Types::from_config(config.adapters.mydocs.document_types.as_deref());
    let type_name = |t: &m::Type| format!("{} {}", code(&t.id.to_string()), t.name);
    let mut outs: Vec<Out> = DocumentKind::iter()
        .map(|k| plain_out(Canon::Kind(k), Some(type_name(types.of_kind(k)))))
        .collect();
    let mut ins: Vec<In> = types
        .iter()
        .map(|t| named_in(type_name(t), Canon::Kind(t.kind)))
        .collect();
    // A file's `side` is the canonical text; B2Core names no sides, so an upload's side
    // comes from its position among the document's files.
    outs.extend(
        SIDES
            .into_iter()
            .map(|s| plain_out(Canon::Side(s), Some(code(&s.to_text())))),
    );
    ins.extend(positional_sides(&types));
    Vendor {
        title: "B2Core mydocs",
        appear: "a document's `typeID` (with the type's name; the table in force, here the \
                 built-in one); a file's `side`, set from the file's position on upload",
        files: true,
        contexts: Vec::new(),
        context_noun: "",
        outs,
        ins,
    }
}

/// The sides mydocs gives uploaded files, by position, for every type in the table.
fn positional_sides(types: &mydocs::mapping::Types) -> Vec<In> {
    let rows: Vec<_> = types
        .iter()
        .flat_map(|t| (0..t.max_files as usize).map(move |i| (i, t.kind)))
        .collect();
    let every: Vec<DocumentKind> = dedup(rows.iter().map(|(_, k)| *k));
    let by_place = group(
        rows.iter()
            .map(|&(i, k)| ((i, mydocs::mapping::side_of(k, i)), k)),
    );
    by_place
        .into_iter()
        .map(|((i, side), kinds)| {
            let kinds = dedup(kinds.into_iter());
            let which = if kinds == every {
                "any type".to_owned()
            } else {
                join(kinds.iter().map(|k| code(k.as_str())))
            };
            In {
                name: format!("_file {} of {which}_", i + 1),
                context: None,
                canon: Canon::Side(side),
                named: false,
            }
        })
        .collect()
}

fn masstack_vendor() -> Vendor {
    use masstack::mapping as m;
    use masstack::wire::DocumentType;
    let outs = DocumentKind::iter()
        .map(|k| plain_out(Canon::Kind(k), m::type_of(&bare(k)).map(|t| wire(&t))))
        .collect();
    let ins = DocumentType::iter()
        .map(|t| named_in(wire(&t), Canon::Kind(m::kind_of(t))))
        .collect();
    Vendor {
        title: "MasStack",
        appear: "an identification's `document.document_type`; a stored document matches a \
                 declared one by it. MasStack takes no files",
        files: false,
        contexts: Vec::new(),
        context_noun: "",
        outs,
        ins,
    }
}

/// A document of this kind as another API would have stored it: no MasStack extras.
fn bare(kind: DocumentKind) -> crate::model::Document {
    let epoch = chrono::DateTime::UNIX_EPOCH;
    crate::model::Document {
        id: uuid::Uuid::nil(),
        seq: 1,
        tenant: crate::model::TenantId::new("vocabulary").expect("a valid tenant id"),
        subject_id: uuid::Uuid::nil(),
        kind,
        category: kind.default_category(),
        number: None,
        issuing_country: None,
        issuing_authority: None,
        issued_on: None,
        expires_on: None,
        personal: Default::default(),
        extras: Default::default(),
        file_count: 0,
        created_at: epoch,
        updated_at: epoch,
    }
}

fn passfort_vendor() -> Vendor {
    use passfort::mapping as m;
    use passfort::wire::{DocumentImageType, DocumentType};
    let mut outs: Vec<Out> = DocumentKind::iter()
        .map(|k| plain_out(Canon::Kind(k), Some(wire(&m::type_of(k)))))
        .collect();
    let mut ins: Vec<In> = DocumentType::iter()
        .map(|t| named_in(wire(&t), Canon::Kind(m::kind_of(t))))
        .collect();
    outs.extend(
        SIDES
            .into_iter()
            .map(|s| plain_out(Canon::Side(s), Some(wire(&m::image_type_of(s))))),
    );
    ins.extend(DocumentImageType::iter().map(|t| named_in(wire(&t), Canon::Side(m::side_of(t)))));
    Vendor {
        title: "PassFort",
        appear: "a document's `document_type`; an image's `image_type`",
        files: true,
        contexts: Vec::new(),
        context_noun: "",
        outs,
        ins,
    }
}

fn jumio_vendor() -> Vendor {
    use jumio::mapping as m;
    use jumio::wire::Category;
    let mut outs: Vec<Out> = DocumentKind::iter()
        .map(|k| plain_out(Canon::Kind(k), Some(code(m::id_type_of(k)))))
        .collect();
    let mut ins: Vec<In> = m::ID_TYPES
        .iter()
        .filter_map(|(t, _)| Some(named_in(code(t), Canon::Kind(m::kind_of_id_type(t)?))))
        .collect();
    // A credential's category decides the kind of its document too; not a name of the kind.
    ins.extend(Category::iter().map(|c| In {
        name: match c {
            Category::Id => format!("_{} credential of several or no ID types_", wire(&c)),
            _ => format!("_{} credential_", wire(&c)),
        },
        context: None,
        canon: Canon::Kind(m::kind_for(c, &[])),
        named: false,
    }));
    outs.extend(
        SIDES
            .into_iter()
            .map(|s| plain_out(Canon::Side(s), Some(code(&m::classifier_of(s))))),
    );
    ins.extend(classifier_names().into_iter().filter_map(|name| {
        let side = m::side_named(&name)?;
        Some(named_in(code(&name), Canon::Side(side)))
    }));
    Vendor {
        title: "Jumio",
        appear: "an ID credential's result `type`; a part's `classifier` in credential \
                 details and part URLs (a `DOCUMENT` upload adds the next page)",
        files: true,
        contexts: Vec::new(),
        context_noun: "",
        outs,
        ins,
    }
}

/// Every classifier Jumio names: those each category takes and those stored files read as.
fn classifier_names() -> Vec<String> {
    use jumio::mapping as m;
    let taken = jumio::wire::Category::iter()
        .flat_map(|c| m::classifiers(c).iter().map(|(n, _)| (*n).to_owned()));
    let shown = SIDES.into_iter().map(m::classifier_of);
    dedup(taken.chain(shown))
}

/// Groups values by key, keeping the order in which keys first appear.
fn group<K: PartialEq, V>(items: impl Iterator<Item = (K, V)>) -> Vec<(K, Vec<V>)> {
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
fn dedup<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

/// Where a name or a loss applies.
enum Where {
    /// The vendor's names depend on no context.
    Anywhere,
    /// On every context.
    All,
    /// On the contexts listed.
    Only(String),
}

fn where_of(v: &Vendor, contexts: &[Option<String>]) -> Where {
    let named: Vec<&String> = contexts.iter().flatten().collect();
    if named.is_empty() {
        Where::Anywhere
    } else if named.len() == v.contexts.len() {
        Where::All
    } else {
        Where::Only(join(named.into_iter().cloned()))
    }
}

/// The suffix of a name in a cell: " on `A`, `B`" when only some contexts apply.
fn on_contexts(v: &Vendor, contexts: &[Option<String>]) -> String {
    match where_of(v, contexts) {
        Where::Anywhere | Where::All => String::new(),
        Where::Only(list) => format!(" on {list}"),
    }
}

/// The prefix of a loss sentence: "On `A` identifications: " when it depends on context.
fn lead(v: &Vendor, contexts: &[Option<String>]) -> String {
    match where_of(v, contexts) {
        Where::Anywhere => String::new(),
        Where::All => format!("On all {}: ", v.context_noun),
        Where::Only(list) => format!("On {list} {}: ", v.context_noun),
    }
}

fn name_or_dash(name: &Option<String>) -> String {
    name.clone().unwrap_or_else(|| "—".to_owned())
}

/// What the vendor writes for `c`: one name, or a name per group of contexts with the
/// largest group last, as "otherwise".
fn written(v: &Vendor, c: Canon) -> String {
    let groups = group(v.outs_of(c).map(|o| (o.name.clone(), o.context.clone())));
    if groups.len() <= 1 {
        return groups
            .first()
            .map_or("—".to_owned(), |(n, _)| name_or_dash(n));
    }
    let largest = (0..groups.len())
        .max_by_key(|&i| (groups[i].1.len(), std::cmp::Reverse(i)))
        .unwrap_or(0);
    let mut parts: Vec<String> = groups
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != largest)
        .map(|(_, (n, ctx))| format!("{}{}", name_or_dash(n), on_contexts(v, ctx)))
        .collect();
    parts.push(format!("{} otherwise", name_or_dash(&groups[largest].0)));
    parts.join("; ")
}

/// What the vendor reads as `c`, or `—`.
fn read(v: &Vendor, c: Canon) -> String {
    let groups = group(v.ins_of(c).map(|i| (i.name.clone(), i.context.clone())));
    if groups.is_empty() {
        return "—".to_owned();
    }
    let contextual = groups
        .iter()
        .any(|(_, ctx)| ctx.iter().any(Option::is_some));
    let parts: Vec<String> = groups
        .iter()
        .map(|(n, ctx)| format!("{n}{}", on_contexts(v, ctx)))
        .collect();
    parts.join(if contextual { "; " } else { ", " })
}

/// One table cell: the name alone when it is the same both ways, else both directions.
fn cell(v: &Vendor, c: Canon, losses: &[Loss]) -> String {
    if matches!(c, Canon::Side(_)) && !v.files {
        return "no files".to_owned();
    }
    let (out, back) = (written(v, c), read(v, c));
    let text = if out == back {
        out
    } else {
        format!("→ {out}<br>← {back}")
    };
    if losses.iter().any(|l| l.canon == c) {
        format!("{text} ⚠")
    } else {
        text
    }
}

/// One lossy mapping of one vendor, before grouping.
#[derive(Clone, Debug)]
struct Loss {
    /// True for vendor → canonical.
    inward: bool,
    /// The canonical value whose cell it marks.
    canon: Canon,
    /// What loses: a canonical value (outward) or a vendor name (inward).
    subject: String,
    /// The rest of the sentence.
    rest: String,
    context: Option<String>,
}

/// Every lossy mapping of a vendor, computed from its outs and ins.
fn losses(v: &Vendor) -> Vec<Loss> {
    let mut found: Vec<Loss> = v.outs.iter().filter_map(|o| outward(v, o)).collect();
    found.extend(
        v.ins
            .iter()
            .filter(|i| i.named)
            .filter_map(|i| inward(v, i)),
    );
    found
}

/// Whether writing `o` and reading the name back loses the canonical value.
fn outward(v: &Vendor, o: &Out) -> Option<Loss> {
    let loss = |rest: String| {
        Some(Loss {
            inward: false,
            canon: o.canon,
            subject: o.canon.code(),
            rest,
            context: o.context.clone(),
        })
    };
    let Some(name) = &o.name else {
        return loss(format!("→ — (no {} name)", v.title));
    };
    let readers: Vec<&In> = v
        .ins
        .iter()
        .filter(|i| i.named && i.canon.same_axis(o.canon) && i.context == o.context)
        .collect();
    // An axis the vendor reads no names on (mydocs' sides) is written only.
    if readers.is_empty() {
        return None;
    }
    let back: Vec<Canon> = readers
        .iter()
        .filter(|i| &i.name == name)
        .map(|i| i.canon)
        .collect();
    match back.first() {
        None => loss(format!("→ {name}, which {} does not read back", v.title)),
        Some(_) if back.contains(&o.canon) => None,
        Some(b) => loss(format!("→ {name}, which reads back as {}", b.code())),
    }
}

/// Whether storing vendor name `i` and writing it back loses the name.
fn inward(v: &Vendor, i: &In) -> Option<Loss> {
    let written: Vec<&Option<String>> = v
        .outs
        .iter()
        .filter(|o| o.canon == i.canon && o.context == i.context)
        .map(|o| &o.name)
        .collect();
    let first = written.first()?;
    if written.iter().any(|n| n.as_ref() == Some(&i.name)) {
        return None;
    }
    Some(Loss {
        inward: true,
        canon: i.canon,
        subject: i.name.clone(),
        rest: format!(
            "→ {}, which is written back as {}",
            i.canon.code(),
            name_or_dash(first)
        ),
        context: i.context.clone(),
    })
}

/// The lossy mappings of one direction as sentences: the same loss on several contexts is
/// one sentence, and so are several subjects with the same loss on the same contexts.
fn sentences(v: &Vendor, losses: &[Loss], inward: bool) -> Vec<String> {
    let mine = losses.iter().filter(|l| l.inward == inward);
    let by_subject = group(mine.map(|l| ((l.subject.clone(), l.rest.clone()), l.context.clone())));
    let by_loss = group(
        by_subject
            .into_iter()
            .map(|((subject, rest), ctx)| ((rest, ctx), subject)),
    );
    by_loss
        .into_iter()
        .map(|((rest, ctx), subjects)| {
            format!("{}{} {rest}", lead(v, &ctx), join(subjects.into_iter()))
        })
        .collect()
}

fn preamble(vendors: &[Vendor]) -> String {
    let mut s = String::from(
        "# Vocabulary: canonical kinds and sides against vendor names\n\n\
         <!-- Generated by `idbridge vocabulary` from the adapters' mapping functions; do not \
         edit. -->\n\n\
         Every canonical document kind and file side (rows) against the names each vendor API \
         uses for it (columns). Generated from the adapters' mapping code; regenerate with \
         `",
    );
    s.push_str(REGENERATE);
    s.push_str(
        "` (a unit test fails while this file is stale).\n\n\
         How to read a cell:\n\n\
         - a single name: the adapter writes that name for the canonical value and reads it \
         back as the same value, and reads no other name as it;\n\
         - `→` the name the adapter writes for the canonical value (`—`: it has none);\n\
         - `←` the names the adapter reads as the canonical value (`—`: none); names in \
         _italics_ are not names of the value but what decides it (a credential's category, a \
         file's position);\n\
         - ⚠ some mapping of this value is lossy; see [Lossy mappings](#lossy-mappings).\n\n\
         Pages are shown up to `page3`. MasStack and PassFort keep the exact type a client sent \
         with the document and show it back while the canonical kind still matches it; what \
         is lossy here is what the canonical model keeps, and so what every other API sees.\n\n\
         Where the names appear:\n\n",
    );
    for v in vendors {
        let _ = writeln!(s, "- {}: {}.", v.title, v.appear);
    }
    s.push('\n');
    s
}

fn table(vendors: &[Vendor]) -> String {
    let losses: Vec<Vec<Loss>> = vendors.iter().map(losses).collect();
    let mut s = String::from("| canonical |");
    for v in vendors {
        let _ = write!(s, " {} |", v.title);
    }
    s.push_str("\n|---|");
    s.push_str(&"---|".repeat(vendors.len()));
    s.push('\n');
    for c in Canon::all() {
        let label = match c {
            Canon::Kind(_) => format!("kind {}", c.code()),
            Canon::Side(_) => format!("side {}", c.code()),
        };
        let _ = write!(s, "| {label} |");
        for (v, l) in vendors.iter().zip(&losses) {
            let _ = write!(s, " {} |", cell(v, c, l));
        }
        s.push('\n');
    }
    s
}

fn lossy_section(vendors: &[Vendor]) -> String {
    let mut s = String::from(
        "\n## Lossy mappings\n\n\
         Canonical → vendor: a stored value the vendor cannot show exactly. Vendor → \
         canonical: a vendor name the canonical model does not keep, so another API (or this \
         one, for a document it did not create) shows it differently. `→ X`: what the adapter \
         writes; \"reads back as\": what it stores when that name comes back.\n\n",
    );
    for v in vendors {
        let found = losses(v);
        let _ = writeln!(s, "### {}\n", v.title);
        for (inward, heading) in [
            (false, format!("Canonical → {}", v.title)),
            (true, format!("{} → canonical", v.title)),
        ] {
            let _ = writeln!(s, "{heading}:\n");
            let lines = sentences(v, &found, inward);
            if lines.is_empty() {
                s.push_str("- nothing lost\n");
            }
            for line in lines {
                let _ = writeln!(s, "- {line}");
            }
            s.push('\n');
        }
    }
    // One trailing newline, as a text file ends.
    while s.ends_with("\n\n") {
        s.pop();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vendor(title: &str) -> Vendor {
        vendors(&Config::default())
            .into_iter()
            .find(|v| v.title == title)
            .unwrap()
    }

    fn loss_lines(title: &str) -> Vec<String> {
        let v = vendor(title);
        let found = losses(&v);
        let mut lines = sentences(&v, &found, false);
        lines.extend(sentences(&v, &found, true));
        lines
    }

    #[test]
    fn docs_vocabulary_md_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/vocabulary.md");
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == markdown(&Config::default()),
            "docs/vocabulary.md is stale: regenerate it with `{REGENERATE}`"
        );
    }

    #[test]
    fn passfort_driving_licence_maps_both_ways() {
        let v = vendor("PassFort");
        let c = Canon::Kind(DocumentKind::DrivingLicence);
        assert_eq!(cell(&v, c, &losses(&v)), "`DRIVING_LICENCE`");
        assert_eq!(cell(&v, Canon::Side(FileSide::Back), &losses(&v)), "`BACK`");
    }

    #[test]
    fn known_losses_are_found() {
        assert!(
            loss_lines("nCore")
                .iter()
                .any(|l| l.contains("`driving_licence`")
                    && l.contains("→ `ADDITIONAL`, which reads back as `other`")),
            "{:#?}",
            loss_lines("nCore")
        );
        assert!(
            loss_lines("MasStack")
                .contains(&"`residence_permit` → `NIE`, which reads back as `id_card`".into()),
            "{:#?}",
            loss_lines("MasStack")
        );
        assert!(
            loss_lines("MasStack").contains(
                &"`NIF`, `NIE` → `id_card`, which is written back as `IDENTITY_CARD`".into()
            ),
            "{:#?}",
            loss_lines("MasStack")
        );
        // A side-less file is Jumio's `DOCUMENT` part both ways (it once was listed but not
        // readable).
        assert!(
            !loss_lines("Jumio")
                .iter()
                .any(|l| l.contains("→ `DOCUMENT`")),
            "{:#?}",
            loss_lines("Jumio")
        );
        // B2Core's sample types that are only the closest kind read in, and are written back
        // as the type named for the kind.
        assert!(
            loss_lines("B2Core mydocs")
                .iter()
                .any(|l| l.contains("`5` Tax Invoice")
                    && l.contains("→ `tax_document`, which is written back as `21` Tax document")),
            "{:#?}",
            loss_lines("B2Core mydocs")
        );
    }

    #[test]
    fn exact_round_trips_are_not_lossy() {
        for title in ["nCore", "PassFort", "Jumio", "MasStack", "B2Core mydocs"] {
            let v = vendor(title);
            let found = losses(&v);
            let passport = Canon::Kind(DocumentKind::Passport);
            assert!(
                !found.iter().any(|l| l.canon == passport),
                "{title}: passport reported lossy"
            );
        }
    }

    #[test]
    fn every_kind_and_side_has_a_row() {
        let text = markdown(&Config::default());
        for c in Canon::all() {
            assert!(
                text.contains(&format!("| kind {} |", c.code()))
                    || text.contains(&format!("| side {} |", c.code())),
                "{c:?}"
            );
        }
        assert_eq!(
            Canon::all().len(),
            DocumentKind::iter().count() + SIDES.len()
        );
    }
}
