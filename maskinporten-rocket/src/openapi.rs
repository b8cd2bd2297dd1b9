//! OpenAPI security from the scope map, for utoipa (feature `utoipa`) and
//! rocket_okapi (feature `okapi`): the scopes are written once, in
//! `#[scopes]`, and the document says which a client must ask Maskinporten
//! for.
//!
//! [`Security::of`] reads a Rocket's scope map (see
//! [`routes::scope_map`](crate::routes::scope_map)) and the issuer's token
//! endpoint, and fills a document the generator wrote:
//!
//! - one security scheme, [`SCHEME`] (`maskinporten`): OAuth 2.0 with a
//!   `clientCredentials` flow whose `tokenUrl` is the issuer's token
//!   endpoint and whose `scopes` are the scopes the document's own
//!   operations require, each described by those operations: a mounted
//!   route the document leaves out (an internal one, say) adds no scope
//!   and is named nowhere;
//! - on each operation of a `#[scopes]` route, `security`: every scope of
//!   `#[scopes("a", "b")]` in one requirement object; one requirement
//!   object per scope for `#[scopes(any("a", "b"))]` (OpenAPI's OR);
//!   `consumers = [..]` as an `x-maskinporten-consumers` extension; and
//!   400, 401, 403 and 503 responses, with their `WWW-Authenticate` and
//!   `Retry-After` headers;
//! - on each operation of a `#[public]` route, `security: []`;
//! - on an operation that already names the scheme (a handler that takes
//!   [`Claims`](crate::Claims) and has no `#[scopes]`: rocket_okapi writes
//!   that from the `Claims` guard, and with utoipa the handler's
//!   `#[utoipa::path]` says `security(("maskinporten" = []))`), the scheme
//!   with an empty scope list, and 400, 401 and 503 responses.
//!
//! Operations are found by method and path: the document's paths must be
//! the mounted paths (mount at `/`, or give the generator the mount point:
//! utoipa's `nest` or `context_path`, rocket_okapi's
//! `mount_endpoints_and_merged_docs!`). An operation of no mounted
//! `#[scopes]` or `#[public]` route that does not name the scheme is left
//! as written; a response the document already has for a status is kept.
//!
//! The token URL is known once the fairing has loaded the issuer's
//! metadata ([`Validator::token_endpoint`]), so build the document when it
//! is served: [`Security`] is a request guard, which reads the running
//! Rocket. In Texas mode, with `issuer` and `jwks_uri` both
//! configured (no metadata is fetched; NAIS sets both), or before the keys
//! first load, it is not known: the flow's `tokenUrl` is then empty, unless
//! the app names it with [`Security::with_token_url`]
//! (`https://maskinporten.no/token` in production,
//! `https://test.maskinporten.no/token` in test).

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;

use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Phase, Rocket};

use crate::routes::{self, Protection, ScopeMap};
use crate::scope::{Mode, Requirement};
use crate::validate::Validator;

#[cfg(feature = "okapi")]
pub(crate) mod okapi;
#[cfg(feature = "utoipa")]
mod utoipa;

/// The name of the security scheme in the document's components, and in
/// each operation's security requirement objects.
///
/// ```
/// assert_eq!(maskinporten_rocket::openapi::SCHEME, "maskinporten");
/// ```
pub const SCHEME: &str = "maskinporten";

/// The operation extension that lists a route's allowed consumer
/// organisations (`consumers = [..]`), as an array of organisation
/// numbers.
///
/// ```
/// assert_eq!(maskinporten_rocket::openapi::CONSUMERS_EXTENSION, "x-maskinporten-consumers");
/// ```
pub const CONSUMERS_EXTENSION: &str = "x-maskinporten-consumers";

/// The scheme's description.
const SCHEME_DESCRIPTION: &str = "A Maskinporten access token, sent as `Authorization: Bearer \
     <token>`. Ask Maskinporten's token endpoint for it with a JWT grant signed by your \
     client (https://docs.digdir.no/docs/Maskinporten/), for the scopes the operation lists.";

/// A response of a protected operation: status, description, and the one
/// header it carries with its description and JSON type.
pub(crate) struct Answer {
    pub(crate) status: &'static str,
    pub(crate) description: &'static str,
    pub(crate) header: &'static str,
    pub(crate) header_description: &'static str,
    pub(crate) header_type: &'static str,
}

const BAD_REQUEST: Answer = Answer {
    status: "400",
    description: "The `Authorization` header is malformed: sent more than once, `Bearer` \
         without a token, or a token too long or with characters a bearer token cannot hold \
         (RFC 6750 §2.1).",
    header: "WWW-Authenticate",
    header_description: "`Bearer error=\"invalid_request\"` (RFC 6750 §3.1).",
    header_type: "string",
};

const UNAUTHORIZED: Answer = Answer {
    status: "401",
    description: "No valid Maskinporten token: none was sent, or it is malformed, expired, \
         not yet valid, from another issuer or for another audience.",
    header: "WWW-Authenticate",
    header_description: "`Bearer`; when a token was sent, also `error=\"invalid_token\"` and an \
         `error_description` (RFC 6750 §3.1).",
    header_type: "string",
};

