//! The admin console and the Jumio capture page in a real browser: a migration team signs
//! in, finds the subject a Jumio flow wrote, sees its front image rendered and its document
//! as PassFort names it, and deletes it; wrong keys, expired sessions and forms without
//! their token are refused; a person goes through the capture page.

use std::time::Instant;

use fantoccini::Locator;
use idbridge::console::session::{Claims, session_cookie};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::ADMIN_A;
use crate::common::fixtures::{decodable_png as png, sha_hex};
use crate::common::jumio::*;
use crate::driver::{Browser, PATIENCE, POLL};

/// A Jumio flow of tenant alpha: an ID card with 640 px wide PNG front and back.
async fn jumio_subject(j: &Jumio) -> (String, Exec) {
    j.id_card(png(640, 400, 31), png(640, 400, 32)).await
}

/// Signs in through the form, as a person would.
async fn sign_in(b: &Browser, base: &str, key: &str) {
    b.open(&format!("{base}/console"), "#admin_key")
        .await
        .send_keys(key)
        .await
        .unwrap();
    b.element("form[action='/console/sign-in'] button")
        .await
        .click()
        .await
        .unwrap();
}

/// The image's natural width once the browser has decoded it (0 until then), scrolled into
/// view first as a reader would (the console's images load lazily).
async fn natural_width(b: &Browser, css: &str) -> u64 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        b.element(css).await;
        let script = format!(
            "const i = document.querySelector({}); i.scrollIntoView(); return i.naturalWidth",
            serde_json::to_string(css).unwrap()
        );
        let width = b.client.execute(&script, vec![]).await.unwrap();
        let width = width.as_u64().unwrap_or(0);
        if width > 0 || Instant::now() > deadline {
            return width;
        }
        tokio::time::sleep(POLL).await;
    }
}

