//! The web channel driven as a browser drives it, over plain HTTP: `web.href` opens the
//! capture page, each part goes up as a `multipart/form-data` post of the page's own form,
//! "Finish" ends the journey, and the browser follows the redirect to `successUrl` or
//! `errorUrl` (a landing server started here records what arrives). Every HTML and redirect
//! answer is checked against the Jumio OpenAPI document by the harness.

use std::collections::BTreeMap;

use base64::Engine as _;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{CLIENT_A, CLIENT_B, Exec, Jumio, NCORE_KEY_A, error, key_only, pdf, png, sha};

/// The landing pages a journey ends on: records each arrival's path and query.
struct Landing {
    base: String,
    hits: mpsc::UnboundedReceiver<(String, BTreeMap<String, String>)>,
}

impl Landing {
    async fn start() -> Landing {
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", socket.local_addr().unwrap());
        let (tx, hits) = mpsc::unbounded_channel();
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri,
                  axum::extract::Query(q): axum::extract::Query<BTreeMap<String, String>>| {
                let tx = tx.clone();
                async move {
                    let _ = tx.send((uri.path().to_owned(), q));
                    "landed"
                }
            },
        );
        tokio::spawn(async move {
            let _ = axum::serve(socket, app).await;
        });
        Landing { base, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The next arrival (the browser followed the redirect before its answer came back).
    fn arrived(&mut self) -> (String, BTreeMap<String, String>) {
        self.hits
            .try_recv()
            .expect("the browser arrived on a landing page")
    }
}

/// A client that does not follow redirects, to read each 303 itself.
fn manual() -> reqwest::Client {
    idbridge::http::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The page's upload form, its fields in the page's order.
fn upload(credential: &str, classifier: &str, files: Vec<Vec<u8>>) -> Form {
    let mut form = Form::new()
        .text("credentialId", credential.to_owned())
        .text("classifier", classifier.to_owned());
    for (i, f) in files.into_iter().enumerate() {
        form = form.part("file", Part::bytes(f).file_name(format!("scan-{i}.png")));
    }
    form
}

fn finish() -> Form {
    Form::new().text("finish", "1")
}

/// Status, headers and body of an answer.
async fn read(res: reqwest::Response) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let status = res.status();
    let headers = res.headers().clone();
    (status, headers, res.text().await.unwrap())
}

async fn get(
    client: &reqwest::Client,
    url: &str,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    read(client.get(url).send().await.unwrap()).await
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    form: Form,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    read(client.post(url).multipart(form).send().await.unwrap()).await
}

fn header(h: &reqwest::header::HeaderMap, name: &str) -> String {
    h.get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// An execution opened with these `web` settings: the execution and its page.
async fn journey(j: &Jumio, access: &str, mut body: Value, web: Value) -> (Exec, String) {
    body["web"] = web;
    let (status, created) = j.create(access, body).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let href = created["web"]["href"].as_str().unwrap().to_owned();
    (Exec::from(&created), href)
}

fn query_of(location: &str) -> BTreeMap<String, String> {
    let url = reqwest::Url::parse(location).unwrap();
    url.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn a_person_uploads_an_id_on_the_page_and_lands_on_the_success_url() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let mut landing = Landing::start().await;
    let mut body = key_only(2);
    body["customerInternalReference"] = json!("WEB-1");
    let web =
        json!({"successUrl": landing.url("/done?from=jumio"), "errorUrl": landing.url("/oops")});
    let (e, href) = journey(&j, &access, body, web).await;
    let id = e.cred("ID");
    let browser = manual();

    let (status, h, page) = get(&browser, &href).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(header(&h, "content-type"), "text/html; charset=utf-8");
    let csp = header(&h, "content-security-policy");
    assert!(
        csp.starts_with("default-src 'none'; style-src 'sha256-"),
        "{csp}"
    );
    assert!(
        csp.contains(&format!("form-action 'self' {};", landing.base))
            && csp.contains("frame-ancestors *;"),
        "{csp}"
    );
    assert!(h.get("x-frame-options").is_none(), "framing is the CSP's");
    assert_eq!(header(&h, "referrer-policy"), "no-referrer");
    assert_eq!(header(&h, "cache-control"), "no-store");
    for want in [
        format!("name=\"credentialId\" value=\"{id}\""),
        "value=\"FRONT\"".into(),
        "value=\"BACK\"".into(),
        "name=\"finish\"".into(),
        "enctype=\"multipart/form-data\"".into(),
    ] {
        assert!(page.contains(&want), "{want} in {page}");
    }
    assert!(
        !page.contains("<script") && !page.contains("http"),
        "{page}"
    );

    // FRONT, then back to the page (post, redirect, get).
    let front = png(1000, 700, 1);
    let (status, h, _) = post(&browser, &href, upload(&id, "FRONT", vec![front.clone()])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let back_to = header(&h, "location");
    assert_eq!(
        back_to,
        format!("/web/v4/app?{}", href.split_once('?').unwrap().1)
    );
    let (_, _, page) = get(&browser, &j.server.url(&back_to)).await;
    assert!(page.contains("received"), "{page}");
    // Finish without the BACK: refused as finalize refuses it, the page says why.
    let (status, h, page) = post(&browser, &href, finish()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert_eq!(header(&h, "content-type"), "text/html; charset=utf-8");
    assert!(page.contains("has no BACK part yet"), "{page}");
    let back = png(1000, 700, 2);
    let (status, _, _) = post(&browser, &href, upload(&id, "BACK", vec![back.clone()])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Finish, and the browser follows to the success URL.
    let following = idbridge::http::client();
    let (status, _, landed) = post(&following, &href, finish()).await;
    assert_eq!((status, landed.as_str()), (StatusCode::OK, "landed"));
    let (path, query) = landing.arrived();
    assert_eq!(path, "/done");
    let want: BTreeMap<String, String> = [
        ("from", "jumio"),
        ("accountId", e.account.as_str()),
        ("workflowExecutionId", e.id.as_str()),
        ("acquisitionStatus", "SUCCESS"),
        ("customerInternalReference", "WEB-1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(query, want);

    // The workflow goes on as if the parts had come through the API.
    let details = j.processed(&access, &e).await;
    let classifiers: Vec<&str> = details["credentials"][0]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["classifier"].as_str().unwrap())
        .collect();
    assert_eq!(classifiers, ["FRONT", "BACK"]);
    assert_eq!(
        super::decisions(&details, "usability"),
        [super::pair("PASSED", "OK")]
    );
    for (classifier, bytes) in [("FRONT", &front), ("BACK", &back)] {
        let (status, got) = j.image(&access, &e.image(&id, classifier)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sha(&got), sha(bytes), "{classifier}");
    }
    // The journey is over: the link now ends on the error URL (9200: the token no longer
    // opens a journey).
    let (status, h, _) = get(&browser, &href).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = header(&h, "location");
    assert!(location.starts_with(&landing.url("/oops?")), "{location}");
    let q = query_of(&location);
    assert_eq!(q["acquisitionStatus"], "ERROR");
    assert_eq!(q["errorCode"], "9200");
    assert_eq!(q["workflowExecutionId"], e.id);
}

#[tokio::test]
async fn each_upload_is_checked_as_the_api_checks_it() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let (e, href) = journey(&j, &access, key_only(2), json!({})).await;
    let id = e.cred("ID");
    let browser = manual();
    let cases: Vec<(Form, StatusCode, &str)> = vec![
        (
            upload(&id, "FRONT", vec![png(300, 200, 1)]),
            StatusCode::BAD_REQUEST,
            "the longest side must be above 300 px",
        ),
        (
            upload(&id, "FRONT", vec![pdf(4000)]),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "a part must be a JPEG or PNG image",
        ),
        (
            upload(&id, "FACE", vec![png(1000, 700, 1)]),
            StatusCode::BAD_REQUEST,
            "must be one of FRONT, BACK for this credential",
        ),
        (
            upload(
                &uuid::Uuid::now_v7().to_string(),
                "FRONT",
                vec![png(1000, 700, 1)],
            ),
            StatusCode::NOT_FOUND,
            "not found",
        ),
        (
            upload("not-an-id", "FRONT", vec![png(1000, 700, 1)]),
            StatusCode::BAD_REQUEST,
            "is not a credential id",
        ),
        (
            Form::new().text("file", "x"),
            StatusCode::BAD_REQUEST,
            "send credentialId, classifier and file, or finish",
        ),
        // Whatever a form posts is escaped on the page.
        (
            upload(&id, "<script>alert(1)</script>", vec![png(1000, 700, 1)]),
            StatusCode::BAD_REQUEST,
            "classifier",
        ),
    ];
    for (form, want, says) in cases {
        let (status, h, page) = post(&browser, &href, form).await;
        assert_eq!(status, want, "{page}");
        assert_eq!(header(&h, "content-type"), "text/html; charset=utf-8");
        assert!(page.contains(says), "{says} in {page}");
        assert!(!page.contains("<script"), "{page}");
    }
    // One byte over the part limit.
    let mut big = png(1000, 700, 1);
    big.resize(15_000_001, 0);
    let (status, _, page) = post(&browser, &href, upload(&id, "FRONT", vec![big])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{page}");
    // Nothing was stored by any of them.
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(details["credentials"][0]["parts"], json!([]));
    assert!(details.get("startedAt").is_none(), "{details}");
}

#[tokio::test]
async fn a_journey_that_cannot_go_on_ends_with_the_guides_error_codes() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let landing = Landing::start().await;
    let browser = manual();
    let web = json!({"successUrl": landing.url("/ok"), "errorUrl": landing.url("/ko")});
    let ended = |location: String, code: &str, e: &Exec| {
        assert!(location.starts_with(&landing.url("/ko?")), "{location}");
        let q = query_of(&location);
        assert_eq!(q["accountId"], e.account);
        assert_eq!(q["workflowExecutionId"], e.id);
        assert_eq!(q["acquisitionStatus"], "ERROR");
        assert_eq!(q["customerInternalReference"], "CUSTOMER_REFERENCE");
        assert_eq!(q["errorCode"], code);
    };
    // Nothing added before the token ran out: TOKEN_EXPIRED, 9200.
    let (e, href) = journey(&j, &access, key_only(2), web.clone()).await;
    j.expire(&e).await;
    let (status, h, _) = get(&browser, &href).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    ended(header(&h, "location"), "9200", &e);
    let (status, h, _) = post(&browser, &href, finish()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    ended(header(&h, "location"), "9200", &e);
    // Started, then the session ran out: SESSION_EXPIRED, 9210.
    let (e, href) = journey(&j, &access, key_only(2), web.clone()).await;
    let (status, _, _) = post(
        &browser,
        &href,
        upload(&e.cred("ID"), "FRONT", vec![png(1000, 700, 1)]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    j.expire(&e).await;
    let (status, h, _) = post(
        &browser,
        &href,
        upload(&e.cred("ID"), "BACK", vec![png(1000, 700, 2)]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    ended(header(&h, "location"), "9210", &e);
    assert_eq!(j.status_of(&access, &e).await, "SESSION_EXPIRED");
    // Finalized through the API: the page's token no longer opens a journey, 9200.
    let (e, href) = journey(&j, &access, key_only(2), web.clone()).await;
    j.add(&e, &e.cred("ID"), "FRONT", png(1000, 700, 3)).await;
    j.add(&e, &e.cred("ID"), "BACK", png(1000, 700, 4)).await;
    let (status, _) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK);
    let (status, h, _) = get(&browser, &href).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    ended(header(&h, "location"), "9200", &e);

    // Without an error URL the page says it, with the code.
    let (e, href) = journey(
        &j,
        &access,
        key_only(2),
        json!({"successUrl": landing.url("/ok")}),
    )
    .await;
    j.expire(&e).await;
    let (status, h, page) = get(&browser, &href).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(header(&h, "content-type"), "text/html; charset=utf-8");
    assert!(page.contains("(error 9200)"), "{page}");

    // No token, a made-up one, the api.token, the sdk.token: an error page, no redirect
    // (no execution is known to send the browser to).
    let (status, created) = j.create(&access, key_only(2)).await;
    assert_eq!(status, StatusCode::OK);
    let sdk = created["sdk"]["token"].as_str().unwrap();
    let api = Exec::from(&created).token;
    let page_url = j.server.url("/web/v4/app");
    for url in [
        page_url.clone(),
        format!("{page_url}?authorizationToken=nope"),
        format!("{page_url}?authorizationToken={api}"),
        format!("{page_url}?authorizationToken={sdk}"),
        format!("{page_url}?authorizationToken=a.b.c"),
    ] {
        let (status, h, page) = get(&browser, &url).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{url}");
        assert!(h.get("location").is_none());
        assert!(page.contains("(error 9200)"), "{page}");
        let (status, _, _) = post(&browser, &url, finish()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{url}");
    }
    // Its execution deleted, the link opens nothing.
    let (e, href) = journey(&j, &access, key_only(2), web).await;
    super::delete_execution(&j, &access, &e).await;
    let (status, _, page) = get(&browser, &href).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("(error 9200)"), "{page}");
}

#[tokio::test]
async fn a_selfie_and_a_documents_pages_are_captured_and_the_journey_ends_on_a_final_page() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let body = json!({
        "customerInternalReference": "CUSTOMER_REFERENCE",
        "workflowDefinition": {"key": 3, "credentials": [
            {"category": "SELFIE"}, {"category": "DOCUMENT"}, {"category": "FACEMAP"}
        ]}
    });
    let (e, href) = journey(&j, &access, body, json!({})).await;
    let (selfie, doc) = (e.cred("SELFIE"), e.cred("DOCUMENT"));
    let browser = manual();
    let (_, _, page) = get(&browser, &href).await;
    assert!(
        page.contains("value=\"FACE\"") && page.contains("value=\"DOCUMENT\""),
        "{page}"
    );
    assert!(
        page.contains("3D face map") && page.contains("multiple"),
        "{page}"
    );
    let face = png(700, 1000, 1);
    let (status, _, _) = post(&browser, &href, upload(&selfie, "FACE", vec![face.clone()])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let pages = vec![png(900, 1200, 2), png(900, 1200, 3)];
    let (status, _, _) = post(&browser, &href, upload(&doc, "DOCUMENT", pages.clone())).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = get(&browser, &href).await;
    assert!(page.contains("2 page(s) received"), "{page}");
    // A PDF next to pages is refused, as through the API.
    let (status, _, page) = post(&browser, &href, upload(&doc, "DOCUMENT", vec![pdf(3000)])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    // No success URL: the journey ends on idbridge's final page.
    let (status, h, page) = post(&browser, &href, finish()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(header(&h, "content-type"), "text/html; charset=utf-8");
    assert!(page.contains("Thank you"), "{page}");
    let details = j.processed(&access, &e).await;
    let (status, got) = j.image(&access, &e.image(&selfie, "FACE")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sha(&got), sha(&face));
    for (n, p) in pages.iter().enumerate() {
        let (_, got) = j
            .image(&access, &e.image(&doc, &format!("PAGE_{}", n + 1)))
            .await;
        assert_eq!(sha(&got), sha(p));
    }
    assert_eq!(
        super::decisions(&details, "usability"),
        [
            super::pair("PASSED", "OK"),
            super::pair("PASSED", "OK"),
            super::pair("NOT_EXECUTED", "NOT_UPLOADED")
        ]
    );
}

/// The web page is the execution's only: another tenant's account cannot be reached through
/// a page, and a page's frames follow `adapters.jumio.web_frame_ancestors`.
#[tokio::test]
async fn framing_follows_the_configuration() {
    let j = Jumio::start_with(|c| {
        c.adapters.jumio.web_frame_ancestors = vec!["'self'".into()];
    })
    .await;
    let access = j.access(CLIENT_B).await;
    let (_, href) = journey(&j, &access, key_only(2), json!({})).await;
    let (status, h, _) = get(&manual(), &href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header(&h, "x-frame-options"), "SAMEORIGIN");
    assert!(header(&h, "content-security-policy").contains("frame-ancestors 'self';"));
}

/// A passport captured on the web page (its number, country and expiry prefilled through
/// the API) is read through nCore, B2Core, PassFort and MasStack: the same number and the
/// same image bytes wherever the reader returns them.
#[tokio::test]
async fn a_document_captured_on_the_web_page_is_read_through_the_other_four_apis() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let (e, href) = journey(&j, &access, key_only(2), json!({})).await;
    let id = e.cred("ID");
    let number = "P9036541";
    let (status, body) = j
        .prefill(
            &e,
            &id,
            json!({"firstName": "Ada", "lastName": "Web", "id": {"idNumber": number, "type": "PASSPORT", "issuingCountry": "FRA", "expiryDate": "2031-05-17"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let browser = manual();
    let (front, back) = (png(1000, 700, 7), png(1000, 700, 8));
    for (classifier, bytes) in [("FRONT", &front), ("BACK", &back)] {
        let (status, _, page) = post(
            &browser,
            &href,
            upload(&id, classifier, vec![bytes.clone()]),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    }
    let (status, _, page) = post(&browser, &href, finish()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let want = [sha(&front), sha(&back)];
    let s = &j.server;
    let account = &e.account;
    let json_of = |res: reqwest::Response| async move {
        let status = res.status();
        let v: Value = res.json().await.unwrap();
        assert!(status.is_success(), "{status}: {v}");
        v
    };

    // nCore: the identification, its number, and both files byte for byte.
    let list = json_of(
        s.client
            .get(s.url(&format!("/v1/users/{account}/identifications")))
            .header("apikey", NCORE_KEY_A)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list["data"][0]["type"], "PASSPORT");
    assert_eq!(list["data"][0]["number"], number);
    let ident = list["data"][0]["id"].as_str().unwrap();
    let one = json_of(
        s.client
            .get(s.url(&format!("/v1/users/{account}/identifications/{ident}")))
            .header("apikey", NCORE_KEY_A)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mut got = Vec::new();
    for f in one["files"].as_array().unwrap() {
        let fid = f["id"].as_str().unwrap();
        let bytes = s
            .client
            .get(s.url(&format!(
                "/v1/users/{account}/identifications/{ident}/files/{fid}:download"
            )))
            .header("apikey", NCORE_KEY_A)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        got.push(sha(&bytes));
    }
    assert_eq!(got, want, "nCore");

    // B2Core: a client token for the account's subject, then its documents and files.
    let minted = json_of(
        s.client
            .post(s.url(&format!("/admin/v1/subjects/{account}/client-tokens")))
            .bearer_auth(crate::common::ADMIN_A)
            .json(&json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let client_token = minted["token"].as_str().unwrap();
    let docs = json_of(
        s.client
            .get(s.url("/api/v2/my/documents"))
            .bearer_auth(client_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(docs["data"][0]["number"], number);
    let doc = docs["data"][0]["id"].to_string();
    let one = json_of(
        s.client
            .get(s.url(&format!("/api/v2/my/documents/{doc}")))
            .bearer_auth(client_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mut got = Vec::new();
    for f in one["files"].as_array().unwrap() {
        let url = f["downloadUrl"].as_str().unwrap();
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            s.url(url)
        };
        let bytes = s
            .client
            .get(url)
            .bearer_auth(client_token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        got.push(sha(&bytes));
    }
    assert_eq!(got, want, "B2Core");

    // PassFort: the document's images, their bytes base64 in decrypted_data.
    let collected = json_of(
        s.client
            .get(s.url(&format!("/4.0/profiles/{account}/collected_data")))
            .header("apikey", NCORE_KEY_A)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let document = &collected["documents"][0];
    assert_eq!(document["document_type"], "PASSPORT");
    assert_eq!(document["extracted_data"]["number"], number);
    let mut got = Vec::new();
    for image in document["images"].as_array().unwrap() {
        let iid = image["id"].as_str().unwrap();
        let file = json_of(
            s.client
                .get(s.url(&format!("/4.0/profiles/{account}/files/{iid}")))
                .header("apikey", NCORE_KEY_A)
                .send()
                .await
                .unwrap(),
        )
        .await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(file["decrypted_data"].as_str().unwrap())
            .unwrap();
        got.push(sha(&bytes));
    }
    assert_eq!(got, want, "PassFort");

    // MasStack: an identification declaring the passport finds it on file, with its two
    // images (MasStack has no file read).
    let found = json_of(
        s.client
            .post(s.url("/v1/orgs/org-alpha/identifications/identity_document"))
            .bearer_auth("test-masstack-key-alpha")
            .json(&json!({"identity_document": {"document_number": number, "document_type": "PASSPORT", "country": "FR"}, "configuration_name": "HIGH"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(found["actor"]["subject_id"], json!(account));
    let checks = found["scoring"]["checks"].as_array().unwrap();
    let check = |name: &str| {
        checks
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {found}"))
            .clone()
    };
    assert_eq!(check("DOCUMENT_ON_FILE")["outcome"], "PASSED");
    assert_eq!(check("DOCUMENT_IMAGES")["detail"], "2 file(s) on file");
    // And Jumio itself, through the account's other calls.
    let (status, _) = j
        .send(
            Method::GET,
            &format!("{}/status", e.path()),
            super::STATUS,
            Some(&access),
            super::Body::Empty,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    error(&j.status(&j.access(CLIENT_B).await, &e).await, 404);
}
