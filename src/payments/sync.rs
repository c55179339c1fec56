//! Keeping attempts in step with providers: ask where an attempt stands, apply the answer.
//! A provider's notification is only a hint to ask: what a status request answers is what Dalal
//! believes.

use super::{Attempt, CHECK_INTERVAL_MS, Mode, Payment, PaymentError, Payments};
use crate::db;
use crate::domain::{AttemptStatus, Money, PaymentEvent, PaymentStatus, ProviderCode};
use crate::providers::{AttemptOutcome, AttemptRef, ProviderError, ProviderStatus};
use anyhow::Context;

/// How long to leave a provider alone after it failed to answer a status request.
const UNREACHABLE_BACKOFF_MS: i64 = 5_000;
/// How long the checker holds the attempts it took for one pass: longer than a provider's
/// timeout, so that a slow answer is never asked for twice; if the instance dies, another asks
/// after it.
const CHECK_LEASE_MS: i64 = 30_000;

impl Payments {
    /// Asks the provider about the payment's open attempt, if any (the checkout page's poll).
    pub async fn refresh_open_attempt(&self, payment: &Payment) -> Result<(), PaymentError> {
        if let Some(open) =
            db::attempts::open_for_payment(&self.pool, payment.id.sequence()).await?
        {
            self.refresh_attempt(open.id.as_str()).await?;
        }
        Ok(())
    }

    /// A provider's notification about one of its references: only a hint to look again, at an
    /// attempt of `mode` when the notification was authenticated by that mode's credentials.
    /// False when no such attempt has this reference.
    pub async fn provider_notified(
        &self,
        mode: Option<Mode>,
        provider: ProviderCode,
        reference: &str,
    ) -> Result<bool, PaymentError> {
        let Some(attempt) =
            db::attempts::find_by_reference(&self.pool, provider, reference).await?
        else {
            return Ok(false);
        };
        self.refresh_attempt_in(attempt.id.as_str(), mode, true).await
    }

    /// A provider's notification naming Dalal's own attempt id (MTN MoMo's `externalId`,
    /// Orange Money's `reference`): only a hint to look again. False when no attempt of this
    /// provider (and mode) has this id.
    pub async fn attempt_notified(
        &self,
        mode: Option<Mode>,
        provider: ProviderCode,
        attempt_id: &str,
    ) -> Result<bool, PaymentError> {
        let Some(attempt) = db::attempts::find(&self.pool, attempt_id).await? else {
            return Ok(false);
        };
        if attempt.provider != provider {
            return Ok(false);
        }
        self.refresh_attempt_in(attempt_id, mode, true).await
    }

    /// One pass of the provider status checker; returns how many attempts were checked.
    pub async fn check_due_attempts(&self) -> Result<usize, PaymentError> {
        let now = self.clock.now_ms();
        let due =
            db::attempts::claim_due_for_check(&self.pool, now, now + CHECK_LEASE_MS, 100).await?;
        for id in &due {
            if let Err(err) = self.refresh_attempt(id).await {
                tracing::warn!(attempt = %id, error = ?err, "failed to check an attempt");
            }
        }
        Ok(due.len())
    }

    /// Asks the provider where an open attempt stands and applies its answer.
    pub async fn refresh_attempt(&self, attempt_id: &str) -> Result<(), PaymentError> {
        self.refresh_attempt_in(attempt_id, None, false).await.map(drop)
    }

    /// `refresh_attempt`, for an attempt of `mode` only (when given): false when the attempt
    /// is another mode's. A provider's notification (`notified`) about an attempt Dalal has
    /// closed without success is asked about all the same: the money may have moved after
    /// Dalal gave up (a lost answer, a late approval), and someone must refund it.
    async fn refresh_attempt_in(
        &self,
        attempt_id: &str,
        only: Option<Mode>,
        notified: bool,
    ) -> Result<bool, PaymentError> {
        let Some(row) = db::attempts::find(&self.pool, attempt_id).await? else {
            return Ok(false);
        };
        let attempt = Attempt::try_from(row)?;
        let payment_row = db::payments::find_by_id(&self.pool, attempt.payment_id)
            .await?
            .context("attempt without payment")?;
        let mode = payment_row.mode;
        if only.is_some_and(|only| only != mode) {
            return Ok(false);
        }
        let closed_unpaid = !attempt.status.is_open() && attempt.status != AttemptStatus::Succeeded;
        let Some(reference) = attempt
            .provider_reference
            .clone()
            .filter(|_| attempt.status.is_open() || (notified && closed_unpaid))
        else {
            return Ok(true);
        };
        let asked = AttemptRef {
            attempt_id: attempt.id.as_str(),
            reference: &reference,
            amount: Money::new(payment_row.amount, payment_row.currency)
                .map_err(|e| anyhow::anyhow!("a stored payment's amount: {e}"))?,
            started_at_ms: attempt.created_at,
        };
        let status = match self
            .connector(mode, attempt.gateway.as_deref(), attempt.provider)?
            .fetch_status(&asked)
            .await
        {
            Ok(status) => status,
            Err(ProviderError::Unavailable) => {
                let later = self.clock.now_ms() + UNREACHABLE_BACKOFF_MS;
                db::attempts::schedule_check(&self.pool, attempt_id, later).await?;
                return Ok(true);
            }
            Err(err) => {
                return Err(super::routing::provider_error(attempt.provider, err));
            }
        };
        if !attempt.status.is_open() {
            if status.outcome == AttemptOutcome::Succeeded {
                tracing::error!(attempt = %attempt.id, payment = attempt.payment_id, provider = %attempt.provider,
                    status = attempt.status.as_str(), "a provider reports a success on an attempt Dalal had closed: refund needed");
            }
            return Ok(true);
        }
        self.apply_provider_status(&attempt, &status).await?;
        Ok(true)
    }

