//! Executes one step: builds the request, sends it, checks the response and captures.

use super::case::{Expect, Part, Request, Step, scalar_text};
use super::matcher;
use super::subst::{Scope, mime_for};
use crate::contract::{Contracts, Observed, is_json};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::multipart;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// Header values that are credentials and must never reach the output.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "apikey",
    "x-api-key",
];

/// How much of a response body a failure message may quote.
const SNIPPET: usize = 300;

/// What every step of a run shares.
pub(crate) struct Ctx<'a> {
    pub client: &'a reqwest::Client,
    pub base_url: &'a str,
    pub dir: &'a Path,
    /// When given, every response must also keep its API's OpenAPI contract.
    pub contracts: Option<&'a Contracts>,
}

/// The parts of a response the checks and captures look at.
struct Response {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Runs `step`, adding its captures to `vars`; the error is the reason it failed.
pub(crate) async fn run(
    ctx: &Ctx<'_>,
    step: &Step,
    vars: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    let scope = Scope { vars, dir: ctx.dir };
    let deadline = step
        .poll
        .as_ref()
        .map(|p| (Instant::now() + Duration::from_secs(p.within_secs), p));
    let response = loop {
        // Rebuilt each time: `${uuid}` and friends are fresh per request.
        let request = build(ctx, &scope, &step.request)?
            .build()
            .map_err(|e| format!("building the request: {}", describe(&e)))?;
        let (method, path) = (request.method().clone(), served_path(ctx, request.url()));
        let response = send(ctx, request).await?;
        if let Some(contracts) = ctx.contracts {
            contract(contracts, &method, &path, &response)?;
        }
        match (check(&scope, &step.expect, &response), deadline) {
            (Ok(()), _) => break response,
            (Err(_), Some((until, poll))) if Instant::now() < until => {
                tokio::time::sleep(Duration::from_millis(poll.every_ms)).await;
            }
            (Err(reason), Some((_, poll))) => {
                return Err(format!(
                    "{reason} (still, after polling for {}s)",
                    poll.within_secs
                ));
            }
            (Err(reason), None) => return Err(reason),
        }
    };
    let mut captured = Vec::with_capacity(step.capture.len());
    for (var, source) in &step.capture {
        captured.push((
            var.clone(),
            capture(&response, source).map_err(|e| format!("capture {var}: {e}"))?,
        ));
    }
    vars.extend(captured);
    Ok(())
}

fn build(
    ctx: &Ctx<'_>,
    scope: &Scope<'_>,
    req: &Request,
) -> Result<reqwest::RequestBuilder, String> {
    let method = reqwest::Method::from_bytes(req.method.trim().to_ascii_uppercase().as_bytes())
        .map_err(|_| format!("invalid method {:?}", req.method))?;
    let path = scope.text(&req.path)?;
    // An absolute URL lets a case follow a captured Location header as-is.
    let url = if path.starts_with("http://") || path.starts_with("https://") {
        path
    } else {
        let sep = if path.starts_with('/') { "" } else { "/" };
        format!("{}{sep}{path}", ctx.base_url.trim_end_matches('/'))
    };

    let mut headers = HeaderMap::new();
    for (name, value) in &req.headers {
        let text = scalar_text(value)
            .and_then(|v| scope.text(&v))
            .map_err(|e| format!("header {name}: {e}"))?;
        let name_h = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid header name {name:?}"))?;
        let value_h =
            HeaderValue::from_str(&text).map_err(|_| format!("invalid value for header {name}"))?;
        headers.append(name_h, value_h);
    }
    let content_type = req
        .content_type
        .as_deref()
        .map(|c| scope.text(c))
        .transpose()?;

    let kinds = [
        req.json.is_some(),
        req.body.is_some(),
        req.body_file.is_some(),
        req.form.is_some(),
        req.multipart.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() > 1 {
        return Err("give at most one of json, body, body_file, form, multipart".into());
    }
    let mut builder = ctx.client.request(method, &url);
    let mut default_type = None;
    if let Some(json) = &req.json {
        builder = builder.json(&scope.json(json)?);
    } else if let Some(body) = &req.body {
        builder = builder.body(scope.text(body)?);
    } else if let Some(file) = &req.body_file {
        builder = builder.body(scope.file(file)?);
        default_type = Some(mime_for(file).to_owned());
    } else if let Some(form) = &req.form {
        let mut fields = Vec::with_capacity(form.len());
        for (k, v) in form {
            fields.push((
                k.clone(),
                scalar_text(v)
                    .and_then(|v| scope.text(&v))
                    .map_err(|e| format!("form {k}: {e}"))?,
            ));
        }
        builder = builder.form(&fields);
    } else if let Some(parts) = &req.multipart {
        if content_type.is_some() {
            return Err("content_type does not apply to multipart (set it per part)".into());
        }
        let mut form = multipart::Form::new();
        for part in parts {
            form = form.part(
                part.name.clone(),
                build_part(scope, part).map_err(|e| format!("multipart {}: {e}", part.name))?,
            );
        }
        builder = builder.multipart(form);
    }
    if let Some(ct) = content_type.or(default_type) {
        let value =
            HeaderValue::from_str(&ct).map_err(|_| format!("invalid content_type {ct:?}"))?;
        headers.entry(CONTENT_TYPE).or_insert(value);
    }
    // Applied last so an explicit header replaces what json/form defaulted to.
    Ok(builder.headers(headers))
}

fn build_part(scope: &Scope<'_>, part: &Part) -> Result<multipart::Part, String> {
    let mut built = match (&part.file, &part.value) {
        (Some(file), None) => {
            let name = part.filename.clone().unwrap_or_else(|| {
                Path::new(file)
                    .file_name()
                    .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned())
            });
            let ct = part.content_type.as_deref().unwrap_or(mime_for(file));
            return multipart::Part::bytes(scope.file(file)?)
                .file_name(scope.text(&name)?)
                .mime_str(&scope.text(ct)?)
                .map_err(|_| format!("invalid content_type {ct:?}"));
        }
        (None, Some(value)) => multipart::Part::text(scope.text(&scalar_text(value)?)?),
        _ => return Err("give exactly one of file, value".into()),
    };
    if let Some(name) = &part.filename {
        built = built.file_name(scope.text(name)?);
    }
    if let Some(ct) = &part.content_type {
        built = built
            .mime_str(&scope.text(ct)?)
            .map_err(|_| format!("invalid content_type {ct:?}"))?;
    }
    Ok(built)
}

async fn send(ctx: &Ctx<'_>, request: reqwest::Request) -> Result<Response, String> {
    let response = ctx
        .client
        .execute(request)
        .await
        .map_err(|e| describe(&e))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("reading the response body: {}", describe(&e)))?;
    Ok(Response {
        status,
        headers,
        body: body.to_vec(),
    })
}

