//! The security schemes an adapter's OpenAPI document declares, written as data: each
//! adapter lists its schemes (`modifiers(&SECURITY)`) instead of hand-building components.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

/// One way a caller authenticates.
pub enum Scheme {
    /// `Authorization: Bearer <token>`, with the token's format when it has a named one.
    Bearer {
        /// The token's format (e.g. `JWT`), if it has a named one.
        format: Option<&'static str>,
        /// Where the token comes from.
        description: &'static str,
    },
    /// `Authorization: Basic`, described.
    Basic(&'static str),
    /// An API key in the named header.
    HeaderKey(&'static str),
    /// An API key in the named query parameter.
    QueryKey(&'static str),
}

impl Scheme {
    fn to_openapi(&self) -> SecurityScheme {
        let http = |scheme: HttpAuthScheme, format: Option<&str>, description: &str| {
            let b = HttpBuilder::new()
                .scheme(scheme)
                .description(Some(description.to_owned()));
            SecurityScheme::Http(
                match format {
                    Some(f) => b.bearer_format(f),
                    None => b,
                }
                .build(),
            )
        };
        match self {
            Scheme::Bearer {
                format,
                description,
            } => http(HttpAuthScheme::Bearer, *format, description),
            Scheme::Basic(description) => http(HttpAuthScheme::Basic, None, description),
            Scheme::HeaderKey(name) => {
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(*name)))
            }
            Scheme::QueryKey(name) => {
                SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::new(*name)))
            }
        }
    }
}

/// An adapter's security schemes by the name its operations' `security(...)` use.
pub struct Security(pub &'static [(&'static str, Scheme)]);

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, scheme) in self.0 {
            components.add_security_scheme(*name, scheme.to_openapi());
        }
    }
}
