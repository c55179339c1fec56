//! pawaPay's refunds (PROVIDERS.md, "refunds", "refund status"): `POST /v2/refunds` takes a
//! refund of a completed deposit (any part of what is left, one at a time, to the original
//! payer) and finishes it later; `GET /v2/refunds/{refundId}` and the refund callback say how it
//! ended. The `refundId` is a UUID v4 drawn from Dalal's refund id, so it is known before the
//! call and the same id goes again after a lost answer (`DUPLICATE_IGNORED`).

use super::transformers::{self, InitiationStatus};
use super::wire::{RefundAnswer, RefundData, RefundRequest, RefundStatusAnswer};
use super::{NAME, NOT_FOUND_GRACE_MS, PawaPayConnector};
use crate::domain::{Failure, FailureCode};
use crate::providers::http;
use crate::providers::{ProviderError, ProviderRefund, RefundOutcome};

impl PawaPayConnector {
    /// Asks pawaPay to refund; `Pending` when it took the refund.
    pub(super) async fn send_refund(
        &self,
        refund: &ProviderRefund<'_>,
    ) -> Result<RefundOutcome, ProviderError> {
        let refund_id = transformers::refund_id(refund.refund_id);
        let body = RefundRequest {
            refund_id: &refund_id,
            deposit_id: refund.reference,
            amount: refund.amount.minor().to_string(),
            currency: refund.amount.currency().code(),
        };
        let answer: RefundAnswer = self.post_once("/v2/refunds", &body, &refund_id).await?;
        match answer.status {
            InitiationStatus::Accepted | InitiationStatus::DuplicateIgnored => {
                Ok(RefundOutcome::Pending {
                    reference: Some(refund_id),
                })
            }
            InitiationStatus::Rejected => {
                let code = answer
                    .failure_reason
                    .as_ref()
                    .and_then(|r| r.failure_code.as_deref());
                tracing::warn!(refund = %refund_id, code = ?code, "pawaPay refused a refund");
                Ok(RefundOutcome::Failed(transformers::refund_failure(code)))
            }
            InitiationStatus::Other(word) => {
                tracing::error!(refund = %refund_id, status = %word, "pawaPay answered a refund with a status Dalal does not know");
                Err(ProviderError::OutcomeUnknown {
                    reference: refund_id,
                })
            }
        }
    }

    /// Where a refund stands: `None` while pawaPay works on it (or has no record of it yet).
    pub(super) async fn look_up_refund(
        &self,
        refund: &ProviderRefund<'_>,
        started_at_ms: i64,
    ) -> Result<Option<RefundOutcome>, ProviderError> {
        let refund_id = transformers::refund_id(refund.refund_id);
        let response = self.get(&format!("/v2/refunds/{refund_id}")).await?;
        let answer: RefundStatusAnswer = http::read(NAME, response).await?;
        let data: RefundData = match (answer.status.as_str(), answer.data) {
            ("FOUND", Some(data)) => data,
            ("NOT_FOUND", _) => {
                // pawaPay never received it (its rule for deposits, taken for refunds too).
                let waited = self.clock.now_ms() - started_at_ms;
                return Ok((waited >= NOT_FOUND_GRACE_MS)
                    .then(|| RefundOutcome::Failed(Failure::new(FailureCode::Unavailable))));
            }
            (other, _) => {
                return Err(
                    anyhow::anyhow!("pawaPay's refund status check answered {other:?}").into(),
                );
            }
        };
        let amount_agrees = data
            .amount
            .as_deref()
            .is_none_or(|a| http::whole_amount(a) == Some(refund.amount.minor()));
        if data.refund_id != refund_id || !amount_agrees {
            return Err(anyhow::anyhow!(
                "pawaPay's refund {refund_id} is not refund {}'s (id or amount differ): not believed",
                refund.refund_id
            )
            .into());
        }
        Ok(match data.status.as_str() {
            "COMPLETED" => Some(RefundOutcome::Succeeded {
                reference: Some(refund_id),
            }),
            "FAILED" => {
                let code = data
                    .failure_reason
                    .as_ref()
                    .and_then(|r| r.failure_code.as_deref());
                match code {
                    // Not a failure: pawaPay does not know yet.
                    Some("UNKNOWN_ERROR") => None,
                    code => Some(RefundOutcome::Failed(transformers::refund_failure(code))),
                }
            }
            // ACCEPTED, ENQUEUED, PROCESSING, IN_RECONCILIATION, or a word Dalal does not know.
            _ => None,
        })
    }
}
