//! Comparing the NAIS manifest with the code: the scopes the manifest exposes
//! (`spec.maskinporten.scopes.exposes[]`) against the scopes the mounted
//! handlers require, and the consumers the code allows against those the
//! manifest grants. Also the reverse: the `exposes:` block the code needs.
//!
//! ```
//! use maskinporten_rocket::manifest::{compare, Manifest};
//! use maskinporten_rocket::routes::scope_map;
//! use maskinporten_rocket::scopes;
//!
//! #[scopes("nav:helse/sykepenger/afp.read")]
//! #[rocket::get("/afp")]
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

use crate::config::{Chain, Config};
use crate::routes::{MountedRoute, Protection, ScopeMap};
use crate::scope::{Scope, ScopeError};

/// A scope as the manifest exposes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExposedScope {
    /// The full scope, `<prefix>:<product><separator><name>`.
    pub scope: Scope,
    /// `enabled`: a disabled scope is not issued.
    pub enabled: bool,
    /// `consumers[].orgno`: the organisations granted the scope.
    pub consumers: Vec<String>,
}

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
struct ExposedSpec {
    name: String,
    product: String,
    separator: Option<String>,
    enabled: Option<bool>,
    #[serde(default)]
    consumers: Vec<ConsumerSpec>,
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
                        }))
                    }
                }
            }
            None if self.name.contains('/') => '/',
            None => ':',
        };
        let scope = match Scope::from_parts(prefix, &self.product, separator, &self.name) {
            Ok(scope) => scope,
            Err(error) => return Err(bad_scope(self.name, self.product, error)),
        };
        Ok(ExposedScope {
            scope,
            enabled: self.enabled.unwrap_or(true),
            consumers: self.consumers.into_iter().map(|c| c.orgno).collect(),
        })
    }
}

fn bad_scope(name: String, product: String, error: ScopeError) -> ManifestError {
    ManifestError::new(ManifestErrorKind::BadScope { name, product }).with_source(error)
}

/// Replaces `{{ … }}` template expressions with a plain word.
fn untemplate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                out.push_str("templated");
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
    /// An exposed scope that no mounted handler requires.
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
///
/// #[scopes("nav:helse/sykepenger/afp.read", consumers = ["123456789"])]
/// #[rocket::get("/afp")]
/// fn afp() -> &'static str { "afp" }
///
/// let yaml = exposes_yaml(&scope_map(&rocket::build().mount("/", maskinporten_rocket::routes![afp])));
/// assert!(yaml.contains("name: \"sykepenger/afp.read\""));
/// assert!(yaml.contains("orgno: \"123456789\""));
/// ```
pub fn exposes_yaml(map: &ScopeMap) -> String {
    /// The consumers the code names for a scope, and whether some handler
    /// requiring it is open to any consumer.
    #[derive(Default)]
    struct Needs<'a> {
        consumers: BTreeSet<&'a str>,
        open: bool,
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
