//! The hot path against its baselines, in one run: raw `jsonwebtoken::decode`
//! of an RS256 token with the same key; one bare RSA-2048 PKCS#1 v1.5 SHA-256
//! verification of the same tokens with an aws-lc-rs key parsed once, the
//! floor any validation of a new token pays; our full validation of a token
//! never seen before (verdict cache off), and of a token already verified,
//! beside the SHA-256 of that token's signature (which finds the cache
//! entry, and which a hit pays).
//!
//! `bench/micro.sh` runs this and prints the ratios.

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use futures::FutureExt;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use maskinporten_rocket::Validator;
use maskinporten_testing::Issuer;
use rocket::local::asynchronous::Client;
use std::hint::black_box;

const SCOPE: &str = "nav:helse/sykepenger/afp.read";

fn validate(validator: &Validator, token: &str) {
    // With the keys loaded, validation never waits: one poll completes it.
    let verdict = validator
        .validate(token)
        .now_or_never()
        .expect("validation of a known kid completes without waiting");
    assert!(verdict.is_ok(), "{verdict:?}");
}

fn bench(c: &mut Criterion) {
    let runtime = rocket::tokio::runtime::Runtime::new().expect("runtime");
    let issuer = runtime.block_on(Issuer::start());
    let client = |cache: usize| {
        let figment = issuer
            .figment()
            .merge(("maskinporten.verdict_cache", cache));
        let rocket = rocket::custom(figment).attach(maskinporten_rocket::Maskinporten::fairing());
        runtime.block_on(Client::tracked(rocket)).expect("ignite")
    };
    let uncached = client(0);
    let cached = client(10_000);
    let uncached = uncached.rocket().state::<Validator>().expect("validator");
    let cached = cached.rocket().state::<Validator>().expect("validator");

    let tokens: Vec<String> = (0..1000)
        .map(|_| issuer.token().scope(SCOPE).consumer("123456789").sign())
        .collect();
    let jwk = issuer.current_key().jwk();
    let key = DecodingKey::from_rsa_components(
        jwk["n"].as_str().expect("n"),
        jwk["e"].as_str().expect("e"),
    )
    .expect("RSA key");
    let mut baseline = Validation::new(Algorithm::RS256);
    baseline.set_issuer(&[issuer.issuer()]);

    // The bare verification: the key parsed once, each token split and its
    // signature decoded before timing, so only `verify_sig` is measured.
    let component = |name: &str| {
        URL_SAFE_NO_PAD
            .decode(jwk[name].as_str().expect(name))
            .expect("base64url")
    };
    let parsed = RsaPublicKeyComponents {
        n: component("n"),
        e: component("e"),
    }
    .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
    .expect("RSA key");
    let signed: Vec<(&[u8], Vec<u8>)> = tokens
        .iter()
        .map(|token| {
            let (message, signature) = token.rsplit_once('.').expect("a JWS");
            let signature = URL_SAFE_NO_PAD.decode(signature).expect("base64url");
            (message.as_bytes(), signature)
        })
        .collect();

    let mut group = c.benchmark_group("validate");
    let mut i = 0;
    group.bench_function("raw_jsonwebtoken_decode", |b| {
        b.iter(|| {
            i = (i + 1) % tokens.len();
            let data = jsonwebtoken::decode::<serde_json::Value>(&tokens[i], &key, &baseline);
            black_box(data.expect("valid"));
        })
    });
    group.bench_function("bare_aws_lc_rs_verify", |b| {
        b.iter(|| {
            i = (i + 1) % signed.len();
            let (message, signature) = &signed[i];
            parsed
                .verify_sig(black_box(message), black_box(signature))
                .expect("valid");
        })
    });
    group.bench_function("cold", |b| {
        b.iter(|| {
            i = (i + 1) % tokens.len();
            validate(uncached, black_box(&tokens[i]));
        })
    });
    // What a hit cannot avoid: the SHA-256 of the token's signature, which
    // finds the entry.
    let (_, signature) = tokens[0].rsplit_once('.').expect("a JWS");
    group.bench_function("sha256_of_signature", |b| {
        b.iter(|| {
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, black_box(signature.as_bytes()))
        })
    });
    validate(cached, &tokens[0]);
    group.bench_function("cached", |b| {
        b.iter(|| validate(cached, black_box(&tokens[0])))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
