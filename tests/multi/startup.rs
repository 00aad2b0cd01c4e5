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

/// Three nodes started at once on a new store: however their migrations interleave (sqlx
/// holds an advisory lock while it migrates PostgreSQL; on SQLite a node that loses the race
/// retries), every node comes up and serves one store.
#[tokio::test]
async fn nodes_started_at_once_on_a_new_store_all_serve_it() {
    let dir = tempfile::tempdir().unwrap();
    let storage = crate::harness::storage_toml(&dir.path().join("data")).await;
    let config = write_config(dir.path(), &storage);
    let starting: Vec<Starting> = (0..3).map(|_| Starting::new(&config)).collect();
    let mut nodes = Vec::new();
    for s in starting {
        nodes.push(s.listening().await);
    }
    let http = idbridge::http::client();
    for node in &nodes {
        eventually("every node ready", || {
            let url = format!("{}/readyz", node.base);
            let http = http.clone();
            async move {
                let r = http.get(url).send().await.ok()?;
                (r.status() == 200).then_some(())
            }
        })
        .await;
    }
    // One store: a subject created through one node's admin API is read through another's.
    let admin =
        |r: reqwest::RequestBuilder| r.header("authorization", "Bearer multi-admin-key-alpha");
    let created: serde_json::Value =
        admin(http.post(format!("{}/admin/v1/subjects", nodes[0].base)))
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    let id = created["id"].as_str().expect("a subject id").to_owned();
    let read = admin(http.get(format!("{}/admin/v1/subjects/{id}", nodes[2].base)))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    for node in &nodes {
        node.kill();
    }
}
