//! `GET /`: the front page. What idbridge is, the APIs it serves (each with its base URLs as
//! configured, and links to its OpenAPI document and its interactive docs at `/docs`), the
//! health of the two engines, the version, and a link to the admin console.
//!
//! Server-rendered with maud (every value escaped), no script and no external resource: the
//! Content-Security-Policy allows nothing but the page's own inline stylesheet, by hash.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::config::{AdapterConfig, Config};
use crate::state::AppState;
use crate::store::Engine;

/// The page's only style, inline and allowed by its hash.
///
/// Text colours and their contrast (WCAG 2 AA asks 4.5:1 for normal text), on the page's
/// white (#ffffff) and on the table header's #f6f7f9:
/// - body text #1d2330: 15.7:1 and 14.7:1;
/// - links #0b57d0: 6.4:1 and 6.0:1;
/// - muted text (disabled APIs, footer) #4a5160: 8.0:1 and 7.4:1;
/// - "ok" #17663a: 7.0:1; "unavailable" #a4262c: 7.3:1.
const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#fff;color:#1d2330;line-height:1.5}\
main,footer{max-width:64rem;margin:0 auto;padding:1rem 1.5rem}\
h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.2rem;margin:1.5rem 0 .5rem}\
a{color:#0b57d0}code{font-size:.9em;overflow-wrap:anywhere}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-bottom:1px solid #d8dce3}\
thead th{background:#f6f7f9}.off{color:#4a5160}\
dl{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}dd{margin:0;font-weight:600}\
.ok{color:#17663a}.down{color:#a4262c}footer{color:#4a5160;font-size:.9rem}";

/// `'sha256-…'` of [`STYLE`], for `style-src`.
static STYLE_HASH: LazyLock<String> = LazyLock::new(|| super::csp::hash_source(STYLE));

/// One API as the front page and `/docs` list it.
pub struct Listed {
    /// The API's name: its OpenAPI file name and Swagger UI selector entry.
    pub name: &'static str,
    /// What the page calls it.
    pub label: &'static str,
    /// Whether it is served, and under which prefix.
    pub mount: AdapterConfig,
}

/// Every API idbridge can serve, in the page's order, with its mount configuration. The
/// names are those of `crate::adapters` (a test holds them equal).
pub fn listed(config: &Config) -> Vec<Listed> {
    let a = &config.adapters;
    let api = |name, label, mount| Listed { name, label, mount };
    vec![
        api("ncore", "nCore (NymCard) identifications", a.ncore.clone()),
        api(
            "mydocs",
            "B2Core \u{201c}my documents\u{201d}",
            a.mydocs.mount(),
        ),
        api(
            "masstack",
            "MasStack identity documents",
            a.masstack.mount(),
        ),
        api("passfort", "PassFort 4.0 profiles", a.passfort.mount()),
        api("jumio", "Jumio KYX", a.jumio.mount()),
        api("admin", "idbridge admin API", a.admin.clone()),
    ]
}

/// The path of an API's OpenAPI document (served by `crate::adapters::routes`).
pub fn openapi_path(name: &str) -> String {
    format!("/openapi/{name}.json")
}

/// The base URLs clients reach the server at: `server.public_base_url`, and, when HTTPS is
/// served, an `https://` URL derived from it.
///
/// The HTTPS base keeps public_base_url's host (and any path) and takes the port of
/// `server.tls.listen`: the configuration names no public HTTPS URL, and the certificate
/// `idbridge certs` makes is for the host clients already use, so this is the URL that
/// works without a proxy in front. Behind a proxy that changes ports, it is only a hint.
pub fn base_urls(config: &Config) -> (String, Option<String>) {
    let plain = config
        .server
        .public_base_url
        .trim_end_matches('/')
        .to_owned();
    let secure = config.server.tls.as_ref().map(|tls| {
        let rest = plain
            .strip_prefix("http://")
            .or_else(|| plain.strip_prefix("https://"))
            .unwrap_or(&plain);
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        // An IPv6 literal keeps its brackets; a port, if any, follows the last colon.
        let host = match authority.rfind(':') {
            Some(i) if !authority[i..].contains(']') => &authority[..i],
            _ => authority,
        };
        format!("https://{host}:{}{path}", tls.listen.port())
    });
    (plain, secure)
}

/// The front page's URLs, for the start-up log of `idbridge serve`.
pub fn log_urls(config: &Config) {
    let (plain, secure) = base_urls(config);
    tracing::info!(url = %format!("{plain}/"), "front page");
    if let Some(secure) = secure {
        tracing::info!(url = %format!("{secure}/"), "front page (https)");
    }
}

/// The answer of an engine's health check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// It answered.
    Ok,
    /// It did not (the reason is logged, never shown).
    Unavailable,
}

/// What the page shows besides the configuration.
pub struct Status {
    /// The metadata engine and its health.
    pub metadata: (Engine, Health),
    /// Whether blobs are in S3 (else a local directory), and the blob store's health.
    pub blobs: (bool, Health),
}

/// `GET /`.
async fn front(State(state): State<AppState>) -> Response {
    let (metadata, blobs) = tokio::join!(
        state.store.check_metadata(),
        state.store.blobs().check_ready()
    );
    let health = |what: &str, r: crate::error::Result<()>| match r {
        Ok(()) => Health::Ok,
        Err(e) => {
            tracing::warn!(engine = what, error = %e.chain(), "front page: engine unavailable");
            Health::Unavailable
        }
    };
    let status = Status {
        metadata: (state.store.engine(), health("metadata", metadata)),
        blobs: (
            state.config.storage.blob_url.is_some(),
            health("blobs", blobs),
        ),
    };
    let mut res = page(&state.config, &status).into_string().into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "default-src 'none'; style-src {}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        *STYLE_HASH
    )) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The health is of this moment.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// The front page's route.
pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(front))
}

