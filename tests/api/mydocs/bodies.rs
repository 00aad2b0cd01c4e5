//! How `POST /documents` and `POST /files` read their bodies: the seed's curl example (JSON
//! labelled urlencoded), unlabelled JSON, real urlencoded forms, the JSON body limit, and the
//! error shapes of refused bodies and files.

use super::*;

/// The seed's "Add a new document" body, byte for byte.
const SEED_BODY: &str = "{\n  \"file\": \"officia dolore exercitation p\",\n  \"typeId\": 1\n}";

/// What a JSON `file` string may be, as the 400 for anything else says.
const NOT_A_PATH: &str = "is neither an upload path nor a data URI: send a path returned by \
     POST /api/v2/my/files (uploads/<id>) or a data:<type>;base64,<data> URI, or send the file \
     itself as a multipart/form-data part named file";

/// What a form's `file` text may be.
const NOT_A_FORM_PATH: &str = "is not an upload path: send a path returned by POST \
     /api/v2/my/files (uploads/<id>), or the file itself as a multipart/form-data part named \
     file, with a file name";

/// Asserts the whole error body: status, message and `errors.file` when a reason is given.
fn assert_body(body: &Value, status: StatusCode, message: &str, file: Option<&str>) {
    let mut want = json!({"code": status.as_u16(), "message": message});
    if let Some(reason) = file {
        want["errors"] = json!({ "file": [reason] });
    }
    assert_eq!(*body, want);
}

#[tokio::test]
async fn the_seeds_curl_request_is_read_as_json() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let urlencoded = "application/x-www-form-urlencoded";
    // curl --data-raw labels the seed's JSON as a urlencoded form: it is read as JSON, so the
    // answer is about its placeholder `file`, not a 415.
    let (status, err) = m
        .add(&a.token, Body::Raw(urlencoded, SEED_BODY.into()))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_body(
        &err,
        status,
        &format!("file: {NOT_A_PATH}"),
        Some(NOT_A_PATH),
    );
    // The same request with a real path, labelled each way a client may label it.
    let labelled = |label: &str, json: String| match label {
        "urlencoded" => Body::Raw(urlencoded, json.into_bytes()),
        "text/plain" => Body::Raw("text/plain; charset=utf-8", json.into_bytes()),
        _ => Body::Bare(json.into_bytes()),
    };
    for (i, label) in ["urlencoded", "none", "text/plain"].into_iter().enumerate() {
        let bytes = png(i as u8 + 1);
        let path = m.upload_ok(&a.token, "p.png", bytes.clone()).await;
        let json = SEED_BODY.replace("officia dolore exercitation p", &path);
        let doc = m.add_ok(&a.token, labelled(label, json)).await;
        m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
        let url = doc["downloadUrl"].as_str().unwrap();
        assert_eq!(sha(&m.fetch(&a.token, url).await), sha(&bytes), "{label}");
    }
    assert_eq!(m.ids(&a.token, "").await.0, 3);
}

/// B2Core's own example body, however it is labelled, is a 400 naming `file` that says what
/// `file` may be; nothing is stored for it, through this API or any other, whatever its type.
#[tokio::test]
async fn the_seeds_placeholder_file_is_400_naming_what_is_accepted_and_stores_nothing() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let want = json!({
        "code": 400,
        "message": format!("file: {NOT_A_PATH}"),
        "errors": {"file": [NOT_A_PATH]},
    });
    for type_id in ["1", "4", "22"] {
        let body = SEED_BODY.replace("\"typeId\": 1", &format!("\"typeId\": {type_id}"));
        let labelled = [
            Body::Raw("application/json", body.clone().into_bytes()),
            Body::Raw(
                "application/x-www-form-urlencoded",
                body.clone().into_bytes(),
            ),
            Body::Raw("text/plain", body.clone().into_bytes()),
            Body::Bare(body.clone().into_bytes()),
        ];
        for sent in labelled {
            let (status, err) = m.add(&a.token, sent).await;
            assert_eq!((status, &err), (StatusCode::BAD_REQUEST, &want), "{body}");
        }
    }
    // The same text in a form is refused the same way, saying what a form may carry.
    let form = Form::new()
        .text("typeID", "1")
        .text("file", "officia dolore exercitation p");
    let (status, err) = m.add(&a.token, Body::Form(form)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_body(
        &err,
        status,
        &format!("file: {NOT_A_FORM_PATH}"),
        Some(NOT_A_FORM_PATH),
    );
    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));
    assert_eq!(m.files_stored().await, 0);
    // No document of the subject exists in the store, with or without a file.
    let stored = m.server.store.list_documents(&a.tenant, a.subject).await;
    assert_eq!(stored.unwrap().len(), 0);
}

