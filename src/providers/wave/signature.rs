//! Wave's webhook signature (`https://docs.wave.com/webhook`, "Webhook security", signing
//! secret strategy): `Wave-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, where each `v1` is
//! HMAC-SHA256 of the timestamp followed by the raw body, keyed with the webhook secret. Several
//! `v1` values appear while a secret is being rolled: one matching is enough.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// How far a signature's timestamp may be from now: older ones are replays.
pub const TOLERANCE_SECS: i64 = 5 * 60;

/// The header a body signed with `secret` at `timestamp` (unix seconds) carries.
pub fn header(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac(secret, timestamp, body))
    )
}

/// Whether `header` signs `body` with `secret`, within `TOLERANCE_SECS` of `now_secs`.
pub fn verify(secret: &str, header: &str, body: &[u8], now_secs: i64) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return false;
    };
    if (now_secs - timestamp).abs() > TOLERANCE_SECS {
        return false;
    }
    let expected = mac(secret, timestamp, body);
    signatures
        .iter()
        .any(|s| bool::from(expected.as_slice().ct_eq(s.as_slice())))
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_body_verifies_and_anything_changed_does_not() {
        let body = br#"{"id":"AE_1","type":"checkout.session.completed"}"#;
        let signed = header("wave_sn_WHS_secret", 1_700_000_000, body);
        assert!(verify("wave_sn_WHS_secret", &signed, body, 1_700_000_000));
        assert!(verify(
            "wave_sn_WHS_secret",
            &signed,
            body,
            1_700_000_000 + TOLERANCE_SECS
        ));
        assert!(!verify(
            "wave_sn_WHS_secret",
            &signed,
            body,
            1_700_000_000 + TOLERANCE_SECS + 1
        ));
        assert!(!verify("another", &signed, body, 1_700_000_000));
        assert!(!verify("wave_sn_WHS_secret", &signed, b"{}", 1_700_000_000));
        assert!(!verify("wave_sn_WHS_secret", "v1=00", body, 1_700_000_000));
        // While a secret is rolled, the header carries one signature per secret.
        let rolled = format!("{signed},v1={}", "ab".repeat(32));
        assert!(verify("wave_sn_WHS_secret", &rolled, body, 1_700_000_000));
    }
}
