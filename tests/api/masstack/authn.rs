//! MasStack AuthN: service-account assertions traded for access tokens, as a MasStack client does it.
//!
//! The client holds only the service-account file the admin API handed out. It signs an RS256
//! assertion (header `kid` = `private_key_id`; `iss` = `client_email`, `aud` = `token_uri`,
//! `iat`, `exp`, optional `jti` and `scope`), trades it at the token endpoint for an access
//! token, and sends that token as `Authorization: Bearer` to the Documents API.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use chrono::Utc;
use idbridge::config::Config;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{COLLECTION, KEY_A, KEY_B, Ms, NIF, ORG_A, ORG_B, Reply};
use crate::common::{ADMIN_A, ADMIN_B, Contract, TestServer};

/// The JWT-bearer grant (RFC 7523).
const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// The token endpoint's template in the MasStack document.
const TOKEN: &str = "/oauth2/token";
/// The purpose idbridge stores its access-token signing key under.
const SIGNING_PURPOSE: &str = "masstack_access";
/// MasStack's own token URL, accepted as an audience only when configured.
const MASSTACK_TOKEN_URL: &str = "https://authn.masstack.com/v1/oauth2/token";
/// alpha's second organisation.
const ORG_A2: &str = "org-alpha-2";

fn now() -> i64 {
    Utc::now().timestamp()
}

/// A service-account file as the admin API hands it out: all a MasStack client holds.
#[derive(Clone)]
struct Sa(Value);

impl Sa {
    fn field(&self, name: &str) -> &str {
        self.0[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in the file: {}", self.0))
    }

    fn kid(&self) -> &str {
        self.field("private_key_id")
    }

    fn email(&self) -> &str {
        self.field("client_email")
    }

    fn token_uri(&self) -> &str {
        self.field("token_uri")
    }

    fn key(&self) -> &str {
        self.field("private_key")
    }

    /// The claims a client signs: `iss`, `aud`, `iat` now, `exp` an hour later, a fresh `jti`.
    fn claims(&self) -> Value {
        let t = now();
        json!({
            "iss": self.email(),
            "aud": self.token_uri(),
            "iat": t,
            "exp": t + 3600,
            "jti": Uuid::new_v4().to_string(),
        })
    }

    /// `claims` signed with this account's key, under its kid.
    fn sign(&self, claims: &Value) -> String {
        rs256(self.key(), Some(self.kid()), claims)
    }

    /// A good assertion.
    fn assertion(&self) -> String {
        self.sign(&self.claims())
    }
}

fn rs256(private_pem: &str, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_owned);
    let key = EncodingKey::from_rsa_pem(private_pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// `claims` with some changed; a `null` change removes the claim.
fn with(mut claims: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    claims
}

fn part(jwt: &str, n: usize) -> Value {
    let p = jwt
        .split('.')
        .nth(n)
        .unwrap_or_else(|| panic!("not a JWT: {jwt}"));
    serde_json::from_slice(&B64URL.decode(p).unwrap()).unwrap()
}

/// A JWT's header, read without checking anything.
fn header_of(jwt: &str) -> Value {
    part(jwt, 0)
}

/// A JWT's claims, read without checking anything.
fn claims_of(jwt: &str) -> Value {
    part(jwt, 1)
}

/// `jwt` with its payload replaced by `claims`, the signature kept.
fn with_payload(jwt: &str, claims: &Value) -> String {
    let parts: Vec<&str> = jwt.split('.').collect();
    let payload = B64URL.encode(serde_json::to_vec(claims).unwrap());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

/// An unsigned JWT of `header` and `claims`, with `signature` as its third part.
fn raw_jwt(header: &Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        B64URL.encode(serde_json::to_vec(header).unwrap()),
        B64URL.encode(serde_json::to_vec(claims).unwrap())
    )
}

fn is_uuid(v: &Value) -> bool {
    v.as_str().is_some_and(|s| Uuid::parse_str(s).is_ok())
}

/// A body for creating an identification.
fn james() -> Value {
    json!({
        "name": "James",
        "last_name": "Smith",
        "identity_document": {"document_number": NIF, "document_type": "NIF", "country": "ES"}
    })
}

/// An answer of the token endpoint.
struct Grant {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Grant {
    fn cache_control(&self) -> Option<&str> {
        self.headers.get(CACHE_CONTROL).map(|v| v.to_str().unwrap())
    }

    /// Asserts a 200 with a Bearer token and returns the token.
    fn token(&self) -> String {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        assert_eq!(self.cache_control(), Some("no-store"));
        let mut keys: Vec<&str> = self
            .body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["access_token", "expires_in", "token_type"]);
        assert_eq!(self.body["token_type"], "Bearer");
        self.body["access_token"].as_str().unwrap().to_owned()
    }

    /// Asserts an RFC 6749 §5.2 refusal with no token in it; returns its description.
    fn refused(&self, status: StatusCode, error: &str) -> &str {
        assert_eq!(
            (self.status, self.body["error"].as_str()),
            (status, Some(error)),
            "{}",
            self.body
        );
        let mut keys: Vec<&str> = self
            .body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["error", "error_description"],
            "a refusal carries nothing else: {}",
            self.body
        );
        assert_eq!(self.cache_control(), Some("no-store"), "{}", self.body);
        let description = self.body["error_description"].as_str().unwrap();
        assert!(!description.is_empty());
        description
    }

    fn invalid_grant(&self) -> &str {
        self.refused(StatusCode::BAD_REQUEST, "invalid_grant")
    }
}

impl Ms {
    async fn start_with(adjust: impl FnOnce(&mut Config)) -> Ms {
        Ms {
            server: TestServer::start_with(adjust).await,
            contract: Contract::of("masstack"),
        }
    }

