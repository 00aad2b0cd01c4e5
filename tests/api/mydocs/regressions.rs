//! mydocs review regressions: upload paths, small text values, files per document.

use super::*;

#[tokio::test]
async fn a_file_stored_through_passfort_is_not_an_upload_path() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    // Loose files of the same subject, stored through PassFort (the profile id is the
    // subject's UUID): a GIF mydocs itself would refuse, and a PNG it would accept.
    let mut foreign = Vec::new();
    for bytes in [gif(), png(5)] {
        let res = m
            .server
            .client
            .post(m.server.url(&format!("/4.0/profiles/{}/files", a.subject)))
            .header("apikey", PASSFORT_KEY)
            .json(&json!({"data": b64(&bytes)}))
            .send()
            .await
            .unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "PassFort upload: {body}");
        foreign.push(body["id"].as_str().unwrap().parse::<Uuid>().unwrap());
    }
    let mine = m.upload_ok(&a.token, "mine.png", png(1)).await;
    assert_eq!(m.files_stored().await, 3);

    for id in &foreign {
        let path = format!("uploads/{id}");
        let (status, err) = m
            .add(&a.token, Body::Json(json!({"file": path, "typeID": 1})))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "JSON {path}: {err}");
        assert_error(&err, status, Some("file"));
        let (status, err) = m
            .add(
                &a.token,
                Body::Form(Form::new().text("typeID", "1").text("file", path.clone())),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "form {path}: {err}");
        assert_error(&err, status, Some("file"));
        // Next to a genuine upload too.
        let (status, err) = m
            .add(
                &a.token,
                Body::Json(json!({"file": [mine, path], "typeID": 2})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "mixed {path}: {err}");
        assert_error(&err, status, Some("file"));
    }

    // No document was created; the PassFort files and the upload are untouched.
    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));
    assert!(
        m.server
            .store
            .list_documents(&a.tenant, a.subject)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(m.files_stored().await, 3);
    for id in foreign.iter().copied().chain([upload_id(&mine)]) {
        let f = m.server.store.get_file(&a.tenant, id).await.unwrap();
        assert_eq!((f.subject_id, f.document_id), (a.subject, None), "{id}");
    }
    // The genuine upload is still usable.
    let doc = m
        .add_ok(&a.token, Body::Json(json!({"file": mine, "typeID": 1})))
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
}

#[tokio::test]
async fn type_and_path_texts_over_256_bytes_are_400_naming_the_field() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let path = m.upload_ok(&a.token, "p.png", png(1)).await;
    // Values padded past 256 bytes (a padded type id is refused anyway: digits only).
    let long_type = format!("1{}", " ".repeat(300));
    let long_path = format!("{path}{}", " ".repeat(300));
    assert!(long_type.len() > 256 && long_path.len() > 256);

    let form_cases: Vec<(Form, &str)> = vec![
        (
            Form::new()
                .text("typeID", long_type.clone())
                .text("file", path.clone()),
            "typeID",
        ),
        (
            Form::new()
                .text("typeID", "x".repeat(1000))
                .text("file", path.clone()),
            "typeID",
        ),
        (
            Form::new()
                .text("typeID", "1")
                .text("file", long_path.clone()),
            "file",
        ),
        (
            Form::new()
                .text("typeID", "1")
                .text("file", "y".repeat(1000)),
            "file",
        ),
    ];
    for (f, field) in form_cases {
        let (status, err) = m.add(&a.token, Body::Form(f)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "form {field}: {err}");
        assert_error(&err, status, Some(field));
    }
    let json_cases: Vec<(Value, &str)> = vec![
        (json!({"file": long_path, "typeID": 1}), "file"),
        (json!({"file": [long_path], "typeID": 1}), "file"),
        (json!({"file": "z".repeat(1000), "typeID": 1}), "file"),
        (json!({"file": path, "typeID": long_type}), "typeID"),
    ];
    for (body, field) in json_cases {
        let (status, err) = m.add(&a.token, Body::Json(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "JSON {field}: {err}");
        assert_error(&err, status, Some(field));
    }

    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));
    assert_eq!(m.files_stored().await, 1);
    let f = m
        .server
        .store
        .get_file(&a.tenant, upload_id(&path))
        .await
        .unwrap();
    assert_eq!(f.document_id, None);
    // A type id is digits only, as the OpenAPI document's integer says: padding is refused
    // at any length. A path of exactly 256 bytes is still accepted (and trimmed).
    let (status, err) = m
        .add(
            &a.token,
            Body::Form(Form::new().text("typeID", "1 ").text("file", path.clone())),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(
        err["errors"]["typeID"][0],
        "must be an integer document type id"
    );
    let path_256 = format!("{path}{}", " ".repeat(256 - path.len()));
    assert_eq!(path_256.len(), 256);
    let doc = m
        .add_ok(
            &a.token,
            Body::Form(Form::new().text("typeID", "1").text("file", path_256)),
        )
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
}

