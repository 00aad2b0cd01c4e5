//! Profiles, collected data and documents. A profile is a subject (its id is the subject's
//! id); what PassFort knows of it beyond documents (role, category, collected data) is the
//! subject's `passfort` data; its documents are the canonical documents, from every API.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, FromRequest, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::error::PassfortError;
use super::mapping::{self, NAMESPACE};
use super::ratelimit::{self, Limited, Limiter};
use super::wire::{
    Document as DocumentView, EntityData, EntityType, Errors, NewDocument, ProfileCategory,
    ProfileResource, ProfileSearchResults, ProfileStatus, Role,
};
use crate::auth::KeyKind;
use crate::error::Error;
use crate::model::{Document, DocumentPatch, Namespace, StoredFile, Subject, TenantId};
use crate::state::AppState;
use crate::store::{Attach, SubjectSearch};

/// Most images on one document.
pub const MAX_IMAGES_PER_DOCUMENT: u32 = 10;

/// Path extractor answering in PassFort's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(PassfortError))]
pub struct Path<T>(pub T);

/// Query extractor answering in PassFort's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(PassfortError))]
pub struct Query<T>(pub T);

/// Raw body extractor answering in PassFort's error shape (413 past the body limit).
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = PassfortError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, PassfortError> {
        Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|r: BytesRejection| match r.status() {
                StatusCode::PAYLOAD_TOO_LARGE => Error::PayloadTooLarge { limit: None }.into(),
                _ => PassfortError::Body(r.body_text()),
            })
    }
}

/// The tenant whose key came in the `apikey` header or `?apikey=`.
pub struct ApiTenant(pub TenantId);

impl FromRequestParts<AppState> for ApiTenant {
    type Rejection = PassfortError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, PassfortError> {
        let from_query = || {
            axum::extract::Query::<HashMap<String, String>>::try_from_uri(&parts.uri)
                .ok()
                .and_then(|q| q.0.get("apikey").cloned())
        };
        let key = match parts.headers.get("apikey") {
            Some(v) => v.to_str().ok().map(str::to_owned),
            None => from_query(),
        }
        .ok_or(PassfortError::MissingApiKey)?;
        state
            .keys
            .tenant_for(KeyKind::Api, &key)
            .map(ApiTenant)
            .ok_or(PassfortError::InvalidApiKey)
    }
}

pub(super) fn namespace() -> Namespace {
    Namespace::new(NAMESPACE).expect("a valid namespace literal")
}

/// A JSON object body as `T`.
pub(super) fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, PassfortError> {
    if !crate::adapters::common::is_json_object(bytes) {
        return Err(Error::invalid("body", crate::adapters::common::NOT_AN_OBJECT).into());
    }
    json(bytes)
}

/// Any JSON body, for a caller that checks its shape itself and names what is wrong.
fn json<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, PassfortError> {
    serde_json::from_slice(bytes)
        .map_err(|e| Error::invalid("body", format!("is not valid input: {e}")).into())
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

/// Collected data without its documents, and the documents parsed.
type Split = (Map<String, Value>, Option<Vec<NewDocument>>);

/// Checks collected data: an object with a valid `entity_type` that suits the role.
fn split_collected(mut data: Value, role: Role) -> Result<Split, PassfortError> {
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
    let fits = matches!(
        (role, entity),
        (
            Role::IndividualCustomer | Role::IndividualAssociated,
            EntityType::Individual
        ) | (
            Role::CompanyCustomer | Role::CompanyAssociated,
            EntityType::Company
        )
    );
    if !fits {
        return Err(Error::invalid("role", "does not suit collected_data.entity_type").into());
    }
    super::schema::check(&data, entity == EntityType::Company)?;
    let Value::Object(ref mut map) = data else {
        return Err(Error::invalid("collected_data", "must be an object").into());
    };
    let documents = match map.remove("documents") {
        None | Some(Value::Null) => None,
        Some(v) => Some(serde_json::from_value(v).map_err(|e| {
            Error::invalid("collected_data.documents", format!("is not valid: {e}"))
        })?),
    };
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
        checks: Vec::new(),
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
        (status = 400, description = "201 INVALID_INPUT_DATA", body = Errors),
        (status = 401, description = "203 MISSING_API_KEY or 204 INVALID_API_KEY", body = Errors),
        (status = 413, description = "Body over server.json_body_limit", body = Errors),
        (status = 429, description = "Rate limit exceeded", body = Errors,
         headers(("X-RateLimit-Retry-Secs" = u64))),
    ))]
