use chrono::Utc;
use strum::IntoEnumIterator;

use super::*;
use crate::adapters::mydocs::mapping::document_extras;

fn entry(id: u32, kind: &str) -> DocumentTypeConfig {
    DocumentTypeConfig {
        id,
        name: format!("T{id}"),
        kind: kind.into(),
        group: "G".into(),
        ..Default::default()
    }
}

#[test]
fn the_built_in_table_passes_the_configuration_checks() {
    DocumentTypeConfig::check_table(&builtin()).unwrap();
    let ids: Vec<u32> = Types::from_config(None).iter().map(|t| t.id).collect();
    assert_eq!(ids, (1..=22).collect::<Vec<_>>());
}

#[test]
fn the_samples_types_store_their_closest_kinds() {
    use Category as C;
    use DocumentKind as K;
    let types = Types::from_config(None);
    #[rustfmt::skip]
    let want = [
        (1, "Passport", K::Passport, C::ProofOfIdentity),
        (2, "National ID / Passport", K::IdCard, C::ProofOfIdentity),
        (3, "Driving license", K::DrivingLicence, C::ProofOfIdentity),
        (4, "Utility bill", K::UtilityBill, C::ProofOfAddress),
        (5, "Tax Invoice", K::TaxDocument, C::ProofOfAddress),
        (6, "Certificate of registration", K::ResidencePermit, C::ProofOfAddress),
        (7, "Selfie with proof of identity", K::FaceImage, C::ProofOfIdentity),
        (8, "Deposit Receipt", K::BankStatement, C::ProofOfSourceOfFunds),
        (9, "Bank Slip", K::BankStatement, C::ProofOfSourceOfFunds),
    ];
    for (id, name, kind, category) in want {
        let t = types.by_id(id).unwrap();
        assert_eq!(
            (t.name.as_str(), t.kind, t.category),
            (name, kind, category)
        );
        assert_eq!(t.max_files, 3);
    }
    // The sample's groups, ids and priorities (B2Core's `GET /api/v2/documents/types`).
    let groups: Vec<(u32, u32, &str, u32)> = (2..=9)
        .map(|id| types.by_id(id).unwrap())
        .map(|t| (t.priority, t.group_id, t.group.as_str(), t.group_priority))
        .collect();
    assert_eq!(
        groups,
        [
            (1, 2, "Proof of identity", 1),
            (2, 2, "Proof of identity", 1),
            (3, 3, "Proof of address", 2),
            (4, 3, "Proof of address", 2),
            (5, 3, "Proof of address", 2),
            (6, 4, "Selfie with proof of identity", 3),
            (7, 5, "Proof of deposit", 4),
            (8, 6, "Proof of bank transfer", 5),
        ]
    );
}

#[test]
fn every_canonical_kind_shows_a_type_named_for_it() {
    let types = Types::from_config(None);
    for kind in DocumentKind::iter() {
        let t = types.of_kind(kind);
        assert_eq!(t.kind, kind, "{kind:?} shows {t:?}");
        assert_eq!(t.category, kind.default_category(), "{kind:?}");
    }
    // Kinds a sample type only approximates show idbridge's type named for them.
    let shows = |k| types.of_kind(k).id;
    assert_eq!(shows(DocumentKind::Passport), 1);
    assert_eq!(shows(DocumentKind::IdCard), 2);
    assert_eq!(shows(DocumentKind::ResidencePermit), 10);
    assert_eq!(shows(DocumentKind::BankStatement), 20);
    assert_eq!(shows(DocumentKind::TaxDocument), 21);
    assert_eq!(shows(DocumentKind::Other), 22);
}

#[test]
fn a_kind_without_a_type_shows_other_never_the_first_entry() {
    let configured = [entry(5, "passport"), entry(6, "id_card"), entry(9, "other")];
    let types = Types::from_config(Some(&configured));
    assert_eq!(types.of_kind(DocumentKind::Visa).id, 9);
    assert_eq!(types.of_kind(DocumentKind::BankStatement).id, 9);
    // A table that skipped the configuration's checks still never shows its first entry.
    let unchecked = [entry(5, "passport"), entry(6, "id_card")];
    let types = Types::from_config(Some(&unchecked));
    let other = types.of_kind(DocumentKind::Visa);
    assert_eq!(
        (other.id, other.kind, other.name.as_str()),
        (7, DocumentKind::Other, "Other")
    );
}

