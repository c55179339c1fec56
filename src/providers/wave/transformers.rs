//! Where a Wave checkout session stands, in Dalal's words. A session has two statuses
//! (`https://docs.wave.com/checkout`, "Checkout session object"): `checkout_status` (`open`,
//! `complete`, `expired`) and `payment_status` (`processing`, `cancelled`, `succeeded`), plus
//! `last_payment_error` when the customer's last try failed. Dalal stores them as one word.

use super::wire::Session;
use crate::domain::FailureCode;
use crate::providers::AttemptOutcome;

/// The word stored as the attempt's `raw_status`: `open`, `succeeded`, `expired`,
/// `cancelled:<last_payment_error code>`, or `<checkout_status>/<payment_status>` for a pair
/// the docs do not describe (read as `Unrecognised`).
pub fn status_word(session: &Session) -> String {
    let error = session.last_payment_error.as_ref().map(|e| e.code.as_str());
    match (
        session.checkout_status.as_str(),
        session.payment_status.as_str(),
    ) {
        ("complete", "succeeded") => "succeeded".to_owned(),
        ("expired", _) => "expired".to_owned(),
        // A failed try: the docs' `checkout.session.payment_failed`.
        ("open", "cancelled") => format!("cancelled:{}", error.unwrap_or_default()),
        ("open", "processing") => match error {
            Some(code) => format!("cancelled:{code}"),
            None => "open".to_owned(),
        },
        (checkout, payment) => format!("{checkout}/{payment}"),
    }
}

/// Reads a stored word. Every `last_payment_error` code the docs list maps to a failure code;
/// an unlisted one is `Failed(Unknown)`; an unknown word leaves the attempt open.
pub fn outcome(word: &str) -> AttemptOutcome {
    use FailureCode as F;
    let (status, reason) = word.split_once(':').unwrap_or((word, ""));
    match status {
        "open" => AttemptOutcome::Waiting,
        "processing" => AttemptOutcome::CustomerAsked,
        "succeeded" => AttemptOutcome::Succeeded,
        "expired" => AttemptOutcome::Failed(F::Expired),
        "cancelled" => AttemptOutcome::Failed(match reason {
            // No error: the customer turned the payment down in the app.
            "" | "declined" => F::Declined,
            "insufficient-funds" => F::InsufficientFunds,
            // Wave refuses the payer: their account, age, limits or country.
            "blocked-account"
            | "customer-age-limit-exceeded"
            | "kyb-limits-exceeded"
            | "cross-border-payment-not-allowed" => F::Declined,
            // `restrict_payer_mobile` named someone else.
            "payer-mobile-mismatch" => F::PayerNotFound,
            _ => F::Unknown,
        }),
        _ => AttemptOutcome::Unrecognised,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::wave::wire::PaymentError;

    fn session(checkout: &str, payment: &str, error: Option<&str>) -> Session {
        Session {
            id: "cos-1".into(),
            amount: "1000".into(),
            checkout_status: checkout.into(),
            client_reference: None,
            currency: "XOF".into(),
            error_url: "https://example.com/e".into(),
            last_payment_error: error.map(|code| PaymentError {
                code: code.into(),
                message: String::new(),
            }),
            payment_status: payment.into(),
            success_url: "https://example.com/s".into(),
            wave_launch_url: "https://pay.wave.com/c/cos-1".into(),
            when_created: "2026-12-02T10:00:00Z".into(),
            when_expires: "2026-12-02T10:30:00Z".into(),
            when_completed: None,
            transaction_id: None,
        }
    }

    #[test]
    fn every_documented_pair_reads_as_dalal_expects() {
        let cases = [
            (session("open", "processing", None), AttemptOutcome::Waiting),
            (
                session("complete", "succeeded", None),
                AttemptOutcome::Succeeded,
            ),
            (
                session("expired", "processing", None),
                AttemptOutcome::Failed(FailureCode::Expired),
            ),
            (
                session("open", "cancelled", Some("insufficient-funds")),
                AttemptOutcome::Failed(FailureCode::InsufficientFunds),
            ),
            (
                session("open", "processing", Some("payer-mobile-mismatch")),
                AttemptOutcome::Failed(FailureCode::PayerNotFound),
            ),
            (
                session("open", "cancelled", None),
                AttemptOutcome::Failed(FailureCode::Declined),
            ),
            (
                session("open", "cancelled", Some("something-new")),
                AttemptOutcome::Failed(FailureCode::Unknown),
            ),
            (
                session("complete", "processing", None),
                AttemptOutcome::Unrecognised,
            ),
        ];
        for (session, expected) in cases {
            let word = status_word(&session);
            assert_eq!(outcome(&word), expected, "{word}");
        }
    }
}
