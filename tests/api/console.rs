//! The admin console over HTTP: sign-in and its refusals, the subject a Jumio flow wrote as
//! every API names it, files served from the store, CSRF, tenant isolation, and the actions
//! (delete, client token, service account) with their effect on the vendor APIs. The same
//! pages in a real browser are in `tests/browser`.

use idbridge::console::session::{Claims, SESSION_SECS, session_cookie};
use reqwest::StatusCode;

use crate::common::console::Visitor;
use crate::common::fixtures::{jpeg, png, sha_hex as sha};
use crate::common::jumio::*;
use crate::common::{ADMIN_A, ADMIN_B};

/// A Jumio flow of tenant alpha: an ID card with a PNG front and a JPEG back.
async fn jumio_subject(j: &Jumio) -> (Exec, Vec<u8>, Vec<u8>) {
    let (front, back) = (png(640, 400, 21), jpeg(640, 400, 22));
    let (_, e) = j.id_card(front.clone(), back.clone()).await;
    (e, front, back)
}

/// The ids of the files a page links to, in order.
fn file_links(html: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for part in html.split("/console/files/").skip(1) {
        let id = part[..36].to_owned();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

#[tokio::test]
async fn sign_in_is_refused_without_the_right_key_or_form_token_and_a_session_is_a_sealed_strict_cookie()
 {
    let j = Jumio::start().await;
    let base = &j.server.base;
    let mut v = Visitor::new(base);
    let away = v.get("/console/subjects").await;
    assert_eq!(
        (away.status, away.location()),
        (StatusCode::SEE_OTHER, "/console/sign-in")
    );

    let wrong = v.sign_in("not-an-admin-key").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.body.contains("That admin key is not valid"),
        "{}",
        wrong.body
    );
    assert!(wrong.set_cookie("idb_console").is_none());
    // An API key is not an admin key.
    let api_key = v.sign_in(NCORE_KEY_A).await;
    assert_eq!(api_key.status, StatusCode::UNAUTHORIZED);

    // The sign-in form's token must come with the form's own cookie.
    let mut stranger = Visitor::new(base);
    let forged = stranger
        .post(
            "/console/sign-in",
            &[("csrf", "guessed"), ("admin_key", ADMIN_A)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.set_cookie("idb_console").is_none());

    let ok = v.sign_in(ADMIN_A).await;
    assert_eq!(
        (ok.status, ok.location()),
        (StatusCode::SEE_OTHER, "/console/subjects")
    );
    let cookie = ok.set_cookie("idb_console").unwrap();
    for attr in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/console",
        &format!("Max-Age={SESSION_SECS}"),
    ] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    // Sealed: neither the tenant nor the key is readable in it.
    assert!(
        !cookie.contains("alpha") && !cookie.contains(ADMIN_A),
        "{cookie}"
    );
    let list = v.get("/console/subjects").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("Tenant <strong>alpha</strong>"),
        "{}",
        list.body
    );
    let csp = list.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));

    // An altered cookie is no session.
    let mut altered = Visitor::new(base);
    let (name, value) = v
        .cookies
        .iter()
        .find(|(k, _)| k == "idb_console")
        .unwrap()
        .clone();
    let flipped = if value.ends_with('A') { "B" } else { "A" };
    altered
        .cookies
        .push((name, format!("{}{flipped}", &value[..value.len() - 1])));
    assert_eq!(
        altered.get("/console/subjects").await.status,
        StatusCode::SEE_OTHER
    );

    // Signing out clears the cookie.
    let csrf = list.csrf();
    let out = v.post("/console/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.location(), "/console/sign-in?signed_out=1");
    assert!(out.set_cookie("idb_console").unwrap().contains("Max-Age=0"));
    assert_eq!(
        v.get("/console/subjects").await.status,
        StatusCode::SEE_OTHER
    );

    // The sign-in, the page read with its session and the sign-out are audit events of
    // alpha's, naming the admin key by its id; the refused sign-ins name no tenant, so no
    // chain holds them.
    let events = j
        .server
        .store
        .audit_events(&crate::common::tenant("alpha"), &Default::default(), 0, 100)
        .await
        .unwrap();
    let console: Vec<_> = events.iter().filter(|e| e.api == "console").collect();
    let ops: Vec<(&str, idbridge::audit::Outcome)> = console
        .iter()
        .map(|e| (e.operation.as_str(), e.outcome))
        .collect();
    use idbridge::audit::Outcome::Ok as Done;
    assert_eq!(
        ops,
        [
            ("POST /console/sign-in", Done),
            ("GET /console/subjects", Done),
            ("POST /console/sign-out", Done),
        ],
        "{events:?}"
    );
    let key = console[0].credential.as_deref().unwrap();
    assert!(
        key.starts_with("key:") && console.iter().all(|e| e.credential.as_deref() == Some(key))
    );
    assert!(!format!("{events:?}").contains(ADMIN_A));
}

