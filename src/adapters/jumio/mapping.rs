//! Jumio to and from the canonical model: workflow keys and their credentials, classifiers
//! and sides, ID types and kinds. The execution record is in `record` (re-exported
//! here, where the handlers have always found it); the URLs are in `urls`.

use chrono::{DateTime, SecondsFormat, Utc};
use uuid::Uuid;

use super::wire::Category;
use crate::error::{Error, Result};
use crate::model::{DocumentKind, FileSide, StoredFile};

pub use super::record::{Execution, StoredCredential, process_status, status};

/// The namespace of Jumio's processes, tokens and extras.
pub const NAMESPACE: &str = "jumio";

/// The process kind of a workflow execution.
pub const EXECUTION: &str = "workflow_execution";

/// Largest part: 15 MB.
pub const MAX_PART_SIZE: u64 = 15 * 1000 * 1000;
/// Largest image side, in pixels.
pub const MAX_SIDE: u32 = 8000;
/// The longest side of an image must be above this, in pixels.
pub const MIN_LONGEST_SIDE: u32 = 300;
/// Once started, an execution expires after this long without an action (each part, data
/// or delete call resets it), and never after its token.
pub const SESSION_TIMEOUT_MINUTES: i64 = 15;

/// Most pages of a DOCUMENT credential.
pub const MAX_PAGES: u32 = 10;

/// Workflow key → the credentials it collects, after Jumio's workflow descriptions.
const WORKFLOWS: &[(u32, &[Category])] = &[
    (1, &[Category::Id]),
    (2, &[Category::Id]),
    (3, &[Category::Id, Category::Selfie, Category::Facemap]),
    (5, &[Category::Selfie]),
    (6, &[Category::Selfie, Category::Facemap]),
    (9, &[Category::Selfie, Category::Facemap]),
    (16, &[Category::Selfie, Category::Facemap]),
    (20, &[Category::Id, Category::Selfie]),
    (32, &[Category::Id, Category::Selfie, Category::Facemap]),
    (10005, &[Category::Data]),
    (10006, &[Category::Selfie, Category::Data]),
    (10008, &[Category::Data]),
    (10010, &[Category::Data]),
    (10011, &[Category::Id, Category::Selfie, Category::Facemap]),
    (10013, &[Category::Id, Category::Selfie, Category::Facemap]),
    (10014, &[Category::Selfie, Category::Facemap]),
];

/// The capabilities Jumio's workflow descriptions list for a key ("Capabilities, in order of
/// dependency"). Every one idbridge does not perform is reported `NOT_EXECUTED`.
pub fn guide_capabilities(key: u32) -> &'static [&'static str] {
    match key {
        1 => &["usability", "extraction"],
        2 | 10011 => &["usability", "imageChecks", "extraction", "dataChecks"],
        3 => &[
            "usability",
            "imageChecks",
            "extraction",
            "dataChecks",
            "liveness",
            "similarity",
        ],
        5 | 20 => &["usability", "similarity"],
        6 => &["usability", "liveness"],
        9 | 16 | 10014 => &["usability", "authentication"],
        32 | 10013 => &[
            "usability",
            "imageChecks",
            "extraction",
            "dataChecks",
            "liveness",
        ],
        _ => &["usability"],
    }
}

/// Capabilities a workflow runs, beyond those `guide_capabilities` lists, that idbridge does
/// not perform: reported `NOT_EXECUTED` so that no result reads as a pass of them.
pub fn unperformed(key: u32) -> &'static [&'static str] {
    match key {
        9 | 16 | 10014 => &["authentication"],
        32 | 10010 => &["watchlistScreening"],
        10005 => &["braCpfValidation"],
        10006 => &["biometricVerification"],
        10008 => &["drivingLicenseVerification"],
        10013 => &[
            "watchlistScreening",
            "addressValidation",
            "proofOfResidency",
            "drivingLicenseVerification",
        ],
        _ => &[],
    }
}

/// The capabilities `workflowDefinition.capabilities` can configure (the guide's request
/// table names one).
pub const CONFIGURABLE: &[&str] = &["watchlistScreening"];

/// The credentials a workflow key collects, or `None` for a key Jumio does not describe.
pub fn workflow(key: u32) -> Option<&'static [Category]> {
    WORKFLOWS.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
}

