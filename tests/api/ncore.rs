//! The nCore identifications API over HTTP, as a NymCard client uses it. Every JSON body is
//! checked against the nCore OpenAPI document. Users (`/users`) are in `users`.

mod users;

use crate::common::{ADMIN_A, TestServer, tenant};
use idbridge::model::{CountryCode, DocumentKind, NewDocument};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::fixtures::{pdf, png_2k as png};
use crate::common::ncore::*;

#[tokio::test]
async fn the_seed_example_is_created_and_read_back() {
    let n = Ncore::start().await;
    let (status, created) = n.create("user-1", passport()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (created["type"].as_str(), created["number"].as_str()),
        (Some("PASSPORT"), Some("132123123"))
    );
    assert_eq!(
        created["expiration_date"], "2021-09-20T10:10:40.182Z",
        "expiry comes back as sent"
    );
    assert_eq!(created["user_id"], "user-1");
    let id = created["id"].as_str().unwrap();
    let (status, got) = n
        .send(
            Some(KEY_A),
            Method::GET,
            &format!("/users/user-1/identifications/{id}"),
            ONE,
            None,
            None,
        )
        .await;
    assert_eq!((status, &got), (StatusCode::OK, &created));
    let (_, list) = n.list("user-1", "").await;
    assert_eq!(list["data"], json!([created]));
    assert_eq!(
        list["paging"],
        json!({"limit": 20, "after": null, "has_more": false})
    );
}

