//! Why an attempt failed, as one stable code per reason, with what the customer reads in French
//! and English from one table. Providers' own words are mapped to these codes in each connector's
//! `transformers.rs`; the code is stored on the attempt and shown in the page's language.

use super::ProviderCode;

crate::words! {
    pub enum FailureCode: "failure code" {
        InsufficientFunds = "insufficient-funds",
        /// The customer refused on their phone.
        Declined = "declined",
        /// The customer did not answer in time.
        Expired = "expired",
        PayerNotFound = "payer-not-found",
        /// Orange Money's one-time code was wrong or used.
        InvalidOtp = "invalid-otp",
        /// A provider refuses the same payment twice in a short window.
        Duplicate = "duplicate",
        /// The provider could not be reached.
        Unavailable = "unavailable",
        MissingPhone = "missing-phone",
        CardDeclined = "card-declined",
        CardExpired = "card-expired",
        AuthenticationFailed = "authentication-failed",
        /// The provider said "failed" without a reason Dalal knows.
        Unknown = "unknown",
        /// Dalal itself failed while starting the attempt (the log has why).
        Internal = "error",
    }
}

impl FailureCode {
    /// What the customer reads, in French and in English. Card failures speak of the bank,
    /// mobile-money failures of the provider's account.
    pub fn texts(self, provider: ProviderCode) -> (String, String) {
        let name = provider.name();
        let card = provider == ProviderCode::Card;
        let pair = |fr: &str, en: &str| (fr.to_owned(), en.to_owned());
        match self {
            FailureCode::InsufficientFunds if card => pair(
                "Provision insuffisante : votre banque a refusé le paiement. Essayez une autre carte ou un autre moyen de paiement.",
                "Insufficient funds: your bank declined the payment. Try another card or method.",
            ),
            FailureCode::InsufficientFunds => (
                format!(
                    "Solde insuffisant sur votre compte {name}. Rechargez-le ou choisissez un autre moyen de paiement."
                ),
                format!(
                    "Insufficient balance on your {name} account. Top it up or choose another method."
                ),
            ),
            FailureCode::Declined | FailureCode::CardDeclined if card => pair(
                "Votre banque a refusé le paiement. Essayez une autre carte ou un autre moyen de paiement.",
                "Your bank declined the payment. Try another card or method.",
            ),
            FailureCode::Declined | FailureCode::CardDeclined => (
                format!("Le paiement a été refusé sur votre téléphone ({name})."),
                format!("The payment was declined on your phone ({name})."),
            ),
            FailureCode::Expired if card => pair(
                "Vous n'avez pas confirmé le paiement auprès de votre banque à temps. Vous pouvez réessayer.",
                "You did not confirm the payment with your bank in time. You can try again.",
            ),
            FailureCode::Expired => pair(
                "Vous n'avez pas confirmé à temps : la demande a expiré. Vous pouvez réessayer.",
                "You did not confirm in time: the request expired. You can try again.",
            ),
            FailureCode::PayerNotFound => (
                format!("Ce numéro n'a pas de compte {name}."),
                format!("This number has no {name} account."),
            ),
            FailureCode::InvalidOtp => pair(
                "Code de paiement invalide ou expiré. Composez à nouveau le code USSD pour en obtenir un nouveau.",
                "Invalid or expired payment code. Dial the USSD code again to get a new one.",
            ),
            FailureCode::Duplicate => (
                format!(
                    "{name} refuse un second paiement du même montant depuis ce numéro dans un court délai. Réessayez dans quelques minutes."
                ),
                format!(
                    "{name} refuses a second payment of the same amount from this number within a short time. Try again in a few minutes."
                ),
            ),
            FailureCode::Unavailable if card => pair(
                "Le paiement par carte est temporairement indisponible. Choisissez un autre moyen de paiement ou réessayez plus tard.",
                "Card payments are temporarily unavailable. Choose another method or try again later.",
            ),
            FailureCode::Unavailable => (
                format!(
                    "{name} est temporairement indisponible. Choisissez un autre moyen de paiement ou réessayez plus tard."
                ),
                format!(
                    "{name} is temporarily unavailable. Choose another method or try again later."
                ),
            ),
            FailureCode::MissingPhone => pair(
                "Le numéro du payeur est requis.",
                "The payer's phone number is required.",
            ),
            FailureCode::CardExpired => pair(
                "Votre banque indique que cette carte a expiré.",
                "Your bank says this card has expired.",
            ),
            FailureCode::AuthenticationFailed => pair(
                "L'authentification 3-D Secure a échoué : le paiement n'a pas été effectué. Vous pouvez réessayer.",
                "3-D Secure authentication failed: you were not charged. You can try again.",
            ),
            FailureCode::Unknown | FailureCode::Internal if card => pair(
                "Le paiement par carte a échoué. Vous pouvez réessayer ou choisir un autre moyen de paiement.",
                "The card payment failed. You can try again or choose another method.",
            ),
            FailureCode::Unknown | FailureCode::Internal => (
                format!(
                    "Le paiement {name} a échoué. Vous pouvez réessayer ou choisir un autre moyen de paiement."
                ),
                format!("The {name} payment failed. You can try again or choose another method."),
            ),
        }
    }

