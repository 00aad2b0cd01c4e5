//! Slow and hostile clients: a head sent a byte at a time, or nothing at all, is cut at the
//! header deadline; a thousand idle connections do not keep a new client out; the connection
//! limit holds and `/metrics` shows it.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::TestServer;

/// A raw TCP connection to the server.
async fn connect(s: &TestServer) -> TcpStream {
    TcpStream::connect(s.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Whether the server has closed `conn`, waiting at most `within` for a sign of it; a
/// byte the server sends instead is returned as an error.
async fn closed_within(conn: &mut TcpStream, within: Duration) -> Result<bool, String> {
    let mut buf = [0u8; 1024];
    match tokio::time::timeout(within, conn.read(&mut buf)).await {
        Ok(Ok(0)) | Ok(Err(_)) => Ok(true),
        Ok(Ok(n)) => Err(String::from_utf8_lossy(&buf[..n]).into_owned()),
        Err(_) => Ok(false),
    }
}

/// `GET /healthz` on a new connection answers 200.
async fn serves_a_new_client(s: &TestServer) {
    let res = s.client.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_head_sent_a_byte_at_a_time_is_cut_at_the_header_deadline() {
    let s = TestServer::start_with(|c| c.server.header_timeout_secs = 1).await;
    let mut conn = connect(&s).await;
    let head = b"GET /healthz HTTP/1.1\r\nHost: idbridge\r\nX-Slow: ";
    let started = Instant::now();
    let mut sent = 0;
    // One byte every 100 ms, a header that never ends: a slowloris.
    loop {
        let byte = head.get(sent).copied().unwrap_or(b'a');
        if conn.write_all(&[byte]).await.is_err() {
            break;
        }
        sent += 1;
        let closed = closed_within(&mut conn, Duration::from_millis(100)).await;
        if closed.expect("no answer to a request never finished") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "still open after 30 s"
        );
    }
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "cut before its deadline"
    );
    assert!(sent > 5, "the client did get to send its head slowly");
    serves_a_new_client(&s).await;
}

#[tokio::test]
async fn a_silent_connection_is_closed_at_the_header_deadline() {
    let s = TestServer::start_with(|c| c.server.header_timeout_secs = 1).await;
    let mut conn = connect(&s).await;
    let started = Instant::now();
    assert_eq!(
        closed_within(&mut conn, Duration::from_secs(30)).await,
        Ok(true)
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_thousand_idle_connections_do_not_keep_a_new_client_out() {
    let s = TestServer::start().await;
    let mut idle = Vec::new();
    for _ in 0..1000 {
        idle.push(connect(&s).await);
    }
    serves_a_new_client(&s).await;
    let metrics = scrape(&s).await;
    let open = gauge(&metrics, "idbridge_connections_open");
    assert!(open >= 1001, "{open} connections counted open");
    drop(idle);
}

/// A scrape of `/metrics`.
async fn scrape(s: &TestServer) -> String {
    let res = s.client.get(s.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

/// A gauge's value in a `/metrics` scrape.
fn gauge(metrics: &str, name: &str) -> i64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {name} in {metrics}"))
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_connection_limit_holds_and_metrics_show_it() {
    let s = TestServer::start_with(|c| c.server.max_connections = 3).await;
    let mut idle = vec![connect(&s).await, connect(&s).await];
    // The test client's connection is the third.
    let metrics = scrape(&s).await;
    assert_eq!(gauge(&metrics, "idbridge_connections_max"), 3);
    assert_eq!(gauge(&metrics, "idbridge_connections_open"), 3);

    // A fourth waits in the backlog: connected, but not served.
    let mut fourth = connect(&s).await;
    fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: idbridge\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let waited =
        tokio::time::timeout(Duration::from_millis(500), fourth.read_to_end(&mut answer)).await;
    assert!(waited.is_err(), "served past the limit: {answer:?}");
    // One idle connection goes: the fourth is served.
    drop(idle.pop());
    tokio::time::timeout(Duration::from_secs(30), fourth.read_to_end(&mut answer))
        .await
        .expect("served once a slot is free")
        .unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}
