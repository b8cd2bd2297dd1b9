//! Where keys are fetched and kept: issuer metadata (RFC 8414), the JWKS,
//! and the rules for refreshing them.
//!
//! Readers never wait for the network: the trusted issuer and its keys sit
//! behind an `ArcSwap`, replaced whole when a fetch succeeds. Fetches take a
//! separate async mutex, so at most one is in flight and callers that queued
//! behind it share its result. A token under an unknown `kid` sets off at most
//! one fetch per cooldown. A failed fetch, or a JWKS with no usable key, keeps
//! the keys we had.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};
use serde_json::Value;

use crate::config::Sources;
use crate::http::{is_https_or_loopback, FetchError, Http};

/// Metadata and JWKS documents are a few KiB; refuse to read more than this.
const MAX_DOCUMENT_BYTES: usize = 512 * 1024;
/// More keys than any issuer publishes; a longer list is cut, not trusted whole.
const MAX_KEYS: usize = 64;
/// RSA keys shorter than this are not used (RFC 7518 §3.3).
const MIN_RSA_MODULUS_BYTES: usize = 2048 / 8;

/// A verification key from the JWKS.
pub(crate) struct Key {
    pub(crate) decoding: DecodingKey,
    /// The JWK's declared `alg`, or RS256 when it declares none.
    pub(crate) algorithm: Algorithm,
}

/// What we trust: the issuer and its keys, as of one successful fetch.
pub(crate) struct Anchor {
    pub(crate) issuer: String,
    pub(crate) keys: HashMap<String, Arc<Key>>,
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
    pub(crate) fn new(http: Http, sources: Sources, cooldown: Duration) -> KeyStore {
        KeyStore {
            http,
            sources,
            cooldown,
            anchor: ArcSwapOption::empty(),
            generation: AtomicU64::new(0),
            fetch: tokio::sync::Mutex::new(FetchState::default()),
        }
    }

