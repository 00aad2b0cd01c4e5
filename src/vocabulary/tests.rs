//! The generator's tests: the checked-in document is current, and known losses and round
//! trips are reported as they are.

use super::*;
use crate::adapters::common::vocabulary::SIDES;
use crate::model::{DocumentKind, FileSide};
use strum::IntoEnumIterator;

fn vendor(title: &str) -> Table {
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
        loss_lines("MasStack")
            .contains(&"`NIF`, `NIE` → `id_card`, which is written back as `IDENTITY_CARD`".into()),
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

#[test]
fn the_console_names_a_kind_as_each_api_writes_it_and_flags_losses() {
    let names = names_of(&Config::default(), DocumentKind::IdCard);
    let apis: Vec<&str> = names.iter().map(|n| n.api).collect();
    assert_eq!(apis.len(), 5, "{apis:?}");
    let of = |api: &str| names.iter().find(|n| n.api.starts_with(api)).unwrap();
    assert_eq!(of("nCore").name, "NATIONAL_ID");
    assert!(!of("nCore").lossy);
    // PassFort writes an ID card as STATE_ID, which reads back as a state ID.
    assert_eq!(of("PassFort").name, "STATE_ID");
    assert!(of("PassFort").lossy);
    assert_eq!(of("Jumio").name, "ID_CARD");
}
