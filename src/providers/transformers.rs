//! Provider status words, as each provider spells them, mapped to Dalal's `AttemptOutcome`.
//! Sources: PRODUCT.md "Provider facts" (Wave Checkout API, Orange Money QR/OTP, MTN MoMo
//! request-to-pay, Moov Money push).

use super::AttemptOutcome;
use crate::domain::ProviderCode;

/// Reads a provider's `status[:reason]` word.
pub fn outcome(provider: ProviderCode, raw: &str) -> AttemptOutcome {
    let (status, reason) = raw.split_once(':').unwrap_or((raw, ""));
    let failed = |code: &str| AttemptOutcome::Failed {
        code: code.to_owned(),
        message: failure_message(provider, code),
    };
    match provider {
        // Wave: checkout_status open/complete/expired, payment_status processing/cancelled/succeeded,
        // last_payment_error codes such as insufficient-funds.
        ProviderCode::Wave => match status {
            "open" => AttemptOutcome::Waiting,
            "processing" => AttemptOutcome::CustomerAsked,
            "succeeded" => AttemptOutcome::Succeeded,
            "expired" => failed("expired"),
            "cancelled" => failed(if reason.is_empty() {
                "declined"
            } else {
                reason
            }),
            _ => failed("unknown"),
        },
        // MTN MoMo: PENDING, SUCCESSFUL, FAILED with a reason (APPROVAL_REJECTED, EXPIRED, …).
        ProviderCode::MtnMomo => match status {
            "CREATED" => AttemptOutcome::Waiting,
            "PENDING" => AttemptOutcome::CustomerAsked,
            "SUCCESSFUL" => AttemptOutcome::Succeeded,
            "FAILED" => failed(match reason {
                "NOT_ENOUGH_FUNDS" => "insufficient-funds",
                "APPROVAL_REJECTED" => "declined",
                "EXPIRED" => "expired",
                "PAYER_NOT_FOUND" => "payer-not-found",
                _ => "unknown",
            }),
            _ => failed("unknown"),
        },
        // Orange Money, Free Money, Moov Money: INITIATED, PENDING, SUCCESS, FAILED with a reason.
        ProviderCode::OrangeMoney | ProviderCode::FreeMoney | ProviderCode::MoovMoney => {
            match status {
                "INITIATED" => AttemptOutcome::Waiting,
                "PENDING" => AttemptOutcome::CustomerAsked,
                "SUCCESS" => AttemptOutcome::Succeeded,
                "FAILED" => failed(match reason {
                    "INSUFFICIENT_BALANCE" => "insufficient-funds",
                    "CANCELLED_BY_USER" => "declined",
                    "TIMEOUT" => "expired",
                    _ => "unknown",
                }),
                _ => failed("unknown"),
            }
        }
        // Card acquirers: AUTHORISED, REFUSED with an ISO 8583 response code, and a pending
        // 3-D Secure authentication.
        ProviderCode::Card => match status {
            "PENDING_AUTHENTICATION" => AttemptOutcome::CustomerAsked,
            "AUTHORISED" => AttemptOutcome::Succeeded,
            "EXPIRED" => failed("expired"),
            "REFUSED" => failed(match reason {
                "05" => "card-declined",
                "51" => "insufficient-funds",
                "54" => "card-expired",
                "AUTHENTICATION_FAILED" => "authentication-failed",
                _ => "card-declined",
            }),
            _ => failed("unknown"),
        },
    }
}

/// What the customer reads when an attempt fails, by Dalal's stable failure code.
pub fn failure_message(provider: ProviderCode, code: &str) -> String {
    let name = provider.name();
    if provider == ProviderCode::Card {
        return match code {
            "insufficient-funds" => "Provision insuffisante : votre banque a refusé le paiement. Essayez une autre carte ou un autre moyen de paiement.".to_owned(),
            "card-declined" => "Votre banque a refusé le paiement. Essayez une autre carte ou un autre moyen de paiement.".to_owned(),
            "card-expired" => "Votre banque indique que cette carte a expiré.".to_owned(),
            "authentication-failed" => "L'authentification 3-D Secure a échoué : le paiement n'a pas été effectué. Vous pouvez réessayer.".to_owned(),
            "expired" => "Vous n'avez pas confirmé le paiement auprès de votre banque à temps. Vous pouvez réessayer.".to_owned(),
            "unavailable" => "Le paiement par carte est temporairement indisponible. Choisissez un autre moyen de paiement ou réessayez plus tard.".to_owned(),
            _ => "Le paiement par carte a échoué. Vous pouvez réessayer ou choisir un autre moyen de paiement.".to_owned(),
        };
    }
    match code {
        "insufficient-funds" => format!("Solde insuffisant sur votre compte {name}. Rechargez-le ou choisissez un autre moyen de paiement."),
        "declined" => format!("Le paiement a été refusé sur votre téléphone ({name})."),
        "expired" => "Vous n'avez pas confirmé à temps : la demande a expiré. Vous pouvez réessayer.".to_owned(),
        "payer-not-found" => format!("Ce numéro n'a pas de compte {name}."),
        "invalid-otp" => "Code de paiement invalide ou expiré. Composez à nouveau le code USSD pour en obtenir un nouveau.".to_owned(),
        "duplicate" => format!("{name} refuse un second paiement du même montant depuis ce numéro dans un court délai. Réessayez dans quelques minutes."),
        "unavailable" => format!("{name} est temporairement indisponible. Choisissez un autre moyen de paiement ou réessayez plus tard."),
        _ => format!("Le paiement {name} a échoué. Vous pouvez réessayer ou choisir un autre moyen de paiement."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_vocabulary_maps_to_outcomes() {
        assert_eq!(
            outcome(ProviderCode::Wave, "succeeded"),
            AttemptOutcome::Succeeded
        );
        assert_eq!(
            outcome(ProviderCode::Wave, "processing"),
            AttemptOutcome::CustomerAsked
        );
        assert_eq!(
            outcome(ProviderCode::MtnMomo, "SUCCESSFUL"),
            AttemptOutcome::Succeeded
        );
        assert_eq!(
            outcome(ProviderCode::MoovMoney, "SUCCESS"),
            AttemptOutcome::Succeeded
        );
        let AttemptOutcome::Failed { code, message } =
            outcome(ProviderCode::MtnMomo, "FAILED:NOT_ENOUGH_FUNDS")
        else {
            panic!("expected a failure")
        };
        assert_eq!(code, "insufficient-funds");
        assert!(message.contains("MTN MoMo"));
        assert!(
            matches!(outcome(ProviderCode::OrangeMoney, "FAILED:TIMEOUT"), AttemptOutcome::Failed { code, .. } if code == "expired")
        );
        assert!(
            matches!(outcome(ProviderCode::Wave, "gibberish"), AttemptOutcome::Failed { code, .. } if code == "unknown")
        );
        assert_eq!(
            outcome(ProviderCode::Card, "AUTHORISED"),
            AttemptOutcome::Succeeded
        );
        assert_eq!(
            outcome(ProviderCode::Card, "PENDING_AUTHENTICATION"),
            AttemptOutcome::CustomerAsked
        );
        let AttemptOutcome::Failed { code, message } = outcome(ProviderCode::Card, "REFUSED:51")
        else {
            panic!("expected a failure")
        };
        assert_eq!(code, "insufficient-funds");
        assert!(message.contains("banque"), "{message}");
        assert!(
            matches!(outcome(ProviderCode::Card, "REFUSED:AUTHENTICATION_FAILED"), AttemptOutcome::Failed { code, .. } if code == "authentication-failed")
        );
    }
}
