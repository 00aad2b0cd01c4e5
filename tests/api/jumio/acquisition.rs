//! Jumio acquisition, finalize, processing and retrieval.

use super::*;

#[tokio::test]
async fn an_id_is_uploaded_finalized_processed_and_read_back() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let cred = e.cred("ID");
    let api = &e.credentials[0]["api"];
    let (front, back, front2) = (png(1200, 800, 3), jpeg(1200, 800, 5), png(1600, 1000, 9));

    // Upload through the URLs handed out.
    let (status, up) = j
        .send(
            Method::POST,
            api["parts"]["front"].as_str().unwrap(),
            PART,
            Some(&e.token),
            Body::Files(vec![front.clone()]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{up}");
    timestamp(&up["timestamp"]);
    assert_eq!(up["account"], json!({"id": e.account}));
    assert_eq!(up["workflowExecution"], json!({"id": e.id}));
    assert_eq!(up["credential"], json!({"id": cred}));
    let part_id = up["part"]["id"].as_str().unwrap();
    Uuid::parse_str(part_id).unwrap();
    assert_eq!(up["api"]["token"], e.token.as_str());
    assert_eq!(up["api"]["parts"], api["parts"]);
    assert_eq!(up["api"]["workflowExecution"], api["workflowExecution"]);
    // Adding it again is a conflict; PUT replaces it.
    let again = j
        .part(&e, Method::POST, &cred, "FRONT", vec![front2.clone()])
        .await;
    error(&again, 409);
    let (status, replaced) = j
        .part(&e, Method::PUT, &cred, "FRONT", vec![front2.clone()])
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_ne!(replaced["part"]["id"], part_id);
    let (status, up) = j
        .send(
            Method::POST,
            api["parts"]["back"].as_str().unwrap(),
            PART,
            Some(&e.token),
            Body::Files(vec![back.clone()]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{up}");

    assert_eq!(j.status_of(&access, &e).await, "INITIATED");
    let (_, details) = j.details(&access, &e).await;
    timestamp(&details["startedAt"]);
    assert_eq!(
        details["credentials"],
        json!([{"id": cred, "category": "ID", "parts": [
            {"classifier": "FRONT", "href": j.server.url(&e.image(&cred, "FRONT"))},
            {"classifier": "BACK", "href": j.server.url(&e.image(&cred, "BACK"))},
        ]}])
    );

    let (status, fin) = j
        .send(
            Method::PUT,
            api["workflowExecution"].as_str().unwrap(),
            EXECUTION,
            Some(&e.token),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{fin}");
    timestamp(&fin["timestamp"]);
    assert_eq!(fin["account"], json!({"id": e.account}));
    assert_eq!(fin["workflowExecution"], json!({"id": e.id}));

    let details = j.processed(&access, &e).await;
    assert_eq!(details["workflow"]["status"], "PROCESSED");
    timestamp(&details["completedAt"]);
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}})
    );
    assert_eq!(decisions(&details, "usability"), [pair("PASSED", "OK")]);
    assert_eq!(
        details["capabilities"]["usability"][0]["credentials"],
        json!([{"id": cred, "category": "ID"}])
    );
    for name in ["imageChecks", "extraction"] {
        assert_eq!(
            decisions(&details, name),
            [pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")],
            "{name}"
        );
    }
    // No expiry is known: the expiry check could not run.
    assert_eq!(
        decisions(&details, "dataChecks"),
        [pair("NOT_EXECUTED", "PRECONDITION_NOT_FULFILLED")]
    );
    assert!(details["capabilities"].get("liveness").is_none());

    // The images come back byte for byte, FRONT as replaced.
    for (part, want) in details["credentials"][0]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .zip([&front2, &back])
    {
        let (status, bytes) = j.image(&access, part["href"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sha(&bytes), sha(want), "{}", part["classifier"]);
    }
    let (status, _) = j.image(&access, &e.image(&cred, "FACE")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = j
        .image(&access, &e.image(&Uuid::now_v7().to_string(), "FRONT"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Once finalized, the acquisition calls are closed.
    error(
        &j.part(&e, Method::POST, &cred, "FRONT", vec![png(900, 600, 1)])
            .await,
        409,
    );
    error(
        &j.part(&e, Method::PUT, &cred, "FRONT", vec![png(900, 600, 1)])
            .await,
        409,
    );
    error(
        &j.send(
            Method::DELETE,
            &e.part(&cred, "FRONT"),
            PART,
            Some(&e.token),
            Body::Empty,
        )
        .await,
        409,
    );
    error(&j.finalize(&e).await, 409);
    assert_eq!(j.status_of(&access, &e).await, "PROCESSED");
}

#[tokio::test]
async fn part_files_are_checked_by_content_size_and_dimensions() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(3)).await;
    let id = e.cred("ID");
    let put = |file: Vec<u8>| j.part(&e, Method::PUT, &id, "FRONT", vec![file]);

    let gif = b"GIF89a\x40\x01\xf0\x00rest-of-a-gif".to_vec();
    assert_eq!(field(&put(gif).await, 415), "file");
    assert_eq!(field(&put(pdf(2000)).await, 415), "file");
    assert_eq!(field(&put(b"just text".to_vec()).await, 415), "file");
    assert_eq!(field(&put(png(8001, 400, 1)).await, 400), "file");
    assert_eq!(field(&put(png(400, 8001, 1)).await, 400), "file");
    assert_eq!(field(&put(png(300, 300, 1)).await, 400), "file");
    assert_eq!(field(&put(jpeg(200, 300, 1)).await, 400), "file");
    // 15 MB is the limit, exactly.
    let mut big = crate::common::png_header(1000, 1000);
    big.resize(15_000_001, 7);
    assert_eq!(field(&put(big.clone()).await, 413), "file");
    // Nothing refused was stored.
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]), "{details}");

    big.truncate(15_000_000);
    let (status, body) = put(big.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, got) = j.image(&access, &e.image(&id, "FRONT")).await;
    assert_eq!(sha(&got), sha(&big));
    for ok in [png(301, 100, 2), jpeg(100, 301, 2), png(8000, 8000, 2)] {
        let (status, body) = put(ok.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, got) = j.image(&access, &e.image(&id, "FRONT")).await;
        assert_eq!(sha(&got), sha(&ok));
    }

    // Classifiers follow the credential's category.
    let selfie = e.cred("SELFIE");
    let facemap = e.cred("FACEMAP");
    for (credential, classifier) in [
        (&id, "FACE"),
        (&id, "DOCUMENT"),
        (&id, "front"),
        (&selfie, "FRONT"),
        (&facemap, "FACEMAP"),
        (&facemap, "FACE"),
    ] {
        let res = j
            .part(
                &e,
                Method::POST,
                credential,
                classifier,
                vec![png(900, 600, 1)],
            )
            .await;
        assert_eq!(field(&res, 400), "classifier", "{classifier}");
    }
    let res = j
        .send(
            Method::POST,
            &e.part(&id, "PREPARED_DATA"),
            PREPARED,
            Some(&e.token),
            Body::Json(guide_prepared_data()),
        )
        .await;
    assert_eq!(field(&res, 400), "classifier");
    let res = j
        .part(
            &e,
            Method::POST,
            &Uuid::now_v7().to_string(),
            "FRONT",
            vec![png(900, 600, 1)],
        )
        .await;
    error(&res, 404);
    // A form without a `file` part.
    let res = j
        .send(
            Method::POST,
            &e.part(&selfie, "FACE"),
            PART,
            Some(&e.token),
            Body::Files(vec![]),
        )
        .await;
    assert_eq!(field(&res, 400), "file");
    j.add(&e, &selfie, "FACE", jpeg(640, 480, 4)).await;
}

