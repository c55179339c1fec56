//! Random identifiers and secrets from the operating system's generator.

use base64::Engine;
use rand::RngCore;
use rand::distr::{Alphanumeric, SampleString};

/// 256 random bits, URL-safe: checkout tokens.
pub fn token_256() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `n` random characters from `[A-Za-z0-9]` (about 5.95 bits each).
pub fn alphanumeric(n: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), n)
}

/// A random UUID (version 4), as MTN MoMo wants its `X-Reference-Id`.
pub fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// `n` random lower-case alphanumerics, for provider-looking references such as `cos-…`.
pub fn lower_alphanumeric(n: usize) -> String {
    alphanumeric(n).to_ascii_lowercase()
}
