//! B2Core's document types: the `typeID` table in force (built in, or configured with
//! `[[adapters.mydocs.document_types]]`), what each type stores, which type a stored
//! document shows, and the table in B2Core's Document Type shape.
//!
//! The built-in table is the only real B2Core table in the vendor material (the captured
//! Back Office `GET /api/v2/documents/types` response: ids 2 to 9, with their names,
//! descriptions, groups, group ids, `maxFiles` and priorities), plus id 1 "Passport" (the
//! seed's own add example sends `"typeId": 1`) and, from id 10, one type for every canonical
//! kind the sample has no type named for, then "Other".

use super::mapping::NAMESPACE;
use super::wire::{DocumentType, TypeGroup};
use crate::config::DocumentTypeConfig;
use crate::model::{Category, Document, DocumentKind};

use Category as C;
use DocumentKind as K;

/// The sample's groups: `(id, name)`.
const IDENTITY: (u32, &str) = (2, "Proof of identity");
const ADDRESS: (u32, &str) = (3, "Proof of address");
const SELFIE: (u32, &str) = (4, "Selfie with proof of identity");
const DEPOSIT: (u32, &str) = (5, "Proof of deposit");
const TRANSFER: (u32, &str) = (6, "Proof of bank transfer");
/// idbridge's groups for the kinds the sample lacks, numbered on from the sample's and named
/// after the canonical category their documents prove.
const COMPANY: (u32, &str) = (7, "Company documents");
const BANK_ACCOUNT: (u32, &str) = (8, "Proof of bank account");
const TAX: (u32, &str) = (9, "Proof of tax status");
const OTHER: (u32, &str) = (10, "Other");

