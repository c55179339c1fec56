//! Wave Checkout API's JSON as the connector sends and reads it (PROVIDERS.md, "Wave — Checkout
//! API": docs.wave.com/checkout, docs.wave.com/webhook; the `wave-api-client` package's
//! `CheckoutSession` type). Answers are read leniently: unknown fields are ignored (Wave "may
//! add" some), and what Dalal does not need is optional. The sandbox's emulator has its own
//! types, written from the same contract.

use super::transformers::{CheckoutStatus, PaymentErrorCode, PaymentStatus};
use serde::{Deserialize, Serialize};

/// `POST /v1/checkout/sessions`. Amounts are strings with no decimals for XOF.
#[derive(Debug, Clone, Serialize)]
pub struct CreateSession<'a> {
    pub amount: String,
    pub currency: &'a str,
    /// Where Wave sends the customer after paying (and after an error): https.
    pub success_url: &'a str,
    pub error_url: &'a str,
    /// Dalal's attempt id (≤ 255 characters).
    pub client_reference: &'a str,
    /// Only this number may pay the session (E.164). Off unless the merchant's operator turns
    /// it on (`providers.wave.restrict_payer_mobile`): a relative paying from another Wave
    /// number fails with `payer-mobile-mismatch`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restrict_payer_mobile: Option<&'a str>,
}

/// The checkout session object: what Dalal reads of it.
#[derive(Debug, Clone, Deserialize)]
pub struct Session {
    /// `cos-…`
    pub id: String,
    /// A string ("1000"); compared with the attempt's amount before a success is believed.
    #[serde(default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    pub checkout_status: CheckoutStatus,
    /// Absent on some answers: read as `processing`, the state of a session nobody has paid.
    #[serde(default = "processing")]
    pub payment_status: PaymentStatus,
    #[serde(default)]
    pub client_reference: Option<String>,
    /// Set when the customer's last try to pay failed (the session may still be open).
    #[serde(default)]
    pub last_payment_error: Option<PaymentError>,
    /// What the QR code encodes and the "Pay with Wave" button opens.
    #[serde(default)]
    pub wave_launch_url: Option<String>,
    #[serde(default)]
    pub transaction_id: Option<String>,
}

fn processing() -> PaymentStatus {
    PaymentStatus::Processing
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentError {
    pub code: PaymentErrorCode,
    #[serde(default)]
    pub message: Option<String>,
}

/// A webhook: `{id: "AE_…", type, data}`, `data` the session (read for its id only: the rest is
/// a hint, Dalal asks the API).
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub id: String,
}