#[tokio::test]
async fn unknown_fields_survive_a_round_trip() {
    let n = Ncore::start().await;
    let (_, created) = n.create("u", json!({"type": "VISA", "number": "V1", "visa_category": "RESIDENCE", "sponsor": {"id": 7}})).await;
    assert_eq!(created["visa_category"], "RESIDENCE");
    assert_eq!(created["sponsor"], json!({"id": 7}));
    let id = created["id"].as_str().unwrap();
    let (_, updated) = n
        .send(
            Some(KEY_A),
            Method::PUT,
            &format!("/users/u/identifications/{id}"),
            ONE,
            Some(json!({"sponsor": {"id": 8}})),
            None,
        )
        .await;
    assert_eq!(
        (updated["visa_category"].as_str(), &updated["sponsor"]),
        (Some("RESIDENCE"), &json!({"id": 8}))
    );
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer() {
    let n = Ncore::start().await;
    let path = "/users/u/identifications";
    let (s1, first) = n
        .send(
            Some(KEY_A),
            Method::POST,
            path,
            LIST,
            Some(passport()),
            Some("key-1"),
        )
        .await;
    let (s2, again) = n
        .send(
            Some(KEY_A),
            Method::POST,
            path,
            LIST,
            Some(passport()),
            Some("key-1"),
        )
        .await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(first, again);
    let (status, err) = n
        .send(
            Some(KEY_A),
            Method::POST,
            path,
            LIST,
            Some(json!({"type": "VISA", "number": "2"})),
            Some("key-1"),
        )
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::CONFLICT, Some("DUPLICATE_REQUEST"))
    );
    assert_eq!(
        n.list("u", "").await.1["data"].as_array().unwrap().len(),
        1,
        "a retry created a second identification"
    );
    // A failed request does not hold its key: the corrected request goes through.
    let (status, _) = n
        .send(
            Some(KEY_A),
            Method::POST,
            path,
            LIST,
            Some(json!({"type": "VISA"})),
            Some("key-2"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = n
        .send(
            Some(KEY_A),
            Method::POST,
            path,
            LIST,
            Some(json!({"type": "VISA", "number": "V"})),
            Some("key-2"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// Sends `body` to `path` six times at once (spawned tasks) under one idempotency key; each
/// answer is 200 or 409 DUPLICATE_REQUEST. Answers the ids the 200s named.
async fn race_one_key(n: &Ncore, path: &str, body: Value) -> std::collections::HashSet<String> {
    let url = n.server.url(path);
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let req = n
                .server
                .client
                .post(&url)
                .header("apikey", KEY_A)
                .header("x-nymos-idempotency-key", "race")
                .json(&body);
            tokio::spawn(async move {
                let res = req.send().await.unwrap();
                (res.status(), res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => {
                ids.insert(body["id"].as_str().unwrap().to_owned());
            }
            StatusCode::CONFLICT => assert_eq!(body["code"], "DUPLICATE_REQUEST"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    ids
}

#[tokio::test]
async fn racing_retries_create_one_identification() {
    let n = Ncore::start().await;
    let ids = race_one_key(&n, "/v1/users/u/identifications", passport()).await;
    assert_eq!(
        ids.len(),
        1,
        "different identifications for one key: {ids:?}"
    );
    assert_eq!(n.list("u", "").await.1["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn lists_page_newest_first_with_a_cursor() {
    let n = Ncore::start().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            n.create(
                "u",
                json!({"type": "ADDITIONAL", "number": format!("N{i}")}),
            )
            .await
            .1["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    ids.reverse();
    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    loop {
        let (status, page) = n.list("u", &query).await;
        assert_eq!(status, StatusCode::OK);
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].as_str().unwrap().to_owned()),
        );
        assert_eq!(
            page["paging"]["has_more"].as_bool().unwrap(),
            page["paging"]["after"].is_string()
        );
        match page["paging"]["after"].as_str() {
            Some(after) => query = format!("?limit=2&after={after}"),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    for (q, field) in [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?after=nope", "after"),
    ] {
        let (status, err) = n.list("u", q).await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{q}"
        );
    }
}

#[tokio::test]
async fn updates_replace_what_is_sent_and_null_clears() {
    let n = Ncore::start().await;
    let (_, created) = n.create("u", passport()).await;
    let path = format!(
        "/users/u/identifications/{}",
        created["id"].as_str().unwrap()
    );
    let put = |body: Value| n.send(Some(KEY_A), Method::PUT, &path, ONE, Some(body), None);
    let (status, u) =
        put(json!({"type": "NATIONAL_ID", "issuance_authority": "ICA", "issuing_country": "are"}))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (u["type"].as_str(), u["number"].as_str()),
        (Some("NATIONAL_ID"), Some("132123123")),
        "absent fields stay"
    );
    assert_eq!(
        (
            u["issuance_authority"].as_str(),
            u["issuing_country"].as_str()
        ),
        (Some("ICA"), Some("ARE"))
    );
    let (_, u) = put(json!({"expiration_date": null})).await;
    assert!(u["expiration_date"].is_null());
    let (_, u) = put(json!({"expiration_date": "2030-12-31"})).await;
    assert_eq!(u["expiration_date"], "2030-12-31");
    for (body, field) in [
        (json!({"number": "  "}), "number"),
        (json!({"expiration_date": "31/12/2030"}), "expiration_date"),
        (json!({"issuing_country": "AE"}), "issuing_country"),
    ] {
        let (status, err) = put(body.clone()).await;
        assert_eq!(
            (status, err["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{body}"
        );
    }
}

#[tokio::test]
async fn bad_input_answers_in_the_ncore_error_shape() {
    let n = Ncore::start().await;
    for (body, field) in [
        (json!({"type": "PASSPORT", "number": ""}), Some("number")),
        (
            json!({"type": "PASSPORT", "number": "1", "expiration_date": "tomorrow"}),
            Some("expiration_date"),
        ),
        (json!({"type": "PASPORT", "number": "1"}), None),
        (json!({"number": "1"}), None),
    ] {
        let (status, err) = n.create("u", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(err["status"], 400);
        assert_eq!(err["field"].as_str(), field, "{body}");
    }
    let res = n
        .server
        .client
        .post(n.server.url("/v1/users/u/identifications"))
        .header("apikey", KEY_A)
        .header("content-type", "application/json")
        .body("{ \"type\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "BAD_REQUEST");
    let huge = json!({"type": "ADDITIONAL", "number": "1", "note": "x".repeat(n.server.config.server.json_body_limit)});
    let (status, err) = n.create("u", huge).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("PAYLOAD_TOO_LARGE"))
    );
    let (status, _) = n
        .send(
            Some(KEY_A),
            Method::GET,
            "/users/u/identifications/not-a-uuid",
            ONE,
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let files = "/v1/users/u/identifications/00000000-0000-0000-0000-000000000000/files";
    let res = n
        .server
        .client
        .get(n.server.url(files))
        .header("apikey", KEY_A)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::METHOD_NOT_ALLOWED,
        "only PUT uploads files"
    );
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "METHOD_NOT_ALLOWED"
    );
    // Refused requests stored nothing, not even the user.
    let (status, err) = n.list("u", "").await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("RESOURCE_NOT_EXIST"))
    );
}

#[tokio::test]
async fn keys_and_tenants_are_kept_apart() {
    let n = Ncore::start().await;
    let (_, created) = n.create("u", passport()).await;
    let one = format!(
        "/users/u/identifications/{}",
        created["id"].as_str().unwrap()
    );
    for key in [None, Some("wrong-key-123"), Some(ADMIN_A)] {
        let (status, err) = n.send(key, Method::GET, &one, ONE, None, None).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("UNAUTHORIZED")),
            "{key:?}"
        );
    }
    let (status, err) = n
        .send(Some(KEY_B), Method::GET, &one, ONE, None, None)
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("RESOURCE_NOT_EXIST"))
    );
    assert!(!err.to_string().contains("132123123"));
    let (status, _) = n
        .send(
            Some(KEY_B),
            Method::PUT,
            &one,
            ONE,
            Some(json!({"number": "stolen"})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another user of the same tenant does not see it either.
    n.create("v", json!({"type": "VISA", "number": "9"})).await;
    let other = format!(
        "/users/v/identifications/{}",
        created["id"].as_str().unwrap()
    );
    let (status, _) = n
        .send(Some(KEY_A), Method::GET, &other, ONE, None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, mine) = n
        .send(Some(KEY_A), Method::GET, &one, ONE, None, None)
        .await;
    assert_eq!(
        mine["number"], "132123123",
        "beta changed alpha's identification"
    );
}

#[tokio::test]
async fn documents_stored_elsewhere_appear_with_ncore_types() {
    let n = Ncore::start().await;
    let (status, subject) = {
        let res = n
            .server
            .client
            .post(n.server.url("/admin/v1/subjects"))
            .bearer_auth(ADMIN_A)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        (res.status(), res.json::<Value>().await.unwrap())
    };
    assert_eq!(status, StatusCode::CREATED);
    let id: uuid::Uuid = subject["id"].as_str().unwrap().parse().unwrap();
    let store = &n.server.store;
    let t = tenant("alpha");
    let licence = NewDocument {
        kind: Some(DocumentKind::DrivingLicence),
        number: Some("DL-1".into()),
        ..Default::default()
    };
    store
        .create_document(&t, id, licence.validate().unwrap())
        .await
        .unwrap();
    let card = NewDocument {
        kind: Some(DocumentKind::IdCard),
        number: Some("784-1".into()),
        issuing_country: Some(CountryCode::new("ARE").unwrap()),
        expires_on: chrono::NaiveDate::from_ymd_opt(2029, 3, 4),
        ..Default::default()
    };
    store
        .create_document(&t, id, card.validate().unwrap())
        .await
        .unwrap();
    // The subject's UUID works as an nCore user_id.
    let (status, list) = n.list(&id.to_string(), "").await;
    assert_eq!(status, StatusCode::OK);
    let data = list["data"].as_array().unwrap();
    assert_eq!(
        (data[0]["type"].as_str(), data[0]["number"].as_str()),
        (Some("NATIONAL_ID"), Some("784-1"))
    );
    assert_eq!(
        (
            data[0]["expiration_date"].as_str(),
            data[0]["issuing_country"].as_str()
        ),
        (Some("2029-03-04T00:00:00.000Z"), Some("ARE"))
    );
    assert_eq!(
        data[1]["type"], "ADDITIONAL",
        "a kind nCore has no type for reads as ADDITIONAL"
    );
    // And what nCore writes shows up for the subject everywhere.
    n.create(&id.to_string(), passport()).await;
    let docs = store.list_documents(&t, id).await.unwrap();
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[2].kind, DocumentKind::Passport);
    assert_eq!(
        docs[2].expires_on,
        chrono::NaiveDate::from_ymd_opt(2021, 9, 20)
    );
}

// ---------------------------------------------------------------------------------------
// Files

#[tokio::test]
async fn files_upload_and_come_back_byte_for_byte() {
    let n = Ncore::start().await;
    let id = n.identification("u", "NATIONAL_ID").await;
    let (front, back) = (png(3), png(7));
    let (status, up) = n
        .upload(
            KEY_A,
            "u",
            &id,
            vec![
                (Some("NATIONAL_ID_FRONT"), "front.png", front.clone()),
                (Some("NATIONAL_ID_BACK"), "back.png", back.clone()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let files = up["data"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(
        (
            files[0]["identification_document_type"].as_str(),
            files[1]["identification_document_type"].as_str()
        ),
        (Some("NATIONAL_ID_FRONT"), Some("NATIONAL_ID_BACK"))
    );
    assert_eq!(
        (
            files[0]["content_type"].as_str(),
            files[0]["width"].as_u64(),
            files[0]["height"].as_u64()
        ),
        (Some("image/png"), Some(640), Some(400))
    );
    assert_eq!(files[0]["size"].as_u64(), Some(front.len() as u64));
    let file_id = files[0]["id"].as_str().unwrap();
    let one = format!("/users/u/identifications/{id}/files/{file_id}");
    let (status, meta) = n
        .send(Some(KEY_A), Method::GET, &one, FILE, None, None)
        .await;
    assert_eq!((status, &meta), (StatusCode::OK, &files[0]));
    let (_, ident) = n
        .send(
            Some(KEY_A),
            Method::GET,
            &format!("/users/u/identifications/{id}"),
            ONE,
            None,
            None,
        )
        .await;
    assert_eq!(
        ident["files"], up["data"],
        "the identification lists its files"
    );

    let get = |suffix: &'static str, range: Option<&'static str>| {
        let mut req = n
            .server
            .client
            .get(n.server.url(&format!("/v1{one}{suffix}")))
            .header("apikey", KEY_A);
        if let Some(r) = range {
            req = req.header("range", r);
        }
        req.send()
    };
    let res = get(":download", None).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename=\"front.png\"; filename*=UTF-8''front.png"
    );
    assert_eq!(res.bytes().await.unwrap(), front);
    let res = get(":browse", None).await.unwrap();
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    assert_eq!(res.bytes().await.unwrap(), front);
    let res = get(":browse", Some("bytes=10-19")).await.unwrap();
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes 10-19/{}", front.len()).as_str()
    );
    assert_eq!(res.bytes().await.unwrap(), &front[10..20]);
    let res = get(":download", Some("bytes=99999-")).await.unwrap();
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    let res = get(":preview", None).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let (status, deleted) = n
        .send(Some(KEY_A), Method::DELETE, &one, FILE, None, None)
        .await;
    assert_eq!((status, &deleted["id"]), (StatusCode::OK, &files[0]["id"]));
    let (status, err) = n
        .send(Some(KEY_A), Method::GET, &one, FILE, None, None)
        .await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("RESOURCE_NOT_EXIST"))
    );
    assert_eq!(
        get(":download", None).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(n.file_count("u", &id).await, 1);
}

#[tokio::test]
async fn an_upload_is_all_or_nothing_and_names_the_bad_file() {
    let n = Ncore::start().await;
    let id = n.identification("u", "NATIONAL_ID").await;
    let cases = [
        (
            vec![
                (Some("NATIONAL_ID_FRONT"), "front.png", png(1)),
                (Some("NATIONAL_ID_BACK"), "back.png", pdf(500)),
            ],
            415,
            "file[1]",
        ),
        (
            vec![
                (Some("NATIONAL_ID_FRONT"), "front.png", png(1)),
                (
                    Some("NATIONAL_ID_BACK"),
                    "tool.exe",
                    b"MZ\x90\0program".to_vec(),
                ),
            ],
            415,
            "file[1]",
        ),
        (
            vec![(
                Some("NATIONAL_ID_FRONT"),
                "anim.gif",
                b"GIF89a\x01\0\x01\0".to_vec(),
            )],
            415,
            "file[0]",
        ),
        (
            vec![(Some("PASSPORT_PAGE1"), "p1.png", png(1))],
            400,
            "file[0]",
        ),
        (
            vec![
                (Some("NATIONAL_ID_FRONT"), "front.png", png(1)),
                (None, "back.png", png(2)),
            ],
            400,
            "file[1]",
        ),
        (
            vec![(Some("NATIONAL_ID_FRONT"), "noname", png(1))],
            415,
            "file[0]",
        ),
    ];
    for (parts, status, field) in cases {
        let (got, err) = n.upload(KEY_A, "u", &id, parts).await;
        assert_eq!(
            (got.as_u16(), err["field"].as_str()),
            (status, Some(field)),
            "{err}"
        );
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{field}:")),
            "{err}"
        );
    }
    assert_eq!(
        n.file_count("u", &id).await,
        0,
        "a refused upload stored some of its files"
    );
    // Business types take files without a document type.
    let business = n.identification("u", "TRADE_LICENSE").await;
    let (status, up) = n
        .upload(
            KEY_A,
            "u",
            &business,
            vec![(None, "licence.pdf", pdf(2000))],
        )
        .await;
    assert_eq!(
        (
            status,
            up["data"][0]["identification_document_type"].as_str()
        ),
        (StatusCode::OK, Some("NOT_APPLICABLE"))
    );
    let (status, up) = n
        .upload(
            KEY_A,
            "u",
            &business,
            vec![(Some("NOT APPLICABLE"), "licence.pdf", pdf(2000))],
        )
        .await;
    assert_eq!(
        (status, up["data"][0]["content_type"].as_str()),
        (StatusCode::OK, Some("application/pdf"))
    );
}

#[tokio::test]
async fn five_files_per_call_and_ten_per_identification() {
    let n = Ncore::start().await;
    let id = n.identification("u", "PASSPORT").await;
    let page = |i: u8| {
        (
            Some(if i.is_multiple_of(2) {
                "PASSPORT_PAGE1"
            } else {
                "PASSPORT_PAGE2"
            }),
            "page.png",
            png(i),
        )
    };
    let (status, err) = n.upload(KEY_A, "u", &id, (0..6).map(page).collect()).await;
    assert_eq!(
        (status, err["code"].as_str(), err["field"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("LIMIT_EXCEEDED"),
            Some("file[5]")
        )
    );
    assert_eq!(n.file_count("u", &id).await, 0);
    for _ in 0..2 {
        let (status, up) = n.upload(KEY_A, "u", &id, (0..5).map(page).collect()).await;
        assert_eq!(
            (status, up["data"].as_array().map(Vec::len)),
            (StatusCode::OK, Some(5))
        );
    }
    let (status, err) = n.upload(KEY_A, "u", &id, vec![page(1)]).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("LIMIT_EXCEEDED"))
    );
    assert_eq!(n.file_count("u", &id).await, 10);
}

#[tokio::test]
async fn parallel_uploads_never_pass_ten_files() {
    let n = std::sync::Arc::new(Ncore::start().await);
    let id = n.identification("u", "PASSPORT").await;
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            let n = n.clone();
            let id = id.clone();
            tokio::spawn(async move {
                let parts = (0..3)
                    .map(|j| (Some("PASSPORT_PAGE1"), "p.png", png(i * 3 + j)))
                    .collect();
                n.upload(KEY_A, "u", &id, parts).await.0
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::BAD_REQUEST => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 3, "three uploads of three fit under ten");
    assert_eq!(n.file_count("u", &id).await, 9);
}

/// A multipart body of one `file` part of `len` bytes (a PDF), generated as it is sent.
fn big_pdf_form(len: u64) -> reqwest::multipart::Form {
    let head = b"%PDF-1.7\n".to_vec();
    let pieces = futures::stream::iter((0..len.div_ceil(1 << 20)).map(move |i| {
        let start = i << 20;
        let n = (len - start).min(1 << 20) as usize;
        let mut piece = vec![b'x'; n];
        if i == 0 {
            piece[..head.len()].copy_from_slice(&head);
        }
        Ok::<_, std::io::Error>(piece)
    }));
    let part =
        reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(pieces), len)
            .file_name("big.pdf");
    reqwest::multipart::Form::new()
        .text("identification_document_type", "NOT_APPLICABLE")
        .part("file", part)
}

#[tokio::test]
async fn the_128_mb_limit_is_exact() {
    let n = Ncore::start().await;
    let id = n.identification("u", "BANK_STATEMENT").await;
    let url = n
        .server
        .url(&format!("/v1/users/u/identifications/{id}/files"));
    const LIMIT: u64 = 128 * 1024 * 1024;
    let res = n
        .server
        .client
        .put(&url)
        .header("apikey", KEY_A)
        .multipart(big_pdf_form(LIMIT))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["data"][0]["size"], LIMIT);
    let res = n
        .server
        .client
        .put(&url)
        .header("apikey", KEY_A)
        .multipart(big_pdf_form(LIMIT + 1))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let err: Value = res.json().await.unwrap();
    n.contract.check("PUT", FILES, 413, &err);
    assert_eq!(err["field"], "file[0]");
    assert_eq!(n.file_count("u", &id).await, 1);
}

#[tokio::test]
async fn a_huge_body_is_refused_without_being_read_to_the_end() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let n = Ncore::start().await;
    let id = n.identification("u", "BANK_STATEMENT").await;
    const GIB: u64 = 1 << 30;
    let boundary = "idbridge-test-boundary";
    let preamble = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"huge.pdf\"\r\ncontent-type: application/pdf\r\n\r\n%PDF-1.7\n"
    );
    let head = format!(
        "PUT /v1/users/u/identifications/{id}/files HTTP/1.1\r\nhost: x\r\napikey: {KEY_A}\r\n\
         content-type: multipart/form-data; boundary={boundary}\r\ncontent-length: {}\r\n\r\n{preamble}",
        GIB + preamble.len() as u64
    );
    let stream = tokio::net::TcpStream::connect(n.server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let (mut read, mut write) = stream.into_split();
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = sent.clone();
    let writer = tokio::spawn(async move {
        write.write_all(head.as_bytes()).await.unwrap();
        let piece = vec![b'x'; 1 << 20];
        while counter.load(std::sync::atomic::Ordering::Relaxed) < GIB {
            if write.write_all(&piece).await.is_err() {
                break;
            }
            counter.fetch_add(piece.len() as u64, std::sync::atomic::Ordering::Relaxed);
        }
    });
    // The server answers 413 and closes with the rest of the body unread; the kernel may then
    // reset the connection before the answer is read. Either way the writer must be stopped
    // (its writes fail) long before 1 GiB: that is the cut-off this test is about.
    let mut answer = vec![0u8; 12];
    match read.read_exact(&mut answer).await {
        Ok(_) => assert_eq!(&answer, b"HTTP/1.1 413"),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
    }
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(60), writer).await;
    assert!(stopped.is_ok(), "the server kept reading the body");
    let taken = sent.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        taken < GIB / 2,
        "the server read {} MiB of a 1 GiB body before refusing it",
        taken >> 20
    );
    assert_eq!(n.file_count("u", &id).await, 0);
}

