//! Accounts and their workflow executions: create (a new subject), update (a new execution
//! on an existing account), and deletion (crypto-shredded). An account is a subject: its id
//! is the subject's id, so any subject is an account here.

use std::sync::Arc;

use axum::extract::{Extension, State};
use chrono::Utc;
use uuid::Uuid;

use super::auth::{API_TOKEN, Access, OnExecution};
use super::checks::{callback, check_references, check_request, parse, requested};
use super::error::JumioError;
use super::mapping::{self, EXECUTION, Execution, NAMESPACE, StoredCredential};
use super::tokens::Audience;
use super::wire::{
    AccountRequest, AccountResponse, ApiChannel, Category, Credential, ErrorBody, Id, NewExecution,
    SdkChannel, WebChannel,
};
use crate::error::Error;
use crate::model::{NewDocument, NewProcess, Subject, TenantId};
use crate::ops::{
    self,
    executions::{Holds, NewCredential, NewToken, Opening, Owner},
};
use crate::state::AppState;

// Where the other modules have always found them (`context` holds them so that `auth`
// and `accounts` do not import each other).
use super::context::{AccessRefusals, ExecutionRefusals, IdRefusals, UserAgent};
pub(super) use super::context::{Body, Ctx, Path, account, execution, namespace, reference};

/// Checks the request in `bytes` and opens a workflow execution for the account `on_file`, or
/// for a new account: its documents (one per ID, SELFIE and DOCUMENT credential), the
/// process, and the execution's `api.token`.
async fn open_execution(
    state: &AppState,
    ctx: &Ctx,
    tenant: &TenantId,
    on_file: Option<&Subject>,
    bytes: &[u8],
) -> Result<axum::Json<AccountResponse>, JumioError> {
    let req = parse(bytes)?;
    // Everything that can be refused is checked before the subject exists.
    check_request(state, &req)?;
    check_references(state, tenant, on_file, &req).await?;
    let (subject, owner) = match on_file {
        Some(account) => (account.id, Owner::OnFile),
        // The account id is the subject's id and its `jumio` alias both, so the account is
        // found by either rule of `resolve_subject`. The subject is created in the
        // execution's transaction: a request refused there leaves no account behind.
        None => {
            let id = Uuid::now_v7();
            (id, Owner::New(vec![(namespace(), id.to_string())]))
        }
    };
    // Checked by `check_request` above.
    let credentials = requested(&req)?;
    let lifetime = mapping::token_lifetime(req.token_lifetime.as_deref())?;
    let callback_url = callback(state, req.callback_url.as_deref())?;
    let now = Utc::now();
    let mut new_credentials = Vec::with_capacity(credentials.len());
    for (category, id_types, reused) in credentials {
        let has_document = matches!(
            category,
            Category::Id | Category::Selfie | Category::Document
        );
        let holds = match reused {
            // Checked by `check_references`: a document of this account.
            Some(id) => Holds::Reused(id),
            None if has_document => {
                let new = NewDocument {
                    kind: Some(mapping::kind_for(category, &id_types)),
                    extras: [(
                        NAMESPACE.to_owned(),
                        serde_json::json!({ "category": category, "idTypes": id_types }),
                    )]
                    .into(),
                    written_by: Some(NAMESPACE),
                    ..Default::default()
                };
                Holds::New(Box::new(new.validate()?))
            }
            None => Holds::Nothing,
        };
        new_credentials.push(NewCredential {
            category: category.wire_name().to_owned(),
            id_types,
            holds,
        });
    }
    let mut execution = Execution {
        definition_key: req.workflow_definition.key,
        customer_internal_reference: req.customer_internal_reference,
        user_reference: req.user_reference,
        reporting_criteria: req.reporting_criteria,
        callback_url,
        credentials: Vec::new(),
        started_at: None,
        completed_at: None,
        decision: None,
        capabilities: Default::default(),
        token_expires_at: Some(now + lifetime),
        web: req.web.as_ref().map(to_value).transpose()?,
        requested_capabilities: req
            .workflow_definition
            .capabilities
            .as_ref()
            .map(to_value)
            .transpose()?,
        user_consent: req.user_consent.as_ref().map(to_value).transpose()?,
    };
    // The process, its credentials' documents and rows, and its api.token: all or nothing.
    let opening = Opening {
        owner,
        process: NewProcess {
            subject_id: subject,
            namespace: namespace(),
            kind: EXECUTION.into(),
            expires_at: Some(now + lifetime),
            // The execution's state is in rows: details, credentials, tokens.
            data: serde_json::json!({}),
        },
        credentials: new_credentials,
        token: NewToken {
            purpose: API_TOKEN,
            ttl: lifetime,
        },
        details: Some(execution.details()?),
    };
    // The subject when new, the process and its details, its credentials' documents and
    // rows, and its api.token: all or nothing.
    let (process, rows, token) = ops::executions::open(&state.store, tenant, opening).await?;
    execution.credentials = rows
        .iter()
        .map(StoredCredential::from_row)
        .collect::<Result<_, _>>()?;
    let urls = &ctx.urls;
    let finalize = urls.execution(subject, process.id);
    // The web and SDK channels, when a credential can come through them (Jumio: "only
    // relevant for the WEB channel", "… for the SDK channel"). Both tokens live as long as
    // the api.token.
    let through = |channel: &str| {
        execution
            .credentials
            .iter()
            .any(|c| c.channels().contains(&channel))
    };
    let ids = (subject, process.id);
    let web = match through("WEB") {
        false => None,
        true => Some(WebChannel {
            href: urls.web_href(
                &ctx.tokens
                    .mint(state, Audience::Web, tenant, ids, token.expires_at)
                    .await?,
                req.web.as_ref().and_then(|w| w.locale.as_deref()),
            ),
            success_url: req.web.as_ref().and_then(|w| w.success_url.clone()),
            error_url: req.web.as_ref().and_then(|w| w.error_url.clone()),
        }),
    };
    let sdk = match through("SDK") {
        false => None,
        true => Some(SdkChannel {
            token: ctx
                .tokens
                .mint(state, Audience::Sdk, tenant, ids, token.expires_at)
                .await?,
        }),
    };
    Ok(axum::Json(AccountResponse {
        timestamp: mapping::timestamp(now),
        account: Id { id: subject },
        web,
        sdk,
        workflow_execution: NewExecution {
            id: process.id,
            credentials: execution
                .credentials
                .iter()
                .map(|c| Credential {
                    id: c.id,
                    category: c.category,
                    allowed_channels: c.channels(),
                    api: c.channels().contains(&"API").then(|| ApiChannel {
                        token: token.token.clone(),
                        parts: urls.parts(subject, process.id, c),
                        workflow_execution: finalize.clone(),
                    }),
                })
                .collect(),
        },
    }))
}

