//! Jumio to and from the canonical model: workflow keys and their credentials, classifiers
//! and sides, ID types and kinds, the execution record kept in the canonical process, and
//! the URLs Jumio hands out.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::wire::{CapabilityResult, Category, Decision, Status};
use crate::error::{Error, Result};
use crate::model::{DocumentKind, FileSide, Process, ProcessStatus, StoredFile};
use crate::store::ProcessCredential;

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

/// One credential of an execution, as kept in the process.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredCredential {
    /// Its id: the canonical document's id for ID, SELFIE and DOCUMENT credentials.
    pub id: Uuid,
    /// Its category.
    pub category: Category,
    /// Whether it holds a canonical document (ID, SELFIE, DOCUMENT).
    pub has_document: bool,
    /// The ID types requested, if any.
    #[serde(default)]
    pub id_types: Vec<String>,
    /// Prefilled personal data, as sent.
    #[serde(default)]
    pub prefill: Option<serde_json::Value>,
    /// Prepared data (DATA credentials), as sent.
    #[serde(default)]
    pub prepared_data: Option<serde_json::Value>,
    /// The canonical document the prepared data's `id` section became.
    #[serde(default)]
    pub data_document: Option<Uuid>,
    /// The document now holding the parts, when the first one (whose id is the credential's)
    /// was deleted through another API and a later part started a new one.
    #[serde(default)]
    pub document: Option<Uuid>,
    /// The highest page number ever given (pages are never renumbered or reused).
    #[serde(default)]
    pub last_page: u16,
    /// An existing credential the request referenced by id (workflow 5's ID "already on
    /// file"): no API channel, its parts were captured before.
    #[serde(default)]
    pub reused: bool,
}

impl StoredCredential {
    /// Reads a credential's row.
    pub fn from_row(c: &ProcessCredential) -> Result<StoredCredential> {
        let category = serde_json::from_value(serde_json::Value::String(c.category.clone()))
            .map_err(Error::internal)?;
        Ok(StoredCredential {
            id: c.id,
            category,
            has_document: c.document_id.is_some(),
            id_types: c.id_types.clone(),
            prefill: c.prefill.clone(),
            prepared_data: c.prepared.clone(),
            data_document: c.data_document_id,
            document: c.document_id.filter(|d| *d != c.id),
            last_page: c.last_page,
            reused: c.reused,
        })
    }

    /// The canonical document holding this credential's parts (ID, SELFIE, DOCUMENT).
    pub fn doc(&self) -> Option<Uuid> {
        self.has_document.then(|| self.document.unwrap_or(self.id))
    }

    /// The channels it can be captured through, as account create/update lists them: a
    /// reused credential was captured before (the guide's workflow 5 response shows none), a
    /// FACEMAP has no API channel, prepared data comes only through the API.
    pub fn channels(&self) -> Vec<&'static str> {
        match self.category {
            _ if self.reused => vec![],
            Category::Facemap => vec!["WEB", "SDK"],
            Category::Data => vec!["API"],
            _ => vec!["WEB", "API", "SDK"],
        }
    }
}

/// A workflow execution, as kept in the canonical process's data.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    /// The workflow key.
    pub definition_key: u32,
    /// The customer's reference.
    pub customer_internal_reference: String,
    /// The customer's user reference.
    pub user_reference: Option<String>,
    /// Reporting criteria, as sent.
    pub reporting_criteria: Option<String>,
    /// Where the callback goes.
    pub callback_url: Option<String>,
    /// The credentials (rows of their own, `process_credentials`: never in the JSON).
    #[serde(default, skip_serializing)]
    pub credentials: Vec<StoredCredential>,
    /// When the first part arrived (the process's `started_at`: never in the JSON).
    #[serde(default, skip_serializing)]
    pub started_at: Option<DateTime<Utc>>,
    /// When processing finished.
    pub completed_at: Option<DateTime<Utc>>,
    /// The overall decision.
    pub decision: Option<Decision>,
    /// Each capability's results.
    #[serde(default)]
    pub capabilities: BTreeMap<String, Vec<CapabilityResult>>,
    /// Whether the final callback was handed to the sender (it retries on its own).
    #[serde(default)]
    pub callback_queued: bool,
    /// When the execution's token expires (the session can never outlive it).
    #[serde(default)]
    pub token_expires_at: Option<DateTime<Utc>>,
    /// Web channel settings, as sent (`successUrl`, `errorUrl`, `locale`).
    #[serde(default)]
    pub web: Option<serde_json::Value>,
    /// `workflowDefinition.capabilities`, as sent: a capability asked for there that
    /// idbridge does not perform is reported `NOT_EXECUTED`.
    #[serde(default)]
    pub requested_capabilities: Option<serde_json::Value>,
    /// Consent details, as sent.
    #[serde(default)]
    pub user_consent: Option<serde_json::Value>,
}

