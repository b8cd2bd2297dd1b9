//! The fairing: reads the configuration at ignite, loads the issuer's keys,
//! keeps them fresh after liftoff, and writes challenges on responses.

use std::sync::Arc;

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::{Build, Orbit, Request, Response, Rocket};

use crate::config::{Config, Settings};
use crate::manifest::{self, Manifest};
use crate::response;
use crate::routes::{self, Protection};
use crate::validate::{KeyStore, Validator};

/// Attach this to protect `#[scopes]` handlers and `Claims` guards:
///
/// ```no_run
/// use maskinporten_rocket::Maskinporten;
///
/// #[rocket::launch]
/// fn rocket() -> _ {
///     rocket::build().attach(Maskinporten::fairing())
/// }
/// ```
///
/// At ignite it reads the `maskinporten` table (see [`Config`]). An
/// impossible configuration stops ignite with a message naming the key and
/// its environment variable. An issuer that is down at start does not: the
/// app launches, protected routes answer 503 with `Retry-After`, and a
/// background task retries until the keys load (unless
/// `require_keys_at_start` is set).
pub struct Maskinporten {
    _private: (),
}

impl Maskinporten {
    /// The fairing.
    pub fn fairing() -> Maskinporten {
        Maskinporten { _private: () }
    }
}

#[rocket::async_trait]
impl Fairing for Maskinporten {
    fn info(&self) -> Info {
        Info {
            name: "Maskinporten",
            // Singleton: attached twice, the second replaces the first
            // instead of managing a second Validator (which Rocket refuses).
            kind: Kind::Ignite | Kind::Liftoff | Kind::Response | Kind::Singleton,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        let settings = match Config::from_figment(rocket.figment()).map(|c| c.settings()) {
            Ok(Ok(settings)) => settings,
            Ok(Err(e)) => {
                log::error!(target: "maskinporten", "invalid configuration: {e}");
                return Err(rocket);
            }
            Err(e) => {
                log::error!(target: "maskinporten", "cannot read the [maskinporten] table: {e}");
                return Err(rocket);
            }
        };
        if let Err(why) = check_routes(&rocket, &settings) {
            log::error!(target: "maskinporten", "{why}");
            return Err(rocket);
        }
        let validator = match Validator::new(&settings) {
            Ok(validator) => validator,
            Err(e) => {
                log::error!(target: "maskinporten", "cannot start the validator: {e}");
                return Err(rocket);
            }
        };
        if let Some(keys) = validator.key_store() {
            let loaded = keys.refresh().await;
            if !loaded && settings.require_keys_at_start {
                log::error!(target: "maskinporten",
                    "the issuer's keys could not be loaded and maskinporten.require_keys_at_start is set");
                return Err(rocket);
            }
            if !loaded {
                log::warn!(target: "maskinporten",
                    "starting without the issuer's keys: protected routes answer 503 until they load");
            }
        }
        Ok(rocket.manage(validator))
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let Some(validator) = rocket.state::<Validator>() else {
            return;
        };
        log::info!(target: "maskinporten", "{}", routes::describe(&routes::scope_map(rocket)));
        if let Some(keys) = validator.key_store() {
            let interval = validator.refresh_interval;
            let keys = Arc::downgrade(keys);
            let shutdown = rocket.shutdown();
            rocket::tokio::spawn(async move {
                rocket::tokio::select! {
                    _ = keep_fresh(keys, interval) => {}
                    _ = shutdown => {}
                }
            });
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        let realm = || {
            request
                .rocket()
                .state::<Validator>()
                .and_then(|v| v.realm.as_deref())
        };
        response::write_challenge(request, response, realm);
    }
}

/// The checks of the scope map at ignite: no unmarked routes (when denied),
/// and agreement with the NAIS manifest (when asked for).
fn check_routes(rocket: &Rocket<Build>, settings: &Settings) -> Result<(), String> {
    let map = routes::scope_map(rocket);
    if settings.deny_unmarked_routes {
        let unmarked: Vec<String> = map
            .iter()
            .filter(|r| r.protection == Protection::Unmarked)
            .map(|r| format!("\n  {r}"))
            .collect();
        if !unmarked.is_empty() {
            return Err(format!(
                "maskinporten.deny_unmarked_routes: these routes have neither #[scopes] nor \
                 #[public]:{}",
                unmarked.concat()
            ));
        }
    }
    if let Some(paths) = &settings.manifest_check {
        let manifest = Manifest::from_paths(paths, &settings.scope_prefix)
            .map_err(|e| format!("maskinporten.check_manifest: {e}"))?;
        let report = manifest::check(&manifest, &map);
        for warning in &report.warnings {
            log::warn!(target: "maskinporten", "manifest check: {warning}");
        }
        if !report.errors.is_empty() {
            return Err(format!(
                "maskinporten.check_manifest: the NAIS manifest and the code disagree:\n{report}"
            ));
        }
    }
    Ok(())
}

/// Refreshes metadata and keys every `interval`, and sooner (with a doubling
/// backoff) while they fail to load. Ends when the validator is dropped.
async fn keep_fresh(keys: std::sync::Weak<KeyStore>, interval: std::time::Duration) {
    loop {
        let wait = match keys.upgrade() {
            Some(keys) => keys.next_refresh_in(interval).await,
            None => return,
        };
        rocket::tokio::time::sleep(wait).await;
        match keys.upgrade() {
            Some(keys) => {
                keys.refresh().await;
            }
            None => return,
        }
    }
}
