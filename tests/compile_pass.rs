//! The forms of `#[scopes]` and `#[public]` that must keep compiling, with
//! every warning denied, and run: each module is one program (its `main`),
//! run by its test. They were trybuild pass cases; here they compile once,
//! with the rest of the end-to-end binary. trybuild builds every case of a
//! run on its own, with a full `cargo build`, as soon as one pass case is
//! in it; with only compile-fail cases it checks them all in one
//! `cargo check` (see `tests/compile-fail/ui.rs`).
//!
//! The two cases that need a crate root of their own (Rocket's macros by
//! `#[macro_use]`, `missing_docs` on a library) are the fixture crate
//! `tests/fixtures/crate-root`, run below.

mod any_scope;
mod consumers;
mod guards_claims_and_path;
mod openapi_okapi;
mod openapi_utoipa;
mod public_handlers;
mod rocket_path_route_attributes;
mod route_attribute_with_scopes;
mod route_conditions;
mod scope_map_marks;
mod several_scopes;
mod sync_and_async_handlers;

#[test]
fn routes_macro_takes_what_rocket_routes_takes_beside_rockets_macros() {
    maskinporten_fixture_crate_root::routes_macro();
}

#[test]
fn public_handlers_of_a_library_need_no_docs_for_their_marks() {
    let routes = maskinporten_fixture_crate_root::api::routes();
    let rocket = rocket::build().mount("/", routes);
    let map = maskinporten_rocket::routes::scope_map(&rocket);
    assert_eq!(map.len(), 2);
    assert_eq!(map.unmarked().count(), 0);
}
