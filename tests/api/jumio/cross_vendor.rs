//! Jumio and the other vendor APIs over one store.

use super::*;

#[tokio::test]
async fn an_id_credential_is_an_ncore_identification_with_its_files() {
    let j = Jumio::start().await;
    let ncore = Contract::of("ncore");
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] =
        json!([{"category": "ID", "type": {"values": ["ID_CARD"]}}]);
    let e = j.open(&access, body).await;
    let id = e.cred("ID");
    let (front, back) = (png(1000, 700, 11), jpeg(1000, 700, 12));
    j.add(&e, &id, "FRONT", front.clone()).await;
    j.add(&e, &id, "BACK", back.clone()).await;

    let res = j
        .server
        .client
        .get(
            j.server
                .url(&format!("/v1/users/{}/identifications", e.account)),
        )
        .header("apikey", NCORE_KEY_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    ncore.check("GET", "/users/{user_id}/identifications", 200, &list);
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{list}");
    assert_eq!(data[0]["id"], id.as_str());
    assert_eq!(data[0]["type"], "NATIONAL_ID");
    let files = data[0]["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{list}");
    for (file, (kind, bytes)) in files
        .iter()
        .zip([("NATIONAL_ID_FRONT", &front), ("NATIONAL_ID_BACK", &back)])
    {
        assert_eq!(file["identification_document_type"], kind);
        let url = format!(
            "/v1/users/{}/identifications/{id}/files/{}:download",
            e.account,
            file["id"].as_str().unwrap()
        );
        let res = j
            .server
            .client
            .get(j.server.url(&url))
            .header("apikey", NCORE_KEY_A)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(sha(&res.bytes().await.unwrap()), sha(bytes), "{kind}");
    }
}

