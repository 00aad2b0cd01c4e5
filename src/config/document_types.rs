//! B2Core's document-type table as configured (`[[adapters.mydocs.document_types]]`): the
//! entries, their checks, and the group ids entries that name none get. The fields follow
//! B2Core's Back Office Document Type object (the captured `GET /api/v2/documents/types`
//! response in the vendor material), so a deployment can reproduce its own B2Core table.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::ConfigError;
use crate::model::{Category, DocumentKind};

/// One B2Core document type: the integer `typeID` a client sends, and what it means.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentTypeConfig {
    /// The `typeID`.
    pub id: u32,
    /// Its display name.
    pub name: String,
    /// Its `description`; the name when absent. Kept as written (B2Core's sample has
    /// descriptions with stray spaces, such as `" Driving license"`).
    #[serde(default)]
    pub description: Option<String>,
    /// The canonical kind it stores (`passport`, `id_card`, … as in docs/vocabulary.md).
    /// Several types may share a kind: a document added here keeps the type its client
    /// chose; one stored through another API shows the kind's `default_for_kind` type, else
    /// the first type of its kind, else the type of kind `other`.
    pub kind: String,
    /// The canonical category its documents prove (`proof_of_address`, …); the kind's own
    /// default when absent. Lets a type keep what its group says it proves (a tax invoice
    /// given as proof of address).
    #[serde(default)]
    pub category: Option<String>,
    /// The group it is listed under, e.g. "Proof of identity".
    pub group: String,
    /// The group's `id`. When no entry of the group gives one, the group gets the smallest
    /// id no other group uses, in order of first appearance (1, 2, … when none is given).
    #[serde(default)]
    pub group_id: Option<u32>,
    /// Its `priority`; its position in the table (from 1) when absent.
    #[serde(default)]
    pub priority: Option<u32>,
    /// Most files one document of this type holds.
    #[serde(default = "default_max_files")]
    pub max_files: u32,
    /// Whether documents of its kind that name no type of this table (stored through another
    /// API) show this type. At most one per kind; without one, the first type of the kind.
    #[serde(default)]
    pub default_for_kind: bool,
}

impl Default for DocumentTypeConfig {
    fn default() -> Self {
        DocumentTypeConfig {
            id: 0,
            name: String::new(),
            description: None,
            kind: DocumentKind::Other.as_str().to_owned(),
            category: None,
            group: String::new(),
            group_id: None,
            priority: None,
            max_files: default_max_files(),
            default_for_kind: false,
        }
    }
}

impl DocumentTypeConfig {
    /// Checks a whole table as loading the configuration does (see the rules on `check`).
    pub fn check_table(types: &[DocumentTypeConfig]) -> Result<(), ConfigError> {
        check(types)
    }

    /// The group id of every entry, in table order: the one an entry of its group names, else
    /// the smallest id (from 1) that no group names, given out in order of first appearance.
    /// Assumes a table the configuration check accepted (one id per group name).
    pub fn group_ids(types: &[DocumentTypeConfig]) -> Vec<u32> {
        let mut named: HashMap<&str, u32> = HashMap::new();
        for t in types {
            if let Some(id) = t.group_id {
                named.entry(t.group.as_str()).or_insert(id);
            }
        }
        let mut taken: HashSet<u32> = named.values().copied().collect();
        let mut next = 1;
        let mut given: HashMap<&str, u32> = HashMap::new();
        types
            .iter()
            .map(|t| {
                if let Some(id) = named.get(t.group.as_str()) {
                    return *id;
                }
                *given.entry(t.group.as_str()).or_insert_with(|| {
                    while taken.contains(&next) {
                        next += 1;
                    }
                    taken.insert(next);
                    next
                })
            })
            .collect()
    }
}

fn default_max_files() -> u32 {
    3
}

