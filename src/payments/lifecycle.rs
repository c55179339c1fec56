//! The only writer of a payment's status. Every change goes through `PaymentStatus::transition`
//! and is persisted with `UPDATE … WHERE id = $n AND status = $from`, so a worker, a provider's
//! notification and a customer's click cannot apply the same change twice. A change the merchant
//! must hear about writes its webhook event in the same transaction (the outbox).

use super::{Attempt, Conflict, Payment, PaymentError, Payments};
use crate::db::{self, Tx};
use crate::domain::{PaymentEvent, PaymentStatus, ProviderCode, TransactionId};
use crate::webhooks::{self, EventType};
use anyhow::Context;

/// Why a payment moved to `processing`: the provider put the request before the customer.
pub(super) fn customer_asked_reason(provider: ProviderCode) -> String {
    format!("{} : le client a reçu la demande", provider.name())
}

impl Payments {
    /// The customer pressed « Annuler ».
    pub async fn cancel(&self, token: &str) -> Result<Payment, PaymentError> {
        let payment = self.open_payment_by_token(token).await?;
        let moved = self
            .end(payment.id, PaymentEvent::Cancel, "annulé par le client")
            .await?;
        let (payment, _) = self
            .find_by_token(token)
            .await?
            .ok_or(PaymentError::NotFound)?;
        if !moved {
            return Err(PaymentError::Conflict(Conflict::AlreadyFinal(
                payment.status,
            )));
        }
        Ok(payment)
    }

    /// Moves an open payment past its `expiresAt` to `expired`.
    pub async fn expire(&self, id: TransactionId) -> Result<bool, PaymentError> {
        self.end(id, PaymentEvent::Expire, "délai de paiement dépassé")
            .await
    }

    /// One pass of the expiry sweeper; returns how many payments expired.
    pub async fn expire_due(&self) -> Result<usize, PaymentError> {
        let due = db::payments::due_for_expiry(&self.pool, self.clock.now_ms(), 100).await?;
        let mut expired = 0;
        for id in due {
            if self.expire(TransactionId::from_sequence(id)).await? {
                expired += 1;
            }
        }
        Ok(expired)
    }

    /// Applies a terminal event (cancel, expire) and abandons any open attempt, in one
    /// transaction; then asks the provider to close that attempt's session, so the customer
    /// cannot pay a payment that is over.
    pub(super) async fn end(
        &self,
        id: TransactionId,
        event: PaymentEvent,
        reason: &str,
    ) -> Result<bool, PaymentError> {
        // An attempt whose start's answer was lost may have moved money: learn where it stands
        // before giving up on it. Still unknown, the payment waits: a cancel is refused, an
        // expiry waits for the next sweep (the attempt settles within minutes).
        if let Some(unsettled) = self.unsettled_attempt(id).await? {
            return match event {
                PaymentEvent::Expire => Ok(false),
                _ => Err(Conflict::AwaitingConfirmation(unsettled).into()),
            };
        }
        let now = self.clock.now_ms();
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        // Write first, so the transaction holds the write lock before it reads.
        db::payments::lock(&mut tx, id.sequence()).await?;
        let current = db::payments::status(&mut tx, id.sequence()).await?;
        if current.transition(event).is_err() {
            return Ok(false);
        }
        let moved = self
            .apply_event(&mut tx, id.sequence(), current, event, reason, now)
            .await?
            .is_some();
        let mut left_open = None;
        if moved {
            left_open = db::attempts::open_for_payment(&mut tx, id.sequence()).await?;
            db::attempts::abandon_open(&mut tx, id.sequence(), now).await?;
        }
        let mode = match &left_open {
            Some(_) => Some(db::payments::mode(&mut tx, id.sequence()).await?),
            None => None,
        };
        tx.commit().await.context("failed to end a payment")?;
        if let (Some(row), Some(mode)) = (left_open, mode) {
            let attempt = Attempt::try_from(row)?;
            if let Some(reference) = &attempt.provider_reference {
                let expired =
                    match self.connector(mode, attempt.gateway.as_deref(), attempt.provider) {
                        Ok(connector) => connector
                            .expire(reference)
                            .await
                            .map_err(|e| anyhow::anyhow!(e)),
                        Err(err) => Err(anyhow::anyhow!(err)),
                    };
                if let Err(err) = expired {
                    tracing::warn!(attempt = %attempt.id, error = ?err, "failed to close a provider session");
                }
            }
        }
        Ok(moved)
    }