#[tokio::test]
async fn tokens_open_only_what_they_are_for() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let a = j.open(&access, key_only(2)).await;
    let b = j.open(&access, key_only(2)).await;
    let (status, body) = j.reopen(&access, &a.account, key_only(2)).await;
    assert_eq!(status, StatusCode::OK);
    let a2 = Exec::from(&body);

    // A's api.token on B's execution, and on a second execution of A's own account.
    let a_on_b = Exec {
        token: a.token.clone(),
        ..b.clone()
    };
    error(
        &j.part(
            &a_on_b,
            Method::POST,
            &b.cred("ID"),
            "FRONT",
            vec![png(900, 600, 1)],
        )
        .await,
        404,
    );
    error(&j.finalize(&a_on_b).await, 404);
    let a_on_a2 = Exec {
        token: a.token.clone(),
        ..a2.clone()
    };
    error(
        &j.part(
            &a_on_a2,
            Method::POST,
            &a2.cred("ID"),
            "FRONT",
            vec![png(900, 600, 1)],
        )
        .await,
        404,
    );
    // A's api.token with A's execution but B's credential.
    error(
        &j.part(
            &a,
            Method::POST,
            &b.cred("ID"),
            "FRONT",
            vec![png(900, 600, 1)],
        )
        .await,
        404,
    );
    // Another tenant's access token finds none of A's acquisition (its own tenant's access
    // token opens it: see `an_access_token_opens_its_tenants_credential_calls`); the
    // api.token opens nothing else.
    let beta_on_a = Exec {
        token: j.access(CLIENT_B).await,
        ..a.clone()
    };
    error(
        &j.part(
            &beta_on_a,
            Method::POST,
            &a.cred("ID"),
            "FRONT",
            vec![png(900, 600, 1)],
        )
        .await,
        404,
    );
    error(&j.finalize(&beta_on_a).await, 404);
    error(&j.create(&a.token, key_only(2)).await, 401);
    error(&j.reopen(&a.token, &a.account, key_only(2)).await, 401);
    error(&j.status(&a.token, &a).await, 401);
    error(&j.details(&a.token, &a).await, 401);
    let (status, _) = j.image(&a.token, &a.image(&a.cred("ID"), "FRONT")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Without a User-Agent nothing opens.
    let no_agent = j
        .send_as(
            Method::POST,
            &a.part(&a.cred("ID"), "FRONT"),
            PART,
            Some(&a.token),
            None,
            Body::Files(vec![png(900, 600, 1)]),
        )
        .await;
    error(&no_agent, 403);
    let no_agent = j
        .send_as(
            Method::GET,
            &format!("{}/status", a.path()),
            STATUS,
            Some(&access),
            None,
            Body::Empty,
        )
        .await;
    error(&no_agent, 403);
    // Nothing was stored by any of it.
    let (_, details) = j.details(&access, &b).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]));
    // Each token works where it belongs.
    j.add(&a, &a.cred("ID"), "FRONT", png(900, 600, 1)).await;
    j.add(&a2, &a2.cred("ID"), "FRONT", png(900, 600, 2)).await;
}

