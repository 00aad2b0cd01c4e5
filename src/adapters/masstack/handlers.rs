//! One async fn per MasStack operation on identity-document identifications.

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, RawPathParams, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::Utc;
use utoipa::openapi::{RefOr, Response, ResponseBuilder};
use uuid::Uuid;

use super::actor;
use super::error::MasstackError;
use super::mapping::{self, KIND, NAMESPACE, ORG_FIELD, Record};
use super::request::{self, Valid};
use super::scoring;
use super::wire::{
    Actor, ActorIdentityDocument, CreateIdentityDocumentIdentificationRequest, ErrorsResponse,
    IdentityDocumentIdentification, ListIdentityDocumentIdentificationsResponse, ListQuery,
    Pagination, Scoring, ScoringProvider,
};
use crate::adapters::common::extract as kit;
use crate::adapters::common::refusal_docs::refusals;
use crate::auth::KeyKind;
use crate::error::Error;
use crate::model::{Document, Namespace, NewProcess, Process, TenantId};
use crate::state::AppState;

crate::vendor_extractors!(MasstackError; Path, Query, Body);

/// The tenant whose access token (from the AuthN token endpoint) or configured MasStack key
/// came as `Authorization: Bearer`.
pub struct MasstackTenant(pub TenantId);

impl FromRequestParts<AppState> for MasstackTenant {
    type Rejection = MasstackError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, MasstackError> {
        let key = kit::bearer(parts)
            .ok_or(MasstackError::Unauthorized)?
            .to_owned();
        let key = key.as_str();
        if let Some(tenant) = kit::keyed_tenant(state, KeyKind::Masstack, Some(key)) {
            return Ok(MasstackTenant(tenant));
        }
        let axum::Extension(authn) =
            axum::Extension::<std::sync::Arc<super::authn::Authn>>::from_request_parts(
                parts, state,
            )
            .await
            .map_err(|_| Error::internal("MasStack AuthN is not installed"))?;
        super::authn::tenant_of(state, &authn, key)
            .await?
            .map(MasstackTenant)
            .ok_or(MasstackError::Unauthorized)
    }
}

fn namespace() -> Namespace {
    crate::adapters::common::namespace(NAMESPACE)
}

/// Checks that `org_id` is one of the tenant's organisations. Another tenant's organisation
/// and one that exists nowhere answer alike: 404.
fn check_org(state: &AppState, tenant: &TenantId, org_id: &str) -> Result<(), MasstackError> {
    let owned = state
        .config
        .tenants
        .iter()
        .find(|t| t.id == tenant.as_str())
        .is_some_and(|t| t.masstack_orgs.iter().any(|o| o == org_id));
    if owned {
        Ok(())
    } else {
        Err(Error::NotFound("organisation").into())
    }
}

/// One identification of one of the tenant's organisations, read from the path
/// (`{org_id}`, then the identification's id, under whichever name the path gives it): the
/// tenant's key is checked first, then the organisation, then the identification. An
/// identification of another organisation, or another API's process, is not found.
pub struct OrgIdentification {
    tenant: TenantId,
    process: Process,
}

impl FromRequestParts<AppState> for OrgIdentification {
    type Rejection = MasstackError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, MasstackError> {
        let MasstackTenant(tenant) = MasstackTenant::from_request_parts(parts, state).await?;
        let Path((org_id, id)) = Path::<(String, String)>::from_request_parts(parts, state).await?;
        check_org(state, &tenant, &org_id)?;
        let Ok(id) = Uuid::parse_str(&id) else {
            // A malformed id is named as the path names it (`identification_id`,
            // `admin_identification_id`), as MasStack's own errors do.
            let raw = RawPathParams::from_request_parts(parts, state)
                .await
                .map_err(Error::internal)?;
            let field = raw
                .iter()
                .map(|(name, _)| name)
                .find(|name| *name != "org_id")
                .ok_or_else(|| Error::internal("the identification path names no id"))?;
            return Err(Error::invalid(field, "must be a UUID").into());
        };
        let process = state
            .store
            .get_process(&tenant, id)
            .await
            .map_err(|e| match e {
                Error::NotFound(_) => Error::NotFound("identification"),
                other => other,
            })?;
        if !mapping::belongs_to(&process, &org_id) {
            return Err(Error::NotFound("identification").into());
        }
        Ok(OrgIdentification { tenant, process })
    }
}

