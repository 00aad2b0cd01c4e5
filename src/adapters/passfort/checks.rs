//! Checks: `POST /profiles/{id}/checks` runs a DOCUMENT_VERIFICATION on a document of the
//! profile (see `verify` for what that covers) and records it; the record is a process of
//! the profile's subject (namespace `passfort`, kind `check`, completed), so it is read
//! back, through restarts, as it was when it ran. Any other check type is refused.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde_json::{Value, json};
use uuid::Uuid;

use super::collected::collected_with_sources;
use super::error::{CONSTRAINTS_NOT_SATISFIED, PassfortError};
use super::extract::{ApiTenant, Body, Path, parse};
use super::mapping;
use super::stored::{OnProfile, namespace, profile, text};
use super::verify;
use super::wire::{
    BodyRefusals, CheckProvider, CheckResource, CheckResult, CheckRun, CheckState, CheckType,
    DocumentVerificationOutput, EntityData, EntityType, Error as ErrorItem, ErrorSource, Errors,
    ItemRefusals, NewCheck, ProfileRefusals,
};
use crate::error::Error;
use crate::model::{NewProcess, Process, ProcessStatus, StoredFile, TenantId};
use crate::state::AppState;
use crate::store::ProcessScope;

/// The process kind of a check.
const CHECK: &str = "check";

/// Whether a process is a PassFort check of this profile.
/// The processes a profile's checks are: its own, PassFort's, of kind check.
fn checks_of<'a>(profile_id: Uuid, ns: &'a crate::model::Namespace) -> ProcessScope<'a> {
    ProcessScope {
        subject_id: profile_id,
        namespace: ns,
        kind: CHECK,
    }
}

/// A recorded check as PassFort shows it: the run as recorded, with its id and time.
fn view(p: &Process) -> Result<Value, PassfortError> {
    let Value::Object(mut run) = p.data.clone() else {
        return Err(Error::internal("a recorded check is not an object").into());
    };
    run.insert("id".to_owned(), json!(p.id));
    run.insert(
        "performed_on".to_owned(),
        json!(mapping::datetime(p.created_at)),
    );
    Ok(Value::Object(run))
}

/// The checks of a profile, oldest first.
pub(super) async fn of_profile(
    state: &AppState,
    tenant: &TenantId,
    profile_id: Uuid,
) -> Result<Vec<Value>, PassfortError> {
    let ns = namespace();
    let checks = state
        .store
        .processes_of(tenant, checks_of(profile_id, &ns))
        .await?;
    checks.iter().map(view).collect()
}

/// Refuses what idbridge cannot run, before anything is read: a check type other than
/// DOCUMENT_VERIFICATION, a result run elsewhere, tasks (idbridge keeps none).
fn runnable(req: &NewCheck) -> Result<(), PassfortError> {
    if req.check_type != CheckType::DocumentVerification {
        return Err(PassfortError::Unavailable {
            field: "check_type",
            message: format!(
                "idbridge cannot run {} checks; it runs DOCUMENT_VERIFICATION only",
                text(req.check_type)
            ),
        });
    }
    if req.instructed_externally == Some(true) {
        return Err(PassfortError::Unavailable {
            field: "instructed_externally",
            message: "idbridge records only the checks it runs".to_owned(),
        });
    }
    if req.task_ids.as_ref().is_some_and(|t| !t.is_empty()) {
        return Err(Error::invalid(
            "task_ids[0]",
            "is not a task of this profile: idbridge keeps no tasks",
        )
        .into());
    }
    Ok(())
}

/// Run a check.
#[utoipa::path(post, path = "/profiles/{profile_id}/checks", operation_id = "runCheck", tag = "Checks",
    params(("profile_id" = Uuid, Path, description = "The profile's id")),
    request_body = NewCheck,
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The check, run and recorded: result `Fail` or `Error`, never `Pass`", body = CheckResource),
        (status = 400, description = "201 INVALID_INPUT_DATA naming the field (`check_type`, `document_id`, `task_ids[0]`, …), or 105 CONSTRAINTS_NOT_SATISFIED for a check idbridge cannot run; nothing recorded", body = Errors),
        BodyRefusals,
    ))]
