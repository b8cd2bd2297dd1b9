//! Attacks on a resource server that takes JWTs, one test per attack (RFC 8725
//! §2–3, the OWASP JWT cheat sheet), each pinning the exact status and
//! `WWW-Authenticate` the library answers with (RFC 6750 §3).
//!
//! Every forgery here is sent to a real app (`support::app`) that
//! trusts a stand-in issuer on 127.0.0.1; "the right key" is that issuer's,
//! "a stranger" is a key or a second issuer it does not publish.

use crate::support::description::{
    BAD_HEADER, BAD_SIGNATURE, EXPIRED, MALFORMED, NOT_YET_VALID, OTHER_ISSUER, UNKNOWN_KEY,
};
use crate::support::{
    assert_refused, b64, base64url_neighbour, client, decoded, expect_insufficient_scope,
    expect_invalid, expect_invalid_request, expect_ok, get, get_with_authorization, now, parts,
    serve, start, BARE_CHALLENGE, INVALID_REQUEST, READ, WRITE,
};
use maskinporten_testing::{bearer, Issuer, SigningKey};
use rocket::http::{Header, Status};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One token per value of the header parameter `name`, each signed by the
/// issuer's right key and carrying the scope `/read` requires.
fn with_header<V: Into<Value>>(
    issuer: &Issuer,
    name: &str,
    values: impl IntoIterator<Item = V>,
) -> Vec<String> {
    let builder = issuer.token().scope(READ);
    values
        .into_iter()
        .map(|value| builder.clone().header(name, value.into()).sign())
        .collect()
}

/// The header the stand-in issuer's tokens carry.
const HEADER: &str = r#"{"alg":"RS256","kid":"key-1"}"#;

/// A claims object as raw JSON: the issuer's `iss`, a live `exp` and `iat`,
/// then `members` as written (each starting with a comma).
fn raw_claims(issuer: &Issuer, members: &str) -> String {
    let now = now();
    format!(
        r#"{{"iss":"{}","iat":{now},"exp":{}{members}}}"#,
        issuer.issuer(),
        now + 120
    )
}

