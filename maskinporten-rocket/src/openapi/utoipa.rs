//! [`Security`] as a utoipa [`Modify`](::utoipa::Modify).

use ::utoipa::openapi::extensions::Extensions;
use ::utoipa::openapi::path::{Operation, PathItem};
use ::utoipa::openapi::schema::{Object, Type};
use ::utoipa::openapi::security::{
    ClientCredentials, Flow, OAuth2, Scopes, SecurityRequirement, SecurityScheme,
};
use ::utoipa::openapi::{Components, Header, OpenApi, RefOr, Response};

use super::{Answer, CONSUMERS_EXTENSION, Documented, Plan, SCHEME, SCHEME_DESCRIPTION, Security};

/// Fills the document's security from the scope map: see the
/// [module docs](super). Serve the document from a `#[public]` handler
/// that takes `Security` as a request guard, so that it is built with the
/// token URL the fairing loaded:
///
/// ```
/// use maskinporten_rocket::openapi::Security;
/// use maskinporten_rocket::{public, routes, scopes, Maskinporten};
/// use rocket::serde::json::Json;
/// use rocket::get;
/// use utoipa::openapi::OpenApi as Document;
/// use utoipa::{Modify, OpenApi};
///
/// #[scopes("nav:helse/sykepenger/afp.read")]
/// #[utoipa::path(responses((status = 200, body = String)))]
/// #[get("/afp")]
/// fn afp() -> &'static str {
///     "afp"
/// }
///
/// #[derive(OpenApi)]
/// #[openapi(paths(afp))]
/// struct ApiDoc;
///
/// #[public]
/// #[get("/openapi.json")]
/// fn openapi(security: Security) -> Json<Document> {
///     let mut document = ApiDoc::openapi();
///     security.modify(&mut document);
///     Json(document)
/// }
///
/// let rocket = rocket::build()
///     .attach(Maskinporten::fairing())
///     .mount("/", routes![afp, openapi]);
/// # let mut document = ApiDoc::openapi();
/// # Security::of(&rocket).modify(&mut document);
/// # let json = serde_json::to_value(&document).unwrap_or_default();
/// # assert_eq!(json["paths"]["/afp"]["get"]["security"][0]["maskinporten"][0], "nav:helse/sykepenger/afp.read");
/// ```
impl ::utoipa::Modify for Security {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut protected = false;
        let mut documented = Documented::default();
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, operation) in operations(item) {
                let names_scheme = operation
                    .security
                    .as_ref()
                    .is_some_and(|requirements| requirements.iter().any(names_scheme));
                let Some(plan) = self.plan(method, path, names_scheme) else {
                    continue;
                };
                apply(operation, plan);
                documented.note(method, path, plan);
                protected |= plan != Plan::Public;
            }
        }
        if protected && let Some(token_url) = self.scheme_token_url() {
            openapi
                .components
                .get_or_insert_with(Components::new)
                .add_security_scheme(SCHEME, utoipa_scheme(token_url, &documented));
        }
    }
}

/// The `maskinporten` scheme, with this token URL and the scopes of the
/// document's operations.
fn utoipa_scheme(token_url: &str, documented: &Documented) -> SecurityScheme {
    let scopes = Scopes::from_iter(documented.scopes());
    let flow = ClientCredentials::new(token_url, scopes);
    SecurityScheme::OAuth2(OAuth2::with_description(
        [Flow::ClientCredentials(flow)],
        SCHEME_DESCRIPTION,
    ))
}

/// The item's operations, with their methods as OpenAPI writes them.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (&'static str, &mut Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("options", &mut item.options),
        ("head", &mut item.head),
        ("patch", &mut item.patch),
        ("trace", &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_mut().map(|op| (method, op)))
}

/// Whether a requirement object names our scheme.
fn names_scheme(requirement: &SecurityRequirement) -> bool {
    // Its map is private; its JSON is the map.
    serde_json::to_value(requirement)
        .ok()
        .and_then(|value| value.get(SCHEME).map(|_| ()))
        .is_some()
}

fn apply(operation: &mut Operation, plan: Plan) {
    operation.security = Some(
        plan.requirements()
            .into_iter()
            .map(|scopes| SecurityRequirement::new(SCHEME, scopes))
            .collect(),
    );
    let consumers = plan.consumers();
    if !consumers.is_empty() {
        operation
            .extensions
            .get_or_insert_with(Extensions::default)
            .insert(CONSUMERS_EXTENSION.to_owned(), consumers.into());
    }
    for answer in plan.answers() {
        operation
            .responses
            .responses
            .entry(answer.status.to_owned())
            .or_insert_with(|| RefOr::T(response(answer)));
    }
}

fn response(answer: &Answer) -> Response {
    let schema_type = match answer.header_type {
        "integer" => Type::Integer,
        _ => Type::String,
    };
    let mut header = Header::new(Object::with_type(schema_type));
    header.description = Some(answer.header_description.to_owned());
    let mut response = Response::new(answer.description);
    response
        .headers
        .insert(answer.header.to_owned(), RefOr::T(header));
    response
}
