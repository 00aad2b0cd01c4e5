//! A user's lifecycle rules: a new user from a checked `POST` body, the user after a checked
//! `PUT` body (the status transitions allowed, the type fixed, `TERMINATED` final), and the
//! names each user type needs. Pure: the handlers in `users` do the I/O.

use serde_json::{Map, Value};

use super::user_fields::{Checked, TYPES, label};
use super::wire::{UserFields, UserRecord, UserStatus, UserType};
use crate::error::{Error, Result};

/// The typed fields from checked values (nulls are absent).
fn typed(fields: Map<String, Value>) -> Result<UserFields> {
    let set = fields.into_iter().filter(|(_, v)| !v.is_null()).collect();
    serde_json::from_value(Value::Object(set)).map_err(Error::internal)
}

/// A new user from a checked `POST` body: `PENDINGKYC`, created and updated `now`.
pub fn new_record(c: Checked, now: &str) -> Result<UserRecord> {
    let user_type = c
        .user_type
        .ok_or_else(|| Error::invalid("user_type", format!("is required: one of {TYPES}")))?;
    if c.status.is_some_and(|s| s != UserStatus::Pendingkyc) {
        return Err(Error::invalid(
            "status",
            "a new user is PENDINGKYC; change it with PUT /users/{user_id}",
        ));
    }
    let record = UserRecord {
        user_type,
        status: UserStatus::Pendingkyc,
        fields: typed(c.fields)?,
        created_at: now.to_owned(),
        updated_at: now.to_owned(),
        other: c.other.into_iter().filter(|(_, v)| !v.is_null()).collect(),
    };
    named(&record)?;
    Ok(record)
}

/// The user after a checked `PUT` body: fields sent replace the stored ones (`null` clears),
/// the status moves only along [`allowed`], the type never changes, and a `TERMINATED` user
/// takes no change at all. `updated_at` moves only when something changed.
pub fn apply(current: UserRecord, c: Checked, now: &str) -> Result<UserRecord> {
    if current.status == UserStatus::Terminated {
        return Err(Error::Conflict(
            "the user is TERMINATED: it takes no change any more".into(),
        ));
    }
    if c.user_type.is_some_and(|t| t != current.user_type) {
        return Err(Error::invalid(
            "user_type",
            format!(
                "cannot change: the user is {} for good",
                label(current.user_type)
            ),
        ));
    }
    let status = match c.status {
        Some(to) if !allowed(current.status, to) => {
            return Err(Error::invalid(
                "status",
                format!("cannot go from {} to {}", label(current.status), label(to)),
            ));
        }
        Some(to) => to,
        None => current.status,
    };
    let mut fields = match serde_json::to_value(&current.fields).map_err(Error::internal)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    fields.extend(c.fields);
    let mut other = current.other.clone();
    for (k, v) in c.other {
        if v.is_null() {
            other.remove(&k);
        } else {
            other.insert(k, v);
        }
    }
    let mut next = UserRecord {
        user_type: current.user_type,
        status,
        fields: typed(fields)?,
        created_at: current.created_at.clone(),
        updated_at: current.updated_at.clone(),
        other,
    };
    if next != current {
        next.updated_at = now.to_owned();
    }
    named(&next)?;
    Ok(next)
}

/// Whether `PUT` may move a user from one status to another. KYC is NymCard's
/// (`POST /users/{id}/kyc`, not served), so the client says when it passed: `PENDINGKYC` →
/// `ACTIVE`. `ACTIVE` ↔ `SUSPENDED`; any but `TERMINATED` → `TERMINATED`, which is final;
/// nothing goes back to `PENDINGKYC`. Staying is always allowed.
pub fn allowed(from: UserStatus, to: UserStatus) -> bool {
    use UserStatus::{Active, Pendingkyc, Suspended, Terminated};
    from == to
        || matches!(
            (from, to),
            (Pendingkyc, Active)
                | (Pendingkyc, Terminated)
                | (Active, Suspended)
                | (Active, Terminated)
                | (Suspended, Active)
                | (Suspended, Terminated)
        )
}

fn filled(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// The name each type needs: a person (`INDIVIDUAL`, as NymCard's page says, and the person
/// sub-users) its `first_name`; a business its `company_name` or `first_name`.
fn named(r: &UserRecord) -> Result<()> {
    let f = &r.fields;
    match r.user_type {
        UserType::Individual | UserType::Director | UserType::Signature | UserType::Shareholder => {
            if !filled(&f.first_name) {
                return Err(Error::invalid(
                    "first_name",
                    format!("is required for a {} user", label(r.user_type)),
                ));
            }
        }
        UserType::Business | UserType::ShareholderBusiness => {
            if !filled(&f.company_name) && !filled(&f.first_name) {
                return Err(Error::invalid(
                    "company_name",
                    format!(
                        "is required for a {} user (or first_name)",
                        label(r.user_type)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The text a subject search matches: the user's names.
pub fn search_text(r: &UserRecord) -> String {
    let f = &r.fields;
    [
        &f.first_name,
        &f.middle_name,
        &f.last_name,
        &f.native_name,
        &f.company_name,
    ]
    .into_iter()
    .flatten()
    .map(String::as_str)
    .collect::<Vec<_>>()
    .join(" ")
}
