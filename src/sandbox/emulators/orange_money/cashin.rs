//! Orange Money Senegal's Cash In (payouts), public key and retailer balance as the sandbox plays
//! them, written from PROVIDERS.md ("Orange Money Senegal — Cash In (Sonatel)"; token, headers,
//! search and status as in its Sonatel section), never from Dalal's connector. Kept in the
//! sandbox's payout book: provider `orange_money`, account the retailer's number, id the
//! transaction id, handle the caller's `reference`. Sources as PROVIDERS.md names them: [SDK]
//! Sonatel's `sonatel-api-springboot`, [SB] `habsatou97/SpringBlobus` (an emulator).
//!
//! - `GET /api/account/v1/publicKeys` → `{keyId, keyType: "RSA", keySize, key}`, `key` the bare
//!   base64 DER SubjectPublicKeyInfo [SDK `PublicKey.java`, `EncryptionServiceImpl.java`].
//! - `POST /api/eWallet/v1/cashins` → `{transactionId: "CI…", status, requestId, description,
//!   reference}` [SDK `Transaction.java`, `RequestMapper.java`, `TransactionResponse.java`].
//! - `POST /api/eWallet/v1/account/retailer/balance` → `{value, unit}` [SDK `getBalance`].
//! - PINs: RSA PKCS#1 v1.5 under the published key, base64 [SDK `EncryptionServiceImpl.java`];
//!   anything else (OAEP too) is `4004`. Wrong PINs: `2011`, `2012`, then `2013` and the retailer
//!   is blocked for good; a right PIN does not wipe the count ("each wrong try counts") [SB
//!   `ErrorCode.java`]. Business refusals are HTTP 400 (PROVIDERS.md names no status).
//! - No idempotency ("idempotency: none"): the same `reference` again is another cash-in,
//!   booked under `{reference}/{n}`, so that the book shows both.
//!
//! By the customer's number (`PayoutScenario`): `…01` `2020`, `…02` `2000`, `…03` `PENDING` for
//! good, `…04` 503 (before the PIN is looked at), `…05` booked and the answer lost, `…06` `2023`,
//! `…07` `2041`, else SUCCESS; above the retailer's balance, `2020`. Refusals book nothing.

use super::*;
use crate::sandbox::payouts::{self as book, EmulatedPayout, OPENING_BALANCE, PayoutScenario};
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use rsa::{Pkcs1v15Encrypt, RsaPrivateKey};
use serde::{Deserialize, Serialize};
use std::sync::{Mutex, OnceLock, PoisonError};

/// The payout book's name for Orange Money.
pub(super) const PROVIDER: &str = "orange_money";
/// The emulator's key, as `publicKeys` names it.
const KEY_ID: &str = "om-sandbox-2026-1";
const KEY_SIZE: u32 = 2048;
/// Wrong PINs that block the retailer: `2011`, `2012`, `2013` [SpringBlobus `ErrorCode.java`].
const TRIES: u8 = 3;
const BLOCKED: (&str, &str) = ("2013", "invalid PIN code, the account is blocked");
const UNDECRYPTABLE: (&str, &str) = ("4004", "failed to decrypt the message, get a new key");
/// The most cash-ins booked under one reference (`{reference}/{n}`).
const MAX_SAME_REFERENCE: u32 = 1000;