#[tokio::test]
async fn an_expired_session_or_one_whose_key_is_gone_is_sent_to_sign_in() {
    let j = Jumio::start().await;
    let claims = |key: &str, expires: i64| Claims {
        tenant: "alpha".into(),
        key: sha(key.as_bytes()),
        expires,
        csrf: "t".into(),
    };
    let now = chrono::Utc::now().timestamp();
    let visit = |cookie: String| {
        let base = j.server.base.clone();
        async move {
            let mut v = Visitor::new(&base);
            let (name, value) = cookie.split_once('=').unwrap();
            v.cookies.push((name.into(), value.into()));
            v.get("/console/subjects").await
        }
    };
    // The same claims, unexpired, are a session: the refusals below are for the reason given.
    let live = visit(session_cookie(&j.server.store, &claims(ADMIN_A, now + 60)).unwrap()).await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.body);
    let expired = visit(session_cookie(&j.server.store, &claims(ADMIN_A, now - 1)).unwrap()).await;
    assert_eq!(
        (expired.status, expired.location()),
        (StatusCode::SEE_OTHER, "/console/sign-in?ended=1")
    );
    let removed =
        visit(session_cookie(&j.server.store, &claims("a-removed-admin-key", now + 60)).unwrap())
            .await;
    assert_eq!(removed.location(), "/console/sign-in?ended=1");
    let ended = Visitor::new(&j.server.base)
        .get("/console/sign-in?ended=1")
        .await;
    assert!(
        ended.body.contains("Your session has ended"),
        "{}",
        ended.body
    );
}

#[tokio::test]
async fn the_subject_a_jumio_flow_wrote_is_found_and_shown_as_every_api_names_it_with_its_images() {
    let j = Jumio::start().await;
    let (e, front, back) = jumio_subject(&j).await;
    let mut v = Visitor::signed_in(&j.server.base, ADMIN_A).await;

    let found = v.get(&format!("/console/subjects?q={}", e.account)).await;
    assert!(
        found.body.contains("Subjects 1–1 of 1 matching"),
        "{}",
        found.body
    );
    let subject_link = format!("/console/subjects/{}", e.account);
    assert!(found.body.contains(&subject_link), "{}", found.body);
    let nothing = v.get("/console/subjects?q=no-such-thing").await;
    assert!(
        nothing.body.contains("No subjects match."),
        "{}",
        nothing.body
    );

    let page = v.get(&subject_link).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.body;
    assert!(html.contains("<dt>Written by</dt><dd>Jumio</dd>"), "{html}");
    assert!(html.contains("<code>id_card</code>"), "{html}");
    // As each API names it: nCore NATIONAL_ID, PassFort STATE_ID (lossy), Jumio ID_CARD.
    for name in ["NATIONAL_ID", "STATE_ID", "ID_CARD", "IDENTITY_CARD"] {
        assert!(
            html.contains(&format!("<code>{name}</code>")),
            "{name}: {html}"
        );
    }
    assert!(html.contains("Lossy"), "{html}");
    assert!(html.contains("workflow execution"), "{html}");
    assert!(
        html.contains(&sha(&front)) && html.contains(&sha(&back)),
        "{html}"
    );
    let files = file_links(html);
    assert_eq!(files.len(), 2, "{html}");
    assert!(
        html.contains(&format!(
            "<img src=\"/console/files/{}\" alt=\"front of id card\"",
            files[0]
        )),
        "{html}"
    );

    // The admin API says which API wrote it, as the page does.
    let admin: serde_json::Value = j
        .server
        .client
        .get(j.server.url(&format!("/admin/v1/subjects/{}", e.account)))
        .bearer_auth(ADMIN_A)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(admin["documents"][0]["written_by"], "jumio", "{admin}");

    let (status, headers, bytes) = v.bytes(&format!("/console/files/{}", files[0])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&bytes), sha(&front));
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["cache-control"], "private, no-store");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    let (_, headers, bytes) = v.bytes(&format!("/console/files/{}", files[1])).await;
    assert_eq!(
        (sha(&bytes), &headers["content-type"]),
        (sha(&back), &"image/jpeg".parse().unwrap())
    );
}

