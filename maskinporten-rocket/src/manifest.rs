//! Comparing the NAIS manifest with the code: the scopes the manifest exposes
//! (`spec.maskinporten.scopes.exposes[]`) against the scopes the mounted
//! handlers require, and the consumers the code allows against those the
//! manifest grants. Also the reverse: the `exposes:` block the code needs.
//!
//! ```
//! use maskinporten_rocket::manifest::{compare, Manifest};
//! use maskinporten_rocket::routes::scope_map;
//! use maskinporten_rocket::scopes;
//! use rocket::get;
//!
//! #[scopes("nav:helse/sykepenger/afp.read")]
//! #[get("/afp")]
//! fn afp() -> &'static str { "afp" }
//!
//! let manifest = Manifest::from_yaml(r#"
//! apiVersion: nais.io/v1alpha1
//! kind: Application
//! metadata: { name: afp-api }
//! spec:
//!   maskinporten:
//!     enabled: true
//!     scopes:
//!       exposes:
//!         - name: "sykepenger/afp.read"
//!           enabled: true
//!           product: "helse"
//! "#, "nav")?;
//! let rocket = rocket::build().mount("/", maskinporten_rocket::routes![afp]);
//! let report = compare(&manifest, &scope_map(&rocket));
//! assert!(report.errors.is_empty(), "{report}");
//! # Ok::<(), maskinporten_rocket::manifest::ManifestError>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error as StdError;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::chain::Chain;
use crate::config::Config;
use crate::routes::{MountedRoute, Protection, ScopeMap};
use crate::scope::{Delegation, Scope, ScopeError};

/// A scope as the manifest exposes it: every field of NAIS's
/// `ExposedScope` (doc.nais.io, "Maskinporten", "Exposing scopes"; the
/// `nais/liberator` type), with NAIS's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExposedScope {
    /// The full scope, `<prefix>:<product><separator><name>`, which holds
    /// `product`, `separator` and `name`.
    pub scope: Scope,
    /// `enabled`: a disabled scope is not issued.
    pub enabled: bool,
    /// `consumers[].orgno`: the organisations granted the scope.
    pub consumers: Vec<String>,
    /// `accessibleForAll`: every organisation may have the scope, not only
    /// `consumers`.
    pub accessible_for_all: bool,
    /// `delegationSource`: where a consumer may delegate the scope to a
    /// supplier; `None` when it may not.
    pub delegation_source: Option<DelegationSource>,
    /// `allowedIntegrations`: the kinds of client that may have the scope;
    /// NAIS's default is `["maskinporten"]`.
    pub allowed_integrations: Vec<String>,
    /// `atMaxAge`: the longest lifetime, in seconds, of a token with the
    /// scope (30 to 680); `None` when unset or templated.
    pub at_max_age: Option<u32>,
    /// `visibility`: whether the scope is listed publicly.
    pub visibility: Visibility,
}

/// Where a consumer may delegate a scope (`delegationSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DelegationSource {
    /// `altinn`: delegated in Altinn, the token then carries the delegating
    /// `consumer` and the asking `supplier`.
    Altinn,
}

/// Whether a scope is listed publicly (`visibility`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Visibility {
    /// `public`, NAIS's default.
    #[default]
    Public,
    /// `private`.
    Private,
}

/// NAIS's range for `atMaxAge`, in seconds.
const AT_MAX_AGE: std::ops::RangeInclusive<i64> = 30..=680;

/// The Maskinporten part of one or more NAIS `Application` manifests.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    exposed: Vec<ExposedScope>,
}

