//! PassFort rate limiting: GCRA buckets per tenant and operation, and their headers.

use super::*;

#[tokio::test]
async fn profile_creation_and_collected_data_are_rate_limited_per_tenant() {
    let p = Passfort::start_with(|c| {
        c.adapters.passfort.rate_limit_burst = 2;
        c.adapters.passfort.rate_limit_per_hour = 1;
    })
    .await;
    let create = |key: &'static str, body: Value| {
        let p = &p;
        async move {
            p.request(
                Auth::Header(key),
                Method::POST,
                "/profiles",
                Some(PROFILES),
                Body::Json(body),
            )
            .await
        }
    };
    // A refused request spends the budget like any other.
    let first = create(
        KEY_A,
        json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": []}),
    )
    .await;
    assert_eq!(first.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (
            header_u64(&first, "x-ratelimit-remaining"),
            header_u64(&first, "x-ratelimit-reset-secs")
        ),
        (1, 3600)
    );
    let second = create(KEY_A, individual_body("Ada", "Lovelace")).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(
        (
            header_u64(&second, "x-ratelimit-remaining"),
            header_u64(&second, "x-ratelimit-reset-secs")
        ),
        (0, 7200)
    );
    let reset = second.headers["x-ratelimit-reset"].to_str().unwrap();
    let reset = chrono::DateTime::parse_from_rfc2822(reset)
        .unwrap_or_else(|e| panic!("X-RateLimit-Reset is not an HTTP date ({e}): {reset}"));
    let ahead = reset.timestamp() - chrono::Utc::now().timestamp();
    assert!((7190..=7201).contains(&ahead), "reset {ahead}s ahead");

    let third = create(KEY_A, individual_body("Grace", "Hopper")).await;
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        third.body
    );
    let e = first_error(&third);
    assert_eq!(
        (&e["code"], &e["message"]),
        (&json!(104), &json!("Rate limit exceeded")),
        "PassFort's clients read 104 as the rate limit: {e}"
    );
    let retry = e["info"]["retry_secs"].as_u64().unwrap();
    assert!((3590..=3600).contains(&retry), "retry in {retry}s");
    assert_eq!(header_u64(&third, "x-ratelimit-retry-secs"), retry);
    assert_eq!(header_u64(&third, "x-ratelimit-remaining"), 0);
    let reset_secs = header_u64(&third, "x-ratelimit-reset-secs");
    assert_eq!(
        reset_secs,
        retry + 3600,
        "the whole burst is back one interval later"
    );
    let reset = third.headers["x-ratelimit-reset"].to_str().unwrap();
    let reset = chrono::DateTime::parse_from_rfc2822(reset).unwrap();
    let ahead = reset.timestamp() - chrono::Utc::now().timestamp();
    assert!((reset_secs as i64 - 10..=reset_secs as i64 + 1).contains(&ahead));
    let listed = p.get("/profiles", PROFILES).await;
    assert_eq!(
        listed.body["count"], 1,
        "a rate-limited request created a profile"
    );
    assert!(
        !listed.headers.contains_key("x-ratelimit-remaining"),
        "listing is not limited"
    );
    let id = second.body["id"].as_str().unwrap();

    // POST …/collected_data has its own budget.
    let path = format!("/profiles/{id}/collected_data");
    for remaining in [1, 0] {
        let r = p.call(Method::POST, &path, COLLECTED, Body::Empty).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(header_u64(&r, "x-ratelimit-remaining"), remaining);
    }
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({"entity_type": "INDIVIDUAL"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(header_u64(&r, "x-ratelimit-retry-secs") >= 3590);
    assert_eq!(
        p.collected(id).await["personal_details"]["name"]["family_name"],
        "Lovelace",
        "a rate-limited replacement was applied"
    );
    // Reading is not limited, nor are the other writes.
    for _ in 0..3 {
        assert_eq!(
            p.get(&format!("/profiles/{id}"), PROFILE).await.status,
            StatusCode::OK
        );
    }
    let image = p.add_image_id(id, &png(1), "FRONT").await;
    let r = p
        .add_document(
            id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Tenant beta has a budget of its own.
    let beta = create(KEY_B, individual_body("Beta", "Person")).await;
    assert_eq!(beta.status, StatusCode::OK, "{}", beta.body);
    assert_eq!(header_u64(&beta, "x-ratelimit-remaining"), 1);
}
