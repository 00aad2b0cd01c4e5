//! PassFort documents in collected data.

use super::*;

#[tokio::test]
async fn a_document_takes_only_free_document_images_of_its_profile() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let other = p.individual("Grace", "Hopper").await;
    let front = p.add_image_id(&id, &png(1), "FRONT").await;
    let back = p.add_image_id(&id, &png(2), "BACK").await;
    let spare = p.add_image_id(&id, &png(3), "FACE").await;
    let theirs = p.add_image_id(&other, &png(4), "FRONT").await;
    let plain = p
        .add_file_id(&id, json!({"data": B64.encode(png(5))}))
        .await;

    let licence = p
        .add_document(
            &id,
            json!({
                "category": "PROOF_OF_IDENTITY",
                "document_type": "DRIVING_LICENCE",
                "images": [{"id": front}, {"id": back, "image_type": "BACK", "upload_date": "2000-01-01 00:00:00"}],
                "extracted_data": {
                    "number": "LOVEL-815",
                    "issuing_country": "GBR",
                    "issued": "2020-01-02",
                    "expiry": "2030-01-01",
                    "issuer": "DVLA",
                    "mrz1": "kept as sent",
                    "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}}
                }
            }),
        )
        .await;
    assert_eq!(licence.status, StatusCode::OK, "{}", licence.body);
    let licence = licence.body;
    assert_eq!(
        (&licence["category"], &licence["document_type"]),
        (&json!("PROOF_OF_IDENTITY"), &json!("DRIVING_LICENCE"))
    );
    assert_eq!(
        licence["extracted_data"],
        json!({
            "number": "LOVEL-815",
            "issuing_country": "GBR",
            "issued": "2020-01-02",
            "expiry": "2030-01-01",
            "issuer": "DVLA",
            "mrz1": "kept as sent",
            "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}}
        })
    );
    let images = licence["images"].as_array().unwrap();
    assert_eq!(ids(images), [&front, &back]);
    assert_eq!(
        (&images[0]["image_type"], &images[1]["image_type"]),
        (&json!("FRONT"), &json!("BACK"))
    );
    assert_ne!(
        images[1]["upload_date"], "2000-01-01 00:00:00",
        "read-only fields of an image reference are ignored"
    );
    assert_eq!(
        p.collected(&id).await["documents"],
        json!([licence]),
        "the document is in collected_data"
    );

    // Images that are not free document images of this profile: 400 naming the image, and
    // nothing created.
    let nobody = uuid::Uuid::new_v4().to_string();
    let stored = p.files_stored().await;
    for (images, bad) in [
        (vec![&nobody], 0),
        (vec![&spare, &theirs], 1),
        (vec![&plain], 0),
        (vec![&spare, &front], 1),
        (vec![&spare, &spare], 1),
    ] {
        let body = json!({
            "category": "PROOF_OF_IDENTITY",
            "document_type": "PASSPORT",
            "images": images.iter().map(|i| json!({"id": i})).collect::<Vec<_>>()
        });
        let r = p.add_document(&id, body.clone()).await;
        // Named in the add-document body's own terms: it is one document, not a list.
        let field = format!("images[{bad}].id");
        assert_invalid(&r, &field, &body.to_string());
        assert!(
            first_error(&r)["message"]
                .as_str()
                .unwrap()
                .contains(images[bad].as_str()),
            "the message names the image: {}",
            r.body
        );
    }
    for (body, field) in [
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "extracted_data": {"issuing_country": "GB"}}),
            "extracted_data.issuing_country",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "extracted_data": {"expiry": "01/01/2030"}}),
            "extracted_data.expiry",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "extracted_data": {"number": 42}}),
            "extracted_data.number",
        ),
        (
            // A blank number would be dropped by the store: refused, not silently lost.
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "extracted_data": {"number": ""}}),
            "extracted_data.number",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "extracted_data": []}),
            "extracted_data",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": "not-a-uuid"}]}),
            "images[0].id",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}],
                   "verification_result": {"all_passed": "yes"}}),
            "verification_result.all_passed",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": []}),
            "images",
        ),
        (
            json!({"id": nobody, "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}]}),
            "id",
        ),
        (
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
                   "images": (0..11).map(|_| json!({"id": spare})).collect::<Vec<_>>()}),
            "images",
        ),
    ] {
        let r = p.add_document(&id, body.clone()).await;
        assert_invalid(&r, field, &body.to_string());
    }
    for body in [
        json!({"category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENSE", "images": [{"id": spare}]}),
        json!({"category": "IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}]}),
        json!({"category": "PROOF_OF_IDENTITY", "images": [{"id": spare}]}),
        json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": "not-a-uuid"}]}),
        json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": spare}], "colour": "red"}),
    ] {
        let r = p.add_document(&id, body.clone()).await;
        assert_eq!(
            (r.status, &first_error(&r)["code"]),
            (StatusCode::BAD_REQUEST, &json!(201)),
            "{body}: {}",
            r.body
        );
    }
    assert_eq!(
        p.collected(&id).await["documents"],
        json!([licence]),
        "a refused document was created"
    );
    assert_eq!(p.files_stored().await, stored);
    // The spare image is still free: it makes a document now.
    let face = p
        .add_document(
            &id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "FACE_IMAGE", "images": [{"id": spare}]}),
        )
        .await;
    assert_eq!(face.status, StatusCode::OK, "{}", face.body);
    assert_eq!(face.body["images"][0]["image_type"], "FACE");
    assert!(face.body.get("extracted_data").is_none(), "{}", face.body);
    // Other profile's image still free for its own profile.
    let r = p
        .add_document(
            &other,
            json!({"category": "PROOF_OF_ADDRESS", "document_type": "BANK_STATEMENT", "images": [{"id": theirs}]}),
        )
        .await;
    assert_eq!(
        (r.status, &r.body["category"], &r.body["document_type"]),
        (
            StatusCode::OK,
            &json!("PROOF_OF_ADDRESS"),
            &json!("BANK_STATEMENT")
        )
    );
    let docs = p.collected(&id).await["documents"].clone();
    assert_eq!(docs, json!([licence, face.body]));
}

#[tokio::test]
async fn racing_documents_cannot_share_an_image() {
    let p = std::sync::Arc::new(Passfort::start().await);
    let id = p.individual("Ada", "Lovelace").await;
    let image = p.add_image_id(&id, &png(1), "FRONT").await;
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (p, id, image) = (p.clone(), id.clone(), image.clone());
            tokio::spawn(async move {
                let r = p
                    .add_document(
                        &id,
                        json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": image}]}),
                    )
                    .await;
                (r.status, r.body)
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            StatusCode::OK => created += 1,
            StatusCode::BAD_REQUEST => assert_eq!(body["errors"][0]["code"], 201, "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 1, "one image went to several documents");
    let docs = p.collected(&id).await["documents"].clone();
    assert_eq!(docs.as_array().unwrap().len(), 1, "{docs}");
    assert_eq!(ids(docs[0]["images"].as_array().unwrap()), [&image]);
}
