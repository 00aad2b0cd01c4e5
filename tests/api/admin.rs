//! The admin API over HTTP, as an operator's client uses it. Every JSON body is checked
//! against the admin OpenAPI document.

use crate::common::{ADMIN_A, ADMIN_B, Contract, tenant};
use bytes::Bytes;
use idbridge::model::{DocumentKind, FileSide, Namespace, NewDocument, NewFile, NewProcess};
use idbridge::store::PutRules;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::admin::*;

/// A first-page file of a subject, attached to nothing yet.
fn page_of(subject_id: Uuid) -> NewFile {
    NewFile {
        subject_id,
        document_id: None,
        side: FileSide::Page(1),
        name: Some("p1.png".into()),
        extras: Default::default(),
    }
}

#[test]
#[should_panic(expected = "does not match the contract")]
fn the_contract_check_catches_a_wrong_body() {
    Contract::of("admin").check(
        "GET",
        "/subjects",
        200,
        &json!({"total": "three", "limit": 1, "offset": 0, "items": []}),
    );
}

#[tokio::test]
async fn subjects_are_created_listed_and_shown() {
    let a = Admin::start().await;
    let (status, created) = a.create(json!({"label": "migration batch 7", "aliases": [{"namespace": "ncore", "external_id": "user-1"}]})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["label"], "migration batch 7");
    assert_eq!(created["aliases"][0]["external_id"], "user-1");
    let id = created["id"].as_str().unwrap().to_owned();

    let adopted = Uuid::new_v4();
    let (status, body) = a.create(json!({"id": adopted})).await;
    assert_eq!(
        (status, body["id"].as_str()),
        (StatusCode::CREATED, Some(adopted.to_string().as_str()))
    );
    let (status, body) = a.create(json!({"id": adopted})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );

    let (status, list) = a
        .call(
            Some(ADMIN_A),
            Method::GET,
            "/subjects?limit=1&offset=1",
            "/subjects",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (
            list["total"].as_u64(),
            list["limit"].as_u64(),
            list["offset"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(list["items"][0]["id"], adopted.to_string());
    let (status, err) = a
        .call(
            Some(ADMIN_A),
            Method::GET,
            "/subjects?limit=0",
            "/subjects",
            None,
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("limit"))
    );

    let (status, shown) = a
        .call(
            Some(ADMIN_A),
            Method::GET,
            &format!("/subjects/{id}"),
            "/subjects/{subject_id}",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown, created, "GET shows what POST returned");
}

#[tokio::test]
async fn pages_after_a_subject_walk_the_whole_tenant_once() {
    let a = Admin::start().await;
    let mut made = Vec::new();
    for i in 0..7 {
        let (status, body) = a.create(json!({"label": format!("s{i}")})).await;
        assert_eq!(status, StatusCode::CREATED);
        made.push(body["id"].as_str().unwrap().to_owned());
    }
    // Another tenant's subject is never on the pages, nor usable as a cursor.
    let (status, theirs) = a
        .call(
            Some(ADMIN_B),
            Method::POST,
            "/subjects",
            "/subjects",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let theirs = theirs["id"].as_str().unwrap().to_owned();
    let a = &a;
    let list = move |query: String| async move {
        a.call(
            Some(ADMIN_A),
            Method::GET,
            &format!("/subjects?{query}"),
            "/subjects",
            None,
        )
        .await
    };
    let (status, first) = list("limit=3".into()).await;
    assert_eq!(status, StatusCode::OK);
    let mut seen: Vec<String> = Vec::new();
    let mut page = first;
    loop {
        assert_eq!(page["total"].as_u64(), Some(7));
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_owned()),
        );
        let Some(next) = page["next"].as_str() else {
            break;
        };
        assert_eq!(
            next,
            seen.last().unwrap().as_str(),
            "next is the page's last subject"
        );
        let (status, body) = list(format!("limit=3&after={next}")).await;
        assert_eq!(status, StatusCode::OK);
        page = body;
    }
    // Oldest first, each once: the same order the offset pages give.
    let (_, all) = list("limit=200".into()).await;
    let by_offset: Vec<String> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, by_offset);
    let mut sorted = seen.clone();
    sorted.sort();
    made.sort();
    assert_eq!(sorted, made);
    assert!(
        all.get("next").is_none(),
        "a page that is not full has no next"
    );

    for (query, field) in [
        (format!("after={theirs}"), "after"),
        (format!("after={}", Uuid::new_v4()), "after"),
        (format!("after={}&offset=2", made[0]), "after"),
    ] {
        let (status, err) = list(query.clone()).await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{query}: {err}"
        );
    }
}

