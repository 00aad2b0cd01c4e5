//! Unused uploads cannot pile up: they expire after `upload_ttl_secs` and are deleted, and a
//! client holds at most `max_pending_uploads` of them. Tested without waiting: a zero TTL
//! makes every upload expired at once, and the sweep is called with an explicit cutoff.

use super::*;

const NO_SUCH_UPLOAD: &str =
    "no such upload: unknown, expired, another client's, or already on a document";

/// A loose PNG stored for the subject through PassFort (not an upload of this API).
async fn passfort_loose_file(m: &Mydocs, client: &Client) -> Uuid {
    let res = m
        .server
        .client
        .post(
            m.server
                .url(&format!("/4.0/profiles/{}/files", client.subject)),
        )
        .header("apikey", PASSFORT_KEY)
        .json(&json!({"data": b64(&png(9))}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn an_expired_upload_is_refused_and_deleted_by_the_clients_next_upload() {
    let m = Mydocs::start_with(|c| c.adapters.mydocs.upload_ttl_secs = 0).await;
    let a = m.client(ADMIN_A).await;
    let b = m.client(ADMIN_A).await;
    let old = m.upload_ok(&a.token, "old.png", png(1)).await;
    let theirs = m.upload_ok(&b.token, "theirs.png", png(2)).await;
    let foreign = passfort_loose_file(&m, &a).await;
    assert_eq!(m.files_stored().await, 3);

    let (status, err) = m
        .add(&a.token, Body::Json(json!({"file": old, "typeID": 1})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        err,
        json!({"code": 400, "message": format!("file: {NO_SUCH_UPLOAD}"), "errors": {"file": [NO_SUCH_UPLOAD]}})
    );
    assert_eq!(m.ids(&a.token, "").await.0, 0);

    // The client's next upload deletes its expired ones (and only its own, only uploads).
    let new = m.upload_ok(&a.token, "new.png", png(3)).await;
    let gone = m.server.store.get_file(&a.tenant, upload_id(&old)).await;
    assert!(matches!(gone, Err(Error::NotFound("file"))), "{gone:?}");
    for (client, id) in [
        (&a, upload_id(&new)),
        (&b, upload_id(&theirs)),
        (&a, foreign),
    ] {
        m.server.store.get_file(&client.tenant, id).await.unwrap();
    }
    assert_eq!(m.files_stored().await, 3);
}

#[tokio::test]
async fn the_sweep_deletes_every_clients_expired_uploads_and_nothing_else() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let beta = m.client(ADMIN_B).await;
    let used = m.upload_ok(&a.token, "used.png", png(1)).await;
    let doc = m
        .add_ok(&a.token, Body::Json(json!({"file": used, "typeID": 1})))
        .await;
    let unused = m.upload_ok(&a.token, "unused.png", png(2)).await;
    let other_tenant = m.upload_ok(&beta.token, "beta.png", png(3)).await;
    let foreign = passfort_loose_file(&m, &a).await;
    let store = &m.server.store;

    // A cutoff before the uploads: nothing is old enough.
    let before = chrono::Utc::now() - chrono::Duration::hours(1);
    assert_eq!(
        store
            .delete_loose_files_before("mydocs", before, None)
            .await
            .unwrap(),
        0
    );
    // A cutoff after them, as the periodic sweep computes it once the TTL has passed.
    let after = chrono::Utc::now() + chrono::Duration::seconds(1);
    assert_eq!(
        store
            .delete_loose_files_before("mydocs", after, None)
            .await
            .unwrap(),
        2
    );
    for (client, path) in [(&a, &unused), (&beta, &other_tenant)] {
        let gone = store.get_file(&client.tenant, upload_id(path)).await;
        assert!(matches!(gone, Err(Error::NotFound("file"))), "{gone:?}");
    }
    // The attached upload and PassFort's loose file stay; the document is whole.
    store.get_file(&a.tenant, foreign).await.unwrap();
    assert_eq!(m.files_stored().await, 2);
    let url = doc["downloadUrl"].as_str().unwrap();
    assert_eq!(sha(&m.fetch(&a.token, url).await), sha(&png(1)));
    let (status, err) = m
        .add(&a.token, Body::Json(json!({"file": unused, "typeID": 1})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["errors"]["file"], json!([NO_SUCH_UPLOAD]));
}

#[tokio::test]
async fn a_client_holds_at_most_max_pending_uploads() {
    let m = Mydocs::start_with(|c| c.adapters.mydocs.max_pending_uploads = 2).await;
    let a = m.client(ADMIN_A).await;
    let b = m.client(ADMIN_A).await;
    let first = m.upload_ok(&a.token, "1.png", png(1)).await;
    m.upload_ok(&a.token, "2.png", png(2)).await;
    // Another API's loose files do not count.
    passfort_loose_file(&m, &a).await;
    let stored = m.files_stored().await;

    let (status, err) = m.upload(&a.token, "3.png", png(3)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let reason = "this client already holds 2 unused uploads (the most allowed); add them to \
                  documents or wait until they expire";
    assert_eq!(
        err,
        json!({"code": 400, "message": format!("file: {reason}"), "errors": {"file": [reason]}})
    );
    assert_eq!(m.files_stored().await, stored, "a refused upload was kept");
    // The cap is per client.
    m.upload_ok(&b.token, "b.png", png(4)).await;
    // Using an upload frees its place.
    m.add_ok(&a.token, Body::Json(json!({"file": first, "typeID": 1})))
        .await;
    m.upload_ok(&a.token, "3.png", png(3)).await;
    let (status, _) = m.upload(&a.token, "4.png", png(5)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Concurrent uploads cannot pass the cap together: the count and the insert share one
/// transaction.
#[tokio::test]
async fn concurrent_uploads_do_not_pass_the_cap() {
    let m = Mydocs::start_with(|c| c.adapters.mydocs.max_pending_uploads = 3).await;
    let a = m.client(ADMIN_A).await;
    let results =
        futures::future::join_all((1..=8).map(|i| m.upload(&a.token, "p.png", png(i)))).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 3, "{results:?}");
    for (status, err) in &results {
        if *status != StatusCode::CREATED {
            assert_eq!(*status, StatusCode::BAD_REQUEST);
            assert_error(err, *status, Some("file"));
        }
    }
    assert_eq!(m.files_stored().await, 3);
}
