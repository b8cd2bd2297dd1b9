#![deny(warnings)]

use maskinporten_rocket::scopes;
use rocket::get;

#[scopes("nav:helse/sykepenger/afp.read")]
#[get("/sync")]
fn sync_handler() -> &'static str {
    "ok"
}

#[scopes("nav:helse/sykepenger/afp.read")]
#[get("/async")]
async fn async_handler() -> String {
    rocket::tokio::task::yield_now().await;
    "ok".to_string()
}

fn main() {
    let _ = rocket::build().mount(
        "/",
        maskinporten_rocket::routes![sync_handler, async_handler],
    );
}

#[test]
fn compiles_and_runs() {
    main();
}