impl Execution {
    /// Reads the record from a process and its credentials' rows.
    pub fn read(p: &Process, credentials: &[ProcessCredential]) -> Result<Execution> {
        let mut e: Execution = serde_json::from_value(p.data.clone()).map_err(Error::internal)?;
        e.started_at = p.started_at;
        e.credentials = credentials
            .iter()
            .map(StoredCredential::from_row)
            .collect::<Result<_>>()?;
        Ok(e)
    }

    /// The record as process data.
    pub fn to_data(&self) -> Result<serde_json::Value> {
        serde_json::to_value(self).map_err(Error::internal)
    }

    /// A `web` setting (`successUrl`, `errorUrl`, `locale`), when the request gave it.
    pub fn web_setting(&self, name: &str) -> Option<&str> {
        self.web.as_ref()?.get(name)?.as_str()
    }

    /// Whether the workflow is a KYX one (keys from 10000, those of the KYX guides).
    pub fn is_kyx(&self) -> bool {
        self.definition_key >= 10_000
    }

    /// The credential with this id.
    pub fn credential(&self, id: Uuid) -> Result<&StoredCredential> {
        self.credentials
            .iter()
            .find(|c| c.id == id)
            .ok_or(Error::NotFound("credential"))
    }
}

/// Jumio's status of a process at `now`. An execution that ran out of time is
/// `SESSION_EXPIRED` if it had started (a part arrived), `TOKEN_EXPIRED` otherwise.
pub fn status(p: &Process, e: &Execution, now: DateTime<Utc>) -> Status {
    process_status(p, p.started_at.or(e.started_at), now)
}

