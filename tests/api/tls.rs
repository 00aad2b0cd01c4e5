//! HTTPS as vendor SDKs use it: a client that trusts only the CA `idbridge certs` made,
//! resolves the vendor's host names to idbridge, and keeps `https://` — the "done when" flows
//! of Jumio (HTTP Basic, then a part), MasStack (service-account file only) and B2Core
//! (sign-in, then documents); HTTP/2 by ALPN; plain HTTP beside it; certificates reloaded.

use std::time::{Duration, Instant};

use crate::common::{ADMIN_A, BROKER_HOST, TLS_PORT, TestServer, sdk_client, with_tls};
use idbridge::config::Config;
use reqwest::{StatusCode, Version};
use serde_json::{Value, json};

const UA: &str = "Acme KYC-App/2.1";

/// A server on HTTPS whose public base URL is `https://<host>:<port>`.
async fn start(
    host: &str,
    adjust: impl FnOnce(&mut Config),
) -> (TestServer, tempfile::TempDir, std::path::PathBuf) {
    let certs = tempfile::tempdir().unwrap();
    let mut ca = None;
    let s = TestServer::start_with(|c| {
        ca = Some(with_tls(c, certs.path()));
        c.server.public_base_url = format!("https://{host}:{TLS_PORT}");
        adjust(c);
    })
    .await;
    (s, certs, ca.unwrap())
}

async fn json_of(res: reqwest::Response) -> (StatusCode, Version, Value) {
    let status = res.status();
    let version = res.version();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, version, body)
}

#[tokio::test]
async fn a_jumio_client_creates_an_account_with_basic_and_uploads_a_part_over_https() {
    let (s, _certs, ca) = start("api.amer-1.jumio.ai", |_| {}).await;
    let port = s.tls_port.unwrap();
    let sdk = sdk_client(
        &ca,
        &[
            "account.amer-1.jumio.ai",
            "api.amer-1.jumio.ai",
            "retrieval.amer-1.jumio.ai",
        ],
    );
    let res = sdk
        .post(format!(
            "https://account.amer-1.jumio.ai:{port}/api/v1/accounts"
        ))
        .header("user-agent", UA)
        .basic_auth("test-jumio-api-alpha", Some("test-jumio-api-secret-alpha"))
        .json(&json!({"customerInternalReference": "CUST-1", "workflowDefinition": {"key": 2}}))
        .send()
        .await
        .unwrap();
    let (status, version, created) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(version, Version::HTTP_2, "h2 is offered by ALPN and taken");
    let credential = &created["workflowExecution"]["credentials"][0];
    let front = credential["api"]["parts"]["front"].as_str().unwrap();
    assert!(
        front.starts_with(&format!(
            "https://api.amer-1.jumio.ai:{port}/api/v1/accounts/"
        )),
        "{front}"
    );
    let token = credential["api"]["token"].as_str().unwrap();
    let mut png = crate::common::png_header(900, 600);
    png.extend([7u8; 2000]);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png.clone()).file_name("front.png"),
    );
    let res = sdk
        .post(front)
        .header("user-agent", UA)
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, _, part) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{part}");
    assert_eq!(part["credential"]["id"], credential["id"]);
    // And it reads back from the retrieval host, with Basic again.
    let image = sdk
        .get(format!(
            "https://retrieval.amer-1.jumio.ai:{port}/api/v1/accounts/{}/credentials/{}/parts/FRONT",
            created["account"]["id"].as_str().unwrap(),
            credential["id"].as_str().unwrap()
        ))
        .header("user-agent", UA)
        .basic_auth("test-jumio-api-alpha", Some("test-jumio-api-secret-alpha"))
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.bytes().await.unwrap().to_vec(), png);
}

