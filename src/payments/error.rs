//! What can go wrong in the core, by variant. Each boundary (the two API dialects, the checkout
//! page) turns a variant into its own answer; none reads the text to decide. `Display` is the
//! French sentence the API shows; the page asks for its language with `text`.

use crate::domain::{Failure, FailureCode, InvalidInput, PaymentStatus, ProviderCode, Unavailable};

#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("{0}")]
    Invalid(#[from] InvalidInput),
    #[error("Transaction introuvable")]
    NotFound,
    /// The payment is not in a state that allows this (already paid, a push in flight, …).
    #[error("{}", .0.texts().0)]
    Conflict(Conflict),
    #[error(
        "Le mode live n'est pas encore activé pour ce compte : utilisez vos clés de test (pk_test_…, sk_test_…)"
    )]
    LiveModeDisabled,
    /// Live mode lacks this provider's credentials (README, "Going live").
    #[error("{} n'est pas encore disponible en mode live pour ce compte", .0.name())]
    NotLive(ProviderCode),
    /// No gateway of the provider could be reached.
    #[error("{}", FailureCode::Unavailable.message_fr(*provider))]
    ProviderUnavailable { provider: ProviderCode },
    /// The provider refused the attempt itself (a wrong one-time code, a duplicate payment).
    #[error("{}", failure.message_fr(*provider))]
    ProviderRefused {
        provider: ProviderCode,
        failure: Failure,
    },
    /// Dalal's own failure. Its text goes to the log only: clients get a generic sentence.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<Conflict> for PaymentError {
    fn from(conflict: Conflict) -> Self {
        PaymentError::Conflict(conflict)
    }
}

impl From<Unavailable> for PaymentError {
    fn from(why: Unavailable) -> Self {
        PaymentError::Invalid(why.into())
    }
}

/// Why a payment cannot do what was asked right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// The payment has ended (or is ending): paid, failed, cancelled, expired.
    AlreadyFinal(PaymentStatus),
    /// Another method choice for this payment is being started with a provider.
    ChoiceInProgress,
    /// A push awaits the customer's answer on their phone.
    AwaitingConfirmation(ProviderCode),
    /// Only a succeeded payment can be refunded.
    NotRefundable(PaymentStatus),
    /// The provider that took the money has no refund API.
    NoRefundApi(ProviderCode),
    /// Everything paid has been refunded (or is being refunded).
    FullyRefunded,
    /// The provider refunds one at a time and has not finished the last refund.
    RefundInProgress(ProviderCode),
    /// The idempotency key was used for another request.
    IdempotencyKeyReused,
    /// Another request took the idempotency key first (the API then replays its answer).
    IdempotencyKeyTaken,
}

