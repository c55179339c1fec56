//! The payment lifecycle: one state machine, one `transition()`, matched exhaustively.
//!
//! ```text
//! pending ──CustomerAsked──▶ processing ──Succeeded──▶ succeeded
//!    ▲                          │  ──AttemptFailed(last)──▶ failed
//!    └──AttemptFailed(retry)────┘
//! pending | processing ──Cancel──▶ cancelled
//! pending | processing ──Expire──▶ expired
//! ```
//! Terminal states are final: a payment can never succeed twice.

crate::words! {
    pub enum PaymentStatus: "payment status" {
        /// Created; no provider is asking the customer yet.
        Pending = "pending",
        /// A method was chosen and the provider asked the customer to confirm.
        Processing = "processing",
        Succeeded = "succeeded",
        Failed = "failed",
        Cancelled = "cancelled",
        Expired = "expired",
    }
}

/// Something that happened to a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentEvent {
    /// The provider put the payment before the customer (USSD push sent, app opened, code typed).
    CustomerAsked,
    /// The provider confirmed the money moved.
    Succeeded,
    /// The provider reported the attempt failed. `retry_allowed` is false once the payment has
    /// used its attempts.
    AttemptFailed { retry_allowed: bool },
    /// The customer (or the merchant) cancelled.
    Cancel,
    /// `expiresAt` passed.
    Expire,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("transition interdite : {event:?} sur un paiement {from}")]
pub struct IllegalTransition {
    pub from: PaymentStatus,
    pub event: PaymentEvent,
}

impl PaymentStatus {
    /// The statuses a payment can still leave.
    pub const OPEN: [PaymentStatus; 2] = [PaymentStatus::Pending, PaymentStatus::Processing];

    pub fn is_terminal(self) -> bool {
        match self {
            PaymentStatus::Pending | PaymentStatus::Processing => false,
            PaymentStatus::Succeeded
            | PaymentStatus::Failed
            | PaymentStatus::Cancelled
            | PaymentStatus::Expired => true,
        }
    }

    /// The one place where a payment's status changes.
    pub fn transition(self, event: PaymentEvent) -> Result<PaymentStatus, IllegalTransition> {
        use PaymentEvent as E;
        use PaymentStatus as S;
        let next = match (self, event) {
            (S::Pending, E::CustomerAsked) => S::Processing,
            (S::Processing, E::Succeeded) => S::Succeeded,
            (
                S::Processing,
                E::AttemptFailed {
                    retry_allowed: true,
                },
            ) => S::Pending,
            (
                S::Processing,
                E::AttemptFailed {
                    retry_allowed: false,
                },
            ) => S::Failed,
            (S::Pending | S::Processing, E::Cancel) => S::Cancelled,
            (S::Pending | S::Processing, E::Expire) => S::Expired,
            (S::Processing, E::CustomerAsked)
            | (S::Pending, E::Succeeded | E::AttemptFailed { .. })
            | (S::Succeeded | S::Failed | S::Cancelled | S::Expired, _) => {
                return Err(IllegalTransition { from: self, event });
            }
        };
        Ok(next)
    }
}


crate::words! {
    /// Where one call to a provider stands.
    pub enum AttemptStatus: "attempt status" {
        /// The provider session exists (QR code, deep link) but the customer has not acted yet.
        Created = "created",
        /// The customer was asked and the provider awaits their answer.
        AwaitingCustomer = "awaiting_customer",
        Succeeded = "succeeded",
        Failed = "failed",
        /// Replaced by another attempt, or the payment ended before the provider answered.
        Abandoned = "abandoned",
    }
}

impl AttemptStatus {
    /// The statuses of an attempt still waiting for the provider or the customer.
    pub const OPEN: [AttemptStatus; 2] = [AttemptStatus::Created, AttemptStatus::AwaitingCustomer];

    pub fn is_open(self) -> bool {
        match self {
            AttemptStatus::Created | AttemptStatus::AwaitingCustomer => true,
            AttemptStatus::Succeeded | AttemptStatus::Failed | AttemptStatus::Abandoned => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PaymentEvent as E;
    use super::PaymentStatus as S;
    use super::*;

    const ALL_STATUSES: [S; 6] = [
        S::Pending,
        S::Processing,
        S::Succeeded,
        S::Failed,
        S::Cancelled,
        S::Expired,
    ];
    const ALL_EVENTS: [E; 6] = [
        E::CustomerAsked,
        E::Succeeded,
        E::AttemptFailed {
            retry_allowed: true,
        },
        E::AttemptFailed {
            retry_allowed: false,
        },
        E::Cancel,
        E::Expire,
    ];

    #[test]
    fn every_legal_transition() {
        let legal = [
            (S::Pending, E::CustomerAsked, S::Processing),
            (S::Processing, E::Succeeded, S::Succeeded),
            (
                S::Processing,
                E::AttemptFailed {
                    retry_allowed: true,
                },
                S::Pending,
            ),
            (
                S::Processing,
                E::AttemptFailed {
                    retry_allowed: false,
                },
                S::Failed,
            ),
            (S::Pending, E::Cancel, S::Cancelled),
            (S::Processing, E::Cancel, S::Cancelled),
            (S::Pending, E::Expire, S::Expired),
            (S::Processing, E::Expire, S::Expired),
        ];
        for (from, event, to) in legal {
            assert_eq!(from.transition(event), Ok(to), "{from} + {event:?}");
        }
        // Everything else in the full product of states and events is refused.
        let mut refused = 0;
        for from in ALL_STATUSES {
            for event in ALL_EVENTS {
                if !legal.iter().any(|(f, e, _)| *f == from && *e == event) {
                    assert_eq!(
                        from.transition(event),
                        Err(IllegalTransition { from, event })
                    );
                    refused += 1;
                }
            }
        }
        assert_eq!(refused, 36 - legal.len());
    }

    #[test]
    fn terminal_states_are_final() {
        for from in ALL_STATUSES.into_iter().filter(|s| s.is_terminal()) {
            for event in ALL_EVENTS {
                assert!(from.transition(event).is_err(), "{from} accepted {event:?}");
            }
        }
        assert!(!S::Pending.is_terminal() && !S::Processing.is_terminal());
    }

    #[test]
    fn a_payment_cannot_succeed_twice() {
        let paid = S::Pending
            .transition(E::CustomerAsked)
            .unwrap()
            .transition(E::Succeeded)
            .unwrap();
        assert!(paid.transition(E::Succeeded).is_err());
        assert!(paid.transition(E::CustomerAsked).is_err());
    }

    #[test]
    fn statuses_round_trip_through_text() {
        for s in ALL_STATUSES {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
        assert_eq!(S::parse("PENDING"), None);
        for a in [
            AttemptStatus::Created,
            AttemptStatus::AwaitingCustomer,
            AttemptStatus::Succeeded,
            AttemptStatus::Failed,
            AttemptStatus::Abandoned,
        ] {
            assert_eq!(AttemptStatus::parse(a.as_str()), Some(a));
        }
    }
}
