//! The stand-in's optional client registry: which clients exist, their
//! organisation, the key or certificate their grants are signed with, and
//! the scopes they may ask for. Without one the token endpoint lets any
//! client in; with one it is as strict as Maskinporten about those clients.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_2048_8192_SHA384,
    RSA_PKCS1_2048_8192_SHA512, RsaParameters, UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use figment::Figment;
use figment::providers::{Format, Toml};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, SubjectPublicKeyInfoDer};
use serde::Deserialize;

/// One registered client, as Maskinporten's self-service registers it:
/// its id, its organisation, the scopes it may ask for, and how its grants
/// are signed (a public key, a business certificate, or neither: then its
/// grants' signatures are taken on trust).
///
/// ```
/// use maskinporten_testing::{Client, Clients, SigningKey};
///
/// let key = SigningKey::generate("afp-key");
/// let clients = Clients::from_clients([Client::new("afp-client", "987654321")
///     .scope("nav:helse/sykepenger/afp.read")
///     .public_key(&key.public_key_pem())])?;
/// assert_eq!(clients.len(), 1);
/// # Ok::<(), maskinporten_testing::ClientsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Client {
    /// The client id: a grant's `iss`, a Basic-auth user name.
    pub client_id: String,
    /// The client's organisation number (nine digits): the `consumer` of
    /// its tokens, the `supplier` of its delegated ones.
    pub orgno: String,
    /// The scopes it may ask for; a grant for any other is `invalid_scope`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// A PEM `PUBLIC KEY` (an RSA SubjectPublicKeyInfo, as `openssl pkey
    /// -pubout` writes it) its grants are signed with.
    #[serde(default)]
    pub public_key: Option<String>,
    /// A PEM `CERTIFICATE` (its business certificate) its grants are signed
    /// with; a grant's `x5c` must then begin with this certificate.
    #[serde(default)]
    pub certificate: Option<String>,
    /// The `kid` its grants name; when set, a grant naming another is refused.
    #[serde(default)]
    pub kid: Option<String>,
    /// The secret of Swagger UI's `client_credentials` flow; when unset, any
    /// secret is accepted.
    #[serde(default)]
    pub secret: Option<String>,
    /// The `system_id` of its system-user tokens; default `<orgno>_<client_id>`.
    #[serde(default)]
    pub system_id: Option<String>,
}

impl Client {
    /// A client of organisation `orgno`, with no scopes, no key (its grants
    /// taken on trust) and no secret (any secret accepted).
    pub fn new(client_id: &str, orgno: &str) -> Client {
        Client {
            client_id: client_id.to_owned(),
            orgno: orgno.to_owned(),
            scopes: Vec::new(),
            public_key: None,
            certificate: None,
            kid: None,
            secret: None,
            system_id: None,
        }
    }

    /// Allows one more scope.
    pub fn scope(mut self, scope: &str) -> Client {
        self.scopes.push(scope.to_owned());
        self
    }

    /// The PEM public key its grants must be signed with.
    pub fn public_key(mut self, pem: &str) -> Client {
        self.public_key = Some(pem.to_owned());
        self
    }

    /// The PEM certificate its grants must be signed with.
    pub fn certificate(mut self, pem: &str) -> Client {
        self.certificate = Some(pem.to_owned());
        self
    }

    /// The `kid` its grants must name.
    pub fn kid(mut self, kid: &str) -> Client {
        self.kid = Some(kid.to_owned());
        self
    }

    /// The secret it must give in the `client_credentials` flow.
    pub fn secret(mut self, secret: &str) -> Client {
        self.secret = Some(secret.to_owned());
        self
    }
}

/// How a registered client's grants are checked.
#[derive(Clone)]
pub(crate) enum Verifier {
    /// No key registered: signatures are taken on trust.
    Trust,
    /// The SubjectPublicKeyInfo's DER.
    PublicKey(Vec<u8>),
    /// The certificate's DER.
    Certificate(Vec<u8>),
}

/// A client as the token endpoint uses it: checked, its key parsed.
#[derive(Clone)]
pub(crate) struct Registered {
    pub(crate) client: Client,
    pub(crate) verifier: Verifier,
}

