//! B2Core sign-in and the back office, as their clients use them.
//!
//! Front Office: a B2Core client opens the sign-in wizard (`uuid`), signs in with the email and
//! password of the client account the admin API gave its subject, and uses the access token on
//! the my-documents endpoints; it refreshes (the old pair dies) and signs out (the session
//! dies). Failed sign-ins are bounded per account and per address (429 with `Retry-After`). An
//! admin password reset ends the subject's sessions, not its admin-minted tokens. Tenants that
//! list `b2core_hosts` own the sign-ins on those hosts.
//!
//! Back Office: a back-office user of the tenant's configuration signs in and reads a client's
//! documents by `filter[clientId]` (the client account's number) and any document of the
//! tenant by id; its tokens and the clients' are not interchangeable, and tenants do not see
//! each other's clients or documents.
//!
//! Also: only argon2id hashes of passwords and SHA-256 digests of tokens reach the database
//! file; the admin API's client-account errors; and races (one uuid, one refresh token, a
//! burst of guesses sent together). Time passing (expired wizard sessions and tokens) is
//! simulated by moving expiries in the database, never by waiting.

use std::sync::LazyLock;

use super::*;
use crate::common::BACKOFFICE_PASSWORD;

mod accounts;
mod backoffice;
mod secrets;
mod sessions;
mod tenants;

/// Builds a sign-in body around a wizard uuid.
type MakeBody<'a> = Box<dyn Fn(&str) -> Body + 'a>;

const WIZARD: &str = "/api/v2/my/signin/wizard";
const SIGNIN: &str = "/api/v2/my/signin";
const REFRESH: &str = "/api/v2/my/refresh";
const SIGNOUT: &str = "/api/v2/my/signout";
const BO_SIGNIN: &str = "/api/v2/signin";
const BO_REFRESH: &str = "/api/v2/refresh";
const BO_SIGNOUT: &str = "/api/v2/signout";
const BO_LIST: &str = "/api/v2/documents";
const BO_ONE: &str = "/api/v2/documents/{documentId}";

const BO_ALPHA: &str = "backoffice@alpha.test";
const BO_BETA: &str = "backoffice@beta.test";

const UA: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

/// The admin API's contract (built once: it renders every served document).
static ADMIN: LazyLock<Contract> = LazyLock::new(|| Contract::of("admin"));

/// What every wrong email or password answers, whichever was wrong.
fn wrong_credentials() -> Value {
    json!({"code": 401, "message": "wrong email or password"})
}

/// B2Core's device fingerprint: base64 of a JSON object with a `user_agent`.
fn fingerprint() -> String {
    b64(
        json!({"user_agent": UA, "language": "en-GB", "screen_resolution": "1920x1080"})
            .to_string()
            .as_bytes(),
    )
}

fn signin_body(uuid: &str, email: &str, password: &str) -> Value {
    json!({"uuid": uuid, "email": email, "password": password, "device_fingerprint": fingerprint()})
}

/// A subject's client account, as the admin API made it.
struct Account {
    tenant: TenantId,
    subject: Uuid,
    id: Uuid,
    client_id: i64,
    email: String,
    password: String,
}

/// A token pair from a sign-in or a refresh.
struct Pair {
    access: String,
    refresh: String,
}

/// An admin API call with `key`, checked against the admin contract.
async fn admin(
    m: &Mydocs,
    key: &str,
    method: Method,
    path: &str,
    template: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = m
        .server
        .client
        .request(method.clone(), m.server.url(&format!("/admin/v1{path}")))
        .bearer_auth(key);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{method} {path} {status}: not JSON ({e}): {text:?}"));
    ADMIN.check(method.as_str(), template, status.as_u16(), &value);
    (status, value)
}

/// `POST /subjects/{id}/client-accounts` for an existing subject; the answer as sent.
async fn create_account(
    m: &Mydocs,
    key: &str,
    subject: Uuid,
    email: &str,
    password: &str,
) -> (StatusCode, Value) {
    admin(
        m,
        key,
        Method::POST,
        &format!("/subjects/{subject}/client-accounts"),
        "/subjects/{subject_id}/client-accounts",
        Some(json!({"email": email, "password": password})),
    )
    .await
}