const FORBIDDEN: Answer = Answer {
    status: "403",
    description: "The token is valid but lacks a scope the operation requires, or another \
         condition of the operation (consumer organisation, system user, delegation) refuses it.",
    header: "WWW-Authenticate",
    header_description: "`Bearer error=\"insufficient_scope\"`, with the required scopes in \
         `scope` or the reason in `error_description` (RFC 6750 §3.1).",
    header_type: "string",
};

const UNAVAILABLE: Answer = Answer {
    status: "503",
    description: "The token cannot be checked now: the issuer's keys (or Texas) cannot be \
         reached. Try again later.",
    header: "Retry-After",
    header_description: "Seconds to wait before trying again.",
    header_type: "integer",
};

/// The responses of a `#[scopes]` operation.
pub(crate) const SCOPES_ANSWERS: [&Answer; 4] =
    [&BAD_REQUEST, &UNAUTHORIZED, &FORBIDDEN, &UNAVAILABLE];
/// The responses of an operation that needs a token and no scope.
pub(crate) const TOKEN_ANSWERS: [&Answer; 3] = [&BAD_REQUEST, &UNAUTHORIZED, &UNAVAILABLE];

/// What the mounted routes require, and where to get a token: fills the
/// security of an OpenAPI document (see the [module docs](self)).
///
/// It reads every mounted route, and tells a document only about its own
/// operations: the scheme lists the scopes of the operations the document
/// holds, described by those operations, so a route the document leaves
/// out (an internal one) shows neither its scope nor its path. The same
/// `Security` can fill several documents, each with its own list.
///
/// It is also a request guard (`Security::of` the running Rocket): serve
/// the document from a `#[public]` handler that takes it, so that the
/// document has the token URL the fairing loaded. With utoipa (feature
/// `utoipa`), `Security` is a [`utoipa::Modify`](::utoipa::Modify) (see
/// its impl for an example).
///
/// With rocket_okapi (feature `okapi`), [`Security::modify_okapi`] does the
/// same to the document `openapi_get_routes_spec!` returns.
#[derive(Debug, Clone)]
pub struct Security {
    map: ScopeMap,
    token_url: Option<String>,
}

impl Security {
    /// The scope map of `rocket` and, once the fairing has loaded the
    /// issuer's metadata, its token endpoint ([`Validator::token_endpoint`]).
    pub fn of<P: Phase>(rocket: &Rocket<P>) -> Security {
        Security {
            map: routes::scope_map(rocket),
            token_url: rocket
                .state::<Validator>()
                .and_then(Validator::token_endpoint),
        }
    }

    /// Uses `url` as the flow's `tokenUrl`, whatever the issuer's metadata
    /// says: for Texas mode, or when `issuer` and `jwks_uri` are configured
    /// and no metadata is fetched.
    ///
    /// ```
    /// use maskinporten_rocket::openapi::Security;
    ///
    /// let security = Security::of(&rocket::build()).with_token_url("https://maskinporten.no/token");
    /// assert_eq!(security.token_url(), Some("https://maskinporten.no/token"));
    /// ```
    pub fn with_token_url(self, url: impl Into<String>) -> Security {
        Security {
            token_url: Some(url.into()),
            ..self
        }
    }

    /// The `tokenUrl` the scheme gets; `None` when it is not known, and the
    /// document then has an empty one (see the [module docs](self)).
    pub fn token_url(&self) -> Option<&str> {
        self.token_url.as_deref()
    }

