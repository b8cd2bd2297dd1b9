//! Which keys of a JWKS are used (RFC 7517 §4, RFC 7518 §3.3): the stand-in
//! issuer publishes its own good key beside one that breaks a rule, a token
//! really signed by the refused key gets 401 `invalid_token` for an unknown
//! key, and a token under the good key still gets 200.
//!
//! The stand-in's `answer_json` answers every path with the given set, so
//! the app is configured with the issuer and `jwks_uri` themselves and
//! fetches no metadata.

use crate::security_review::{block_on, isolated, quiet, this_test};
use crate::support::{client_with, description, expect_invalid, expect_ok, READ};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use maskinporten_testing::{Issuer, SigningKey};
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};

/// A stand-in publishing its own key and `odd`, and a client trusting it
/// through an explicit issuer and `jwks_uri`.
async fn publishing(odd: Vec<Value>) -> (Issuer, Client) {
    let issuer = Issuer::start().await;
    let mut keys = vec![issuer.current_key().jwk()];
    keys.extend(odd);
    issuer.answer_json(&json!({ "keys": keys }));
    let figment = issuer
        .figment()
        .merge(("maskinporten.issuer", issuer.issuer()))
        .merge(("maskinporten.jwks_uri", issuer.jwks_uri()));
    let client = client_with(figment).await;
    (issuer, client)
}

/// `key`'s JWK with `changes` written over it.
fn jwk_with(key: &SigningKey, changes: Value) -> Value {
    let mut jwk = key.jwk();
    for (name, value) in changes.as_object().expect("an object") {
        match value {
            Value::Null => {
                jwk.as_object_mut().expect("an object").remove(name);
            }
            _ => jwk[name] = value.clone(),
        }
    }
    jwk
}

/// A real RS256 token signed by `key` under its own kid.
fn token_of(issuer: &Issuer, key: &SigningKey) -> String {
    issuer
        .token()
        .scope(READ)
        .signing_key(key.clone())
        .kid(key.kid())
        .sign()
}

/// The JWK changed by `changes` is not used: its token is 401 for an
/// unknown key, the stand-in's own key's token is 200.
async fn refused(changes: Value) {
    let odd = SigningKey::generate("odd");
    let (issuer, client) = publishing(vec![jwk_with(&odd, changes)]).await;
    expect_invalid(&client, description::UNKNOWN_KEY, [token_of(&issuer, &odd)]).await;
    expect_ok(&client, [issuer.token().scope(READ).sign()]).await;
}

/// The JWK changed by `changes` is used: its token is 200.
async fn admitted(changes: Value) {
    let odd = SigningKey::generate("odd");
    let (issuer, client) = publishing(vec![jwk_with(&odd, changes)]).await;
    expect_ok(&client, [token_of(&issuer, &odd)]).await;
}

/// `n` of `key` as bytes.
fn modulus(key: &SigningKey) -> Vec<u8> {
    let n = key.jwk()["n"].as_str().expect("n").to_owned();
    URL_SAFE_NO_PAD.decode(n).expect("base64url")
}

#[rocket::async_test]
async fn a_key_whose_use_is_not_sig_is_not_used() {
    refused(json!({"use": "enc"})).await;
    refused(json!({"use": 1})).await;
}

#[rocket::async_test]
async fn a_key_without_use_is_used() {
    admitted(json!({"use": null})).await;
}

#[rocket::async_test]
async fn a_key_whose_key_ops_lack_verify_is_not_used() {
    refused(json!({"use": null, "key_ops": ["sign"]})).await;
    refused(json!({"use": null, "key_ops": []})).await;
    refused(json!({"use": null, "key_ops": "verify"})).await;
}

#[rocket::async_test]
async fn a_key_whose_key_ops_include_verify_is_used() {
    admitted(json!({"use": null, "key_ops": ["sign", "verify"]})).await;
}

/// RFC 7517 §4.3: `use` and `key_ops` should not both be present, and must
/// agree when they are; each must allow verification on its own.
#[rocket::async_test]
async fn a_key_whose_use_and_key_ops_disagree_is_not_used() {
    refused(json!({"use": "sig", "key_ops": ["encrypt"]})).await;
    refused(json!({"use": "enc", "key_ops": ["verify"]})).await;
    admitted(json!({"use": "sig", "key_ops": ["verify"]})).await;
}

#[rocket::async_test]
async fn a_key_whose_alg_we_do_not_verify_is_not_used() {
    refused(json!({"alg": "HS256"})).await;
    refused(json!({"alg": "ES256"})).await;
    refused(json!({"alg": "none"})).await;
    refused(json!({"alg": 256})).await;
}

