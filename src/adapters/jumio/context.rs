//! What every Jumio handler shares and what the other modules build on without importing
//! a handler module: the shared context ([`Ctx`]), the vendor-shaped extractors, the
//! namespace, the scoped lookups of an account and of one of its executions, and the
//! OpenAPI pieces (the `User-Agent` header, refusals) the handlers' documents share. Kept
//! out of `accounts` so that `auth` (which resolves an execution for an access token) and
//! `accounts` (which needs `auth`'s extractors) do not import each other.

use chrono::Utc;
use utoipa::openapi::Required;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use uuid::Uuid;

use super::error::JumioError;
use super::mapping::{self, EXECUTION, Execution, NAMESPACE};
use super::record::record_of;
use super::urls::Urls;
use super::wire::{ExecutionRef, IdHref};
use crate::adapters::common::api_document::parameter;
use crate::error::Error;
use crate::model::{Namespace, Process, Subject, TenantId};
use crate::state::AppState;
use crate::store::ProcessScope;

crate::vendor_extractors!(JumioError; Path, Body);

/// What the Jumio handlers share: the URLs handed out, the client callbacks go through and
/// the signer of the executions' JWTs.
pub struct Ctx {
    /// URL builder.
    pub urls: Urls,
    /// HTTP client for callbacks (`callback_timeout_secs`, no redirects, a `User-Agent` naming idbridge).
    pub http: reqwest::Client,
    /// Wakes this node's callback deliverer when it stored a callback.
    pub outbox: crate::jobs::outbox::Waker,
    /// `sdk.token` and the web client's `authorizationToken`.
    pub tokens: super::tokens::Tokens,
    /// The web page's `frame-ancestors` (`adapters.jumio.web_frame_ancestors`).
    pub frame_ancestors: Vec<String>,
}

/// The namespace of Jumio's processes, tokens and aliases.
pub(super) fn namespace() -> Namespace {
    crate::adapters::common::namespace(NAMESPACE)
}

/// The account with this id in this tenant: the subject with this id, else the subject a
/// `jumio` alias with this external id is linked to (an alias an operator linked through
/// the admin API, say).
pub(super) async fn account(
    state: &AppState,
    tenant: &TenantId,
    id: Uuid,
) -> Result<Subject, JumioError> {
    state
        .store
        .resolve_subject(tenant, &namespace(), &id.to_string(), false)
        .await?
        .ok_or_else(|| Error::NotFound("account").into())
}

/// The account's workflow execution with this id, and its record. The store reads it in
/// the account's scope (that subject's Jumio executions only), so anything else (another
/// account's, another API's process) is not found, exactly like one that does not exist.
pub(super) async fn execution(
    state: &AppState,
    tenant: &TenantId,
    account_id: Uuid,
    id: Uuid,
) -> Result<(Subject, Process, Execution), JumioError> {
    let subject = account(state, tenant, account_id).await?;
    let ns = namespace();
    let scope = ProcessScope {
        subject_id: subject.id,
        namespace: &ns,
        kind: EXECUTION,
    };
    let process = match state.store.process_of(tenant, scope, id).await {
        Ok(p) => p,
        Err(Error::NotFound(_)) => return Err(Error::NotFound("workflow execution").into()),
        Err(e) => return Err(e.into()),
    };
    let record = record_of(state, &process).await?;
    Ok((subject, process, record))
}

/// The execution as status and callback bodies show it.
pub(super) fn reference(ctx: &Ctx, p: &Process, e: &Execution) -> (IdHref, ExecutionRef) {
    (
        IdHref {
            id: p.subject_id,
            href: ctx.urls.account(p.subject_id),
        },
        ExecutionRef {
            id: p.id,
            href: ctx.urls.execution(p.subject_id, p.id),
            definition_key: e.definition_key.to_string(),
            status: mapping::status(p, e, Utc::now()),
        },
    )
}

/// The `User-Agent` header every Jumio call requires, as an OpenAPI parameter.
pub struct UserAgent;

impl utoipa::IntoParams for UserAgent {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![parameter(
            "User-Agent",
            ParameterIn::Header,
            "Required",
            Required::True,
            ObjectBuilder::new().schema_type(Type::String),
        )]
    }
}

/// The parameters of a call on ids in its path: each id named (a UUID, in the path, with
/// what it names), then the `User-Agent` header.
pub(super) fn ids_and_user_agent(ids: &[(&str, &str)]) -> Vec<Parameter> {
    let id = |(name, description): &(&str, &str)| {
        let uuid = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
        parameter(name, ParameterIn::Path, description, Required::True, uuid)
    };
    let mut params: Vec<Parameter> = ids.iter().map(id).collect();
    params.extend(<UserAgent as utoipa::IntoParams>::into_params(|| None));
    params
}

/// The ids of a workflow execution's path.
pub(super) const EXECUTION_IDS: [(&str, &str); 2] = [
    ("accountId", "The account"),
    ("workflowExecutionId", "The workflow execution"),
];

/// `AccessRefusals`' statuses and descriptions.
const ACCESS_REFUSALS: &[(u16, &str)] = &[
    (
        401,
        "No or expired access token, or wrong Basic credentials",
    ),
    (
        429,
        "Too many wrong Basic credentials for this API token or from this address; Retry-After says when to try again",
    ),
    (403, "No User-Agent"),
];

/// An id in the path that is not a UUID (400).
const MALFORMED_ID: &[(u16, &str)] = &[(400, "Malformed id")];

crate::refusal_set!("ErrorBody";
    /// The refusals every call opened by an access token or Basic credentials shares: no or
    /// wrong credentials (401), too many wrong ones (429), no `User-Agent` (403).
    AccessRefusals = [ACCESS_REFUSALS],
    /// The refusals of an access call on ids in its path: those of every access call, and a
    /// malformed id (400).
    IdRefusals = [ACCESS_REFUSALS, MALFORMED_ID],
    /// The refusals of an access call on one workflow execution: those of a call on ids, and
    /// no such account or execution (404).
    ExecutionRefusals = [
        ACCESS_REFUSALS,
        MALFORMED_ID,
        &[(404, "No such account or workflow execution")],
    ],
);
