//! MTN MoMo's Collection API JSON as the emulator reads and writes it: its own types, written from PROVIDERS.md
//! (never the connector's).

use serde::{Deserialize, Serialize};

/// The body of a request to pay, as MTN reads it: `amount` a string.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RequestBody {
    pub(super) amount: String,
    pub(super) currency: String,
    #[serde(default)]
    pub(super) external_id: Option<String>,
    pub(super) payer: Party,
    #[serde(default)]
    pub(super) payer_message: Option<String>,
    #[serde(default)]
    pub(super) payee_note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Party {
    pub(super) party_id_type: String,
    pub(super) party_id: String,
}

/// What the emulator keeps of a request to pay.
#[derive(Serialize, Deserialize)]
pub(super) struct Kept {
    pub(super) body: RequestBody,
    pub(super) environment: String,
    pub(super) callback_url: Option<String>,
}

/// The status object.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct StatusObject {
    pub(super) amount: String,
    pub(super) currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) financial_transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) external_id: Option<String>,
    pub(super) payer: Party,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) payer_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) payee_note: Option<String>,
    pub(super) status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) reason: Option<serde_json::Value>,
}

/// The body of a Disbursement refund, as MTN reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RefundRequest {
    pub(super) amount: String,
    pub(super) currency: String,
    #[serde(default)]
    pub(super) external_id: Option<String>,
    #[serde(default)]
    pub(super) payer_message: Option<String>,
    #[serde(default)]
    pub(super) payee_note: Option<String>,
    pub(super) reference_id_to_refund: String,
}

/// A refund as `GET /disbursement/v1_0/refund/{referenceId}` shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RefundShown {
    pub(super) amount: String,
    pub(super) currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) financial_transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) external_id: Option<String>,
    pub(super) payee: Party,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) payer_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) payee_note: Option<String>,
    pub(super) status: &'static str,
}
