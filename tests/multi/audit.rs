//! The audit trail over two nodes: operations running at once on both append to one chain
//! per tenant, without a gap or a fork; `idbridge audit verify` finds it intact and `audit
//! export` writes every event; once one event is altered in the database, `verify` exits 1
//! naming it.

use std::collections::BTreeSet;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::ncore::file;
use crate::harness::{Cluster, png};

const USER: &str = "audit-user";

/// `idbridge audit <args> --config <config>`: (succeeded, stdout).
fn audit(config: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_idbridge"))
        .arg("audit")
        .args(args)
        .arg("--config")
        .arg(config)
        .env("RUST_LOG", "warn")
        .env_remove("IDBRIDGE_CONFIG")
        .output()
        .expect("the idbridge binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() || out.status.code() == Some(1),
        "audit {args:?}: {stdout}\n{stderr}"
    );
    (out.status.success(), stdout)
}

#[tokio::test]
async fn two_nodes_keep_one_chain_that_the_cli_verifies_and_tampering_breaks() {
    let c = Cluster::start().await;
    let id = c
        .ncore(0)
        .identification(USER, json!({"type": "PASSPORT", "number": "AUDIT-1"}))
        .await;
    // 24 operations at once, spread over both nodes: uploads, reads and lists.
    let ops = (0..24usize).map(|n| {
        let (c, id) = (&c, id.clone());
        async move {
            match n % 3 {
                0 => {
                    let page = file(
                        "PASSPORT_PAGE1",
                        &format!("p{n}.png"),
                        png(64, 64, n as u32 + 1, 10),
                    );
                    let (status, body) = c.ncore(n).upload(USER, &id, vec![page]).await;
                    assert_eq!(status, StatusCode::OK, "{body}");
                }
                1 => {
                    c.ncore(n).read(USER, &id).await;
                }
                _ => {
                    c.ncore(n).list(USER, "").await;
                }
            }
        }
    });
    futures::future::join_all(ops).await;

    let (intact, report) = audit(&c.config, &["verify"]);
    assert!(intact, "{report}");
    let count: usize = report
        .strip_prefix("tenant alpha: ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{report}"));
    assert!(report.contains("chain intact"), "{report}");
    // The identification (and its subject), and one event per operation.
    assert!(count >= 25, "{report}");

    let (ok, exported) = audit(&c.config, &["export", "--tenant", "alpha"]);
    assert!(ok);
    let events: Vec<Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), count);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1);
        if i > 0 {
            assert_eq!(e["prev_hash"], events[i - 1]["hash"], "one chain, no fork");
        }
    }
    let uploads: BTreeSet<&str> = events
        .iter()
        .filter(|e| e["operation"].as_str().unwrap().starts_with("PUT "))
        .map(|e| e["file_id"].as_str().unwrap())
        .collect();
    assert_eq!(uploads.len(), 8, "each upload with its own file");

    idbridge::store::testing::alter_audit_event(&c.metadata_url, "alpha", 7).await;
    let (intact, report) = audit(&c.config, &["verify", "--tenant", "alpha"]);
    assert!(!intact, "{report}");
    assert!(report.contains("CHAIN BROKEN at event 7"), "{report}");
}
