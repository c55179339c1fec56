//! Where an MTN MoMo request to pay stands, in Dalal's words: `status` is `PENDING`,
//! `SUCCESSFUL` or `FAILED`, and a failure has a `reason` (`https://momodeveloper.mtn.com`,
//! "API description", error reason codes). Dalal stores `STATUS[:REASON]`.

use super::wire::RequestToPayResult;
use crate::domain::FailureCode;
use crate::providers::AttemptOutcome;

/// The word stored as the attempt's `raw_status`.
pub fn status_word(result: &RequestToPayResult) -> String {
    match &result.reason {
        Some(reason) if result.status == "FAILED" => format!("FAILED:{reason}"),
        _ => result.status.clone(),
    }
}

/// Reads a stored word. Every documented reason maps to a failure code; an unlisted one is
/// `Failed(Unknown)`; an unknown status leaves the attempt open.
pub fn outcome(word: &str) -> AttemptOutcome {
    use FailureCode as F;
    let (status, reason) = word.split_once(':').unwrap_or((word, ""));
    match status {
        // `CREATED`: the in-process sandbox's word for a request not yet pushed.
        "CREATED" => AttemptOutcome::Waiting,
        "PENDING" => AttemptOutcome::CustomerAsked,
        "SUCCESSFUL" => AttemptOutcome::Succeeded,
        "FAILED" => AttemptOutcome::Failed(match reason {
            "NOT_ENOUGH_FUNDS" | "PAYER_LIMIT_REACHED" => F::InsufficientFunds,
            "APPROVAL_REJECTED" | "TRANSACTION_CANCELED" | "NOT_ALLOWED" => F::Declined,
            "EXPIRED" | "PAYER_DELAYED" | "ONGOING" => F::Expired,
            "PAYER_NOT_FOUND" => F::PayerNotFound,
            "SERVICE_UNAVAILABLE"
            | "INTERNAL_PROCESSING_ERROR"
            | "COULD_NOT_PERFORM_TRANSACTION" => F::Unavailable,
            // The merchant's account or Dalal's request is wrong, not the payer's.
            "PAYEE_NOT_FOUND"
            | "PAYEE_NOT_ALLOWED_TO_RECEIVE"
            | "PAYEE_DELAYED"
            | "NOT_ALLOWED_TARGET_ENVIRONMENT"
            | "INVALID_CALLBACK_URL_HOST"
            | "INVALID_CURRENCY" => F::Internal,
            _ => F::Unknown,
        }),
        _ => AttemptOutcome::Unrecognised,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::mtn_momo::wire::Party;

    fn result(status: &str, reason: Option<&str>) -> RequestToPayResult {
        RequestToPayResult {
            amount: "5000".into(),
            currency: "XOF".into(),
            financial_transaction_id: None,
            external_id: "att_1".into(),
            payer: Party {
                party_id_type: "MSISDN".into(),
                party_id: "2250501234567".into(),
            },
            payer_message: None,
            payee_note: None,
            status: status.into(),
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn statuses_and_reasons_read_as_dalal_expects() {
        use FailureCode as F;
        let cases = [
            (result("PENDING", None), AttemptOutcome::CustomerAsked),
            (result("SUCCESSFUL", None), AttemptOutcome::Succeeded),
            (
                result("FAILED", Some("NOT_ENOUGH_FUNDS")),
                AttemptOutcome::Failed(F::InsufficientFunds),
            ),
            (
                result("FAILED", Some("APPROVAL_REJECTED")),
                AttemptOutcome::Failed(F::Declined),
            ),
            (
                result("FAILED", Some("EXPIRED")),
                AttemptOutcome::Failed(F::Expired),
            ),
            (
                result("FAILED", Some("PAYER_NOT_FOUND")),
                AttemptOutcome::Failed(F::PayerNotFound),
            ),
            (
                result("FAILED", Some("INVALID_CURRENCY")),
                AttemptOutcome::Failed(F::Internal),
            ),
            (
                result("FAILED", Some("SOMETHING_NEW")),
                AttemptOutcome::Failed(F::Unknown),
            ),
            (result("FAILED", None), AttemptOutcome::Failed(F::Unknown)),
            (result("REJECTED", None), AttemptOutcome::Unrecognised),
        ];
        for (result, expected) in cases {
            let word = status_word(&result);
            assert_eq!(outcome(&word), expected, "{word}");
        }
    }
}
