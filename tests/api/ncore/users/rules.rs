//! What the user routes refuse and allow: each bad field named, JSON bodies only as
//! `application/json`, the status transitions, KYB sub-users, and tenants kept apart.

use super::*;

#[tokio::test]
async fn each_bad_field_is_named_and_nothing_is_stored() {
    let n = Ncore::start().await;
    let with = |k: &str, v: Value| {
        let mut b = sara();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("user_type", json!("PERSON")), "user_type"),
        (json!({"first_name": "Sara"}), "user_type"),
        (with("first_name", json!("")), "first_name"),
        (with("date_of_birth", json!("07/11/1989")), "date_of_birth"),
        (with("date_of_birth", json!("2999-01-01")), "date_of_birth"),
        (with("email", json!("bob")), "email"),
        (with("mobile", json!("call me")), "mobile"),
        (with("nationality", json!("US")), "nationality"),
        (
            with("preferred_language", json!("English")),
            "preferred_language",
        ),
        (with("gender", json!(1)), "gender"),
        (with("monthly_salary", json!(-5)), "monthly_salary"),
        (with("address", json!({"country": "UK"})), "address.country"),
        (
            with("company_address", json!({"street": "x"})),
            "company_address.street",
        ),
        (with("status", json!("ACTIVE")), "status"),
        (
            with("id", json!("95e7ffbe-0d8a-4c8d-ab84-4476c16a1494")),
            "id",
        ),
        (
            with(
                "parent_user_id",
                json!("95e7ffbe-0d8a-4c8d-ab84-4476c16a1494"),
            ),
            "parent_user_id",
        ),
        (
            json!({"user_type": "BUSINESS", "last_name": "x"}),
            "company_name",
        ),
    ] {
        let reply = n.create_user(KEY_A, body.clone(), None).await;
        assert_eq!(
            code(&reply),
            (
                StatusCode::BAD_REQUEST,
                Some("VALIDATION_ERROR"),
                Some(field)
            ),
            "{body}"
        );
        assert_eq!(reply.1["status"], 400);
        assert!(
            reply.1["message"].as_str().unwrap().starts_with(field),
            "{}",
            reply.1
        );
    }
    for (text, what) in [
        ("[1, 2]", "an array"),
        ("{\"user_type\": ", "cut short"),
        ("", "empty"),
    ] {
        let reply = n
            .raw(Method::POST, "/users", Some("application/json"), text)
            .await;
        assert_eq!(
            code(&reply),
            (StatusCode::BAD_REQUEST, Some("BAD_REQUEST"), None),
            "{what}"
        );
    }
    let huge = with(
        "note",
        json!("x".repeat(n.server.config.server.json_body_limit)),
    );
    assert_eq!(
        code(&n.create_user(KEY_A, huge, None).await).1,
        Some("PAYLOAD_TOO_LARGE")
    );
    assert_eq!(
        n.subjects("alpha").await,
        0,
        "a refused create stored something"
    );

    // A refused update changes nothing.
    let id = n.user(sara()).await;
    let (_, before) = n.get_user(KEY_A, &id).await;
    for (body, field) in [
        (json!({"last_name": "Changed", "email": "nope"}), "email"),
        (
            json!({"last_name": "Changed", "first_name": null}),
            "first_name",
        ),
        (
            json!({"last_name": "Changed", "user_type": "BUSINESS"}),
            "user_type",
        ),
        (json!({"last_name": "Changed", "id": "another"}), "id"),
        (
            json!({"last_name": "Changed", "parent_user_id": id}),
            "parent_user_id",
        ),
        (
            json!({"last_name": "Changed", "status": "SUSPENDED"}),
            "status",
        ),
    ] {
        let reply = n.put_user(KEY_A, &id, body.clone()).await;
        assert_eq!(
            code(&reply),
            (
                StatusCode::BAD_REQUEST,
                Some("VALIDATION_ERROR"),
                Some(field)
            ),
            "{body}"
        );
    }
    assert_eq!(n.get_user(KEY_A, &id).await.1, before);
    // A user read back whole can be sent back: nothing changes, not even updated_at.
    let (status, same) = n.put_user(KEY_A, &id, before.clone()).await;
    assert_eq!((status, &same), (StatusCode::OK, &before));
}

