//! Slow and hostile clients: a head sent a byte at a time, or nothing at all, is cut at the
//! header deadline; a thousand idle connections do not keep a new client out; the connection
//! limit holds and `/metrics` shows it; a body that trickles in is cut at the request timeout
//! with a 408 in each API's own error shape.

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

/// A body that sends `{"` and then nothing more, ever: the request stays open until the
/// server answers.
fn trickle() -> reqwest::Body {
    let first = futures::stream::once(async { Ok::<_, std::io::Error>(bytes::Bytes::from("{\"")) });
    reqwest::Body::wrap_stream(futures::StreamExt::chain(first, futures::stream::pending()))
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_at_the_request_timeout_in_each_vendors_shape() {
    use crate::common::{ADMIN_A, jumio, mydocs};
    let s = TestServer::start_with(|c| c.server.request_timeout_secs = 1).await;
    let http = &s.client;
    let b2core = mydocs::new_client(http, &s.base, ADMIN_A).await.1;
    let jumio = jumio::JumioClient::at(http.clone(), &s.base)
        .access(jumio::CLIENT_A)
        .await;
    // One write of each API, its caller authenticated, so the handler waits for the body.
    let calls = [
        (
            "admin",
            http.post(s.url("/admin/v1/subjects")).bearer_auth(ADMIN_A),
        ),
        (
            "ncore",
            http.post(s.url("/v1/users"))
                .header("apikey", "test-api-key-alpha"),
        ),
        ("masstack", http.post(s.url("/v1/oauth2/token"))),
        (
            "mydocs",
            http.post(s.url("/api/v2/my/documents"))
                .bearer_auth(&b2core),
        ),
        (
            "passfort",
            http.post(s.url("/4.0/profiles"))
                .header("apikey", "test-api-key-alpha"),
        ),
        (
            "jumio",
            http.post(s.url("/api/v1/accounts"))
                .bearer_auth(&jumio)
                .header("user-agent", jumio::UA),
        ),
    ];
    for (api, call) in calls {
        let started = Instant::now();
        let res = tokio::time::timeout(
            Duration::from_secs(20),
            call.header("content-type", "application/json")
                .body(trickle())
                .send(),
        )
        .await
        .unwrap_or_else(|_| panic!("{api}: no answer to a trickling body"))
        .unwrap();
        let elapsed = started.elapsed();
        assert_eq!(res.status(), 408, "{api}");
        assert!(
            elapsed >= Duration::from_secs(1),
            "{api}: cut after {elapsed:?}, before its deadline"
        );
        let body: serde_json::Value = res.json().await.unwrap_or_else(|e| panic!("{api}: {e}"));
        // The vendor's own error body: the contract checker of the test server validates it
        // against the API's error schema; each names the timeout in its own words.
        let text = body.to_string();
        assert!(
            text.contains("did not complete within the request timeout (1 s)"),
            "{api}: {text}"
        );
        match api {
            "admin" => assert_eq!(body["error"]["code"], "request_timeout", "{text}"),
            "ncore" => assert!(text.contains("REQUEST_TIMEOUT"), "{text}"),
            "masstack" => assert!(text.contains("REQUEST_TIMEOUT"), "{text}"),
            "mydocs" => assert_eq!(body["code"], 408, "{text}"),
            "passfort" => assert_eq!(body["errors"][0]["code"], 201, "{text}"),
            _ => assert_eq!(body["status"], 408, "{text}"),
        }
    }
    assert!(
        s.contract_violations().is_empty(),
        "{:?}",
        s.contract_violations()
    );
    serves_a_new_client(&s).await;
}
