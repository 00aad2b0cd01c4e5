//! Prepared data (`…/parts/PREPARED_DATA`, DATA credentials) and prefill (ID credentials):
//! the personal-data body stored on the execution, and the canonical document it declares.

use uuid::Uuid;

use super::accounts::Body;
use super::error::JumioError;
use super::mapping::{self, StoredCredential};
use super::parts::{
    OnCredential, PartDeleteRefusals, PrefillRefusals, PreparedDataRefusals, action,
    credential_document, drop_part, extras,
};
use super::personal::{
    PersonalBody, check_patch, new_document, patch_of, patch_replacing, personal, personal_field,
};
use super::wire::{Category, ErrorBody, PartResponse};
use crate::error::Error;
use crate::model::{DocumentKind, DocumentPatch, TenantId};
use crate::ops::{self, data::Declared};
use crate::state::AppState;

/// Add prepared data to a DATA credential (`POST …/parts/PREPARED_DATA`, JSON). An `id`
/// section with a number becomes a canonical document, visible through the other APIs.
#[utoipa::path(post, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/PREPARED_DATA", operation_id = "addPreparedData", tag = "Acquisition",
    request_body = PersonalBody,
    params(OnCredential),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        PreparedDataRefusals,
        (status = 200, description = "Stored; a second POST replaces the data, as PUT does (keys read back sorted)", body = PartResponse),
    ))]
pub async fn add_prepared_data(
    call: OnCredential,
    Body(bytes): Body,
) -> Result<axum::Json<PartResponse>, JumioError> {
    declare(&call, &bytes, Declares::PreparedData).await
}

/// Replace prepared data: the same as adding it.
#[utoipa::path(put, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/PREPARED_DATA", operation_id = "updatePreparedData", tag = "Acquisition",
    request_body = PersonalBody,
    params(OnCredential),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        PreparedDataRefusals,
        (status = 200, description = "Stored", body = PartResponse),
    ))]
pub async fn update_prepared_data(
    call: OnCredential,
    Body(bytes): Body,
) -> Result<axum::Json<PartResponse>, JumioError> {
    declare(&call, &bytes, Declares::PreparedData).await
}

/// Delete prepared data.
#[utoipa::path(delete, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/parts/PREPARED_DATA", operation_id = "deletePreparedData", tag = "Acquisition",
    params(OnCredential),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        PartDeleteRefusals,
        (status = 200, description = "Deleted", body = PartResponse),
        (status = 404, description = "No prepared data", body = ErrorBody),
    ))]
pub async fn delete_prepared_data(
    call: OnCredential,
) -> Result<axum::Json<PartResponse>, JumioError> {
    drop_part(&call, "PREPARED_DATA").await
}

/// Prefill an ID credential with what the customer already knows (the personal-data body,
/// seed 004's prefill parameters): the credential's document takes the number, dates, type
/// and holder. `PUT …/credentials/{credentialId}/data`, the form the research brief names
/// (DIGEST §4); `POST …/prefill` is an alias (see `prefill`).
#[utoipa::path(put, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/data", operation_id = "prefillCredentialData", tag = "Acquisition",
    request_body = PersonalBody,
    params(OnCredential),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        PrefillRefusals,
        (status = 200, description = "Stored", body = PartResponse),
    ))]
pub async fn prefill_data(
    call: OnCredential,
    Body(bytes): Body,
) -> Result<axum::Json<PartResponse>, JumioError> {
    declare(&call, &bytes, Declares::Prefill).await
}

/// Prefill, at the path idbridge served before `PUT …/data` (an alias, deprecated): clients
/// written against idbridge's earlier OpenAPI document use it, so it stays.
#[utoipa::path(post, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}/credentials/{credentialId}/prefill", operation_id = "prefillCredential", tag = "Acquisition",
    request_body = PersonalBody,
    params(OnCredential),
    security(("api_token" = []), ("sdk_token" = []), ("access_token" = [])),
    responses(
        PrefillRefusals,
        (status = 200, description = "Stored", body = PartResponse),
    ))]
pub async fn prefill(
    call: OnCredential,
    Body(bytes): Body,
) -> Result<axum::Json<PartResponse>, JumioError> {
    declare(&call, &bytes, Declares::Prefill).await
}

/// What a personal-data body declares: a DATA credential's prepared data, or an ID
/// credential's prefill.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Declares {
    PreparedData,
    Prefill,
}

/// Stores a personal-data body on a credential (prepared data or prefill): the body as
/// sent, and the canonical document it declares, in one operation.
async fn declare(
    call: &OnCredential,
    bytes: &[u8],
    what: Declares,
) -> Result<axum::Json<PartResponse>, JumioError> {
    let (process, record, credential) = call.open().await?;
    match what {
        Declares::PreparedData if credential.category != Category::Data => {
            return Err(
                Error::invalid("classifier", "PREPARED_DATA is for DATA credentials").into(),
            );
        }
        Declares::Prefill if credential.category != Category::Id || credential.reused => {
            return Err(Error::invalid(
                "credentialId",
                "prefill is for ID credentials of this execution",
            )
            .into());
        }
        _ => {}
    }
    let (value, declared) = personal(bytes)?;
    let has_number = declared.number.is_some();
    let (patch, doc, kind) = match what {
        // The data document holds only what the current data says: a replacement
        // overwrites every field, and data without an `id` number has no document.
        Declares::PreparedData => (
            patch_replacing(declared),
            credential.data_document,
            DocumentKind::IdCard,
        ),
        Declares::Prefill => (
            patch_of(declared),
            credential.doc(),
            mapping::kind_for(Category::Id, &credential.id_types),
        ),
    };
    // Checked before anything is written, so the error names the body's field: a document
    // the body would create is validated as a whole. Prepared data without an `id` number
    // declares no document.
    if what == Declares::Prefill || has_number {
        check_declared(
            &call.state,
            &call.token.tenant,
            process.subject_id,
            doc,
            &patch,
            kind,
            &credential,
        )
        .await?;
    }
    let new = patch.clone();
    let body = Declared {
        value,
        patch,
        // The document the body creates: the credential has none, or another API deleted it.
        new_document: |_: &_| new_document(&new, kind, extras(&credential)),
    };
    let (t, a, store) = (call.target(&process), action(&record), &call.state.store);
    match what {
        Declares::PreparedData => {
            ops::data::put_prepared(store, &t, &a, credential.id, has_number, body).await
        }
        Declares::Prefill => ops::data::prefill(store, &t, &a, credential.id, body).await,
    }
    .map_err(personal_field)?;
    Ok(call.envelope(&credential, credential.id))
}

/// Checks what a body declares before anything is written, so that the error names the
/// body's field: against `subject`'s document `doc` when it has one, else as the new
/// document of `kind` it would create, validated as a whole.
async fn check_declared(
    state: &AppState,
    tenant: &TenantId,
    subject: Uuid,
    doc: Option<Uuid>,
    patch: &DocumentPatch,
    kind: DocumentKind,
    credential: &StoredCredential,
) -> Result<(), JumioError> {
    match credential_document(state, tenant, subject, doc).await? {
        Some(d) => check_patch(&d, patch)?,
        None => {
            new_document(patch, kind, extras(credential))?;
        }
    }
    Ok(())
}