/// Why a manifest could not be read: match [`ManifestError::kind`].
///
/// ```
/// use maskinporten_rocket::manifest::{Manifest, ManifestErrorKind};
///
/// let error = Manifest::from_yaml("kind: Application\nspec: [", "nav").unwrap_err();
/// assert_eq!(error.kind(), &ManifestErrorKind::NotAManifest);
/// ```
#[derive(Debug)]
pub struct ManifestError {
    kind: ManifestErrorKind,
    path: Option<PathBuf>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// The ways a manifest cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManifestErrorKind {
    /// The file cannot be read; the I/O error is the source.
    Unreadable,
    /// The text is not YAML shaped like a NAIS manifest; the YAML error is
    /// the source.
    NotAManifest,
    /// An `exposes[]` entry's `separator` is not one character.
    BadSeparator {
        /// The entry's `name`.
        name: String,
        /// The `separator` as written.
        separator: String,
    },
    /// An `exposes[]` entry does not make a scope NAIS can expose; the
    /// [`ScopeError`] is the source.
    BadScope {
        /// The entry's `name`.
        name: String,
        /// The entry's `product`.
        product: String,
    },
    /// An `exposes[]` entry has a field NAIS's `ExposedScope` does not
    /// (a typo NAIS itself would refuse).
    UnknownField {
        /// The entry's `name`.
        name: String,
        /// The field as written.
        field: String,
    },
    /// An `exposes[]` field has a value NAIS does not allow: `atMaxAge`
    /// outside 30 to 680, `visibility` other than `private`/`public`,
    /// `delegationSource` other than `altinn`, an empty
    /// `allowedIntegrations`, or a `separator` other than `/` on a scope
    /// with a `delegationSource`.
    BadValue {
        /// The entry's `name`.
        name: String,
        /// The field (`atMaxAge`, `visibility`, …).
        field: &'static str,
        /// The value as read.
        value: String,
    },
}

impl ManifestError {
    fn new(kind: ManifestErrorKind) -> ManifestError {
        ManifestError {
            kind,
            path: None,
            source: None,
        }
    }

    fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> ManifestError {
        self.source = Some(Box::new(source));
        self
    }

    fn at(mut self, path: &Path) -> ManifestError {
        self.path = Some(path.to_owned());
        self
    }

    /// What is wrong.
    pub fn kind(&self) -> &ManifestErrorKind {
        &self.kind
    }

    /// The file, when the manifest was read from one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = &self.path {
            write!(f, "{}: ", path.display())?;
        }
        match &self.kind {
            ManifestErrorKind::Unreadable => f.write_str("cannot read the file"),
            ManifestErrorKind::NotAManifest => f.write_str("not a NAIS manifest"),
            ManifestErrorKind::BadSeparator { name, separator } => write!(
                f,
                "separator {separator:?} of `{name}` is not one character"
            ),
            ManifestErrorKind::BadScope { name, product } => write!(
                f,
                "exposed scope `{name}` ({product}) is not a scope NAIS can expose"
            ),
            ManifestErrorKind::UnknownField { name, field } => write!(
                f,
                "exposed scope `{name}` has the field {field:?}, which NAIS does not know"
            ),
            ManifestErrorKind::BadValue { name, field, value } => {
                let allowed = match *field {
                    "atMaxAge" => "30 to 680 seconds",
                    "visibility" => "private or public",
                    "delegationSource" => "altinn",
                    "allowedIntegrations" => "at least one",
                    "separator" => "/ when delegationSource is set",
                    _ => "another value",
                };
                write!(
                    f,
                    "exposed scope `{name}` has {field} {value}; NAIS allows {allowed}"
                )
            }
        }
    }
}

impl StdError for ManifestError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|source| source as &(dyn StdError + 'static))
    }
}

#[derive(Deserialize)]
struct Document {
    kind: Option<String>,
    spec: Option<Spec>,
}

#[derive(Deserialize)]
struct Spec {
    maskinporten: Option<MaskinportenSpec>,
}

#[derive(Deserialize)]
struct MaskinportenSpec {
    scopes: Option<ScopesSpec>,
}

#[derive(Deserialize)]
struct ScopesSpec {
    #[serde(default)]
    exposes: Vec<ExposedSpec>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExposedSpec {
    name: String,
    product: String,
    separator: Option<String>,
    enabled: Option<bool>,
    #[serde(default)]
    consumers: Vec<ConsumerSpec>,
    accessible_for_all: Option<bool>,
    delegation_source: Option<String>,
    allowed_integrations: Option<Vec<String>>,
    at_max_age: Option<Number>,
    visibility: Option<String>,
    /// Whatever else the entry holds: each is an error naming the scope.
    #[serde(flatten)]
    unknown: BTreeMap<String, serde::de::IgnoredAny>,
}

/// A number, or text: a templated value (`{{ max_age }}`, read as the word
/// `untemplate` leaves), which cannot be checked, or a mistake.
#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Number(i64),
    Text(String),
}

