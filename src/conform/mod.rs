//! Conformance kit: declarative YAML HTTP cases run against any server.
//!
//! The same cases run against idbridge and against a vendor's sandbox, so the
//! runner knows nothing about idbridge itself; see `conformance/README.md`.

mod budget;
mod case;
mod matcher;
mod step;
mod subst;

use crate::contract::Contracts;
use anyhow::{Context as _, bail};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A slow vendor sandbox may take tens of seconds on a document upload.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Options for one conformance run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Base URL of the server under test, e.g. "http://127.0.0.1:8080" (no trailing slash needed).
    pub base_url: String,
    /// Folder holding one sub-folder per suite (`conformance/`).
    pub root: PathBuf,
    /// Run only this suite (sub-folder name); None = every suite.
    pub suite: Option<String>,
    /// Variables available to every case as ${name}.
    pub vars: BTreeMap<String, String>,
    /// The APIs' OpenAPI documents: when given, a response that breaks its API's document
    /// fails its step, whatever the case expected.
    pub contracts: Option<std::sync::Arc<Contracts>>,
    /// A CA certificate (PEM) to trust for `https://` base URLs, besides the system's roots
    /// (e.g. the CA `idbridge certs` made).
    pub ca_cert: Option<PathBuf>,
}

/// Outcome of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Cases whose every step passed.
    pub passed: usize,
    /// Cases that failed, including case files that could not be read or parsed.
    pub failed: usize,
}

/// Runs the cases, writing one line per case to `out`, then the final line `N passed, M failed`.
/// While they run, a progress bar (cases done, total, current case) is drawn on stderr when
/// stderr is a terminal.
///
/// Errors only for what stops the whole run (missing root, unknown suite,
/// unwritable output); a broken case file is reported as a failed case.
pub async fn run(opts: &Options, out: &mut (dyn Write + Send)) -> anyhow::Result<Report> {
    if !opts.root.is_dir() {
        bail!("conformance root {} is not a folder", opts.root.display());
    }
    let mut suites = list_suites(&opts.root)?;
    if let Some(only) = &opts.suite {
        suites.retain(|(name, _)| name == only);
        if suites.is_empty() {
            bail!("no suite named {only:?} under {}", opts.root.display());
        }
    }
    // Redirects stay visible to the cases: vendors answer some calls with 302 + Location.
    let mut builder = crate::http::client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT);
    if let Some(path) = &opts.ca_cert {
        let pem =
            std::fs::read(path).with_context(|| format!("reading --ca-cert {}", path.display()))?;
        let ca = reqwest::Certificate::from_pem(&pem)
            .with_context(|| format!("--ca-cert {} is not a PEM certificate", path.display()))?;
        builder = builder.tls_certs_merge([ca]);
    }
    let client = builder.build().context("building the HTTP client")?;

    // Every case is listed first, so the progress bar knows the total.
    let mut cases = Vec::new();
    for (suite, dir) in &suites {
        cases.push((suite, dir, list_cases(dir)?));
    }
    let bar = crate::progress::bar(
        cases.iter().map(|(_, _, files)| files.len() as u64).sum(),
        "[{bar:30}] {pos}/{len} cases  {wide_msg}",
    );
    let mut report = Report::default();
    for (suite, dir, files) in cases {
        let ctx = step::Ctx {
            client: &client,
            base_url: &opts.base_url,
            dir,
            contracts: opts.contracts.as_deref(),
        };
        for file in files {
            let label = format!(
                "{suite}/{}",
                file.file_name().unwrap_or_default().to_string_lossy()
            );
            bar.set_message(label.clone());
            let (name, outcome) = run_case(&ctx, &file, &opts.vars).await;
            let line = match (name, outcome) {
                (Some(name), Ok(())) => {
                    report.passed += 1;
                    format!("PASS {label} ({name})")
                }
                (name, outcome) => {
                    report.failed += 1;
                    let reason = outcome.err().unwrap_or_default();
                    match name {
                        Some(name) => format!("FAIL {label} ({name}): {reason}"),
                        None => format!("FAIL {label}: {reason}"),
                    }
                }
            };
            // One case, one line: bodies and YAML errors may contain newlines. The bar steps
            // aside while the line is written, so the two never share a terminal line.
            bar.suspend(|| -> std::io::Result<()> {
                writeln!(out, "{}", line.replace(['\r', '\n'], " "))?;
                out.flush()
            })?;
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    writeln!(out, "{} passed, {} failed", report.passed, report.failed)?;
    out.flush()?;
    Ok(report)
}

/// Loads OpenAPI documents for [`Options::contracts`]: each source is a file, a folder of
/// `*.json` files, or an `http(s)://` URL. An API is named by its file name (`ncore.json`).
pub async fn load_contracts(sources: &[String]) -> anyhow::Result<Contracts> {
    let mut docs = Vec::new();
    for source in sources {
        if source.starts_with("http://") || source.starts_with("https://") {
            let doc: serde_json::Value = crate::http::client()
                .get(source)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .with_context(|| format!("fetching {source}"))?
                .json()
                .await
                .with_context(|| format!("reading {source}"))?;
            let name = source.rsplit('/').next().unwrap_or(source);
            docs.push((name.trim_end_matches(".json").to_owned(), doc));
            continue;
        }
        let path = Path::new(source);
        let files = if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading {source}"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            files.sort();
            files
        } else {
            vec![path.to_path_buf()]
        };
        for file in files {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let doc = serde_json::from_str(&text)
                .with_context(|| format!("{} is not JSON", file.display()))?;
            let name = file.file_stem().unwrap_or_default().to_string_lossy();
            docs.push((name.into_owned(), doc));
        }
    }
    Ok(Contracts::new(docs))
}

