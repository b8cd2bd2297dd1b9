//! The kit layers onto the app's own configuration: settings from a
//! Rocket.toml and `ROCKET_*` reach the app under the kit, and only what
//! points the fairing at the stand-in is replaced.

use maskinporten_rocket::{Maskinporten, public, scopes};
use maskinporten_testing::{Issuer, Texas, bearer};
use rocket::figment::{Figment, Jail};
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::{Build, Rocket};

const READ: &str = "nav:helse/sykepenger/afp.read";
const AUDIENCE: &str = "https://afp.nav.no/api";

#[scopes("nav:helse/sykepenger/afp.read")]
#[rocket::get("/afp")]
fn afp() -> &'static str {
    "afp"
}

#[public]
#[rocket::get("/isalive")]
fn isalive() -> &'static str {
    "alive"
}

/// Neither `#[scopes]` nor `#[public]`: refused at ignite unless the
/// configuration turns `deny_unmarked_routes` off, as this test's
/// Rocket.toml does.
#[rocket::get("/unmarked")]
fn unmarked() -> &'static str {
    "unmarked"
}

/// The app as its lib.rs would build it: only its own configuration.
fn app(figment: Figment) -> Rocket<Build> {
    rocket::custom(figment)
        .attach(Maskinporten::fairing())
        .mount("/", maskinporten_rocket::routes![afp, isalive])
}

/// A Rocket.toml that sets what an app sets, and also names another issuer
/// in every way the fairing reads one (in two profiles) and Texas mode, all
/// of which the kit must replace; and NAIS variables for another issuer in
/// the environment, as after pasting the stand-in program's exports.
#[allow(clippy::result_large_err)] // what Jail's methods return
fn app_configuration(jail: &mut Jail) -> figment::Result<()> {
    jail.create_file(
        "Rocket.toml",
        r#"
        [default]
        log_level = "critical"

        [default.maskinporten]
        realm = "afp"
        deny_unmarked_routes = false
        validation = "texas"
        introspection_endpoint = "http://127.0.0.1:9/api/v1/introspect"
        issuer = "https://maskinporten.no/"
        jwks_uri = "https://maskinporten.no/jwk"

        [debug.maskinporten]
        well_known_url = "https://maskinporten.no/.well-known/oauth-authorization-server"

        [release.maskinporten]
        well_known_url = "https://maskinporten.no/.well-known/oauth-authorization-server"
        "#,
    )?;
    jail.set_env(
        "ROCKET_MASKINPORTEN",
        format!("{{audience=\"{AUDIENCE}\"}}"),
    );
    jail.set_env("MASKINPORTEN_ISSUER", "https://test.maskinporten.no/");
    jail.set_env("MASKINPORTEN_JWKS_URI", "https://test.maskinporten.no/jwk");
    Ok(())
}

#[test]
#[allow(clippy::result_large_err)] // Jail's closure returns figment::Error
fn rocket_toml_realm_audience_and_deny_by_default_reach_the_app_under_the_issuer() {
    Jail::expect_with(|jail| {
        app_configuration(jail)?;
        rocket::execute(async {
            let issuer = Issuer::start().await;

            // deny_unmarked_routes = false came from Rocket.toml (the
            // default denies): the unmarked route launches, and answers.
            let with_unmarked = app(issuer.figment()).mount("/", rocket::routes![unmarked]);
            let client = Client::tracked(with_unmarked)
                .await
                .expect("Rocket.toml turned deny-by-default off");
            let status = client.get("/unmarked").dispatch().await.status();
            assert_eq!(status, Status::Ok);
            drop(client);

            let client = Client::tracked(app(issuer.figment()))
                .await
                .expect("the app ignites under the kit");
            // The realm came from Rocket.toml.
            let response = client.get("/afp").dispatch().await;
            assert_eq!(response.status(), Status::Unauthorized);
            assert_eq!(
                response.headers().get_one("WWW-Authenticate"),
                Some("Bearer realm=\"afp\"")
            );
            // The audience came from ROCKET_MASKINPORTEN.
            let no_audience = issuer.token().scope(READ).sign();
            let response = client
                .get("/afp")
                .header(bearer(&no_audience))
                .dispatch()
                .await;
            assert_eq!(response.status(), Status::Unauthorized);
            // And the stand-in, not the issuer Rocket.toml or the NAIS
            // variables name, is trusted.
            let token = issuer.token().scope(READ).audience(AUDIENCE).sign();
            let response = client.get("/afp").header(bearer(&token)).dispatch().await;
            assert_eq!(response.status(), Status::Ok);
            // One metadata fetch for each of the two apps launched here.
            assert_eq!(issuer.metadata_requests(), 2);
            assert_eq!(client.get("/isalive").dispatch().await.status(), Status::Ok);
        });
        Ok(())
    });
}

#[test]
#[allow(clippy::result_large_err)] // Jail's closure returns figment::Error
fn rocket_toml_settings_reach_the_app_under_the_stand_in_texas() {
    Jail::expect_with(|jail| {
        app_configuration(jail)?;
        jail.set_env("NAIS_TOKEN_INTROSPECTION_ENDPOINT", "http://127.0.0.1:9/");
        rocket::execute(async {
            let issuer = Issuer::start().await;
            let texas = Texas::start(&issuer).await;
            let client = Client::tracked(app(texas.figment()))
                .await
                .expect("the app ignites under the kit");
            let response = client.get("/afp").dispatch().await;
            assert_eq!(
                response.headers().get_one("WWW-Authenticate"),
                Some("Bearer realm=\"afp\"")
            );
            let token = issuer.token().scope(READ).audience(AUDIENCE).sign();
            let response = client.get("/afp").header(bearer(&token)).dispatch().await;
            assert_eq!(response.status(), Status::Ok);
            assert_eq!(texas.introspections(), 1);
        });
        Ok(())
    });
}

#[test]
fn configure_changes_only_the_keys_that_name_the_stand_in() {
    rocket::execute(async {
        let issuer = Issuer::start().await;
        let app = Figment::new()
            .merge(("maskinporten.realm", "afp"))
            .merge(("maskinporten.leeway", 7))
            .merge(("port", 8123));
        let figment = issuer.configure(app.clone());
        let mut changed: Vec<String> = figment
            .find_value("maskinporten")
            .ok()
            .and_then(|v| v.into_dict())
            .map(|table| table.into_keys().collect())
            .unwrap_or_default();
        changed.sort();
        assert_eq!(
            changed,
            [
                "issuer",
                "jwks_uri",
                "leeway",
                "override_nais",
                "realm",
                "validation",
                "well_known_url"
            ]
        );
        assert_eq!(figment.extract_inner::<u16>("port").ok(), Some(8123));
        assert_eq!(
            figment.extract_inner::<u64>("maskinporten.leeway").ok(),
            Some(7)
        );
    });
}
