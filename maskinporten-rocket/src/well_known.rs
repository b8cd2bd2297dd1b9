//! The two forms of a metadata document's URL, and the issuer each was
//! formed from: what the configuration checks of `well_known_url` at
//! ignite and what discovery holds the fetched metadata to.

/// The issuer a well-known URL was formed from: RFC 8414 §3.1 inserts
/// `/.well-known/oauth-authorization-server` between the host and the path
/// of the issuer; OpenID Connect Discovery 1.0 §4 appends
/// `/.well-known/openid-configuration` to it. `None` for a URL of neither
/// form. The query, if any, is not part of an issuer (RFC 8414 §2).
pub(crate) fn issuer_of_well_known_url(url: &reqwest::Url) -> Option<String> {
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let origin = format!("{}://{}{port}", url.scheme(), url.host_str()?);
    let path = url.path();
    if let Some(rest) = path.strip_prefix("/.well-known/oauth-authorization-server")
        && (rest.is_empty() || rest.starts_with('/'))
    {
        return Some(format!("{origin}{rest}"));
    }
    let prefix = path.strip_suffix("/.well-known/openid-configuration")?;
    Some(format!("{origin}{prefix}"))
}
