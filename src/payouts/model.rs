//! A payout as the core and the API see it, what a merchant asks for, and what can go wrong.

use crate::db::payouts::PayoutRow;
use crate::domain::msisdn::Msisdn;
use crate::domain::{
    Country, Dialect, InvalidInput, Mode, Money, PayoutApproval, PayoutBatchId, PayoutFailed,
    PayoutId, PayoutStatus, ProviderCode,
};

/// A payout, typed.
#[derive(Debug, Clone)]
pub struct Payout {
    pub id: PayoutId,
    pub merchant_id: String,
    pub mode: Mode,
    pub dialect: Dialect,
    pub status: PayoutStatus,
    pub amount: Money,
    pub country: Country,
    pub provider: ProviderCode,
    pub gateway: String,
    pub recipient: Msisdn,
    pub recipient_name: Option<String>,
    pub reason: Option<String>,
    pub external_reference: Option<String>,
    /// The merchant's metadata, as the exact JSON text it sent.
    pub metadata: Option<String>,
    /// The idempotency handle sent to the provider.
    pub handle: String,
    pub provider_reference: Option<String>,
    /// What the provider took on top of the amount, where it says.
    pub fee: Option<i64>,
    pub failure: Option<PayoutFailed>,
    pub request_hash: Option<String>,
    pub sent_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The batch it is a line of, and which line.
    pub batch: Option<(PayoutBatchId, i64)>,
    /// The dashboard user who made it (`None`: the API).
    pub created_by: Option<String>,
    pub approval: PayoutApproval,
    pub approved_by: Option<String>,
}

impl TryFrom<PayoutRow> for Payout {
    type Error = anyhow::Error;

    fn try_from(row: PayoutRow) -> anyhow::Result<Self> {
        let failure = row.failure_code.map(|code| PayoutFailed {
            code,
            provider_code: row.provider_failure_code.clone(),
        });
        Ok(Self {
            amount: Money::new(row.amount, row.currency)
                .map_err(|e| anyhow::anyhow!("payout {}: {e}", row.id))?,
            id: row.id,
            merchant_id: row.merchant_id,
            mode: row.mode,
            dialect: row.dialect,
            status: row.status,
            country: row.country,
            provider: row.provider,
            gateway: row.gateway,
            recipient: Msisdn::from_trusted(row.recipient_phone),
            recipient_name: row.recipient_name,
            reason: row.reason,
            external_reference: row.external_reference,
            metadata: row.metadata,
            handle: row.handle,
            provider_reference: row.provider_reference,
            fee: row.fee,
            failure,
            request_hash: row.request_hash,
            sent_at: row.sent_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            batch: row.batch_id.zip(row.line),
            created_by: row.created_by,
            approval: row.approval,
            approved_by: row.approved_by,
        })
    }
}

impl Payout {
    /// The merchant's French sentence for its failure, if it failed.
    pub fn failure_message(&self) -> Option<String> {
        self.failure.as_ref().map(|f| f.message_fr(self.provider))
    }
}

/// A payout a merchant asks for, parsed by its dialect.
#[derive(Debug, Clone)]
pub struct NewPayout {
    pub dialect: Dialect,
    pub amount: Money,
    pub country: Country,
    /// `None`: the one provider that pays out in `country`, if there is only one.
    pub provider: Option<ProviderCode>,
    pub recipient: Msisdn,
    pub recipient_name: Option<String>,
    pub reason: Option<String>,
    pub external_reference: Option<String>,
    pub metadata: Option<String>,
    /// The merchant's idempotency key and the fingerprint of its request.
    pub idempotency: Option<(String, String)>,
    /// The dashboard user who asks (`None`: the API).
    pub created_by: Option<String>,
}

/// A batch of payouts: each line its own payout, or refused with why.
#[derive(Debug, Clone)]
pub struct Batch {
    pub id: PayoutBatchId,
    pub mode: Mode,
    pub dialect: Dialect,
    /// How many lines the request had.
    pub lines: i64,
    /// What the accepted lines add up to.
    pub total: i64,
    /// Lines refused before any payout was made: (line, French message), lines counted from 1.
    pub refusals: Vec<(i64, String)>,
    /// The accepted lines' payouts, in line order, as they stand now.
    pub payouts: Vec<Payout>,
    pub created_by: Option<String>,
    pub created_at: i64,
}

