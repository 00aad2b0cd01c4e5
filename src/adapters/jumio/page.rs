//! The web capture page as HTML: server-rendered, plain `<form method=post
//! enctype=multipart/form-data>` (no script, no external resource), every value escaped. And
//! the headers every web answer carries: a Content-Security-Policy that allows nothing but
//! the page's own stylesheet (by hash), forms posted to itself and the journey's end pages,
//! and framing as `adapters.jumio.web_frame_ancestors` says.

use std::fmt::Write as _;
use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

/// The page's only style, inline and allowed by its hash.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}\
main{max-width:40rem;margin:0 auto;padding:1.5rem}\
section{background:#fff;border:1px solid #d8dce3;border-radius:.5rem;padding:1rem;margin:1rem 0}\
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:0}\
form{margin:.75rem 0}label{display:block;font-weight:600;margin-bottom:.25rem}\
button{font:inherit;padding:.4rem 1rem;margin-top:.4rem}\
.done{color:#17663a}.todo{color:#8a4b00}.error{background:#fdecea;border:1px solid #e0a3a0;padding:.75rem;border-radius:.5rem}\
.finish{font-weight:700}";

/// `'sha256-…'` of [`STYLE`], for `style-src`.
static STYLE_HASH: LazyLock<String> = LazyLock::new(|| crate::server::csp::hash_source(STYLE));

/// Escapes text for HTML content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Where the page may post and be framed: the security headers of every web answer.
pub struct Policy {
    /// Origins the journey may end on (the success and error URLs'), beside the page's own.
    pub end_origins: Vec<String>,
    /// `frame-ancestors` sources.
    pub frame_ancestors: Vec<String>,
}

impl Policy {
    /// The headers: CSP, framing, no referrer (the token is in the URL), no caching, no
    /// sniffing.
    pub fn headers(&self) -> HeaderMap {
        let mut form_action = String::from("'self'");
        for o in &self.end_origins {
            let _ = write!(form_action, " {o}");
        }
        let csp = format!(
            "default-src 'none'; style-src {}; form-action {form_action}; frame-ancestors {}; base-uri 'none'",
            *STYLE_HASH,
            self.frame_ancestors.join(" ")
        );
        let mut h = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&csp) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        // X-Frame-Options can say only "same origin" or "nowhere": sent when the list says
        // exactly that, so older browsers agree with the CSP; a list of sites is CSP only.
        match self.frame_ancestors.as_slice() {
            [one] if one == "'self'" => {
                h.insert(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("SAMEORIGIN"),
                );
            }
            [one] if one == "'none'" => {
                h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            }
            _ => {}
        }
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h
    }

    /// An HTML answer with these headers.
    pub fn html(&self, status: StatusCode, body: String) -> Response {
        let mut res = (status, self.headers(), body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        res
    }

    /// A 303 to `location` with these headers.
    pub fn see_other(&self, location: &str) -> Response {
        let mut res = (StatusCode::SEE_OTHER, self.headers()).into_response();
        if let Ok(v) = HeaderValue::from_str(location) {
            res.headers_mut().insert(header::LOCATION, v);
        }
        res
    }
}

/// One part a credential takes on the page.
pub struct PartView {
    /// The classifier posted.
    pub classifier: &'static str,
    /// What to upload, for people.
    pub label: &'static str,
    /// Files on file for it (pages for a document).
    pub stored: usize,
    /// Whether finishing needs it.
    pub required: bool,
}

/// One credential on the page.
pub struct CredentialView {
    /// Its id (posted back).
    pub id: Uuid,
    /// A heading.
    pub title: String,
    /// The parts it takes here (none when it is not captured on this page).
    pub parts: Vec<PartView>,
    /// Why it takes none, or what else to know.
    pub note: Option<String>,
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"referrer\" content=\"no-referrer\"><title>{}</title><style>{STYLE}</style></head>\
<body><main>{body}</main></body></html>\n",
        escape(title)
    )
}