/// The emulator's RSA key pair (2048 bits, made once with `openssl genpkey -algorithm RSA`).
/// PUBLIC, like every sandbox credential: it is published with Dalal's source and guards only
/// the sandbox's test PIN (`RETAILER_PIN`). Never use it for anything real.
const SANDBOX_PRIVATE_KEY_PEM: &str = r"-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCmhH4Zlj0u/8w9
Q1xoy3hOpe3G+hg0/uNQSS/Ivod1CP8X//R4UW30gDPbYgQwWC6JmxF5OAEmafI4
I2Gp/J0RtWL5VuMsVRly3UzerAGXwNOX5bFLw9wk/5+aUfh6QFu4lM6oCFPjwx+7
cM/sTgMkufmfL+rvyok/Ln/xHOG450TQ0ZRyHzzh8PuVLEUHM0cHpVcNg42Qv/8J
g+D4uEK+thwFpV5EqvJRyFlYp8rN9VCGFvM4L6fsB9WaeQKae315s+MvRFbZiNmC
Iy24XDLeLNKURxlzTGcEdiVtTsATFn4ARZ0r28WYohdSaZYO6IoHDcLDkSCfih8a
BpFL7flNAgMBAAECggEAEVekMHMCvUXb1heRZMKoLXy/hmUep0pSj1aH+P7K6cf9
lVjNc8h7TKcbf4I2UHimpCM3zymjiQYouWsJ7WPHUgRTogdIEqJsS5e7vUcpxU3K
W7wK2oqz/1B2JWLbH5RbWR56ZWq0nfiA8gseRIydbDJISql5bO7pm2By58ArzA9y
yfx8y6X49mxbp6CjMlm5LPy0+4UGEFDbLUsgsXq0B/F54BZM9+3rMPwK0CAqfRMP
lVBdTqZCKngJmMZaMErHaQ2dtaijNayOiY4KhZuum1NNkxHP3tlhnGCTkymozceh
aLDQ3HHTZy5rdPm+szpMq+Sei801sMM0TlzeNXBLCwKBgQDmYGUslXGvtlYs0/+n
4Ta3ClhEOjk+SwkjMZGTsyvAMwaE+0G6ggdwX46o8p3YTDhQSCNIvJbsgrwjcn5I
EVPO5kXbkWxGFxURi3PLJTIQDaNNtfq7CRjaLTdTkoZCUvzcvQAPoZisMe/r8ALQ
iMRyE08MZ/MQXIoGmNc/yr1yXwKBgQC5CdB2VZt4HUi0A1fnIVa6FR896WZq5t0T
/CqP3DwYhz26M1IkD6TCcS0AL+r7QWm2SLfWs8wpCLWEji+wZ1NQJBwbHA8OB1dv
5PXbUjbvtjrVlkC04Ty9oH9tJBSmNA27uvI6/1mgpiUL4gc3qDJjJS+vFaiL/xSI
vXN7zOVr0wKBgQCG4A670G6zwdun+SInRnqDJWJR54iWCNY7rYyeXXqS1wzNFFEC
AZibWMar8QcqmE0r62AE+KyfoVbGpgR66vIXIsfpabVrP55NHEjZuVga//EI0S8P
C59qNKi8m/9Qm0eBcIG1pRU+Uyo1BtqO/lOMufNAvycWACeq/xaeOXM6nwKBgFDL
gEKrTp876irv6sn5PK0z29hkuVukQpQfX1ZBi9wJ8WIEVrF4QzDDyipywd/DyCzX
w630BAlGzDt8+kXEWBR+L+eGcOxnOD6bct65H1O79iSc3tQcJTGHixxUzM9lmzmF
f49TQAdthG+T2iLrRlUUP6XrhxTZ5FVwo6RC60oRAoGAOvnEc58Ki8IKAIFU1HsZ
WcHn3h3LB/Nja5qMYx449TO2dtOjm6lkiXigx9ACptfxV9ydHO/qTh4LP+QpidII
O95g3EqYnW3iI3P3wDrYzqQom0VYLr9SlRsFiZjRVmt+kiRo/bKrEX0Vn91yiEdN
AXksJ8HPFni2Bm7d6CmH4+A=
-----END PRIVATE KEY-----
";

struct Keys {
    private: RsaPrivateKey,
    /// The public half as `publicKeys` gives it: bare base64 DER SubjectPublicKeyInfo.
    public: String,
}

/// The key pair, parsed once.
fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let private = RsaPrivateKey::from_pkcs8_pem(SANDBOX_PRIVATE_KEY_PEM)
            .expect("the sandbox's embedded Orange Money key parses");
        let der = private
            .to_public_key()
            .to_public_key_der()
            .expect("an RSA public key encodes");
        let public = STANDARD.encode(der.as_bytes());
        Keys { private, public }
    })
}

/// The PIN inside `encryptedPinCode`, if it is base64 of RSA PKCS#1 v1.5 under the emulator's
/// key over UTF-8 text.
fn decrypt_pin(encrypted: &str) -> Option<String> {
    let bytes = STANDARD.decode(encrypted).ok()?;
    let plain = keys().private.decrypt(Pkcs1v15Encrypt, &bytes).ok()?;
    String::from_utf8(plain).ok()
}

/// Wrong PINs per retailer as Sonatel counts them, in this process's memory and per database:
/// two Dalal instances on one database share Orange's count, tests on their own do not.
static WRONG_PINS: Mutex<BTreeMap<(String, String), u8>> = Mutex::new(BTreeMap::new());