/// Classifiers a credential of `category` takes over the API, and their sides. DOCUMENT
/// takes pages (`DOCUMENT`), DATA takes `PREPARED_DATA`, FACEMAP takes none.
pub fn classifiers(category: Category) -> &'static [(&'static str, FileSide)] {
    match category {
        Category::Id => &[("FRONT", FileSide::Front), ("BACK", FileSide::Back)],
        Category::Selfie => &[("FACE", FileSide::Face)],
        Category::Document => &[("DOCUMENT", FileSide::None)],
        Category::Data => &[("PREPARED_DATA", FileSide::None)],
        Category::Facemap => &[],
    }
}

/// The side of an image classifier of this category, or why it is refused.
pub fn side_of(category: Category, classifier: &str) -> Result<FileSide> {
    classifiers(category)
        .iter()
        .find(|(c, _)| *c == classifier)
        .map(|(_, s)| *s)
        .ok_or_else(|| {
            let valid: Vec<&str> = classifiers(category).iter().map(|(c, _)| *c).collect();
            Error::invalid(
                "classifier",
                if valid.is_empty() {
                    format!(
                        "a {} credential takes no parts through the API",
                        category.wire_name()
                    )
                } else {
                    format!("must be one of {} for this credential", valid.join(", "))
                },
            )
        })
}

/// The classifier a stored file reads as.
pub fn classifier_of(side: FileSide) -> String {
    match side {
        FileSide::Front => "FRONT".into(),
        FileSide::Back => "BACK".into(),
        FileSide::Face => "FACE".into(),
        FileSide::Page(n) => format!("PAGE_{n}"),
        FileSide::None => "DOCUMENT".into(),
    }
}

/// The side a retrieval classifier names (`FRONT`, `BACK`, `FACE`, `PAGE_<n>`, and
/// `DOCUMENT` for a file that is no side of anything): the inverse of `classifier_of`.
pub fn side_named(classifier: &str) -> Option<FileSide> {
    match classifier {
        "DOCUMENT" => Some(FileSide::None),
        "FRONT" => Some(FileSide::Front),
        "BACK" => Some(FileSide::Back),
        "FACE" => Some(FileSide::Face),
        other => other
            .strip_prefix("PAGE_")
            .and_then(|n| n.parse().ok())
            .filter(|n| *n >= 1)
            .map(FileSide::Page),
    }
}

/// The side whose file stands for `side` when there is none at it: a passport stored as
/// pages reads page 1 as its FRONT and page 2 as its BACK (see `file_for`).
pub fn stands_in(side: FileSide) -> Option<FileSide> {
    match side {
        FileSide::Front => Some(FileSide::Page(1)),
        FileSide::Back => Some(FileSide::Page(2)),
        _ => None,
    }
}

/// The file of document `doc` that stands for `side`, newest first. The one rule retrieval,
/// finalize and processing share: a passport stored as pages (nCore, B2Core) has no
/// FRONT/BACK, so page 1 (its data page) is the side Jumio calls FRONT and page 2 reads as
/// BACK, as PassFort reads them.
pub fn file_for(files: &[StoredFile], doc: Uuid, side: FileSide) -> Option<&StoredFile> {
    let newest = |side: FileSide| {
        files
            .iter()
            .filter(|f| f.document_id == Some(doc) && f.side == side)
            .max_by_key(|f| f.created_at)
    };
    newest(side).or_else(|| stands_in(side).and_then(newest))
}

/// The parts of a credential's document as retrieval serves them, each file under the
/// classifier that reads it: one file per classifier (the newest, as `file_for` picks), and
/// for an ID credential the one side rule of `file_for`, so that a passport stored as pages
/// elsewhere lists `FRONT` (and `BACK`), as every acquisition call reads it.
pub fn parts_of(files: &[StoredFile], doc: Uuid, category: Category) -> Vec<(String, &StoredFile)> {
    let mut mine: Vec<&StoredFile> = files
        .iter()
        .filter(|f| f.document_id == Some(doc))
        .collect();
    mine.sort_by_key(|f| (f.side.position(), f.created_at));
    let mut parts: Vec<(String, &StoredFile)> = Vec::new();
    if category == Category::Id {
        for side in [FileSide::Front, FileSide::Back] {
            if let Some(f) = file_for(files, doc, side) {
                parts.push((classifier_of(side), f));
            }
        }
    }
    for f in mine {
        // Listed already as a side, or an older file of a side: only the newest is served.
        let served = file_for(files, doc, f.side).is_some_and(|n| n.id == f.id);
        if served && !parts.iter().any(|(_, p)| p.id == f.id) {
            parts.push((classifier_of(f.side), f));
        }
    }
    parts
}

