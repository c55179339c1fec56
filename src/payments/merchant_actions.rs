//! What a merchant does with a payment after creating it: refund it, cancel it, list payments.

use super::{Attempt, Conflict, Mode, Payment, PaymentError, Payments, Refund};
use crate::db::{self, Constraint};
use crate::domain::{
    AttemptStatus, InvalidInput, Money, PaymentEvent, PaymentStatus, ProviderCode, RefundStatus,
    RefundSupport, TransactionId,
};
use crate::providers::{ProviderError, ProviderRefund, RefundOutcome};
use crate::webhooks::{self, EventType};
use anyhow::Context;

pub use crate::db::payments::ListFilter;

/// A merchant's refund request, parsed by its dialect.
#[derive(Debug, Clone, Default)]
pub struct RefundRequest {
    /// The amount to refund; `None` refunds what is left.
    pub amount: Option<i64>,
    pub reason: Option<String>,
    /// The merchant's idempotency key and the fingerprint of its request.
    pub idempotency: Option<(String, String)>,
}

/// One page of a listing, newest first.
pub struct PaymentPage {
    pub payments: Vec<(Payment, Option<Attempt>, Vec<Refund>)>,
    /// Whether older payments match too (ask again with `starting_after` = the last one).
    pub has_more: bool,
}

impl Payments {
    /// A merchant's own payment in one mode, with its latest attempt.
    async fn merchant_payment(
        &self,
        merchant_id: &str,
        mode: Mode,
        id: TransactionId,
    ) -> Result<(Payment, Option<Attempt>), PaymentError> {
        self.find_for_merchant(merchant_id, mode, id)
            .await?
            .ok_or(PaymentError::NotFound)
    }

    /// The merchant cancels a payment that is not over yet (and the provider session with it).
    /// Cancelling a cancelled payment again answers the same payment; a paid one stays paid.
    pub async fn cancel_for_merchant(
        &self,
        merchant_id: &str,
        mode: Mode,
        id: TransactionId,
    ) -> Result<(Payment, Option<Attempt>), PaymentError> {
        let (payment, _) = self.merchant_payment(merchant_id, mode, id).await?;
        if !payment.status.is_terminal() {
            self.end(id, PaymentEvent::Cancel, "annulé par le marchand")
                .await?;
        }
        let (payment, attempt) = self.merchant_payment(merchant_id, mode, id).await?;
        match payment.status {
            PaymentStatus::Cancelled => Ok((payment, attempt)),
            status
            @ (PaymentStatus::Succeeded | PaymentStatus::Failed | PaymentStatus::Expired) => {
                Err(PaymentError::Conflict(Conflict::AlreadyFinal(status)))
            }
            PaymentStatus::Pending | PaymentStatus::Processing => Err(PaymentError::Internal(
                anyhow::anyhow!("payment {id} is still open after a cancel"),
            )),
        }
    }

