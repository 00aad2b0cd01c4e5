//! PassFort's rate limit across two nodes: one budget per tenant and operation, wherever
//! the requests land.

use reqwest::{Method, StatusCode};

use crate::common::passfort::{Auth, Body, PROFILES, individual_body};
use crate::harness::{API_KEY, Cluster, Options};

const BURST: u32 = 5;
const EXTRA: u32 = 7;

#[tokio::test]
async fn the_rate_limit_holds_across_both_nodes() {
    // A burst of 5 and one request an hour: nothing is replenished while the test runs.
    let c = Cluster::start_with(Options {
        passfort_burst: BURST,
        ..Options::default()
    })
    .await;
    let sends = (0..BURST + EXTRA).map(|n| {
        let body = individual_body(&format!("Ada{n}"), "Lovelace");
        c.passfort(n as usize).request(
            Auth::Header(API_KEY),
            Method::POST,
            "/profiles",
            Some(PROFILES),
            Body::Json(body),
        )
    });
    let mut created = Vec::new();
    let mut remaining = Vec::new();
    let mut limited = 0;
    for r in futures::future::join_all(sends).await {
        let (status, body) = (r.status, r.body);
        let left: Option<u64> = r
            .headers
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
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
        let r = c
            .passfort(i)
            .request(
                Auth::Header(API_KEY),
                Method::GET,
                "/profiles",
                Some(PROFILES),
                Body::Empty,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let listed = r.body;
        assert_eq!(
            listed["count"], BURST,
            "node {i}: a limited request created a profile: {listed}"
        );
    }
}
