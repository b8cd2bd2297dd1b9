use super::*;
use serde_json::json;

fn claims() -> Claims {
    let serde_json::Value::Object(map) = json!({"iss": "i", "exp": 1}) else {
        unreachable!()
    };
    Claims::from_object(map).unwrap()
}

/// Token-shaped strings, `header.payload.signature-<i>`, whose keys all land
/// in one shard, so that a test controls eviction.
fn same_shard_tokens(count: usize) -> Vec<String> {
    let shard = |token: &str| usize::from(VerdictCache::key(token).unwrap().digest[0]) % SHARDS;
    let first = shard("h.p.s-0");
    (0..)
        .map(|i| format!("h.p.s-{i}"))
        .filter(|token| shard(token) == first)
        .take(count)
        .collect()
}

fn key(token: &str) -> Key<'_> {
    VerdictCache::key(token).unwrap()
}

#[test]
fn capacity_bounds_the_entries() {
    let cache = VerdictCache::new(32).unwrap();
    let tokens: Vec<String> = (0..1000).map(|i| format!("h.p.s-{i}")).collect();
    for token in &tokens {
        cache.insert(&key(token), claims());
    }
    assert!(cache.len() <= 32, "{} entries", cache.len());
    assert!(cache.get(&key(&tokens[999])).is_some());
    assert!(cache.get(&key(&tokens[0])).is_none());
}

/// Whichever byte differs, header, payload or signature, it is a miss: the
/// signature finds the entry, and the signing input must then be the same.
#[test]
fn a_token_differing_in_any_byte_misses() {
    let cache = VerdictCache::new(10).unwrap();
    let token = "abc.def.ghi";
    cache.insert(&key(token), claims());
    assert!(cache.get(&key(token)).is_some());
    for at in 0..token.len() {
        if token.as_bytes()[at] == b'.' {
            continue;
        }
        let mut other = token.to_owned().into_bytes();
        other[at] = b'x';
        let other = String::from_utf8(other).unwrap();
        assert!(cache.get(&key(&other)).is_none(), "{other}");
    }
    // The same signature under another signing input, however it splits.
    for other in ["abc.ghi", "abc.def.x.ghi", "x.abc.def.ghi", ".ghi"] {
        assert!(cache.get(&key(other)).is_none(), "{other}");
    }
}

#[test]
fn a_token_without_a_dot_has_no_key() {
    assert!(VerdictCache::key("abcdef").is_none());
}

/// A second entry under the same signature (a signing input that can
/// never have verified with it, since the first did) does not displace the
/// first.
#[test]
fn the_first_signing_input_under_a_signature_stays() {
    let cache = VerdictCache::new(10).unwrap();
    cache.insert(&key("a.b.sig"), claims());
    cache.insert(&key("c.d.sig"), claims());
    assert!(cache.get(&key("a.b.sig")).is_some());
    assert!(cache.get(&key("c.d.sig")).is_none());
}

#[test]
fn zero_capacity_turns_the_cache_off() {
    assert!(VerdictCache::new(0).is_none());
}

/// A holder of many valid tokens (for any API: no scope is checked before
/// the cache) cannot push out an entry that is in use: each one churned in
/// evicts another churned entry, never the one hit in between.
#[test]
fn an_entry_in_use_survives_churn_by_many_new_tokens() {
    let cache = VerdictCache::new(4 * SHARDS).unwrap();
    let tokens = same_shard_tokens(1001);
    let (hot, churn) = tokens.split_first().unwrap();
    cache.insert(&key(hot), claims());
    for token in churn {
        cache.insert(&key(token), claims());
        assert!(
            cache.get(&key(hot)).is_some(),
            "the entry in use was evicted"
        );
    }
    // Under first-in, first-out the hot entry would have gone after four.
    assert_eq!(cache.len(), 4);
}

/// With no hits at all, the clock evicts in insertion order: the oldest
/// unused entry goes first.
#[test]
fn unused_entries_leave_oldest_first() {
    let cache = VerdictCache::new(2 * SHARDS).unwrap();
    let tokens = same_shard_tokens(3);
    for token in &tokens {
        cache.insert(&key(token), claims());
    }
    assert!(cache.get(&key(&tokens[0])).is_none());
    assert!(cache.get(&key(&tokens[1])).is_some());
    assert!(cache.get(&key(&tokens[2])).is_some());
}

#[test]
fn a_removed_entry_is_gone_and_the_rest_stay_found() {
    let cache = VerdictCache::new(4 * SHARDS).unwrap();
    let tokens = same_shard_tokens(5);
    for token in &tokens[..4] {
        cache.insert(&key(token), claims());
    }
    cache.remove(&key(&tokens[1]));
    assert!(cache.get(&key(&tokens[1])).is_none());
    for token in [&tokens[0], &tokens[2], &tokens[3]] {
        assert!(cache.get(&key(token)).is_some());
    }
    // The freed slot is used before anything is evicted.
    cache.insert(&key(&tokens[4]), claims());
    for token in [&tokens[0], &tokens[2], &tokens[3], &tokens[4]] {
        assert!(cache.get(&key(token)).is_some());
    }
}