#[tokio::test]
async fn a_document_stored_through_ncore_is_read_through_jumio() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let user = &e.account;
    let res = j
        .server
        .client
        .post(j.server.url(&format!("/v1/users/{user}/identifications")))
        .header("apikey", NCORE_KEY_A)
        .json(&json!({"type": "NATIONAL_ID", "number": "784-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let ident: Value = res.json().await.unwrap();
    let doc = ident["id"].as_str().unwrap().to_owned();
    let front = png(1000, 640, 21);
    let form = Form::new()
        .text("identification_document_type", "NATIONAL_ID_FRONT")
        .part("file", Part::bytes(front.clone()).file_name("front.png"));
    let res = j
        .server
        .client
        .put(
            j.server
                .url(&format!("/v1/users/{user}/identifications/{doc}/files")),
        )
        .header("apikey", NCORE_KEY_A)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let (status, got) = j
        .image(
            &access,
            &format!("/api/v1/accounts/{user}/credentials/{doc}/parts/FRONT"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&got), sha(&front));
    let (status, _) = j
        .image(
            &access,
            &format!("/api/v1/accounts/{user}/credentials/{doc}/parts/BACK"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another tenant's access token reads nothing of it.
    let beta = j.access(CLIENT_B).await;
    let (status, _) = j
        .image(
            &beta,
            &format!("/api/v1/accounts/{user}/credentials/{doc}/parts/FRONT"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_api_token_stops_working_when_its_lifetime_runs_out() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let cred = e.cred("ID");
    j.add(&e, &cred, "FRONT", png(640, 400, 1)).await;
    // Time passing, for the token only: its stored expiry moves into the past. (The
    // execution's own expiry is another clock; it is tested separately.)
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        j.server.dir.path().join("idbridge.db").display()
    ))
    .await
    .unwrap();
    let moved = sqlx::query("UPDATE tokens SET expires_at = $1 WHERE process_id = $2")
        .bind(chrono::Utc::now().timestamp_millis() - 1000)
        .bind(&e.id)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(moved.rows_affected(), 1, "one api.token per execution");
    let answer = j
        .part(&e, Method::POST, &cred, "BACK", vec![png(640, 400, 2)])
        .await;
    assert_eq!(error(&answer, 401).as_deref(), None, "{answer:?}");
    assert!(
        answer.1["message"].as_str().unwrap().contains("expired"),
        "{answer:?}"
    );
    let answer = j.finalize(&e).await;
    assert_eq!(answer.0, StatusCode::UNAUTHORIZED, "{answer:?}");
    // The access token is another clock: retrieval still works, and shows nothing was added.
    let (status, details) = j.details(&access, &e).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        details["credentials"][0]["parts"].as_array().unwrap().len(),
        1
    );
}

/// Found by schemathesis: a part's image is sent with its own media type (`image/jpeg`,
/// `image/png`), which the document did not declare (it said `application/octet-stream`).
#[tokio::test]
async fn part_images_are_typed_as_their_document_declares() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", jpeg(1000, 700, 3)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 5)).await;
    let doc: Value = j
        .server
        .client
        .get(j.server.url("/openapi/jumio.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented = |status: &str| -> Vec<String> {
        doc["paths"][IMAGE]["get"]["responses"][status]["content"]
            .as_object()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    };
    for (classifier, sent) in [("FRONT", "image/jpeg"), ("BACK", "image/png")] {
        for (range, status) in [(None, "200"), (Some("bytes=0-3"), "206")] {
            let mut req = j
                .server
                .client
                .get(j.url(&e.image(&id, classifier)))
                .header("user-agent", UA)
                .bearer_auth(&access);
            if let Some(r) = range {
                req = req.header("range", r);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status().as_str(), status, "{classifier}");
            assert_eq!(res.headers()["content-type"], sent);
            assert!(
                documented(status).iter().any(|t| t == sent),
                "{status} {sent}: {:?}",
                documented(status)
            );
        }
    }
}

/// Schemathesis warned that calls its document called valid were refused: the document let
/// `User-Agent` and `grant_type` be any string, while a blank User-Agent is 403 and another
/// grant 400. Both are now declared as strictly as they are checked.
#[tokio::test]
async fn user_agent_and_grant_type_are_documented_as_strictly_as_checked() {
    let j = Jumio::start().await;
    let (status, _) = j
        .send_as(
            Method::POST,
            ACCOUNTS,
            ACCOUNTS,
            None,
            Some(" \t"),
            Body::Json(key_only(2)),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a blank User-Agent");
    let (status, _) = j
        .token_request(Some(CLIENT_A), "grant_type=password", true)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let doc: Value = j
        .server
        .client
        .get(j.server.url("/openapi/jumio.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let operations: Vec<(&String, &Value)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| item.as_object().unwrap().values().map(move |op| (path, op)))
        .collect();
    assert_eq!(operations.len(), 22);
    // The web page is opened by a browser with its token in the URL: no API header applies.
    for (path, op) in operations
        .into_iter()
        .filter(|(p, _)| !p.starts_with("/web/"))
    {
        let ua = op["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "User-Agent"))
            .unwrap_or_else(|| panic!("{path}: no User-Agent parameter"));
        assert_eq!(
            (&ua["in"], &ua["required"]),
            (&json!("header"), &json!(true))
        );
        assert_eq!(ua["schema"]["pattern"], r"\S", "{path}");
    }
    assert_eq!(
        doc["components"]["schemas"]["TokenRequest"]["properties"]["grant_type"]["pattern"],
        "^client_credentials$"
    );
}

/// Found by schemathesis (its `negative_data_rejection` check, on the admin API): serde reads
/// a struct from a JSON array by position, so an account was created from
/// `["CUST", {"key": 2}, null, …]` and prefill took `[…]`. A body that is not an object is a
/// 400 and creates nothing.
#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let subjects = || async {
        j.server
            .store
            .list_subjects(&tenant("alpha"), 1000, 0)
            .await
            .unwrap()
            .total
    };
    let positional = json!(["CUST", {"key": 2}, null, null, null, null, null, null]);
    let answer = j.create(&access, positional).await;
    assert_eq!(error(&answer, 400), None, "{answer:?}");
    assert_eq!(subjects().await, 0, "no account is left behind");

    let e = j.open(&access, key_only(2)).await;
    let positional = json!(["JOHN", "DOE", "1990-01-01"]);
    let answer = j.prefill(&e, &e.cred("ID"), positional).await;
    assert_eq!(error(&answer, 400), None, "{answer:?}");
}
