//! The kit of the generative ("fuzz") tests, shared by the parsers' property tests in the
//! library (`cargo test --lib fuzz`) and the HTTP ones in `tests/api/fuzz.rs`, which
//! includes this file by path. It depends on `std` and `proptest` only.
//!
//! Each target first runs its seed corpus, the files of `tests/corpus/<target>/`, then
//! `PROPTEST_CASES` generated cases (a CI count when unset). Generated cases come from one
//! seed, taken from `PROPTEST_RNG_SEED` or drawn at random and printed with any failure, so
//! a failure reruns exactly; nothing is persisted outside the corpus.
#![allow(
    dead_code,
    reason = "the library's tests and the HTTP tests each use a part of the kit"
)]

use std::fmt::Debug;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

/// The seed files of `target` (`tests/corpus/<target>/`), by name, in name order.
pub fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "corpus {} is empty", dir.display());
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// Runs `test` on every seed file of `target`; a failure names the file.
pub fn run_corpus(target: &str, test: impl Fn(Vec<u8>) -> Result<(), TestCaseError>) {
    for (name, bytes) in corpus(target) {
        if let Err(e) = test(bytes) {
            panic!("fuzz target {target}: seed file tests/corpus/{target}/{name} failed: {e}");
        }
    }
}

/// How many cases to generate: `PROPTEST_CASES` when set, else `ci`.
pub fn cases(ci: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ci)
}

/// The seed of this run: `PROPTEST_RNG_SEED` when set, else a random one.
pub fn seed() -> u64 {
    std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            h.finish()
        })
}

/// Runs `test` on [`cases`]`(ci)` values of `strategy`. A failure panics with the shrunk
/// input and the seed that reproduces it.
pub fn run<S>(
    target: &str,
    ci: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: Debug,
{
    let seed = seed();
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases: cases(ci),
        // The corpus is the only memory of past failures: add a failing input to it.
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &key);
    let mut runner = TestRunner::new_with_rng(config, rng);
    match runner.run(&strategy, test) {
        Ok(()) => {}
        Err(TestError::Fail(why, input)) => panic!(
            "fuzz target {target} failed: {why}\n  minimal input: {input:?}\n  \
             rerun with PROPTEST_RNG_SEED={seed} (and the same PROPTEST_CASES)"
        ),
        Err(TestError::Abort(why)) => {
            panic!("fuzz target {target} aborted: {why} (PROPTEST_RNG_SEED={seed})")
        }
    }
}

/// Fails the case with `why` unless `holds`.
pub fn ensure(holds: bool, why: impl FnOnce() -> String) -> Result<(), TestCaseError> {
    if holds {
        Ok(())
    } else {
        Err(TestCaseError::fail(why()))
    }
}

/// Bytes of JSON as clients and attackers send it: JSON made of `keys` (the fields the
/// reader knows, so that the reader gets past its first check) and random values, then
/// perhaps truncated or with a byte changed; arbitrary bytes; and deeply nested arrays.
pub fn json_bytes(keys: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    use proptest::prelude::*;
    let key = prop_oneof![
        4 => proptest::sample::select(keys).prop_map(str::to_owned),
        1 => "[a-zA-Z_.]{0,12}",
    ];
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| format!("{n:e}")),
        "[0-9]{1,40}(\\.[0-9]{0,30})?(e[+-]?[0-9]{1,4})?",
        ".{0,24}".prop_map(|s| format!("{s:?}")),
        "[A-Za-z0-9+/=_: -]{0,40}".prop_map(|s| format!("\"{s}\"")),
        "\\\\u[dD][89abAB][0-9a-f]{2}".prop_map(|s| format!("\"{s}\"")),
    ];
    let object_of = |key: BoxedStrategy<String>, inner: BoxedStrategy<String>| {
        proptest::collection::vec((key, inner), 0..8).prop_map(|members| {
            let members: Vec<String> = members
                .into_iter()
                .map(|(k, v)| format!("{k:?}:{v}"))
                .collect();
            format!("{{{}}}", members.join(","))
        })
    };
    let key = key.boxed();
    let inner_key = key.clone();
    let value = leaf
        .prop_recursive(4, 48, 8, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                object_of(inner_key.clone(), inner),
            ]
        })
        .boxed();
    let object = object_of(key, value);
    prop_oneof![
        6 => object.clone().prop_map(String::into_bytes),
        2 => (object, any::<proptest::sample::Index>(), any::<u8>(), any::<bool>()).prop_map(
            |(text, at, byte, cut)| {
                let mut bytes = text.into_bytes();
                let i = at.index(bytes.len().max(1)).min(bytes.len().saturating_sub(1));
                if cut {
                    bytes.truncate(i);
                } else if let Some(b) = bytes.get_mut(i) {
                    *b = byte;
                }
                bytes
            }
        ),
        1 => proptest::collection::vec(any::<u8>(), 0..256),
        1 => (1usize..2000, any::<bool>()).prop_map(|(depth, closed)| {
            let mut text = "{\"a\":".to_owned() + &"[".repeat(depth);
            if closed {
                text += &"]".repeat(depth);
                text.push('}');
            }
            text.into_bytes()
        }),
    ]
}
