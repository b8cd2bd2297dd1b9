//! Where a token is checked by Texas, the NAIS sidecar (doc.nais.io, "Texas",
//! token introspection).
//!
//! Texas answers every introspection with HTTP 200: `{"active": true, <the
//! token's claims>}` or `{"active": false, "error": "<reason>"}`. Anything
//! else (no answer in time, another status, a body that is not that JSON)
//! means we could not decide: the request gets 503, never 401, and never
//! passes. Texas does not check `scope`, nor `aud` for Maskinporten: the
//! guards and `Validator` do that for every backend alike.

use reqwest::Url;
use serde::Serialize;
use serde_json::Value;

use super::jws::Jws;
use crate::claims::Claims;
use crate::config::IntrospectionBody;
use crate::http::{FetchError, Http, read_json};
use crate::metrics::{Metrics, TexasFailure};
use crate::rejection::{Outage, Rejection};
use crate::token_error::TokenError;

/// A Texas answer holds the token's claims; a few KiB at most.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The request body, as JSON or as a form.
#[derive(Serialize)]
struct Introspection<'t> {
    identity_provider: &'static str,
    token: &'t str,
}

/// The `texas` backend: verdicts from the NAIS sidecar.
pub(crate) struct TexasValidator {
    pub(crate) http: Http,
    pub(crate) endpoint: Url,
    pub(crate) body: IntrospectionBody,
    pub(crate) metrics: Metrics,
}

impl TexasValidator {
    pub(crate) async fn verify(&self, token: &str) -> Result<Claims, Rejection> {
        // Refuse locally what is not even a well-formed JWS, or what carries
        // headers we never accept (Texas lets a `crit` header through).
        Jws::parse(token)?;
        let body = Introspection {
            identity_provider: "maskinporten",
            token,
        };
        let request = self.http.post(&self.endpoint);
        let request = match self.body {
            IntrospectionBody::Json => request.json(&body),
            IntrospectionBody::Form => request.form(&body),
        };
        #[cfg(feature = "metrics")]
        let started = std::time::Instant::now();
        let answer = read_json(request, MAX_ANSWER_BYTES).await;
        #[cfg(feature = "metrics")]
        self.metrics.texas_introspection(started.elapsed());
        let answer = answer.map_err(|e| {
            let kind = match &e {
                FetchError::Transport(e) if e.is_timeout() => TexasFailure::Timeout,
                FetchError::Transport(_) => TexasFailure::Transport,
                FetchError::Status(_) => TexasFailure::Status,
                FetchError::TooLarge(_) => TexasFailure::TooLarge,
                FetchError::NotJson(_) => TexasFailure::NotJson,
            };
            self.failed(kind, e.to_string())
        })?;
        let Value::Object(mut object) = answer else {
            return Err(self.failed(
                TexasFailure::NotIntrospection,
                "answered JSON that is not an object".into(),
            ));
        };
        match object.remove("active") {
            Some(Value::Bool(true)) => Ok(Claims::from_object(object)?),
            Some(Value::Bool(false)) => {
                let why = object
                    .get("error")
                    .and_then(Value::as_str)
                    .unwrap_or("no reason given");
                Err(TokenError::Inactive(why.chars().take(200).collect()).into())
            }
            _ => Err(self.failed(
                TexasFailure::NotIntrospection,
                "answered without a boolean `active`".into(),
            )),
        }
    }

    /// Counts and reports a Texas failure, and makes it the request's 503.
    /// The event carries the kind and cause as fields; the request's
    /// refusal line (throttled during an outage) follows from the guard.
    fn failed(&self, kind: TexasFailure, cause: String) -> Rejection {
        self.metrics.texas_failure(kind);
        tracing::debug!(target: "maskinporten", kind = kind.as_str(), cause = %cause,
            "Texas gave no verdict");
        Rejection::Unavailable(Outage::Texas(cause))
    }
}
