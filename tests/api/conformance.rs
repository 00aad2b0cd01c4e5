//! The whole conformance kit against an in-process server.

use std::collections::BTreeMap;

use crate::common::{ADMIN_A, TestServer};
use base64::Engine as _;

#[tokio::test]
async fn the_conformance_kit_passes_against_idbridge() {
    let s = TestServer::start().await;
    let base = s.base.clone();
    run_kit(&s, base, None).await;
}

/// The whole kit again over HTTPS, as an SDK that trusts only idbridge's CA reaches it: every
/// URL the server hands out (Jumio's parts, download links, the token URL) is an https one.
#[tokio::test]
async fn the_conformance_kit_passes_over_https() {
    let certs = tempfile::tempdir().unwrap();
    let mut ca = None;
    let s = TestServer::start_with(|c| {
        ca = Some(crate::common::with_tls(c, certs.path()));
        c.server.public_base_url = format!("https://localhost:{}", crate::common::TLS_PORT);
    })
    .await;
    let base = format!("https://localhost:{}", s.tls_port.unwrap());
    run_kit(&s, base, ca).await;
}

async fn run_kit(s: &TestServer, base_url: String, ca_cert: Option<std::path::PathBuf>) {
    // The mydocs suite acts as one B2Core client: a subject with a client token.
    let alpha = crate::common::tenant("alpha");
    let client = s
        .store
        .create_subject(&alpha, None, None, &[])
        .await
        .unwrap();
    let token = s
        .store
        .mint_token(
            &alpha,
            client.id,
            None,
            idbridge::store::CLIENT_TOKEN,
            chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/conformance"));
    // Every response of the kit must also keep its API's generated OpenAPI document.
    let contracts = idbridge::contract::Contracts::new(crate::common::served_documents(&s.config));
    let opts = idbridge::conform::Options {
        contracts: Some(std::sync::Arc::new(contracts)),
        base_url,
        ca_cert,
        root: root.clone(),
        suite: None,
        vars: BTreeMap::from([
            ("admin_key".to_owned(), ADMIN_A.to_owned()),
            ("api_key".to_owned(), "test-api-key-alpha".to_owned()),
            (
                "masstack_key".to_owned(),
                "test-masstack-key-alpha".to_owned(),
            ),
            ("org".to_owned(), "org-alpha".to_owned()),
            ("client_token".to_owned(), token.token),
            // The Jumio suite's HTTP Basic credentials: alpha's Jumio client id and secret
            // (for the token), and its API token and secret (for Basic on API calls).
            (
                "jumio_basic".to_owned(),
                base64::engine::general_purpose::STANDARD
                    .encode("test-jumio-alpha:test-jumio-secret-alpha"),
            ),
            (
                "jumio_api_basic".to_owned(),
                base64::engine::general_purpose::STANDARD
                    .encode("test-jumio-api-alpha:test-jumio-api-secret-alpha"),
            ),
            (
                "backoffice_email".to_owned(),
                "backoffice@alpha.test".to_owned(),
            ),
            (
                "backoffice_password".to_owned(),
                crate::common::BACKOFFICE_PASSWORD.to_owned(),
            ),
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
    // Every suite directory of the kit counts, so a new suite cannot be silently skipped.
    let cases: usize = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| count(e.file_name().to_str().unwrap()))
        .sum();
    assert_eq!(report.failed, 0, "{out}");
    assert!(report.passed == cases && cases >= 7, "{out}");
    assert!(
        out.ends_with(&format!("{} passed, 0 failed\n", report.passed)),
        "{out}"
    );
}
