//! What integrations read and send after creating an account: every field of the guides'
//! request tables (a numeric `customerInternalReference` too), the documented upload-document
//! and prefill paths (the former ones kept as aliases), the KYX steps, and the `sdk.token`.

use base64::Engine as _;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{
    ACCOUNT, ALL_PARTS, Body, CLIENT_A, CLIENT_B, EXECUTION, Exec, Jumio, PART, PREFILL_ALIAS,
    decisions, error, field, guide_10005, guide_prepared_data, key_only, pair, pdf, png, sha,
};

const STEPS: &str = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/steps";

/// api-guide-kyx.md, "Initiate Account" (key 10013, `web` with both URLs and a locale), with
/// the callback left out (idbridge would call it).
fn guide_kyx_initiate() -> Value {
    json!({
        "customerInternalReference": "CUSTOMER_REFERENCE",
        "workflowDefinition": {
            "key": 10013,
            "credentials": [
                {
                  "category": "ID",
                  "country": { "predefinedType": "DEFINED", "values": ["USA", "CAN", "AUT", "GBR"] },
                  "type": { "predefinedType": "DEFINED", "values": ["DRIVING_LICENSE", "ID_CARD"] }
                }
            ],
            "capabilities": { "watchlistScreening": { "additionalProperties": "string" } }
        },
        "userReference": "YOUR_USER_REFERENCE",
        "tokenLifetime": "5m",
        "web": {
            "successUrl": "https://www.yourcompany.com/success",
            "errorUrl": "https://www.yourcompany.com/error",
            "locale": "es"
        }
    })
}

/// Every field of api_guide.md's request tables at once (account create and update share
/// them), each with a value its table allows.
fn every_table_field() -> Value {
    json!({
        "customerInternalReference": "CUSTOMER_REFERENCE",
        "workflowDefinition": {
            "key": 2,
            "credentials": [{
                "category": "ID",
                "country": { "predefinedType": "RECOMMENDED", "values": ["AUT"] },
                "type": { "predefinedType": "DEFINED", "values": ["PASSPORT"] }
            }],
            "capabilities": { "watchlistScreening": { "additionalProperties": "string" } }
        },
        "userReference": "YOUR_USER_REFERENCE",
        "reportingCriteria": "campaign-7",
        "callbackUrl": "http://127.0.0.1:9/cb",
        "tokenLifetime": "1d",
        "web": {
            "successUrl": "https://www.yourcompany.com/success",
            "errorUrl": "https://www.yourcompany.com/error",
            "locale": "en-GB"
        },
        "userConsent": {
            "userIp": "226.80.211.232",
            "userLocation": { "country": "USA", "state": "IL" },
            "consent": { "obtained": "yes", "obtainedAt": "2022-07-20T17:20:35.000Z" }
        }
    })
}

#[tokio::test]
async fn every_field_of_the_guides_request_tables_is_accepted() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let (status, created) = j.create(&access, every_table_field()).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert_eq!(
        created["web"]["successUrl"],
        "https://www.yourcompany.com/success"
    );
    assert_eq!(
        created["web"]["errorUrl"],
        "https://www.yourcompany.com/error"
    );
    let href = created["web"]["href"].as_str().unwrap();
    assert!(
        href.starts_with(&j.server.url("/web/v4/app?authorizationToken="))
            && href.ends_with("&locale=en-GB"),
        "{href}"
    );
    // Update takes the same body.
    let e = Exec::from(&created);
    let (status, updated) = j.reopen(&access, &e.account, every_table_field()).await;
    assert_eq!(status, StatusCode::OK, "{updated}");

    // What idbridge does not perform is reported NOT_EXECUTED: the screening the request
    // configured on key 2, whose description does not run it.
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    let (status, body) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let details = j.processed(&access, &e).await;
    assert_eq!(
        decisions(&details, "watchlistScreening"),
        [pair("NOT_EXECUTED", "NOT_PERFORMED_BY_IDBRIDGE")]
    );
    assert_eq!(details["decision"]["type"], "WARNING");
}

