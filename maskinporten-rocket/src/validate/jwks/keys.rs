//! Where keys are fetched and kept: issuer metadata (RFC 8414), the JWKS,
//! and the rules for refreshing them.
//!
//! Readers never wait for the network: the trusted issuer and its keys sit
//! behind an `ArcSwap`, replaced whole when a fetch succeeds. Fetches take a
//! separate async mutex, so at most one is in flight and callers that queued
//! behind it share its result. A token under an unknown `kid` sets off at most
//! one fetch per cooldown. A failed fetch, or a JWKS with no usable key, keeps
//! the keys we had.
//!
//! Which members of a JWKS are used is [`parse_jwks`]'s rule: RSA signing
//! keys of at least 2048 bits whose `use`, `key_ops` and `alg` allow
//! verifying our tokens, with a `kid` no other member shares. Each key not
//! used is logged once per load with its `kid` and the reason.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use aws_lc_rs::signature::{self, ParsedPublicKey, RsaParameters, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::Algorithm;
use serde_json::Value;

use crate::config::Sources;
use crate::http::{FetchError, Http, is_https_or_loopback};
use crate::metrics::{Metrics, Trigger};
use crate::well_known::issuer_of_well_known_url;

/// Metadata and JWKS documents are a few KiB; refuse to read more than this.
const MAX_DOCUMENT_BYTES: usize = 512 * 1024;
/// More keys than any issuer publishes; a longer list is cut, not trusted whole.
const MAX_KEYS: usize = 64;
/// RSA keys shorter than this are not used (RFC 7518 §3.3).
const MIN_RSA_MODULUS_BITS: usize = 2048;

/// A verification key from the JWKS, parsed once when the set loads: a
/// verification then costs the RSA operation and nothing else (no key
/// rebuilt from `n` and `e`, no Montgomery constants recomputed), and it
/// does not depend on which crypto provider `jsonwebtoken` has installed
/// for the process.
pub(crate) struct Key {
    pub(crate) parsed: ParsedPublicKey,
    /// The JWK's declared `alg`, or RS256 when it declares none.
    pub(crate) algorithm: Algorithm,
}

/// The aws-lc-rs verification parameters for an RSA `alg` (RFC 7518 §3.3,
/// §3.5); `None` for every other algorithm. The 2048-bit floor of these
/// parameters is the same as ours.
pub(crate) fn rsa_parameters(algorithm: Algorithm) -> Option<&'static RsaParameters> {
    Some(match algorithm {
        Algorithm::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        Algorithm::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
        Algorithm::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        Algorithm::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
        Algorithm::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
        Algorithm::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    })
}

/// What we trust: the issuer and its keys, as of one successful fetch.
pub(crate) struct Anchor {
    pub(crate) issuer: String,
    pub(crate) keys: HashMap<String, Arc<Key>>,
    /// The metadata's `token_endpoint`, for OpenAPI documents; `None`
    /// when no metadata was fetched (`issuer` and `jwks_uri` configured)
    /// or it names none.
    pub(crate) token_endpoint: Option<String>,
}

/// Why no key could be found for a `kid`.
#[derive(Debug)]
pub(crate) enum KeyLookupError {
    /// We have keys, but none under this `kid`.
    Unknown,
    /// We cannot tell: no keys are loaded yet, or the issuer's latest
    /// answer failed.
    Unavailable,
}

pub(crate) struct KeyStore {
    http: Http,
    sources: Sources,
    cooldown: Duration,
    anchor: ArcSwapOption<Anchor>,
    /// Bumped after every successful fetch, so a caller that waited for the
    /// fetch lock can tell that someone else already refreshed.
    generation: AtomicU64,
    fetch: tokio::sync::Mutex<FetchState>,
    metrics: Metrics,
}

#[derive(Default)]
struct FetchState {
    last_on_demand: Option<Instant>,
    /// The metadata of the last successful discovery: a refresh for an
    /// unknown `kid` reuses it, the periodic refresh fetches it again.
    metadata: Option<Metadata>,
    /// Counts consecutive failures, for the background task's backoff.
    failures: u32,
}

