//! The server around the APIs: health, readiness, metrics, request ids, graceful shutdown.

use std::time::Duration;

use crate::common::{ADMIN_A, TestServer, tenant};
use bytes::Bytes;
use idbridge::model::{FileSide, NewFile};
use idbridge::store::PutRules;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[tokio::test]
async fn health_and_readiness_report_the_truth() {
    let s = TestServer::start().await;
    let health: Value = s
        .client
        .get(s.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health, json!({"status": "ok"}));
    let ready = s.client.get(s.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<Value>().await.unwrap(),
        json!({"status": "ready"})
    );
    // The blob store loses its contents (e.g. a volume unmounted): not ready, still healthy.
    std::fs::remove_file(s.dir.path().join("blobs/idbridge-ready")).unwrap();
    let ready = s.client.get(s.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(
        ready.json::<Value>().await.unwrap(),
        json!({"status": "unavailable"})
    );
    assert_eq!(
        s.client
            .get(s.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn metrics_count_requests_bytes_and_files() {
    let s = TestServer::start().await;
    for _ in 0..2 {
        let r = s
            .client
            .post(s.url("/admin/v1/subjects"))
            .bearer_auth(ADMIN_A)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let r = s
        .client
        .get(s.url("/admin/v1/subjects"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let subject = s
        .store
        .create_subject(&tenant("alpha"), None, None, &[])
        .await
        .unwrap();
    let new = NewFile {
        subject_id: subject.id,
        document_id: None,
        side: FileSide::None,
        name: None,
        extras: Default::default(),
    };
    let rules = PutRules {
        max_size: 1000,
        max_files_per_document: 10,
        accept: Box::new(|_| Ok(())),
    };
    let f = s
        .store
        .put_file(
            &tenant("alpha"),
            new,
            rules,
            futures::stream::iter(vec![Ok(Bytes::from(vec![7u8; 321]))]),
        )
        .await
        .unwrap();
    let (_, stream) = s
        .store
        .open_file(&tenant("alpha"), f.id, None)
        .await
        .unwrap();
    futures::TryStreamExt::try_collect::<Vec<Bytes>>(stream)
        .await
        .unwrap();

    let res = s.client.get(s.url("/metrics")).send().await.unwrap();
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no {needle} in\n{text}"))
            .to_owned()
    };
    assert!(line(r#"idbridge_http_requests_total{operation="POST /admin/v1/subjects",status="201",vendor="admin"}"#).ends_with(" 2"));
    assert!(line(r#"idbridge_http_requests_total{operation="GET /admin/v1/subjects",status="401",vendor="admin"}"#).ends_with(" 1"));
    assert!(line(r#"idbridge_http_request_duration_seconds_count{operation="POST /admin/v1/subjects",vendor="admin"}"#).ends_with(" 2"));
    assert_eq!(
        line("idbridge_bytes_uploaded_total"),
        "idbridge_bytes_uploaded_total 321"
    );
    assert_eq!(
        line("idbridge_bytes_downloaded_total"),
        "idbridge_bytes_downloaded_total 321"
    );
    assert_eq!(line("idbridge_files_stored"), "idbridge_files_stored 1");
}

#[tokio::test]
async fn request_ids_are_made_or_echoed() {
    let s = TestServer::start().await;
    let r = s.client.get(s.url("/healthz")).send().await.unwrap();
    let made = r.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(made).is_ok(), "{made}");
    let r = s
        .client
        .get(s.url("/healthz"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-me-42");
}

#[tokio::test]
async fn unknown_routes_get_a_json_404() {
    let s = TestServer::start().await;
    let r = s.client.get(s.url("/no/such/thing")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "not_found"
    );
}

/// Sends the head of a POST with `Expect: 100-continue` and waits for `100 Continue`: from
/// then on the handler is reading the body, so the request is certainly in flight.
async fn start_request(s: &TestServer, body_len: usize) -> BufReader<TcpStream> {
    let mut conn = BufReader::new(
        TcpStream::connect(s.base.trim_start_matches("http://"))
            .await
            .unwrap(),
    );
    let head = format!(
        "POST /admin/v1/subjects HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {ADMIN_A}\r\n\
         content-type: application/json\r\ncontent-length: {body_len}\r\nexpect: 100-continue\r\n\r\n"
    );
    conn.get_mut().write_all(head.as_bytes()).await.unwrap();
    let mut line = String::new();
    conn.read_line(&mut line).await.unwrap();
    assert!(line.starts_with("HTTP/1.1 100"), "{line}");
    conn.read_line(&mut line).await.unwrap();
    conn
}

#[tokio::test]
async fn shutdown_drains_a_request_in_flight() {
    let mut s = TestServer::start().await;
    let body = br#"{"label": "in flight"}"#;
    let mut conn = start_request(&s, body.len()).await;
    s.request_shutdown();
    // The listener stops accepting; the request already in flight still completes.
    conn.get_mut().write_all(body).await.unwrap();
    let mut status = String::new();
    conn.read_line(&mut status).await.unwrap();
    assert!(status.starts_with("HTTP/1.1 201"), "{status}");
    let mut rest = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut conn, &mut rest)
        .await
        .unwrap();
    assert!(rest.contains("in flight"), "{rest}");
    let base = s.base.clone();
    let store = s.store.clone();
    tokio::time::timeout(Duration::from_secs(30), s.stop())
        .await
        .expect("serve did not return")
        .unwrap();
    assert!(
        TcpStream::connect(base.trim_start_matches("http://"))
            .await
            .is_err(),
        "still accepting"
    );
    assert_eq!(
        store
            .list_subjects(&tenant("alpha"), 10, 0)
            .await
            .unwrap()
            .total,
        1
    );
}

#[tokio::test]
async fn shutdown_gives_up_on_a_stuck_request_after_the_grace_period() {
    let mut s = TestServer::start_with(|c| c.server.shutdown_grace_secs = 1).await;
    let mut stuck = start_request(&s, 100).await;
    let asked = std::time::Instant::now();
    s.request_shutdown();
    let stopped = tokio::time::timeout(Duration::from_secs(30), s.stop()).await;
    assert!(
        stopped
            .expect("the drain deadline was not honoured")
            .is_ok()
    );
    assert!(
        asked.elapsed() >= Duration::from_millis(900),
        "serve returned before the grace period: it did not wait to drain"
    );
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::io::AsyncReadExt::read_to_end(&mut stuck, &mut rest),
    )
    .await;
    assert!(
        closed.is_ok(),
        "the stuck connection was left open after the deadline"
    );
    assert!(
        !String::from_utf8_lossy(&rest).contains("201"),
        "the stuck request completed"
    );
}
