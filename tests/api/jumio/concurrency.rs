//! Concurrent calls on one Jumio workflow execution: each decides from what the others
//! wrote.

use super::*;

/// Creates an nCore identification of this type on the account; answers its id.
async fn ncore_identification(j: &Jumio, user: &str, kind: &str) -> String {
    let res = j
        .server
        .client
        .post(j.server.url(&format!("/v1/users/{user}/identifications")))
        .header("apikey", NCORE_KEY_A)
        .json(&json!({"type": kind, "number": "N-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let ident: Value = res.json().await.unwrap();
    ident["id"].as_str().unwrap().to_owned()
}

/// The account's identifications as nCore lists them.
async fn ncore_identifications(j: &Jumio, user: &str) -> Vec<Value> {
    let res = j
        .server
        .client
        .get(j.server.url(&format!("/v1/users/{user}/identifications")))
        .header("apikey", NCORE_KEY_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = res.json().await.unwrap();
    list["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn concurrent_parts_on_one_side_keep_one_file() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    let fronts =
        (0..8u8).map(|i| j.part(&e, Method::POST, &id, "FRONT", vec![png(1000, 700, i + 1)]));
    let answers = futures::future::join_all(fronts).await;
    let ok = answers.iter().filter(|a| a.0 == StatusCode::OK).count();
    assert_eq!(ok, 1, "one FRONT is added: {answers:?}");
    for a in answers.iter().filter(|a| a.0 != StatusCode::OK) {
        error(a, 409);
    }
    let backs =
        (0..8u8).map(|i| j.part(&e, Method::PUT, &id, "BACK", vec![png(1000, 700, i + 20)]));
    for a in futures::future::join_all(backs).await {
        assert_eq!(a.0, StatusCode::OK, "PUT replaces: {}", a.1);
    }
    let docs = documents_of(&j, &e.account).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].file_count, 2, "one FRONT and one BACK file");
    assert_eq!(listed(&j, &access, &e, &id).await, ["FRONT", "BACK"]);
    let (status, body) = j.delete(&e.token, &e.part(&id, "FRONT"), PART).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(listed(&j, &access, &e, &id).await, ["BACK"]);
    error(&j.delete(&e.token, &e.part(&id, "FRONT"), PART).await, 404);
}

#[tokio::test]
async fn concurrent_pages_are_numbered_one_to_n() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let (e, doc) = document_execution(&j, &access).await;
    let pages = (0..10u8).map(|i| {
        j.part(
            &e,
            Method::POST,
            &doc,
            "DOCUMENT",
            vec![png(1000, 700, i + 1)],
        )
    });
    for a in futures::future::join_all(pages).await {
        assert_eq!(a.0, StatusCode::OK, "{}", a.1);
    }
    let want: Vec<String> = (1..=10).map(|n| format!("PAGE_{n}")).collect();
    assert_eq!(listed(&j, &access, &e, &doc).await, want);
    assert_eq!(documents_of(&j, &e.account).await[0].file_count, 10);
}

#[tokio::test]
async fn a_pdf_sent_with_images_at_once_is_still_alone_or_refused() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let (e, doc) = document_execution(&j, &access).await;
    // One PDF and seven images at once: whichever comes first decides, as one by one.
    let sends = (0..8u8).map(|i| {
        let file = if i == 0 { pdf(4000) } else { png(1000, 700, i) };
        j.part(&e, Method::POST, &doc, "DOCUMENT", vec![file])
    });
    let answers = futures::future::join_all(sends).await;
    let pdf_ok = answers[0].0 == StatusCode::OK;
    for a in &answers[1..] {
        if pdf_ok {
            assert_eq!(field(a, 400), "file", "nothing next to the PDF");
        } else {
            assert_eq!(a.0, StatusCode::OK, "{}", a.1);
        }
    }
    if pdf_ok {
        assert_eq!(listed(&j, &access, &e, &doc).await, ["PAGE_1"]);
    } else {
        assert_eq!(field(&answers[0], 400), "file");
        assert_eq!(listed(&j, &access, &e, &doc).await.len(), 7);
    }
}

#[tokio::test]
async fn concurrent_prepared_data_keeps_one_document_and_deletes_it() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, guide_10005()).await;
    let sends = (0..8).map(|i| {
        let mut body = guide_prepared_data();
        body["id"]["idNumber"] = json!(format!("ABCD{i}"));
        j.prepared(&e, body)
    });
    for a in futures::future::join_all(sends).await {
        assert_eq!(a.0, StatusCode::OK, "a later POST replaces: {}", a.1);
    }
    let idents = ncore_identifications(&j, &e.account).await;
    assert_eq!(idents.len(), 1, "one data document: {idents:?}");
    assert_eq!(documents_of(&j, &e.account).await.len(), 1);
    // Its deletion leaves nothing of it.
    let (status, body) = j
        .delete(
            &e.token,
            &e.part(&e.cred("DATA"), "PREPARED_DATA"),
            PREPARED,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        ncore_identifications(&j, &e.account).await,
        Vec::<Value>::new()
    );

    let sends = (0..8).map(|_| j.prepared(&e, guide_prepared_data()));
    for a in futures::future::join_all(sends).await {
        assert_eq!(a.0, StatusCode::OK, "{}", a.1);
    }
    assert_eq!(ncore_identifications(&j, &e.account).await.len(), 1);
    delete_execution(&j, &access, &e).await;
    assert_eq!(
        ncore_identifications(&j, &e.account).await,
        Vec::<Value>::new()
    );
    assert!(documents_of(&j, &e.account).await.is_empty());
}

