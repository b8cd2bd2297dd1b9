//! The hot path against its baseline, in one run: raw `jsonwebtoken::decode`
//! of an RS256 token with the same key, our full validation of a token never
//! seen before (verdict cache off), and of a token already verified.
//!
//! `bench/micro.sh` runs this and prints the ratios.

use criterion::{criterion_group, criterion_main, Criterion};
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

    let mut group = c.benchmark_group("validate");
    let mut i = 0;
    group.bench_function("raw_jsonwebtoken_decode", |b| {
        b.iter(|| {
            i = (i + 1) % tokens.len();
            let data = jsonwebtoken::decode::<serde_json::Value>(&tokens[i], &key, &baseline);
            black_box(data.expect("valid"));
        })
    });
    group.bench_function("cold", |b| {
        b.iter(|| {
            i = (i + 1) % tokens.len();
            validate(uncached, black_box(&tokens[i]));
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