/// A 2047-bit modulus is 256 bytes, as a 2048-bit one: counted in bytes it
/// would pass. (Clearing the top bit makes it another number, so the key no
/// longer matches its private half; that is beside the point here: it is
/// refused before any token is checked against it.)
#[rocket::async_test]
async fn a_2047_bit_modulus_is_not_used() {
    let odd = SigningKey::generate("odd");
    let mut n = modulus(&odd);
    assert_eq!((n.len(), n[0] & 0x80), (256, 0x80), "a 2048-bit key");
    n[0] = (n[0] & 0x7f) | 0x40; // top bit clear, next set: 2047 bits
    refused(json!({"n": URL_SAFE_NO_PAD.encode(&n)})).await;
}

/// Leading zero bytes do not make a short key long, nor a long key short.
#[rocket::async_test]
async fn a_modulus_is_counted_in_bits_after_leading_zero_bytes() {
    let odd = SigningKey::generate("odd");
    let mut padded = vec![0, 0];
    padded.extend(modulus(&odd));
    let (issuer, client) = publishing(vec![jwk_with(
        &odd,
        json!({"n": URL_SAFE_NO_PAD.encode(&padded)}),
    )])
    .await;
    expect_ok(&client, [token_of(&issuer, &odd)]).await;

    let mut short = vec![0];
    short.extend(&modulus(&odd)[1..]);
    refused(json!({"n": URL_SAFE_NO_PAD.encode(&short)})).await;
}

#[rocket::async_test]
async fn an_exponent_of_one_is_not_used() {
    refused(json!({"e": "AQ"})).await;
    refused(json!({"e": "AAAB"})).await;
}

#[rocket::async_test]
async fn an_even_exponent_is_not_used() {
    refused(json!({"e": "Ag"})).await;
    refused(json!({"e": "AQAA"})).await;
    refused(json!({"e": "AA"})).await;
}

/// A token names its key by kid alone (RFC 7515 §4.1.4): with two keys
/// under one kid, which one the issuer means cannot be told, so neither is
/// used, and the rest of the set is.
#[rocket::async_test]
async fn a_kid_listed_twice_is_not_used() {
    let first = SigningKey::generate("twice");
    let second = SigningKey::generate("twice");
    let (issuer, client) = publishing(vec![first.jwk(), second.jwk()]).await;
    expect_invalid(
        &client,
        description::UNKNOWN_KEY,
        [token_of(&issuer, &first), token_of(&issuer, &second)],
    )
    .await;
    expect_ok(&client, [issuer.token().scope(READ).sign()]).await;
}

/// Each refused key is logged once per load, with its kid and the reason,
/// and the good key is loaded beside them. Run in a child process (see
/// `security_review::isolated`), since Rocket's logger writes to stdout.
#[test]
fn each_refused_key_is_logged_once_per_load_with_its_kid_and_reason() {
    let test = this_test!("each_refused_key_is_logged_once_per_load_with_its_kid_and_reason");
    let printed = isolated(&test, &[], || {
        block_on(async {
            let key = |kid: &str, changes: Value| jwk_with(&SigningKey::generate(kid), changes);
            let mut short = key("short", json!({}));
            let mut n = URL_SAFE_NO_PAD
                .decode(short["n"].as_str().expect("n"))
                .expect("base64url");
            n[0] = (n[0] & 0x7f) | 0x40; // top bit clear, next set: 2047 bits
            short["n"] = json!(URL_SAFE_NO_PAD.encode(&n));
            let odd = vec![
                key("enc", json!({"use": "enc"})),
                key("sign-only", json!({"use": null, "key_ops": ["sign"]})),
                key("hmac", json!({"alg": "HS256"})),
                short,
                key("e-one", json!({"e": "AQ"})),
                key("e-even", json!({"e": "AQAA"})),
                key("twice", json!({})),
                key("twice", json!({})),
            ];
            let issuer = Issuer::start().await;
            let mut keys = vec![issuer.current_key().jwk()];
            keys.extend(odd);
            issuer.answer_json(&json!({ "keys": keys }));
            let figment = quiet(issuer.figment())
                .merge(("log_level", "normal"))
                .merge(("maskinporten.issuer", issuer.issuer()))
                .merge(("maskinporten.jwks_uri", issuer.jwks_uri()));
            let client = client_with(figment).await;
            expect_ok(&client, [issuer.token().scope(READ).sign()]).await;
        })
    });
    let Some(printed) = printed else { return };
    for line in [
        r#"not using JWK kid "enc": `use` is not "sig""#,
        r#"not using JWK kid "sign-only": `key_ops` does not include "verify""#,
        r#"not using JWK kid "hmac": alg "HS256" is not an RSA signature algorithm"#,
        r#"not using JWK kid "short": RSA modulus of 2047 bits, shorter than 2048"#,
        r#"not using JWK kid "e-one": RSA exponent is not odd and greater than 1"#,
        r#"not using JWK kid "e-even": RSA exponent is not odd and greater than 1"#,
        r#"not using JWK kid "twice": the set lists this kid more than once; none of them is used"#,
    ] {
        assert_eq!(printed.matches(line).count(), 1, "{line}\n{printed}");
    }
    assert!(printed.contains(r#"loaded 1 signing keys"#), "{printed}");
}
