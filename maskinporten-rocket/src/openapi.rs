//! OpenAPI security from the scope map, for utoipa (feature `utoipa`) and
//! rocket_okapi (feature `okapi`): the scopes are written once, in
//! `#[scopes]`, and the document says which a client must ask Maskinporten
//! for.
//!
//! [`Security::of`] reads a Rocket's scope map (see
//! [`routes::scope_map`]) and the token URL the fairing resolved at
//! ignite, and fills a document the generator wrote:
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
//! The `tokenUrl` is never empty. The fairing resolves it at ignite, in
//! this order:
//!
//! 1. `token_endpoint` in the `maskinporten` table;
//! 2. the `token_endpoint` of the issuer's metadata (RFC 8414 §2): the one
//!    the fairing loads with the keys, kept fresh, when it discovers them
//!    from `well_known_url`; otherwise (with `issuer` and `jwks_uri` both
//!    configured, as NAIS sets them, or in Texas mode) read once at ignite
//!    from `well_known_url` (`MASKINPORTEN_WELL_KNOWN_URL`), and taken
//!    only when its `issuer` is the one that URL was formed from and the
//!    configured one (RFC 8414 §3.3);
//! 3. when the issuer is Maskinporten's, its documented token endpoint,
//!    `<issuer>token` (`https://maskinporten.no/token`,
//!    `https://test.maskinporten.no/token`; docs.digdir.no, Maskinporten,
//!    "Well-known endpoints"), with a warning saying why the metadata did
//!    not give it when it was there to read.
//!
//! When none of these gives one (Texas mode with no issuer known, or an
//! issuer of another kind whose metadata cannot be read or used), a route
//! that takes [`Security`] stops ignite of a release build (a Rocket
//! sentinel abort) with a [`TokenUrlError`] that names the key to set and
//! the line to paste; a debug build logs it as a warning, starts, and the
//! route answers 500. An app that serves no document is not affected. One case waits instead:
//! when the fairing discovers the keys and the issuer, not Maskinporten's,
//! was down at start, the document's route answers 503 until its metadata
//! loads, as protected routes do until the keys load.
//!
//! Build the document when it is served: [`Security`] is a request guard,
//! which reads the running Rocket, so the document follows the metadata.
//! [`Security::with_token_url`] names another URL in code.

use std::collections::{BTreeMap, BTreeSet};

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Ignite, Phase, Rocket, Sentinel};

use crate::chain::Chain;
use crate::config::BuildKind;
use crate::routes::{self, Protection, ScopeMap};
use crate::scope::{Mode, Requirement};
use crate::sentinel::abort_without_fairing;
use crate::validate::{TokenUrl, Validator};

pub use crate::validate::{TokenUrlError, TokenUrlErrorKind};

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
/// document has the token URL the fairing resolved, never an empty one. With utoipa (feature
/// `utoipa`), `Security` is a [`utoipa::Modify`](::utoipa::Modify) (see
/// its impl for an example).
///
/// With rocket_okapi (feature `okapi`), [`Security::modify_okapi`] does the
/// same to the document `openapi_get_routes_spec!` returns.
#[derive(Debug, Clone)]
pub struct Security {
    map: ScopeMap,
    token_url: Result<String, TokenUrlError>,
}

impl Security {
    /// The scope map of `rocket` and the token URL the fairing resolved
    /// for it at ignite (see the [module docs](self)). Before ignite, or
    /// without the fairing, the token URL is not known
    /// ([`TokenUrlErrorKind::NotResolved`]): the scopes are.
    ///
    /// ```
    /// # fn main() -> Result<(), rocket::Error> { rocket::execute(async {
    /// use maskinporten_rocket::Maskinporten;
    /// use maskinporten_rocket::openapi::Security;
    /// use maskinporten_testing::Issuer;
    ///
    /// // The stand-in's metadata names `<issuer>token`.
    /// let issuer = Issuer::start().await;
    /// let rocket = rocket::custom(issuer.figment()).attach(Maskinporten::fairing());
    /// let rocket = rocket.ignite().await?;
    /// let token_url = format!("{}token", issuer.issuer());
    /// assert_eq!(Security::of(&rocket).token_url().ok(), Some(token_url.as_str()));
    /// # Ok(()) }) }
    /// ```
    pub fn of<P: Phase>(rocket: &Rocket<P>) -> Security {
        Security {
            map: routes::scope_map(rocket),
            token_url: token_url_of(rocket),
        }
    }

    /// Uses `url` as the flow's `tokenUrl`, whatever the configuration and
    /// the issuer's metadata say. The configuration's `token_endpoint` is
    /// usually the better place: a route that takes `Security` stops
    /// ignite when nothing there gives a token URL, whatever its handler
    /// then names.
    ///
    /// ```
    /// use maskinporten_rocket::openapi::Security;
    ///
    /// let security = Security::of(&rocket::build()).with_token_url("https://maskinporten.no/token");
    /// assert_eq!(security.token_url().ok(), Some("https://maskinporten.no/token"));
    /// ```
    pub fn with_token_url(self, url: impl Into<String>) -> Security {
        Security {
            token_url: Ok(url.into()),
            ..self
        }
    }