#[derive(Deserialize)]
struct ConsumerSpec {
    orgno: String,
}

impl Manifest {
    /// Reads the manifests at `paths` (each may hold several YAML documents;
    /// only `kind: Application` counts).
    pub fn from_paths(paths: &[PathBuf], prefix: &str) -> Result<Manifest, ManifestError> {
        let mut manifest = Manifest::default();
        for path in paths {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ManifestError::new(ManifestErrorKind::Unreadable)
                    .with_source(e)
                    .at(path)
            })?;
            let one = Manifest::from_yaml(&text, prefix).map_err(|e| e.at(path))?;
            manifest.exposed.extend(one.exposed);
        }
        Ok(manifest)
    }

    /// Reads a manifest from YAML text. NAIS templating (`{{ image }}`) is
    /// read as a plain value, so a manifest checks as it is committed.
    pub fn from_yaml(text: &str, prefix: &str) -> Result<Manifest, ManifestError> {
        let text = untemplate(text);
        let documents: Vec<Document> = serde_saphyr::from_multiple(&text)
            .map_err(|e| ManifestError::new(ManifestErrorKind::NotAManifest).with_source(e))?;
        let mut exposed = Vec::new();
        for document in documents {
            if document.kind.as_deref() != Some("Application") {
                continue;
            }
            let entries = document
                .spec
                .and_then(|s| s.maskinporten)
                .and_then(|m| m.scopes)
                .map(|s| s.exposes)
                .unwrap_or_default();
            for entry in entries {
                exposed.push(entry.into_exposed(prefix)?);
            }
        }
        Ok(Manifest { exposed })
    }

    /// The exposed scopes, in manifest order.
    pub fn exposed(&self) -> &[ExposedScope] {
        &self.exposed
    }

    fn find(&self, scope: &str) -> Option<&ExposedScope> {
        self.exposed.iter().find(|e| e.scope.as_str() == scope)
    }
}

impl ExposedSpec {
    fn into_exposed(self, prefix: &str) -> Result<ExposedScope, ManifestError> {
        // NAIS's default: `/` when the name holds one, `:` otherwise.
        let separator = match self.separator.as_deref() {
            Some(s) => {
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => c,
                    _ => {
                        return Err(ManifestError::new(ManifestErrorKind::BadSeparator {
                            name: self.name,
                            separator: s.to_owned(),
                        }));
                    }
                }
            }
            None if self.name.contains('/') => '/',
            None => ':',
        };
        if let Some(field) = self.unknown.keys().next() {
            return Err(ManifestError::new(ManifestErrorKind::UnknownField {
                name: self.name,
                field: field.clone(),
            }));
        }
        let name = self.name.clone();
        let bad = |field, value: String| {
            Err(ManifestError::new(ManifestErrorKind::BadValue {
                name: name.clone(),
                field,
                value,
            }))
        };
        let delegation_source = match self.delegation_source.as_deref() {
            None => None,
            Some("altinn") => Some(DelegationSource::Altinn),
            Some(other) => return bad("delegationSource", format!("{other:?}")),
        };
        if delegation_source.is_some() && separator != '/' {
            return bad("separator", format!("{:?}", separator.to_string()));
        }
        let visibility = match self.visibility.as_deref() {
            None | Some("public") => Visibility::Public,
            Some("private") => Visibility::Private,
            Some(other) => return bad("visibility", format!("{other:?}")),
        };
        let at_max_age = match self.at_max_age {
            None => None,
            Some(Number::Text(text)) if text == TEMPLATED => None,
            Some(Number::Text(text)) => return bad("atMaxAge", format!("{text:?}")),
            Some(Number::Number(age)) => match u32::try_from(age) {
                Ok(age) if AT_MAX_AGE.contains(&i64::from(age)) => Some(age),
                _ => return bad("atMaxAge", age.to_string()),
            },
        };
        let allowed_integrations = match self.allowed_integrations {
            None => vec!["maskinporten".to_owned()],
            Some(list) if list.is_empty() => return bad("allowedIntegrations", "[]".into()),
            Some(list) => list,
        };
        let scope = match Scope::from_parts(prefix, &self.product, separator, &self.name) {
            Ok(scope) => scope,
            Err(error) => return Err(bad_scope(self.name, self.product, error)),
        };
        Ok(ExposedScope {
            scope,
            enabled: self.enabled.unwrap_or(true),
            consumers: self.consumers.into_iter().map(|c| c.orgno).collect(),
            accessible_for_all: self.accessible_for_all.unwrap_or(false),
            delegation_source,
            allowed_integrations,
            at_max_age,
            visibility,
        })
    }
}

