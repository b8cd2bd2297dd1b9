//! The development issuer: `cargo run -p afp-api` with nothing configured
//! starts the API against the test kit's stand-in Maskinporten on 127.0.0.1
//! and prints `curl` commands with tokens it minted.
//!
//! Only in debug builds with the `dev-issuer` feature (on by default for
//! this example, and nowhere in the library): a release build has no such
//! code, and any Maskinporten or Texas configuration turns it off.

use maskinporten_rocket::NAIS_VARIABLES;
use maskinporten_testing::Issuer;
use rocket::figment::Figment;

/// A running development issuer and the commands to try the API with.
pub struct DevIssuer {
    /// Keep it alive as long as the API runs: it serves the JWKS.
    pub issuer: Issuer,
    /// `curl` commands with their expected status, in the order printed.
    pub commands: Vec<(String, u16)>,
}

/// Whether Maskinporten is configured: a NAIS variable, or a
/// `maskinporten` table in Rocket's configuration.
pub fn is_configured(figment: &Figment, env: impl Fn(&str) -> Option<String>) -> bool {
    NAIS_VARIABLES
        .iter()
        .any(|(_, var)| env(var).is_some_and(|v| !v.trim().is_empty()))
        || figment.find_value("maskinporten").is_ok()
}

/// With nothing configured, starts the development issuer and returns the
/// figment pointing at it; otherwise returns the figment unchanged.
pub async fn unless_configured(figment: Figment) -> (Figment, Option<DevIssuer>) {
    if is_configured(&figment, |var| std::env::var(var).ok()) {
        return (figment, None);
    }
    let issuer = Issuer::start().await;
    let figment = figment.merge(("maskinporten.well_known_url", issuer.well_known_url()));
    let address: String = figment
        .extract_inner("address")
        .unwrap_or_else(|_| "127.0.0.1".into());
    let port: u16 = figment.extract_inner("port").unwrap_or(8000);
    let base = format!("http://{address}:{port}");
    // Long-lived so the printed commands keep working during a session.
    let hours = 8 * 3600;
    let reader = issuer
        .token()
        .scope("nav:helse/sykepenger/afp.read")
        .consumer("123456789")
        .expires_in(hours)
        .sign();
    let writer = issuer
        .token()
        .scope("nav:helse/sykepenger/afp.write")
        .consumer("123456789")
        .expires_in(hours)
        .sign();
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
    let dev = DevIssuer { issuer, commands };
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
             \nTry it (tokens valid for 8 hours):\n",
            self.issuer.issuer()
        );
        for (command, status) in &self.commands {
            text.push_str(&format!("\n# expect {status}\n{command}\n"));
        }
        text
    }
}
