//! Jumio: documents deleted elsewhere, side resolution, reuse, aliases, bounds.

use super::*;

#[tokio::test]
async fn prepared_data_whose_document_was_deleted_elsewhere_is_still_processed() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_10005()).await;
    let (status, body) = j.prepared(&e, guide_prepared_data()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let docs = documents_of(&j, &e.account).await;
    assert_eq!(docs.len(), 1, "the id section is a canonical document");
    delete_elsewhere(&j, &docs[0].id.to_string()).await;
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Processed, not left ACQUIRED: the checks use the data as it stands.
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("PASSED", "OK")]
    );
}

#[tokio::test]
async fn an_id_whose_document_was_deleted_elsewhere_takes_new_parts() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    delete_elsewhere(&j, &id).await;
    // Its parts are gone with it: finalize names the first one missing.
    let res = j.finalize(&e).await;
    assert_eq!(field(&res, 400), format!("credentials[{id}].parts.FRONT"));
    assert!(
        res.1["message"]
            .as_str()
            .unwrap()
            .contains("the ID credential"),
        "{}",
        res.1
    );
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]));
    // Prefill and new parts start a new document; the credential keeps its id.
    let (status, body) = j
        .prefill(
            &e,
            &id,
            json!({"id": {"idNumber": "N-1", "expiryDate": "2034-01-31"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let front = png(1000, 700, 3);
    j.add(&e, &id, "FRONT", front.clone()).await;
    j.add(&e, &id, "BACK", png(1000, 700, 4)).await;
    let docs = documents_of(&j, &e.account).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].number.as_deref(), Some("N-1"));
    assert_eq!(docs[0].file_count, 2);
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(decisions(&details, "usability"), [pair("PASSED", "OK")]);
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("PASSED", "OK")]
    );
    let href = details["credentials"][0]["parts"][0]["href"]
        .as_str()
        .unwrap();
    assert_eq!(href, j.server.url(&e.image(&id, "FRONT")));
    let (status, got) = j.image(&access, href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&got), sha(&front));
}

#[tokio::test]
async fn an_id_deleted_elsewhere_after_finalize_is_processed_as_missing() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    // Finalized with the document already gone (the race a delete elsewhere can win):
    // marked ACQUIRED by hand, then processed by the sweep's re-run.
    delete_elsewhere(&j, &id).await;
    let t = tenant("alpha");
    let pid: Uuid = e.id.parse().unwrap();
    j.server
        .store
        .transition_process(
            &t,
            pid,
            idbridge::model::ProcessStatus::Submitted,
            chrono::Utc::now() - chrono::Duration::minutes(5),
            None,
        )
        .await
        .unwrap();
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "usability"),
        [pair("REJECTED", "MISSING_PAGE")]
    );
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("NOT_EXECUTED", "PRECONDITION_NOT_FULFILLED")]
    );
    assert_eq!(details["decision"]["type"], "REJECTED");
}

#[tokio::test]
async fn prepared_data_is_listed_served_and_deleted_with_its_document() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_10005()).await;
    let data = e.cred("DATA");
    let (status, body) = j.prepared(&e, guide_prepared_data()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let href = j.server.url(&e.image(&data, "PREPARED_DATA"));
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(
        details["credentials"][0]["parts"],
        json!([{"classifier": "PREPARED_DATA", "href": href}])
    );
    let (status, bytes) = j.image(&access, &href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&bytes).unwrap(),
        guide_prepared_data()
    );
    assert_eq!(documents_of(&j, &e.account).await.len(), 1);

    let res = j
        .delete(&e.token, &e.part(&data, "PREPARED_DATA"), PREPARED)
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    assert!(
        documents_of(&j, &e.account).await.is_empty(),
        "the document the id section made goes with the data"
    );
    let (status, _) = j.image(&access, &href).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]));

    // Expired data replaced by data without an id section: the old expiry no longer counts.
    let mut expired = guide_prepared_data();
    expired["id"]["expiryDate"] = json!("2020-01-31");
    let (status, body) = j.prepared(&e, expired).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut current = guide_prepared_data();
    current.as_object_mut().unwrap().remove("id");
    let (status, body) = j
        .send(
            Method::PUT,
            &e.part(&data, "PREPARED_DATA"),
            PREPARED,
            Some(&e.token),
            Body::Json(current),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(documents_of(&j, &e.account).await.is_empty());
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("PASSED", "OK")]
    );
    assert_eq!(
        details["capabilities"]["declaredDataChecks"][0]["data"],
        json!({"missing": []})
    );
}

