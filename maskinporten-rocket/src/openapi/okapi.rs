//! [`Security`] for rocket_okapi's documents, and `OpenApiFromRequest` for
//! our guards, so that `#[openapi]` compiles on a handler that takes
//! [`Claims`] or carries `#[scopes]`.
//!
//! The guards say what each knows on its own: `Claims` that a token of the
//! scheme is needed (with no scope) and that it can answer 400, 401 and 503;
//! the guard `#[scopes]` generates, its 400, 401, 403 and 503. The scopes of a
//! route, its consumers, the scheme's token URL and scope list come from
//! [`Security::modify_okapi`], which reads the scope map: one requirement
//! object per guard (all rocket_okapi can take from a guard) could not
//! write `any(..)`.

use rocket_okapi::r#gen::OpenApiGenerator;
use rocket_okapi::okapi::Map;
use rocket_okapi::okapi::openapi3::{
    Components, Header, OAuthFlows, OpenApi, Operation, PathItem, RefOr, Response, Responses,
    SecurityRequirement, SecurityScheme, SecuritySchemeData,
};
use rocket_okapi::request::{OpenApiFromRequest, RequestHeaderInput};

use super::{
    Answer, CONSUMERS_EXTENSION, Documented, Plan, SCHEME, SCHEME_DESCRIPTION, SCOPES_ANSWERS,
    Security, TOKEN_ANSWERS,
};
use crate::claims::Claims;

impl Security {
    /// Fills the security of a rocket_okapi document (from
    /// `openapi_get_spec!` or `openapi_get_routes_spec!`) from the scope
    /// map, as the utoipa `Modify` does: see the [module docs](super).
    ///
    /// ```
    /// use maskinporten_rocket::openapi::Security;
    /// use maskinporten_rocket::{public, scopes, Claims, Maskinporten};
    /// use rocket::serde::json::Json;
    /// use rocket::{get, State};
    /// use rocket_okapi::okapi::openapi3::OpenApi;
    /// use rocket_okapi::{openapi, openapi_get_spec};
    ///
    /// #[scopes("nav:helse/sykepenger/afp.read")]
    /// #[openapi]
    /// #[get("/afp")]
    /// fn afp(claims: Claims) -> String {
    ///     claims.consumer_orgno().unwrap_or("?").to_owned()
    /// }
    ///
    /// #[public]
    /// #[get("/openapi.json")]
    /// fn openapi(spec: &State<OpenApi>, security: Security) -> Json<OpenApi> {
    ///     let mut document = spec.inner().clone();
    ///     security.modify_okapi(&mut document);
    ///     Json(document)
    /// }
    ///
    /// let rocket = rocket::build()
    ///     .attach(Maskinporten::fairing())
    ///     // The document rocket_okapi writes for the handlers.
    ///     .manage(openapi_get_spec![afp])
    ///     // Our routes!, so the scope map finds the marks.
    ///     .mount("/", maskinporten_rocket::routes![afp, openapi]);
    /// # let mut document = rocket.state::<OpenApi>().cloned().unwrap_or_default();
    /// # Security::of(&rocket).modify_okapi(&mut document);
    /// # let security = document.paths["/afp"].get.as_ref().and_then(|get| get.security.clone());
    /// # assert_eq!(security.unwrap_or_default()[0]["maskinporten"], ["nav:helse/sykepenger/afp.read"]);
    /// ```
    ///
    /// Mount the handlers with [`routes!`](crate::routes!), as everywhere,
    /// rather than the routes `openapi_get_routes_spec!` returns (which
    /// `rocket::routes!` builds, so the scope map would count them as
    /// unmarked and `modify_okapi` would not find their marks).
    pub fn modify_okapi(&self, openapi: &mut OpenApi) {
        let mut protected = false;
        let mut documented = Documented::default();
        for (path, item) in openapi.paths.iter_mut() {
            for (method, operation) in operations(item) {
                let names_scheme = operation.security.as_ref().is_some_and(|requirements| {
                    requirements.iter().any(|r| r.contains_key(SCHEME))
                });
                let Some(plan) = self.plan(method, path, names_scheme) else {
                    continue;
                };
                apply(operation, plan);
                documented.note(method, path, plan);
                protected |= plan != Plan::Public;
            }
        }
        if protected && let Some(token_url) = self.scheme_token_url() {
            let scheme = scheme(token_url, documented.scopes().collect());
            openapi
                .components
                .get_or_insert_with(Components::default)
                .security_schemes
                .insert(SCHEME.to_owned(), RefOr::Object(scheme));
        }
    }
}