#[tokio::test]
async fn files_are_visible_only_through_their_own_identification_and_tenant() {
    let n = Ncore::start().await;
    let id = n.identification("u", "VISA").await;
    let other = n.identification("u", "VISA").await;
    let (_, up) = n
        .upload(
            KEY_A,
            "u",
            &id,
            vec![(Some("VISA"), "visa.jpg", {
                let mut v = vec![0xFF, 0xD8, 0xFF, 0xE0];
                v.extend(std::iter::repeat_n(1u8, 500));
                v
            })],
        )
        .await;
    let file_id = up["data"][0]["id"].as_str().unwrap();
    let (status, _) = n
        .send(
            Some(KEY_A),
            Method::GET,
            &format!("/users/u/identifications/{other}/files/{file_id}"),
            FILE,
            None,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a file read through another identification"
    );
    let mine = format!("/users/u/identifications/{id}/files/{file_id}");
    let (status, _) = n
        .send(Some(KEY_B), Method::GET, &mine, FILE, None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = n
        .send(Some(KEY_B), Method::DELETE, &mine, FILE, None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = n
        .server
        .client
        .get(n.server.url(&format!("/v1{mine}:download")))
        .header("apikey", KEY_B)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (status, _) = n
        .upload(KEY_B, "u", &id, vec![(Some("VISA"), "v.png", png(1))])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(n.file_count("u", &id).await, 1);
}

/// The media types the served document of `api` declares for `GET template` answering
/// `status`.
async fn documented_types(
    server: &TestServer,
    api: &str,
    template: &str,
    status: &str,
) -> Vec<String> {
    let doc: Value = server
        .client
        .get(server.url(&format!("/openapi/{api}.json")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    doc["paths"][template]["get"]["responses"][status]["content"]
        .as_object()
        .map(|c| c.keys().cloned().collect())
        .unwrap_or_default()
}

/// Found by schemathesis: `:browse` and `:download` sent the file's own media type and
/// answered 400 and 401, none of which their document declared (it said
/// `application/octet-stream`).
#[tokio::test]
async fn browse_and_download_answer_only_as_documented() {
    let n = Ncore::start().await;
    let id = n.identification("u", "NATIONAL_ID").await;
    let (_, up) = n
        .upload(
            KEY_A,
            "u",
            &id,
            vec![(Some("NATIONAL_ID_FRONT"), "front.png", png(5))],
        )
        .await;
    let file_id = up["data"][0]["id"].as_str().unwrap();
    for action in ["browse", "download"] {
        let template = format!("{FILE}:{action}");
        let path = format!("/v1/users/u/identifications/{id}/files/{file_id}:{action}");
        for (range, status) in [(None, "200"), (Some("bytes=0-9"), "206")] {
            let mut req = n
                .server
                .client
                .get(n.server.url(&path))
                .header("apikey", KEY_A);
            if let Some(r) = range {
                req = req.header("range", r);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status().as_str(), status);
            let sent = res.headers()["content-type"].to_str().unwrap().to_owned();
            assert_eq!(sent, "image/png");
            let documented = documented_types(&n.server, "ncore", &template, status).await;
            assert!(
                documented.contains(&sent),
                "{template} {status}: {documented:?}"
            );
        }
        let res = n
            .server
            .client
            .get(n.server.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let body: Value = res.json().await.unwrap();
        n.contract.check("GET", &template, 401, &body);
        let malformed = format!("/v1/users/u/identifications/not-an-id/files/{file_id}:{action}");
        let res = n
            .server
            .client
            .get(n.server.url(&malformed))
            .header("apikey", KEY_A)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let body: Value = res.json().await.unwrap();
        n.contract.check("GET", &template, 400, &body);
    }
}

/// Schemathesis warned that pages its document called valid were refused: `limit` was
/// documented as any integer from 0; it is declared 1 to 100, as checked.
#[tokio::test]
async fn the_list_limit_is_documented_as_checked() {
    let n = Ncore::start().await;
    n.identification("u", "PASSPORT").await;
    for (limit, want) in [(0, 400), (1, 200), (100, 200), (101, 400)] {
        let (status, _) = n.list("u", &format!("?limit={limit}")).await;
        assert_eq!(status.as_u16(), want, "limit={limit}");
    }
    let doc: Value = n
        .server
        .client
        .get(n.server.url("/openapi/ncore.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let limit = doc["paths"][LIST]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(
        (&limit["schema"]["minimum"], &limit["schema"]["maximum"]),
        (&json!(1), &json!(100))
    );
}