/// One entry of the built-in table.
struct Builtin {
    id: u32,
    name: &'static str,
    description: &'static str,
    kind: DocumentKind,
    category: Option<Category>,
    group: (u32, &'static str),
    priority: u32,
    default_for_kind: bool,
}

/// A built-in entry whose category is its kind's own.
const fn entry(
    id: u32,
    name: &'static str,
    description: &'static str,
    kind: DocumentKind,
    group: (u32, &'static str),
    priority: u32,
) -> Builtin {
    Builtin {
        id,
        name,
        description,
        kind,
        category: None,
        group,
        priority,
        default_for_kind: false,
    }
}

impl Builtin {
    /// Documents of this type prove `category` (what the sample's group says), not what
    /// their kind proves by default.
    const fn proving(self, category: Category) -> Builtin {
        Builtin {
            category: Some(category),
            ..self
        }
    }

    /// The type documents of its kind stored through another API show, ahead of a sample
    /// type that is only the closest kind.
    const fn kind_default(self) -> Builtin {
        Builtin {
            default_for_kind: true,
            ..self
        }
    }
}

/// The built-in table. Ids 2–9: B2Core's sample, names and descriptions verbatim (stray
/// spaces included), each mapped to the closest canonical kind (see docs/compat/mydocs.md
/// for why). Id 1 and ids 10 up: idbridge's. Priorities: the sample's 1–8, then 9 for id 1,
/// then the id.
#[rustfmt::skip]
const BUILT_IN: [Builtin; 22] = [
    entry(1, "Passport", "Passport", K::Passport, IDENTITY, 9),
    entry(2, "National ID / Passport", "National ID / Passport", K::IdCard, IDENTITY, 1),
    entry(3, "Driving license", " Driving license", K::DrivingLicence, IDENTITY, 2),
    entry(4, "Utility bill", " Utility bill", K::UtilityBill, ADDRESS, 3),
    entry(5, "Tax Invoice", "Tax Invoice ", K::TaxDocument, ADDRESS, 4)
        .proving(C::ProofOfAddress),
    entry(6, "Certificate of registration", " Certificate of registration", K::ResidencePermit, ADDRESS, 5)
        .proving(C::ProofOfAddress),
    entry(7, "Selfie with proof of identity", "  selfie", K::FaceImage, SELFIE, 6),
    entry(8, "Deposit Receipt", " Deposit Receipt", K::BankStatement, DEPOSIT, 7)
        .proving(C::ProofOfSourceOfFunds),
    entry(9, "Bank Slip", " Bank Slip", K::BankStatement, TRANSFER, 8)
        .proving(C::ProofOfSourceOfFunds),
    entry(10, "Residence permit", "Residence permit", K::ResidencePermit, IDENTITY, 10).kind_default(),
    entry(11, "Visa", "Visa", K::Visa, IDENTITY, 11),
    entry(12, "State ID", "State ID", K::StateId, IDENTITY, 12),
    entry(13, "Voter ID", "Voter ID", K::VoterId, IDENTITY, 13),
    entry(14, "Birth certificate", "Birth certificate", K::BirthCertificate, IDENTITY, 14),
    entry(15, "Trade licence", "Trade licence", K::TradeLicence, COMPANY, 15),
    entry(16, "Commercial licence", "Commercial licence", K::CommercialLicence, COMPANY, 16),
    entry(17, "Certificate of incorporation", "Certificate of incorporation", K::IncorporationCertificate, COMPANY, 17),
    entry(18, "Certificate of incumbency", "Certificate of incumbency", K::IncumbencyCertificate, COMPANY, 18),
    entry(19, "Memorandum and articles of association", "Memorandum and articles of association", K::MemorandumArticles, COMPANY, 19),
    entry(20, "Bank statement", "Bank statement", K::BankStatement, BANK_ACCOUNT, 20).kind_default(),
    entry(21, "Tax document", "Tax document", K::TaxDocument, TAX, 21).kind_default(),
    entry(22, "Other", "Other", K::Other, OTHER, 22),
];

/// The built-in table as configuration entries: it takes the same path, and passes the same
/// checks, as a configured one.
pub fn builtin() -> Vec<DocumentTypeConfig> {
    BUILT_IN
        .iter()
        .map(|b| DocumentTypeConfig {
            id: b.id,
            name: b.name.into(),
            description: Some(b.description.into()),
            kind: b.kind.as_str().into(),
            category: b.category.map(|c| c.as_str().into()),
            group: b.group.1.into(),
            group_id: Some(b.group.0),
            priority: Some(b.priority),
            max_files: 3,
            default_for_kind: b.default_for_kind,
        })
        .collect()
}

/// One usable document type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Type {
    /// The `typeID`.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// The canonical kind documents of this type have.
    pub kind: DocumentKind,
    /// The canonical category documents of this type prove.
    pub category: Category,
    /// Its group's name.
    pub group: String,
    /// Its group's id.
    pub group_id: u32,
    /// Its group's priority: the group's place in order of first appearance, from 1.
    pub group_priority: u32,
    /// Its priority.
    pub priority: u32,
    /// Most files per document.
    pub max_files: u32,
    /// Whether documents of its kind stored elsewhere show it.
    pub default_for_kind: bool,
}

/// The document-type table in force.
#[derive(Clone, Debug)]
pub struct Types {
    list: Vec<Type>,
    /// Where the type of kind `other` that kinds without a type show is in `list`.
    other: usize,
}

impl Types {
    /// The configured table, or the built-in one. The configuration was checked at load.
    pub fn from_config(configured: Option<&[DocumentTypeConfig]>) -> Types {
        match configured {
            Some(list) => Types::new(list),
            None => Types::new(&builtin()),
        }
    }