    pub fn message_fr(self, provider: ProviderCode) -> String {
        self.texts(provider).0
    }

    pub fn message_en(self, provider: ProviderCode) -> String {
        self.texts(provider).1
    }
}

/// A failure as a provider reported it: Dalal's code for the reason, and — when Dalal has no
/// word for the provider's — the provider's own code, which the customer then reads
/// (« refusé par Orange Money (code 60) ») so that support can look it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: FailureCode,
    provider_code: Option<String>,
}

impl Failure {
    /// A failure whose reason Dalal knows.
    pub fn new(code: FailureCode) -> Self {
        Self {
            code,
            provider_code: None,
        }
    }

    /// A refusal whose code Dalal does not know: `Unknown`, keeping the provider's code (letters,
    /// digits, `-`, `_` and `.`; at most 32 characters: it is shown to the customer).
    pub fn unknown(provider_code: &str) -> Self {
        let code: String = provider_code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .take(32)
            .collect();
        Self {
            code: FailureCode::Unknown,
            provider_code: Some(code).filter(|c| !c.is_empty()),
        }
    }

    /// The provider's own code, when Dalal had no word for it.
    pub fn provider_code(&self) -> Option<&str> {
        self.provider_code.as_deref()
    }

    /// What the customer reads, in French and in English.
    pub fn texts(&self, provider: ProviderCode) -> (String, String) {
        match &self.provider_code {
            Some(theirs) if self.code == FailureCode::Unknown => {
                let name = provider.name();
                (
                    format!(
                        "Paiement refusé par {name} (code {theirs}). Vous pouvez réessayer ou choisir un autre moyen de paiement."
                    ),
                    format!(
                        "Payment refused by {name} (code {theirs}). You can try again or choose another method."
                    ),
                )
            }
            _ => self.code.texts(provider),
        }
    }

    pub fn message_fr(&self, provider: ProviderCode) -> String {
        self.texts(provider).0
    }
}

impl From<FailureCode> for Failure {
    fn from(code: FailureCode) -> Self {
        Self::new(code)
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_has_both_languages() {
        for code in FailureCode::ALL {
            assert_eq!(FailureCode::parse(code.as_str()), Some(code));
            for provider in ProviderCode::ALL {
                let (fr, en) = code.texts(provider);
                assert!(!fr.is_empty() && !en.is_empty());
                assert_ne!(fr, en, "{code} for {provider} is not translated");
            }
        }
        assert_eq!(FailureCode::parse("nonsense"), None);
    }

    #[test]
    fn an_unknown_refusal_names_the_providers_code_and_nothing_else() {
        let failure = Failure::unknown("60");
        assert_eq!(failure.code, FailureCode::Unknown);
        let (fr, en) = failure.texts(ProviderCode::OrangeMoney);
        assert!(fr.contains("refusé par Orange Money (code 60)"), "{fr}");
        assert!(en.contains("refused by Orange Money (code 60)"), "{en}");
        // A provider's text cannot smuggle markup or a long story into the page.
        let odd = Failure::unknown("<b>2000</b> please call +221…");
        assert_eq!(odd.provider_code(), Some("b2000bpleasecall221"));
        // A known reason speaks for itself.
        let known = Failure::new(FailureCode::InsufficientFunds);
        assert_eq!(
            known.texts(ProviderCode::Wave),
            FailureCode::InsufficientFunds.texts(ProviderCode::Wave)
        );
        assert_eq!(Failure::unknown("").provider_code(), None);
    }

    #[test]
    fn internal_failures_say_nothing_of_the_cause() {
        let (fr, en) = FailureCode::Internal.texts(ProviderCode::Wave);
        assert!(fr.contains("a échoué") && en.contains("failed"));
    }
}
