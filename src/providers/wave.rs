//! Wave's Checkout API (`https://docs.wave.com/checkout`) over HTTP. Live mode points it at
//! `providers.wave.base_url` with the account's API key; test mode at the sandbox's emulator of
//! the same API (`sandbox::emulators::wave`), so that test keys run exactly this code.
//!
//! Retries: only reads (`GET`) are retried, once. Creating a session is not: a session opened
//! by a request that timed out is never shown to anyone (Dalal never got its launch URL) and
//! expires on its own after 30 minutes, while the router tries the next gateway.

pub mod signature;
pub mod transformers;
pub mod wire;

use super::{
    AttemptOutcome, AttemptRequest, PaymentProvider, ProviderError, ProviderRefund,
    ProviderSession, ProviderStatus, RefundOutcome, http,
};
use crate::config::Secret;
use crate::domain::{FailureCode, ProviderCode};
use anyhow::Context;
use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;
use std::time::Duration;
use wire::{CreateSession, Session};

/// The provider's name in logs and errors.
const NAME: &str = "Wave";
/// How long one call may take. Wave answers in well under a second; a customer waits on this.
const TIMEOUT: Duration = Duration::from_secs(15);

pub struct WaveConnector {
    http: reqwest::Client,
    /// `https://api.wave.com`, or the emulator's `…/sandbox/providers/wave`.
    base_url: String,
    api_key: Secret,
    /// Where Wave sends the customer back: the checkout page.
    public_url: String,
}

impl WaveConnector {
    pub fn new(base_url: &str, api_key: Secret, public_url: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .context("failed to build Wave's HTTP client")?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            public_url: public_url.to_owned(),
        })
    }

    /// One call, read as every connector reads an answer (`http::send`). The key is in a
    /// header, never in an error.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&CreateSession>,
    ) -> Result<reqwest::Response, ProviderError> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base_url))
            .bearer_auth(self.api_key.expose());
        if let Some(body) = body {
            request = request.json(body);
        }
        http::send(NAME, &method, path, request).await
    }

    /// `GET /v1/checkout/sessions/{id}`, retried once if Wave is unavailable.
    async fn session(&self, id: &str) -> Result<Session, ProviderError> {
        let path = format!("/v1/checkout/sessions/{id}");
        let response = match self.call(Method::GET, &path, None).await {
            Err(ProviderError::Unavailable) => self.call(Method::GET, &path, None).await,
            other => other,
        };
        match response {
            Ok(response) => http::read(NAME, response).await,
            Err(ProviderError::UnknownReference(_)) => {
                Err(ProviderError::UnknownReference(id.to_owned()))
            }
            Err(err) => Err(err),
        }
    }
}

fn status_of(session: &Session) -> ProviderStatus {
    let raw_status = transformers::status_word(session);
    let outcome = transformers::outcome(&raw_status);
    if outcome == AttemptOutcome::Unrecognised {
        tracing::error!(session = %session.id, status = %raw_status, "Wave sent a status Dalal does not know; the attempt stays open");
    }
    ProviderStatus {
        raw_status,
        outcome,
    }
}

#[async_trait]
impl PaymentProvider for WaveConnector {
    fn code(&self) -> ProviderCode {
        ProviderCode::Wave
    }

    async fn initiate(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        // The customer comes back to the checkout page, which shows where the payment stands.
        let back = crate::routes::absolute(
            &self.public_url,
            &crate::routes::checkout(&request.checkout_token),
        );
        let body = CreateSession {
            amount: request.amount.minor().to_string(),
            currency: request.amount.currency().code().to_owned(),
            success_url: back.clone(),
            error_url: back,
            client_reference: Some(request.attempt_id.clone()),
            restrict_payer_mobile: request.phone.as_ref().map(|p| p.as_str().to_owned()),
        };
        let response = self
            .call(Method::POST, "/v1/checkout/sessions", Some(&body))
            .await?;
        let session: Session = http::read(NAME, response).await?;
        let status = status_of(&session);
        Ok(ProviderSession {
            reference: session.id,
            raw_status: status.raw_status,
            deep_links: BTreeMap::from([("wave".to_owned(), session.wave_launch_url.clone())]),
            launch_url: Some(session.wave_launch_url),
            customer_asked: false,
        })
    }

    async fn fetch_status(&self, reference: &str) -> Result<ProviderStatus, ProviderError> {
        let session = self.session(reference).await?;
        let status = status_of(&session);
        // A failed try leaves a Wave session open: the customer could pay it later in the app,
        // after Dalal has moved on. Close it first; if it was paid meanwhile, that wins.
        if matches!(status.outcome, AttemptOutcome::Failed(_)) && session.checkout_status == "open"
        {
            self.expire(reference).await?;
            let session = self.session(reference).await?;
            if transformers::status_word(&session) == "succeeded" {
                return Ok(status_of(&session));
            }
        }
        Ok(status)
    }

    /// `POST /v1/checkout/sessions/{id}/expire`. A session that is no longer open (paid or
    /// expired) is refused by Wave: nothing to do, `fetch_status` tells which.
    async fn expire(&self, reference: &str) -> Result<(), ProviderError> {
        let path = format!("/v1/checkout/sessions/{reference}/expire");
        match self.call(Method::POST, &path, None).await {
            Ok(_) => Ok(()),
            Err(ProviderError::UnknownReference(_)) => {
                Err(ProviderError::UnknownReference(reference.to_owned()))
            }
            Err(err) if http::refused_with(&err, StatusCode::CONFLICT) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// `POST /v1/checkout/sessions/{id}/refund`: the whole amount (Wave refunds no part).
    async fn refund(&self, refund: &ProviderRefund<'_>) -> Result<RefundOutcome, ProviderError> {
        let path = format!("/v1/checkout/sessions/{}/refund", refund.reference);
        match self.call(Method::POST, &path, None).await {
            Ok(response) => {
                let answer: wire::Refund = http::read(NAME, response).await?;
                Ok(RefundOutcome::Succeeded {
                    reference: answer.id,
                })
            }
            Err(err) => match http::Refused::of(&err) {
                Some(refused) if refused.code == "insufficient-funds" => {
                    Ok(RefundOutcome::Failed(FailureCode::InsufficientFunds))
                }
                Some(refused) if refused.status == StatusCode::CONFLICT => {
                    Ok(RefundOutcome::Failed(FailureCode::Unknown))
                }
                _ => Err(err),
            },
        }
    }
}
