//! A refused token request, as RFC 6749 §5.2 writes it.

use serde_json::json;

use crate::server::Answer;

/// The `error` codes of RFC 6749 §5.2 the stand-in answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    InvalidScope,
    UnsupportedGrantType,
}

/// A refusal: its code and a sentence saying what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) code: Code,
    pub(crate) description: String,
}

impl Refusal {
    pub(crate) fn new(code: Code, description: impl Into<String>) -> Refusal {
        Refusal {
            code,
            description: description.into(),
        }
    }

    pub(crate) fn request(description: impl Into<String>) -> Refusal {
        Refusal::new(Code::InvalidRequest, description)
    }

    pub(crate) fn grant(description: impl Into<String>) -> Refusal {
        Refusal::new(Code::InvalidGrant, description)
    }

    /// 400 with `{"error", "error_description"}`; 401 for `invalid_client`,
    /// with a `Basic` challenge when the client tried HTTP Basic
    /// (RFC 6749 §5.2).
    pub(crate) fn answer(&self, basic: bool) -> Answer {
        let (status, error) = match self.code {
            Code::InvalidRequest => (400, "invalid_request"),
            Code::InvalidClient => (401, "invalid_client"),
            Code::InvalidGrant => (400, "invalid_grant"),
            Code::InvalidScope => (400, "invalid_scope"),
            Code::UnsupportedGrantType => (400, "unsupported_grant_type"),
        };
        let mut answer = Answer::json(&json!({
            "error": error,
            "error_description": self.description,
        }));
        answer.status = status;
        if self.code == Code::InvalidClient && basic {
            answer =
                answer.with_header("www-authenticate", "Basic realm=\"maskinporten-stand-in\"");
        }
        answer
            .with_header("cache-control", "no-store")
            .with_header("pragma", "no-cache")
    }
}
