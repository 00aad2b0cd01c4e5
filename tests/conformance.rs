//! The whole conformance kit against an in-process server.

mod common;

use std::collections::BTreeMap;

use common::{ADMIN_A, TestServer};

#[tokio::test]
async fn the_conformance_kit_passes_against_idbridge() {
    let s = TestServer::start().await;
    let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/conformance"));
    let opts = idbridge::conform::Options {
        base_url: s.base.clone(),
        root: root.clone(),
        suite: None,
        vars: BTreeMap::from([
            ("admin_key".to_owned(), ADMIN_A.to_owned()),
            ("api_key".to_owned(), "test-api-key-alpha".to_owned()),
        ]),
    };
    let mut out = Vec::new();
    let report = idbridge::conform::run(&opts, &mut out).await.unwrap();
    let out = String::from_utf8(out).unwrap();
    println!("{out}");
    let count = |suite: &str| {
        std::fs::read_dir(root.join(suite))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "yaml")
            })
            .count()
    };
    let cases = count("admin") + count("ncore");
    assert_eq!(report.failed, 0, "{out}");
    assert!(report.passed == cases && cases >= 7, "{out}");
    assert!(
        out.ends_with(&format!("{} passed, 0 failed\n", report.passed)),
        "{out}"
    );
}