    pub(super) async fn apply_provider_status(
        &self,
        attempt: &Attempt,
        status: &ProviderStatus,
    ) -> Result<(), PaymentError> {
        let now = self.clock.now_ms();
        let raw = status.raw_status.as_str();
        let name = attempt.provider.name();
        match &status.outcome {
            AttemptOutcome::Waiting => {
                db::attempts::schedule_check(&self.pool, attempt.id.as_str(), now + CHECK_INTERVAL_MS)
                    .await?;
                return Ok(());
            }
            AttemptOutcome::Unrecognised => {
                // With real money, a new word may mean "still pending": failing the payment could
                // leave the customer charged for nothing. Keep asking, and tell a human.
                tracing::error!(attempt = %attempt.id, provider = %attempt.provider, raw_status = raw,
                    "unrecognised provider status: the attempt stays open");
                db::attempts::schedule_check(&self.pool, attempt.id.as_str(), now + CHECK_INTERVAL_MS)
                    .await?;
                return Ok(());
            }
            AttemptOutcome::CustomerAsked
            | AttemptOutcome::Succeeded
            | AttemptOutcome::Failed(_) => {}
        }
        let mut tx = self
            .pool
            .begin()
            .await
            .context("failed to begin a transaction")?;
        match &status.outcome {
            AttemptOutcome::Waiting | AttemptOutcome::Unrecognised => return Ok(()),
            AttemptOutcome::CustomerAsked => {
                let next = now + CHECK_INTERVAL_MS;
                if !db::attempts::mark_awaiting(&mut tx, attempt.id.as_str(), raw, next, now).await? {
                    return Ok(());
                }
                self.ensure_processing(&mut tx, attempt, now).await?;
            }
            AttemptOutcome::Succeeded => {
                let closing = db::attempts::Closing {
                    status: AttemptStatus::Succeeded,
                    provider_status: Some(raw),
                    failure: None,
                };
                if !db::attempts::close(&mut tx, attempt.id.as_str(), closing, now).await? {
                    return Ok(());
                }
                let current = self.ensure_processing(&mut tx, attempt, now).await?;
                if current == PaymentStatus::Processing {
                    let reason = format!("{name} : paiement confirmé ({raw})");
                    self.apply_event(
                        &mut tx,
                        attempt.payment_id,
                        current,
                        PaymentEvent::Succeeded,
                        &reason,
                        now,
                    )
                    .await?;
                } else {
                    // The money moved after the payment ended: someone must refund it.
                    tracing::error!(attempt = %attempt.id, payment = attempt.payment_id, status = %current,
                        "provider reported a success on a payment that is already {current}: refund needed");
                }
            }
            AttemptOutcome::Failed(failure) => {
                let code = failure.code;
                let message = failure.message_fr(attempt.provider);
                let closing = db::attempts::Closing {
                    status: AttemptStatus::Failed,
                    provider_status: Some(raw),
                    failure: Some((code, &message)),
                };
                if !db::attempts::close(&mut tx, attempt.id.as_str(), closing, now).await? {
                    return Ok(());
                }
                let current = self.ensure_processing(&mut tx, attempt, now).await?;
                if current == PaymentStatus::Processing {
                    let failed_so_far =
                        db::payments::failed_attempts(&mut tx, attempt.payment_id).await?;
                    let retry_allowed = failed_so_far + 1 < self.settings.max_failed_attempts;
                    let reason = format!("{name} : {message} ({code})");
                    self.apply_event(
                        &mut tx,
                        attempt.payment_id,
                        current,
                        PaymentEvent::AttemptFailed { retry_allowed },
                        &reason,
                        now,
                    )
                    .await?;
                }
            }
        }
        tx.commit()
            .await
            .context("failed to apply a provider status")?;
        Ok(())
    }
}
