//! PassFort's rate limit across two nodes: one budget per tenant and operation, wherever
//! the requests land.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::harness::{API_KEY, Cluster, Options};

const BURST: u32 = 5;
const EXTRA: u32 = 7;

fn individual(n: u32) -> Value {
    json!({
        "role": "INDIVIDUAL_CUSTOMER",
        "collected_data": {
            "entity_type": "INDIVIDUAL",
            "personal_details": {"name": {"given_names": [format!("Ada{n}")], "family_name": "Lovelace"}},
        }
    })
}

#[tokio::test]
async fn the_rate_limit_holds_across_both_nodes() {
    // A burst of 5 and one request an hour: nothing is replenished while the test runs.
    let c = Cluster::start_with(Options {
        passfort_burst: BURST,
        ..Options::default()
    })
    .await;
    let sends = (0..BURST + EXTRA).map(|n| {
        c.http
            .post(c.url(n as usize, "/4.0/profiles"))
            .header("apikey", API_KEY)
            .json(&individual(n))
            .send()
    });
    let mut created = Vec::new();
    let mut remaining = Vec::new();
    let mut limited = 0;
    for res in futures::future::join_all(sends).await {
        let res = res.unwrap();
        let status = res.status();
        let left: Option<u64> = res
            .headers()
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let body: Value = res.json().await.unwrap();
        match status {
            StatusCode::OK => {
                created.push(body["id"].as_str().unwrap().to_owned());
                remaining.push(left.expect("a limited operation has x-ratelimit-remaining"));
            }
            StatusCode::TOO_MANY_REQUESTS => {
                limited += 1;
                assert_eq!(body["errors"][0]["code"], 104, "{body}");
                assert_eq!(left, Some(0), "{body}");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(
        (created.len(), limited),
        (BURST as usize, EXTRA as usize),
        "requests let through over two nodes against a burst of {BURST}"
    );
    // One bucket: each accepted request saw the budget one lower.
    remaining.sort_unstable();
    assert_eq!(remaining, (0..BURST as u64).collect::<Vec<_>>());
    for i in 0..2 {
        let res = c
            .http
            .get(c.url(i, "/4.0/profiles"))
            .header("apikey", API_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let listed: Value = res.json().await.unwrap();
        assert_eq!(
            listed["count"], BURST,
            "node {i}: a limited request created a profile: {listed}"
        );
    }
}
