//! The stand-in issuer and Texas from the library's test kit, and the tokens
//! the issuer signs for the runs. The one module that uses the test kit.

use std::collections::HashSet;

use maskinporten_testing::{Issuer, Texas, TokenBuilder};
use rocket::figment::Figment;
use tokio::runtime::Runtime;

/// The scope `GET /afp` requires.
const SCOPE: &str = "nav:helse/sykepenger/afp.read";
/// The organisation every token is minted for.
pub const CONSUMER: &str = "123456789";
/// Lifetime of every minted token: longer than any run.
const TOKEN_SECONDS: i64 = 3_600;

/// Both stand-ins, serving on the benchmark's runtime.
pub struct StandIns {
    // Texas asks the issuer, so it goes first (fields drop in this order).
    texas: Texas,
    issuer: Issuer,
}

impl StandIns {
    pub fn start(runtime: &Runtime) -> StandIns {
        let issuer = runtime.block_on(Issuer::start());
        let texas = runtime.block_on(Texas::start(&issuer));
        StandIns { texas, issuer }
    }

    /// A server configuration validating tokens locally against the issuer.
    pub fn local_figment(&self) -> Figment {
        self.issuer.figment()
    }

    /// A server configuration validating tokens through the stand-in Texas.
    pub fn texas_figment(&self) -> Figment {
        self.texas.figment()
    }

    /// The variables NAIS sets for an app, pointing at the stand-in issuer:
    /// the configuration of a server started as a child process.
    pub fn nais_variables(&self) -> [(&'static str, String); 3] {
        self.issuer.nais_variables()
    }

    /// Introspection requests Texas answered so far.
    pub fn introspections(&self) -> usize {
        self.texas.introspections()
    }

    /// The modulus and exponent (base64url) of the key that signs the tokens.
    pub fn public_key(&self) -> Result<(String, String), String> {
        let jwk = self.issuer.current_key().jwk();
        let part = |name: &str| {
            jwk[name]
                .as_str()
                .map(str::to_owned)
                .ok_or(format!("the issuer's JWK has no {name:?}"))
        };
        Ok((part("n")?, part("e")?))
    }

    /// `count` distinct tokens with the read scope, signed on every core.
    pub fn mint(&self, count: usize) -> Result<Vec<String>, String> {
        // Each builder gets its own `jti`, so no two tokens are alike (RS256
        // signatures are deterministic: equal claims would give equal tokens).
        let builders: Vec<TokenBuilder> = (0..count)
            .map(|_| {
                self.issuer
                    .token()
                    .scope(SCOPE)
                    .consumer(CONSUMER)
                    .expires_in(TOKEN_SECONDS)
            })
            .collect();
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let chunk = count.div_ceil(threads).max(1);
        let tokens: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = builders
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || part.iter().map(TokenBuilder::sign).collect::<Vec<_>>())
                })
                .collect();
            let mut tokens = Vec::with_capacity(count);
            for handle in handles {
                tokens.extend(handle.join().map_err(|_| "a minting thread panicked")?);
            }
            Ok::<_, String>(tokens)
        })?;
        let distinct: HashSet<&String> = tokens.iter().collect();
        if distinct.len() != count {
            return Err(format!(
                "minted {} distinct tokens of {count}",
                distinct.len()
            ));
        }
        Ok(tokens)
    }
}
