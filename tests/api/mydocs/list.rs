//! The mydocs list: paging, sorting and filters.

use super::*;

#[tokio::test]
async fn the_list_pages_sorts_and_filters() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    let (status, empty) = m.list(&a.token, "").await;
    assert_eq!(
        (status, &empty),
        (StatusCode::OK, &json!({"total": 0, "data": []}))
    );
    // 1..=5 with a file each (status new), 6 without (incomplete), 7 expired.
    for (i, type_id) in ["1", "2", "4", "7", "22"].into_iter().enumerate() {
        let doc = m
            .add_ok(&a.token, typed(type_id, vec![("f.png", png(i as u8 + 1))]))
            .await;
        assert_eq!(doc["id"], i as u64 + 1);
    }
    let user = a.subject.to_string();
    for body in [
        json!({"type": "PASSPORT", "number": "P-6", "expiration_date": "2099-01-01"}),
        json!({"type": "VISA", "number": "V-7", "expiration_date": "2001-01-01"}),
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
    let (_, all) = m.list(&a.token, "").await;
    assert_eq!(all["total"], 7);
    let statuses: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["expired", "incomplete", "new", "new", "new", "new", "new"]
    );
    for d in all["data"].as_array().unwrap() {
        let (status, one) = m.get(&a.token, d["id"].as_i64().unwrap()).await;
        assert_eq!(
            (status, &one),
            (StatusCode::OK, d),
            "the list shows the details"
        );
    }

    let cases: Vec<(&str, u64, Vec<i64>)> = vec![
        ("", 7, vec![7, 6, 5, 4, 3, 2, 1]),
        ("?limit=10&offset=0", 7, vec![7, 6, 5, 4, 3, 2, 1]),
        ("?limit=3", 7, vec![7, 6, 5]),
        ("?limit=3&offset=3", 7, vec![4, 3, 2]),
        ("?limit=3&offset=6", 7, vec![1]),
        ("?offset=10", 7, vec![]),
        ("?sort_order=asc", 7, vec![1, 2, 3, 4, 5, 6, 7]),
        (
            "?sort_by=createTime&sort_order=desc",
            7,
            vec![7, 6, 5, 4, 3, 2, 1],
        ),
        ("?sort_by=id&sort_order=asc&limit=2&offset=1", 7, vec![2, 3]),
        ("?sort_by=id", 7, vec![7, 6, 5, 4, 3, 2, 1]),
        ("?filter[typeId]=1,2", 3, vec![6, 2, 1]),
        ("?filter[typeId]=1&filter[typeId]=11", 3, vec![7, 6, 1]),
        ("?filter[typeID]=11", 1, vec![7]),
        ("?filter[typeId]=21", 0, vec![]),
        ("?filter[status]=new", 5, vec![5, 4, 3, 2, 1]),
        ("?filter[status]=incomplete", 1, vec![6]),
        ("?filter[status]=expired", 1, vec![7]),
        (
            "?filter[status]=incomplete,expired&sort_order=asc",
            2,
            vec![6, 7],
        ),
        ("?filter[typeId]=1&filter[status]=new", 1, vec![1]),
        ("?filter[status]=new&limit=2&offset=1", 5, vec![4, 3]),
        ("?cache_buster=123", 7, vec![7, 6, 5, 4, 3, 2, 1]),
    ];
    for (query, total, ids) in cases {
        assert_eq!(m.ids(&a.token, query).await, (total, ids), "{query}");
    }
    // Both roots list the same.
    let (status, alt) = m
        .send(
            Some(&a.token),
            Method::GET,
            &format!("{ALT}/documents?limit=3&sort_order=asc"),
            LIST,
            Body::None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(alt, m.list(&a.token, "?limit=3&sort_order=asc").await.1);

    // Changing the first document (through nCore) makes it the most recently updated.
    let first = m.canonical_id(&a, 1).await;
    let store = &m.server.store;
    let mut number = String::new();
    for attempt in 0.. {
        assert!(attempt < 1000, "the update never got a later time");
        number = format!("P-{attempt}");
        let (status, _) = m
            .ncore(
                Method::PUT,
                &format!("/users/{user}/identifications/{first}"),
                NCORE_ONE,
                Some(json!({"number": number})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let docs = store.list_documents(&a.tenant, a.subject).await.unwrap();
        let updated = |seq: i64| docs.iter().find(|d| d.seq == seq).unwrap().updated_at;
        if (2..=7).all(|s| updated(1) > updated(s)) {
            break;
        }
    }
    let (_, by_update) = m.ids(&a.token, "?sort_by=updateTime").await;
    assert_eq!(by_update[0], 1, "{by_update:?}");
    let (_, by_update_asc) = m.ids(&a.token, "?sort_by=updateTime&sort_order=asc").await;
    assert_eq!(by_update_asc.last(), Some(&1), "{by_update_asc:?}");
    assert_eq!(
        m.ids(&a.token, "?sort_by=createTime").await.1,
        vec![7, 6, 5, 4, 3, 2, 1],
        "creation order does not change"
    );
    let (_, updated) = m.get(&a.token, 1).await;
    assert_eq!(updated["number"], number.as_str());
}

#[tokio::test]
async fn bad_list_parameters_are_400_naming_the_parameter() {
    let m = Mydocs::start().await;
    let a = m.client(ADMIN_A).await;
    for (query, field) in [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=ten", "limit"),
        ("?limit=-1", "limit"),
        ("?offset=-1", "offset"),
        ("?offset=x", "offset"),
        ("?sort_by=name", "sort_by"),
        ("?sort_order=up", "sort_order"),
        ("?filter[typeId]=a", "filter[typeId]"),
        ("?filter[typeId]=1,,2", "filter[typeId]"),
        ("?filter[status]=approved", "filter[status]"),
        ("?filter[clientId]=1", "filter[clientId]"),
        ("?filter[name]=x", "filter[name]"),
    ] {
        let (status, err) = m.list(&a.token, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {err}");
        assert_error(&err, status, Some(field));
        assert_eq!(
            err["errors"].as_object().unwrap().len(),
            1,
            "{query}: only the bad parameter is named: {err}"
        );
    }
    assert_eq!(m.ids(&a.token, "?limit=1").await, (0, vec![]));
    assert_eq!(m.ids(&a.token, "?limit=100").await, (0, vec![]));
}
