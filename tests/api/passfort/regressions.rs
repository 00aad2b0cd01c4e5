//! PassFort review regressions.

use super::*;

/// A subject made through the admin API and a mydocs client token for it.
async fn mydocs_client(p: &Passfort) -> (String, String) {
    let (subject, token) =
        crate::common::mydocs::new_client(&p.server.client, &p.server.base, ADMIN_A).await;
    (subject.to_string(), token)
}

/// A mydocs request with a client token: status and JSON body.
async fn mydocs(
    p: &Passfort,
    token: &str,
    method: Method,
    path: &str,
    form: Option<reqwest::multipart::Form>,
) -> (StatusCode, Value) {
    let mut req = p
        .server
        .client
        .request(method, p.server.url(&format!("/api/v2/my{path}")))
        .bearer_auth(token);
    if let Some(f) = form {
        req = req.multipart(f);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn collected_data_posted_back_unchanged_keeps_other_apis_view() {
    let p = Passfort::start().await;

    // An ID card through mydocs (type 2, front and back).
    let (subject, token) = mydocs_client(&p).await;
    let form = reqwest::multipart::Form::new()
        .text("typeID", "2")
        .part(
            "file",
            reqwest::multipart::Part::bytes(png(1)).file_name("front.png"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(png(2)).file_name("back.png"),
        );
    let (status, card) = mydocs(&p, &token, Method::POST, "/documents", Some(form)).await;
    assert_eq!(status, StatusCode::CREATED, "{card}");
    assert_eq!(card["typeId"], 2, "{card}");
    let card_seq = card["id"].as_i64().unwrap();
    let card_uuid = p.collected(&subject).await["documents"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // An ID card through nCore, on a PassFort profile.
    let id = p.individual("Ada", "Lovelace").await;
    let ident_id = p
        .ncore_at()
        .identification(
            &id,
            json!({"type": "NATIONAL_ID", "number": "784-1", "issuing_country": "ARE"}),
        )
        .await;

    for profile in [&subject, &id] {
        let before = p.collected(profile).await;
        let docs = before["documents"].as_array().unwrap();
        assert_eq!(docs.len(), 1, "{before}");
        assert_eq!(docs[0]["document_type"], "STATE_ID", "{before}");
        let r = p
            .call(
                Method::POST,
                &format!("/profiles/{profile}/collected_data"),
                COLLECTED,
                Body::Json(before.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.body["documents"][0]["id"], docs[0]["id"], "{}", r.body);
        assert_eq!(r.body["documents"][0]["document_type"], "STATE_ID");
        assert_eq!(r.body["documents"][0]["images"], docs[0]["images"]);
        assert_eq!(p.collected(profile).await, r.body);
    }

    // mydocs still shows a national ID card, nCore still a NATIONAL_ID.
    let (status, got) = mydocs(
        &p,
        &token,
        Method::GET,
        &format!("/documents/{card_seq}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(
        (&got["typeId"], &got["type"]["name"]),
        (&json!(2), &json!("National ID / Passport")),
        "{got}"
    );
    assert_eq!(got["files"].as_array().unwrap().len(), 2, "{got}");
    let (status, one) = p
        .ncore(
            Method::GET,
            &format!("/users/{subject}/identifications/{card_uuid}"),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["type"], "NATIONAL_ID", "mydocs' card in nCore: {one}");
    let (status, one) = p
        .ncore(
            Method::GET,
            &format!("/users/{id}/identifications/{ident_id}"),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(
        (&one["type"], &one["number"], &one["issuing_country"]),
        (&json!("NATIONAL_ID"), &json!("784-1"), &json!("ARE")),
        "{one}"
    );
}

#[tokio::test]
async fn a_search_text_is_at_most_200_characters() {
    let p = Passfort::start().await;
    p.individual("Ada", "Lovelace").await;
    let e_acute = "%C3%A9";
    for (q, ok) in [
        ("a".repeat(200), true),
        ("a".repeat(201), false),
        (e_acute.repeat(200), true),
        (e_acute.repeat(201), false),
        ("a".repeat(5000), false),
    ] {
        let r = p.get(&format!("/profiles?q={q}"), PROFILES).await;
        let context = format!("q of {} bytes", q.len());
        if ok {
            assert_eq!(r.status, StatusCode::OK, "{context}: {}", r.body);
            assert_eq!(
                (&r.body["count"], &r.body["results"]),
                (&json!(0), &json!([])),
                "{context}"
            );
        } else {
            assert_invalid(&r, "q", &context);
        }
    }
}

#[tokio::test]
async fn a_replace_with_an_invalid_document_patch_changes_nothing() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let img = p.add_image_id(&id, &png(1), "FRONT").await;
    let free = p.add_image_id(&id, &png(2), "FRONT").await;
    let doc_id = p.add_document_id(&id, json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": img}],
                   "extracted_data": {"number": "P-1", "issued": "2020-01-01", "expiry": "2030-01-01"}})).await;
    let path = format!("/profiles/{id}/collected_data");
    let before = p.collected(&id).await;
    let profile_before = p.get(&format!("/profiles/{id}"), PROFILE).await.body;
    assert_eq!(profile_before["display_name"], "Ada Lovelace");

    let existing = |extracted: Value| {
        json!({"id": doc_id, "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
               "images": [{"id": img}], "extracted_data": extracted})
    };
    let unchanged = existing(before["documents"][0]["extracted_data"].clone());
    let cases = [
        (
            vec![existing(
                json!({"number": "P-1", "issued": "2031-01-01", "expiry": "2030-01-01"}),
            )],
            "documents[0].extracted_data.issued",
        ),
        (
            vec![existing(
                json!({"issued": "2020-01-01", "expiry": "2030-01-01", "number": "P\u{1}1"}),
            )],
            "documents[0].extracted_data.number",
        ),
        (
            vec![
                unchanged.clone(),
                json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": free}],
                       "extracted_data": {"issued": "2031-01-01", "expiry": "2030-01-01"}}),
            ],
            "documents[1].extracted_data.issued",
        ),
    ];
    for (documents, field) in cases {
        let body = json!({
            "entity_type": "INDIVIDUAL",
            "personal_details": {"name": {"given_names": ["Augusta"], "family_name": "King"}},
            "documents": documents,
        });
        let r = p
            .call(Method::POST, &path, COLLECTED, Body::Json(body.clone()))
            .await;
        assert_invalid(&r, field, &body.to_string());
        assert_eq!(
            p.collected(&id).await,
            before,
            "{field}: collected data changed"
        );
        let profile = p.get(&format!("/profiles/{id}"), PROFILE).await.body;
        assert_eq!(
            profile["display_name"], "Ada Lovelace",
            "{field}: {profile}"
        );
        assert_eq!(profile, profile_before, "{field}: the profile changed");
        let found = p.get("/profiles?q=augusta", PROFILES).await;
        assert_eq!(
            found.body["count"], 0,
            "{field}: the new name is searchable"
        );
    }
    assert_eq!(ids(&p.images(&id).await), [&img, &free]);
    assert_eq!(
        p.server
            .store
            .list_documents(&crate::common::tenant("alpha"), id.parse().unwrap())
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn malformed_ids_are_400s_in_the_contract() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let file = p
        .add_file_id(&id, json!({"data": B64.encode(png(2))}))
        .await;
    for bad in [
        "not-a-uuid",
        "12345",
        "0190a8b2-zzzz-7000-8000-000000000000",
    ] {
        for (method, path, template) in [
            (
                Method::GET,
                format!("/profiles/{bad}/collected_data"),
                COLLECTED,
            ),
            (Method::GET, format!("/profiles/{bad}/files/{file}"), FILE),
            (Method::GET, format!("/profiles/{id}/files/{bad}"), FILE),
            (Method::POST, format!("/profiles/{bad}/files/{file}"), FILE),
            (Method::POST, format!("/profiles/{id}/files/{bad}"), FILE),
            (
                Method::GET,
                format!("/profiles/{bad}/document_images"),
                IMAGES,
            ),
            (
                Method::GET,
                format!("/profiles/{bad}/document_images/{image}"),
                IMAGE,
            ),
            (
                Method::GET,
                format!("/profiles/{id}/document_images/{bad}"),
                IMAGE,
            ),
        ] {
            // `call` checks the body against the generated contract's 400 entry and
            // PassFort's own Error schema.
            let r = p.call(method.clone(), &path, template, Body::Empty).await;
            assert_eq!(
                (r.status, &first_error(&r)["code"]),
                (StatusCode::BAD_REQUEST, &json!(201)),
                "{method} {path}: {}",
                r.body
            );
        }
    }
}

/// Found by schemathesis (its `negative_data_rejection` check, on the admin API): serde reads
/// a struct from a JSON array by position, so `["INDIVIDUAL_CUSTOMER", {…}]` created a
/// profile. A body that is not an object is a 400 naming `body` and creates nothing.
#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let p = Passfort::start().await;
    let positional = json!(["INDIVIDUAL_CUSTOMER", {"entity_type": "INDIVIDUAL"}]);
    let r = p
        .call(Method::POST, "/profiles", PROFILES, Body::Json(positional))
        .await;
    assert_invalid(&r, "body", "a profile as an array");
    let count = p.get("/profiles", PROFILES).await.body["count"].as_u64();
    assert_eq!(count, Some(0), "no profile is left behind");

    let profile = p.individual("Ada", "Lovelace").await;
    let path = format!("/profiles/{profile}/collected_data/documents");
    let positional = json!(["PROOF_OF_IDENTITY", "PASSPORT", []]);
    let r = p
        .call(Method::POST, &path, DOCUMENTS, Body::Json(positional))
        .await;
    assert_invalid(&r, "body", "a document as an array");
}

/// The limiter runs before the path and the body are read: a 413 or a malformed id on a
/// limited operation is counted and answers with the `X-RateLimit-*` headers, naming its
/// field and limit.
#[tokio::test]
async fn errors_before_the_handler_are_rate_limited_too() {
    let p = Passfort::start_with(|c| {
        c.adapters.passfort.rate_limit_burst = 3;
        c.adapters.passfort.rate_limit_per_hour = 1;
        c.server.json_body_limit = 4096;
    })
    .await;
    let big = Bytes::from(format!("{{\"pad\": \"{}\"}}", "x".repeat(8192)));
    let r = p
        .call(Method::POST, "/profiles", PROFILES, Body::Raw(big))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(
        first_error(&r)["info"],
        json!({"field": "body", "max_bytes": 4096})
    );
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 2);
    let r = p
        .call(
            Method::POST,
            "/profiles/not-a-uuid/collected_data",
            COLLECTED,
            Body::Empty,
        )
        .await;
    assert_invalid(&r, "profile_id", "a malformed id");
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 2, "its own budget");
    let r = p
        .call(
            Method::POST,
            "/profiles",
            PROFILES,
            Body::Json(individual_body("Ada", "Lovelace")),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        header_u64(&r, "x-ratelimit-remaining"),
        1,
        "the 413 was counted"
    );
    let id = r.body["id"].as_str().unwrap().to_owned();
    let big = Bytes::from(format!("{{\"entity_type\": \"{}\"}}", "x".repeat(8192)));
    let r = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/collected_data"),
            COLLECTED,
            Body::Raw(big),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 1);
}

