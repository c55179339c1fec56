//! MTN MoMo's Open API, Collection product (`https://momodeveloper.mtn.com/api-documentation`),
//! over HTTP: a request to pay pushes a prompt to the payer's phone. Live mode points it at
//! `providers.mtn_momo.base_url` with the account's API user; test mode at the sandbox's emulator
//! of the same API (`emulators::mtn_momo`).
//!
//! - Every call carries `Ocp-Apim-Subscription-Key` and `X-Target-Environment`, and a Bearer
//!   token from `POST /collection/token/` (Basic API user and key), kept until shortly before it
//!   expires; a 401 drops it and the call is made once more with a new one.
//! - A request to pay is identified by the `X-Reference-Id` Dalal chooses (a UUID v4), so it is
//!   retried once with the same id when MTN is unreachable: MTN refuses a known id (409), which
//!   then means the first try arrived.
//! - The callback MTN sends to `X-Callback-Url` is sent once and is not signed: Dalal only takes
//!   it as a reason to ask (`hooks::mtn_momo`).

pub mod transformers;
pub mod wire;

use super::{
    AttemptOutcome, AttemptRequest, PaymentProvider, ProviderError, ProviderSession, ProviderStatus,
};
use crate::clock::SharedClock;
use crate::config::{MtnMomoCredentials, Secret};
use crate::domain::{FailureCode, ProviderCode};
use crate::random;
use anyhow::Context;
use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;
use std::time::Duration;
use wire::{ErrorBody, Party, RequestToPay, RequestToPayResult, Token};

const TIMEOUT: Duration = Duration::from_secs(15);
/// A token is renewed this long before MTN says it expires.
const RENEW_BEFORE_MS: i64 = 60_000;

pub struct MtnMomoConnector {
    http: reqwest::Client,
    /// `https://proxy.momoapi.mtn.com`, or the emulator's `…/sandbox/providers/mtn-momo`.
    base_url: String,
    credentials: MtnMomoCredentials,
    /// Dalal's `/hooks/mtn-momo`, sent as `X-Callback-Url`.
    callback_url: String,
    clock: SharedClock,
    token: tokio::sync::Mutex<Option<CachedToken>>,
}

struct CachedToken {
    value: Secret,
    renew_at_ms: i64,
}

/// MTN refused a request Dalal made: its status and error code, for the log.
#[derive(Debug, thiserror::Error)]
#[error("MTN MoMo answered {status} ({code})")]
struct MtnRefused {
    status: StatusCode,
    code: String,
}

