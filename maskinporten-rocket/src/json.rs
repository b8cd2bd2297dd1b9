//! JSON objects read in one pass, with unique member names.
//!
//! A JOSE header and a JWT claims set are JSON objects in which a member
//! name must not repeat: RFC 7515 §4 and RFC 7519 §4 allow a parser either
//! to reject duplicates or to keep the last one, and we reject, so that no
//! two readers of one token can see different claims. `serde_json` alone
//! keeps the last one silently. The reader here also hands each member to
//! its caller as it is read, so that a caller keeps the few members it
//! needs and skips the rest without building a map of them.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// What receives the members of an object, one by one, in document order.
pub(crate) trait Members: Default {
    /// Reads the value of the member `name` from `access` (with
    /// `next_value`), or skips it (`next_value::<Skip>()`). It must
    /// consume the value either way.
    fn member<'de, A: MapAccess<'de>>(
        &mut self,
        name: &str,
        access: &mut A,
    ) -> Result<(), A::Error>;
}

/// Reads `bytes` as one JSON object with unique member names into `M`.
pub(crate) fn unique_object<M: Members>(bytes: &[u8]) -> Result<M, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let members = ObjectSeed(PhantomData).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(members)
}

struct ObjectSeed<M>(PhantomData<M>);

impl<'de, M: Members> DeserializeSeed<'de> for ObjectSeed<M> {
    type Value = M;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<M, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, M: Members> Visitor<'de> for ObjectSeed<M> {
    type Value = M;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with unique member names")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<M, A::Error> {
        let mut members = M::default();
        let mut seen = Seen::default();
        while let Some(Name(name)) = access.next_key::<Name<'de>>()? {
            // A borrowed name (the usual case) clones as a pointer.
            if !seen.insert(name.clone()) {
                return Err(de::Error::custom("duplicate member name"));
            }
            members.member(&name, &mut access)?;
        }
        Ok(members)
    }
}

/// The names seen so far. A token's objects have about ten members, which a
/// short array on the stack compares fastest, without hashing or
/// allocating; a hostile header of thousands of one-letter members (read
/// before any signature is checked) moves to a set, so the duplicate check
/// stays linear.
struct Seen<'de> {
    few: [Cow<'de, str>; FEW],
    len: usize,
    many: HashSet<Cow<'de, str>>,
}

const FEW: usize = 16;

impl Default for Seen<'_> {
    fn default() -> Self {
        Seen {
            few: std::array::from_fn(|_| Cow::Borrowed("")),
            len: 0,
            many: HashSet::new(),
        }
    }
}

impl<'de> Seen<'de> {
    /// Adds `name`; `false` when it was there already.
    fn insert(&mut self, name: Cow<'de, str>) -> bool {
        if self.len < FEW {
            if self.few[..self.len].contains(&name) {
                return false;
            }
            self.few[self.len] = name;
            self.len += 1;
            return true;
        }
        if self.many.is_empty() {
            self.many.extend(self.few.iter().cloned());
        }
        self.many.insert(name)
    }
}

/// A value read and dropped without allocating. Unlike serde's
/// `IgnoredAny`, which `serde_json` skips without a depth limit, it is read
/// through `deserialize_any`, so nesting deeper than `serde_json` reads
/// into a `Value` (128 levels) is refused here too: a token we accept is
/// one whose claims [`crate::Claims::raw`] can show.
pub(crate) struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

/// A member name, borrowed from the input when it has no escapes.
/// (`Cow<str>`'s own `Deserialize` always copies.)
struct Name<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;

        impl<'de> Visitor<'de> for NameVisitor {
            type Value = Name<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }

            fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(name)))
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(name.to_owned())))
            }

            fn visit_string<E: de::Error>(self, name: String) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(name)))
            }
        }

        deserializer.deserialize_str(NameVisitor)
    }
}

#[cfg(test)]
mod tests;
