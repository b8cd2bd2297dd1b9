//! What the `maskinporten-stand-in` program runs: a stand-in issuer on a
//! known port with long-lived tokens minted up front, for running an API on
//! a laptop with the variables NAIS would set.

use std::fmt::Write as _;
use std::time::Duration;

use crate::{Clients, Issuer, SigningKey};

/// How long the tokens of a [`StandIn`] are valid unless told otherwise:
/// a working day, so printed tokens outlast a session at the terminal.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(8 * 3600);

/// The consumer organisation of a [`StandIn`]'s tokens unless told
/// otherwise; the same as [`crate::TokenBuilder`]'s default.
pub const DEFAULT_CONSUMER: &str = "123456789";

/// A running stand-in Maskinporten with tokens already minted, one per
/// scope: start an API with [`StandIn::exports`] and call it with
/// [`StandIn::tokens`]. The `maskinporten-stand-in` program is this type
/// with flags; an app's own development mode can use it the same way.
///
/// ```
/// # fn main() -> std::io::Result<()> { rocket::execute(async {
/// use maskinporten_testing::StandIn;
///
/// let stand_in = StandIn::builder()
///     .scope("nav:helse/sykepenger/afp.read")
///     .consumer("987654321")
///     .start()
///     .await?;
/// // Paste these into the shell that starts the API.
/// assert!(stand_in.exports().starts_with("export MASKINPORTEN_ISSUER=http://127.0.0.1:"));
/// let (scope, token) = &stand_in.tokens()[0];
/// assert_eq!(scope, "nav:helse/sykepenger/afp.read");
/// assert_eq!(token.split('.').count(), 3);
/// # Ok(()) }) }
/// ```
pub struct StandIn {
    issuer: Issuer,
    tokens: Vec<(String, String)>,
}

impl StandIn {
    /// Settings for a stand-in: any free port, no scopes, consumer
    /// [`DEFAULT_CONSUMER`], no supplier, tokens valid [`DEFAULT_LIFETIME`].
    pub fn builder() -> StandInBuilder {
        StandInBuilder {
            port: 0,
            scopes: Vec::new(),
            consumer: DEFAULT_CONSUMER.to_owned(),
            supplier: None,
            lifetime: DEFAULT_LIFETIME,
            key: None,
            clients: None,
        }
    }

    /// The stand-in issuer, to mint more tokens or read its URLs.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// `(scope, token)` for each scope, in the order given.
    pub fn tokens(&self) -> &[(String, String)] {
        &self.tokens
    }

    /// The NAIS variables pointing an API at this stand-in
    /// ([`Issuer::nais_variables`]), as `export NAME=value` lines for a
    /// POSIX shell, each ending in a newline.
    pub fn exports(&self) -> String {
        let mut lines = String::new();
        for (name, value) in self.issuer.nais_variables() {
            // The values are http://127.0.0.1 URLs: nothing a shell would
            // expand or split, so no quoting is needed.
            let _ = writeln!(lines, "export {name}={value}");
        }
        lines
    }
}

/// Settings for a [`StandIn`], from [`StandIn::builder`].
#[derive(Debug, Clone)]
pub struct StandInBuilder {
    port: u16,
    scopes: Vec<String>,
    consumer: String,
    supplier: Option<String>,
    lifetime: Duration,
    key: Option<SigningKey>,
    clients: Option<Clients>,
}

impl StandInBuilder {
    /// Listen on `127.0.0.1:port`; 0 (the default) takes any free port.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Mint a token with this scope (one token per call, in order).
    pub fn scope(mut self, scope: &str) -> Self {
        self.scopes.push(scope.to_owned());
        self
    }

    /// The consumer organisation number of every printed token, and of the
    /// token endpoint's tokens for clients not in a registry.
    pub fn consumer(mut self, orgno: &str) -> Self {
        self.consumer = orgno.to_owned();
        self
    }

    /// A supplier organisation number on every token, as in delegated access.
    pub fn supplier(mut self, orgno: &str) -> Self {
        self.supplier = Some(orgno.to_owned());
        self
    }

    /// How long the printed tokens, and the token endpoint's, are valid.
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Sign with this key instead of a new one: with a key kept in a file
    /// ([`SigningKey::load_or_create`]), tokens from an earlier run stay
    /// valid after a restart.
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Let only these clients get tokens from the token endpoint
    /// ([`Issuer::use_clients`]); without, any client does.
    pub fn clients(mut self, clients: Clients) -> Self {
        self.clients = Some(clients);
        self
    }

    /// Starts the issuer and mints the tokens.
    ///
    /// # Errors
    /// The port cannot be bound: in use, or privileged.
    pub async fn start(self) -> std::io::Result<StandIn> {
        let key = self.key.unwrap_or_else(|| SigningKey::generate("key-1"));
        let issuer = Issuer::start_with_key(self.port, key).await?;
        issuer.set_token_lifetime(self.lifetime);
        issuer.set_default_consumer(&self.consumer);
        if let Some(clients) = self.clients {
            issuer.use_clients(clients);
        }
        let seconds = i64::try_from(self.lifetime.as_secs()).unwrap_or(i64::MAX / 2);
        let tokens = self
            .scopes
            .iter()
            .map(|scope| {
                let mut token = issuer
                    .token()
                    .scope(scope)
                    .consumer(&self.consumer)
                    .expires_in(seconds);
                if let Some(supplier) = &self.supplier {
                    token = token.supplier(supplier);
                }
                (scope.clone(), token.sign())
            })
            .collect();
        Ok(StandIn { issuer, tokens })
    }
}
