//! The `typeID` table. Built in: B2Core's captured Back Office table (ids 2–9, served as the
//! capture shows them), id 1 Passport (the seed's example), and from id 10 one type for each
//! canonical kind the sample has no type named for, then Other. What each type stores, the
//! type a document stored through another API shows, and a configured table in B2Core's
//! Document Type shape.

use super::*;

/// B2Core's Back Office `GET /api/v2/documents/types` response, as captured.
const SAMPLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/vendor/b2core-bo-document-types-response-sample.json"
));

/// The canonical documents of a subject, through idbridge's admin API: `seq → (kind,
/// category)`.
async fn canonical(m: &Mydocs, admin: &str, subject: Uuid) -> Vec<(i64, String, String)> {
    let res = m
        .server
        .client
        .get(m.server.url(&format!("/admin/v1/subjects/{subject}")))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let detail: Value = res.json().await.unwrap();
    detail["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["seq"].as_i64().unwrap(),
                d["kind"].as_str().unwrap().to_owned(),
                d["category"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A configured type.
fn configured(id: u32, name: &str, kind: &str, group: &str) -> DocumentTypeConfig {
    DocumentTypeConfig {
        id,
        name: name.into(),
        kind: kind.into(),
        group: group.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_built_in_table_serves_b2cores_captured_types_as_captured() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let (status, types) = m.types(&a.token, API).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(types["total"], 22);
    let data = types["data"].as_array().unwrap();
    let ids: Vec<u64> = data.iter().map(|t| t["id"].as_u64().unwrap()).collect();
    assert_eq!(ids, (1..=22).collect::<Vec<u64>>());

    // Ids 2–9 are the sample's entries, field for field (descriptions with their stray
    // spaces), except what idbridge does not configure: translations, and the one type the
    // sample's broker switched off ("Certificate of registration" is usable here).
    let sample: Value = serde_json::from_str(SAMPLE).unwrap();
    assert_eq!(sample["total"], 8);
    for captured in sample["data"].as_array().unwrap() {
        let mut want = captured.clone();
        want["group"]["resources"] = json!([]);
        want["enabled"] = json!(true);
        let got = data.iter().find(|t| t["id"] == want["id"]).unwrap();
        assert_eq!(got, &want);
    }

    // idbridge's own types: (id, name, priority, group id, group name, group priority).
    let own: Vec<(u64, &str, u64, u64, &str, u64)> = data
        .iter()
        .filter(|t| !(2..=9).contains(&t["id"].as_u64().unwrap()))
        .map(|t| {
            assert_eq!(t["description"], t["name"], "{t}");
            assert_eq!(
                (&t["maxFiles"], &t["enabled"], &t["example"]),
                (&json!(3), &json!(true), &json!(""))
            );
            let g = &t["group"];
            assert_eq!((&g["description"], &g["type"]), (&g["name"], &json!("one")));
            (
                t["id"].as_u64().unwrap(),
                t["name"].as_str().unwrap(),
                t["priority"].as_u64().unwrap(),
                g["id"].as_u64().unwrap(),
                g["name"].as_str().unwrap(),
                g["priority"].as_u64().unwrap(),
            )
        })
        .collect();
    let identity = (2, "Proof of identity", 1);
    let company = (7, "Company documents", 6);
    let row = |id, name, priority, (gid, group, gp): (u64, &'static str, u64)| {
        (id, name, priority, gid, group, gp)
    };
    assert_eq!(
        own,
        [
            row(1, "Passport", 9, identity),
            row(10, "Residence permit", 10, identity),
            row(11, "Visa", 11, identity),
            row(12, "State ID", 12, identity),
            row(13, "Voter ID", 13, identity),
            row(14, "Birth certificate", 14, identity),
            row(15, "Trade licence", 15, company),
            row(16, "Commercial licence", 16, company),
            row(17, "Certificate of incorporation", 17, company),
            row(18, "Certificate of incumbency", 18, company),
            row(19, "Memorandum and articles of association", 19, company),
            row(20, "Bank statement", 20, (8, "Proof of bank account", 7)),
            row(21, "Tax document", 21, (9, "Proof of tax status", 8)),
            row(22, "Other", 22, (10, "Other", 9)),
        ]
    );
    let (status, again) = m.types(&a.token, ALT).await;
    assert_eq!((status, &again), (StatusCode::OK, &types));
}

/// Every built-in type stores its canonical kind and what its group says it proves; the
/// document reads back as the type its client chose. A utility bill (typeID 4) is a utility
/// bill, no longer a residence permit.
#[tokio::test]
async fn every_type_stores_its_closest_kind_and_reads_back_as_itself() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    #[rustfmt::skip]
    let want = [
        (1, "Passport", "passport", "proof_of_identity", "page1"),
        (2, "National ID / Passport", "id_card", "proof_of_identity", "front"),
        (3, "Driving license", "driving_licence", "proof_of_identity", "front"),
        (4, "Utility bill", "utility_bill", "proof_of_address", "page1"),
        (5, "Tax Invoice", "tax_document", "proof_of_address", "page1"),
        (6, "Certificate of registration", "residence_permit", "proof_of_address", "front"),
        (7, "Selfie with proof of identity", "face_image", "proof_of_identity", "face"),
        (8, "Deposit Receipt", "bank_statement", "proof_of_source_of_funds", "page1"),
        (9, "Bank Slip", "bank_statement", "proof_of_source_of_funds", "page1"),
        (10, "Residence permit", "residence_permit", "proof_of_identity", "front"),
        (11, "Visa", "visa", "proof_of_identity", "page1"),
        (12, "State ID", "state_id", "proof_of_identity", "front"),
        (13, "Voter ID", "voter_id", "proof_of_identity", "front"),
        (14, "Birth certificate", "birth_certificate", "proof_of_identity", "page1"),
        (15, "Trade licence", "trade_licence", "company_filing", "page1"),
        (16, "Commercial licence", "commercial_licence", "company_filing", "page1"),
        (17, "Certificate of incorporation", "incorporation_certificate", "company_filing", "page1"),
        (18, "Certificate of incumbency", "incumbency_certificate", "company_filing", "page1"),
        (19, "Memorandum and articles of association", "memorandum_articles", "company_filing", "page1"),
        (20, "Bank statement", "bank_statement", "proof_of_bank_account", "page1"),
        (21, "Tax document", "tax_document", "proof_of_tax_status", "page1"),
        (22, "Other", "other", "supporting", "page1"),
    ];
    let mut added = Vec::new();
    for (id, name, kind, category, side) in want {
        let doc = m
            .add_ok(
                &a.token,
                typed(&id.to_string(), vec![("f.png", png(id as u8))]),
            )
            .await;
        m.assert_document(&doc, id, name, "new", &[side]);
        let (_, details) = m.get(&a.token, doc["id"].as_i64().unwrap()).await;
        m.assert_document(&details, id, name, "new", &[side]);
        added.push((
            doc["id"].as_i64().unwrap(),
            kind.to_owned(),
            category.to_owned(),
        ));
    }
    let mut stored = canonical(&m, ADMIN_A, a.subject).await;
    stored.sort();
    assert_eq!(stored, added);
    // Each type filters as itself, even where two share a kind.
    for id in [8, 9, 20] {
        let (total, ids) = m.ids(&a.token, &format!("?filter[typeId]={id}")).await;
        assert_eq!((total, ids), (1, vec![added[id as usize - 1].0]), "{id}");
    }
}

/// A document stored through nCore names no B2Core type: it shows the type named for its
/// kind, never a sample type that only approximates it (a bank statement is not a
/// "Deposit Receipt"), and an nCore `ADDITIONAL` shows as Other.
#[tokio::test]
async fn documents_stored_elsewhere_show_the_type_named_for_their_kind() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let want = [
        ("PASSPORT", 1, "Passport"),
        ("NATIONAL_ID", 2, "National ID / Passport"),
        ("VISA", 11, "Visa"),
        ("TRADE_LICENSE", 15, "Trade licence"),
        ("COMMERCIAL_LICENSE", 16, "Commercial licence"),
        ("INCORPORATION_CERT", 17, "Certificate of incorporation"),
        ("INCUMBENCY_CERT", 18, "Certificate of incumbency"),
        (
            "MEMORANDUM_ARTICLES",
            19,
            "Memorandum and articles of association",
        ),
        ("BANK_STATEMENT", 20, "Bank statement"),
        ("ADDITIONAL", 22, "Other"),
    ];
    for (i, (ncore, ..)) in want.iter().enumerate() {
        let (status, body) = m
            .ncore(
                Method::POST,
                &format!("/users/{}/identifications", a.subject),
                NCORE_LIST,
                Some(json!({"type": ncore, "number": format!("N-{i}")})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{ncore}: {body}");
    }
    let (_, list) = m.list(&a.token, "?sort_order=asc&limit=100").await;
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), want.len(), "{list}");
    for (i, (doc, (_, id, name))) in data.iter().zip(want).enumerate() {
        m.assert_document(doc, id, name, "incomplete", &[]);
        assert_eq!(doc["number"], format!("N-{i}"));
    }
    assert_eq!(m.ids(&a.token, "?filter[typeId]=20").await.0, 1);
    assert_eq!(m.ids(&a.token, "?filter[typeId]=8,9").await.0, 0);
}

#[tokio::test]
async fn a_configured_table_replaces_the_default_and_other_catches_kinds_without_a_type() {
    let m = Mydocs::start_with(|c| {
        let t = |id, name: &str, kind: &str, group: &str, max_files| DocumentTypeConfig {
            max_files,
            ..configured(id, name, kind, group)
        };
        c.adapters.mydocs.document_types = Some(vec![
            t(101, "Passport", "passport", "Identity", 1),
            t(102, "ID card", "id_card", "Identity", 2),
            t(199, "Misc", "other", "Everything else", 1),
        ]);
    })
    .await;
    let a = m.client(ADMIN_A).await;
    let (status, types) = m.types(&a.token, API).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(types["total"], 3);
    let summary: Vec<(u64, &str, u64, u64, &str, u64)> = types["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["description"], t["name"], "{t}");
            (
                t["id"].as_u64().unwrap(),
                t["name"].as_str().unwrap(),
                t["maxFiles"].as_u64().unwrap(),
                t["group"]["id"].as_u64().unwrap(),
                t["group"]["name"].as_str().unwrap(),
                t["priority"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (101, "Passport", 1, 1, "Identity", 1),
            (102, "ID card", 2, 1, "Identity", 2),
            (199, "Misc", 1, 2, "Everything else", 3),
        ]
    );

    // The default ids are gone.
    let (status, err) = m.add(&a.token, typed("1", vec![("p.png", png(1))])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&err, status, Some("typeID"));
    // The configured maxFiles holds, and a refused document leaves nothing behind.
    let (status, err) = m
        .add(
            &a.token,
            typed("101", vec![("1.png", png(1)), ("2.png", png(2))]),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(m.files_stored().await, 0);
    let card = m
        .add_ok(
            &a.token,
            typed("102", vec![("f.png", png(1)), ("b.png", png(2))]),
        )
        .await;
    m.assert_document(&card, 102, "ID card", "new", &["front", "back"]);

    // Documents stored elsewhere show with the configured ids; a kind with no type of its
    // own shows as the `other` type, never as the first entry (101).
    let user = a.subject.to_string();
    for body in [
        json!({"type": "PASSPORT", "number": "P-1"}),
        json!({"type": "VISA", "number": "V-1"}),
        json!({"type": "BANK_STATEMENT", "number": "B-1"}),
    ] {
        let (status, _) = m
            .ncore(
                Method::POST,
                &format!("/users/{user}/identifications"),
                NCORE_LIST,
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, list) = m.list(&a.token, "?sort_order=asc").await;
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 4);
    m.assert_document(&data[1], 101, "Passport", "incomplete", &[]);
    assert_eq!(data[1]["number"], "P-1");
    for (doc, number) in data[2..].iter().zip(["V-1", "B-1"]) {
        m.assert_document(doc, 199, "Misc", "incomplete", &[]);
        assert_eq!(doc["number"], number);
    }
    assert_eq!(m.ids(&a.token, "?filter[typeId]=199").await.0, 2);
}

/// A table configured in B2Core's own shape: descriptions, group ids, priorities, what a
/// type proves, and which of two types of one kind documents stored elsewhere show.
#[tokio::test]
async fn a_configured_table_keeps_b2cores_shape_and_its_choices() {
    let m = Mydocs::start_with(|c| {
        c.adapters.mydocs.document_types = Some(vec![
            DocumentTypeConfig {
                description: Some(" National ID".into()),
                group_id: Some(2),
                priority: Some(5),
                ..configured(2, "National ID / Passport", "id_card", "Proof of identity")
            },
            DocumentTypeConfig {
                category: Some("proof_of_address".into()),
                group_id: Some(3),
                ..configured(30, "Statement", "bank_statement", "Proof of address")
            },
            DocumentTypeConfig {
                default_for_kind: true,
                ..configured(31, "Bank statement", "bank_statement", "Banking")
            },
            configured(40, "Other", "other", "Other"),
        ]);
    })
    .await;
    let a = m.client(ADMIN_A).await;
    let (_, types) = m.types(&a.token, API).await;
    let shape: Vec<(&str, u64, u64, u64)> = types["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["description"].as_str().unwrap(),
                t["priority"].as_u64().unwrap(),
                t["group"]["id"].as_u64().unwrap(),
                t["group"]["priority"].as_u64().unwrap(),
            )
        })
        .collect();
    // Groups without an id take the smallest free ones (1, then 4), in order.
    assert_eq!(
        shape,
        [
            (" National ID", 5, 2, 1),
            ("Statement", 2, 3, 2),
            ("Bank statement", 3, 1, 3),
            ("Other", 4, 4, 4),
        ]
    );
    let statement = m
        .add_ok(&a.token, typed("30", vec![("s.pdf", pdf(400))]))
        .await;
    m.assert_document(&statement, 30, "Statement", "new", &["page1"]);
    let (status, _) = m
        .ncore(
            Method::POST,
            &format!("/users/{}/identifications", a.subject),
            NCORE_LIST,
            Some(json!({"type": "BANK_STATEMENT", "number": "B-2"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = m.list(&a.token, "?sort_order=asc").await;
    m.assert_document(&list["data"][1], 31, "Bank statement", "incomplete", &[]);
    let stored = canonical(&m, ADMIN_A, a.subject).await;
    let kinds: Vec<(&str, &str)> = stored
        .iter()
        .map(|(_, k, c)| (k.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("bank_statement", "proof_of_address"),
            ("bank_statement", "proof_of_bank_account")
        ]
    );
}

/// Two configured types of one canonical kind: each document keeps the `typeID` its client
/// chose, in the Document and in `filter[typeId]`; a document stored through another API
/// shows the first type of its kind.
#[tokio::test]
async fn two_types_of_one_kind_each_keep_their_own_id() {
    let m = Mydocs::start_with(|c| {
        let t = |id, name: &str, kind: &str| configured(id, name, kind, "Proof of identity");
        c.adapters.mydocs.document_types = Some(vec![
            t(1, "Passport", "passport"),
            t(2, "National ID / Passport", "passport"),
            t(3, "Other", "other"),
        ]);
    })
    .await;
    let a = m.client(ADMIN_A).await;
    let second = m
        .add_ok(&a.token, typed("2", vec![("p.png", png(1))]))
        .await;
    m.assert_document(&second, 2, "National ID / Passport", "new", &["page1"]);
    let path = m.upload_ok(&a.token, "q.png", png(2)).await;
    let first = m
        .add_ok(&a.token, Body::Json(json!({"file": path, "typeId": 1})))
        .await;
    m.assert_document(&first, 1, "Passport", "new", &["page1"]);
    let (status, ncore) = m
        .ncore(
            Method::POST,
            &format!("/users/{}/identifications", a.subject),
            NCORE_LIST,
            Some(json!({"type": "PASSPORT", "number": "P-2"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ncore}");

    let (_, details) = m.get(&a.token, second["id"].as_i64().unwrap()).await;
    m.assert_document(&details, 2, "National ID / Passport", "new", &["page1"]);
    let (_, list) = m.list(&a.token, "?sort_order=asc").await;
    let shown: Vec<(u64, &str)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["typeId"].as_u64().unwrap(),
                d["type"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (2, "National ID / Passport"),
            (1, "Passport"),
            (1, "Passport")
        ]
    );
    let id = |d: &Value| d["id"].as_i64().unwrap();
    assert_eq!(
        m.ids(&a.token, "?filter[typeId]=2").await,
        (1, vec![id(&second)])
    );
    let (total, ids) = m.ids(&a.token, "?filter[typeId]=1&sort_order=asc").await;
    assert_eq!((total, ids[0]), (2, id(&first)));
    assert_eq!(m.ids(&a.token, "?filter[typeId]=1,2").await.0, 3);
}
