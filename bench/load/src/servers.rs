//! The servers under test, all serving `afp-api`'s own code on 127.0.0.1:
//! the example validating locally, the example validating through Texas,
//! and the example's `GET /afp` work without the library.

use std::net::{Ipv4Addr, TcpListener};

use afp_api::{AfpView, Register};
use rocket::figment::Figment;
use rocket::serde::json::Json;
use rocket::{Build, Rocket, State};
use tokio::runtime::Runtime;

use crate::instance::Instance;
use crate::scenario::{Scenario, Server, VERDICT_CACHE};
use crate::stand_ins::{StandIns, CONSUMER};

pub struct Servers {
    local: Instance,
    texas: Instance,
    without_library: Instance,
}

impl Servers {
    pub fn launch(runtime: &Runtime, stand_ins: &StandIns) -> Result<Servers, String> {
        let local = afp_api::rocket_with(configure(stand_ins.local_figment())?);
        let texas = afp_api::rocket_with(configure(stand_ins.texas_figment())?);
        let without_library = without_library(configure(stand_ins.local_figment())?);
        // `rocket::custom` sets the debug default log level, and Rocket applies
        // `log_level` only after the ignite fairings (which load the keys) ran.
        log::set_max_level(log::LevelFilter::Off);
        // Local validation answers 503 until the issuer's keys are loaded.
        let ready = ["/isalive", "/isready"];
        Ok(Servers {
            local: Instance::launch(runtime, "local", local, &ready)?,
            texas: Instance::launch(runtime, "texas", texas, &ready)?,
            without_library: Instance::launch(
                runtime,
                "without_library",
                without_library,
                &["/afp"],
            )?,
        })
    }

    /// Fails unless both protected servers refuse a request without a token
    /// and accept both kinds of token the scenarios send.
    pub fn check_answers(&self, reused: &str, fresh: &str) -> Result<(), String> {
        for instance in [&self.local, &self.texas] {
            instance.expect_status("/afp", None, 401)?;
            instance.expect_status("/afp", Some(reused), 200)?;
            instance.expect_status("/afp", Some(fresh), 200)?;
        }
        Ok(())
    }

    /// Where `scenario` sends its requests.
    pub fn url(&self, scenario: &Scenario) -> String {
        let instance = match scenario.server {
            Server::Local => &self.local,
            Server::Texas => &self.texas,
            Server::WithoutLibrary => &self.without_library,
        };
        instance.url(scenario.path)
    }

    pub fn stop(self, runtime: &Runtime) {
        self.local.stop(runtime);
        self.texas.stop(runtime);
        self.without_library.stop(runtime);
    }
}

/// The example's `GET /afp` work on a server without the library (no guard,
/// no fairing), with the token's consumer written in where the guard would
/// read it. Against `reused_token` it shows what protection costs on a cache
/// hit.
fn without_library(figment: Figment) -> Rocket<Build> {
    rocket::custom(figment)
        .manage(Register::default())
        .mount("/", maskinporten_rocket::routes![afp_without_library])
}

// At module level: Rocket 0.5.1's route attribute inside a fn trips the
// `non_local_definitions` lint (0.5.2 fixed that).
#[rocket::get("/afp")]
fn afp_without_library(register: &State<Register>) -> Json<AfpView> {
    Json(register.view(Some(CONSUMER.to_owned())))
}

/// The server's configuration: `base` on a free port of 127.0.0.1, quiet,
/// with the benchmark's verdict cache. `workers` is left alone: it sizes only
/// a runtime Rocket makes itself, and this one runs on ours.
fn configure(base: Figment) -> Result<Figment, String> {
    Ok(base
        .merge(("address", Ipv4Addr::LOCALHOST.to_string()))
        .merge(("port", free_port()?))
        .merge(("log_level", "off"))
        .merge(("maskinporten.verdict_cache", VERDICT_CACHE)))
}

/// A port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))
}
