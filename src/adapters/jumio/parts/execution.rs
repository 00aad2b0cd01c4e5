//! The open execution an acquisition call acts on: read and checked before the call reads
//! its body, the target and action its operation runs in one transaction, and the answer
//! every acquisition call gives, with the OpenAPI pieces (the User-Agent header, refusals) their
//! documents share.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::adapters::jumio::accounts::Ctx;
use crate::adapters::jumio::auth::ApiToken;
use crate::adapters::jumio::error::JumioError;
use crate::adapters::jumio::mapping::{self, Execution, StoredCredential};
use crate::adapters::jumio::wire::{ApiChannel, Id, PartResponse, Status};
use crate::error::Error;
use crate::model::{Namespace, Process};
use crate::ops;
use crate::state::AppState;

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

crate::refusal_set!("ErrorBody";
    /// The refusals every acquisition call shares: no token (401), no `User-Agent` (403).
    Refusals = [REFUSALS],
    /// The refusals of a call with a personal-data body on a credential: those of every call,
    /// and not this token's credential (404), an execution no longer `INITIATED` (409), a body
    /// over the limit (413).
    JsonRefusals = [REFUSALS, &[
        (404, "Not this token's account, execution or credential"),
        (409, "The execution is no longer INITIATED"),
        (413, "Body over server.json_body_limit"),
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
