//! Properties, checked on generated inputs (proptest): the scope grammar
//! against the regular expressions NAIS checks `maskinporten.scopes.exposes`
//! with (nais/liberator, `ExposedScope`), and the protected app against
//! arbitrary `Authorization` headers and tampered tokens (RFC 6750 §2.1, §3).
//!
//! The HTTP properties send real requests through one app per property, on a
//! current-thread runtime the test keeps; cases are tuned so the whole file
//! runs in a few seconds in debug.

use crate::support::description::INVALID_TOKEN;
use crate::support::{
    base64url_neighbour, client, invalid_token, BARE_CHALLENGE, BASE64URL, INVALID_REQUEST, READ,
};
use maskinporten_rocket::Scope;
use maskinporten_testing::{bearer, Issuer};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config, TestRunner};
use regex::Regex;
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;
use tokio::runtime::Runtime;

/// NAIS's pattern for a scope's `name` (liberator, `ExposedScope`).
const NAIS_NAME: &str = r"^([a-zæøå0-9]+\/?)+(\:[a-zæøå0-9]+)*[a-zæøå0-9]+(\.[a-zæøå0-9]+)*$";
/// NAIS's pattern for `product`; the organisation prefix is the same alphabet.
const NAIS_PRODUCT: &str = r"^[a-z0-9]+$";

const SEPARATORS: [char; 3] = ['/', ':', '.'];

/// What `Scope::parse` must accept, decided with the `regex` crate and no
/// code of the library: `<prefix>:<product><separator><name>`, the prefix
/// ending at the first `:`, the product at the first separator after it.
struct NaisGrammar {
    plain: Regex,
    name: Regex,
}

impl NaisGrammar {
    fn new() -> NaisGrammar {
        NaisGrammar {
            plain: Regex::new(NAIS_PRODUCT).expect("the product pattern compiles"),
            name: Regex::new(NAIS_NAME).expect("the name pattern compiles"),
        }
    }

    /// The four parts if `s` is in the language.
    fn split<'s>(&self, s: &'s str) -> Option<(&'s str, &'s str, char, &'s str)> {
        let (prefix, rest) = s.split_once(':')?;
        let at = rest.find(SEPARATORS)?;
        let (product, after) = rest.split_at(at);
        let separator = after.chars().next()?;
        let name = &after[separator.len_utf8()..];
        (self.plain.is_match(prefix) && self.plain.is_match(product) && self.name.is_match(name))
            .then_some((prefix, product, separator, name))
    }
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Regression files would land in the source tree; a failure prints
        // its minimal input instead.
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs a property with an explicit runner (the HTTP properties keep one app
/// across cases, which `proptest!` cannot share).
fn check<S: Strategy>(
    cases: u32,
    strategy: S,
    property: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let mut runner = TestRunner::new(config(cases));
    if let Err(e) = runner.run(&strategy, property) {
        panic!("{e}");
    }
}

// ------------------------------------------------------------------ scopes

/// Scopes NAIS can build: each part from its pattern (the name from a
/// bounded form of NAIS's, checked against the pattern itself below).
fn nais_scope() -> impl Strategy<Value = (String, String, char, String)> {
    (
        "[a-z0-9]{1,5}",
        "[a-z0-9]{1,8}",
        select(SEPARATORS.to_vec()),
        "([a-zæøå0-9]{1,6}/?){1,4}(:[a-zæøå0-9]{1,6}){0,3}[a-zæøå0-9]{1,6}(\\.[a-zæøå0-9]{1,6}){0,3}",
    )
}

/// Characters that matter to the grammar, and some that look like them.
const EDITS: &[char] = &[
    'a', 'z', '0', '9', 'æ', 'ø', 'å', 'A', 'Z', 'Æ', '/', ':', '.', '-', '_', ' ', '\t', '\n',
    '\\', '"', 'а', '：', '／', '\u{200b}', '\u{0}', 'é',
];

/// One edit of a string: insert, replace or remove the character at `at`.
fn edit(s: &str, op: u8, at: Index, c: char) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let i = at.index(chars.len() + 1);
    match op {
        0 => chars.insert(i, c),
        1 if i < chars.len() => chars[i] = c,
        _ if i < chars.len() => {
            chars.remove(i);
        }
        _ => chars.push(c),
    }
    chars.into_iter().collect()
}