#[tokio::test]
async fn concurrent_sides_after_an_elsewhere_delete_share_one_new_document() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    delete_elsewhere(&j, &id).await;
    let sends = (0..8u8).map(|i| {
        let (method, side) = if i % 2 == 0 {
            (Method::POST, "FRONT")
        } else {
            (Method::PUT, "BACK")
        };
        j.part(&e, method, &id, side, vec![png(1000, 700, i + 1)])
    });
    let answers = futures::future::join_all(sends).await;
    let fronts = answers
        .iter()
        .step_by(2)
        .filter(|a| a.0 == StatusCode::OK)
        .count();
    assert_eq!(fronts, 1, "{answers:?}");
    for a in answers.iter().skip(1).step_by(2) {
        assert_eq!(a.0, StatusCode::OK, "{}", a.1);
    }
    let docs = documents_of(&j, &e.account).await;
    assert_eq!(docs.len(), 1, "one new document for the credential");
    assert_eq!(docs[0].file_count, 2);
    assert_eq!(ncore_identifications(&j, &e.account).await.len(), 1);
    assert_eq!(listed(&j, &access, &e, &id).await, ["FRONT", "BACK"]);
    delete_execution(&j, &access, &e).await;
    assert!(documents_of(&j, &e.account).await.is_empty());
}

#[tokio::test]
async fn a_reused_credential_must_be_of_its_category() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let first = j.open(&access, key_only(2)).await;
    let id = first.cred("ID");
    let statement = ncore_identification(&j, &first.account, "BANK_STATEMENT").await;
    let passport = ncore_identification(&j, &first.account, "PASSPORT").await;
    let res = j
        .reopen(&access, &first.account, guide_workflow_5(&statement))
        .await;
    assert_eq!(
        field(&res, 400),
        "workflowDefinition.credentials[0].category"
    );
    let mut body = guide_workflow_5(&id);
    body["workflowDefinition"]["credentials"] = json!([{"id": passport, "category": "SELFIE"}]);
    let res = j.reopen(&access, &first.account, body).await;
    assert_eq!(
        field(&res, 400),
        "workflowDefinition.credentials[0].category"
    );
    // An identity document fits an ID credential.
    let (status, body) = j
        .reopen(&access, &first.account, guide_workflow_5(&passport))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_passport_stored_as_pages_lists_front_and_back() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["workflowDefinition"]["credentials"] =
        json!([{"category": "ID", "type": {"values": ["PASSPORT"]}}]);
    let e = j.open(&access, body).await;
    let id = e.cred("ID");
    ncore_file(&j, &e.account, &id, "PASSPORT_PAGE1", png(1000, 700, 61)).await;
    ncore_file(&j, &e.account, &id, "PASSPORT_PAGE2", png(1000, 700, 62)).await;
    // As POST FRONT and GET …/FRONT read them.
    assert_eq!(listed(&j, &access, &e, &id).await, ["FRONT", "BACK"]);
    error(
        &j.part(&e, Method::POST, &id, "FRONT", vec![png(1000, 700, 63)])
            .await,
        409,
    );
    let (status, _) = j.image(&access, &e.image(&id, "BACK")).await;
    assert_eq!(status, StatusCode::OK);
}
