//! The words of Dalal's webhooks to merchants: what happened (an event's `type`), and where a
//! delivery of it stands.

use super::PaymentStatus;

crate::words! {
    /// What happened, as the event's `type` says it.
    pub enum EventType: "event type" {
        PaymentSucceeded = "payment.succeeded",
        PaymentFailed = "payment.failed",
        PaymentCancelled = "payment.cancelled",
        PaymentExpired = "payment.expired",
        RefundSucceeded = "refund.succeeded",
        RefundFailed = "refund.failed",
        PayoutSucceeded = "payout.succeeded",
        PayoutFailed = "payout.failed",
        PayoutReversed = "payout.reversed",
    }
}

impl EventType {
    /// The event for a status a merchant cares about; `None` for intermediate ones.
    pub fn for_status(status: PaymentStatus) -> Option<Self> {
        match status {
            PaymentStatus::Succeeded => Some(EventType::PaymentSucceeded),
            PaymentStatus::Failed => Some(EventType::PaymentFailed),
            PaymentStatus::Cancelled => Some(EventType::PaymentCancelled),
            PaymentStatus::Expired => Some(EventType::PaymentExpired),
            PaymentStatus::Pending | PaymentStatus::Processing => None,
        }
    }
}

crate::words! {
    /// Where one delivery of an event stands.
    pub enum DeliveryStatus: "delivery status" {
        /// Due now or at its next retry.
        Pending = "pending",
        Delivered = "delivered",
        /// Every retry failed.
        Failed = "failed",
        /// The endpoint answered 410 Gone once: nothing more is sent to it.
        Disabled = "disabled",
    }
}
