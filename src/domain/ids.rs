//! Identifiers a merchant sees.

use super::InvalidInput;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The merchant-facing id of a payment: the database sequence, zero-padded, spelled
/// `TX000007272` in the CaurisFlux dialect and `txn_000000007272` in the SahelPay one. Either
/// spelling finds the payment in either dialect. Sequential, so it is never what makes a
/// checkout page reachable (that is the checkout token).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TransactionId(i64);

impl TransactionId {
    pub fn from_sequence(n: i64) -> Self {
        Self(n)
    }

    pub fn sequence(self) -> i64 {
        self.0
    }

    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let invalid =
            || InvalidInput::new(format!("Identifiant de transaction invalide : « {s} »"));
        let digits = s
            .strip_prefix("TX")
            .or_else(|| s.strip_prefix("txn_"))
            .ok_or_else(invalid)?;
        if digits.len() < 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        // `TX000000000` is well formed and names no payment (`/openapi.json`'s pattern).
        digits.parse::<i64>().ok().map(Self).ok_or_else(invalid)
    }
}

impl TransactionId {
    /// `txn_000000007272`, the SahelPay spelling.
    pub fn sahelpay(self) -> String {
        format!("txn_{:012}", self.0)
    }
}

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TX{:09}", self.0)
    }
}

/// Declares an id of Dalal's own, spelled `prefix` + random characters (svix's prefixed ids): a
/// type of its own, so that an attempt's id is never passed where a refund's is expected.
macro_rules! prefixed_id {
    ($(#[$meta:meta])* $name:ident, $prefix:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new id from random characters (`random::alphanumeric`).
            pub fn from_random(random: &str) -> Self {
                Self(format!("{}{random}", Self::PREFIX))
            }

            /// An id read back (the database, a provider's echo, a URL): `None` without the prefix.
            pub fn parse(s: &str) -> Option<Self> {
                s.strip_prefix(Self::PREFIX)
                    .filter(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
                    .map(|_| Self(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

prefixed_id!(
    /// An attempt: one call to a provider (`att_…`). A provider's `client_reference`, `externalId`
    /// or `reference` echoes it.
    AttemptId,
    "att_"
);
prefixed_id!(
    /// A refund (`rf_…`).
    RefundId,
    "rf_"
);
prefixed_id!(
    /// A payout (`po_…`).
    PayoutId,
    "po_"
);
prefixed_id!(
    /// A batch of payouts (`pb_…`).
    PayoutBatchId,
    "pb_"
);
prefixed_id!(
    /// A webhook event (`evt_…`), the `webhook-id` its deliveries are signed with.
    EventId,
    "evt_"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_ids_keep_their_prefix_and_refuse_another() {
        let id = AttemptId::from_random("Ab12");
        assert_eq!(id.as_str(), "att_Ab12");
        assert_eq!(AttemptId::parse("att_Ab12"), Some(id.clone()));
        assert_eq!(AttemptId::parse("rf_Ab12"), None);
        assert_eq!(AttemptId::parse("att_"), None);
        assert_eq!(AttemptId::parse("att_a-b"), None);
        assert_eq!(RefundId::parse("rf_x9").unwrap().to_string(), "rf_x9");
        assert_eq!(serde_json::to_string(&EventId::from_random("1")).unwrap(), "\"evt_1\"");
    }

    #[test]
    fn transaction_ids_look_like_the_seed() {
        assert_eq!(
            TransactionId::from_sequence(7272).to_string(),
            "TX000007272"
        );
        assert_eq!(
            TransactionId::parse("TX000007272").unwrap().sequence(),
            7272
        );
        assert_eq!(
            TransactionId::parse("TX1234567890").unwrap().sequence(),
            1_234_567_890
        );
        assert_eq!(
            TransactionId::from_sequence(7272).sahelpay(),
            "txn_000000007272"
        );
        assert_eq!(
            TransactionId::parse("txn_000000007272").unwrap().sequence(),
            7272
        );
        for bad in [
            "txn_abc123def456",
            "txn_",
            "TXN_000000007272",
            "",
            "TX",
            "TX7272",
            "tx000007272",
            "TX00000727a",
            "TX-00000001",
        ] {
            assert!(
                TransactionId::parse(bad).is_err(),
                "{bad} should be refused"
            );
        }
        // Well formed, and no payment has it.
        assert_eq!(TransactionId::parse("TX000000000").unwrap().sequence(), 0);
    }
}
