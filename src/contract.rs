//! Response contracts: every response checked against the OpenAPI document of the API that
//! served it. The test harness applies it to every response of the integration tests, and the
//! conformance runner to every response of a run.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::http::{Method, StatusCode};
use serde_json::Value;

/// Paths answered outside every API document: the server's own endpoints. Their responses
/// are not checked, and no violation is recorded for them.
pub const EXEMPT_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];
/// Pages for people, outside every API and exempt as [`EXEMPT_PATHS`] are: the front page,
/// and everything under Swagger UI (`/docs`) and the admin console (`/console`).
const EXEMPT_PAGES: [&str; 1] = ["/"];
const EXEMPT_ROOTS: [&str; 2] = ["/docs", "/console"];
/// `/openapi/<name>.json`: each API's document itself, also exempt.
const EXEMPT_OPENAPI: (&str, &str) = ("/openapi/", ".json");
/// Second roots an API is served under besides the one its document spells, as
/// (API, served root, documented root), relative to the mount prefix: B2Core's paths are
/// served both with and without the leading `/api` (see src/adapters/mydocs/mod.rs).
const PATH_ALIASES: [(&str, &str, &str); 1] = [("mydocs", "/v2/my", "/api/v2/my")];

/// The OpenAPI documents of the APIs under test, and the operation each response belongs to.
///
/// The operation is found from the request's method and path: the path, less the document's
/// server URL (the mount prefix), is matched segment by segment against the document's path
/// templates, where `{param}` matches one non-empty segment (with any literal text beside it
/// in the segment, as in `{file_id}:download`) and a literal segment beats a parameter. A
/// response breaks the contract when
/// - a JSON body does not match the schema declared for its status (or `default`, or `4XX`),
///   or is not JSON at all, or comes where the document declares no JSON body;
/// - the status is not declared for the operation;
/// - the document declares only JSON for the status but the response is another, non-empty
///   media type, or declares a JSON schema but the body is empty;
/// - the response comes from a path no document declares, or from a method no document
///   declares on its path, unless it is the router's 404 (no such route) or 405 (no such
///   method), or the path is one of [`EXEMPT_PATHS`], `/openapi/<name>.json`, or a page
///   (`/`, and `/docs` or `/console` and under them).
pub struct Contracts {
    apis: Vec<ApiDocument>,
}

struct ApiDocument {
    name: String,
    /// The mount prefix: the document's server URL, without a trailing `/`.
    prefix: String,
    doc: Arc<Value>,
    /// Identifies the document's paths and components for the process-wide schema cache.
    key: u64,
    templates: Vec<(String, Vec<Segment>)>,
}

/// One segment of a path template: literal text, or a parameter with literal text around it.
enum Segment {
    Literal(String),
    Param { before: String, after: String },
}

impl Segment {
    fn parse(s: &str) -> Segment {
        match (s.find('{'), s.rfind('}')) {
            // Several parameters in one segment (`{a}-{b}`) match as one: looser, never a
            // panic on a document the runner was handed.
            (Some(open), Some(close)) if open < close => Segment::Param {
                before: s[..open].to_owned(),
                after: s[close + 1..].to_owned(),
            },
            _ => Segment::Literal(s.to_owned()),
        }
    }

    /// How many literal bytes `segment` matched, or `None` when it does not match.
    fn matches(&self, segment: &str) -> Option<usize> {
        match self {
            Segment::Literal(l) => (l == segment).then_some(l.len() + 1),
            Segment::Param { before, after } => (segment.len() > before.len() + after.len()
                && segment.starts_with(before.as_str())
                && segment.ends_with(after.as_str()))
            .then_some(before.len() + after.len()),
        }
    }
}

/// What a request's method and path name in the documents.
enum Found<'a> {
    /// No document declares the path.
    NoPath,
    /// A document declares the path but not the method.
    NoMethod {
        api: &'a ApiDocument,
        template: &'a str,
    },
    /// The operation.
    Operation {
        api: &'a ApiDocument,
        template: &'a str,
        /// The method as the document spells it (lowercase; `get` for a `HEAD`).
        method: String,
    },
}

/// What the checker saw of a response body.
pub enum Observed<'a> {
    /// A JSON media type, buffered.
    Json(&'a [u8]),
    /// Another media type (or none), not read; `empty` when the body is known to be empty.
    Other { empty: bool },
    /// The answer to a `HEAD`: no body to check.
    Head,
}