impl KeyStore {
    pub(crate) fn new(
        http: Http,
        sources: Sources,
        cooldown: Duration,
        metrics: Metrics,
    ) -> KeyStore {
        metrics.key_store_started();
        KeyStore {
            http,
            sources,
            cooldown,
            anchor: ArcSwapOption::empty(),
            generation: AtomicU64::new(0),
            fetch: tokio::sync::Mutex::new(FetchState::default()),
            metrics,
        }
    }

    /// Whether keys are loaded, so that tokens can be verified.
    pub(crate) fn is_ready(&self) -> bool {
        self.anchor.load().is_some()
    }

    /// The issuer's `token_endpoint`, from the metadata of the last
    /// successful load.
    pub(crate) fn token_endpoint(&self) -> Option<String> {
        self.anchor.load().as_ref()?.token_endpoint.clone()
    }

    /// The key under `kid`, with the issuer it belongs to. A known `kid`
    /// never waits; an unknown one may set off one refresh (see module docs).
    /// An unknown `kid` is only called unknown when the issuer's last
    /// answer was good: while it fails we cannot tell a rotated key from a
    /// forged one, and say so (503), rather than refuse a valid token.
    pub(crate) async fn key(&self, kid: &str) -> Result<(Arc<Anchor>, Arc<Key>), KeyLookupError> {
        let seen = self.generation.load(Ordering::Acquire);
        if let Some(found) = self.lookup(kid) {
            return Ok(found);
        }
        let issuer_answered = self.refresh_for_unknown_kid(seen).await;
        match self.lookup(kid) {
            Some(found) => Ok(found),
            None if issuer_answered && self.is_ready() => Err(KeyLookupError::Unknown),
            None => Err(KeyLookupError::Unavailable),
        }
    }

    fn lookup(&self, kid: &str) -> Option<(Arc<Anchor>, Arc<Key>)> {
        let anchor = self.anchor.load_full()?;
        let key = anchor.keys.get(kid)?.clone();
        Some((anchor, key))
    }

    /// The one place an unknown `kid` leads to a fetch. Returns whether the
    /// issuer's latest answer, this one or an earlier, was good.
    async fn refresh_for_unknown_kid(&self, seen_generation: u64) -> bool {
        let mut state = self.fetch.lock().await;
        if self.generation.load(Ordering::Acquire) != seen_generation {
            return true; // refreshed while we waited: use that result
        }
        if state
            .last_on_demand
            .is_some_and(|at| at.elapsed() < self.cooldown)
        {
            tracing::debug!(target: "maskinporten", "unknown kid: JWKS refresh still cooling down");
            return state.failures == 0;
        }
        state.last_on_demand = Some(Instant::now());
        self.fetch_locked(&mut state, Discovery::Reuse, Trigger::UnknownKid)
            .await;
        state.failures == 0
    }

    /// Fetches metadata (when needed) and keys now. Returns whether keys are
    /// loaded afterwards. Used at start and by the background task, as
    /// `trigger` says.
    pub(crate) async fn refresh(&self, trigger: Trigger) -> bool {
        let mut state = self.fetch.lock().await;
        self.fetch_locked(&mut state, Discovery::Refetch, trigger)
            .await;
        self.is_ready()
    }

    /// How long the background task should wait before the next refresh:
    /// the interval when all is well, a doubling backoff after failures.
    pub(crate) async fn next_refresh_in(&self, interval: Duration) -> Duration {
        let failures = self.fetch.lock().await.failures;
        if failures == 0 {
            interval
        } else {
            Duration::from_secs(1u64 << (failures - 1).min(16)).min(interval)
        }
    }