#[tokio::test]
async fn a_urlencoded_form_names_upload_paths() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let front = m.upload_ok(&a.token, "front.png", png(1)).await;
    let back = m.upload_ok(&a.token, "back.png", png(2)).await;
    let form = format!(
        "typeId=2&file={front}&file%5B%5D={}",
        back.replace('/', "%2F")
    );
    let doc = m
        .add_ok(
            &a.token,
            Body::Raw("application/x-www-form-urlencoded", form.into_bytes()),
        )
        .await;
    m.assert_document(&doc, 2, "National ID / Passport", "new", &["front", "back"]);
    assert_eq!(doc["files"][1]["fileName"], "back.png");

    let mine = m.upload_ok(&a.token, "p.png", png(3)).await;
    let stored = m.files_stored().await;
    let inline = "data:image/png;base64,iVBORw0KGgo=";
    let cases: Vec<(String, &str, &str)> = vec![
        (format!("typeID=1&file={front}"), "file", "no such upload"),
        ("typeID=1&file=x".into(), "file", NOT_A_FORM_PATH),
        (format!("typeID=1&file={inline}"), "file", "a form names"),
        (format!("file={mine}"), "typeID", "is required"),
        (
            format!("typeID=abc&file={mine}"),
            "typeID",
            "must be an integer",
        ),
        (
            format!("typeID=1&typeId=2&file={mine}"),
            "typeID",
            "different types",
        ),
        (
            format!("typeID=7&file={mine}&file={mine}&file={mine}&file={mine}"),
            "file",
            "at most 3 files for",
        ),
    ];
    for (form, field, reason) in cases {
        let (status, err) = m
            .add(
                &a.token,
                Body::Raw(
                    "application/x-www-form-urlencoded",
                    form.clone().into_bytes(),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form}: {err}");
        assert_error(&err, status, Some(field));
        assert!(
            err["errors"][field][0].as_str().unwrap().contains(reason),
            "{form}: {err}"
        );
    }
    // Nothing was created, and the upload is still usable.
    assert_eq!(m.files_stored().await, stored);
    assert_eq!(m.ids(&a.token, "").await.0, 1);
    let doc = m
        .add_ok(
            &a.token,
            Body::Raw(
                "application/x-www-form-urlencoded",
                format!("typeID=7&file={mine}").into_bytes(),
            ),
        )
        .await;
    m.assert_document(&doc, 7, "Selfie with proof of identity", "new", &["face"]);
}

#[tokio::test]
async fn bodies_that_are_neither_json_nor_a_form_are_415_without_a_field() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let path = m.upload_ok(&a.token, "p.png", png(1)).await;
    let message = "send application/json or multipart/form-data (a body with no Content-Type, \
                   text/plain or urlencoded is read as JSON when it is a JSON object)";
    let json = format!(r#"{{"file":"{path}","typeID":1}}"#);
    let cases = [
        Body::Raw("application/xml", json.clone().into_bytes()),
        Body::Raw("application/octet-stream", json.into_bytes()),
        Body::Raw("text/plain", format!("typeID=1&file={path}").into_bytes()),
        Body::Bare(format!("typeID=1&file={path}").into_bytes()),
        Body::Bare(b"[1, 2]".to_vec()),
    ];
    for body in cases {
        let (status, err) = m.add(&a.token, body).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_body(&err, status, message, None);
    }
    assert_eq!(m.ids(&a.token, "").await.0, 0);
}