/// The request's path as the server under test sees it: less the base URL's own path, so a
/// deployment behind a path prefix matches its documents.
fn served_path(ctx: &Ctx<'_>, url: &reqwest::Url) -> String {
    let base = reqwest::Url::parse(ctx.base_url)
        .map(|b| b.path().trim_end_matches('/').to_owned())
        .unwrap_or_default();
    match url.path().strip_prefix(base.as_str()) {
        Some(rest) if rest.starts_with('/') => rest.to_owned(),
        _ => url.path().to_owned(),
    }
}

/// Fails the step when the response breaks its API's OpenAPI contract.
fn contract(
    contracts: &Contracts,
    method: &reqwest::Method,
    path: &str,
    response: &Response,
) -> Result<(), String> {
    let status = StatusCode::from_u16(response.status).map_err(|e| e.to_string())?;
    let content_type = response
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let body = if content_type.is_some_and(is_json) {
        Observed::Json(&response.body)
    } else {
        Observed::Other {
            empty: response.body.is_empty(),
        }
    };
    let problems = contracts.problems(method, path, status, content_type, body);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "breaks the OpenAPI contract: {}",
            problems.join("; ")
        ))
    }
}

/// reqwest's top-level message hides the cause (refused, DNS, TLS), so the source chain is appended.
fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        return "request timed out".into();
    }
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn check(scope: &Scope<'_>, expect: &Expect, resp: &Response) -> Result<(), String> {
    if resp.status != expect.status {
        return Err(format!(
            "expected status {}, got {}; body: {}",
            expect.status,
            resp.status,
            snippet(&resp.body)
        ));
    }
    for (name, want) in &expect.headers {
        let want = scalar_text(want)
            .and_then(|w| scope.text(&w))
            .map_err(|e| format!("header {name}: {e}"))?;
        check_header(&resp.headers, name, &want)?;
    }
    match expect.body_empty {
        Some(true) if !resp.body.is_empty() => {
            return Err(format!(
                "expected an empty body, got: {}",
                snippet(&resp.body)
            ));
        }
        Some(false) if resp.body.is_empty() => {
            return Err("expected a non-empty body, got an empty one".into());
        }
        _ => {}
    }
    if let Some(want) = &expect.body_sha256 {
        let want = scope.text(want)?;
        let got = hex::encode(Sha256::digest(&resp.body));
        if !want.trim().eq_ignore_ascii_case(&got) {
            return Err(format!(
                "expected body sha256 {want}, got {got} ({} bytes)",
                resp.body.len()
            ));
        }
    }
    if let Some(want) = &expect.json {
        let actual = parse_json(&resp.body)?;
        matcher::check(&scope.json(want)?, &actual)?;
    }
    Ok(())
}

fn check_header(headers: &HeaderMap, name: &str, want: &str) -> Result<(), String> {
    let lower = name.to_ascii_lowercase();
    let values: Vec<String> = headers
        .get_all(lower.as_str())
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    let secret = SECRET_HEADERS.contains(&lower.as_str());
    match want {
        "$absent" if values.is_empty() => Ok(()),
        "$absent" => Err(format!("expected header {lower} to be absent")),
        _ if values.is_empty() => Err(format!("missing header {lower}")),
        "$any" => Ok(()),
        _ if values.iter().any(|v| v == want) => Ok(()),
        _ if secret => Err(format!(
            "header {lower} does not have the expected value (values hidden)"
        )),
        _ => Err(format!(
            "header {lower}: expected {want:?}, got {:?}",
            values.join(", ")
        )),
    }
}

fn capture(resp: &Response, source: &str) -> Result<String, String> {
    if let Some(name) = source.strip_prefix("header:") {
        let name = name.trim().to_ascii_lowercase();
        let value = resp
            .headers
            .get(name.as_str())
            .ok_or_else(|| format!("no header {name} in the response"))?;
        return value
            .to_str()
            .map(str::to_owned)
            .map_err(|_| format!("header {name} is not text"));
    }
    if !source.is_empty() && !source.starts_with('/') {
        return Err(format!(
            "{source:?} is neither a JSON pointer (/a/0/b) nor header:NAME"
        ));
    }
    match parse_json(&resp.body)?.pointer(source) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Ok(other.to_string()),
        None => Err(format!("no value at {source} in the response body")),
    }
}

fn parse_json(body: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(body)
        .map_err(|e| format!("response body is not JSON ({e}); body: {}", snippet(body)))
}

fn snippet(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty)".into();
    }
    let text = String::from_utf8_lossy(body);
    let mut cut: String = text.chars().take(SNIPPET).collect();
    if text.chars().nth(SNIPPET).is_some() {
        cut.push('…');
    }
    cut
}
