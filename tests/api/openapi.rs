//! The committed OpenAPI documents are exactly what the code generates, and what it serves.

use crate::common::TestServer;

#[test]
fn committed_documents_are_current() {
    let config = idbridge::config::Config::default();
    let docs = idbridge::adapters::openapi_documents(&config);
    assert!(!docs.is_empty());
    for (name, doc) in docs {
        let path = format!("{}/openapi/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        let generated = idbridge::adapters::render_openapi(&doc).unwrap();
        assert!(
            committed == generated,
            "{path} is stale: run `cargo run -- openapi` and commit the result"
        );
    }
}

#[tokio::test]
async fn served_documents_match_the_committed_ones() {
    let s = TestServer::start().await;
    for (name, server, paths) in [
        (
            "admin",
            "/admin/v1",
            vec![
                "/audit",
                "/audit/export",
                "/retention",
                "/service-accounts",
                "/service-accounts/{account_id}",
                "/subjects",
                "/subjects/{subject_id}",
                "/subjects/{subject_id}/aliases",
                "/subjects/{subject_id}/client-accounts",
                "/subjects/{subject_id}/client-accounts/{account_id}/password",
                "/subjects/{subject_id}/client-tokens",
            ],
        ),
        (
            "ncore",
            "/v1",
            vec![
                "/users",
                "/users/{user_id}",
                "/users/{user_id}/identifications",
                "/users/{user_id}/identifications/{identification_id}",
                "/users/{user_id}/identifications/{identification_id}/files",
                "/users/{user_id}/identifications/{identification_id}/files/{file_id}",
                "/users/{user_id}/identifications/{identification_id}/files/{file_id}:browse",
                "/users/{user_id}/identifications/{identification_id}/files/{file_id}:download",
            ],
        ),
        (
            "masstack",
            "/v1",
            vec![
                "/oauth2/token",
                "/orgs/{org_id}/identifications/identity_document",
                "/orgs/{org_id}/identifications/identity_document/{admin_identification_id}/close",
                "/orgs/{org_id}/identifications/identity_document/{identification_id}",
            ],
        ),
        (
            "jumio",
            "/",
            vec![
                "/api/v1/accounts",
                "/api/v1/accounts/{accountId}",
                "/api/v1/accounts/{accountId}/credentials/{credentialId}/parts/{classifier}",
                "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}",
                "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/data",
                "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts",
                "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/PREPARED_DATA",
                "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/{classifier}",
                "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/prefill",
                "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/status",
                "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/steps",
                "/oauth2/token",
                "/web/v4/app",
            ],
        ),
        (
            "mydocs",
            "/",
            vec![
                "/api/v2/documents",
                "/api/v2/documents/{documentId}",
                "/api/v2/my/documents",
                "/api/v2/my/documents/types",
                "/api/v2/my/documents/{documentId}",
                "/api/v2/my/documents/{documentId}/files/{fileId}",
                "/api/v2/my/files",
                "/api/v2/my/refresh",
                "/api/v2/my/signin",
                "/api/v2/my/signin/wizard",
                "/api/v2/my/signout",
                "/api/v2/refresh",
                "/api/v2/signin",
                "/api/v2/signout",
            ],
        ),
        (
            "passfort",
            "/4.0",
            vec![
                "/profiles",
                "/profiles/{profile_id}",
                "/profiles/{profile_id}/checks",
                "/profiles/{profile_id}/checks/{check_id}",
                "/profiles/{profile_id}/collected_data",
                "/profiles/{profile_id}/collected_data/documents",
                "/profiles/{profile_id}/document_images",
                "/profiles/{profile_id}/document_images/{document_image_id}",
                "/profiles/{profile_id}/files",
                "/profiles/{profile_id}/files/{file_id}",
            ],
        ),
    ] {
        let served: serde_json::Value = s
            .client
            .get(s.url(&format!("/openapi/{name}.json")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let file = format!("{}/openapi/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let committed: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(served, committed, "{name}");
        assert_eq!(served["openapi"], "3.1.0");
        assert_eq!(served["servers"][0]["url"], server);
        let served_paths: Vec<&String> = served["paths"].as_object().unwrap().keys().collect();
        assert_eq!(served_paths, paths, "{name}");
    }
}

#[test]
fn the_upload_form_spells_out_its_encoding() {
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/ncore.json"))
            .unwrap(),
    )
    .unwrap();
    let form = &committed["paths"]["/users/{user_id}/identifications/{identification_id}/files"]["put"]
        ["requestBody"]["content"]["multipart/form-data"];
    let file_types = form["encoding"]["file"]["contentType"].as_str().unwrap();
    for mime in [
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/bmp",
        "application/msword",
    ] {
        assert!(
            file_types.contains(mime),
            "{mime} missing from {file_types}"
        );
    }
    assert_eq!(
        form["encoding"]["identification_document_type"]["contentType"],
        "text/plain"
    );
}
