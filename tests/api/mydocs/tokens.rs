//! mydocs client tokens and isolation.

use super::*;

#[tokio::test]
async fn missing_unknown_expired_or_foreign_tokens_are_401() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let doc = m
        .add_ok(&a.token, typed("1", vec![("p.png", png(1))]))
        .await;
    let file_path = format!(
        "{API}/documents/1/files/{}",
        doc["files"][0]["id"].as_str().unwrap()
    );
    let store = &m.server.store;
    let expired = store
        .mint_token(
            &a.tenant,
            a.subject,
            None,
            idbridge::store::CLIENT_TOKEN,
            chrono::Duration::seconds(-1),
        )
        .await
        .unwrap()
        .token;
    let other_purpose = store
        .mint_token(
            &a.tenant,
            a.subject,
            None,
            "process",
            chrono::Duration::hours(1),
        )
        .await
        .unwrap()
        .token;
    let gone = m.client(ADMIN_A).await;
    let res = m
        .server
        .client
        .delete(
            m.server
                .url(&format!("/admin/v1/subjects/{}", gone.subject)),
        )
        .bearer_auth(ADMIN_A)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());

    let bad: Vec<(&str, Option<String>)> = vec![
        ("none", None),
        ("unknown", Some("Bearer idb_client_0000".into())),
        ("empty", Some("Bearer ".into())),
        ("not bearer", Some(format!("Basic {}", a.token))),
        ("bare token", Some(a.token.clone())),
        ("expired", Some(format!("Bearer {expired}"))),
        ("other purpose", Some(format!("Bearer {other_purpose}"))),
        ("admin key", Some(format!("Bearer {ADMIN_A}"))),
        ("nCore key", Some(format!("Bearer {NCORE_KEY}"))),
        ("deleted subject", Some(format!("Bearer {}", gone.token))),
    ];
    let requests: Vec<(Method, String, &str)> = vec![
        (Method::GET, format!("{API}/documents/types"), TYPES),
        (Method::GET, format!("{API}/documents"), LIST),
        (Method::GET, format!("{ALT}/documents"), LIST),
        (Method::POST, format!("{API}/documents"), LIST),
        (Method::POST, format!("{API}/files"), FILES),
        (Method::GET, format!("{API}/documents/1"), ONE),
        (Method::DELETE, format!("{API}/documents/1"), ONE),
        (Method::GET, file_path.clone(), FILE),
    ];
    for (what, header) in &bad {
        for (method, path, template) in &requests {
            let mut req = m.server.client.request(method.clone(), m.server.url(path));
            if let Some(h) = header {
                req = req.header("authorization", h);
            }
            if *method == Method::POST {
                req = req.multipart(form(Some(("typeID", "1")), vec![("p.png", png(2))]));
            }
            let res = req.send().await.unwrap();
            let status = res.status();
            let body: Value = res.json().await.unwrap();
            assert_eq!(
                status,
                StatusCode::UNAUTHORIZED,
                "{what}: {method} {path}: {body}"
            );
            m.contract.check(method.as_str(), template, 401, &body);
            assert_error(&body, status, None);
        }
    }
    // Nothing changed; the real token still works, and a token minted with a TTL too.
    let (status, got) = m.get(&a.token, 1).await;
    assert_eq!((status, &got), (StatusCode::OK, &doc));
    assert_eq!(m.files_stored().await, 1);
    let res = m
        .server
        .client
        .post(
            m.server
                .url(&format!("/admin/v1/subjects/{}/client-tokens", a.subject)),
        )
        .bearer_auth(ADMIN_A)
        .json(&json!({"ttl_seconds": 60}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let short = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(m.ids(&short, "").await, (1, vec![1]));
    // The scheme is case-insensitive.
    let res = m
        .server
        .client
        .get(m.server.url(&format!("{API}/documents")))
        .header("authorization", format!("bearer {}", a.token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn clients_see_only_their_own_documents_within_and_across_tenants() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let b = m.client(ADMIN_A).await;
    let beta = m.client(ADMIN_B).await;
    let secret = png(7);
    let doc = m
        .add_ok(&a.token, typed("1", vec![("secret.png", secret.clone())]))
        .await;
    let id = doc["id"].as_i64().unwrap();
    let file_id = doc["files"][0]["id"].as_str().unwrap().to_owned();
    let file_path = format!("{API}/documents/{id}/files/{file_id}");

    for other in [&b, &beta] {
        assert_eq!(m.ids(&other.token, "").await, (0, vec![]));
        let (status, err) = m.get(&other.token, id).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!err.to_string().contains("secret"), "{err}");
        let (status, _) = m.download_error(Some(&other.token), &file_path).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = m.delete(&other.token, API, id).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // B's own document does not open A's file either.
    let mine = m
        .add_ok(&b.token, typed("22", vec![("b.png", png(8))]))
        .await;
    let mine_id = mine["id"].as_i64().unwrap();
    assert_eq!(mine_id, 2, "ids are per tenant, not per client");
    let (status, _) = m
        .download_error(
            Some(&b.token),
            &format!("{API}/documents/{mine_id}/files/{file_id}"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // And A cannot reach B's.
    let (status, _) = m.get(&a.token, mine_id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another tenant numbers its own documents: beta's first is 1, and it is beta's.
    let theirs = m
        .add_ok(&beta.token, typed("11", vec![("v.png", png(9))]))
        .await;
    assert_eq!(theirs["id"], 1);
    let (status, got) = m.get(&beta.token, 1).await;
    assert_eq!((status, &got), (StatusCode::OK, &theirs));
    assert_eq!(got["typeId"], 11);
    let (status, _) = m.download_error(Some(&beta.token), &file_path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_ne!(
        sha(&m
            .fetch(&beta.token, got["downloadUrl"].as_str().unwrap())
            .await),
        sha(&secret)
    );

    // A's document is untouched and A's alone.
    let (status, again) = m.get(&a.token, id).await;
    assert_eq!((status, &again), (StatusCode::OK, &doc));
    assert_eq!(m.ids(&a.token, "").await, (1, vec![id]));
    assert_eq!(m.ids(&b.token, "").await, (1, vec![mine_id]));
    assert_eq!(m.ids(&beta.token, "").await, (1, vec![1]));
    assert_eq!(
        sha(&m
            .fetch(&a.token, doc["downloadUrl"].as_str().unwrap())
            .await),
        sha(&secret)
    );
}
