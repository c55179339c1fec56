//! Wave's Checkout API JSON as the emulator reads and writes it: its own types, written from PROVIDERS.md
//! (never the connector's).

use serde::{Deserialize, Serialize};

/// `POST /v1/checkout/sessions`, as Wave reads it: amount a string, the rest as documented.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CreateRequest {
    pub(super) amount: String,
    pub(super) currency: String,
    pub(super) success_url: String,
    pub(super) error_url: String,
    #[serde(default)]
    pub(super) client_reference: Option<String>,
    #[serde(default)]
    pub(super) restrict_payer_mobile: Option<String>,
}

/// What the emulator keeps of a session beside the sandbox's row: the request and its wallet.
#[derive(Serialize, Deserialize)]
pub(super) struct Kept {
    pub(super) request: CreateRequest,
    pub(super) wallet: String,
}

/// The checkout session object, every field the contract names.
#[derive(Serialize)]
pub(super) struct SessionObject {
    pub(super) id: String,
    pub(super) amount: String,
    pub(super) currency: String,
    pub(super) checkout_status: &'static str,
    pub(super) payment_status: &'static str,
    pub(super) client_reference: Option<String>,
    pub(super) business_name: &'static str,
    pub(super) success_url: String,
    pub(super) error_url: String,
    pub(super) wave_launch_url: String,
    pub(super) transaction_id: Option<String>,
    pub(super) last_payment_error: Option<PaymentError>,
    pub(super) when_created: String,
    pub(super) when_expires: String,
    pub(super) when_completed: Option<String>,
}

#[derive(Serialize)]
pub(super) struct PaymentError {
    pub(super) code: &'static str,
    pub(super) message: &'static str,
}

/// The webhook event: `{id: "AE_…", type, data: <the session>}`.
#[derive(Serialize)]
pub(super) struct Event {
    pub(super) id: String,
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    pub(super) data: SessionObject,
}