    async fn fetch_locked(&self, state: &mut FetchState, discovery: Discovery, trigger: Trigger) {
        match self.fetch_anchor(state, discovery).await {
            Ok(anchor) => {
                let mut kids: Vec<&str> = anchor.keys.keys().map(String::as_str).collect();
                kids.sort_unstable();
                self.metrics.key_refresh(trigger, Some(kids.len()));
                // Issuer and kids come from the network: quoted, so that no
                // control character in them reaches the log raw.
                tracing::info!(target: "maskinporten", trigger = trigger.as_str(),
                    result = "success", keys = kids.len(),
                    "loaded {} signing keys for {:?} (kids: {:?})", kids.len(), anchor.issuer, kids);
                self.anchor.store(Some(Arc::new(anchor)));
                self.generation.fetch_add(1, Ordering::AcqRel);
                state.failures = 0;
            }
            Err(why) => {
                state.failures = state.failures.saturating_add(1);
                self.metrics.key_refresh(trigger, None);
                let kept = if self.is_ready() {
                    "keeping the keys we have"
                } else {
                    "no keys loaded yet"
                };
                // Every string of the cause that the issuer supplies is
                // quoted by `RefreshError`'s `Display`.
                tracing::error!(target: "maskinporten", trigger = trigger.as_str(),
                    result = "failure", failures = state.failures, cause = %why,
                    "refreshing issuer keys failed: {why}; {kept}");
            }
        }
    }

    async fn fetch_anchor(
        &self,
        state: &mut FetchState,
        discovery: Discovery,
    ) -> Result<Anchor, RefreshError> {
        let (issuer, jwks_uri, token_endpoint) = match &self.sources {
            Sources::Explicit { issuer, jwks_uri } => (issuer.clone(), jwks_uri.clone(), None),
            Sources::Discovered {
                well_known_url,
                issuer,
                jwks_uri,
            } => {
                let metadata = self
                    .metadata(state, well_known_url, issuer.as_deref(), discovery)
                    .await?;
                let lacks = |field| RefreshError::MetadataLacks {
                    url: well_known_url.to_string(),
                    field,
                };
                // Checked against the well-known URL and the configured
                // issuer when fetched (`check_metadata_issuer`); the
                // document's own spelling is the one tokens carry.
                let issuer = metadata.issuer.ok_or_else(|| lacks("issuer"))?;
                // An explicit jwks_uri wins over the discovered one: the
                // configuration, not the issuer's own document, says where
                // the keys are.
                let jwks_uri = match jwks_uri {
                    Some(uri) => uri.clone(),
                    None => {
                        let discovered = metadata.jwks_uri.ok_or_else(|| lacks("jwks_uri"))?;
                        // The document may be fetched over https and still
                        // name plain-http keys, which anyone on that path
                        // could swap: refused, as in the configuration.
                        match reqwest::Url::parse(&discovered) {
                            Ok(url) if is_https_or_loopback(&url) => url,
                            _ => {
                                return Err(RefreshError::InsecureJwksUri {
                                    url: well_known_url.to_string(),
                                    jwks_uri: discovered,
                                });
                            }
                        }
                    }
                };
                (issuer, jwks_uri, metadata.token_endpoint)
            }
        };
        let jwks = match self.http.get_json(&jwks_uri, MAX_DOCUMENT_BYTES).await {
            Ok(jwks) => jwks,
            Err(error) => {
                return Err(RefreshError::Jwks {
                    url: jwks_uri.to_string(),
                    error,
                });
            }
        };
        match parse_jwks(&jwks) {
            Ok(keys) => Ok(Anchor {
                issuer,
                keys,
                token_endpoint,
            }),
            Err(error) => Err(RefreshError::KeySet {
                url: jwks_uri.to_string(),
                error,
            }),
        }
    }

    /// The issuer's metadata: the copy from the last discovery when
    /// `discovery` allows it, else a fresh fetch, else (when that fails) the
    /// copy we have.
    async fn metadata(
        &self,
        state: &mut FetchState,
        url: &reqwest::Url,
        configured_issuer: Option<&str>,
        discovery: Discovery,
    ) -> Result<Metadata, RefreshError> {
        if discovery == Discovery::Reuse
            && let Some(metadata) = &state.metadata
        {
            return Ok(metadata.clone());
        }
        let fetched = fetch_metadata(&self.http, url, configured_issuer).await;
        let metadata = match (fetched, &state.metadata) {
            (Ok(fresh), _) => fresh,
            (Err(why), Some(known)) => {
                tracing::warn!(target: "maskinporten", cause = %why, "{why}; using the metadata we have");
                known.clone()
            }
            (Err(why), None) => return Err(why),
        };
        state.metadata = Some(metadata.clone());
        Ok(metadata)
    }
}