    /// Refunds (part of) a succeeded payment through the provider that took the money. The sum of
    /// a payment's pending and succeeded refunds never exceeds its amount, whatever runs at once.
    pub async fn refund(
        &self,
        merchant_id: &str,
        mode: Mode,
        id: TransactionId,
        request: RefundRequest,
    ) -> Result<(Payment, Refund), PaymentError> {
        let (payment, attempt) = self.merchant_payment(merchant_id, mode, id).await?;
        if let Some((key, hash)) = &request.idempotency
            && let Some(existing) = db::refunds::find_by_key(&self.pool, merchant_id, key).await?
        {
            return self.replay_refund(&payment, existing, hash);
        }
        if payment.status != PaymentStatus::Succeeded {
            return Err(PaymentError::Conflict(Conflict::NotRefundable(
                payment.status,
            )));
        }
        let attempt = attempt
            .filter(|a| a.status == AttemptStatus::Succeeded)
            .context("a succeeded payment without its succeeded attempt")?;
        let provider = attempt.provider;
        let connector = self.connector(mode, attempt.gateway.as_deref(), provider)?;
        let support = connector.refund_support();
        if support == RefundSupport::None {
            return Err(PaymentError::Conflict(Conflict::NoRefundApi(provider)));
        }
        let reference = attempt
            .provider_reference
            .clone()
            .context("a paid attempt without provider reference")?;

        // Check and reserve the amount under the payment's lock.
        let now = self.clock.now_ms();
        let refund_id = crate::domain::RefundId::from_random(&crate::random::alphanumeric(24));
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        db::payments::lock(&mut tx, payment.id.sequence()).await?;
        if support == RefundSupport::PartialOneAtATime
            && db::refunds::has_pending(&mut tx, payment.id.sequence()).await?
        {
            return Err(PaymentError::Conflict(Conflict::RefundInProgress(provider)));
        }
        let held = db::refunds::held_amount(&mut tx, payment.id.sequence()).await?;
        let left = payment.amount.minor() - held;
        let amount = check_amount(&payment, provider, support, request.amount, left)?;
        let inserted = db::refunds::insert(
            &mut tx,
            &db::refunds::NewRefund {
                id: refund_id.as_str(),
                payment_id: payment.id.sequence(),
                merchant_id,
                amount,
                reason: request.reason.as_deref(),
                idempotency: request
                    .idempotency
                    .as_ref()
                    .map(|(k, h)| (k.as_str(), h.as_str())),
                now,
            },
        )
        .await;
        match inserted {
            Ok(()) => {}
            Err(err) => {
                drop(tx);
                return match (db::violated_constraint(&err), &request.idempotency) {
                    // The same key, sent twice at once: the other request made the refund.
                    (Some(Constraint::RefundIdempotencyKey), Some((key, hash))) => {
                        let existing = db::refunds::find_by_key(&self.pool, merchant_id, key)
                            .await?
                            .context("a refund key without its refund")?;
                        self.replay_refund(&payment, existing, hash)
                    }
                    _ => Err(anyhow::Error::new(err)
                        .context("failed to insert a refund")
                        .into()),
                };
            }
        }
        tx.commit().await.context("failed to commit a refund")?;

        // Ask the provider, without holding any lock.
        let money = Money::new(amount, payment.amount.currency())?;
        let asked = ProviderRefund {
            refund_id: refund_id.as_str(),
            reference: &reference,
            amount: money,
        };
        let (status, provider_reference, failure) = match connector.refund(&asked).await {
            Ok(RefundOutcome::Succeeded { reference }) => (RefundStatus::Succeeded, reference, None),
            // Taken; the sweep (`check_pending_refunds`) or the provider's callback ends it.
            Ok(RefundOutcome::Pending { reference }) => (RefundStatus::Pending, reference, None),
            Ok(RefundOutcome::Failed(failure)) => (RefundStatus::Failed, None, Some(failure.code)),
            Err(ProviderError::Unavailable) => (
                RefundStatus::Failed,
                None,
                Some(crate::domain::FailureCode::Unavailable),
            ),
            // The provider may have refunded: the refund stays pending (its amount held), for a
            // person to check against the provider's statement.
            Err(ProviderError::OutcomeUnknown { .. }) => {
                tracing::error!(refund = %refund_id, payment = %payment.id, %provider,
                    "a refund's answer was lost: it stays pending; check the provider's statement");
                let refund = db::refunds::find(&self.pool, refund_id.as_str())
                    .await?
                    .context("the refund just inserted")?;
                let refund = Refund::from_row(refund, payment.amount.currency())?;
                return Ok((payment, refund));
            }
            Err(err) => {
                tracing::error!(refund = %refund_id, error = ?err, "refund failed inside");
                (
                    RefundStatus::Failed,
                    None,
                    Some(crate::domain::FailureCode::Internal),
                )
            }
        };
        let refund = self
            .finish_refund(&payment, refund_id.as_str(), status, provider_reference, failure)
            .await?;
        Ok((payment, refund))
    }

