#![deny(warnings)]
#![forbid(unsafe_code)]

use maskinporten_rocket::public;
use rocket::get;

#[public]
#[get("/isalive")]
fn isalive() -> &'static str {
    "alive"
}

#[public]
#[get("/isready")]
async fn isready() -> String {
    rocket::tokio::task::yield_now().await;
    "ready".to_string()
}

#[public]
#[rocket::post("/events", data = "<body>")]
fn events(body: String) -> String {
    body
}

#[maskinporten_rocket::public]
#[rocket::post("/events/async", data = "<body>", format = "json")]
async fn events_async(body: String) -> String {
    body
}

fn main() {
    let _ = rocket::build().mount(
        "/",
        maskinporten_rocket::routes![isalive, isready, events, events_async],
    );
}

#[test]
fn compiles_and_runs() {
    main();
}