/// Every 201 INVALID_INPUT_DATA names its field in `info.field`: serde's failures by their
/// JSON path, path and query parameters by name.
#[tokio::test]
async fn bad_input_names_its_field() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let cd = json!({"entity_type": "INDIVIDUAL"});
    for (body, field) in [
        (
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": []}),
            "collected_data",
        ),
        (json!({"collected_data": cd}), "role"),
        (json!({"role": "ROBOT", "collected_data": cd}), "role"),
        (
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL",
                   "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}]}]}}),
            "collected_data.documents",
        ),
    ] {
        let r = p.post("/profiles", PROFILES, body.clone()).await;
        assert_invalid(&r, field, &body.to_string());
    }
    let images = format!("/profiles/{id}/document_images");
    for (body, field) in [
        (
            json!({"data": SEED_FILE, "image_type": "SIDE"}),
            "image_type",
        ),
        (json!({"image_type": "FRONT"}), "data"),
        (json!({"data": uuid::Uuid::new_v4()}), "data"),
    ] {
        let r = p.post(&images, IMAGES, body.clone()).await;
        assert_invalid(&r, field, &body.to_string());
    }
    let r = p
        .post(
            &format!("/profiles/{id}/files"),
            FILES,
            json!({"data": uuid::Uuid::new_v4()}),
        )
        .await;
    assert_invalid(&r, "data", "a UUID as a file's data");
    assert!(
        first_error(&r)["message"]
            .as_str()
            .unwrap()
            .contains("not supported"),
        "{}",
        r.body
    );
    for (body, field) in [
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENSE", "images": [{"id": image}]}),
            "document_type",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": "nope"}]}),
            "images[0].id",
        ),
        (
            json!({"document_type": "PASSPORT", "images": [{"id": image}]}),
            "category",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}], "colour": "red"}),
            "colour",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": []}),
            "images",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}],
                   "extracted_data": {"expiry": "01/02/2030"}}),
            "extracted_data.expiry",
        ),
    ] {
        let r = p.add_document(&id, body.clone()).await;
        assert_invalid(&r, field, &body.to_string());
    }
    for (path, template, field) in [
        ("/profiles?limit=abc".to_owned(), PROFILES, "limit"),
        ("/profiles?offset=-1".to_owned(), PROFILES, "offset"),
        ("/profiles?q=%00".to_owned(), PROFILES, "q"),
        ("/profiles/not-a-uuid".to_owned(), PROFILE, "profile_id"),
        (format!("/profiles/{id}/files/nope"), FILE, "file_id"),
        (
            format!("/profiles/{id}/document_images/nope"),
            IMAGE,
            "document_image_id",
        ),
    ] {
        let r = p.get(&path, template).await;
        assert_invalid(&r, field, &path);
    }
    // Nothing was added along the way.
    assert_eq!(ids(&p.images(&id).await), [&image]);
    assert_eq!(p.collected(&id).await["documents"], json!([]));
}