#[tokio::test]
async fn a_session_of_another_tenant_sees_nothing_of_this_one() {
    let j = Jumio::start().await;
    let (e, _, _) = jumio_subject(&j).await;
    let mut alpha = Visitor::signed_in(&j.server.base, ADMIN_A).await;
    let files = file_links(
        &alpha
            .get(&format!("/console/subjects/{}", e.account))
            .await
            .body,
    );
    assert_eq!(files.len(), 2);

    let mut beta = Visitor::signed_in(&j.server.base, ADMIN_B).await;
    let page = beta.get(&format!("/console/subjects/{}", e.account)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains(&files[0]));
    let (status, _, bytes) = beta.bytes(&format!("/console/files/{}", files[0])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!bytes.starts_with(b"\x89PNG"));
    let search = beta
        .get(&format!("/console/subjects?q={}", e.account))
        .await;
    assert!(
        search.body.contains("No subjects match."),
        "{}",
        search.body
    );
    let all = beta.get("/console/subjects").await;
    assert!(!all.body.contains(&e.account), "{}", all.body);
    // Beta's form token does not delete alpha's subject either.
    let csrf = all.csrf();
    let del = beta
        .post(
            &format!("/console/subjects/{}/delete", e.account),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(del.status, StatusCode::NOT_FOUND);
    let still = alpha.get(&format!("/console/subjects/{}", e.account)).await;
    assert_eq!(still.status, StatusCode::OK);
}

#[tokio::test]
async fn deleting_needs_the_form_token_names_what_goes_and_then_every_vendor_answers_404() {
    let j = Jumio::start().await;
    let (e, _, _) = jumio_subject(&j).await;
    let access = j.access(CLIENT_A).await;
    let mut v = Visitor::signed_in(&j.server.base, ADMIN_A).await;
    let subject = format!("/console/subjects/{}", e.account);

    let confirm = v.get(&format!("{subject}/delete")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("1 documents"), "{}", confirm.body);
    assert!(
        confirm.body.contains("2 files, crypto-shredded"),
        "{}",
        confirm.body
    );
    assert!(confirm.body.contains("Delete for ever"));

    for token in ["", "wrong"] {
        let refused = v
            .post(&format!("{subject}/delete"), &[("csrf", token)])
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{token:?}");
        assert!(refused.body.contains("security token"), "{}", refused.body);
    }
    let missing = v.post(&format!("{subject}/delete"), &[]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(
        v.get(&subject).await.status,
        StatusCode::OK,
        "refused forms deleted nothing"
    );

    let done = v
        .post(&format!("{subject}/delete"), &[("csrf", &confirm.csrf())])
        .await;
    assert_eq!(
        (done.status, done.location()),
        (StatusCode::SEE_OTHER, "/console/subjects?deleted=1")
    );
    assert_eq!(v.get(&subject).await.status, StatusCode::NOT_FOUND);
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
}

#[tokio::test]
async fn a_minted_client_token_opens_b2core_and_a_service_account_key_is_shown_once() {
    let j = Jumio::start().await;
    let (e, _, _) = jumio_subject(&j).await;
    let mut v = Visitor::signed_in(&j.server.base, ADMIN_A).await;
    let subject = format!("/console/subjects/{}", e.account);
    let csrf = v.get(&subject).await.csrf();
    let minted = v
        .post(
            &format!("{subject}/client-token"),
            &[("csrf", &csrf), ("ttl_seconds", "3600")],
        )
        .await;
    assert_eq!(minted.status, StatusCode::CREATED, "{}", minted.body);
    let marker = "id=\"token\" type=\"text\" readonly value=\"";
    let start = minted.body.find(marker).unwrap() + marker.len();
    let token = &minted.body[start..start + minted.body[start..].find('"').unwrap()];
    let docs: serde_json::Value = j
        .server
        .client
        .get(j.server.url("/api/v2/my/documents"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(docs["data"].as_array().map(Vec::len), Some(1), "{docs}");

    let sa = v
        .post(
            "/console/service-accounts",
            &[("csrf", &csrf), ("label", "reporting")],
        )
        .await;
    assert_eq!(sa.status, StatusCode::CREATED, "{}", sa.body);
    assert!(sa.body.contains("BEGIN RSA PRIVATE KEY"), "{}", sa.body);
    let list = v.get("/console/service-accounts").await;
    assert!(list.body.contains("reporting"), "{}", list.body);
    assert!(!list.body.contains("PRIVATE KEY"));
}

#[tokio::test]
async fn a_masstack_identification_is_shown_with_its_scoring_and_the_number_masked() {
    let m = crate::common::masstack::Ms::start().await;
    let created = m.create(crate::common::masstack::seed_example()).await;
    assert_eq!(created.status, StatusCode::OK);
    let subject = created.json()["actor"]["subject_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut v = Visitor::signed_in(&m.server.base, ADMIN_A).await;
    let page = v.get(&format!("/console/subjects/{subject}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.body;
    assert!(html.contains("MasStack identity document"), "{html}");
    // The seed's number fails its check letter: executed, 0 points, failed.
    assert!(
        html.contains(
            "Scoring: INTERNAL, EXECUTED, score <strong>0 / 100</strong>, <strong>FAILED</strong>"
        ),
        "{html}"
    );
    assert!(html.contains("<td>DOCUMENT_NUMBER"), "{html}");
    // The number 12345678A shows only its last four characters.
    assert!(html.contains("<dd>•••••678A</dd>"), "{html}");
    assert!(!html.contains("12345678A"), "{html}");
    assert!(
        html.contains("<dt>Written by</dt><dd>MasStack</dd>"),
        "{html}"
    );
}

#[tokio::test]
async fn wrong_admin_keys_are_bounded_per_address_and_then_even_the_right_one_waits() {
    let j = Jumio::start_with(|c| {
        c.server.sign_in_limits.failures_per_account = 100;
        c.server.sign_in_limits.failures_per_address = 3;
    })
    .await;
    let mut v = Visitor::new(&j.server.base);
    for _ in 0..3 {
        assert_eq!(v.sign_in("a-guess").await.status, StatusCode::UNAUTHORIZED);
    }
    let refused = v.sign_in(ADMIN_A).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.body
    );
    assert!(refused.set_cookie("idb_console").is_none());
}
