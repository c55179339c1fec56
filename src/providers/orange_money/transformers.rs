//! Where an Orange Money payment stands, in Sonatel's words and then in Dalal's: `SUCCESS,
//! INITIATED, PENDING, FAILED, ACCEPTED, REJECTED, CANCELLED, PRE_INITIATED` (PROVIDERS.md,
//! "Orange Money Senegal"; Sonatel's SDK `TransactionStatus.java`). A transaction carries no
//! error code; refusals come as error bodies with numeric codes.

use crate::domain::{Failure, FailureCode};
use crate::providers::AttemptOutcome;
use serde::Deserialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum OrangeStatus {
    PreInitiated,
    Initiated,
    Pending,
    Accepted,
    Success,
    Failed,
    Rejected,
    Cancelled,
    /// A word the contract does not list (an emulator of Sonatel's API adds `TERMINATED`):
    /// logged, the attempt stays open.
    Other(String),
}

impl From<String> for OrangeStatus {
    fn from(word: String) -> Self {
        match word.as_str() {
            "PRE_INITIATED" => Self::PreInitiated,
            "INITIATED" => Self::Initiated,
            "PENDING" => Self::Pending,
            "ACCEPTED" => Self::Accepted,
            "SUCCESS" => Self::Success,
            "FAILED" => Self::Failed,
            "REJECTED" => Self::Rejected,
            "CANCELLED" => Self::Cancelled,
            _ => Self::Other(word),
        }
    }
}

impl fmt::Display for OrangeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PreInitiated => "PRE_INITIATED",
            Self::Initiated => "INITIATED",
            Self::Pending => "PENDING",
            Self::Accepted => "ACCEPTED",
            Self::Success => "SUCCESS",
            Self::Failed => "FAILED",
            Self::Rejected => "REJECTED",
            Self::Cancelled => "CANCELLED",
            Self::Other(word) => word,
        })
    }
}

impl From<&OrangeStatus> for AttemptOutcome {
    fn from(status: &OrangeStatus) -> Self {
        match status {
            OrangeStatus::PreInitiated | OrangeStatus::Initiated => AttemptOutcome::Waiting,
            OrangeStatus::Pending | OrangeStatus::Accepted => AttemptOutcome::CustomerAsked,
            OrangeStatus::Success => AttemptOutcome::Succeeded,
            // No reason comes with it: the customer reads that the payment failed.
            OrangeStatus::Failed => AttemptOutcome::Failed(Failure::new(FailureCode::Unknown)),
            // `REJECTED` is a failure; `CANCELLED`, the customer's.
            OrangeStatus::Rejected | OrangeStatus::Cancelled => {
                AttemptOutcome::Failed(Failure::new(FailureCode::Declined))
            }
            OrangeStatus::Other(_) => AttemptOutcome::Unrecognised,
        }
    }
}

/// A refusal's business code (an error body's `code`, digits in a string) as Dalal's failure.
/// The codes are the ones PROVIDERS.md lists for Sonatel's eWallet API (unconfirmed against
/// Sonatel's own page); any other, like the documentation's `"60"`, is shown to the customer
/// as Orange's code.
pub fn refusal(code: &str) -> Failure {
    use FailureCode as F;
    match code {
        // The customer's account does not exist / the number is not valid.
        "2000" | "2001" => Failure::new(F::PayerNotFound),
        // Balance insufficient (for the payer).
        "2020" | "2021" => Failure::new(F::InsufficientFunds),
        // Transaction not allowed (for the payer).
        "2041" | "2042" => Failure::new(F::Declined),
        other => Failure::unknown(other),
    }
}
