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
    uuid_v4_of(b)
}

/// A UUID (version 4 in form) drawn from `seed`: the same seed, the same id. For a provider's
/// idempotency id that must be known before the call and sent again after a lost answer
/// (pawaPay's `depositId` and `refundId`, MTN's refund `X-Reference-Id`).
pub fn uuid_v4_for(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    uuid_v4_of(b)
}

fn uuid_v4_of(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// `n` random lower-case alphanumerics, for provider-looking references such as `cos-…`.
pub fn lower_alphanumeric(n: usize) -> String {
    alphanumeric(n).to_ascii_lowercase()
}