/// The `maskinporten` scheme with this token URL and these scopes.
fn scheme(token_url: &str, scopes: Map<String, String>) -> SecurityScheme {
    SecurityScheme {
        description: Some(SCHEME_DESCRIPTION.to_owned()),
        data: SecuritySchemeData::OAuth2 {
            flows: OAuthFlows::ClientCredentials {
                token_url: token_url.to_owned(),
                refresh_url: None,
                scopes,
                extensions: Map::new(),
            },
        },
        extensions: Map::new(),
    }
}

/// The scheme as a guard can write it, with no token URL: a bearer token
/// (RFC 6750), a JWT.
fn bearer_scheme() -> SecurityScheme {
    SecurityScheme {
        description: Some(SCHEME_DESCRIPTION.to_owned()),
        data: SecuritySchemeData::Http {
            scheme: "bearer".to_owned(),
            bearer_format: Some("JWT".to_owned()),
        },
        extensions: Map::new(),
    }
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

fn apply(operation: &mut Operation, plan: Plan) {
    operation.security = Some(
        plan.requirements()
            .into_iter()
            .map(|scopes| {
                let mut requirement = SecurityRequirement::new();
                let scopes = scopes.into_iter().map(str::to_owned).collect();
                requirement.insert(SCHEME.to_owned(), scopes);
                requirement
            })
            .collect(),
    );
    let consumers = plan.consumers();
    if !consumers.is_empty() {
        operation
            .extensions
            .insert(CONSUMERS_EXTENSION.to_owned(), consumers.into());
    }
    add_answers(&mut operation.responses, plan.answers());
}

/// Adds a response for each answer whose status has none.
fn add_answers(responses: &mut Responses, answers: &[&Answer]) {
    for answer in answers {
        if !responses.responses.contains_key(answer.status) {
            responses
                .responses
                .insert(answer.status.to_owned(), RefOr::Object(response(answer)));
        }
    }
}

fn response(answer: &Answer) -> Response {
    // okapi's header schema is a schemars object: written as the JSON it
    // reads, which cannot fail for these two types.
    let header = serde_json::json!({
        "description": answer.header_description,
        "schema": { "type": answer.header_type },
    });
    let mut headers = Map::new();
    if let Ok(header) = serde_json::from_value::<Header>(header) {
        headers.insert(answer.header.to_owned(), RefOr::Object(header));
    }
    Response {
        description: answer.description.to_owned(),
        headers,
        ..Response::default()
    }
}

/// Responses of `answers`, for a guard's `get_responses`.
fn responses(answers: &[&Answer]) -> Responses {
    let mut responses = Responses::default();
    add_answers(&mut responses, answers);
    responses
}

/// `Claims` needs a token of the scheme, with no particular scope.
impl<'r> OpenApiFromRequest<'r> for Claims {
    fn from_request_input(
        _gen: &mut OpenApiGenerator,
        _name: String,
        _required: bool,
    ) -> rocket_okapi::Result<RequestHeaderInput> {
        let mut requirement = SecurityRequirement::new();
        requirement.insert(SCHEME.to_owned(), Vec::new());
        // rocket_okapi wants the scheme beside the requirement, and the
        // token URL is not known until the fairing has run: a bearer
        // scheme, with no URL to get wrong, which `modify_okapi` replaces
        // with the OAuth 2.0 one, its token URL and its scopes.
        Ok(RequestHeaderInput::Security(
            SCHEME.to_owned(),
            bearer_scheme(),
            requirement,
        ))
    }

    fn get_responses(_gen: &mut OpenApiGenerator) -> rocket_okapi::Result<Responses> {
        Ok(responses(&TOKEN_ANSWERS))
    }
}

/// What the guard `#[scopes]` generates puts in rocket_okapi's document on
/// its own: nothing as input (its requirement is the scope map's, written
/// by `modify_okapi`).
#[doc(hidden)]
pub fn scopes_input() -> rocket_okapi::Result<RequestHeaderInput> {
    Ok(RequestHeaderInput::None)
}

/// The responses of the guard `#[scopes]` generates: 400, 401, 403 and 503.
#[doc(hidden)]
pub fn scopes_responses() -> rocket_okapi::Result<Responses> {
    Ok(responses(&SCOPES_ANSWERS))
}
