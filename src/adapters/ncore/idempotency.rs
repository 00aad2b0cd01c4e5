//! `x-nymos-idempotency-key` on nCore's POSTs ("All nCore POST requests are
//! idempotency-capable", API core principles): the first request with a key runs and its
//! answer is kept; a retry with the same key and the same request gets that answer again; a
//! retry with another request is refused, as is one arriving while the first still runs.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};

use super::error::NcoreError;
use super::mapping::NAMESPACE;
use crate::adapters::common::api_document::parameter;
use crate::error::Error;
use crate::model::{Namespace, TenantId};
use crate::state::AppState;
use crate::store::Claim;

/// The idempotency header.
pub const HEADER: &str = "x-nymos-idempotency-key";

/// The idempotency header as an OpenAPI parameter of every nCore POST.
pub struct IdempotencyKey;

impl utoipa::IntoParams for IdempotencyKey {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let string_or_null = SchemaType::from_iter([Type::String, Type::Null]);
        vec![parameter(
            HEADER,
            ParameterIn::Header,
            "Retries with the same key and body return the first response; another body is a 409",
            Required::False,
            ObjectBuilder::new().schema_type(string_or_null),
        )]
    }
}

/// Runs `operation` once per idempotency key (when the request carries one) and answers 200
/// with its JSON. `request` names the request the key was used for: its parts are hashed,
/// separated by a 0 byte, so a key sent again with another path or body is a mismatch. A
/// request that failed does not keep its key.
pub async fn once<T, F>(
    state: &AppState,
    tenant: &TenantId,
    headers: &HeaderMap,
    request: &[&[u8]],
    operation: F,
) -> Result<Response, NcoreError>
where
    T: Serialize,
    F: Future<Output = Result<T, NcoreError>>,
{
    let key = match headers.get(HEADER) {
        Some(v) => Some(
            v.to_str()
                .map_err(|_| Error::invalid(HEADER, "must be visible ASCII"))?,
        ),
        None => None,
    };
    let ns = Namespace::new(NAMESPACE).map_err(Error::internal)?;
    if let Some(key) = key {
        let mut fingerprint = Sha256::new();
        for (i, part) in request.iter().enumerate() {
            if i > 0 {
                fingerprint.update([0]);
            }
            fingerprint.update(part);
        }
        let fingerprint = hex::encode(fingerprint.finalize());
        match state
            .store
            .claim_idempotency(tenant, &ns, key, &fingerprint)
            .await?
        {
            Claim::New => {}
            Claim::Replay { status, body } => {
                let status = StatusCode::from_u16(status).map_err(Error::internal)?;
                return Ok(
                    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
                );
            }
            Claim::Mismatch => return Err(NcoreError::DuplicateRequest),
            Claim::InProgress => return Err(NcoreError::RequestInProgress),
        }
    }
    let done = operation.await;
    if let Some(key) = key {
        match &done {
            Ok(value) => {
                let body = serde_json::to_string(value).map_err(Error::internal)?;
                state
                    .store
                    .complete_idempotency(tenant, &ns, key, StatusCode::OK.as_u16(), &body)
                    .await?;
            }
            Err(_) => state.store.release_idempotency(tenant, &ns, key).await?,
        }
    }
    Ok(axum::Json(done?).into_response())
}
