//! JSON subset matching: every expected part must be found in the actual value.

use serde_json::Value;

/// The longest rendering of an actual value in a failure message; whole
/// response documents would drown the one line a case gets.
const SHOWN: usize = 200;

/// Checks `expected ⊆ actual`; the error names the JSON pointer of the first mismatch.
pub(crate) fn check(expected: &Value, actual: &Value) -> Result<(), String> {
    walk(expected, actual, &mut String::new())
}

fn walk(expected: &Value, actual: &Value, path: &mut String) -> Result<(), String> {
    let fail = |path: &str, what: String| Err(format!("at {}: {what}", shown_path(path)));
    match expected {
        Value::String(s) if s.starts_with('$') => match special(s, actual) {
            Some(true) => Ok(()),
            Some(false) => fail(path, format!("expected {s}, got {}", show(actual))),
            None if s == "$absent" => fail(
                path,
                "\"$absent\" is only meaningful for an object key".into(),
            ),
            None => scalar(expected, actual).or_else(|e| fail(path, e)),
        },
        Value::Object(want) => {
            let Value::Object(got) = actual else {
                return fail(path, format!("expected an object, got {}", show(actual)));
            };
            for (key, want_v) in want {
                let len = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                let result = match (got.get(key), want_v.as_str() == Some("$absent")) {
                    (Some(v), true) => {
                        fail(path, format!("expected key to be absent, got {}", show(v)))
                    }
                    (None, true) => Ok(()),
                    // "Nothing shown": formats differ in whether they omit a key or send null.
                    (None, false) if want_v.as_str() == Some("$none") => Ok(()),
                    (None, false) => fail(path, format!("missing key, expected {}", show(want_v))),
                    (Some(v), false) => walk(want_v, v, path),
                };
                path.truncate(len);
                result?;
            }
            Ok(())
        }
        Value::Array(want) => {
            let Value::Array(got) = actual else {
                return fail(path, format!("expected an array, got {}", show(actual)));
            };
            if want.len() != got.len() {
                return fail(
                    path,
                    format!(
                        "expected an array of length {}, got length {}",
                        want.len(),
                        got.len()
                    ),
                );
            }
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                let result = walk(w, g, path);
                path.truncate(len);
                result?;
            }
            Ok(())
        }
        _ => scalar(expected, actual).or_else(|e| fail(path, e)),
    }
}

/// Evaluates a `$matcher`; None when `s` is not a known matcher (so it is
/// compared as a literal string, and `$absent` is handled by the caller).
fn special(s: &str, actual: &Value) -> Option<bool> {
    Some(match s {
        "$any" => true,
        "$none" => actual.is_null(),
        "$string" => actual.is_string(),
        "$number" => actual.is_number(),
        "$uuid" => actual
            .as_str()
            .is_some_and(|v| uuid::Uuid::parse_str(v).is_ok()),
        "$datetime" => actual
            .as_str()
            .is_some_and(|v| chrono::DateTime::parse_from_rfc3339(v).is_ok()),
        "$nonempty" => match actual {
            Value::String(v) => !v.is_empty(),
            Value::Array(v) => !v.is_empty(),
            _ => false,
        },
        _ => return None,
    })
}

fn scalar(expected: &Value, actual: &Value) -> Result<(), String> {
    let equal = match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => numbers_equal(a, b),
        (a, b) => a == b,
    };
    if equal {
        Ok(())
    } else {
        Err(format!("expected {}, got {}", show(expected), show(actual)))
    }
}

/// Integers compare exactly (so large ids are not rounded through f64);
/// anything with a fraction compares as f64, which makes `1 == 1.0`.
fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    let int = |n: &serde_json::Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (int(a), int(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.as_f64() == b.as_f64(),
    }
}

fn shown_path(path: &str) -> &str {
    if path.is_empty() { "/" } else { path }
}

fn show(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= SHOWN {
        return text;
    }
    let mut cut: String = text.chars().take(SHOWN).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::check;
    use serde_json::json;

    #[test]
    fn subset_passes_with_extra_keys_and_matchers() {
        let actual = json!({
            "id": "7f1c7a4e-2f4b-4b39-9c43-51ad0f2b1e0a",
            "n": 1.0, "big": 18446744073709551615u64, "at": "2024-05-01T10:00:00Z",
            "docs": [{"kind": "passport", "extra": true}], "tags": ["a"], "note": null
        });
        let expected = json!({
            "id": "$uuid", "n": 1, "big": 18446744073709551615u64, "at": "$datetime",
            "docs": [{"kind": "passport"}], "tags": "$nonempty", "note": "$any",
            "gone": "$absent"
        });
        check(&expected, &actual).unwrap();
        check(&json!({"n": "$number", "id": "$string"}), &actual).unwrap();
    }

    #[test]
    fn failures_name_the_path() {
        let actual = json!({"documents": [{"kind": "visa"}], "secret": 1, "list": [1, 2]});
        let err = |e| check(&e, &actual).unwrap_err();
        assert_eq!(
            err(json!({"documents": [{"kind": "passport"}]})),
            "at /documents/0/kind: expected \"passport\", got \"visa\""
        );
        assert!(err(json!({"missing": 1})).starts_with("at /missing: missing key"));
        assert!(
            err(json!({"secret": "$absent"})).starts_with("at /secret: expected key to be absent")
        );
        assert!(
            err(json!({"list": [1]}))
                .contains("at /list: expected an array of length 1, got length 2")
        );
        assert!(
            err(json!({"list": "$nonempty", "secret": "$uuid"}))
                .starts_with("at /secret: expected $uuid")
        );
        assert!(err(json!([1])).starts_with("at /: expected an array"));
        assert!(
            check(&json!({"a/b": 1}), &json!({}))
                .unwrap_err()
                .starts_with("at /a~1b:")
        );
    }

    #[test]
    fn matchers_reject_wrong_types() {
        assert!(check(&json!("$datetime"), &json!("yesterday")).is_err());
        assert!(check(&json!("$nonempty"), &json!("")).is_err());
        assert!(check(&json!("$nonempty"), &json!([])).is_err());
        assert!(check(&json!("$number"), &json!("1")).is_err());
        assert!(check(&json!("$string"), &json!(null)).is_err());
        assert!(check(&json!("$other"), &json!("$other")).is_ok());
        assert!(check(&json!(1), &json!(1.5)).is_err());
    }

    #[test]
    fn none_means_absent_or_null() {
        assert!(check(&json!({"a": "$none"}), &json!({})).is_ok());
        assert!(check(&json!({"a": "$none"}), &json!({"a": null})).is_ok());
        assert!(check(&json!({"a": "$none"}), &json!({"a": "x"})).is_err());
    }
}
