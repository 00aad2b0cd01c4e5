//! PassFort profiles: create, read, list, update and their validation.

use super::*;

#[tokio::test]
async fn profiles_are_created_as_sent_with_a_role_that_suits_the_entity() {
    let p = Passfort::start().await;
    let r = p
        .post(
            "/profiles",
            PROFILES,
            json!({
                "role": "INDIVIDUAL_CUSTOMER",
                "collected_data": {
                    "entity_type": "INDIVIDUAL",
                    "customer_ref": "CUST-1",
                    "personal_details": {
                        "name": {"given_names": ["Ada", "Augusta"], "family_name": "Lovelace"},
                        "dob": "1815-12-10",
                        "nationality": "GBR"
                    },
                    "contact_details": {"email": "ada@example.com"}
                }
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for h in [
        "x-ratelimit-remaining",
        "x-ratelimit-reset-secs",
        "x-ratelimit-reset",
    ] {
        assert!(r.headers.contains_key(h), "no {h}: {:?}", r.headers);
    }
    let ada = &r.body;
    uuid(&ada["id"]);
    assert_datetime(&ada["creation_date"]);
    assert_eq!(ada["role"], "INDIVIDUAL_CUSTOMER");
    assert_eq!(ada["display_name"], "Ada Augusta Lovelace");
    assert_eq!(ada["category"], "APPLICANT");
    assert_eq!(ada["status"], "NORMAL");
    for empty in ["document_images", "checks", "tags"] {
        assert_eq!(ada[empty], json!([]), "{empty}");
    }
    assert_eq!(
        ada["collected_data"],
        json!({
            "entity_type": "INDIVIDUAL",
            "documents": [],
            "customer_ref": "CUST-1",
            "personal_details": {
                "name": {"given_names": ["Ada", "Augusta"], "family_name": "Lovelace"},
                "dob": "1815-12-10",
                "nationality": "GBR"
            },
            "contact_details": {"email": "ada@example.com"}
        })
    );
    let id = ada["id"].as_str().unwrap();
    let got = p.get(&format!("/profiles/{id}"), PROFILE).await;
    assert_eq!((got.status, &got.body), (StatusCode::OK, ada));

    let company = p
        .create_profile_as(
            KEY_A,
            json!({
                "role": "COMPANY_CUSTOMER",
                "collected_data": {"entity_type": "COMPANY", "metadata": {"name": "Acme Ltd", "number": "0123"}}
            }),
        )
        .await;
    assert_eq!(
        (
            company["role"].as_str(),
            company["display_name"].as_str(),
            company["collected_data"]["entity_type"].as_str()
        ),
        (Some("COMPANY_CUSTOMER"), Some("Acme Ltd"), Some("COMPANY"))
    );
    assert_eq!(company["collected_data"]["metadata"]["number"], "0123");
    let associated = p
        .create_profile_as(
            KEY_A,
            json!({"role": "INDIVIDUAL_ASSOCIATED", "collected_data": {"entity_type": "INDIVIDUAL"}}),
        )
        .await;
    assert_eq!(associated["role"], "INDIVIDUAL_ASSOCIATED");
    assert!(
        associated.get("display_name").is_none(),
        "no name, no display_name: {associated}"
    );

    // Bad input: 400 INVALID_INPUT_DATA naming the field; nothing created.
    for (body, field) in [
        (
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {"entity_type": "ROBOT"}}),
            "collected_data.entity_type",
        ),
        (
            json!({"role": "COMPANY_CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL"}}),
            "collected_data.entity_type",
        ),
        (
            json!({"role": "INDIVIDUAL_ASSOCIATED", "collected_data": {"entity_type": "COMPANY"}}),
            "collected_data.entity_type",
        ),
        (
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": "Ada"}),
            "collected_data",
        ),
        (
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {
                "entity_type": "INDIVIDUAL",
                "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
                               "images": [{"id": "ec1565b6-82c7-0577-8b3a-94462b67c97a"}]}]
            }}),
            "collected_data.documents",
        ),
    ] {
        let r = p.post("/profiles", PROFILES, body.clone()).await;
        assert_invalid(&r, field, &body.to_string());
        assert!(
            r.headers.contains_key("x-ratelimit-remaining"),
            "a refused POST /profiles has the rate-limit headers too"
        );
    }
    for (body, mentions) in [
        (
            json!({"collected_data": {"entity_type": "INDIVIDUAL"}}),
            "role",
        ),
        (
            json!({"role": "CUSTOMER", "collected_data": {"entity_type": "INDIVIDUAL"}}),
            "CUSTOMER",
        ),
    ] {
        let r = p.post("/profiles", PROFILES, body.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(first_error(&r)["code"], 201);
        assert!(
            first_error(&r)["message"]
                .as_str()
                .unwrap()
                .contains(mentions),
            "{body}: {}",
            r.body
        );
    }
    let r = p
        .call(
            Method::POST,
            "/profiles",
            PROFILES,
            Body::Raw(Bytes::from_static(b"{\"role\": ")),
        )
        .await;
    assert_eq!(
        (r.status, &first_error(&r)["code"]),
        (StatusCode::BAD_REQUEST, &json!(201))
    );
    let all = p.get("/profiles", PROFILES).await;
    assert_eq!(all.body["count"], 3, "a refused POST created a profile");
}

