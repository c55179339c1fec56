//! The retailer's PIN (PROVIDERS.md, "Orange Money Senegal — Cash In", "public key" and "PIN
//! encryption"; "What follows for Dalal", "Orange PIN handling"): a secret of the same class as
//! an API key, never logged, sent only encrypted under Orange's public key, and never tried again
//! once Orange refused it, since "each wrong try counts toward blocking the account".

use super::{Meaning, meaning};
use crate::config::Secret;
use crate::domain::Country;
use crate::providers::http::{self, SendError};
use crate::providers::orange_money::{NAME, OrangeMoneyConnector};
use crate::providers::{Check, ProviderError};
use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Encrypt, RsaPublicKey};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

const KEYS_PATH: &str = "/api/account/v1/publicKeys";

/// The distributor account payouts are paid from. No `Debug`: it holds the PIN.
pub(crate) struct Retailer {
    /// Its 9 national digits ("numbers": "the API expects EXACTLY 9 digits").
    pub(super) msisdn: String,
    pin: Secret,
    /// The PIN encrypted under Orange's key, kept: "Cache the ciphertext" (the SDK encrypts it
    /// once, at start-up [SDK `initProperties`]).
    encrypted_pin: tokio::sync::Mutex<Option<Secret>>,
    /// Set once Orange refused the PIN (`2010`–`2014`): no call carries it any more.
    blocked: AtomicBool,
    /// Set once Orange took the PIN; until then, the calls that carry it go one at a time, so
    /// that a wrong PIN costs one try, not one per payout in flight.
    proven: AtomicBool,
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl Retailer {
    pub(super) fn blocked(&self) -> bool {
        self.blocked.load(Ordering::SeqCst)
    }

    /// "On `2011`, `2012` or `2013`, stop every Orange payout and balance call for that account
    /// and alert"; "on `2010`, the PIN must be changed by hand before any API use". Once.
    fn block(&self, code: &str) {
        if !self.blocked.swap(true, Ordering::SeqCst) {
            tracing::error!(
                code,
                "ALERT: Orange Money refused the retailer PIN (2010: it must be changed; 2011–2014: wrong). Every Orange Money payout and balance call stops and nothing is tried again, since each wrong try counts toward blocking the account: fix the PIN with Orange, set providers.orange_money.retailer_pin, then restart Dalal"
            );
        }
    }
}

/// `{keyId, keyType: "RSA", keySize, key}`, or an array of them: "accept both shapes" [SDK
/// `PublicKey.java`; file 66547392996].
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum PublicKeys {
    One(PublicKey),
    Many(Vec<PublicKey>),
}

#[derive(Debug, Deserialize)]
struct PublicKey {
    key: String,
}

/// A Senegalese number's 9 national digits, from `771234567`, `+221 77 123 45 67` or `00221…`.
pub(super) fn national(number: &str) -> Option<String> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        9 => digits.as_str(),
        12 => digits.strip_prefix("221")?,
        14 => digits.strip_prefix("00221")?,
        _ => return None,
    };
    Some(national.to_owned())
}

/// Orange's `key`: bare base64 DER, an X.509 SubjectPublicKeyInfo as the SDK reads it [SDK
/// `EncryptionServiceImpl.java`], or PEM as integrations wrap it (files 61479220624,
/// 66547392996); a PKCS#1 key is read too.
fn read_key(text: &str) -> anyhow::Result<RsaPublicKey> {
    let mut body = text;
    if let Some(start) = body.find("-----BEGIN") {
        let after = &body[start + "-----BEGIN".len()..];
        body = after.find("-----").map_or(after, |end| &after[end + 5..]);
    }
    if let Some(end) = body.find("-----END") {
        body = &body[..end];
    }
    let base64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = STANDARD
        .decode(&base64)
        .or_else(|_| STANDARD_NO_PAD.decode(&base64))
        .context("Orange Money's public key is not base64")?;
    RsaPublicKey::from_public_key_der(&der)
        .or_else(|_| RsaPublicKey::from_pkcs1_der(&der))
        .map_err(|e| anyhow::anyhow!("Orange Money's public key is not an RSA public key: {e}"))
}

