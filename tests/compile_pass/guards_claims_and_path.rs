#![deny(warnings)]

use maskinporten_rocket::{scopes, Claims};
use rocket::get;
use rocket::request::{FromRequest, Outcome, Request};

/// A guard of the application's own, which keeps working beside ours.
struct CallId(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CallId {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let id = request.headers().get_one("Nav-Call-Id").unwrap_or("none");
        Outcome::Success(CallId(id.to_string()))
    }
}

#[scopes("nav:helse/sykepenger/afp.read")]
#[get("/afp/<id>?<page>")]
fn afp(id: u32, page: Option<u8>, call_id: CallId, claims: Claims) -> String {
    format!("{id} {page:?} {} {}", call_id.0, claims.issuer())
}

fn main() {
    let _ = rocket::build().mount("/", maskinporten_rocket::routes![afp]);
}

#[test]
fn compiles_and_runs() {
    main();
}