#[tokio::test]
async fn side_less_files_read_and_delete_as_document() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] = json!([{"category": "DOCUMENT"}]);
    let e = j.open(&access, body).await;
    let doc = e.cred("DOCUMENT");
    let file = png(1000, 700, 31);
    ncore_file(&j, &e.account, &doc, "NOT_APPLICABLE", file.clone()).await;
    let href = j.server.url(&e.image(&doc, "DOCUMENT"));
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(
        details["credentials"][0]["parts"],
        json!([{"classifier": "DOCUMENT", "href": href}])
    );
    let (status, got) = j.image(&access, &href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&got), sha(&file));
    let res = j.delete(&e.token, &e.part(&doc, "DOCUMENT"), PART).await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    let (status, _) = j.image(&access, &href).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A bank statement stored through nCore reads at the classifier Jumio lists it under.
    let res = j
        .server
        .client
        .post(
            j.server
                .url(&format!("/v1/users/{}/identifications", e.account)),
        )
        .header("apikey", NCORE_KEY_A)
        .json(&json!({"type": "BANK_STATEMENT", "number": "BS-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let ident: Value = res.json().await.unwrap();
    let ident = ident["id"].as_str().unwrap().to_owned();
    let statement = png(1200, 900, 32);
    ncore_file(&j, &e.account, &ident, "NOT_APPLICABLE", statement.clone()).await;
    let (status, got) = j.image(&access, &e.image(&ident, "DOCUMENT")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&got), sha(&statement));
}

#[tokio::test]
async fn a_passports_page_1_is_its_front_for_every_call() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] =
        json!([{"category": "ID", "type": {"values": ["PASSPORT"]}}]);
    let e = j.open(&access, body).await;
    let id = e.cred("ID");
    let page = png(1000, 700, 41);
    ncore_file(&j, &e.account, &id, "PASSPORT_PAGE1", page.clone()).await;
    let (status, got) = j.image(&access, &e.image(&id, "FRONT")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&got), sha(&page));
    // Jumio does not take a second FRONT next to it.
    let res = j
        .part(&e, Method::POST, &id, "FRONT", vec![png(1000, 700, 42)])
        .await;
    error(&res, 409);
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(decisions(&details, "usability"), [pair("PASSED", "OK")]);
}

#[tokio::test]
async fn the_guides_workflow_5_reuses_the_id_on_file() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let first = j.open(&access, key_only(2)).await;
    let id = first.cred("ID");
    j.add(&first, &id, "FRONT", png(1000, 700, 51)).await;
    j.add(&first, &id, "BACK", png(1000, 700, 52)).await;

    // A new account has no credential to reuse; another account's is not this one's.
    let res = j.create(&access, guide_workflow_5(&id)).await;
    assert_eq!(field(&res, 400), "workflowDefinition.credentials[0].id");
    let other = j.open(&access, key_only(6)).await;
    let res = j
        .reopen(&access, &other.account, guide_workflow_5(&id))
        .await;
    assert_eq!(field(&res, 400), "workflowDefinition.credentials[0].id");
    // Unknown fields are refused, named.
    let mut bad = guide_workflow_5(&id);
    bad["workflowDefinition"]["credentials"][1]["colour"] = json!("red");
    let res = j.reopen(&access, &first.account, bad).await;
    assert!(
        error(&res, 400)
            .unwrap()
            .starts_with("workflowDefinition.credentials"),
        "{}",
        res.1
    );
    assert!(
        res.1["message"].as_str().unwrap().contains("colour"),
        "{}",
        res.1
    );

    let (status, body) = j
        .reopen(&access, &first.account, guide_workflow_5(&id))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let creds = &body["workflowExecution"]["credentials"];
    assert_eq!(
        creds[0],
        json!({"id": id, "category": "ID", "allowedChannels": []})
    );
    assert_eq!(creds[1]["category"], "SELFIE");
    let e = Exec::from(&body);
    let selfie = e.cred("SELFIE");
    // The reused credential takes no parts here.
    let res = j
        .part(&e, Method::POST, &id, "FRONT", vec![png(1000, 700, 53)])
        .await;
    assert_eq!(field(&res, 400), "credentialId");
    j.add(&e, &selfie, "FACE", png(800, 800, 54)).await;
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "usability"),
        [pair("PASSED", "OK"), pair("PASSED", "OK")]
    );
    assert_eq!(
        decisions(&details, "similarity"),
        [pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")]
    );
    assert_eq!(details["decision"]["type"], "WARNING");
    // Deleting this execution leaves the ID it only referenced.
    let res = j
        .send(
            Method::DELETE,
            &e.path(),
            EXECUTION,
            Some(&access),
            Body::Empty,
        )
        .await;
    assert_eq!(res.0, StatusCode::OK);
    let (status, _) = j.image(&access, &e.image(&id, "FRONT")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn workflow_20_reports_similarity_as_not_executed() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(20)).await;
    let (id, selfie) = (e.cred("ID"), e.cred("SELFIE"));
    j.add(&e, &id, "FRONT", png(1000, 700, 61)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 62)).await;
    j.add(&e, &selfie, "FACE", png(800, 800, 63)).await;
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "similarity"),
        [pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")]
    );
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}})
    );
}