#[tokio::test]
async fn parts_and_pages_are_deleted_and_documents_take_pages_or_one_pdf() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    let front = j.add(&e, &id, "FRONT", png(900, 600, 1)).await;
    let (status, gone) = j.delete(&e.token, &e.part(&id, "FRONT"), PART).await;
    assert_eq!(status, StatusCode::OK, "{gone}");
    assert_eq!(gone["part"], front["part"]);
    assert_eq!(gone["credential"], json!({"id": id}));
    error(&j.delete(&e.token, &e.part(&id, "FRONT"), PART).await, 404);
    let (status, _) = j.image(&access, &e.image(&id, "FRONT")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // FRONT and BACK, then all parts of the credential at once.
    j.add(&e, &id, "FRONT", png(900, 600, 2)).await;
    j.add(&e, &id, "BACK", png(900, 600, 3)).await;
    let all_parts = format!("{}/credentials/{id}/parts", e.path());
    let (status, all) = j.delete(&e.token, &all_parts, ALL_PARTS).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["credential"], json!({"id": id}));
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]));
    assert_eq!(
        field(&j.finalize(&e).await, 400),
        format!("credentials[{id}].parts.FRONT")
    );

    // A DOCUMENT credential: pages, several per call, in order.
    let (status, body) = j
        .reopen(
            &access,
            &e.account,
            json!({
                "customerInternalReference": "CUSTOMER_REFERENCE",
                "workflowDefinition": {"key": 2, "credentials": [{"category": "DOCUMENT"}]}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let d = Exec::from(&body);
    let doc = d.cred("DOCUMENT");
    // Seed 004's document upload takes no classifier: the credential's parts.
    assert_eq!(
        d.credentials[0]["api"]["parts"],
        json!({"document": j.server.url(&format!("{}/credentials/{doc}/parts", d.path()))})
    );
    assert_eq!(
        field(&j.finalize(&d).await, 400),
        format!("credentials[{doc}].parts.DOCUMENT")
    );
    let pages = [png(900, 1200, 1), jpeg(900, 1200, 2), png(900, 1200, 3)];
    let (status, body) = j
        .part(&d, Method::POST, &doc, "DOCUMENT", pages[..2].to_vec())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["credential"], json!({"id": doc}));
    let (status, body) = j
        .part(&d, Method::POST, &doc, "DOCUMENT", vec![pages[2].clone()])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (n, page) in pages.iter().enumerate() {
        let (status, got) = j
            .image(&access, &d.image(&doc, &format!("PAGE_{}", n + 1)))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sha(&got), sha(page), "PAGE_{}", n + 1);
    }
    // A PDF is the whole document: not next to pages.
    let res = j
        .part(&d, Method::POST, &doc, "DOCUMENT", vec![pdf(5000)])
        .await;
    assert_eq!(field(&res, 400), "file");
    for classifier in ["FRONT", "PAGE_1"] {
        let res = j
            .part(&d, Method::POST, &doc, classifier, vec![png(900, 600, 1)])
            .await;
        assert_eq!(field(&res, 400), "classifier", "{classifier}");
    }
    let res = j
        .part(&e, Method::POST, &id, "DOCUMENT", vec![png(900, 600, 1)])
        .await;
    assert_eq!(field(&res, 400), "classifier", "DOCUMENT on an ID");
    // One page deleted by its classifier, then all of them.
    let (status, _) = j
        .send(
            Method::DELETE,
            &d.part(&doc, "PAGE_3"),
            PART,
            Some(&d.token),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = j.image(&access, &d.image(&doc, "PAGE_3")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = j
        .send(
            Method::DELETE,
            &format!("{}/credentials/{doc}/parts", d.path()),
            ALL_PARTS,
            Some(&d.token),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, details) = j.details(&access, &d).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]));
    // A PDF alone; two PDFs in one call are refused.
    let res = j
        .part(
            &d,
            Method::POST,
            &doc,
            "DOCUMENT",
            vec![pdf(4000), pdf(4000)],
        )
        .await;
    assert_eq!(field(&res, 400), "file");
    let statement = pdf(6000);
    let (status, body) = j
        .part(&d, Method::POST, &doc, "DOCUMENT", vec![statement.clone()])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let res = j
        .part(&d, Method::POST, &doc, "DOCUMENT", vec![png(900, 600, 1)])
        .await;
    assert_eq!(field(&res, 400), "file", "a page after the PDF");
    let (status, fin) = j.finalize(&d).await;
    assert_eq!(status, StatusCode::OK, "{fin}");
    let details = j.processed(&access, &d).await;
    // Page numbers are never reused, even after every page was deleted.
    assert_eq!(
        details["credentials"][0]["parts"],
        json!([{"classifier": "PAGE_4", "href": j.server.url(&d.image(&doc, "PAGE_4"))}])
    );
    assert_eq!(decisions(&details, "usability"), [pair("PASSED", "OK")]);
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}}),
        "presence and format alone are no pass: workflow 2's other capabilities did not run"
    );
    for name in ["imageChecks", "extraction", "dataChecks"] {
        assert_eq!(
            decisions(&details, name),
            [pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")],
            "{name}"
        );
    }
    let (_, got) = j.image(&access, &d.image(&doc, "PAGE_4")).await;
    assert_eq!(sha(&got), sha(&statement));
}