#[test]
fn a_kind_shows_its_default_type_else_its_first() {
    let mut second = entry(3, "bank_statement");
    let table = |second: DocumentTypeConfig| {
        Types::from_config(Some(&[
            entry(1, "other"),
            entry(2, "bank_statement"),
            second,
        ]))
    };
    assert_eq!(
        table(second.clone())
            .of_kind(DocumentKind::BankStatement)
            .id,
        2
    );
    second.default_for_kind = true;
    assert_eq!(table(second).of_kind(DocumentKind::BankStatement).id, 3);
}

#[test]
fn a_configured_table_replaces_the_default() {
    let configured = [
        DocumentTypeConfig {
            id: 42,
            name: "ID".into(),
            kind: "id_card".into(),
            group: "Identity".into(),
            max_files: 2,
            ..Default::default()
        },
        DocumentTypeConfig {
            id: 7,
            name: "Anything".into(),
            description: Some("Whatever else".into()),
            kind: "other".into(),
            category: Some("proof_of_address".into()),
            group: "Misc".into(),
            group_id: Some(1),
            priority: Some(30),
            max_files: 1,
            default_for_kind: false,
        },
    ];
    let types = Types::from_config(Some(&configured));
    assert_eq!(types.by_id(42).unwrap().kind, DocumentKind::IdCard);
    assert!(types.by_id(1).is_none());
    assert_eq!(types.of_kind(DocumentKind::Passport).id, 7);
    assert_eq!(types.by_id(7).unwrap().category, Category::ProofOfAddress);
    let views = types.views();
    // "Misc" names id 1, so "Identity" gets the next free id, 2; priorities follow the order.
    assert_eq!((views[0].group.id, views[1].group.id), (2, 1));
    assert_eq!((views[0].group.priority, views[1].group.priority), (1, 2));
    assert_eq!((views[0].priority, views[1].priority), (1, 30));
    assert_eq!(views[0].description, "ID");
    assert_eq!(views[1].description, "Whatever else");
    assert_eq!(types.max_files(), 2);
}

fn stored(kind: DocumentKind, chosen: Option<u32>) -> Document {
    let now = Utc::now();
    Document {
        id: uuid::Uuid::now_v7(),
        seq: 1,
        tenant: crate::model::TenantId::new("t").unwrap(),
        subject_id: uuid::Uuid::now_v7(),
        kind,
        category: kind.default_category(),
        number: None,
        issuing_country: None,
        issuing_authority: None,
        issued_on: None,
        expires_on: None,
        personal: Default::default(),
        extras: chosen.map(document_extras).into_iter().collect(),
        file_count: 1,
        written_by: None,
        created_at: now,
        updated_at: now,
    }
}

#[test]
fn a_document_keeps_the_type_its_client_chose_while_it_fits_the_kind() {
    let configured = [
        entry(1, "passport"),
        entry(2, "passport"),
        entry(3, "id_card"),
        entry(4, "other"),
    ];
    let types = Types::from_config(Some(&configured));
    let shows = |kind, chosen| types.of_document(&stored(kind, chosen)).id;
    assert_eq!(shows(DocumentKind::Passport, Some(2)), 2);
    assert_eq!(shows(DocumentKind::Passport, Some(1)), 1);
    // Stored elsewhere: the first type of the kind.
    assert_eq!(shows(DocumentKind::Passport, None), 1);
    // The kind changed through another API, or the type left the table.
    assert_eq!(shows(DocumentKind::IdCard, Some(2)), 3);
    assert_eq!(shows(DocumentKind::Passport, Some(99)), 1);
    assert_eq!(shows(DocumentKind::Visa, Some(2)), 4);
    // The built-in table: a deposit receipt stays one; a bank statement from elsewhere is 20.
    let types = Types::from_config(None);
    let shows = |kind, chosen| types.of_document(&stored(kind, chosen)).id;
    assert_eq!(shows(DocumentKind::BankStatement, Some(8)), 8);
    assert_eq!(shows(DocumentKind::BankStatement, None), 20);
}