#[tokio::test]
async fn refused_files_and_too_many_files_are_named_under_errors_file() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let media = "must be a PDF, JPEG or PNG (judged by content)";
    let inline = format!("data:image/png;base64,{}", b64(&gif()));
    for body in [
        typed("22", vec![("a.gif", gif())]),
        Body::Json(json!({"file": inline, "typeID": 22})),
    ] {
        let (status, err) = m.add(&a.token, body).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_body(&err, status, &format!("file: {media}"), Some(media));
    }
    let (status, err) = m.upload(&a.token, "a.gif", gif()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_body(&err, status, &format!("file: {media}"), Some(media));

    let over = format!("is larger than {MAX_FILE} bytes");
    let (status, err) = m.upload(&a.token, "big.pdf", pdf(MAX_FILE + 1)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_body(&err, status, &format!("file: {over}"), Some(&over));

    let many = "at most 3 files for this document type (its maxFiles)";
    let four: Vec<(&str, Vec<u8>)> = (1..=4).map(|i| ("p.png", png(i))).collect();
    let (status, err) = m.add(&a.token, typed("1", four)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_body(&err, status, &format!("file: {many}"), Some(many));
    // The type's own maxFiles counts once the type is known, before the extra part is read.
    let one = "at most 1 file for this document type (its maxFiles)";
    let m1 = Mydocs::start_with(|c| {
        let t = |id, kind: &str, max_files| DocumentTypeConfig {
            id,
            name: format!("T{id}"),
            kind: kind.into(),
            group: "G".into(),
            max_files,
            ..Default::default()
        };
        c.adapters.mydocs.document_types = Some(vec![t(1, "passport", 1), t(2, "other", 3)]);
    })
    .await;
    let b = m1.client(ADMIN_A).await;
    let two = vec![("a.png", png(1)), ("b.png", png(2))];
    let (status, err) = m1.add(&b.token, typed("1", two)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_body(&err, status, &format!("file: {one}"), Some(one));
    assert_eq!(m.files_stored().await + m1.files_stored().await, 0);
}

#[tokio::test]
async fn an_upload_sent_as_anything_but_a_form_is_415() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let uri = format!("data:image/png;base64,{}", b64(&png(1)));
    for body in [
        Body::Json(json!({ "file": uri })),
        Body::Raw("image/png", png(1)),
        Body::Bare(png(1)),
    ] {
        let (status, err) = m
            .send(
                Some(&a.token),
                Method::POST,
                &format!("{API}/files"),
                FILES,
                body,
            )
            .await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_body(
            &err,
            status,
            "send the file as multipart/form-data with one `file` part",
            None,
        );
    }
    assert_eq!(m.files_stored().await, 0);
}

#[tokio::test]
async fn a_401_names_the_bearer_scheme() {
    let m = Mydocs::start().await;
    for (method, path) in [
        (Method::GET, format!("{API}/documents")),
        (Method::GET, format!("{ALT}/documents/1")),
        (Method::POST, format!("{API}/documents")),
        (Method::POST, format!("{API}/files")),
        (Method::DELETE, format!("{API}/documents/1")),
        (Method::GET, format!("{API}/documents/types")),
    ] {
        for token in [None, Some("not-a-token")] {
            let res = m.raw(token, method.clone(), &path, Body::None, None).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_eq!(
                res.headers()
                    .get("www-authenticate")
                    .map(|v| v.to_str().unwrap()),
                Some("Bearer"),
                "{method} {path}"
            );
            let body: Value = res.json().await.unwrap();
            assert_body(
                &body,
                StatusCode::UNAUTHORIZED,
                "send a valid access token as Authorization: Bearer <token>",
                None,
            );
        }
    }
}

/// A JSON body is held whole (base64 inside JSON forces it), so its limit is one file at the
/// size limit, about 30 MiB, whatever the type's maxFiles: three 8 MiB pages fit as a form
/// but not as JSON, and the refusal says what to send instead. Nothing is stored.
#[tokio::test]
async fn a_json_body_over_one_file_at_the_limit_is_413_before_it_is_held() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let limit = idbridge_json_limit();
    let pages: Vec<Vec<u8>> = (1..=3).map(|i| noisy_pdf(8 * 1024 * 1024, i)).collect();
    let uris: Vec<String> = pages
        .iter()
        .map(|p| format!("data:application/pdf;base64,{}", b64(p)))
        .collect();
    let body = serde_json::to_vec(&json!({"typeID": 1, "file": uris})).unwrap();
    assert!(body.len() > limit, "the body must be over the limit");
    let message = format!(
        "a body read whole (JSON or a urlencoded form) may be at most {limit} bytes, one file \
         at the 20 MiB limit as base64; send larger or several files as multipart/form-data, \
         or upload each with POST /api/v2/my/files"
    );
    for body in [
        Body::Raw("application/json", body.clone()),
        Body::Bare(body.clone()),
        Body::Raw("application/x-www-form-urlencoded", body),
    ] {
        let (status, err) = m.add(&a.token, body).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_body(&err, status, &message, None);
    }
    assert_eq!(m.files_stored().await, 0);
    let parts = pages.iter().map(|p| ("page.pdf", p.clone())).collect();
    let doc = m.add_ok(&a.token, typed("1", parts)).await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1", "page2", "page3"]);
}

/// The JSON limit the compatibility notes document: 20 MiB as base64 (4/3) plus an eighth
/// for encoders' escapes, plus 64 KiB.
fn idbridge_json_limit() -> usize {
    let base64 = MAX_FILE.div_ceil(3) * 4;
    let limit = base64 / 8 * 9 + 64 * 1024;
    assert_eq!(limit, 31_522_813, "the documented limit");
    limit
}
