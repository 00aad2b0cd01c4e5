//! mydocs roots, malformed ids and unknown routes.

use super::*;

#[tokio::test]
async fn both_roots_serve_the_same_documents() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let bytes = png(6);
    let (status, doc) = m
        .add_at(
            &a.token,
            ALT,
            typed("10", vec![("permit.png", bytes.clone())]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    m.assert_document(&doc, 10, "Residence permit", "new", &["front"]);
    let id = doc["id"].as_i64().unwrap();
    let (status, via_alt) = m
        .send(
            Some(&a.token),
            Method::GET,
            &format!("{ALT}/documents/{id}"),
            ONE,
            Body::None,
        )
        .await;
    assert_eq!((status, &via_alt), (StatusCode::OK, &doc));
    assert_eq!(m.get(&a.token, id).await.1, doc);
    // Download links point at /api/v2/my; the same file is served at /v2/my.
    let url = doc["downloadUrl"].as_str().unwrap();
    assert_eq!(sha(&m.fetch(&a.token, url).await), sha(&bytes));
    let alt_path = format!(
        "{ALT}/documents/{id}/files/{}",
        doc["files"][0]["id"].as_str().unwrap()
    );
    let res = m
        .raw(Some(&a.token), Method::GET, &alt_path, Body::None, None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(sha(&res.bytes().await.unwrap()), sha(&bytes));
    // An upload through one root is usable through the other.
    let form = Form::new().part("file", Part::bytes(png(7)).file_name("u.png"));
    let (status, up) = m
        .send(
            Some(&a.token),
            Method::POST,
            &format!("{ALT}/files"),
            FILES,
            Body::Form(form),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let second = m
        .add_ok(
            &a.token,
            Body::Json(json!({"file": up["path"], "typeID": 22})),
        )
        .await;
    m.assert_document(&second, 22, "Other", "new", &["page1"]);
}

#[tokio::test]
async fn malformed_ids_unknown_routes_and_methods_answer_in_the_error_shape() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let doc = m
        .add_ok(&a.token, typed("1", vec![("p.png", png(1))]))
        .await;
    let file_id = doc["files"][0]["id"].as_str().unwrap().to_owned();

    for id in ["abc", "1.5", "99999999999999999999"] {
        let (status, err) = m
            .send(
                Some(&a.token),
                Method::GET,
                &format!("{API}/documents/{id}"),
                ONE,
                Body::None,
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{id}: {err}");
        let (status, err) = m.delete(&a.token, API, id).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{id}: {err}");
    }
    let (status, _) = m.delete(&a.token, API, 0).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = m
        .download_error(
            Some(&a.token),
            &format!("{API}/documents/1/files/not-a-uuid"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = m
        .download_error(
            Some(&a.token),
            &format!("{API}/documents/x/files/{file_id}"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = m
        .download_error(
            Some(&a.token),
            &format!("{API}/documents/1/files/{}", Uuid::new_v4()),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = m
        .download_error(
            Some(&a.token),
            &format!("{API}/documents/2/files/{file_id}"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = m.get(&a.token, 2).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let unknown = [
        (Method::GET, format!("{API}/nothing")),
        (Method::GET, format!("{ALT}/nothing")),
        (Method::GET, format!("{API}/documents/1/extra")),
        (Method::GET, format!("{API}/documents/1/files")),
        (Method::POST, format!("{API}/documents/1/files/{file_id}/x")),
    ];
    for (method, path) in unknown {
        let res = m
            .raw(Some(&a.token), method.clone(), &path, Body::None, None)
            .await;
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
        // Every error is the one documented ErrorBody.
        m.contract.check("GET", ONE, 404, &body);
        assert_error(&body, status, None);
    }
    let wrong = [
        (Method::PUT, format!("{API}/documents/1")),
        (Method::PATCH, format!("{ALT}/documents/1")),
        (Method::POST, format!("{API}/documents/1")),
        (Method::DELETE, format!("{API}/documents")),
        (Method::DELETE, format!("{API}/documents/types")),
        (Method::POST, format!("{API}/documents/types")),
        (Method::GET, format!("{API}/files")),
        (Method::DELETE, format!("{API}/documents/1/files/{file_id}")),
    ];
    for (method, path) in wrong {
        let res = m
            .raw(Some(&a.token), method.clone(), &path, Body::None, None)
            .await;
        let status = res.status();
        let allow = res
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned());
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}: {body}"
        );
        assert!(
            allow.as_deref().is_some_and(|a| !a.is_empty()),
            "{method} {path}: no Allow header"
        );
        assert_error(&body, status, None);
    }
    // Nothing was changed by any of it.
    let (status, got) = m.get(&a.token, 1).await;
    assert_eq!((status, &got), (StatusCode::OK, &doc));
}