#[tokio::test]
async fn finalize_requires_the_parts_each_credential_needs() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(3)).await;
    let (id, selfie) = (e.cred("ID"), e.cred("SELFIE"));
    let missing = |part: &str, cred: &str| format!("credentials[{cred}].parts.{part}");
    assert_eq!(field(&j.finalize(&e).await, 400), missing("FRONT", &id));
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    assert_eq!(field(&j.finalize(&e).await, 400), missing("BACK", &id));
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    assert_eq!(field(&j.finalize(&e).await, 400), missing("FACE", &selfie));
    assert_eq!(j.status_of(&access, &e).await, "INITIATED");
    let face = jpeg(720, 960, 3);
    j.add(&e, &selfie, "FACE", face.clone()).await;
    // FACEMAP cannot come through the API and is not required.
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}})
    );
    let usability: Vec<(String, String)> = decisions(&details, "usability");
    assert_eq!(
        usability,
        [
            pair("PASSED", "OK"),
            pair("PASSED", "OK"),
            pair("NOT_EXECUTED", "NOT_UPLOADED")
        ]
    );
    for name in ["liveness", "similarity"] {
        assert!(
            decisions(&details, name)
                .iter()
                .all(|d| *d == pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")),
            "{name}: {details}"
        );
    }
    let face_part = details["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "SELFIE")
        .unwrap()["parts"]
        .clone();
    assert_eq!(
        face_part,
        json!([{"classifier": "FACE", "href": j.server.url(&e.image(&selfie, "FACE"))}])
    );
    let (_, got) = j.image(&access, &e.image(&selfie, "FACE")).await;
    assert_eq!(sha(&got), sha(&face));

    // A passport needs its FRONT only.
    let (status, body) = j.reopen(&access, &e.account, key_only(2)).await;
    assert_eq!(status, StatusCode::OK);
    let p = Exec::from(&body);
    let pid = p.cred("ID");
    let (status, body) = j
        .prefill(
            &p,
            &pid,
            json!({"id": {"idNumber": "X1234567", "expiryDate": "2034-11-30", "type": "PASSPORT"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    j.add(&p, &pid, "FRONT", png(1000, 700, 4)).await;
    let (status, body) = j.finalize(&p).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &p).await;
    assert_eq!(decisions(&details, "usability"), [pair("PASSED", "OK")]);
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("PASSED", "OK")]
    );
    assert_eq!(
        details["capabilities"]["declaredDataChecks"][0]["data"],
        json!({"type": "PASSPORT", "expiryDate": "2034-11-30"})
    );
    // Jumio's dataChecks check extracted data, and extraction did not run.
    assert_eq!(
        decisions(&details, "dataChecks"),
        [pair("NOT_EXECUTED", "PRECONDITION_NOT_FULFILLED")]
    );
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}})
    );
}

