//! The kit's RSA signing key: what the issuer publishes and the token
//! builder signs with, kept below both; and the key file that lets the
//! stand-in program keep one key across restarts.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    KeyPair, RSA_PKCS1_SHA256, RSA_PKCS1_SHA384, RSA_PKCS1_SHA512, RsaEncoding, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rustls_pki_types::PrivatePkcs8KeyDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};

/// An RSA signing key with its `kid`.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    pair: Arc<RsaKeyPair>,
}

impl fmt::Debug for SigningKey {
    /// The `kid` only: a debug line never shows key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh 2048-bit RSA key.
    ///
    /// # Panics
    /// If the machine cannot generate a key: a test cannot go on without one.
    pub fn generate(kid: &str) -> SigningKey {
        // Test kit only, no network input: fails only if aws-lc cannot make keys.
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        SigningKey {
            kid: kid.to_owned(),
            pair: Arc::new(pair),
        }
    }

    /// The key in a PKCS#8 PEM document (`-----BEGIN PRIVATE KEY-----`), as
    /// `openssl genpkey -algorithm RSA` writes it.
    ///
    /// ```
    /// use maskinporten_testing::SigningKey;
    ///
    /// let key = SigningKey::from_pem("key-1", &SigningKey::generate("key-1").private_key_pem())?;
    /// assert_eq!(key.kid(), "key-1");
    /// assert!(SigningKey::from_pem("key-1", "not a key").is_err());
    /// # Ok::<(), maskinporten_testing::KeyFileError>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyFileErrorKind::NotAKey`]: no PKCS#8 PEM block, or not an RSA
    /// key aws-lc accepts for signing (2048 to 8192 bits).
    pub fn from_pem(kid: &str, pem: &str) -> Result<SigningKey, KeyFileError> {
        let not_a_key = |detail: String| KeyFileError::new(KeyFileErrorKind::NotAKey, None, detail);
        let der = PrivatePkcs8KeyDer::from_pem_slice(pem.as_bytes()).map_err(|e| {
            not_a_key(format!(
                "no PKCS#8 private key in PEM (`-----BEGIN PRIVATE KEY-----`): {e}"
            ))
        })?;
        let pair = RsaKeyPair::from_pkcs8(der.secret_pkcs8_der())
            .map_err(|e| not_a_key(format!("not an RSA signing key of 2048 bits or more: {e}")))?;
        Ok(SigningKey {
            kid: kid.to_owned(),
            pair: Arc::new(pair),
        })
    }

    /// The key as a PKCS#8 PEM document, for [`SigningKey::from_pem`].
    ///
    /// # Panics
    /// If aws-lc cannot encode a key it holds: a broken crypto library.
    pub fn private_key_pem(&self) -> String {
        // Encoding a key aws-lc holds fails only if aws-lc is broken.
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(self.pair.as_ref())
            .expect("PKCS#8 encoding of an RSA key");
        pem("PRIVATE KEY", der.as_ref())
    }

    /// The public key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo)
    /// document: what a client registry holds for a client that signs its
    /// grants with this key.
    pub fn public_key_pem(&self) -> String {
        public_key_pem(self)
    }

    /// The key kept in `path`: read when the file exists, else generated and
    /// written there (mode 0600 on Unix), so a stand-in restarted with the
    /// same file publishes the same key and earlier tokens stay valid.
    ///
    /// ```
    /// use maskinporten_testing::SigningKey;
    ///
    /// let path = std::env::temp_dir().join(format!("stand-in-doc-{}.pem", std::process::id()));
    /// let made = SigningKey::load_or_create(&path, "key-1")?;
    /// let read = SigningKey::load_or_create(&path, "key-1")?;
    /// assert_eq!(made.jwk(), read.jwk());
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), maskinporten_testing::KeyFileError>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyFileErrorKind::Unreadable`] when the file exists but cannot be
    /// read, [`KeyFileErrorKind::NotAKey`] when it holds no RSA private key,
    /// [`KeyFileErrorKind::Unwritable`] when a new key cannot be written.
    pub fn load_or_create(path: &Path, kid: &str) -> Result<SigningKey, KeyFileError> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| {
                    KeyFileError::new(
                        KeyFileErrorKind::NotAKey,
                        Some(path),
                        "not a PEM text file".to_owned(),
                    )
                })?;
                SigningKey::from_pem(kid, &text).map_err(|e| e.at(path))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = SigningKey::generate(kid);
                write_new(path, key.private_key_pem().as_bytes()).map_err(|e| {
                    KeyFileError::new(KeyFileErrorKind::Unwritable, Some(path), e.to_string())
                })?;
                Ok(key)
            }
            Err(e) => Err(KeyFileError::new(
                KeyFileErrorKind::Unreadable,
                Some(path),
                e.to_string(),
            )),
        }
    }

    /// The key's `kid`.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub(crate) fn pair(&self) -> &RsaKeyPair {
        &self.pair
    }

    /// The public key as a JWK, as Maskinporten publishes it.
    pub fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
        })
    }
}

/// Writes a file that must not exist yet, readable by its owner only: it
/// holds a private key.
fn write_new(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Why a key file cannot give a [`SigningKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyFileErrorKind {
    /// The file exists but cannot be read (permissions, a directory).
    Unreadable,
    /// The file holds no RSA private key in PKCS#8 PEM.
    NotAKey,
    /// No file was there and a new key could not be written (no such
    /// directory, no permission).
    Unwritable,
}