#[tokio::test]
async fn a_masstack_client_holding_only_its_service_account_file_creates_an_identification_over_https()
 {
    let (s, _certs, ca) = start("authn.masstack.com", |_| {}).await;
    let port = s.tls_port.unwrap();
    let file: Value = s
        .client
        .post(s.url("/admin/v1/service-accounts"))
        .bearer_auth(ADMIN_A)
        .json(&json!({"label": "documents-sync"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // From here on, only the file: its token_uri is MasStack AuthN's host, over https.
    let token_uri = file["token_uri"].as_str().unwrap();
    assert_eq!(
        token_uri,
        format!("https://authn.masstack.com:{port}/v1/oauth2/token")
    );
    let sdk = sdk_client(&ca, &["authn.masstack.com", "documents.masstack.com"]);
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": file["client_email"], "aud": token_uri, "iat": now, "exp": now + 3600,
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(file["private_key_id"].as_str().unwrap().to_owned());
    let key =
        jsonwebtoken::EncodingKey::from_rsa_pem(file["private_key"].as_str().unwrap().as_bytes())
            .unwrap();
    let assertion = jsonwebtoken::encode(&header, &claims, &key).unwrap();
    let res = sdk
        .post(token_uri)
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let (status, _, token) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{token}");
    assert_eq!(token["token_type"], "Bearer");
    let res = sdk
        .post(format!(
            "https://documents.masstack.com:{port}/v1/orgs/org-alpha/identifications/identity_document"
        ))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .json(&json!({
            "name": "James", "last_name": "Smith",
            "identity_document": {"document_number": "12345678Z", "document_type": "NIF", "country": "ES"}
        }))
        .send()
        .await
        .unwrap();
    let (status, _, created) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(created["org_id"], "org-alpha");
    assert_eq!(created["status"], "OPEN");
    assert_eq!(
        created["actor"]["identity_document"]["document_number"],
        "12345678Z"
    );
}

#[tokio::test]
async fn a_b2core_client_signs_in_then_lists_and_adds_documents_at_its_brokers_host() {
    let (s, _certs, ca) = start(BROKER_HOST, |c| {
        c.tenants[0].b2core_hosts = vec![BROKER_HOST.to_owned()];
    })
    .await;
    let port = s.tls_port.unwrap();
    let subject: Value = s
        .client
        .post(s.url("/admin/v1/subjects"))
        .bearer_auth(ADMIN_A)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let res = s
        .client
        .post(s.url(&format!(
            "/admin/v1/subjects/{}/client-accounts",
            subject["id"].as_str().unwrap()
        )))
        .bearer_auth(ADMIN_A)
        .json(&json!({"email": "ann@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let sdk = sdk_client(&ca, &[BROKER_HOST]);
    let base = format!("https://{BROKER_HOST}:{port}/api/v2/my");
    let (status, _, wizard) = json_of(
        sdk.get(format!("{base}/signin/wizard"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{wizard}");
    let fingerprint = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        br#"{"user_agent":"Mozilla/5.0 (X11; Linux x86_64)"}"#,
    );
    let res = sdk
        .post(format!("{base}/signin"))
        .json(&json!({
            "uuid": wizard["uuid"], "email": "Ann@Example.com",
            "password": "correct horse battery", "device_fingerprint": fingerprint,
        }))
        .send()
        .await
        .unwrap();
    let (status, _, pair) = json_of(res).await;
    assert_eq!(status, StatusCode::OK, "{pair}");
    assert_eq!(pair["2faRequired"], false);
    let access = pair["accessToken"]["token"].as_str().unwrap();
    let mut png = crate::common::png_header(800, 500);
    png.extend([3u8; 1000]);
    let form = reqwest::multipart::Form::new().text("typeID", "1").part(
        "file",
        reqwest::multipart::Part::bytes(png).file_name("passport.png"),
    );
    let res = sdk
        .post(format!("{base}/documents"))
        .bearer_auth(access)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, _, added) = json_of(res).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let (status, _, list) = json_of(
        sdk.get(format!("{base}/documents"))
            .bearer_auth(access)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 1);
    assert_eq!(list["data"][0]["id"], added["id"]);
    let download = list["data"][0]["downloadUrl"].as_str().unwrap();
    assert!(
        download.starts_with(&format!("https://{BROKER_HOST}:{port}/")),
        "{download}"
    );
}

#[tokio::test]
async fn http_stays_beside_https_and_a_client_trusting_other_roots_is_refused() {
    let (s, _certs, _ca) = start("localhost", |_| {}).await;
    let port = s.tls_port.unwrap();
    let plain = s.client.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    // The system's roots do not include idbridge's CA: the handshake fails, nothing is served.
    let stranger = idbridge::http::client();
    let err = stranger
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    // HTTP/1.1 is served too, for clients that offer only it.
    let h1 = idbridge::http::client_builder()
        .tls_certs_merge([reqwest::Certificate::from_pem(&std::fs::read(&_ca).unwrap()).unwrap()])
        .http1_only()
        .build()
        .unwrap();
    let res = h1
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.version(), Version::HTTP_11);
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_renewed_certificate_is_served_without_a_restart() {
    let (s, certs, ca) = start("localhost", |_| {}).await;
    let port = s.tls_port.unwrap();
    let url = format!("https://renewed.example.test:{port}/healthz");
    let client = sdk_client(&ca, &["renewed.example.test"]);
    assert!(
        client.get(&url).send().await.is_err(),
        "the first certificate does not name renewed.example.test"
    );
    // Renewed in place, as certbot or a secret mount would: same CA, same files, a new name.
    idbridge::certs::issue(
        certs.path(),
        &["localhost".to_owned(), "renewed.example.test".to_owned()],
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(res) = client.get(&url).send().await {
            assert_eq!(res.status(), StatusCode::OK);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the renewed certificate was never served"
        );
        // The watcher checks the files once a second (reload_check_secs = 1).
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
