//! The console's page frame and its small pages (sign-in, messages), rendered with maud
//! (templates checked at compile time, every value escaped), and the headers every console
//! answer carries.
//!
//! No script and no external resource: one inline stylesheet, allowed by its hash. Colours
//! are chosen for WCAG AA on white (ratios of text to background): body text #1d2330
//! (15.6:1), muted text #4a5263 (7.9:1), links and buttons #0b57d0 (6.3:1, white on it
//! likewise), the danger button #a4221a (7.4:1), errors #8f1d16 on #fdecea (8.1:1).

use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

/// The console's only style.
const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330;line-height:1.45}\
header{background:#fff;border-bottom:1px solid #d8dce3;padding:.6rem 1.5rem;display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap}\
header .brand{font-weight:700;color:#1d2330;text-decoration:none}\
header nav{display:flex;gap:1rem;flex:1}header form{margin:0}\
main{max-width:72rem;margin:0 auto;padding:1.5rem}\
h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:1.6rem 0 .6rem}h3{font-size:1.05rem;margin:.2rem 0 .5rem}\
a{color:#0b57d0}:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}\
section,.card{background:#fff;border:1px solid #d8dce3;border-radius:.5rem;padding:1rem;margin:0 0 1rem}\
table{border-collapse:collapse;width:100%;background:#fff}\
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #e3e6eb;vertical-align:top}\
th{font-weight:600}\
.muted{color:#4a5263}.mono{font-family:ui-monospace,monospace;font-size:.9em;word-break:break-all}\
label{display:block;font-weight:600;margin:.5rem 0 .2rem}\
textarea{font-family:ui-monospace,monospace;width:100%}\
input,select{font:inherit;padding:.35rem .5rem;border:1px solid #6b7385;border-radius:.3rem;max-width:100%}\
button{font:inherit;padding:.4rem 1rem;border-radius:.3rem;border:1px solid #0b57d0;background:#0b57d0;color:#fff;cursor:pointer}\
button.link{background:none;border:none;color:#0b57d0;padding:0;text-decoration:underline}\
button.danger{background:#a4221a;border-color:#a4221a}\
.row{display:flex;gap:.5rem;align-items:end;flex-wrap:wrap}.row label{margin-top:0}\
.error{background:#fdecea;color:#8f1d16;border:1px solid #e0a3a0;padding:.75rem;border-radius:.5rem}\
.note{background:#e8f0fe;border:1px solid #aac4f2;padding:.75rem;border-radius:.5rem}\
.files{display:flex;flex-wrap:wrap;gap:1rem;margin-top:.8rem}\
figure{margin:0;border:1px solid #e3e6eb;border-radius:.4rem;padding:.5rem;width:17rem}\
figure img{display:block;max-width:100%;max-height:14rem;margin:0 auto .4rem}\
figcaption{font-size:.9rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:.3rem 0}\
dt{font-weight:600}dd{margin:0}\
.pager{display:flex;gap:1rem;margin:1rem 0}";

/// `'sha256-…'` of [`STYLE`], for `style-src`.
static STYLE_HASH: LazyLock<String> = LazyLock::new(|| crate::server::csp::hash_source(STYLE));

/// The frame of a page whose reader is signed in: the tenant, the navigation and sign-out.
pub struct Frame<'a> {
    /// The tenant administered.
    pub tenant: &'a str,
    /// The session's CSRF token (for the sign-out form).
    pub csrf: &'a str,
}

fn document(title: &str, header: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · idbridge console" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                (header)
                main { (body) }
            }
        }
    }
}

/// A page for a signed-in reader.
pub fn page(status: StatusCode, frame: &Frame, title: &str, body: Markup) -> Response {
    let header = html! {
        header {
            a.brand href="/console/subjects" { "idbridge console" }
            nav aria-label="Console" {
                a href="/console/subjects" { "Subjects" }
                a href="/console/service-accounts" { "Service accounts" }
                a href="/" { "Front page" }
            }
            span.muted { "Tenant " strong { (frame.tenant) } }
            form method="post" action="/console/sign-out" {
                input type="hidden" name="csrf" value=(frame.csrf);
                button.link type="submit" { "Sign out" }
            }
        }
    };
    respond(status, document(title, header, body))
}

fn bare_header() -> Markup {
    html! { header { a.brand href="/" { "idbridge" } span.muted { "admin console" } } }
}

/// The sign-in page.
pub fn sign_in(status: StatusCode, csrf: &str, note: Option<&str>) -> Response {
    let body = html! {
        h1 { "Sign in" }
        @if let Some(note) = note {
            p.(if status.is_success() { "note" } else { "error" }) role="alert" { (note) }
        }
        section {
            form method="post" action="/console/sign-in" {
                input type="hidden" name="csrf" value=(csrf);
                label for="admin_key" { "Admin key" }
                input #admin_key type="password" name="admin_key" required autocomplete="current-password" size="48";
                p.muted { "The admin key of one tenant, from the server's configuration. The console shows that tenant only." }
                button type="submit" { "Sign in" }
            }
        }
    };
    respond(status, document("Sign in", bare_header(), body))
}

/// A page with one message (refusals, failures).
pub fn message(status: StatusCode, title: &str, text: &str) -> Response {
    let body = html! {
        h1 { (title) }
        p.error role="alert" { (text) }
        p { a href="/console/subjects" { "Back to the console" } }
    };
    respond(status, document(title, bare_header(), body))
}

/// A failure of the store or of the server, as a page: the status the error carries and
/// its message (core errors never hold personal data or secrets).
pub fn failed(e: &crate::error::Error) -> Response {
    if e.status().is_server_error() {
        tracing::error!(error = %e.chain(), "console request failed");
    }
    message(e.status(), "Something went wrong", &e.to_string())
}

/// A 303 to `location`.
pub fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    secure(&mut res);
    res
}

fn respond(status: StatusCode, markup: Markup) -> Response {
    let mut res = (status, markup.into_string()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(&mut res);
    res
}

/// The headers of every console page: nothing but its own style and same-origin images and
/// forms, never framed, never cached (pages show personal data), no referrer.
fn secure(res: &mut Response) {
    let csp = format!(
        "default-src 'none'; style-src {}; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        *STYLE_HASH
    );
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}
