//! How the emulator signs its callbacks, as pawaPay does when an account turns signed callbacks on
//! (PROVIDERS.md, "signed callbacks", "signature details", "ECDSA encoding"): an RFC 9530
//! `Content-Digest` (SHA-512) of the body, then an RFC 9421 signature labelled `sig-pp` over
//! `("@method" "@authority" "@path" "signature-date" "content-digest" "content-type")` with
//! `ecdsa-p256-sha256`, DER-encoded as pawaPay's own examples sign. Its public key is served at
//! `GET /v2/public-key/http`.
//!
//! The key pair is the sandbox's own, public like every sandbox credential: it signs test
//! callbacks only, and no live connector holds its public key.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair,
    EcdsaSigningAlgorithm,
};
use sha2::{Digest, Sha512};

/// The key's id, as `keyid` names it.
pub const KEY_ID: &str = "DALAL_SANDBOX_EC_P256:1";

/// The sandbox's P-256 private key (PKCS#8, base64).
const PRIVATE_KEY: &str = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/wN4YeUtCToIrDyXreTNNEB4flwuH/TARMMKeGC1xHuhRANCAARPs6P9oL/B2oEW99vkt2IsCoCL+GqFGc6LvR5IhJ7GF8UccXL07I6TDUJxkMEINZ3eqMwSJx7DEvXRidkRv3fy";

/// Its public key, as `GET /v2/public-key/http` publishes it.
pub const PUBLIC_KEY_PEM: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAET7Oj/aC/wdqBFvfb5LdiLAqAi/hq
hRnOi70eSISexhfFHHFy9OyOkw1CcZDBCDWd3qjMEicewxL10YnZEb938g==
-----END PUBLIC KEY-----
";

/// How an ECDSA signature's bytes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// ASN.1 DER, as pawaPay's Java and Node examples sign.
    Der,
    /// `r‖s`, 64 bytes, as RFC 9421 specifies.
    Raw,
}

/// The headers of a callback to `url` carrying `body`, signed at `now_secs` (valid a minute).
pub fn signed_headers(
    url: &str,
    body: &[u8],
    now_secs: i64,
    encoding: Encoding,
) -> anyhow::Result<Vec<(&'static str, String)>> {
    sign_with(PRIVATE_KEY, KEY_ID, url, body, now_secs, encoding)
}

/// The same with another key (base64 PKCS#8) and key id: a forger's, in tests.
pub fn sign_with(
    private_key: &str,
    key_id: &str,
    url: &str,
    body: &[u8],
    now_secs: i64,
    encoding: Encoding,
) -> anyhow::Result<Vec<(&'static str, String)>> {
    let url = url::Url::parse(url)?;
    let host = url.host_str().unwrap_or_default();
    let authority = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    let content_type = "application/json";
    let digest = format!("sha-512=:{}:", STANDARD.encode(Sha512::digest(body)));
    let date = crate::clock::iso8601(now_secs * 1000);
    let params = format!(
        "(\"@method\" \"@authority\" \"@path\" \"signature-date\" \"content-digest\" \"content-type\");alg=\"ecdsa-p256-sha256\";keyid=\"{key_id}\";created={now_secs};expires={}",
        now_secs + 60
    );
    let base = format!(
        "\"@method\": POST\n\"@authority\": {authority}\n\"@path\": {}\n\"signature-date\": {date}\n\"content-digest\": {digest}\n\"content-type\": {content_type}\n\"@signature-params\": {params}",
        url.path()
    );
    let algorithm: &'static EcdsaSigningAlgorithm = match encoding {
        Encoding::Der => &ECDSA_P256_SHA256_ASN1_SIGNING,
        Encoding::Raw => &ECDSA_P256_SHA256_FIXED_SIGNING,
    };
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = STANDARD.decode(private_key)?;
    let pair = EcdsaKeyPair::from_pkcs8(algorithm, &pkcs8, &rng)
        .map_err(|e| anyhow::anyhow!("the sandbox's signing key: {e}"))?;
    let signature = pair
        .sign(&rng, base.as_bytes())
        .map_err(|e| anyhow::anyhow!("signing a callback: {e}"))?;
    Ok(vec![
        ("content-type", content_type.to_owned()),
        ("content-digest", digest),
        ("signature-date", date),
        ("signature-input", format!("sig-pp={params}")),
        (
            "signature",
            format!("sig-pp=:{}:", STANDARD.encode(signature.as_ref())),
        ),
    ])
}

/// A fresh P-256 key pair (base64 PKCS#8), for tests that play a forger.
pub fn new_private_key() -> anyhow::Result<String> {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
        .map_err(|e| anyhow::anyhow!("generating a key: {e}"))?;
    Ok(STANDARD.encode(pkcs8.as_ref()))
}
