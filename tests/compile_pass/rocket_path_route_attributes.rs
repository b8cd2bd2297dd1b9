#![deny(warnings)]

use maskinporten_rocket::scopes;

#[scopes("nav:helse/sykepenger/afp.read")]
#[rocket::get("/afp")]
fn afp() -> &'static str {
    "ok"
}

#[scopes("nav:helse/sykepenger/afp.write")]
#[rocket::post("/afp", data = "<body>")]
fn create(body: String) -> Result<String, rocket::http::Status> {
    Ok(body)
}

#[maskinporten_rocket::scopes("nav:helse/sykepenger/afp.write")]
#[rocket::route(DELETE, uri = "/afp/<id>")]
async fn delete(id: u64) -> rocket::http::Status {
    let _ = id;
    rocket::http::Status::NoContent
}

fn main() {
    let _ = rocket::build().mount("/", maskinporten_rocket::routes![afp, create, delete]);
}

#[test]
fn compiles_and_runs() {
    main();
}
