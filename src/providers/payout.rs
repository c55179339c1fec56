//! What the core asks a provider's payout API, and how the provider answered (PROVIDERS.md,
//! "For payouts"): one idempotency handle per payout, stored before the first call and sent on
//! every call; an unknown outcome is never a failure.

use crate::domain::msisdn::Msisdn;
use crate::domain::{Country, Currency, Money, PayoutFailed};

/// A payout the core sends, or asks about.
#[derive(Debug, Clone)]
pub struct PayoutOrder<'a> {
    /// Dalal's payout id (`po_…`): the provider's client reference where it takes one.
    pub payout_id: &'a str,
    /// The idempotency handle, a UUID v4 (Wave's `Idempotency-Key`, MTN's `X-Reference-Id`,
    /// pawaPay's `payoutId`): the same on every call for this payout.
    pub handle: &'a str,
    /// What the recipient receives (Wave's `receive_amount`: its fee comes on top).
    pub amount: Money,
    pub country: Country,
    pub recipient: &'a Msisdn,
    /// Wave may use it to check the recipient; no provider fails a payout on it.
    pub recipient_name: Option<&'a str>,
    /// Printed on the recipient's receipt where the provider prints one.
    pub reason: Option<&'a str>,
    /// The provider's own id for the payout, once it gave one (Wave's `pt-…`).
    pub reference: Option<&'a str>,
    /// When Dalal first sent it (Unix milliseconds).
    pub sent_at_ms: i64,
}

/// Where a provider says a payout stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayoutState {
    /// The provider holds no payout under this handle: it never arrived. Sending it again with
    /// the same handle is safe (the handle makes a second arrival a duplicate).
    NotFound,
    /// Taken, not finished — or a word Dalal does not know (logged by the connector).
    Processing { reference: Option<String> },
    /// The money reached the recipient. `fee`: what the provider took on top, if it says.
    Succeeded {
        reference: Option<String>,
        fee: Option<i64>,
    },
    Failed {
        reference: Option<String>,
        failure: PayoutFailed,
    },
    /// Wave took a succeeded payout back.
    Reversed { reference: Option<String> },
}

impl PayoutState {
    /// The provider's id for the payout, where this answer carries one.
    pub fn reference(&self) -> Option<&str> {
        match self {
            PayoutState::NotFound => None,
            PayoutState::Processing { reference }
            | PayoutState::Succeeded { reference, .. }
            | PayoutState::Failed { reference, .. }
            | PayoutState::Reversed { reference } => reference.as_deref(),
        }
    }
}

/// What an account holds for payouts, as the provider last said (zero is a balance too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    pub amount: i64,
    pub currency: Currency,
}