/// An `apikey` header that is not text is a key sent, and not a valid one: 204, not 203.
#[tokio::test]
async fn an_apikey_header_that_is_not_text_is_an_invalid_key() {
    let p = Passfort::start().await;
    let res = p
        .server
        .client
        .get(p.server.url("/4.0/profiles"))
        .header(
            "apikey",
            reqwest::header::HeaderValue::from_bytes(b"key-\xff\xfe").unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], 204, "{body}");
}

/// A stored blob that cannot be read is a 500 with PassFort's 401 UNKNOWN_INTERNAL_ERROR,
/// saying nothing of the cause.
#[tokio::test]
async fn an_unreadable_file_is_an_unknown_internal_error() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let blob = p
        .server
        .store
        .blobs()
        .local_root()
        .unwrap()
        .join(idbridge::store::Blobs::key_for(image.parse().unwrap()));
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[0] ^= 0xff;
    std::fs::write(&blob, bytes).unwrap();
    // Not checked against the contract: a 500 is declared nowhere.
    let r = p
        .request(
            Auth::Header(KEY_A),
            Method::GET,
            &format!("/profiles/{id}/files/{image}"),
            None,
            Body::Empty,
        )
        .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    vendor_check("Error", first_error(&r), "a 500");
    assert_eq!(
        (
            &first_error(&r)["code"],
            &first_error(&r)["message"],
            &first_error(&r)["info"]
        ),
        (&json!(401), &json!("internal error"), &json!({}))
    );
}