impl Conflict {
    /// French and English.
    pub fn texts(self) -> (String, String) {
        match self {
            Conflict::AlreadyFinal(status) => {
                let (fr, en) = match status {
                    PaymentStatus::Succeeded => ("a déjà été payé", "has already been paid"),
                    PaymentStatus::Failed => ("a échoué", "has failed"),
                    PaymentStatus::Cancelled => ("a été annulé", "was cancelled"),
                    PaymentStatus::Expired => ("a expiré", "has expired"),
                    PaymentStatus::Pending | PaymentStatus::Processing => {
                        ("est en cours", "is in progress")
                    }
                };
                (format!("Ce paiement {fr}"), format!("This payment {en}"))
            }
            Conflict::ChoiceInProgress => (
                "Un autre choix de paiement est en cours pour ce paiement. Patientez un instant."
                    .to_owned(),
                "Another payment choice is being made for this payment. Wait a moment.".to_owned(),
            ),
            Conflict::AwaitingConfirmation(provider) => (
                format!(
                    "Une demande de paiement {} attend déjà votre confirmation. Validez-la sur votre téléphone ou attendez qu'elle expire.",
                    provider.name()
                ),
                format!(
                    "A {} payment request is already waiting for your confirmation. Approve it on your phone or wait for it to expire.",
                    provider.name()
                ),
            ),
            Conflict::NotRefundable(status) => (
                format!(
                    "Seul un paiement réussi peut être remboursé (ce paiement est {})",
                    status.as_str()
                ),
                format!(
                    "Only a succeeded payment can be refunded (this one is {})",
                    status.as_str()
                ),
            ),
            Conflict::NoRefundApi(provider) => (
                format!(
                    "{} n'offre pas de remboursement par API : remboursez le client depuis votre espace marchand {}",
                    provider.name(),
                    provider.name()
                ),
                format!(
                    "{} has no refund API: refund the customer from your {} merchant account",
                    provider.name(),
                    provider.name()
                ),
            ),
            Conflict::RefundInProgress(provider) => (
                format!(
                    "Un remboursement de ce paiement est déjà en cours chez {} : attendez qu'il se termine avant d'en demander un autre",
                    provider.name()
                ),
                format!(
                    "A refund of this payment is already in progress at {}: wait until it ends before asking for another",
                    provider.name()
                ),
            ),
            Conflict::FullyRefunded => (
                "Ce paiement a déjà été remboursé en totalité".to_owned(),
                "This payment has already been fully refunded".to_owned(),
            ),
            Conflict::IdempotencyKeyTaken => (
                "Une requête avec la même clé d'idempotence est en cours".to_owned(),
                "A request with the same idempotency key is in progress".to_owned(),
            ),
            Conflict::IdempotencyKeyReused => (
                "Cette clé d'idempotence a déjà servi pour une autre requête : utilisez une nouvelle clé".to_owned(),
                "This idempotency key was used for another request: use a new key".to_owned(),
            ),
        }
    }
}

impl PaymentError {
    /// What a customer reads on the checkout page: French or English, and never the text of an
    /// internal error (that is logged, with its cause chain, here).
    pub fn customer_text(&self, english: bool) -> String {
        let pick = |(fr, en): (String, String)| if english { en } else { fr };
        match self {
            PaymentError::Invalid(e) => (if english { e.en() } else { e.fr() }).to_owned(),
            PaymentError::NotFound => pick((
                "Paiement introuvable".to_owned(),
                "Payment not found".to_owned(),
            )),
            PaymentError::Conflict(c) => pick(c.texts()),
            PaymentError::LiveModeDisabled => pick((
                "Ce marchand n'accepte pas encore de paiements réels.".to_owned(),
                "This merchant does not take real payments yet.".to_owned(),
            )),
            PaymentError::NotLive(provider) => pick((
                format!(
                    "{} n'est pas encore disponible pour ce marchand.",
                    provider.name()
                ),
                format!(
                    "{} is not available for this merchant yet.",
                    provider.name()
                ),
            )),
            PaymentError::ProviderUnavailable { provider } => {
                pick(FailureCode::Unavailable.texts(*provider))
            }
            PaymentError::ProviderRefused { provider, failure } => {
                pick(failure.texts(*provider))
            }
            PaymentError::Internal(err) => {
                tracing::error!(error = ?err, "checkout action failed");
                pick((
                    "Une erreur est survenue. Réessayez dans un instant.".to_owned(),
                    "Something went wrong. Try again in a moment.".to_owned(),
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_never_show_their_cause_to_customers() {
        let err = PaymentError::Internal(anyhow::anyhow!(
            "error returned from database: disk I/O error at /var/lib/dalal/dalal.db"
        ));
        for english in [false, true] {
            let text = err.customer_text(english);
            assert!(
                !text.contains("database") && !text.contains("dalal.db"),
                "{text}"
            );
        }
        assert_eq!(
            err.customer_text(true),
            "Something went wrong. Try again in a moment."
        );
    }

    #[test]
    fn conflicts_speak_both_languages() {
        let err = PaymentError::Conflict(Conflict::AlreadyFinal(PaymentStatus::Succeeded));
        assert_eq!(err.to_string(), "Ce paiement a déjà été payé");
        assert_eq!(
            err.customer_text(true),
            "This payment has already been paid"
        );
    }
}
