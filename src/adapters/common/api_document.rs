//! An adapter's OpenAPI document described once, as data: title, version, description,
//! tags and security schemes. [`ApiDocument::openapi`] builds the document the routes are
//! then registered on, as `#[derive(OpenApi)]` did for each adapter.

use utoipa::Modify;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::ObjectBuilder;
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{InfoBuilder, LicenseBuilder, OpenApi, OpenApiBuilder, Required};

use super::security::Security;

/// What an adapter says about its API in its OpenAPI document.
pub struct ApiDocument {
    /// `info.title`.
    pub title: &'static str,
    /// `info.version`: the vendor API's version, not idbridge's.
    pub version: &'static str,
    /// `info.description`.
    pub description: &'static str,
    /// The tags its operations use, by name with their description, in document order.
    pub tags: &'static [(&'static str, &'static str)],
    /// Its security schemes.
    pub security: Security,
}

impl ApiDocument {
    /// The document without paths: info (with idbridge's licence, as the derive gave it),
    /// tags and security schemes.
    pub fn openapi(&self) -> OpenApi {
        let license = LicenseBuilder::new()
            .name(env!("CARGO_PKG_LICENSE"))
            .identifier(Some(env!("CARGO_PKG_LICENSE")))
            .build();
        let info = InfoBuilder::new()
            .title(self.title)
            .version(self.version)
            .description(Some(self.description))
            .license(Some(license))
            .build();
        let tags = self.tags.iter().map(|(name, description)| {
            TagBuilder::new()
                .name(*name)
                .description(Some(*description))
                .build()
        });
        let mut openapi = OpenApiBuilder::new()
            .info(info)
            .tags(Some(tags.collect::<Vec<_>>()))
            .build();
        self.security.modify(&mut openapi);
        openapi
    }
}

/// A parameter an extractor documents by hand in its `IntoParams` (a header, or path and query
/// parameters read from a list): `name` in `at`, its description, whether it is required,
/// and its schema.
pub fn parameter(
    name: &str,
    at: ParameterIn,
    description: &str,
    required: Required,
    schema: ObjectBuilder,
) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .description(Some(description))
        .required(required)
        .schema(Some(schema))
        .build()
}