impl MtnMomoConnector {
    pub fn new(
        base_url: &str,
        credentials: MtnMomoCredentials,
        callback_url: &str,
        clock: SharedClock,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .context("failed to build MTN MoMo's HTTP client")?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            credentials,
            callback_url: callback_url.to_owned(),
            clock,
            token: tokio::sync::Mutex::new(None),
        })
    }

    /// A valid access token: the kept one, or a new one. Callers wait for one fetch at a time.
    async fn token(&self) -> Result<Secret, ProviderError> {
        let mut kept = self.token.lock().await;
        let now = self.clock.now_ms();
        if let Some(token) = kept.as_ref().filter(|t| now < t.renew_at_ms) {
            return Ok(token.value.clone());
        }
        let response = self
            .http
            .post(format!("{}/collection/token/", self.base_url))
            .basic_auth(
                self.credentials.api_user.expose(),
                Some(self.credentials.api_key.expose()),
            )
            .header(
                "Ocp-Apim-Subscription-Key",
                self.credentials.subscription_key.expose(),
            )
            .send()
            .await;
        let response = match response {
            Ok(r) if r.status().is_success() => r,
            Ok(r)
                if r.status().is_server_error() || r.status() == StatusCode::TOO_MANY_REQUESTS =>
            {
                tracing::warn!(status = %r.status(), "MTN MoMo could not issue a token");
                return Err(ProviderError::Unavailable);
            }
            Ok(r) => {
                return Err(anyhow::anyhow!(
                    "MTN MoMo refused the API user ({}): check providers.mtn_momo's credentials",
                    r.status()
                )
                .into());
            }
            Err(err) => {
                tracing::warn!(error = %err.without_url(), "MTN MoMo could not be reached for a token");
                return Err(ProviderError::Unavailable);
            }
        };
        let token: Token = response
            .json()
            .await
            .context("MTN MoMo's token is not the documented JSON")?;
        let value = Secret::new(token.access_token);
        *kept = Some(CachedToken {
            value: value.clone(),
            renew_at_ms: now + token.expires_in * 1000 - RENEW_BEFORE_MS,
        });
        Ok(value)
    }

    async fn forget_token(&self) {
        *self.token.lock().await = None;
    }

    /// One call, with a token; made again with a new token if MTN says the token is no good.
    /// 404 is `UnknownReference`; 429, 5xx and transport errors are `Unavailable`; other
    /// refusals are Dalal's mistake (`Internal`, with MTN's code).
    async fn call(
        &self,
        method: Method,
        path: &str,
        request_to_pay: Option<(&str, &RequestToPay)>,
    ) -> Result<reqwest::Response, ProviderError> {
        for attempt in 0..2 {
            let token = self.token().await?;
            let mut request = self
                .http
                .request(method.clone(), format!("{}{path}", self.base_url))
                .bearer_auth(token.expose())
                .header("X-Target-Environment", &self.credentials.target_environment)
                .header(
                    "Ocp-Apim-Subscription-Key",
                    self.credentials.subscription_key.expose(),
                );
            if let Some((reference, body)) = request_to_pay {
                request = request
                    .header("X-Reference-Id", reference)
                    .header("X-Callback-Url", &self.callback_url)
                    .json(body);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(err) => {
                    tracing::warn!(%method, path, error = %err.without_url(), "MTN MoMo could not be reached");
                    return Err(ProviderError::Unavailable);
                }
            };
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && attempt == 0 {
                // The token expired early or was revoked: once more with a new one.
                self.forget_token().await;
                continue;
            }
            if status.is_success() {
                return Ok(response);
            }
            if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                tracing::warn!(%method, path, %status, "MTN MoMo is unavailable");
                return Err(ProviderError::Unavailable);
            }
            if status == StatusCode::NOT_FOUND {
                return Err(ProviderError::UnknownReference(path.to_owned()));
            }
            let code = response
                .json::<ErrorBody>()
                .await
                .map(|e| e.code)
                .unwrap_or_default();
            return Err(anyhow::Error::new(MtnRefused { status, code }).into());
        }
        Err(anyhow::anyhow!("MTN MoMo refused two fresh tokens in a row").into())
    }

    /// `GET /collection/v1_0/requesttopay/{referenceId}`, retried once if MTN is unavailable.
    async fn result(&self, reference: &str) -> Result<RequestToPayResult, ProviderError> {
        let path = format!("/collection/v1_0/requesttopay/{reference}");
        let response = match self.call(Method::GET, &path, None).await {
            Err(ProviderError::Unavailable) => self.call(Method::GET, &path, None).await,
            other => other,
        };
        match response {
            Ok(response) => Ok(response
                .json()
                .await
                .context("MTN MoMo's status is not the documented JSON")?),
            Err(ProviderError::UnknownReference(_)) => {
                Err(ProviderError::UnknownReference(reference.to_owned()))
            }
            Err(err) => Err(err),
        }
    }
}

fn refused_as_duplicate(err: &ProviderError) -> bool {
    matches!(err, ProviderError::Internal(e)
        if e.downcast_ref::<MtnRefused>().is_some_and(|r| r.status == StatusCode::CONFLICT))
}

#[async_trait]
impl PaymentProvider for MtnMomoConnector {
    fn code(&self) -> ProviderCode {
        ProviderCode::MtnMomo
    }

    async fn initiate(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        let Some(phone) = &request.phone else {
            return Err(ProviderError::Refused(FailureCode::MissingPhone));
        };
        let reference = random::uuid_v4();
        let body = RequestToPay {
            amount: request.amount.minor().to_string(),
            currency: request.amount.currency().code().to_owned(),
            external_id: request.attempt_id.clone(),
            payer: Party {
                party_id_type: "MSISDN".to_owned(),
                party_id: phone.as_str().trim_start_matches('+').to_owned(),
            },
            payer_message: format!("Paiement {}", request.attempt_id),
            payee_note: request.attempt_id.clone(),
        };
        let path = "/collection/v1_0/requesttopay";
        let sent = match self
            .call(Method::POST, path, Some((&reference, &body)))
            .await
        {
            Err(ProviderError::Unavailable) => {
                match self
                    .call(Method::POST, path, Some((&reference, &body)))
                    .await
                {
                    Err(err) if refused_as_duplicate(&err) => Ok(()),
                    other => other.map(|_| ()),
                }
            }
            other => other.map(|_| ()),
        };
        sent?;
        Ok(ProviderSession {
            reference,
            raw_status: "PENDING".to_owned(),
            launch_url: None,
            deep_links: BTreeMap::new(),
            customer_asked: true,
        })
    }

    async fn fetch_status(&self, reference: &str) -> Result<ProviderStatus, ProviderError> {
        let result = self.result(reference).await?;
        let raw_status = transformers::status_word(&result);
        let outcome = transformers::outcome(&raw_status);
        if outcome == AttemptOutcome::Unrecognised {
            tracing::error!(%reference, status = %raw_status, "MTN MoMo sent a status Dalal does not know; the attempt stays open");
        }
        Ok(ProviderStatus {
            raw_status,
            outcome,
        })
    }
}
