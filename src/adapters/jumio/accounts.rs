//! Accounts and their workflow executions: create (a new subject), update (a new execution
//! on an existing account), and deletion (crypto-shredded). An account is a subject: its id
//! is the subject's id, so any subject is an account here.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, FromRequestParts, State};
use chrono::Utc;
use uuid::Uuid;

use super::auth::{API_TOKEN, Access};
use super::error::JumioError;
use super::mapping::{self, EXECUTION, Execution, NAMESPACE, StoredCredential, Urls};
use super::wire::{
    AccountRequest, AccountResponse, ApiChannel, Category, Credential, ErrorBody, Id, NewExecution,
};
use crate::error::Error;
use crate::model::{Namespace, NewDocument, NewProcess, Subject, TenantId};
use crate::state::AppState;

/// Raw body extractor answering in Jumio's error shape (413 past the body limit).
pub struct Body(pub Bytes);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Body {
    type Rejection = JumioError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, JumioError> {
        <Bytes as axum::extract::FromRequest<S>>::from_request(req, state)
            .await
            .map(Body)
            .map_err(|r| match r.status() {
                axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    Error::PayloadTooLarge { limit: None }.into()
                }
                _ => JumioError::Body(r.body_text()),
            })
    }
}

/// Path extractor answering in Jumio's error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(JumioError))]
pub struct Path<T>(pub T);

/// What the Jumio handlers share: the URLs handed out and the client callbacks go through.
pub struct Ctx {
    /// URL builder.
    pub urls: Urls,
    /// HTTP client for callbacks (10 s timeout, no redirects).
    pub http: reqwest::Client,
    /// One writer at a time per workflow execution (see `lock`).
    pub locks: super::lock::ExecutionLocks,
}

pub(super) fn namespace() -> Namespace {
    Namespace::new(NAMESPACE).expect("a valid namespace literal")
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

fn parse(bytes: &[u8]) -> Result<AccountRequest, JumioError> {
    if !crate::adapters::common::is_json_object(bytes) {
        return Err(JumioError::Body(
            crate::adapters::common::NOT_AN_OBJECT.into(),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            JumioError::Body(format!("invalid JSON body: {}", e.inner()))
        } else {
            Error::invalid(path, e.inner().to_string()).into()
        }
    })
}

/// Checks a callback URL: http(s), at most 255 characters, to an allowed host.
fn callback(state: &AppState, url: Option<&str>) -> Result<Option<String>, Error> {
    let Some(url) = url else { return Ok(None) };
    if url.chars().count() > 255 {
        return Err(Error::invalid(
            "callbackUrl",
            "must be at most 255 characters",
        ));
    }
    let parsed =
        reqwest::Url::parse(url).map_err(|_| Error::invalid("callbackUrl", "is not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid("callbackUrl", "must be http or https"));
    }
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']']);
    let allowed = &state.config.adapters.jumio.callback_hosts;
    if !allowed.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Err(Error::invalid(
            "callbackUrl",
            "its host is not one idbridge is configured to call (adapters.jumio.callback_hosts)",
        ));
    }
    Ok(Some(url.to_owned()))
}