fn bad_scope(name: String, product: String, error: ScopeError) -> ManifestError {
    ManifestError::new(ManifestErrorKind::BadScope { name, product }).with_source(error)
}

/// What a `{{ … }}` template expression reads as.
const TEMPLATED: &str = "templated";

/// Replaces `{{ … }}` template expressions with a plain word.
fn untemplate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                out.push_str(TEMPLATED);
                rest = &rest[start + end + 2..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What the comparison found. Errors mean a consumer holding a scope meets a
/// handler that cannot work as written; warnings are loose ends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// Mismatches that break requests: a required scope the manifest does
    /// not expose or has disabled, a consumer allowed in code but not granted.
    pub errors: Vec<Finding>,
    /// Loose ends: an exposed scope that no mounted handler requires, an
    /// allow-list in code on a scope open to all.
    pub warnings: Vec<Finding>,
}

/// One thing the comparison found: what, about which scope, on which route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    kind: FindingKind,
    scope: String,
    route: Option<MountedRoute>,
}

/// What a [`Finding`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FindingKind {
    /// A handler requires a scope the manifest does not expose (an error).
    NotExposed,
    /// A handler requires a scope the manifest exposes with
    /// `enabled: false` (an error).
    Disabled,
    /// A handler allows a consumer the manifest does not grant the scope
    /// (an error).
    ConsumerNotGranted {
        /// The organisation number the handler allows.
        orgno: String,
    },
    /// The manifest exposes a scope no mounted handler requires (a warning).
    Unused,
    /// A handler requires a scope whose `allowedIntegrations` leave out
    /// `maskinporten`, so no Maskinporten token can carry it (an error).
    NotForMaskinporten,
    /// A handler allows only some consumers of a scope the manifest makes
    /// `accessibleForAll`: every other organisation can get a token with
    /// the scope and is refused by the handler alone (a warning).
    AllowListOnOpenScope,
    /// A handler says `delegation = allow` for a scope the manifest gives
    /// no `delegationSource`, so no delegated token for it exists (a
    /// warning).
    DelegationWithoutSource,
    /// A handler says `delegation = require` for a scope the manifest gives
    /// no `delegationSource`: no token can ever pass (an error).
    DelegationRequiredWithoutSource,
}

impl Finding {
    /// What was found.
    pub fn kind(&self) -> &FindingKind {
        &self.kind
    }