    /// An admin call; the body, `None` when empty.
    async fn admin(
        &self,
        key: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Option<Value>) {
        let mut req = self
            .server
            .client
            .request(method, self.server.url(&format!("/admin/v1{path}")))
            .bearer_auth(key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let bytes = res.bytes().await.unwrap();
        let body = (!bytes.is_empty()).then(|| serde_json::from_slice(&bytes).unwrap());
        (status, body)
    }

    /// A new service account of the admin key's tenant.
    async fn new_sa(&self, admin: &str) -> Sa {
        let (status, body) = self
            .admin(admin, Method::POST, "/service-accounts", Some(json!({})))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body:?}");
        Sa(body.unwrap())
    }

    /// The admin key's tenant's service accounts.
    async fn service_accounts(&self, admin: &str) -> Vec<Value> {
        let (status, body) = self
            .admin(admin, Method::GET, "/service-accounts", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body:?}");
        body.unwrap()["items"].as_array().unwrap().clone()
    }

    async fn revoke(&self, admin: &str, id: &str) -> (StatusCode, Option<Value>) {
        self.admin(
            admin,
            Method::DELETE,
            &format!("/service-accounts/{id}"),
            None,
        )
        .await
    }

    /// A raw token request.
    async fn token_request(&self, content_type: Option<&str>, body: String) -> Grant {
        let mut req = self
            .server
            .client
            .post(self.server.url("/v1/oauth2/token"))
            .body(body);
        if let Some(t) = content_type {
            req = req.header(CONTENT_TYPE, t);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body: Value = res.json().await.unwrap();
        self.contract.check("post", TOKEN, status.as_u16(), &body);
        Grant {
            status,
            headers,
            body,
        }
    }

    /// A token request with these form fields.
    async fn token_form(&self, fields: &[(&str, &str)]) -> Grant {
        self.token_request(
            Some("application/x-www-form-urlencoded"),
            serde_urlencoded::to_string(fields).unwrap(),
        )
        .await
    }

    /// Trades an assertion.
    async fn trade(&self, assertion: &str) -> Grant {
        self.token_form(&[("grant_type", GRANT), ("assertion", assertion)])
            .await
    }

    /// An access token for a service account.
    async fn access_token(&self, sa: &Sa) -> String {
        self.trade(&sa.assertion()).await.token()
    }

    /// Creates an identification in `org` with `key` and returns its id.
    async fn identification(&self, key: &str, org: &str) -> String {
        let r = self.create_in(key, org, james()).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.json()["org_id"], org);
        r.json()["id"].as_str().unwrap().to_owned()
    }

    /// idbridge's access-token signing key, from the store.
    async fn signing_key(&self) -> idbridge::store::SigningKey {
        self.server
            .store
            .signing_key(SIGNING_PURPOSE)
            .await
            .unwrap()
            .expect("a signing key once a token was issued")
    }

