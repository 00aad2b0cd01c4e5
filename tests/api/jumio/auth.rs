//! Jumio authentication as production clients use it: HTTP Basic with the API token and
//! secret on account and retrieval calls, the OAuth2 access token on credential calls, access
//! tokens that outlive a restart, and the bound on wrong credentials.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{
    ACCOUNT, ACCOUNTS, CLIENT_A, CLIENT_B, Exec, Jumio, PART, STATUS, UA, error, key_only, png,
};

/// alpha's HTTP Basic pair (set apart from its OAuth2 client pair in the test configuration).
const API_A: (&str, &str) = ("test-jumio-api-alpha", "test-jumio-api-secret-alpha");

impl Jumio {
    /// A call with HTTP Basic credentials, checked against the contract.
    async fn basic(
        &self,
        method: Method,
        path: &str,
        template: &str,
        (user, password): (&str, &str),
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method.clone(), self.url(path))
            .header("accept", "application/json")
            .header("user-agent", UA)
            .basic_auth(user, Some(password));
        if let Some(body) = body {
            req = req.json(&body);
        }
        self.answer(req, method.as_str(), template).await
    }
}

#[tokio::test]
async fn basic_credentials_open_account_and_retrieval_calls() {
    let j = Jumio::start().await;
    let (status, created) = j
        .basic(Method::POST, ACCOUNTS, ACCOUNTS, API_A, Some(key_only(2)))
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let e = Exec::from(&created);
    // The part goes in with the execution's api.token, as Jumio's guide has it.
    j.add(&e, &e.cred("ID"), "FRONT", png(900, 600, 1)).await;
    let (status, updated) = j
        .basic(
            Method::PUT,
            &format!("/api/v1/accounts/{}", e.account),
            ACCOUNT,
            API_A,
            Some(key_only(2)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["account"]["id"], json!(e.account));
    let (status, body) = j
        .basic(
            Method::GET,
            &format!("{}/status", e.path()),
            STATUS,
            API_A,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["workflowExecution"]["id"], json!(e.id));
    assert_eq!(body["workflowExecution"]["status"], "INITIATED");
    let image = j
        .server
        .client
        .get(j.url(&e.image(&e.cred("ID"), "FRONT")))
        .header("user-agent", UA)
        .basic_auth(API_A.0, Some(API_A.1))
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.bytes().await.unwrap().to_vec(), png(900, 600, 1));

    // beta has no API pair of its own: its client id and secret are its Basic pair, as
    // Jumio builds both from one API token and secret. They open beta's tenant only.
    let (status, _) = j
        .basic(
            Method::POST,
            ACCOUNTS,
            ACCOUNTS,
            CLIENT_B,
            Some(key_only(2)),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = j
        .basic(
            Method::GET,
            &format!("{}/status", e.path()),
            STATUS,
            CLIENT_B,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // alpha's OAuth2 pair is not its Basic pair; a wrong secret is refused, as is Basic on
    // the credential calls (those take the api.token or an access token).
    for wrong in [
        CLIENT_A,
        ("test-jumio-api-alpha", "test-jumio-api-secret-beta"),
    ] {
        let res = j
            .basic(Method::POST, ACCOUNTS, ACCOUNTS, wrong, Some(key_only(2)))
            .await;
        assert_eq!(error(&res, 401), None);
    }
    let res = j
        .basic(
            Method::DELETE,
            &e.part(&e.cred("ID"), "FRONT"),
            PART,
            API_A,
            None,
        )
        .await;
    error(&res, 401);
    // Nothing of it was stored: alpha still has the one account, its FRONT in place.
    let image = j
        .image(&j.access(CLIENT_A).await, &e.image(&e.cred("ID"), "FRONT"))
        .await;
    assert_eq!(image.0, StatusCode::OK);
}

#[tokio::test]
async fn an_access_token_opens_its_tenants_credential_calls() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    // The access token in place of the api.token, as a Jumio employee's demo sends it.
    let by_access = Exec {
        token: access.clone(),
        ..e.clone()
    };
    let answer = j
        .add(&by_access, &e.cred("ID"), "FRONT", png(900, 600, 1))
        .await;
    assert_eq!(
        answer["api"]["token"],
        json!(access),
        "the token the call came with"
    );
    j.add(&by_access, &e.cred("ID"), "BACK", png(900, 600, 3))
        .await;
    let (status, done) = j.finalize(&by_access).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["workflowExecution"]["id"], json!(e.id));
    // Another tenant's access token finds none of it, and an unknown one opens nothing.
    let beta = Exec {
        token: j.access(CLIENT_B).await,
        ..e.clone()
    };
    error(
        &j.part(
            &beta,
            Method::PUT,
            &e.cred("ID"),
            "FRONT",
            vec![png(900, 600, 2)],
        )
        .await,
        404,
    );
    let nobody = Exec {
        token: "idb_jumio_access_0000".into(),
        ..e.clone()
    };
    error(
        &j.part(
            &nobody,
            Method::PUT,
            &e.cred("ID"),
            "FRONT",
            vec![png(900, 600, 2)],
        )
        .await,
        401,
    );
}

#[tokio::test]
async fn access_tokens_survive_a_restart_and_are_stored_hashed() {
    let j = Jumio::start().await;
    let access = j.access(CLIENT_A).await;
    let e = j.open(&access, key_only(2)).await;
    let server = j.server.restart().await;
    let j = Jumio::over(server);
    let (status, body) = j.status(&access, &e).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Only a digest is kept: the token's text is nowhere in the database.
    let db = std::fs::read(j.server.dir.path().join("idbridge.db")).unwrap();
    let wal = std::fs::read(j.server.dir.path().join("idbridge.db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(
            !bytes.windows(access.len()).any(|w| w == access.as_bytes()),
            "the access token is stored in clear"
        );
    }
}

#[tokio::test]
async fn wrong_credentials_are_refused_for_a_while_past_the_bound() {
    let j = Jumio::start_with(|c| {
        c.server.sign_in_limits.failures_per_account = 3;
        c.server.sign_in_limits.failures_per_address = 5;
    })
    .await;
    for _ in 0..3 {
        let res = j
            .token_request(
                Some((CLIENT_A.0, "wrong-secret")),
                "grant_type=client_credentials",
                true,
            )
            .await;
        error(&res, 401);
    }
    // The right secret now waits too: the bound holds whatever is guessed next.
    let res = j
        .token_request(Some(CLIENT_A), "grant_type=client_credentials", true)
        .await;
    error(&res, 429);
    let retry = j
        .server
        .client
        .post(j.server.url("/oauth2/token"))
        .header("user-agent", UA)
        .basic_auth(CLIENT_A.0, Some(CLIENT_A.1))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status(), StatusCode::TOO_MANY_REQUESTS);
    let secs: u64 = retry.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&secs), "{secs}");
    // Another client id is still let in, until the address has failed 5 times in all.
    j.access(CLIENT_B).await;
    for _ in 0..2 {
        let res = j
            .basic(
                Method::POST,
                ACCOUNTS,
                ACCOUNTS,
                ("someone", "else"),
                Some(key_only(2)),
            )
            .await;
        error(&res, 401);
    }
    let res = j
        .basic(
            Method::POST,
            ACCOUNTS,
            ACCOUNTS,
            CLIENT_B,
            Some(key_only(2)),
        )
        .await;
    error(&res, 429);
}
