//! Profiles, collected data and documents. A profile is a subject (its id is the subject's
//! id); what PassFort knows of it beyond documents (role, category, collected data) is the
//! subject's `passfort` data; its documents are the canonical documents, from every API.

use std::sync::Arc;

use axum::extract::{Extension, FromRequest, FromRequestParts, Request, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::error::PassfortError;
use super::extract::{ApiTenant, Body, Path, Query, json, parse, serde_field};
use super::mapping::{self, NAMESPACE};
use super::ratelimit::{self, Limited, Limiter};
use super::replace::{self, MAX_IMAGES_PER_DOCUMENT, Mode};
use super::wire::{
    Document as DocumentView, EntityData, EntityType, Errors, NewDocument, ProfileCategory,
    ProfileResource, ProfileSearchResults, ProfileStatus, Role,
};
use crate::error::Error;
use crate::model::{Document, Namespace, StoredFile, Subject, TenantId};
use crate::state::AppState;
use crate::store::replace::{SubjectData, Target};
use crate::store::{Attach, SubjectSearch};

pub(super) fn namespace() -> Namespace {
    crate::adapters::common::namespace(NAMESPACE)
}

/// The profile with this id in this tenant: a subject.
pub(super) async fn profile(
    state: &AppState,
    tenant: &TenantId,
    id: Uuid,
) -> Result<Subject, PassfortError> {
    state
        .store
        .get_subject(tenant, id)
        .await
        .map_err(|e| match e {
            Error::NotFound(_) => Error::NotFound("profile").into(),
            other => other.into(),
        })
}

/// What PassFort keeps of a profile besides its documents.
struct Stored {
    role: Role,
    category: ProfileCategory,
    collected: Map<String, Value>,
}

impl Stored {
    /// From the subject's `passfort` data; a subject created through another API is an
    /// individual customer applicant with nothing collected.
    fn from_data(data: Option<Value>) -> Stored {
        let data = data.unwrap_or(Value::Null);
        Stored {
            role: serde_json::from_value(data["role"].clone()).unwrap_or(Role::IndividualCustomer),
            category: serde_json::from_value(data["category"].clone())
                .unwrap_or(ProfileCategory::Applicant),
            collected: match &data["collected_data"] {
                Value::Object(m) => m.clone(),
                _ => Map::from_iter([("entity_type".to_owned(), json!("INDIVIDUAL"))]),
            },
        }
    }

    fn to_data(&self) -> Value {
        json!({ "role": self.role, "category": self.category, "collected_data": self.collected })
    }

    fn entity_type(&self) -> EntityType {
        serde_json::from_value(self.collected["entity_type"].clone())
            .unwrap_or(EntityType::Individual)
    }

    /// Given and family names of an individual, the legal name of a company.
    fn display_name(&self) -> Option<String> {
        let c = &self.collected;
        let name = match self.entity_type() {
            EntityType::Individual => {
                let n = &c.get("personal_details")?["name"];
                let given: Vec<&str> = n["given_names"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let family = n["family_name"].as_str();
                given
                    .into_iter()
                    .chain(family)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
            EntityType::Company => c.get("metadata")?["name"].as_str()?.to_owned(),
        };
        (!name.trim().is_empty()).then_some(name)
    }

    /// What `q` searches: the display name and the customer reference.
    fn search_text(&self) -> String {
        let customer_ref = self.collected.get("customer_ref").and_then(Value::as_str);
        [self.display_name().as_deref(), customer_ref]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Collected data without its documents, and its `documents` as sent (absent or null:
/// `None`).
type Split = (Map<String, Value>, Option<Value>);

/// Which body collected data came in, for saying why its `entity_type` does not suit the
/// profile's role (the field to blame is `collected_data.entity_type` in both).
#[derive(Clone, Copy)]
enum Source {
    /// `POST /profiles`: the role is in the same body and decides the entity type, which
    /// may be left out.
    Create,
    /// `POST …/collected_data`: the body is collected data alone (PassFort's EntityData,
    /// whose `entity_type` is required); the role is the stored one.
    Replace,
}

/// The entity type a role stands for: `INDIVIDUAL_*` roles are individuals, `COMPANY_*`
/// roles companies.
pub(super) fn entity_of(role: Role) -> EntityType {
    match role {
        Role::IndividualCustomer | Role::IndividualAssociated => EntityType::Individual,
        Role::CompanyCustomer | Role::CompanyAssociated => EntityType::Company,
    }
}

/// The collected data of a new profile, its entity type filled in from the role when left
/// out (no collected data, `{}`, or a null `entity_type`), as PassFort does for clients that
/// send a role alone (gocardless/passfort's `profiles.create` sends `collected_data: {}`).
fn with_entity_type(data: Option<Value>, role: Role) -> Value {
    let mut data = match data {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(v) => v,
    };
    if let Value::Object(map) = &mut data
        && map.get("entity_type").is_none_or(Value::is_null)
    {
        map.insert("entity_type".to_owned(), json!(entity_of(role)));
    }
    data
}

/// The text form of a PassFort enum value.
pub(super) fn text<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Checks collected data: an object with a valid `entity_type` that suits the role.
fn split_collected(mut data: Value, role: Role, source: Source) -> Result<Split, PassfortError> {
    let Value::Object(ref map) = data else {
        return Err(Error::invalid("collected_data", "must be an object").into());
    };
    let entity: EntityType = match map.get("entity_type") {
        None => return Err(Error::invalid("collected_data.entity_type", "is required").into()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| {
            Error::invalid(
                "collected_data.entity_type",
                "must be INDIVIDUAL or COMPANY",
            )
        })?,
    };
    let wanted = entity_of(role);
    if entity != wanted {
        let (role, wanted) = (text(role), text(wanted));
        return Err(Error::invalid(
            "collected_data.entity_type",
            match source {
                Source::Create => format!(
                    "must be {wanted} for role {role} (or be left out: the role decides it)"
                ),
                Source::Replace => format!("must be {wanted}, as the profile's role is {role}"),
            },
        )
        .into());
    }
    super::schema::check(&data, entity == EntityType::Company)?;
    let Value::Object(ref mut map) = data else {
        return Err(Error::invalid("collected_data", "must be an object").into());
    };
    let documents = map.remove("documents").filter(|v| !v.is_null());
    Ok((std::mem::take(map), documents))
}

/// The profile as PassFort shows it.
async fn view(
    state: &AppState,
    tenant: &TenantId,
    subject: &Subject,
) -> Result<ProfileResource, PassfortError> {
    let stored = Stored::from_data(
        state
            .store
            .subject_data(tenant, subject.id, &namespace())
            .await?,
    );
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

fn entity(stored: Stored, documents: Vec<DocumentView>) -> EntityData {
    let entity_type = stored.entity_type();
    let mut rest = stored.collected;
    rest.remove("entity_type");
    EntityData {
        entity_type,
        documents,
        rest,
    }
}

/// The subject's documents as PassFort shows them, oldest first, and all its files.
async fn documents(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
) -> Result<(Vec<DocumentView>, Vec<StoredFile>), PassfortError> {
    let docs = state.store.list_documents(tenant, subject_id).await?;
    let files = state.store.list_files(tenant, subject_id).await?;
    let views = docs.iter().map(|d| mapping::document(d, &files)).collect();
    Ok((views, files))
}

/// Runs a limited operation: refused with 429 over the limit, answered with the
/// `X-RateLimit-*` headers otherwise (errors included).
async fn limited<F>(limiter: &Limiter, tenant: &TenantId, op: Limited, run: F) -> Response
where
    F: Future<Output = Result<Response, PassfortError>>,
{
    let allowed = match limiter.check(tenant, op) {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let mut response = run.await.unwrap_or_else(IntoResponse::into_response);
    ratelimit::headers(&allowed, response.headers_mut());
    response
}

/// Create a profile.
#[utoipa::path(post, path = "/profiles", operation_id = "createProfile", tag = "Profiles",
    request_body = super::wire::CreateProfile,
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The new profile", body = ProfileResource,
         headers(("X-RateLimit-Remaining" = u32), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String))),
        (status = 400, description = "201 INVALID_INPUT_DATA; nothing created", body = Errors, headers(("X-RateLimit-Remaining" = u32), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String))),
        (status = 401, description = "203 MISSING_API_KEY or 204 INVALID_API_KEY", body = Errors),
        (status = 413, description = "Body over server.json_body_limit", body = Errors, headers(("X-RateLimit-Remaining" = u32), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String))),
        (status = 429, description = "104 CHARGEABLE_LIMIT_REACHED (rate limit exceeded)", body = Errors,
         headers(("X-RateLimit-Remaining" = u32, description = "Always 0"), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String), ("X-RateLimit-Retry-Secs" = u64))),
    ))]
