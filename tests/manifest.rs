//! The NAIS manifest and the code agree: the scope map, the exposes check,
//! the generator, consumer allow-lists and deny-by-default.

use std::path::PathBuf;

use crate::support::description::CONSUMER_NOT_ALLOWED;
use crate::support::{app, assert_ignite_fails, get, insufficient_scope, start, READ, WRITE};
use maskinporten_rocket::manifest::{compare, exposes_yaml, FindingKind, Manifest};
use maskinporten_rocket::routes::{scope_map, Protection, ScopeMap};
use maskinporten_testing::Issuer;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::{Build, Rocket};

/// A NAIS Application manifest exposing `entries` (YAML list items).
fn manifest_yaml(entries: &str) -> String {
    format!(
        "apiVersion: nais.io/v1alpha1\nkind: Application\nmetadata:\n  name: afp-api\n  namespace: helse\n\
         spec:\n  image: {{{{ image }}}}\n  maskinporten:\n    enabled: true\n    scopes:\n      exposes:\n{entries}"
    )
}

const READ_ENTRY: &str = "        - name: \"sykepenger/afp.read\"\n          enabled: true\n          product: \"helse\"\n          separator: \"/\"\n          consumers:\n            - orgno: \"111111111\"\n            - orgno: \"222222222\"\n";
const WRITE_ENTRY: &str = "        - name: \"sykepenger/afp.write\"\n          enabled: true\n          product: \"helse\"\n          separator: \"/\"\n";

/// The test app's scope map; building the app needs no issuer, only ignite does.
fn map() -> ScopeMap {
    scope_map(&app(rocket::figment::Figment::from(
        rocket::Config::debug_default(),
    )))
}

fn report(entries: &str) -> maskinporten_rocket::manifest::Report {
    let manifest = Manifest::from_yaml(&manifest_yaml(entries), "nav").expect("manifest parses");
    compare(&manifest, &map())
}

#[test]
fn the_scope_map_knows_every_mounted_route() {
    let map = map();
    let find = |uri: &str| map.iter().find(|r| r.uri == uri).expect(uri).protection;
    assert!(matches!(find("/read"), Protection::Scopes(r) if r.scopes() == [READ]));
    assert!(matches!(find("/both"), Protection::Scopes(r) if r.scopes() == [READ, WRITE]));
    assert!(
        matches!(find("/restricted"), Protection::Scopes(r) if r.consumers() == ["111111111", "222222222"])
    );
    assert_eq!(find("/public"), Protection::Public);
    assert_eq!(find("/whoami"), Protection::Unmarked);
}

/// A handler named like the protected `read` of the test app, but open.
mod lookalike {
    #[rocket::get("/open-read")]
    pub fn read() -> &'static str {
        "open"
    }
}

/// The test app under deny-by-default, without its one unmarked route
/// (`/whoami`).
fn app_with_every_route_marked(issuer: &Issuer) -> Rocket<Build> {
    let figment = issuer
        .figment()
        .merge(("maskinporten.deny_unmarked_routes", true));
    let marked: Vec<rocket::Route> = app(figment.clone())
        .routes()
        .filter(|r| r.uri.path() != "/whoami")
        .cloned()
        .collect();
    rocket::custom(figment)
        .attach(maskinporten_rocket::Maskinporten::fairing())
        .mount("/", marked)
}

#[rocket::async_test]
async fn unmarked_handler_sharing_a_name_with_a_protected_one_is_unmarked() {
    let issuer = Issuer::start().await;
    // The lookalike is the only route deny-by-default can object to.
    let rocket = app_with_every_route_marked(&issuer).mount("/", rocket::routes![lookalike::read]);
    let map = scope_map(&rocket);
    let open = map.iter().find(|r| r.uri == "/open-read").expect("mounted");
    assert_eq!(open.protection, Protection::Unmarked);
    assert_ignite_fails(
        rocket,
        "though deny-by-default should not trust the protected handler's mark",
    )
    .await;
}

