//! Jumio's writes as single store transactions (issue 15): concurrent writers of one
//! execution are settled by the database, a refused request leaves nothing behind, and
//! page numbers are never given twice.

use super::*;

#[tokio::test]
async fn eight_concurrent_fronts_leave_exactly_one_front() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    let send = |i: u8| j.part(&e, Method::POST, &id, "FRONT", vec![png(1000, 700, i)]);
    let answers = tokio::join!(
        send(1),
        send(2),
        send(3),
        send(4),
        send(5),
        send(6),
        send(7),
        send(8)
    );
    let answers = [
        answers.0, answers.1, answers.2, answers.3, answers.4, answers.5, answers.6, answers.7,
    ];
    let ok = answers.iter().filter(|a| a.0 == StatusCode::OK).count();
    assert_eq!(ok, 1, "{answers:?}");
    for a in answers.iter().filter(|a| a.0 != StatusCode::OK) {
        error(a, 409);
    }
    assert_eq!(listed(&j, &access, &e, &id).await, ["FRONT"]);
    let docs = documents_of(&j, &e.account).await;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].file_count, 1, "one FRONT file, no stray blob row");
}

#[tokio::test]
async fn page_numbers_continue_after_every_page_is_deleted() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let (e, doc) = document_execution(&j, &access).await;
    let pages = (0..3u8).map(|i| {
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
    assert_eq!(
        listed(&j, &access, &e, &doc).await,
        ["PAGE_1", "PAGE_2", "PAGE_3"]
    );
    let all = format!("{}/credentials/{doc}/parts", e.path());
    let (status, body) = j.delete(&e.token, &all, ALL_PARTS).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(listed(&j, &access, &e, &doc).await.is_empty());
    let again = j
        .part(&e, Method::POST, &doc, "DOCUMENT", vec![png(1000, 700, 9)])
        .await;
    assert_eq!(again.0, StatusCode::OK, "{}", again.1);
    assert_eq!(listed(&j, &access, &e, &doc).await, ["PAGE_4"]);
}

#[tokio::test]
async fn a_refused_part_after_an_elsewhere_delete_starts_no_document() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    let t = tenant("alpha");
    j.server
        .store
        .delete_document(&t, id.parse().unwrap())
        .await
        .unwrap();
    assert!(documents_of(&j, &e.account).await.is_empty());
    // Too small: refused while the file is read, before the operation's transaction, so
    // no document is started (and none needs deleting again).
    let small = j
        .part(&e, Method::POST, &id, "FRONT", vec![png(200, 100, 1)])
        .await;
    assert_eq!(field(&small, 400), "file");
    assert!(documents_of(&j, &e.account).await.is_empty());
    j.add(&e, &id, "FRONT", png(1000, 700, 2)).await;
    let docs = documents_of(&j, &e.account).await;
    assert_eq!(docs.len(), 1, "the part started one new document");
    assert_eq!(docs[0].file_count, 1);
}

#[tokio::test]
async fn deleting_an_execution_while_parts_arrive_leaves_no_document() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let id = e.cred("ID");
    let t = tenant("alpha");
    j.server
        .store
        .delete_document(&t, id.parse().unwrap())
        .await
        .unwrap();
    // Each part would start a new document for the credential; the execution's deletion
    // either sees it (and deletes it) or comes first (and the part is refused).
    let parts = (0..4u8).map(|i| {
        let side = if i % 2 == 0 { "FRONT" } else { "BACK" };
        j.part(&e, Method::PUT, &id, side, vec![png(1000, 700, i + 1)])
    });
    let (answers, ()) = tokio::join!(
        futures::future::join_all(parts),
        delete_execution(&j, &access, &e)
    );
    for a in &answers {
        // Refused after the deletion: the api.token went with the execution (401), or
        // the execution is gone (404).
        assert!(
            [
                StatusCode::OK,
                StatusCode::UNAUTHORIZED,
                StatusCode::NOT_FOUND
            ]
            .contains(&a.0),
            "{a:?}"
        );
    }
    assert!(documents_of(&j, &e.account).await.is_empty());
    let files = j
        .server
        .store
        .list_files(&t, e.account.parse().unwrap())
        .await
        .unwrap();
    assert!(files.is_empty(), "{files:?}");
}