/// [`raw_claims`] carrying the scope `/read` requires.
fn raw_claims_with_read(issuer: &Issuer, members: &str) -> String {
    raw_claims(issuer, &format!(r#","scope":"{READ}"{members}"#))
}

// ---------------------------------------------------------------- alg none

/// `alg` spelled some way of `none`: unsigned (empty signature), without the
/// trailing dot, with a junk signature, and on a token the issuer really signed.
async fn expect_alg_refused(alg: &str) {
    let (issuer, client) = start().await;
    let builder = issuer.token().scope(READ);
    let unsigned = builder.unsigned_with_alg(alg);
    expect_invalid(&client, BAD_SIGNATURE, [&unsigned]).await;
    expect_invalid(&client, MALFORMED, [unsigned.trim_end_matches('.')]).await;
    let signed_by_the_issuer = builder.clone().header("alg", json!(alg)).sign();
    let junk_signature = format!("{unsigned}{}", b64([0u8; 256]));
    expect_invalid(&client, BAD_HEADER, &[signed_by_the_issuer, junk_signature]).await;
}

#[rocket::async_test]
async fn alg_none_lowercase_is_refused() {
    expect_alg_refused("none").await;
}

#[rocket::async_test]
async fn alg_none_capitalised_is_refused() {
    expect_alg_refused("None").await;
}

#[rocket::async_test]
async fn alg_none_uppercase_is_refused() {
    expect_alg_refused("NONE").await;
}

#[rocket::async_test]
async fn alg_none_mixed_case_is_refused() {
    expect_alg_refused("nOnE").await;
}

#[rocket::async_test]
async fn empty_alg_is_refused() {
    expect_alg_refused("").await;
}

#[rocket::async_test]
async fn alg_near_rs256_is_refused() {
    for alg in ["rs256", "Rs256", "RS256 ", " RS256", "RS256\u{0}", "RS-256"] {
        expect_alg_refused(alg).await;
    }
}

#[rocket::async_test]
async fn missing_alg_is_malformed() {
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let claims = raw_claims_with_read(&issuer, "");
    let tokens = [
        builder.sign_raw(r#"{"kid":"key-1"}"#, &claims),
        builder.sign_raw(r#"{"typ":"JWT","kid":"key-1","ALG":"RS256"}"#, &claims),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn alg_of_the_wrong_type_is_malformed() {
    let (issuer, client) = start().await;
    let algs = [
        json!(null),
        json!(256),
        json!(true),
        json!(["RS256"]),
        json!({ "name": "RS256" }),
    ];
    expect_invalid(&client, MALFORMED, with_header(&issuer, "alg", algs)).await;
}

// ------------------------------------------------------ algorithm confusion

#[rocket::async_test]
async fn hmac_keyed_with_the_public_key_pem_is_refused() {
    let (issuer, client) = start().await;
    let builder = issuer.token().scope(READ);
    // HS256 with a real MAC under the issuer's public key (as PEM).
    let hs256 = builder.sign_hs256_with_public_key();
    // The test crate has no HMAC-SHA-384/512 of its own, so these carry MACs
    // of the right length but junk value. That is enough: the description
    // must say the header (the algorithm) was refused, not that a signature
    // was checked, so a library that tried the MAC would fail this test.
    let hs384 = format!("{}{}", builder.unsigned_with_alg("HS384"), b64([7u8; 48]));
    let hs512 = format!("{}{}", builder.unsigned_with_alg("HS512"), b64([7u8; 64]));
    expect_invalid(&client, BAD_HEADER, &[hs256, hs384, hs512]).await;
}

#[rocket::async_test]
async fn hmac_without_a_kid_is_an_unknown_key_and_costs_no_fetch() {
    let (issuer, client) = start().await;
    let before = issuer.jwks_requests();
    let token = issuer
        .token()
        .scope(READ)
        .sign_raw(r#"{"alg":"HS256"}"#, &raw_claims_with_read(&issuer, ""));
    expect_invalid(&client, UNKNOWN_KEY, &[token]).await;
    assert_eq!(issuer.jwks_requests(), before, "no kid, nothing to fetch");
}

#[rocket::async_test]
async fn rs256_token_relabelled_as_another_algorithm_is_refused() {
    let (issuer, client) = start().await;
    let algs = [
        "PS256", "PS384", "PS512", "RS384", "RS512", "ES256", "ES384", "EdDSA",
    ];
    expect_invalid(&client, BAD_HEADER, with_header(&issuer, "alg", algs)).await;
}

#[rocket::async_test]
async fn es256_psychic_signature_is_refused() {
    // CVE-2022-21449: an ECDSA signature (r, s) = (0, 0) passed some verifiers.
    let (issuer, client) = start().await;
    let unsigned = issuer.token().scope(READ).unsigned_with_alg("ES256");
    let token = format!("{unsigned}{}", b64([0u8; 64]));
    expect_invalid(&client, BAD_HEADER, &[token]).await;
}

// ------------------------------------------------------------------- kid

/// Each `kid` is an unknown key, and all of them together set off at most
/// one JWKS fetch (the refresh cooldown is 30 s).
async fn expect_unknown_kids(kids: &[Value]) {
    let (issuer, client) = start().await;
    let before = issuer.jwks_requests();
    let tokens = with_header(&issuer, "kid", kids.iter().cloned());
    expect_invalid(&client, UNKNOWN_KEY, &tokens).await;
    let fetches = issuer.jwks_requests() - before;
    assert!(
        fetches <= 1,
        "{fetches} JWKS fetches for {} kids",
        kids.len()
    );
}

fn path_traversal_kids() -> Vec<Value> {
    [
        "../../etc/passwd",
        "../../../../../../dev/null",
        "..\\..\\windows\\win.ini",
        "/etc/passwd",
        "key-1/../key-1",
        "./key-1",
        "%2e%2e%2fkey-1",
    ]
    .map(Value::from)
    .to_vec()
}

fn injection_kids() -> Vec<Value> {
    [
        "' OR 1=1 --",
        "key-1' --",
        "key-1' OR '1'='1",
        "\"; DROP TABLE keys; --",
        "key-1|cat /etc/passwd",
        "$(id)",
        "{\"$ne\":null}",
        "*",
    ]
    .map(Value::from)
    .to_vec()
}

fn look_alike_kids() -> Vec<Value> {
    [
        "KEY-1",
        "key-1 ",
        " key-1",
        "key-1\u{0}",
        "key-1\u{200b}",
        "kеy-1", // Cyrillic е
        "",
    ]
    .map(Value::from)
    .to_vec()
}

#[rocket::async_test]
async fn kid_path_traversal_is_an_unknown_key() {
    expect_unknown_kids(&path_traversal_kids()).await;
}

#[rocket::async_test]
async fn kid_sql_and_command_injection_is_an_unknown_key() {
    expect_unknown_kids(&injection_kids()).await;
}

#[rocket::async_test]
async fn kid_near_the_known_kid_is_an_unknown_key() {
    expect_unknown_kids(&look_alike_kids()).await;
}

#[rocket::async_test]
async fn empty_kid_is_an_unknown_key() {
    expect_unknown_kids(&[json!("")]).await;
}

#[rocket::async_test]
async fn very_long_kid_is_an_unknown_key() {
    // 8 KiB of kid keeps the token under the 16 KiB limit, so it is looked up.
    expect_unknown_kids(&[json!("k".repeat(8 * 1024))]).await;
}

#[rocket::async_test]
async fn kid_url_is_an_unknown_key_and_is_never_fetched() {
    let attacker = Issuer::start().await;
    let kids = [
        json!(attacker.jwks_uri()),
        json!(attacker.well_known_url()),
        json!(format!("{}#key-1", attacker.jwks_uri())),
    ];
    expect_unknown_kids(&kids).await;
    assert_eq!(attacker.jwks_requests(), 0, "the kid URL was fetched");
    assert_eq!(attacker.metadata_requests(), 0, "the kid URL was fetched");
}

#[rocket::async_test]
async fn kid_of_the_wrong_type_is_malformed() {
    let (issuer, client) = start().await;
    let before = issuer.jwks_requests();
    let kids = [
        json!(1),
        json!(["key-1"]),
        json!(null),
        json!({ "kid": "key-1" }),
        json!(true),
    ];
    expect_invalid(&client, MALFORMED, with_header(&issuer, "kid", kids)).await;
    assert_eq!(
        issuer.jwks_requests(),
        before,
        "a malformed kid was looked up"
    );
}

#[rocket::async_test]
async fn all_kid_attacks_together_cost_at_most_one_jwks_fetch() {
    let mut kids = path_traversal_kids();
    kids.extend(injection_kids());
    kids.extend(look_alike_kids());
    kids.push(json!("https://attacker.example/jwks"));
    kids.push(json!("k".repeat(8 * 1024)));
    // Fifty plain unknown kids, as a storm of rotated-looking tokens has.
    kids.extend((0..50).map(|i| json!(format!("random-{i}"))));
    expect_unknown_kids(&kids).await;
}

// -------------------------------------------------- header key material

#[rocket::async_test]
async fn jku_header_is_refused_and_never_fetched() {
    let issuer = Issuer::start().await;
    let attacker = Issuer::start().await;
    let client = client(&issuer).await;
    let before = issuer.jwks_requests();
    // The attacker's own key, published at the attacker's JWKS, named there
    // and here by the same kid as the issuer's key and by a kid of its own.
    attacker.rotate("attacker-key");
    let base = attacker
        .token()
        .scope(READ)
        .issuer(issuer.issuer())
        .header("jku", json!(attacker.jwks_uri()));
    let tokens = [
        base.clone().sign(),
        base.clone().kid("key-1").sign(),
        base.clone()
            .header("jku", json!(attacker.well_known_url()))
            .sign(),
        // Even the issuer's own JWKS URL is not taken from the header.
        base.clone()
            .kid("key-1")
            .header("jku", json!(issuer.jwks_uri()))
            .sign(),
        issuer
            .token()
            .scope(READ)
            .header("jku", json!(attacker.jwks_uri()))
            .sign(),
    ];
    expect_invalid(&client, BAD_HEADER, &tokens).await;
    assert_eq!(attacker.jwks_requests(), 0, "the jku was fetched");
    assert_eq!(attacker.metadata_requests(), 0, "the jku was fetched");
    assert_eq!(
        issuer.jwks_requests(),
        before,
        "the issuer's JWKS was fetched"
    );
}

#[rocket::async_test]
async fn x5u_header_is_refused_and_never_fetched() {
    let issuer = Issuer::start().await;
    let attacker = Issuer::start().await;
    let client = client(&issuer).await;
    let before = issuer.jwks_requests();
    attacker.rotate("attacker-key");
    let base = attacker.token().scope(READ).issuer(issuer.issuer());
    let tokens = [
        base.clone()
            .header("x5u", json!(attacker.jwks_uri()))
            .sign(),
        base.clone()
            .header("x5u", json!(attacker.well_known_url()))
            .kid("key-1")
            .sign(),
        base.clone()
            .header("x5u", json!(issuer.jwks_uri()))
            .kid("key-1")
            .sign(),
    ];
    expect_invalid(&client, BAD_HEADER, &tokens).await;
    assert_eq!(attacker.jwks_requests(), 0, "the x5u was fetched");
    assert_eq!(attacker.metadata_requests(), 0, "the x5u was fetched");
    assert_eq!(
        issuer.jwks_requests(),
        before,
        "the issuer's JWKS was fetched"
    );
}

#[rocket::async_test]
async fn embedded_jwk_of_the_attackers_key_is_refused() {
    let (issuer, client) = start().await;
    let before = issuer.jwks_requests();
    let own = SigningKey::generate("attacker-key");
    let under_own_kid = issuer
        .token()
        .scope(READ)
        .kid("attacker-key")
        .signing_key(own.clone())
        .header("jwk", own.jwk());
    let under_known_kid = issuer
        .token()
        .scope(READ)
        .signing_key(own.clone())
        .header("jwk", own.jwk());
    let without_kid = own.jwk();
    let token_without_kid = issuer.token().signing_key(own.clone()).sign_raw(
        &json!({ "alg": "RS256", "jwk": without_kid }).to_string(),
        &raw_claims_with_read(&issuer, ""),
    );
    let tokens = [
        under_own_kid.sign(),
        under_known_kid.sign(),
        token_without_kid,
    ];
    expect_invalid(&client, BAD_HEADER, &tokens).await;
    assert_eq!(issuer.jwks_requests(), before);
}

#[rocket::async_test]
async fn x5c_certificate_chain_is_refused() {
    let (issuer, client) = start().await;
    let own = SigningKey::generate("attacker-key");
    // What the chain holds does not matter: its presence is refused.
    let chain = json!([b64(b"a self-signed certificate for the attacker's key")]);
    let tokens = [
        issuer
            .token()
            .scope(READ)
            .signing_key(own.clone())
            .kid("attacker-key")
            .header("x5c", chain.clone())
            .sign(),
        issuer.token().scope(READ).header("x5c", chain).sign(),
    ];
    expect_invalid(&client, BAD_HEADER, &tokens).await;
}

#[rocket::async_test]
async fn key_material_headers_are_refused_whatever_their_value() {
    let (issuer, client) = start().await;
    let builder = issuer.token().scope(READ);
    let mut tokens = Vec::new();
    for name in ["jwk", "jku", "x5u", "x5c"] {
        for value in [json!(null), json!(""), json!([]), json!({}), json!(0)] {
            tokens.push(builder.clone().header(name, value).sign());
        }
    }
    expect_invalid(&client, BAD_HEADER, &tokens).await;
}

// ------------------------------------------------------------------ crit

#[rocket::async_test]
async fn crit_naming_a_parameter_is_refused_whether_present_or_absent() {
    // RFC 7515 §4.1.11: the library understands no extension, so any
    // `crit` entry is one it must refuse.
    let (issuer, client) = start().await;
    let builder = issuer.token().scope(READ);
    let tokens = [
        builder.clone().header("crit", json!(["exp"])).sign(),
        builder
            .clone()
            .header("crit", json!(["exp"]))
            .header("exp", json!(1))
            .sign(),
        builder
            .clone()
            .header("crit", json!(["http://example.com/must-understand"]))
            .sign(),
    ];
    expect_invalid(&client, BAD_HEADER, &tokens).await;
}

#[rocket::async_test]
async fn crit_b64_false_unencoded_payload_is_refused() {
    // RFC 7797: `b64: false` changes what the signature covers; a recipient
    // that does not know it must refuse, which `crit` makes explicit.
    let (issuer, client) = start().await;
    let builder = issuer.token().scope(READ);
    let tokens = [
        builder
            .clone()
            .header("b64", json!(false))
            .header("crit", json!(["b64"]))
            .sign(),
        builder
            .clone()
            .header("b64", json!(true))
            .header("crit", json!(["b64"]))
            .sign(),
    ];
    expect_invalid(&client, BAD_HEADER, &tokens).await;
}

#[rocket::async_test]
async fn empty_crit_array_is_refused() {
    // RFC 7515 §4.1.11: producers must not send `[]`.
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).header("crit", json!([])).sign();
    expect_invalid(&client, BAD_HEADER, &[token]).await;
}

#[rocket::async_test]
async fn crit_of_the_wrong_type_is_refused() {
    let (issuer, client) = start().await;
    let crits = [json!("exp"), json!(null), json!(1), json!({"exp": 1})];
    expect_invalid(&client, BAD_HEADER, with_header(&issuer, "crit", crits)).await;
}

// ------------------------------------------------------ duplicate members

#[rocket::async_test]
async fn duplicate_alg_in_the_header_is_malformed() {
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let claims = raw_claims_with_read(&issuer, "");
    let tokens = [
        builder.sign_raw(r#"{"alg":"none","alg":"RS256","kid":"key-1"}"#, &claims),
        builder.sign_raw(r#"{"alg":"RS256","alg":"none","kid":"key-1"}"#, &claims),
        builder.sign_raw(r#"{"alg":"HS256","alg":"RS256","kid":"key-1"}"#, &claims),
        builder.sign_raw(r#"{"alg":"RS256","alg":"RS256","kid":"key-1"}"#, &claims),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn duplicate_kid_in_the_header_is_malformed() {
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let claims = raw_claims_with_read(&issuer, "");
    let tokens = [
        builder.sign_raw(r#"{"alg":"RS256","kid":"other","kid":"key-1"}"#, &claims),
        builder.sign_raw(r#"{"alg":"RS256","kid":"key-1","kid":"other"}"#, &claims),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn duplicate_iss_claim_is_malformed() {
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let (ours, theirs) = (issuer.issuer(), "https://attacker.example/");
    let exp = now() + 120;
    let tokens = [
        builder.sign_raw(
            HEADER,
            &format!(r#"{{"iss":"{theirs}","iss":"{ours}","exp":{exp},"scope":"{READ}"}}"#),
        ),
        builder.sign_raw(
            HEADER,
            &format!(r#"{{"iss":"{ours}","iss":"{theirs}","exp":{exp},"scope":"{READ}"}}"#),
        ),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn duplicate_scope_claim_is_malformed_whichever_comes_first() {
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let tokens = [
        builder.sign_raw(
            HEADER,
            &raw_claims(&issuer, &format!(r#","scope":"{READ}","scope":"{WRITE}""#)),
        ),
        builder.sign_raw(
            HEADER,
            &raw_claims(&issuer, &format!(r#","scope":"{WRITE}","scope":"{READ}""#)),
        ),
        builder.sign_raw(
            HEADER,
            &raw_claims(&issuer, &format!(r#","scope":"{READ}","scope":"{READ}""#)),
        ),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn duplicate_exp_claim_is_malformed() {
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let (past, future) = (now() - 3600, now() + 3600);
    let iss = issuer.issuer();
    let tokens = [
        builder.sign_raw(
            HEADER,
            &format!(r#"{{"iss":"{iss}","exp":{past},"exp":{future},"scope":"{READ}"}}"#),
        ),
        builder.sign_raw(
            HEADER,
            &format!(r#"{{"iss":"{iss}","exp":{future},"exp":{past},"scope":"{READ}"}}"#),
        ),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn duplicate_claim_name_hidden_by_an_escape_is_malformed() {
    // `sc\u006fpe` is `scope` once decoded: a check on the raw text misses it.
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let claims = raw_claims(
        &issuer,
        &format!(r#","scope":"{WRITE}","sc\u006fpe":"{READ}""#),
    );
    let header = r#"{"alg":"RS256","kid":"key-1","\u0061lg":"none"}"#;
    let tokens = [
        builder.sign_raw(HEADER, &claims),
        builder.sign_raw(header, &raw_claims_with_read(&issuer, "")),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn duplicate_member_inside_a_claim_takes_the_last_never_the_first() {
    // RFC 7519 §4 allows rejecting or taking the lexically last member; the
    // top level is rejected (above), inside a claim's object the last wins.
    let (issuer, client) = start().await;
    let claims = raw_claims_with_read(
        &issuer,
        r#","consumer":{"authority":"iso6523-actorid-upis","ID":"0192:111111111","ID":"0192:222222222"}"#,
    );
    let token = issuer.token().sign_raw(HEADER, &claims);
    let response = get(&client, "/read", &token).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("222222222"),
        "the first of two members was taken"
    );
}

// ------------------------------------------------------------ nested JWT

#[rocket::async_test]
async fn nested_jwt_content_type_is_refused() {
    let (issuer, client) = start().await;
    let ctys = ["JWT", "jwt", "Jwt"];
    expect_invalid(&client, BAD_HEADER, with_header(&issuer, "cty", ctys)).await;
}

/// RFC 7515 §4.1.10: a `cty` without a `/` means `application/<cty>`, so
/// `application/jwt` is the same content type as `JWT` and is refused too.
#[rocket::async_test]
async fn nested_jwt_content_type_with_the_application_prefix_is_refused() {
    let (issuer, client) = start().await;
    let ctys = ["application/jwt", "application/JWT", "APPLICATION/JWT"];
    expect_invalid(&client, BAD_HEADER, with_header(&issuer, "cty", ctys)).await;
}

#[rocket::async_test]
async fn jws_whose_payload_is_another_jwt_is_malformed() {
    let (issuer, client) = start().await;
    let inner = issuer.token().scope(READ).sign();
    let builder = issuer.token();
    let tokens = [
        // The inner token's text as the payload, as a nested JWS has it.
        builder.sign_raw(HEADER, &inner),
        // The same inside a JSON string.
        builder.sign_raw(HEADER, &json!(inner).to_string()),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

// -------------------------------------------------- claims of odd types

async fn expect_claims_invalid(description: &str, members: &[&str]) {
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let iss = issuer.issuer();
    let tokens: Vec<String> = members
        .iter()
        .map(|members| {
            builder.sign_raw(
                HEADER,
                &format!(r#"{{"iss":"{iss}","scope":"{READ}",{members}}}"#),
            )
        })
        .collect();
    expect_invalid(&client, description, &tokens).await;
}

#[rocket::async_test]
async fn exp_as_a_string_is_malformed() {
    expect_claims_invalid(
        MALFORMED,
        &[r#""exp":"9999999999""#, r#""exp":"1e10""#, r#""exp":"""#],
    )
    .await;
}

#[rocket::async_test]
async fn nbf_as_a_string_is_malformed() {
    let exp = now() + 120;
    expect_claims_invalid(
        MALFORMED,
        &[
            &format!(r#""exp":{exp},"nbf":"0""#),
            &format!(r#""exp":{exp},"nbf":"9999999999""#),
        ],
    )
    .await;
}

#[rocket::async_test]
async fn iat_as_a_string_is_malformed() {
    let exp = now() + 120;
    expect_claims_invalid(
        MALFORMED,
        &[
            &format!(r#""exp":{exp},"iat":"0""#),
            &format!(r#""exp":{exp},"iat":"{}""#, now()),
        ],
    )
    .await;
}

#[rocket::async_test]
async fn exp_as_a_float_in_the_past_is_expired() {
    let past = now() - 60;
    expect_claims_invalid(
        EXPIRED,
        &[
            &format!(r#""exp":{past}.5"#),
            &format!(r#""exp":{past}.999999"#),
            &format!(r#""exp":{}e0"#, past),
            r#""exp":1.7e9"#,
        ],
    )
    .await;
}

#[rocket::async_test]
async fn negative_exp_is_expired() {
    expect_claims_invalid(
        EXPIRED,
        &[
            r#""exp":-1"#,
            r#""exp":-9223372036854775808"#,
            r#""exp":-1e308"#,
            r#""exp":0"#,
        ],
    )
    .await;
}

#[rocket::async_test]
async fn exp_of_the_wrong_type_is_malformed() {
    expect_claims_invalid(
        MALFORMED,
        &[
            r#""exp":null"#,
            r#""exp":true"#,
            r#""exp":[9999999999]"#,
            r#""exp":{"value":9999999999}"#,
        ],
    )
    .await;
}

#[rocket::async_test]
async fn exp_beyond_any_float_is_malformed() {
    // serde_json refuses a number that overflows f64.
    expect_claims_invalid(MALFORMED, &[r#""exp":1e400"#]).await;
}

#[rocket::async_test]
async fn exp_in_a_lenient_number_syntax_is_malformed() {
    // What JSON5 or a hand-rolled parser might take; JSON does not.
    expect_claims_invalid(
        MALFORMED,
        &[
            r#""exp":09999999999"#,
            r#""exp":+9999999999"#,
            r#""exp":0x7fffffff"#,
            r#""exp":Infinity"#,
            r#""exp":NaN"#,
            r#""exp":9999999999."#,
        ],
    )
    .await;
}

#[rocket::async_test]
async fn huge_exp_neither_overflows_nor_panics() {
    // A far-future `exp` signed by the issuer is the issuer's choice; what
    // matters is that the arithmetic saturates instead of wrapping into the
    // past or panicking.
    let (issuer, client) = start().await;
    let tokens: Vec<String> = [
        r#""exp":18446744073709551615"#,
        r#""exp":9223372036854775807"#,
        r#""exp":1e308"#,
        r#""exp":99999999999999999999999999999"#,
    ]
    .iter()
    .map(|exp| {
        issuer.token().sign_raw(
            HEADER,
            &format!(
                "{{\"iss\":\"{}\",\"scope\":\"{READ}\",{exp}}}",
                issuer.issuer()
            ),
        )
    })
    .collect();
    expect_ok(&client, &tokens).await;
}

#[rocket::async_test]
async fn huge_nbf_or_iat_is_not_valid_yet() {
    let exp = now() + 120;
    expect_claims_invalid(
        NOT_YET_VALID,
        &[
            &format!(r#""exp":{exp},"nbf":1e308"#),
            &format!(r#""exp":{exp},"nbf":18446744073709551615"#),
            &format!(r#""exp":{exp},"iat":9223372036854775807"#),
        ],
    )
    .await;
}

#[rocket::async_test]
async fn iss_of_the_wrong_type_is_malformed() {
    let (issuer, client) = start().await;
    let iss = issuer.issuer();
    let exp = now() + 120;
    let tokens: Vec<String> = [
        json!([iss]),
        json!([iss, "https://attacker.example/"]),
        json!(null),
        json!({ "iss": iss }),
        json!(1),
    ]
    .iter()
    .map(|value| {
        let claims = json!({ "iss": value, "exp": exp, "scope": READ });
        issuer.token().sign_raw(HEADER, &claims.to_string())
    })
    .chain(std::iter::once(issuer.token().sign_raw(
        HEADER,
        &json!({ "exp": exp, "scope": READ }).to_string(),
    )))
    .collect();
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn scope_of_the_wrong_type_is_malformed() {
    let (issuer, client) = start().await;
    let tokens: Vec<String> = [
        json!(1),
        json!(null),
        json!(true),
        json!({ READ: true }),
        json!([READ]),
        json!([READ, WRITE]),
    ]
    .into_iter()
    .map(|scope| issuer.token().claim("scope", scope).sign())
    .collect();
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn claims_that_are_not_an_object_are_malformed() {
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let object = raw_claims_with_read(&issuer, "");
    let tokens: Vec<String> = [
        format!("[{object}]"),
        "null".to_owned(),
        "1".to_owned(),
        format!("{object} {object}"),
        format!("{object}x"),
        String::new(),
    ]
    .iter()
    .map(|claims| builder.sign_raw(HEADER, claims))
    .collect();
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn header_that_is_not_an_object_is_malformed() {
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let claims = raw_claims_with_read(&issuer, "");
    let tokens: Vec<String> = [
        r#"["RS256","key-1"]"#,
        "null",
        r#""RS256""#,
        r#"{"alg":"RS256","kid":"key-1"}{}"#,
        r#"{"alg":"RS256","kid":"key-1""#,
    ]
    .iter()
    .map(|header| builder.sign_raw(header, &claims))
    .collect();
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn invalid_utf8_and_lone_surrogates_are_malformed() {
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let claims = raw_claims_with_read(&issuer, "");
    // Invalid UTF-8 in the header: built by hand, the builder takes &str.
    let header = b64(b"{\"alg\":\"RS256\",\"kid\":\"key-1\xff\"}");
    let signed = builder.sign_raw(HEADER, &claims);
    let [_, payload, signature] = parts(&signed);
    let tokens = [
        format!("{header}.{payload}.{signature}"),
        builder.sign_raw(r#"{"alg":"RS256","kid":"key-\ud800"}"#, &claims),
        builder.sign_raw(
            HEADER,
            &raw_claims(&issuer, &format!(r#","scope":"{READ} \udfff""#)),
        ),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

// ------------------------------------------------------------------ size

#[rocket::async_test]
async fn token_over_16_kib_is_an_invalid_request() {
    let (issuer, client) = start().await;
    let big = issuer
        .token()
        .scope(READ)
        .claim("padding", json!("x".repeat(20 * 1024)))
        .sign();
    assert!(big.len() > 20 * 1024);
    expect_invalid_request(&client, &[big, "a".repeat(16 * 1024 + 1)]).await;
}

#[rocket::async_test]
async fn megabyte_authorization_header_is_an_invalid_request() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    let huge = format!("{token}{}", "A".repeat(1024 * 1024));
    let huge_header = format!(
        "{}.{}",
        b64(format!(
            r#"{{"alg":"RS256","kid":"key-1","x":"{}"}}"#,
            "a".repeat(1024 * 1024)
        )),
        parts(&token)[1..].join(".")
    );
    expect_invalid_request(&client, &[huge, huge_header]).await;
}

#[rocket::async_test]
async fn oversized_claims_within_the_size_limit_are_harmless() {
    let (issuer, client) = start().await;
    // About 11 KiB of token: one big claim, and a scope claim of 400 items
    // with the required one last.
    let padded = issuer
        .token()
        .scope(READ)
        .claim("padding", json!("x".repeat(8 * 1024)))
        .sign();
    let mut many = issuer.token();
    for i in 0..400 {
        many = many.scope(&format!("nav:x/s{i}"));
    }
    let many = many.scope(READ).sign();
    assert!(many.len() < 16 * 1024);
    expect_ok(&client, &[padded, many]).await;
}

#[rocket::async_test]
async fn deeply_nested_json_is_malformed_not_a_stack_overflow() {
    let (issuer, client) = start().await;
    let builder = issuer.token();
    let depth = 5000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let tokens = [
        builder.sign_raw(
            &format!(r#"{{"alg":"RS256","kid":"key-1","x":{nested}}}"#),
            &raw_claims_with_read(&issuer, ""),
        ),
        builder.sign_raw(
            HEADER,
            &raw_claims_with_read(&issuer, &format!(r#","x":{nested}"#)),
        ),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

/// Sends `GET /read` with this `Authorization` over TCP; returns the status
/// code and the `WWW-Authenticate` value, or `None` if no response came back.
async fn raw_get(port: u16, authorization: &str) -> Option<(u16, Option<String>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let request = format!(
        "GET /read HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: {authorization}\r\n\r\n"
    );
    let (mut reader, mut writer) = stream.split();
    let mut response = Vec::new();
    // The server may answer and close before it has read everything.
    let _ = tokio::join!(
        writer.write_all(request.as_bytes()),
        reader.read_to_end(&mut response)
    );
    let text = String::from_utf8_lossy(&response);
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let challenge = text
        .lines()
        .take_while(|line| !line.is_empty())
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("www-authenticate")
                .then(|| value.trim().to_owned())
        });
    Some((status, challenge))
}

#[rocket::async_test]
async fn oversized_authorization_header_over_tcp_is_refused_and_the_server_lives_on() {
    let issuer = Issuer::start().await;
    // On a real port, so that requests go through hyper's limits, not
    // only the local client's.
    let (port, shutdown) = serve(issuer.figment()).await;
    let token = issuer.token().scope(READ).sign();

    // 20 KiB: within hyper's limits, refused by the guard.
    let padded = format!("Bearer {token}{}", "A".repeat(20 * 1024));
    assert_eq!(
        raw_get(port, &padded).await,
        Some((400, Some(INVALID_REQUEST.to_owned())))
    );
    // 1 MiB: beyond hyper's header buffer (about 400 KiB), answered 431
    // by hyper before Rocket or the guard sees it.
    let huge = format!("Bearer {token}{}", "A".repeat(1024 * 1024));
    assert_eq!(raw_get(port, &huge).await, Some((431, None)));
    // The server is still there and still right.
    let ok = format!("Bearer {token}");
    assert_eq!(raw_get(port, &ok).await, Some((200, None)));
    shutdown.notify();
}

// ------------------------------------------------------- encoding tricks

#[rocket::async_test]
async fn standard_base64_alphabet_is_malformed() {
    let (issuer, client) = start().await;
    // Sign until the signature holds a character that differs between the
    // two alphabets (nearly always the first time).
    let token = (0..20)
        .map(|_| issuer.token().scope(READ).sign())
        .find(|t| parts(t)[2].contains(['-', '_']))
        .expect("a signature with - or _");
    let [header, payload, signature] = parts(&token);
    let standard = signature.replace('-', "+").replace('_', "/");
    let tokens = [
        format!("{header}.{payload}.{standard}"),
        format!("{header}.{payload}+.{signature}"),
        format!("{header}/.{payload}.{signature}"),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn base64_padding_is_refused() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    let [header, payload, signature] = parts(&token);
    // Trailing `=` is allowed by RFC 6750's b64token, so the token parser
    // refuses it; `=` anywhere else is not a b64token at all.
    expect_invalid(
        &client,
        MALFORMED,
        &[format!("{token}="), format!("{token}==")],
    )
    .await;
    expect_invalid_request(
        &client,
        &[
            format!("{header}=.{payload}.{signature}"),
            format!("{header}.{payload}==.{signature}"),
        ],
    )
    .await;
}

#[rocket::async_test]
async fn whitespace_inside_the_token_is_an_invalid_request() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    let [header, payload, signature] = parts(&token);
    let tokens = [
        format!("{header}. {payload}.{signature}"),
        format!(
            "{header}.{payload}.{} {}",
            &signature[..10],
            &signature[10..]
        ),
        format!("{header}\t.{payload}.{signature}"),
        format!("{header}.{payload}\u{a0}.{signature}"),
    ];
    expect_invalid_request(&client, &tokens).await;
}

#[rocket::async_test]
async fn non_ascii_characters_are_an_invalid_request() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    let [header, payload, signature] = parts(&token);
    let tokens = [
        format!("{header}．{payload}.{signature}"), // fullwidth full stop
        format!("{header}.{payload}.{signature}é"),
        format!("{header}.{payload}\u{200b}.{signature}"),
        format!("{header}.{payload}.{}а", &signature[..signature.len() - 1]), // Cyrillic а
    ];
    expect_invalid_request(&client, &tokens).await;
}

#[rocket::async_test]
async fn jwe_shaped_tokens_are_malformed() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    let [header, payload, signature] = parts(&token);
    let jwe_header = b64(r#"{"alg":"RSA-OAEP","enc":"A256GCM","kid":"key-1"}"#);
    let tokens = [
        format!("{token}.{signature}"),
        format!("{token}.{payload}.{signature}"),
        format!("{jwe_header}.{payload}.{payload}.{payload}.{signature}"),
        format!("{jwe_header}..{payload}.{payload}.{signature}"),
        format!("{header}.{payload}"),
    ];
    expect_invalid(&client, MALFORMED, &tokens).await;
}

#[rocket::async_test]
async fn empty_segments_are_refused() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    let [header, payload, signature] = parts(&token);
    expect_invalid(
        &client,
        MALFORMED,
        &[
            format!("..{signature}"),
            format!("{header}..{signature}"),
            format!(".{payload}.{signature}"),
            "....".to_owned(),
        ],
    )
    .await;
    // An empty signature is refused as such, whatever the rest holds.
    expect_invalid(
        &client,
        BAD_SIGNATURE,
        &[
            format!("{header}.{payload}."),
            format!(".{payload}."),
            "..".to_owned(),
        ],
    )
    .await;
}

/// A base64url segment whose length is not a multiple of 4 has unused low
/// bits in its last character; an encoder sets them to zero. Setting one
/// gives a different text that a lenient decoder maps to the same bytes.
fn with_non_canonical_last_char(segment: &str) -> String {
    assert_ne!(segment.len() % 4, 0, "a segment with unused bits");
    let last = segment.chars().last().expect("non-empty");
    let flipped = base64url_neighbour(last).expect("base64url");
    format!("{}{}", &segment[..segment.len() - 1], flipped)
}

#[rocket::async_test]
async fn non_canonical_base64_trailing_bits_are_refused() {
    let (issuer, client) = start().await;
    // A header of 29 bytes and a payload whose length is not a multiple of
    // 3, so each segment has unused bits (the signature, 256 bytes, has 4).
    let mut claims = raw_claims_with_read(&issuer, "");
    while claims.len().is_multiple_of(3) {
        claims.insert(1, ' ');
    }
    let token = issuer.token().sign_raw(HEADER, &claims);
    expect_ok(&client, [&token]).await;
    let [header, payload, signature] = parts(&token);
    // The header is decoded before the signature is checked.
    expect_invalid(
        &client,
        MALFORMED,
        &[format!(
            "{}.{payload}.{signature}",
            with_non_canonical_last_char(header)
        )],
    )
    .await;
    // The payload's text is what is signed, so it no longer verifies; the
    // signature's own non-canonical form does not decode.
    expect_invalid(
        &client,
        BAD_SIGNATURE,
        &[
            format!(
                "{header}.{}.{signature}",
                with_non_canonical_last_char(payload)
            ),
            format!(
                "{header}.{payload}.{}",
                with_non_canonical_last_char(signature)
            ),
        ],
    )
    .await;
}

// ------------------------------------------------- scope look-alikes

#[rocket::async_test]
async fn cyrillic_letters_in_the_scope_are_insufficient_scope() {
    let (issuer, client) = start().await;
    let tokens = [
        READ.replacen('a', "а", 1),               // nаv
        READ.replace("helse", "hеlse"),           // Cyrillic е
        READ.replace("read", "rеаd"),             // two Cyrillic letters
        READ.replace("sykepenger", "ѕykepenger"), // Cyrillic ѕ
    ]
    .map(|scope| {
        assert_ne!(scope, READ);
        issuer.token().scope(&scope).sign()
    });
    expect_insufficient_scope(&client, &tokens).await;
}

#[rocket::async_test]
async fn fullwidth_punctuation_in_the_scope_is_insufficient_scope() {
    let (issuer, client) = start().await;
    let tokens = [
        READ.replacen(':', "：", 1),       // fullwidth colon
        READ.replacen('/', "／", 1),       // fullwidth solidus
        READ.replacen('.', "．", 1),       // fullwidth full stop
        READ.replacen('/', "\u{2215}", 1), // division slash
    ]
    .map(|scope| issuer.token().scope(&scope).sign());
    expect_insufficient_scope(&client, &tokens).await;
}

#[rocket::async_test]
async fn invisible_characters_around_the_scope_are_insufficient_scope() {
    let (issuer, client) = start().await;
    let tokens = [
        format!("{READ}\u{200b}"),          // zero-width space
        format!("\u{feff}{READ}"),          // byte-order mark
        format!("{READ}\u{0}"),             // NUL
        READ.replacen('.', "\u{200d}.", 1), // zero-width joiner inside
        format!("{READ}\u{301}"),           // combining acute accent
    ]
    .map(|scope| issuer.token().scope(&scope).sign());
    expect_insufficient_scope(&client, &tokens).await;
}

#[rocket::async_test]
async fn other_whitespace_is_not_a_scope_separator() {
    let (issuer, client) = start().await;
    let tokens = [
        format!("{READ}\u{a0}"),          // no-break space after it
        format!("{WRITE}\t{READ}"),       // tab between
        format!("{WRITE}\n{READ}"),       // newline between
        format!("{WRITE}\u{3000}{READ}"), // ideographic space between
        format!("{WRITE},{READ}"),        // comma between
        format!("{READ}\u{2002}"),        // en space after it
    ]
    .map(|scope| issuer.token().scope(&scope).sign());
    expect_insufficient_scope(&client, &tokens).await;
}

#[rocket::async_test]
async fn ascii_spaces_around_the_scope_only_separate_items() {
    // RFC 6749 §3.3 separates scopes by single spaces; a space before or
    // after, or two in a row, make empty items, which match no required
    // scope and hide none. The items themselves still match byte for byte.
    let (issuer, client) = start().await;
    let tokens = [
        format!("{READ} "),
        format!(" {READ}"),
        format!("{WRITE}  {READ}"),
    ]
    .map(|scope| issuer.token().claim("scope", json!(scope)).sign());
    expect_ok(&client, &tokens).await;
}

#[rocket::async_test]
async fn scope_outside_the_scope_claim_is_ignored() {
    let (issuer, client) = start().await;
    let tokens = [
        issuer.token().header("scope", json!(READ)).sign(),
        issuer.token().claim("scp", json!(READ)).sign(),
        issuer.token().claim("scopes", json!([READ])).sign(),
        issuer.token().claim("Scope", json!(READ)).sign(),
        issuer.token().claim("SCOPE", json!(READ)).sign(),
        issuer.token().claim("scope ", json!(READ)).sign(),
    ];
    expect_insufficient_scope(&client, &tokens).await;
}

// ------------------------------------------------------------- signature

#[rocket::async_test]
async fn truncated_signature_is_invalid() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    let [header, payload, signature] = parts(&token);
    let tokens: Vec<String> = [1, 2, 3, 4, 171, 341]
        .iter()
        .map(|cut| format!("{header}.{payload}.{}", &signature[..signature.len() - cut]))
        .collect();
    expect_invalid(&client, BAD_SIGNATURE, &tokens).await;
}

#[rocket::async_test]
async fn extended_signature_is_invalid() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    let tokens: Vec<String> = ["A", "AA", "AAA", "AAAA"]
        .iter()
        .map(|extra| format!("{token}{extra}"))
        .collect();
    expect_invalid(&client, BAD_SIGNATURE, &tokens).await;
}

#[rocket::async_test]
async fn zero_signature_is_invalid() {
    let (issuer, client) = start().await;
    let unsigned = issuer.token().scope(READ).unsigned_with_alg("RS256");
    let tokens = [
        format!("{unsigned}{}", b64([0u8; 256])),
        format!("{unsigned}{}", b64([0u8; 1])),
        format!("{unsigned}{}", b64([0xffu8; 256])),
        format!("{unsigned}{}", b64([1u8])),
    ];
    expect_invalid(&client, BAD_SIGNATURE, &tokens).await;
}

#[rocket::async_test]
async fn signature_from_another_token_is_invalid() {
    let (issuer, client) = start().await;
    let wanted = issuer.token().scope(READ).sign();
    let other = issuer.token().scope(WRITE).sign();
    let [header, payload, signature] = parts(&wanted);
    // The same header, its members reordered: equal as JSON, not as text.
    let reordered = issuer
        .token()
        .sign_raw(r#"{"kid":"key-1","alg":"RS256"}"#, "{}");
    let tokens = [
        format!("{header}.{payload}.{}", parts(&other)[2]),
        format!("{}.{payload}.{signature}", parts(&reordered)[0]),
    ];
    expect_invalid(&client, BAD_SIGNATURE, &tokens).await;
}

#[rocket::async_test]
async fn resigned_token_does_not_ride_on_a_cached_verdict() {
    // The verdict cache is keyed by the whole token: a valid token once seen
    // does not vouch for the same header and payload under another signature.
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    expect_ok(&client, [&token]).await;
    let [header, payload, _] = parts(&token);
    let stranger = SigningKey::generate("key-1");
    let forged = issuer
        .token()
        .signing_key(stranger)
        .sign_raw(&decoded(header), &decoded(payload));
    assert_eq!(
        &forged[..forged.rfind('.').unwrap()],
        &token[..token.rfind('.').unwrap()]
    );
    expect_invalid(&client, BAD_SIGNATURE, &[forged]).await;
    expect_ok(&client, &[token]).await;
}

// ---------------------------------------------------------- issuer and key

#[rocket::async_test]
async fn right_key_other_issuer_is_another_issuer() {
    let (issuer, client) = start().await;
    let ours = issuer.issuer();
    let tokens = [
        ours.to_uppercase(),
        ours.replacen("http", "https", 1),
        format!("{ours} "),
        format!(" {ours}"),
        format!("{ours}x"),
        format!("{ours}/"),
        format!("{ours}#"),
        format!("{ours}?"),
        ours.trim_start_matches("http://").to_owned(),
        format!("https://attacker.example/?{ours}"),
        ours.replacen("127.0.0.1", "127.0.0.1.attacker.example", 1),
        ours.replacen("127.0.0.1", "localhost", 1),
        ours.trim_end_matches('/').to_owned(),
        "https://maskinporten.no/".to_owned(),
        String::new(),
    ]
    .map(|iss| issuer.token().scope(READ).issuer(&iss).sign());
    expect_invalid(&client, OTHER_ISSUER, &tokens).await;
}

#[rocket::async_test]
async fn another_issuers_token_under_the_known_kid_fails_the_signature() {
    // A second stand-in Maskinporten, with its own `key-1`, mints a token
    // naming our issuer; so does a lone key of the attacker's, named `key-1`.
    let issuer = Issuer::start().await;
    let attacker = Issuer::start().await;
    let client = client(&issuer).await;
    let tokens = [
        attacker.token().scope(READ).issuer(issuer.issuer()).sign(),
        issuer
            .token()
            .scope(READ)
            .signing_key(SigningKey::generate("key-1"))
            .sign(),
    ];
    expect_invalid(&client, BAD_SIGNATURE, &tokens).await;
    assert_eq!(attacker.jwks_requests(), 0);
}

#[rocket::async_test]
async fn stranger_key_under_its_own_kid_is_an_unknown_key() {
    let (issuer, client) = start().await;
    let stranger = SigningKey::generate("stranger");
    let token = issuer
        .token()
        .scope(READ)
        .kid("stranger")
        .signing_key(stranger)
        .sign();
    expect_invalid(&client, UNKNOWN_KEY, &[token]).await;
}

// ------------------------------------------------------ the header itself

#[rocket::async_test]
async fn two_authorization_headers_are_an_invalid_request() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    for second in [
        format!("Bearer {token}"),
        "Bearer garbage".into(),
        "Basic dXNlcjpwYXNz".into(),
    ] {
        let response = client
            .get("/read")
            .header(bearer(&token))
            .header(Header::new("Authorization", second))
            .dispatch()
            .await;
        assert_refused(response, Status::BadRequest, Some(INVALID_REQUEST), &token).await;
    }
}

#[rocket::async_test]
async fn bearer_token_smuggled_after_another_scheme_is_not_taken() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).sign();
    for value in [
        format!("Basic dXNlcjpwYXNz, Bearer {token}"),
        format!("Bearer,{token}"),
        format!("Bearer\t{token}"),
        format!("Token {token}"),
        format!("DPoP {token}"),
    ] {
        let response = get_with_authorization(&client, value).await;
        assert_refused(response, Status::Unauthorized, Some(BARE_CHALLENGE), &token).await;
    }
}
