//! pawaPay's Merchant API v2 JSON as the emulator reads and writes it: its own types, written from
//! PROVIDERS.md ("pawaPay — Merchant API v2"), never the connector's.

use serde::{Deserialize, Serialize};

/// What the emulator keeps of a deposit (the sandbox session's `request`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Kept {
    /// The deposit request as pawaPay read it.
    pub(super) deposit_id: String,
    pub(super) amount: String,
    pub(super) currency: String,
    pub(super) provider: String,
    pub(super) phone_number: String,
    pub(super) client_reference_id: Option<String>,
    pub(super) customer_message: Option<String>,
    /// The metadata, flattened as answers show it.
    pub(super) metadata: serde_json::Map<String, serde_json::Value>,
    /// The outcome a pawaPay test number chooses, where it chose one (PROVIDERS.md, "test
    /// numbers"): a failure code, or pending for good.
    pub(super) test_outcome: Option<TestOutcome>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum TestOutcome {
    Completed,
    Failed(FailureWord),
    /// Never leaves `ACCEPTED` (no callback).
    StaysPending,
}

/// The failure codes pawaPay's test numbers choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum FailureWord {
    PayerLimitReached,
    PayerNotFound,
    PaymentNotApproved,
    InsufficientBalance,
    UnspecifiedFailure,
}

impl FailureWord {
    pub(super) fn code(self) -> &'static str {
        match self {
            Self::PayerLimitReached => "PAYER_LIMIT_REACHED",
            Self::PayerNotFound => "PAYER_NOT_FOUND",
            Self::PaymentNotApproved => "PAYMENT_NOT_APPROVED",
            Self::InsufficientBalance => "INSUFFICIENT_BALANCE",
            Self::UnspecifiedFailure => "UNSPECIFIED_FAILURE",
        }
    }
}

/// `{failureCode, failureMessage}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct FailureReason {
    pub(super) failure_code: &'static str,
    pub(super) failure_message: String,
}

impl FailureReason {
    pub(super) fn new(code: &'static str) -> Self {
        Self {
            failure_code: code,
            failure_message: code.replace('_', " ").to_lowercase(),
        }
    }
}

/// The answer to `POST /v2/deposits`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct InitiationAnswer {
    pub(super) deposit_id: String,
    pub(super) status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) next_step: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) failure_reason: Option<FailureReason>,
}

/// A deposit as the status check (`data`) and the callback show it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DepositData {
    pub(super) deposit_id: String,
    pub(super) status: &'static str,
    pub(super) amount: String,
    pub(super) currency: String,
    /// ISO 3166 alpha-3: `SEN`.
    pub(super) country: &'static str,
    pub(super) payer: Payer,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) customer_message: Option<String>,
    /// In the status check only, never in callbacks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) client_reference_id: Option<String>,
    pub(super) created: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) provider_transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) failure_reason: Option<FailureReason>,
    pub(super) metadata: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Serialize)]
pub(super) struct Payer {
    #[serde(rename = "type")]
    pub(super) kind: &'static str,
    #[serde(rename = "accountDetails")]
    pub(super) account_details: AccountDetails,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AccountDetails {
    pub(super) phone_number: String,
    pub(super) provider: String,
}

/// What the emulator keeps of a refund (its sandbox session's `request`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct KeptRefund {
    pub(super) refund_id: String,
    pub(super) deposit_id: String,
    /// The deposit's provider and payer, to whom the refund goes.
    pub(super) provider: String,
    pub(super) phone_number: String,
}

/// The answer to `POST /v2/refunds`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RefundAnswer {
    pub(super) refund_id: String,
    pub(super) status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) created: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) failure_reason: Option<FailureReason>,
}

/// A refund as the status check (`data`) and the refund callback show it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RefundView {
    pub(super) refund_id: String,
    pub(super) status: &'static str,
    pub(super) amount: String,
    pub(super) currency: String,
    pub(super) country: &'static str,
    /// The deposit's payer.
    pub(super) recipient: Payer,
    pub(super) created: String,
    pub(super) deposit_id: String,
}
