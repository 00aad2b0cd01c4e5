//! Sign-in sessions: refresh, sign-out, password reset, expiry.

use super::*;

#[tokio::test]
async fn refresh_and_sign_out_refuse_what_is_not_theirs() {
    let m = Mydocs::start().await;
    let minted = m.client(ADMIN_A).await;
    let a = account_of(
        &m,
        ADMIN_A,
        minted.subject,
        "eve@example.com",
        "eve-password",
    )
    .await;
    let p = signed_in_as(&m, &a).await;
    let bo = bo_signed_in(&m, BO_ALPHA).await;

    // A refresh needs a refresh token in the body.
    for body in [
        json!({}),
        json!({"refreshToken": ""}),
        json!({"token": p.refresh}),
    ] {
        let (status, err) = refresh(&m, REFRESH, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {err}");
        assert_error(&err, status, Some("refreshToken"));
    }
    // Only a live client refresh token is one.
    for (what, token) in [
        ("unknown", "idb_client_refresh_0000"),
        ("an access token", p.access.as_str()),
        ("an admin-minted token", minted.token.as_str()),
        ("a back-office refresh token", bo.refresh.as_str()),
    ] {
        let (status, err) = refresh(&m, REFRESH, json!({"refreshToken": token})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {err}");
    }
    // A refresh token opens no documents.
    assert_dead(&m, &p.refresh, "a refresh token as bearer").await;

    // Sign-out needs the access token of a session.
    for (what, token) in [
        ("no token", None),
        ("unknown", Some("idb_client_0000")),
        ("the refresh token", Some(p.refresh.as_str())),
        (
            "an admin-minted token (no session)",
            Some(minted.token.as_str()),
        ),
        ("a back-office token", Some(bo.access.as_str())),
    ] {
        let (status, err) = signout(&m, SIGNOUT, token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {err}");
    }
    // Nothing of that ended anything.
    assert_eq!(m.ids(&p.access, "").await.0, 0);
    assert_eq!(m.ids(&minted.token, "").await.0, 0);
    let (status, _) = bo_list(
        &m,
        &bo.access,
        &format!("?filter[clientId]={}", a.client_id),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Signing out one session leaves the subject's other session and minted token alone.
    let other = signed_in_as(&m, &a).await;
    assert_eq!(
        signout(&m, SIGNOUT, Some(&p.access)).await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    assert_dead(&m, &p.access, "signed out").await;
    assert_eq!(m.ids(&other.access, "").await.0, 0);
    assert_eq!(m.ids(&minted.token, "").await.0, 0);
    refreshed(&m, REFRESH, &other.refresh).await;
}

#[tokio::test]
async fn concurrent_refreshes_of_one_token_give_one_pair() {
    let m = Mydocs::start().await;
    let a = account(&m, ADMIN_A, "twice@example.com", "twice-password").await;
    let p = signed_in_as(&m, &a).await;
    let results = futures::future::join_all(
        (0..4).map(|_| refresh(&m, REFRESH, json!({"refreshToken": p.refresh}))),
    )
    .await;
    let ok: Vec<_> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .collect();
    assert_eq!(ok.len(), 1, "{results:?}");
    for (status, _) in &results {
        assert!(
            [StatusCode::OK, StatusCode::UNAUTHORIZED].contains(status),
            "{results:?}"
        );
    }
    let fresh = pair(&m, &ok[0].1);
    assert_eq!(m.ids(&fresh.access, "").await.0, 0);
}

#[tokio::test]
async fn tokens_live_as_configured_and_expired_ones_are_refused() {
    let m = Mydocs::start_with(|c| {
        c.adapters.mydocs.access_token_ttl_secs = 120;
        c.adapters.mydocs.refresh_token_ttl_secs = 600;
    })
    .await;
    let a = account(&m, ADMIN_A, "frank@example.com", "frank-password").await;
    // `pair` checks the lifetimes against the configuration.
    let p = signed_in_as(&m, &a).await;
    expire_token(&m, &p.access).await;
    assert_dead(&m, &p.access, "an expired access token").await;
    let (status, _) = signout(&m, SIGNOUT, Some(&p.access)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "signing out with an expired token"
    );
    // The refresh token outlives it and brings a new pair.
    let q = refreshed(&m, REFRESH, &p.refresh).await;
    assert_eq!(m.ids(&q.access, "").await.0, 0);
    expire_token(&m, &q.refresh).await;
    let (status, err) = refresh(&m, REFRESH, json!({"refreshToken": q.refresh})).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an expired refresh token: {err}"
    );
}

#[tokio::test]
async fn a_password_reset_ends_sign_ins_but_not_minted_tokens() {
    let m = Mydocs::start().await;
    let minted = m.client(ADMIN_A).await;
    let a = account_of(
        &m,
        ADMIN_A,
        minted.subject,
        "grace@example.com",
        "old-password",
    )
    .await;
    let bystander = account(&m, ADMIN_A, "henry@example.com", "henry-password").await;
    let one = signed_in_as(&m, &a).await;
    let two = signed_in_as(&m, &a).await;
    let theirs = signed_in_as(&m, &bystander).await;
    let doc = m
        .add_ok(&one.access, typed("1", vec![("p.png", png(3))]))
        .await;
    let id = doc["id"].as_i64().unwrap();

    let template = "/subjects/{subject_id}/client-accounts/{account_id}/password";
    let path = format!("/subjects/{}/client-accounts/{}/password", a.subject, a.id);
    let (status, view) = admin(
        &m,
        ADMIN_A,
        Method::PUT,
        &path,
        template,
        Some(json!({"password": "new-password"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["id"], a.id.to_string());
    assert_eq!(view["client_id"], a.client_id);
    assert_eq!(view["email"], a.email);
    assert_eq!(view["subject_id"], a.subject.to_string());

    // Every session of the subject is over, access and refresh tokens alike.
    for p in [&one, &two] {
        assert_dead(&m, &p.access, "a session from before the reset").await;
        let (status, err) = refresh(&m, REFRESH, json!({"refreshToken": p.refresh})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");
    }
    // The admin-minted token and another subject's session still work.
    assert_eq!(m.ids(&minted.token, "").await, (1, vec![id]));
    assert_eq!(m.ids(&theirs.access, "").await.0, 0);
    // The old password is refused, the new one signs in.
    let (status, err) = sign_in(&m, &a.email, "old-password").await;
    assert_eq!(
        (status, err),
        (StatusCode::UNAUTHORIZED, wrong_credentials())
    );
    let new = signed_in(&m, &a.email, "new-password").await;
    assert_eq!(m.ids(&new.access, "").await, (1, vec![id]));

    // Refusals: a short password, another subject's account, another tenant's key.
    let (status, err) = admin(
        &m,
        ADMIN_A,
        Method::PUT,
        &path,
        template,
        Some(json!({"password": "short"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["error"]["field"], "password", "{err}");
    let wrong_subject = format!(
        "/subjects/{}/client-accounts/{}/password",
        bystander.subject, a.id
    );
    for (key, path) in [(ADMIN_A, &wrong_subject), (ADMIN_B, &path)] {
        let (status, err) = admin(
            &m,
            key,
            Method::PUT,
            path,
            template,
            Some(json!({"password": "another-password"})),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {err}");
        assert_eq!(err["error"]["code"], "not_found", "{err}");
    }
    // None of the refusals changed the password or ended the new session.
    assert_eq!(m.ids(&new.access, "").await.0, 1);
    signed_in(&m, &a.email, "new-password").await;
}

#[tokio::test]
async fn deleting_the_subject_ends_its_sign_in() {
    let m = Mydocs::start().await;
    let a = account(&m, ADMIN_A, "ida@example.com", "ida-password").await;
    let p = signed_in_as(&m, &a).await;
    let res = m
        .server
        .client
        .delete(m.server.url(&format!("/admin/v1/subjects/{}", a.subject)))
        .bearer_auth(ADMIN_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_dead(&m, &p.access, "the deleted subject's token").await;
    let (status, err) = refresh(&m, REFRESH, json!({"refreshToken": p.refresh})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");
    let (status, err) = sign_in(&m, &a.email, &a.password).await;
    assert_eq!(
        (status, err),
        (StatusCode::UNAUTHORIZED, wrong_credentials())
    );
    let bo = bo_signed_in(&m, BO_ALPHA).await;
    let (status, err) = bo_list(
        &m,
        &bo.access,
        &format!("?filter[clientId]={}", a.client_id),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    // The email is free again.
    let again = account(&m, ADMIN_A, &a.email, "ida-password-2").await;
    assert_eq!(again.client_id, a.client_id + 1, "numbers are not reused");
    signed_in_as(&m, &again).await;
}