#[tokio::test]
async fn fields_no_table_names_and_values_out_of_the_tables_are_named() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let refused = |path: &[&str], value: Value| {
        let mut body = every_table_field();
        let mut at = &mut body;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = value;
        body
    };
    let cases = [
        (refused(&["web", "colour"], json!("red")), "web.colour"),
        (
            refused(&["userConsent", "ip"], json!("x")),
            "userConsent.ip",
        ),
        (
            refused(&["userConsent", "consent", "given"], json!(true)),
            "userConsent.consent.given",
        ),
        (
            refused(
                &["workflowDefinition", "capabilities", "liveness"],
                json!({}),
            ),
            "workflowDefinition.capabilities.liveness",
        ),
        (
            refused(&["web", "successUrl"], json!("ftp://example.com/")),
            "web.successUrl",
        ),
        (
            refused(&["web", "errorUrl"], json!("/error")),
            "web.errorUrl",
        ),
        (
            refused(
                &["web", "successUrl"],
                json!(format!("https://e.example/{}", "a".repeat(240))),
            ),
            "web.successUrl",
        ),
        (refused(&["web", "locale"], json!("english")), "web.locale"),
        (
            refused(&["userConsent", "userIp"], json!("not an address")),
            "userConsent.userIp",
        ),
        (
            refused(&["userConsent", "userLocation", "country"], json!("US")),
            "userConsent.userLocation.country",
        ),
        (
            refused(&["userConsent", "consent", "obtained"], json!("maybe")),
            "userConsent.consent.obtained",
        ),
        (
            refused(
                &["userConsent", "consent", "obtainedAt"],
                json!("yesterday"),
            ),
            "userConsent.consent.obtainedAt",
        ),
    ];
    for (body, want) in cases {
        assert_eq!(
            field(&j.create(&access, body.clone()).await, 400),
            want,
            "{body}"
        );
    }
    let mut body = every_table_field();
    body["workflowDefinition"]["credentials"][0]["country"]["predefinedType"] = json!("ALWAYS");
    assert_eq!(
        field(&j.create(&access, body).await, 400),
        "workflowDefinition.credentials[0].country.predefinedType"
    );
    let mut body = every_table_field();
    body["colour"] = json!("red");
    assert_eq!(field(&j.create(&access, body).await, 400), "colour");
}

#[tokio::test]
async fn a_numeric_customer_internal_reference_is_kept_as_a_string() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    for (sent, kept) in [(json!(1234567), "1234567"), (json!(12.5), "12.5")] {
        let mut body = key_only(2);
        body["customerInternalReference"] = sent;
        let e = j.open(&access, body).await;
        let (status, details) = j.details(&access, &e).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(details["workflow"]["customerInternalReference"], kept);
    }
    for bad in [json!(true), json!(null), json!(["R"])] {
        let mut body = key_only(2);
        body["customerInternalReference"] = bad;
        assert_eq!(
            field(&j.create(&access, body).await, 400),
            "customerInternalReference"
        );
    }
}

