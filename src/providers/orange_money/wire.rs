//! Orange Money's API as Sonatel publishes it for merchants (`https://developer.orange-sonatel.com`,
//! "Documentation": "Authentification", "QR Code marchand (v4)", "Paiement one-step (OTP)",
//! "Transactions", "Callback marchand"). The connector reads and writes these; the sandbox's
//! emulator of Orange Money writes and reads them.
//!
//! The documentation could not be re-read from this workplace when this was written (README,
//! "Going live", Orange Money): field names follow the published reference as the team knew it,
//! and the first live payment should be checked against Sonatel's own sandbox.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `POST /oauth/token` (form `grant_type=client_credentials`, `client_id`, `client_secret`)
/// answers a short-lived token ("Authentification": about five minutes).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    pub access_token: String,
    pub token_type: String,
    /// Seconds.
    pub expires_in: i64,
}

/// An amount: `{"unit": "XOF", "value": 1000}`, in the currency's unit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Amount {
    pub unit: String,
    pub value: i64,
}

/// Who pays or who is paid: `{"idType": "MSISDN", "id": "771234567"}` for a customer (the
/// national number), `{"idType": "CODE", "id": "<merchant code>"}` for the merchant.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub id_type: String,
    pub id: String,
    /// The one-time code the customer got by dialling Orange's USSD code (one-step payments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp: Option<String>,
}

/// `POST /api/eWallet/v4/qrcode`: a QR code for one payment to the merchant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QrCodeRequest {
    pub amount: Amount,
    /// Where the Max it / Orange Money app sends the customer back.
    pub callback_cancel_url: String,
    pub callback_success_url: String,
    /// The merchant code Orange gave the account.
    pub code: String,
    /// Copied onto the transaction the payment creates and into the callback: Dalal puts its
    /// attempt id here (`ATTEMPT_KEY`).
    pub metadata: BTreeMap<String, String>,
    /// The name the customer sees in the app.
    pub name: String,
    /// Seconds the code can be paid (at most a day).
    pub validity: i64,
}

/// The metadata key that carries Dalal's attempt id.
pub const ATTEMPT_KEY: &str = "dalalAttemptId";

/// The answer to `POST /api/eWallet/v4/qrcode`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QrCode {
    pub qr_id: String,
    /// Opens the payment in whichever Orange app the phone has.
    pub deep_link: String,
    /// By app: `OM` (Orange Money) and `MAXIT`.
    pub deep_links: BTreeMap<String, String>,
    /// The QR code as a base64 PNG (Dalal draws its own from `deep_link`).
    pub qr_code: String,
    pub short_link: String,
    pub validity: i64,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// `POST /api/eWallet/v1/payments/onestep`: a payment confirmed by the customer's one-time code.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OneStepPayment {
    pub customer: Party,
    pub partner: Party,
    pub amount: Amount,
    /// Dalal's attempt id.
    pub reference: String,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// A transaction: the answer to a one-step payment, an item of `GET /api/eWallet/v1/transactions`,
/// and the callback's body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// `MP…`
    pub transaction_id: String,
    /// `INITIATED`, `PENDING`, `SUCCESS`, `FAILED`, `CANCELLED` or `EXPIRED`.
    pub status: String,
    /// Why a transaction failed: `INSUFFICIENT_BALANCE`, `CANCELLED_BY_USER`, `TIMEOUT`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    pub amount: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The QR code a QR payment went through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_id: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// `QRCODE` or `OTP`.
    pub payment_method: String,
    /// ISO 8601.
    pub created_at: String,
}

/// `GET /api/eWallet/v1/transactions?qrId=…` (or `?reference=…`): the matching transactions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transactions {
    pub content: Vec<Transaction>,
}

/// Every error answer: `{"status": 400, "code": "…", "title": "…", "detail": "…"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub status: u16,
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub detail: String,
}

/// The header carrying the API key registered with the callback URL ("Callback marchand"): how
/// a callback proves it comes from Orange.
pub const CALLBACK_KEY_HEADER: &str = "x-api-key";