/// Fetches the metadata document and checks its `issuer` (see
/// [`check_metadata_issuer`]): a document that fails the check is not
/// used. The key store's discovery, and the OpenAPI token URL where no
/// discovery runs, read it through here.
pub(crate) async fn fetch_metadata(
    http: &Http,
    url: &reqwest::Url,
    configured_issuer: Option<&str>,
) -> Result<Metadata, RefreshError> {
    let doc = match http.get_json(url, MAX_DOCUMENT_BYTES).await {
        Ok(doc) => doc,
        Err(error) => {
            return Err(RefreshError::Metadata {
                url: url.to_string(),
                error,
            });
        }
    };
    let field = |name: &str| doc.get(name).and_then(Value::as_str).map(str::to_owned);
    let metadata = Metadata {
        issuer: field("issuer"),
        jwks_uri: field("jwks_uri"),
        token_endpoint: field("token_endpoint"),
    };
    check_metadata_issuer(url, configured_issuer, metadata.issuer.as_deref())?;
    Ok(metadata)
}

/// RFC 8414 §3.3: the `issuer` of a metadata document must be identical to
/// the issuer its well-known URL was formed from, and a document whose
/// issuer differs is not used; nor is one whose issuer differs from the
/// configured one (`issuer`, `$MASKINPORTEN_ISSUER`), when that is set.
///
/// "Identical" allows one difference: a single trailing `/`. Maskinporten's
/// issuer is `https://maskinporten.no/`, while the well-known URL formed
/// from it by RFC 8414 §3.1 (`/.well-known/oauth-authorization-server`
/// inserted between the host and the path) reads the same with or without
/// that slash, so the issuer it was formed from cannot tell them apart.
/// Nothing else differs: not case, not a port, not a second slash.
fn check_metadata_issuer(
    url: &reqwest::Url,
    configured: Option<&str>,
    issuer: Option<&str>,
) -> Result<(), RefreshError> {
    let issuer = issuer.ok_or_else(|| RefreshError::MetadataLacks {
        url: url.to_string(),
        field: "issuer",
    })?;
    let mismatch = |expected: &str, by: IssuerSource| RefreshError::MetadataIssuer {
        url: url.to_string(),
        issuer: issuer.chars().take(256).collect(),
        expected: expected.to_owned(),
        by,
    };
    let formed = issuer_of_well_known_url(url).ok_or_else(|| RefreshError::NotWellKnownUrl {
        url: url.to_string(),
    })?;
    if !same_issuer(issuer, &formed) {
        return Err(mismatch(&formed, IssuerSource::WellKnownUrl));
    }
    match configured {
        Some(configured) if !same_issuer(issuer, configured) => {
            Err(mismatch(configured, IssuerSource::Configuration))
        }
        _ => Ok(()),
    }
}

/// Whether two issuer identifiers are the same, allowing only one
/// trailing `/` on either (see [`check_metadata_issuer`]).
pub(crate) fn same_issuer(a: &str, b: &str) -> bool {
    a == b || a.strip_suffix('/') == Some(b) || b.strip_suffix('/') == Some(a)
}

/// What a metadata document's `issuer` was compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IssuerSource {
    /// The issuer the well-known URL was formed from (RFC 8414 §3.3).
    WellKnownUrl,
    /// The configured `issuer` (`$MASKINPORTEN_ISSUER`).
    Configuration,
}

