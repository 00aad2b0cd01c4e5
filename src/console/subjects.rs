//! The subjects list (paged, searchable) and the subject page.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::pages::{self, Frame};
use super::session::Session;
use super::view::{self, SubjectView};
use crate::state::AppState;

/// Subjects per page.
const PAGE: u32 = 25;

/// Query of the subjects list.
#[derive(Deserialize)]
pub struct ListQuery {
    /// Search text (label, alias, or an id the subject owns).
    #[serde(default)]
    q: String,
    /// Page number, from 1.
    page: Option<u64>,
    /// Set after a subject was deleted.
    deleted: Option<String>,
}

/// `GET /console/subjects`.
pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Response {
    let page_no = q.page.unwrap_or(1).max(1);
    let offset = (page_no - 1).saturating_mul(u64::from(PAGE));
    let query = q.q.trim();
    let found = if query.is_empty() {
        state
            .store
            .list_subjects(&session.tenant, PAGE, offset)
            .await
    } else {
        state
            .store
            .find_subjects(&session.tenant, query, PAGE, offset)
            .await
    };
    let found = match found {
        Ok(f) => f,
        Err(e) => return pages::failed(&e),
    };
    let link = |p: u64| {
        let mut qs = vec![("page", p.to_string())];
        if !query.is_empty() {
            qs.push(("q", query.to_owned()));
        }
        format!(
            "/console/subjects?{}",
            serde_urlencoded::to_string(qs).unwrap_or_default()
        )
    };
    let shown_to = offset + found.items.len() as u64;
    let body = html! {
        h1 { "Subjects" }
        @if q.deleted.is_some() {
            p.note role="status" { "The subject was deleted and its files crypto-shredded." }
        }
        form.row method="get" action="/console/subjects" role="search" {
            div {
                label for="q" { "Search by label, vendor id, or an id it owns" }
                input #q type="search" name="q" value=(query) size="40";
            }
            button type="submit" { "Search" }
            @if !query.is_empty() { a href="/console/subjects" { "Clear" } }
        }
        p.muted {
            @if found.total == 0 { "No subjects" @if !query.is_empty() { " match" } "." }
            @else { "Subjects " (offset + 1) "–" (shown_to) " of " (found.total) @if !query.is_empty() { " matching" } "." }
        }
        @if !found.items.is_empty() {
            table {
                thead { tr { th scope="col" { "Label" } th scope="col" { "Subject id" } th scope="col" { "Created" } } }
                tbody {
                    @for s in &found.items {
                        tr {
                            td { a href={ "/console/subjects/" (s.id) } { (s.label.as_deref().unwrap_or("(no label)")) } }
                            td.mono { (s.id) }
                            td { (view::time(s.created_at)) }
                        }
                    }
                }
            }
        }
        nav.pager aria-label="Pages" {
            @if page_no > 1 { a href=(link(page_no - 1)) rel="prev" { "← Previous" } }
            @if shown_to < found.total { a href=(link(page_no + 1)) rel="next" { "Next →" } }
        }
    };
    let frame = Frame {
        tenant: session.tenant.as_str(),
        csrf: &session.csrf,
    };
    pages::page(StatusCode::OK, &frame, "Subjects", body)
}

/// `GET /console/subjects/{id}`.
pub async fn show(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return pages::message(StatusCode::NOT_FOUND, "Not found", "No such subject.");
    };
    let subject = match SubjectView::load(&state, &session.tenant, id).await {
        Ok(s) => s,
        Err(e) => return pages::failed(&e),
    };
    let frame = Frame {
        tenant: session.tenant.as_str(),
        csrf: &session.csrf,
    };
    let title = subject.title();
    pages::page(
        StatusCode::OK,
        &frame,
        &title,
        super::subject_page::render(&subject, &session.csrf, None),
    )
}

/// A labelled value in a definition list, or nothing when absent.
pub fn field(name: &str, value: Option<String>) -> Markup {
    html! { @if let Some(v) = value { dt { (name) } dd { (v) } } }
}