/// Gives `subject` a client account that must be created; checks the admin view of it.
async fn account_of(m: &Mydocs, key: &str, subject: Uuid, email: &str, password: &str) -> Account {
    let (status, view) = create_account(m, key, subject, email, password).await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    let keys: Vec<&str> = view
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["client_id", "created_at", "email", "id", "subject_id"],
        "{view}"
    );
    assert_eq!(view["subject_id"], subject.to_string(), "{view}");
    assert_eq!(view["email"], email.trim().to_lowercase(), "{view}");
    chrono::DateTime::parse_from_rfc3339(view["created_at"].as_str().unwrap()).unwrap();
    let client_id = view["client_id"].as_i64().unwrap();
    assert!(client_id >= 1, "{view}");
    Account {
        tenant: tenant(if key == ADMIN_A { "alpha" } else { "beta" }),
        subject,
        id: view["id"].as_str().unwrap().parse().unwrap(),
        client_id,
        email: email.to_owned(),
        password: password.to_owned(),
    }
}

/// A new subject with a client account.
async fn account(m: &Mydocs, key: &str, email: &str, password: &str) -> Account {
    let (status, subject) = admin(
        m,
        key,
        Method::POST,
        "/subjects",
        "/subjects",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{subject}");
    let subject = subject["id"].as_str().unwrap().parse().unwrap();
    account_of(m, key, subject, email, password).await
}

/// `GET /signin/wizard` under `root`: B2Core's answer, exactly; returns the uuid.
async fn wizard_at(m: &Mydocs, method: Method, root: &str) -> String {
    let (status, body) = m
        .send(
            None,
            method,
            &format!("{root}/signin/wizard"),
            WIZARD,
            Body::None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let uuid = body["uuid"].as_str().unwrap_or_else(|| panic!("{body}"));
    Uuid::parse_str(uuid).unwrap();
    assert_eq!(
        body,
        json!({"code": 202, "data": {"recaptcha": {"enabled": false}}, "done": true,
               "uuid": uuid, "workflow": "login"})
    );
    uuid.to_owned()
}

async fn wizard(m: &Mydocs) -> String {
    wizard_at(m, Method::GET, API).await
}

/// `POST /api/v2/my/signin` with `body`.
async fn signin(m: &Mydocs, body: Body) -> (StatusCode, Value) {
    m.send(None, Method::POST, SIGNIN, SIGNIN, body).await
}

/// A whole sign-in (wizard, then JSON) with these credentials.
async fn sign_in(m: &Mydocs, email: &str, password: &str) -> (StatusCode, Value) {
    let uuid = wizard(m).await;
    signin(m, Body::Json(signin_body(&uuid, email, password))).await
}

/// A sign-in that must succeed.
async fn signed_in(m: &Mydocs, email: &str, password: &str) -> Pair {
    let (status, body) = sign_in(m, email, password).await;
    assert_eq!(status, StatusCode::OK, "{email}: {body}");
    pair(m, &body)
}

/// The sign-in of a client account, which must succeed.
async fn signed_in_as(m: &Mydocs, a: &Account) -> Pair {
    signed_in(m, &a.email, &a.password).await
}

/// Checks a token pair in B2Core's shape: the times ISO-8601 with `+00:00`, each token living
/// as long as configured.
fn pair(m: &Mydocs, body: &Value) -> Pair {
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["2faRequired", "accessToken", "refreshToken"],
        "{body}"
    );
    assert_eq!(body["2faRequired"], false, "{body}");
    let cfg = &m.server.config.adapters.mydocs;
    let mut tokens = Vec::new();
    for (key, ttl) in [
        ("accessToken", cfg.access_token_ttl_secs),
        ("refreshToken", cfg.refresh_token_ttl_secs),
    ] {
        let info = &body[key];
        let keys: Vec<&str> = info
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["createdAt", "expiresAt", "token"], "{body}");
        assert_time(&info["createdAt"]);
        assert_time(&info["expiresAt"]);
        let at = |k: &str| chrono::DateTime::parse_from_rfc3339(info[k].as_str().unwrap()).unwrap();
        let created = at("createdAt");
        assert!(
            (created.to_utc() - chrono::Utc::now()).num_seconds().abs() < 60,
            "{body}"
        );
        assert_eq!(
            (at("expiresAt") - created).num_seconds(),
            ttl as i64,
            "{key} lives {ttl} s: {body}"
        );
        let token = info["token"].as_str().unwrap();
        assert!(token.len() >= 32, "{body}");
        tokens.push(token.to_owned());
    }
    assert_ne!(tokens[0], tokens[1], "{body}");
    Pair {
        refresh: tokens.pop().unwrap(),
        access: tokens.pop().unwrap(),
    }
}