pub async fn create_profile(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    ApiTenant(tenant): ApiTenant,
    req: Request,
) -> Response {
    // The body is read inside the limit, so a 413 is counted and carries the headers too.
    limited(&limiter, &tenant, Limited::CreateProfile, async {
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
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::invalid("limit", "must be between 1 and 200").into());
    }
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
                field: "$.category",
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
    params(("profile_id" = Uuid, Path, description = "The profile's id")),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The profile", body = ProfileResource),
        (status = 400, description = "201 INVALID_INPUT_DATA (malformed id)", body = Errors),
        (status = 401, description = "203 MISSING_API_KEY or 204 INVALID_API_KEY", body = Errors),
        (status = 404, description = "No such profile", body = Errors),
    ))]
pub async fn get_profile(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ProfileResource>, PassfortError> {
    let subject = profile(&state, &tenant, id).await?;
    Ok(axum::Json(view(&state, &tenant, &subject).await?))
}

/// The collected data of a profile, documents from every API included.
async fn collected(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
) -> Result<EntityData, PassfortError> {
    let stored = Stored::from_data(
        state
            .store
            .subject_data(tenant, subject_id, &namespace())
            .await?,
    );
    let (documents, _) = documents(state, tenant, subject_id).await?;
    Ok(entity(stored, documents))
}

/// A profile's collected data as PassFort shows it, with the canonical documents and the
/// files behind its documents (what a check runs on).
pub(super) async fn collected_with_sources(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
) -> Result<(EntityData, Vec<Document>, Vec<StoredFile>), PassfortError> {
    let stored = Stored::from_data(
        state
            .store
            .subject_data(tenant, subject_id, &namespace())
            .await?,
    );
    let docs = state.store.list_documents(tenant, subject_id).await?;
    let files = state.store.list_files(tenant, subject_id).await?;
    let views = docs.iter().map(|d| mapping::document(d, &files)).collect();
    Ok((entity(stored, views), docs, files))
}

/// Get collected data.
#[utoipa::path(get, path = "/profiles/{profile_id}/collected_data", operation_id = "getCollectedData", tag = "Profiles",
    params(("profile_id" = Uuid, Path, description = "The profile's id")),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The collected data", body = EntityData),
        (status = 400, description = "201 INVALID_INPUT_DATA (malformed id)", body = Errors),
        (status = 401, description = "203 MISSING_API_KEY or 204 INVALID_API_KEY", body = Errors),
        (status = 404, description = "No such profile", body = Errors),
    ))]
