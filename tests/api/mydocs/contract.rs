//! The OpenAPI document says exactly what the server accepts: CI fuzzes the server against
//! it (schemathesis), so every input the document calls valid must pass and every input it
//! calls invalid must be a 400. Each case below is judged by both, and they must agree. Also
//! the file-name limit, which keeps the names echoed in lists and headers small.

use super::*;

/// The document the server serves.
async fn served(m: &Mydocs) -> Value {
    m.server
        .client
        .get(m.server.url("/openapi/mydocs.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Whether `value` is valid by the schema at `pointer` in `doc`.
fn valid(doc: &Value, pointer: &str, value: &Value) -> bool {
    idbridge::contract::errors_at(doc, pointer, value)
        .unwrap_or_else(|e| panic!("no schema at #{pointer}: {e}"))
        .is_empty()
}

#[tokio::test]
async fn the_json_add_body_schema_agrees_with_the_server() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let doc = served(&m).await;
    let uri = format!("data:image/png;base64,{}", b64(&png(1)));
    let u = uri.as_str();
    let cases = [
        (json!({"file": u, "typeID": 1}), true),
        (json!({"file": [u, u], "typeID": "1"}), true),
        (json!({"file": u, "typeId": 1}), true),
        (json!({"file": u, "typeId": "01"}), true),
        (json!({"file": u, "typeID": 1.0}), true),
        (json!({"file": u, "typeID": 1, "typeId": "1"}), true),
        (json!({"file": u, "typeID": " 1"}), false),
        (json!({"file": u, "typeID": "+1"}), false),
        (json!({"file": u, "typeID": "1.0"}), false),
        (json!({"file": u, "typeID": ""}), false),
        (json!({"file": u, "typeID": -1}), false),
        (json!({"file": u, "typeID": 1.5}), false),
        (json!({"file": u, "typeID": 4_294_967_296u64}), false),
        (json!({"file": u, "typeID": true}), false),
        (json!({"file": u, "typeID": null, "typeId": 1}), false),
        (json!({"file": u, "typeID": [1]}), false),
        (json!({"file": u}), false),
        (json!({"typeID": 1}), false),
        (json!({"file": [], "typeID": 1}), false),
        (json!({"file": [u, 5], "typeID": 1}), false),
        (json!({"file": 5, "typeID": 1}), false),
        (json!({"file": null, "typeID": 1}), false),
        (json!({"file": {"path": u}, "typeID": 1}), false),
    ];
    let mut added = 0;
    for (body, expected) in cases {
        assert_eq!(
            valid(&doc, "/components/schemas/AddDocumentJson", &body),
            expected,
            "the document on {body}"
        );
        let before = m.files_stored().await;
        let (status, reply) = m.add(&a.token, Body::Json(body.clone())).await;
        if expected {
            assert_eq!(status, StatusCode::CREATED, "{body}: {reply}");
            assert_eq!(reply["typeId"], 1, "{reply}");
            added += 1;
        } else {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {reply}");
            assert_error(&reply, status, None);
            let named = reply["errors"].as_object().unwrap();
            assert!(
                named.contains_key("file") || named.contains_key("typeID"),
                "{body}: {reply}"
            );
            assert_eq!(m.files_stored().await, before, "{body}: nothing kept");
        }
    }
    assert_eq!(m.ids(&a.token, "?limit=100").await.0, added);
}

#[tokio::test]
async fn the_list_bounds_in_the_document_agree_with_the_server() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let doc = served(&m).await;
    let params = doc["paths"][LIST]["get"]["parameters"].as_array().unwrap();
    let index = |name: &str| params.iter().position(|p| p["name"] == name).unwrap();
    let pointer = |name: &str| {
        format!(
            "/paths/{}/get/parameters/{}/schema",
            idbridge::contract::pointer_escape(LIST),
            index(name)
        )
    };
    assert!(
        doc["paths"][LIST]["get"]["responses"]["400"].is_object(),
        "a 400 is declared for out-of-bounds parameters"
    );
    // A query value as a client generating from the document sends it: integers as digits.
    let as_json = |text: &str| -> Value {
        let t = text.strip_prefix('-').unwrap_or(text);
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            serde_json::from_str(text).unwrap()
        } else {
            json!(text)
        }
    };
    let cases = [
        ("limit", "1", true),
        ("limit", "100", true),
        ("limit", "0", false),
        ("limit", "101", false),
        ("limit", "-1", false),
        ("limit", "ten", false),
        ("limit", "%205", false),
        ("limit", "%2B5", false),
        ("offset", "0", true),
        ("offset", "2147483647", true),
        ("offset", "2147483648", false),
        ("offset", "9223372036854775807", false),
        ("offset", "-1", false),
        ("offset", "%2B1", false),
    ];
    for (name, sent, expected) in cases {
        let text = sent.replace("%20", " ").replace("%2B", "+");
        assert_eq!(
            valid(&doc, &pointer(name), &as_json(&text)),
            expected,
            "the document on {name}={text:?}"
        );
        let (status, reply) = m.list(&a.token, &format!("?{name}={sent}")).await;
        if expected {
            assert_eq!(status, StatusCode::OK, "{name}={sent}: {reply}");
            assert_eq!(reply["total"], 0, "{reply}");
        } else {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{name}={sent}: {reply}");
            assert_error(&reply, status, Some(name));
        }
    }
}

/// A name of `n` bytes in two-byte characters (so bytes, not characters, are counted),
/// ending `.png`.
fn name_of(bytes: usize) -> String {
    let mut name = "é".repeat((bytes - 4) / 2);
    if bytes % 2 == 1 {
        name.push('a');
    }
    name.push_str(".png");
    assert_eq!(name.len(), bytes);
    name
}

#[tokio::test]
async fn file_names_over_255_bytes_are_400_naming_file_and_store_nothing() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let long = format!("{}.png", "n".repeat(20_000));
    for name in [name_of(256), long] {
        let (status, err) = m.add(&a.token, typed("1", vec![(&name, png(1))])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert_error(&err, status, Some("file"));
        assert_eq!(
            err["errors"]["file"][0],
            "the file name must be at most 255 bytes"
        );
        // A second part refused on its name drops the first, already staged.
        let (status, err) = m
            .add(
                &a.token,
                typed("1", vec![("ok.png", png(2)), (&name, png(3))]),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert_error(&err, status, Some("file"));
        let (status, err) = m.upload(&a.token, &name, png(4)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert_eq!(
            err["errors"]["file"][0],
            "the file name must be at most 255 bytes"
        );
    }
    assert_eq!(m.files_stored().await, 0);
    assert_eq!(m.ids(&a.token, "").await, (0, vec![]));

    // 255 bytes is kept whole, in the document, the list and the download header.
    let name = name_of(255);
    let doc = m.add_ok(&a.token, typed("1", vec![(&name, png(5))])).await;
    assert_eq!(doc["fileName"], name.as_str());
    let (_, page) = m.list(&a.token, "").await;
    assert_eq!(page["data"][0]["fileName"], name.as_str());
    let res = m
        .download(Some(&a.token), doc["downloadUrl"].as_str().unwrap(), None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()["content-disposition"].len();
    assert!(disposition < 4096, "{disposition} bytes");
    let path = m.upload_ok(&a.token, &name, png(6)).await;
    let doc = m
        .add_ok(&a.token, Body::Json(json!({"file": path, "typeID": 1})))
        .await;
    assert_eq!(doc["fileName"], name.as_str());
}
