//! Where an MTN MoMo request to pay stands, in MTN's words and then in Dalal's: `status` is
//! `PENDING`, `SUCCESSFUL` or `FAILED` (`CREATED` was seen first in the sandbox), and a failure
//! has a `reason` — an object `{code, message}` in MTN's swagger, a plain string in production
//! integrations: both are read (PROVIDERS.md, "MTN MoMo — Open API, Collection").

use super::wire::RequestToPayResult;
use crate::domain::{Failure, FailureCode};
use crate::providers::AttemptOutcome;
use serde::Deserialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum RequestStatus {
    Created,
    Pending,
    Successful,
    Failed,
    /// A word the contract does not list (third parties report `ONGOING`, `REJECTED`,
    /// `EXPIRED`): logged, the attempt stays open.
    Other(String),
}

impl From<String> for RequestStatus {
    fn from(word: String) -> Self {
        match word.as_str() {
            "CREATED" => Self::Created,
            "PENDING" => Self::Pending,
            "SUCCESSFUL" => Self::Successful,
            "FAILED" => Self::Failed,
            _ => Self::Other(word),
        }
    }
}

impl fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Created => "CREATED",
            Self::Pending => "PENDING",
            Self::Successful => "SUCCESSFUL",
            Self::Failed => "FAILED",
            Self::Other(word) => word,
        })
    }
}

/// `reason`: `"NOT_ENOUGH_FUNDS"` or `{"code": "NOT_ENOUGH_FUNDS", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Reason {
    Word(String),
    Object {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
}

impl Reason {
    pub fn code(&self) -> Option<&str> {
        match self {
            Reason::Word(word) => Some(word.as_str()),
            Reason::Object { code, .. } => code.as_deref(),
        }
        .filter(|c| !c.is_empty())
    }
}

/// A failure reason (MTN's ErrorReason list, and what production sends), as Dalal's failure.
pub fn failure(reason: Option<&str>) -> Failure {
    use FailureCode as F;
    let Some(reason) = reason else {
        return Failure::new(F::Unknown);
    };
    Failure::new(match reason {
        // LOW_BALANCE_OR_PAYEE_LIMIT_REACHED_OR_NOT_ALLOWED: production's usual "not enough money".
        "NOT_ENOUGH_FUNDS"
        | "PAYER_LIMIT_REACHED"
        | "LOW_BALANCE_OR_PAYEE_LIMIT_REACHED_OR_NOT_ALLOWED" => F::InsufficientFunds,
        "APPROVAL_REJECTED" | "TRANSACTION_CANCELED" | "PAYMENT_NOT_APPROVED" | "NOT_ALLOWED" => {
            F::Declined
        }
        "EXPIRED" => F::Expired,
        "PAYER_NOT_FOUND" => F::PayerNotFound,
        "SERVICE_UNAVAILABLE" | "INTERNAL_PROCESSING_ERROR" | "COULD_NOT_PERFORM_TRANSACTION" => {
            F::Unavailable
        }
        // The merchant's account or Dalal's request is wrong, not the payer's.
        "PAYEE_NOT_FOUND"
        | "PAYEE_NOT_ALLOWED_TO_RECEIVE"
        | "NOT_ALLOWED_TARGET_ENVIRONMENT"
        | "INVALID_CALLBACK_URL_HOST"
        | "INVALID_CURRENCY"
        | "RESOURCE_NOT_FOUND"
        | "RESOURCE_ALREADY_EXIST" => F::Internal,
        other => return Failure::unknown(other),
    })
}

/// Whether an error code is one of MTN's ErrorReason words: a refusal MTN decided, even when
/// it comes with a `500` (PROVIDERS.md: "500 {code, message} with the ErrorReason enum").
pub fn is_error_reason(code: &str) -> bool {
    matches!(
        code,
        "PAYEE_NOT_FOUND"
            | "PAYER_NOT_FOUND"
            | "NOT_ALLOWED"
            | "NOT_ALLOWED_TARGET_ENVIRONMENT"
            | "INVALID_CALLBACK_URL_HOST"
            | "INVALID_CURRENCY"
            | "NOT_ENOUGH_FUNDS"
            | "PAYER_LIMIT_REACHED"
            | "PAYEE_NOT_ALLOWED_TO_RECEIVE"
            | "PAYMENT_NOT_APPROVED"
            | "RESOURCE_ALREADY_EXIST"
            | "APPROVAL_REJECTED"
            | "TRANSACTION_CANCELED"
    )
}

impl From<&RequestToPayResult> for AttemptOutcome {
    fn from(result: &RequestToPayResult) -> Self {
        match &result.status {
            RequestStatus::Created => AttemptOutcome::Waiting,
            RequestStatus::Pending => AttemptOutcome::CustomerAsked,
            RequestStatus::Successful => AttemptOutcome::Succeeded,
            RequestStatus::Failed => {
                AttemptOutcome::Failed(failure(result.reason.as_ref().and_then(Reason::code)))
            }
            RequestStatus::Other(_) => AttemptOutcome::Unrecognised,
        }
    }
}

/// The word stored as the attempt's `raw_status`: `STATUS[:REASON]`.
pub fn status_word(result: &RequestToPayResult) -> String {
    match result.reason.as_ref().and_then(Reason::code) {
        Some(reason) if result.status == RequestStatus::Failed => format!("FAILED:{reason}"),
        _ => result.status.to_string(),
    }
}