/// The answers every operation of the API documents alike (MasStack's own document lists
/// them on each).
#[derive(utoipa::IntoResponses)]
// Only read by the OpenAPI document: the handlers answer through their error type.
#[allow(dead_code)]
pub enum CommonErrors {
    /// Unauthorized. AuthN and AuthZ validations have fail (no body)
    #[response(status = 401)]
    Unauthorized,
    /// Not expected error (no body)
    #[response(status = 500)]
    Unexpected,
    /// Error response
    #[response(status = "default")]
    Other(ErrorsResponse),
}

/// The answers of an operation on one identification besides its own: those of every
/// operation, an input refused (400) and an identification not found (404), which the
/// metadata read and the close word alike.
pub struct IdentificationRefusals;

impl utoipa::IntoResponses for IdentificationRefusals {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let mut all = CommonErrors::responses();
        all.extend(refusals(
            "ErrorsResponse",
            &[(400, "Request input is not valid")],
        ));
        let not_found = ResponseBuilder::new()
            .description("Not found. Entity does not exist or can not be found (no body)")
            .build();
        all.insert("404".to_owned(), RefOr::T(not_found));
        all
    }
}

/// Create an identity-document identification.
#[utoipa::path(post, path = "/{org_id}/identifications/identity_document",
    operation_id = "createIdentityDocumentIdentification",
    tag = "Identification with identity document Admin",
    request_body = CreateIdentityDocumentIdentificationRequest,
    params(("org_id" = String, Path, description = "Organization name")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "New identity-document identification is created", body = IdentityDocumentIdentification),
        (status = 400, description = "Request input is not valid; the error names the field", body = ErrorsResponse),
        CommonErrors,
        (status = 404, description = "No such organization for this key (no body)"),
        (status = 409, description = "The identity document kept changing while the identification was stored: nothing was stored, retry (no body)"),
    ))]
pub async fn create_identity_document_identification(
    State(state): State<AppState>,
    MasstackTenant(tenant): MasstackTenant,
    Path(org_id): Path<String>,
    Body(bytes): Body,
) -> Result<axum::Json<IdentityDocumentIdentification>, MasstackError> {
    check_org(&state, &tenant, &org_id)?;
    let req = request::validate(request::parse(&bytes)?)?;
    let now = mapping::now();
    let secs = i64::try_from(req.expires_in_secs).map_err(Error::internal)?;
    // The actor, its document and the identification are stored in one transaction. When a
    // concurrent request stored the same person's document between the look-up and that
    // transaction, the look-up runs again and finds it: one person, one subject.
    for _ in 0..LOOKUPS {
        let found = actor::find(&state, &tenant, &req.document, now.date_naive()).await?;
        // Scored before the document is stored: only what was on file before counts.
        let scoring = match req.provider {
            ScoringProvider::Internal => scoring::internal(
                &req.document,
                found.evidence.as_ref(),
                req.configuration,
                now,
            ),
            ScoringProvider::External => scoring::external(),
        };
        let stored = state
            .store
            .create_process_on_document(
                &tenant,
                actor::anchor(&found, &req)?,
                |doc| mapping::matches(doc, &req.document),
                |doc| {
                    let record = record(&org_id, &req, doc, scoring);
                    Ok(NewProcess {
                        subject_id: doc.subject_id,
                        namespace: namespace(),
                        kind: KIND.to_owned(),
                        expires_at: Some(now + chrono::Duration::seconds(secs)),
                        data: record.to_data()?,
                    })
                },
            )
            .await?;
        if let Some((_, p)) = stored {
            return Ok(axum::Json(mapping::identification(&p, Utc::now())?));
        }
    }
    Err(Error::Conflict("the identity document changed while it was being stored".into()).into())
}

/// How often a create looks the actor up before giving up on a document that keeps changing.
const LOOKUPS: usize = 3;

