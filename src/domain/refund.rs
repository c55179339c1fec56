//! Refunds: where one stands, and which providers can refund at all.

use super::ProviderCode;

crate::words! {
    /// A refund is `pending` while the provider works on it, then `succeeded` or `failed`.
    pub enum RefundStatus: "refund status" {
        Pending = "pending",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

impl RefundStatus {
    /// Pending and succeeded refunds count against what is left to refund.
    pub fn holds_money(self) -> bool {
        match self {
            RefundStatus::Pending | RefundStatus::Succeeded => true,
            RefundStatus::Failed => false,
        }
    }
}

/// What a provider lets a merchant refund through its API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundSupport {
    /// Any amount up to what was paid.
    Partial,
    /// Any amount up to what is left, one refund at a time: the next waits until the provider
    /// has finished the last (pawaPay).
    PartialOneAtATime,
    /// Only the whole payment, at once.
    FullOnly,
    /// No refund API: the merchant refunds from the provider's own merchant portal.
    None,
}

impl ProviderCode {
    /// Wave's checkout refund takes no amount (the whole session is refunded); card acquirers
    /// refund any part. MTN MoMo's Collection API has no refund: its refunds belong to the
    /// Disbursement product (`POST /disbursement/v1_0/refund`), which answers later (202, then a
    /// status to poll); Dalal's refunds are answered at once, so MTN refunds wait for refunds that
    /// can stay pending. Orange Money's web payment API, Free Money and Moov Money offer no refund
    /// call to merchants.
    pub fn refund_support(self) -> RefundSupport {
        match self {
            ProviderCode::Wave => RefundSupport::FullOnly,
            ProviderCode::Card => RefundSupport::Partial,
            ProviderCode::MtnMomo
            | ProviderCode::OrangeMoney
            | ProviderCode::FreeMoney
            | ProviderCode::MoovMoney => RefundSupport::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refund_statuses_read_back() {
        for s in RefundStatus::ALL {
            assert_eq!(RefundStatus::parse(s.as_str()), Some(s));
        }
        assert!(!RefundStatus::Failed.holds_money());
    }
}
