//! The server around the APIs: health, readiness, metrics, request ids, graceful shutdown.

use std::time::Duration;

use crate::common::{ADMIN_A, TestServer, tenant};
use bytes::Bytes;
use idbridge::model::{FileSide, NewFile};
use idbridge::store::{NewEvent, PutRules};
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

/// The `idbridge_outbox_pending{topic=…}` line of a scrape of `/metrics`, if any.
async fn outbox_pending_line(s: &TestServer, topic: &str) -> Option<String> {
    let res = s.client.get(s.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let needle = format!("idbridge_outbox_pending{{topic=\"{topic}\"}} ");
    let text = res.text().await.unwrap();
    text.lines()
        .find(|l| l.starts_with(&needle))
        .map(str::to_owned)
}

#[tokio::test]
async fn metrics_count_pending_outbox_events_by_topic() {
    // A topic no deliverer serves, so its events stay pending until the test settles them.
    const TOPIC: &str = "test.metrics";
    let s = TestServer::start().await;
    assert_eq!(outbox_pending_line(&s, TOPIC).await, None, "not seen yet");
    let event = |n: u32| NewEvent {
        topic: TOPIC,
        url: format!("http://127.0.0.1:9/{n}"),
        body: format!("{{\"n\":{n}}}"),
    };
    for n in 0..3 {
        s.store
            .enqueue_event(&tenant("alpha"), &event(n))
            .await
            .unwrap();
    }
    assert_eq!(
        outbox_pending_line(&s, TOPIC).await.unwrap(),
        format!("idbridge_outbox_pending{{topic=\"{TOPIC}\"}} 3")
    );

    // One delivered, one given up: neither is pending any more.
    let claimed = s
        .store
        .claim_events(TOPIC, 2, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(s.store.event_delivered(claimed[0].id).await.unwrap());
    s.store
        .event_failed(claimed[1].id, None, "test")
        .await
        .unwrap();
    assert_eq!(
        outbox_pending_line(&s, TOPIC).await.unwrap(),
        format!("idbridge_outbox_pending{{topic=\"{TOPIC}\"}} 1")
    );

    // A topic once seen reads 0 when its last event has gone, rather than vanishing.
    let last = s
        .store
        .claim_events(TOPIC, 2, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(last.len(), 1);
    assert!(s.store.event_delivered(last[0].id).await.unwrap());
    assert_eq!(
        outbox_pending_line(&s, TOPIC).await.unwrap(),
        format!("idbridge_outbox_pending{{topic=\"{TOPIC}\"}} 0")
    );
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

/// A tiny API and its document, served through the contract check every test server uses:
/// each kind of violation is recorded with method, path, status and where the body breaks the
/// schema, what conforms or is exempt is not, and every body reaches the client unchanged.
#[tokio::test]
async fn the_contract_check_records_every_kind_of_violation() {
    use axum::http::header::CONTENT_TYPE;
    use axum::routing::get;
    let doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "things", "version": "1"},
        "servers": [{"url": "/t"}],
        "paths": {
            "/things/{id}": {"get": {"responses": {
                "200": {"description": "a thing", "content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Thing"
                }}}},
                "404": {"description": "no such thing", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["error"]}
                }}}
            }}},
            "/things/{id}:raw": {"get": {"responses": {
                "200": {"description": "its bytes", "content": {"application/octet-stream": {}}}
            }}},
            "/things/special": {"get": {"responses": {
                "204": {"description": "nothing"}
            }}}
        },
        "components": {"schemas": {"Thing": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string"}}
        }}}
    });
    fn json_of(body: &'static str) -> ([(axum::http::HeaderName, &'static str); 1], &'static str) {
        ([(CONTENT_TYPE, "application/json")], body)
    }
    let app = axum::Router::new()
        .route(
            "/t/things/{id}",
            get(
                move |axum::extract::Path(id): axum::extract::Path<String>| async move {
                    match id.as_str() {
                        "good" => (axum::http::StatusCode::OK, json_of(r#"{"id":"good"}"#)),
                        "bad" => (axum::http::StatusCode::OK, json_of(r#"{ "id" : 5 }"#)),
                        "teapot" => (axum::http::StatusCode::IM_A_TEAPOT, json_of("{}")),
                        "gone" => (axum::http::StatusCode::NOT_FOUND, json_of(r#"{"error":1}"#)),
                        "raw:raw" => (
                            axum::http::StatusCode::OK,
                            ([(CONTENT_TYPE, "image/png")], "\u{89}PNG"),
                        ),
                        _ => (axum::http::StatusCode::NOT_FOUND, json_of("{}")),
                    }
                },
            ),
        )
        .route(
            "/t/things/special",
            get(|| async { json_of(r#"{"id":"x"}"#) }),
        )
        .route("/t/undocumented", get(|| async { json_of("{}") }))
        .route("/healthz", get(|| async { json_of(r#"{"status":"ok"}"#) }))
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, json_of("{}")) });
    let checker = crate::common::ContractChecker::new(vec![("things".into(), doc)]);
    let app = checker.layer(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = idbridge::http::client();
    let get = |path: &'static str| {
        let (client, url) = (client.clone(), format!("{base}{path}"));
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // Conforming, exempt and routing misses: nothing recorded.
    assert_eq!(
        get("/t/things/good").await,
        (200, r#"{"id":"good"}"#.into())
    );
    assert_eq!(get("/t/things/gone").await.0, 404);
    assert_eq!(get("/t/things/raw:raw").await, (200, "\u{89}PNG".into()));
    assert_eq!(get("/healthz").await.0, 200);
    assert_eq!(get("/t/nothing/here").await.0, 404);
    assert_eq!(get("/elsewhere").await.0, 404);
    assert_eq!(checker.violations(), Vec::<String>::new());
    // Each violation, the body still reaching the client byte for byte.
    assert_eq!(get("/t/things/bad").await, (200, r#"{ "id" : 5 }"#.into()));
    assert_eq!(get("/t/things/teapot").await.0, 418);
    assert_eq!(get("/t/things/special").await.0, 200);
    assert_eq!(get("/t/undocumented").await.0, 200);
    let found = checker.violations();
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(
        found[0].starts_with("GET /t/things/bad -> 200: things GET /things/{id} 200 schema: ")
            && found[0].contains("5 is not of type \"string\" (at /id"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("GET /t/things/teapot -> 418: ")
            && found[1].contains("does not declare status 418"),
        "{found:#?}"
    );
    // The literal template beats `{id}`, and it does not declare 200.
    assert!(
        found[2].starts_with("GET /t/things/special -> 200: ")
            && found[2].contains("things GET /things/special does not declare status 200"),
        "{found:#?}"
    );
    assert!(
        found[3].starts_with("GET /t/undocumented -> 200: ")
            && found[3].contains("no OpenAPI document declares this path"),
        "{found:#?}"
    );
    let caught = std::panic::catch_unwind(|| checker.assert_none());
    assert!(caught.is_err(), "assert_none let 4 violations pass");
    checker.assert_none();
    served.abort();
}

/// The check is wired into every test server: a response that breaks the served document
/// fails the test in `stop()` and in `drop`, naming the request.
#[tokio::test]
async fn a_test_server_fails_when_a_response_breaks_its_document() {
    use futures::FutureExt as _;
    let require_never = |docs: &mut Vec<(String, Value)>| {
        let admin = &mut docs.iter_mut().find(|(n, _)| n == "admin").unwrap().1;
        admin["paths"]["/subjects"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] =
            json!({"type": "object", "required": ["never"]});
    };
    for ending in ["stop", "drop"] {
        let s = TestServer::start_checked_against(|_| {}, require_never).await;
        let r = s
            .client
            .get(s.url("/admin/v1/subjects"))
            .bearer_auth(ADMIN_A)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let found = s.contract_violations();
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with("GET /admin/v1/subjects -> 200: admin GET /subjects 200 schema: ")
                && found[0].contains("\"never\" is a required property (at the root"),
            "{found:#?}"
        );
        let failed = match ending {
            "stop" => std::panic::AssertUnwindSafe(s.stop())
                .catch_unwind()
                .await
                .map(|_| ()),
            _ => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(s))),
        };
        let message = failed.expect_err("the violation did not fail the test");
        let message = message
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(
            message.contains("GET /admin/v1/subjects -> 200"),
            "{ending}: {message}"
        );
    }
}