/// Jumio's status of a process at `now`, given when its first action happened.
pub fn process_status(p: &Process, started: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Status {
    match p.status_at(now) {
        ProcessStatus::Open => Status::Initiated,
        ProcessStatus::Submitted => Status::Acquired,
        ProcessStatus::Completed => Status::Processed,
        ProcessStatus::Expired | ProcessStatus::Cancelled => {
            if started.is_some() {
                Status::SessionExpired
            } else {
                Status::TokenExpired
            }
        }
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

/// The URLs Jumio hands out, built from the public base URL and the mount prefix.
#[derive(Clone, Debug)]
pub struct Urls {
    /// `public_base_url` + prefix + `/api/v1`.
    pub api: String,
    /// `public_base_url` + prefix + [`WEB_APP`]: the web client.
    pub web: String,
}

/// The web client's path under the mount prefix, as Jumio's `web.href` has it.
pub const WEB_APP: &str = "/web/v4/app";

impl Urls {
    /// The web client's URL for a token (`locale` passed on when the request gave one).
    pub fn web_href(&self, token: &str, locale: Option<&str>) -> String {
        let mut pairs = vec![("authorizationToken", token)];
        pairs.extend(locale.map(|l| ("locale", l)));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}?{query}", self.web)
    }

    /// A KYX execution's steps.
    pub fn steps(&self, account: Uuid, execution: Uuid) -> String {
        format!("{}/steps", self.execution(account, execution))
    }

    /// An execution's finalize and details URL.
    pub fn execution(&self, account: Uuid, execution: Uuid) -> String {
        format!(
            "{}/accounts/{account}/workflow-executions/{execution}",
            self.api
        )
    }

    /// A part's upload URL.
    pub fn part(
        &self,
        account: Uuid,
        execution: Uuid,
        credential: Uuid,
        classifier: &str,
    ) -> String {
        format!(
            "{}/credentials/{credential}/parts/{classifier}",
            self.execution(account, execution)
        )
    }

    /// An account's URL.
    pub fn account(&self, account: Uuid) -> String {
        format!("{}/accounts/{account}", self.api)
    }

    /// A stored part's retrieval URL.
    pub fn image(&self, account: Uuid, credential: Uuid, classifier: &str) -> String {
        format!(
            "{}/accounts/{account}/credentials/{credential}/parts/{classifier}",
            self.api
        )
    }

    /// A DOCUMENT credential's upload URL: its parts, with no classifier (seed 004's "Uploads
    /// a specified document (image(s)/single pdf)" takes the account, execution and
    /// credential only).
    pub fn document(&self, account: Uuid, execution: Uuid, credential: Uuid) -> String {
        format!(
            "{}/credentials/{credential}/parts",
            self.execution(account, execution)
        )
    }

    /// Every upload URL of a credential, by lowercase classifier (a DOCUMENT credential's is
    /// the document upload).
    pub fn parts(
        &self,
        account: Uuid,
        execution: Uuid,
        c: &StoredCredential,
    ) -> BTreeMap<String, String> {
        classifiers(c.category)
            .iter()
            .map(|(name, _)| {
                let url = if c.category == Category::Document {
                    self.document(account, execution, c.id)
                } else {
                    self.part(account, execution, c.id, name)
                };
                (name.to_ascii_lowercase(), url)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(doc: Uuid, side: FileSide, seconds: i64) -> StoredFile {
        StoredFile {
            id: Uuid::now_v7(),
            tenant: crate::model::TenantId::new("t").unwrap(),
            subject_id: Uuid::nil(),
            document_id: Some(doc),
            side,
            name: None,
            media_type: crate::media::MediaType::Png,
            size: 1,
            sha256: [0; 32],
            width: Some(1000),
            height: Some(700),
            extras: Default::default(),
            created_at: DateTime::from_timestamp(seconds, 0).unwrap(),
        }
    }

    #[test]
    fn a_side_reads_its_newest_file_and_a_passport_page_stands_for_front_and_back() {
        let (doc, other) = (Uuid::now_v7(), Uuid::now_v7());
        let pages = [
            file(doc, FileSide::Page(1), 1),
            file(doc, FileSide::Page(2), 2),
            file(other, FileSide::Front, 3),
        ];
        assert_eq!(
            file_for(&pages, doc, FileSide::Front).unwrap().id,
            pages[0].id
        );
        assert_eq!(
            file_for(&pages, doc, FileSide::Back).unwrap().id,
            pages[1].id
        );
        assert!(file_for(&pages, doc, FileSide::Face).is_none());
        assert!(file_for(&pages, doc, FileSide::None).is_none());
        // A real FRONT wins over page 1; of two, the newest.
        let mut sides = pages.to_vec();
        sides.push(file(doc, FileSide::Front, 4));
        sides.push(file(doc, FileSide::Front, 5));
        assert_eq!(
            file_for(&sides, doc, FileSide::Front).unwrap().id,
            sides[4].id
        );
    }

    #[test]
    fn every_workflow_lists_usability_and_what_it_exists_for() {
        for (key, _) in WORKFLOWS {
            assert_eq!(guide_capabilities(*key)[0], "usability", "{key}");
        }
        for key in [3, 5, 20] {
            assert!(guide_capabilities(key).contains(&"similarity"), "{key}");
        }
        assert!(guide_capabilities(2).contains(&"dataChecks"));
        assert!(guide_capabilities(6).contains(&"liveness"));
    }

    #[test]
    fn countries_are_existing_alpha_3_codes() {
        assert!(country("FRA").is_some() && country("USA").is_some());
        for bad in ["ZZZ", "XXXX", "fra", "FR", ""] {
            assert!(country(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn token_lifetimes_are_read_and_bounded() {
        assert_eq!(token_lifetime(None).unwrap(), chrono::Duration::minutes(30));
        assert_eq!(
            token_lifetime(Some("5m")).unwrap(),
            chrono::Duration::minutes(5)
        );
        assert_eq!(
            token_lifetime(Some("60d")).unwrap(),
            chrono::Duration::days(60)
        );
        assert_eq!(
            token_lifetime(Some("+2h")).unwrap(),
            chrono::Duration::hours(2)
        );
        for bad in [
            "4m",
            "61d",
            "10",
            "m",
            "5x",
            "-5m",
            "",
            "99999999999999999d",
        ] {
            assert!(token_lifetime(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn customer_references_follow_jumios_rules() {
        customer_reference("CUSTOMER_REFERENCE-1").unwrap();
        for bad in [
            "", "   ", "a/b", "a;b", "x%y", "{a}", "a|b", "<a>", "\"q\"", "`",
        ] {
            assert!(customer_reference(bad).is_err(), "{bad}");
        }
        assert!(customer_reference(&"r".repeat(101)).is_err());
    }

    #[test]
    fn id_types_and_kinds_map_both_ways() {
        for (t, k) in ID_TYPES {
            assert_eq!(kind_of_id_type(t), Some(k));
            assert_eq!(id_type_of(k), t);
        }
        assert_eq!(id_type_of(DocumentKind::ResidencePermit), "ID_CARD");
        assert_eq!(id_type_of(DocumentKind::BankStatement), "UNSUPPORTED");
        assert_eq!(
            kind_for(Category::Id, &["PASSPORT".into()]),
            DocumentKind::Passport
        );
        assert_eq!(kind_for(Category::Id, &[]), DocumentKind::IdCard);
    }

    #[test]
    fn classifiers_and_sides_map_both_ways() {
        assert_eq!(side_of(Category::Id, "BACK").unwrap(), FileSide::Back);
        assert!(side_of(Category::Id, "FACE").is_err());
        assert!(side_of(Category::Facemap, "FACEMAP").is_err());
        for side in [
            FileSide::Front,
            FileSide::Back,
            FileSide::Face,
            FileSide::Page(3),
            FileSide::None,
        ] {
            assert_eq!(side_named(&classifier_of(side)), Some(side));
        }
        assert_eq!(side_named("DOCUMENT"), Some(FileSide::None));
        assert_eq!(side_named("PAGE_0"), None);
        assert!(workflow(2).is_some() && workflow(4).is_none());
    }
}
