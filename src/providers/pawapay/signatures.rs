//! pawaPay's signed callbacks (PROVIDERS.md, "signed callbacks", "signature details", "ECDSA
//! encoding"): RFC 9421 HTTP message signatures over a body pinned by an RFC 9530
//! `Content-Digest`, with the keys pawaPay publishes at `GET /v2/public-key/http`.
//!
//! - The covered components are read from `Signature-Input` (pawaPay's examples differ: the Node
//!   one adds `content-length`), never assumed; a signature that does not cover
//!   `content-digest` covers nothing that matters and is refused.
//! - `@authority` is the `Host` the callback was sent to; behind a proxy, Dalal's public host.
//! - ECDSA signatures come raw (`r‖s`, RFC 9421) or DER (pawaPay's own examples): both are
//!   accepted, told apart by their length.
//! - Keys are matched by `keyid`; an unknown one makes the connector fetch the keys again (at most
//!   once a minute), so a key pawaPay rotates in is picked up by the callback that first uses it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use sha2::{Digest, Sha256, Sha512};
use std::collections::HashMap;

/// The label pawaPay signs under.
pub const LABEL: &str = "sig-pp";
/// How far a signature's `created` may be ahead of Dalal's clock, and its `expires` behind it.
const SKEW_SECS: i64 = 60;

/// A public key from `GET /v2/public-key/http`: the bytes of its SPKI `subjectPublicKey` (an
/// uncompressed EC point, or an RSA `RSAPublicKey`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(Vec<u8>);

impl PublicKey {
    /// Reads a `-----BEGIN PUBLIC KEY-----` PEM (an SPKI).
    pub fn from_pem(pem: &str) -> Option<Self> {
        let body: String = pem
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let der = STANDARD.decode(body).ok()?;
        use spki::der::Decode;
        let info = spki::SubjectPublicKeyInfoRef::from_der(&der).ok()?;
        Some(Self(info.subject_public_key.raw_bytes().to_vec()))
    }
}

/// pawaPay's keys by id, as last fetched.
pub type Keys = HashMap<String, PublicKey>;

/// Why a callback's signature was not believed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the callback is not signed")]
    Unsigned,
    #[error("the Content-Digest does not match the body")]
    Digest,
    #[error("the signature headers cannot be read: {0}")]
    Malformed(&'static str),
    #[error("the signature does not cover the body's digest")]
    BodyNotCovered,
    #[error("the signature has expired or is not yet valid")]
    Stale,
    #[error("no key {0:?} is published")]
    UnknownKey(String),
    #[error("the signature algorithm {0:?} is not one pawaPay uses")]
    Algorithm(String),
    #[error("the signature does not verify")]
    Forged,
}

/// A callback's signature, read from its headers.
#[derive(Debug, Clone)]
pub struct Signed<'a> {
    /// The covered components, in order, as `Signature-Input` lists them.
    components: Vec<String>,
    /// `Signature-Input`'s value for the label, as sent: the `@signature-params` line.
    params: &'a str,
    alg: Option<String>,
    pub keyid: Option<String>,
    created: Option<i64>,
    expires: Option<i64>,
    signature: Vec<u8>,
}

/// The request a callback arrived as: what the derived components read.
pub struct Request<'a> {
    pub method: &'a str,
    /// The hosts the callback may have been addressed to (the observed `Host`, Dalal's public one).
    pub authorities: &'a [String],
    pub path: &'a str,
    pub headers: &'a reqwest::header::HeaderMap,
    pub body: &'a [u8],
}

/// Reads the `sig-pp` signature of a callback (`None` when it carries none at all).
pub fn read(headers: &reqwest::header::HeaderMap) -> Result<Option<Signed<'_>>, Refused> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(input), Some(signature)) = (text("signature-input"), text("signature")) else {
        return Ok(None);
    };
    let params = member(input, LABEL).ok_or(Refused::Malformed("no sig-pp in Signature-Input"))?;
    let signature = member(signature, LABEL)
        .and_then(|v| v.trim().strip_prefix(':')?.strip_suffix(':'))
        .and_then(|b64| STANDARD.decode(b64).ok())
        .ok_or(Refused::Malformed("no sig-pp byte sequence in Signature"))?;
    let list_end = params
        .find(')')
        .filter(|_| params.starts_with('('))
        .ok_or(Refused::Malformed("Signature-Input has no component list"))?;
    let components = params[1..list_end]
        .split_whitespace()
        .map(|c| c.trim_matches('"').to_ascii_lowercase())
        .collect();
    let mut signed = Signed {
        components,
        params,
        alg: None,
        keyid: None,
        created: None,
        expires: None,
        signature,
    };
    for parameter in params[list_end + 1..].split(';').filter(|p| !p.is_empty()) {
        let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
        let quoted = value.trim_matches('"').to_owned();
        match name.trim() {
            "alg" => signed.alg = Some(quoted),
            "keyid" => signed.keyid = Some(quoted),
            "created" => signed.created = value.parse().ok(),
            "expires" => signed.expires = value.parse().ok(),
            _ => {}
        }
    }
    Ok(Some(signed))
}