/// Sonatel's answer to a PIN (`None`: a PIN that did not decrypt), given the wrong tries counted
/// so far (one more on a wrong PIN): `None` lets the call through, else the code and its text.
fn pin_answer(tries: &mut u8, pin: Option<&str>) -> Option<(&'static str, &'static str)> {
    if *tries >= TRIES {
        return Some(BLOCKED);
    }
    match pin {
        None => Some(UNDECRYPTABLE),
        Some(pin) if pin == RETAILER_PIN => None,
        Some(_) => {
            *tries += 1;
            Some(match *tries {
                1 => ("2011", "invalid PIN code, 2 tries left"),
                2 => ("2012", "invalid PIN code, 1 try left"),
                _ => BLOCKED,
            })
        }
    }
}

/// A business refusal: HTTP 400 with Sonatel's error body and code.
fn refused(code: &str, detail: &str) -> Response {
    error(StatusCode::BAD_REQUEST, code, "Bad Request", detail)
}

/// Lets a retailer's call through, or refuses it: an unknown retailer is `2002`, then the PIN
/// rules (`pin_answer`).
fn retailer_refusal(state: &AppState, msisdn: &str, encrypted_pin: &str) -> Option<Response> {
    if msisdn != RETAILER_MSISDN {
        return Some(refused("2002", "retailer account does not exist"));
    }
    let pin = decrypt_pin(encrypted_pin);
    let key = (state.settings.database.url.clone(), msisdn.to_owned());
    let mut wrong = WRONG_PINS.lock().unwrap_or_else(PoisonError::into_inner);
    let tries = wrong.entry(key).or_insert(0);
    pin_answer(tries, pin.as_deref()).map(|(code, detail)| refused(code, detail))
}

/// A national number as Sonatel takes it: exactly nine digits, no country code [SDK README
/// `"786258731"`; "the API expects EXACTLY 9 digits"].
fn national(number: &str) -> bool {
    number.len() == 9 && number.bytes().all(|b| b.is_ascii_digit())
}

/// A party to a cash-in: the partner (the retailer, with its PIN) or the customer (without).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Party {
    id_type: String,
    id: String,
    #[serde(default)]
    encrypted_pin_code: Option<String>,
    #[serde(default)]
    wallet_type: Option<String>,
}

/// A cash-in's body [SDK `Transaction.java`, `RelatedParty.java`, `Money.java`]. Fields no source
/// shows Sonatel taking (`description`, …) are refused; `walletType` only as `PRINCIPAL`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CashInRequest {
    partner: Party,
    customer: Party,
    amount: Amount,
    reference: String,
    request_date: String,
    receive_notification: bool,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct BalanceRequest {
    id: String,
    id_type: String,
    encrypted_pin_code: String,
    #[serde(default)]
    wallet: Option<String>,
}

/// What the book keeps of a cash-in besides its columns (no PIN): for searches.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct KeptCashIn {
    pub(super) reference: String,
    pub(super) request_date: String,
    pub(super) receive_notification: bool,
    pub(super) metadata: BTreeMap<String, String>,
}

/// The body's shape, as a validation refusal naming the field.
fn malformed(request: &CashInRequest) -> Option<Response> {
    let party = |p: &Party, pin: bool| {
        let principal = p.wallet_type.as_deref().is_none_or(|w| w == "PRINCIPAL");
        p.id_type == "MSISDN" && principal && p.encrypted_pin_code.is_some() == pin
    };
    if !party(&request.partner, true) {
        return Some(invalid("partner", "an MSISDN with its encryptedPinCode"));
    }
    if !party(&request.customer, false) {
        return Some(invalid("customer", "an MSISDN, without a PIN"));
    }
    if request.reference.trim().is_empty() {
        return Some(invalid("reference", "required"));
    }
    if chrono::DateTime::parse_from_rfc3339(&request.request_date).is_err() {
        return Some(invalid("requestDate", "an ISO 8601 instant"));
    }
    // Sonatel's metadata limit, as the QR code documents it (PROVIDERS.md, Sonatel section).
    (request.metadata.len() > MAX_METADATA).then(|| invalid("metadata", "at most 10 keys"))
}

/// What the retailer may still pay out: the book's opening balance less what it spent.
async fn available(state: &AppState) -> anyhow::Result<i64> {
    let spent = book::spent(&state.pool, PROVIDER, RETAILER_MSISDN, CURRENCY).await?;
    Ok(OPENING_BALANCE - spent)
}

/// `GET /api/account/v1/publicKeys`, with the token and headers of every call.
pub(super) async fn public_keys(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    let key = &keys().public;
    Json(json!({ "keyId": KEY_ID, "keyType": "RSA", "keySize": KEY_SIZE, "key": key }))
        .into_response()
}

