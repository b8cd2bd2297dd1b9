//! The HTTP clients of every outgoing call: issuer metadata, JWKS and Texas.
//! Every call has a connect and a total timeout, and no answer is read past a
//! size limit, so a slow or hostile peer costs bounded time and memory.
//!
//! The issuer's client uses the proxy of the environment (`HTTP_PROXY`,
//! `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, upper or lower case) for hosts
//! that are not loopback: on-premises NAIS reaches the internet through one.
//! Texas's client never does: Texas is a sidecar in the same pod
//! (doc.nais.io, "Texas") and every request to it carries a bearer token.
//!
//! No request to a loopback host goes through a proxy, from any client here:
//! reqwest does not exempt loopback from a proxy variable, and a proxy
//! between us and a plain-http issuer on loopback (the stand-in, a test)
//! could swap its keys for its own, so that its own tokens pass.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use serde_json::Value;

/// What the issuer or Texas did wrong, for the log; never shown to clients.
#[derive(Debug)]
pub(crate) enum FetchError {
    Transport(reqwest::Error),
    Status(u16),
    TooLarge(usize),
    NotJson(serde_json::Error),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Transport(e) if e.is_timeout() => write!(f, "timed out: {e}"),
            FetchError::Transport(e) => write!(f, "request failed: {e}"),
            FetchError::Status(code) => write!(f, "answered HTTP {code}"),
            FetchError::TooLarge(limit) => write!(f, "answer exceeds {limit} bytes"),
            FetchError::NotJson(e) => write!(f, "answer is not JSON: {e}"),
        }
    }
}

impl std::error::Error for FetchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FetchError::Transport(e) => Some(e),
            FetchError::NotJson(e) => Some(e),
            FetchError::Status(_) | FetchError::TooLarge(_) => None,
        }
    }
}

/// Whether keys, the metadata that names them, or a verdict may be fetched
/// from `url`: over https, or over plain http only to a loopback host (see
/// [`is_loopback`]), where no one sits on the path. Over plain http to
/// anywhere else, anyone on the path could swap the keys, or read the
/// tokens sent to Texas and forge its verdicts.
pub(crate) fn is_https_or_loopback(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => is_loopback(url),
        _ => false,
    }
}

/// Whether `url`'s host is loopback: 127.0.0.0/8, `::1` or `localhost`
/// (in any case, with or without a trailing dot). What may be plain http,
/// and what never goes through a proxy.
pub(crate) fn is_loopback(url: &Url) -> bool {
    // The URL parser has already put an IP host in canonical form
    // (`127.1` is `127.0.0.1`), with brackets around IPv6.
    let host = url.host_str().unwrap_or_default();
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    match literal.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
    }
}

/// The clients of one backend. Every request goes out through
/// [`Http::get_json`] or [`Http::post`], which pick the client by the
/// request's host, so none reaches a loopback host through a proxy.
#[derive(Clone)]
pub(crate) struct Http {
    /// For loopback hosts, and for every host when proxies are off.
    direct: reqwest::Client,
    /// For every other host: the environment's proxy, if any, as reqwest
    /// reads it (`NO_PROXY` included). With redirects off, the request's
    /// own host is the only one it reaches, so choosing per request is
    /// choosing per connection.
    proxied: reqwest::Client,
}

/// Whether a client may go through the environment's proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Proxy {
    /// The issuer, on the internet: the environment's proxy, if any, except
    /// for a loopback host.
    FromEnvironment,
    /// A sidecar: always direct, whatever the environment says.
    Never,
}

impl Http {
    pub(crate) fn new(timeout: Duration, proxy: Proxy) -> Result<Http, reqwest::Error> {
        let direct = build(reqwest::Client::builder().no_proxy(), timeout)?;
        let proxied = match proxy {
            // reqwest reads the proxy variables when the client is built.
            Proxy::FromEnvironment => build(reqwest::Client::builder(), timeout)?,
            Proxy::Never => direct.clone(),
        };
        Ok(Http { direct, proxied })
    }

    /// GETs `url` and parses the answer as JSON, reading at most `limit` bytes.
    pub(crate) async fn get_json(&self, url: &Url, limit: usize) -> Result<Value, FetchError> {
        let request = self
            .client_for(url)
            .get(url.clone())
            .header("accept", "application/json");
        read_json(request, limit).await
    }

    /// A POST to `url`, for the caller to give a body and send.
    pub(crate) fn post(&self, url: &Url) -> reqwest::RequestBuilder {
        self.client_for(url).post(url.clone())
    }

    fn client_for(&self, url: &Url) -> &reqwest::Client {
        if is_loopback(url) {
            &self.direct
        } else {
            &self.proxied
        }
    }
}

fn build(builder: reqwest::ClientBuilder, timeout: Duration) -> reqwest::Result<reqwest::Client> {
    builder
        .connect_timeout(timeout)
        .timeout(timeout)
        // A redirect from the issuer or Texas is an answer we do not
        // expect (non-200: cannot decide); following one would re-send
        // a token to wherever `Location` points, or leave the host the
        // client was chosen for.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("maskinporten-rocket/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Sends `request` and parses a 200 answer's body as JSON, refusing bodies over
/// `limit` bytes before they are read in full.
pub(crate) async fn read_json(
    request: reqwest::RequestBuilder,
    limit: usize,
) -> Result<Value, FetchError> {
    let mut response = request.send().await.map_err(FetchError::Transport)?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        return Err(FetchError::Status(status.as_u16()));
    }
    if response
        .content_length()
        .is_some_and(|len| len > limit as u64)
    {
        return Err(FetchError::TooLarge(limit));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(FetchError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(FetchError::TooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(FetchError::NotJson)
}

#[cfg(test)]
mod tests;