#[test]
fn a_manifest_that_matches_has_no_errors_or_warnings() {
    let report = report(&format!("{READ_ENTRY}{WRITE_ENTRY}"));
    assert!(report.errors.is_empty(), "{report}");
    assert!(report.warnings.is_empty(), "{report}");
}

#[test]
fn a_required_scope_missing_from_the_manifest_is_an_error() {
    let report = report(READ_ENTRY);
    assert_eq!(report.errors.len(), 2, "{report}"); // /both and /either need afp.write
    assert!(
        report
            .errors
            .iter()
            .all(|e| e.kind() == &FindingKind::NotExposed && e.scope() == WRITE),
        "{report}"
    );
}

#[test]
fn a_disabled_scope_is_an_error() {
    let disabled = WRITE_ENTRY.replace("enabled: true", "enabled: false");
    let report = report(&format!("{READ_ENTRY}{disabled}"));
    assert!(!report.errors.is_empty());
    assert!(
        report
            .errors
            .iter()
            .all(|e| e.kind() == &FindingKind::Disabled),
        "{report}"
    );
}

#[test]
fn separator_defaults_follow_nais() {
    // No separator: `/` because the name holds one.
    let read = READ_ENTRY.replace("          separator: \"/\"\n", "");
    let write = WRITE_ENTRY.replace("          separator: \"/\"\n", "");
    assert!(report(&format!("{read}{write}")).errors.is_empty());
    // No `/` in the name and no separator: `:`, which is another scope.
    let colon =
        "        - name: \"afpread\"\n          enabled: true\n          product: \"helse\"\n";
    let manifest = Manifest::from_yaml(&manifest_yaml(colon), "nav").expect("parses");
    assert_eq!(manifest.exposed()[0].scope.as_str(), "nav:helse:afpread");
}

#[test]
fn an_exposed_scope_no_handler_requires_is_a_warning() {
    let unused = "        - name: \"sykepenger/afp.delete\"\n          enabled: true\n          product: \"helse\"\n";
    let report = report(&format!("{READ_ENTRY}{WRITE_ENTRY}{unused}"));
    assert!(report.errors.is_empty(), "{report}");
    assert_eq!(report.warnings.len(), 1);
    assert_eq!(report.warnings[0].kind(), &FindingKind::Unused);
    assert_eq!(
        report.warnings[0].scope(),
        "nav:helse/sykepenger/afp.delete"
    );
}

#[test]
fn a_consumer_allowed_in_code_but_not_granted_is_an_error() {
    let one_consumer = READ_ENTRY.replace("            - orgno: \"222222222\"\n", "");
    let report = report(&format!("{one_consumer}{WRITE_ENTRY}"));
    assert_eq!(report.errors.len(), 1, "{report}");
    let not_granted = FindingKind::ConsumerNotGranted {
        orgno: "222222222".into(),
    };
    assert_eq!(report.errors[0].kind(), &not_granted, "{report}");
}

/// A scope only other kinds of client may have: no Maskinporten token can
/// carry it, so a handler requiring it can never be called.
#[test]
fn a_required_scope_not_allowed_for_maskinporten_is_an_error() {
    let krr_only = WRITE_ENTRY.to_owned() + "          allowedIntegrations: [krr]\n";
    let report = report(&format!("{READ_ENTRY}{krr_only}"));
    let kinds: Vec<_> = report
        .errors
        .iter()
        .map(|e| (e.kind(), e.scope()))
        .collect();
    assert!(!kinds.is_empty(), "{report}");
    assert!(
        kinds
            .iter()
            .all(|(kind, scope)| **kind == FindingKind::NotForMaskinporten
                && *scope == "nav:helse/sykepenger/afp.write"),
        "{report}"
    );
    assert!(
        report.to_string().contains("leave out maskinporten"),
        "{report}"
    );
}

