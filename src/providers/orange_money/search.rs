//! Finding an attempt's payment at Orange: the search by reference answers the merchant's latest
//! transactions when it ignores a filter, so each item's reference, amount, currency and payee are
//! checked before Dalal believes it.

use super::wire::Transaction;
use super::{OrangeMoneyConnector, OrangeStatus};
use crate::providers::{AttemptOutcome, AttemptRef, ProviderError};

impl OrangeMoneyConnector {
    /// The transactions Orange has with the attempt's reference, amount and payee: the search
    /// answers the merchant's latest transactions when it ignores a filter, so nothing else in
    /// its answer is believed.
    pub(super) async fn transactions_of(
        &self,
        attempt: &AttemptRef<'_>,
    ) -> Result<Vec<Transaction>, ProviderError> {
        let path = format!(
            "/api/eWallet/v1/transactions?reference={}",
            attempt.attempt_id
        );
        let found: Vec<Transaction> = self.get(&path, attempt.reference).await?;
        Ok(found
            .into_iter()
            .filter(|t| {
                let ours = t.reference.as_deref() == Some(attempt.attempt_id);
                let amount = t.amount.as_ref().and_then(|a| a.whole());
                let currency = t.amount.as_ref().and_then(|a| a.unit.as_deref());
                let paid_to_us = t
                    .partner
                    .as_ref()
                    .is_some_and(|p| p.id() == self.account.merchant_code);
                let believed = ours
                    && amount == Some(attempt.amount.minor())
                    && currency == Some(attempt.amount.currency().code())
                    && paid_to_us;
                if ours && !believed {
                    tracing::error!(transaction = %t.transaction_id, attempt = %attempt.attempt_id,
                        "an Orange Money transaction names this attempt with another amount or payee: not believed");
                }
                believed
            })
            .collect())
    }
}

/// Several transactions for one attempt: a success wins, then one still moving, then a failure.
pub(super) fn settle(found: &[Transaction]) -> Option<&OrangeStatus> {
    let rank = |t: &&Transaction| match AttemptOutcome::from(&t.status) {
        AttemptOutcome::Succeeded => 0,
        AttemptOutcome::CustomerAsked => 1,
        AttemptOutcome::Waiting => 2,
        AttemptOutcome::Failed(_) => 3,
        AttemptOutcome::Unrecognised => 4,
    };
    found.iter().min_by_key(rank).map(|t| &t.status)
}
