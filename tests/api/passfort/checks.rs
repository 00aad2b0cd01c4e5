//! Profiles created from a role alone, and DOCUMENT_VERIFICATION checks: run on a document
//! of the profile, never answered `Pass`, recorded and read back (through a restart too),
//! shown in the profile, and kept to their profile and tenant.

use super::*;

/// A passport with one FRONT image on a new profile of Ada's; returns (profile, document).
async fn passport(p: &Passfort, number: &str, expiry: &str) -> (String, String) {
    let id = p.individual("Ada", "Lovelace").await;
    let front = p.add_image_id(&id, &png(3), "FRONT").await;
    let doc = p
        .add_document(
            &id,
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [{"id": front}],
                   "extracted_data": {"number": number, "issuing_country": "GBR", "expiry": expiry}}),
        )
        .await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
    (id, doc.body["id"].as_str().unwrap().to_owned())
}

impl Passfort {
    /// `POST …/checks` with alpha's key, checked against both contracts.
    async fn run_check(&self, profile: &str, body: Value) -> Reply {
        self.post(&format!("/profiles/{profile}/checks"), CHECKS, body)
            .await
    }

    async fn checks(&self, profile: &str) -> Vec<Value> {
        let r = self
            .get(&format!("/profiles/{profile}/checks"), CHECKS)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body.as_array().unwrap().clone()
    }
}