fn part_form(out: &mut String, c: &CredentialView, p: &PartView) {
    let input = format!("f-{}-{}", c.id, p.classifier.to_ascii_lowercase());
    let (accept, multiple) = if p.classifier == "DOCUMENT" {
        ("image/jpeg,image/png,application/pdf", " multiple")
    } else {
        ("image/jpeg,image/png", "")
    };
    let state = match (p.stored, p.classifier) {
        (0, _) if p.required => "<span class=\"todo\">needed</span>".to_owned(),
        (0, _) => "<span class=\"todo\">optional</span>".to_owned(),
        (n, "DOCUMENT") => format!("<span class=\"done\">{n} page(s) received</span>"),
        _ => "<span class=\"done\">received (upload again to replace it)</span>".to_owned(),
    };
    let _ = write!(
        out,
        "<form method=\"post\" enctype=\"multipart/form-data\">\
<input type=\"hidden\" name=\"credentialId\" value=\"{id}\">\
<input type=\"hidden\" name=\"classifier\" value=\"{classifier}\">\
<label for=\"{input}\">{label}: {state}</label>\
<input id=\"{input}\" type=\"file\" name=\"file\" accept=\"{accept}\"{multiple} required>\
<br><button type=\"submit\">Upload</button></form>",
        id = escape(&c.id.to_string()),
        classifier = escape(p.classifier),
        input = escape(&input),
        label = escape(p.label),
    );
}

/// The capture page: each credential with its parts' forms, then "Finish". `message` (an
/// upload or finish that was refused) is shown first.
pub fn capture(credentials: &[CredentialView], message: Option<&str>) -> String {
    let mut body = String::from("<h1>Identity verification</h1>");
    if let Some(m) = message {
        let _ = write!(body, "<p class=\"error\" role=\"alert\">{}</p>", escape(m));
    }
    body.push_str(
        "<p>Upload a photo or scan of each item below (JPEG or PNG, at most 15 MB; a document \
may also be one PDF), then press Finish.</p>",
    );
    for c in credentials {
        let _ = write!(body, "<section><h2>{}</h2>", escape(&c.title));
        if let Some(n) = &c.note {
            let _ = write!(body, "<p>{}</p>", escape(n));
        }
        for p in &c.parts {
            part_form(&mut body, c, p);
        }
        body.push_str("</section>");
    }
    body.push_str(
        "<form method=\"post\" enctype=\"multipart/form-data\">\
<input type=\"hidden\" name=\"finish\" value=\"1\">\
<button class=\"finish\" type=\"submit\">Finish</button></form>",
    );
    document("Identity verification", &body)
}

/// The page a journey ends on without a success URL.
pub fn finished() -> String {
    document(
        "Identity verification: done",
        "<h1>Thank you</h1><p>Your documents were received. You can close this page.</p>",
    )
}

/// The page a journey ends on without an error URL (or when its execution is unknown):
/// what went wrong and the guide's error code.
pub fn failed(code: u16, meaning: &str) -> String {
    document(
        "Identity verification: error",
        &format!(
            "<h1>This link cannot be used</h1><p class=\"error\" role=\"alert\">{} \
(error {code})</p><p>Ask the service that sent you this link for a new one.</p>",
            escape(meaning)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_content_and_attributes() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        let page = failed(9200, "<b>bad</b>");
        assert!(page.contains("&lt;b&gt;bad&lt;/b&gt;") && !page.contains("<b>bad"));
    }

    #[test]
    fn the_policy_allows_the_style_forms_and_the_end_pages_only() {
        let p = Policy {
            end_origins: vec!["https://shop.example".into()],
            frame_ancestors: vec!["'self'".into()],
        };
        let h = p.headers();
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.starts_with("default-src 'none'; style-src 'sha256-"),
            "{csp}"
        );
        assert!(
            csp.contains("form-action 'self' https://shop.example;"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'self';"), "{csp}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "SAMEORIGIN");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        let any = Policy {
            end_origins: vec![],
            frame_ancestors: vec!["*".into()],
        };
        assert!(any.headers().get(header::X_FRAME_OPTIONS).is_none());
        // The hash is of the style the page carries.
        assert!(capture(&[], None).contains(STYLE));
    }
}