pub async fn create_profile(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    ApiTenant(tenant): ApiTenant,
    Body(bytes): Body,
) -> Response {
    limited(&limiter, &tenant, Limited::CreateProfile, async {
        let req: super::wire::CreateProfile = parse(&bytes)?;
        let (collected, docs) = split_collected(req.collected_data, req.role)?;
        let stored = Stored {
            role: req.role,
            category: ProfileCategory::Applicant,
            collected,
        };
        let docs = docs.unwrap_or_default();
        // Documents on a new profile cannot reference images (it has none yet); they are
        // checked before anything is created.
        let plan = plan_documents(&[], &[], docs)?;
        let subject = state
            .store
            .create_subject_with_data(
                &tenant,
                &namespace(),
                &stored.to_data(),
                &stored.search_text(),
            )
            .await?;
        apply(&state, &tenant, subject.id, plan).await?;
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

/// Update collected data: a body replaces it whole (documents not listed are deleted, new
/// ones created); an empty body returns it unchanged.
#[utoipa::path(post, path = "/profiles/{profile_id}/collected_data", operation_id = "updateCollectedData", tag = "Profiles",
    params(("profile_id" = Uuid, Path, description = "The profile's id")),
    request_body(content = Object, description = "EntityData (IndividualData or CompanyData); may be empty"),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The collected data now", body = EntityData,
         headers(("X-RateLimit-Remaining" = u32), ("X-RateLimit-Reset-Secs" = u64), ("X-RateLimit-Reset" = String))),
        (status = 400, description = "201 INVALID_INPUT_DATA; nothing changed", body = Errors),
        (status = 401, description = "203 MISSING_API_KEY or 204 INVALID_API_KEY", body = Errors),
        (status = 413, description = "Body over server.json_body_limit", body = Errors),
        (status = 404, description = "No such profile", body = Errors),
        (status = 429, description = "Rate limit exceeded", body = Errors,
         headers(("X-RateLimit-Retry-Secs" = u64))),
    ))]
pub async fn update_collected_data(
    State(state): State<AppState>,
    Extension(limiter): Extension<Arc<Limiter>>,
    ApiTenant(tenant): ApiTenant,
    Path(id): Path<Uuid>,
    Body(bytes): Body,
) -> Response {
    limited(&limiter, &tenant, Limited::CollectedData, async {
        let subject = profile(&state, &tenant, id).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(axum::Json(collected(&state, &tenant, subject.id).await?).into_response());
        }
        let data: Value = json(&bytes)?;
        let ns = namespace();
        let mut stored =
            Stored::from_data(state.store.subject_data(&tenant, subject.id, &ns).await?);
        let (map, docs) = split_collected(data, stored.role)?;
        let current = state.store.list_documents(&tenant, subject.id).await?;
        let files = state.store.list_files(&tenant, subject.id).await?;
        let plan = plan_documents(&current, &files, docs.unwrap_or_default())?;
        stored.collected = map;
        // Documents first: they are what can still fail (an image taken meanwhile); the
        // profile's own data is written last.
        apply(&state, &tenant, subject.id, plan).await?;
        state
            .store
            .set_subject_data(
                &tenant,
                subject.id,
                &ns,
                &stored.to_data(),
                &stored.search_text(),
            )
            .await?;
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
    let mut plan = plan_documents(&[], &files, vec![doc])?;
    plan.delete.clear();
    let created = apply(&state, &tenant, subject.id, plan).await?;
    let doc = created
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal("a planned document was not created"))?;
    let files = state.store.list_files(&tenant, subject.id).await?;
    Ok(axum::Json(mapping::document(&doc, &files)))
}

/// Names a canonical field's error by the `extracted_data` field it came from.
fn extracted_field(i: usize, e: Error) -> Error {
    match e {
        Error::InvalidField { field, reason } => {
            let name = match field.as_str() {
                "issued_on" => "issued",
                "expires_on" => "expiry",
                "issuing_authority" => "issuer",
                other => other,
            };
            Error::invalid(format!("documents[{i}].extracted_data.{name}"), reason)
        }
        other => other,
    }
}

/// What replacing the documents will do, checked before anything changes.
struct Plan {
    create: Vec<(
        crate::model::ValidNewDocument,
        Vec<(Uuid, crate::model::FileSide)>,
    )>,
    update: Vec<(Uuid, DocumentPatch)>,
    delete: Vec<Uuid>,
}

