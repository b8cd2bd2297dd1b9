//! One bare RSA-2048 PKCS#1 v1.5 SHA-256 verification with a key parsed
//! once: the work a cache miss cannot avoid, measured in this process, on
//! this machine, in the same run as the miss, so that the miss's server CPU
//! is compared with a floor that shares its noise.
//!
//! The key comes from the issuer's JWK as the library receives it; the
//! signatures are decoded before timing, so what is timed is
//! `ParsedPublicKey::verify_sig` alone: SHA-256 of the signing input and the
//! RSA public-key operation.

use std::time::{Duration, Instant};

use aws_lc_rs::signature::{ParsedPublicKey, RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// CPU time to spend verifying: long enough that scheduler noise averages
/// out, short beside a scenario's run.
const CPU_BUDGET: Duration = Duration::from_secs(2);
/// Verifications between two reads of the clock.
const BATCH: u64 = 200;

/// What one verification cost, on average.
pub struct BareVerify {
    pub iterations: u64,
    /// CPU time of the verifying thread per verification, in µs: the same
    /// kind of clock as the servers' CPU per request.
    pub cpu_us: f64,
    /// Wall time per verification, in µs, for comparison.
    pub wall_us: f64,
}

/// A token split the way a verifier needs it.
struct Signed {
    message: Vec<u8>,
    signature: Vec<u8>,
}

/// Verifies `tokens`' signatures, in turn, for [`CPU_BUDGET`] of this
/// thread's CPU time, with the key of modulus `n` and exponent `e` (base64url,
/// as in a JWK) parsed once. Fails if any signature does not verify.
pub fn measure(n: &str, e: &str, tokens: &[String]) -> Result<BareVerify, String> {
    let decode = |what: &str, text: &str| {
        URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|err| format!("bare verify: {what}: {err}"))
    };
    let components = RsaPublicKeyComponents {
        n: decode("n", n)?,
        e: decode("e", e)?,
    };
    let key = components
        .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
        .map_err(|err| format!("bare verify: key rejected: {err}"))?;
    let signed = tokens
        .iter()
        .map(|token| {
            let (message, signature) = token
                .rsplit_once('.')
                .ok_or("bare verify: a token without a signature")?;
            Ok(Signed {
                message: message.as_bytes().to_vec(),
                signature: decode("signature", signature)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if signed.is_empty() {
        return Err("bare verify: no tokens".to_owned());
    }
    let verify = |key: &ParsedPublicKey, s: &Signed| {
        key.verify_sig(std::hint::black_box(&s.message), &s.signature)
            .map_err(|_| "bare verify: a signature did not verify".to_owned())
    };
    // AWS-LC sets up the key's Montgomery constants on first use, and the
    // caches are cold: the first verification stays outside the clock.
    verify(&key, &signed[0])?;

    let cpu_start = thread_cpu().ok_or("bare verify: no /proc/thread-self/schedstat")?;
    let wall_start = Instant::now();
    let mut iterations = 0u64;
    let mut next = signed.iter().cycle();
    let cpu = loop {
        for s in next.by_ref().take(BATCH as usize) {
            verify(&key, s)?;
        }
        iterations += BATCH;
        let spent = thread_cpu().ok_or("bare verify: schedstat vanished")? - cpu_start;
        if spent >= CPU_BUDGET {
            break spent;
        }
    };
    let wall = wall_start.elapsed();
    let per = |d: Duration| d.as_secs_f64() * 1e6 / iterations as f64;
    Ok(BareVerify {
        iterations,
        cpu_us: per(cpu),
        wall_us: per(wall),
    })
}

/// This thread's CPU time so far, in ns precision: the first field of
/// `/proc/thread-self/schedstat`. (`/proc/self/stat` counts in 10 ms ticks.)
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = text.split_whitespace().next()?.parse::<u64>().ok()?;
    // A kernel without schedstats reads 0 here.
    (ns > 0).then_some(Duration::from_nanos(ns))
}