impl std::fmt::Debug for Contracts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl Contracts {
    /// Contracts of `(name, document)` pairs, documents as JSON.
    pub fn new(docs: Vec<(String, Value)>) -> Contracts {
        let apis = docs
            .into_iter()
            .map(|(name, doc)| {
                let server = doc["servers"][0]["url"].as_str().unwrap_or("/");
                let prefix = server.trim_end_matches('/').to_owned();
                let templates = doc["paths"]
                    .as_object()
                    .map(|paths| {
                        paths
                            .keys()
                            .map(|t| {
                                (
                                    t.clone(),
                                    t.split('/').skip(1).map(Segment::parse).collect(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let key = document_key(&doc);
                ApiDocument {
                    name,
                    prefix,
                    doc: Arc::new(doc),
                    key,
                    templates,
                }
            })
            .collect();
        Contracts { apis }
    }

    /// The names of the APIs whose documents these are.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.apis.iter().map(|a| a.name.as_str())
    }

    /// What is wrong with one response, each problem one line (empty: nothing).
    pub fn problems(
        &self,
        method: &Method,
        path: &str,
        status: StatusCode,
        content_type: Option<&str>,
        body: Observed<'_>,
    ) -> Vec<String> {
        let under = |root: &str| {
            path.strip_prefix(root)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if EXEMPT_PATHS.contains(&path)
            || EXEMPT_PAGES.contains(&path)
            || EXEMPT_ROOTS.iter().any(|r| under(r))
            || (path.starts_with(EXEMPT_OPENAPI.0) && path.ends_with(EXEMPT_OPENAPI.1))
        {
            return Vec::new();
        }
        let (api, template, op_method) = match self.find(method, path) {
            Found::NoPath if status == StatusCode::NOT_FOUND => return Vec::new(),
            Found::NoPath => return vec!["no OpenAPI document declares this path".into()],
            Found::NoMethod { .. }
                if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED =>
            {
                return Vec::new();
            }
            Found::NoMethod { api, template } => {
                return vec![format!("{} {template} declares no {method}", api.name)];
            }
            Found::Operation {
                api,
                template,
                method,
            } => (api, template, method),
        };
        let operation = format!("{} {} {template}", api.name, op_method.to_uppercase());
        let op_pointer = format!("/paths/{}/{op_method}", pointer_escape(template));
        let responses = &api.doc.pointer(&op_pointer).unwrap()["responses"];
        let code = status.as_str();
        let Some(key) = [
            code.to_owned(),
            format!("{}XX", &code[..1]),
            "default".into(),
        ]
        .into_iter()
        .find(|k| responses.get(k).is_some()) else {
            return vec![format!("{operation} does not declare status {code}")];
        };
        // The declared response, through a `$ref` to components/responses if it is one.
        let mut at = format!("{op_pointer}/responses/{key}");
        if let Some(r) = api.doc.pointer(&at).and_then(|r| r["$ref"].as_str()) {
            at = r.trim_start_matches('#').to_owned();
        }
        let declared = api.doc.pointer(&at).cloned().unwrap_or(Value::Null);
        let content = declared["content"].as_object().cloned().unwrap_or_default();
        let json_type = content.keys().find(|t| is_json(t)).cloned();
        let declared_types = content.keys().cloned().collect::<Vec<_>>().join(", ");
        let got = content_type.unwrap_or("no content type");
        match body {
            Observed::Head => Vec::new(),
            Observed::Other { empty: true } => match &json_type {
                Some(t) if content[t].get("schema").is_some() => vec![format!(
                    "{operation} declares a {t} body for {key}, got an empty body ({got})"
                )],
                _ => Vec::new(),
            },
            Observed::Other { empty: false } => {
                if content.is_empty() {
                    vec![format!("{operation} declares no body for {key}, got {got}")]
                } else if content.keys().all(|t| is_json(t)) {
                    vec![format!(
                        "{operation} declares {declared_types} for {key}, got {got}"
                    )]
                } else {
                    Vec::new()
                }
            }
            Observed::Json(bytes) => {
                let Some(t) = json_type else {
                    return vec![format!(
                        "{operation} declares {} for {key}, got a JSON body ({got})",
                        if content.is_empty() {
                            "no body"
                        } else {
                            &declared_types
                        }
                    )];
                };
                if bytes.is_empty() {
                    return vec![format!(
                        "{operation} declares a {t} body for {key}, got an empty body"
                    )];
                }
                let value: Value = match serde_json::from_slice(bytes) {
                    Ok(v) => v,
                    Err(e) => return vec![format!("{operation}: the body is not JSON: {e}")],
                };
                if content[&t].get("schema").is_none() {
                    return Vec::new();
                }
                let pointer = format!("{at}/content/{}/schema", pointer_escape(&t));
                match schema_errors(api.key, &api.doc, &pointer, &value) {
                    Ok(errors) if errors.is_empty() => Vec::new(),
                    Ok(errors) => vec![format!(
                        "{operation} {key} schema: {}\n    body: {}",
                        errors.join("; "),
                        truncated(&value.to_string(), 2000)
                    )],
                    Err(e) => vec![format!(
                        "{operation}: the schema at #{pointer} does not compile: {e}"
                    )],
                }
            }
        }
    }

    /// The operation `method path` names: the best-matching template of any document, a
    /// literal segment beating a parameter.
    fn find(&self, method: &Method, path: &str) -> Found<'_> {
        let mut best: Option<(usize, &ApiDocument, &str)> = None;
        for api in &self.apis {
            let Some(rest) = strip_root(path, &api.prefix) else {
                continue;
            };
            let mut candidates = vec![rest.to_owned()];
            for (name, served, documented) in PATH_ALIASES {
                if name == api.name
                    && let Some(tail) = strip_root(rest, served)
                {
                    candidates.push(format!("{documented}{tail}"));
                }
            }
            for candidate in &candidates {
                let segments: Vec<&str> = candidate.split('/').skip(1).collect();
                if !candidate.starts_with('/') {
                    continue;
                }
                for (template, pattern) in &api.templates {
                    if pattern.len() != segments.len() {
                        continue;
                    }
                    let score = pattern
                        .iter()
                        .zip(&segments)
                        .map(|(p, s)| p.matches(s))
                        .sum::<Option<usize>>();
                    if let Some(score) = score
                        && best.is_none_or(|(b, _, _)| score > b)
                    {
                        best = Some((score, api, template));
                    }
                }
            }
        }
        let Some((_, api, template)) = best else {
            return Found::NoPath;
        };
        let item = &api.doc["paths"][template];
        let lower = method.as_str().to_lowercase();
        if item.get(&lower).is_some() {
            Found::Operation {
                api,
                template,
                method: lower,
            }
        } else if *method == Method::HEAD && item.get("get").is_some() {
            Found::Operation {
                api,
                template,
                method: "get".into(),
            }
        } else {
            Found::NoMethod { api, template }
        }
    }
}

/// Whether a media type (with or without parameters) is JSON.
pub fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// `path` less `root` when `path` lies under it (`root` empty: every absolute path).
fn strip_root<'p>(path: &'p str, root: &str) -> Option<&'p str> {
    let rest = path.strip_prefix(root)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// A JSON pointer token.
pub fn pointer_escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn truncated(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Identifies a document's schemas independently of its server URL (the mount prefix), so
/// every server with the same APIs shares compiled schemas.
fn document_key(doc: &Value) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    doc["paths"].to_string().hash(&mut h);
    doc["components"].to_string().hash(&mut h);
    h.finish()
}

type ValidatorCache = Mutex<HashMap<(u64, String), Arc<jsonschema::Validator>>>;

/// The schema at `pointer` in `doc`, compiled once per process and document.
fn compiled(key: u64, doc: &Value, pointer: &str) -> Result<Arc<jsonschema::Validator>, String> {
    static CACHE: OnceLock<ValidatorCache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = lock(cache).get(&(key, pointer.to_owned())) {
        return Ok(v.clone());
    }
    // The whole document is the root, so `#/components/schemas/…` references resolve.
    let fragment = pointer
        .replace('%', "%25")
        .replace('{', "%7B")
        .replace('}', "%7D");
    let mut root = doc.clone();
    root["$ref"] = Value::String(format!("#{fragment}"));
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&root)
        .map_err(|e| e.to_string())?;
    let validator = Arc::new(validator);
    lock(cache).insert((key, pointer.to_owned()), validator.clone());
    Ok(validator)
}

/// What is wrong with `value` by the schema at `pointer` (a JSON pointer into `doc`), each
/// naming where; `Err` when there is no schema there.
pub fn errors_at(doc: &Value, pointer: &str, value: &Value) -> Result<Vec<String>, String> {
    schema_errors(document_key(doc), doc, pointer, value)
}

/// What is wrong with `value` by the schema at `pointer`, each naming where.
fn schema_errors(
    key: u64,
    doc: &Value,
    pointer: &str,
    value: &Value,
) -> Result<Vec<String>, String> {
    let validator = compiled(key, doc, pointer)?;
    Ok(validator
        .iter_errors(value)
        .map(|e| {
            format!(
                "{e} (at {}, schema path {})",
                display_path(&e.instance_path().to_string()),
                e.schema_path()
            )
        })
        .collect())
}

fn display_path(p: &str) -> &str {
    if p.is_empty() { "the root" } else { p }
}