pub async fn get_collected_data(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<EntityData>, PassfortError> {
    let subject = profile(&state, &tenant, id).await?;
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
        (status = 401, description = "203 MISSING_API_KEY or 204 INVALID_API_KEY", body = Errors),
        (status = 413, description = "Body over server.json_body_limit", body = Errors, headers(("X-RateLimit-Remaining" = u32), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String))),
        (status = 404, description = "No such profile", body = Errors, headers(("X-RateLimit-Remaining" = u32), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String))),
        (status = 429, description = "104 CHARGEABLE_LIMIT_REACHED (rate limit exceeded)", body = Errors,
         headers(("X-RateLimit-Remaining" = u32, description = "Always 0"), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String), ("X-RateLimit-Retry-Secs" = u64))),
    ))]
pub async fn update_collected_data(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    ApiTenant(tenant): ApiTenant,
    req: Request,
) -> Response {
    // The path and body are read inside the limit, so their errors are counted and carry
    // the headers too.
    limited(&limiter, &tenant, Limited::CollectedData, async {
        let (mut parts, body) = req.into_parts();
        let Path(id) = Path::<Uuid>::from_request_parts(&mut parts, &state).await?;
        let Body(bytes) = Body::from_request(Request::from_parts(parts, body), &state).await?;
        let subject = profile(&state, &tenant, id).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(axum::Json(collected(&state, &tenant, subject.id).await?).into_response());
        }
        let data: Value = json(&bytes)?;
        let ns = namespace();
        let mut stored =
            Stored::from_data(state.store.subject_data(&tenant, subject.id, &ns).await?);
        let (map, docs) = split_collected(data, stored.role, Source::Replace)?;
        let docs: Vec<NewDocument> = match docs {
            None => Vec::new(),
            Some(v) => {
                serde_path_to_error::deserialize(v).map_err(|e| serde_field("documents", e))?
            }
        };
        let current = state.store.list_documents(&tenant, subject.id).await?;
        let files = state.store.list_files(&tenant, subject.id).await?;
        let plan = replace::plan(&current, &files, docs, Mode::Replace)?;
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
        (status = 401, description = "203 MISSING_API_KEY or 204 INVALID_API_KEY", body = Errors),
        (status = 413, description = "Body over server.json_body_limit", body = Errors),
        (status = 404, description = "No such profile", body = Errors),
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
    let files = state.store.list_files(&tenant, subject.id).await?;
    let Some(planned) = replace::plan(&[], &files, vec![doc], Mode::Add)?.pop() else {
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
    let files = state.store.list_files(&tenant, subject.id).await?;
    Ok(axum::Json(mapping::document(&doc, &files)))
}