/// What can go wrong with a payout request. `Display` is the French sentence the API shows.
#[derive(Debug, thiserror::Error)]
pub enum PayoutError {
    #[error("{0}")]
    Invalid(#[from] InvalidInput),
    #[error("Paiement sortant introuvable")]
    NotFound,
    /// No connector of this mode can pay out with this provider in this country.
    #[error("{}", no_payout_text(*provider, *country, *mode))]
    NoPayouts {
        provider: Option<ProviderCode>,
        country: Country,
        mode: Mode,
    },
    /// Over a limit: the payout's, the day's, or the provider's.
    #[error("{0}")]
    OverLimit(String),
    /// More than the balance Dalal last read of the provider account.
    #[error(
        "Solde {} insuffisant pour ce paiement sortant : {}\u{a0}{} disponibles, {} demandés (frais en sus)",
        provider.name(),
        crate::domain::money::group_thousands(*balance, '\u{202f}'),
        amount.currency().symbol(),
        amount.display_fr()
    )]
    OverBalance {
        provider: ProviderCode,
        balance: i64,
        amount: Money,
    },
    /// The payout has been sent (or has ended): it cannot be cancelled.
    #[error("Ce paiement sortant ne peut plus être annulé : il est {}", status_fr(*.0))]
    NotCancellable(PayoutStatus),
    #[error("Cette clé d'idempotence a déjà servi pour une autre requête")]
    IdempotencyKeyReused,
    /// The approver made the payout (or batch) itself.
    #[error("Vous avez créé ce paiement sortant : un autre utilisateur doit l'approuver")]
    OwnPayout,
    #[error("Aucun paiement sortant n'attend d'approbation ici")]
    NothingToApprove,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn status_fr(status: PayoutStatus) -> &'static str {
    match status {
        PayoutStatus::Pending => "en attente",
        PayoutStatus::Processing => "en cours d'envoi",
        PayoutStatus::Succeeded => "réussi",
        PayoutStatus::Failed => "échoué",
        PayoutStatus::Cancelled => "déjà annulé",
        PayoutStatus::Reversed => "repris",
    }
}

fn no_payout_text(provider: Option<ProviderCode>, country: Country, mode: Mode) -> String {
    let live = if mode == Mode::Live {
        " en mode live pour ce compte (README, « Passer en live »)"
    } else {
        ""
    };
    match provider {
        Some(p) => format!(
            "{} ne peut pas envoyer de paiement sortant {}{live}",
            p.name(),
            country.in_fr()
        ),
        None => format!("Aucun opérateur ne peut envoyer de paiement sortant {}{live}", country.in_fr()),
    }
}

impl PayoutError {
    /// The HTTP status both dialects answer it with.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            PayoutError::Invalid(_) => StatusCode::BAD_REQUEST,
            PayoutError::NotFound => StatusCode::NOT_FOUND,
            PayoutError::NoPayouts { .. }
            | PayoutError::OverLimit(_)
            | PayoutError::OverBalance { .. }
            | PayoutError::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            PayoutError::NotCancellable(_) | PayoutError::NothingToApprove => StatusCode::CONFLICT,
            PayoutError::OwnPayout => StatusCode::FORBIDDEN,
            PayoutError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// SahelPay's error code for it.
    pub fn code(&self) -> &'static str {
        match self {
            PayoutError::Invalid(_) => "INVALID_REQUEST",
            PayoutError::NotFound => "PAYOUT_NOT_FOUND",
            PayoutError::NoPayouts { .. } => "PAYOUT_NOT_AVAILABLE",
            PayoutError::OverLimit(_) => "PAYOUT_LIMIT_EXCEEDED",
            PayoutError::OverBalance { .. } => "INSUFFICIENT_BALANCE",
            PayoutError::NotCancellable(_) => "PAYOUT_NOT_CANCELLABLE",
            PayoutError::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            PayoutError::OwnPayout => "APPROVAL_BY_CREATOR",
            PayoutError::NothingToApprove => "NOTHING_TO_APPROVE",
            PayoutError::Internal(_) => "INTERNAL_ERROR",
        }
    }
}
