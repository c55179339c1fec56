//! pawaPay's Merchant API v2 JSON as the connector writes and reads it, from PROVIDERS.md
//! ("pawaPay — Merchant API v2"). Answers are read leniently: unknown fields are ignored, a
//! status word Dalal does not know is kept as it came, an amount is a string read as a number.

use super::transformers::{DepositStatus, InitiationStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `POST /v2/deposits` (PROVIDERS.md, "initiate deposit").
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DepositRequest<'a> {
    /// A UUID v4 Dalal chose before the call: the idempotency and lookup key.
    pub deposit_id: &'a str,
    /// An integer string for every XOF/XAF provider (`decimalsInAmount: NONE`).
    pub amount: String,
    pub currency: &'a str,
    pub payer: Party<'a>,
    /// Dalal's attempt id, returned by the status check (not by callbacks).
    pub client_reference_id: &'a str,
    /// The one-time code a `PREAUTH` provider (`ORANGE_BFA`) needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_authorisation_code: Option<&'a str>,
}

/// `payer` / `recipient`: `{type: "MMO", accountDetails: {phoneNumber, provider}}`.
#[derive(Debug, Serialize)]
pub struct Party<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(rename = "accountDetails")]
    pub account_details: AccountDetails<'a>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountDetails<'a> {
    /// Digits only, with the country code, no `+`.
    pub phone_number: String,
    /// `FREE_SEN`, `MOOV_BEN`, …
    pub provider: &'a str,
}

/// `{failureCode, failureMessage}`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct FailureReason {
    #[serde(default)]
    pub failure_code: Option<String>,
    #[serde(default)]
    pub failure_message: Option<String>,
}

/// The answer to `POST /v2/deposits`: `{depositId, status, created?, nextStep?, failureReason?}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitiationAnswer {
    #[serde(default)]
    pub deposit_id: Option<String>,
    pub status: InitiationStatus,
    #[serde(default)]
    pub failure_reason: Option<FailureReason>,
}

/// The answer to `GET /v2/deposits/{depositId}`: `{status: FOUND | NOT_FOUND, data?}`.
#[derive(Debug, Deserialize)]
pub struct StatusAnswer {
    pub status: String,
    #[serde(default)]
    pub data: Option<Deposit>,
}

/// A deposit as the status check and the callback show it (the callback has no
/// `clientReferenceId`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deposit {
    pub deposit_id: String,
    pub status: DepositStatus,
    /// `"1000"`, or `"1000.00"` even for XOF: compared as a number.
    #[serde(default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub client_reference_id: Option<String>,
    /// The payer, whose `accountDetails` key for the number is read in any case (the official
    /// sample spells `phoneNUmber`).
    #[serde(default)]
    pub payer: Option<PayerRead>,
    /// The operator's id, shown on the customer's receipt.
    #[serde(default)]
    pub provider_transaction_id: Option<String>,
    #[serde(default)]
    pub failure_reason: Option<FailureReason>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayerRead {
    #[serde(default)]
    pub account_details: BTreeMap<String, serde_json::Value>,
}

impl PayerRead {
    /// The payer's number, whatever the case of its key.
    pub fn phone_number(&self) -> Option<&str> {
        self.account_details
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("phoneNumber"))
            .and_then(|(_, v)| v.as_str())
    }
}

/// One of pawaPay's keys, as `GET /v2/public-key/http` lists them.
#[derive(Debug, Deserialize)]
pub struct PublishedKey {
    pub id: String,
    /// An SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub key: String,
}

/// `GET /v2/active-conf` (PROVIDERS.md, "active-conf"), read leniently.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveConf {
    #[serde(default)]
    pub signature_configuration: Option<SignatureConfiguration>,
    #[serde(default)]
    pub countries: Vec<ConfCountry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureConfiguration {
    #[serde(default)]
    pub signed_callbacks: bool,
}

#[derive(Debug, Deserialize)]
pub struct ConfCountry {
    #[serde(default)]
    pub providers: Vec<ConfProvider>,
}

#[derive(Debug, Deserialize)]
pub struct ConfProvider {
    pub provider: String,
    #[serde(default)]
    pub currencies: Vec<ConfCurrency>,
}

#[derive(Debug, Deserialize)]
pub struct ConfCurrency {
    /// An object keyed by type (`{"DEPOSIT": {…}}`, what a real sandbox answers) or an array of
    /// `{"DEPOSIT": {…}}` / `{"operationType": "DEPOSIT", …}` items (the published sample).
    #[serde(default, rename = "operationTypes")]
    pub operation_types: serde_json::Value,
}

impl ConfCurrency {
    /// The deposit configuration, whichever shape it came in.
    pub fn deposit(&self) -> Option<&serde_json::Value> {
        match &self.operation_types {
            serde_json::Value::Object(by_type) => by_type.get("DEPOSIT"),
            serde_json::Value::Array(items) => items.iter().find_map(|item| {
                item.get("DEPOSIT").or_else(|| {
                    (item.get("operationType").and_then(|t| t.as_str()) == Some("DEPOSIT"))
                        .then_some(item)
                })
            }),
            _ => None,
        }
    }
}

impl ActiveConf {
    /// The deposit configuration of a provider code (`FREE_SEN`), if the account has it.
    pub fn deposit_of(&self, code: &str) -> Option<&serde_json::Value> {
        self.countries
            .iter()
            .flat_map(|c| &c.providers)
            .filter(|p| p.provider == code)
            .flat_map(|p| &p.currencies)
            .find_map(ConfCurrency::deposit)
    }
}

/// `POST /v2/refunds` (PROVIDERS.md, "refunds"): with `amount`, `currency` is required.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRequest<'a> {
    /// A UUID v4 Dalal chose before the call.
    pub refund_id: &'a str,
    pub deposit_id: &'a str,
    pub amount: String,
    pub currency: &'a str,
}

/// The answer to `POST /v2/refunds`: `{refundId, status, created?, failureReason?}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundAnswer {
    pub status: InitiationStatus,
    #[serde(default)]
    pub failure_reason: Option<FailureReason>,
}

/// The answer to `GET /v2/refunds/{refundId}`: `{status: FOUND | NOT_FOUND, data?}`.
#[derive(Debug, Deserialize)]
pub struct RefundStatusAnswer {
    pub status: String,
    #[serde(default)]
    pub data: Option<RefundData>,
}

/// A refund as the status check and the refund callback show it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundData {
    pub refund_id: String,
    /// `ACCEPTED`, `ENQUEUED`, `PROCESSING`, `IN_RECONCILIATION`, `COMPLETED`, `FAILED`.
    pub status: String,
    #[serde(default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub failure_reason: Option<FailureReason>,
}