#[tokio::test]
async fn json_bodies_must_be_labelled_application_json() {
    let n = Ncore::start().await;
    let id = n.user(sara()).await;
    let (_, ident) = n.create(&id, passport()).await;
    let ident_path = format!(
        "/users/{id}/identifications/{}",
        ident["id"].as_str().unwrap()
    );
    let user_path = format!("/users/{id}");
    let ident_list = format!("/users/{id}/identifications");
    let user_body = r#"{"user_type": "INDIVIDUAL", "first_name": "Form"}"#;
    for (method, path, body) in [
        (Method::POST, "/users", user_body),
        (Method::PUT, user_path.as_str(), r#"{"last_name": "Form"}"#),
        (
            Method::POST,
            ident_list.as_str(),
            r#"{"type": "VISA", "number": "V1"}"#,
        ),
        (Method::PUT, ident_path.as_str(), r#"{"number": "FORM"}"#),
    ] {
        for ctype in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("application/xml"),
            None,
        ] {
            let reply = n.raw(method.clone(), path, ctype, body).await;
            assert_eq!(
                code(&reply),
                (
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    Some("UNSUPPORTED_MEDIA_TYPE"),
                    None
                ),
                "{method} {path} as {ctype:?}"
            );
            assert_eq!(reply.1["status"], 415);
        }
    }
    assert_eq!(
        n.subjects("alpha").await,
        1,
        "a refused body created a user"
    );
    assert_eq!(n.get_user(KEY_A, &id).await.1["last_name"], "pass");
    assert_eq!(n.list(&id, "").await.1["data"].as_array().unwrap().len(), 1);
    assert_eq!(n.list(&id, "").await.1["data"][0]["number"], "132123123");
    // Parameters and case do not matter.
    let (status, user) = n
        .raw(
            Method::POST,
            "/users",
            Some("Application/JSON; charset=utf-8"),
            user_body,
        )
        .await;
    assert_eq!(
        (status, user["first_name"].as_str()),
        (StatusCode::OK, Some("Form"))
    );
}

#[tokio::test]
async fn status_moves_only_along_the_allowed_transitions() {
    let n = Ncore::start().await;
    let id = n.user(sara()).await;
    let status_of = |v: &Value| v["status"].as_str().map(str::to_owned);
    for (to, ok) in [
        ("SUSPENDED", false),
        ("ACTIVE", true),
        ("ACTIVE", true),
        ("PENDINGKYC", false),
        ("SUSPENDED", true),
        ("ACTIVE", true),
        ("SUSPENDED", true),
        ("TERMINATED", true),
    ] {
        let before = n.get_user(KEY_A, &id).await.1;
        let reply = n.put_user(KEY_A, &id, json!({"status": to})).await;
        if ok {
            assert_eq!(
                (reply.0, status_of(&reply.1)),
                (StatusCode::OK, Some(to.to_owned())),
                "{before} -> {to}"
            );
        } else {
            assert_eq!(
                code(&reply),
                (
                    StatusCode::BAD_REQUEST,
                    Some("VALIDATION_ERROR"),
                    Some("status")
                ),
                "-> {to}"
            );
            assert!(reply.1["message"].as_str().unwrap().contains(to));
            assert_eq!(n.get_user(KEY_A, &id).await.1, before);
        }
    }
    let (_, gone) = n.get_user(KEY_A, &id).await;
    for body in [
        json!({"status": "ACTIVE"}),
        json!({"first_name": "Back"}),
        json!({"status": "TERMINATED"}),
    ] {
        let reply = n.put_user(KEY_A, &id, body).await;
        assert_eq!(code(&reply), (StatusCode::CONFLICT, Some("CONFLICT"), None));
    }
    assert_eq!(n.get_user(KEY_A, &id).await.1, gone);
    // The status gates accounts and cards at NymCard, not identifications.
    assert_eq!(n.create(&id, passport()).await.0, StatusCode::OK);
}

#[tokio::test]
async fn kyb_sub_users_are_users_of_their_own_before_their_business() {
    let n = Ncore::start().await;
    let mut subs = Vec::new();
    for (t, body) in [
        ("DIRECTOR", json!({"first_name": "Dana"})),
        ("SIGNATURE", json!({"first_name": "Sam"})),
        ("SHAREHOLDER", json!({"first_name": "Sol"})),
        ("SHAREHOLDER_BUSINESS", json!({"company_name": "Holding"})),
    ] {
        let mut b = body;
        b["user_type"] = json!(t);
        let (status, user) = n.create_user(KEY_A, b, None).await;
        assert_eq!(
            (status, user["user_type"].as_str(), user["status"].as_str()),
            (StatusCode::OK, Some(t), Some("PENDINGKYC"))
        );
        let id = user["id"].as_str().unwrap().to_owned();
        let kind = if t == "SHAREHOLDER_BUSINESS" {
            "TRADE_LICENSE"
        } else {
            "PASSPORT"
        };
        let (status, ident) = n
            .create(&id, json!({"type": kind, "number": format!("N-{t}")}))
            .await;
        assert_eq!(
            (status, ident["user_id"].as_str()),
            (StatusCode::OK, Some(id.as_str()))
        );
        subs.push(id);
    }
    // NymCard's field names for the sub-users' ids in the business's request could not be
    // read: whatever the client names them is kept as sent.
    let (status, business) = n
        .create_user(KEY_A, json!({"user_type": "BUSINESS", "company_name": "Test", "directors": [subs[0]], "shareholders": [subs[2], subs[3]]}), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{business}");
    assert_eq!(business["directors"], json!([subs[0]]));
    assert_eq!(business["shareholders"], json!([subs[2], subs[3]]));
    assert_eq!(n.subjects("alpha").await, 5);
    // Each sub-user keeps its own identifications.
    for id in &subs {
        assert_eq!(n.list(id, "").await.1["data"].as_array().unwrap().len(), 1);
    }
    // A parent must be a user of the tenant, and not the user itself.
    let child = json!({"user_type": "INDIVIDUAL", "first_name": "Kid", "parent_user_id": subs[0], "relationship_with_parent": "SON"});
    let (status, kid) = n.create_user(KEY_A, child.clone(), None).await;
    assert_eq!(
        (status, kid["parent_user_id"].as_str()),
        (StatusCode::OK, Some(subs[0].as_str()))
    );
    let (status, _) = n.create("plain-id", passport()).await;
    assert_eq!(status, StatusCode::OK);
    let orphan =
        json!({"user_type": "INDIVIDUAL", "first_name": "Kid", "parent_user_id": "plain-id"});
    assert_eq!(
        code(&n.create_user(KEY_A, orphan, None).await).2,
        Some("parent_user_id"),
        "a subject that is no user"
    );
}

#[tokio::test]
async fn another_tenants_user_is_a_user_that_does_not_exist() {
    let n = Ncore::start().await;
    let id = n.user(sara()).await;
    n.create(&id, passport()).await;
    let missing = uuid::Uuid::now_v7().to_string();
    for target in [id.as_str(), missing.as_str()] {
        let (status, err) = n.get_user(KEY_B, target).await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("RESOURCE_NOT_EXIST"))
        );
        assert!(!err.to_string().contains("Sara"));
        let reply = n
            .put_user(
                KEY_B,
                target,
                json!({"first_name": "Stolen", "status": "ACTIVE"}),
            )
            .await;
        assert_eq!(
            code(&reply),
            (StatusCode::NOT_FOUND, Some("RESOURCE_NOT_EXIST"), None)
        );
    }
    // Naming alpha's user as a parent from beta: no such user.
    let reply = n
        .create_user(
            KEY_B,
            json!({"user_type": "INDIVIDUAL", "first_name": "B", "parent_user_id": id}),
            None,
        )
        .await;
    assert_eq!(code(&reply).2, Some("parent_user_id"));
    // Beta writing an identification under alpha's user id makes beta's own subject.
    assert_eq!(
        n.send(
            Some(KEY_B),
            Method::POST,
            &format!("/users/{id}/identifications"),
            LIST,
            Some(json!({"type": "VISA", "number": "B"})),
            None
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(n.get_user(KEY_B, &id).await.0, StatusCode::NOT_FOUND);
    let (_, mine) = n.get_user(KEY_A, &id).await;
    assert_eq!(
        (mine["first_name"].as_str(), mine["status"].as_str()),
        (Some("Sara"), Some("PENDINGKYC"))
    );
    assert_eq!(n.list(&id, "").await.1["data"].as_array().unwrap().len(), 1);
    for key in [None, Some("wrong-key-123"), Some(ADMIN_A)] {
        let (status, err) = n
            .send(key, Method::GET, &format!("/users/{id}"), USER, None, None)
            .await;
        assert_eq!(
            (status, err["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("UNAUTHORIZED"))
        );
        let (status, _) = n
            .send(key, Method::POST, "/users", USERS, Some(sara()), None)
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(n.subjects("alpha").await, 1);
    // No user list is served: the path exists for POST only.
    let res = n
        .server
        .client
        .get(n.server.url("/v1/users"))
        .header("apikey", KEY_A)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "METHOD_NOT_ALLOWED"
    );
}