#[tokio::test]
async fn a_conflicting_alias_stores_nothing() {
    let a = Admin::start().await;
    a.create(json!({"aliases": [{"namespace": "passfort", "external_id": "p-1"}]}))
        .await;
    let (status, body) =
        a.create(json!({"label": "dup", "aliases": [{"namespace": "jumio", "external_id": "j-1"}, {"namespace": "passfort", "external_id": "p-1"}]})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (_, list) = a
        .call(Some(ADMIN_A), Method::GET, "/subjects", "/subjects", None)
        .await;
    assert_eq!(list["total"], 1, "the refused subject was stored");
    let jumio = Namespace::new("jumio").unwrap();
    assert!(
        a.server
            .store
            .resolve_subject(&tenant("alpha"), &jumio, "j-1", false)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_detail_shows_everything_stored_for_the_subject() {
    let a = Admin::start().await;
    let (_, created) = a.create(json!({})).await;
    let id: Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let store = &a.server.store;
    let t = tenant("alpha");
    let doc = NewDocument {
        kind: Some(DocumentKind::Passport),
        number: Some("X1234567".into()),
        issuing_country: Some(idbridge::model::CountryCode::new("ESP").unwrap()),
        expires_on: chrono::NaiveDate::from_ymd_opt(2030, 1, 31),
        ..Default::default()
    };
    let doc = store
        .create_document(&t, id, doc.validate().unwrap())
        .await
        .unwrap();
    let png = crate::common::png_header(800, 600);
    let rules = || PutRules {
        max_size: 1 << 20,
        max_files_per_document: 10,
        accept: Box::new(|_| Ok(())),
    };
    let page = NewFile {
        document_id: Some(doc.id),
        ..page_of(id)
    };
    let body = || futures::stream::iter(vec![Ok(Bytes::from(png.clone()))]);
    let attached = store.put_file(&t, page, rules(), body()).await.unwrap();
    let loose = NewFile {
        document_id: None,
        side: FileSide::None,
        name: None,
        ..page_of(id)
    };
    let loose = store.put_file(&t, loose, rules(), body()).await.unwrap();
    let expired = NewProcess {
        subject_id: id,
        namespace: Namespace::new("masstack").unwrap(),
        kind: "identity_document".into(),
        expires_at: Some(chrono::Utc::now() - chrono::Duration::seconds(1)),
        data: json!({}),
    };
    let process = store.create_process(&t, expired).await.unwrap();

    let (status, d) = a
        .call(
            Some(ADMIN_A),
            Method::GET,
            &format!("/subjects/{id}"),
            "/subjects/{subject_id}",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let shown_doc = &d["documents"][0];
    assert_eq!(shown_doc["kind"], "passport");
    assert_eq!(shown_doc["category"], "proof_of_identity");
    assert_eq!(shown_doc["number"], "X1234567");
    assert_eq!(shown_doc["issuing_country"], "ESP");
    assert_eq!(shown_doc["expires_on"], "2030-01-31");
    let f = &shown_doc["files"][0];
    assert_eq!(f["id"], attached.id.to_string());
    assert_eq!(
        (f["side"].as_str(), f["media_type"].as_str()),
        (Some("page1"), Some("image/png"))
    );
    assert_eq!(
        (
            f["width"].as_u64(),
            f["height"].as_u64(),
            f["size"].as_u64()
        ),
        (Some(800), Some(600), Some(png.len() as u64))
    );
    assert_eq!(f["sha256"], attached.sha256_hex());
    assert_eq!(
        d["files"].as_array().unwrap().len(),
        1,
        "only the loose file is listed apart"
    );
    assert_eq!(d["files"][0]["id"], loose.id.to_string());
    assert_eq!(d["processes"][0]["id"], process.id.to_string());
    assert_eq!(
        d["processes"][0]["status"], "expired",
        "an open process past its expiry reads as expired"
    );
}

#[tokio::test]
async fn aliases_link_once_and_conflicts_are_refused() {
    let a = Admin::start().await;
    let (_, s1) = a.create(json!({})).await;
    let (_, s2) = a.create(json!({})).await;
    let p1 = format!("/subjects/{}/aliases", s1["id"].as_str().unwrap());
    let p2 = format!("/subjects/{}/aliases", s2["id"].as_str().unwrap());
    let t = "/subjects/{subject_id}/aliases";
    let alias = json!({"namespace": "jumio", "external_id": "acct-9"});
    let (status, linked) = a
        .call(Some(ADMIN_A), Method::POST, &p1, t, Some(alias.clone()))
        .await;
    assert_eq!(
        (status, &linked["external_id"]),
        (StatusCode::CREATED, &json!("acct-9"))
    );
    let (status, _) = a
        .call(Some(ADMIN_A), Method::POST, &p1, t, Some(alias.clone()))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "linking the same pair again is harmless"
    );
    let (status, err) = a
        .call(Some(ADMIN_A), Method::POST, &p2, t, Some(alias))
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (status, err) = a
        .call(
            Some(ADMIN_A),
            Method::POST,
            &p1,
            t,
            Some(json!({"namespace": "Bad NS", "external_id": "x"})),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("aliases[0].namespace"))
    );
    let missing = format!("/subjects/{}/aliases", Uuid::new_v4());
    let (status, _) = a
        .call(
            Some(ADMIN_A),
            Method::POST,
            &missing,
            t,
            Some(json!({"namespace": "ncore", "external_id": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn client_tokens_are_minted_for_the_subject() {
    let a = Admin::start().await;
    let (_, s) = a.create(json!({})).await;
    let id: Uuid = s["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/subjects/{id}/client-tokens");
    let t = "/subjects/{subject_id}/client-tokens";
    let (status, minted) = a
        .call(
            Some(ADMIN_A),
            Method::POST,
            &path,
            t,
            Some(json!({"ttl_seconds": 600})),
        )
        .await;
    assert_eq!(
        (status, minted["token_type"].as_str()),
        (StatusCode::CREATED, Some("Bearer"))
    );
    let token = minted["token"].as_str().unwrap();
    let owner = a
        .server
        .store
        .resolve_token("client", token, chrono::Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((owner.tenant, owner.subject_id), (tenant("alpha"), id));
    let expires: chrono::DateTime<chrono::Utc> =
        minted["expires_at"].as_str().unwrap().parse().unwrap();
    let ttl = (expires - chrono::Utc::now()).num_seconds();
    assert!((590..=600).contains(&ttl), "ttl {ttl}");
    for bad in [
        json!({"ttl_seconds": 59}),
        json!({"ttl_seconds": 2_592_001}),
    ] {
        let (status, err) = a
            .call(Some(ADMIN_A), Method::POST, &path, t, Some(bad))
            .await;
        assert_eq!(
            (status, err["error"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("ttl_seconds"))
        );
    }
}

#[tokio::test]
async fn deleting_a_subject_shreds_its_files() {
    let a = Admin::start().await;
    let (_, s) = a.create(json!({})).await;
    let id: Uuid = s["id"].as_str().unwrap().parse().unwrap();
    let new = NewFile {
        subject_id: id,
        document_id: None,
        side: FileSide::None,
        name: None,
        extras: Default::default(),
    };
    let rules = PutRules {
        max_size: 100,
        max_files_per_document: 10,
        accept: Box::new(|_| Ok(())),
    };
    let f = a
        .server
        .store
        .put_file(
            &tenant("alpha"),
            new,
            rules,
            futures::stream::iter(vec![Ok(Bytes::from_static(b"abc"))]),
        )
        .await
        .unwrap();
    let (status, body) = a
        .call(
            Some(ADMIN_A),
            Method::DELETE,
            &format!("/subjects/{id}"),
            "/subjects/{subject_id}",
            None,
        )
        .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (status, _) = a
        .call(
            Some(ADMIN_A),
            Method::GET,
            &format!("/subjects/{id}"),
            "/subjects/{subject_id}",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(matches!(
        a.server.store.open_file(&tenant("alpha"), f.id, None).await,
        Err(idbridge::error::Error::NotFound(_))
    ));
    let blob = a
        .server
        .dir
        .path()
        .join("blobs/blobs")
        .join(f.id.to_string());
    assert!(!blob.exists(), "blob survived the delete");
    let (status, _) = a
        .call(
            Some(ADMIN_A),
            Method::DELETE,
            &format!("/subjects/{id}"),
            "/subjects/{subject_id}",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn missing_or_wrong_keys_are_refused() {
    let a = Admin::start().await;
    for key in [None, Some("wrong-key-123"), Some("test-api-key-alpha")] {
        let res = a.server.client.get(a.server.url("/admin/v1/subjects"));
        let res = match key {
            Some(k) => res.bearer_auth(k),
            None => res,
        };
        let res = res.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "key {key:?}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        let body: Value = res.json().await.unwrap();
        a.contract.check("GET", "/subjects", 401, &body);
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    let res = a
        .server
        .client
        .get(a.server.url("/admin/v1/subjects"))
        .header("authorization", format!("Basic {ADMIN_A}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "a Basic scheme is not a bearer key"
    );
}

#[tokio::test]
async fn another_tenants_subject_is_invisible() {
    let a = Admin::start().await;
    let (_, s) = a.create(json!({"label": "alpha's"})).await;
    let id = s["id"].as_str().unwrap();
    let b = Some(ADMIN_B);
    let detail = format!("/subjects/{id}");
    let (status, err) = a
        .call(b, Method::GET, &detail, "/subjects/{subject_id}", None)
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    assert!(!err.to_string().contains("alpha's"));
    let (status, _) = a
        .call(b, Method::DELETE, &detail, "/subjects/{subject_id}", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = a
        .call(
            b,
            Method::POST,
            &format!("{detail}/aliases"),
            "/subjects/{subject_id}/aliases",
            Some(json!({"namespace": "ncore", "external_id": "steal"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = a
        .call(
            b,
            Method::POST,
            &format!("{detail}/client-tokens"),
            "/subjects/{subject_id}/client-tokens",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = a.call(b, Method::GET, "/subjects", "/subjects", None).await;
    assert_eq!(list["total"], 0);
    let (status, still) = a
        .call(
            Some(ADMIN_A),
            Method::GET,
            &detail,
            "/subjects/{subject_id}",
            None,
        )
        .await;
    assert_eq!(
        (status, still["aliases"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0)),
        "beta changed alpha's subject"
    );
}

#[tokio::test]
async fn malformed_input_answers_in_the_admin_error_shape() {
    let a = Admin::start().await;
    let post = |body: &'static str, ct: &'static str| {
        a.server
            .client
            .post(a.server.url("/admin/v1/subjects"))
            .bearer_auth(ADMIN_A)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    for (body, ct, status, code) in [
        ("{\"label\": ", "application/json", 400, "malformed_json"),
        ("{\"labl\": \"x\"}", "application/json", 400, "invalid_body"),
        (
            "{\"id\": \"nope\"}",
            "application/json",
            400,
            "invalid_body",
        ),
        (
            "label=x",
            "application/x-www-form-urlencoded",
            415,
            "unsupported_media_type",
        ),
    ] {
        let res = post(body, ct).await.unwrap();
        assert_eq!(res.status().as_u16(), status, "{body}");
        let v: Value = res.json().await.unwrap();
        a.contract.check("POST", "/subjects", status, &v);
        assert_eq!(v["error"]["code"], code, "{body}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let (status, err) = a
        .call(
            Some(ADMIN_A),
            Method::GET,
            "/subjects/not-a-uuid",
            "/subjects/{subject_id}",
            None,
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_path"))
    );
    // The router's own 404 and 405 (no documented operation, so sent unchecked).
    for (method, path, status, code) in [
        (
            Method::GET,
            "/admin/v1/nothing-here",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::PUT,
            "/admin/v1/subjects",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
    ] {
        let res = a
            .server
            .client
            .request(method, a.server.url(path))
            .bearer_auth(ADMIN_A)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status, "{path}");
        assert_eq!(
            res.json::<Value>().await.unwrap()["error"]["code"],
            code,
            "{path}"
        );
    }
}

/// Found by schemathesis (its `negative_data_rejection` check): serde reads a struct from a
/// JSON array by position, so `[null, null]` created a subject and `["ncore", "u-1"]` linked
/// an alias. A body that is not a JSON object is refused and stores nothing.
#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused() {
    let a = Admin::start().await;
    let (_, subject) = a.create(json!({})).await;
    let id = subject["id"].as_str().unwrap();
    let aliases = format!("/subjects/{id}/aliases");
    let tokens = format!("/subjects/{id}/client-tokens");
    for (path, template, body) in [
        ("/subjects", "/subjects", json!([null, null])),
        ("/subjects", "/subjects", json!(null)),
        ("/subjects", "/subjects", json!("label")),
        (
            &aliases,
            "/subjects/{subject_id}/aliases",
            json!(["ncore", "u-1"]),
        ),
        (&tokens, "/subjects/{subject_id}/client-tokens", json!([60])),
    ] {
        let (status, err) = a
            .call(
                Some(ADMIN_A),
                Method::POST,
                path,
                template,
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_body")),
            "{path} {body}"
        );
    }
    let (_, list) = a
        .call(Some(ADMIN_A), Method::GET, "/subjects", "/subjects", None)
        .await;
    assert_eq!(list["total"], 1, "{list}");
    let (_, detail) = a
        .call(
            Some(ADMIN_A),
            Method::GET,
            &format!("/subjects/{id}"),
            "/subjects/{subject_id}",
            None,
        )
        .await;
    assert_eq!(detail["aliases"], json!([]), "{detail}");
}