/// Why a refresh of the issuer's keys failed. Logged; the keys we had are
/// kept.
#[derive(Debug)]
pub(crate) enum RefreshError {
    /// The metadata document (RFC 8414 §3) could not be fetched.
    Metadata { url: String, error: FetchError },
    /// The metadata document lacks a value the configuration does not give.
    MetadataLacks { url: String, field: &'static str },
    /// The metadata's `issuer` differs from the issuer its URL was formed
    /// from, or from the configured one (RFC 8414 §3.3).
    MetadataIssuer {
        url: String,
        issuer: String,
        expected: String,
        by: IssuerSource,
    },
    /// The metadata URL is not a well-known URL (RFC 8414 §3.1, OpenID
    /// Connect Discovery 1.0 §4), so the issuer it belongs to is unknown.
    NotWellKnownUrl { url: String },
    /// The metadata names a `jwks_uri` that is not https, nor plain http to
    /// a loopback host.
    InsecureJwksUri { url: String, jwks_uri: String },
    /// The JWKS could not be fetched.
    Jwks { url: String, error: FetchError },
    /// The JWKS holds no key we can use.
    KeySet { url: String, error: KeySetError },
}

impl fmt::Display for RefreshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Every URL is quoted: a discovered jwks_uri is the issuer's
            // string, and may hold anything.
            RefreshError::Metadata { url, error } => write!(f, "metadata at {url:?} {error}"),
            RefreshError::MetadataLacks { url, field } => {
                write!(f, "metadata at {url:?} has no `{field}`")
            }
            RefreshError::MetadataIssuer {
                url,
                issuer,
                expected,
                by,
            } => {
                let whose = match by {
                    IssuerSource::WellKnownUrl => "the issuer its URL was formed from",
                    IssuerSource::Configuration => "the configured issuer",
                };
                write!(
                    f,
                    "metadata at {url:?} names issuer {issuer:?}, not {whose}, {expected:?} \
                     (RFC 8414 §3.3); not using it"
                )
            }
            RefreshError::NotWellKnownUrl { url } => write!(
                f,
                "metadata URL {url:?} does not end in /.well-known/oauth-authorization-server \
                 or /.well-known/openid-configuration, so its issuer cannot be checked \
                 (RFC 8414 §3.3); not using it"
            ),
            RefreshError::InsecureJwksUri { url, jwks_uri } => write!(
                f,
                "metadata at {url:?} names jwks_uri {jwks_uri:?}, which is neither https \
                 nor http to a loopback host; refusing keys anyone on the path could swap"
            ),
            RefreshError::Jwks { url, error } => write!(f, "JWKS at {url:?} {error}"),
            RefreshError::KeySet { url, error } => write!(f, "JWKS at {url:?}: {error}"),
        }
    }
}

impl std::error::Error for RefreshError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RefreshError::Metadata { error, .. } | RefreshError::Jwks { error, .. } => Some(error),
            RefreshError::KeySet { error, .. } => Some(error),
            RefreshError::MetadataLacks { .. }
            | RefreshError::MetadataIssuer { .. }
            | RefreshError::NotWellKnownUrl { .. }
            | RefreshError::InsecureJwksUri { .. } => None,
        }
    }
}

/// Why a JWKS (RFC 7517 §5) as a whole is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeySetError {
    /// The document has no `keys` array.
    NoKeysArray,
    /// No member of `keys` is a usable RSA signing key.
    NoUsableKey,
}

impl fmt::Display for KeySetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeySetError::NoKeysArray => "no `keys` array",
            KeySetError::NoUsableKey => "no usable RSA signing key",
        })
    }
}

impl std::error::Error for KeySetError {}

