//! mydocs size and count limits.

use super::*;

/// A form with one PDF file of exactly `len` bytes, typed as a bank statement.
fn big_pdf_form(len: usize) -> Form {
    form(Some(("typeID", "20")), vec![("big.pdf", pdf(len))])
}

#[tokio::test]
async fn the_20_mib_limit_is_exact_and_a_refused_file_is_not_kept() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let doc = m.add_ok(&a.token, Body::Form(big_pdf_form(MAX_FILE))).await;
    m.assert_document(&doc, 20, "Bank statement", "new", &["page1"]);
    assert_eq!(doc["fileSize"], MAX_FILE);
    assert_eq!(
        sha(&m
            .fetch(&a.token, doc["downloadUrl"].as_str().unwrap())
            .await),
        sha(&pdf(MAX_FILE))
    );
    assert_eq!(m.files_stored().await, 1);

    let (status, err) = m
        .add(&a.token, Body::Form(big_pdf_form(MAX_FILE + 1)))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
    // A good first file does not survive a too-large second one.
    let two = form(
        Some(("typeID", "1")),
        vec![("ok.png", png(1)), ("big.pdf", pdf(MAX_FILE + 1))],
    );
    let (status, _) = m.add(&a.token, Body::Form(two)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = m.upload(&a.token, "big.pdf", pdf(MAX_FILE + 1)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let inline = format!("data:application/pdf;base64,{}", b64(&pdf(MAX_FILE + 1)));
    let (status, _) = m
        .add(&a.token, Body::Json(json!({"file": inline, "typeID": 20})))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);

    assert_eq!(m.files_stored().await, 1, "a refused file was kept");
    assert_eq!(
        m.server
            .store
            .list_files(&a.tenant, a.subject)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(m.ids(&a.token, "").await, (1, vec![1]));
}

/// One page at the size limit as a JSON data URI is accepted, plain and the way PHP's
/// json_encode writes it (`\/` for every `/`, which the adapter documents it accepts). The
/// JSON body is held whole, so its limit is one such file, not the type's `maxFiles` of
/// them: three pages at the limit go as a form, which streams.
#[tokio::test]
async fn a_file_at_the_size_limit_fits_a_php_escaped_json_body() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let page = noisy_pdf(MAX_FILE, 1);
    for escape in [false, true] {
        let data = b64(&page);
        let uri = if escape {
            format!("data:application\\/pdf;base64,{}", data.replace('/', "\\/"))
        } else {
            format!("data:application/pdf;base64,{data}")
        };
        let bytes = format!(r#"{{"typeID":20,"file":"{uri}"}}"#).into_bytes();
        let len = bytes.len();
        let (status, doc) = m.add(&a.token, Body::Raw("application/json", bytes)).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "escaped: {escape}, a {len}-byte body of one file at the limit was refused: {doc}"
        );
        m.assert_document(&doc, 20, "Bank statement", "new", &["page1"]);
        let url = doc["downloadUrl"].as_str().unwrap();
        assert_eq!(sha(&m.fetch(&a.token, url).await), sha(&page));
    }
    let pages: Vec<Vec<u8>> = (1..=3).map(|i| noisy_pdf(MAX_FILE, i)).collect();
    let parts = pages.iter().map(|p| ("page.pdf", p.clone())).collect();
    let doc = m.add_ok(&a.token, typed("1", parts)).await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1", "page2", "page3"]);
    for (i, page) in pages.iter().enumerate() {
        let url = doc["files"][i]["downloadUrl"].as_str().unwrap();
        assert_eq!(sha(&m.fetch(&a.token, url).await), sha(page));
    }
}

