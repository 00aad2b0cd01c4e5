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
