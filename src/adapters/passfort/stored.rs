//! What PassFort keeps of a profile besides its documents: its role, category and collected
//! data (the subject's `passfort` data), how collected data is checked, and how it is shown
//! with the profile's documents from every API.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::error::PassfortError;
use super::extract::{ApiTenant, Path};
use super::mapping;
use super::wire::{Document as DocumentView, EntityData, EntityType, ProfileCategory, Role};
use crate::error::Error;
use crate::model::{Document, Namespace, StoredFile, Subject, TenantId};
use crate::state::AppState;

/// PassFort's namespace of subject data and processes.
pub(super) fn namespace() -> Namespace {
    crate::adapters::common::namespace(mapping::NAMESPACE)
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

/// A call on one profile (`/profiles/{profile_id}` and the paths below it that name nothing
/// else), read from the request at once: the key is checked first (401), then the id in the
/// path (400), then the profile is looked up (404), as every such call refuses in that
/// order. Documented as the path's id: `params(OnProfile)`.
pub struct OnProfile {
    pub(super) state: AppState,
    pub(super) tenant: TenantId,
    pub(super) subject: Subject,
}

/// The id of a profile's path.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // Only read by the OpenAPI document: `OnProfile` reads the path.
struct ProfilePath {
    /// The profile's id
    profile_id: Uuid,
}

impl FromRequestParts<AppState> for OnProfile {
    type Rejection = PassfortError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, PassfortError> {
        let ApiTenant(tenant) = ApiTenant::from_request_parts(parts, state).await?;
        let Path(id) = Path::<Uuid>::from_request_parts(parts, state).await?;
        let subject = profile(state, &tenant, id).await?;
        Ok(OnProfile {
            state: state.clone(),
            tenant,
            subject,
        })
    }
}

impl utoipa::IntoParams for OnProfile {
    fn into_params(
        parameter_in: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        ProfilePath::into_params(parameter_in)
    }
}

/// What PassFort keeps of the profile `subject_id` (see [`Stored::from_data`]).
pub(super) async fn of(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
) -> Result<Stored, PassfortError> {
    let data = state
        .store
        .subject_data(tenant, subject_id, &namespace())
        .await?;
    Ok(Stored::from_data(data))
}

/// Documents with their files as PassFort shows them, in the order given.
pub(super) fn views(documents: &[(Document, Vec<StoredFile>)]) -> Vec<DocumentView> {
    documents
        .iter()
        .map(|(d, files)| mapping::document(d, files))
        .collect()
}

/// What PassFort keeps of a profile besides its documents.
pub(super) struct Stored {
    pub(super) role: Role,
    pub(super) category: ProfileCategory,
    pub(super) collected: Map<String, Value>,
}

impl Stored {
    /// From the subject's `passfort` data; a subject created through another API is an
    /// individual customer applicant with nothing collected.
    pub(super) fn from_data(data: Option<Value>) -> Stored {
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

    pub(super) fn to_data(&self) -> Value {
        json!({ "role": self.role, "category": self.category, "collected_data": self.collected })
    }

    pub(super) fn entity_type(&self) -> EntityType {
        serde_json::from_value(self.collected["entity_type"].clone())
            .unwrap_or(EntityType::Individual)
    }

    /// Given and family names of an individual, the legal name of a company.
    pub(super) fn display_name(&self) -> Option<String> {
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
    pub(super) fn search_text(&self) -> String {
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
pub(super) type Split = (Map<String, Value>, Option<Value>);

/// Which body collected data came in, for saying why its `entity_type` does not suit the
/// profile's role (the field to blame is `collected_data.entity_type` in both).
#[derive(Clone, Copy)]
pub(super) enum Source {
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
pub(super) fn with_entity_type(data: Option<Value>, role: Role) -> Value {
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
pub(super) fn split_collected(
    mut data: Value,
    role: Role,
    source: Source,
) -> Result<Split, PassfortError> {
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

/// Collected data as PassFort shows it: what is stored, with `documents`.
pub(super) fn entity(stored: Stored, documents: Vec<DocumentView>) -> EntityData {
    let entity_type = stored.entity_type();
    let mut rest = stored.collected;
    rest.remove("entity_type");
    EntityData {
        entity_type,
        documents,
        rest,
    }
}

/// The subject's documents as PassFort shows them, oldest first, and every file of the
/// subject (documents' and free ones) in side order.
pub(super) async fn documents(
    state: &AppState,
    tenant: &TenantId,
    subject_id: Uuid,
) -> Result<(Vec<DocumentView>, Vec<StoredFile>), PassfortError> {
    let filed = state.store.documents_with_files(tenant, subject_id).await?;
    let views = views(&filed.documents);
    let mut files: Vec<StoredFile> = filed
        .documents
        .into_iter()
        .flat_map(|(_, files)| files)
        .chain(filed.loose)
        .collect();
    // The order `Store::list_files` gives: by side, then oldest first.
    files.sort_by_key(|f| (f.side.position(), f.created_at, f.id));
    Ok((views, files))
}