    /// The scope it is about, in full (`nav:helse/sykepenger/afp.read`).
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The route it is about; `None` for [`FindingKind::Unused`].
    pub fn route(&self) -> Option<&MountedRoute> {
        self.route.as_ref()
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scope = &self.scope;
        let route = match &self.route {
            Some(route) => route.to_string(),
            None => "a route".to_owned(),
        };
        match &self.kind {
            FindingKind::NotExposed => write!(
                f,
                "{route} requires `{scope}`, which the manifest does not expose; add it to \
                 spec.maskinporten.scopes.exposes"
            ),
            FindingKind::Disabled => write!(
                f,
                "{route} requires `{scope}`, which the manifest exposes with enabled: false"
            ),
            FindingKind::ConsumerNotGranted { orgno } => write!(
                f,
                "{route} allows consumer {orgno}, which the manifest does not grant \
                 `{scope}`; add it to that scope's consumers"
            ),
            FindingKind::Unused => write!(
                f,
                "the manifest exposes `{scope}`, which no mounted handler requires"
            ),
            FindingKind::NotForMaskinporten => write!(
                f,
                "{route} requires `{scope}`, whose allowedIntegrations leave out maskinporten, \
                 so no Maskinporten token can carry it"
            ),
            FindingKind::AllowListOnOpenScope => write!(
                f,
                "{route} allows only some consumers of `{scope}`, which the manifest makes \
                 accessibleForAll: every other organisation can get the scope and is refused \
                 by the handler alone"
            ),
            FindingKind::DelegationWithoutSource => write!(
                f,
                "{route} allows delegated access to `{scope}`, which the manifest gives no \
                 delegationSource, so no delegated token for it exists; add \
                 delegationSource: altinn to the scope, or remove delegation = allow"
            ),
            FindingKind::DelegationRequiredWithoutSource => write!(
                f,
                "{route} requires delegated access to `{scope}`, which the manifest gives no \
                 delegationSource, so no token can pass; add delegationSource: altinn to the \
                 scope"
            ),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            writeln!(f, "error: {e}")?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}

/// Compares the manifest with the protected routes of the scope map.
pub fn compare(manifest: &Manifest, map: &ScopeMap) -> Report {
    let mut report = Report::default();
    let mut required = BTreeSet::new();
    for route in map {
        let Protection::Scopes(requirement) = route.protection else {
            continue;
        };
        let finding = |kind, scope: &str| Finding {
            kind,
            scope: scope.to_owned(),
            route: Some(route.clone()),
        };
        for &scope in requirement.scopes() {
            required.insert(scope);
            match manifest.find(scope) {
                None => report.errors.push(finding(FindingKind::NotExposed, scope)),
                Some(exposed) if !exposed.enabled => {
                    report.errors.push(finding(FindingKind::Disabled, scope))
                }
                Some(exposed) => {
                    if !exposed
                        .allowed_integrations
                        .iter()
                        .any(|i| i == "maskinporten")
                    {
                        report
                            .errors
                            .push(finding(FindingKind::NotForMaskinporten, scope));
                    }
                    match (requirement.written_delegation(), &exposed.delegation_source) {
                        (Some(Delegation::Allow), None) => report
                            .warnings
                            .push(finding(FindingKind::DelegationWithoutSource, scope)),
                        (Some(Delegation::Require), None) => report
                            .errors
                            .push(finding(FindingKind::DelegationRequiredWithoutSource, scope)),
                        _ => {}
                    }
                    if exposed.accessible_for_all && !requirement.consumers().is_empty() {
                        report
                            .warnings
                            .push(finding(FindingKind::AllowListOnOpenScope, scope));
                        continue;
                    }
                    for &orgno in requirement.consumers() {
                        if !exposed.consumers.iter().any(|c| c == orgno) {
                            let kind = FindingKind::ConsumerNotGranted {
                                orgno: orgno.to_owned(),
                            };
                            report.errors.push(finding(kind, scope));
                        }
                    }
                }
            }
        }
    }
    for exposed in &manifest.exposed {
        if exposed.enabled && !required.contains(exposed.scope.as_str()) {
            report.warnings.push(Finding {
                kind: FindingKind::Unused,
                scope: exposed.scope.to_string(),
                route: None,
            });
        }
    }
    report
}

/// Panics with the report unless the manifest at `path` and `rocket`'s
/// routes agree (no errors). For a test in the application:
///
/// ```no_run
/// # let rocket = rocket::build();
/// maskinporten_rocket::manifest::assert_manifest_matches(&rocket, ".nais/app.yaml");
/// ```
///
/// The scopes' organisation prefix is `rocket`'s configured `scope_prefix`
/// (`nav` by default), as at ignite.
pub fn assert_manifest_matches<P: rocket::Phase>(
    rocket: &rocket::Rocket<P>,
    path: impl AsRef<Path>,
) {
    let prefix = match Config::from_figment(rocket.figment()) {
        Ok(config) => config.scope_prefix,
        Err(e) => panic!("{}", Chain(&e)),
    };
    let manifest = match Manifest::from_paths(&[path.as_ref().to_owned()], &prefix) {
        Ok(manifest) => manifest,
        Err(e) => panic!("{}", Chain(&e)),
    };
    let report = compare(&manifest, &crate::routes::scope_map(rocket));
    assert!(
        report.errors.is_empty(),
        "the NAIS manifest and the code disagree:\n{report}"
    );
}

/// The manifest files to check when none is configured: `nais.yaml`, else
/// every `.nais/*.yaml` (or `.yml`), relative to the working directory.
pub(crate) fn discover() -> Vec<PathBuf> {
    let single = PathBuf::from("nais.yaml");
    if single.is_file() {
        return vec![single];
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(".nais")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    found.sort();
    found
}

/// The `exposes:` block for the scopes the mounted handlers require, ready
/// to paste under `spec.maskinporten.scopes`. Consumers come from the
/// handlers' allow-lists; a scope that some handler grants to any consumer
/// also gets a commented line reminding to list the organisations.
///
/// ```
/// use maskinporten_rocket::manifest::exposes_yaml;
/// use maskinporten_rocket::routes::scope_map;
/// use maskinporten_rocket::scopes;
/// use rocket::get;
///
/// #[scopes("nav:helse/sykepenger/afp.read", consumers = ["123456789"])]
/// #[get("/afp")]
/// fn afp() -> &'static str { "afp" }
///
/// let yaml = exposes_yaml(&scope_map(&rocket::build().mount("/", maskinporten_rocket::routes![afp])));
/// assert!(yaml.contains("name: \"sykepenger/afp.read\""));
/// assert!(yaml.contains("orgno: \"123456789\""));
/// ```
pub fn exposes_yaml(map: &ScopeMap) -> String {
    /// The consumers the code names for a scope, whether some handler
    /// requiring it is open to any consumer, and whether some handler
    /// says it takes delegated tokens (`delegation = allow | require`).
    #[derive(Default)]
    struct Needs<'a> {
        consumers: BTreeSet<&'a str>,
        open: bool,
        delegated: bool,
    }
    let mut scopes: BTreeMap<&str, Needs> = BTreeMap::new();
    for route in map {
        let Protection::Scopes(requirement) = route.protection else {
            continue;
        };
        for &scope in requirement.scopes() {
            let needs = scopes.entry(scope).or_default();
            needs
                .consumers
                .extend(requirement.consumers().iter().copied());
            needs.open |= requirement.consumers().is_empty();
            needs.delegated |= matches!(
                requirement.written_delegation(),
                Some(Delegation::Allow | Delegation::Require)
            );
        }
    }
    let mut yaml = String::from("exposes:\n");
    for (scope, needs) in scopes {
        let Ok(parsed) = Scope::parse(scope) else {
            continue; // checked by #[scopes] at compile time
        };
        yaml.push_str(&format!(
            "  # {scope}\n  - name: \"{}\"\n    enabled: true\n    product: \"{}\"\n    separator: \"{}\"\n",
            parsed.name(),
            parsed.product(),
            parsed.separator()
        ));
        if needs.delegated {
            // NAIS allows delegationSource only with the `/` separator.
            yaml.push_str(if parsed.separator() == '/' {
                "    delegationSource: \"altinn\"\n"
            } else {
                "    # delegationSource: \"altinn\" needs separator \"/\" (a handler takes delegated tokens)\n"
            });
        }
        if !needs.consumers.is_empty() {
            yaml.push_str("    consumers:\n");
            for orgno in &needs.consumers {
                yaml.push_str(&format!("      - orgno: \"{orgno}\"\n"));
            }
        }
        if needs.open {
            // A handler takes any consumer holding the scope: who gets it
            // is the manifest's decision alone.
            let key = if needs.consumers.is_empty() {
                "    # consumers:\n"
            } else {
                ""
            };
            yaml.push_str(key);
            yaml.push_str("    #   - orgno: \"<each organisation granted this scope>\"\n");
        }
    }
    yaml
}

#[cfg(test)]
mod tests;