/// `POST /api/eWallet/v1/cashins`.
pub(super) async fn cash_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    let request = match serde_json::from_str::<CashInRequest>(&body) {
        Ok(request) => request,
        Err(err) => return invalid("body", &err.to_string()),
    };
    if let Some(refusal) = malformed(&request) {
        return refusal;
    }
    let amount = match amount_of(&request.amount) {
        Ok(amount) => amount,
        Err(refusal) => return refusal,
    };
    let customer = request.customer.id.clone();
    let scenario = PayoutScenario::for_phone(&customer);
    if scenario == PayoutScenario::ProviderDown {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "503",
            "Service Unavailable",
            "",
        );
    }
    let partner = &request.partner;
    let pin = partner.encrypted_pin_code.as_deref().unwrap_or_default();
    if let Some(refusal) = retailer_refusal(&state, &partner.id, pin) {
        return refusal;
    }
    if !national(&customer) {
        return refused("2001", "customer MSISDN invalid");
    }
    match scenario {
        PayoutScenario::InsufficientFunds => return refused("2020", "balance insufficient"),
        PayoutScenario::RecipientNotFound => {
            return refused("2000", "customer account does not exist");
        }
        PayoutScenario::RecipientLimit => return refused("2023", "balance maximal"),
        PayoutScenario::RecipientBlocked => return refused("2041", "transaction not allowed"),
        PayoutScenario::Success
        | PayoutScenario::Stuck
        | PayoutScenario::AnswerLost
        | PayoutScenario::ProviderDown => {}
    }
    match available(&state).await {
        Ok(balance) if amount > balance => return refused("2020", "balance insufficient"),
        Ok(_) => {}
        Err(err) => return internal(&err),
    }
    let reference = request.reference.clone();
    let kept = KeptCashIn {
        reference: reference.clone(),
        request_date: request.request_date,
        receive_notification: request.receive_notification,
        metadata: request.metadata,
    };
    let kept = match serde_json::to_string(&kept) {
        Ok(kept) => kept,
        Err(err) => return internal(&anyhow::Error::from(err)),
    };
    let now = state.clock.now_ms();
    let mut payout = EmulatedPayout {
        // Orange's style with a `CI` prefix ("CI1234.5678.91023", a third-party guide).
        id: format!("CI{}", &new_transaction_id(now)[2..]),
        provider: PROVIDER.to_owned(),
        account: RETAILER_MSISDN.to_owned(),
        handle: reference.clone(),
        request: kept,
        amount,
        currency: CURRENCY.to_owned(),
        phone: customer,
        fee: 0,
        scenario,
        created_at: now,
    };
    // No idempotency: a reference already booked is booked again, under `{reference}/{n}`.
    let mut n = 1;
    let booked = loop {
        match book::book(&state.pool, &payout).await {
            Ok((held, true)) => break held,
            Ok(_) if n < MAX_SAME_REFERENCE => {
                n += 1;
                payout.handle = format!("{reference}/{n}");
            }
            Ok(_) => return internal(&anyhow::anyhow!("too many cash-ins for one reference")),
            Err(err) => return internal(&err),
        }
    };
    if scenario == PayoutScenario::AnswerLost {
        // Orange paid the customer; the answer is lost on the way back.
        super::super::lose_the_answer(&state).await;
    }
    Json(json!({
        "transactionId": booked.id,
        "status": cash_in_status(&booked),
        "requestId": random::uuid_v4(),
        "description": "Cash In",
        "reference": reference,
    }))
    .into_response()
}

/// `POST /api/eWallet/v1/account/retailer/balance` → `{value, unit}`, under the PIN rules.
pub(super) async fn balance(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    let request = match serde_json::from_str::<BalanceRequest>(&body) {
        Ok(request) => request,
        Err(err) => return invalid("body", &err.to_string()),
    };
    if request.id_type != "MSISDN" {
        return invalid("idType", "MSISDN");
    }
    // Four integrations send `"wallet": "PRINCIPAL"`; nothing else is known.
    if request.wallet.as_deref().is_some_and(|w| w != "PRINCIPAL") {
        return invalid("wallet", "PRINCIPAL");
    }
    if let Some(refusal) = retailer_refusal(&state, &request.id, &request.encrypted_pin_code) {
        return refusal;
    }
    match available(&state).await {
        // A JSON number with a decimal point, as Orange's amounts may carry one.
        Ok(value) => Json(json!({ "value": value as f64, "unit": CURRENCY })).into_response(),
        Err(err) => internal(&err),
    }
}

#[cfg(test)]
mod tests;
