//! Payouts: money a merchant sends from its provider account to a recipient's wallet. Where one
//! stands, which moves are allowed, and why one failed, in the merchant's words (French first).

use super::ProviderCode;

crate::words! {
    /// `pending` until sent, `processing` while the provider works on it (or its answer is not
    /// known yet), then `succeeded`, `failed` or `cancelled` (never sent). Wave alone can take a
    /// succeeded payout back: `reversed` (PROVIDERS.md, "Reversal").
    pub enum PayoutStatus: "payout status" {
        Pending = "pending",
        Processing = "processing",
        Succeeded = "succeeded",
        Failed = "failed",
        Cancelled = "cancelled",
        Reversed = "reversed",
    }
}

impl PayoutStatus {
    /// Whether nothing can change it any more (but a reversal of a succeeded one).
    pub fn is_final(self) -> bool {
        !matches!(self, PayoutStatus::Pending | PayoutStatus::Processing)
    }

    /// The moves a payout may make; any other is a bug, refused by `db::payouts::transition`'s
    /// caller. A payout in `processing` may have moved money: it never becomes `cancelled`; it
    /// goes back to `pending` only when its provider could not be reached at all (nothing left).
    pub fn may_become(self, to: PayoutStatus) -> bool {
        use PayoutStatus::*;
        matches!(
            (self, to),
            (Pending, Processing | Cancelled | Failed)
                | (Processing, Succeeded | Failed | Pending)
                | (Succeeded, Reversed)
        )
    }

    /// Whether the merchant's money is spent or held by it (counts toward the daily limit).
    pub fn holds_money(self) -> bool {
        matches!(
            self,
            PayoutStatus::Pending | PayoutStatus::Processing | PayoutStatus::Succeeded
        )
    }
}

crate::words! {
    /// Whether a payout waits for a second person: `required` above the merchant's threshold
    /// until another dashboard user than its creator says `approved` (then it is sent) or
    /// `rejected` (then it is cancelled, never sent).
    pub enum PayoutApproval: "payout approval" {
        None = "none",
        Required = "required",
        Approved = "approved",
        Rejected = "rejected",
    }
}

crate::words! {
    /// Why a payout failed, one stable code per reason (each connector maps its provider's words).
    pub enum PayoutFailure: "payout failure" {
        /// The merchant's provider account cannot cover the amount and its fee.
        InsufficientFunds = "insufficient-funds",
        /// The number has no wallet with this provider.
        RecipientNotFound = "recipient-not-found",
        /// The recipient's wallet is blocked, inactive, or may not receive (a minor's).
        RecipientBlocked = "recipient-blocked",
        /// The recipient's wallet is at its ceiling (monthly or balance).
        RecipientLimit = "recipient-limit",
        /// Cancelled at the provider before it was sent (pawaPay's `MANUALLY_CANCELLED`).
        CancelledByProvider = "cancelled-by-provider",
        /// The provider refused the request itself (its account cannot pay out there, a bad
        /// field): Dalal's configuration or a bug, never the recipient's.
        Refused = "refused",
        /// The provider said "failed" without a reason Dalal knows (its own code is kept).
        Unknown = "unknown",
    }
}

impl PayoutFailure {
    /// What the merchant reads, in French and in English.
    pub fn texts(self, provider: ProviderCode) -> (String, String) {
        let name = provider.name();
        match self {
            PayoutFailure::InsufficientFunds => (
                format!("Solde insuffisant sur votre compte {name} pour ce montant et ses frais."),
                format!("Your {name} account's balance cannot cover this amount and its fee."),
            ),
            PayoutFailure::RecipientNotFound => (
                format!("Ce numéro n'a pas de compte {name}."),
                format!("This number has no {name} account."),
            ),
            PayoutFailure::RecipientBlocked => (
                format!("Le compte {name} du bénéficiaire est bloqué ou ne peut pas recevoir d'argent."),
                format!("The recipient's {name} account is blocked or cannot receive money."),
            ),
            PayoutFailure::RecipientLimit => (
                format!("Le compte {name} du bénéficiaire a atteint son plafond."),
                format!("The recipient's {name} account has reached its limit."),
            ),
            PayoutFailure::CancelledByProvider => (
                format!("{name} a annulé ce paiement avant de l'envoyer."),
                format!("{name} cancelled this payout before sending it."),
            ),
            PayoutFailure::Refused => (
                format!("{name} a refusé la demande de paiement sortant."),
                format!("{name} refused the payout request."),
            ),
            PayoutFailure::Unknown => (
                format!("Le paiement sortant {name} a échoué."),
                format!("The {name} payout failed."),
            ),
        }
    }
}

/// A payout's failure as its provider reported it: Dalal's code and, when Dalal has no word for
/// the provider's, the provider's own code (for the merchant's support).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutFailed {
    pub code: PayoutFailure,
    pub provider_code: Option<String>,
}

impl PayoutFailed {
    pub fn new(code: PayoutFailure) -> Self {
        Self {
            code,
            provider_code: None,
        }
    }

    /// A provider's code Dalal does not know: `Unknown`, keeping it (letters, digits, `-`, `_`,
    /// `.`; at most 40 characters).
    pub fn unknown(provider_code: &str) -> Self {
        Self::with_code(PayoutFailure::Unknown, provider_code)
    }

    /// A known reason, with the provider's own word kept beside it.
    pub fn with_code(code: PayoutFailure, provider_code: &str) -> Self {
        let kept: String = provider_code
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .take(40)
            .collect();
        Self {
            code,
            provider_code: Some(kept).filter(|c| !c.is_empty()),
        }
    }

    /// The merchant's French sentence, naming the provider's code when Dalal had no word for it.
    pub fn message_fr(&self, provider: ProviderCode) -> String {
        let (fr, _) = self.code.texts(provider);
        match (&self.provider_code, self.code) {
            (Some(theirs), PayoutFailure::Unknown | PayoutFailure::Refused) => {
                format!("{} (code {theirs})", fr.trim_end_matches('.'))
            }
            _ => fr,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payout_that_may_have_moved_money_is_never_cancelled() {
        assert!(PayoutStatus::Pending.may_become(PayoutStatus::Cancelled));
        assert!(!PayoutStatus::Processing.may_become(PayoutStatus::Cancelled));
        assert!(PayoutStatus::Processing.may_become(PayoutStatus::Pending));
        assert!(!PayoutStatus::Failed.may_become(PayoutStatus::Succeeded));
        assert!(PayoutStatus::Succeeded.may_become(PayoutStatus::Reversed));
        for s in PayoutStatus::ALL {
            assert_eq!(PayoutStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn an_unknown_code_is_named_to_the_merchant() {
        let failed = PayoutFailed::unknown("weird code!");
        assert_eq!(failed.provider_code.as_deref(), Some("weirdcode"));
        assert!(failed.message_fr(ProviderCode::Wave).ends_with("(code weirdcode)"));
    }
}
