//! The front page: every API with its base URL and links, the engines' health, no console
//! error, and its link to `/docs` works.

use crate::common::TestServer;
use crate::driver::Browser;
use fantoccini::Locator;

/// The six APIs as the test configuration mounts them: name and prefix.
pub const APIS: [(&str, &str); 6] = [
    ("ncore", "/v1"),
    ("mydocs", ""),
    ("masstack", "/v1"),
    ("passfort", "/4.0"),
    ("jumio", ""),
    ("admin", "/admin/v1"),
];

#[tokio::test]
async fn the_front_page_lists_every_api_with_its_base_url_and_links() {
    let s = TestServer::start().await;
    let b = Browser::start().await;
    b.open(&s.url("/"), "main h1").await;
    assert_eq!(
        b.client
            .find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("lang")
            .await
            .unwrap()
            .as_deref(),
        Some("en")
    );
    for (name, prefix) in APIS {
        let row = format!("#api-{name}");
        let base = b
            .element(&format!("{row} code.base"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(base, format!("{}{prefix}", s.base), "{name}");
        let state = b
            .element(&format!("{row} td.state"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(state, "enabled", "{name}");
        let openapi = b.element(&format!("{row} a.openapi")).await;
        assert_eq!(
            openapi.attr("href").await.unwrap().as_deref(),
            Some(format!("/openapi/{name}.json").as_str())
        );
        let docs = b.element(&format!("{row} a.docs")).await;
        assert_eq!(
            docs.attr("href").await.unwrap().as_deref(),
            Some(format!("/docs/?urls.primaryName={name}").as_str())
        );
    }
    // The links lead somewhere real: the admin document's title, through the server.
    let doc: serde_json::Value = s
        .client
        .get(s.url("/openapi/admin.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["info"]["title"], "idbridge admin API");
    b.element("#health + dl").await;
    let mut health = Vec::new();
    for el in b
        .client
        .find_all(Locator::Css("#health + dl > *"))
        .await
        .unwrap()
    {
        health.push(el.text().await.unwrap());
    }
    let engine = if s.config.storage.metadata_url().starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let blobs = if s.config.storage.blob_url.is_some() {
        "S3-compatible bucket"
    } else {
        "local directory"
    };
    assert_eq!(
        health,
        [
            format!("Metadata database ({engine})"),
            "ok".into(),
            format!("Blob store ({blobs})"),
            "ok".into()
        ]
    );
    let version = b.element("#version").await.text().await.unwrap();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let console = b.element("a[href='/console']").await.text().await.unwrap();
    assert_eq!(console, "Admin console");
    // The inline style applied, so the CSP's hash matches it (a blocked style leaves the
    // browser's default black text).
    let color = b
        .client
        .execute("return getComputedStyle(document.body).color", vec![])
        .await
        .unwrap();
    assert_eq!(color, "rgb(29, 35, 48)");
    let problems: Vec<_> = b
        .console_log()
        .await
        .into_iter()
        // The browser asks for /favicon.ico on its own; the page declares no icon.
        .filter(|e| !e["message"].as_str().unwrap_or("").contains("/favicon.ico"))
        .collect();
    assert!(problems.is_empty(), "console: {problems:#?}");
    b.screenshot("front.png").await;

    // Its link to the docs opens Swagger UI with the documents.
    b.element("a[href='/docs/']").await.click().await.unwrap();
    b.text_containing(".information-container .title", "nCore")
        .await;
    assert_eq!(b.client.current_url().await.unwrap().path(), "/docs/");
    // And an API's own docs link opens its document.
    b.open(&s.url("/"), "#api-passfort a.docs")
        .await
        .click()
        .await
        .unwrap();
    b.text_containing(".information-container .title", "PassFort API (idbridge)")
        .await;
    b.quit().await;
    s.stop().await.unwrap();
}