/// A table must be usable: unique ids, known kinds and categories, 1-10 files, one group id
/// per group and one group per id, at most one `default_for_kind` per kind, and an entry of
/// kind `other` for documents whose kind has no type of its own.
pub(super) fn check(types: &[DocumentTypeConfig]) -> Result<(), ConfigError> {
    let at =
        |i: usize, what: &str| ConfigError(format!("adapters.mydocs.document_types[{i}].{what}"));
    let mut ids = HashSet::new();
    let mut defaults = HashSet::new();
    let mut group_of_id: HashMap<u32, &str> = HashMap::new();
    let mut id_of_group: HashMap<&str, u32> = HashMap::new();
    for (i, t) in types.iter().enumerate() {
        if !ids.insert(t.id) {
            return Err(at(i, "id: the id is used twice"));
        }
        if DocumentKind::parse(&t.kind).is_err() {
            return Err(at(i, "kind: not a canonical document kind"));
        }
        if t.category
            .as_deref()
            .is_some_and(|c| Category::parse(c).is_err())
        {
            return Err(at(i, "category: not a canonical category"));
        }
        if t.name.trim().is_empty() || t.group.trim().is_empty() {
            return Err(at(i, "name and group must not be empty"));
        }
        if !(1..=10).contains(&t.max_files) {
            return Err(at(i, "max_files: must be between 1 and 10"));
        }
        if t.default_for_kind && !defaults.insert(t.kind.as_str()) {
            return Err(at(
                i,
                "default_for_kind: another type of this kind is already its default",
            ));
        }
        if let Some(g) = t.group_id {
            if g == 0 {
                return Err(at(i, "group_id: must be at least 1"));
            }
            let same_name = *id_of_group.entry(t.group.as_str()).or_insert(g) == g;
            let same_id = *group_of_id.entry(g).or_insert(t.group.as_str()) == t.group;
            if !same_name || !same_id {
                return Err(at(
                    i,
                    "group_id: a group has one id, and an id names one group",
                ));
            }
        }
    }
    if !types.iter().any(|t| t.kind == DocumentKind::Other.as_str()) {
        return Err(ConfigError(
            "adapters.mydocs.document_types: one type must have kind \"other\"".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u32, group: &str, group_id: Option<u32>) -> DocumentTypeConfig {
        DocumentTypeConfig {
            id,
            name: format!("T{id}"),
            group: group.into(),
            group_id,
            ..Default::default()
        }
    }

    #[test]
    fn groups_without_an_id_get_the_smallest_free_ones_in_order() {
        let none = [
            entry(1, "A", None),
            entry(2, "B", None),
            entry(3, "A", None),
        ];
        assert_eq!(DocumentTypeConfig::group_ids(&none), [1, 2, 1]);
        // B2Core's sample: groups 2 to 6. A group named once keeps its id on every entry.
        let mixed = [
            entry(1, "A", None),
            entry(2, "B", Some(1)),
            entry(3, "A", Some(3)),
            entry(4, "C", None),
            entry(5, "B", None),
        ];
        assert_eq!(DocumentTypeConfig::group_ids(&mixed), [3, 1, 3, 2, 1]);
        assert!(check(&mixed).is_ok());
    }

    #[test]
    fn a_group_has_one_id_and_an_id_one_group() {
        let two_ids = [entry(1, "A", Some(1)), entry(2, "A", Some(2))];
        let shared = [entry(1, "A", Some(1)), entry(2, "B", Some(1))];
        let zero = [entry(1, "A", Some(0))];
        for (table, index) in [(&two_ids[..], 1), (&shared[..], 1), (&zero[..], 0)] {
            let e = check(table).unwrap_err().0;
            assert!(e.contains(&format!("[{index}].group_id")), "{e}");
        }
    }

    #[test]
    fn categories_and_kind_defaults_are_checked() {
        let mut bad = entry(1, "A", None);
        bad.category = Some("proof_of_adress".into());
        assert!(check(&[bad]).unwrap_err().0.contains("[0].category"));
        let mut ok = entry(1, "A", None);
        ok.category = Some("proof_of_address".into());
        assert!(check(&[ok]).is_ok());
        let mut a = entry(1, "A", None);
        let mut b = entry(2, "A", None);
        a.default_for_kind = true;
        b.default_for_kind = true;
        assert!(
            check(&[a, b])
                .unwrap_err()
                .0
                .contains("[1].default_for_kind")
        );
    }
}
