//! MTN MoMo Open API's JSON for the Collection product, as the connector sends and reads it
//! (PROVIDERS.md, "MTN MoMo — Open API, Collection": momodeveloper.mtn.com, MTN's JavaScript SDK,
//! `sparkplug/momoapi-node`). Answers are read leniently: unknown fields ignored, what Dalal
//! does not need optional, `reason` a string or an object. The sandbox's emulator has its own
//! types, written from the same contract.

use super::transformers::{Reason, RequestStatus};
use serde::{Deserialize, Serialize};

/// `POST /collection/token/` answers `{access_token, token_type, expires_in}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Token {
    pub access_token: String,
    /// Seconds (3600 at MTN).
    pub expires_in: i64,
}

/// The body of `POST /collection/v1_0/requesttopay` (its id is the `X-Reference-Id` header).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestToPay<'a> {
    /// A string, in the currency's unit.
    pub amount: String,
    pub currency: &'a str,
    /// Dalal's attempt id: MTN echoes it in the status and the callback.
    pub external_id: &'a str,
    pub payer: Party,
    /// Shown to the payer; never empty (empty texts have produced `500`s in production).
    pub payer_message: String,
    /// In the merchant's statement; never empty either.
    pub payee_note: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    /// `MSISDN`: the number in international form, digits only.
    pub party_id_type: &'static str,
    pub party_id: String,
}

/// `GET /collection/v1_0/requesttopay/{referenceId}`, and the callback's body: what Dalal reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestToPayResult {
    #[serde(default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    pub status: RequestStatus,
    #[serde(default)]
    pub reason: Option<Reason>,
}

/// The callback's body: the status object, read for the attempt it names.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Callback {
    pub external_id: String,
}

/// `GET /collection/v1_0/account/balance`: `{"availableBalance": "200", "currency": "EUR"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    pub available_balance: String,
    pub currency: String,
}

/// `POST /disbursement/v1_0/refund` (PROVIDERS.md, "MTN MoMo — Disbursement", "refund").
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundBody<'a> {
    pub amount: String,
    pub currency: &'a str,
    /// Dalal's refund id.
    pub external_id: &'a str,
    pub payer_message: &'a str,
    pub payee_note: &'a str,
    /// The `X-Reference-Id` of the request to pay being refunded.
    pub reference_id_to_refund: &'a str,
}

/// `GET /disbursement/v1_0/refund/{referenceId}`: what Dalal reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundResult {
    #[serde(default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub external_id: Option<String>,
    pub status: RequestStatus,
    #[serde(default)]
    pub reason: Option<Reason>,
}
