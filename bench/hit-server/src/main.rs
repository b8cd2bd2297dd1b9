//! A protected `GET /afp` and a public `GET /isready`, configured from the
//! environment (`ROCKET_*`, `MASKINPORTEN_*`) like any app on NAIS. With the
//! `observability` feature the library counts into a registry of the app's
//! own and opens a span per verification, with no subscriber listening;
//! without it, neither is compiled in. `bench/load` runs both builds and
//! prints the difference in server CPU per request on a cache hit.
//!
//! `hit-server --local <requests>` serves no socket: it sends that many
//! `GET /afp` with the token in `HIT_TOKEN` through Rocket's blocking local
//! client on this thread, and prints the thread's CPU time per request in
//! ns. Without the network and wrk on the same cores, that is the
//! library's and Rocket's own work alone, and far steadier.

use std::time::Duration;

use maskinporten_rocket::{public, routes, scopes, Claims, Maskinporten, Validator};
use rocket::http::{Header, Status};
use rocket::{get, Build, Rocket, State};

#[scopes("nav:helse/sykepenger/afp.read")]
#[get("/afp")]
fn afp(claims: Claims) -> String {
    claims.consumer_orgno().unwrap_or("?").to_owned()
}

#[public]
#[get("/isready")]
fn isready(validator: &State<Validator>) -> Status {
    if validator.is_ready() {
        Status::Ok
    } else {
        Status::ServiceUnavailable
    }
}

/// The fairing, counting into a registry of the app's own when the
/// features are on, as the example does.
fn fairing() -> Maskinporten {
    #[cfg(feature = "observability")]
    return Maskinporten::fairing().with_registry(maskinporten_rocket::prometheus::Registry::new());
    #[cfg(not(feature = "observability"))]
    Maskinporten::fairing()
}

fn app() -> Rocket<Build> {
    rocket::build()
        .attach(fairing())
        .mount("/", routes![afp, isready])
}

fn main() {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("--local") {
        let requests = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
        match local(requests) {
            Ok(ns) => println!("ns_per_request {ns:.1}"),
            Err(e) => {
                eprintln!("hit-server: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    if let Err(e) = rocket::execute(app().launch()) {
        e.pretty_print();
        std::process::exit(1);
    }
}

/// `requests` cache hits through the local client, after as many
/// unmeasured; this thread's CPU time per request, in ns.
fn local(requests: u64) -> Result<f64, String> {
    let token = std::env::var("HIT_TOKEN").map_err(|_| "HIT_TOKEN is not set")?;
    let client = rocket::local::blocking::Client::untracked(app()).map_err(|e| e.to_string())?;
    let authorization = format!("Bearer {token}");
    let send = || {
        client
            .get("/afp")
            .header(Header::new("Authorization", authorization.clone()))
            .dispatch()
            .status()
    };
    for _ in 0..requests {
        if send() != Status::Ok {
            return Err("GET /afp did not answer 200".to_owned());
        }
    }
    let start = thread_cpu().ok_or("no /proc/thread-self/schedstat")?;
    for _ in 0..requests {
        send();
    }
    let spent = thread_cpu().ok_or("no /proc/thread-self/schedstat")? - start;
    Ok(spent.as_secs_f64() * 1e9 / requests as f64)
}

/// This thread's CPU time so far, in ns precision: the first field of
/// `/proc/thread-self/schedstat`.
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = text.split_whitespace().next()?.parse::<u64>().ok()?;
    (ns > 0).then_some(Duration::from_nanos(ns))
}
