//! `public_routes`: routes the application declares open although they
//! carry no `#[public]`, because another crate mounts them (a metrics
//! endpoint, an OpenAPI document, a Swagger UI).
//!
//! An entry is `"METHOD /path"` or `"/path"` (any method), where the path is
//! a Rocket path pattern: static segments match themselves and `<name>`
//! matches a route's dynamic segment, whatever the names; a last
//! `<name..>` segment covers every route under the segments before it, as
//! it would every request path (rocket_okapi mounts nine Swagger UI routes
//! under `/swagger-ui/`, utoipa-swagger-ui one `<tail..>` route: the one
//! entry `"/swagger-ui/<_..>"` covers either). Entries name routes as
//! Rocket mounted them; they never match request paths, so no request can
//! widen what is open.

use std::fmt;
use std::str::FromStr;

use rocket::http::Method;

/// One parsed entry of `public_routes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicRoute {
    /// The entry as written, for messages.
    entry: String,
    /// `None`: any method.
    method: Option<Method>,
    segments: Vec<Segment>,
}

/// One segment of a path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Static(String),
    /// `<name>`.
    Dynamic,
    /// `<name..>`, last only.
    Trailing,
}

/// Why an entry is not a route pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unparsable {
    NoPath,
    UnknownMethod,
    Query,
    TrailingNotLast,
    BadSegment,
}

impl fmt::Display for Unparsable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unparsable::NoPath => {
                "expected \"METHOD /path\" or \"/path\", the path starting with /"
            }
            Unparsable::UnknownMethod => "the method is not an HTTP method Rocket routes",
            Unparsable::Query => "a route pattern here has no query part",
            Unparsable::TrailingNotLast => "a <name..> segment can only be the last",
            Unparsable::BadSegment => {
                "a segment is a static text, <name> or <name..>, with no other < or >"
            }
        })
    }
}

impl PublicRoute {
    /// Parses one entry.
    ///
    /// ```text
    /// "GET /metrics"               GET, /metrics
    /// "/swagger-ui/<path..>"       any method, every route under /swagger-ui/
    /// ```
    pub(crate) fn parse(entry: &str) -> Result<PublicRoute, Unparsable> {
        let trimmed = entry.trim();
        let (method, path) = match trimmed.split_once(char::is_whitespace) {
            Some((method, path)) if !method.starts_with('/') => {
                let method = Method::from_str(method).map_err(|_| Unparsable::UnknownMethod)?;
                (Some(method), path.trim())
            }
            _ => (None, trimmed),
        };
        if !path.starts_with('/') || path.contains(char::is_whitespace) {
            return Err(Unparsable::NoPath);
        }
        if path.contains('?') {
            return Err(Unparsable::Query);
        }
        let segments = segments(path).ok_or(Unparsable::BadSegment)?;
        if let Some(position) = segments.iter().position(|s| *s == Segment::Trailing)
            && position + 1 != segments.len()
        {
            return Err(Unparsable::TrailingNotLast);
        }
        Ok(PublicRoute {
            entry: trimmed.to_owned(),
            method,
            segments,
        })
    }

    /// The entry as written.
    pub(crate) fn entry(&self) -> &str {
        &self.entry
    }

    /// Whether this entry names the mounted route `method` `uri` (Rocket's
    /// full route URI, `/swagger-ui/<tail..>`; a query part is ignored): the
    /// same segments, or, for an entry ending in `<name..>`, the segments
    /// before it followed by any others.
    pub(crate) fn matches(&self, method: &str, uri: &str) -> bool {
        if let Some(own) = self.method
            && !own.as_str().eq_ignore_ascii_case(method)
        {
            return false;
        }
        let path = uri.split_once('?').map_or(uri, |(path, _)| path);
        let Some(route) = segments(path) else {
            return false;
        };
        match self.segments.split_last() {
            Some((Segment::Trailing, prefix)) => route.starts_with(prefix),
            _ => route == self.segments,
        }
    }
}

/// The segments of a path pattern; `None` when one is malformed.
fn segments(path: &str) -> Option<Vec<Segment>> {
    path.split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| match segment.strip_prefix('<') {
            Some(rest) => {
                let name = rest.strip_suffix('>')?;
                let (name, segment) = match name.strip_suffix("..") {
                    Some(name) => (name, Segment::Trailing),
                    None => (name, Segment::Dynamic),
                };
                let plain = !name.is_empty() && !name.contains(['<', '>']);
                plain.then_some(segment)
            }
            None if segment.contains(['<', '>']) => None,
            None => Some(Segment::Static(segment.to_owned())),
        })
        .collect()
}

#[cfg(test)]
mod tests;
