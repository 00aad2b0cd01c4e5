//! The YAML shape of a conformance case.

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::collections::BTreeMap;

/// One case file: a named sequence of HTTP steps sharing a variable scope.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Case {
    pub name: String,
    #[serde(default)]
    pub vars: BTreeMap<String, Value>,
    pub steps: Vec<Entry>,
}

/// Reads a case file's text.
pub(crate) fn parse(text: &str) -> Result<Case, String> {
    super::budget::check(text)?;
    serde_yaml_ng::from_str(text).map_err(|e| format!("invalid case file: {e}"))
}

/// A file of shared steps that cases pull in with `include:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fragment {
    pub steps: Vec<Entry>,
}

/// One entry of a `steps:` list: an HTTP step, or variables to set and/or a fragment to run.
#[derive(Debug)]
pub(crate) enum Entry {
    Http(Box<Step>),
    Include(Include),
}

/// `set:` assigns variables (overriding earlier values); `include:` then runs a fragment's
/// steps in the same variable scope. Either may be given alone.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Include {
    pub include: Option<String>,
    #[serde(default)]
    pub set: BTreeMap<String, Value>,
}

impl<'de> Deserialize<'de> for Entry {
    /// Decided by key, so a malformed step still gets the step's own error message
    /// (an untagged enum would only say "no variant matched").
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Entry, D::Error> {
        let raw = Value::deserialize(d)?;
        let is_include = raw
            .as_object()
            .is_some_and(|m| m.contains_key("include") || m.contains_key("set"));
        let parsed = if is_include {
            serde_json::from_value(raw).map(Entry::Include)
        } else {
            serde_json::from_value(raw).map(|s| Entry::Http(Box::new(s)))
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

/// One request, what its response must look like, and what to keep from it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Step {
    pub name: String,
    pub request: Request,
    pub expect: Expect,
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    /// Re-send the request until `expect` holds (a state that changes with time, such as an
    /// expiry), giving up after `within_secs`.
    pub poll: Option<Poll>,
}

/// How long and how often a polling step re-sends its request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Poll {
    pub within_secs: u64,
    #[serde(default = "default_every_ms")]
    pub every_ms: u64,
}

fn default_every_ms() -> u64 {
    200
}

/// The request half of a step; at most one body kind may be given.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub headers: BTreeMap<String, Value>,
    #[serde(default, deserialize_with = "present")]
    pub json: Option<Value>,
    pub body: Option<String>,
    pub body_file: Option<String>,
    pub form: Option<BTreeMap<String, Value>>,
    pub multipart: Option<Vec<Part>>,
    pub content_type: Option<String>,
}

/// One multipart field: either an inline `value` or the bytes of a fixture `file`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Part {
    pub name: String,
    pub value: Option<Value>,
    pub file: Option<String>,
    pub filename: Option<String>,
    pub content_type: Option<String>,
}

/// What the response must satisfy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Expect {
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, Value>,
    #[serde(default, deserialize_with = "present")]
    pub json: Option<Value>,
    pub body_sha256: Option<String>,
    pub body_empty: Option<bool>,
}

/// Lets `json: null` mean "the JSON value null" rather than "no JSON given".
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// YAML turns `3` and `true` into non-strings; headers, form fields and
/// variables want their text, so scalars are accepted and rendered back.
pub(crate) fn scalar_text(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok(String::new()),
        Value::Array(_) | Value::Object(_) => Err("expected a scalar, got a list or map".into()),
    }
}

/// What a case does, in order, once its includes are expanded.
#[derive(Debug)]
pub(crate) enum Action {
    /// Assign these variables (values are substituted when the action runs).
    Set(BTreeMap<String, Value>),
    /// Run this step; `from` names the fragment it came from, for failure messages.
    Http {
        step: Box<Step>,
        from: Option<String>,
    },
}

/// Includes nest at most this deep, which also stops a fragment that includes itself.
const MAX_INCLUDE_DEPTH: usize = 8;

/// Reads a fragment file's text.
pub(crate) fn parse_fragment(text: &str) -> Result<Fragment, String> {
    super::budget::check(text)?;
    serde_yaml_ng::from_str(text).map_err(|e| e.to_string())
}

/// Flattens a case's entries, reading each `include:` relative to the suite folder.
pub(crate) fn expand(dir: &std::path::Path, entries: Vec<Entry>) -> Result<Vec<Action>, String> {
    let mut out = Vec::new();
    expand_into(dir, entries, None, 0, &mut out)?;
    Ok(out)
}

fn expand_into(
    dir: &std::path::Path,
    entries: Vec<Entry>,
    from: Option<&str>,
    depth: usize,
    out: &mut Vec<Action>,
) -> Result<(), String> {
    for entry in entries {
        match entry {
            Entry::Http(step) => out.push(Action::Http {
                step,
                from: from.map(str::to_owned),
            }),
            Entry::Include(inc) => {
                if !inc.set.is_empty() {
                    out.push(Action::Set(inc.set));
                }
                let Some(path) = inc.include else { continue };
                if depth >= MAX_INCLUDE_DEPTH {
                    return Err(format!(
                        "include {path}: nested more than {MAX_INCLUDE_DEPTH} deep"
                    ));
                }
                let text = std::fs::read_to_string(dir.join(&path))
                    .map_err(|e| format!("include {path}: {e}"))?;
                let fragment = parse_fragment(&text)
                    .map_err(|e| format!("include {path}: invalid fragment: {e}"))?;
                expand_into(dir, fragment.steps, Some(&path), depth + 1, out)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod fuzz;