/// The PIN as Orange reads it: RSA PKCS#1 v1.5 over its UTF-8 bytes, then base64 (Java's
/// default `RSA/ECB/PKCS1Padding` [SDK `EncryptionServiceImpl.java`]; Node's and PHP's
/// `RSA_PKCS1_PADDING`). Dalal only encrypts, under Orange's public key: RUSTSEC-2023-0071 (the
/// `rsa` crate's Marvin timing attack) is about decrypting or signing with a private key, which
/// Dalal never does.
fn encrypt_pin(key: &str, pin: &str) -> anyhow::Result<String> {
    let sealed = read_key(key)?
        .encrypt(&mut rsa::rand_core::OsRng, Pkcs1v15Encrypt, pin.as_bytes())
        .map_err(|e| anyhow::anyhow!("the PIN could not be encrypted under Orange's key: {e}"))?;
    Ok(STANDARD.encode(sealed))
}

/// A failed fetch of Orange's key, as `SendError`: nothing was sent.
fn key_error(err: ProviderError) -> SendError {
    match err {
        ProviderError::Unavailable => SendError::NotSent,
        other => SendError::Credentials(format!("Orange Money's public key: {other:#}")),
    }
}

impl OrangeMoneyConnector {
    /// The same connector, paying out from a distributor account: its number (9 national
    /// digits, or with 221) and its PIN ("who may use it": "A merchant code alone cannot pay
    /// out").
    pub fn with_retailer(mut self, msisdn: &str, pin: Secret) -> anyhow::Result<Self> {
        let msisdn = national(msisdn)
            .context("the Orange Money retailer number is not a Senegalese one (9 digits)")?;
        self.retailer = Some(Retailer {
            msisdn,
            pin,
            encrypted_pin: tokio::sync::Mutex::new(None),
            blocked: AtomicBool::new(false),
            proven: AtomicBool::new(false),
            one_at_a_time: tokio::sync::Mutex::new(()),
        });
        Ok(self)
    }

    /// Senegal only (Sonatel's API is Orange Money Senegal's), with a retailer account whose
    /// PIN Orange has not refused.
    pub(in crate::providers::orange_money) fn can_pay_out(&self, country: Country) -> bool {
        country == Country::Sn && self.retailer.as_ref().is_some_and(|r| !r.blocked())
    }

    /// The PIN encrypted under Orange's key: the kept one, or (`fresh`, or none kept) one made
    /// under a key fetched now (`GET /api/account/v1/publicKeys`).
    async fn encrypted_pin(
        &self,
        retailer: &Retailer,
        fresh: bool,
    ) -> Result<Secret, ProviderError> {
        let mut kept = retailer.encrypted_pin.lock().await;
        if let Some(pin) = kept.as_ref().filter(|_| !fresh) {
            return Ok(pin.clone());
        }
        let key = match self.get::<PublicKeys>(KEYS_PATH, KEYS_PATH).await? {
            PublicKeys::One(key) => key.key,
            PublicKeys::Many(keys) => keys
                .into_iter()
                .next()
                .map(|k| k.key)
                .context("Orange Money answered no public key")?,
        };
        let pin = Secret::new(encrypt_pin(&key, retailer.pin.expose())?);
        *kept = Some(pin.clone());
        Ok(pin)
    }