#[tokio::test]
async fn a_jumio_alias_names_its_account() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let t = tenant("alpha");
    let ns = idbridge::model::Namespace::new("jumio").unwrap();
    // New accounts carry their jumio alias.
    let e = j.open(&access, key_only(2)).await;
    let aliases = j
        .server
        .store
        .aliases(&t, e.account.parse().unwrap())
        .await
        .unwrap();
    assert!(
        aliases
            .iter()
            .any(|a| a.namespace == ns && a.external_id == e.account),
        "{aliases:?}"
    );
    // A subject an operator linked a jumio alias to is that account.
    let subject = j
        .server
        .store
        .create_subject(&t, None, None, &[])
        .await
        .unwrap();
    let alias = Uuid::now_v7().to_string();
    j.server
        .store
        .link_alias(&t, subject.id, &ns, &alias)
        .await
        .unwrap();
    let (status, body) = j.reopen(&access, &alias, key_only(2)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["account"]["id"], subject.id.to_string());
    let e2 = Exec::from(&body);
    assert_eq!(j.status_of(&access, &e2).await, "INITIATED");
    let (status, _) = j
        .send(
            Method::GET,
            &format!(
                "/api/v1/accounts/{alias}/workflow-executions/{}/status",
                e2.id
            ),
            STATUS,
            Some(&access),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn facemap_takes_no_delete_all_and_pages_are_never_renumbered() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(3)).await;
    let facemap = e.cred("FACEMAP");
    let res = j
        .delete(
            &e.token,
            &format!("{}/credentials/{facemap}/parts", e.path()),
            ALL_PARTS,
        )
        .await;
    assert_eq!(field(&res, 400), "classifier");
    assert!(
        res.1["message"].as_str().unwrap().contains("FACEMAP"),
        "{}",
        res.1
    );

    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] = json!([{"category": "DOCUMENT"}]);
    let d = j.open(&access, body).await;
    let doc = d.cred("DOCUMENT");
    let res = j
        .part(
            &d,
            Method::POST,
            &doc,
            "DOCUMENT",
            vec![png(900, 600, 1), png(900, 600, 2)],
        )
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    let res = j
        .delete(
            &d.token,
            &format!("{}/credentials/{doc}/parts", d.path()),
            ALL_PARTS,
        )
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    j.add(&d, &doc, "DOCUMENT", png(900, 600, 3)).await;
    let (_, details) = j.details(&access, &d).await;
    assert_eq!(
        details["credentials"][0]["parts"][0]["classifier"],
        "PAGE_3"
    );
}

#[tokio::test]
async fn account_and_personal_input_is_bounded_and_named() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let cases = [
        (
            json!([{"category": "FACEMAP", "type": {"values": ["NOPE"]}}]),
            "workflowDefinition.credentials[0].type.values",
        ),
        (
            json!([{"category": "ID", "country": {"values": ["XXXX"]}}]),
            "workflowDefinition.credentials[0].country.values",
        ),
        (
            json!([{"category": "ID", "country": {"values": ["ZZZ"]}}]),
            "workflowDefinition.credentials[0].country.values",
        ),
    ];
    for (credentials, want) in cases {
        let mut body = key_only(2);
        body["workflowDefinition"]["credentials"] = credentials;
        assert_eq!(field(&j.create(&access, body).await, 400), want);
    }
    let mut body = key_only(2);
    body["userConsent"] = json!("string");
    assert_eq!(field(&j.create(&access, body).await, 400), "userConsent");
    let mut body = key_only(2);
    body["customerInternalReference"] = json!("   ");
    assert_eq!(
        field(&j.create(&access, body).await, 400),
        "customerInternalReference"
    );

    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    let long = "a".repeat(100_000);
    let cases = [
        (json!({"dateOfBirth": "0000-01-01"}), "dateOfBirth"),
        (
            json!({"id": {"expiryDate": "+99999-01-01"}}),
            "id.expiryDate",
        ),
        (json!({"nationality": "ZZZ"}), "nationality"),
        (json!({"firstName": long}), "firstName"),
    ];
    for (body, want) in cases {
        assert_eq!(field(&j.prefill(&e, &id, body).await, 400), want);
    }
    let (_, details) = j.details(&access, &e).await;
    assert!(
        details.get("startedAt").is_none(),
        "nothing was recorded: {details}"
    );
    // Messages name categories as Jumio writes them.
    let f = j.open(&access, key_only(3)).await;
    let res = j
        .part(
            &f,
            Method::POST,
            &f.cred("FACEMAP"),
            "FACEMAP",
            vec![png(900, 600, 1)],
        )
        .await;
    assert!(
        res.1["message"].as_str().unwrap().contains("FACEMAP"),
        "{}",
        res.1
    );
}