/// Returns the case name (None when the file could not be parsed) and the outcome.
async fn run_case(
    ctx: &step::Ctx<'_>,
    file: &Path,
    base_vars: &BTreeMap<String, String>,
) -> (Option<String>, Result<(), String>) {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => return (None, Err(format!("cannot read case file: {e}"))),
    };
    let case = match case::parse(&text) {
        Ok(case) => case,
        Err(e) => return (None, Err(e)),
    };
    let name = Some(case.name.clone());
    let actions = match case::expand(ctx.dir, case.steps) {
        Ok(actions) if actions.is_empty() => return (name, Err("case has no steps".into())),
        Ok(actions) => actions,
        Err(e) => return (name, Err(e)),
    };
    let mut vars = base_vars.clone();
    for (key, value) in &case.vars {
        // Case vars are only defaults: values given to the run win.
        if vars.contains_key(key) {
            continue;
        }
        if let Err(e) = assign(ctx, &mut vars, key, value) {
            return (name, Err(format!("vars: {e}")));
        }
    }
    for action in &actions {
        match action {
            case::Action::Set(set) => {
                for (key, value) in set {
                    if let Err(e) = assign(ctx, &mut vars, key, value) {
                        return (name, Err(format!("set: {e}")));
                    }
                }
            }
            case::Action::Http { step, from } => {
                if let Err(reason) = step::run(ctx, step, &mut vars).await {
                    let origin = from
                        .as_deref()
                        .map(|f| format!(" ({f})"))
                        .unwrap_or_default();
                    return (name, Err(format!("step {:?}{origin}: {reason}", step.name)));
                }
            }
        }
    }
    (name, Ok(()))
}

/// Sets `key` to `value` after substituting the variables set so far.
fn assign(
    ctx: &step::Ctx<'_>,
    vars: &mut BTreeMap<String, String>,
    key: &str,
    value: &serde_json::Value,
) -> Result<(), String> {
    let scope = subst::Scope { vars, dir: ctx.dir };
    let text = case::scalar_text(value)
        .and_then(|v| scope.text(&v))
        .map_err(|e| format!("{key}: {e}"))?;
    vars.insert(key.to_owned(), text);
    Ok(())
}

/// Suite folders in name order; `fixtures` and hidden folders are not suites.
fn list_suites(root: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut suites = Vec::new();
    for entry in std::fs::read_dir(root).with_context(|| format!("reading {}", root.display()))? {
        let path = entry?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if path.is_dir() && name != "fixtures" && !name.starts_with('.') {
            suites.push((name, path));
        }
    }
    suites.sort();
    Ok(suites)
}

/// The `*.yaml` / `*.yml` files directly inside a suite, in name order.
fn list_cases(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        if is_yaml && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