/// Sends `POST /4.0{path}` with a chunked body of `A`s that passes `limit` and then never
/// ends (no final chunk), and returns the raw answer. The server must answer while the body
/// is still open: a server that waited for the body's end would never answer (the timeout
/// fails the test). Nothing is sent past the limit, so the server has read everything sent
/// when it closes and the answer cannot be lost to a reset.
async fn endless_chunked_body(p: &Passfort, path: &str, preamble: &str, limit: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(p.server.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let (mut read, mut write) = stream.into_split();
    let head = format!(
        "POST /4.0{path} HTTP/1.1\r\nhost: x\r\napikey: {KEY_A}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    write.write_all(head.as_bytes()).await.unwrap();
    let chunk = |data: &[u8]| [format!("{:x}\r\n", data.len()).as_bytes(), data, b"\r\n"].concat();
    write.write_all(&chunk(preamble.as_bytes())).await.unwrap();
    let mut sent = preamble.len();
    let piece = vec![b'A'; 256 * 1024];
    while sent <= limit {
        let n = piece.len().min(limit + 1 - sent);
        write.write_all(&chunk(&piece[..n])).await.unwrap();
        sent += n;
    }
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        read.read_to_end(&mut answer),
    )
    .await
    .expect("no answer while the body was still open")
    .unwrap();
    drop(write);
    String::from_utf8(answer).unwrap()
}

/// The JSON of a raw HTTP/1.1 answer with a `content-length`.
fn raw_json(answer: &str) -> Value {
    let (_, body) = answer.split_once("\r\n\r\n").expect("a complete answer");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

/// A body without `Content-Length` is refused the moment it passes the route's limit, even
/// though it never ends, with PassFort's 413: on a JSON route and on an upload route.
#[tokio::test]
async fn a_chunked_body_that_never_ends_is_refused_once_past_the_limit() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let stored = p.files_stored().await;
    let json_limit = p.server.config.server.json_body_limit;
    let answer = endless_chunked_body(
        &p,
        "/profiles",
        r#"{"role":"INDIVIDUAL_CUSTOMER","collected_data":{"entity_type":"INDIVIDUAL","customer_ref":""#,
        json_limit,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // A limited operation: the refusal is counted and says so.
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("x-ratelimit-remaining"),
        "{answer}"
    );
    let body = raw_json(&answer);
    vendor_check(
        "Error",
        &body["errors"][0],
        "a chunked POST /profiles past the limit",
    );
    assert_eq!(
        body["errors"][0],
        json!({"code": 201, "source": "API", "message": format!("body: the body is over {json_limit} bytes"),
               "info": {"field": "body", "max_bytes": json_limit}})
    );

    // An upload route: the limit is the base64 of a 50 MB file with room for escapes.
    let upload_limit = MAX_FILE.div_ceil(3) * 4 / 8 * 9 + 64 * 1024;
    let preamble = format!(
        "{{\"data\":\"{}",
        B64.encode(crate::common::png_header(10, 10))
    );
    let answer = endless_chunked_body(
        &p,
        &format!("/profiles/{id}/files"),
        &preamble,
        upload_limit,
    )
    .await;
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "{}",
        &answer[..answer.len().min(300)]
    );
    let body = raw_json(&answer);
    assert_eq!(
        body["errors"][0]["info"],
        json!({"field": "data", "max_bytes": MAX_FILE})
    );
    assert_eq!(body["errors"][0]["code"], 201);
    assert_eq!(p.files_stored().await, stored, "a refused upload was kept");
    assert_eq!(p.get("/profiles", PROFILES).await.body["count"], 1);
}

