//! The PassFort 4.0 profiles API over HTTP, as a PassFort client uses it. Every JSON body is
//! checked twice: against the OpenAPI document idbridge generates for the adapter, and against
//! the matching schema of PassFort's own OpenAPI document.

use crate::common::ADMIN_A;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use bytes::Bytes;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::fixtures::png_small as png;
use crate::common::passfort::*;

mod across_vendors;
mod checks;
mod collected;
mod documents;
mod files;
mod limits;
mod profiles;
mod rate;
mod regressions;

#[test]
fn passforts_own_schemas_are_really_checked() {
    // Guards the checks above against passing vacuously (a $ref not followed, a draft that
    // ignores a keyword): each of these must be refused.
    let id = "01a201ee-fd60-73f9-a551-c102e8094f79";
    let refused = [
        (
            "DocumentImageResource",
            json!({"id": id, "image_type": "SIDE", "upload_date": "2019-10-03 14:05:19"}),
        ),
        (
            "DocumentImageResource",
            json!({"id": id, "image_type": "FRONT", "upload_date": "2019-10-03T14:05:19Z"}),
        ),
        ("FileResource", json!({"name": "x", "decrypted_data": ""})),
        ("FileResource", json!({"id": "not-a-uuid", "name": "x"})),
        (
            "Document",
            json!({"id": id, "category": "PROOF_OF_IDENTITY", "document_type": "DRIVING_LICENSE", "images": []}),
        ),
        (
            "Document",
            json!({"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [], "colour": "red"}),
        ),
        ("EntityData", json!({"entity_type": "ROBOT"})),
        (
            "EntityData",
            json!({"entity_type": "INDIVIDUAL", "documents": [{"category": "X"}]}),
        ),
        ("ProfileResource", json!({"id": id, "role": "CUSTOMER"})),
        (
            "CheckResource",
            json!({"check_type": "DOCUMENT_VERIFICATION", "result": "Error"}),
        ),
        (
            "CheckResource",
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": id, "result": "Passed"}),
        ),
        (
            "CheckResource",
            json!({"check_type": "DOCUMENT_VERIFICATION", "document_id": id,
                   "output_data": {"documents": [{"category": "PROOF_OF_IDENTITY", "document_type": "PASSPORT", "images": [],
                                                  "verification_result": {"field_checks": [{"field": "FIELD_DOB", "result": "MAYBE"}]}}]}}),
        ),
        (
            "ProfileResource",
            json!({"id": id, "category": "APPLICANT", "creation_date": "yesterday"}),
        ),
        (
            "ProfileSearchResults",
            json!({"count": 0, "limit": 50, "offset": 0, "results": []}),
        ),
        (
            "Error",
            json!({"code": "201", "message": "m", "source": "API", "info": {}}),
        ),
        (
            "Error",
            json!({"code": 201, "message": "m", "source": "SERVER", "info": {}}),
        ),
    ];
    for (name, body) in refused {
        assert!(
            !vendor_schemas()[name].is_valid(&body),
            "PassFort's {name} accepted {body}"
        );
    }
    let accepted = [
        (
            "DocumentImageResource",
            json!({"id": id, "image_type": "FACE", "upload_date": "2019-10-03 14:05:19"}),
        ),
        (
            "EntityData",
            json!({"entity_type": "COMPANY", "documents": [], "metadata": {"name": "Acme"}}),
        ),
        (
            "ProfileSearchResults",
            json!({"count": 0, "limit": 50, "offset": 0, "results": [], "associated_results": []}),
        ),
    ];
    for (name, body) in accepted {
        vendor_check(name, &body, "a valid example");
    }
}

// ---------------------------------------------------------------------------------------
// The seed's examples

#[tokio::test]
async fn the_seed_examples_run_end_to_end() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;

    // Add a file: the seed's body and response shape.
    let file = p
        .add_file(
            &id,
            json!({ "data": SEED_FILE, "name": "PEP Declaration Form" }),
        )
        .await;
    assert_eq!(file["name"], "PEP Declaration Form");
    assert_eq!(file["decrypted_data"], "");
    let file_id = uuid(&file["id"]).to_string();
    assert_eq!(
        file.as_object().unwrap().len(),
        3,
        "decrypted_data, id, name: {file}"
    );

    // Get it: the seed's POST form and the spec's GET form both carry the content.
    let path = format!("/profiles/{id}/files/{file_id}");
    let by_post = p.call(Method::POST, &path, FILE, Body::Empty).await;
    assert_eq!(by_post.status, StatusCode::OK, "{}", by_post.body);
    assert_eq!(
        by_post.body,
        json!({"id": file_id, "name": "PEP Declaration Form", "decrypted_data": SEED_FILE})
    );
    let by_get = p.get(&path, FILE).await;
    assert_eq!(
        (by_get.status, &by_get.body),
        (StatusCode::OK, &by_post.body)
    );
    assert_eq!(
        p.read_file(&id, &file_id).await,
        B64.decode(SEED_FILE).unwrap()
    );

    // Add the FRONT and FACE document images of the seed.
    let front = p
        .add_image(&id, json!({ "data": SEED_FILE, "image_type": "FRONT" }))
        .await;
    let face = p
        .add_image(&id, json!({ "data": SEED_FACE, "image_type": "FACE" }))
        .await;
    for (img, t) in [(&front, "FRONT"), (&face, "FACE")] {
        uuid(&img["id"]);
        assert_eq!(img["image_type"], t);
        assert_datetime(&img["upload_date"]);
        assert_eq!(
            img.as_object().unwrap().len(),
            3,
            "id, image_type, upload_date: {img}"
        );
    }
    let (front_id, face_id) = (
        front["id"].as_str().unwrap().to_owned(),
        face["id"].as_str().unwrap().to_owned(),
    );
    assert_ne!(front_id, face_id);
    assert_ne!(front_id, file_id);

    // The seed's list form: POST …/document_images without a body. The plain file is not
    // a document image.
    let listed = p.post_image_list(&id, Body::Empty).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body, json!([front, face]));
    assert_eq!(p.images(&id).await, vec![front.clone(), face.clone()]);

    // Create the document with the seed's body, using the ids the uploads returned.
    let doc = p
        .add_document(
            &id,
            json!({
                "category": "PROOF_OF_IDENTITY",
                "document_type": "PASSPORT",
                "images": [ { "id": front_id }, { "id": face_id } ]
            }),
        )
        .await;
    assert_eq!(doc.status, StatusCode::OK, "{}", doc.body);
    let doc = doc.body;
    uuid(&doc["id"]);
    assert_eq!(doc["category"], "PROOF_OF_IDENTITY");
    assert_eq!(doc["document_type"], "PASSPORT");
    assert_eq!(
        doc["images"],
        json!([front, face]),
        "the images come back with image_type and upload_date"
    );

    // The seed's POST …/collected_data without a body returns everything collected.
    let posted = p
        .call(
            Method::POST,
            &format!("/profiles/{id}/collected_data"),
            COLLECTED,
            Body::Empty,
        )
        .await;
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.body);
    assert_eq!(
        posted.body,
        json!({
            "entity_type": "INDIVIDUAL",
            "personal_details": {"name": {"given_names": ["Ada"], "family_name": "Lovelace"}},
            "documents": [doc],
        })
    );
    assert_eq!(p.collected(&id).await, posted.body);

    // The profile shows all of it; its images' bytes are readable as files.
    let profile = p.get(&format!("/profiles/{id}"), PROFILE).await;
    assert_eq!(profile.status, StatusCode::OK);
    assert_eq!(profile.body["collected_data"], posted.body);
    assert_eq!(profile.body["document_images"], json!([front, face]));
    assert_eq!(
        p.read_file(&id, &face_id).await,
        B64.decode(SEED_FACE).unwrap()
    );
}