/// `accessibleForAll` grants the scope to every organisation: an allow-list
/// in code is then the only restriction, which the check points out, and
/// no consumer counts as "not granted".
#[test]
fn an_allow_list_on_a_scope_open_to_all_is_a_warning() {
    let open = "        - name: \"sykepenger/afp.read\"\n          product: \"helse\"\n          accessibleForAll: true\n";
    let report = report(&format!("{open}{WRITE_ENTRY}"));
    assert!(report.errors.is_empty(), "{report}");
    let warnings: Vec<_> = report.warnings.iter().map(|w| w.kind()).collect();
    assert_eq!(warnings, [&FindingKind::AllowListOnOpenScope], "{report}");
    assert_eq!(
        report.warnings[0].route().map(|r| r.uri.as_str()),
        Some("/restricted")
    );
}

/// The manifest made of the generated `exposes:` block `yaml`, after
/// asserting that it passes the check against `map` without a finding.
fn assert_generated_passes(yaml: &str, map: &ScopeMap) -> Manifest {
    let indented: String = yaml
        .lines()
        .skip(1)
        .map(|l| format!("      {l}\n"))
        .collect();
    let manifest =
        Manifest::from_yaml(&manifest_yaml(&indented), "nav").expect("generated YAML parses");
    let report = compare(&manifest, map);
    assert!(
        report.errors.is_empty() && report.warnings.is_empty(),
        "{report}\n{yaml}"
    );
    manifest
}

#[test]
fn the_generated_exposes_block_passes_the_check() {
    let map = map();
    let yaml = exposes_yaml(&map);
    assert_generated_passes(&yaml, &map);
    // /restricted names its consumers; /read takes any, hence the reminder.
    assert!(yaml.contains("- orgno: \"111111111\""), "{yaml}");
    assert!(
        yaml.contains("#   - orgno: \"<each organisation granted this scope>\""),
        "{yaml}"
    );
}

#[rocket::async_test]
async fn consumer_allow_list_passes_listed_organisations() {
    let (issuer, client) = start().await;
    let token = issuer.token().scope(READ).consumer("222222222").sign();
    let response = get(&client, "/restricted", &token).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_string().await.as_deref(), Some("222222222"));
}

#[rocket::async_test]
async fn consumer_outside_the_allow_list_is_forbidden() {
    let (issuer, client) = start().await;
    let expected = format!(
        "Bearer error=\"insufficient_scope\", error_description=\"{CONSUMER_NOT_ALLOWED}\", scope=\"{READ}\""
    );
    for token in [
        issuer.token().scope(READ).consumer("333333333").sign(),
        issuer.token().scope(READ).without_claim("consumer").sign(),
    ] {
        let response = get(&client, "/restricted", &token).await;
        assert_eq!(response.status(), Status::Forbidden);
        assert_eq!(
            response.headers().get_one("WWW-Authenticate"),
            Some(expected.as_str())
        );
    }
    // The scope is checked first: a listed consumer without it gets the plain 403.
    let token = issuer.token().scope(WRITE).consumer("111111111").sign();
    let response = get(&client, "/restricted", &token).await;
    let plain = insufficient_scope(READ);
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some(plain.as_str())
    );
}

#[rocket::async_test]
async fn deny_by_default_fails_ignite_on_an_unmarked_route() {
    let issuer = Issuer::start().await;
    let figment = issuer
        .figment()
        .merge(("maskinporten.deny_unmarked_routes", true));
    assert_ignite_fails(app(figment), "with /whoami unmarked").await;
}

#[rocket::async_test]
async fn deny_by_default_passes_when_every_route_is_marked() {
    let issuer = Issuer::start().await;
    assert!(Client::tracked(app_with_every_route_marked(&issuer))
        .await
        .is_ok());
}

/// Writes `yaml` to a fresh file under the target directory.
fn manifest_file(name: &str, yaml: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("{name}-{}.yaml", std::process::id()));
    std::fs::write(&path, yaml).expect("write manifest");
    path
}

#[rocket::async_test]
async fn manifest_check_at_ignite_fails_on_a_mismatch_and_passes_on_a_match() {
    let issuer = Issuer::start().await;
    let bad = manifest_file("bad", &manifest_yaml(READ_ENTRY));
    let good = manifest_file(
        "good",
        &manifest_yaml(&format!("{READ_ENTRY}{WRITE_ENTRY}")),
    );
    let with = |path: &PathBuf| {
        issuer
            .figment()
            .merge(("maskinporten.check_manifest", true))
            .merge(("maskinporten.manifest", path.display().to_string()))
    };
    assert_ignite_fails(app(with(&bad)), "with a manifest missing afp.write").await;
    assert!(Client::tracked(app(with(&good))).await.is_ok());
}

