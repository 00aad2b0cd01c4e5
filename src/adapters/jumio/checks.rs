//! Every check of an account create or update body, run before anything is written, so a
//! refused request leaves nothing behind: the fields and their bounds, the callback host, the
//! web channel's URLs, the consent's formats, the credentials asked for and those reused.

use crate::adapters::common::redact::without_input;
use uuid::Uuid;

use super::error::JumioError;
use super::mapping;
use super::wire::{AccountRequest, Category, UserConsent, WebSettings};
use crate::error::Error;
use crate::model::{Subject, TenantId};
use crate::state::AppState;

/// Reads the body: a JSON object, each field checked by type (a field no table names is
/// refused, naming it).
pub(super) fn parse(bytes: &[u8]) -> Result<AccountRequest, JumioError> {
    if !crate::adapters::common::is_json_object(bytes) {
        return Err(JumioError::Body(
            crate::adapters::common::NOT_AN_OBJECT.into(),
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            JumioError::Body(format!(
                "invalid JSON body: {}",
                without_input(&e.inner().to_string())
            ))
        } else {
            Error::invalid(path, without_input(&e.inner().to_string())).into()
        }
    })
}

/// Checks a callback URL: http(s), at most 255 characters, to an allowed host.
pub(super) fn callback(state: &AppState, url: Option<&str>) -> Result<Option<String>, Error> {
    let Some(url) = url else { return Ok(None) };
    if url.chars().count() > 255 {
        return Err(Error::invalid(
            "callbackUrl",
            "must be at most 255 characters",
        ));
    }
    let parsed =
        reqwest::Url::parse(url).map_err(|_| Error::invalid("callbackUrl", "is not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid("callbackUrl", "must be http or https"));
    }
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']']);
    let allowed = &state.config.adapters.jumio.callback_hosts;
    if !allowed.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Err(Error::invalid(
            "callbackUrl",
            "its host is not one idbridge is configured to call (adapters.jumio.callback_hosts)",
        ));
    }
    Ok(Some(url.to_owned()))
}

/// Every check of a request, run before anything is written.
pub(super) fn check_request(state: &AppState, req: &AccountRequest) -> Result<(), JumioError> {
    mapping::customer_reference(&req.customer_internal_reference)?;
    requested(req)?;
    mapping::token_lifetime(req.token_lifetime.as_deref())?;
    callback(state, req.callback_url.as_deref())?;
    for (name, value, max) in [
        ("userReference", &req.user_reference, 100),
        ("reportingCriteria", &req.reporting_criteria, 255),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            return Err(Error::invalid(name, format!("must be at most {max} characters")).into());
        }
    }
    if let Some(web) = &req.web {
        check_web(web)?;
    }
    if let Some(consent) = &req.user_consent {
        check_consent(consent)?;
    }
    Ok(())
}

