//! The status words of the providers the sandbox plays in process (Free Money, Moov Money, the
//! card acquirer), mapped to Dalal's `AttemptOutcome`. The emulated providers' words are read by
//! their live connectors, never here.

use crate::domain::{Failure, FailureCode, ProviderCode};
use crate::providers::AttemptOutcome;

/// Reads a sandbox provider's `status[:reason]` word. A status word not listed here is
/// `Unrecognised` (the attempt stays open); a known failure with an unknown reason is
/// `Failed(Unknown)`.
pub fn outcome(provider: ProviderCode, raw: &str) -> AttemptOutcome {
    use FailureCode as F;
    let (status, reason) = raw.split_once(':').unwrap_or((raw, ""));
    let failed = |code| AttemptOutcome::Failed(Failure::new(code));
    match provider {
        // Card acquirers: AUTHORISED, REFUSED with an ISO 8583 response code, and a pending
        // 3-D Secure authentication.
        ProviderCode::Card => match status {
            "PENDING_AUTHENTICATION" => AttemptOutcome::CustomerAsked,
            "AUTHORISED" => AttemptOutcome::Succeeded,
            "EXPIRED" => failed(F::Expired),
            "REFUSED" => failed(match reason {
                "05" => F::CardDeclined,
                "51" => F::InsufficientFunds,
                "54" => F::CardExpired,
                "AUTHENTICATION_FAILED" => F::AuthenticationFailed,
                _ => F::CardDeclined,
            }),
            _ => AttemptOutcome::Unrecognised,
        },
        // Free Money, Moov Money: INITIATED, PENDING, SUCCESS, FAILED with a reason.
        _ => match status {
            "INITIATED" => AttemptOutcome::Waiting,
            "PENDING" => AttemptOutcome::CustomerAsked,
            "SUCCESS" => AttemptOutcome::Succeeded,
            "FAILED" => failed(match reason {
                "INSUFFICIENT_BALANCE" => F::InsufficientFunds,
                "CANCELLED_BY_USER" => F::Declined,
                "TIMEOUT" => F::Expired,
                _ => F::Unknown,
            }),
            _ => AttemptOutcome::Unrecognised,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_vocabulary_maps_to_outcomes() {
        use FailureCode as F;
        let failed = |code| AttemptOutcome::Failed(Failure::new(code));
        let cases = [
            (
                ProviderCode::MoovMoney,
                "SUCCESS",
                AttemptOutcome::Succeeded,
            ),
            (
                ProviderCode::FreeMoney,
                "PENDING",
                AttemptOutcome::CustomerAsked,
            ),
            (
                ProviderCode::FreeMoney,
                "FAILED:TIMEOUT",
                failed(F::Expired),
            ),
            (
                ProviderCode::MoovMoney,
                "FAILED:SOMETHING_NEW",
                failed(F::Unknown),
            ),
            (ProviderCode::Card, "AUTHORISED", AttemptOutcome::Succeeded),
            (
                ProviderCode::Card,
                "PENDING_AUTHENTICATION",
                AttemptOutcome::CustomerAsked,
            ),
            (
                ProviderCode::Card,
                "REFUSED:51",
                failed(F::InsufficientFunds),
            ),
            (
                ProviderCode::Card,
                "REFUSED:AUTHENTICATION_FAILED",
                failed(F::AuthenticationFailed),
            ),
        ];
        for (provider, raw, expected) in cases {
            assert_eq!(outcome(provider, raw), expected, "{provider} {raw}");
        }
    }

    #[test]
    fn an_unknown_status_word_is_never_a_failure() {
        // A provider may add a word ("PROCESSING", "ON_HOLD") for money that is still moving.
        for provider in [
            ProviderCode::FreeMoney,
            ProviderCode::MoovMoney,
            ProviderCode::Card,
        ] {
            for word in ["gibberish", "ON_HOLD", "", "processing:later"] {
                assert_eq!(
                    outcome(provider, word),
                    AttemptOutcome::Unrecognised,
                    "{provider} {word:?}"
                );
            }
        }
    }
}