#[tokio::test]
async fn more_data_uris_than_max_files_are_refused_before_any_is_stored() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let before = m.files_stored().await;
    let uri = |bytes: &[u8], mime: &str| format!("data:{mime};base64,{}", b64(bytes));
    let cases: Vec<Vec<String>> = vec![
        // Four acceptable PNGs for a type of at most three.
        (1..=4).map(|i| uri(&png(i), "image/png")).collect(),
        // The count is checked before any content: GIFs (otherwise 415) are never read.
        vec![
            uri(&png(1), "image/png"),
            uri(&gif(), "image/gif"),
            uri(&gif(), "image/gif"),
            uri(&gif(), "image/gif"),
        ],
        // Five, to be sure it is not only the fourth.
        (1..=5).map(|i| uri(&png(i), "image/png")).collect(),
    ];
    for files in cases {
        let n = files.len();
        let (status, err) = m
            .add(&a.token, Body::Json(json!({"file": files, "typeID": 1})))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{n} data URIs: {err}");
        assert_error(&err, status, None);
        assert!(
            err["message"].as_str().unwrap().contains("at most 3"),
            "{n} data URIs: {err}"
        );
        assert_eq!(m.files_stored().await, before, "{n} data URIs stored files");
    }
    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));
    // Three fit.
    let three: Vec<String> = (1..=3).map(|i| uri(&png(i), "image/png")).collect();
    let doc = m
        .add_ok(&a.token, Body::Json(json!({"file": three, "typeID": 1})))
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1", "page2", "page3"]);
    assert_eq!(m.files_stored().await, before + 3);
}

/// Found by schemathesis: a file download is sent with its content's media type (a PDF as
/// `application/pdf`, a photo as `image/jpeg`), which the document did not declare (it said
/// `application/octet-stream`).
#[tokio::test]
async fn downloads_are_typed_as_their_document_declares() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let passport = m
        .add_ok(
            &a.token,
            typed(
                "1",
                vec![
                    ("p1.pdf", pdf(4000)),
                    ("p2.jpg", jpeg()),
                    ("p3.png", png(9)),
                ],
            ),
        )
        .await;
    let doc: Value = m
        .server
        .client
        .get(m.server.url("/openapi/mydocs.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented = |status: &str| -> Vec<String> {
        doc["paths"][FILE]["get"]["responses"][status]["content"]
            .as_object()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    };
    let files = passport["files"].as_array().unwrap();
    for (file, sent) in files
        .iter()
        .zip(["application/pdf", "image/jpeg", "image/png"])
    {
        let url = file["downloadUrl"].as_str().unwrap();
        for (range, status) in [(None, "200"), (Some("bytes=0-3"), "206")] {
            let res = m.download(Some(&a.token), url, range).await;
            assert_eq!(res.status().as_str(), status, "{url}");
            assert_eq!(res.headers()["content-type"], sent);
            assert!(
                documented(status).iter().any(|t| t == sent),
                "{status} {sent}: {:?}",
                documented(status)
            );
        }
    }
}

/// Found by schemathesis (its `negative_data_rejection` check, on the admin API): serde reads
/// a struct from a JSON array by position, so `["data:…", 2, null]` added a document. A body
/// that is not an object is a 400 and stores nothing.
#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let before = m.files_stored().await;
    let uri = format!("data:image/png;base64,{}", b64(&png(1)));
    let positional = json!([uri, 2, null]);
    let (status, err) = m.add(&a.token, Body::Json(positional)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_error(&err, status, None);
    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));
    assert_eq!(m.files_stored().await, before);
}