    /// Every scope a mounted `#[scopes]` route requires, each with the
    /// routes that require it, sorted and with paths as the document writes
    /// them (`GET /afp, GET /afp/{id}, POST /afp`), whether a document
    /// shows the route or not. A document's scheme lists fewer: only the
    /// scopes of its own operations (see [`Security`]).
    ///
    /// ```
    /// use maskinporten_rocket::openapi::Security;
    /// use maskinporten_rocket::scopes;
    ///
    /// #[scopes("nav:helse/sykepenger/afp.read")]
    /// #[rocket::get("/afp")]
    /// fn afp() {}
    ///
    /// let rocket = rocket::build().mount("/", maskinporten_rocket::routes![afp]);
    /// let scopes = Security::of(&rocket).scopes();
    /// assert_eq!(scopes["nav:helse/sykepenger/afp.read"], "GET /afp");
    /// ```
    pub fn scopes(&self) -> BTreeMap<&'static str, String> {
        let mut routes: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        for route in &self.map {
            if let Protection::Scopes(requirement) = route.protection {
                for scope in requirement.scopes() {
                    let route = format!("{} {}", route.method, openapi_path(&route.uri));
                    routes.entry(scope).or_default().push(route);
                }
            }
        }
        routes
            .into_iter()
            .map(|(scope, mut routes)| {
                // Sorted: Rocket lists routes in mount order before ignite
                // and in its router's order after.
                routes.sort();
                routes.dedup();
                (scope, routes.join(", "))
            })
            .collect()
    }

    /// What the document says about the operation for `method` (lower
    /// case, as OpenAPI writes it) at `path` (OpenAPI's form, `/afp/{id}`),
    /// given whether the operation names the scheme already.
    ///
    /// Several routes can share a method and path (ranks, formats, `<id>`
    /// and `<name>` both being `{x}`): the operation then says what the
    /// most demanding of them asks, a `#[scopes]` route's requirement
    /// before a token, and a token before none.
    pub(crate) fn plan(&self, method: &str, path: &str, names_scheme: bool) -> Option<Plan> {
        let protections = || {
            self.map
                .iter()
                .filter(|route| {
                    route.method.eq_ignore_ascii_case(method) && openapi_path(&route.uri) == path
                })
                .map(|route| route.protection)
        };
        let scopes = protections().find_map(|protection| match protection {
            Protection::Scopes(requirement) => Some(requirement),
            _ => None,
        });
        if let Some(requirement) = scopes {
            return Some(Plan::Scopes(requirement));
        }
        if names_scheme {
            return Some(Plan::Token);
        }
        // Open (`#[public]`, or `public_routes`) when every route is.
        let open = |protection: Protection| {
            matches!(
                protection,
                Protection::Public | Protection::PublicByConfiguration
            )
        };
        let mut matching = protections().peekable();
        let all_open = matching.peek().is_some() && matching.all(open);
        all_open.then_some(Plan::Public)
    }

    /// The scheme's flow's `tokenUrl`: empty when unknown.
    pub(crate) fn token_url_or_empty(&self) -> &str {
        self.token_url.as_deref().unwrap_or("")
    }
}

/// `Security::of` the running Rocket: the scope map of its mounted routes,
/// and the token URL the fairing loaded. It never fails.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for Security {
    type Error = Infallible;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Infallible> {
        Outcome::Success(Security::of(request.rocket()))
    }
}

/// The scopes a document's operations require, each with the operations
/// that require it: the scheme's `scopes`, noted as each operation's
/// security is written, so that the scheme names no scope and no route
/// the document does not hold.
#[derive(Debug, Default)]
pub(crate) struct Documented(BTreeMap<&'static str, BTreeSet<String>>);

impl Documented {
    /// Notes the scopes `plan` writes on the operation for `method` (lower
    /// case, as OpenAPI writes it) at `path`.
    pub(crate) fn note(&mut self, method: &str, path: &str, plan: Plan) {
        let Plan::Scopes(requirement) = plan else {
            return;
        };
        for scope in requirement.scopes() {
            let operation = format!("{} {path}", method.to_ascii_uppercase());
            self.0.entry(scope).or_default().insert(operation);
        }
    }

    /// Each scope, described by its operations, sorted (`GET /afp, GET
    /// /afp/{id}, POST /afp`).
    pub(crate) fn scopes(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.0.iter().map(|(scope, operations)| {
            let operations: Vec<&str> = operations.iter().map(String::as_str).collect();
            ((*scope).to_owned(), operations.join(", "))
        })
    }
}

/// What the document gets for one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    /// A `#[scopes]` route.
    Scopes(Requirement),
    /// A route that names the scheme and has no `#[scopes]`: a token, no
    /// scope.
    Token,
    /// A `#[public]` route.
    Public,
}

impl Plan {
    /// The requirement objects of `security`, each a list of scopes of
    /// the scheme; empty for `security: []`.
    pub(crate) fn requirements(&self) -> Vec<Vec<&'static str>> {
        match self {
            Plan::Scopes(requirement) => match requirement.mode() {
                Mode::All => vec![requirement.scopes().to_vec()],
                Mode::Any => requirement.scopes().iter().map(|s| vec![*s]).collect(),
            },
            Plan::Token => vec![Vec::new()],
            Plan::Public => Vec::new(),
        }
    }

    /// The allowed consumers, for the extension; empty for none.
    pub(crate) fn consumers(&self) -> &'static [&'static str] {
        match self {
            Plan::Scopes(requirement) => requirement.consumers(),
            Plan::Token | Plan::Public => &[],
        }
    }

    /// The responses the operation can give for its token.
    pub(crate) fn answers(&self) -> &'static [&'static Answer] {
        match self {
            Plan::Scopes(_) => &SCOPES_ANSWERS,
            Plan::Token => &TOKEN_ANSWERS,
            Plan::Public => &[],
        }
    }
}

/// A Rocket route path (`/afp/<id>/<rest..>?<q>`) as OpenAPI writes it
/// (`/afp/{id}/{rest}`): without the query, parameters in braces.
pub(crate) fn openapi_path(uri: &str) -> String {
    let path = uri.split('?').next().unwrap_or(uri);
    path.replace("..>", "}").replace('<', "{").replace('>', "}")
}

#[cfg(test)]
mod tests;