/// The page itself.
pub fn page(config: &Config, status: &Status) -> Markup {
    let (plain, secure) = base_urls(config);
    let health = |h: Health| match h {
        Health::Ok => html! { dd.ok { "ok" } },
        Health::Unavailable => html! { dd.down { "unavailable" } },
    };
    let engine = match status.metadata.0 {
        Engine::Sqlite => "SQLite",
        Engine::Postgres => "PostgreSQL",
    };
    let blobs = if status.blobs.0 {
        "S3-compatible bucket"
    } else {
        "local directory"
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "idbridge" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    h1 { "idbridge" }
                    p {
                        "idbridge is one server that speaks five identity-document vendor APIs: \
                         clients written for nCore, B2Core, MasStack, PassFort or Jumio talk to it \
                         unchanged. Every API reads and writes one canonical document model in one \
                         storage engine, so a document uploaded through one API can be read \
                         through another. The admin API manages the subjects behind them."
                    }
                    p {
                        a href="/docs/" { "Interactive API docs" }
                        " · "
                        a href="/console" { "Admin console" }
                    }
                    section aria-labelledby="apis" {
                        h2 #apis { "APIs" }
                        table {
                            thead { tr {
                                th scope="col" { "API" }
                                th scope="col" { "Base URL" }
                                th scope="col" { "Status" }
                                th scope="col" { "Reference" }
                            } }
                            tbody {
                                @for api in listed(config) {
                                    tr id={"api-" (api.name)} class=[(!api.mount.enabled).then_some("off")] {
                                        th scope="row" { (api.label) br; code { (api.name) } }
                                        td {
                                            code.base { (plain) (api.mount.prefix) }
                                            @if let Some(secure) = &secure {
                                                br; code.base { (secure) (api.mount.prefix) }
                                            }
                                        }
                                        td.state { @if api.mount.enabled { "enabled" } @else { "disabled" } }
                                        td {
                                            @if api.mount.enabled {
                                                a.openapi href=(openapi_path(api.name)) { "OpenAPI JSON" }
                                                " · "
                                                a.docs href={"/docs/?urls.primaryName=" (api.name)} { "Docs" }
                                            } @else {
                                                "not served"
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    section aria-labelledby="health" {
                        h2 #health { "Engines" }
                        dl {
                            dt { "Metadata database (" (engine) ")" }
                            (health(status.metadata.1))
                            dt { "Blob store (" (blobs) ")" }
                            (health(status.blobs.1))
                        }
                    }
                }
                footer {
                    "idbridge " span #version { (env!("CARGO_PKG_VERSION")) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok() -> Status {
        Status {
            metadata: (Engine::Sqlite, Health::Ok),
            blobs: (false, Health::Ok),
        }
    }

    #[test]
    fn the_listed_names_are_the_adapters_names() {
        let config = Config::default();
        let mut served: Vec<_> = crate::adapters::openapi_documents(&config)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        let mut listed: Vec<_> = listed(&config).into_iter().map(|a| a.name).collect();
        served.sort_unstable();
        listed.sort_unstable();
        assert_eq!(served, listed);
    }

    #[test]
    fn the_https_base_takes_the_host_and_the_tls_port() {
        let mut config = Config::default();
        assert_eq!(base_urls(&config), ("http://127.0.0.1:8080".into(), None));
        config.server.tls = Some(crate::config::TlsConfig {
            listen: "0.0.0.0:8443".parse().unwrap(),
            cert: "c.pem".into(),
            key: "k.pem".into(),
            reload_check_secs: 10,
        });
        for (public, https) in [
            ("http://127.0.0.1:8080", "https://127.0.0.1:8443"),
            ("http://idb.example/", "https://idb.example:8443"),
            ("http://[::1]:8080/idb", "https://[::1]:8443/idb"),
            ("https://idb.example:9000", "https://idb.example:8443"),
        ] {
            config.server.public_base_url = public.into();
            assert_eq!(base_urls(&config).1.as_deref(), Some(https), "{public}");
        }
    }

    #[test]
    fn the_page_lists_enabled_apis_with_links_and_escapes_values() {
        let mut config = Config::default();
        config.adapters.passfort.enabled = false;
        config.server.public_base_url = "http://a.example/<b>".into();
        let html = page(&config, &ok()).into_string();
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"en\">"),
            "{html}"
        );
        assert!(html.contains(&format!("<style>{STYLE}</style>")));
        assert!(html.contains("<code class=\"base\">http://a.example/&lt;b&gt;/v1</code>"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("href=\"/openapi/ncore.json\""));
        assert!(html.contains("href=\"/docs/?urls.primaryName=admin\""));
        assert!(!html.contains("/openapi/passfort.json"));
        assert!(html.contains("<tr id=\"api-passfort\" class=\"off\">"));
        assert!(html.contains("href=\"/console\""));
        assert!(html.contains(env!("CARGO_PKG_VERSION")));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn the_page_shows_each_engine_apart() {
        let status = Status {
            metadata: (Engine::Postgres, Health::Ok),
            blobs: (true, Health::Unavailable),
        };
        let html = page(&Config::default(), &status).into_string();
        assert!(html.contains("<dt>Metadata database (PostgreSQL)</dt><dd class=\"ok\">ok</dd>"));
        assert!(html.contains(
            "<dt>Blob store (S3-compatible bucket)</dt><dd class=\"down\">unavailable</dd>"
        ));
    }
}
