//! `/docs`: Swagger UI shows each of the six documents through its selector, loads nothing
//! from elsewhere, and "Try it out" calls this server and shows the answer.

use crate::common::{ADMIN_A, TestServer};
use crate::driver::Browser;
use crate::front::APIS;
use fantoccini::Locator;
use serde_json::Value;

/// Where Swagger UI shows the selected document's title.
const TITLE: &str = ".information-container .title";

#[tokio::test]
async fn the_docs_show_every_document_and_try_it_out_calls_this_server() {
    let s = TestServer::start().await;
    // One subject of tenant alpha, for the listing to show.
    let created: Value = s
        .client
        .post(s.url("/admin/v1/subjects"))
        .bearer_auth(ADMIN_A)
        .json(&serde_json::json!({ "label": "shown in the docs" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let subject = created["id"].as_str().unwrap().to_owned();
    let b = Browser::start().await;
    let mut titles = Vec::new();
    for (name, _) in APIS {
        let doc: Value = s
            .client
            .get(s.url(&format!("/openapi/{name}.json")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        titles.push(doc["info"]["title"].as_str().unwrap().to_owned());
    }

    // The first document opens by default.
    b.open(&s.url("/docs"), TITLE).await;
    b.text_containing(TITLE, &titles[0]).await;
    b.screenshot("docs.png").await;
    let mut offered = Vec::new();
    for option in b
        .client
        .find_all(Locator::Css("select#select option"))
        .await
        .unwrap()
    {
        offered.push(option.text().await.unwrap());
    }
    assert_eq!(offered, APIS.map(|(name, _)| name));
    // Each one through the selector (disabled while a document loads, so one at a time).
    for ((name, _), title) in APIS.iter().zip(&titles).skip(1) {
        b.element("select#select:not([disabled])")
            .await
            .select_by_label(name)
            .await
            .unwrap();
        b.text_containing(TITLE, title).await;
    }
    // Every file came from this server: Swagger UI's own and the documents.
    let loaded = b
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .unwrap();
    let loaded: Vec<&str> = loaded
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        loaded.iter().any(|u| u.ends_with("/openapi/admin.json")),
        "{loaded:?}"
    );
    assert!(
        loaded
            .iter()
            .any(|u| u.ends_with("/docs/swagger-ui-bundle.js")),
        "{loaded:?}"
    );
    for url in &loaded {
        assert!(url.starts_with(&s.base), "loaded from elsewhere: {url}");
    }

    // The admin document is selected last: authorize with an admin key, then list subjects.
    b.element(".auth-wrapper .authorize")
        .await
        .click()
        .await
        .unwrap();
    b.element(".modal-ux input")
        .await
        .send_keys(ADMIN_A)
        .await
        .unwrap();
    b.element(".modal-ux .auth-btn-wrapper button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    b.element(".modal-ux .btn-done")
        .await
        .click()
        .await
        .unwrap();
    let op = "#operations-subjects-list_subjects";
    b.element(&format!("{op} .opblock-summary-control"))
        .await
        .click()
        .await
        .unwrap();
    b.element(&format!("{op} .try-out__btn"))
        .await
        .click()
        .await
        .unwrap();
    b.element(&format!("{op} button.execute"))
        .await
        .click()
        .await
        .unwrap();
    let request_url = b
        .text_containing(&format!("{op} .request-url"), "/subjects")
        .await;
    assert!(
        request_url.contains(&s.url("/admin/v1/subjects")),
        "{request_url}"
    );
    let status = b
        .text_containing(
            &format!("{op} .live-responses-table tbody .response-col_status"),
            "200",
        )
        .await;
    assert_eq!(status.trim(), "200");
    let body = b
        .text_containing(
            &format!(
                "{op} .live-responses-table tbody .response-col_description .highlight-code pre"
            ),
            "\"total\"",
        )
        .await;
    // The body is the server's own answer for tenant alpha: the one subject made above.
    let shown: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(shown["total"], 1, "{shown}");
    assert_eq!(shown["items"][0]["id"], subject.as_str(), "{shown}");
    b.quit().await;
    s.stop().await.unwrap();
}