/// `POST` of a refresh body to `path` (the client's or the back office's refresh).
async fn refresh(m: &Mydocs, path: &str, body: Value) -> (StatusCode, Value) {
    m.send(None, Method::POST, path, path, Body::Json(body))
        .await
}

/// A refresh that must succeed.
async fn refreshed(m: &Mydocs, path: &str, token: &str) -> Pair {
    let (status, body) = refresh(m, path, json!({"refreshToken": token})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    pair(m, &body)
}

/// `POST` to a sign-out `path` with an optional bearer token: 204 with no body (`Null`), or
/// an error in B2Core's shape.
async fn signout(m: &Mydocs, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let res = m.raw(token, Method::POST, path, Body::None, None).await;
    let status = res.status();
    let bytes = res.bytes().await.unwrap();
    if status == StatusCode::NO_CONTENT {
        assert!(bytes.is_empty(), "a 204 with a body: {bytes:?}");
        return (status, Value::Null);
    }
    let value: Value = serde_json::from_slice(&bytes).unwrap();
    m.contract.check("POST", path, status.as_u16(), &value);
    assert_error(&value, status, None);
    (status, value)
}

/// Asserts that a client token opens nothing (401 on the list).
async fn assert_dead(m: &Mydocs, token: &str, what: &str) {
    let (status, body) = m.list(token, "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
}

async fn bo_signin(m: &Mydocs, email: &str, password: &str) -> (StatusCode, Value) {
    m.send(
        None,
        Method::POST,
        BO_SIGNIN,
        BO_SIGNIN,
        Body::Json(json!({"email": email, "password": password})),
    )
    .await
}

async fn bo_signed_in(m: &Mydocs, email: &str) -> Pair {
    let (status, body) = bo_signin(m, email, BACKOFFICE_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    pair(m, &body)
}

/// `GET /api/v2/documents{query}` with a back-office (or any) token.
async fn bo_list(m: &Mydocs, token: &str, query: &str) -> (StatusCode, Value) {
    m.send(
        Some(token),
        Method::GET,
        &format!("{BO_LIST}{query}"),
        BO_LIST,
        Body::None,
    )
    .await
}

async fn bo_get(m: &Mydocs, token: &str, id: impl std::fmt::Display) -> (StatusCode, Value) {
    m.send(
        Some(token),
        Method::GET,
        &format!("{BO_LIST}/{id}"),
        BO_ONE,
        Body::None,
    )
    .await
}

/// A document as the back office must show it: the client's own view plus `clientId`.
fn with_client_id(doc: &Value, client_id: Option<i64>) -> Value {
    let mut v = doc.clone();
    v.as_object_mut()
        .unwrap()
        .insert("clientId".into(), json!(client_id));
    v
}

/// The client's own view of its document `id` (which must be found).
async fn own_view(m: &Mydocs, token: &str, id: i64) -> Value {
    let (status, doc) = m.get(token, id).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    doc
}

/// A sign-in answered with 429: its body and its `Retry-After` (checked to be in
/// `1..=window`).
async fn throttled(m: &Mydocs, body: Value) -> Value {
    let res = m
        .raw(None, Method::POST, SIGNIN, Body::Json(body), None)
        .await;
    assert_throttled(m, res, SIGNIN).await
}

async fn assert_throttled(m: &Mydocs, res: reqwest::Response, template: &str) -> Value {
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    m.contract.check("POST", template, 429, &body);
    assert_error(&body, status, None);
    let window = m.server.config.server.sign_in_limits.window_secs;
    let secs: u64 = retry
        .unwrap_or_else(|| panic!("a 429 without Retry-After: {body}"))
        .parse()
        .unwrap();
    assert!((1..=window).contains(&secs), "Retry-After {secs}");
    body
}

/// The store's database, opened beside the server (to move expiries into the past).
async fn database(m: &Mydocs) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        m.server.dir.path().join("idbridge.db").display()
    ))
    .await
    .unwrap()
}

fn a_second_ago() -> i64 {
    chrono::Utc::now().timestamp_millis() - 1000
}

/// Makes a (client, subject-held) token expired, as time passing would.
async fn expire_token(m: &Mydocs, token: &str) {
    let done = sqlx::query("UPDATE tokens SET expires_at = $1 WHERE hash = $2")
        .bind(a_second_ago())
        .bind(sha(token.as_bytes()))
        .execute(&database(m).await)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1, "the token is stored by its digest");
}