#[tokio::test]
async fn the_seeds_prefill_sets_the_document_and_its_past_expiry_rejects() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(3)).await;
    let id = e.cred("ID");
    for (patch, name) in [
        (json!({"sex": "Q"}), "sex"),
        (json!({"dateOfBirth": "1990-13-01"}), "dateOfBirth"),
        (json!({"dateOfBirth": "23.12.1990"}), "dateOfBirth"),
        (json!({"nationality": "FR"}), "nationality"),
        (json!({"id": {"type": "LIBRARY_CARD"}}), "id.type"),
        (json!({"id": {"expiryDate": "2031/12/23"}}), "id.expiryDate"),
    ] {
        let mut body = json!({"firstName": "Elroy"});
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        assert_eq!(field(&j.prefill(&e, &id, body).await, 400), name);
    }
    assert_eq!(
        field(
            &j.prefill(&e, &e.cred("SELFIE"), seed_personal_data()).await,
            400
        ),
        "credentialId"
    );
    let (status, body) = j.prefill(&e, &id, seed_personal_data()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["credential"], json!({"id": id}));
    assert_eq!(body["api"]["token"], e.token.as_str());
    let doc = j
        .server
        .store
        .get_document(&tenant("alpha"), id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(doc.kind, DocumentKind::Passport);
    assert_eq!(doc.number.as_deref(), Some("string"));
    assert_eq!(
        doc.expires_on,
        chrono::NaiveDate::from_ymd_opt(2021, 12, 23)
    );
    assert_eq!(doc.personal.first_name.as_deref(), Some("Elroy"));

    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &e.cred("SELFIE"), "FACE", png(700, 1000, 2))
        .await;
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        details["decision"],
        json!({"type": "REJECTED", "details": {"label": "REJECTED"}})
    );
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("REJECTED", "DOCUMENT_EXPIRED")]
    );
    assert_eq!(
        details["capabilities"]["declaredDataChecks"][0]["data"],
        json!({"type": "PASSPORT", "expiryDate": "2021-12-23"})
    );
}

