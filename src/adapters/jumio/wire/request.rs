//! The body of account create and update: every field of the request tables of Jumio's API
//! guides (api_guide.md and api-guide-kyx.md, "Request Body" and its sub-tables
//! `workflowDefinition.credentials`, `workflowDefinition.capabilities`, `userConsent`, and
//! `web`). Every object refuses a field no table names (400 naming it): a misspelt field
//! silently ignored would change what is collected.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use uuid::Uuid;

use super::Category;

/// `DEFINED` (the end user cannot change it) or `RECOMMENDED` (preselected).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PredefinedType {
    /// The end user cannot change it.
    Defined,
    /// Preselected; the end user may change it.
    Recommended,
}

/// A country or type restriction of a requested credential.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Predefined {
    /// `DEFINED` or `RECOMMENDED`.
    pub predefined_type: Option<PredefinedType>,
    /// The allowed values.
    #[serde(default)]
    pub values: Vec<String>,
}

/// A credential requested in `workflowDefinition.credentials`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestedCredential {
    /// An existing credential of the account to use again (workflow 5's ID "already on
    /// file"); it gets no API channel.
    pub id: Option<Uuid>,
    /// Its category.
    pub category: Category,
    /// Countries allowed (ISO 3166-1 alpha-3).
    pub country: Option<Predefined>,
    /// Document types allowed (`ID_CARD`, `DRIVING_LICENSE`, `PASSPORT`, `VISA` for ID).
    #[serde(rename = "type")]
    pub kind: Option<Predefined>,
}

/// `workflowDefinition.capabilities.watchlistScreening`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WatchlistSettings {
    /// Request options for the screening, kept as sent.
    pub additional_properties: Option<String>,
}

/// `workflowDefinition.capabilities`: settings of capabilities the workflow runs.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CapabilitySettings {
    /// Watchlist screening: kept; idbridge does not screen, so processing reports it
    /// `NOT_EXECUTED`.
    pub watchlist_screening: Option<WatchlistSettings>,
}

/// `workflowDefinition`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkflowDefinition {
    /// The workflow's key.
    pub key: u32,
    /// The credentials to collect; default: the workflow's own set.
    pub credentials: Option<Vec<RequestedCredential>>,
    /// Capability settings, kept as sent.
    pub capabilities: Option<CapabilitySettings>,
}

/// `web`: settings of the web channel.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebSettings {
    /// Where the browser is sent after a successful web journey (http or https, at most 255
    /// characters), with the guide's query parameters appended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success_url: Option<String>,
    /// Where the browser is sent after a failed web journey, with `errorCode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_url: Option<String>,
    /// The page's language (at most 5 characters, e.g. `en-GB`): kept and passed on in
    /// `web.href`; idbridge's page is in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// `userConsent.userLocation`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserLocation {
    /// ISO 3166-1 alpha-3.
    pub country: Option<String>,
    /// The state (at most 100 characters).
    pub state: Option<String>,
}

/// `userConsent.consent.obtained`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Obtained {
    /// The end user gave consent.
    Yes,
    /// The end user did not.
    No,
    /// Not applicable.
    Na,
}

/// `userConsent.consent`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Consent {
    /// `yes`, `no` or `na`.
    pub obtained: Option<Obtained>,
    /// When it was obtained (UTC, `YYYY-MM-DDThh:mm:ss.SSSZ`).
    pub obtained_at: Option<String>,
}

/// `userConsent`: kept as sent. Jumio's guide: "Until further notice Jumio will not perform
/// any treatment based on the consent parameters"; neither does idbridge.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserConsent {
    /// The end user's IP address.
    pub user_ip: Option<String>,
    /// Where the end user is.
    pub user_location: Option<UserLocation>,
    /// Whether and when consent was obtained.
    pub consent: Option<Consent>,
}

/// Body of `POST /api/v1/accounts` and `PUT /api/v1/accounts/{accountId}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"customerInternalReference": "CUSTOMER_REFERENCE", "workflowDefinition": {"key": 2}, "userReference": "YOUR_USER_REFERENCE", "tokenLifetime": "30m"}))]
pub struct AccountRequest {
    /// Your reference for the transaction: required, at most 100 characters, none of
    /// `< > " / ; ` % { } |` and no personal data. A number is read as its decimal text
    /// (the guide types it as a string; production clients send numbers).
    #[serde(deserialize_with = "text_or_number")]
    #[schema(schema_with = text_or_number_schema)]
    pub customer_internal_reference: String,
    /// The workflow to run.
    pub workflow_definition: WorkflowDefinition,
    /// Your reference for the user (at most 100 characters).
    pub user_reference: Option<String>,
    /// Kept and echoed (at most 255 characters).
    pub reporting_criteria: Option<String>,
    /// Where the result is POSTed (at most 255 characters; host must be allowed).
    pub callback_url: Option<String>,
    /// How long the tokens live: `<n>s|m|h|d`, 5m to 60d, default 30m.
    pub token_lifetime: Option<String>,
    /// Web channel settings: where the browser goes at the end of the web journey.
    pub web: Option<WebSettings>,
    /// Consent details: kept as sent.
    pub user_consent: Option<UserConsent>,
}

/// A string, or a JSON number read as its decimal text.
fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(Visitor)
}

/// The schema of `customerInternalReference`: a string, or a number.
fn text_or_number_schema() -> Schema {
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(100)),
        )
        .item(ObjectBuilder::new().schema_type(Type::Number))
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(body: serde_json::Value) -> Result<String, serde_json::Error> {
        let mut body = body;
        body["workflowDefinition"] = serde_json::json!({"key": 2});
        serde_json::from_value::<AccountRequest>(body).map(|r| r.customer_internal_reference)
    }

    #[test]
    fn a_numeric_reference_is_read_as_its_text() {
        let of =
            |v: serde_json::Value| reference(serde_json::json!({"customerInternalReference": v}));
        assert_eq!(of("R-1".into()).unwrap(), "R-1");
        assert_eq!(of(123456789.into()).unwrap(), "123456789");
        assert_eq!(of((-42).into()).unwrap(), "-42");
        assert_eq!(of(serde_json::json!(12.5)).unwrap(), "12.5");
        for bad in [
            serde_json::json!(true),
            serde_json::json!(null),
            serde_json::json!({}),
        ] {
            assert!(of(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_object_refuses_fields_no_table_names() {
        for (patch, _) in [
            (
                serde_json::json!({"web": {"successUrl": "https://a.example/", "colour": "red"}}),
                "web",
            ),
            (
                serde_json::json!({"userConsent": {"userIp": "1.2.3.4", "ip": "x"}}),
                "userConsent",
            ),
            (
                serde_json::json!({"userConsent": {"consent": {"given": true}}}),
                "consent",
            ),
        ] {
            let mut body = serde_json::json!({"customerInternalReference": "R", "workflowDefinition": {"key": 2}});
            for (k, v) in patch.as_object().unwrap() {
                body[k] = v.clone();
            }
            assert!(
                serde_json::from_value::<AccountRequest>(body).is_err(),
                "{patch}"
            );
        }
        let capabilities = serde_json::json!({"customerInternalReference": "R", "workflowDefinition": {"key": 2, "capabilities": {"liveness": {}}}});
        assert!(serde_json::from_value::<AccountRequest>(capabilities).is_err());
    }
}
