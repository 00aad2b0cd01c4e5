//! What the console changes: deleting a subject (after a confirmation naming what goes),
//! minting a B2Core client token, giving a subject a B2Core client account, and making
//! MasStack service accounts. Each goes through the function the admin API uses.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use super::Form;
use super::pages::{self, Frame};
use super::session::{Csrf, Session, forged};
use super::view::{self, SubjectView};
use crate::adapters::admin;
use crate::state::AppState;

fn no_subject() -> Response {
    pages::message(StatusCode::NOT_FOUND, "Not found", "No such subject.")
}

fn frame(session: &Session) -> Frame<'_> {
    Frame {
        tenant: session.tenant.as_str(),
        csrf: &session.csrf,
    }
}

/// `GET /console/subjects/{id}/delete`: what deleting will destroy, and the button.
pub async fn confirm_delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return no_subject();
    };
    let s = match SubjectView::load(&state, &session.tenant, id).await {
        Ok(s) => s,
        Err(e) => return pages::failed(&e),
    };
    let body = html! {
        p { a href={ "/console/subjects/" (id) } { "← Back to the subject" } }
        h1 { "Delete " (s.title()) "?" }
        section {
            p { "This cannot be undone. It destroys, for every API:" }
            ul {
                li { "the subject " span.mono { (id) } }
                li { (s.aliases.len()) " vendor ids (" (s.aliases.iter().map(|a| view::api_name(a.namespace.as_str()).to_owned() + " " + &a.external_id).collect::<Vec<_>>().join(", ")) ")" }
                li { (s.documents.len()) " documents" }
                li { (s.file_count()) " files, crypto-shredded: their keys are destroyed, so no copy of the bytes can be read again" }
                li { (s.processes.len()) " processes" }
                li { (s.accounts.len()) " client accounts and every token of the subject" }
            }
            form method="post" action={ "/console/subjects/" (id) "/delete" } {
                input type="hidden" name="csrf" value=(session.csrf);
                button.danger type="submit" { "Delete for ever" }
                " "
                a href={ "/console/subjects/" (id) } { "Cancel" }
            }
        }
    };
    pages::page(StatusCode::OK, &frame(&session), "Delete subject", body)
}

/// `POST /console/subjects/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<Csrf>,
) -> Response {
    if !session.accepts(&form.csrf) {
        return forged();
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return no_subject();
    };
    match state.store.delete_subject(&session.tenant, id).await {
        Ok(()) => pages::see_other("/console/subjects?deleted=1"),
        Err(e) => pages::failed(&e),
    }
}

/// The token form's fields.
#[derive(Deserialize)]
pub struct MintForm {
    #[serde(default)]
    csrf: String,
    ttl_seconds: Option<u64>,
}

/// `POST /console/subjects/{id}/client-token`: mints a token and shows it, once.
pub async fn mint_token(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<MintForm>,
) -> Response {
    if !session.accepts(&form.csrf) {
        return forged();
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return no_subject();
    };
    let minted =
        match admin::mint_client_token_for(&state, &session.tenant, id, form.ttl_seconds).await {
            Ok(m) => m,
            Err(e) => return pages::failed(&e),
        };
    let body = html! {
        p { a href={ "/console/subjects/" (id) } { "← Back to the subject" } }
        h1 { "Client token minted" }
        section {
            p { "A B2Core \"my documents\" client sends it as " code { "Authorization: Bearer <token>" } ". It is shown only now." }
            label for="token" { "Token" }
            input #token type="text" readonly value=(minted.token) size="60";
            p { "Expires " (view::time(minted.expires_at)) "." }
        }
    };
    pages::page(StatusCode::CREATED, &frame(&session), "Client token", body)
}

/// The client-account form's fields.
#[derive(Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /console/subjects/{id}/client-account`.
pub async fn create_client_account(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Form(form): Form<AccountForm>,
) -> Response {
    if !session.accepts(&form.csrf) {
        return forged();
    }
    let Ok(id) = Uuid::parse_str(&id) else {
        return no_subject();
    };
    match admin::new_client_account(&state, &session.tenant, id, &form.email, form.password).await {
        Ok(_) => pages::see_other(&format!("/console/subjects/{id}")),
        Err(e) => pages::failed(&e),
    }
}

/// `GET /console/service-accounts`: the tenant's MasStack service accounts, and a form for
/// a new one.
pub async fn service_accounts(State(state): State<AppState>, session: Session) -> Response {
    let accounts = match state.store.list_service_accounts(&session.tenant).await {
        Ok(a) => a,
        Err(e) => return pages::failed(&e),
    };
    let body = html! {
        h1 { "MasStack service accounts" }
        @if accounts.is_empty() { p.muted { "None yet." } }
        @else {
            table {
                thead { tr { th scope="col" { "Client email" } th scope="col" { "Label" } th scope="col" { "Created" } th scope="col" { "Revoked" } } }
                tbody { @for a in &accounts { tr {
                    td.mono { (a.client_email) }
                    td { (a.label.as_deref().unwrap_or("")) }
                    td { (view::time(a.created_at)) }
                    td { (a.revoked_at.map(view::time).unwrap_or_default()) }
                } } }
            }
        }
        section {
            h2 { "New service account" }
            form method="post" action="/console/service-accounts" {
                input type="hidden" name="csrf" value=(session.csrf);
                label for="label" { "Label (optional)" }
                input #label type="text" name="label" maxlength="200" size="36";
                p { button type="submit" { "Create" } }
            }
        }
    };
    pages::page(StatusCode::OK, &frame(&session), "Service accounts", body)
}

/// The service-account form's fields.
#[derive(Deserialize)]
pub struct ServiceAccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    label: String,
}

/// `POST /console/service-accounts`: makes one and shows its key file, once.
pub async fn create_service_account(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<ServiceAccountForm>,
) -> Response {
    if !session.accepts(&form.csrf) {
        return forged();
    }
    let label = Some(form.label.trim().to_owned()).filter(|l| !l.is_empty());
    let file = match admin::new_service_account(&state, &session.tenant, label).await {
        Ok(f) => f,
        Err(e) => return pages::failed(&e),
    };
    let json = serde_json::to_string_pretty(&file).unwrap_or_default();
    let body = html! {
        p { a href="/console/service-accounts" { "← Service accounts" } }
        h1 { "Service account created" }
        section {
            p { "Save this key file now: its private key is shown only once. A MasStack client signs its token requests with it." }
            label for="keyfile" { "Key file (JSON)" }
            textarea #keyfile readonly rows="14" cols="80" { (json) }
        }
    };
    pages::page(
        StatusCode::CREATED,
        &frame(&session),
        "Service account",
        body,
    )
}
