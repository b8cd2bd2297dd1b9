//! The example's NAIS manifest agrees with its handlers.

use maskinporten_rocket::manifest::{assert_manifest_matches, compare, exposes_yaml, Manifest};
use maskinporten_rocket::routes::scope_map;
use rocket::figment::Figment;

fn rocket() -> rocket::Rocket<rocket::Build> {
    afp_api::rocket_with(Figment::from(rocket::Config::debug_default()))
}

#[test]
fn nais_yaml_exposes_exactly_the_scopes_the_handlers_require() {
    assert_manifest_matches(&rocket(), concat!(env!("CARGO_MANIFEST_DIR"), "/nais.yaml"));
    let path = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/nais.yaml"));
    let manifest = Manifest::from_paths(&[path], "nav").expect("nais.yaml parses");
    let report = compare(&manifest, &scope_map(&rocket()));
    assert!(report.warnings.is_empty(), "{report}");
}

#[test]
fn every_route_of_the_example_is_marked() {
    use maskinporten_rocket::routes::Protection;
    let map = scope_map(&rocket());
    assert!(
        map.iter().all(|r| r.protection != Protection::Unmarked),
        "{map:?}"
    );
}

#[test]
fn the_generator_prints_the_scopes_of_the_handlers() {
    let yaml = exposes_yaml(&scope_map(&rocket()));
    assert!(yaml.starts_with("exposes:\n"), "{yaml}");
    for name in ["sykepenger/afp.read", "sykepenger/afp.write"] {
        assert!(yaml.contains(&format!("name: \"{name}\"")), "{yaml}");
    }
}