/// Checks a request and opens a workflow execution for the account: its documents (one per
/// ID, SELFIE and DOCUMENT credential), the process, and the execution's `api.token`.
async fn open_execution(
    state: &AppState,
    ctx: &Ctx,
    tenant: &TenantId,
    subject: &Subject,
    req: AccountRequest,
) -> Result<AccountResponse, JumioError> {
    // Checked by `check_request` before the caller wrote anything.
    let credentials = requested(&req)?;
    let lifetime = mapping::token_lifetime(req.token_lifetime.as_deref())?;
    let callback_url = callback(state, req.callback_url.as_deref())?;
    let now = Utc::now();
    let mut stored = Vec::with_capacity(credentials.len());
    for (category, id_types, reused) in credentials {
        if let Some(id) = reused {
            // Checked by `check_references`: a document of this account.
            stored.push(StoredCredential {
                id,
                category,
                has_document: true,
                id_types,
                prefill: None,
                prepared_data: None,
                data_document: None,
                document: None,
                last_page: 0,
                reused: true,
            });
            continue;
        }
        let has_document = matches!(
            category,
            Category::Id | Category::Selfie | Category::Document
        );
        let id = if has_document {
            let new = NewDocument {
                kind: Some(mapping::kind_for(category, &id_types)),
                extras: [(
                    NAMESPACE.to_owned(),
                    serde_json::json!({ "category": category, "idTypes": id_types }),
                )]
                .into(),
                ..Default::default()
            };
            state
                .store
                .create_document(tenant, subject.id, new.validate()?)
                .await?
                .id
        } else {
            Uuid::now_v7()
        };
        stored.push(StoredCredential {
            id,
            category,
            has_document,
            id_types,
            prefill: None,
            prepared_data: None,
            data_document: None,
            document: None,
            last_page: 0,
            reused: false,
        });
    }
    let execution = Execution {
        definition_key: req.workflow_definition.key,
        customer_internal_reference: req.customer_internal_reference,
        user_reference: req.user_reference,
        reporting_criteria: req.reporting_criteria,
        callback_url,
        credentials: stored,
        started_at: None,
        completed_at: None,
        decision: None,
        capabilities: Default::default(),
        callback_queued: false,
        token_expires_at: Some(now + lifetime),
        web: req.web,
        user_consent: req.user_consent,
    };
    let process = state
        .store
        .create_process(
            tenant,
            NewProcess {
                subject_id: subject.id,
                namespace: namespace(),
                kind: EXECUTION.into(),
                expires_at: Some(now + lifetime),
                data: execution.to_data()?,
            },
        )
        .await?;
    let token = state
        .store
        .mint_token(tenant, subject.id, Some(process.id), API_TOKEN, lifetime)
        .await?;
    let urls = &ctx.urls;
    let finalize = urls.execution(subject.id, process.id);
    Ok(AccountResponse {
        timestamp: mapping::timestamp(now),
        account: Id { id: subject.id },
        workflow_execution: NewExecution {
            id: process.id,
            credentials: execution
                .credentials
                .iter()
                .map(|c| Credential {
                    id: c.id,
                    category: c.category,
                    allowed_channels: match c.category {
                        // Captured before, as the guide's workflow 5 response shows it.
                        _ if c.reused => vec![],
                        Category::Facemap => vec!["WEB", "SDK"],
                        // Prepared data has no web or SDK capture.
                        Category::Data => vec!["API"],
                        _ => vec!["WEB", "API", "SDK"],
                    },
                    api: (c.category != Category::Facemap && !c.reused).then(|| ApiChannel {
                        token: token.token.clone(),
                        parts: urls.parts(subject.id, process.id, c),
                        workflow_execution: finalize.clone(),
                    }),
                })
                .collect(),
        },
    })
}

/// Create an account and its first workflow execution.
#[utoipa::path(post, path = "/api/v1/accounts", operation_id = "createAccount", tag = "Accounts",
    request_body = AccountRequest,
    params(("User-Agent" = String, Header, description = "Required")),
    security(("access_token" = []), ("basic" = [])),
    responses(
        (status = 200, description = "The account and its workflow execution, with each credential's api.token and part URLs", body = AccountResponse),
        (status = 400, description = "Invalid input (named in `field`)", body = ErrorBody),
        (status = 401, description = "No or expired access token, or wrong Basic credentials", body = ErrorBody),
        (status = 429, description = "Too many wrong Basic credentials for this API token or from this address; Retry-After says when to try again", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 413, description = "Body over server.json_body_limit", body = ErrorBody),
    ))]
pub async fn create_account(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    Access(tenant): Access,
    Body(bytes): Body,
) -> Result<axum::Json<AccountResponse>, JumioError> {
    let req = parse(&bytes)?;
    // Everything that can be refused is checked before the subject exists.
    check_request(&state, &req)?;
    check_references(&state, &tenant, None, &req).await?;
    // The account id is the subject's id and its `jumio` alias both, so the account is
    // found by either rule of `resolve_subject`.
    let id = Uuid::now_v7();
    let subject = state
        .store
        .create_subject(&tenant, Some(id), None, &[(namespace(), id.to_string())])
        .await?;
    Ok(axum::Json(
        open_execution(&state, &ctx, &tenant, &subject, req).await?,
    ))
}

/// Every check of a request, run before anything is written.
fn check_request(state: &AppState, req: &AccountRequest) -> Result<(), JumioError> {
    mapping::customer_reference(&req.customer_internal_reference)?;
    requested(req)?;
    mapping::token_lifetime(req.token_lifetime.as_deref())?;
    callback(state, req.callback_url.as_deref())?;
    for (name, value, max) in [
        ("userReference", &req.user_reference, 100),
        ("reportingCriteria", &req.reporting_criteria, 255),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            return Err(Error::invalid(name, format!("must be at most {max} characters")).into());
        }
    }
    for (name, value) in [("userConsent", &req.user_consent), ("web", &req.web)] {
        if value.as_ref().is_some_and(|v| !v.is_object()) {
            return Err(Error::invalid(name, "must be an object").into());
        }
    }
    Ok(())
}