    /// The provider of the payment's open attempt when that attempt's start had its answer lost
    /// and asking the provider again does not settle it.
    async fn unsettled_attempt(
        &self,
        id: TransactionId,
    ) -> Result<Option<crate::domain::ProviderCode>, PaymentError> {
        let unsettled = |row: &db::attempts::AttemptRow| {
            row.provider_status.as_deref() == Some(super::OUTCOME_UNKNOWN)
        };
        let Some(open) = db::attempts::open_for_payment(&self.pool, id.sequence()).await? else {
            return Ok(None);
        };
        if !unsettled(&open) {
            return Ok(None);
        }
        self.refresh_attempt(open.id.as_str()).await?;
        match db::attempts::open_for_payment(&self.pool, id.sequence()).await? {
            Some(open) if unsettled(&open) => Ok(Some(Attempt::try_from(open)?.provider)),
            _ => Ok(None),
        }
    }

    /// A provider reported activity on an attempt: if its payment was still `pending`, the
    /// customer has now been asked. Returns the payment's status after that.
    pub(super) async fn ensure_processing(
        &self,
        tx: &mut Tx<'_>,
        attempt: &Attempt,
        now: i64,
    ) -> anyhow::Result<PaymentStatus> {
        let current = db::payments::status(tx, attempt.payment_id).await?;
        if current != PaymentStatus::Pending {
            return Ok(current);
        }
        let reason = customer_asked_reason(attempt.provider);
        let moved = self
            .apply_event(
                tx,
                attempt.payment_id,
                current,
                PaymentEvent::CustomerAsked,
                &reason,
                now,
            )
            .await?;
        Ok(moved.unwrap_or(current))
    }

    /// Applies `event` to a payment believed to be in `from`; `None` when another writer moved it.
    pub(super) async fn apply_event(
        &self,
        tx: &mut Tx<'_>,
        payment_id: i64,
        from: PaymentStatus,
        event: PaymentEvent,
        reason: &str,
        now: i64,
    ) -> anyhow::Result<Option<PaymentStatus>> {
        let to = from.transition(event)?;
        let failed_delta = i64::from(matches!(event, PaymentEvent::AttemptFailed { .. }));
        let moved =
            db::payments::record_transition(tx, payment_id, from, to, reason, failed_delta, now)
                .await?;
        if !moved {
            return Ok(None);
        }
        tracing::info!(payment = %TransactionId::from_sequence(payment_id), from = %from, to = %to, reason, "payment transition");
        if let Some(kind) = EventType::for_status(to) {
            self.enqueue_event(tx, payment_id, kind, now).await?;
        }
        Ok(Some(to))
    }

    /// Writes the webhook event, with the payment in its dialect's shape, and its delivery to the
    /// payment's `callbackUrl` or, without one, to the merchant's default webhook endpoint.
    async fn enqueue_event(
        &self,
        tx: &mut Tx<'_>,
        payment_id: i64,
        kind: EventType,
        now: i64,
    ) -> anyhow::Result<()> {
        let row = db::payments::find_by_id(&mut *tx, payment_id)
            .await?
            .context("payment vanished")?;
        let attempt = db::attempts::latest(&mut *tx, payment_id)
            .await?
            .map(Attempt::try_from)
            .transpose()?;
        let payment = Payment::try_from(row)?;
        let refunds = self.refunds_of(&mut *tx, &payment).await?;
        let data = self
            .formatter
            .payment_data(&payment, attempt.as_ref(), &refunds)?;
        let target = webhook_target(tx, &payment).await?;
        webhooks::enqueue(
            tx,
            webhooks::NewEvent {
                subject: webhooks::Subject::Payment(payment_id),
                merchant_id: &payment.merchant_id,
                target: target.as_deref(),
                kind,
                refund_id: None,
                data,
            },
            now,
        )
        .await?;
        Ok(())
    }
}

/// Where a payment's events go: its callback URL, else its merchant's default endpoint.
pub(super) async fn webhook_target(
    tx: &mut Tx<'_>,
    payment: &Payment,
) -> anyhow::Result<Option<String>> {
    match &payment.callback_url {
        Some(url) => Ok(Some(url.clone())),
        None => db::merchants::webhook_url(&mut *tx, &payment.merchant_id).await,
    }
}
