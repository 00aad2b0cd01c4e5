//! PassFort collected data: read, replace and what it keeps.

use super::*;

#[tokio::test]
async fn posting_collected_data_replaces_it_and_removes_unlisted_documents_keeping_their_images() {
    let p = Passfort::start().await;
    let id = p
        .create_profile_as(
            KEY_A,
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {
                "entity_type": "INDIVIDUAL",
                "customer_ref": "OLD-REF",
                "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}}
            }}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/profiles/{id}/collected_data");
    let keep_img = p.add_image_id(&id, &png(1), "FRONT").await;
    let drop_img = p.add_image_id(&id, &png(2), "FRONT").await;
    let new_front = p.add_image_id(&id, &png(3), "FRONT").await;
    let new_back = p.add_image_id(&id, &png(4), "BACK").await;
    let doc = |images: Vec<&str>, t: &str| {
        json!({"category": "PROOF_OF_IDENTITY", "document_type": t,
               "images": images.iter().map(|i| json!({"id": i})).collect::<Vec<_>>()})
    };
    let keep = p
        .add_document(&id, doc(vec![&keep_img], "PASSPORT"))
        .await
        .body;
    let gone = p
        .add_document(&id, doc(vec![&drop_img], "STATE_ID"))
        .await
        .body;

    // Without a body, POST returns it unchanged (as GET does), with the rate-limit headers.
    let before = p.collected(&id).await;
    assert_eq!(before["documents"], json!([keep, gone]));
    for body in [Body::Empty, Body::Raw(Bytes::from_static(b" \r\n"))] {
        let r = p.call(Method::POST, &path, COLLECTED, body).await;
        assert_eq!((r.status, &r.body), (StatusCode::OK, &before));
        assert!(r.headers.contains_key("x-ratelimit-remaining"));
    }

    // Refused replacements change nothing.
    let keep_id = keep["id"].as_str().unwrap();
    let with_images = |images: Vec<&str>| {
        let mut d = doc(images, "PASSPORT");
        d["id"] = json!(keep_id);
        d
    };
    let plain = p
        .add_file_id(&id, json!({"data": B64.encode(png(8))}))
        .await;
    let other = p.individual("Grace", "Hopper").await;
    let theirs = p.add_image_id(&other, &png(7), "FRONT").await;
    let refused = [
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [with_images(vec![])]}),
            "documents[0].images",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [
                with_images(vec![&keep_img]),
                {"id": uuid::Uuid::new_v4(), "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": new_back}]}
            ]}),
            "documents[1].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [with_images(vec![&keep_img]), with_images(vec![&new_back])]}),
            "documents[1].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [doc(vec![&new_front], "PASSPORT"), doc(vec![&new_front], "VOTER_ID")]}),
            "documents[1].images[0].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [with_images(vec![&keep_img]), doc(vec![&keep_img], "VOTER_ID")]}),
            "documents[1].images[0].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [doc(vec![&new_front, &theirs], "PASSPORT")]}),
            "documents[0].images[1].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [doc(vec![&plain], "PASSPORT")]}),
            "documents[0].images[0].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [doc(vec!["nope"], "PASSPORT")]}),
            "documents[0].images[0].id",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENSE", "images": [{"id": new_front}]}]}),
            "documents[0].document_type",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [{"document_type": "PASSPORT", "images": [{"id": new_front}]}]}),
            "documents[0].category",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": new_front}], "verification_result": {"all_passed": "yes"}}]}),
            "documents[0].verification_result.all_passed",
        ),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": new_front}], "extracted_data": {"mrz1": 1}}]}),
            "documents[0].extracted_data.mrz1",
        ),
        // The role is not in this body: the field sent, `entity_type`, is named.
        (
            json!({"entity_type": "COMPANY"}),
            "collected_data.entity_type",
        ),
        (
            json!({"personal_details": {}}),
            "collected_data.entity_type",
        ),
        (json!(["INDIVIDUAL"]), "collected_data"),
        (
            json!({"entity_type": "INDIVIDUAL", "documents": "none"}),
            "collected_data.documents",
        ),
    ];
    for (body, field) in refused {
        let r = p
            .call(Method::POST, &path, COLLECTED, Body::Json(body.clone()))
            .await;
        assert_invalid(&r, field, &body.to_string());
        assert!(r.headers.contains_key("x-ratelimit-remaining"));
    }
    assert_eq!(
        p.collected(&id).await,
        before,
        "a refused replacement changed something"
    );
    assert_eq!(p.images(&id).await.len(), 4);

    // The replacement: personal details replaced, customer_ref dropped, the kept document
    // updated in place with another image set (the removed document's image among it), the
    // other removed, a new one made of free images.
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({
                "entity_type": "INDIVIDUAL",
                "personal_details": {"name": {"given_names": ["Augusta"], "family_name": "King"}},
                "contact_details": {"phone_number": "+44 20 0000 0000"},
                "documents": [
                    {"id": keep_id, "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
                     "images": [{"id": keep_img}, {"id": drop_img}], "extracted_data": {"number": "P-2", "expiry": "2031-05-06"}},
                    {"category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENCE",
                     "images": [{"id": new_front}, {"id": new_back}], "extracted_data": {"number": "DL-9"}}
                ]
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = r.body;
    assert_eq!(after["entity_type"], "INDIVIDUAL");
    assert_eq!(
        after["personal_details"],
        json!({"name": {"given_names": ["Augusta"], "family_name": "King"}})
    );
    assert_eq!(after["contact_details"]["phone_number"], "+44 20 0000 0000");
    assert!(
        after.get("customer_ref").is_none(),
        "not sent, so gone: {after}"
    );
    let docs = after["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 2, "{after}");
    assert_eq!(docs[0]["id"], keep["id"]);
    assert_eq!(
        ids(docs[0]["images"].as_array().unwrap()),
        [&keep_img, &drop_img],
        "an existing document's image set changes"
    );
    assert_eq!(
        docs[0]["extracted_data"],
        json!({"number": "P-2", "expiry": "2031-05-06"})
    );
    assert_ne!(docs[1]["id"], gone["id"]);
    assert_eq!(docs[1]["document_type"], "DRIVING_LICENCE");
    assert_eq!(
        ids(docs[1]["images"].as_array().unwrap()),
        [&new_front, &new_back]
    );
    assert_eq!(
        (
            &docs[1]["images"][0]["image_type"],
            &docs[1]["images"][1]["image_type"]
        ),
        (&json!("FRONT"), &json!("BACK"))
    );
    assert_eq!(p.collected(&id).await, after);

    // The removed document is gone through every API; its image is not (it moved).
    let t = crate::common::tenant("alpha");
    let subject: uuid::Uuid = id.parse().unwrap();
    let stored_docs = p.server.store.list_documents(&t, subject).await.unwrap();
    assert_eq!(stored_docs.len(), 2);
    assert!(stored_docs.iter().all(|d| d.id != uuid(&gone["id"])));
    let mut all = vec![
        keep_img.clone(),
        drop_img.clone(),
        new_front.clone(),
        new_back.clone(),
    ];
    all.sort();
    let listed = |images: Vec<Value>| {
        let mut v: Vec<String> = ids(&images).into_iter().map(str::to_owned).collect();
        v.sort();
        v
    };
    assert_eq!(listed(p.images(&id).await), all);

    // An existing document drops an image: the image stays, free.
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({
                "entity_type": "INDIVIDUAL",
                "personal_details": {"name": {"given_names": ["Augusta"], "family_name": "King"}},
                "contact_details": {"phone_number": "+44 20 0000 0000"},
                "documents": [
                    {"id": keep_id, "category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT",
                     "images": [{"id": keep_img}], "extracted_data": {"number": "P-2", "expiry": "2031-05-06"}},
                    docs[1].clone()
                ]
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        ids(r.body["documents"][0]["images"].as_array().unwrap()),
        [&keep_img]
    );
    assert_eq!(
        r.body["documents"][1], docs[1],
        "a document sent back as read is unchanged"
    );
    let after = r.body;
    let dropped = p
        .get(&format!("/profiles/{id}/document_images/{drop_img}"), IMAGE)
        .await;
    assert_eq!(
        (dropped.status, &dropped.body["id"]),
        (StatusCode::OK, &json!(drop_img))
    );

    // The profile follows: display name and search.
    let profile = p.get(&format!("/profiles/{id}"), PROFILE).await.body;
    assert_eq!(profile["display_name"], "Augusta King");
    assert_eq!(profile["collected_data"], after);
    let found = p.get("/profiles?q=augusta%20king", PROFILES).await;
    assert_eq!(found.body["count"], 1);
    let found = p.get("/profiles?q=lovelace", PROFILES).await;
    assert_eq!(found.body["count"], 0, "the old name still matches");
    let found = p.get("/profiles?q=OLD-REF", PROFILES).await;
    assert_eq!(
        found.body["count"], 0,
        "the dropped customer_ref still matches"
    );

    // A body without documents removes them all; plain files and every image stay, and the
    // images make documents again.
    let free = p.add_image_id(&id, &png(9), "FACE").await;
    let r = p
        .call(
            Method::POST,
            &path,
            COLLECTED,
            Body::Json(json!({"entity_type": "INDIVIDUAL"})),
        )
        .await;
    assert_eq!(
        (r.status, &r.body),
        (
            StatusCode::OK,
            &json!({"entity_type": "INDIVIDUAL", "documents": []})
        )
    );
    all.push(free.clone());
    all.sort();
    assert_eq!(listed(p.images(&id).await), all);
    assert_eq!(p.read_file(&id, &plain).await, png(8));
    assert!(
        p.get(&format!("/profiles/{id}"), PROFILE)
            .await
            .body
            .get("display_name")
            .is_none()
    );
    let again = p
        .add_document(&id, doc(vec![&new_front, &new_back], "DRIVING_LICENCE"))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(
        ids(again.body["images"].as_array().unwrap()),
        [&new_front, &new_back]
    );
}

/// A replace is one transaction: a failure at its last step (an image that vanished after
/// the checks) leaves collected data and document images exactly as they were.
#[tokio::test]
async fn a_replace_failing_in_the_store_changes_nothing() {
    use idbridge::model::{DocumentKind, DocumentPatch, FileSide, Namespace, NewDocument};
    use idbridge::store::replace::{Replacement, SubjectData, Target};
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let front = p.add_image_id(&id, &png(1), "FRONT").await;
    let back = p.add_image_id(&id, &png(2), "BACK").await;
    let doc = p
        .add_document(
            &id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": front}],
                   "extracted_data": {"number": "P-1"}}),
        )
        .await
        .body;
    let before = p.collected(&id).await;
    let images_before = p.images(&id).await;
    let t = crate::common::tenant("alpha");
    let subject: uuid::Uuid = id.parse().unwrap();
    let new = NewDocument {
        kind: Some(DocumentKind::DrivingLicence),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let ns = Namespace::new("passfort").unwrap();
    let data = json!({"role": "INDIVIDUAL_CUSTOMER", "category": "APPLICANT",
                      "collected_data": {"entity_type": "INDIVIDUAL"}});
    let plan = vec![
        // Updated (new number, another image), then a new document whose second image does
        // not exist: the transaction fails after the update, the move and the data.
        Replacement {
            target: Target::Update(
                uuid(&doc["id"]),
                DocumentPatch {
                    number: Some(Some("P-2".into())),
                    ..Default::default()
                },
            ),
            files: vec![(back.parse().unwrap(), FileSide::Back)],
        },
        Replacement {
            target: Target::Create(new),
            files: vec![
                (front.parse().unwrap(), FileSide::Front),
                (uuid::Uuid::new_v4(), FileSide::Back),
            ],
        },
    ];
    let err = p
        .server
        .store
        .replace_documents(
            &t,
            subject,
            plan,
            SubjectData {
                namespace: &ns,
                data: &data,
                search: "",
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, idbridge::error::Error::NotFound("file")),
        "{err:?}"
    );
    assert_eq!(p.collected(&id).await, before);
    assert_eq!(p.images(&id).await, images_before);
    assert_eq!(
        p.get(&format!("/profiles/{id}"), PROFILE).await.body["display_name"],
        "Ada Lovelace"
    );
}
