//! `docs/vocabulary.md`: the canonical document kinds and file sides against every vendor's
//! names, with what is lossy in each direction.
//!
//! The document is rendered from the tables each adapter exposes as data through the
//! [`Vocabulary`] trait (built by calling the adapter's own mapping functions for every
//! canonical value and every vendor name, never a copy of their tables), so it cannot drift
//! from the code: a unit test fails when the checked-in file differs from this output.

use std::fmt::Write as _;

use crate::adapters::common::vocabulary::{Canon, Read, Table, Vocabulary, Written, group, join};
use crate::adapters::{jumio, masstack, mydocs, ncore, passfort};
use crate::config::Config;

/// The command that regenerates the document.
pub const REGENERATE: &str = "cargo run -- vocabulary > docs/vocabulary.md";

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

/// Every adapter's table, in column order.
fn vendors(config: &Config) -> Vec<Table> {
    vec![
        ncore::vocabulary::Vocab::table(config),
        mydocs::vocabulary::Vocab::table(config),
        masstack::vocabulary::Vocab::table(config),
        passfort::vocabulary::Vocab::table(config),
        jumio::vocabulary::Vocab::table(config),
    ]
}

fn outs_of(v: &Table, c: Canon) -> impl Iterator<Item = &Written> {
    v.written.iter().filter(move |o| o.canon == c)
}

fn ins_of(v: &Table, c: Canon) -> impl Iterator<Item = &Read> {
    v.read.iter().filter(move |i| i.canon == c)
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

fn where_of(v: &Table, contexts: &[Option<String>]) -> Where {
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
fn on_contexts(v: &Table, contexts: &[Option<String>]) -> String {
    match where_of(v, contexts) {
        Where::Anywhere | Where::All => String::new(),
        Where::Only(list) => format!(" on {list}"),
    }
}

/// The prefix of a loss sentence: "On `A` identifications: " when it depends on context.
fn lead(v: &Table, contexts: &[Option<String>]) -> String {
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
fn written(v: &Table, c: Canon) -> String {
    let groups = group(outs_of(v, c).map(|o| (o.name.clone(), o.context.clone())));
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
fn read(v: &Table, c: Canon) -> String {
    let groups = group(ins_of(v, c).map(|i| (i.name.clone(), i.context.clone())));
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
fn cell(v: &Table, c: Canon, losses: &[Loss]) -> String {
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

/// Every lossy mapping of a vendor, computed from what it writes and reads.
fn losses(v: &Table) -> Vec<Loss> {
    let mut found: Vec<Loss> = v.written.iter().filter_map(|o| outward(v, o)).collect();
    found.extend(
        v.read
            .iter()
            .filter(|i| i.named)
            .filter_map(|i| inward(v, i)),
    );
    found
}

/// Whether writing `o` and reading the name back loses the canonical value.
fn outward(v: &Table, o: &Written) -> Option<Loss> {
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
    let readers: Vec<&Read> = v
        .read
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
fn inward(v: &Table, i: &Read) -> Option<Loss> {
    let written: Vec<&Option<String>> = v
        .written
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
fn sentences(v: &Table, losses: &[Loss], inward: bool) -> Vec<String> {
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

fn preamble(vendors: &[Table]) -> String {
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

fn table(vendors: &[Table]) -> String {
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

fn lossy_section(vendors: &[Table]) -> String {
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

/// How one API names a canonical document kind, for the admin console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendorName {
    /// The API, as the vocabulary's column title names it.
    pub api: &'static str,
    /// What it writes for the kind (per context where it depends on one), without Markdown.
    pub name: String,
    /// Whether writing the kind there and reading it back loses it.
    pub lossy: bool,
}

/// How each of the five APIs names `kind`, from the same tables as `docs/vocabulary.md`.
pub fn names_of(config: &Config, kind: crate::model::DocumentKind) -> Vec<VendorName> {
    let c = Canon::Kind(kind);
    vendors(config)
        .iter()
        .map(|v| VendorName {
            api: v.title,
            name: written(v, c).replace('`', ""),
            lossy: losses(v).iter().any(|l| !l.inward && l.canon == c),
        })
        .collect()
}

#[cfg(test)]
mod tests;
