//! mydocs delete.

use super::*;

#[tokio::test]
async fn deleting_removes_the_document_and_its_files_everywhere() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let user = a.subject.to_string();
    let path = m.upload_ok(&a.token, "back.png", png(2)).await;
    let keep = m.upload_ok(&a.token, "keep.png", png(3)).await;
    let card = m
        .add_ok(
            &a.token,
            Body::Form(
                form(Some(("typeID", "2")), vec![("front.png", png(1))]).text("file", path.clone()),
            ),
        )
        .await;
    m.assert_document(
        &card,
        2,
        "National ID / Passport",
        "new",
        &["front", "back"],
    );
    let other = m
        .add_ok(&a.token, typed("22", vec![("o.pdf", pdf(500))]))
        .await;
    let id = card["id"].as_i64().unwrap();
    let file_ids: Vec<Uuid> = card["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().parse().unwrap())
        .collect();
    let uuid = m.canonical_id(&a, id).await;
    assert_eq!(m.files_stored().await, 4);
    let blob = |f: &Uuid| {
        m.server
            .store
            .blobs()
            .local_root()
            .unwrap()
            .join(idbridge::store::Blobs::key_for(*f))
    };
    for f in &file_ids {
        assert!(blob(f).exists(), "no blob at {}", blob(f).display());
    }

    let (status, _) = m.delete(&a.token, API, id).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, err) = m.get(&a.token, id).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    let (status, _) = m.delete(&a.token, API, id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for url in card["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["downloadUrl"].as_str().unwrap())
    {
        let res = m.download(Some(&a.token), url, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let body: Value = res.json().await.unwrap();
        m.contract.check("GET", FILE, 404, &body);
    }
    for f in &file_ids {
        assert!(!blob(f).exists(), "the blob of {f} survived its document");
        assert!(
            matches!(
                m.server.store.get_file(&a.tenant, *f).await,
                Err(Error::NotFound(_))
            ),
            "file {f} survived its document"
        );
    }
    assert_eq!(
        m.files_stored().await,
        2,
        "the other document's file and the unused upload stay"
    );
    assert_eq!(
        m.ids(&a.token, "").await,
        (1, vec![other["id"].as_i64().unwrap()])
    );
    let kept = m
        .server
        .store
        .get_file(&a.tenant, upload_id(&keep))
        .await
        .unwrap();
    assert_eq!(kept.document_id, None);
    // Gone from nCore too.
    let (status, err) = m
        .ncore(
            Method::GET,
            &format!("/users/{user}/identifications/{uuid}"),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    let (_, nlist) = m
        .ncore(
            Method::GET,
            &format!("/users/{user}/identifications"),
            NCORE_LIST,
            None,
        )
        .await;
    assert_eq!(nlist["data"].as_array().unwrap().len(), 1);

    // A document nCore created is deleted here, for nCore too; through the other root.
    let (_, ident) = m
        .ncore(
            Method::POST,
            &format!("/users/{user}/identifications"),
            NCORE_LIST,
            Some(json!({"type": "PASSPORT", "number": "X1"})),
        )
        .await;
    let (_, list) = m.list(&a.token, "").await;
    let ncore_doc = list["data"][0]["id"].as_i64().unwrap();
    assert_eq!(list["data"][0]["number"], "X1");
    let (status, _) = m.delete(&a.token, ALT, ncore_doc).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = m
        .ncore(
            Method::GET,
            &format!(
                "/users/{user}/identifications/{}",
                ident["id"].as_str().unwrap()
            ),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(m.ids(&a.token, "").await.0, 1);
    // Ids are not reused.
    let next = m
        .add_ok(&a.token, typed("22", vec![("n.pdf", pdf(400))]))
        .await;
    assert!(next["id"].as_i64().unwrap() > ncore_doc, "{next}");
}