/// A signature that does not hold, or a key that cannot check it.
#[derive(Debug)]
pub(crate) struct BadSignature;

impl Registered {
    /// Checks a JWS signature (`signature` base64url) over `message` with
    /// the registered key, for `alg` RS256, RS384 or RS512.
    pub(crate) fn verify(
        &self,
        alg: &str,
        message: &[u8],
        signature: &str,
    ) -> Result<(), BadSignature> {
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| BadSignature)?;
        match &self.verifier {
            Verifier::Trust => Ok(()),
            Verifier::PublicKey(der) => {
                let parameters: &'static RsaParameters = match alg {
                    "RS256" => &RSA_PKCS1_2048_8192_SHA256,
                    "RS384" => &RSA_PKCS1_2048_8192_SHA384,
                    "RS512" => &RSA_PKCS1_2048_8192_SHA512,
                    _ => return Err(BadSignature),
                };
                UnparsedPublicKey::new(parameters, der)
                    .verify(message, &signature)
                    .map_err(|_| BadSignature)
            }
            Verifier::Certificate(der) => {
                let algorithm = match alg {
                    "RS256" => webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
                    "RS384" => webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA384,
                    "RS512" => webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA512,
                    _ => return Err(BadSignature),
                };
                let der = CertificateDer::from(der.as_slice());
                let cert = webpki::EndEntityCert::try_from(&der).map_err(|_| BadSignature)?;
                cert.verify_signature(algorithm, message, &signature)
                    .map_err(|_| BadSignature)
            }
        }
    }
}

/// The registry: clients by id.
///
/// Read from a TOML file with one `[[client]]` table per client:
///
/// ```toml
/// [[client]]
/// client_id = "afp-client"          # the grant's `iss`
/// orgno = "987654321"               # its organisation
/// scopes = ["nav:helse/sykepenger/afp.read"]
/// public_key = """
/// -----BEGIN PUBLIC KEY-----
/// MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…
/// -----END PUBLIC KEY-----
/// """
/// # or: certificate = """-----BEGIN CERTIFICATE-----…""" (its business certificate)
/// # optional: kid = "…", secret = "…" (Swagger UI), system_id = "…"
/// ```
#[derive(Clone, Default)]
pub struct Clients {
    by_id: HashMap<String, Registered>,
}

impl fmt::Debug for Clients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids: Vec<&str> = self.by_id.keys().map(String::as_str).collect();
        ids.sort_unstable();
        f.debug_struct("Clients").field("client_ids", &ids).finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    client: Vec<Client>,
}

impl Clients {
    /// The clients given, checked: ids unique and non-empty, organisation
    /// numbers of nine digits, scopes without spaces, at most one of
    /// `public_key` and `certificate`, and each of those parseable.
    ///
    /// # Errors
    /// [`ClientsErrorKind::BadClient`], naming the client and what is wrong.
    pub fn from_clients(
        clients: impl IntoIterator<Item = Client>,
    ) -> Result<Clients, ClientsError> {
        let mut by_id = HashMap::new();
        for client in clients {
            let registered = check(client)?;
            let id = registered.client.client_id.clone();
            if by_id.insert(id.clone(), registered).is_some() {
                return Err(ClientsError::bad(&id, "is registered twice"));
            }
        }
        Ok(Clients { by_id })
    }

    /// The registry in a TOML text (the format above).
    ///
    /// ```
    /// use maskinporten_testing::{Clients, ClientsErrorKind};
    ///
    /// let clients = Clients::from_toml(r#"
    ///     [[client]]
    ///     client_id = "afp-client"
    ///     orgno = "987654321"
    ///     scopes = ["nav:helse/sykepenger/afp.read"]
    ///     secret = "swagger"
    /// "#)?;
    /// assert_eq!(clients.len(), 1);
    ///
    /// let typo = Clients::from_toml("[[client]]\nclient_id = \"a\"\norgno = \"1\"\n");
    /// assert_eq!(typo.unwrap_err().kind(), ClientsErrorKind::BadClient);
    /// # Ok::<(), maskinporten_testing::ClientsError>(())
    /// ```
    ///
    /// # Errors
    /// [`ClientsErrorKind::Syntax`] for text that is not TOML of this
    /// shape (an unknown key, a missing `orgno`), else as
    /// [`Clients::from_clients`].
    pub fn from_toml(text: &str) -> Result<Clients, ClientsError> {
        let file: File = Figment::from(Toml::string(text))
            .extract()
            .map_err(|e| ClientsError {
                kind: ClientsErrorKind::Syntax,
                detail: e.to_string(),
            })?;
        Clients::from_clients(file.client)
    }

