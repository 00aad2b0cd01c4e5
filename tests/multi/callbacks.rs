//! Jumio callbacks with two nodes running their sweeps: each finished execution is
//! announced once, and at least once when the node delivering it dies mid-delivery.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::common::jumio::Exec;
use crate::harness::{Cluster, DEADLINE, PUBLIC_BASE};
use crate::jumio::{open, part, picture, workflow};

/// One delivery as the receiver saw it.
struct Hit {
    /// The sender's port (its end of the connection).
    peer_port: u16,
    headers: HeaderMap,
    body: Value,
}

/// A callback receiver on 127.0.0.1. With `stall_first`, the first delivery is held open
/// and never answered; every other delivery is answered 200.
struct Receiver {
    url: String,
    hits: mpsc::UnboundedReceiver<Hit>,
}

impl Receiver {
    async fn start(stall_first: bool) -> Receiver {
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/cb", socket.local_addr().unwrap());
        let (tx, hits) = mpsc::unbounded_channel();
        let count = Arc::new(AtomicUsize::new(0));
        let app = axum::Router::new().route(
            "/cb",
            axum::routing::post(
                move |ConnectInfo(peer): ConnectInfo<SocketAddr>,
                      headers: HeaderMap,
                      body: axum::body::Bytes| {
                    let (tx, count) = (tx.clone(), count.clone());
                    async move {
                        let n = count.fetch_add(1, Ordering::SeqCst);
                        let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        let _ = tx.send(Hit {
                            peer_port: peer.port(),
                            headers,
                            body,
                        });
                        if stall_first && n == 0 {
                            std::future::pending::<()>().await;
                        }
                        axum::http::StatusCode::OK
                    }
                },
            ),
        );
        tokio::spawn(async move {
            let _ = axum::serve(
                socket,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await;
        });
        Receiver { url, hits }
    }

    /// The next delivery within `wait`, if any.
    async fn next_within(&mut self, wait: Duration) -> Option<Hit> {
        tokio::time::timeout(wait, self.hits.recv())
            .await
            .ok()
            .flatten()
    }
}

/// Opens an execution with a callback through node `n`, adds its parts through both nodes
/// and finalizes it through node `n`.
async fn finished(c: &Cluster, n: usize, token: &str, url: &str) -> Exec {
    let mut body = workflow(None);
    body["callbackUrl"] = json!(url);
    let e = open(c, n, token, body).await;
    let id = e.cred("ID");
    for (k, side) in ["FRONT", "BACK"].into_iter().enumerate() {
        let seed = (n * 2 + k) as u32 + 1;
        let (status, body) = part(c, n + k, &e, &id, side, picture(seed)).await;
        assert_eq!(status, StatusCode::OK, "{side}: {body}");
    }
    let (status, body) = c.jumio(n).finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    e
}

/// Asserts a callback announces `e` as processed, with hrefs under the public base.
fn assert_announces(hit: &Hit, e: &Exec) {
    assert_eq!(
        hit.body["workflowExecution"],
        json!({
            "id": e.id,
            "href": format!("{PUBLIC_BASE}{}", e.path()),
            "definitionKey": "2",
            "status": "PROCESSED",
        }),
        "{}",
        hit.body
    );
    assert_eq!(
        hit.body["account"]["id"],
        e.account.as_str(),
        "{}",
        hit.body
    );
}

/// The event's stable id (`Webhook-Id`), which every delivery carries so that a receiver
/// can deduplicate.
fn event_id(h: &HeaderMap) -> String {
    let id = h
        .get("webhook-id")
        .expect("a callback names its event in Webhook-Id")
        .to_str()
        .unwrap()
        .to_owned();
    uuid::Uuid::parse_str(&id).expect("the event id is a UUID");
    id
}

#[tokio::test]
async fn each_finished_execution_is_announced_once() {
    let c = Cluster::start().await;
    let mut rx = Receiver::start(false).await;
    let token = c.jumio_access(0).await;
    let mut execs = BTreeMap::new();
    for n in 0..6 {
        let e = finished(&c, n, &token, &rx.url).await;
        execs.insert(e.id.clone(), e);
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut events = std::collections::BTreeSet::new();
    let start = tokio::time::Instant::now();
    while seen.len() < execs.len() {
        let left = DEADLINE.saturating_sub(start.elapsed());
        let hit = rx.next_within(left).await.unwrap_or_else(|| {
            panic!(
                "callbacks within {DEADLINE:?}: {seen:?} of {:?}",
                execs.keys()
            )
        });
        let id = hit.body["workflowExecution"]["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let e = execs
            .get(&id)
            .unwrap_or_else(|| panic!("a callback for an unknown execution: {}", hit.body));
        assert_announces(&hit, e);
        assert!(
            events.insert(event_id(&hit.headers)),
            "each execution's callback is its own event"
        );
        *seen.entry(id).or_default() += 1;
    }
    // Several sweep intervals and retry backoffs more: no execution is announced again.
    while let Some(hit) = rx.next_within(Duration::from_secs(4)).await {
        let id = hit.body["workflowExecution"]["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        *seen.entry(id).or_default() += 1;
    }
    let again: Vec<_> = seen.iter().filter(|(_, n)| **n != 1).collect();
    assert!(again.is_empty(), "announced more than once: {again:?}");
    for e in execs.values() {
        for i in 0..2 {
            assert_eq!(
                c.jumio(i).status_of(&token, e).await,
                "PROCESSED",
                "node {i}"
            );
        }
    }
}

#[tokio::test]
async fn a_callback_whose_node_dies_mid_delivery_is_delivered_by_the_other() {
    let c = Cluster::start().await;
    let mut rx = Receiver::start(true).await;
    let token = c.jumio_access(0).await;
    let e = finished(&c, 0, &token, &rx.url).await;
    let first = rx
        .next_within(DEADLINE)
        .await
        .expect("the callback is sent");
    assert_announces(&first, &e);
    // The receiver holds that delivery open; the node sending it dies.
    let sender = c
        .owner_of_connection(first.peer_port)
        .expect("one of the nodes holds the stalled callback's connection");
    c.nodes[sender].kill();
    let survivor = 1 - sender;
    let again = rx.next_within(DEADLINE).await.unwrap_or_else(|| {
        panic!(
            "node {sender} was killed mid-delivery and node {survivor} did not deliver the callback within {DEADLINE:?}"
        )
    });
    assert_announces(&again, &e);
    assert_eq!(
        event_id(&again.headers),
        event_id(&first.headers),
        "a redelivery carries the same event id"
    );
    assert_eq!(c.jumio(survivor).status_of(&token, &e).await, "PROCESSED");
}