/// Strings near the grammar's edges: valid scopes with one or two edits,
/// short names over the separators (where one-character runs, `/:` and
/// doubled separators decide), strings over the grammar's alphabet, and
/// anything at all.
fn scope_like() -> impl Strategy<Value = String> {
    let full = || nais_scope().prop_map(|(p, q, s, n)| format!("{p}:{q}{s}{n}"));
    let edit_strategy = || (0u8..3, any::<Index>(), select(EDITS.to_vec()));
    prop_oneof![
        2 => full(),
        3 => (full(), edit_strategy())
            .prop_map(|(s, (op, at, c))| edit(&s, op, at, c)),
        2 => (full(), edit_strategy(), edit_strategy()).prop_map(|(s, (o1, a1, c1), (o2, a2, c2))| {
            edit(&edit(&s, o1, a1, c1), o2, a2, c2)
        }),
        3 => "[a0]{1,2}:[a0]{1,2}[/:.][aø0/:.]{0,7}",
        2 => "[a-c0-9æ/:.A \\-]{0,14}",
        1 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config(4000))]

    #[test]
    fn generated_nais_scopes_are_accepted_and_split_into_their_parts(
        (prefix, product, separator, name) in nais_scope()
    ) {
        let grammar = NaisGrammar::new();
        prop_assert!(grammar.name.is_match(&name), "generator left NAIS's name pattern: {name}");
        let full = format!("{prefix}:{product}{separator}{name}");
        let scope = Scope::parse(&full);
        prop_assert!(scope.is_ok(), "{full:?} refused: {:?}", scope.err());
        let scope = scope.unwrap();
        prop_assert_eq!(scope.prefix(), prefix.as_str());
        prop_assert_eq!(scope.product(), product.as_str());
        prop_assert_eq!(scope.separator(), separator);
        prop_assert_eq!(scope.name(), name.as_str());
        prop_assert_eq!(scope.to_string(), full.clone());
        let from_parts = Scope::from_parts(&prefix, &product, separator, &name);
        prop_assert_eq!(from_parts.ok(), Some(scope));
    }

    #[test]
    fn accepted_scopes_round_trip_through_display(s in scope_like()) {
        if let Ok(scope) = Scope::parse(&s) {
            let displayed = scope.to_string();
            prop_assert_eq!(&displayed, &s);
            prop_assert_eq!(scope.as_str(), s.as_str());
            let again = Scope::parse(&displayed);
            prop_assert_eq!(again.as_ref().ok(), Some(&scope));
            prop_assert_eq!(s.parse::<Scope>().ok(), Some(scope));
        }
    }

    #[test]
    fn scope_parse_accepts_exactly_the_nais_language(s in scope_like()) {
        let grammar = NaisGrammar::new();
        let expected = grammar.split(&s);
        let parsed = Scope::parse(&s);
        // The compile-time check of #[scopes] is this same function.
        prop_assert_eq!(maskinporten_scope::Parts::parse(&s).is_ok(), parsed.is_ok());
        prop_assert_eq!(
            parsed.is_ok(),
            expected.is_some(),
            "{:?}: library says {:?}, NAIS's patterns say {:?}",
            s,
            parsed.as_ref().err(),
            expected
        );
        if let (Ok(scope), Some((prefix, product, separator, name))) = (&parsed, expected) {
            prop_assert_eq!(
                (scope.prefix(), scope.product(), scope.separator(), scope.name()),
                (prefix, product, separator, name)
            );
        }
    }
}

// -------------------------------------------------------------------- HTTP

