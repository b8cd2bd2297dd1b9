//! Local validation, `validation = "jwks"`: the issuer's keys, fetched and
//! kept fresh (`keys`), and a token's signature and issuer verified against
//! them in-process (`verify`).

mod keys;
mod verify;

pub(crate) use keys::KeyStore;
#[cfg(any(feature = "utoipa", feature = "okapi"))]
pub(crate) use keys::{RefreshError, fetch_metadata, same_issuer};
pub(crate) use verify::JwksValidator;
