//! MTN MoMo refunds, through the Disbursement product (PROVIDERS.md, "MTN MoMo — Disbursement",
//! "refund"): its own subscription key, API user and key, and token (`POST
//! /disbursement/token/`). `POST /disbursement/v1_0/refund` refunds a request to pay
//! (`referenceIdToRefund`) from the disbursement account and answers `202`; `GET
//! /disbursement/v1_0/refund/{referenceId}` says how it ended. The refund's `X-Reference-Id` is
//! a UUID v4 drawn from Dalal's refund id, so it is known before the call and the same id goes
//! again after a lost answer (`409 RESOURCE_ALREADY_EXIST` proves MTN has it).

use super::transformers::{self, Reason, RequestStatus};
use super::wire::{RefundBody, RefundResult};
use super::{Environment, MtnMomoConnector, NAME, Product, Sent, refusal};
use crate::config::Secret;
use crate::domain::{Failure, FailureCode};
use crate::providers::http::{self, SendError};
use crate::providers::{ProviderError, ProviderRefund, RefundOutcome};
use reqwest::{Method, StatusCode};

/// How long a refund MTN has no record of may still arrive (its answer was lost).
const NOT_FOUND_GRACE_MS: i64 = 15 * 60 * 1000;

/// The refund's `X-Reference-Id`: a UUID v4 drawn from Dalal's refund id.
fn refund_reference(refund_id: &str) -> String {
    crate::random::uuid_v4_for(&format!("mtn-momo-refund:{refund_id}"))
}

impl MtnMomoConnector {
    fn disbursement(&self) -> Result<&Product, ProviderError> {
        self.disbursement.as_ref().ok_or_else(|| {
            anyhow::anyhow!("MTN MoMo refunds need the Disbursement product's credentials").into()
        })
    }

    /// A valid Disbursement token.
    pub(super) async fn disbursement_token(&self) -> Result<Secret, ProviderError> {
        self.token_of(self.disbursement()?).await
    }

    /// One Disbursement call (a refund carries its `X-Reference-Id`; MTN is not asked to call
    /// back).
    async fn disbursement_call(
        &self,
        environment: &Environment,
        method: Method,
        path: &str,
        refund: Option<(&str, &RefundBody<'_>)>,
    ) -> Result<reqwest::Response, SendError> {
        let product = self.disbursement().map_err(http::no_token)?;
        let sent = refund.map(|(reference, body)| Sent {
            reference,
            callback_url: None,
            body,
        });
        self.call_in(product, environment, method, path, sent).await
    }

    /// Asks MTN to refund; `Pending` once it took the refund (`202`).
    pub(super) async fn send_refund(
        &self,
        refund: &ProviderRefund<'_>,
    ) -> Result<RefundOutcome, ProviderError> {
        let (request_id, environment) = self.split(refund.reference)?;
        let reference = refund_reference(refund.refund_id);
        let text = format!("Remboursement {}", refund.refund_id);
        let body = RefundBody {
            amount: refund.amount.minor().to_string(),
            currency: refund.amount.currency().code(),
            external_id: refund.refund_id,
            payer_message: &text,
            payee_note: &text,
            reference_id_to_refund: request_id,
        };
        let path = "/disbursement/v1_0/refund";
        let pending = || RefundOutcome::Pending {
            reference: Some(self.reference(&reference, environment)),
        };
        let sent = self
            .disbursement_call(environment, Method::POST, path, Some((&reference, &body)))
            .await;
        let lost = match sent {
            Ok(_) => return Ok(pending()),
            Err(SendError::NotSent) => return Err(ProviderError::Unavailable),
            Err(SendError::ServerError(refused))
                if transformers::is_error_reason(&refused.code) =>
            {
                return Ok(RefundOutcome::Failed(transformers::failure(Some(
                    &refused.code,
                ))));
            }
            Err(err @ (SendError::NoAnswer | SendError::ServerError(_))) => err,
            Err(err) => return Err(refusal(err)),
        };
        tracing::warn!(refund = %refund.refund_id, error = ?lost, "MTN's answer to a refund was lost: sending the same reference again");
        match self
            .disbursement_call(environment, Method::POST, path, Some((&reference, &body)))
            .await
        {
            Ok(_) => Ok(pending()),
            Err(err) if err.is(StatusCode::CONFLICT) => Ok(pending()),
            Err(SendError::NotSent | SendError::NoAnswer | SendError::ServerError(_)) => {
                Err(ProviderError::OutcomeUnknown {
                    reference: self.reference(&reference, environment),
                })
            }
            Err(err) => Err(refusal(err)),
        }
    }

    /// Where a refund stands: `None` while MTN works on it.
    pub(super) async fn look_up_refund(
        &self,
        refund: &ProviderRefund<'_>,
        started_at_ms: i64,
    ) -> Result<Option<RefundOutcome>, ProviderError> {
        let (_, environment) = self.split(refund.reference)?;
        let reference = refund_reference(refund.refund_id);
        let path = format!("/disbursement/v1_0/refund/{reference}");
        let result: RefundResult = match self
            .disbursement_call(environment, Method::GET, &path, None)
            .await
        {
            Ok(response) => http::read(NAME, response).await?,
            Err(SendError::NotFound(_)) => {
                let waited = self.clock.now_ms() - started_at_ms;
                return Ok((waited >= NOT_FOUND_GRACE_MS)
                    .then(|| RefundOutcome::Failed(Failure::new(FailureCode::Unavailable))));
            }
            Err(err) => return Err(err.into()),
        };
        let amount_agrees = result
            .amount
            .as_deref()
            .is_none_or(|a| http::whole_amount(a) == Some(refund.amount.minor()));
        let ours = result
            .external_id
            .as_deref()
            .is_none_or(|id| id == refund.refund_id);
        if !amount_agrees || !ours {
            return Err(anyhow::anyhow!(
                "MTN's refund {reference} is not refund {}'s (amount or externalId differ): not believed",
                refund.refund_id
            )
            .into());
        }
        Ok(match result.status {
            RequestStatus::Successful => Some(RefundOutcome::Succeeded {
                reference: Some(self.reference(&reference, environment)),
            }),
            RequestStatus::Failed => Some(RefundOutcome::Failed(transformers::failure(
                result.reason.as_ref().and_then(Reason::code),
            ))),
            RequestStatus::Created | RequestStatus::Pending | RequestStatus::Other(_) => None,
        })
    }
}
