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
        digits
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Self)
            .ok_or_else(invalid)
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

#[cfg(test)]
mod tests {
    use super::*;

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
            "TX000000000",
            "TX-00000001",
        ] {
            assert!(
                TransactionId::parse(bad).is_err(),
                "{bad} should be refused"
            );
        }
    }
}
