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

/// What the 503 every operation may answer says.
const UNAVAILABLE: &str = "An engine this operation needs (the metadata database or the blob \
store) is unavailable; nothing was stored. Retry after `Retry-After` seconds.";

/// What the 408 every operation may answer says.
const TIMED_OUT: &str = "The request was not received and answered within the server's \
request timeout (a body that trickled in, say); nothing was stored.";

/// Declares on every operation of `doc` the refusals any operation may meet, in the schema
/// named `schema`: the 503 of an engine outage (the core's `Unavailable`, with its
/// `Retry-After` header) and the 408 of the request timeout. Each is written once, as a
/// component (`Unavailable`, `RequestTimeout`), and every operation refers to it.
pub fn declare_everywhere(doc: &mut utoipa::openapi::OpenApi, schema: &str) {
    declare(doc, schema, "Unavailable", 503, UNAVAILABLE, true);
    declare(doc, schema, "RequestTimeout", 408, TIMED_OUT, false);
}

/// Declares the response `name` (`status`, `description`) as a component of `doc` and on
/// every operation that does not declare that status itself.
fn declare(
    doc: &mut utoipa::openapi::OpenApi,
    schema: &str,
    name: &str,
    status: u16,
    description: &str,
    retry_after: bool,
) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let Some((status, RefOr::T(mut response))) =
        refusals(schema, &[(status, description)]).pop_first()
    else {
        return;
    };
    if retry_after {
        let seconds = HeaderBuilder::new()
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            ))
            .description(Some("Seconds to wait before retrying"))
            .build();
        response
            .headers
            .insert("Retry-After".into(), RefOr::T(seconds));
    }
    doc.components
        .get_or_insert_with(Default::default)
        .responses
        .insert(name.into(), RefOr::T(response));
    let reference = Ref::new(format!("#/components/responses/{name}"));
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in operations.into_iter().flatten() {
            op.responses
                .responses
                .entry(status.clone())
                .or_insert_with(|| RefOr::Ref(reference.clone()));
        }
    }
}
