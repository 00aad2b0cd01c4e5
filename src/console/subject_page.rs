//! The subject page: its vendor ids, its documents as each API names them, their files shown
//! inline, its processes, and the actions on it.

use maud::{Markup, html};

use super::subjects::field;
use super::view::{self, DocumentView, ProcessView, Special, SubjectView, api_name, wire};
use crate::model::StoredFile;

/// The page's body.
pub fn render(s: &SubjectView, csrf: &str, notice: Option<Markup>) -> Markup {
    let id = s.subject.id;
    html! {
        p { a href="/console/subjects" { "← Subjects" } }
        h1 { (s.title()) }
        @if let Some(n) = notice { (n) }
        dl {
            dt { "Subject id" } dd.mono { (id) }
            dt { "Created" } dd { (view::time(s.subject.created_at)) }
        }
        h2 { "Vendor ids" }
        @if s.aliases.is_empty() { p.muted { "None: vendors that use the subject id itself see it as is." } }
        @else {
            table {
                thead { tr { th scope="col" { "API" } th scope="col" { "Id" } th scope="col" { "Linked" } } }
                tbody { @for a in &s.aliases { tr {
                    td { (api_name(a.namespace.as_str())) }
                    td.mono { (a.external_id) }
                    td { (view::time(a.created_at)) }
                } } }
            }
        }
        h2 { "Documents (" (s.documents.len()) ")" }
        @if s.documents.is_empty() { p.muted { "None." } }
        @for d in &s.documents { (document(d)) }
        @if !s.loose.is_empty() {
            h2 { "Files outside documents (" (s.loose.len()) ")" }
            div.files { @for f in &s.loose { (file(f, "File")) } }
        }
        h2 { "Processes (" (s.processes.len()) ")" }
        @if s.processes.is_empty() { p.muted { "None." } }
        @for p in &s.processes { (process(p, s)) }
        h2 { "Client accounts (B2Core)" }
        @if s.accounts.is_empty() { p.muted { "None." } }
        @else { ul { @for a in &s.accounts { li { (a.email) " " span.muted { "(account " (a.number) ", since " (view::time(a.created_at)) ")" } } } } }
        h2 { "Actions" }
        (actions(s, csrf))
    }
}

fn document(d: &DocumentView) -> Markup {
    let doc = &d.doc;
    let heading = format!("{} {}", doc.kind.as_str().replace('_', " "), doc.seq);
    html! {
        section.card aria-label=(heading) {
            h3 { (heading) }
            dl {
                dt { "Kind" } dd { code { (doc.kind.as_str()) } " (" (doc.category.as_str()) ")" }
                (field("Number", doc.number.as_deref().map(view::masked)))
                (field("Country", doc.issuing_country.as_ref().map(|c| c.as_str().to_owned())))
                (field("Expires", doc.expires_on.map(|e| e.to_string())))
                dt { "Written by" } dd { (doc.written_by.as_deref().map_or("not recorded", api_name)) }
                dt { "Document id" } dd.mono { (doc.id) }
            }
            table {
                caption.muted { "How each API names it" }
                thead { tr { @for n in &d.names { th scope="col" { (n.api) } } } }
                tbody { tr { @for n in &d.names {
                    td { code { (n.name) } @if n.lossy { " " abbr title="Lossy: this API reads the name back as another kind" { "⚠" } } }
                } } }
            }
            @if d.files.is_empty() { p.muted { "No files." } }
            @else { div.files { @for f in &d.files { (file(f, doc.kind.as_str())) } } }
        }
    }
}

/// A file: an image inline (scaled by the browser from the original), anything else as a
/// link; with its side, size, media type and SHA-256.
fn file(f: &StoredFile, of: &str) -> Markup {
    let url = format!("/console/files/{}", f.id);
    let side = f.side.to_text();
    let alt = format!("{side} of {}", of.replace('_', " "));
    // Browsers show these image types; TIFF (and office documents) they do not.
    let inline = f.media_type.is_image() && f.media_type.mime() != "image/tiff";
    html! {
        figure {
            @if inline {
                a href=(url) { img src=(url) alt=(alt) loading="lazy"; }
            } @else if f.media_type.mime() == "application/pdf" {
                p { a href=(url) { "Open the PDF" } }
            } @else {
                p { a href=(url) { "Download" } }
            }
            figcaption {
                dl {
                    dt { "Side" } dd { (side) }
                    dt { "Type" } dd { (f.media_type.mime()) }
                    dt { "Size" } dd { (view::size(f.size)) }
                    @if let (Some(w), Some(h)) = (f.width, f.height) { dt { "Pixels" } dd { (w) " × " (h) } }
                    dt { "SHA-256" } dd.mono { (f.sha256_hex()) }
                }
            }
        }
    }
}