    /// One `POST` that carries the PIN (`body` makes it from the encrypted PIN), made once more
    /// only where Orange cannot have acted on it: a refused token (a 401 without a PIN code), or
    /// a key it could not decrypt with ("On `4004` (or `4003`), fetch the key again and
    /// re-encrypt once"). A PIN code blocks the account, and a blocked account sends nothing.
    pub(super) async fn pin_call<B: Serialize>(
        &self,
        retailer: &Retailer,
        path: &str,
        body: impl Fn(String) -> B,
    ) -> Result<reqwest::Response, SendError> {
        let _one = if retailer.proven.load(Ordering::SeqCst) {
            None
        } else {
            Some(retailer.one_at_a_time.lock().await)
        };
        let (mut new_key, mut new_token) = (false, false);
        loop {
            if retailer.blocked() {
                return Err(SendError::Credentials(
                    "Orange Money refused the retailer PIN: its payouts and balance are stopped"
                        .to_owned(),
                ));
            }
            let pin = self
                .encrypted_pin(retailer, new_key)
                .await
                .map_err(key_error)?;
            let token = self.token().await.map_err(http::no_token)?;
            let request = self
                .http
                .post(format!("{}{path}", self.base_url))
                .bearer_auth(token.expose())
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/json")
                .json(&body(pin.expose().to_owned()));
            let answer = http::send(NAME, &Method::POST, path, request).await;
            let code = answer.as_ref().err().and_then(SendError::refused);
            let code = code.map(|r| r.code.clone()).unwrap_or_default();
            let meant = meaning(&code);
            // Decided before any wait: no borrow of the answer is held across one.
            let key_refused = meant == Meaning::Key
                && matches!(&answer, Err(SendError::Refused(_) | SendError::NotFound(_)));
            let token_refused = meant != Meaning::Pin
                && matches!(&answer, Err(err) if err.is(StatusCode::UNAUTHORIZED));
            if answer.is_ok() {
                retailer.proven.store(true, Ordering::SeqCst);
            } else if meant == Meaning::Pin {
                retailer.block(&code);
            } else if key_refused && !new_key {
                tracing::warn!(code = %code, "Orange Money could not decrypt the retailer PIN: its public key is fetched again, and the call made once more");
                new_key = true;
                continue;
            } else if token_refused && !new_token {
                self.token.forget().await;
                new_token = true;
                continue;
            }
            return answer;
        }
    }