    /// Records how a refund ended and writes its webhook event, in one transaction; the refund
    /// as it now stands.
    pub(super) async fn finish_refund(
        &self,
        payment: &Payment,
        refund_id: &str,
        status: RefundStatus,
        provider_reference: Option<String>,
        failure: Option<crate::domain::FailureCode>,
    ) -> Result<Refund, PaymentError> {
        let now = self.clock.now_ms();
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        let ended = db::refunds::finish(
            &mut tx,
            refund_id,
            status,
            provider_reference.as_deref(),
            failure,
            now,
        )
        .await?;
        let kind = match status {
            RefundStatus::Succeeded => Some(EventType::RefundSucceeded),
            RefundStatus::Failed => Some(EventType::RefundFailed),
            RefundStatus::Pending => None,
        };
        let row = db::refunds::find(&mut tx, refund_id)
            .await?
            .context("the refund vanished")?;
        let refund = Refund::from_row(row, payment.amount.currency())?;
        if let (true, Some(kind)) = (ended, kind) {
            tracing::info!(payment = %payment.id, refund = refund_id, status = %status, "refund ended");
            let data = self.formatter.refund_data(payment, &refund)?;
            let target = super::lifecycle::webhook_target(&mut tx, payment).await?;
            webhooks::enqueue(
                &mut tx,
                webhooks::NewEvent {
                    subject: webhooks::Subject::Payment(payment.id.sequence()),
                    merchant_id: &payment.merchant_id,
                    target: target.as_deref(),
                    kind,
                    refund_id: Some(refund_id),
                    data,
                },
                now,
            )
            .await?;
        }
        tx.commit().await.context("failed to end a refund")?;
        Ok(refund)
    }

    /// The refund an idempotency key already made, if the request is the same one.
    fn replay_refund(
        &self,
        payment: &Payment,
        existing: db::refunds::RefundRow,
        hash: &str,
    ) -> Result<(Payment, Refund), PaymentError> {
        if existing.payment_id != payment.id.sequence()
            || existing.request_hash.as_deref() != Some(hash)
        {
            return Err(PaymentError::Conflict(Conflict::IdempotencyKeyReused));
        }
        let refund = Refund::from_row(existing, payment.amount.currency())?;
        Ok((payment.clone(), refund))
    }

    /// A page of a merchant's payments, newest first, with their latest attempt and refunds.
    pub async fn list(
        &self,
        merchant_id: &str,
        mode: Mode,
        filter: &ListFilter,
        limit: u32,
    ) -> Result<PaymentPage, PaymentError> {
        let limit = i64::from(limit.clamp(1, 100));
        let mut rows = db::payments::list(&self.pool, merchant_id, mode, filter, limit + 1).await?;
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let attempts = db::attempts::latest_for_payments(&self.pool, &ids).await?;
        let refunds = db::refunds::for_payments(&self.pool, &ids).await?;
        let mut payments = Vec::with_capacity(rows.len());
        for row in rows {
            let payment = Payment::try_from(row)?;
            let seq = payment.id.sequence();
            let attempt = attempts
                .iter()
                .find(|a| a.payment_id == seq)
                .cloned()
                .map(Attempt::try_from)
                .transpose()?;
            let own = refunds
                .iter()
                .filter(|r| r.payment_id == seq)
                .map(|r| Refund::from_row(r.clone(), payment.amount.currency()))
                .collect::<anyhow::Result<Vec<_>>>()?;
            payments.push((payment, attempt, own));
        }
        Ok(PaymentPage { payments, has_more })
    }
}

/// The amount to refund: what was asked, or all that is left; never more than is left, and
/// only the whole payment where the provider refunds only that.
fn check_amount(
    payment: &Payment,
    provider: ProviderCode,
    support: RefundSupport,
    asked: Option<i64>,
    left: i64,
) -> Result<i64, PaymentError> {
    let currency = payment.amount.currency();
    let amount = asked.unwrap_or(left);
    if left <= 0 {
        return Err(PaymentError::Conflict(Conflict::FullyRefunded));
    }
    if amount <= 0 {
        return Err(
            InvalidInput::new("Le montant à rembourser doit être un entier positif").into(),
        );
    }
    if amount > left {
        return Err(InvalidInput::new(format!(
            "Le montant à rembourser ({amount} {currency}) dépasse ce qui reste remboursable sur ce paiement ({left} {currency})"
        ))
        .into());
    }
    match support {
        RefundSupport::FullOnly if amount != payment.amount.minor() => {
            Err(InvalidInput::new(format!(
                "{} ne rembourse que la totalité d'un paiement ({} {currency}) : omettez « amount » ou indiquez le montant total",
                provider.name(),
                payment.amount.minor()
            ))
            .into())
        }
        RefundSupport::FullOnly
        | RefundSupport::Partial
        | RefundSupport::PartialOneAtATime
        | RefundSupport::None => Ok(amount),
    }
}
