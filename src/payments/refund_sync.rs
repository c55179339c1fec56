//! Keeping refunds in step with providers that finish them later (pawaPay): a refund the
//! provider took stays `pending`, its amount held, until the provider says how it ended — asked
//! by the sweep, or prompted by the provider's callback, which is only a hint to ask. Ending it
//! writes `refund.succeeded` or `refund.failed` once, whoever asks first.

use super::{Attempt, Mode, Payment, PaymentError, Payments};
use crate::db;
use crate::db::refunds::RefundRow;
use crate::domain::{Money, RefundStatus};
use crate::providers::{ProviderError, ProviderRefund, RefundOutcome};
use anyhow::Context;

impl Payments {
    /// One pass of the refund sweep: asks about every refund no provider has finished, oldest
    /// first. Returns how many ended.
    pub async fn check_pending_refunds(&self) -> Result<usize, PaymentError> {
        let pending = db::refunds::pending(&self.pool, self.clock.now_ms() + 1, 100).await?;
        let mut ended = 0;
        for refund in pending {
            let id = refund.id.clone();
            match self.refresh_refund(refund, None).await {
                Ok(true) => ended += 1,
                Ok(false) => {}
                Err(err) => tracing::warn!(refund = %id, error = ?err, "failed to check a refund"),
            }
        }
        Ok(ended)
    }

    /// A provider's notification about one of its refund references: only a hint to ask, about
    /// a refund of `mode` when the notification was authenticated by that mode's credentials.
    /// False when no refund has this reference.
    pub async fn refund_notified(
        &self,
        mode: Option<Mode>,
        reference: &str,
    ) -> Result<bool, PaymentError> {
        let Some(refund) = db::refunds::find_by_provider_reference(&self.pool, reference).await?
        else {
            return Ok(false);
        };
        self.refresh_refund(refund, mode).await?;
        Ok(true)
    }

    /// Asks the provider where a pending refund stands and records how it ended; true when it
    /// ended now. A refund of another mode than `mode` (when given) is left alone.
    async fn refresh_refund(
        &self,
        refund: RefundRow,
        mode: Option<Mode>,
    ) -> Result<bool, PaymentError> {
        if refund.status != RefundStatus::Pending {
            return Ok(false);
        }
        let payment = db::payments::find_by_id(&self.pool, refund.payment_id)
            .await?
            .context("a refund without its payment")?;
        let payment = Payment::try_from(payment)?;
        if mode.is_some_and(|m| m != payment.mode) {
            return Ok(false);
        }
        let attempt = db::attempts::latest_for_payments(&self.pool, &[refund.payment_id])
            .await?
            .into_iter()
            .next()
            .map(Attempt::try_from)
            .transpose()?
            .context("a refunded payment without its attempt")?;
        let reference = attempt
            .provider_reference
            .clone()
            .context("a paid attempt without provider reference")?;
        let connector =
            self.connector(payment.mode, attempt.gateway.as_deref(), attempt.provider)?;
        let asked = ProviderRefund {
            refund_id: refund.id.as_str(),
            reference: &reference,
            amount: Money::new(refund.amount, payment.amount.currency())?,
        };
        let outcome = match connector.refund_status(&asked, refund.created_at).await {
            Ok(outcome) => outcome,
            Err(ProviderError::Unavailable) => return Ok(false),
            Err(err) => {
                return Err(anyhow::Error::new(err)
                    .context("asking about a refund")
                    .into());
            }
        };
        let (status, provider_reference, failure) = match outcome {
            None | Some(RefundOutcome::Pending { .. }) => return Ok(false),
            Some(RefundOutcome::Succeeded { reference }) => {
                (RefundStatus::Succeeded, reference, None)
            }
            Some(RefundOutcome::Failed(failure)) => {
                (RefundStatus::Failed, None, Some(failure.code))
            }
        };
        let ended = self
            .finish_refund(
                &payment,
                refund.id.as_str(),
                status,
                provider_reference,
                failure,
            )
            .await?;
        Ok(ended.status != RefundStatus::Pending)
    }
}
