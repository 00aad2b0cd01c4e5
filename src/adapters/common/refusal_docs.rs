//! The OpenAPI entries of refusals many operations of one API share, written once per API
//! as data (status, description) instead of once per operation. Each API names its own
//! error-body schema, so the entries stay in that vendor's shape.

use std::collections::BTreeMap;

use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

/// Responses with a JSON body of the schema named `schema`, by status and description:
/// the same entries as `(status = …, description = …, body = <schema>)` in a path.
pub fn refusals(schema: &str, all: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
    all.iter()
        .map(|(status, description)| {
            let body = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(schema)))
                .build();
            let response = ResponseBuilder::new()
                .description(*description)
                .content("application/json", body)
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

/// Declares unit types whose OpenAPI responses are fixed refusals in one schema, each made
/// of slices of `(status, description)` an API writes once:
/// `refusal_set!("ErrorBody"; /// doc
/// Name = [KEY, MALFORMED_ID], …);`.
#[macro_export]
macro_rules! refusal_set {
    ($schema:literal; $($(#[$doc:meta])* $name:ident = [$($part:expr),+ $(,)?]),+ $(,)?) => {
        $(
            $(#[$doc])*
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> std::collections::BTreeMap<
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::Response>,
                > {
                    let parts: &[&[(u16, &str)]] = &[$($part),+];
                    $crate::adapters::common::refusal_docs::refusals($schema, &parts.concat())
                }
            }
        )+
    };
}