/// Handlers that say how they treat delegated tokens.
mod delegation {
    use maskinporten_rocket::scopes;
    use rocket::get;

    #[scopes("nav:helse/sykepenger/afp.read", delegation = allow)]
    #[get("/delegation/allow")]
    pub fn allow() {}

    #[scopes("nav:helse/sykepenger/afp.write", delegation = require)]
    #[get("/delegation/require")]
    pub fn require() {}

    #[scopes("nav:helse/sykepenger/afp.read", delegation = deny)]
    #[get("/delegation/deny")]
    pub fn deny() {}

    #[scopes("nav:helse/sykepenger/afp.read")]
    #[get("/delegation/unsaid")]
    pub fn unsaid() {}
}

/// The four handlers of [`delegation`], mounted.
fn delegation_app() -> rocket::Rocket<rocket::Build> {
    rocket::custom(rocket::Config::debug_default()).mount(
        "/",
        maskinporten_rocket::routes![
            delegation::allow,
            delegation::require,
            delegation::deny,
            delegation::unsaid
        ],
    )
}

fn delegation_report(entries: &str) -> maskinporten_rocket::manifest::Report {
    let rocket = delegation_app();
    let manifest = Manifest::from_yaml(&manifest_yaml(entries), "nav").expect("manifest parses");
    compare(&manifest, &scope_map(&rocket))
}

/// Each finding's kind and the path of the route it is about.
fn kinds_and_routes(
    findings: &[maskinporten_rocket::manifest::Finding],
) -> Vec<(FindingKind, Option<String>)> {
    findings
        .iter()
        .map(|f| (f.kind().clone(), f.route().map(|r| r.uri.to_string())))
        .collect()
}

/// A delegation rule in code is held to the scope's `delegationSource`:
/// allowing delegation where none exists is a warning, requiring it an
/// error; a route that says nothing, or denies, is never a finding.
#[test]
fn a_delegation_rule_without_a_delegation_source_is_reported() {
    let report = delegation_report(&format!("{READ_ENTRY}{WRITE_ENTRY}"));
    assert_eq!(
        kinds_and_routes(&report.errors),
        [(
            FindingKind::DelegationRequiredWithoutSource,
            Some("/delegation/require".to_owned())
        )],
        "{report}"
    );
    assert_eq!(
        kinds_and_routes(&report.warnings),
        [(
            FindingKind::DelegationWithoutSource,
            Some("/delegation/allow".to_owned())
        )],
        "{report}"
    );
    assert!(
        report.to_string().contains("add delegationSource: altinn"),
        "{report}"
    );

    let with_source = |entry: &str| {
        entry.replace(
            "separator: \"/\"\n",
            "separator: \"/\"\n          delegationSource: \"altinn\"\n",
        )
    };
    let report = delegation_report(&format!(
        "{}{}",
        with_source(READ_ENTRY),
        with_source(WRITE_ENTRY)
    ));
    assert!(
        report.errors.is_empty() && report.warnings.is_empty(),
        "{report}"
    );
}

/// The generator writes `delegationSource` for a scope some handler takes
/// delegated tokens for, and what it writes passes the check.
#[test]
fn the_generator_writes_the_delegation_source_the_code_needs() {
    let rocket = delegation_app();
    let map = scope_map(&rocket);
    let yaml = exposes_yaml(&map);
    assert_eq!(
        yaml.matches("    delegationSource: \"altinn\"\n").count(),
        2,
        "{yaml}"
    );
    let manifest = assert_generated_passes(&yaml, &map);
    let read = manifest
        .exposed()
        .iter()
        .find(|e| e.scope.as_str() == "nav:helse/sykepenger/afp.read")
        .expect("the read scope is exposed");
    assert!(read.delegation_source.is_some(), "{yaml}");
}
