//! Wave Checkout API's JSON, as documented at `https://docs.wave.com/checkout` ("Checkout
//! session object", "Create a checkout session", "Errors") and `https://docs.wave.com/webhook`
//! ("Event object"). The connector reads these; the sandbox's emulator of Wave writes them.

use serde::{Deserialize, Serialize};

/// `POST /v1/checkout/sessions`. Amounts are strings: "No decimals for XOF" (docs, "Currencies").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateSession {
    pub amount: String,
    pub currency: String,
    /// Where Wave sends the customer after paying (and after an error).
    pub success_url: String,
    pub error_url: String,
    /// Dalal's attempt id: "A unique string identifying your order" (max 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_reference: Option<String>,
    /// Only this number may pay the session (E.164).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restrict_payer_mobile: Option<String>,
}

/// The checkout session object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    /// `cos-…`
    pub id: String,
    pub amount: String,
    /// `open`, `complete` or `expired`.
    pub checkout_status: String,
    #[serde(default)]
    pub client_reference: Option<String>,
    pub currency: String,
    pub error_url: String,
    /// Set when the customer's last try to pay failed (the session may still be open).
    #[serde(default)]
    pub last_payment_error: Option<PaymentError>,
    /// `processing`, `cancelled` or `succeeded`.
    pub payment_status: String,
    pub success_url: String,
    /// What the QR code encodes and the "Pay with Wave" button opens.
    pub wave_launch_url: String,
    pub when_created: String,
    pub when_expires: String,
    #[serde(default)]
    pub when_completed: Option<String>,
    #[serde(default)]
    pub transaction_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentError {
    /// `insufficient-funds`, `blocked-account`, `payer-mobile-mismatch`, …
    pub code: String,
    pub message: String,
}

/// Every error answer: `{"code": "...", "message": "..."}` (docs, "Errors").
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// A webhook: `checkout.session.completed` or `checkout.session.payment_failed`, its `data` the
/// session as `GET /v1/checkout/sessions/{id}` would show it then.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event<T = EventSession> {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: T,
}

/// The part of an event's session Dalal reads: which session it is about. The rest is only a
/// hint; Dalal asks the API.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventSession {
    pub id: String,
    #[serde(default)]
    pub client_reference: Option<String>,
}

/// `POST /v1/checkout/sessions/{id}/refund` answers the refunded session's transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
}