/// Whether a stored document of this kind can be the credential of this category that a
/// workflow reuses: an ID credential is an identity document, a SELFIE a face image, a
/// DOCUMENT anything else (a statement, a bill, a certificate).
pub fn fits(category: Category, kind: DocumentKind) -> bool {
    use Category as C;
    let identity = id_type_of(kind) != "UNSUPPORTED";
    match category {
        C::Id => identity,
        C::Selfie => kind == DocumentKind::FaceImage,
        C::Document => !identity && kind != DocumentKind::FaceImage,
        C::Facemap | C::Data => false,
    }
}

/// Jumio's ID types and the canonical kinds.
pub(crate) const ID_TYPES: [(&str, DocumentKind); 4] = [
    ("ID_CARD", DocumentKind::IdCard),
    ("DRIVING_LICENSE", DocumentKind::DrivingLicence),
    ("PASSPORT", DocumentKind::Passport),
    ("VISA", DocumentKind::Visa),
];

/// The canonical kind of a Jumio ID type.
pub fn kind_of_id_type(t: &str) -> Option<DocumentKind> {
    ID_TYPES.iter().find(|(n, _)| *n == t).map(|(_, k)| *k)
}

/// The Jumio ID type of a canonical kind (residence permits and state IDs are ID cards to
/// Jumio; kinds that are no ID read as `UNSUPPORTED`).
pub fn id_type_of(k: DocumentKind) -> &'static str {
    match k {
        DocumentKind::ResidencePermit | DocumentKind::StateId | DocumentKind::VoterId => "ID_CARD",
        other => ID_TYPES
            .iter()
            .find(|(_, c)| *c == other)
            .map_or("UNSUPPORTED", |(n, _)| *n),
    }
}

/// The kind of a new credential's document: the one ID type requested, else `id_card`
/// (an ID credential of unstated type); a selfie is a face image; a document is `other`.
pub fn kind_for(category: Category, id_types: &[String]) -> DocumentKind {
    match category {
        Category::Id => match id_types {
            [one] => kind_of_id_type(one).unwrap_or(DocumentKind::IdCard),
            _ => DocumentKind::IdCard,
        },
        Category::Selfie | Category::Facemap => DocumentKind::FaceImage,
        Category::Document | Category::Data => DocumentKind::Other,
    }
}

/// Jumio's timestamps: ISO-8601 UTC with milliseconds.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses `tokenLifetime`: `<n>` then `s`, `m`, `h` or `d`; 5 minutes to 60 days.
pub fn token_lifetime(text: Option<&str>) -> Result<chrono::Duration> {
    let Some(text) = text else {
        return Ok(chrono::Duration::minutes(30));
    };
    let bad = || {
        Error::invalid(
            "tokenLifetime",
            "must be a number followed by s, m, h or d, between 5m and 60d",
        )
    };
    if !text.is_ascii() || text.is_empty() {
        return Err(bad());
    }
    let (n, unit) = text.split_at(text.len() - 1);
    let n: i64 = n.trim_start_matches('+').parse().map_err(|_| bad())?;
    let secs = match unit {
        "s" => n,
        "m" => n.checked_mul(60).ok_or_else(bad)?,
        "h" => n.checked_mul(3600).ok_or_else(bad)?,
        "d" => n.checked_mul(86_400).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    if !(300..=60 * 86_400).contains(&secs) {
        return Err(bad());
    }
    Ok(chrono::Duration::seconds(secs))
}

/// An ISO 3166-1 alpha-3 country code, upper case as Jumio writes them, of a country that
/// exists (`ZZZ` and `XXXX` are refused).
pub fn country(code: &str) -> Option<crate::model::CountryCode> {
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    celes::Country::from_alpha3(code).ok()?;
    crate::model::CountryCode::new(code).ok()
}

/// Checks `customerInternalReference`: 1-100 characters, none of `< > " / ; ` % { } |`.
pub fn customer_reference(text: &str) -> Result<()> {
    let n = text.chars().count();
    if n == 0 || n > 100 {
        return Err(Error::invalid(
            "customerInternalReference",
            "must be 1 to 100 characters",
        ));
    }
    if text.trim().is_empty() {
        return Err(Error::invalid(
            "customerInternalReference",
            "must not be blank",
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|c| "<>\"/;`%{}|".contains(*c) || c.is_control())
    {
        return Err(Error::invalid(
            "customerInternalReference",
            format!("must not contain {c:?}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
