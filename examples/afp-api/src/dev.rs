//! The development issuer: `cargo run -p afp-api` with nothing configured
//! starts the API against a stand-in Maskinporten on 127.0.0.1 and prints
//! `curl` commands with tokens it minted. The stand-in is the one the
//! `maskinporten-stand-in` program runs (`maskinporten_testing::StandIn`),
//! so running that program and starting this API with its exports is the
//! same setup without any development code in the API.
//!
//! Only in debug builds with the `dev-issuer` feature (on by default for
//! this example, and nowhere in the library): a release build has no such
//! code. Any Maskinporten or Texas configuration turns it off, and so does
//! anything that says the process is deployed: a pod that lost its
//! Maskinporten settings must fail ignite, not trust a stand-in.

use maskinporten_testing::StandIn;
use rocket::figment::Figment;

/// The NAIS variables that configure Maskinporten or Texas (doc.nais.io,
/// Maskinporten reference, "Runtime variables & credentials"; Texas, "Token
/// introspection"): any of them set means this is not a bare `cargo run`.
pub const NAIS_VARIABLES: [&str; 4] = [
    "MASKINPORTEN_ISSUER",
    "MASKINPORTEN_JWKS_URI",
    "MASKINPORTEN_WELL_KNOWN_URL",
    "NAIS_TOKEN_INTROSPECTION_ENDPOINT",
];

/// Variables that are set where the app is deployed and never on a
/// laptop: Kubernetes sets `KUBERNETES_SERVICE_HOST` in every pod
/// (<https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables>),
/// NAIS sets `NAIS_APP_NAME` (<https://docs.nais.io/workloads/reference/default-variables/>).
pub const DEPLOYED_VARIABLES: [&str; 2] = ["KUBERNETES_SERVICE_HOST", "NAIS_APP_NAME"];

const READ: &str = "nav:helse/sykepenger/afp.read";
const WRITE: &str = "nav:helse/sykepenger/afp.write";

/// A running development issuer and the commands to try the API with.
pub struct DevIssuer {
    /// Keep it alive as long as the API runs: it serves the JWKS.
    pub stand_in: StandIn,
    /// `curl` commands with their expected status, in the order printed.
    pub commands: Vec<(String, u16)>,
}

fn is_set(env: &impl Fn(&str) -> Option<String>, var: &str) -> bool {
    env(var).is_some_and(|v| !v.trim().is_empty())
}

/// Whether Maskinporten is configured: a NAIS variable, or a
/// `maskinporten` table in Rocket's configuration.
pub fn is_configured(figment: &Figment, env: impl Fn(&str) -> Option<String>) -> bool {
    NAIS_VARIABLES.iter().any(|var| is_set(&env, var)) || figment.find_value("maskinporten").is_ok()
}

/// Whether the process runs in a Kubernetes pod or on NAIS.
pub fn looks_deployed(env: impl Fn(&str) -> Option<String>) -> bool {
    DEPLOYED_VARIABLES.iter().any(|var| is_set(&env, var))
}

/// With nothing configured on a laptop, starts the development issuer and
/// returns the figment pointing at it; otherwise returns the figment
/// unchanged, and ignite reports what is missing.
pub async fn unless_configured(figment: Figment) -> (Figment, Option<DevIssuer>) {
    let env = |var: &str| std::env::var(var).ok();
    if is_configured(&figment, env) || looks_deployed(env) {
        return (figment, None);
    }
    let stand_in = match StandIn::builder()
        .scope(READ)
        .scope(WRITE)
        .consumer("123456789")
        .start()
        .await
    {
        Ok(stand_in) => stand_in,
        // Without it the API is unconfigured, and ignite says so.
        Err(e) => {
            eprintln!("development issuer: cannot listen on 127.0.0.1: {e}");
            return (figment, None);
        }
    };
    let figment = stand_in.issuer().configure(figment);
    let address: String = figment
        .extract_inner("address")
        .unwrap_or_else(|_| "127.0.0.1".into());
    let port: u16 = figment.extract_inner("port").unwrap_or(8000);
    let base = format!("http://{address}:{port}");
    let token = |scope: &str| {
        stand_in
            .tokens()
            .iter()
            .find(|(minted, _)| minted == scope)
            .map(|(_, token)| token.clone())
            .unwrap_or_default()
    };
    let (reader, writer) = (token(READ), token(WRITE));
    let commands = vec![
        (format!("curl -i -H 'Authorization: Bearer {reader}' {base}/afp"), 200),
        (format!("curl -i -H 'Authorization: Bearer {writer}' {base}/afp"), 403),
        (format!("curl -i {base}/afp"), 401),
        (
            format!(
                "curl -i -X POST -H 'Authorization: Bearer {writer}' -H 'Content-Type: application/json' \
                 -d '{{\"person\":\"p-1\",\"from\":\"2026-01\"}}' {base}/afp"
            ),
            201,
        ),
    ];
    let dev = DevIssuer { stand_in, commands };
    (figment, Some(dev))
}

impl DevIssuer {
    /// The banner and the commands, for the terminal.
    pub fn instructions(&self) -> String {
        let mut text = format!(
            "\n\
             ********************************************************************\n\
             *  DEVELOPMENT ISSUER: no Maskinporten configuration was found, so  *\n\
             *  this API trusts a stand-in issuer at {:<27} *\n\
             *  that mints its own tokens. Never run like this in production:    *\n\
             *  set MASKINPORTEN_WELL_KNOWN_URL (NAIS does) to use the real one. *\n\
             ********************************************************************\n\
             \nThe same stand-in, for any API, without code in it:\n\
             cargo run -p maskinporten-testing --bin maskinporten-stand-in -- --scope {READ}\n\
             \nTry it (tokens valid for 8 hours):\n",
            self.stand_in.issuer().issuer()
        );
        for (command, status) in &self.commands {
            text.push_str(&format!("\n# expect {status}\n{command}\n"));
        }
        text
    }
}