/// The result of one field check.
fn field(check: &Value, name: &str) -> Value {
    let result = &check["output_data"]["documents"][0]["verification_result"];
    result["field_checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == name)
        .unwrap_or_else(|| panic!("no {name} in {result}"))["result"]
        .clone()
}

/// Asserts a 400 with code 105 CONSTRAINTS_NOT_SATISFIED naming `field`.
fn assert_unavailable(r: &Reply, field: &str, context: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{context}: {}", r.body);
    let e = first_error(r);
    assert_eq!(e["code"], 105, "{context}: {e}");
    assert_eq!(e["info"]["field"], field, "{context}: {e}");
}

#[tokio::test]
async fn a_role_alone_makes_a_profile_of_the_roles_entity_type() {
    let p = Passfort::start().await;
    for (body, entity) in [
        // gocardless/passfort's `profiles.create(role:)` sends `collected_data: {}`.
        (
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {}}),
            "INDIVIDUAL",
        ),
        (json!({"role": "INDIVIDUAL_ASSOCIATED"}), "INDIVIDUAL"),
        (
            json!({"role": "COMPANY_CUSTOMER", "collected_data": null}),
            "COMPANY",
        ),
        (
            json!({"role": "COMPANY_ASSOCIATED", "collected_data": {"entity_type": null}}),
            "COMPANY",
        ),
    ] {
        let made = p.create_profile_as(KEY_A, body.clone()).await;
        assert_eq!(
            made["collected_data"],
            json!({"entity_type": entity, "documents": []}),
            "{body}"
        );
        assert_eq!(made["role"], body["role"]);
        let id = made["id"].as_str().unwrap();
        assert_eq!(p.collected(id).await["entity_type"], entity, "stored");
    }
    // With other fields: they are checked against the role's entity type.
    let acme = p
        .create_profile_as(
            KEY_A,
            json!({"role": "COMPANY_CUSTOMER", "collected_data": {"metadata": {"name": "Acme Ltd", "number": "09565115", "country_of_incorporation": "GBR"}}}),
        )
        .await;
    assert_eq!(
        (
            &acme["display_name"],
            &acme["collected_data"]["entity_type"]
        ),
        (&json!("Acme Ltd"), &json!("COMPANY"))
    );
    let ada = p
        .create_profile_as(
            KEY_A,
            json!({"role": "INDIVIDUAL_CUSTOMER", "collected_data": {"personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}}}}),
        )
        .await;
    assert_eq!(ada["display_name"], "Ada Lovelace");
    // An entity type that contradicts the role names it; nothing is created.
    for (role, entity) in [
        ("INDIVIDUAL_CUSTOMER", "COMPANY"),
        ("COMPANY_ASSOCIATED", "INDIVIDUAL"),
    ] {
        let r = p
            .post(
                "/profiles",
                PROFILES,
                json!({"role": role, "collected_data": {"entity_type": entity}}),
            )
            .await;
        assert_invalid(&r, "collected_data.entity_type", role);
        let message = first_error(&r)["message"].as_str().unwrap();
        assert!(
            message.contains(role) && message.contains("left out"),
            "{message}"
        );
    }
    // The role's entity type decides what collected data may hold.
    for (role, data, field) in [
        (
            "COMPANY_CUSTOMER",
            json!({"metadata": {"name": 5}}),
            "collected_data.metadata.name",
        ),
        (
            "INDIVIDUAL_CUSTOMER",
            json!({"personal_details": {"gender": "X"}}),
            "collected_data.personal_details.gender",
        ),
    ] {
        let r = p
            .post(
                "/profiles",
                PROFILES,
                json!({"role": role, "collected_data": data}),
            )
            .await;
        assert_invalid(&r, field, role);
    }
    assert_eq!(p.get("/profiles", PROFILES).await.body["count"], 6);
}

#[tokio::test]
async fn document_verification_checks_what_it_can_and_never_passes() {
    let p = Passfort::start().await;
    let (id, doc) = passport(&p, "123456789", "2099-01-31").await;
    let r = p
        .run_check(
            &id,
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": doc}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let check = r.body;
    uuid(&check["id"]);
    assert_datetime(&check["performed_on"]);
    assert_eq!(check["check_type"], "DOCUMENT_VERIFICATION");
    assert_eq!(check["document_id"], doc);
    assert_eq!(check["state"], "COMPLETE");
    // Everything idbridge checked passed; what it cannot check keeps it from a Pass.
    assert_eq!(check["result"], "Error");
    assert_eq!(check["errors"].as_array().unwrap().len(), 1, "{check}");
    let e = &check["errors"][0];
    assert_eq!((&e["code"], &e["source"]), (&json!(105), &json!("ENGINE")));
    let not_performed = e["info"]["not_performed"].as_array().unwrap();
    for missing in ["forgery_checks", "document_type", "FIELD_DOB", "FIELD_MRZ"] {
        assert!(not_performed.contains(&json!(missing)), "{missing}: {e}");
    }
    assert!(!not_performed.contains(&json!("FIELD_NUMBER")), "{e}");
    assert_eq!(check["task_ids"], json!([]));
    assert_eq!(check["instructed_externally"], false);
    assert_eq!(check["providers"], json!([{"provider_name": "idbridge"}]));
    assert_eq!(check["output_data"]["entity_type"], "INDIVIDUAL");
    let documents = check["output_data"]["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 1);
    let checked = &documents[0];
    assert_eq!(checked["id"], doc);
    assert_eq!(checked["extracted_data"]["number"], "123456789");
    let result = &checked["verification_result"];
    assert_eq!(result["provider_name"], "idbridge");
    for unset in [
        "forgery_checks_passed",
        "forgery_checks",
        "document_type_passed",
        "image_checks_passed",
        "all_passed",
    ] {
        assert!(result.get(unset).is_none(), "{unset}: {result}");
    }
    assert_eq!(
        result["image_checks"],
        json!([
            {"category": "IMAGES_PRESENT", "type": "FRONT", "result": "PASS"},
            {"category": "IMAGE_FORMAT", "type": "FRONT", "result": "PASS"},
            {"category": "IMAGE_SIZE", "type": "FRONT", "result": "PASS"},
        ])
    );
    assert_eq!(result["field_checks"].as_array().unwrap().len(), 11);
    assert_eq!(field(&check, "FIELD_NUMBER"), "CHECK_VALID");
    assert_eq!(field(&check, "FIELD_EXPIRY"), "CHECK_VALID");
    for uncertain in [
        "FIELD_GIVEN_NAMES",
        "FIELD_FAMILY_NAME",
        "FIELD_DOB",
        "FIELD_NATIONALITY",
        "FIELD_GENDER",
        "FIELD_ISSUED",
        "FIELD_ADDRESS",
        "FIELD_ISSUING_COUNTRY",
        "FIELD_MRZ",
    ] {
        assert_eq!(field(&check, uncertain), "CHECK_UNCERTAIN", "{uncertain}");
    }
    assert!(
        result["error_reason"]
            .as_str()
            .unwrap()
            .contains("no forgery checks"),
        "{result}"
    );
    // It ran on the profile's data, with the document checked.
    let input = &check["input_data"];
    assert_eq!(input["entity_type"], "INDIVIDUAL");
    assert_eq!(input["personal_details"]["name"]["family_name"], "Lovelace");
    assert_eq!(ids(input["documents"].as_array().unwrap()), [doc.as_str()]);

    // Read back: alone, in the list, in the profile; the document itself is unchanged.
    let cid = check["id"].as_str().unwrap();
    let got = p.get(&format!("/profiles/{id}/checks/{cid}"), CHECK).await;
    assert_eq!((got.status, &got.body), (StatusCode::OK, &check));
    assert_eq!(p.checks(&id).await, std::slice::from_ref(&check));
    let profile = p.get(&format!("/profiles/{id}"), PROFILE).await;
    assert_eq!(profile.body["checks"], json!([check]));
    assert!(
        p.collected(&id).await["documents"][0]
            .get("verification_result")
            .is_none()
    );

    // A second check is listed after the first.
    let again = p
        .run_check(
            &id,
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": doc, "task_ids": [],
                   "instructed_externally": false, "variant": {"id": uuid::Uuid::new_v4()}}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_ne!(again.body["id"], check["id"]);
    assert_eq!(p.checks(&id).await, [check, again.body]);
}

#[tokio::test]
async fn what_a_verification_finds_wrong_is_a_fail() {
    let p = Passfort::start().await;
    let dv = |doc: &str| json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": doc});

    // Expired.
    let (id, doc) = passport(&p, "123456789", "2001-01-31").await;
    let r = p.run_check(&id, dv(&doc)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["result"], "Fail");
    assert_eq!(r.body["errors"], json!([]));
    assert_eq!(field(&r.body, "FIELD_EXPIRY"), "CHECK_INVALID");
    let result = &r.body["output_data"]["documents"][0]["verification_result"];
    assert_eq!(result["all_passed"], false);
    assert!(result.get("image_checks_passed").is_none(), "{result}");
    assert!(result.get("forgery_checks_passed").is_none(), "{result}");

    // A passport number longer than ICAO's nine characters.
    let (id, doc) = passport(&p, "1234567890", "2099-01-31").await;
    let r = p.run_check(&id, dv(&doc)).await;
    assert_eq!(
        (&r.body["result"], field(&r.body, "FIELD_NUMBER")),
        (&json!("Fail"), json!("CHECK_INVALID"))
    );

    // A British driving licence: a DVLA number, and a FRONT and a BACK.
    let id = p.individual("Ada", "Lovelace").await;
    let front = p.add_image_id(&id, &png(4), "FRONT").await;
    let back = p.add_image_id(&id, &png(5), "BACK").await;
    let licence = |number: &str, images: Value| {
        json!({"category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENCE", "images": images,
               "extracted_data": {"number": number, "issuing_country": "GBR"}})
    };
    let whole = p
        .add_document(
            &id,
            licence("MORGA657054SM9IJ", json!([{"id": front}, {"id": back}])),
        )
        .await;
    let r = p
        .run_check(&id, dv(whole.body["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (&r.body["result"], field(&r.body, "FIELD_NUMBER")),
        (&json!("Error"), json!("CHECK_VALID")),
        "{}",
        r.body
    );
    assert_eq!(
        field(&r.body, "FIELD_EXPIRY"),
        "CHECK_UNCERTAIN",
        "no expiry"
    );
    let front2 = p.add_image_id(&id, &png(6), "FRONT").await;
    let half = p
        .add_document(&id, licence("MORGA613054SM9IJ", json!([{"id": front2}])))
        .await;
    let r = p
        .run_check(&id, dv(half.body["id"].as_str().unwrap()))
        .await;
    assert_eq!(r.body["result"], "Fail");
    assert_eq!(field(&r.body, "FIELD_NUMBER"), "CHECK_INVALID", "month 13");
    let result = &r.body["output_data"]["documents"][0]["verification_result"];
    assert_eq!(
        result["image_checks"][1],
        json!({"category": "IMAGES_PRESENT", "type": "BACK", "result": "FAIL"})
    );
    assert_eq!(result["image_checks_passed"], false);
    assert!(
        result["error_reason"]
            .as_str()
            .unwrap()
            .contains("lacks the images"),
        "{result}"
    );
}

#[tokio::test]
async fn an_image_stored_through_ncore_is_held_to_passforts_formats() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let ident_id = p
        .ncore_at()
        .identification(
            &id,
            json!({"type": "PASSPORT", "number": "132123123", "issuing_country": "GBR"}),
        )
        .await;
    let ident_id = ident_id.as_str();
    // A BMP: nCore takes it, PassFort would not.
    let mut bmp = b"BM".to_vec();
    bmp.extend([0u8; 12]);
    bmp.extend(40u32.to_le_bytes());
    bmp.extend(2u32.to_le_bytes());
    bmp.extend(3u32.to_le_bytes());
    bmp.extend([1, 0, 24, 0]);
    bmp.extend([0u8; 64]);
    let page1 = ncore_file("PASSPORT_PAGE1", "page1.bmp", bmp);
    let (status, up) = p.ncore_at().upload(&id, ident_id, vec![page1]).await;
    assert_eq!(status, StatusCode::OK, "{up}");
    let r = p
        .run_check(
            &id,
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": ident_id}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["result"], "Fail");
    let result = &r.body["output_data"]["documents"][0]["verification_result"];
    assert_eq!(
        result["image_checks"],
        json!([
            {"category": "IMAGES_PRESENT", "type": "FRONT", "result": "PASS"},
            {"category": "IMAGE_FORMAT", "type": "FRONT", "result": "FAIL"},
            {"category": "IMAGE_SIZE", "type": "FRONT", "result": "PASS"},
        ])
    );
    assert_eq!(field(&r.body, "FIELD_NUMBER"), "CHECK_VALID");
}

#[tokio::test]
async fn checks_idbridge_cannot_run_are_refused_and_nothing_is_recorded() {
    let p = Passfort::start().await;
    let (id, doc) = passport(&p, "123456789", "2099-01-31").await;
    let (other, others_doc) = passport(&p, "987654321", "2099-01-31").await;
    let company = p
        .create_profile_as(KEY_A, json!({"role": "COMPANY_CUSTOMER"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for t in [
        "IDENTITY_CHECK",
        "DOCUMENT_FETCH",
        "PEPS_AND_SANCTIONS_SCREEN",
        "CRA_BANK_ACCOUNT_VERIFICATION",
        "COMPANY_REGISTRY",
        "COMPANY_CHARITIES_REGISTRY",
        "COMPANY_OWNERSHIP",
        "COMPANY_FILINGS",
        "COMPANY_FILING_PURCHASE",
        "COMPANY_PEPS_AND_SANCTIONS_SCREEN",
        "INDIVIDUAL_MANUAL_FORM",
        "COMPANY_MANUAL_FORM",
        "COMPANY_DOCUMENT_VERIFICATION",
    ] {
        let r = p
            .run_check(&id, json!({"check_type": t, "document_id": doc}))
            .await;
        assert_unavailable(&r, "check_type", t);
        assert!(
            first_error(&r)["message"].as_str().unwrap().contains(t),
            "{}",
            r.body
        );
    }
    let r = p
        .run_check(
            &company,
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": doc}),
        )
        .await;
    assert_unavailable(&r, "check_type", "a company");
    let r = p
        .run_check(
            &id,
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": doc, "instructed_externally": true,
                   "result": "Pass"}),
        )
        .await;
    assert_unavailable(&r, "instructed_externally", "run elsewhere");
    for (body, field) in [
        (
            json!({"check_type": "DOCUMENT_VERIFICATION"}),
            "document_id",
        ),
        (
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": null}),
            "document_id",
        ),
        (
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": "nope"}),
            "document_id",
        ),
        (
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": uuid::Uuid::new_v4()}),
            "document_id",
        ),
        (
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": others_doc}),
            "document_id",
        ),
        (
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": doc, "task_ids": [uuid::Uuid::new_v4()]}),
            "task_ids[0]",
        ),
        (json!({"document_id": doc}), "check_type"),
        (
            json!({"check_type": "ROBOT_CHECK", "document_id": doc}),
            "check_type",
        ),
        (json!(["DOCUMENT_VERIFICATION", doc]), "body"),
    ] {
        let r = p.run_check(&id, body.clone()).await;
        assert_invalid(&r, field, &body.to_string());
    }
    assert_eq!(p.checks(&id).await, Vec::<Value>::new());
    assert_eq!(p.checks(&other).await, Vec::<Value>::new());
    assert_eq!(p.checks(&company).await, Vec::<Value>::new());
    // Updating a check's tasks, approving or rejecting it: not served.
    let r = p
        .request(
            Auth::Header(KEY_A),
            Method::POST,
            &format!("/profiles/{id}/checks/{}", uuid::Uuid::new_v4()),
            None,
            Body::Json(json!({"task_ids": []})),
        )
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    let r = p
        .request(
            Auth::Header(KEY_A),
            Method::POST,
            &format!("/profiles/{id}/checks/{}/approve", uuid::Uuid::new_v4()),
            None,
            Body::Empty,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}

#[tokio::test]
async fn a_check_belongs_to_its_profile_and_tenant() {
    let p = Passfort::start().await;
    let (id, doc) = passport(&p, "123456789", "2099-01-31").await;
    let check = p
        .run_check(
            &id,
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": doc}),
        )
        .await
        .body;
    let cid = check["id"].as_str().unwrap();
    let other = p.individual("Grace", "Hopper").await;
    let nobody = uuid::Uuid::new_v4();
    for path in [
        format!("/profiles/{other}/checks/{cid}"),
        format!("/profiles/{id}/checks/{nobody}"),
        // A profile's own document or image is no check of it.
        format!("/profiles/{id}/checks/{doc}"),
    ] {
        let r = p.get(&path, CHECK).await;
        assert_not_found(&r, "check", &path);
    }
    assert_eq!(p.checks(&other).await, Vec::<Value>::new());
    let r = p
        .get(&format!("/profiles/{id}/checks/not-a-uuid"), CHECK)
        .await;
    assert_invalid(&r, "check_id", "malformed check id");
    let r = p.get(&format!("/profiles/{nobody}/checks"), CHECKS).await;
    assert_not_found(&r, "profile", "unknown profile");
    let r = p
        .run_check(
            &nobody.to_string(),
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": doc}),
        )
        .await;
    assert_not_found(&r, "profile", "unknown profile");
    // Tenant beta sees none of it, whatever ids it guesses.
    for (path, template) in [
        (format!("/profiles/{id}/checks"), CHECKS),
        (format!("/profiles/{id}/checks/{cid}"), CHECK),
    ] {
        let r = p
            .request(
                Auth::Header(KEY_B),
                Method::GET,
                &path,
                Some(template),
                Body::Empty,
            )
            .await;
        assert_not_found(&r, "profile", &path);
    }
    let beta = p
        .create_profile_as(KEY_B, individual_body("Beta", "Person"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = p
        .request(
            Auth::Header(KEY_B),
            Method::GET,
            &format!("/profiles/{beta}/checks/{cid}"),
            Some(CHECK),
            Body::Empty,
        )
        .await;
    assert_not_found(&r, "check", "beta's profile, alpha's check");
    let r = p
        .request(
            Auth::Header(KEY_B),
            Method::POST,
            &format!("/profiles/{beta}/checks"),
            Some(CHECKS),
            Body::Json(json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": doc})),
        )
        .await;
    assert_invalid(&r, "document_id", "alpha's document from beta");
}

#[tokio::test]
async fn a_check_is_kept_as_it_ran_through_changes_and_restarts() {
    let p = Passfort::start().await;
    let (id, doc) = passport(&p, "123456789", "2099-01-31").await;
    let dv = json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": doc});
    let first = p.run_check(&id, dv.clone()).await.body;
    assert_eq!(first["result"], "Error");
    // The document changes: the check says what was true when it ran; a new one sees the
    // change.
    let mut collected = p.collected(&id).await;
    collected["documents"][0]["extracted_data"]["expiry"] = json!("2002-02-02");
    let r = p
        .post(
            &format!("/profiles/{id}/collected_data"),
            COLLECTED,
            collected,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let second = p.run_check(&id, dv).await.body;
    assert_eq!(second["result"], "Fail");
    // The document goes: its checks stay.
    let r = p
        .post(
            &format!("/profiles/{id}/collected_data"),
            COLLECTED,
            json!({"entity_type": "INDIVIDUAL", "documents": []}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let before = p.checks(&id).await;
    assert_eq!(before, [first.clone(), second.clone()]);

    let Passfort {
        server,
        contract,
        ncore,
    } = p;
    let p = Passfort {
        server: server.restart().await,
        contract,
        ncore,
    };
    assert_eq!(p.checks(&id).await, before);
    let cid = second["id"].as_str().unwrap();
    let r = p.get(&format!("/profiles/{id}/checks/{cid}"), CHECK).await;
    assert_eq!((r.status, &r.body), (StatusCode::OK, &second));
    let profile = p.get(&format!("/profiles/{id}"), PROFILE).await;
    assert_eq!(profile.body["checks"], json!(before));
}
