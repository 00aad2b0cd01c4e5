//! A node started before its database: it waits, retrying with backoff and a log line per
//! attempt, instead of exiting (and crash-looping under a supervisor); once the database
//! is there, it comes up with no restart.

use crate::harness::{Starting, eventually, write_config};

/// The retry line `idbridge serve` logs per failed attempt.
const RETRYING: &str = "store: not reachable yet; retrying";

#[tokio::test]
async fn a_node_started_before_its_database_waits_for_it_then_serves() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // On PostgreSQL: this directory's test database, not created yet. Without a server: a
    // loopback port nobody listens on (bound, then released).
    let late = idbridge::store::testing::postgres_url_before_creation(&data);
    let url = late.clone().unwrap_or_else(|| {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        format!("postgres://idbridge:never-logged-pw@127.0.0.1:{port}/idbridge")
    });
    let config = write_config(dir.path(), &format!("metadata_url = {url:?}\n"));
    let mut node = Starting::new(&config);
    eventually("two attempts, each logged", || {
        let n = node.lines_with(RETRYING);
        async move { (n >= 2).then_some(()) }
    })
    .await;
    assert!(node.running(), "the node waits rather than exits");
    assert_eq!(
        node.lines_with("listening (http)"),
        0,
        "nothing is served meanwhile"
    );
    let log = node.log.lock().unwrap().join("\n");
    assert!(
        !log.contains(&url) && !log.contains("never-logged-pw"),
        "neither the URL nor its password is logged:\n{log}"
    );
    let Some(_) = late else { return };
    // The database appears (created and migrated-to by nobody yet): the node gets in, runs
    // the migrations and serves, with no restart.
    idbridge::store::testing::metadata_url(&data).await;
    let node = node.listening().await;
    let http = idbridge::http::client();
    let ready = http
        .get(format!("{}/readyz", node.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "{}", ready.text().await.unwrap());
    node.kill();
}