/// The test app and its issuer on a runtime kept across cases. Fields drop
/// in order: the client and issuer before the runtime they run on.
struct App {
    client: Client,
    issuer: Issuer,
    runtime: Runtime,
}

impl App {
    fn start() -> App {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let (issuer, client) = runtime.block_on(async {
            let issuer = Issuer::start().await;
            let client = client(&issuer).await;
            (issuer, client)
        });
        App {
            client,
            issuer,
            runtime,
        }
    }

    /// `GET /read` with these `Authorization` values: status and challenge.
    fn get(&self, authorization: Option<Header<'static>>) -> (Status, Option<String>) {
        self.runtime.block_on(async {
            let mut request = self.client.get("/read");
            if let Some(header) = authorization {
                request = request.header(header);
            }
            let response = request.dispatch().await;
            let challenge = response
                .headers()
                .get_one("WWW-Authenticate")
                .map(str::to_owned);
            (response.status(), challenge)
        })
    }

    fn get_with_value(&self, value: &str) -> (Status, Option<String>) {
        self.get(Some(Header::new("Authorization", value.to_owned())))
    }

    fn get_with_token(&self, token: &str) -> (Status, Option<String>) {
        self.get(Some(bearer(token)))
    }
}

/// A refusal of the request or of its token: 400 `invalid_request`, or 401
/// with a bare challenge or `invalid_token` from the fixed vocabulary.
fn assert_refused_as_request_or_token(
    (status, challenge): (Status, Option<String>),
    what: &str,
) -> Result<(), TestCaseError> {
    let challenge = challenge.as_deref();
    // Guards, not patterns: Rocket 0.5.1's `Status` cannot be matched on.
    match status {
        status if status == Status::BadRequest => {
            prop_assert_eq!(challenge, Some(INVALID_REQUEST), "{}", what)
        }
        status if status == Status::Unauthorized => prop_assert!(
            challenge == Some(BARE_CHALLENGE)
                || INVALID_TOKEN
                    .iter()
                    .any(|d| challenge == Some(invalid_token(d).as_str())),
            "{what}: 401 with challenge {challenge:?}"
        ),
        other => prop_assert!(false, "{what}: status {other}, challenge {challenge:?}"),
    }
    Ok(())
}

/// `Authorization` values: any printable ASCII, a few schemes followed by
/// anything, b64token-shaped and JWS-shaped credentials.
fn authorization_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,120}",
        "(Bearer|bearer|BEARER|bEaReR|Basic|Digest|Token|DPoP|Negotiate) {0,3}[ -~]{0,200}",
        "[Bb]earer [A-Za-z0-9._~+/-]{1,300}={0,3}",
        "Bearer [A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,60}",
        "Bearer eyJ[A-Za-z0-9_-]{0,40}\\.eyJ[A-Za-z0-9_-]{0,60}\\.[A-Za-z0-9_-]{0,342}",
    ]
}

#[test]
fn arbitrary_authorization_values_get_400_or_401_never_200() {
    let app = App::start();
    check(1500, authorization_value(), |value| {
        let answer = app.get_with_value(&value);
        assert_refused_as_request_or_token(answer, &format!("Authorization: {value:?}"))
    });
}

/// Schemes that are not `Bearer` in any case: printable ASCII without space,
/// including near misses such as `Bearerx` and `Bearer,`.
fn other_scheme() -> impl Strategy<Value = String> {
    prop_oneof![
        "[!-~]{1,12}",
        "[Bb][Ee][Aa][Rr][Ee][Rr][!-~]{1,3}",
        "[!-~]{0,2}[Bb][Ee][Aa][Rr][Ee][Rr]",
        "(Basic|Digest|Token|DPoP|Negotiate|HOBA|Mutual|AWS4-HMAC-SHA256)",
    ]
    .prop_filter("not the bearer scheme", |s| {
        !s.eq_ignore_ascii_case("bearer")
    })
}