// ---------------------------------------------------------------------------------------
// The Front Office flow

#[tokio::test]
async fn a_client_signs_in_uses_its_documents_refreshes_and_signs_out() {
    let m = Mydocs::start().await;
    let a = account(
        &m,
        ADMIN_A,
        "Client.One@Example.COM",
        "correct horse battery",
    )
    .await;
    assert_eq!(a.client_id, 1, "the tenant's first client");

    // Sign in as B2Core's page does, with the email typed in another case.
    let uuid = wizard(&m).await;
    let (status, body) = signin(
        &m,
        Body::Json(signin_body(&uuid, "client.one@example.com", &a.password)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = pair(&m, &body);

    // The access token opens every my-documents endpoint, for this subject.
    let (status, types) = m.types(&first.access, API).await;
    assert_eq!(
        (status, types["total"].as_u64()),
        (StatusCode::OK, Some(22))
    );
    let (status, page) = m.list(&first.access, "").await;
    assert_eq!(
        (status, page),
        (StatusCode::OK, json!({"total": 0, "data": []}))
    );
    let doc = m
        .add_ok(&first.access, typed("1", vec![("passport.png", png(7))]))
        .await;
    m.assert_document(&doc, 1, "Passport", "new", &["page1"]);
    let id = doc["id"].as_i64().unwrap();
    assert_eq!(m.ids(&first.access, "").await, (1, vec![id]));
    assert_eq!(own_view(&m, &first.access, id).await, doc);
    let url = doc["downloadUrl"].as_str().unwrap();
    assert_eq!(sha(&m.fetch(&first.access, url).await), sha(&png(7)));
    let (status, alt) = m
        .send(
            Some(&first.access),
            Method::GET,
            &format!("{ALT}/documents"),
            LIST,
            Body::None,
        )
        .await;
    assert_eq!((status, alt["total"].as_u64()), (StatusCode::OK, Some(1)));
    let path = m.upload_ok(&first.access, "bill.png", png(8)).await;
    let bill = m
        .add_ok(
            &first.access,
            Body::Json(json!({"file": path, "typeID": 4})),
        )
        .await;
    m.assert_document(&bill, 4, "Utility bill", "new", &["page1"]);
    // It is the subject's document: the admin-minted view and the store agree.
    let stored = m
        .server
        .store
        .get_document_by_seq(&a.tenant, id)
        .await
        .unwrap();
    assert_eq!(stored.subject_id, a.subject);

    // Refresh: a new pair; the old access and refresh tokens die with it.
    let second = refreshed(&m, REFRESH, &first.refresh).await;
    assert_ne!(second.access, first.access);
    assert_ne!(second.refresh, first.refresh);
    assert_dead(&m, &first.access, "the refreshed access token").await;
    let (status, err) = refresh(&m, REFRESH, json!({"refreshToken": first.refresh})).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a used refresh token: {err}"
    );
    assert_eq!(
        m.ids(&second.access, "").await,
        (2, vec![bill["id"].as_i64().unwrap(), id])
    );
    let (status, _) = m.delete(&second.access, API, bill["id"].clone()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // B2Core's snake_case spelling, at the other root.
    let (status, body) = m
        .send(
            None,
            Method::POST,
            &format!("{ALT}/refresh"),
            REFRESH,
            Body::Json(json!({"refresh_token": second.refresh})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let third = pair(&m, &body);
    assert_dead(&m, &second.access, "the refreshed access token").await;
    assert_eq!(m.ids(&third.access, "").await, (1, vec![id]));

    // Sign out: the session's two tokens die; signing out again is refused.
    assert_eq!(
        signout(&m, SIGNOUT, Some(&third.access)).await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    assert_dead(&m, &third.access, "a signed-out access token").await;
    let (status, err) = refresh(&m, REFRESH, json!({"refreshToken": third.refresh})).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a signed-out refresh token: {err}"
    );
    let (status, _) = signout(&m, SIGNOUT, Some(&third.access)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The sign-in, both refreshes and the sign-out are audit events of the tenant's, each
    // committed with the tokens it issued or ended, naming the client by id, never a token.
    let events = m
        .server
        .store
        .audit_events(&a.tenant, &Default::default(), 0, 1000)
        .await
        .unwrap();
    let ok = |operation: &str| {
        events
            .iter()
            .filter(|e| {
                e.operation == format!("POST {operation}")
                    && e.outcome == idbridge::audit::Outcome::Ok
            })
            .collect::<Vec<_>>()
    };
    let signed_in = ok(SIGNIN);
    assert_eq!(signed_in.len(), 1, "{events:?}");
    assert_eq!(
        signed_in[0].credential.as_deref(),
        Some(format!("b2core-client:{}", a.subject).as_str())
    );
    assert_eq!(signed_in[0].subject_id, Some(a.subject));
    assert_eq!(ok(REFRESH).len() + ok(&format!("{ALT}/refresh")).len(), 2);
    let signed_out = ok(SIGNOUT);
    assert_eq!(signed_out.len(), 1, "{events:?}");
    let text = format!("{events:?}");
    for token in [&first.access, &second.refresh, &third.access] {
        assert!(!text.contains(token.as_str()));
    }
    // The document stays; a new sign-in (at the other root) sees it.
    let uuid = wizard_at(&m, Method::POST, ALT).await;
    let (status, body) = m
        .send(
            None,
            Method::POST,
            &format!("{ALT}/signin"),
            SIGNIN,
            Body::Json(signin_body(&uuid, &a.email, &a.password)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let again = pair(&m, &body);
    assert_eq!(m.ids(&again.access, "").await, (1, vec![id]));
    assert_eq!(
        signout(&m, &format!("{ALT}/signout"), Some(&again.access)).await,
        (StatusCode::NO_CONTENT, Value::Null)
    );
    assert_dead(&m, &again.access, "signed out at /v2/my").await;
}

#[tokio::test]
async fn the_sign_in_body_is_read_as_curl_and_forms_send_it() {
    let m = Mydocs::start().await;
    let a = account(&m, ADMIN_A, "curl@example.com", "curl-password-1").await;
    let minted = m.client(ADMIN_A).await;
    m.add_ok(&minted.token, typed("1", vec![("other.png", png(1))]))
        .await;
    let doc = {
        let p = signed_in_as(&m, &a).await;
        m.add_ok(&p.access, typed("1", vec![("mine.png", png(2))]))
            .await
    };
    let mine = doc["id"].as_i64().unwrap();

    let json_bytes = |uuid: &str| {
        signin_body(uuid, &a.email, &a.password)
            .to_string()
            .into_bytes()
    };
    let mut bodies: Vec<(&str, MakeBody<'_>)> = vec![
        // `curl --data-raw '{…}'` with no -H: labelled as a form, but a JSON object.
        (
            "JSON labelled as a form",
            Box::new(move |u| Body::Raw("application/x-www-form-urlencoded", json_bytes(u))),
        ),
        (
            "JSON with no Content-Type",
            Box::new(move |u| Body::Bare(json_bytes(u))),
        ),
        (
            "JSON with a charset",
            Box::new(move |u| Body::Raw("application/json; charset=utf-8", json_bytes(u))),
        ),
    ];
    let (email, password) = (a.email.clone(), a.password.clone());
    bodies.push((
        "a real urlencoded form",
        Box::new(move |u| {
            let fp = fingerprint();
            let encoded = serde_urlencoded::to_string([
                ("uuid", u),
                ("email", email.as_str()),
                ("password", password.as_str()),
                ("device_fingerprint", fp.as_str()),
            ])
            .unwrap();
            Body::Raw("application/x-www-form-urlencoded", encoded.into_bytes())
        }),
    ));
    for (what, body) in &bodies {
        let uuid = wizard(&m).await;
        let (status, answer) = signin(&m, body(&uuid)).await;
        assert_eq!(status, StatusCode::OK, "{what}: {answer}");
        let p = pair(&m, &answer);
        // The token opens this client's documents, not another subject's.
        assert_eq!(m.ids(&p.access, "").await, (1, vec![mine]), "{what}");
        // And its uuid is used up, however the body was sent.
        let (status, err) = signin(&m, body(&uuid)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {err}");
        assert_error(&err, status, Some("uuid"));
    }
}

// ---------------------------------------------------------------------------------------
// The wizard's uuid

#[tokio::test]
async fn a_wizard_uuid_signs_in_once_and_only_while_open() {
    let m = Mydocs::start().await;
    let a = account(&m, ADMIN_A, "once@example.com", "once-password").await;
    let uuid = wizard_at(&m, Method::POST, API).await;
    assert_ne!(uuid, wizard(&m).await, "each wizard opens its own session");

    // A wrong password does not use the uuid up; the right one does.
    let (status, err) = signin(
        &m,
        Body::Json(signin_body(&uuid, &a.email, "not-it-at-all")),
    )
    .await;
    assert_eq!(
        (status, err),
        (StatusCode::UNAUTHORIZED, wrong_credentials())
    );
    let (status, body) = signin(&m, Body::Json(signin_body(&uuid, &a.email, &a.password))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    pair(&m, &body);
    let (status, err) = signin(&m, Body::Json(signin_body(&uuid, &a.email, &a.password))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a used uuid: {err}");
    assert_error(&err, status, Some("uuid"));
    assert_eq!(err["errors"].as_object().unwrap().len(), 1, "{err}");

    // Unknown and malformed uuids.
    for bad in [
        Uuid::new_v4().to_string(),
        "not-a-uuid".to_owned(),
        "42".to_owned(),
    ] {
        let (status, err) = signin(&m, Body::Json(signin_body(&bad, &a.email, &a.password))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {err}");
        assert_error(&err, status, Some("uuid"));
    }

    // Fifteen minutes later (the expiry moved into the past), the uuid is closed.
    let late = wizard(&m).await;
    let moved = sqlx::query("UPDATE signin_sessions SET expires_at = $1 WHERE id = $2")
        .bind(a_second_ago())
        .bind(&late)
        .execute(&database(&m).await)
        .await
        .unwrap();
    assert_eq!(moved.rows_affected(), 1);
    let (status, err) = signin(&m, Body::Json(signin_body(&late, &a.email, &a.password))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an expired uuid: {err}");
    assert_error(&err, status, Some("uuid"));
}

#[tokio::test]
async fn a_wizard_expires_fifteen_minutes_after_it_opens() {
    let m = Mydocs::start().await;
    let before = chrono::Utc::now().timestamp_millis();
    let uuid = wizard(&m).await;
    let after = chrono::Utc::now().timestamp_millis();
    let expires: i64 = sqlx::query_scalar("SELECT expires_at FROM signin_sessions WHERE id = $1")
        .bind(&uuid)
        .fetch_one(&database(&m).await)
        .await
        .unwrap();
    let fifteen = 15 * 60 * 1000;
    assert!(
        (before + fifteen..=after + fifteen).contains(&expires),
        "{before} {expires} {after}"
    );
}

#[tokio::test]
async fn concurrent_sign_ins_with_one_uuid_let_one_in() {
    let m = Mydocs::start().await;
    let a = account(&m, ADMIN_A, "race@example.com", "race-password").await;
    let uuid = wizard(&m).await;
    let results = futures::future::join_all(
        (0..4).map(|_| signin(&m, Body::Json(signin_body(&uuid, &a.email, &a.password)))),
    )
    .await;
    let ok: Vec<_> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .collect();
    assert_eq!(ok.len(), 1, "{results:?}");
    for (status, body) in &results {
        if *status != StatusCode::OK {
            assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
            assert_error(body, *status, Some("uuid"));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Bad input and wrong credentials

#[tokio::test]
async fn each_missing_or_blank_field_is_named() {
    let m = Mydocs::start().await;
    let a = account(&m, ADMIN_A, "fields@example.com", "fields-password").await;
    let uuid = wizard(&m).await;
    let full = signin_body(&uuid, &a.email, &a.password);
    for field in ["uuid", "email", "password", "device_fingerprint"] {
        for (what, value) in [
            ("missing", None),
            ("blank", Some(json!(""))),
            ("null", Some(Value::Null)),
        ] {
            let mut body = full.clone();
            match value {
                None => {
                    body.as_object_mut().unwrap().remove(field);
                }
                Some(v) => body[field] = v,
            }
            let (status, err) = signin(&m, Body::Json(body)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{what} {field}: {err}");
            assert_error(&err, status, Some(field));
            assert_eq!(
                err["errors"].as_object().unwrap().len(),
                1,
                "{what} {field}: {err}"
            );
        }
        let mut body = full.clone();
        body[field] = json!(12345678);
        let (status, err) = signin(&m, Body::Json(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "numeric {field}: {err}");
        assert_error(&err, status, Some(field));
    }
    // An empty body names the first field; a broken JSON object is a 400 too.
    let (status, err) = signin(&m, Body::Raw("application/json", Vec::new())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_error(&err, status, Some("uuid"));
    let (status, err) = signin(&m, Body::Raw("application/json", b"{\"uuid\": ".to_vec())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_error(&err, status, None);
    // A body over the limit is refused whole.
    let mut huge = full.clone();
    huge["padding"] = json!("x".repeat(20 * 1024));
    let (status, err) = signin(&m, Body::Json(huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{err}");
    // None of that used the uuid up.
    let (status, body) = signin(&m, Body::Json(full)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_malformed_device_fingerprint_is_400() {
    let m = Mydocs::start().await;
    let a = account(&m, ADMIN_A, "fp@example.com", "fingerprint-pw").await;
    let uuid = wizard(&m).await;
    let cases = [
        ("not base64", "not base64 at all!!".to_owned()),
        ("base64 of text", b64(b"Mozilla/5.0 plain text")),
        ("base64 of broken JSON", b64(b"{\"user_agent\": ")),
        (
            "no user_agent",
            b64(json!({"language": "en"}).to_string().as_bytes()),
        ),
        (
            "empty user_agent",
            b64(json!({"user_agent": ""}).to_string().as_bytes()),
        ),
        (
            "blank user_agent",
            b64(json!({"user_agent": "   "}).to_string().as_bytes()),
        ),
        (
            "numeric user_agent",
            b64(json!({"user_agent": 5}).to_string().as_bytes()),
        ),
        (
            "null user_agent",
            b64(json!({"user_agent": null}).to_string().as_bytes()),
        ),
        (
            "an array",
            b64(json!(["user_agent", UA]).to_string().as_bytes()),
        ),
        ("a JSON string", b64(json!(UA).to_string().as_bytes())),
        ("the JSON itself", json!({"user_agent": UA}).to_string()),
    ];
    for (what, fp) in cases {
        let mut body = signin_body(&uuid, &a.email, &a.password);
        body["device_fingerprint"] = json!(fp);
        let (status, err) = signin(&m, Body::Json(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {err}");
        assert_error(&err, status, Some("device_fingerprint"));
        assert_eq!(err["errors"].as_object().unwrap().len(), 1, "{what}: {err}");
    }
    let (status, body) = signin(&m, Body::Json(signin_body(&uuid, &a.email, &a.password))).await;
    assert_eq!(status, StatusCode::OK, "the uuid is still open: {body}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_answer_alike() {
    let m = Mydocs::start().await;
    let a = account(&m, ADMIN_A, "alike@example.com", "alike-password").await;
    let b = account(&m, ADMIN_A, "other@example.com", "other-password").await;
    let uuid = wizard(&m).await;
    for (email, password) in [
        (a.email.as_str(), "alike-password-2"),
        (a.email.as_str(), "ALIKE-PASSWORD"),
        (a.email.as_str(), b.password.as_str()),
        ("nobody@example.com", a.password.as_str()),
        ("not an email", a.password.as_str()),
        ("alike@example.org", a.password.as_str()),
    ] {
        let (status, err) = signin(&m, Body::Json(signin_body(&uuid, email, password))).await;
        assert_eq!(
            (status, err),
            (StatusCode::UNAUTHORIZED, wrong_credentials()),
            "{email} / {password}"
        );
    }
    // Emails are compared without regard to case or surrounding space.
    let (status, body) = signin(
        &m,
        Body::Json(signin_body(&uuid, "  ALIKE@Example.Com ", &a.password)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

// ---------------------------------------------------------------------------------------
// The bound on failed sign-ins

#[tokio::test]
async fn failed_sign_ins_of_an_account_are_bounded() {
    let m = Mydocs::start_with(|c| c.server.sign_in_limits.failures_per_account = 3).await;
    let a = account(&m, ADMIN_A, "alice@example.com", "alice-password").await;
    let b = account(&m, ADMIN_A, "bob@example.com", "bob-password").await;
    let uuid = wizard(&m).await;
    // Three failures, under spellings of one email: they count together.
    for email in [
        "alice@example.com",
        "ALICE@example.com",
        " Alice@Example.com",
    ] {
        let (status, err) = signin(&m, Body::Json(signin_body(&uuid, email, "guess-guess"))).await;
        assert_eq!(
            (status, err),
            (StatusCode::UNAUTHORIZED, wrong_credentials())
        );
    }
    // Now even the right password waits.
    throttled(&m, signin_body(&uuid, &a.email, &a.password)).await;
    throttled(&m, signin_body(&uuid, &a.email, "guess-guess")).await;
    // Another account is let in, with the same uuid (a 429 does not use it up).
    let (status, body) = signin(&m, Body::Json(signin_body(&uuid, &b.email, &b.password))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The back office's sign-in is not held up either.
    bo_signed_in(&m, BO_ALPHA).await;
}

#[tokio::test]
async fn a_successful_sign_in_clears_the_accounts_failures() {
    let m = Mydocs::start_with(|c| c.server.sign_in_limits.failures_per_account = 3).await;
    let a = account(&m, ADMIN_A, "carol@example.com", "carol-password").await;
    let uuid = wizard(&m).await;
    for round in 0..2 {
        for _ in 0..2 {
            let (status, err) =
                signin(&m, Body::Json(signin_body(&uuid, &a.email, "nope-nope"))).await;
            assert_eq!(
                (status, err),
                (StatusCode::UNAUTHORIZED, wrong_credentials()),
                "round {round}"
            );
        }
        signed_in_as(&m, &a).await;
    }
    for _ in 0..3 {
        let (status, _) = signin(&m, Body::Json(signin_body(&uuid, &a.email, "nope-nope"))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    throttled(&m, signin_body(&uuid, &a.email, &a.password)).await;
}

#[tokio::test]
async fn failed_sign_ins_from_an_address_are_bounded() {
    let m = Mydocs::start_with(|c| {
        c.server.sign_in_limits.failures_per_account = 100;
        c.server.sign_in_limits.failures_per_address = 4;
    })
    .await;
    let a = account(&m, ADMIN_A, "dave@example.com", "dave-password").await;
    let uuid = wizard(&m).await;
    for i in 1..=3 {
        let (status, err) = signin(
            &m,
            Body::Json(signin_body(
                &uuid,
                &format!("guess{i}@example.com"),
                "whatever-1",
            )),
        )
        .await;
        assert_eq!(
            (status, err),
            (StatusCode::UNAUTHORIZED, wrong_credentials())
        );
    }
    // Three failures from this address: still under the bound. A success does not clear
    // the address's count.
    signed_in_as(&m, &a).await;
    let (status, _) = signin(
        &m,
        Body::Json(signin_body(&uuid, "guess4@example.com", "whatever-1")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Four: every account is refused from here, the right password too.
    throttled(&m, signin_body(&uuid, &a.email, &a.password)).await;
    throttled(&m, signin_body(&uuid, "fresh@example.com", "whatever-1")).await;
}

#[tokio::test]
async fn failed_back_office_sign_ins_are_bounded() {
    let m = Mydocs::start_with(|c| c.server.sign_in_limits.failures_per_account = 2).await;
    for _ in 0..2 {
        let (status, err) = bo_signin(&m, BO_ALPHA, "not-the-password").await;
        assert_eq!(
            (status, err),
            (StatusCode::UNAUTHORIZED, wrong_credentials())
        );
    }
    let res = m
        .raw(
            None,
            Method::POST,
            BO_SIGNIN,
            Body::Json(json!({"email": BO_ALPHA, "password": BACKOFFICE_PASSWORD})),
            None,
        )
        .await;
    assert_throttled(&m, res, BO_SIGNIN).await;
    // Another tenant's back-office user is not held up.
    bo_signed_in(&m, BO_BETA).await;
}

/// The bound holds under concurrency too: guesses sent together must not all be checked
/// because none of them has been counted yet.
#[tokio::test]
async fn concurrent_wrong_guesses_do_not_pass_the_bound() {
    let m = Mydocs::start_with(|c| c.server.sign_in_limits.failures_per_account = 3).await;
    let a = account(&m, ADMIN_A, "uma@example.com", "uma-password").await;
    let uuid = wizard(&m).await;
    let results = futures::future::join_all((0..12).map(|i| {
        signin(
            &m,
            Body::Json(signin_body(&uuid, &a.email, &format!("guess-number-{i}"))),
        )
    }))
    .await;
    for (status, body) in &results {
        match *status {
            StatusCode::UNAUTHORIZED => assert_eq!(body, &wrong_credentials()),
            StatusCode::TOO_MANY_REQUESTS => assert_error(body, *status, None),
            other => panic!("{other}: {body}"),
        }
    }
    let checked = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    // Each attempt is charged before its password is checked (argon2 is slow, so guesses
    // sent together would otherwise all be checked before any is counted).
    assert!(
        checked <= 3,
        "{checked} of 12 concurrent guesses had their password checked (bound: 3)"
    );
    // Afterwards the account is held, right password or not.
    throttled(&m, signin_body(&uuid, &a.email, &a.password)).await;
}