fn process(p: &ProcessView, s: &SubjectView) -> Markup {
    let pr = &p.process;
    let status = pr.status_at(chrono::Utc::now());
    html! {
        section.card {
            h3 { (api_name(pr.namespace.as_str())) " " (pr.kind.replace('_', " ")) }
            dl {
                dt { "Id" } dd.mono { (pr.id) }
                dt { "Status" } dd { (status.as_str()) }
                dt { "Created" } dd { (view::time(pr.created_at)) }
                (field("Expires", pr.expires_at.map(view::time)))
            }
            @match &p.special {
                Special::Jumio { credentials, details } => {
                    @if let Some(outcome) = details.as_ref().and_then(|d| d.outcome.as_ref()) {
                        p { "Decision: " strong { (outcome.decision) } " (" (outcome.label) "), " (view::time(outcome.completed_at)) }
                    } @else { p.muted { "No decision yet." } }
                    table {
                        caption.muted { "Credentials" }
                        thead { tr { th scope="col" { "Category" } th scope="col" { "Id types" } th scope="col" { "Parts" } } }
                        tbody { @for c in credentials { tr {
                            td { (c.category) @if c.reused { " (reused)" } }
                            td { (c.id_types.join(", ")) }
                            td { (parts(c.document_id, s)) }
                        } } }
                    }
                }
                Special::Masstack(r) => {
                    @let sc = &r.scoring;
                    p { "Scoring: " (wire(&sc.provider)) ", " (wire(&sc.status))
                        @if let Some(score) = sc.score { ", score " strong { (score) " / " (sc.max_score) } }
                        @if let Some(v) = &sc.result { ", " strong { (wire(v)) } }
                        @if let Some(reason) = &sc.reason { " — " (reason) } }
                    @if !sc.checks.is_empty() {
                        table {
                            caption.muted { "Checks" }
                            thead { tr { th scope="col" { "Check" } th scope="col" { "Outcome" } th scope="col" { "Weight" } th scope="col" { "Detail" } } }
                            tbody { @for c in &sc.checks { tr {
                                td { (wire(&c.name)) @if c.required { " (required)" } }
                                td { (wire(&c.outcome)) } td { (c.weight) } td { (c.detail) }
                            } } }
                        }
                    }
                }
                Special::Other => {}
            }
        }
    }
}

/// The parts a credential holds: the sides of its document's files, each linked.
fn parts(document: Option<uuid::Uuid>, s: &SubjectView) -> Markup {
    let files = document
        .and_then(|id| s.documents.iter().find(|d| d.doc.id == id))
        .map(|d| d.files.as_slice())
        .unwrap_or_default();
    html! {
        @if files.is_empty() { span.muted { "none" } }
        @for (i, f) in files.iter().enumerate() {
            @if i > 0 { ", " }
            a href={ "/console/files/" (f.id) } { (f.side.to_text()) }
        }
    }
}

fn actions(s: &SubjectView, csrf: &str) -> Markup {
    let id = s.subject.id;
    html! {
        section {
            h3 { "Mint a B2Core client token" }
            form.row method="post" action={ "/console/subjects/" (id) "/client-token" } {
                input type="hidden" name="csrf" value=(csrf);
                div {
                    label for="ttl" { "Valid for" }
                    select #ttl name="ttl_seconds" {
                        option value="3600" selected { "1 hour" }
                        option value="86400" { "1 day" }
                        option value="2592000" { "30 days" }
                    }
                }
                button type="submit" { "Mint token" }
            }
        }
        @if s.accounts.is_empty() {
            section {
                h3 { "Create a B2Core client account" }
                form method="post" action={ "/console/subjects/" (id) "/client-account" } {
                    input type="hidden" name="csrf" value=(csrf);
                    label for="email" { "Email" }
                    input #email type="email" name="email" required autocomplete="off" size="36";
                    label for="password" { "Password" }
                    input #password type="password" name="password" required autocomplete="new-password" size="36";
                    p { button type="submit" { "Create account" } }
                }
            }
        }
        section {
            h3 { "Delete" }
            p { "Deleting destroys the subject, its documents and its files (crypto-shredded) for every API." }
            p { a href={ "/console/subjects/" (id) "/delete" } { "Delete this subject…" } }
        }
    }
}
