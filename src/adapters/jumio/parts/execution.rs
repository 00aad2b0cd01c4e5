//! The open execution an acquisition call acts on: read and checked before the call reads
//! its body, the target and action its operation runs in one transaction, and the answer
//! every acquisition call gives, with the OpenAPI pieces (the User-Agent header, refusals) their
//! documents share.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::openapi::path::{Parameter, ParameterIn};
use uuid::Uuid;

use crate::adapters::jumio::accounts::{Ctx, Path, namespace};
use crate::adapters::jumio::auth::ApiToken;
use crate::adapters::jumio::context::{EXECUTION_IDS, ids_and_user_agent};
use crate::adapters::jumio::error::JumioError;
use crate::adapters::jumio::mapping::{self, Execution, StoredCredential};
use crate::adapters::jumio::wire::{ApiChannel, Id, PartResponse, Status};
use crate::error::Error;
use crate::model::{Namespace, Process};
use crate::ops;
use crate::state::AppState;

/// An acquisition call on one credential, read from the request at once: the state, Jumio's
/// context, the execution's token (checked first, as a token-less call is refused before
/// its path is read) and the ids in the path. Documented as those ids and the `User-Agent`
/// header: `params(OnCredential)`.
pub struct OnCredential {
    pub(in crate::adapters::jumio) state: AppState,
    pub(in crate::adapters::jumio) ctx: Arc<Ctx>,
    pub(in crate::adapters::jumio) token: ApiToken,
    pub(in crate::adapters::jumio) account: Uuid,
    pub(in crate::adapters::jumio) execution: Uuid,
    pub(in crate::adapters::jumio) credential: Uuid,
    /// The part's `{classifier}`, on the paths that name one.
    pub(in crate::adapters::jumio) classifier: Option<String>,
    /// Jumio's namespace, held here so that a call's [`Target`](ops::Target) can borrow it.
    ns: Namespace,
}

/// The ids every credential path holds. Read by name, so a path with a `{classifier}` after
/// them reads the same.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CredentialIds {
    account_id: Uuid,
    workflow_execution_id: Uuid,
    credential_id: Uuid,
    #[serde(default)]
    classifier: Option<String>,
}

impl FromRequestParts<AppState> for OnCredential {
    type Rejection = JumioError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, JumioError> {
        let token = ApiToken::from_request_parts(parts, state).await?;
        let Path(ids) = Path::<CredentialIds>::from_request_parts(parts, state).await?;
        let ctx = parts
            .extensions
            .get::<Arc<Ctx>>()
            .cloned()
            .ok_or_else(|| Error::internal("the Jumio routes run without their context"))?;
        Ok(OnCredential {
            state: state.clone(),
            ctx,
            token,
            account: ids.account_id,
            execution: ids.workflow_execution_id,
            credential: ids.credential_id,
            classifier: ids.classifier,
            ns: namespace(),
        })
    }
}

impl utoipa::IntoParams for OnCredential {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let [account, execution] = EXECUTION_IDS;
        ids_and_user_agent(&[account, execution, ("credentialId", "The credential")])
    }
}

impl OnCredential {
    /// A call on `credential` (and `classifier`) of the execution `token` opens, made other
    /// than through a credential path: the web page's form names them in its fields.
    pub(in crate::adapters::jumio) fn new(
        state: &AppState,
        ctx: &Arc<Ctx>,
        token: ApiToken,
        credential: Uuid,
        classifier: String,
    ) -> Self {
        OnCredential {
            state: state.clone(),
            ctx: ctx.clone(),
            account: token.account,
            execution: token.execution,
            token,
            credential,
            classifier: Some(classifier),
            ns: namespace(),
        }
    }

    /// The open execution (see [`open`]) and this call's credential in it (404 when the
    /// execution has none with this id).
    pub(in crate::adapters::jumio) async fn open(
        &self,
    ) -> Result<(Process, Execution, StoredCredential), JumioError> {
        let (process, record) =
            open(&self.state, &self.token, self.account, self.execution).await?;
        let credential = record.credential(self.credential)?.clone();
        Ok((process, record, credential))
    }

    /// The execution an operation writes to.
    pub(in crate::adapters::jumio) fn target(&self, process: &Process) -> ops::Target<'_> {
        target(&self.token, process, &self.ns)
    }

    /// The answer of this call: the ids, `part` and the token's API links.
    pub(in crate::adapters::jumio) fn envelope(
        &self,
        credential: &StoredCredential,
        part: Uuid,
    ) -> axum::Json<PartResponse> {
        axum::Json(envelope(&self.ctx, &self.token, credential, part))
    }
}

