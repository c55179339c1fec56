//! MTN MoMo Open API's JSON for the Collection product, as documented at
//! `https://momodeveloper.mtn.com/api-documentation` ("Collection": `POST /collection/token/`,
//! `POST /collection/v1_0/requesttopay`, `GET /collection/v1_0/requesttopay/{referenceId}`).
//! The connector reads these; the sandbox's emulator of MTN MoMo writes them.

use serde::{Deserialize, Serialize};

/// `POST /collection/token/` answers an access token for the API user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    pub access_token: String,
    pub token_type: String,
    /// Seconds.
    pub expires_in: i64,
}

/// The body of `POST /collection/v1_0/requesttopay` (its id is the `X-Reference-Id` header).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestToPay {
    /// A string, in the currency's unit.
    pub amount: String,
    pub currency: String,
    /// Dalal's attempt id: MTN echoes it in the status and the callback.
    pub external_id: String,
    pub payer: Party,
    /// Shown to the payer on their phone.
    pub payer_message: String,
    /// In the merchant's statement.
    pub payee_note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    /// `MSISDN`: the number in international form, digits only.
    pub party_id_type: String,
    pub party_id: String,
}

/// `GET /collection/v1_0/requesttopay/{referenceId}`, and the callback's body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestToPayResult {
    pub amount: String,
    pub currency: String,
    #[serde(default)]
    pub financial_transaction_id: Option<String>,
    pub external_id: String,
    pub payer: Party,
    #[serde(default)]
    pub payer_message: Option<String>,
    #[serde(default)]
    pub payee_note: Option<String>,
    /// `PENDING`, `SUCCESSFUL` or `FAILED`.
    pub status: String,
    /// Why it failed: `APPROVAL_REJECTED`, `NOT_ENOUGH_FUNDS`, `EXPIRED`, …
    #[serde(default)]
    pub reason: Option<String>,
}

/// An error answer: `{"code": "RESOURCE_NOT_FOUND", "message": "…"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}
