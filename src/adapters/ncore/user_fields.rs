//! A user's body checked field by field (each error names its field, `address.country`
//! for a nested one). Pure: the handlers in `users` do the I/O; `user_rules` makes a user of
//! the checked fields.

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::wire::{UserStatus, UserType};
use crate::error::{Error, Result};
use crate::model::CountryCode;

/// How a known field is checked.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Free text: at most 200 characters, no control characters.
    Text,
    /// `YYYY-MM-DD`, a real date, not in the future.
    Date,
    /// An e-mail address.
    Email,
    /// Digits, optionally after `+`: 6 to 15 of them (E.164's most).
    Phone,
    /// ISO 3166-1 alpha-3, stored in capitals.
    Country,
    /// ISO 639-1 (two letters), stored in capitals.
    Language,
    /// A code in capitals, digits and `_`, as NymCard writes its enumerations.
    Code,
    /// A number, at least 0.
    Amount,
    /// An object of the address fields.
    Address,
    /// A user id (whether it names a user is checked by the handler).
    UserRef,
}

/// Every field of [`super::wire::UserFields`], with its check (a test keeps the two in step).
const FIELDS: [(&str, Kind); 26] = [
    ("title", Kind::Text),
    ("first_name", Kind::Text),
    ("middle_name", Kind::Text),
    ("last_name", Kind::Text),
    ("native_name", Kind::Text),
    ("date_of_birth", Kind::Date),
    ("email", Kind::Email),
    ("mobile", Kind::Phone),
    ("phone_number", Kind::Phone),
    ("address", Kind::Address),
    ("gender", Kind::Code),
    ("preferred_language", Kind::Language),
    ("place_of_birth", Kind::Text),
    ("nationality", Kind::Country),
    ("country_residence", Kind::Country),
    ("country_tax_residence", Kind::Country),
    ("employment_type", Kind::Code),
    ("employment_title", Kind::Text),
    ("monthly_salary", Kind::Amount),
    ("company_name", Kind::Text),
    ("company_address", Kind::Address),
    ("company_country", Kind::Country),
    ("industry_type", Kind::Code),
    ("expected_monthly_balance", Kind::Amount),
    ("relationship_with_parent", Kind::Code),
    ("parent_user_id", Kind::UserRef),
];

/// The fields of an address: the six NymCard's sample and response show, no others.
const ADDRESS_FIELDS: [(&str, Kind); 6] = [
    ("address_line1", Kind::Text),
    ("address_line2", Kind::Text),
    ("city", Kind::Text),
    ("state", Kind::Text),
    ("postal_code", Kind::Text),
    ("country", Kind::Country),
];

const TEXT_MAX: usize = 200;
/// The user types, as a refusal lists them.
pub(super) const TYPES: &str =
    "INDIVIDUAL, BUSINESS, DIRECTOR, SIGNATURE, SHAREHOLDER, SHAREHOLDER_BUSINESS";
const STATUSES: &str = "PENDINGKYC, ACTIVE, SUSPENDED, TERMINATED";

/// Which request a body came with.
#[derive(Clone, Copy, Debug)]
pub enum Mode<'a> {
    /// `POST /users`: the server sets `id`, `status` and the timestamps.
    Create,
    /// `PUT /users/{user_id}` of the user with this id.
    Update(&'a str),
}

/// A body, checked.
#[derive(Debug, Default)]
pub struct Checked {
    /// `user_type`, if sent.
    pub user_type: Option<UserType>,
    /// `status`, if sent.
    pub status: Option<UserStatus>,
    /// Known fields sent: the checked value, or `null` to clear.
    pub fields: Map<String, Value>,
    /// Other fields sent, as sent (`null` means absent, or removes one on `PUT`).
    pub other: Map<String, Value>,
}

impl Checked {
    /// The parent user a body names, if it names one.
    pub fn parent(&self) -> Option<&str> {
        self.fields.get("parent_user_id").and_then(Value::as_str)
    }
}

/// A value's wire name (`PENDINGKYC`, `SHAREHOLDER_BUSINESS`).
pub fn label<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Checks a body's fields one by one, in name order; the first bad one is the error.
pub fn check(body: Map<String, Value>, mode: Mode<'_>) -> Result<Checked> {
    let mut c = Checked::default();
    for (name, value) in body {
        match name.as_str() {
            // Neither can be cleared: `null` is as if absent, as the OpenAPI document allows.
            "user_type" | "status" if value.is_null() => {}
            "user_type" => {
                c.user_type = Some(enumerated(&name, &value, TYPES)?);
            }
            "status" => {
                c.status = Some(enumerated(&name, &value, STATUSES)?);
            }
            "id" => match mode {
                Mode::Create => return Err(Error::invalid(name, "is given by idbridge")),
                Mode::Update(id) if value.as_str() == Some(id) => {}
                Mode::Update(_) => {
                    return Err(Error::invalid(
                        name,
                        "must be the user's id: it cannot change",
                    ));
                }
            },
            // A user read with GET may be sent back whole; the server keeps these.
            "created_at" | "updated_at" => {
                if matches!(mode, Mode::Create) {
                    return Err(Error::invalid(name, "is set by idbridge"));
                }
            }
            _ => match FIELDS.iter().find(|(n, _)| *n == name) {
                Some((_, kind)) => {
                    let checked = if value.is_null() {
                        Value::Null
                    } else {
                        field(&name, *kind, &value)?
                    };
                    c.fields.insert(name, checked);
                }
                None => {
                    c.other.insert(name, value);
                }
            },
        }
    }
    Ok(c)
}