/// The stored record of a new identification on `doc`.
fn record(org_id: &str, req: &Valid, doc: &Document, scoring: Scoring) -> Record {
    Record {
        org_id: org_id.to_owned(),
        configuration_name: req.configuration,
        expires_in: req.expires_in.clone(),
        actor: Actor {
            subject_id: doc.subject_id,
            name: req.name.clone(),
            last_name: req.last_name.clone(),
            identity_document: ActorIdentityDocument {
                document_id: doc.id,
                document_number: req.document.number.clone(),
                document_type: req.document.document_type,
                country: req
                    .document
                    .country
                    .as_ref()
                    .and_then(|c| c.alpha2())
                    .map(str::to_owned),
            },
            email: req.email.clone(),
            msisdn: req.msisdn.clone(),
            language: req.language.clone(),
        },
        scoring,
        closed_at: None,
    }
}

/// Get an identity-document identification's metadata.
#[utoipa::path(get, path = "/{org_id}/identifications/identity_document/{identification_id}",
    operation_id = "getIdentityDocumentIdentificationMetadata",
    tag = "Identification with identity document",
    params(
        ("org_id" = String, Path, description = "Organization name"),
        ("identification_id" = Uuid, Path, description = "uuid identification unique identifier"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The identification; `status` says whether it is open, closed or expired", body = IdentityDocumentIdentification),
        IdentificationRefusals,
    ))]
pub async fn get_identity_document_identification_metadata(
    OrgIdentification { process, .. }: OrgIdentification,
) -> Result<axum::Json<IdentityDocumentIdentification>, MasstackError> {
    Ok(axum::Json(mapping::identification(&process, Utc::now())?))
}

/// Close an identity-document identification.
#[utoipa::path(post, path = "/{org_id}/identifications/identity_document/{admin_identification_id}/close",
    operation_id = "closeIdentityDocumentIdentification",
    tag = "Identification with identity document Admin",
    params(
        ("org_id" = String, Path, description = "Organization name"),
        ("admin_identification_id" = Uuid, Path, description = "uuid identification unique identifier"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Action executed correctly"),
        IdentificationRefusals,
        (status = 409, description = "Conflict. Entity state has conflicts between its new state and the old one: already closed or expired (no body)"),
    ))]
pub async fn close_identity_document_identification(
    State(state): State<AppState>,
    OrgIdentification {
        tenant, process: p, ..
    }: OrgIdentification,
) -> Result<StatusCode, MasstackError> {
    let now = mapping::now();
    let mut record = Record::of(&p)?;
    record.closed_at = Some(now);
    // Compare-and-set in the store: of two racing closes one wins, the other gets 409; an
    // identification past its expiry cannot be closed (it is expired).
    state
        .store
        .transition_process(
            &tenant,
            p.id,
            crate::model::ProcessStatus::Completed,
            now,
            Some(record.to_data()?),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List an organisation's identity-document identifications, newest first.
#[utoipa::path(get, path = "/{org_id}/identifications/identity_document",
    operation_id = "listIdentityDocumentIdentifications",
    tag = "Identification with identity document Admin",
    params(("org_id" = String, Path, description = "Organization name"), ListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of identifications", body = ListIdentityDocumentIdentificationsResponse),
        (status = 400, description = "Request input is not valid", body = ErrorsResponse),
        CommonErrors,
        (status = 404, description = "No such organization for this key (no body)"),
    ))]
pub async fn list_identity_document_identifications(
    State(state): State<AppState>,
    MasstackTenant(tenant): MasstackTenant,
    Path(org_id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<ListIdentityDocumentIdentificationsResponse>, MasstackError> {
    check_org(&state, &tenant, &org_id)?;
    let limit = match q.limit.as_deref() {
        None => 20,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| Error::invalid("limit", "must be a whole number from 1 to 100"))?,
    };
    let offset = match q.offset.as_deref() {
        None => 0,
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| i64::try_from(*n).is_ok())
            .ok_or_else(|| Error::invalid("offset", "must be a whole number, 0 or more"))?,
    };
    let page = state
        .store
        .list_processes_by_kind(
            &tenant,
            &namespace(),
            KIND,
            Some((ORG_FIELD, &org_id)),
            limit,
            offset,
        )
        .await?;
    let now = Utc::now();
    let identifications = page
        .items
        .iter()
        .map(|p| mapping::identification(p, now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(axum::Json(ListIdentityDocumentIdentificationsResponse {
        identifications,
        pagination: Pagination {
            limit,
            offset,
            total: page.total,
        },
    }))
}