#[test]
fn non_bearer_schemes_get_a_bare_bearer_challenge() {
    let app = App::start();
    let token = app.issuer.token().scope(READ).sign();
    let credentials = prop_oneof![
        Just(String::new()),
        "[ -~]{0,100}".prop_map(|c| format!(" {c}")),
        Just(format!(" {token}")),
    ];
    check(
        400,
        (other_scheme(), credentials),
        |(scheme, credentials)| {
            let value = format!("{scheme}{credentials}");
            let (status, challenge) = app.get_with_value(&value);
            prop_assert_eq!(status, Status::Unauthorized, "{:?}", value);
            prop_assert_eq!(challenge.as_deref(), Some(BARE_CHALLENGE), "{:?}", value);
            Ok(())
        },
    );
}

// ---------------------------------------------------------- tampered tokens

/// The app, and a token for it that gets through.
fn app_and_valid_token() -> (App, String) {
    let app = App::start();
    let token = app.issuer.token().scope(READ).consumer("987654321").sign();
    assert_eq!(app.get_with_token(&token).0, Status::Ok, "the valid token");
    (app, token)
}

/// `token` with the byte at `at` replaced by `c`.
fn mutated(token: &str, at: usize, c: char) -> String {
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = u8::try_from(c).expect("ASCII");
    String::from_utf8(bytes).expect("ASCII stays UTF-8")
}

fn assert_mutation_refused(
    app: &App,
    token: &str,
    at: usize,
    c: char,
) -> Result<(), TestCaseError> {
    let original = char::from(token.as_bytes()[at]);
    let forged = mutated(token, at, c);
    let answer = app.get_with_token(&forged);
    assert_refused_as_request_or_token(
        answer,
        &format!(
            "byte {at} of {} changed from {original:?} to {c:?}",
            token.len()
        ),
    )
}

#[test]
fn any_single_base64url_character_changed_is_refused() {
    let (app, token) = app_and_valid_token();
    let strategy = (
        0..token.len(),
        select(BASE64URL.chars().collect::<Vec<_>>()),
    )
        .prop_filter("a change", |&(at, c)| token.as_bytes()[at] != c as u8);
    check(1500, strategy, |(at, c)| {
        assert_mutation_refused(&app, &token, at, c)
    });
}

#[test]
fn any_single_byte_changed_to_any_ascii_is_refused() {
    let (app, token) = app_and_valid_token();
    let strategy = (0..token.len(), (0u8..0x80).prop_map(char::from))
        .prop_filter("a change", |&(at, c)| token.as_bytes()[at] != c as u8);
    check(1500, strategy, |(at, c)| {
        assert_mutation_refused(&app, &token, at, c)
    });
}

/// Every position, changed to its nearest base64url neighbour (the lowest
/// bit of its 6-bit value flipped): the smallest change there is, at each
/// place, tried exhaustively rather than sampled.
#[test]
fn every_position_changed_by_one_bit_is_refused() {
    let (app, token) = app_and_valid_token();
    for (at, original) in token.char_indices() {
        let Some(replacement) = base64url_neighbour(original) else {
            continue; // the dots
        };
        if let Err(e) = assert_mutation_refused(&app, &token, at, replacement) {
            panic!("{e}");
        }
    }
}

/// The last character of each segment, where a base64url segment whose
/// length is not a multiple of 4 keeps unused low bits: every other
/// character there, including those that change only those bits (a
/// different text that a lenient decoder reads as the same bytes).
#[test]
fn every_last_character_of_a_segment_changed_is_refused() {
    let (app, token) = app_and_valid_token();
    let mut ends: Vec<usize> = token.match_indices('.').map(|(i, _)| i - 1).collect();
    ends.push(token.len() - 1);
    for at in ends {
        for c in BASE64URL
            .chars()
            .filter(|&c| c as u8 != token.as_bytes()[at])
        {
            if let Err(e) = assert_mutation_refused(&app, &token, at, c) {
                panic!("{e}");
            }
        }
    }
}