/// Seed 004's "Uploads a specified document (image(s)/single pdf)" lists no classifier, and
/// its prefill takes the credential alone: `POST …/credentials/{c}/parts` and
/// `PUT …/credentials/{c}/data`. The paths idbridge served before stay as aliases.
#[tokio::test]
async fn the_documented_upload_and_prefill_paths_are_served_and_the_old_ones_kept() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j
        .open(
            &access,
            json!({
                "customerInternalReference": "CUSTOMER_REFERENCE",
                "workflowDefinition": {"key": 2, "credentials": [{"category": "ID"}, {"category": "DOCUMENT"}]}
            }),
        )
        .await;
    let (id, doc) = (e.cred("ID"), e.cred("DOCUMENT"));
    let upload = format!("{}/credentials/{doc}/parts", e.path());
    let document = e
        .credentials
        .iter()
        .find(|c| c["category"] == "DOCUMENT")
        .unwrap();
    assert_eq!(
        document["api"]["parts"],
        json!({"document": j.server.url(&upload)})
    );
    let pages = [png(900, 1200, 1), png(900, 1200, 2)];
    let (status, body) = j
        .send(
            Method::POST,
            &upload,
            ALL_PARTS,
            Some(&e.token),
            Body::Files(pages.to_vec()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["credential"], json!({"id": doc}));
    // The former path adds the next page.
    let third = png(900, 1200, 3);
    let (status, _) = j
        .part(&e, Method::POST, &doc, "DOCUMENT", vec![third.clone()])
        .await;
    assert_eq!(status, StatusCode::OK);
    for (n, page) in pages.iter().chain([&third]).enumerate() {
        let (status, got) = j
            .image(&access, &e.image(&doc, &format!("PAGE_{}", n + 1)))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(sha(&got), sha(page));
    }
    // Only a DOCUMENT credential takes a document.
    let (status, body) = j
        .send(
            Method::POST,
            &format!("{}/credentials/{id}/parts", e.path()),
            ALL_PARTS,
            Some(&e.token),
            Body::Files(vec![pdf(3000)]),
        )
        .await;
    assert_eq!(field(&(status, body), 400), "classifier");

    // Prefill, at the documented path and at the alias.
    let (status, body) = j
        .prefill(
            &e,
            &id,
            json!({"id": {"idNumber": "P1234567", "type": "PASSPORT"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = j
        .send(
            Method::POST,
            &format!("{}/credentials/{id}/prefill", e.path()),
            PREFILL_ALIAS,
            Some(&e.token),
            Body::Json(json!({"id": {"expiryDate": "2031-01-31"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stored = j
        .server
        .store
        .get_document(&crate::common::tenant("alpha"), id.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(stored.number.as_deref(), Some("P1234567"));
    assert_eq!(
        stored.expires_on,
        chrono::NaiveDate::from_ymd_opt(2031, 1, 31)
    );
    // Another tenant's access token sees neither path.
    let beta = j.access(CLIENT_B).await;
    let (status, body) = j
        .send(
            Method::POST,
            &upload,
            ALL_PARTS,
            Some(&beta),
            Body::Files(vec![png(900, 1200, 4)]),
        )
        .await;
    error(&(status, body), 404);
    let (status, body) = j
        .send(
            Method::PUT,
            &format!("{}/credentials/{id}/data", e.path()),
            super::PREFILL,
            Some(&beta),
            Body::Json(json!({"firstName": "Mallory"})),
        )
        .await;
    error(&(status, body), 404);
}

async fn steps(j: &Jumio, access: &str, e: &Exec) -> (StatusCode, Value) {
    j.send(
        Method::GET,
        &format!("{}/steps", e.path()),
        STEPS,
        Some(access),
        Body::Empty,
    )
    .await
}

/// The names and decisions of steps, and every capability id each names, checked against
/// the details' capability results.
fn step_summary(steps: &Value, details: &Value) -> Vec<(String, String)> {
    let results: Vec<(String, String)> = details["capabilities"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(name, list)| {
            list.as_array()
                .unwrap()
                .iter()
                .map(move |r| (r["id"].as_str().unwrap().to_owned(), name.clone()))
        })
        .collect();
    let mut named = 0;
    let summary = steps["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            assert!(s["decision"].get("risk").is_none(), "no risk score: {s}");
            assert_eq!(s["decision"]["type"], s["decision"]["details"]["label"]);
            for id in s["capabilityIds"].as_array().unwrap() {
                assert!(
                    results.iter().any(|(r, _)| r == id.as_str().unwrap()),
                    "{id} is a capability result of the details"
                );
                named += 1;
            }
            (
                s["name"].as_str().unwrap().to_owned(),
                s["decision"]["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        named,
        results.len(),
        "every capability result is in one step"
    );
    summary
}

#[tokio::test]
async fn kyx_steps_group_the_capabilities_under_the_guides_names() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(10013)).await;
    let (status, before) = steps(&j, &access, &e).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before, json!({"steps": []}));
    let (_, details) = j.details(&access, &e).await;
    assert_eq!(
        details["steps"],
        json!({"href": j.server.url(&format!("{}/steps", e.path()))})
    );
    let id = e.cred("ID");
    j.add(&e, &id, "FRONT", png(1000, 700, 1)).await;
    j.add(&e, &id, "BACK", png(1000, 700, 2)).await;
    j.add(&e, &e.cred("SELFIE"), "FACE", png(700, 1000, 3))
        .await;
    let (status, _) = j.finalize(&e).await;
    assert_eq!(status, StatusCode::OK);
    let details = j.processed(&access, &e).await;
    assert!(details["decision"].get("risk").is_none(), "{details}");
    let (status, got) = steps(&j, &access, &e).await;
    assert_eq!(status, StatusCode::OK);
    // The guide's 10013 example: these four steps, in this order. Usability passed and the
    // rest was not executed, so ID_IV warns and the others were not executed.
    assert_eq!(
        step_summary(&got, &details),
        [
            pair("ID_IV", "WARNING"),
            pair("SCREENING", "NOT_EXECUTED"),
            pair("ADDRESS_VERIFICATION", "NOT_EXECUTED"),
            pair("DL_VERIFICATION", "NOT_EXECUTED"),
        ]
    );
    // The same ids at every read.
    let (_, again) = steps(&j, &access, &e).await;
    assert_eq!(again, got);

    // 10005: the prepared data's check belongs to the CPF validation step.
    let cpf = j.open(&access, guide_10005()).await;
    let (status, _) = j.prepared(&cpf, guide_prepared_data()).await;
    assert_eq!(status, StatusCode::OK);
    j.finalize(&cpf).await;
    let details = j.processed(&access, &cpf).await;
    let (_, got) = steps(&j, &access, &cpf).await;
    assert_eq!(
        step_summary(&got, &details),
        [pair("BRA_CPF_VALIDATION", "WARNING")]
    );

    // Not a KYX workflow: 404, and the details name no steps.
    let two = j.open(&access, key_only(2)).await;
    error(&steps(&j, &access, &two).await, 404);
    let (_, details) = j.details(&access, &two).await;
    assert!(details.get("steps").is_none(), "{details}");
    // Another tenant's execution does not exist.
    let beta = j.access(CLIENT_B).await;
    error(&steps(&j, &beta, &e).await, 404);
}

fn claims(jwt: &str) -> Value {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{jwt}");
    let decode = |p: &str| -> Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap(),
        )
        .unwrap()
    };
    let header = decode(parts[0]);
    assert_eq!(header["alg"], "RS256");
    decode(parts[1])
}

#[tokio::test]
async fn the_sdk_token_is_a_jwt_that_opens_its_execution_for_its_lifetime() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let mut body = key_only(2);
    body["tokenLifetime"] = json!("2h");
    let (status, created) = j.create(&access, body).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let e = Exec::from(&created);
    let sdk = created["sdk"]["token"].as_str().unwrap().to_owned();
    let c = claims(&sdk);
    assert_eq!(c["sub"], e.account);
    assert_eq!(c["wid"], e.id);
    let lifetime = c["exp"].as_i64().unwrap() - chrono::Utc::now().timestamp();
    assert!((7100..=7200).contains(&lifetime), "{lifetime}");

    // It opens the execution's credential calls, as its api.token does.
    let id = e.cred("ID");
    let (status, body) = j
        .send(
            Method::POST,
            &e.part(&id, "FRONT"),
            PART,
            Some(&sdk),
            Body::Files(vec![png(1000, 700, 1)]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["api"]["token"], sdk);
    // Not another execution's, nor the account and retrieval calls.
    let other = j.open(&access, key_only(2)).await;
    let (status, body) = j
        .send(
            Method::POST,
            &other.part(&other.cred("ID"), "FRONT"),
            PART,
            Some(&sdk),
            Body::Files(vec![png(1000, 700, 2)]),
        )
        .await;
    error(&(status, body), 404);
    error(
        &j.send(
            Method::PUT,
            &format!("/api/v1/accounts/{}", e.account),
            ACCOUNT,
            Some(&sdk),
            Body::Json(key_only(2)),
        )
        .await,
        401,
    );
    error(&j.status(&sdk, &e).await, 401);
    // A changed signature opens nothing; nor does the web token (another audience).
    let mut forged = sdk.clone().into_bytes();
    let at = forged.len() - 20;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let web = created["web"]["href"].as_str().unwrap();
    let web_token = web
        .split("authorizationToken=")
        .nth(1)
        .and_then(|t| t.split('&').next())
        .unwrap()
        .to_owned();
    for bad in [forged.as_str(), web_token.as_str()] {
        error(
            &j.send(Method::PUT, &e.path(), EXECUTION, Some(bad), Body::Empty)
                .await,
            401,
        );
    }
    j.add(&e, &id, "BACK", png(1000, 700, 3)).await;
    let (status, body) = j
        .send(Method::PUT, &e.path(), EXECUTION, Some(&sdk), Body::Empty)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Its execution deleted, it opens nothing.
    super::delete_execution(&j, &access, &e).await;
    error(
        &j.send(Method::PUT, &e.path(), EXECUTION, Some(&sdk), Body::Empty)
            .await,
        401,
    );
}

/// The KYX guide's initiate example: `web` with its URLs as given, an `href` to idbridge's
/// page carrying the locale, and `sdk`; a workflow whose credentials come only through the
/// API (10005's prepared data) has neither.
#[tokio::test]
async fn channels_are_answered_when_a_credential_takes_them() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let (status, created) = j.create(&access, guide_kyx_initiate()).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let href = created["web"]["href"].as_str().unwrap();
    assert!(
        href.starts_with(&j.server.url("/web/v4/app?authorizationToken="))
            && href.ends_with("&locale=es"),
        "{href}"
    );
    assert_eq!(
        created["web"]["successUrl"],
        "https://www.yourcompany.com/success"
    );
    assert_eq!(
        created["web"]["errorUrl"],
        "https://www.yourcompany.com/error"
    );
    assert!(created["sdk"]["token"].as_str().is_some());
    let (status, data_only) = j.create(&access, guide_10005()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        data_only.get("web").is_none() && data_only.get("sdk").is_none(),
        "{data_only}"
    );
    // Without web settings, only the href.
    let (_, plain) = j.create(&access, key_only(2)).await;
    let web = plain["web"].as_object().unwrap();
    assert_eq!(web.keys().collect::<Vec<_>>(), ["href"]);
}
