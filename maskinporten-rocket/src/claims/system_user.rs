//! Altinn system users in a Maskinporten token: the entry of type
//! `urn:altinn:systemuser` in the token's `authorization_details`
//! (RFC 9396 §2; docs.altinn.studio, "Using System User").
//!
//! ```json
//! "authorization_details": [{
//!     "type": "urn:altinn:systemuser",
//!     "systemuser_org": {"authority": "iso6523-actorid-upis", "ID": "0192:123456789"},
//!     "systemuser_id": ["a9f05ba1-3ec7-4b7a-a3b2-6b1c5d0c7e11"],
//!     "system_id": "987654321_afp-system"
//! }]
//! ```
//!
//! Altinn's token example spells the organisation's key `id`, its request
//! example `ID`: both are read, and an entry with both is refused as
//! ambiguous. Entries of other types are left alone.

use serde_json::Value;

use crate::token_error::{SystemUserError, SystemUserErrorKind};

/// The `type` of a system-user entry.
const SYSTEM_USER_TYPE: &str = "urn:altinn:systemuser";

/// The identifier scheme of a Norwegian organisation number (ISO 6523,
/// as Maskinporten writes it).
const ISO6523: &str = "iso6523-actorid-upis";

/// An Altinn system user: the organisation it belongs to, its ids and the
/// system it was created for. From [`Claims::system_user`](crate::Claims::system_user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemUser {
    orgno: String,
    ids: Vec<String>,
    system_id: String,
}

impl SystemUser {
    /// The organisation number of the system user's owner, without the
    /// `0192:` prefix: `123456789`.
    pub fn orgno(&self) -> &str {
        &self.orgno
    }

    /// `systemuser_id`: the system user's ids (UUIDs), as listed.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// `system_id`: the system (`<vendor orgno>_<name>`) the user was made for.
    pub fn system_id(&self) -> &str {
        &self.system_id
    }
}

/// Reads the system user out of `authorization_details`, if the token has one.
pub(super) fn read(details: Option<&Value>) -> Result<Option<SystemUser>, SystemUserError> {
    let fail = |kind| Err(SystemUserError::of_kind(kind));
    let Some(details) = details else {
        return Ok(None);
    };
    let Value::Array(entries) = details else {
        return fail(SystemUserErrorKind::DetailsNotArray);
    };
    let mut system_users = entries
        .iter()
        .filter(|entry| entry.get("type").and_then(Value::as_str) == Some(SYSTEM_USER_TYPE));
    let Some(entry) = system_users.next() else {
        return Ok(None);
    };
    if system_users.next().is_some() {
        return fail(SystemUserErrorKind::MoreThanOne);
    }
    let Some(org) = entry.get("systemuser_org").and_then(Value::as_object) else {
        return fail(SystemUserErrorKind::NoOrganisation);
    };
    if org.get("authority").and_then(Value::as_str) != Some(ISO6523) {
        return fail(SystemUserErrorKind::NotIso6523);
    }
    let id = match (org.get("ID"), org.get("id")) {
        (Some(id), None) | (None, Some(id)) => id.as_str(),
        (Some(_), Some(_)) => return fail(SystemUserErrorKind::AmbiguousOrganisation),
        (None, None) => None,
    };
    let orgno = id
        .and_then(|id| id.strip_prefix("0192:"))
        .filter(|n| n.len() == 9 && n.bytes().all(|b| b.is_ascii_digit()));
    let Some(orgno) = orgno else {
        return fail(SystemUserErrorKind::NotAnOrganisationNumber);
    };
    let ids = entry
        .get("systemuser_id")
        .and_then(Value::as_array)
        .and_then(|ids| {
            ids.iter()
                .map(|id| id.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        });
    let Some(ids) = ids else {
        return fail(SystemUserErrorKind::IdsNotStrings);
    };
    let Some(system_id) = entry.get("system_id").and_then(Value::as_str) else {
        return fail(SystemUserErrorKind::NoSystemId);
    };
    Ok(Some(SystemUser {
        orgno: orgno.to_owned(),
        ids,
        system_id: system_id.to_owned(),
    }))
}