    /// `dalal check-providers`' line about the retailer account, once the token works: Orange's
    /// public key is fetched and the PIN encrypted under it, but the PIN is never sent, since a
    /// wrong one counts toward blocking the account.
    pub(in crate::providers::orange_money) async fn check_retailer(
        &self,
        before: &[Check],
    ) -> Option<Check> {
        let retailer = self.retailer.as_ref()?;
        if !before.first().is_some_and(|token| token.works) {
            return None;
        }
        let what = "Orange Money: retailer account (Cash In payouts)";
        Some(match self.encrypted_pin(retailer, true).await {
            Ok(_) => Check::works(
                what,
                format!(
                    "Orange gave its public key (GET {KEYS_PATH}) and the PIN encrypts under it; the PIN itself is not tried here (a wrong try counts toward blocking the account): the first payout or balance read tries it"
                ),
            ),
            Err(ProviderError::Unavailable) => Check::fails(
                what,
                format!("Orange Money could not be reached for its public key (GET {KEYS_PATH})"),
            ),
            Err(err) => Check::fails(what, format!("{err:#}: payouts cannot encrypt the PIN")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::orange_money::Account;
    use rsa::RsaPrivateKey;
    use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey, LineEnding};

    /// A throwaway 1024-bit key made for this test alone (`openssl genpkey -algorithm RSA`).
    const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIICeAIBADANBgkqhkiG9w0BAQEFAASCAmIwggJeAgEAAoGBAMIBbahYfQ7phewK
sKfs+MuWPSo+lH4W2NhxaUH+MiL0YkN8n9WTEJeQKwyBO4iEKhThmw1W4SyG2xqy
cgnMSiiwMyZTHlP26gsARX4B/MAhhTlLdnFEnb5FDsqgMiEVks8hnFGoANJWacDF
7E6APBSDmZ/1X3KCnWT31V+PGnaTAgMBAAECgYBAgzsUzQAhElR/Tnq6DJobEQWb
4517ZFuNdgEbeczwRLXcXTfFTJcq3z0BdoP2fISF1xO5Vtef9+QqN4ambXGHCy95
E4OsWyP6sJyj1vxtDN+zk/FH6riOObPCf2hzCSS7Fd2kG6l4PUpdh8QWyY0GvnSn
COWQWXluYlURudpmmQJBAPeRX350JTOow1jNAPN23atSWmQT+v0jDuEk7dw1jKDu
yu6vbzwPwTUJisnK1di9r1l/SjFbYjEshsCZWZCa4OUCQQDInQciI3KFXlH5BoPN
yGIimVhk9eYfEHtrRGqzh6VpQrzaYWb1UJUA+IXuxGrtJ60YxYRG5Ig934aBJv7s
ZRoXAkEAoFk4UN9JeTxFyq59fzPuP5kHkuqeFncunAUfSxIkE9iW+CIJGg3aRk/3
5NvLxqaVfJJFq9JUtyTv4q9wo4itQQJBAMA5Fjiz1mvMcKc4gtqPAtk8LeKva4yg
cmHZ8JONigVOGT72zXyJdfy0JUEfm4UZ21Y9C/4RxCnlIDBoeSNxzIkCQQCirvSy
0CG8BRwA3+ejKZh3v/rcAZ4/y/6iRDnDU8kve5eIiEkEBHTu80mKckrhSDCY6GMc
ja0MZlgsWLdohPrS
-----END PRIVATE KEY-----
";

    #[test]
    fn the_pin_encrypts_under_a_bare_or_pem_key_and_decrypts_back() {
        let private = RsaPrivateKey::from_pkcs8_pem(TEST_KEY).unwrap();
        let public = private.to_public_key();
        let bare = STANDARD.encode(public.to_public_key_der().unwrap().as_bytes());
        let pem = public.to_public_key_pem(LineEnding::LF).unwrap();
        let one_line = format!("-----BEGIN PUBLIC KEY-----{bare}-----END PUBLIC KEY-----");
        for key in [bare.as_str(), pem.as_str(), one_line.as_str()] {
            let sealed = STANDARD.decode(encrypt_pin(key, "1234").unwrap()).unwrap();
            assert_eq!(private.decrypt(Pkcs1v15Encrypt, &sealed).unwrap(), b"1234");
        }
        assert!(encrypt_pin("bm90IGEga2V5", "1234").is_err());
        // Either shape of Orange's answer.
        let one = r#"{"keyId":"k1","keyType":"RSA","keySize":2048,"key":"AAA"}"#;
        let one: PublicKeys = serde_json::from_str(one).unwrap();
        let many: PublicKeys = serde_json::from_str(r#"[{"keyId":"k1","key":"BBB"}]"#).unwrap();
        assert!(matches!(one, PublicKeys::One(k) if k.key == "AAA"));
        assert!(matches!(many, PublicKeys::Many(k) if k[0].key == "BBB"));
    }

    #[test]
    fn numbers_are_nine_national_digits_and_a_refused_pin_stops_payouts() {
        assert_eq!(national("771234567").as_deref(), Some("771234567"));
        assert_eq!(national("+221 77 123 45 67").as_deref(), Some("771234567"));
        assert_eq!(national("00221771234567").as_deref(), Some("771234567"));
        assert_eq!(national("+225070000000"), None);
        assert_eq!(national("77123"), None);
        let account = Account {
            client_id: Secret::new("id"),
            client_secret: Secret::new("secret"),
            merchant_code: "123456".to_owned(),
            merchant_name: "Test".to_owned(),
            callback_key: None,
            countries: vec![Country::Sn],
            callback_url: "https://example.test/hooks/orange-money".to_owned(),
        };
        let clock: crate::clock::SharedClock = std::sync::Arc::new(crate::clock::SystemClock);
        let plain = OrangeMoneyConnector::new("http://127.0.0.1:9", account, clock).unwrap();
        assert!(!plain.can_pay_out(Country::Sn));
        let connector = plain
            .with_retailer("+221 77 000 00 01", Secret::new("0000"))
            .unwrap();
        assert!(connector.can_pay_out(Country::Sn) && !connector.can_pay_out(Country::Ci));
        connector.retailer.as_ref().unwrap().block("2011");
        assert!(!connector.can_pay_out(Country::Sn));
    }
}
