//! Provider status words, as each provider spells them, mapped to Dalal's `AttemptOutcome`.
//! Sources: PRODUCT.md "Provider facts" (Wave Checkout API, Orange Money QR/OTP, MTN MoMo
//! request-to-pay, Moov Money push).

use super::AttemptOutcome;
use crate::domain::{FailureCode, ProviderCode};

/// Reads a provider's `status[:reason]` word. A status word not listed here is `Unrecognised`
/// (the attempt stays open); a known failure with an unknown reason is `Failed(Unknown)`.
pub fn outcome(provider: ProviderCode, raw: &str) -> AttemptOutcome {
    use FailureCode as F;
    let (status, reason) = raw.split_once(':').unwrap_or((raw, ""));
    let failed = AttemptOutcome::Failed;
    match provider {
        ProviderCode::Wave => super::wave::transformers::outcome(raw),
        ProviderCode::MtnMomo => super::mtn_momo::transformers::outcome(raw),
        ProviderCode::OrangeMoney => super::orange_money::transformers::outcome(raw),
        // Free Money, Moov Money: INITIATED, PENDING, SUCCESS, FAILED with a reason.
        ProviderCode::FreeMoney | ProviderCode::MoovMoney => match status {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_vocabulary_maps_to_outcomes() {
        use FailureCode as F;
        let cases = [
            (ProviderCode::Wave, "succeeded", AttemptOutcome::Succeeded),
            (
                ProviderCode::Wave,
                "processing",
                AttemptOutcome::CustomerAsked,
            ),
            (ProviderCode::Wave, "open", AttemptOutcome::Waiting),
            (
                ProviderCode::Wave,
                "cancelled:insufficient-funds",
                AttemptOutcome::Failed(F::InsufficientFunds),
            ),
            (
                ProviderCode::MtnMomo,
                "SUCCESSFUL",
                AttemptOutcome::Succeeded,
            ),
            (
                ProviderCode::MtnMomo,
                "FAILED:NOT_ENOUGH_FUNDS",
                AttemptOutcome::Failed(F::InsufficientFunds),
            ),
            (
                ProviderCode::MtnMomo,
                "FAILED:PAYER_NOT_FOUND",
                AttemptOutcome::Failed(F::PayerNotFound),
            ),
            (
                ProviderCode::MoovMoney,
                "SUCCESS",
                AttemptOutcome::Succeeded,
            ),
            (
                ProviderCode::OrangeMoney,
                "FAILED:TIMEOUT",
                AttemptOutcome::Failed(F::Expired),
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
                AttemptOutcome::Failed(F::InsufficientFunds),
            ),
            (
                ProviderCode::Card,
                "REFUSED:AUTHENTICATION_FAILED",
                AttemptOutcome::Failed(F::AuthenticationFailed),
            ),
        ];
        for (provider, raw, expected) in cases {
            assert_eq!(outcome(provider, raw), expected, "{provider} {raw}");
        }
    }

    #[test]
    fn an_unknown_status_word_is_never_a_failure() {
        // A provider may add a word ("PROCESSING", "ON_HOLD") for money that is still moving.
        for provider in ProviderCode::ALL {
            for word in ["gibberish", "ON_HOLD", "", "processing:later"] {
                let got = outcome(provider, word);
                let expected = match (provider, word) {
                    (ProviderCode::Wave, "processing:later") => AttemptOutcome::CustomerAsked,
                    _ => AttemptOutcome::Unrecognised,
                };
                assert_eq!(got, expected, "{provider} {word:?}");
            }
        }
        // A failure whose reason is new is still a failure: the provider said the money did not move.
        assert_eq!(
            outcome(ProviderCode::MtnMomo, "FAILED:SOMETHING_NEW"),
            AttemptOutcome::Failed(FailureCode::Unknown)
        );
    }
}