fn enumerated<T: serde::de::DeserializeOwned>(name: &str, value: &Value, all: &str) -> Result<T> {
    serde_json::from_value(value.clone())
        .map_err(|_| Error::invalid(name, format!("must be one of {all}")))
}

fn text<'v>(name: &str, value: &'v Value) -> Result<&'v str> {
    match value.as_str() {
        Some(s) if s.chars().count() <= TEXT_MAX && !s.chars().any(char::is_control) => Ok(s),
        Some(_) => Err(Error::invalid(
            name,
            format!("must be at most {TEXT_MAX} characters without control characters"),
        )),
        None => Err(Error::invalid(name, "must be a string")),
    }
}

/// One known field's value (not null), checked and in its stored form.
fn field(name: &str, kind: Kind, value: &Value) -> Result<Value> {
    let bad = |reason: &str| Error::invalid(name, reason);
    Ok(match kind {
        Kind::Text => Value::String(text(name, value)?.to_owned()),
        Kind::Date => {
            let s = value.as_str().unwrap_or_default();
            let date = (s.len() == 10)
                .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .flatten()
                .ok_or_else(|| bad("must be a date YYYY-MM-DD such as 1989-11-07"))?;
            if date > Utc::now().date_naive() {
                return Err(bad("must not be in the future"));
            }
            Value::String(s.to_owned())
        }
        Kind::Email => {
            let s = value.as_str().unwrap_or_default();
            if !is_email(s) {
                return Err(bad("must be an e-mail address such as bob@example.com"));
            }
            Value::String(s.to_owned())
        }
        Kind::Phone => {
            let s = value.as_str().unwrap_or_default();
            let digits = s.strip_prefix('+').unwrap_or(s);
            if !(6..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("must be 6 to 15 digits, optionally after +"));
            }
            Value::String(s.to_owned())
        }
        Kind::Country => {
            let code = CountryCode::new(value.as_str().unwrap_or_default())
                .map_err(|_| bad("must be an ISO 3166-1 alpha-3 code such as USA"))?;
            Value::String(code.as_str().to_owned())
        }
        Kind::Language => match value.as_str() {
            Some(s) if s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Value::String(s.to_ascii_uppercase())
            }
            _ => return Err(bad("must be an ISO 639-1 code such as EN")),
        },
        Kind::Code => match value.as_str() {
            Some(s)
                if (1..=50).contains(&s.len())
                    && s.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') =>
            {
                Value::String(s.to_owned())
            }
            _ => return Err(bad("must be a code of capitals, digits and _ such as MALE")),
        },
        Kind::Amount => match value {
            Value::Number(n) if n.as_f64().is_some_and(|f| f >= 0.0) => value.clone(),
            _ => return Err(bad("must be a number, at least 0")),
        },
        Kind::Address => address(name, value)?,
        Kind::UserRef => match value.as_str() {
            Some(s) if crate::model::check_external_id(s).is_ok() => Value::String(s.to_owned()),
            _ => return Err(bad("must be a user id")),
        },
    })
}

/// An address object: only its six fields, each checked (null ones left out).
fn address(name: &str, value: &Value) -> Result<Value> {
    let Value::Object(parts) = value else {
        return Err(Error::invalid(name, "must be an object"));
    };
    let mut out = Map::new();
    for (key, v) in parts {
        let path = format!("{name}.{key}");
        let Some((_, kind)) = ADDRESS_FIELDS.iter().find(|(n, _)| n == key) else {
            return Err(Error::invalid(
                path,
                "is not an address field (address_line1, address_line2, city, state, postal_code, country)",
            ));
        };
        if !v.is_null() {
            out.insert(key.clone(), field(&path, *kind, v)?);
        }
    }
    Ok(Value::Object(out))
}

/// A plausible address: `local@domain.tld`, no spaces, at most 254 characters.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && domain.contains('.')
        && !domain.contains('@')
        && !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
}

#[cfg(test)]
#[path = "user_fields_tests.rs"]
mod tests;