#[tokio::test]
async fn a_mount_prefix_is_part_of_every_route_and_download_link() {
    let m = Mydocs::start_with(|c| c.adapters.mydocs.prefix = "/b2core".into()).await;
    let a = m.client(ADMIN_A).await;
    let (status, types) = m.types(&a.token, "/b2core/api/v2/my").await;
    assert_eq!((status, &types["total"]), (StatusCode::OK, &json!(22)));
    let bytes = png(5);
    let (status, doc) = m
        .add_at(
            &a.token,
            "/b2core/v2/my",
            typed("22", vec![("o.png", bytes.clone())]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{doc}");
    let url = doc["downloadUrl"].as_str().unwrap();
    let public = m.server.config.server.public_base_url.clone();
    assert_eq!(
        url,
        format!(
            "{public}/b2core/api/v2/my/documents/1/files/{}",
            doc["files"][0]["id"].as_str().unwrap()
        )
    );
    let res = m
        .raw(
            Some(&a.token),
            Method::GET,
            url.strip_prefix(&public).unwrap(),
            Body::None,
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(sha(&res.bytes().await.unwrap()), sha(&bytes));
    let res = m
        .raw(
            Some(&a.token),
            Method::GET,
            &format!("{API}/documents"),
            Body::None,
            None,
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "served outside its prefix"
    );
}

#[tokio::test]
async fn only_pdf_jpeg_and_png_are_accepted_judged_by_content() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let text = b"just some text, not a document".to_vec();
    for (name, bytes) in [
        ("a.gif", gif()),
        ("a.png", text.clone()),
        ("a.pdf", b"".to_vec()),
    ] {
        let (status, err) = m
            .add(&a.token, typed("22", vec![(name, bytes.clone())]))
            .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}: {err}");
        let (status, err) = m.upload(&a.token, name, bytes.clone()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}: {err}");
        let inline = format!("data:image/png;base64,{}", b64(&bytes));
        let (status, err) = m
            .add(&a.token, Body::Json(json!({"file": inline, "typeID": 22})))
            .await;
        if bytes.is_empty() {
            // An empty data URI carries no file at all.
            assert!(status.is_client_error(), "{err}");
        } else {
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}: {err}");
        }
    }
    // A good file does not survive a bad one beside it.
    let (status, _) = m
        .add(
            &a.token,
            typed("2", vec![("front.png", png(1)), ("back.gif", gif())]),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // The name and declared type do not matter; the content does.
    let doc = m
        .add_ok(&a.token, typed("22", vec![("scan.gif", pdf(300))]))
        .await;
    assert_eq!(doc["mimeType"], "application/pdf");
    assert_eq!(m.files_stored().await, 1);
    assert_eq!(m.ids(&a.token, "").await.0, 1);
}

#[tokio::test]
async fn more_files_than_the_type_allows_is_400_and_stores_nothing() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let four: Vec<(&str, Vec<u8>)> = (1..=4).map(|i| ("p.png", png(i))).collect();
    let (status, err) = m.add(&a.token, typed("1", four)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let mut paths = Vec::new();
    for i in 1..=4 {
        paths.push(m.upload_ok(&a.token, "p.png", png(i)).await);
    }
    let (status, err) = m
        .add(&a.token, Body::Json(json!({"file": paths, "typeID": 1})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    let inline: Vec<String> = (1..=4)
        .map(|i| format!("data:image/png;base64,{}", b64(&png(i))))
        .collect();
    let (status, err) = m
        .add(&a.token, Body::Json(json!({"file": inline, "typeID": 1})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(m.ids(&a.token, "").await.0, 0);
    assert_eq!(m.files_stored().await, 4, "only the four uploads");
    for p in &paths {
        let f = m
            .server
            .store
            .get_file(&a.tenant, upload_id(p))
            .await
            .unwrap();
        assert_eq!(f.document_id, None, "a refused document took an upload");
    }
    // Three is fine.
    let doc = m
        .add_ok(
            &a.token,
            Body::Json(json!({"file": &paths[..3], "typeID": 1})),
        )
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1", "page2", "page3"]);
}

#[tokio::test]
async fn an_upload_takes_exactly_one_file() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let none = Form::new().text("other", "x");
    let (status, err) = m
        .send(
            Some(&a.token),
            Method::POST,
            &format!("{API}/files"),
            FILES,
            Body::Form(none),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("file"));
    let two = Form::new()
        .part("file", Part::bytes(png(1)).file_name("a.png"))
        .part("file", Part::bytes(png(2)).file_name("b.png"));
    let (status, err) = m
        .send(
            Some(&a.token),
            Method::POST,
            &format!("{API}/files"),
            FILES,
            Body::Form(two),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("file"));
    assert_eq!(m.files_stored().await, 0);
}
