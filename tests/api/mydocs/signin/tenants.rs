//! Sign-in across tenants, hosts and shared emails.

use super::*;

/// A sign-in on `host` (the `Host` header), with a fresh wizard uuid.
async fn sign_in_at(m: &Mydocs, host: &str, email: &str, password: &str) -> (StatusCode, Value) {
    let uuid = wizard(m).await;
    let res = m
        .server
        .client
        .post(m.server.url(SIGNIN))
        .header("host", host)
        .json(&signin_body(&uuid, email, password))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    m.contract.check("POST", SIGNIN, status.as_u16(), &body);
    (status, body)
}

#[tokio::test]
async fn a_sign_in_on_a_tenants_host_finds_only_that_tenants_accounts() {
    let m = Mydocs::start_with(|c| {
        c.tenants[0].b2core_hosts = vec!["broker-a.example".into()];
    })
    .await;
    assert_eq!(m.server.config.tenants[0].id, "alpha");
    let email = "same@example.com";
    let (in_alpha, in_beta) = (m.client(ADMIN_A).await, m.client(ADMIN_B).await);
    account_of(&m, ADMIN_A, in_alpha.subject, email, "alpha-password").await;
    account_of(&m, ADMIN_B, in_beta.subject, email, "beta-password").await;
    // Alpha's client has two documents, beta's one: the lists tell the subjects apart.
    for i in 1..=2 {
        m.add_ok(&in_alpha.token, typed("1", vec![("a.png", png(i))]))
            .await;
    }
    m.add_ok(&in_beta.token, typed("1", vec![("b.png", png(9))]))
        .await;
    let alpha_list = m.ids(&in_alpha.token, "").await;
    let beta_list = m.ids(&in_beta.token, "").await;
    let plain_host = m.server.base.trim_start_matches("http://").to_owned();

    for (host, password, opens) in [
        ("broker-a.example", "alpha-password", Some(&alpha_list)),
        ("BROKER-A.Example:8443", "alpha-password", Some(&alpha_list)),
        ("broker-a.example", "beta-password", None),
        ("other.example", "beta-password", Some(&beta_list)),
        ("other.example", "alpha-password", None),
        (plain_host.as_str(), "beta-password", Some(&beta_list)),
        (plain_host.as_str(), "alpha-password", None),
    ] {
        let (status, body) = sign_in_at(&m, host, email, password).await;
        match opens {
            Some(list) => {
                assert_eq!(status, StatusCode::OK, "{host} {password}: {body}");
                let p = pair(&m, &body);
                assert_eq!(&m.ids(&p.access, "").await, list, "{host} {password}");
            }
            None => assert_eq!(
                (status, body),
                (StatusCode::UNAUTHORIZED, wrong_credentials()),
                "{host} {password}"
            ),
        }
    }
}

#[tokio::test]
async fn two_tenants_may_give_one_email_an_account_each() {
    let m = Mydocs::start().await;
    let email = "shared@example.com";
    let a = account(&m, ADMIN_A, email, "password-of-alpha").await;
    let b = account(&m, ADMIN_B, "Shared@Example.com", "password-of-beta").await;
    let (pa, pb) = (signed_in_as(&m, &a).await, signed_in_as(&m, &b).await);
    m.add_ok(&pa.access, typed("1", vec![("a.png", png(1))]))
        .await;
    let doc = m
        .add_ok(&pb.access, typed("2", vec![("b.png", png(2))]))
        .await;
    // Each password opened its own tenant's subject.
    let in_beta = m
        .server
        .store
        .get_document_by_seq(&b.tenant, doc["id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(in_beta.subject_id, b.subject);
    assert_eq!(m.ids(&pa.access, "").await.0, 1);
    assert_eq!(m.ids(&pb.access, "").await.0, 1);
    let (status, page) = m.list(&pb.access, "").await;
    assert_eq!(
        (status, page["data"][0]["typeId"].as_u64()),
        (StatusCode::OK, Some(2))
    );
}