/// Why one member of a JWKS is not used (RFC 7517 §4, RFC 7518 §3.3 and
/// §6.3). The key's `kid`, when it has one, is logged beside the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JwkError {
    /// `kty` is not `RSA`.
    NotRsa,
    /// `use` is given and is not `sig` (RFC 7517 §4.2).
    NotForSigning,
    /// `key_ops` is given and does not include `verify` (RFC 7517 §4.3).
    NotForVerifying,
    /// No `kid`: a token could never name it.
    NoKid,
    /// Another member of the same set has this `kid`: which key the issuer
    /// means cannot be told, so neither is used.
    DuplicateKid,
    /// `alg` is given and is not an RSA signature algorithm we verify.
    NotRsaAlgorithm { alg: String },
    /// `n` or `e` is missing.
    MissingComponent { name: &'static str },
    /// `n` or `e` is not base64url.
    NotBase64url { name: &'static str },
    /// The modulus is shorter than 2048 bits (RFC 7518 §3.3); `bits` is
    /// its length counted from its highest set bit.
    ShortModulus { bits: usize },
    /// The exponent is even or less than 3: no RSA public key has one.
    BadExponent,
    /// aws-lc refused to build a public key from `n` and `e`.
    Unparsable,
}

impl fmt::Display for JwkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwkError::NotRsa => f.write_str("not an RSA key"),
            JwkError::NotForSigning => f.write_str("`use` is not \"sig\""),
            JwkError::NotForVerifying => f.write_str("`key_ops` does not include \"verify\""),
            JwkError::NoKid => f.write_str("no kid"),
            JwkError::DuplicateKid => {
                f.write_str("the set lists this kid more than once; none of them is used")
            }
            JwkError::NotRsaAlgorithm { alg } => {
                write!(f, "alg {alg:?} is not an RSA signature algorithm")
            }
            JwkError::MissingComponent { name } => write!(f, "no {name}"),
            JwkError::NotBase64url { name } => write!(f, "{name} is not base64url"),
            JwkError::Unparsable => f.write_str("not a valid RSA public key"),
            JwkError::ShortModulus { bits } => {
                write!(f, "RSA modulus of {bits} bits, shorter than 2048")
            }
            JwkError::BadExponent => f.write_str("RSA exponent is not odd and greater than 1"),
        }
    }
}

/// The members of an issuer's metadata (RFC 8414 §2) we read.
#[derive(Clone)]
pub(crate) struct Metadata {
    pub(crate) issuer: Option<String>,
    pub(crate) jwks_uri: Option<String>,
    pub(crate) token_endpoint: Option<String>,
}

/// Whether a refresh fetches the metadata document again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Discovery {
    Reuse,
    Refetch,
}

/// Reads the usable signing keys of a JWKS: RSA keys with a `kid`, meant
/// for verifying signatures, at least 2048 bits, declaring an RSA algorithm
/// or none. Every other key is logged once, with its `kid` and the reason,
/// and the rest of the set is used; a set with no usable key is an error.
///
/// Admission, per key:
/// - `use`, if present, is `sig` (RFC 7517 §4.2); `key_ops`, if present,
///   includes `verify` (RFC 7517 §4.3). RFC 7517 §4.3 says the two should
///   not both be present and must agree if they are: when both are, each
///   must allow verification on its own.
/// - `alg`, if present, is an RSA signature algorithm (RS256/384/512,
///   PS256/384/512; RFC 7518 §3.1); absent, RS256 is assumed.
/// - The modulus is at least 2048 bits (RFC 7518 §3.3), counted from its
///   highest set bit, so leading zero bytes and the leading zero bits of
///   the first byte do not count.
/// - The exponent is odd and greater than 1 (RFC 8017 §3.1: `e` is odd,
///   `3 <= e`).
/// - A `kid` that appears more than once in one set is refused for every
///   member that carries it: a token names its key by `kid` alone
///   (RFC 7515 §4.1.4), so which of them the issuer means cannot be told.
pub(crate) fn parse_jwks(jwks: &Value) -> Result<HashMap<String, Arc<Key>>, KeySetError> {
    let entries = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or(KeySetError::NoKeysArray)?;
    let mut keys = HashMap::new();
    let mut duplicates = HashSet::new();
    let mut seen = HashSet::new();
    for entry in entries.iter().take(MAX_KEYS) {
        let kid = entry.get("kid").and_then(Value::as_str);
        if let Some(kid) = kid
            && !seen.insert(kid)
        {
            duplicates.insert(kid);
            continue;
        }
        match parse_jwk(entry) {
            Ok((kid, key)) => {
                keys.insert(kid, Arc::new(key));
            }
            Err(why) => refused(kid, &why),
        }
    }
    let mut duplicates: Vec<&str> = duplicates.into_iter().collect();
    duplicates.sort_unstable();
    for kid in duplicates {
        keys.remove(kid);
        refused(Some(kid), &JwkError::DuplicateKid);
    }
    if keys.is_empty() {
        return Err(KeySetError::NoUsableKey);
    }
    Ok(keys)
}

