//! Reading and validating a create request: JSON errors name the member at fault (a dotted
//! path), then every field is checked and the two forms of the actor are merged.

use super::duration;
use super::error::MasstackError;
use super::wire::{
    ConfigurationName, CreateIdentityDocumentIdentificationRequest, DocumentType, IdentityDocument,
    Msisdn, ScoringProvider,
};
use crate::error::Error;
use crate::model::CountryCode;
use crate::store::number_key;

/// `expires_in` when the request has none.
pub const DEFAULT_EXPIRES_IN: &str = "P30D";
/// The longest `expires_in`, in seconds (30 days).
pub const MAX_EXPIRES_IN_SECS: u64 = 30 * 86_400;
/// `configuration_name` when the request has none.
pub const DEFAULT_CONFIGURATION: ConfigurationName = ConfigurationName::Medium;
/// The longest name, last name or e-mail address accepted, in characters.
const MAX_TEXT: usize = 100;

/// The identity document of a valid request.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentInput {
    /// The number, upper case, without spaces or hyphens.
    pub number: String,
    /// The type as given.
    pub document_type: DocumentType,
    /// The issuing country (`ES` for NIF and NIE even when not given).
    pub country: Option<CountryCode>,
}

/// A create request that passed validation.
#[derive(Clone, Debug)]
pub struct Valid {
    /// Given name.
    pub name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Phone number (country code without `+`).
    pub msisdn: Option<Msisdn>,
    /// Language, upper case.
    pub language: Option<String>,
    /// The identity document.
    pub document: DocumentInput,
    /// The strength asked for.
    pub configuration: ConfigurationName,
    /// `expires_in` as given (or the default).
    pub expires_in: String,
    /// The same, in seconds.
    pub expires_in_secs: u64,
    /// The scoring provider.
    pub provider: ScoringProvider,
}

/// Parses the body. Malformed JSON is a 400 without a field; a member of the wrong type, an
/// unknown value or an unknown member is a 400 naming it.
pub fn parse(bytes: &[u8]) -> Result<CreateIdentityDocumentIdentificationRequest, MasstackError> {
    if !crate::adapters::common::is_json_object(bytes) {
        return Err(MasstackError::Body {
            field: None,
            message: crate::adapters::common::NOT_AN_OBJECT.into(),
        });
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed: CreateIdentityDocumentIdentificationRequest =
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = without_position(&crate::adapters::common::redact::without_input(
                &inner.to_string(),
            ));
            if inner.is_data() {
                MasstackError::Body {
                    field: field_of(&path, &message),
                    message,
                }
            } else {
                not_json(&message)
            }
        })?;
    // Anything after the object (a second value, stray text) makes the body malformed.
    de.end()
        .map_err(|e| not_json(&without_position(&e.to_string())))?;
    Ok(parsed)
}

fn not_json(message: &str) -> MasstackError {
    MasstackError::Body {
        field: None,
        message: format!("the body is not valid JSON: {message}"),
    }
}

/// serde_json appends "at line 1 column 7"; the field name says more.
fn without_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// The dotted path of the member an error is about: for unknown and missing members the
/// member itself, else where the error happened; `None` for the body as a whole.
fn field_of(path: &str, message: &str) -> Option<String> {
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|p| message.strip_prefix(p))
        .and_then(|rest| rest.split('`').next());
    let base = if path == "." { "" } else { path };
    match named {
        // For an unknown member the path may already end in its name.
        Some(n) if base == n || base.ends_with(&format!(".{n}")) => Some(base.to_owned()),
        Some(n) if base.is_empty() => Some(n.to_owned()),
        Some(n) => Some(format!("{base}.{n}")),
        None if base.is_empty() => None,
        None => Some(base.to_owned()),
    }
}

/// Takes a value given either flat or inside `actor`: both may be given only if equal.
fn one_of<T: PartialEq>(
    flat: Option<T>,
    in_actor: Option<T>,
    name: &str,
) -> Result<Option<(T, String)>, Error> {
    match (flat, in_actor) {
        (Some(a), Some(b)) if a != b => Err(Error::invalid(
            name,
            format!("differs from actor.{name}; give it once"),
        )),
        (Some(a), _) => Ok(Some((a, name.to_owned()))),
        (None, Some(b)) => Ok(Some((b, format!("actor.{name}")))),
        (None, None) => Ok(None),
    }
}

fn text(value: Option<(String, String)>) -> Result<Option<String>, Error> {
    let Some((v, field)) = value else {
        return Ok(None);
    };
    let v = v.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, "must not be blank"));
    }
    if v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("must be at most {MAX_TEXT} characters without control characters"),
        ));
    }
    Ok(Some(v.to_owned()))
}

fn email(value: Option<String>) -> Result<Option<String>, Error> {
    let Some(v) = value else { return Ok(None) };
    let v = v.trim();
    let well_formed = v.len() <= 254
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !well_formed {
        return Err(Error::invalid(
            "actor.email",
            "must be an e-mail address such as example@email.com",
        ));
    }
    Ok(Some(v.to_owned()))
}