    /// The registry in a TOML file.
    ///
    /// # Errors
    /// [`ClientsErrorKind::Unreadable`] when the file cannot be read, else
    /// as [`Clients::from_toml`]; the message names the file.
    pub fn load(path: &Path) -> Result<Clients, ClientsError> {
        let text = std::fs::read_to_string(path).map_err(|e| ClientsError {
            kind: ClientsErrorKind::Unreadable,
            detail: format!("{}: {e}", path.display()),
        })?;
        Clients::from_toml(&text).map_err(|e| ClientsError {
            kind: e.kind,
            detail: format!("{}: {}", path.display(), e.detail),
        })
    }

    /// How many clients are registered.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no client is registered.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub(crate) fn get(&self, client_id: &str) -> Option<&Registered> {
        self.by_id.get(client_id)
    }
}

fn check(client: Client) -> Result<Registered, ClientsError> {
    let id = client.client_id.clone();
    if id.is_empty() {
        return Err(ClientsError::bad("", "has an empty client_id"));
    }
    if client.orgno.len() != 9 || !client.orgno.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ClientsError::bad(
            &id,
            &format!("orgno `{}` is not nine digits", client.orgno),
        ));
    }
    if let Some(scope) = client
        .scopes
        .iter()
        .find(|s| s.is_empty() || s.contains(char::is_whitespace))
    {
        return Err(ClientsError::bad(
            &id,
            &format!("scope `{scope}` is empty or holds a space: one scope per string"),
        ));
    }
    let verifier = match (&client.public_key, &client.certificate) {
        (Some(_), Some(_)) => {
            return Err(ClientsError::bad(
                &id,
                "has both public_key and certificate: give one",
            ));
        }
        (Some(pem), None) => {
            let der = SubjectPublicKeyInfoDer::from_pem_slice(pem.as_bytes()).map_err(|e| {
                ClientsError::bad(&id, &format!("public_key is not a PEM `PUBLIC KEY`: {e}"))
            })?;
            ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der.as_ref()).map_err(|_| {
                ClientsError::bad(&id, "public_key is not an RSA key of 2048 bits or more")
            })?;
            Verifier::PublicKey(der.as_ref().to_vec())
        }
        (None, Some(pem)) => {
            let der = CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| {
                ClientsError::bad(&id, &format!("certificate is not a PEM certificate: {e}"))
            })?;
            webpki::EndEntityCert::try_from(&der).map_err(|e| {
                ClientsError::bad(
                    &id,
                    &format!("certificate is not an X.509 certificate: {e}"),
                )
            })?;
            Verifier::Certificate(der.as_ref().to_vec())
        }
        (None, None) => Verifier::Trust,
    };
    Ok(Registered { client, verifier })
}

/// What is wrong with a client registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientsErrorKind {
    /// The file cannot be read.
    Unreadable,
    /// Not TOML, or not a list of `[[client]]` tables with known keys.
    Syntax,
    /// A client whose values cannot be used.
    BadClient,
}

/// A client registry that cannot be used, with what is wrong.
#[derive(Debug, Clone)]
pub struct ClientsError {
    kind: ClientsErrorKind,
    detail: String,
}

impl ClientsError {
    fn bad(client_id: &str, what: &str) -> ClientsError {
        ClientsError {
            kind: ClientsErrorKind::BadClient,
            detail: format!("client `{client_id}` {what}"),
        }
    }

    /// What is wrong.
    pub fn kind(&self) -> ClientsErrorKind {
        self.kind
    }
}

impl fmt::Display for ClientsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("client registry: ")?;
        f.write_str(&self.detail)
    }
}

impl std::error::Error for ClientsError {}