/// The one log line for a key the set lists but we do not use. The kid is
/// the issuer's string: quoted, so that no control character in it reaches
/// the log raw.
fn refused(kid: Option<&str>, why: &JwkError) {
    match kid {
        Some(kid) => tracing::warn!(target: "maskinporten", "not using JWK kid {kid:?}: {why}"),
        None => tracing::warn!(target: "maskinporten", "not using JWK without a kid: {why}"),
    }
}

fn parse_jwk(entry: &Value) -> Result<(String, Key), JwkError> {
    let field = |name: &str| entry.get(name).and_then(Value::as_str);
    if field("kty") != Some("RSA") {
        return Err(JwkError::NotRsa);
    }
    // Present but not the string "sig" (a number, say) is refused too.
    if entry.get("use").is_some_and(|u| u.as_str() != Some("sig")) {
        return Err(JwkError::NotForSigning);
    }
    if let Some(ops) = entry.get("key_ops") {
        let verify = ops
            .as_array()
            .is_some_and(|ops| ops.iter().any(|op| op.as_str() == Some("verify")));
        if !verify {
            return Err(JwkError::NotForVerifying);
        }
    }
    let kid = field("kid").ok_or(JwkError::NoKid)?.to_owned();
    let algorithm = match entry.get("alg") {
        None => Algorithm::RS256,
        Some(alg) => {
            let text = alg.as_str().map_or_else(|| alg.to_string(), str::to_owned);
            text.parse::<Algorithm>()
                .ok()
                .filter(|a| rsa_parameters(*a).is_some())
                .ok_or_else(|| JwkError::NotRsaAlgorithm {
                    alg: text.chars().take(32).collect(),
                })?
        }
    };
    let component = |name: &'static str| {
        let text = field(name).ok_or(JwkError::MissingComponent { name })?;
        URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| JwkError::NotBase64url { name })
    };
    let (n, e) = (component("n")?, component("e")?);
    let bits = significant_bits(&n);
    if bits < MIN_RSA_MODULUS_BITS {
        return Err(JwkError::ShortModulus { bits });
    }
    // Odd and at least 3: the lowest byte is odd, and a one-byte exponent
    // is not 1.
    let e_odd = e.last().is_some_and(|last| last & 1 == 1);
    if !e_odd || significant_bits(&e) < 2 {
        return Err(JwkError::BadExponent);
    }
    // RFC 7518 §6.3.1.1 asks for the fewest octets, yet some issuers pad
    // `n` with a zero octet; the verifier refuses a padded modulus, so the
    // padding goes (the number is the same).
    let unpadded =
        |bytes: &[u8]| -> Vec<u8> { bytes.iter().copied().skip_while(|&b| b == 0).collect() };
    let components = RsaPublicKeyComponents {
        n: unpadded(&n),
        e: unpadded(&e),
    };
    let parameters = rsa_parameters(algorithm).ok_or(JwkError::Unparsable)?;
    let parsed = components
        .to_parsed_public_key(parameters)
        .map_err(|_| JwkError::Unparsable)?;
    Ok((kid, Key { parsed, algorithm }))
}

/// The length in bits of a big-endian unsigned integer: from its highest
/// set bit, so that leading zero bytes and bits do not count.
fn significant_bits(bytes: &[u8]) -> usize {
    let mut rest = bytes.iter().skip_while(|&&b| b == 0);
    match rest.next() {
        None => 0,
        Some(first) => (8 - first.leading_zeros() as usize) + 8 * rest.count(),
    }
}

#[cfg(test)]
mod tests;