    fn new(entries: &[DocumentTypeConfig]) -> Types {
        let group_ids = DocumentTypeConfig::group_ids(entries);
        let mut groups: Vec<u32> = Vec::new();
        let mut list: Vec<Type> = entries
            .iter()
            .zip(group_ids)
            .enumerate()
            .filter_map(|(i, (t, group_id))| {
                let kind = DocumentKind::parse(&t.kind).ok()?;
                if !groups.contains(&group_id) {
                    groups.push(group_id);
                }
                let group_priority = groups.iter().position(|g| *g == group_id)? as u32 + 1;
                Some(Type {
                    id: t.id,
                    name: t.name.clone(),
                    description: t.description.clone().unwrap_or_else(|| t.name.clone()),
                    kind,
                    category: t
                        .category
                        .as_deref()
                        .and_then(|c| Category::parse(c).ok())
                        .unwrap_or(kind.default_category()),
                    group: t.group.clone(),
                    group_id,
                    group_priority,
                    priority: t.priority.unwrap_or(i as u32 + 1),
                    max_files: t.max_files,
                    default_for_kind: t.default_for_kind,
                })
            })
            .collect();
        // Loading the configuration refuses a table without a type of kind `other`, so this
        // never adds one to a table in use; it keeps "a kind without a type shows Other"
        // true by construction rather than by a panic.
        if !list.iter().any(|t| t.kind == DocumentKind::Other) {
            let id = list.iter().map(|t| t.id).max().unwrap_or(0) + 1;
            let group_id = list.iter().map(|t| t.group_id).max().unwrap_or(0) + 1;
            list.push(Type {
                id,
                name: OTHER.1.into(),
                description: OTHER.1.into(),
                kind: DocumentKind::Other,
                category: DocumentKind::Other.default_category(),
                group: OTHER.1.into(),
                group_id,
                group_priority: groups.len() as u32 + 1,
                priority: id,
                max_files: 3,
                default_for_kind: false,
            });
        }
        let other = Self::index_of_kind(&list, DocumentKind::Other).unwrap_or(list.len() - 1);
        Types { list, other }
    }

    /// Where the type a kind shows is: its `default_for_kind` type, else its first.
    fn index_of_kind(list: &[Type], kind: DocumentKind) -> Option<usize> {
        let of_kind = |t: &Type| t.kind == kind;
        list.iter()
            .position(|t| of_kind(t) && t.default_for_kind)
            .or_else(|| list.iter().position(of_kind))
    }

    /// The type a client names by `typeID`.
    pub fn by_id(&self, id: u32) -> Option<&Type> {
        self.list.iter().find(|t| t.id == id)
    }

    /// The type a stored document of this kind shows when it names none: the kind's
    /// `default_for_kind` type, else the first type of the kind, else the type of kind
    /// `other` (lossy: the canonical kind is kept; only this API cannot name it).
    pub fn of_kind(&self, kind: DocumentKind) -> &Type {
        let at = Self::index_of_kind(&self.list, kind).unwrap_or(self.other);
        &self.list[at]
    }

    /// The type a document shows: the `typeID` its client chose when it was added here, as
    /// long as that type still exists and still has the document's kind (another API may
    /// have changed the kind since); otherwise [`Types::of_kind`].
    pub fn of_document(&self, doc: &Document) -> &Type {
        doc.extras
            .get(NAMESPACE)
            .and_then(|e| e.get("typeId"))
            .and_then(serde_json::Value::as_u64)
            .and_then(|id| u32::try_from(id).ok())
            .and_then(|id| self.by_id(id))
            .filter(|t| t.kind == doc.kind)
            .unwrap_or_else(|| self.of_kind(doc.kind))
    }

    /// Most files any type allows (sizes the request body limit).
    pub fn max_files(&self) -> u32 {
        self.list.iter().map(|t| t.max_files).max().unwrap_or(1)
    }

    /// Every type, in table order.
    pub fn iter(&self) -> impl Iterator<Item = &Type> {
        self.list.iter()
    }

    /// The table in B2Core's Document Type shape, in table order.
    pub fn views(&self) -> Vec<DocumentType> {
        self.list
            .iter()
            .map(|t| DocumentType {
                id: t.id,
                name: t.name.clone(),
                description: t.description.clone(),
                enabled: true,
                example: String::new(),
                group: TypeGroup {
                    id: t.group_id,
                    name: t.group.clone(),
                    description: t.group.clone(),
                    enabled: true,
                    priority: t.group_priority,
                    resources: Vec::new(),
                    kind: "one",
                },
                max_files: t.max_files,
                priority: t.priority,
                resources: Vec::new(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