    /// The `tokenUrl` the scheme gets, or why it is not known; the
    /// document then has no `maskinporten` scheme (only its operations'
    /// requirements), and filling it logs the error.
    pub fn token_url(&self) -> Result<&str, &TokenUrlError> {
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

    /// The scheme's flow's `tokenUrl`, when known; when not, the error is
    /// logged and the scheme is left out, never written with an empty URL.
    pub(crate) fn scheme_token_url(&self) -> Option<&str> {
        match &self.token_url {
            Ok(url) => Some(url),
            Err(error) => {
                tracing::error!(target: "maskinporten",
                    "the OpenAPI document gets no `maskinporten` scheme: {}", Chain(error));
                None
            }
        }
    }
}

/// The token URL the fairing resolved for `rocket`, as of now.
fn token_url_of<P: Phase>(rocket: &Rocket<P>) -> Result<String, TokenUrlError> {
    match rocket.state::<TokenUrl>() {
        Some(token_url) => token_url.current(rocket.state::<Validator>()),
        None => Err(TokenUrlError::new(TokenUrlErrorKind::NotResolved)),
    }
}

/// `Security::of` the running Rocket: the scope map of its mounted routes,
/// and the token URL the fairing resolved. Its [sentinel](Sentinel) has
/// made sure at ignite that there is one, except while the issuer's
/// metadata has yet to load ([`TokenUrlErrorKind::NotLoaded`]): the guard
/// then fails with 503, and the document is served once it loads.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for Security {
    type Error = TokenUrlError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, TokenUrlError> {
        let security = Security::of(request.rocket());
        match security.token_url {
            Ok(_) => Outcome::Success(security),
            Err(error) => {
                let status = if error.is_pending() {
                    Status::ServiceUnavailable
                } else {
                    Status::InternalServerError
                };
                tracing::error!(target: "maskinporten", "{} {}: {}, {}",
                    request.method(), request.uri().path(), status.code, Chain(&error));
                Outcome::Error((status, error))
            }
        }
    }
}

/// Stops ignite of a release build when a route takes `Security` (it
/// serves an OpenAPI document) and nothing gives the document a
/// `tokenUrl`: the error, logged, names the key to set. A debug build
/// logs it as a warning and starts; the route then answers 500. Without
/// the fairing, nothing resolves it: every build stops.
///
/// ```
/// use maskinporten_rocket::openapi::Security;
/// use maskinporten_rocket::{public, Maskinporten};
/// use rocket::get;
///
/// #[public]
/// #[get("/openapi.json")]
/// fn openapi(security: Security) -> String {
///     security.token_url().unwrap_or_default().to_owned()
/// }
///
/// # rocket::execute(async {
/// // Texas mode, with no issuer and no metadata to name a token endpoint.
/// let figment = rocket::Config::figment()
///     .merge(("maskinporten.validation", "texas"))
///     .merge(("maskinporten.introspection_endpoint", "http://127.0.0.1:7164/api/v1/introspect"))
///     .merge(("maskinporten.issuer", ""))
///     .merge(("maskinporten.well_known_url", ""))
///     .merge(("maskinporten.override_nais", true));
/// let rocket = rocket::custom(figment)
///     .attach(Maskinporten::fairing())
///     .mount("/", maskinporten_rocket::routes![openapi]);
/// let ignited = rocket.ignite().await;
/// if cfg!(debug_assertions) {
///     assert!(ignited.is_ok());
/// } else {
///     assert!(matches!(
///         ignited.unwrap_err().kind(),
///         rocket::error::ErrorKind::SentinelAborts(_)
///     ));
/// }
/// # });
/// ```
impl Sentinel for Security {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        if abort_without_fairing(rocket, "a route with a `Security` guard") {
            return true;
        }
        match token_url_of(rocket) {
            Err(error) if !error.is_pending() => refuses(&error, BuildKind::current()),
            _ => false,
        }
    }
}

/// Whether a build of this kind refuses to start when a route serves a
/// document without a `tokenUrl`, and the one log line that says so: a
/// release build (the one NAIS runs) refuses, while a debug build (a local
/// run, a test against a stand-in Texas with no issuer) starts with a
/// warning, as for `override_nais`, and the document's route answers 500.
fn refuses(error: &TokenUrlError, build: BuildKind) -> bool {
    let line = "a route with a `Security` guard serves an OpenAPI document, and";
    match build {
        BuildKind::Release => {
            tracing::error!(target: "maskinporten", "{line} {}", Chain(error));
            true
        }
        BuildKind::Debug => {
            tracing::warn!(target: "maskinporten",
                "{line} {}; the document's route answers 500 until it is set, and a release \
                 build refuses to start", Chain(error));
            false
        }
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