/// Refuses an action on an execution that is no longer `INITIATED` (409).
fn takes_actions(p: &Process, now: DateTime<Utc>) -> Result<(), Error> {
    let status = mapping::process_status(p, p.started_at, now);
    if status != Status::Initiated {
        return Err(Error::Conflict(format!(
            "the workflow execution is {}",
            serde_json::to_value(status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )));
    }
    Ok(())
}

/// The open execution a token opens, with its record: read before an operation so that a
/// request that cannot succeed is refused before its body is read. The operation checks
/// again inside its transaction, which is what decides.
pub(in crate::adapters::jumio) async fn open(
    state: &AppState,
    token: &ApiToken,
    account: Uuid,
    execution: Uuid,
) -> Result<(Process, Execution), JumioError> {
    token.opens(account, execution)?;
    let (_, process, record) =
        crate::adapters::jumio::accounts::execution(state, &token.tenant, account, execution)
            .await?;
    takes_actions(&process, Utc::now())?;
    Ok((process, record))
}

/// The execution an operation writes to.
pub(in crate::adapters::jumio) fn target<'a>(
    token: &'a ApiToken,
    process: &Process,
    ns: &'a Namespace,
) -> ops::Target<'a> {
    ops::Target {
        tenant: &token.tenant,
        subject: process.subject_id,
        process: process.id,
        namespace: ns,
        kind: mapping::EXECUTION,
    }
}

/// An action on the execution: it must still be `INITIATED`; it marks the execution started
/// and moves its session to 15 minutes from now (never past its token).
pub(in crate::adapters::jumio) fn action(
    record: &Execution,
) -> ops::Action<impl Fn(&Process) -> Result<(), Error>> {
    let now = Utc::now();
    ops::Action {
        now,
        session: chrono::Duration::minutes(mapping::SESSION_TIMEOUT_MINUTES),
        until: record.token_expires_at,
        accepts: move |p: &Process| takes_actions(p, now),
    }
}
/// The answer of an acquisition call on `credential`: the ids, the part written and the
/// token's API links.
pub(in crate::adapters::jumio) fn envelope(
    ctx: &Ctx,
    token: &ApiToken,
    credential: &StoredCredential,
    part: Uuid,
) -> PartResponse {
    let (a, w) = (token.account, token.execution);
    PartResponse {
        timestamp: mapping::timestamp(Utc::now()),
        account: Id { id: a },
        workflow_execution: Id { id: w },
        credential: Id { id: credential.id },
        part: Id { id: part },
        api: ApiChannel {
            token: token.token.clone(),
            parts: ctx.urls.parts(a, w, credential),
            workflow_execution: ctx.urls.execution(a, w),
        },
    }
}

/// The statuses and descriptions of the refusals every acquisition call shares.
const REFUSALS: &[(u16, &str)] = &[(401, "No or expired api.token"), (403, "No User-Agent")];

/// The refusals of a call on one credential that writes: not this token's credential (404),
/// an execution no longer `INITIATED` (409).
const ON_CREDENTIAL: &[(u16, &str)] = &[
    (404, "Not this token's account, execution or credential"),
    (409, "The execution is no longer INITIATED"),
];

/// A JSON body over the limit (413).
const JSON_BODY: &[(u16, &str)] = &[(413, "Body over server.json_body_limit")];

crate::refusal_set!("ErrorBody";
    /// The refusals every acquisition call shares: no token (401), no `User-Agent` (403).
    Refusals = [REFUSALS],
    /// The refusals of a call on one credential: those of every call, and not this token's
    /// credential (404), an execution no longer `INITIATED` (409).
    CredentialRefusals = [REFUSALS, ON_CREDENTIAL],
    /// The refusals of prepared data (add or replace): those of a personal-data body, and a
    /// malformed field or another credential than a DATA one (400).
    PreparedDataRefusals = [REFUSALS, ON_CREDENTIAL, JSON_BODY, &[
        (400, "A malformed field (named), or not a DATA credential"),
    ]],
    /// The refusals of a prefill (either path): those of a personal-data body, and a
    /// malformed field or another credential than an ID one (400).
    PrefillRefusals = [REFUSALS, ON_CREDENTIAL, JSON_BODY, &[
        (400, "A malformed field (named), or not an ID credential"),
    ]],
    /// The refusals of deleting one part: those of every call, and a classifier that names
    /// no part or a malformed id (400), an execution no longer `INITIATED` (409). What is
    /// missing (404) each deletion words itself.
    PartDeleteRefusals = [REFUSALS, &[
        (400, "Not a part classifier, or a malformed id"),
        (409, "The execution is no longer INITIATED"),
    ]],
    /// The refusals of a side's upload (`…/parts/{classifier}`): those of every call, and a
    /// classifier or image refused (400), not this token's credential (404), a file too large
    /// (413) or of another type (415).
    PartRefusals = [REFUSALS, &[
        (
            400,
            "A classifier this credential does not take, an image too small or too large",
        ),
        (404, "Not this token's account, execution or credential"),
        (413, "Over 15 MB"),
        (415, "Not a JPEG or PNG"),
    ]],
);
