use super::*;
use serde_json::json;

fn claims() -> Claims {
    let serde_json::Value::Object(map) = json!({"iss": "i", "exp": 1}) else {
        unreachable!()
    };
    Claims::from_object(map).unwrap()
}

#[test]
fn capacity_bounds_the_entries() {
    let cache = VerdictCache::new(32).unwrap();
    for i in 0..1000 {
        cache.insert(VerdictCache::key(&format!("token-{i}")), claims());
    }
    assert!(cache.len() <= 32, "{} entries", cache.len());
    assert!(cache.get(&VerdictCache::key("token-999")).is_some());
    assert!(cache.get(&VerdictCache::key("token-0")).is_none());
}

#[test]
fn a_token_differing_in_one_byte_misses() {
    let cache = VerdictCache::new(10).unwrap();
    cache.insert(VerdictCache::key("abc.def.ghi"), claims());
    assert!(cache.get(&VerdictCache::key("abc.def.ghj")).is_none());
}

#[test]
fn zero_capacity_turns_the_cache_off() {
    assert!(VerdictCache::new(0).is_none());
}