/// `POST /profiles` with documents in collected data gets one error saying documents come
/// once the profile exists (their images need the profile), not an error about an image id;
/// `documents: []` is no document and is accepted.
#[tokio::test]
async fn documents_on_a_new_profile_are_refused_as_too_early() {
    let p = Passfort::start().await;
    let body = json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL",
        "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
                       "images": [{"id": uuid::Uuid::new_v4()}]}, {"category": "X"}]}});
    let r = p.post("/profiles", PROFILES, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["errors"].as_array().map(Vec::len), Some(1));
    let e = first_error(&r);
    assert_eq!(
        (&e["code"], &e["info"]),
        (&json!(201), &json!({"field": "collected_data.documents"}))
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("added once the profile exists"),
        "{e}"
    );
    assert_eq!(p.get("/profiles", PROFILES).await.body["count"], 0);
    let r = p
        .post(
            "/profiles",
            PROFILES,
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL", "documents": []}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["collected_data"]["documents"], json!([]));
}

/// A replace whose `entity_type` does not suit the stored role names `entity_type`, the
/// field of its body, and the role it does not suit; a blank document number is refused
/// in a replace too, and nothing changes.
#[tokio::test]
async fn a_replace_names_the_fields_of_its_own_body() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let path = format!("/profiles/{id}/collected_data");
    let before = p.collected(&id).await;
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({"entity_type": "COMPANY", "metadata": {"name": "Acme"}})),
        )
        .await;
    assert_invalid(
        &r,
        "collected_data.entity_type",
        "a company on an individual",
    );
    assert!(
        first_error(&r)["message"]
            .as_str()
            .unwrap()
            .contains("INDIVIDUAL_CUSTOMER"),
        "{}",
        r.body
    );
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({"entity_type": "INDIVIDUAL", "documents": [
                {"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}],
                 "extracted_data": {"number": ""}}]})),
        )
        .await;
    assert_invalid(&r, "documents[0].extracted_data.number", "a blank number");
    assert_eq!(
        p.collected(&id).await,
        before,
        "a refused replace changed something"
    );
}

/// A key in both places: the header is the one checked. A wrong header is refused even
/// with a valid `?apikey=`, and a valid header is served whatever the query says.
#[tokio::test]
async fn the_apikey_header_wins_over_the_query_parameter() {
    let p = Passfort::start().await;
    let send = |header: &'static str, query: &'static str| {
        p.server
            .client
            .get(p.server.url(&format!("/4.0/profiles?apikey={query}")))
            .header("apikey", header)
            .send()
    };
    let res = send("wrong-key-123", KEY_A).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["errors"][0],
        json!({"code": 204, "source": "API", "message": "the API key is not valid", "info": {}})
    );
    // Beta's valid key in the header, alpha's in the query: beta's profiles are listed.
    p.individual("Ada", "Lovelace").await;
    let res = send(KEY_B, KEY_A).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["count"], 0, "the query's tenant was served: {body}");
    let res = send(KEY_A, "wrong-key-123").await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["count"], 1, "{body}");
}
