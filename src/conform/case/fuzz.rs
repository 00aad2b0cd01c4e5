//! Generative tests of the conformance YAML: any text is read as a case (and its steps
//! expanded) without a panic or a stack overflow, and what is read stays within a bound of
//! the text's size: anchors and aliases cannot make a small file a large case ("billion
//! laughs"), nor can nesting make it deep.

use proptest::prelude::*;

use super::{expand, parse, parse_fragment};
use crate::fuzz_kit::{ensure, run, run_corpus};

/// How much larger than its text a case may be once read (its `Debug` form, a fair measure
/// of what it holds), beyond a fixed allowance.
const GROWTH: usize = 128;

fn read(text: &[u8]) -> Result<(), TestCaseError> {
    let Ok(text) = std::str::from_utf8(text) else {
        return Ok(());
    };
    let bound = text.len() * GROWTH + 1024 * 1024;
    if let Ok(fragment) = parse_fragment(text) {
        let size = format!("{fragment:?}").len();
        ensure(size <= bound, || {
            format!("a fragment of {} bytes read as {size}", text.len())
        })?;
    }
    let Ok(case) = parse(text) else {
        return Ok(());
    };
    let size = format!("{case:?}").len();
    ensure(size <= bound, || {
        format!("a case of {} bytes read as {size}", text.len())
    })?;
    // Includes are read from an empty folder: each one is refused, none panics.
    let dir = std::env::temp_dir().join("idbridge-fuzz-no-includes");
    let _ = expand(&dir, case.steps);
    Ok(())
}

/// YAML of a case's shape: its keys, scalars of every YAML kind, anchors, aliases and
/// merge keys, flow and block collections, at random indentation.
fn yaml_like() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        proptest::sample::select(vec![
            "name",
            "vars",
            "steps",
            "request",
            "method",
            "path",
            "headers",
            "json",
            "body",
            "body_file",
            "form",
            "multipart",
            "content_type",
            "expect",
            "status",
            "capture",
            "poll",
            "within_secs",
            "every_ms",
            "include",
            "set",
            "value",
            "file",
            "filename",
            "body_sha256",
            "body_empty",
            "<<",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,8}",
    ];
    let scalar = prop_oneof![
        "[a-zA-Z0-9 /${}._-]{0,16}",
        Just("~".to_owned()),
        Just("!!binary aGVsbG8=".to_owned()),
        Just("!!str 3".to_owned()),
        Just("!custom x".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just(".nan".to_owned()),
        Just("0x_1F".to_owned()),
        Just("\"\\x00\\u263A\"".to_owned()),
        Just("|\n  block".to_owned()),
        "\\*[ab]",
        "&[ab] [a-z]{0,4}",
    ];
    let value = scalar.prop_recursive(4, 40, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5)
                .prop_map(|items| format!("[{}]", items.join(", "))),
            proptest::collection::vec((key.clone(), inner.clone()), 0..5).prop_map(|m| {
                let members: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", members.join(", "))
            }),
            (
                proptest::option::of("&[ab]"),
                proptest::collection::vec((key.clone(), inner), 1..5)
            )
                .prop_map(|(anchor, m)| {
                    let members: Vec<String> =
                        m.iter().map(|(k, v)| format!("\n  {k}: {v}")).collect();
                    format!("{}{}", anchor.unwrap_or_default(), members.concat())
                }),
        ]
    });
    proptest::collection::vec(value, 1..4).prop_map(|docs| {
        let mut text = "name: fuzz\nsteps:\n".to_owned();
        for doc in docs {
            text += &format!("  - {}\n", doc.replace('\n', "\n    "));
        }
        text
    })
}

#[test]
fn fuzz_conformance_yaml() {
    run_corpus("conform", |text| read(&text));
    let text = prop_oneof![
        3 => yaml_like().prop_map(String::into_bytes),
        1 => (yaml_like(), any::<prop::sample::Index>()).prop_map(|(t, at)| {
            let mut bytes = t.into_bytes();
            bytes.truncate(at.index(bytes.len() + 1));
            bytes
        }),
        1 => proptest::collection::vec(any::<u8>(), 0..256),
    ];
    run("conform", 3000, text, |text| read(&text));
}

#[test]
fn the_committed_suites_read_as_cases() {
    // The fuzz bound must not refuse real cases: every committed case is read and bounded.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let mut read_any = false;
    for suite in std::fs::read_dir(&root).unwrap() {
        let suite = suite.unwrap().path();
        if !suite.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&suite).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&file).unwrap();
                parse(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                read(text.as_bytes()).unwrap();
                read_any = true;
            }
        }
    }
    assert!(read_any);
}