/// Checks `web`: the success and error URLs are absolute http(s) URLs of at most 255
/// characters (the browser is sent there), the locale at most 5 characters shaped as the
/// guide's (`en`, `en-GB`).
fn check_web(web: &WebSettings) -> Result<(), Error> {
    for (name, url) in [
        ("web.successUrl", &web.success_url),
        ("web.errorUrl", &web.error_url),
    ] {
        let Some(url) = url else { continue };
        if url.chars().count() > 255 {
            return Err(Error::invalid(name, "must be at most 255 characters"));
        }
        let parsed = reqwest::Url::parse(url).map_err(|_| Error::invalid(name, "is not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(Error::invalid(name, "must be an http or https URL"));
        }
    }
    if let Some(locale) = &web.locale {
        let b = locale.as_bytes();
        let language = b.len() >= 2 && b[..2].iter().all(u8::is_ascii_lowercase);
        let shaped = match b.len() {
            2 => language,
            5 => language && b[2] == b'-' && b[3..].iter().all(u8::is_ascii_uppercase),
            _ => false,
        };
        if !shaped {
            return Err(Error::invalid(
                "web.locale",
                "must be a language code, alone or with a country (e.g. en, en-GB)",
            ));
        }
    }
    Ok(())
}

/// Checks `userConsent`'s formats: an IP address, an alpha-3 country, a state of at most
/// 100 characters, a timestamp. The values are kept as sent and not acted on.
fn check_consent(consent: &UserConsent) -> Result<(), Error> {
    if let Some(ip) = &consent.user_ip
        && ip.parse::<std::net::IpAddr>().is_err()
    {
        return Err(Error::invalid(
            "userConsent.userIp",
            "must be an IPv4 or IPv6 address",
        ));
    }
    if let Some(location) = &consent.user_location {
        if let Some(c) = &location.country
            && mapping::country(c).is_none()
        {
            return Err(Error::invalid(
                "userConsent.userLocation.country",
                "must be an ISO 3166-1 alpha-3 country code",
            ));
        }
        if location
            .state
            .as_ref()
            .is_some_and(|s| s.chars().count() > 100)
        {
            return Err(Error::invalid(
                "userConsent.userLocation.state",
                "must be at most 100 characters",
            ));
        }
    }
    if let Some(at) = consent
        .consent
        .as_ref()
        .and_then(|c| c.obtained_at.as_ref())
        && chrono::DateTime::parse_from_rfc3339(at).is_err()
    {
        return Err(Error::invalid(
            "userConsent.consent.obtainedAt",
            "must be a UTC timestamp, YYYY-MM-DDThh:mm:ss.SSSZ",
        ));
    }
    Ok(())
}

/// Checks the credentials a request references by id: each must be a document of this
/// account (a new account has none), of a category that holds one.
pub(super) async fn check_references(
    state: &AppState,
    tenant: &TenantId,
    subject: Option<&Subject>,
    req: &AccountRequest,
) -> Result<(), JumioError> {
    let list = req
        .workflow_definition
        .credentials
        .as_deref()
        .unwrap_or(&[]);
    for (i, c) in list.iter().enumerate() {
        let Some(id) = c.id else { continue };
        let field = format!("workflowDefinition.credentials[{i}].id");
        if !matches!(
            c.category,
            Category::Id | Category::Selfie | Category::Document
        ) {
            return Err(Error::invalid(
                field,
                format!(
                    "a {} credential cannot be referenced; only ID, SELFIE and DOCUMENT",
                    c.category.wire_name()
                ),
            )
            .into());
        }
        // A new account has no documents; another account's reads as none.
        let found = match subject {
            Some(s) => state.store.document_of(tenant, s.id, id).await,
            None => Err(Error::NotFound("document")),
        };
        let found = match found {
            Ok(d) => d,
            Err(Error::NotFound(_)) => {
                return Err(Error::invalid(field, "is not a credential of this account").into());
            }
            Err(e) => return Err(e.into()),
        };
        // The reused document is judged as a credential of the category named: a bank
        // statement is no ID, a passport no selfie.
        if !mapping::fits(c.category, found.kind) {
            return Err(Error::invalid(
                format!("workflowDefinition.credentials[{i}].category"),
                format!(
                    "the credential {id} is a {} document, not a {} credential",
                    serde_json::to_value(found.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    c.category.wire_name()
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// A credential asked for: its category, its ID types, the existing credential it reuses.
pub(super) type Requested = (Category, Vec<String>, Option<Uuid>);

/// The credentials a request asks for, each with the existing credential it reuses if it
/// names one: its own list when it gives one (which replaces the workflow's set), else its
/// workflow's set. The key must be one Jumio describes either way; types and countries are
/// checked.
pub(super) fn requested(req: &AccountRequest) -> Result<Vec<Requested>, Error> {
    let set = mapping::workflow(req.workflow_definition.key).ok_or_else(|| {
        Error::invalid(
            "workflowDefinition.key",
            "is not a workflow Jumio describes",
        )
    })?;
    let given = req
        .workflow_definition
        .credentials
        .as_deref()
        .unwrap_or(&[]);
    if given.len() > 10 {
        return Err(Error::invalid(
            "workflowDefinition.credentials",
            "at most 10 credentials",
        ));
    }
    for (i, c) in given.iter().enumerate() {
        let at = |what: &str| format!("workflowDefinition.credentials[{i}].{what}");
        let types = c.kind.as_ref().map_or(&[][..], |k| &k.values[..]);
        let allowed: &[&str] = match c.category {
            Category::Id => &["ID_CARD", "DRIVING_LICENSE", "PASSPORT", "VISA"],
            Category::Facemap => &["IPROOV_STANDARD", "IPROOV_PREMIUM", "JUMIO_STANDARD"],
            // DOCUMENT type codes (BS, UB, CC…) are not all published: kept as sent.
            Category::Document | Category::Selfie | Category::Data => &[],
        };
        if let Some(bad) = types.iter().find(|t| match c.category {
            Category::Document => t.is_empty() || t.chars().count() > 32,
            _ => !allowed.contains(&t.as_str()),
        }) {
            let reason = if c.category == Category::Document {
                format!("{bad:?} is not a document type code")
            } else if allowed.is_empty() {
                format!("a {} credential takes no type", c.category.wire_name())
            } else {
                format!("{bad:?} is not {}", allowed.join(", "))
            };
            return Err(Error::invalid(at("type.values"), reason));
        }
        let countries = c.country.as_ref().map_or(&[][..], |k| &k.values[..]);
        if let Some(bad) = countries.iter().find(|v| mapping::country(v).is_none()) {
            return Err(Error::invalid(
                at("country.values"),
                format!("{bad:?} is not an ISO 3166-1 alpha-3 country code"),
            ));
        }
    }
    Ok(if given.is_empty() {
        set.iter().map(|c| (*c, Vec::new(), None)).collect()
    } else {
        given
            .iter()
            .map(|c| {
                let types = c
                    .kind
                    .as_ref()
                    .map(|k| k.values.clone())
                    .unwrap_or_default();
                (c.category, types, c.id)
            })
            .collect()
    })
}
