//! `${...}` substitution: variables, fixture functions and fresh UUIDs.

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// What substitution can see: the case's variables and its suite folder.
pub(crate) struct Scope<'a> {
    pub vars: &'a BTreeMap<String, String>,
    pub dir: &'a Path,
}

impl Scope<'_> {
    /// Replaces every `${...}` in `s`.
    pub fn text(&self, s: &str) -> Result<String, String> {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| format!("unterminated \"${{\" in {s:?}"))?;
            out.push_str(&self.eval(&after[..end])?);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Substitutes inside every string (keys included) of a JSON value.
    /// A string that is exactly `${int:name}` becomes a number, because YAML
    /// cannot otherwise carry a variable into a numeric field.
    pub fn json(&self, v: &Value) -> Result<Value, String> {
        Ok(match v {
            Value::String(s) => match whole_int(s) {
                Some(name) => Value::Number(self.int(name)?),
                None => Value::String(self.text(s)?),
            },
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.json(i))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = serde_json::Map::with_capacity(map.len());
                for (k, v) in map {
                    out.insert(self.text(k)?, self.json(v)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    /// Reads a fixture relative to the suite folder.
    pub fn file(&self, rel: &str) -> Result<Vec<u8>, String> {
        std::fs::read(self.dir.join(rel)).map_err(|e| format!("cannot read fixture {rel}: {e}"))
    }

    fn eval(&self, expr: &str) -> Result<String, String> {
        if expr == "uuid" {
            return Ok(uuid::Uuid::new_v4().to_string());
        }
        if let Some((func, arg)) = expr.split_once(':') {
            let arg = arg.trim();
            match func.trim() {
                "base64" => {
                    return Ok(base64::engine::general_purpose::STANDARD.encode(self.file(arg)?));
                }
                "sha256" => return Ok(hex::encode(Sha256::digest(self.file(arg)?))),
                "datauri" => {
                    let data = base64::engine::general_purpose::STANDARD.encode(self.file(arg)?);
                    return Ok(format!("data:{};base64,{data}", mime_for(arg)));
                }
                "int" => return Ok(self.int(arg)?.to_string()),
                "digits" => return random_digits(arg),
                "jwt_bearer" => return self.jwt_bearer(arg),
                _ => {}
            }
        }
        self.var(expr.trim()).map(str::to_owned)
    }

    /// `${jwt_bearer:sa}`: a service-account assertion (RS256, one hour, fresh `jti`) built
    /// from the variables `sa_private_key_id`, `sa_private_key`, `sa_client_email` and
    /// `sa_token_uri` (the fields of a service-account file, captured under a prefix).
    fn jwt_bearer(&self, prefix: &str) -> Result<String, String> {
        let get = |field: &str| self.var(&format!("{prefix}_{field}"));
        let now = chrono::Utc::now().timestamp();
        let claims = serde_json::json!({
            "iss": get("client_email")?,
            "aud": get("token_uri")?,
            "iat": now,
            "exp": now + 3600,
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        crate::auth::keys::sign_rs256(&claims, get("private_key_id")?, get("private_key")?)
            .map_err(|e| format!("jwt_bearer:{prefix}: {e}"))
    }

    fn var(&self, name: &str) -> Result<&str, String> {
        self.vars.get(name).map(String::as_str).ok_or_else(|| {
            format!(
                "unknown variable \"{name}\" (pass it with --var {name}=VALUE or set it in vars:)"
            )
        })
    }

    fn int(&self, name: &str) -> Result<serde_json::Number, String> {
        let raw = self.var(name)?.trim();
        if let Ok(i) = raw.parse::<i64>() {
            return Ok(i.into());
        }
        raw.parse::<u64>()
            .map(Into::into)
            .map_err(|_| format!("variable \"{name}\" is not an integer"))
    }
}

/// `${digits:N}`: N random decimal digits, for numbers a server must see as new (a document
/// number that no earlier run stored).
fn random_digits(count: &str) -> Result<String, String> {
    let n: usize = count
        .parse()
        .ok()
        .filter(|n| (1..=64).contains(n))
        .ok_or_else(|| format!("digits:{count}: expected a count from 1 to 64"))?;
    let mut rng = rand::thread_rng();
    Ok((0..n)
        .map(|_| char::from(b'0' + rand::Rng::gen_range(&mut rng, 0..10u8)))
        .collect())
}

/// Returns the variable name when `s` is exactly `${int:name}`.
fn whole_int(s: &str) -> Option<&str> {
    let inner = s.strip_prefix("${")?.strip_suffix('}')?;
    let name = inner.strip_prefix("int:")?.trim();
    (!name.contains(['{', '}'])).then_some(name)
}

/// Content type guessed from a fixture's extension; servers under test often
/// sniff or validate it, so the common document formats are named explicitly.
pub(crate) fn mime_for(path: &str) -> &'static str {
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with<T>(f: impl FnOnce(&Scope<'_>) -> T) -> T {
        let dir = std::env::temp_dir().join(format!("conform-subst-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.png"), b"abc").unwrap();
        let vars = BTreeMap::from([
            ("n".to_owned(), "42".to_owned()),
            ("who".to_owned(), "Al".to_owned()),
        ]);
        let out = f(&Scope {
            vars: &vars,
            dir: &dir,
        });
        std::fs::remove_dir_all(&dir).unwrap();
        out
    }

    #[test]
    fn substitutes_variables_and_functions() {
        with(|s| {
            assert_eq!(s.text("hi ${who}/${n}").unwrap(), "hi Al/42");
            assert_eq!(s.text("${base64:a.png}").unwrap(), "YWJj");
            assert_eq!(
                s.text("${sha256:a.png}").unwrap(),
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            );
            assert_eq!(
                s.text("${datauri:a.png}").unwrap(),
                "data:image/png;base64,YWJj"
            );
            assert_ne!(s.text("${uuid}").unwrap(), s.text("${uuid}").unwrap());
            let digits = s.text("${digits:12}").unwrap();
            assert!(digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()));
            assert!(s.text("${digits:0}").is_err());
            assert!(s.text("${nope}").unwrap_err().contains("\"nope\""));
            assert!(s.text("${who").unwrap_err().contains("unterminated"));
        });
    }

    #[test]
    fn json_keeps_strings_but_int_becomes_number() {
        with(|s| {
            let got = s
                .json(&json!({"a": "${n}", "b": "${int:n}", "c": ["${who}", 1]}))
                .unwrap();
            assert_eq!(got, json!({"a": "42", "b": 42, "c": ["Al", 1]}));
            assert!(
                s.json(&json!("${int:who}"))
                    .unwrap_err()
                    .contains("not an integer")
            );
        });
    }
}
