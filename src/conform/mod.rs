//! Conformance kit: declarative YAML HTTP cases run against any server.
//!
//! The same cases run against idbridge and against a vendor's sandbox, so the
//! runner knows nothing about idbridge itself; see `conformance/README.md`.

mod case;
mod matcher;
mod step;
mod subst;

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
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()
        .context("building the HTTP client")?;

    let mut report = Report::default();
    for (suite, dir) in &suites {
        let ctx = step::Ctx {
            client: &client,
            base_url: &opts.base_url,
            dir,
        };
        for file in list_cases(dir)? {
            let label = format!(
                "{suite}/{}",
                file.file_name().unwrap_or_default().to_string_lossy()
            );
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
            // One case, one line: bodies and YAML errors may contain newlines.
            writeln!(out, "{}", line.replace(['\r', '\n'], " "))?;
            out.flush()?;
        }
    }
    writeln!(out, "{} passed, {} failed", report.passed, report.failed)?;
    out.flush()?;
    Ok(report)
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
    let case: case::Case = match serde_yaml_ng::from_str(&text) {
        Ok(case) => case,
        Err(e) => return (None, Err(format!("invalid case file: {e}"))),
    };
    let name = Some(case.name.clone());
    if case.steps.is_empty() {
        return (name, Err("case has no steps".into()));
    }
    let mut vars = base_vars.clone();
    for (key, value) in &case.vars {
        // Case vars are only defaults: values given to the run win.
        if vars.contains_key(key) {
            continue;
        }
        let scope = subst::Scope {
            vars: &vars,
            dir: ctx.dir,
        };
        match case::scalar_text(value).and_then(|v| scope.text(&v)) {
            Ok(v) => vars.insert(key.clone(), v),
            Err(e) => return (name, Err(format!("vars: {key}: {e}"))),
        };
    }
    for s in &case.steps {
        if let Err(reason) = step::run(ctx, s, &mut vars).await {
            return (name, Err(format!("step {:?}: {reason}", s.name)));
        }
    }
    (name, Ok(()))
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