/// Checks the credentials a request references by id: each must be a document of this
/// account (a new account has none), of a category that holds one.
async fn check_references(
    state: &AppState,
    tenant: &TenantId,
    subject: Option<&Subject>,
    req: &AccountRequest,
) -> Result<(), JumioError> {
    let list = req
        .workflow_definition
        .credentials
        .as_deref()
        .unwrap_or(&[]);
    for (i, c) in list.iter().enumerate() {
        let Some(id) = c.id else { continue };
        let field = format!("workflowDefinition.credentials[{i}].id");
        if !matches!(
            c.category,
            Category::Id | Category::Selfie | Category::Document
        ) {
            return Err(Error::invalid(
                field,
                format!(
                    "a {} credential cannot be referenced; only ID, SELFIE and DOCUMENT",
                    c.category.wire_name()
                ),
            )
            .into());
        }
        let found = match (subject, state.store.get_document(tenant, id).await) {
            (Some(s), Ok(d)) if d.subject_id == s.id => d,
            (_, Ok(_) | Err(Error::NotFound(_))) => {
                return Err(Error::invalid(field, "is not a credential of this account").into());
            }
            (_, Err(e)) => return Err(e.into()),
        };
        // The reused document is judged as a credential of the category named: a bank
        // statement is no ID, a passport no selfie.
        if !mapping::fits(c.category, found.kind) {
            return Err(Error::invalid(
                format!("workflowDefinition.credentials[{i}].category"),
                format!(
                    "the credential {id} is a {} document, not a {} credential",
                    serde_json::to_value(found.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    c.category.wire_name()
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// A credential asked for: its category, its ID types, the existing credential it reuses.
type Requested = (Category, Vec<String>, Option<Uuid>);

/// The credentials a request asks for, each with the existing credential it reuses if it
/// names one: its own list when it gives one (which replaces the workflow's set), else its
/// workflow's set. The key must be one Jumio describes either way; types and countries are
/// checked.
fn requested(req: &AccountRequest) -> Result<Vec<Requested>, Error> {
    let set = mapping::workflow(req.workflow_definition.key).ok_or_else(|| {
        Error::invalid(
            "workflowDefinition.key",
            "is not a workflow Jumio describes",
        )
    })?;
    let given = req
        .workflow_definition
        .credentials
        .as_deref()
        .unwrap_or(&[]);
    if given.len() > 10 {
        return Err(Error::invalid(
            "workflowDefinition.credentials",
            "at most 10 credentials",
        ));
    }
    for (i, c) in given.iter().enumerate() {
        let at = |what: &str| format!("workflowDefinition.credentials[{i}].{what}");
        let types = c.kind.as_ref().map_or(&[][..], |k| &k.values[..]);
        let allowed: &[&str] = match c.category {
            Category::Id => &["ID_CARD", "DRIVING_LICENSE", "PASSPORT", "VISA"],
            Category::Facemap => &["IPROOV_STANDARD", "IPROOV_PREMIUM", "JUMIO_STANDARD"],
            // DOCUMENT type codes (BS, UB, CC…) are not all published: kept as sent.
            Category::Document | Category::Selfie | Category::Data => &[],
        };
        if let Some(bad) = types.iter().find(|t| match c.category {
            Category::Document => t.is_empty() || t.chars().count() > 32,
            _ => !allowed.contains(&t.as_str()),
        }) {
            let reason = if c.category == Category::Document {
                format!("{bad:?} is not a document type code")
            } else if allowed.is_empty() {
                format!("a {} credential takes no type", c.category.wire_name())
            } else {
                format!("{bad:?} is not {}", allowed.join(", "))
            };
            return Err(Error::invalid(at("type.values"), reason));
        }
        let countries = c.country.as_ref().map_or(&[][..], |k| &k.values[..]);
        if let Some(bad) = countries.iter().find(|v| mapping::country(v).is_none()) {
            return Err(Error::invalid(
                at("country.values"),
                format!("{bad:?} is not an ISO 3166-1 alpha-3 country code"),
            ));
        }
    }
    Ok(if given.is_empty() {
        set.iter().map(|c| (*c, Vec::new(), None)).collect()
    } else {
        given
            .iter()
            .map(|c| {
                let types = c
                    .kind
                    .as_ref()
                    .map(|k| k.values.clone())
                    .unwrap_or_default();
                (c.category, types, c.id)
            })
            .collect()
    })
}

/// Start a new workflow execution on an existing account.
#[utoipa::path(put, path = "/api/v1/accounts/{accountId}", operation_id = "updateAccount", tag = "Accounts",
    request_body = AccountRequest,
    params(("accountId" = Uuid, Path, description = "The account"), ("User-Agent" = String, Header, description = "Required")),
    security(("access_token" = []), ("basic" = [])),
    responses(
        (status = 200, description = "The new workflow execution", body = AccountResponse),
        (status = 400, description = "Invalid input (named in `field`)", body = ErrorBody),
        (status = 401, description = "No or expired access token, or wrong Basic credentials", body = ErrorBody),
        (status = 429, description = "Too many wrong Basic credentials for this API token or from this address; Retry-After says when to try again", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
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
    let req = parse(&bytes)?;
    check_request(&state, &req)?;
    check_references(&state, &tenant, Some(&subject), &req).await?;
    Ok(axum::Json(
        open_execution(&state, &ctx, &tenant, &subject, req).await?,
    ))
}

/// Delete an account: everything stored for it, through every API, unrecoverably.
#[utoipa::path(delete, path = "/api/v1/accounts/{accountId}", operation_id = "deleteAccount", tag = "Retrieval",
    params(("accountId" = Uuid, Path, description = "The account"), ("User-Agent" = String, Header, description = "Required")),
    security(("access_token" = []), ("basic" = [])),
    responses(
        (status = 200, description = "Deleted; no body"),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No or expired access token, or wrong Basic credentials", body = ErrorBody),
        (status = 429, description = "Too many wrong Basic credentials for this API token or from this address; Retry-After says when to try again", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
    ))]
pub async fn delete_account(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    Access(tenant): Access,
    Path(id): Path<Uuid>,
) -> Result<(), JumioError> {
    let subject = account(&state, &tenant, id).await?;
    // Every execution of the account is held, so no call on one of them writes a part or a
    // document between the deletion and its own end.
    let executions = state
        .store
        .list_processes(&tenant, subject.id)
        .await?
        .into_iter()
        .filter(|p| p.namespace == namespace() && p.kind == EXECUTION)
        .map(|p| p.id);
    let _held = ctx.locks.lock_all(executions).await;
    state.store.delete_subject(&tenant, subject.id).await?;
    Ok(())
}

/// Delete a workflow execution: its credentials' documents and files (unrecoverably) and
/// its record; its api.token stops working.
#[utoipa::path(delete, path = "/api/v1/accounts/{accountId}/workflow-executions/{workflowExecutionId}", operation_id = "deleteWorkflowExecution", tag = "Retrieval",
    params(("accountId" = Uuid, Path, description = "The account"), ("workflowExecutionId" = Uuid, Path, description = "The workflow execution"), ("User-Agent" = String, Header, description = "Required")),
    security(("access_token" = []), ("basic" = [])),
    responses(
        (status = 200, description = "Deleted; no body"),
        (status = 400, description = "Malformed id", body = ErrorBody),
        (status = 401, description = "No or expired access token, or wrong Basic credentials", body = ErrorBody),
        (status = 429, description = "Too many wrong Basic credentials for this API token or from this address; Retry-After says when to try again", body = ErrorBody),
        (status = 403, description = "No User-Agent", body = ErrorBody),
        (status = 404, description = "No such account or workflow execution", body = ErrorBody),
    ))]
pub async fn delete_execution(
    State(state): State<AppState>,
    Extension(ctx): Extension<Arc<Ctx>>,
    Access(tenant): Access,
    Path((id, execution)): Path<(Uuid, Uuid)>,
) -> Result<(), JumioError> {
    // Held from the read of the record: a document a concurrent call creates for one of
    // its credentials is either in the record read here or never created.
    let _held = ctx.locks.lock(execution).await;
    let (_, process, record) = super::retrieval::execution(&state, &tenant, id, execution).await?;
    // A reused credential belongs to the execution that captured it, not to this one.
    let documents = record
        .credentials
        .iter()
        .filter(|c| !c.reused)
        .flat_map(|c| [c.doc(), c.data_document])
        .flatten()
        .collect::<Vec<_>>();
    for id in documents {
        match state.store.delete_document(&tenant, id).await {
            Ok(()) | Err(Error::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    state.store.delete_process(&tenant, process.id).await?;
    Ok(())
}