/// One member's value in a structured-field dictionary (`label=value, other=…`), splitting at
/// commas outside quotes and parentheses.
fn member<'a>(dictionary: &'a str, label: &str) -> Option<&'a str> {
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let mut members = Vec::new();
    for (i, c) in dictionary.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                members.push(&dictionary[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    members.push(&dictionary[start..]);
    members.into_iter().find_map(|m| {
        let (name, value) = m.trim().split_once('=')?;
        (name == label).then_some(value)
    })
}

/// Whether the body is the one `Content-Digest` names: every SHA-256 or SHA-512 digest given
/// must match, and one must be given.
pub fn digest_matches(headers: &reqwest::header::HeaderMap, body: &[u8]) -> bool {
    let Some(header) = headers.get("content-digest").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut checked = false;
    for item in header.split(',') {
        let Some((alg, value)) = item.trim().split_once('=') else {
            return false;
        };
        let Some(given) = value
            .strip_prefix(':')
            .and_then(|v| v.strip_suffix(':'))
            .and_then(|b64| STANDARD.decode(b64).ok())
        else {
            return false;
        };
        let computed = match alg {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        if computed != given {
            return false;
        }
        checked = true;
    }
    checked
}

impl Signed<'_> {
    /// The RFC 9421 signature base for one `@authority`.
    fn base(&self, request: &Request<'_>, authority: &str) -> Result<String, Refused> {
        let mut base = String::new();
        for component in &self.components {
            let value = match component.as_str() {
                "@method" => request.method.to_owned(),
                "@authority" => authority.to_ascii_lowercase(),
                "@path" => request.path.to_owned(),
                derived if derived.starts_with('@') => {
                    return Err(Refused::Malformed(
                        "a derived component Dalal does not build",
                    ));
                }
                header => {
                    let values: Vec<&str> = request
                        .headers
                        .get_all(header)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .map(str::trim)
                        .collect();
                    if values.is_empty() {
                        return Err(Refused::Malformed("a covered header is missing"));
                    }
                    values.join(", ")
                }
            };
            base.push_str(&format!("\"{component}\": {value}\n"));
        }
        base.push_str(&format!("\"@signature-params\": {}", self.params));
        Ok(base)
    }

    /// Checks the signature against `keys` at `now_secs`.
    pub fn verify(&self, request: &Request<'_>, keys: &Keys, now_secs: i64) -> Result<(), Refused> {
        if !self.components.iter().any(|c| c == "content-digest") {
            return Err(Refused::BodyNotCovered);
        }
        if !digest_matches(request.headers, request.body) {
            return Err(Refused::Digest);
        }
        if self.created.is_some_and(|c| c > now_secs + SKEW_SECS)
            || self.expires.is_some_and(|e| e + SKEW_SECS < now_secs)
        {
            return Err(Refused::Stale);
        }
        let keyid = self.keyid.clone().unwrap_or_default();
        let key = keys.get(&keyid).ok_or(Refused::UnknownKey(keyid))?;
        let algorithm = self.algorithm(key)?;
        for authority in request.authorities {
            let base = self.base(request, authority)?;
            if UnparsedPublicKey::new(algorithm, &key.0)
                .verify(base.as_bytes(), &self.signature)
                .is_ok()
            {
                return Ok(());
            }
        }
        Err(Refused::Forged)
    }

    /// ring's algorithm for `alg` (or, without one, for the key's curve) and this signature's
    /// encoding: raw `r‖s` by its length, DER otherwise.
    fn algorithm(&self, key: &PublicKey) -> Result<&'static dyn VerificationAlgorithm, Refused> {
        let alg = match self.alg.as_deref() {
            Some(alg) => alg,
            None if key.0.len() == 65 => "ecdsa-p256-sha256",
            None if key.0.len() == 97 => "ecdsa-p384-sha384",
            None => return Err(Refused::Algorithm(String::new())),
        };
        let raw = self.signature.len();
        Ok(match alg {
            "ecdsa-p256-sha256" if raw == 64 => &signature::ECDSA_P256_SHA256_FIXED,
            "ecdsa-p256-sha256" => &signature::ECDSA_P256_SHA256_ASN1,
            "ecdsa-p384-sha384" if raw == 96 => &signature::ECDSA_P384_SHA384_FIXED,
            "ecdsa-p384-sha384" => &signature::ECDSA_P384_SHA384_ASN1,
            "rsa-pss-sha512" => &signature::RSA_PSS_2048_8192_SHA512,
            "rsa-v1_5-sha256" => &signature::RSA_PKCS1_2048_8192_SHA256,
            other => return Err(Refused::Algorithm(other.to_owned())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

/// The `Content-Digest` of a body, as pawaPay writes it (SHA-512).
fn content_digest(body: &[u8]) -> String {
    format!("sha-512=:{}:", STANDARD.encode(Sha512::digest(body)))
}

    #[test]
    fn dictionary_members_split_outside_lists_and_quotes() {
        let input = r#"sig-other=("a, b");alg="x,y", sig-pp=("@method" "content-digest");keyid="K:1";created=1"#;
        assert_eq!(
            member(input, "sig-pp"),
            Some(r#"("@method" "content-digest");keyid="K:1";created=1"#)
        );
        assert_eq!(member(input, "sig-other"), Some(r#"("a, b");alg="x,y""#));
        assert_eq!(member(input, "nope"), None);
    }

    #[test]
    fn a_digest_must_match_and_be_one_dalal_computes() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("content-digest", content_digest(b"{}").parse().unwrap());
        assert!(digest_matches(&headers, b"{}"));
        assert!(!digest_matches(&headers, b"{ }"));
        let sha256 = format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(b"{}")));
        headers.insert("content-digest", sha256.parse().unwrap());
        assert!(digest_matches(&headers, b"{}"));
        headers.insert("content-digest", "md5=:AAAA:".parse().unwrap());
        assert!(
            !digest_matches(&headers, b"{}"),
            "no digest Dalal can check"
        );
    }
}