#[tokio::test]
async fn a_team_finds_the_jumio_subject_sees_its_front_image_and_deletes_it() {
    let j = Jumio::start().await;
    let base = j.server.base.clone();
    let (access, e) = jumio_subject(&j).await;
    let b = Browser::start().await;

    sign_in(&b, &base, ADMIN_A).await;
    b.text_containing("h1", "Subjects").await;
    let q = b.element("#q").await;
    q.send_keys(&e.account).await.unwrap();
    b.element("form[role='search'] button")
        .await
        .click()
        .await
        .unwrap();
    b.text_containing("main", "of 1 matching").await;
    b.element(&format!("a[href='/console/subjects/{}']", e.account))
        .await
        .click()
        .await
        .unwrap();

    let front = "img[alt='front of id card']";
    assert_eq!(
        natural_width(&b, front).await,
        640,
        "the front image is rendered"
    );
    assert_eq!(natural_width(&b, "img[alt='back of id card']").await, 640);
    // The document as PassFort names it: the PassFort column of the names table.
    let passfort = b
        .client
        .execute(
            "const t = document.querySelector('section.card table');\
             const i = [...t.querySelectorAll('th')].findIndex(h => h.textContent === 'PassFort');\
             return t.querySelectorAll('tbody td')[i].textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(passfort, json!("STATE_ID ⚠"));
    let text = b.text_containing("main", "Written by").await;
    assert!(text.contains("Jumio"), "{text}");
    b.client
        .execute(
            "document.querySelector('section.card').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    b.screenshot("console-subject.png").await;

    // Full size on click: the original bytes, as the browser shows an image.
    b.element(front).await.click().await.unwrap();
    assert_eq!(natural_width(&b, "img").await, 640);
    assert!(
        b.client
            .current_url()
            .await
            .unwrap()
            .path()
            .starts_with("/console/files/")
    );
    b.client.back().await.unwrap();

    b.element("a[href$='/delete']").await.click().await.unwrap();
    b.text_containing("main", "2 files, crypto-shredded").await;
    b.element("button.danger").await.click().await.unwrap();
    b.text_containing("main", "The subject was deleted").await;

    let ncore = j
        .server
        .client
        .get(
            j.server
                .url(&format!("/v1/users/{}/identifications", e.account)),
        )
        .header("apikey", NCORE_KEY_A)
        .send()
        .await
        .unwrap();
    assert_eq!(ncore.status(), StatusCode::NOT_FOUND);
    let (status, _) = j.image(&access, &e.image(&e.cred("ID"), "FRONT")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    b.quit().await;
}

#[tokio::test]
async fn wrong_keys_expired_sessions_and_forms_without_their_token_are_refused() {
    let j = Jumio::start().await;
    let base = j.server.base.clone();
    let (_, e) = jumio_subject(&j).await;
    let b = Browser::start().await;

    sign_in(&b, &base, "not-the-admin-key").await;
    b.text_containing("[role='alert']", "That admin key is not valid")
        .await;
    b.open(&format!("{base}/console/subjects"), "#admin_key")
        .await;

    // A session past its expiry, sealed as the server seals them.
    let expired = Claims {
        tenant: "alpha".into(),
        key: sha_hex(ADMIN_A.as_bytes()),
        expires: chrono::Utc::now().timestamp() - 1,
        csrf: "t".into(),
    };
    let line = session_cookie(&j.server.store, &expired).unwrap();
    // Planted by script, as WebDriver cannot set a cookie for an IP address host.
    b.client
        .execute(
            "document.cookie = arguments[0] + '; path=/console'",
            vec![json!(line)],
        )
        .await
        .unwrap();
    b.client
        .goto(&format!("{base}/console/subjects"))
        .await
        .unwrap();
    b.text_containing("[role='alert']", "Your session has ended")
        .await;

    // A form whose token was taken out is refused, and deletes nothing.
    sign_in(&b, &base, ADMIN_A).await;
    b.text_containing("h1", "Subjects").await;
    b.client
        .goto(&format!("{base}/console/subjects/{}/delete", e.account))
        .await
        .unwrap();
    b.element("button.danger").await;
    b.client
        .execute(
            "document.querySelector('button.danger').form.querySelector('[name=csrf]').remove()",
            vec![],
        )
        .await
        .unwrap();
    b.element("button.danger").await.click().await.unwrap();
    b.text_containing("h1", "Form refused").await;
    let admin = j
        .server
        .client
        .get(j.server.url(&format!("/admin/v1/subjects/{}", e.account)))
        .bearer_auth(ADMIN_A)
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), StatusCode::OK, "the subject is still there");
    b.quit().await;
}

#[tokio::test]
async fn a_person_goes_through_the_jumio_capture_page_and_the_console_shows_the_result() {
    let j = Jumio::start().await;
    let base = j.server.base.clone();
    let access = j.access(CLIENT_A).await;
    let mut body = id_card_body();
    body["web"] = json!({});
    let (status, created) = j.create(&access, body).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let href = created["web"]["href"].as_str().unwrap().to_owned();
    let e = Exec::from(&created);
    let id = e.cred("ID");
    let dir = tempfile::tempdir().unwrap();
    let (front, back) = (png(900, 600, 41), png(900, 600, 42));
    let front_path = dir.path().join("front.png");
    let back_path = dir.path().join("back.png");
    std::fs::write(&front_path, &front).unwrap();
    std::fs::write(&back_path, &back).unwrap();

    let b = Browser::start().await;
    b.open(&href, "h1").await;
    b.text_containing("h1", "Identity verification").await;
    b.screenshot("capture.png").await;
    for (side, path) in [("front", &front_path), ("back", &back_path)] {
        let input = format!("#f-{id}-{side}");
        b.element(&input)
            .await
            .send_keys(path.to_str().unwrap())
            .await
            .unwrap();
        b.client
            .find(Locator::Css(&format!("form:has({input}) button")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The page comes back saying the part was received (waiting on anything else could
        // find the old page before the browser has left it).
        b.element(&format!("label[for='f-{id}-{side}'] .done"))
            .await;
    }
    b.element("button.finish").await.click().await.unwrap();
    b.text_containing("h1", "Thank you").await;

    // What the person uploaded is what the console shows, byte for byte.
    sign_in(&b, &base, ADMIN_A).await;
    b.text_containing("h1", "Subjects").await;
    b.client
        .goto(&format!("{base}/console/subjects/{}", e.account))
        .await
        .unwrap();
    assert_eq!(natural_width(&b, "img[alt='front of id card']").await, 900);
    let text = b.text_containing("main", "SHA-256").await;
    assert!(
        text.contains(&sha_hex(&front)) && text.contains(&sha_hex(&back)),
        "{text}"
    );
    b.quit().await;
}