fn msisdn(value: Option<Msisdn>) -> Result<Option<Msisdn>, Error> {
    let Some(m) = value else { return Ok(None) };
    if !(1_000..=999_999_999_999_999).contains(&m.phone_number) {
        return Err(Error::invalid(
            "actor.msisdn.phone_number",
            "must be a number of 4 to 15 digits",
        ));
    }
    let code = m.country_code.trim();
    let code = code.strip_prefix('+').unwrap_or(code);
    if code.is_empty()
        || code.len() > 3
        || !code.bytes().all(|b| b.is_ascii_digit())
        || code.starts_with('0')
    {
        return Err(Error::invalid(
            "actor.msisdn.country_code",
            "must be a country calling code of 1 to 3 digits such as 34",
        ));
    }
    Ok(Some(Msisdn {
        phone_number: m.phone_number,
        country_code: code.to_owned(),
    }))
}

fn language(value: Option<String>) -> Result<Option<String>, Error> {
    let Some(v) = value else { return Ok(None) };
    let v = v.trim();
    if v.len() != 2 || !v.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Error::invalid(
            "actor.language",
            "must be a two-letter ISO 639-1 code such as ES",
        ));
    }
    Ok(Some(v.to_ascii_uppercase()))
}

/// Checks an identity document given at `field` (`identity_document` or
/// `actor.identity_document`).
pub fn document(doc: IdentityDocument, field: &str) -> Result<DocumentInput, Error> {
    let raw = doc.document_number.trim();
    let number_field = format!("{field}.document_number");
    if raw.is_empty() {
        return Err(Error::invalid(number_field, "is required"));
    }
    if raw.chars().count() > 64
        || !raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(Error::invalid(
            number_field,
            "must be at most 64 letters and digits (spaces and hyphens are ignored)",
        ));
    }
    let number = number_key(raw);
    if number.is_empty() {
        return Err(Error::invalid(number_field, "is required"));
    }
    let country_field = format!("{field}.country");
    let country =
        match doc.country.as_deref().map(str::trim) {
            Some(c) if c.len() == 2 => Some(CountryCode::from_alpha2(c).map_err(|_| {
                Error::invalid(&country_field, "must be an ISO 3166-1 alpha-2 code")
            })?),
            Some(_) => {
                return Err(Error::invalid(
                    country_field,
                    "must be an ISO 3166-1 alpha-2 code such as ES",
                ));
            }
            None => None,
        };
    let spanish = matches!(doc.document_type, DocumentType::Nif | DocumentType::Nie);
    let country = match country {
        Some(c) if spanish && c.alpha2() != Some("ES") => {
            return Err(Error::invalid(
                country_field,
                "must be ES for a NIF or NIE (they are Spanish numbers)",
            ));
        }
        None if spanish => CountryCode::from_alpha2("ES").ok(),
        other => other,
    };
    Ok(DocumentInput {
        number,
        document_type: doc.document_type,
        country,
    })
}

/// Checks every field and merges the flat and the `actor` forms.
pub fn validate(req: CreateIdentityDocumentIdentificationRequest) -> Result<Valid, Error> {
    let actor = req.actor.unwrap_or_default();
    let name = text(one_of(req.name, actor.name, "name")?)?;
    let last_name = text(one_of(req.last_name, actor.last_name, "last_name")?)?;
    let document = match one_of(
        req.identity_document,
        actor.identity_document,
        "identity_document",
    )? {
        Some((doc, field)) => document(doc, &field)?,
        None => {
            return Err(Error::invalid(
                "identity_document",
                "is required (or actor.identity_document)",
            ));
        }
    };
    let (expires_in, expires_in_secs) = match req.expires_in {
        Some(text) => {
            let secs = duration::parse_seconds(text.trim())
                .map_err(|reason| Error::invalid("expires_in", reason))?;
            if secs == 0 {
                return Err(Error::invalid("expires_in", "must be longer than zero"));
            }
            if secs > MAX_EXPIRES_IN_SECS {
                return Err(Error::invalid(
                    "expires_in",
                    "must be at most 30 days (P30D)",
                ));
            }
            (text.trim().to_owned(), secs)
        }
        None => (DEFAULT_EXPIRES_IN.to_owned(), MAX_EXPIRES_IN_SECS),
    };
    Ok(Valid {
        name,
        last_name,
        email: email(actor.email)?,
        msisdn: msisdn(actor.msisdn)?,
        language: language(actor.language)?,
        document,
        configuration: req.configuration_name.unwrap_or(DEFAULT_CONFIGURATION),
        expires_in,
        expires_in_secs,
        provider: req
            .scoring
            .and_then(|s| s.provider)
            .unwrap_or(ScoringProvider::Internal),
    })
}

#[cfg(test)]
mod tests;