#[tokio::test]
async fn the_guides_prepared_data_is_checked_for_completeness() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_10005()).await;
    let data = e.cred("DATA");
    let url = e.credentials[0]["api"]["parts"]["prepared_data"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        field(&j.finalize(&e).await, 400),
        format!("credentials[{data}].parts.PREPARED_DATA")
    );
    let mut bad = guide_prepared_data();
    bad["dateOfBirth"] = json!("01/01/1985");
    assert_eq!(field(&j.prepared(&e, bad).await, 400), "dateOfBirth");
    let mut bad = guide_prepared_data();
    bad["dateOfBirth"] = json!("2999-01-01");
    assert_eq!(field(&j.prepared(&e, bad).await, 400), "dateOfBirth");
    error(
        &j.send(
            Method::POST,
            &url,
            PREPARED,
            Some(&e.token),
            Body::Text("{\"firstName\":"),
        )
        .await,
        400,
    );
    let (status, body) = j
        .send(
            Method::POST,
            &url,
            PREPARED,
            Some(&e.token),
            Body::Json(guide_prepared_data()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["credential"], json!({"id": data}));
    assert_eq!(body["api"]["parts"], json!({"prepared_data": url}));
    // The `id` section became a canonical document of the account.
    let docs = j
        .server
        .store
        .list_documents(&tenant("alpha"), e.account.parse().unwrap())
        .await
        .unwrap();
    let licence = docs
        .iter()
        .find(|d| d.number.as_deref() == Some("ABCD12345"))
        .expect("the prepared data's id section is a document");
    assert_eq!(licence.kind, DocumentKind::DrivingLicence);
    assert_eq!(
        licence.expires_on,
        chrono::NaiveDate::from_ymd_opt(2034, 11, 30)
    );
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("PASSED", "OK")]
    );
    // Workflow 10005 exists for a CPF validation, which idbridge does not perform: it is
    // reported as not executed, so the whole is a warning, never a pass.
    assert_eq!(
        decisions(&details, "braCpfValidation"),
        [pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")]
    );
    assert_eq!(
        details["decision"],
        json!({"type": "WARNING", "details": {"label": "NOT_ALL_CHECKS_EXECUTED"}})
    );
    assert_eq!(details["workflow"]["definitionKey"], "10005");

    // Without a last name and a date of birth: rejected for missing data points.
    let (status, body) = j.reopen(&access, &e.account, guide_10005()).await;
    assert_eq!(status, StatusCode::OK);
    let incomplete = Exec::from(&body);
    let (status, body) = j
        .prepared(
            &incomplete,
            json!({"firstName": "FIRSTNAME", "email": "tmp@tmp.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = j.finalize(&incomplete).await;
    assert_eq!(status, StatusCode::OK);
    let details = j.processed(&access, &incomplete).await;
    assert_eq!(
        decisions(&details, "declaredDataChecks"),
        [pair("REJECTED", "MISSING_MANDATORY_DATAPOINTS")]
    );
    assert_eq!(
        details["decision"],
        json!({"type": "REJECTED", "details": {"label": "REJECTED"}})
    );
}

/// `DELETE …/parts/PREPARED_DATA` is served by the part deletion (its classifier list
/// names PREPARED_DATA) and removes the prepared data.
#[tokio::test]
async fn prepared_data_is_deleted_like_a_part() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_10005()).await;
    let data = e.cred("DATA");
    let (status, _) = j
        .send(
            Method::POST,
            &e.part(&data, "PREPARED_DATA"),
            PREPARED,
            Some(&e.token),
            Body::Json(guide_prepared_data()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = j
        .send(
            Method::DELETE,
            &e.part(&data, "PREPARED_DATA"),
            "",
            Some(&e.token),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    j.contract.check("DELETE", PART, 200, &body);
    assert_eq!(body["credential"], json!({"id": data}));
    assert_eq!(
        field(&j.finalize(&e).await, 400),
        format!("credentials[{data}].parts.PREPARED_DATA")
    );
}
