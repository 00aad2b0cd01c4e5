//! The B2Core Back Office: its sign-in, its tokens and what it reads.

use super::*;

#[tokio::test]
async fn the_back_office_reads_a_clients_documents_by_client_id() {
    let m = Mydocs::start().await;
    let one = account(&m, ADMIN_A, "jane@example.com", "jane-password").await;
    let two = account(&m, ADMIN_A, "kate@example.com", "kate-password").await;
    assert_eq!((one.client_id, two.client_id), (1, 2));
    let (p1, p2) = (signed_in_as(&m, &one).await, signed_in_as(&m, &two).await);
    // A subject with no client account (a minted token only).
    let anonymous = m.client(ADMIN_A).await;
    let d1 = m
        .add_ok(&p1.access, typed("1", vec![("passport.png", png(1))]))
        .await;
    let d2 = m
        .add_ok(&p2.access, typed("2", vec![("id.png", png(2))]))
        .await;
    let d3 = m
        .add_ok(
            &p1.access,
            typed("4", vec![("bill.png", png(3)), ("bill2.png", png(4))]),
        )
        .await;
    let d4 = m
        .add_ok(&anonymous.token, typed("1", vec![("anon.png", png(5))]))
        .await;
    let id = |d: &Value| d["id"].as_i64().unwrap();

    let (status, body) = bo_signin(&m, "BackOffice@Alpha.TEST", BACKOFFICE_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bo = pair(&m, &body);

    // Client 1's documents, newest first, each the client's own view plus its clientId.
    let (status, page) = bo_list(&m, &bo.access, "?filter[clientId]=1").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let expected = json!({"total": 2, "data": [
        with_client_id(&own_view(&m, &p1.access, id(&d3)).await, Some(1)),
        with_client_id(&own_view(&m, &p1.access, id(&d1)).await, Some(1)),
    ]});
    assert_eq!(page, expected);
    let (status, page) = bo_list(&m, &bo.access, "?filter[clientId]=2").await;
    assert_eq!(
        (status, page),
        (
            StatusCode::OK,
            json!({"total": 1, "data": [with_client_id(&d2, Some(2))]})
        )
    );
    // The client's list parameters work the same.
    for (query, total, ids) in [
        ("&limit=1", 2, vec![id(&d3)]),
        ("&limit=1&offset=1", 2, vec![id(&d1)]),
        ("&sort_order=asc", 2, vec![id(&d1), id(&d3)]),
        ("&sort_by=id&sort_order=desc", 2, vec![id(&d3), id(&d1)]),
        ("&filter[typeId]=4", 1, vec![id(&d3)]),
        ("&filter[typeId]=2", 0, vec![]),
    ] {
        let (status, page) = bo_list(&m, &bo.access, &format!("?filter[clientId]=1{query}")).await;
        assert_eq!(status, StatusCode::OK, "{query}: {page}");
        let got: Vec<i64> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                assert_eq!(d["clientId"], 1, "{query}: {d}");
                d["id"].as_i64().unwrap()
            })
            .collect();
        assert_eq!(
            (page["total"].as_u64(), &got),
            (Some(total), &ids),
            "{query}"
        );
        // The client's own list with the same parameters agrees.
        let own = m.ids(&p1.access, &format!("?{}", &query[1..])).await;
        assert_eq!(own, (total, ids), "{query}");
    }

    // One document by id: whoever's it is, with its clientId (null without an account).
    for (doc, token, client_id) in [
        (&d1, &p1.access, Some(1)),
        (&d2, &p2.access, Some(2)),
        (&d3, &p1.access, Some(1)),
        (&d4, &anonymous.token, None),
    ] {
        let (status, got) = bo_get(&m, &bo.access, id(doc)).await;
        assert_eq!(status, StatusCode::OK, "{got}");
        assert_eq!(
            got,
            with_client_id(&own_view(&m, token, id(doc)).await, client_id)
        );
    }

    // filter[clientId] is required, one positive integer.
    for query in [
        "",
        "?limit=5",
        "?filter[clientId]=",
        "?filter[clientId]=abc",
        "?filter[clientId]=0",
        "?filter[clientId]=-1",
        "?filter[clientId]=1.5",
        "?filter[clientId]=1&filter[clientId]=2",
        "?filter%5BclientId%5D=x",
    ] {
        let (status, err) = bo_list(&m, &bo.access, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query:?}: {err}");
        assert_error(&err, status, Some("filter[clientId]"));
    }
    // Percent-encoded brackets are the same parameter.
    let (status, page) = bo_list(&m, &bo.access, "?filter%5BclientId%5D=2").await;
    assert_eq!((status, page["total"].as_u64()), (StatusCode::OK, Some(1)));
    // Other parameters are checked as the client's are.
    let (status, err) = bo_list(&m, &bo.access, "?filter[clientId]=1&limit=0").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_error(&err, status, Some("limit"));
    // Unknown clients and documents.
    for client in ["3", "99", "9223372036854775807"] {
        let (status, err) = bo_list(&m, &bo.access, &format!("?filter[clientId]={client}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{client}: {err}");
    }
    let (status, err) = bo_get(&m, &bo.access, 999).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    let (status, err) = bo_get(&m, &bo.access, "abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
}

#[tokio::test]
async fn back_office_and_client_tokens_do_not_mix_and_tenants_do_not_see_each_other() {
    let m = Mydocs::start().await;
    let alpha1 = account(&m, ADMIN_A, "leo@example.com", "leo-password").await;
    let alpha2 = account(&m, ADMIN_A, "mia@example.com", "mia-password").await;
    let beta1 = account(&m, ADMIN_B, "ned@example.com", "ned-password").await;
    assert_eq!(
        (alpha2.client_id, beta1.client_id),
        (2, 1),
        "numbers are per tenant"
    );
    let (pa, pb) = (
        signed_in_as(&m, &alpha1).await,
        signed_in_as(&m, &beta1).await,
    );
    let a_docs = [
        m.add_ok(&pa.access, typed("1", vec![("a1.png", png(1))]))
            .await,
        m.add_ok(&pa.access, typed("1", vec![("a2.png", png(2))]))
            .await,
    ];
    let b_doc = m
        .add_ok(&pb.access, typed("1", vec![("b1.png", png(3))]))
        .await;
    let (bo_a, bo_b) = (
        bo_signed_in(&m, BO_ALPHA).await,
        bo_signed_in(&m, BO_BETA).await,
    );

    // Each back office sees its own tenant's client 1 and nothing of the other tenant.
    let (status, page) = bo_list(&m, &bo_b.access, "?filter[clientId]=1").await;
    assert_eq!(
        (status, page),
        (
            StatusCode::OK,
            json!({"total": 1, "data": [with_client_id(&b_doc, Some(1))]})
        )
    );
    let (status, page) = bo_list(&m, &bo_a.access, "?filter[clientId]=1").await;
    assert_eq!(
        (status, page["total"].as_u64()),
        (StatusCode::OK, Some(2)),
        "{page}"
    );
    let (status, err) = bo_list(&m, &bo_b.access, "?filter[clientId]=2").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "alpha's client 2 from beta: {err}"
    );
    assert_eq!(a_docs[1]["id"], 2);
    let (status, err) = bo_get(&m, &bo_b.access, 2).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "alpha's document 2 from beta: {err}"
    );
    let (status, got) = bo_get(&m, &bo_a.access, 2).await;
    assert_eq!(
        (status, got),
        (StatusCode::OK, with_client_id(&a_docs[1], Some(1)))
    );

    // Client tokens (signed in or minted) are no back-office tokens...
    let minted = m.client(ADMIN_A).await;
    for (what, token) in [
        ("a client access token", pa.access.as_str()),
        ("a client refresh token", pa.refresh.as_str()),
        ("an admin-minted client token", minted.token.as_str()),
        ("a back-office refresh token", bo_a.refresh.as_str()),
        ("the admin key", ADMIN_A),
    ] {
        let (status, err) = bo_list(&m, token, "?filter[clientId]=1").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {err}");
        let (status, err) = bo_get(&m, token, 1).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {err}");
        let (status, err) = signout(&m, BO_SIGNOUT, Some(token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {err}");
    }
    let res = m
        .raw(
            None,
            Method::GET,
            &format!("{BO_LIST}?filter[clientId]=1"),
            Body::None,
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // ...and a back-office token is no client token.
    assert_dead(&m, &bo_a.access, "a back-office token on the client's list").await;
    let (status, err) = m
        .add(&bo_a.access, typed("1", vec![("x.png", png(9))]))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");
    let (status, err) = refresh(&m, REFRESH, json!({"refreshToken": bo_a.refresh})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");
    let (status, err) = refresh(&m, BO_REFRESH, json!({"refreshToken": pa.refresh})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{err}");
    // All the refusals above ended nothing.
    assert_eq!(m.ids(&pa.access, "").await.0, 2);
    let (status, _) = bo_list(&m, &bo_a.access, "?filter[clientId]=1").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_back_office_signs_in_refreshes_and_signs_out() {
    let m = Mydocs::start().await;
    let c = account(&m, ADMIN_A, "olga@example.com", "olga-password").await;
    let q = format!("?filter[clientId]={}", c.client_id);

    // Wrong credentials and missing fields.
    for (email, password) in [
        (BO_ALPHA, "wrong-password"),
        ("nobody@alpha.test", BACKOFFICE_PASSWORD),
        (c.email.as_str(), c.password.as_str()),
    ] {
        let (status, err) = bo_signin(&m, email, password).await;
        assert_eq!(
            (status, err),
            (StatusCode::UNAUTHORIZED, wrong_credentials()),
            "{email}"
        );
    }
    for (body, field) in [
        (json!({"password": BACKOFFICE_PASSWORD}), "email"),
        (json!({"email": BO_ALPHA}), "password"),
        (json!({"email": BO_ALPHA, "password": ""}), "password"),
    ] {
        let (status, err) = m
            .send(None, Method::POST, BO_SIGNIN, BO_SIGNIN, Body::Json(body))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert_error(&err, status, Some(field));
    }

    let first = bo_signed_in(&m, BO_ALPHA).await;
    let (status, page) = bo_list(&m, &first.access, &q).await;
    assert_eq!(
        (status, page),
        (StatusCode::OK, json!({"total": 0, "data": []}))
    );
    let second = refreshed(&m, BO_REFRESH, &first.refresh).await;
    let (status, _) = bo_list(&m, &first.access, &q).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the refreshed access token"
    );
    let (status, _) = refresh(&m, BO_REFRESH, json!({"refreshToken": first.refresh})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a used refresh token");
    let (status, err) = refresh(&m, BO_REFRESH, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_error(&err, status, Some("refreshToken"));
    let (status, _) = bo_list(&m, &second.access, &q).await;
    assert_eq!(status, StatusCode::OK);
    // B2Core's snake_case spelling.
    let (status, body) = refresh(&m, BO_REFRESH, json!({"refresh_token": second.refresh})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let third = pair(&m, &body);

    // A client's sign-out does not take a back-office token; the back office's does.
    let (status, _) = signout(&m, SIGNOUT, Some(&third.access)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        signout(&m, BO_SIGNOUT, Some(&third.access)).await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    let (status, _) = bo_list(&m, &third.access, &q).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a signed-out token");
    let (status, _) = refresh(&m, BO_REFRESH, json!({"refreshToken": third.refresh})).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a signed-out refresh token"
    );
    let (status, _) = signout(&m, BO_SIGNOUT, Some(&third.access)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "signed out twice");
    let (status, _) = signout(&m, BO_SIGNOUT, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A subject may be given a second client account; the back office then reaches its
/// documents by either clientId, and must say the same clientId for one document wherever
/// it shows it.
#[tokio::test]
async fn a_document_has_one_client_id_in_the_list_and_the_details() {
    let m = Mydocs::start().await;
    let first = account(&m, ADMIN_A, "vic@example.com", "vic-password").await;
    // One client, one account: a second account for the subject is refused, nothing stored.
    let (status, refused) = create_account(
        &m,
        ADMIN_A,
        first.subject,
        "vic.work@example.com",
        "vic-work-pw",
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let (status, _) = sign_in(&m, "vic.work@example.com", "vic-work-pw").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let p = signed_in_as(&m, &first).await;
    let doc = m
        .add_ok(&p.access, typed("1", vec![("x.png", png(1))]))
        .await;
    let id = doc["id"].as_i64().unwrap();
    let bo = bo_signed_in(&m, BO_ALPHA).await;
    let (status, details) = bo_get(&m, &bo.access, id).await;
    assert_eq!(status, StatusCode::OK, "{details}");
    assert_eq!(details["clientId"], first.client_id);
    let (status, page) = bo_list(
        &m,
        &bo.access,
        &format!("?filter[clientId]={}", first.client_id),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1, "the subject's document: {page}");
    assert_eq!(page["data"][0], details, "the list and the details agree");
    // The number the refused account would have taken is nobody's.
    let (status, _) = bo_list(
        &m,
        &bo.access,
        &format!("?filter[clientId]={}", first.client_id + 1),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
