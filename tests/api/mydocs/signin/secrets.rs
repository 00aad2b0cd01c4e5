//! Sign-in secrets at rest: only hashes and digests reach the database file.

use super::*;

#[tokio::test]
async fn passwords_and_tokens_never_reach_the_database_in_clear() {
    let m = Mydocs::start().await;
    let password = "Pa55word-that-must-not-be-stored";
    let a = account(&m, ADMIN_A, "quinn@example.com", password).await;
    let first = signed_in_as(&m, &a).await;
    let second = refreshed(&m, REFRESH, &first.refresh).await;
    let reset = "An0ther-password-never-stored";
    let (status, _) = admin(
        &m,
        ADMIN_A,
        Method::PUT,
        &format!("/subjects/{}/client-accounts/{}/password", a.subject, a.id),
        "/subjects/{subject_id}/client-accounts/{account_id}/password",
        Some(json!({"password": reset})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let third = signed_in(&m, &a.email, reset).await;
    let bo = bo_signed_in(&m, BO_ALPHA).await;
    let bo2 = refreshed(&m, BO_REFRESH, &bo.refresh).await;

    let dir = m.server.dir.path();
    let mut bytes = std::fs::read(dir.join("idbridge.db")).unwrap();
    bytes.extend(std::fs::read(dir.join("idbridge.db-wal")).unwrap_or_default());
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    // The scan sees what is stored: the account's email and a token's digest are there.
    assert!(
        contains("quinn@example.com"),
        "the email is not in the files read"
    );
    assert!(
        contains(&sha(third.access.as_bytes())),
        "no token digest in the files read"
    );
    let secrets = [
        ("the password", password),
        ("the reset password", reset),
        ("the back-office password", BACKOFFICE_PASSWORD),
        ("an access token", first.access.as_str()),
        ("a refresh token", first.refresh.as_str()),
        ("a refreshed access token", second.access.as_str()),
        ("a refreshed refresh token", second.refresh.as_str()),
        ("a later access token", third.access.as_str()),
        ("a later refresh token", third.refresh.as_str()),
        ("a back-office access token", bo.access.as_str()),
        ("a back-office refresh token", bo.refresh.as_str()),
        ("a refreshed back-office token", bo2.access.as_str()),
        (
            "a refreshed back-office refresh token",
            bo2.refresh.as_str(),
        ),
    ];
    for (what, secret) in secrets {
        assert!(!contains(secret), "{what} is stored in clear");
    }
    // The password is kept as an argon2id hash.
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM client_accounts WHERE id = $1")
            .bind(a.id.to_string())
            .fetch_one(&database(&m).await)
            .await
            .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
}
