//! Orange Money Senegal's merchant API (Sonatel) as the connector sends and reads it
//! (PROVIDERS.md, "Orange Money Senegal — Sonatel's merchant API": developer.orange-sonatel.com
//! and its OpenAPI v1.1.0, Sonatel's Java SDK, and production notes). Answers are read
//! leniently: a transaction has no `paymentMethod` and no `qrId` in production, its amount may
//! be `10.0`, the status endpoint answers `{"status"}` only, the search a bare array. The
//! sandbox's emulator has its own types, written from the same contract.

use super::transformers::OrangeStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `POST /oauth/v1/token` (form `grant_type=client_credentials`, `client_id`, `client_secret`).
#[derive(Debug, Clone, Deserialize)]
pub struct Token {
    pub access_token: String,
    /// Seconds (about 299).
    pub expires_in: i64,
}

/// An amount as Dalal sends it: `{"unit": "XOF", "value": 1000}`.
#[derive(Debug, Clone, Serialize)]
pub struct Amount<'a> {
    pub unit: &'a str,
    pub value: i64,
}

/// An amount as Orange answers it: `value` a JSON number that may carry a decimal point.
#[derive(Debug, Clone, Deserialize)]
pub struct AnsweredAmount {
    pub value: serde_json::Number,
    #[serde(default)]
    pub unit: Option<String>,
}

impl AnsweredAmount {
    /// The whole units, if the value has no fraction (`10`, `10.0`).
    pub fn whole(&self) -> Option<i64> {
        if let Some(whole) = self.value.as_i64() {
            return Some(whole);
        }
        let text = self.value.to_string();
        let (whole, fraction) = text.split_once('.')?;
        fraction
            .bytes()
            .all(|b| b == b'0')
            .then(|| whole.parse().ok())
            .flatten()
    }
}

/// `POST /api/eWallet/v4/qrcode`: a QR code for one payment to the merchant.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QrCodeRequest<'a> {
    /// The merchant code Orange gave the account.
    pub code: &'a str,
    /// The name the customer sees in the app.
    pub name: &'a str,
    pub amount: Amount<'a>,
    /// Seconds the code can be paid (at most a day).
    pub validity: i64,
    /// Dalal's attempt id: the transaction the payment creates carries it, and the search by
    /// `reference` finds it.
    pub reference: &'a str,
    /// String values, at most ten keys.
    pub metadata: BTreeMap<&'static str, &'a str>,
    /// Where the Max it / Orange Money app sends the customer back.
    pub callback_success_url: &'a str,
    pub callback_cancel_url: &'a str,
    /// One payment per code.
    pub restrictions: Restrictions,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restrictions {
    pub is_single_use: bool,
}

/// The answer to `POST /api/eWallet/v4/qrcode`: what Dalal reads of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QrCode {
    pub qr_id: String,
    /// Opens the payment in whichever Orange app the phone has.
    pub deep_link: String,
    /// By app: `OM` (Orange Money) and `MAXIT`; may be missing.
    #[serde(default)]
    pub deep_links: BTreeMap<String, String>,
}

/// Who pays or is paid.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Party<'a> {
    /// `MSISDN` for a customer (the national 9-digit number), `CODE` for the merchant.
    pub id_type: &'static str,
    pub id: &'a str,
    /// The one-time code the customer got by dialling Orange's USSD code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub otp: Option<&'a str>,
}

/// `POST /api/eWallet/v1/payments/onestep`: a payment confirmed by the customer's one-time
/// code. It moves money and has no idempotency key: it is sent once.
#[derive(Debug, Clone, Serialize)]
pub struct OneStepPayment<'a> {
    pub customer: Party<'a>,
    pub partner: Party<'a>,
    pub amount: Amount<'a>,
    /// Dalal's attempt id: how the payment is found again when the answer is lost.
    pub reference: &'a str,
    pub metadata: BTreeMap<&'static str, &'a str>,
}

/// The answer to a one-step payment: `{transactionId, status, requestId?, description?,
/// reference?}`, not a full transaction.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OneStepAnswer {
    pub transaction_id: String,
    pub status: OrangeStatus,
}

/// An item of `GET /api/eWallet/v1/transactions?reference=…` (a bare array), as production
/// returned it; what Dalal reads and checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    pub transaction_id: String,
    pub status: OrangeStatus,
    #[serde(default)]
    pub amount: Option<AnsweredAmount>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub partner: Option<AnsweredParty>,
}

/// A party as Orange answers it (`id` may be a number in callbacks).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnsweredParty {
    pub id: serde_json::Value,
    #[serde(default)]
    pub id_type: Option<String>,
}

impl AnsweredParty {
    pub fn id(&self) -> String {
        match &self.id {
            serde_json::Value::String(id) => id.clone(),
            other => other.to_string(),
        }
    }
}

/// `GET /api/eWallet/v1/transactions/{transactionId}/status` answers `{"status": "…"}` only.
#[derive(Debug, Clone, Deserialize)]
pub struct StatusAnswer {
    pub status: OrangeStatus,
}

/// A callback's body: the documentation's sample (a whole transaction) or the short form
/// `{transactionId, status, amount, reference, type}`. Dalal reads which attempt it names.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Callback {
    #[serde(default)]
    pub transaction_id: Option<String>,
    #[serde(default)]
    pub reference: Option<String>,
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, serde_json::Value>>,
}

/// The metadata key that carries Dalal's attempt id.
pub const ATTEMPT_KEY: &str = "dalalAttemptId";

/// An item of `GET /api/notification/v1/merchantcallback`: a registered callback.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub callback_url: Option<String>,
}
