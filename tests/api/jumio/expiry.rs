//! Jumio expiry and callbacks.

use super::*;

#[tokio::test]
async fn expired_executions_read_token_or_session_expired_and_close() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let untouched = j.open(&access, key_only(2)).await;
    let started = j.open(&access, key_only(2)).await;
    j.add(&started, &started.cred("ID"), "FRONT", png(1000, 700, 1))
        .await;
    j.expire(&untouched).await;
    j.expire(&started).await;
    assert_eq!(j.status_of(&access, &untouched).await, "TOKEN_EXPIRED");
    assert_eq!(j.status_of(&access, &started).await, "SESSION_EXPIRED");
    let (_, details) = j.details(&access, &started).await;
    assert_eq!(details["workflow"]["status"], "SESSION_EXPIRED");
    for e in [&untouched, &started] {
        error(
            &j.part(
                e,
                Method::PUT,
                &e.cred("ID"),
                "BACK",
                vec![png(1000, 700, 2)],
            )
            .await,
            409,
        );
        error(&j.finalize(e).await, 409);
    }
    // What was uploaded before the expiry is still there to read.
    let (status, _) = j
        .image(&access, &started.image(&started.cred("ID"), "FRONT"))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_callback_announces_the_processed_execution() {
    let j = Jumio::start().await;
    let mut listener = Listener::start(vec![]).await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_initiate_account(&listener.url)).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    let (status, _) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK);
    let (_, headers, body) = listener.next(20).await;
    let header = |name: &str| headers[name].to_str().unwrap().to_owned();
    assert!(
        header("content-type").starts_with("application/json"),
        "{headers:?}"
    );
    // The callback names idbridge, as Jumio asks its own clients to name themselves.
    let agent = header("user-agent");
    assert!(
        agent.starts_with("idbridge/") && agent.contains("Jumio callback"),
        "{agent}"
    );
    assert_callback(&j, &body, &e, "2", "PROCESSED");
    assert_eq!(body["userReference"], "YOUR_USER_REFERENCE");
    assert_eq!(j.status_of(&access, &e).await, "PROCESSED");
}

#[tokio::test]
async fn a_refused_callback_is_retried_with_backoff() {
    let j = Jumio::start_with(|c| c.adapters.jumio.callback_backoff_ms = 50).await;
    let mut listener = Listener::start(vec![500, 500, 200]).await;
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["callbackUrl"] = json!(listener.url);
    let e = j.open(&access, body).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    let (status, _) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK);
    let mut arrivals = Vec::new();
    for _ in 0..3 {
        let (at, _, body) = listener.next(20).await;
        assert_callback(&j, &body, &e, "2", "PROCESSED");
        assert!(body.get("userReference").is_none(), "none was set: {body}");
        arrivals.push(at);
    }
    assert!(
        arrivals[1] - arrivals[0] >= Duration::from_millis(50)
            && arrivals[2] - arrivals[1] >= Duration::from_millis(100),
        "the retries do not back off: {arrivals:?}"
    );
    // The 200 ends it: no fourth attempt comes (checked for 10 times the next backoff).
    assert!(
        tokio::time::timeout(Duration::from_secs(2), listener.hits.recv())
            .await
            .is_err(),
        "a callback was sent again after a 200"
    );
}

#[tokio::test]
async fn the_sweep_announces_an_expired_execution() {
    let j = Jumio::start_with(|c| {
        c.adapters.jumio.sweep_interval_secs = 1;
        c.adapters.jumio.callback_backoff_ms = 50;
    })
    .await;
    let mut listener = Listener::start(vec![]).await;
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["callbackUrl"] = json!(listener.url);
    body["userReference"] = json!("user-7");
    let untouched = j.open(&access, body.clone()).await;
    let started = j.open(&access, body).await;
    j.add(&started, &started.cred("ID"), "FRONT", png(1000, 700, 1))
        .await;
    j.expire(&untouched).await;
    let (_, _, got) = listener.next(20).await;
    assert_callback(&j, &got, &untouched, "2", "TOKEN_EXPIRED");
    assert_eq!(got["userReference"], "user-7");
    j.expire(&started).await;
    let (_, _, got) = listener.next(20).await;
    assert_callback(&j, &got, &started, "2", "SESSION_EXPIRED");
    // Announced once: the recorded expiry reads the same.
    assert_eq!(j.status_of(&access, &untouched).await, "TOKEN_EXPIRED");
    assert_eq!(j.status_of(&access, &started).await, "SESSION_EXPIRED");
}