fn to_value(v: &impl serde::Serialize) -> Result<serde_json::Value, Error> {
    serde_json::to_value(v).map_err(Error::internal)
}

/// Create an account and its first workflow execution.
#[utoipa::path(post, path = "/api/v1/accounts", operation_id = "createAccount", tag = "Accounts",
    request_body = AccountRequest,
    params(UserAgent),
    security(("access_token" = []), ("basic" = [])),
    responses(
        (status = 200, description = "The account and its workflow execution, with each credential's api.token and part URLs", body = AccountResponse),
        (status = 400, description = "Invalid input (named in `field`)", body = ErrorBody),
        AccessRefusals,
        (status = 413, description = "Body over server.json_body_limit", body = ErrorBody),
    ))]
pub async fn create_account(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    Access(tenant): Access,
    Body(bytes): Body,
) -> Result<axum::Json<AccountResponse>, JumioError> {
    open_execution(&state, &ctx, &tenant, None, &bytes).await
}

/// Start a new workflow execution on an existing account.
#[utoipa::path(put, path = "/api/v1/accounts/{accountId}", operation_id = "updateAccount", tag = "Accounts",
    request_body = AccountRequest,
    params(("accountId" = Uuid, Path, description = "The account"), UserAgent),
    security(("access_token" = []), ("basic" = [])),
    responses(
        (status = 200, description = "The new workflow execution", body = AccountResponse),
        (status = 400, description = "Invalid input (named in `field`)", body = ErrorBody),
        AccessRefusals,
        (status = 404, description = "No such account", body = ErrorBody),
    ))]
pub async fn update_account(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    Access(tenant): Access,
    Path(id): Path<Uuid>,
    Body(bytes): Body,
) -> Result<axum::Json<AccountResponse>, JumioError> {
    let subject = account(&state, &tenant, id).await?;
    open_execution(&state, &ctx, &tenant, Some(&subject), &bytes).await
}

/// Delete an account: everything stored for it, through every API, unrecoverably.
#[utoipa::path(delete, path = "/api/v1/accounts/{accountId}", operation_id = "deleteAccount", tag = "Retrieval",
    params(("accountId" = Uuid, Path, description = "The account"), UserAgent),
    security(("access_token" = []), ("basic" = [])),
    responses(
        (status = 200, description = "Deleted; no body"),
        IdRefusals,
        (status = 404, description = "No such account", body = ErrorBody),
    ))]
pub async fn delete_account(
    State(state): State<AppState>,
    Access(tenant): Access,
    Path(id): Path<Uuid>,
) -> Result<(), JumioError> {
    let subject = account(&state, &tenant, id).await?;
    // One transaction: a call on one of its executions either committed before (and its
    // writes go with the account) or finds no execution after.
    ops::executions::delete_subject(&state.store, &tenant, subject.id).await?;
    Ok(())
}

/// Delete a workflow execution: its credentials' documents and files (unrecoverably) and
/// its record; its api.token stops working.
#[utoipa::path(delete, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}", operation_id = "deleteWorkflowExecution", tag = "Retrieval",
    params(OnExecution),
    security(("access_token" = []), ("basic" = [])),
    responses(
        (status = 200, description = "Deleted; no body"),
        ExecutionRefusals,
    ))]
pub async fn delete_execution(call: OnExecution) -> Result<(), JumioError> {
    let OnExecution {
        state,
        tenant,
        account: subject,
        process,
        ..
    } = call;
    // One transaction, reading the credentials inside it: a document a concurrent call
    // starts for one of them is either seen and deleted here or never created.
    let ns = namespace();
    let target = ops::Target {
        tenant: &tenant,
        subject: subject.id,
        process: process.id,
        namespace: &ns,
        kind: EXECUTION,
    };
    match ops::executions::delete_process(&state.store, &target).await {
        Ok(()) => Ok(()),
        Err(Error::NotFound(_)) => Err(Error::NotFound("workflow execution").into()),
        Err(e) => Err(e.into()),
    }
}