// ---------------------------------------------------------------------------------------
// Authentication

#[tokio::test]
async fn the_api_key_goes_in_the_header_or_the_query_and_is_checked() {
    let p = Passfort::start().await;
    let id = p.individual("Ada", "Lovelace").await;
    let one = format!("/profiles/{id}");

    let by_header = p
        .request(
            Auth::Header(KEY_A),
            Method::GET,
            &one,
            Some(PROFILE),
            Body::Empty,
        )
        .await;
    let by_query = p
        .request(
            Auth::Query(KEY_A),
            Method::GET,
            &one,
            Some(PROFILE),
            Body::Empty,
        )
        .await;
    assert_eq!(by_header.status, StatusCode::OK);
    assert_eq!(
        (by_query.status, &by_query.body),
        (StatusCode::OK, &by_header.body)
    );
    // The query form works beside other query parameters and for writes too.
    let listed = p
        .request(
            Auth::Query(KEY_A),
            Method::GET,
            "/profiles?limit=5",
            Some(PROFILES),
            Body::Empty,
        )
        .await;
    assert_eq!(
        (listed.status, listed.body["count"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    let created = p
        .request(
            Auth::Query(KEY_A),
            Method::POST,
            "/profiles",
            Some(PROFILES),
            Body::Json(individual_body("Grace", "Hopper")),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);

    let cases: Vec<(Method, String, &str, Body)> = vec![
        (Method::GET, one.clone(), PROFILE, Body::Empty),
        (Method::GET, "/profiles".into(), PROFILES, Body::Empty),
        (
            Method::POST,
            "/profiles".into(),
            PROFILES,
            Body::Json(individual_body("X", "Y")),
        ),
        (
            Method::POST,
            format!("/profiles/{id}/files"),
            FILES,
            Body::Json(json!({"data": SEED_FILE})),
        ),
        (
            Method::GET,
            format!("/profiles/{id}/document_images"),
            IMAGES,
            Body::Empty,
        ),
        (
            Method::POST,
            format!("/profiles/{id}/collected_data"),
            COLLECTED,
            Body::Empty,
        ),
    ];
    let stored = p.files_stored().await;
    for (method, path, template, body) in cases {
        let body_again = match &body {
            Body::Json(v) => Body::Json(v.clone()),
            _ => Body::Empty,
        };
        let missing = p
            .request(Auth::None, method.clone(), &path, Some(template), body)
            .await;
        assert_eq!(
            (missing.status, &first_error(&missing)["code"]),
            (StatusCode::UNAUTHORIZED, &json!(203)),
            "{method} {path}: {}",
            missing.body
        );
        assert_eq!(first_error(&missing)["source"], "API");
        for wrong in ["wrong-key-123", ADMIN_A, "test-masstack-key-alpha", ""] {
            for auth in [Auth::Header(wrong), Auth::Query(wrong)] {
                let body = match &body_again {
                    Body::Json(v) => Body::Json(v.clone()),
                    _ => Body::Empty,
                };
                let r = p
                    .request(auth, method.clone(), &path, Some(template), body)
                    .await;
                assert_eq!(
                    (r.status, &first_error(&r)["code"]),
                    (StatusCode::UNAUTHORIZED, &json!(204)),
                    "{method} {path} with {wrong:?}: {}",
                    r.body
                );
            }
        }
    }
    assert_eq!(
        p.files_stored().await,
        stored,
        "an unauthenticated upload was kept"
    );
    let count = p.get("/profiles", PROFILES).await.body["count"].as_u64();
    assert_eq!(
        count,
        Some(2),
        "an unauthenticated POST /profiles created one"
    );
}