    /// Whether keys are loaded, so that tokens can be verified.
    pub(crate) fn is_ready(&self) -> bool {
        self.anchor.load().is_some()
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
            log::debug!(target: "maskinporten", "unknown kid: JWKS refresh still cooling down");
            return state.failures == 0;
        }
        state.last_on_demand = Some(Instant::now());
        self.fetch_locked(&mut state, Discovery::Reuse).await;
        state.failures == 0
    }

    /// Fetches metadata (when needed) and keys now. Returns whether keys are
    /// loaded afterwards. Used at start and by the background task.
    pub(crate) async fn refresh(&self) -> bool {
        let mut state = self.fetch.lock().await;
        self.fetch_locked(&mut state, Discovery::Refetch).await;
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

    async fn fetch_locked(&self, state: &mut FetchState, discovery: Discovery) {
        match self.fetch_anchor(state, discovery).await {
            Ok(anchor) => {
                let mut kids: Vec<&str> = anchor.keys.keys().map(String::as_str).collect();
                kids.sort_unstable();
                // Issuer and kids come from the network: quoted, so that no
                // control character in them reaches the log raw.
                log::info!(target: "maskinporten", "loaded {} signing keys for {:?} (kids: {:?})",
                    kids.len(), anchor.issuer, kids);
                self.anchor.store(Some(Arc::new(anchor)));
                self.generation.fetch_add(1, Ordering::AcqRel);
                state.failures = 0;
            }
            Err(why) => {
                state.failures = state.failures.saturating_add(1);
                let kept = if self.is_ready() {
                    "keeping the keys we have"
                } else {
                    "no keys loaded yet"
                };
                log::error!(target: "maskinporten", "refreshing issuer keys failed: {why}; {kept}");
            }
        }
    }

    async fn fetch_anchor(
        &self,
        state: &mut FetchState,
        discovery: Discovery,
    ) -> Result<Anchor, RefreshError> {
        let (issuer, jwks_uri) = match &self.sources {
            Sources::Explicit { issuer, jwks_uri } => (issuer.clone(), jwks_uri.to_string()),
            Sources::Discovered {
                well_known_url,
                issuer,
                jwks_uri,
            } => {
                let metadata = self.metadata(state, well_known_url, discovery).await?;
                let lacks = |field| RefreshError::MetadataLacks {
                    url: well_known_url.to_string(),
                    field,
                };
                // Explicit values win over discovered ones: the configuration,
                // not the issuer's own document, says whom we trust.
                let issuer = match issuer {
                    Some(issuer) => issuer.clone(),
                    None => metadata.issuer.ok_or_else(|| lacks("issuer"))?,
                };
                let jwks_uri = match jwks_uri {
                    Some(uri) => uri.to_string(),
                    None => {
                        let discovered = metadata.jwks_uri.ok_or_else(|| lacks("jwks_uri"))?;
                        // The document may be fetched over https and still
                        // name plain-http keys, which anyone on that path
                        // could swap: refused, as in the configuration.
                        match reqwest::Url::parse(&discovered) {
                            Ok(url) if is_https_or_loopback(&url) => discovered,
                            _ => {
                                return Err(RefreshError::InsecureJwksUri {
                                    url: well_known_url.to_string(),
                                    jwks_uri: discovered,
                                })
                            }
                        }
                    }
                };
                (issuer, jwks_uri)
            }
        };
        let jwks = match self.http.get_json(&jwks_uri, MAX_DOCUMENT_BYTES).await {
            Ok(jwks) => jwks,
            Err(error) => {
                return Err(RefreshError::Jwks {
                    url: jwks_uri,
                    error,
                })
            }
        };
        match parse_jwks(&jwks) {
            Ok(keys) => Ok(Anchor { issuer, keys }),
            Err(error) => Err(RefreshError::KeySet {
                url: jwks_uri,
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
        discovery: Discovery,
    ) -> Result<Metadata, RefreshError> {
        if discovery == Discovery::Reuse {
            if let Some(metadata) = &state.metadata {
                return Ok(metadata.clone());
            }
        }
        let metadata = match (self.fetch_metadata(url.as_str()).await, &state.metadata) {
            (Ok(fresh), _) => fresh,
            (Err(why), Some(known)) => {
                log::warn!(target: "maskinporten", "{why}; using the metadata we have");
                known.clone()
            }
            (Err(why), None) => return Err(why),
        };
        state.metadata = Some(metadata.clone());
        Ok(metadata)
    }

    async fn fetch_metadata(&self, url: &str) -> Result<Metadata, RefreshError> {
        let doc = match self.http.get_json(url, MAX_DOCUMENT_BYTES).await {
            Ok(doc) => doc,
            Err(error) => {
                return Err(RefreshError::Metadata {
                    url: url.to_owned(),
                    error,
                })
            }
        };
        let field = |name: &str| doc.get(name).and_then(Value::as_str).map(str::to_owned);
        Ok(Metadata {
            issuer: field("issuer"),
            jwks_uri: field("jwks_uri"),
        })
    }
}

/// Why a refresh of the issuer's keys failed. Logged; the keys we had are
/// kept.
#[derive(Debug)]
pub(crate) enum RefreshError {
    /// The metadata document (RFC 8414 §3) could not be fetched.
    Metadata { url: String, error: FetchError },
    /// The metadata document lacks a value the configuration does not give.
    MetadataLacks { url: String, field: &'static str },
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
            RefreshError::MetadataLacks { .. } | RefreshError::InsecureJwksUri { .. } => None,
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

/// Why one member of a JWKS is skipped (RFC 7517 §4, RFC 7518 §6.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JwkError {
    /// `kty` is not `RSA`.
    NotRsa,
    /// `use` is given and is not `sig`.
    NotForSigning,
    /// No `kid`: a token could never name it.
    NoKid,
    /// `alg` is given and is not an RSA signature algorithm.
    NotRsaAlgorithm { kid: String, alg: String },
    /// `n` or `e` is missing.
    MissingComponent { kid: String, name: &'static str },
    /// `n` or `e` is not base64url.
    NotBase64url { kid: String, name: &'static str },
    /// The modulus is shorter than 2048 bits (RFC 7518 §3.3).
    ShortModulus { kid: String },
    /// The exponent is zero.
    ZeroExponent { kid: String },
}

impl fmt::Display for JwkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwkError::NotRsa => f.write_str("not an RSA key"),
            JwkError::NotForSigning => f.write_str("not a signing key"),
            JwkError::NoKid => f.write_str("no kid"),
            JwkError::NotRsaAlgorithm { kid, alg } => {
                write!(
                    f,
                    "kid {kid:?}: alg {alg:?} is not an RSA signature algorithm"
                )
            }
            JwkError::MissingComponent { kid, name } => write!(f, "kid {kid:?}: no {name}"),
            JwkError::NotBase64url { kid, name } => {
                write!(f, "kid {kid:?}: {name} is not base64url")
            }
            JwkError::ShortModulus { kid } => {
                write!(f, "kid {kid:?}: RSA modulus shorter than 2048 bits")
            }
            JwkError::ZeroExponent { kid } => write!(f, "kid {kid:?}: RSA exponent is zero"),
        }
    }
}

#[derive(Clone)]
struct Metadata {
    issuer: Option<String>,
    jwks_uri: Option<String>,
}

/// Whether a refresh fetches the metadata document again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Discovery {
    Reuse,
    Refetch,
}

/// Reads the usable signing keys of a JWKS: RSA keys with a `kid`, meant
/// for signatures, at least 2048 bits, declaring an RSA algorithm or none.
/// Other keys are skipped; a set with no usable key is an error.
pub(crate) fn parse_jwks(jwks: &Value) -> Result<HashMap<String, Arc<Key>>, KeySetError> {
    let entries = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or(KeySetError::NoKeysArray)?;
    let mut keys = HashMap::new();
    for entry in entries.iter().take(MAX_KEYS) {
        match parse_jwk(entry) {
            Ok((kid, key)) => match keys.entry(kid) {
                Entry::Occupied(first) => log::warn!(target: "maskinporten",
                    "JWKS lists kid {:?} twice; using the first", first.key()),
                Entry::Vacant(slot) => {
                    slot.insert(Arc::new(key));
                }
            },
            Err(why) => log::debug!(target: "maskinporten", "skipping JWK: {why}"),
        }
    }
    if keys.is_empty() {
        return Err(KeySetError::NoUsableKey);
    }
    Ok(keys)
}

fn parse_jwk(entry: &Value) -> Result<(String, Key), JwkError> {
    let field = |name: &str| entry.get(name).and_then(Value::as_str);
    if field("kty") != Some("RSA") {
        return Err(JwkError::NotRsa);
    }
    if field("use").is_some_and(|u| u != "sig") {
        return Err(JwkError::NotForSigning);
    }
    let kid = field("kid").ok_or(JwkError::NoKid)?.to_owned();
    let algorithm = match field("alg") {
        None => Algorithm::RS256,
        Some(alg) => alg
            .parse::<Algorithm>()
            .ok()
            .filter(|a| a.family() == AlgorithmFamily::Rsa)
            .ok_or_else(|| JwkError::NotRsaAlgorithm {
                kid: kid.clone(),
                alg: alg.chars().take(32).collect(),
            })?,
    };
    let component = |name: &'static str| {
        let text = field(name).ok_or_else(|| JwkError::MissingComponent {
            kid: kid.clone(),
            name,
        })?;
        URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| JwkError::NotBase64url {
                kid: kid.clone(),
                name,
            })
    };
    let (n, e) = (component("n")?, component("e")?);
    let significant = |bytes: &[u8]| bytes.iter().skip_while(|&&b| b == 0).count();
    if significant(&n) < MIN_RSA_MODULUS_BYTES {
        return Err(JwkError::ShortModulus { kid });
    }
    if significant(&e) == 0 {
        return Err(JwkError::ZeroExponent { kid });
    }
    let decoding = DecodingKey::from_rsa_raw_components(&n, &e);
    Ok((
        kid,
        Key {
            decoding,
            algorithm,
        },
    ))
}

#[cfg(test)]
mod tests;
