//! Where an Orange Money payment stands, in Dalal's words. A transaction's `status` is
//! `INITIATED`, `PENDING`, `SUCCESS`, `FAILED`, `CANCELLED` or `EXPIRED`, and a failed one has an
//! `errorCode` (`https://developer.orange-sonatel.com`, "Transactions"). A QR code nobody has paid
//! yet has no transaction: Dalal reads it as `INITIATED`. Dalal stores `STATUS[:errorCode]`.

use super::wire::Transaction;
use crate::domain::FailureCode;
use crate::providers::AttemptOutcome;

/// The word for a QR code with no transaction yet.
pub const NOT_PAID_YET: &str = "INITIATED";

/// The word stored as the attempt's `raw_status`.
pub fn status_word(transaction: &Transaction) -> String {
    match &transaction.error_code {
        Some(code) if matches!(transaction.status.as_str(), "FAILED" | "CANCELLED") => {
            format!("{}:{code}", transaction.status)
        }
        _ => transaction.status.clone(),
    }
}

/// Reads a stored word. Every documented error code maps to a failure code; an unlisted one is
/// `Failed(Unknown)`; an unknown status leaves the attempt open.
pub fn outcome(word: &str) -> AttemptOutcome {
    use FailureCode as F;
    let (status, reason) = word.split_once(':').unwrap_or((word, ""));
    match status {
        "INITIATED" => AttemptOutcome::Waiting,
        "PENDING" => AttemptOutcome::CustomerAsked,
        "SUCCESS" => AttemptOutcome::Succeeded,
        "EXPIRED" => AttemptOutcome::Failed(F::Expired),
        // The customer turned the payment down in the app.
        "CANCELLED" => AttemptOutcome::Failed(F::Declined),
        "FAILED" => AttemptOutcome::Failed(match reason {
            "INSUFFICIENT_BALANCE" | "CUSTOMER_LIMIT_REACHED" => F::InsufficientFunds,
            "CANCELLED_BY_USER" => F::Declined,
            "TIMEOUT" => F::Expired,
            "OTP_INVALID" | "OTP_EXPIRED" => F::InvalidOtp,
            "CUSTOMER_NOT_FOUND" => F::PayerNotFound,
            "DUPLICATE_TRANSACTION" => F::Duplicate,
            _ => F::Unknown,
        }),
        _ => AttemptOutcome::Unrecognised,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::orange_money::wire::Amount;

    fn transaction(status: &str, error: Option<&str>) -> Transaction {
        Transaction {
            transaction_id: "MP261202.1200.A00001".into(),
            status: status.into(),
            error_code: error.map(str::to_owned),
            amount: Amount {
                unit: "XOF".into(),
                value: 1000,
            },
            reference: None,
            qr_id: None,
            metadata: Default::default(),
            payment_method: "QRCODE".into(),
            created_at: "2026-12-02T10:00:00Z".into(),
        }
    }

    #[test]
    fn every_documented_status_reads_as_dalal_expects() {
        use FailureCode as F;
        let cases = [
            (transaction("INITIATED", None), AttemptOutcome::Waiting),
            (transaction("PENDING", None), AttemptOutcome::CustomerAsked),
            (transaction("SUCCESS", None), AttemptOutcome::Succeeded),
            (
                transaction("FAILED", Some("INSUFFICIENT_BALANCE")),
                AttemptOutcome::Failed(F::InsufficientFunds),
            ),
            (
                transaction("FAILED", Some("CANCELLED_BY_USER")),
                AttemptOutcome::Failed(F::Declined),
            ),
            (
                transaction("FAILED", Some("TIMEOUT")),
                AttemptOutcome::Failed(F::Expired),
            ),
            (
                transaction("FAILED", Some("SOMETHING_NEW")),
                AttemptOutcome::Failed(F::Unknown),
            ),
            (
                transaction("CANCELLED", None),
                AttemptOutcome::Failed(F::Declined),
            ),
            (
                transaction("EXPIRED", None),
                AttemptOutcome::Failed(F::Expired),
            ),
            (transaction("ON_HOLD", None), AttemptOutcome::Unrecognised),
        ];
        for (transaction, expected) in cases {
            let word = status_word(&transaction);
            assert_eq!(outcome(&word), expected, "{word}");
        }
        // A SUCCESS never carries its error code into the word.
        assert_eq!(
            status_word(&transaction("SUCCESS", Some("X"))),
            "SUCCESS".to_owned()
        );
        assert_eq!(outcome(NOT_PAID_YET), AttemptOutcome::Waiting);
    }
}