#[tokio::test]
async fn access_tokens_expire_after_their_configured_lifetime() {
    let j = Jumio::start_with(|c| c.adapters.jumio.access_token_ttl_secs = 1).await;
    let (status, body) = j
        .token_request(Some(CLIENT_A), "grant_type=client_credentials", true)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["expires_in"], 1);
    let access = body["access_token"].as_str().unwrap().to_owned();
    let mut lifetime = key_only(2);
    lifetime["tokenLifetime"] = json!("5m");
    let e = j.open(&access, lifetime).await;
    // tokenLifetime sets the api.token's expiry: 5 minutes from now.
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        j.server.dir.path().join("idbridge.db").display()
    ))
    .await
    .unwrap();
    let expires: i64 = sqlx::query_scalar("SELECT expires_at FROM tokens WHERE process_id = $1")
        .bind(&e.id)
        .fetch_one(&db)
        .await
        .unwrap();
    let want = chrono::Utc::now().timestamp_millis() + 300_000;
    assert!((expires - want).abs() < 30_000, "{expires} vs {want}");
    // The access token stops opening anything once its second is over.
    let deadline = Instant::now() + Duration::from_secs(10);
    let refused = loop {
        let answer = j.status(&access, &e).await;
        if answer.0 == StatusCode::UNAUTHORIZED {
            break answer;
        }
        assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
        assert!(Instant::now() < deadline, "the access token never expired");
        tokio::task::yield_now().await;
    };
    assert_eq!(error(&refused, 401), None);
    assert_eq!(
        refused.1["message"], "the access token is unknown or expired",
        "{}",
        refused.1
    );
    // The api.token lives on by its own lifetime.
    j.add(&e, &e.cred("ID"), "FRONT", png(1000, 700, 1)).await;
}

/// Opens a key-2 execution with a callback URL, adds its parts and finalizes it.
async fn finalized_with_callback(j: &Jumio, access: &str, url: &str) -> Exec {
    let mut body = key_only(2);
    body["callbackUrl"] = json!(url);
    let e = j.open(access, body).await;
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    e
}

#[tokio::test]
async fn a_callback_gives_up_after_its_attempts() {
    let j = Jumio::start_with(|c| {
        c.adapters.jumio.callback_attempts = 2;
        c.adapters.jumio.callback_backoff_ms = 1;
    })
    .await;
    let mut listener = Listener::start(vec![500, 500]).await;
    let access = j.access(CLIENT_A).await;
    let first = finalized_with_callback(&j, &access, &listener.url).await;
    for _ in 0..2 {
        let (_, _, body) = listener.next(20).await;
        assert_eq!(body["workflowExecution"]["id"], first.id.as_str());
    }
    // A third attempt would have come 2 ms after the second; the next callback to arrive
    // is the one of an execution finalized only now.
    j.processed(&access, &first).await;
    let second = finalized_with_callback(&j, &access, &listener.url).await;
    let (_, _, body) = listener.next(20).await;
    assert_eq!(
        body["workflowExecution"]["id"],
        second.id.as_str(),
        "the first callback was not given up after 2 attempts"
    );
}

#[tokio::test]
async fn a_callback_receiver_that_never_answers_delays_nothing() {
    let j = Jumio::start().await;
    // Accepts connections and never answers them.
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", socket.local_addr().unwrap());
    let (tx, mut hits) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((conn, _)) = socket.accept().await {
            held.push(conn);
            let _ = tx.send(());
        }
    });
    let access = j.access(CLIENT_A).await;
    let stuck = finalized_with_callback(&j, &access, &url).await;
    tokio::time::timeout(Duration::from_secs(20), hits.recv())
        .await
        .expect("the callback was sent");
    // While that callback hangs, the execution reads PROCESSED and other executions are
    // finalized and processed.
    assert_eq!(j.status_of(&access, &stuck).await, "PROCESSED");
    let started = Instant::now();
    let next = finalized_with_callback(&j, &access, &url).await;
    j.processed(&access, &next).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