pub async fn run_check(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path(id): Path<Uuid>,
    Body(bytes): Body,
) -> Result<Json<CheckResource>, PassfortError> {
    let subject = profile(&state, &tenant, id).await?;
    let req: NewCheck = parse(&bytes)?;
    runnable(&req)?;
    let (collected, docs) = collected_with_sources(&state, &tenant, subject.id).await?;
    if collected.entity_type != EntityType::Individual {
        return Err(PassfortError::Unavailable {
            field: "check_type",
            message: "DOCUMENT_VERIFICATION runs on individuals; this profile is a company"
                .to_owned(),
        });
    }
    let Some(document_id) = req.document_id else {
        return Err(Error::invalid("document_id", "is required for DOCUMENT_VERIFICATION").into());
    };
    let Some((doc, files)) = docs.iter().find(|(d, _)| d.id == document_id) else {
        return Err(Error::invalid("document_id", "is not a document of this profile").into());
    };
    let mut images: Vec<&StoredFile> = files.iter().collect();
    images.sort_by_key(|f| (f.side.position(), f.created_at, f.id));
    let mut checked = mapping::document(doc, files);
    let found = verify::document(doc, checked.document_type, &images, Utc::now().date_naive());
    let errors = match found.result {
        CheckResult::Error => vec![ErrorItem {
            code: Some(CONSTRAINTS_NOT_SATISFIED),
            message: format!(
                "not every verification of a DOCUMENT_VERIFICATION was performed: {}",
                verify::NOT_PERFORMED
            ),
            source: ErrorSource::Engine,
            info: json!({ "not_performed": found.not_performed }),
        }],
        CheckResult::Fail | CheckResult::Pass => Vec::new(),
    };
    checked.verification_result = Some(
        serde_json::to_value(&found.document)
            .map_err(|e| Error::internal(format!("a verification result: {e}")))?,
    );
    let input = EntityData {
        entity_type: collected.entity_type,
        documents: vec![mapping::document(doc, files)],
        rest: collected.rest,
    };
    let run = CheckRun {
        check_type: CheckType::DocumentVerification,
        document_id,
        state: CheckState::Complete,
        result: found.result,
        input_data: serde_json::to_value(&input)
            .map_err(|e| Error::internal(format!("a check's input: {e}")))?,
        output_data: DocumentVerificationOutput {
            entity_type: EntityType::Individual,
            documents: vec![checked],
        },
        errors,
        task_ids: Vec::new(),
        instructed_externally: false,
        providers: vec![CheckProvider {
            provider_name: verify::PROVIDER.to_owned(),
        }],
    };
    let data = serde_json::to_value(&run)
        .map_err(|e| Error::internal(format!("a check to record: {e}")))?;
    let recorded = state
        .store
        .record_process(
            &tenant,
            NewProcess {
                subject_id: subject.id,
                namespace: namespace(),
                kind: CHECK.to_owned(),
                expires_at: None,
                data,
            },
            ProcessStatus::Completed,
        )
        .await
        .map_err(|e| match e {
            // The profile was deleted while its check ran.
            Error::NotFound(_) => Error::NotFound("profile"),
            other => other,
        })?;
    Ok(Json(CheckResource {
        id: recorded.id,
        performed_on: mapping::datetime(recorded.created_at),
        run,
    }))
}

/// Get all checks run on a profile.
#[utoipa::path(get, path = "/profiles/{profile_id}/checks", operation_id = "listChecks", tag = "Checks",
    params(OnProfile),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The profile's checks, oldest first", body = Vec<CheckResource>),
        ProfileRefusals,
    ))]
pub async fn list_checks(
    OnProfile {
        state,
        tenant,
        subject,
    }: OnProfile,
) -> Result<Json<Vec<Value>>, PassfortError> {
    Ok(Json(of_profile(&state, &tenant, subject.id).await?))
}

/// Get results of a specific check.
#[utoipa::path(get, path = "/profiles/{profile_id}/checks/{check_id}", operation_id = "getCheck", tag = "Checks",
    params(
        ("profile_id" = Uuid, Path, description = "The profile's id"),
        ("check_id" = Uuid, Path, description = "The check's id"),
    ),
    security(("API_Key_Header" = []), ("API_Key_Query_Parameter" = [])),
    responses(
        (status = 200, description = "The check, as it was when it ran", body = CheckResource),
        ItemRefusals,
        (status = 404, description = "No such profile, or no such check of it", body = Errors),
    ))]
pub async fn get_check(
    State(state): State<AppState>,
    ApiTenant(tenant): ApiTenant,
    Path((id, check_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<Value>, PassfortError> {
    let subject = profile(&state, &tenant, id).await?;
    // Another profile's check, or another API's process, answers like one that does not
    // exist.
    let ns = namespace();
    let p = match state
        .store
        .process_of(&tenant, checks_of(subject.id, &ns), check_id)
        .await
    {
        Ok(p) => p,
        Err(Error::NotFound(_)) => return Err(Error::NotFound("check").into()),
        Err(e) => return Err(e.into()),
    };
    Ok(Json(view(&p)?))
}
