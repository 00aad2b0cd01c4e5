//! The B2Core "my documents" API over HTTP, as a B2Core front-office client uses it: a client
//! token minted by the admin API, the three ways of adding a document, the list, details,
//! downloads and delete, and the same documents seen through nCore. Every JSON body is
//! checked against the mydocs OpenAPI document.

mod bodies;
mod contract;
mod delete;
mod limits;
mod list;
mod regressions;
mod routes;
mod signin;
mod tokens;
mod types;
mod uploads;
mod vendors;

use crate::common::{ADMIN_A, ADMIN_B, Contract, tenant};
use idbridge::config::DocumentTypeConfig;
use idbridge::error::Error;
use idbridge::model::TenantId;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::fixtures::{
    conformance_file as fixture, gif, jpeg_slashes as jpeg, noisy_pdf, pdf_letters as pdf,
    sha_hex as sha,
};
use crate::common::mydocs::*;

// ---------------------------------------------------------------------------------------
// Adding documents

#[tokio::test]
async fn a_multipart_document_is_added_and_downloads_byte_for_byte() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let (front, back) = (fixture("id-front.png"), fixture("id-back.png"));
    let doc = m
        .add_ok(
            &a.token,
            typed(
                "2",
                vec![("front.png", front.clone()), ("back.png", back.clone())],
            ),
        )
        .await;
    m.assert_document(&doc, 2, "National ID / Passport", "new", &["front", "back"]);
    assert_eq!(doc["id"], 1, "the tenant's first document");
    assert_eq!(
        (
            doc["fileName"].as_str(),
            doc["fileSize"].as_u64(),
            doc["mimeType"].as_str()
        ),
        (
            Some("front.png"),
            Some(front.len() as u64),
            Some("image/png")
        )
    );
    assert_eq!(doc["files"][1]["fileName"], "back.png");
    assert_eq!(doc["files"][1]["fileSize"], back.len());
    for k in ["number", "expiryDate", "issuingCountry"] {
        assert!(doc[k].is_null(), "{k}: {doc}");
    }
    let (status, got) = m.get(&a.token, 1).await;
    assert_eq!((status, &got), (StatusCode::OK, &doc));

    for (file, bytes, name) in [(0, &front, "front.png"), (1, &back, "back.png")] {
        let url = doc["files"][file]["downloadUrl"].as_str().unwrap();
        let res = m.download(Some(&a.token), url, None).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/png");
        let disposition = res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            disposition.starts_with("attachment")
                && disposition.contains(&format!("filename=\"{name}\"")),
            "{disposition}"
        );
        assert_eq!(sha(&res.bytes().await.unwrap()), sha(bytes));
    }
    // Ranges.
    let url = doc["downloadUrl"].as_str().unwrap();
    let res = m.download(Some(&a.token), url, Some("bytes=10-19")).await;
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes 10-19/{}", front.len()).as_str()
    );
    assert_eq!(res.bytes().await.unwrap(), &front[10..20]);
    let res = m.download(Some(&a.token), url, Some("bytes=999999-")).await;
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    // `typeId` spelling; a passport's files are pages, in the order sent, of any allowed type.
    let (p1, p2, p3) = (pdf(4000), jpeg(), png(9));
    let passport = m
        .add_ok(
            &a.token,
            Body::Form(form(
                Some(("typeId", "1")),
                vec![
                    ("p1.pdf", p1.clone()),
                    ("p2.jpg", p2.clone()),
                    ("p3.png", p3.clone()),
                ],
            )),
        )
        .await;
    m.assert_document(
        &passport,
        1,
        "Passport",
        "new",
        &["page1", "page2", "page3"],
    );
    assert_eq!(passport["id"], 2);
    let mimes: Vec<&str> = passport["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["mimeType"].as_str().unwrap())
        .collect();
    assert_eq!(mimes, ["application/pdf", "image/jpeg", "image/png"]);
    for (i, bytes) in [&p1, &p2, &p3].into_iter().enumerate() {
        let got = m
            .fetch(
                &a.token,
                passport["files"][i]["downloadUrl"].as_str().unwrap(),
            )
            .await;
        assert_eq!(sha(&got), sha(bytes), "page {}", i + 1);
    }

    // A selfie's file is the face; the type field may come after the file.
    let selfie_form = Form::new()
        .part("file", Part::bytes(png(4)).file_name("me.png"))
        .text("typeID", "7");
    let selfie = m.add_ok(&a.token, Body::Form(selfie_form)).await;
    m.assert_document(
        &selfie,
        7,
        "Selfie with proof of identity",
        "new",
        &["face"],
    );
    assert_eq!(
        sha(&m
            .fetch(&a.token, selfie["downloadUrl"].as_str().unwrap())
            .await),
        sha(&png(4))
    );
}