/// Checks documents against what the profile has: ids must be its documents, an existing
/// document keeps its images, a new one takes free document images of this profile.
fn plan_documents(
    current: &[Document],
    files: &[StoredFile],
    docs: Vec<NewDocument>,
) -> Result<Plan, PassfortError> {
    let mut plan = Plan {
        create: Vec::new(),
        update: Vec::new(),
        delete: Vec::new(),
    };
    let mut kept = HashSet::new();
    let mut taken = HashSet::new();
    let by_id: BTreeMap<Uuid, &StoredFile> = files.iter().map(|f| (f.id, f)).collect();
    for (i, d) in docs.into_iter().enumerate() {
        let at = |field: &str| format!("documents[{i}].{field}");
        if d.images.len() > MAX_IMAGES_PER_DOCUMENT as usize {
            return Err(Error::invalid(at("images"), "at most 10 images per document").into());
        }
        let ex = mapping::extracted(d.extracted_data.unwrap_or_default()).map_err(|e| match e {
            Error::InvalidField { field, reason } => Error::invalid(at(&field), reason),
            other => other,
        })?;
        let extras = json!({
            "document_type": d.document_type,
            "category": d.category,
            "extracted_data": ex.rest,
            "verification_result": d.verification_result,
        });
        match d.id {
            Some(id) => {
                let Some(existing) = current.iter().find(|c| c.id == id) else {
                    return Err(
                        Error::invalid(at("id"), "is not a document of this profile").into(),
                    );
                };
                let mine: HashSet<Uuid> = files
                    .iter()
                    .filter(|f| f.document_id == Some(existing.id))
                    .map(|f| f.id)
                    .collect();
                let listed: HashSet<Uuid> = d.images.iter().map(|r| r.id).collect();
                if mine != listed {
                    return Err(Error::invalid(
                        at("images"),
                        "an existing document keeps its images; add a new document for others",
                    )
                    .into());
                }
                kept.insert(id);
                // A type or category sent back as this API shows it keeps the stored kind:
                // reading and writing back unchanged must not turn an ID card into a
                // state ID for every other API.
                let kind = if mapping::type_of(existing.kind) == d.document_type {
                    existing.kind
                } else {
                    mapping::kind_of(d.document_type)
                };
                let category = if mapping::passfort_category(existing.category) == d.category {
                    existing.category
                } else {
                    mapping::category_of(d.category)
                };
                let patch = DocumentPatch {
                    kind: Some(kind),
                    category: Some(category),
                    number: Some(ex.number),
                    issuing_country: Some(ex.issuing_country),
                    issuing_authority: Some(ex.issuer),
                    issued_on: Some(ex.issued),
                    expires_on: Some(ex.expiry),
                    extras: Some((NAMESPACE.into(), extras)),
                    ..Default::default()
                };
                // Checked now, on a copy, so a bad patch refuses the request before anything
                // is written.
                patch
                    .clone()
                    .apply(&mut existing.clone())
                    .map_err(|e| extracted_field(i, e))?;
                plan.update.push((id, patch));
            }
            None => {
                let mut images = Vec::with_capacity(d.images.len());
                for (j, r) in d.images.iter().enumerate() {
                    let free = by_id
                        .get(&r.id)
                        .filter(|f| f.document_id.is_none() && !mapping::is_plain_file(f));
                    match free {
                        Some(f) if taken.insert(f.id) => images.push((f.id, f.side)),
                        _ => {
                            return Err(Error::invalid(
                                at(&format!("images[{j}].id")),
                                format!(
                                    "{} is not a document image of this profile that is free to use",
                                    r.id
                                ),
                            )
                            .into());
                        }
                    }
                }
                let new = crate::model::NewDocument {
                    kind: Some(mapping::kind_of(d.document_type)),
                    category: Some(mapping::category_of(d.category)),
                    number: ex.number,
                    issuing_country: ex.issuing_country,
                    issuing_authority: ex.issuer,
                    issued_on: ex.issued,
                    expires_on: ex.expiry,
                    extras: [(NAMESPACE.to_owned(), extras)].into(),
                    ..Default::default()
                };
                plan.create
                    .push((new.validate().map_err(|e| extracted_field(i, e))?, images));
            }
        }
    }
    plan.delete = current
        .iter()
        .map(|c| c.id)
        .filter(|id| !kept.contains(id))
        .collect();
    Ok(plan)
}

/// Carries out a checked plan; returns the documents created.
async fn apply(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
    plan: Plan,
) -> Result<Vec<Document>, PassfortError> {
    for (id, patch) in plan.update {
        state.store.update_document(tenant, id, patch).await?;
    }
    let mut created = Vec::with_capacity(plan.create.len());
    for (new, images) in plan.create {
        let attach = images
            .into_iter()
            .map(|(id, side)| (Attach::Existing(id), side))
            .collect();
        let (doc, _) = state
            .store
            .create_document_with_files(tenant, subject_id, new, attach, MAX_IMAGES_PER_DOCUMENT)
            .await
            .map_err(|e| match e {
                Error::NotFound("file") => {
                    Error::invalid("images", "an image was used by another document meanwhile")
                }
                other => other,
            })?;
        created.push(doc);
    }
    for id in plan.delete {
        match state.store.delete_document(tenant, id).await {
            Ok(()) | Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(created)
}