#[tokio::test]
async fn profiles_are_listed_searched_filtered_and_paged() {
    let p = Passfort::start().await;
    let ada = p.individual("Ada", "Lovelace").await;
    let grace = p
        .create_profile_as(
            KEY_A,
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {
                "entity_type": "INDIVIDUAL",
                "customer_ref": "CUST-42",
                "personal_details": {"name": {"given_names": ["Grace"], "family_name": "Hopper"}}
            }}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let acme = p
        .create_profile_as(
            KEY_A,
            json!({"role": "COMPANY_CUSTOMER", "collected_data": {"entity_type": "COMPANY", "metadata": {"name": "Acme Ltd"}}}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let list = |q: &'static str| p.get(q, PROFILES);
    let all = list("/profiles").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        (
            &all.body["count"],
            &all.body["limit"],
            &all.body["offset"],
            &all.body["hidden"],
            &all.body["associated_results"]
        ),
        (&json!(3), &json!(50), &json!(0), &json!(0), &json!([]))
    );
    assert_eq!(
        ids(all.body["results"].as_array().unwrap()),
        [&ada, &grace, &acme],
        "oldest first"
    );
    let one = p.get(&format!("/profiles/{grace}"), PROFILE).await;
    assert_eq!(all.body["results"][1], one.body, "a result is the profile");

    for (q, expect) in [
        ("/profiles?q=lovelace", vec![&ada]),
        ("/profiles?q=ADA%20LOVE", vec![&ada]),
        ("/profiles?q=cust-42", vec![&grace]),
        ("/profiles?q=acme", vec![&acme]),
        ("/profiles?q=nobody", vec![]),
        ("/profiles?q=", vec![&ada, &grace, &acme]),
        ("/profiles?categories=APPLICANT", vec![&ada, &grace, &acme]),
        ("/profiles?categories=CUSTOMER", vec![]),
        (
            "/profiles?categories=CUSTOMER,PREVIOUS_CUSTOMER,INACTIVE_APPLICANT",
            vec![],
        ),
        (
            "/profiles?categories=CUSTOMER,APPLICANT&q=hopper",
            vec![&grace],
        ),
    ] {
        let r = list(q).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
        let results = r.body["results"].as_array().unwrap();
        assert_eq!(ids(results), expect, "{q}");
        assert_eq!(r.body["count"], expect.len(), "{q}");
    }

    let page = list("/profiles?limit=2").await;
    assert_eq!(
        (&page.body["count"], &page.body["limit"]),
        (&json!(3), &json!(2))
    );
    assert_eq!(
        ids(page.body["results"].as_array().unwrap()),
        [&ada, &grace]
    );
    let page = list("/profiles?limit=2&offset=2").await;
    assert_eq!(
        (&page.body["count"], &page.body["offset"]),
        (&json!(3), &json!(2))
    );
    assert_eq!(ids(page.body["results"].as_array().unwrap()), [&acme]);
    let page = list("/profiles?offset=10&limit=200").await;
    assert_eq!(
        (
            &page.body["count"],
            &page.body["results"],
            &page.body["limit"]
        ),
        (&json!(3), &json!([]), &json!(200))
    );

    for (q, field) in [
        ("/profiles?limit=0", "limit"),
        ("/profiles?limit=201", "limit"),
        ("/profiles?categories=BOGUS", "categories"),
        ("/profiles?categories=APPLICANT,applicant", "categories"),
    ] {
        assert_invalid(&list(q).await, field, q);
    }
    for q in ["/profiles?limit=many", "/profiles?offset=-1"] {
        let r = list(q).await;
        assert_eq!(
            (r.status, &first_error(&r)["code"]),
            (StatusCode::BAD_REQUEST, &json!(201)),
            "{q}"
        );
    }
}

#[tokio::test]
async fn an_offset_past_the_end_returns_no_profiles_however_large() {
    let p = Passfort::start().await;
    p.individual("Ada", "Lovelace").await;
    p.individual("Grace", "Hopper").await;
    for offset in [
        "2",
        "1000",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
    ] {
        let r = p.get(&format!("/profiles?offset={offset}"), PROFILES).await;
        match r.status {
            StatusCode::OK => {
                assert_eq!(
                    (&r.body["count"], &r.body["results"]),
                    (&json!(2), &json!([])),
                    "offset={offset}: profiles returned past the end"
                );
                assert_eq!(r.body["offset"].to_string(), offset);
            }
            _ => assert_invalid(&r, "offset", offset),
        }
    }
}

#[tokio::test]
async fn collected_data_that_breaks_passforts_own_schema_is_refused() {
    // Collected data is kept as sent, and sent back in every profile and collected_data
    // response: data that breaks PassFort's IndividualData/CompanyData schema must be
    // refused, or those responses break PassFort's own schema.
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    for collected in [
        json!({"entity_type": "INDIVIDUAL", "personal_details": {"name": {"given_names": "Ada", "family_name": "Lovelace"}}}),
        json!({"entity_type": "INDIVIDUAL", "personal_details": {"nickname": "Ada"}}),
        json!({"entity_type": "INDIVIDUAL", "customer_ref": 42}),
        json!({"entity_type": "INDIVIDUAL", "contact_details": {"fax": "+44"}}),
    ] {
        let r = p
            .post(
                "/profiles",
                PROFILES,
                json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": collected}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "POST /profiles {collected}: {}",
            r.body
        );
        assert_eq!(first_error(&r)["code"], 201);
        assert!(
            first_error(&r)["info"]["field"]
                .as_str()
                .is_some_and(|f| f.starts_with("collected_data")),
            "{}",
            r.body
        );
        let r = p
            .post(
                &format!("/profiles/{id}/collected_data"),
                COLLECTED,
                collected.clone(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "POST …/collected_data {collected}: {}",
            r.body
        );
    }
    assert_eq!(p.get("/profiles", PROFILES).await.body["count"], 1);
    assert_eq!(
        p.collected(&id).await["personal_details"]["name"]["given_names"],
        json!(["Ada"])
    );
}

#[tokio::test]
async fn unknown_profiles_and_resources_are_404s_and_tenants_are_kept_apart() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let file = p
        .add_file_id(&id, json!({"data": B64.encode(png(2))}))
        .await;
    let doc = p
        .add_document(
            &id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}],
                   "extracted_data": {"number": "SECRET-NUMBER"}}),
        )
        .await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
    let other = p.individual("Grace", "Hopper").await;
    let stored = p.files_stored().await;

    let nobody = uuid::Uuid::new_v4().to_string();
    let r = p.get(&format!("/profiles/{nobody}"), PROFILE).await;
    assert_not_found(&r, "profile", "unknown profile");
    let r = p.get("/profiles/not-a-uuid", PROFILE).await;
    assert_eq!(
        (r.status, &first_error(&r)["code"]),
        (StatusCode::BAD_REQUEST, &json!(201))
    );
    for (method, path, template, body) in [
        (
            Method::GET,
            format!("/profiles/{nobody}/collected_data"),
            COLLECTED,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{nobody}/collected_data"),
            COLLECTED,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{nobody}/collected_data/documents"),
            DOCUMENTS,
            Some(
                json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": []}),
            ),
        ),
        (
            Method::POST,
            format!("/profiles/{nobody}/files"),
            FILES,
            Some(json!({"data": SEED_FILE})),
        ),
        (
            Method::GET,
            format!("/profiles/{nobody}/files/{file}"),
            FILE,
            None,
        ),
        (
            Method::GET,
            format!("/profiles/{nobody}/document_images"),
            IMAGES,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{nobody}/document_images"),
            IMAGES,
            Some(json!({"data": SEED_FILE})),
        ),
        (
            Method::GET,
            format!("/profiles/{nobody}/document_images/{image}"),
            IMAGE,
            None,
        ),
    ] {
        let body = body.map_or(Body::Empty, Body::Json);
        let r = p.call(method.clone(), &path, template, body).await;
        assert_not_found(&r, "profile", &format!("{method} {path}"));
    }
    // Resources that are not this profile's.
    for (path, template, what) in [
        (format!("/profiles/{id}/files/{nobody}"), FILE, "file"),
        (format!("/profiles/{other}/files/{file}"), FILE, "file"),
        (format!("/profiles/{other}/files/{image}"), FILE, "file"),
        (
            format!("/profiles/{id}/document_images/{nobody}"),
            IMAGE,
            "document image",
        ),
        (
            format!("/profiles/{other}/document_images/{image}"),
            IMAGE,
            "document image",
        ),
        (
            format!("/profiles/{id}/document_images/{file}"),
            IMAGE,
            "document image",
        ),
    ] {
        let r = p.get(&path, template).await;
        assert_not_found(&r, what, &path);
        assert!(!r.body.to_string().contains("SECRET"), "{}", r.body);
    }
    let r = p
        .call(
            Method::POST,
            &format!("/profiles/{other}/files/{file}"),
            FILE,
            Body::Empty,
        )
        .await;
    assert_not_found(&r, "file", "POST form, another profile's file");

    // Tenant beta sees none of alpha's profile, and can change nothing of it.
    let beta = |method: Method, path: String, template: &'static str, body: Option<Value>| {
        let p = &p;
        async move {
            p.request(
                Auth::Header(KEY_B),
                method,
                &path,
                Some(template),
                body.map_or(Body::Empty, Body::Json),
            )
            .await
        }
    };
    for (method, path, template, body) in [
        (Method::GET, format!("/profiles/{id}"), PROFILE, None),
        (
            Method::GET,
            format!("/profiles/{id}/collected_data"),
            COLLECTED,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{id}/collected_data"),
            COLLECTED,
            Some(json!({"entity_type": "INDIVIDUAL"})),
        ),
        (
            Method::POST,
            format!("/profiles/{id}/collected_data/documents"),
            DOCUMENTS,
            Some(
                json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}]}),
            ),
        ),
        (
            Method::POST,
            format!("/profiles/{id}/files"),
            FILES,
            Some(json!({"data": SEED_FILE})),
        ),
        (
            Method::GET,
            format!("/profiles/{id}/files/{file}"),
            FILE,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{id}/files/{image}"),
            FILE,
            None,
        ),
        (
            Method::GET,
            format!("/profiles/{id}/document_images"),
            IMAGES,
            None,
        ),
        (
            Method::POST,
            format!("/profiles/{id}/document_images"),
            IMAGES,
            Some(json!({"data": SEED_FILE, "image_type": "FACE"})),
        ),
        (
            Method::GET,
            format!("/profiles/{id}/document_images/{image}"),
            IMAGE,
            None,
        ),
    ] {
        let context = format!("beta: {method} {path}");
        let r = beta(method, path, template, body).await;
        assert_not_found(&r, "profile", &context);
        assert!(!r.body.to_string().contains("SECRET"), "{}", r.body);
    }
    let beta_list = beta(Method::GET, "/profiles".into(), PROFILES, None).await;
    assert_eq!(
        (&beta_list.body["count"], &beta_list.body["results"]),
        (&json!(0), &json!([]))
    );
    // Beta's own profile is invisible to alpha.
    let b = p
        .create_profile_as(KEY_B, individual_body("Beta", "Person"))
        .await;
    let r = p
        .get(&format!("/profiles/{}", b["id"].as_str().unwrap()), PROFILE)
        .await;
    assert_not_found(&r, "profile", "alpha reading beta's profile");
    assert_eq!(p.get("/profiles", PROFILES).await.body["count"], 2);

    // Nothing changed for alpha.
    assert_eq!(p.files_stored().await, stored, "beta stored a file");
    let collected = p.collected(&id).await;
    assert_eq!(collected["documents"].as_array().unwrap().len(), 1);
    assert_eq!(
        collected["documents"][0]["extracted_data"]["number"],
        "SECRET-NUMBER"
    );
    assert_eq!(
        collected["personal_details"]["name"]["family_name"],
        "Lovelace"
    );
    assert_eq!(p.images(&id).await.len(), 1);

    // Routes and methods that do not exist answer in PassFort's error shape.
    for (method, path, status) in [
        (Method::GET, "/nothing-here", StatusCode::NOT_FOUND),
        (Method::DELETE, "/profiles", StatusCode::METHOD_NOT_ALLOWED),
        (
            Method::DELETE,
            &format!("/profiles/{id}") as &str,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
    ] {
        let r = p
            .request(Auth::Header(KEY_A), method.clone(), path, None, Body::Empty)
            .await;
        assert_eq!(r.status, status, "{method} {path}: {}", r.body);
        for e in r.body["errors"].as_array().unwrap() {
            vendor_check("Error", e, path);
        }
    }
}
