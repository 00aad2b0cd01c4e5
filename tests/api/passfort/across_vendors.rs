//! Across vendors: PassFort and nCore over one store.

use super::*;

#[tokio::test]
async fn what_ncore_writes_appears_in_passfort() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let ident_id = p
        .ncore_at()
        .identification(
            &id,
            json!({"type": "PASSPORT", "number": "132123123", "issuing_country": "GBR",
                        "expiration_date": "2031-09-20T10:10:40.182Z"}),
        )
        .await;
    let ident_id = ident_id.as_str();
    let page = png(7);
    let page1 = ncore_file("PASSPORT_PAGE1", "page1.png", page.clone());
    let (status, up) = p.ncore_at().upload(&id, ident_id, vec![page1]).await;
    assert_eq!(status, StatusCode::OK, "{up}");
    let file_id = up["data"][0]["id"].as_str().unwrap().to_owned();

    let collected = p.collected(&id).await;
    let docs = collected["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{collected}");
    let doc = &docs[0];
    assert_eq!(
        doc["id"], ident_id,
        "one document, one id, whatever the API"
    );
    assert_eq!(
        (&doc["document_type"], &doc["category"]),
        (&json!("PASSPORT"), &json!("PROOF_OF_IDENTITY"))
    );
    assert_eq!(
        (
            &doc["extracted_data"]["number"],
            &doc["extracted_data"]["issuing_country"],
            &doc["extracted_data"]["expiry"]
        ),
        (&json!("132123123"), &json!("GBR"), &json!("2031-09-20"))
    );
    assert_eq!(ids(doc["images"].as_array().unwrap()), [&file_id]);
    assert_eq!(doc["images"][0]["image_type"], "FRONT");
    assert_datetime(&doc["images"][0]["upload_date"]);

    let images = p.images(&id).await;
    assert_eq!(images, vec![doc["images"][0].clone()]);
    let one = p
        .get(&format!("/profiles/{id}/document_images/{file_id}"), IMAGE)
        .await;
    assert_eq!((one.status, &one.body), (StatusCode::OK, &images[0]));
    let profile = p.get(&format!("/profiles/{id}"), PROFILE).await.body;
    assert_eq!(profile["document_images"], json!(images));
    assert_eq!(profile["collected_data"], collected);
    // The bytes read back through PassFort are the bytes nCore received.
    assert_eq!(sha(&p.read_file(&id, &file_id).await), sha(&page));
    let by_post = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/files/{file_id}"),
            FILE,
            Body::Empty,
        )
        .await;
    assert_eq!(by_post.body["name"], "page1.png");
    assert_eq!(
        B64.decode(by_post.body["decrypted_data"].as_str().unwrap())
            .unwrap(),
        page
    );
    // nCore's image is already on its document: it cannot make a PassFort document.
    let r = p
        .add_document(
            &id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": file_id}]}),
        )
        .await;
    assert_invalid(&r, "images[0].id", "an nCore document's image");

    // A subject only nCore knows is a profile too.
    let (status, _) = p
        .ncore(
            Method::POST,
            "/users/ncore-only-user/identifications",
            NCORE_LIST,
            Some(json!({"type": "NATIONAL_ID", "number": "784-1"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let all = p.get("/profiles", PROFILES).await.body;
    assert_eq!(all["count"], 2, "{all}");
    let stranger = &all["results"][1];
    assert_eq!(
        (
            &stranger["role"],
            &stranger["category"],
            &stranger["status"]
        ),
        (
            &json!("INDIVIDUAL_CUSTOMER"),
            &json!("APPLICANT"),
            &json!("NORMAL")
        )
    );
    assert_eq!(stranger["collected_data"]["entity_type"], "INDIVIDUAL");
    assert_eq!(
        stranger["collected_data"]["documents"][0]["extracted_data"]["number"],
        "784-1"
    );
    let stranger_id = stranger["id"].as_str().unwrap();
    let got = p.get(&format!("/profiles/{stranger_id}"), PROFILE).await;
    assert_eq!((got.status, &got.body), (StatusCode::OK, stranger));
}

#[tokio::test]
async fn what_passfort_writes_appears_in_ncore_and_its_deletion_too() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let front = p.add_image_id(&id, &png(1), "FRONT").await;
    let doc_id = p.add_document_id(&id, json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": front}],
                   "extracted_data": {"number": "P-77", "issuing_country": "GBR", "expiry": "2030-04-05"}})).await;

    let (status, list) = p
        .ncore(
            Method::GET,
            &format!("/users/{id}/identifications"),
            NCORE_LIST,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{list}");
    assert_eq!(
        (
            &data[0]["id"],
            &data[0]["type"],
            &data[0]["number"],
            &data[0]["issuing_country"]
        ),
        (
            &json!(doc_id),
            &json!("PASSPORT"),
            &json!("P-77"),
            &json!("GBR")
        )
    );
    assert!(
        data[0]["expiration_date"]
            .as_str()
            .unwrap()
            .starts_with("2030-04-05"),
        "{}",
        data[0]
    );
    let files = data[0]["files"].as_array().unwrap();
    assert_eq!(
        ids(files),
        [&front],
        "the image is the identification's file"
    );

    // Replacing collected data without the document deletes it for nCore too.
    let r = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/collected_data"),
            COLLECTED,
            Body::Json(json!({
                "entity_type": "INDIVIDUAL",
                "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}},
                "documents": []
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["documents"], json!([]));
    let (status, list) = p
        .ncore(
            Method::GET,
            &format!("/users/{id}/identifications"),
            NCORE_LIST,
            None,
        )
        .await;
    assert_eq!((status, &list["data"]), (StatusCode::OK, &json!([])));
    let (status, _) = p
        .ncore(
            Method::GET,
            &format!("/users/{id}/identifications/{doc_id}"),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
