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
    pub steps: Vec<Step>,
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