    /// The data directory's database files, concatenated.
    fn database_bytes(&self) -> Vec<u8> {
        let mut all = Vec::new();
        let mut found = Vec::new();
        for name in ["idbridge.db", "idbridge.db-wal"] {
            let path = self.server.dir.path().join(name);
            if let Ok(bytes) = std::fs::read(&path) {
                found.push(name);
                all.extend(bytes);
            }
        }
        assert!(found.contains(&"idbridge.db"), "no database file found");
        all
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_client_holding_only_the_file_trades_an_assertion_for_a_token_that_opens_the_documents_api()
 {
    let m = Ms::start().await;
    let base = m.server.config.server.public_base_url.clone();
    let (status, file) = m
        .admin(
            ADMIN_A,
            Method::POST,
            "/service-accounts",
            Some(json!({"label": "ci pipeline"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{file:?}");
    let file = file.unwrap();
    Contract::of("admin").check("post", "/service-accounts", 201, &file);
    // The file a MasStack client loads.
    assert_eq!(file["type"], "service_account");
    assert!(is_uuid(&file["private_key_id"]), "{file}");
    assert_eq!(file["client_id"], file["private_key_id"]);
    let key = file["private_key"].as_str().unwrap();
    assert!(key.starts_with("-----BEGIN RSA PRIVATE KEY-----"), "{key}");
    assert!(key.trim_end().ends_with("-----END RSA PRIVATE KEY-----"));
    let email = file["client_email"].as_str().unwrap();
    let local = email
        .strip_suffix("@alpha.serviceaccounts.idbridge")
        .unwrap_or_else(|| panic!("{email}"));
    assert!(local.starts_with("sa-"), "{email}");
    assert_eq!(file["token_uri"], format!("{base}/v1/oauth2/token"));
    assert_eq!(file["label"], "ci pipeline");
    let sa = Sa(file.clone());

    // The client: an assertion from the file alone, traded for a token.
    let before = now();
    let grant = m.trade(&sa.assertion()).await;
    let token = grant.token();
    let after = now();
    assert_eq!(grant.body["expires_in"], 3600);
    // The token's issue is an audit event naming the service account.
    let issued = m
        .server
        .store
        .audit_events(
            &crate::common::tenant("alpha"),
            &Default::default(),
            0,
            1000,
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.operation == "POST /v1/oauth2/token")
        .collect::<Vec<_>>();
    assert_eq!(issued.len(), 1, "{issued:?}");
    assert_eq!(
        issued[0].credential,
        Some(format!(
            "masstack-service-account:{}",
            file["private_key_id"].as_str().unwrap()
        ))
    );

    // idbridge signed it, with the key it keeps in the store, for the Documents API.
    let signing = m.signing_key().await;
    let header = header_of(&token);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["kid"], signing.id.to_string());
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["documents"]);
    validation.set_issuer(&[format!("{base}/v1")]);
    let verified = jsonwebtoken::decode::<Value>(
        &token,
        &DecodingKey::from_rsa_pem(signing.public_pem.as_bytes()).unwrap(),
        &validation,
    )
    .expect("the access token verifies with idbridge's public key")
    .claims;
    let c = claims_of(&token);
    assert_eq!(verified, c);
    assert_eq!(c["iss"], format!("{base}/v1"));
    assert_eq!(c["sub"], sa.email());
    assert_eq!(c["aud"], "documents");
    assert_eq!(c["tid"], "alpha");
    assert_eq!(c["cid"], sa.kid());
    assert_eq!(c["scope"], "api:everything");
    assert_eq!(c["preferred_username"], sa.email());
    assert_eq!(c["tenants"], json!([ORG_A, ORG_A2]));
    assert_eq!(
        c["tenants_translation"],
        json!([
            {"tenant_id": "alpha", "org": ORG_A},
            {"tenant_id": "alpha", "org": ORG_A2},
        ])
    );
    assert!(is_uuid(&c["jti"]), "{c}");
    let iat = c["iat"].as_i64().unwrap();
    assert!((before..=after).contains(&iat), "{c}");
    assert_eq!(c["exp"].as_i64().unwrap() - iat, 3600);

    // The token opens the Documents API: create, then read the metadata back.
    let created = m.create_in(&token, ORG_A, james()).await;
    assert_eq!(created.status, StatusCode::OK, "{:?}", created.body);
    let made = created.json();
    assert_eq!(made["org_id"], ORG_A);
    assert_eq!(made["status"], "OPEN");
    assert_eq!(made["actor"]["name"], "James");
    let id = made["id"].as_str().unwrap();
    let got = m.get(&token, ORG_A, id).await;
    assert_eq!((got.status, got.json()), (StatusCode::OK, made));
    // What a token made is the tenant's: the static key reads it alike.
    let by_key = m.get(KEY_A, ORG_A, id).await;
    assert_eq!((by_key.status, by_key.json()), (StatusCode::OK, made));
    // Every organisation of the tenant, and the list too.
    m.identification(&token, ORG_A2).await;
    let listed = m
        .send(
            Some(&token),
            Method::GET,
            &format!("/orgs/{ORG_A}/identifications/identity_document"),
            COLLECTION,
            None,
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.json()["identifications"], json!([made]));

    // A scope the assertion asks for is the token's; every token is new.
    let scoped = m
        .trade(&sa.sign(&with(sa.claims(), json!({"scope": "documents:write"}))))
        .await
        .token();
    let sc = claims_of(&scoped);
    assert_eq!(sc["scope"], "documents:write");
    assert_ne!(sc["jti"], c["jti"]);
    assert_eq!(m.get(&scoped, ORG_A, id).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_access_token_lifetime_follows_the_configuration() {
    let m = Ms::start_with(|c| c.adapters.masstack.access_token_ttl_secs = 120).await;
    let sa = m.new_sa(ADMIN_A).await;
    let grant = m.trade(&sa.assertion()).await;
    let token = grant.token();
    assert_eq!(grant.body["expires_in"], 120);
    let c = claims_of(&token);
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 120);
    m.identification(&token, ORG_A).await;
}

#[tokio::test]
async fn malformed_token_requests_are_invalid_request_or_unsupported_grant_type() {
    let m = Ms::start().await;
    let sa = m.new_sa(ADMIN_A).await;
    let good = sa.assertion();
    let form = Some("application/x-www-form-urlencoded");
    let cases: Vec<(&str, Option<&str>, String)> = vec![
        (
            "no grant_type",
            form,
            serde_urlencoded::to_string([("assertion", good.as_str())]).unwrap(),
        ),
        (
            "no assertion",
            form,
            serde_urlencoded::to_string([("grant_type", GRANT)]).unwrap(),
        ),
        (
            "an empty assertion",
            form,
            serde_urlencoded::to_string([("grant_type", GRANT), ("assertion", "")]).unwrap(),
        ),
        ("an empty body", form, String::new()),
        (
            "a JSON body",
            Some("application/json"),
            json!({"grant_type": GRANT, "assertion": good}).to_string(),
        ),
        (
            "a form without a content type",
            None,
            serde_urlencoded::to_string([("grant_type", GRANT), ("assertion", good.as_str())])
                .unwrap(),
        ),
        (
            "a form sent as text",
            Some("text/plain"),
            serde_urlencoded::to_string([("grant_type", GRANT), ("assertion", good.as_str())])
                .unwrap(),
        ),
    ];
    for (what, content_type, body) in cases {
        let g = m.token_request(content_type, body).await;
        assert_eq!(g.body["error"], "invalid_request", "{what}: {}", g.body);
        g.refused(StatusCode::BAD_REQUEST, "invalid_request");
    }
    for not_a_jwt in ["abc", "not.a.jwt", "a.b", "....", "eyJhbGciOiJSUzI1NiJ9"] {
        let g = m.trade(not_a_jwt).await;
        assert_eq!(
            g.body["error"], "invalid_request",
            "{not_a_jwt}: {}",
            g.body
        );
        g.refused(StatusCode::BAD_REQUEST, "invalid_request");
    }
    for grant in [
        "client_credentials",
        "password",
        "authorization_code",
        "urn:ietf:params:oauth:grant-type:saml2-bearer",
    ] {
        let g = m
            .token_form(&[("grant_type", grant), ("assertion", &good)])
            .await;
        assert_eq!(
            g.body["error"], "unsupported_grant_type",
            "{grant}: {}",
            g.body
        );
        g.refused(StatusCode::BAD_REQUEST, "unsupported_grant_type");
    }
    // None of these used the assertion: it still buys a token, once, even with a charset.
    let g = m
        .token_request(
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            serde_urlencoded::to_string([
                ("grant_type", GRANT),
                ("assertion", good.as_str()),
                ("scope", "api:everything"),
            ])
            .unwrap(),
        )
        .await;
    m.identification(&g.token(), ORG_A).await;
}

#[tokio::test]
async fn assertions_that_do_not_hold_are_invalid_grant_and_buy_nothing() {
    // Many failures on one account here: the bound is tested on its own.
    let m = Ms::start_with(|c| {
        c.server.sign_in_limits.failures_per_account = 1000;
        c.server.sign_in_limits.failures_per_address = 1000;
    })
    .await;
    let sa = m.new_sa(ADMIN_A).await;
    let other = m.new_sa(ADMIN_A).await;
    let beta = m.new_sa(ADMIN_B).await;
    let t = now();
    let base = sa.claims();
    let uri = sa.token_uri().to_owned();
    let cases: Vec<(&str, String)> = vec![
        (
            "signed with another account's key",
            rs256(other.key(), Some(sa.kid()), &base),
        ),
        (
            "signed with another tenant's key",
            rs256(beta.key(), Some(sa.kid()), &base),
        ),
        (
            "an unknown kid",
            rs256(sa.key(), Some(&Uuid::new_v4().to_string()), &base),
        ),
        (
            "a kid that is no id",
            rs256(sa.key(), Some("my-key"), &base),
        ),
        ("no kid", rs256(sa.key(), None, &base)),
        ("HS256", {
            let mut h = Header::new(Algorithm::HS256);
            h.kid = Some(sa.kid().to_owned());
            jsonwebtoken::encode(&h, &base, &EncodingKey::from_secret(b"secret")).unwrap()
        }),
        ("RS512", {
            let mut h = Header::new(Algorithm::RS512);
            h.kid = Some(sa.kid().to_owned());
            let key = EncodingKey::from_rsa_pem(sa.key().as_bytes()).unwrap();
            jsonwebtoken::encode(&h, &base, &key).unwrap()
        }),
        ("PS256", {
            let mut h = Header::new(Algorithm::PS256);
            h.kid = Some(sa.kid().to_owned());
            let key = EncodingKey::from_rsa_pem(sa.key().as_bytes()).unwrap();
            jsonwebtoken::encode(&h, &base, &key).unwrap()
        }),
        (
            "expired",
            sa.sign(&with(
                base.clone(),
                json!({"iat": t - 3700, "exp": t - 100}),
            )),
        ),
        (
            "issued in the future",
            sa.sign(&with(
                base.clone(),
                json!({"iat": t + 120, "exp": t + 1200}),
            )),
        ),
        (
            "valid for more than an hour",
            sa.sign(&with(base.clone(), json!({"iat": t, "exp": t + 3601}))),
        ),
        (
            "MasStack's token URL, not configured",
            sa.sign(&with(base.clone(), json!({"aud": MASSTACK_TOKEN_URL}))),
        ),
        (
            "the token URL with a trailing slash",
            sa.sign(&with(base.clone(), json!({"aud": format!("{uri}/")}))),
        ),
        (
            "the access tokens' audience",
            sa.sign(&with(base.clone(), json!({"aud": "documents"}))),
        ),
        (
            "another account's email as iss",
            sa.sign(&with(base.clone(), json!({"iss": other.email()}))),
        ),
        (
            "another tenant's email as iss",
            sa.sign(&with(base.clone(), json!({"iss": beta.email()}))),
        ),
        ("no iss", sa.sign(&with(base.clone(), json!({"iss": null})))),
        ("no aud", sa.sign(&with(base.clone(), json!({"aud": null})))),
        ("no exp", sa.sign(&with(base.clone(), json!({"exp": null})))),
        ("no iat", sa.sign(&with(base.clone(), json!({"iat": null})))),
        ("a tampered payload", {
            let good = sa.sign(&base);
            with_payload(&good, &with(base.clone(), json!({"scope": "admin"})))
        }),
    ];
    for (what, assertion) in &cases {
        let g = m.trade(assertion).await;
        assert_eq!(
            (g.status, g.body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant")),
            "{what}: {}",
            g.body
        );
        g.invalid_grant();
    }
    // None of them spent the jti they carried: the good assertion with it still works.
    m.identification(&m.trade(&sa.sign(&base)).await.token(), ORG_A)
        .await;
    // Within the 60 s leeway, and exactly an hour long, are fine.
    let t = now();
    for (what, changes) in [
        ("iat 30 s ahead", json!({"iat": t + 30, "exp": t + 630})),
        ("expired 30 s ago", json!({"iat": t - 600, "exp": t - 30})),
        ("exactly an hour", json!({"iat": t, "exp": t + 3600})),
        ("no jti", json!({"jti": null})),
    ] {
        let g = m.trade(&sa.sign(&with(sa.claims(), changes))).await;
        assert_eq!(g.status, StatusCode::OK, "{what}: {}", g.body);
        g.token();
    }
}

#[tokio::test]
async fn a_jti_is_used_once_and_an_assertion_without_one_as_often_as_it_holds() {
    let m = Ms::start().await;
    let sa = m.new_sa(ADMIN_A).await;
    let other = m.new_sa(ADMIN_A).await;
    let claims = sa.claims();
    let jti = claims["jti"].as_str().unwrap().to_owned();
    let assertion = sa.sign(&claims);
    m.trade(&assertion).await.token();
    let replay = m.trade(&assertion).await;
    replay.invalid_grant();
    // The same jti in a new assertion (another iat) is a replay too.
    let resigned = sa.sign(&with(
        sa.claims(),
        json!({"jti": jti, "iat": now() - 5, "exp": now() + 600}),
    ));
    assert_ne!(resigned, assertion);
    m.trade(&resigned).await.invalid_grant();
    // jtis are per account: another account may use the same one.
    m.trade(&other.sign(&with(other.claims(), json!({"jti": jti}))))
        .await
        .token();
    // No jti: nothing to replay, the assertion holds until it expires.
    let reusable = sa.sign(&with(sa.claims(), json!({"jti": null})));
    let first = m.trade(&reusable).await.token();
    let second = m.trade(&reusable).await.token();
    assert_ne!(claims_of(&first)["jti"], claims_of(&second)["jti"]);
    m.identification(&first, ORG_A).await;
    m.identification(&second, ORG_A).await;
}

#[tokio::test]
async fn revocation_stops_assertions_and_tokens_at_once() {
    let m = Ms::start().await;
    let sa = m.new_sa(ADMIN_A).await;
    let kept = m.new_sa(ADMIN_A).await;
    let token = m.access_token(&sa).await;
    let kept_token = m.access_token(&kept).await;
    let id = m.identification(&token, ORG_A).await;
    // An assertion signed before the revocation, sent after it.
    let pending = sa.assertion();

    // Another tenant cannot revoke it, nor see it.
    let (status, body) = m.revoke(ADMIN_B, sa.kid()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body:?}");
    assert_eq!(body.unwrap()["error"]["code"], "not_found");
    assert_eq!(m.service_accounts(ADMIN_B).await, Vec::<Value>::new());
    assert_eq!(m.get(&token, ORG_A, &id).await.status, StatusCode::OK);
    assert!(
        m.service_accounts(ADMIN_A)
            .await
            .iter()
            .all(|a| a["revoked_at"].is_null())
    );

    let (status, body) = m.revoke(ADMIN_A, sa.kid()).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, None));
    m.trade(&pending)
        .await
        .refused(StatusCode::UNAUTHORIZED, "invalid_client");
    m.trade(&sa.assertion())
        .await
        .refused(StatusCode::UNAUTHORIZED, "invalid_client");
    // Its tokens stop at once, on every operation; nothing is made with them.
    m.get(&token, ORG_A, &id)
        .await
        .assert_bare(StatusCode::UNAUTHORIZED);
    m.create_in(&token, ORG_A, james())
        .await
        .assert_bare(StatusCode::UNAUTHORIZED);
    m.close(&token, ORG_A, &id)
        .await
        .assert_bare(StatusCode::UNAUTHORIZED);
    let list = m.list("").await;
    assert_eq!(list.json()["pagination"]["total"], 1);
    assert_eq!(list.json()["identifications"][0]["status"], "OPEN");
    // The other account is untouched.
    assert_eq!(m.get(&kept_token, ORG_A, &id).await.status, StatusCode::OK);
    m.access_token(&kept).await;

    // The list shows when, and no key material.
    let items = m.service_accounts(ADMIN_A).await;
    assert_eq!(items.len(), 2, "{items:?}");
    let revoked = items.iter().find(|a| a["id"] == sa.kid()).unwrap();
    let live = items.iter().find(|a| a["id"] == kept.kid()).unwrap();
    for a in &items {
        let mut keys: Vec<&str> = a.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["client_email", "created_at", "id", "label", "revoked_at"]
        );
    }
    assert!(!serde_json::to_string(&items).unwrap().contains("KEY-----"));
    assert_eq!(revoked["client_email"], sa.email());
    let parse = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let revoked_at = parse(&revoked["revoked_at"]);
    assert!(revoked_at >= parse(&revoked["created_at"]), "{revoked}");
    assert!(
        (Utc::now() - revoked_at.with_timezone(&Utc)).num_seconds() < 60,
        "{revoked}"
    );
    assert_eq!(live["revoked_at"], Value::Null);
    // Revoking again keeps the first time; beta still sees none of it.
    assert_eq!(m.revoke(ADMIN_A, sa.kid()).await.0, StatusCode::NO_CONTENT);
    let again = m.service_accounts(ADMIN_A).await;
    assert_eq!(
        again.iter().find(|a| a["id"] == sa.kid()).unwrap()["revoked_at"],
        revoked["revoked_at"]
    );
    assert_eq!(m.revoke(ADMIN_B, kept.kid()).await.0, StatusCode::NOT_FOUND);
    assert_eq!(m.get(&kept_token, ORG_A, &id).await.status, StatusCode::OK);
    assert_eq!(
        m.revoke(ADMIN_A, &Uuid::new_v4().to_string()).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        m.revoke(ADMIN_A, "not-a-uuid").await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn service_accounts_are_per_tenant_and_labels_bounded() {
    let m = Ms::start().await;
    let a = m.new_sa(ADMIN_A).await;
    let b = m.new_sa(ADMIN_B).await;
    assert!(a.email().ends_with("@alpha.serviceaccounts.idbridge"));
    assert!(b.email().ends_with("@beta.serviceaccounts.idbridge"));
    assert_eq!(a.0["label"], Value::Null);
    assert_ne!(a.kid(), b.kid());
    let ids = |items: Vec<Value>| -> Vec<String> {
        items
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(m.service_accounts(ADMIN_A).await), [a.kid()]);
    assert_eq!(ids(m.service_accounts(ADMIN_B).await), [b.kid()]);
    // beta's account signs for beta.
    let tb = m.access_token(&b).await;
    let c = claims_of(&tb);
    assert_eq!(
        (&c["tid"], &c["tenants"]),
        (&json!("beta"), &json!(["org-beta", "org-beta-2"]))
    );
    let (status, body) = m
        .admin(
            ADMIN_A,
            Method::POST,
            "/service-accounts",
            Some(json!({"label": "x".repeat(201)})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}");
    assert_eq!(body.unwrap()["error"]["field"], "label");
    let (status, _) = m
        .admin(
            "wrong-admin-key",
            Method::POST,
            "/service-accounts",
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Nothing was made by the refused calls.
    assert_eq!(m.service_accounts(ADMIN_A).await.len(), 1);
}

#[tokio::test]
async fn access_tokens_and_spent_jtis_survive_a_restart() {
    // A restart keeps the public URL (the harness moves ports otherwise, and the issuer with them).
    let m = Ms::start_with(|c| c.server.public_base_url = "https://idbridge.test".into()).await;
    let sa = m.new_sa(ADMIN_A).await;
    assert_eq!(sa.token_uri(), "https://idbridge.test/v1/oauth2/token");
    let spent = sa.assertion();
    let token = m.trade(&spent).await.token();
    assert_eq!(claims_of(&token)["iss"], "https://idbridge.test/v1");
    let id = m.identification(&token, ORG_A).await;
    let kid = header_of(&token)["kid"].clone();

    let Ms { server, contract } = m;
    let m = Ms {
        server: server.restart().await,
        contract,
    };
    let got = m.get(&token, ORG_A, &id).await;
    assert_eq!(got.status, StatusCode::OK, "{:?}", got.body);
    assert_eq!(got.json()["id"], id.as_str());
    m.identification(&token, ORG_A).await;
    // The same signing key signs new tokens; the spent jti stays spent.
    let fresh = m.access_token(&sa).await;
    assert_eq!(header_of(&fresh)["kid"], kid);
    assert_eq!(m.get(&fresh, ORG_A, &id).await.status, StatusCode::OK);
    m.trade(&spent).await.invalid_grant();
}

#[tokio::test]
async fn a_token_opens_only_its_tenants_organisations() {
    let m = Ms::start().await;
    let alpha = m.access_token(&m.new_sa(ADMIN_A).await).await;
    let beta = m.access_token(&m.new_sa(ADMIN_B).await).await;
    let a_id = m.identification(&alpha, ORG_A).await;
    let b_id = m.identification(&beta, ORG_B).await;
    // alpha's token on beta's organisation, as if it did not exist.
    m.create_in(&alpha, ORG_B, james())
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    m.get(&alpha, ORG_B, &b_id)
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    m.close(&alpha, ORG_B, &b_id)
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    m.get(&alpha, "org-nowhere", &a_id)
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    // beta, by token or by its static key, sees nothing of alpha's.
    for key in [beta.as_str(), KEY_B] {
        m.get(key, ORG_B, &a_id)
            .await
            .assert_bare(StatusCode::NOT_FOUND);
        m.get(key, ORG_A, &a_id)
            .await
            .assert_bare(StatusCode::NOT_FOUND);
        m.create_in(key, ORG_A, james())
            .await
            .assert_bare(StatusCode::NOT_FOUND);
        let list = m
            .send(
                Some(key),
                Method::GET,
                &format!("/orgs/{ORG_B}/identifications/identity_document"),
                COLLECTION,
                None,
            )
            .await;
        assert_eq!(list.json()["pagination"]["total"], 1, "{:?}", list.body);
        assert_eq!(list.json()["identifications"][0]["id"], b_id.as_str());
    }
    // alpha's identification is as it was, and alone in its organisation.
    let list = m.list("").await;
    assert_eq!(list.json()["pagination"]["total"], 1);
    assert_eq!(list.json()["identifications"][0]["id"], a_id.as_str());
    assert_eq!(list.json()["identifications"][0]["status"], "OPEN");
}

#[tokio::test]
async fn tokens_idbridge_did_not_sign_as_they_are_open_nothing() {
    let m = Ms::start().await;
    let sa = m.new_sa(ADMIN_A).await;
    let token = m.access_token(&sa).await;
    let id = m.identification(&token, ORG_A).await;
    let claims = claims_of(&token);
    let signing = m.signing_key().await;
    let idbridge = |c: &Value| rs256(&signing.private_pem, Some(&signing.id.to_string()), c);
    // A token made here with idbridge's own key opens the API: the forgeries below differ
    // from it in one thing each.
    let resigned = idbridge(&with(
        claims.clone(),
        json!({"jti": Uuid::new_v4().to_string()}),
    ));
    assert_eq!(m.get(&resigned, ORG_A, &id).await.status, StatusCode::OK);

    // A token from another idbridge (another signing key).
    let elsewhere = Ms::start().await;
    let foreign = elsewhere
        .access_token(&elsewhere.new_sa(ADMIN_A).await)
        .await;
    elsewhere.identification(&foreign, ORG_A).await;

    let t = now();
    let mut signature_flipped = token.clone();
    let last = signature_flipped.pop().unwrap();
    signature_flipped.push(if last == 'A' { 'B' } else { 'A' });
    let beta = m.new_sa(ADMIN_B).await;
    let cases: Vec<(&str, String)> = vec![
        ("its signature altered", signature_flipped),
        ("its signature cut off", {
            let (head, _) = token.rsplit_once('.').unwrap();
            format!("{head}.")
        }),
        (
            "its payload altered (another scope)",
            with_payload(&token, &with(claims.clone(), json!({"scope": "admin"}))),
        ),
        (
            "its payload altered (a later exp)",
            with_payload(&token, &with(claims.clone(), json!({"exp": t + 86_400}))),
        ),
        ("signed by the service account itself", sa.sign(&claims)),
        ("from another idbridge", foreign),
        ("HS256 keyed with idbridge's public key", {
            let mut h = Header::new(Algorithm::HS256);
            h.kid = Some(signing.id.to_string());
            jsonwebtoken::encode(
                &h,
                &claims,
                &EncodingKey::from_secret(signing.public_pem.as_bytes()),
            )
            .unwrap()
        }),
        ("alg none", {
            let h = json!({"alg": "none", "typ": "JWT", "kid": signing.id.to_string()});
            raw_jwt(&h, &claims, "")
        }),
        (
            "expired",
            idbridge(&with(
                claims.clone(),
                json!({"iat": t - 3720, "exp": t - 120}),
            )),
        ),
        (
            "for another audience",
            idbridge(&with(claims.clone(), json!({"aud": sa.token_uri()}))),
        ),
        (
            "from another issuer",
            idbridge(&with(
                claims.clone(),
                json!({"iss": "https://authn.masstack.com/v1"}),
            )),
        ),
        (
            "naming another tenant than its account's",
            idbridge(&with(claims.clone(), json!({"tid": "beta"}))),
        ),
        (
            "of a service account that does not exist",
            idbridge(&with(
                claims.clone(),
                json!({"cid": Uuid::new_v4().to_string()}),
            )),
        ),
        (
            "of another tenant's account, naming this tenant",
            idbridge(&with(claims.clone(), json!({"cid": beta.kid()}))),
        ),
        ("an assertion", sa.assertion()),
        ("not a JWT at all", "a.b.c".to_owned()),
    ];
    for (what, bearer) in &cases {
        let got = m.get(bearer, ORG_A, &id).await;
        assert_eq!(
            got.status,
            StatusCode::UNAUTHORIZED,
            "{what}: {:?}",
            got.body
        );
        got.assert_bare(StatusCode::UNAUTHORIZED);
        m.create_in(bearer, ORG_A, james())
            .await
            .assert_bare(StatusCode::UNAUTHORIZED);
    }
    // A token naming beta opens nothing of beta's either.
    m.get(
        &idbridge(&with(claims.clone(), json!({"tid": "beta"}))),
        ORG_B,
        &id,
    )
    .await
    .assert_bare(StatusCode::UNAUTHORIZED);
    // None of them made anything.
    assert_eq!(m.list("").await.json()["pagination"]["total"], 1);
    // The real token still works.
    assert_eq!(m.get(&token, ORG_A, &id).await.status, StatusCode::OK);
}

#[tokio::test]
async fn failed_assertions_are_bounded_per_account() {
    let m = Ms::start_with(|c| c.server.sign_in_limits.failures_per_account = 3).await;
    let sa = m.new_sa(ADMIN_A).await;
    let thief = m.new_sa(ADMIN_A).await;
    let bystander = m.new_sa(ADMIN_A).await;
    let forged = || rs256(thief.key(), Some(sa.kid()), &sa.claims());
    // A success clears the account's count: two failures, a success, two more, fine.
    m.trade(&forged()).await.invalid_grant();
    m.trade(&forged()).await.invalid_grant();
    m.access_token(&sa).await;
    m.trade(&forged()).await.invalid_grant();
    m.trade(&forged()).await.invalid_grant();
    // The third in a row reaches the bound.
    m.trade(&forged()).await.invalid_grant();
    for what in ["a good assertion", "another forgery"] {
        let assertion = if what == "a good assertion" {
            sa.assertion()
        } else {
            forged()
        };
        let g = m.trade(&assertion).await;
        let description = g.refused(StatusCode::TOO_MANY_REQUESTS, "slow_down");
        assert!(!description.is_empty(), "{what}");
        let retry: u64 = g
            .headers
            .get(RETRY_AFTER)
            .unwrap_or_else(|| panic!("{what}: no Retry-After"))
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry), "{what}: Retry-After {retry}");
    }
    // Other accounts from the same address are not held up.
    m.identification(&m.access_token(&bystander).await, ORG_A)
        .await;
}

#[tokio::test]
async fn failed_assertions_are_bounded_per_address() {
    let m = Ms::start_with(|c| {
        c.server.sign_in_limits.failures_per_account = 100;
        c.server.sign_in_limits.failures_per_address = 3;
    })
    .await;
    let forger = m.new_sa(ADMIN_A).await;
    let mut victims = Vec::new();
    for _ in 0..3 {
        victims.push(m.new_sa(ADMIN_A).await);
    }
    let good = m.new_sa(ADMIN_A).await;
    for v in &victims {
        m.trade(&rs256(forger.key(), Some(v.kid()), &v.claims()))
            .await
            .invalid_grant();
    }
    let g = m.trade(&good.assertion()).await;
    g.refused(StatusCode::TOO_MANY_REQUESTS, "slow_down");
    let retry: u64 = g.headers[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
}

#[tokio::test]
async fn a_configured_audience_is_accepted_and_others_still_refused() {
    let m = Ms::start_with(|c| {
        c.adapters.masstack.token_audiences = vec![MASSTACK_TOKEN_URL.into()];
    })
    .await;
    let sa = m.new_sa(ADMIN_A).await;
    // The file still names idbridge's own URL, which stays accepted.
    assert_eq!(
        sa.token_uri(),
        format!("{}/v1/oauth2/token", m.server.config.server.public_base_url)
    );
    let token = m
        .trade(&sa.sign(&with(sa.claims(), json!({"aud": MASSTACK_TOKEN_URL}))))
        .await
        .token();
    assert_eq!(claims_of(&token)["aud"], "documents");
    m.identification(&token, ORG_A).await;
    m.access_token(&sa).await;
    for aud in [
        format!("{MASSTACK_TOKEN_URL}/"),
        "https://authn.masstack.com/v1/oauth2".to_owned(),
        "http://authn.masstack.com/v1/oauth2/token".to_owned(),
        "https://authn.example.com/v1/oauth2/token".to_owned(),
    ] {
        let g = m
            .trade(&sa.sign(&with(sa.claims(), json!({"aud": aud}))))
            .await;
        assert_eq!(g.body["error"], "invalid_grant", "{aud}: {}", g.body);
        g.invalid_grant();
    }
}

#[tokio::test]
async fn the_private_key_is_shown_once_and_stored_nowhere() {
    use rsa::pkcs1::DecodeRsaPrivateKey as _;
    use rsa::pkcs8::{EncodePublicKey as _, LineEnding};

    let m = Ms::start().await;
    let sa = m.new_sa(ADMIN_A).await;
    let token = m.access_token(&sa).await;
    m.identification(&token, ORG_A).await;
    let db = m.database_bytes();
    // The public half is there (so the files read are the right ones)...
    let private = rsa::RsaPrivateKey::from_pkcs1_pem(sa.key()).unwrap();
    let public = private
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    assert!(contains(&db, public.as_bytes()), "the public key is stored");
    // ...the private half is not, as PEM, as any of its lines, or as DER.
    assert!(!contains(&db, sa.key().as_bytes()));
    for line in sa.key().lines().filter(|l| !l.starts_with("-----")) {
        assert!(!contains(&db, line.as_bytes()), "{line}");
    }
    let body: String = sa
        .key()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    assert!(!contains(&db, &der[..64]));
    // idbridge's own signing key is stored sealed, never as PEM.
    let signing = m.signing_key().await;
    assert!(contains(&db, signing.public_pem.as_bytes()));
    for line in signing
        .private_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
    {
        assert!(!contains(&db, line.as_bytes()), "{line}");
    }
    // Nothing hands the key out again.
    let listed = serde_json::to_string(&m.service_accounts(ADMIN_A).await).unwrap();
    assert!(!listed.contains("PRIVATE KEY"), "{listed}");
}

#[tokio::test]
async fn static_keys_still_work_beside_tokens() {
    let m = Ms::start().await;
    let id = m.identification(KEY_A, ORG_A).await;
    let b_id = m.identification(KEY_B, ORG_B).await;
    let got = m.get(KEY_A, ORG_A, &id).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json()["id"], id.as_str());
    assert_eq!(m.get(KEY_B, ORG_B, &b_id).await.status, StatusCode::OK);
    m.get(KEY_A, ORG_B, &b_id)
        .await
        .assert_bare(StatusCode::NOT_FOUND);
    // Tokens and keys see the same identifications.
    let token = m.access_token(&m.new_sa(ADMIN_A).await).await;
    assert_eq!(m.get(&token, ORG_A, &id).await.json(), got.json());
    // Keys that are not configured, and no key, are refused without a body.
    for wrong in ["test-masstack-key-gamma", "test-api-key-alpha", ADMIN_A] {
        m.get(wrong, ORG_A, &id)
            .await
            .assert_bare(StatusCode::UNAUTHORIZED);
    }
    let r: Reply = m
        .send(
            None,
            Method::GET,
            &format!("/orgs/{ORG_A}/identifications/identity_document/{id}"),
            super::ONE,
            None,
        )
        .await;
    r.assert_bare(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unsecured_assertion_is_invalid_grant() {
    let m = Ms::start().await;
    let sa = m.new_sa(ADMIN_A).await;
    // A JWT whose alg is "none" (RFC 7519 §6): a JWT, but not signed with RS256.
    let header = json!({"alg": "none", "typ": "JWT", "kid": sa.kid()});
    let g = m.trade(&raw_jwt(&header, &sa.claims(), "")).await;
    assert_eq!(g.status, StatusCode::BAD_REQUEST, "{}", g.body);
    assert!(g.body.get("access_token").is_none(), "{}", g.body);
    // It is a JWT with another alg, not a malformed request: the header is read whatever
    // its alg names (jsonwebtoken alone cannot parse one it does not know).
    g.invalid_grant();
}

#[tokio::test]
async fn the_account_bound_holds_however_the_kid_is_spelled() {
    let m = Ms::start_with(|c| c.server.sign_in_limits.failures_per_account = 3).await;
    let sa = m.new_sa(ADMIN_A).await;
    let thief = m.new_sa(ADMIN_A).await;
    let kid = sa.kid().to_owned();
    let id = Uuid::parse_str(&kid).unwrap();
    // Every spelling names the same account: the endpoint accepts each for a good assertion.
    let spellings = [
        kid.to_uppercase(),
        id.simple().to_string(),
        id.braced().to_string(),
        id.urn().to_string(),
    ];
    for spelled in &spellings {
        let good = rs256(sa.key(), Some(spelled), &sa.claims());
        m.trade(&good).await.token();
    }
    // Three forgeries under the canonical kid reach the account's bound...
    for _ in 0..3 {
        m.trade(&rs256(thief.key(), Some(&kid), &sa.claims()))
            .await
            .invalid_grant();
    }
    m.trade(&sa.assertion())
        .await
        .refused(StatusCode::TOO_MANY_REQUESTS, "slow_down");
    // ...and the account stays bounded when its kid is spelled otherwise.
    for spelled in &spellings {
        let forged = rs256(thief.key(), Some(spelled), &sa.claims());
        let g = m.trade(&forged).await;
        // Counted under the account the kid names, whatever its spelling: another spelling of
        // the same UUID must not start a fresh count.
        assert_eq!(
            (g.status, g.body["error"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("slow_down")),
            "kid {spelled}: {}",
            g.body
        );
    }
}

#[tokio::test]
async fn a_jti_replayed_concurrently_buys_one_token() {
    let m = Ms::start().await;
    let sa = m.new_sa(ADMIN_A).await;
    let assertion = sa.assertion();
    let answers = futures::future::join_all((0..10).map(|_| m.trade(&assertion))).await;
    let issued = answers
        .iter()
        .filter(|g| g.status == StatusCode::OK)
        .count();
    assert_eq!(
        issued,
        1,
        "{:?}",
        answers.iter().map(|g| &g.body).collect::<Vec<_>>()
    );
    // The others are replays, or, once the account's bound of failures is reached, refused
    // before they are read.
    for g in answers.iter().filter(|g| g.status != StatusCode::OK) {
        if g.status == StatusCode::TOO_MANY_REQUESTS {
            g.refused(StatusCode::TOO_MANY_REQUESTS, "slow_down");
        } else {
            g.invalid_grant();
        }
    }
}

#[tokio::test]
async fn concurrent_forgeries_stay_within_the_account_bound() {
    let m = Ms::start_with(|c| c.server.sign_in_limits.failures_per_account = 3).await;
    let sa = m.new_sa(ADMIN_A).await;
    let thief = m.new_sa(ADMIN_A).await;
    let forged: Vec<String> = (0..20)
        .map(|_| rs256(thief.key(), Some(sa.kid()), &sa.claims()))
        .collect();
    let answers = futures::future::join_all(forged.iter().map(|f| m.trade(f))).await;
    let mut checked = 0;
    for g in &answers {
        match g.status {
            StatusCode::BAD_REQUEST => {
                g.invalid_grant();
                checked += 1;
            }
            _ => {
                g.refused(StatusCode::TOO_MANY_REQUESTS, "slow_down");
            }
        }
    }
    // Each attempt is charged before its assertion is checked, so forgeries sent at once
    // cannot all be checked: no more than the bound get an answer.
    assert!(
        checked <= 3,
        "{checked} of 20 concurrent forgeries were checked"
    );
}
