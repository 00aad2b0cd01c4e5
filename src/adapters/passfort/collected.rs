//! Collected data: read it, replace it whole (its documents included, in one store
//! transaction), and add one document made of the profile's document images.

use std::sync::Arc;

use axum::extract::{Extension, FromRequest, FromRequestParts, Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use uuid::Uuid;

use super::error::PassfortError;
use super::extract::{ApiTenant, Body, Path, json, parse, serde_field};
use super::mapping;
use super::ratelimit::{Limited, Limiter, limited};
use super::replace::{self, MAX_IMAGES_PER_DOCUMENT, Mode};
use super::stored::{self, OnProfile, Source, entity, namespace, profile, split_collected};
use super::wire::{
    BodyRefusals, Document as DocumentView, EntityData, Errors, LimitedRefusals, NewDocument,
    ProfileRefusals,
};
use crate::error::Error;
use crate::model::{Document, StoredFile, TenantId};
use crate::state::AppState;
use crate::store::Attach;
use crate::store::replace::{SubjectData, Target};

/// The collected data of a profile, documents from every API included.
async fn collected(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
) -> Result<EntityData, PassfortError> {
    Ok(collected_with_sources(state, tenant, subject_id).await?.0)
}

/// A profile's collected data as PassFort shows it, with the canonical documents, each with
/// its files (what a check runs on).
pub(super) async fn collected_with_sources(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
) -> Result<(EntityData, Vec<(Document, Vec<StoredFile>)>), PassfortError> {
    let stored = stored::of(state, tenant, subject_id).await?;
    let docs = state
        .store
        .documents_with_files(tenant, subject_id)
        .await?
        .documents;
    Ok((entity(stored, stored::views(&docs)), docs))
}

/// Get collected data.
#[utoipa::path(get, path = "/profiles/{profile_id}/collected_data", operation_id = "getCollectedData", tag = "Profiles",
    params(OnProfile),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The collected data", body = EntityData),
        ProfileRefusals,
    ))]
pub async fn get_collected_data(
    OnProfile {
        state,
        tenant,
        subject,
    }: OnProfile,
) -> Result<axum::Json<EntityData>, PassfortError> {
    Ok(axum::Json(collected(&state, &tenant, subject.id).await?))
}

/// Update collected data: a body replaces it whole (documents not listed are removed, their
/// images staying as free document images; new ones created); an empty body returns it
/// unchanged.
#[utoipa::path(post, path = "/profiles/{profile_id}/collected_data", operation_id = "updateCollectedData", tag = "Profiles",
    params(("profile_id" = Uuid, Path, description = "The profile's id")),
    request_body(content = Option<super::wire::CollectedDataBody>, description = "PassFort's EntityData (IndividualData or CompanyData), which replaces collected data; without a body, collected data is returned unchanged"),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The collected data now", body = EntityData,
         headers(("X-RateLimit-Remaining" = u32), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String))),
        (status = 400, description = "201 INVALID_INPUT_DATA; nothing changed", body = Errors, headers(("X-RateLimit-Remaining" = u32), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String))),
        LimitedRefusals,
        (status = 404, description = "No such profile", body = Errors, headers(("X-RateLimit-Remaining" = u32), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String))),
    ))]
pub async fn update_collected_data(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    ApiTenant(tenant): ApiTenant,
    req: Request,
) -> Response {
    // The path and body are read inside the limit, so their errors are counted and carry
    // the headers too.
    limited(&limiter, &state, &tenant, Limited::CollectedData, async {
        let (mut parts, body) = req.into_parts();
        let Path(id) = Path::<Uuid>::from_request_parts(&mut parts, &state).await?;
        let Body(bytes) = Body::from_request(Request::from_parts(parts, body), &state).await?;
        let subject = profile(&state, &tenant, id).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(axum::Json(collected(&state, &tenant, subject.id).await?).into_response());
        }
        let data: Value = json(&bytes)?;
        let ns = namespace();
        let mut stored = stored::of(&state, &tenant, subject.id).await?;
        let (map, docs) = split_collected(data, stored.role, Source::Replace)?;
        let docs: Vec<NewDocument> = match docs {
            None => Vec::new(),
            Some(v) => {
                serde_path_to_error::deserialize(v).map_err(|e| serde_field("documents", e))?
            }
        };
        let current = state
            .store
            .documents_with_files(&tenant, subject.id)
            .await?;
        let plan = replace::plan(&current, docs, Mode::Replace)?;
        stored.collected = map;
        // Everything was checked above; the documents, their images and the profile's data
        // are written in one transaction, so a failure leaves everything as it was.
        state
            .store
            .replace_documents(
                &tenant,
                subject.id,
                plan,
                SubjectData {
                    namespace: &ns,
                    data: &stored.to_data(),
                    search: &stored.search_text(),
                },
            )
            .await
            .map_err(replace::raced)?;
        Ok(axum::Json(collected(&state, &tenant, subject.id).await?).into_response())
    })
    .await
}

/// Add a document to collected data, made of document images of the same profile.
#[utoipa::path(post, path = "/profiles/{profile_id}/collected_data/documents", operation_id = "addDocument", tag = "Profiles",
    params(("profile_id" = Uuid, Path, description = "The profile's id")),
    request_body = NewDocument,
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The document, with its images", body = DocumentView),
        (status = 400, description = "201 INVALID_INPUT_DATA (an unknown image is named in info); nothing created", body = Errors),
        BodyRefusals,
    ))]
pub async fn add_document(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path(id): Path<Uuid>,
    Body(bytes): Body,
) -> Result<axum::Json<DocumentView>, PassfortError> {
    let subject = profile(&state, &tenant, id).await?;
    let doc: NewDocument = parse(&bytes)?;
    if doc.id.is_some() {
        return Err(Error::invalid("id", "is assigned by the server").into());
    }
    let current = state
        .store
        .documents_with_files(&tenant, subject.id)
        .await?;
    let Some(planned) = replace::plan(&current, vec![doc], Mode::Add)?.pop() else {
        return Err(Error::internal("a planned document is missing").into());
    };
    let Target::Create(new) = planned.target else {
        return Err(Error::internal("a document without an id was planned as an update").into());
    };
    let attach = planned
        .files
        .into_iter()
        .map(|(id, side)| (Attach::Existing(id), side))
        .collect();
    let (doc, _) = state
        .store
        .create_document_with_files(&tenant, subject.id, new, attach, MAX_IMAGES_PER_DOCUMENT)
        .await
        .map_err(|e| match e {
            Error::NotFound("file") => Error::invalid(
                "images",
                "an image was used by another document meanwhile; nothing created",
            ),
            other => other,
        })?;
    let files = state.store.files_of(&tenant, doc.id).await?;
    Ok(axum::Json(mapping::document(&doc, &files)))
}