/// A key file that cannot give a [`SigningKey`], with its path.
#[derive(Debug, Clone)]
pub struct KeyFileError {
    kind: KeyFileErrorKind,
    path: Option<PathBuf>,
    detail: String,
}

impl KeyFileError {
    fn new(kind: KeyFileErrorKind, path: Option<&Path>, detail: String) -> KeyFileError {
        KeyFileError {
            kind,
            path: path.map(Path::to_path_buf),
            detail,
        }
    }

    fn at(mut self, path: &Path) -> KeyFileError {
        self.path = Some(path.to_path_buf());
        self
    }

    /// What is wrong.
    pub fn kind(&self) -> KeyFileErrorKind {
        self.kind
    }

    /// The file, when the key came from one.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl fmt::Display for KeyFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self
            .path
            .as_deref()
            .map_or_else(|| "the key file".to_owned(), |p| p.display().to_string());
        let detail = &self.detail;
        match self.kind {
            KeyFileErrorKind::Unreadable => write!(f, "cannot read {path}: {detail}"),
            // The fix is to let the stand-in make the file again; a key
            // it cannot use is never overwritten on its own.
            KeyFileErrorKind::NotAKey => write!(
                f,
                "{path} holds no usable RSA private key ({detail}); delete it and a new key \
                 is written there at the next start, or name another file"
            ),
            KeyFileErrorKind::Unwritable => write!(f, "cannot write a new key to {path}: {detail}"),
        }
    }
}

impl std::error::Error for KeyFileError {}

/// The RSA padding and hash for a JWS `alg` (RFC 7518 §3.3): RS256, RS384
/// or RS512; `None` for any other.
pub(crate) fn rsa_encoding(alg: &str) -> Option<&'static dyn RsaEncoding> {
    match alg {
        "RS256" => Some(&RSA_PKCS1_SHA256),
        "RS384" => Some(&RSA_PKCS1_SHA384),
        "RS512" => Some(&RSA_PKCS1_SHA512),
        _ => None,
    }
}

/// Signing with a key we generated cannot fail but for a broken crypto
/// library; the test kit panics there rather than mint a bad token.
pub(crate) fn sign_rs256(key: &SigningKey, input: &str) -> String {
    sign_with(key, &RSA_PKCS1_SHA256, input)
}

/// `input "." base64url(signature)`, signed with `encoding`.
pub(crate) fn sign_with(
    key: &SigningKey,
    encoding: &'static dyn RsaEncoding,
    input: &str,
) -> String {
    let pair = key.pair();
    let mut signature = vec![0; pair.public_modulus_len()];
    pair.sign(
        encoding,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut signature,
    )
    // Test kit only, no network input: signing with a key we hold fails
    // only if aws-lc is broken.
    .expect("RSA signing with a key we hold");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The public key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) document.
pub(crate) fn public_key_pem(key: &SigningKey) -> String {
    // Test kit only: encoding a key we hold fails only if aws-lc is broken.
    let der = key
        .pair()
        .public_key()
        .as_der()
        .expect("DER encoding of an RSA public key");
    pem("PUBLIC KEY", der.as_ref())
}

/// A PEM document (RFC 7468): the label and base64 lines of 64 characters.
fn pem(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut pem = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {label}-----\n"));
    pem
}
