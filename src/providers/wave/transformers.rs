//! Where a Wave checkout session stands, in Wave's words and then in Dalal's. A session has two
//! statuses (PROVIDERS.md, "Wave — Checkout API", session object): `checkout_status` (`open`,
//! `complete`, `expired`) and `payment_status` (`processing`, `cancelled`, `succeeded`), plus
//! `last_payment_error {code, message}` when the customer's last try failed.

use super::wire::Session;
use crate::domain::{Failure, FailureCode};
use crate::providers::AttemptOutcome;
use serde::Deserialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum CheckoutStatus {
    Open,
    Complete,
    Expired,
    /// A word the contract does not list: logged, the attempt stays open.
    Other(String),
}

impl From<String> for CheckoutStatus {
    fn from(word: String) -> Self {
        match word.as_str() {
            "open" => Self::Open,
            "complete" => Self::Complete,
            "expired" => Self::Expired,
            _ => Self::Other(word),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum PaymentStatus {
    Processing,
    Cancelled,
    Succeeded,
    Other(String),
}

impl From<String> for PaymentStatus {
    fn from(word: String) -> Self {
        match word.as_str() {
            "processing" => Self::Processing,
            "cancelled" => Self::Cancelled,
            "succeeded" => Self::Succeeded,
            _ => Self::Other(word),
        }
    }
}

/// `last_payment_error.code`: the payment error codes PROVIDERS.md lists (docs.wave.com/checkout).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum PaymentErrorCode {
    BlockedAccount,
    CrossBorderPaymentNotAllowed,
    CustomerAgeRestricted,
    InsufficientFunds,
    KybLimitsExceeded,
    PayerMobileMismatch,
    PaymentFailure,
    Other(String),
}

impl From<String> for PaymentErrorCode {
    fn from(word: String) -> Self {
        match word.as_str() {
            "blocked-account" => Self::BlockedAccount,
            "cross-border-payment-not-allowed" => Self::CrossBorderPaymentNotAllowed,
            "customer-age-restricted" => Self::CustomerAgeRestricted,
            "insufficient-funds" => Self::InsufficientFunds,
            "kyb-limits-exceeded" => Self::KybLimitsExceeded,
            "payer-mobile-mismatch" => Self::PayerMobileMismatch,
            "payment-failure" => Self::PaymentFailure,
            _ => Self::Other(word),
        }
    }
}

impl PaymentErrorCode {
    fn as_str(&self) -> &str {
        match self {
            Self::BlockedAccount => "blocked-account",
            Self::CrossBorderPaymentNotAllowed => "cross-border-payment-not-allowed",
            Self::CustomerAgeRestricted => "customer-age-restricted",
            Self::InsufficientFunds => "insufficient-funds",
            Self::KybLimitsExceeded => "kyb-limits-exceeded",
            Self::PayerMobileMismatch => "payer-mobile-mismatch",
            Self::PaymentFailure => "payment-failure",
            Self::Other(word) => word,
        }
    }
}

impl From<&PaymentErrorCode> for Failure {
    fn from(code: &PaymentErrorCode) -> Self {
        use FailureCode as F;
        match code {
            PaymentErrorCode::InsufficientFunds => Failure::new(F::InsufficientFunds),
            // Wave refuses the payer: their account, age, limits or country.
            PaymentErrorCode::BlockedAccount
            | PaymentErrorCode::CustomerAgeRestricted
            | PaymentErrorCode::KybLimitsExceeded
            | PaymentErrorCode::CrossBorderPaymentNotAllowed => Failure::new(F::Declined),
            // `restrict_payer_mobile` named someone else.
            PaymentErrorCode::PayerMobileMismatch => Failure::new(F::PayerNotFound),
            // Wave's generic failure, and any code it adds: the customer reads Wave's code.
            PaymentErrorCode::PaymentFailure | PaymentErrorCode::Other(_) => {
                Failure::unknown(code.as_str())
            }
        }
    }
}

/// A session's state, as Wave reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveStatus {
    pub checkout: CheckoutStatus,
    pub payment: PaymentStatus,
    pub error: Option<PaymentErrorCode>,
}

impl From<&Session> for WaveStatus {
    fn from(session: &Session) -> Self {
        Self {
            checkout: session.checkout_status.clone(),
            payment: session.payment_status.clone(),
            error: session.last_payment_error.as_ref().map(|e| e.code.clone()),
        }
    }
}

impl From<&WaveStatus> for AttemptOutcome {
    fn from(status: &WaveStatus) -> Self {
        use CheckoutStatus as C;
        use PaymentStatus as P;
        match (&status.checkout, &status.payment, &status.error) {
            (C::Complete, P::Succeeded, _) => AttemptOutcome::Succeeded,
            (C::Expired, P::Succeeded, _) => AttemptOutcome::Unrecognised,
            (C::Expired, _, _) => AttemptOutcome::Failed(Failure::new(FailureCode::Expired)),
            // A failed try (`checkout.session.payment_failed`): with its error, or none when
            // the customer turned the payment down in the app.
            (C::Open, P::Cancelled | P::Processing, Some(code)) => {
                AttemptOutcome::Failed(code.into())
            }
            (C::Open, P::Cancelled, None) => {
                AttemptOutcome::Failed(Failure::new(FailureCode::Declined))
            }
            (C::Open, P::Processing, None) => AttemptOutcome::Waiting,
            // Pairs the contract does not describe, and words it does not list.
            _ => AttemptOutcome::Unrecognised,
        }
    }
}

/// The word stored as the attempt's `raw_status`: `open`, `succeeded`, `expired`,
/// `cancelled:<error code>`, or `<checkout_status>/<payment_status>` for any other pair.
impl fmt::Display for WaveStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CheckoutStatus as C;
        use PaymentStatus as P;
        match (&self.checkout, &self.payment, &self.error) {
            (C::Complete, P::Succeeded, _) => f.write_str("succeeded"),
            (C::Expired, _, _) => f.write_str("expired"),
            (C::Open, P::Cancelled | P::Processing, Some(code)) => {
                write!(f, "cancelled:{}", code.as_str())
            }
            (C::Open, P::Cancelled, None) => f.write_str("cancelled"),
            (C::Open, P::Processing, None) => f.write_str("open"),
            (checkout, payment, _) => {
                let checkout = match checkout {
                    C::Open => "open",
                    C::Complete => "complete",
                    C::Expired => "expired",
                    C::Other(word) => word,
                };
                let payment = match payment {
                    P::Processing => "processing",
                    P::Cancelled => "cancelled",
                    P::Succeeded => "succeeded",
                    P::Other(word) => word,
                };
                write!(f, "{checkout}/{payment}")
            }
        }
    }
}
