//! The admin API's client accounts.

use super::*;

#[tokio::test]
async fn client_accounts_are_refused_when_taken_malformed_or_for_no_subject() {
    let m = Mydocs::start().await;
    let first = account(&m, ADMIN_A, "Rita@Example.com", "rita-password").await;
    assert_eq!(first.client_id, 1);
    let (status, subject) = admin(
        &m,
        ADMIN_A,
        Method::POST,
        "/subjects",
        "/subjects",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let other: Uuid = subject["id"].as_str().unwrap().parse().unwrap();

    // The email is taken in this tenant, whatever its case, by this or another subject.
    for (subject, email) in [
        (first.subject, "rita@example.com"),
        (other, "RITA@EXAMPLE.COM"),
        (other, " rita@example.com "),
    ] {
        let (status, err) = create_account(&m, ADMIN_A, subject, email, "another-password").await;
        assert_eq!(status, StatusCode::CONFLICT, "{email}: {err}");
        assert_eq!(err["error"]["code"], "conflict", "{err}");
    }
    // Passwords of 8 to 128 characters; an email address.
    let too_long = "p".repeat(129);
    for (email, password, field) in [
        ("sam@example.com", "short7c", "password"),
        ("sam@example.com", "", "password"),
        ("sam@example.com", "        ", "password"),
        ("sam@example.com", too_long.as_str(), "password"),
        ("not-an-email", "long-enough", "email"),
        ("", "long-enough", "email"),
        ("sam@", "long-enough", "email"),
    ] {
        let (status, err) = create_account(&m, ADMIN_A, other, email, password).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{email} {password:?}: {err}"
        );
        assert_eq!(err["error"]["field"], field, "{email}: {err}");
    }
    // No such subject in this tenant.
    for (key, subject) in [(ADMIN_A, Uuid::new_v4()), (ADMIN_B, other)] {
        let (status, err) =
            create_account(&m, key, subject, "sam@example.com", "long-enough").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{subject}: {err}");
        assert_eq!(err["error"]["code"], "not_found", "{err}");
    }

    // None of it stored an account or took a number; the bounds themselves are accepted.
    let eight = account_of(&m, ADMIN_A, other, "sam@example.com", "exactly8").await;
    assert_eq!(eight.client_id, 2);
    let long = account(&m, ADMIN_A, "tom@example.com", &"q".repeat(128)).await;
    assert_eq!(long.client_id, 3);
    signed_in_as(&m, &long).await;
    // Beta numbers its own clients and may use alpha's email.
    let beta = account(&m, ADMIN_B, "rita@example.com", "beta-rita-password").await;
    assert_eq!(beta.client_id, 1);

    // The subject's detail lists its accounts.
    let (status, detail) = admin(
        &m,
        ADMIN_A,
        Method::GET,
        &format!("/subjects/{}", first.subject),
        "/subjects/{subject_id}",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let accounts = detail["client_accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1, "{detail}");
    assert_eq!(accounts[0]["id"], first.id.to_string());
    assert_eq!(accounts[0]["client_id"], 1);
    assert_eq!(accounts[0]["email"], "rita@example.com");
    assert_eq!(accounts[0]["subject_id"], first.subject.to_string());
}
