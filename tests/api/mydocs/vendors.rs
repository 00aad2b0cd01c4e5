//! Other vendors' APIs over the same store as mydocs.

use super::*;

#[tokio::test]
async fn documents_from_ncore_appear_here_and_ours_appear_there() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let user = a.subject.to_string();
    // nCore -> mydocs: a passport without files is "incomplete", with its number and expiry.
    let ident_id = m
        .ncore_at()
        .identification(
            &user,
            json!({"type": "PASSPORT", "number": "132123123",
                        "expiration_date": "2031-09-20T10:10:40.182Z", "issuing_country": "ARE"}),
        )
        .await;
    let (status, list) = m.list(&a.token, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 1);
    let passport = &list["data"][0];
    m.assert_document(passport, 1, "Passport", "incomplete", &[]);
    assert_eq!(
        (
            passport["number"].as_str(),
            passport["expiryDate"].as_str(),
            passport["issuingCountry"].as_str()
        ),
        (Some("132123123"), Some("2031-09-20"), Some("ARE"))
    );
    let id = passport["id"].as_i64().unwrap();
    assert_eq!(m.canonical_id(&a, id).await.to_string(), ident_id);

    // A page uploaded through nCore makes it "new" here and downloads here.
    let page = fixture("id-front.png");
    let page1 = ncore_file("PASSPORT_PAGE1", "page1.png", page.clone());
    let (status, up) = m.ncore_at().upload(&user, &ident_id, vec![page1]).await;
    assert_eq!(status, StatusCode::OK, "{up}");
    let (_, doc) = m.get(&a.token, id).await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
    assert_eq!(doc["files"][0]["id"], up["data"][0]["id"]);
    assert_eq!(doc["fileName"], "page1.png");
    assert_eq!(
        sha(&m
            .fetch(&a.token, doc["downloadUrl"].as_str().unwrap())
            .await),
        sha(&page)
    );
    // An expired one from nCore is "expired".
    m.ncore(
        Method::POST,
        &format!("/users/{user}/identifications"),
        NCORE_LIST,
        Some(json!({"type": "NATIONAL_ID", "number": "784-1", "expiration_date": "2020-01-31"})),
    )
    .await;
    let (_, list) = m.list(&a.token, "").await;
    m.assert_document(
        &list["data"][0],
        2,
        "National ID / Passport",
        "expired",
        &[],
    );
    assert_eq!(list["data"][0]["expiryDate"], "2020-01-31");

    // mydocs -> nCore: a card with front and back shows there with nCore's types and bytes.
    let (front, back) = (png(1), png(2));
    let card = m
        .add_ok(
            &a.token,
            typed(
                "2",
                vec![("front.png", front.clone()), ("back.png", back.clone())],
            ),
        )
        .await;
    let card_uuid = m.canonical_id(&a, card["id"].as_i64().unwrap()).await;
    let (status, nlist) = m
        .ncore(
            Method::GET,
            &format!("/users/{user}/identifications"),
            NCORE_LIST,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let data = nlist["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    let theirs = data
        .iter()
        .find(|i| i["id"] == card_uuid.to_string())
        .unwrap_or_else(|| panic!("the card is not in nCore's list: {nlist}"));
    assert_eq!(theirs["type"], "NATIONAL_ID");
    let files = theirs["files"].as_array().unwrap();
    let kinds: Vec<&str> = files
        .iter()
        .map(|f| f["identification_document_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["NATIONAL_ID_FRONT", "NATIONAL_ID_BACK"]);
    for (f, bytes) in files.iter().zip([&front, &back]) {
        let res = m
            .server
            .client
            .get(m.server.url(&format!(
                "/v1/users/{user}/identifications/{card_uuid}/files/{}:download",
                f["id"].as_str().unwrap()
            )))
            .header("apikey", NCORE_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(sha(&res.bytes().await.unwrap()), sha(bytes));
    }
    let (status, one) = m
        .ncore(
            Method::GET,
            &format!("/users/{user}/identifications/{card_uuid}"),
            NCORE_ONE,
            None,
        )
        .await;
    assert_eq!((status, &one), (StatusCode::OK, theirs));

    // A file already on a document (here nCore's) is not an upload path.
    let (status, err) = m
        .add(
            &a.token,
            Body::Json(json!({"file": format!("uploads/{}", up["data"][0]["id"].as_str().unwrap()), "typeID": 22})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("file"));
}
