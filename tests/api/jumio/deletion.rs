//! Jumio deletion.

use super::*;

#[tokio::test]
async fn executions_and_accounts_are_deleted_for_good() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let t = tenant("alpha");
    let e = j.open(&access, key_only(3)).await;
    let (id, selfie) = (e.cred("ID"), e.cred("SELFIE"));
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &selfie, "FACE", png(700, 1000, 2)).await;
    let (status, body) = j.reopen(&access, &e.account, key_only(2)).await;
    assert_eq!(status, StatusCode::OK);
    let other = Exec::from(&body);
    j.add(&other, &other.cred("ID"), "FRONT", png(1000, 700, 3))
        .await;

    let (status, body) = j
        .send(
            Method::DELETE,
            &e.path(),
            EXECUTION,
            Some(&access),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    error(&j.status(&access, &e).await, 404);
    error(&j.details(&access, &e).await, 404);
    error(
        &j.send(
            Method::DELETE,
            &e.path(),
            EXECUTION,
            Some(&access),
            Body::Empty,
        )
        .await,
        404,
    );
    for doc in [&id, &selfie] {
        assert!(
            j.server
                .store
                .get_document(&t, doc.parse().unwrap())
                .await
                .is_err(),
            "the credential's document is still stored"
        );
    }
    assert!(
        j.server
            .store
            .get_process(&t, e.id.parse().unwrap())
            .await
            .is_err()
    );
    let (status, _) = j.image(&access, &e.image(&id, "FRONT")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    error(
        &j.part(&e, Method::POST, &id, "BACK", vec![png(1000, 700, 1)])
            .await,
        401,
    );
    // The other execution of the account is untouched.
    let files = j
        .server
        .store
        .list_files(&t, e.account.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(files.len(), 1, "only the other execution's FRONT is left");
    assert_eq!(j.status_of(&access, &other).await, "INITIATED");

    let account = format!("/api/v1/accounts/{}", e.account);
    let (status, body) = j
        .send(
            Method::DELETE,
            &account,
            ACCOUNT,
            Some(&access),
            Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        j.server
            .store
            .get_subject(&t, e.account.parse().unwrap())
            .await
            .is_err()
    );
    error(&j.status(&access, &other).await, 404);
    error(&j.reopen(&access, &e.account, key_only(2)).await, 404);
    error(
        &j.send(
            Method::DELETE,
            &account,
            ACCOUNT,
            Some(&access),
            Body::Empty,
        )
        .await,
        404,
    );
    error(&j.finalize(&other).await, 401);
    let (status, _) = j
        .image(&access, &other.image(&other.cred("ID"), "FRONT"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
