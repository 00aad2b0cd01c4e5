//! Profiles: create, list, get. A profile is a subject (its id is the subject's id); what
//! PassFort knows of it beyond documents (role, category, collected data) is the subject's
//! `passfort` data (see `stored`); its documents are the canonical documents, from every
//! API. Collected data and documents are served by `collected`.

use std::sync::Arc;

use axum::extract::{Extension, FromRequest, Request, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::error::PassfortError;
use super::extract::{ApiTenant, Body, Query, parse};
use super::mapping;
use super::ratelimit::{Limited, Limiter, limited};
use super::stored::{
    self, OnProfile, Source, Stored, documents, entity, namespace, split_collected,
    with_entity_type,
};
use super::wire::{
    Errors, LimitedRefusals, ProfileCategory, ProfileRefusals, ProfileResource,
    ProfileSearchResults, ProfileStatus,
};
use crate::error::Error;
use crate::model::{Subject, TenantId};
use crate::state::AppState;
use crate::store::SubjectSearch;

/// The profile as PassFort shows it.
async fn view(
    state: &AppState,
    tenant: &TenantId,
    subject: &Subject,
) -> Result<ProfileResource, PassfortError> {
    let stored = stored::of(state, tenant, subject.id).await?;
    let (documents, files) = documents(state, tenant, subject.id).await?;
    Ok(ProfileResource {
        id: subject.id,
        creation_date: mapping::datetime(subject.created_at),
        role: stored.role,
        display_name: stored.display_name(),
        category: stored.category,
        status: ProfileStatus::Normal,
        document_images: files
            .iter()
            .filter(|f| !mapping::is_plain_file(f))
            .map(mapping::image)
            .collect(),
        checks: super::checks::of_profile(state, tenant, subject.id).await?,
        tags: Vec::new(),
        collected_data: entity(stored, documents),
    })
}

/// Create a profile.
#[utoipa::path(post, path = "/profiles", operation_id = "createProfile", tag = "Profiles",
    request_body = super::wire::CreateProfile,
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The new profile", body = ProfileResource,
         headers(("X-RateLimit-Remaining" = u32), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String))),
        (status = 400, description = "201 INVALID_INPUT_DATA; nothing created", body = Errors, headers(("X-RateLimit-Remaining" = u32), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String))),
        LimitedRefusals,
    ))]
pub async fn create_profile(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    ApiTenant(tenant): ApiTenant,
    req: Request,
) -> Response {
    // The body is read inside the limit, so a 413 is counted and carries the headers too.
    limited(&limiter, &state, &tenant, Limited::CreateProfile, async {
        let Body(bytes) = Body::from_request(req, &state).await?;
        let req: super::wire::CreateProfile = parse(&bytes)?;
        let data = with_entity_type(req.collected_data, req.role);
        let (collected, docs) = split_collected(data, req.role, Source::Create)?;
        // A document is made of document images, which a profile only has once it exists:
        // say so, rather than blame the first image id (`documents: []`, as a client may
        // send back what it read, is no document).
        if docs.is_some_and(|d| d.as_array().is_none_or(|a| !a.is_empty())) {
            return Err(Error::invalid(
                "collected_data.documents",
                "documents are added once the profile exists: POST …/document_images, then \
                 POST …/collected_data/documents (or a replace of collected_data)",
            )
            .into());
        }
        let stored = Stored {
            role: req.role,
            category: ProfileCategory::Applicant,
            collected,
        };
        let subject = state
            .store
            .create_subject_with_data(
                &tenant,
                &namespace(),
                &stored.to_data(),
                &stored.search_text(),
            )
            .await?;
        Ok(axum::Json(view(&state, &tenant, &subject).await?).into_response())
    })
    .await
}

/// Query of `GET /profiles`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProfileQuery {
    /// Search text: matches display names and customer references.
    pub q: Option<String>,
    /// Page size, 1-200 (default 50).
    pub limit: Option<u32>,
    /// Profiles skipped (default 0).
    pub offset: Option<u64>,
    /// Comma-separated ProfileCategory values.
    pub categories: Option<String>,
}

/// List profiles.
#[utoipa::path(get, path = "/profiles", operation_id = "listProfiles", tag = "Profiles",
    params(ProfileQuery),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "Matching profiles, oldest first", body = ProfileSearchResults),
        (status = 400, description = "201 INVALID_INPUT_DATA", body = Errors),
        (status = 401, description = "203 MISSING_API_KEY or 204 INVALID_API_KEY", body = Errors),
    ))]
pub async fn list_profiles(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Query(q): Query<ProfileQuery>,
) -> Result<axum::Json<ProfileSearchResults>, PassfortError> {
    if q.q.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(Error::invalid("q", "must be at most 200 characters").into());
    }
    // No name or reference holds a control character; SQLite would also cut the pattern at
    // a NUL and match everything.
    if q.q
        .as_ref()
        .is_some_and(|t| t.chars().any(char::is_control))
    {
        return Err(Error::invalid("q", "must not contain control characters").into());
    }
    let limit = crate::adapters::common::page_limit(q.limit, 50, 200)?;
    let categories = q
        .categories
        .as_deref()
        .map(|c| {
            c.split(',')
                .map(|one| {
                    let one = one.trim();
                    serde_json::from_value::<ProfileCategory>(json!(one))
                        .map(|_| one.to_owned())
                        .map_err(|_| {
                            Error::invalid("categories", format!("unknown category {one:?}"))
                        })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let ns = namespace();
    let page = state
        .store
        .search_subjects(
            &tenant,
            &SubjectSearch {
                namespace: &ns,
                text: q.q.as_deref().filter(|t| !t.trim().is_empty()),
                field: "category",
                values: categories.as_deref(),
                default: "APPLICANT",
                limit,
                offset: q.offset.unwrap_or(0),
            },
        )
        .await?;
    let mut results = Vec::with_capacity(page.items.len());
    for (subject, _) in &page.items {
        results.push(view(&state, &tenant, subject).await?);
    }
    Ok(axum::Json(ProfileSearchResults {
        count: page.total,
        limit,
        offset: q.offset.unwrap_or(0),
        hidden: 0,
        results,
        associated_results: Vec::new(),
    }))
}

/// Get a profile.
#[utoipa::path(get, path = "/profiles/{profile_id}", operation_id = "getProfile", tag = "Profiles",
    params(OnProfile),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The profile", body = ProfileResource),
        ProfileRefusals,
    ))]
pub async fn get_profile(
    OnProfile {
        state,
        tenant,
        subject,
    }: OnProfile,
) -> Result<axum::Json<ProfileResource>, PassfortError> {
    Ok(axum::Json(view(&state, &tenant, &subject).await?))
}