#[tokio::test]
async fn an_uploaded_path_becomes_a_document() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let statement = fixture("statement.pdf");
    let (status, up) = m.upload(&a.token, "statement.pdf", statement.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let path = up["path"].as_str().unwrap().to_owned();
    let upload = upload_id(&path);
    assert_eq!(
        (
            up["fileName"].as_str(),
            up["fileSize"].as_u64(),
            up["mimeType"].as_str()
        ),
        (
            Some("statement.pdf"),
            Some(statement.len() as u64),
            Some("application/pdf")
        )
    );
    assert_time(&up["createTime"]);
    let stored = m.server.store.get_file(&a.tenant, upload).await.unwrap();
    assert_eq!((stored.subject_id, stored.document_id), (a.subject, None));
    assert_eq!(
        m.ids(&a.token, "").await,
        (0, vec![]),
        "an upload alone is not a document"
    );

    // `typeID` as a numeric string.
    let doc = m
        .add_ok(&a.token, Body::Json(json!({"file": path, "typeID": "20"})))
        .await;
    m.assert_document(&doc, 20, "Bank statement", "new", &["page1"]);
    assert_eq!(
        doc["files"][0]["id"],
        upload.to_string(),
        "the upload is the file"
    );
    assert_eq!(doc["fileName"], "statement.pdf");
    assert_eq!(doc["mimeType"], "application/pdf");
    assert_eq!(
        sha(&m
            .fetch(&a.token, doc["downloadUrl"].as_str().unwrap())
            .await),
        sha(&statement)
    );
    let stored = m.server.store.get_file(&a.tenant, upload).await.unwrap();
    assert!(stored.document_id.is_some());
    assert_eq!(
        m.files_stored().await,
        1,
        "the upload was moved, not copied"
    );

    // A path already on a document is refused, and nothing is created.
    let (status, err) = m
        .add(&a.token, Body::Json(json!({"file": path, "typeID": 22})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("file"));
    assert_eq!(m.ids(&a.token, "").await.0, 1);

    // An array of paths: a driving licence's front and back, `typeId` spelling.
    let (front, back) = (png(1), png(2));
    let p1 = m.upload_ok(&a.token, "f.png", front.clone()).await;
    let p2 = m.upload_ok(&a.token, "b.png", back.clone()).await;
    let licence = m
        .add_ok(&a.token, Body::Json(json!({"file": [p1, p2], "typeId": 3})))
        .await;
    m.assert_document(&licence, 3, "Driving license", "new", &["front", "back"]);
    assert_eq!(licence["files"][0]["id"], upload_id(&p1).to_string());
    assert_eq!(licence["files"][1]["id"], upload_id(&p2).to_string());
    for (i, bytes) in [&front, &back].into_iter().enumerate() {
        let url = licence["files"][i]["downloadUrl"].as_str().unwrap();
        assert_eq!(sha(&m.fetch(&a.token, url).await), sha(bytes));
    }

    // PHP escapes slashes in JSON: `uploads\/<uuid>`.
    let p3 = m.upload_ok(&a.token, "o.pdf", pdf(700)).await;
    let escaped = format!(r#"{{"file":"{}","typeID":22}}"#, p3.replace('/', "\\/"));
    assert!(escaped.contains("uploads\\/"));
    let other = m
        .add_ok(
            &a.token,
            Body::Raw("application/json", escaped.into_bytes()),
        )
        .await;
    m.assert_document(&other, 22, "Other", "new", &["page1"]);
    assert_eq!(other["files"][0]["id"], upload_id(&p3).to_string());

    // A form's `file` part without a file name is an upload path.
    let p4 = m.upload_ok(&a.token, "bill.pdf", pdf(900)).await;
    let bill = m
        .add_ok(
            &a.token,
            Body::Form(Form::new().text("typeID", "4").text("file", p4.clone())),
        )
        .await;
    m.assert_document(&bill, 4, "Utility bill", "new", &["page1"]);
    assert_eq!(bill["files"][0]["id"], upload_id(&p4).to_string());
    assert_eq!(bill["fileName"], "bill.pdf");
    assert_eq!(
        sha(&m
            .fetch(&a.token, bill["downloadUrl"].as_str().unwrap())
            .await),
        sha(&pdf(900))
    );

    // The same path twice in one document: refused whole, and the upload stays usable.
    let p5 = m.upload_ok(&a.token, "x.png", png(5)).await;
    let (status, err) = m
        .add(&a.token, Body::Json(json!({"file": [p5, p5], "typeID": 2})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("file"));
    assert_eq!(m.ids(&a.token, "").await.0, 4);
    let ok = m
        .add_ok(&a.token, Body::Json(json!({"file": p5, "typeID": 2})))
        .await;
    m.assert_document(&ok, 2, "National ID / Passport", "new", &["front"]);
}

#[tokio::test]
async fn an_inline_data_uri_becomes_a_document() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let image = png(3);
    let doc = m
        .add_ok(
            &a.token,
            Body::Json(
                json!({"file": format!("data:image/png;base64,{}", b64(&image)), "typeID": 1}),
            ),
        )
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
    assert_eq!(
        (doc["fileSize"].as_u64(), doc["mimeType"].as_str()),
        (Some(image.len() as u64), Some("image/png"))
    );
    assert_eq!(
        sha(&m
            .fetch(&a.token, doc["downloadUrl"].as_str().unwrap())
            .await),
        sha(&image)
    );

    // PHP's json_encode: `data:image\/jpeg;base64,…` with every `/` of the base64 escaped.
    let photo = jpeg();
    let encoded = b64(&photo);
    assert!(encoded.contains('/'), "the fixture must exercise escaping");
    let body = format!(
        r#"{{"typeID":7,"file":"data:image\/jpeg;base64,{}"}}"#,
        encoded.replace('/', "\\/")
    );
    let selfie = m
        .add_ok(&a.token, Body::Raw("application/json", body.into_bytes()))
        .await;
    m.assert_document(
        &selfie,
        7,
        "Selfie with proof of identity",
        "new",
        &["face"],
    );
    assert_eq!(selfie["mimeType"], "image/jpeg");
    assert_eq!(
        sha(&m
            .fetch(&a.token, selfie["downloadUrl"].as_str().unwrap())
            .await),
        sha(&photo)
    );

    // An array mixing a data URI and an upload path: front then back.
    let scan = pdf(5000);
    let back = png(8);
    let path = m.upload_ok(&a.token, "back.png", back.clone()).await;
    let card = m
        .add_ok(
            &a.token,
            Body::Json(json!({
                "file": [format!("data:application/pdf;base64,{}", b64(&scan)), path],
                "typeID": 2,
            })),
        )
        .await;
    m.assert_document(
        &card,
        2,
        "National ID / Passport",
        "new",
        &["front", "back"],
    );
    assert_eq!(card["files"][0]["mimeType"], "application/pdf");
    assert_eq!(card["files"][1]["id"], upload_id(&path).to_string());
    for (i, bytes) in [&scan, &back].into_iter().enumerate() {
        let url = card["files"][i]["downloadUrl"].as_str().unwrap();
        assert_eq!(sha(&m.fetch(&a.token, url).await), sha(bytes));
    }

    // Broken data URIs are the `file` field's fault, and store nothing.
    let before = m.files_stored().await;
    for file in [
        "data:image/png;base64,!!!!",
        "data:image/png,abc",
        "data:image/png;base64",
    ] {
        let (status, err) = m
            .add(&a.token, Body::Json(json!({"file": file, "typeID": 1})))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{file}: {err}");
        assert_error(&err, status, Some("file"));
    }
    assert_eq!(m.files_stored().await, before);
    assert_eq!(m.ids(&a.token, "").await.0, 3);
}

#[tokio::test]
async fn one_upload_goes_to_one_document_even_under_concurrency() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let path = m.upload_ok(&a.token, "p.png", png(1)).await;
    let tries = (0..8).map(|i| {
        m.add(
            &a.token,
            Body::Json(json!({"file": path, "typeID": if i % 2 == 0 { 1 } else { 10 }})),
        )
    });
    let results = futures::future::join_all(tries).await;
    let created: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .map(|(_, d)| d)
        .collect();
    assert_eq!(created.len(), 1, "{results:?}");
    for (status, body) in &results {
        if *status != StatusCode::CREATED {
            assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
            assert_error(body, *status, Some("file"));
        }
    }
    assert_eq!(m.ids(&a.token, "").await.0, 1);
    assert_eq!(m.files_stored().await, 1);
    assert_eq!(created[0]["files"][0]["id"], upload_id(&path).to_string());
}

#[tokio::test]
async fn both_type_spellings_are_accepted_but_must_agree() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let path = m.upload_ok(&a.token, "p.png", png(1)).await;
    let (status, err) = m
        .add(
            &a.token,
            Body::Json(json!({"file": path, "typeID": 1, "typeId": 2})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("typeID"));
    let form = Form::new()
        .text("typeID", "1")
        .text("typeId", "2")
        .part("file", Part::bytes(png(2)).file_name("p.png"));
    let (status, err) = m.add(&a.token, Body::Form(form)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("typeID"));
    assert_eq!(m.ids(&a.token, "").await.0, 0);
    assert_eq!(m.files_stored().await, 1, "only the upload");

    let doc = m
        .add_ok(
            &a.token,
            Body::Json(json!({"file": path, "typeID": 1, "typeId": "1"})),
        )
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
    let form = Form::new()
        .text("typeId", "11")
        .text("typeID", "11")
        .part("file", Part::bytes(png(2)).file_name("v.png"));
    let visa = m.add_ok(&a.token, Body::Form(form)).await;
    m.assert_document(&visa, 11, "Visa", "new", &["page1"]);
}

#[tokio::test]
async fn bad_additions_are_400_naming_the_field_and_store_nothing() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let b = m.client(ADMIN_A).await;
    let beta = m.client(ADMIN_B).await;
    let mine = m.upload_ok(&a.token, "mine.png", png(1)).await;
    let theirs = m.upload_ok(&b.token, "theirs.png", png(2)).await;
    let other_tenant = m.upload_ok(&beta.token, "beta.png", png(3)).await;
    let unknown = format!("uploads/{}", Uuid::new_v4());
    let stored = m.files_stored().await;
    assert_eq!(stored, 3);

    let json_cases: Vec<(Value, &str)> = vec![
        (json!({"file": mine, "typeID": 99}), "typeID"),
        (json!({"file": mine, "typeID": 0}), "typeID"),
        (json!({"file": mine, "typeID": "abc"}), "typeID"),
        (json!({"file": mine, "typeID": -1}), "typeID"),
        (json!({"file": mine}), "typeID"),
        (json!({"typeID": 1}), "file"),
        (json!({"file": null, "typeID": 1}), "file"),
        (json!({"file": [], "typeID": 1}), "file"),
        (json!({"file": 5, "typeID": 1}), "file"),
        (json!({"file": unknown, "typeID": 1}), "file"),
        (json!({"file": "foo/bar", "typeID": 1}), "file"),
        (json!({"file": "uploads/not-a-uuid", "typeID": 1}), "file"),
        (json!({"file": theirs, "typeID": 1}), "file"),
        (json!({"file": other_tenant, "typeID": 1}), "file"),
        (json!({"file": [mine, theirs], "typeID": 2}), "file"),
    ];
    for (body, field) in json_cases {
        let (status, err) = m.add(&a.token, Body::Json(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {err}");
        assert_error(&err, status, Some(field));
    }
    let form_cases: Vec<(Form, &str)> = vec![
        (
            form(Some(("typeID", "99")), vec![("a.png", png(4))]),
            "typeID",
        ),
        (
            form(Some(("typeID", "x")), vec![("a.png", png(4))]),
            "typeID",
        ),
        (form(None, vec![("a.png", png(4))]), "typeID"),
        (form(Some(("typeID", "1")), vec![]), "file"),
        (
            Form::new()
                .text("typeID", "1")
                .text("file", unknown.clone()),
            "file",
        ),
        (
            Form::new().text("typeID", "1").text("file", theirs.clone()),
            "file",
        ),
    ];
    for (f, field) in form_cases {
        let (status, err) = m.add(&a.token, Body::Form(f)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {err}");
        assert_error(&err, status, Some(field));
    }
    // Unreadable bodies.
    let (status, err) = m
        .add(
            &a.token,
            Body::Raw("application/json", b"{\"file\":".to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    // A urlencoded form whose file is not an upload path.
    let (status, err) = m
        .add(
            &a.token,
            Body::Raw(
                "application/x-www-form-urlencoded",
                b"typeID=1&file=x".to_vec(),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_error(&err, status, Some("file"));
    // Neither JSON nor a form.
    for content_type in ["text/plain", "application/octet-stream"] {
        let (status, err) = m
            .add(
                &a.token,
                Body::Raw(content_type, b"typeID=1&file=x".to_vec()),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}: {err}"
        );
    }

    // Nothing was created or stored, and every upload is still its owner's to use.
    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));
    assert_eq!(m.ids(&b.token, "").await, (0, vec![]));
    assert_eq!(m.files_stored().await, stored);
    for (client, path) in [(&a, &mine), (&b, &theirs), (&beta, &other_tenant)] {
        let f = m
            .server
            .store
            .get_file(&client.tenant, upload_id(path))
            .await
            .unwrap();
        assert_eq!((f.subject_id, f.document_id), (client.subject, None));
    }
    let doc = m
        .add_ok(&b.token, Body::Json(json!({"file": theirs, "typeID": 1})))
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
}
