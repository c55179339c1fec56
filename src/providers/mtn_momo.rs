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
    http,
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
use wire::{Party, RequestToPay, RequestToPayResult, Token};

/// The provider's name in logs and errors.
const NAME: &str = "MTN MoMo";
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
    token: http::KeptToken,
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
            token: http::KeptToken::new(RENEW_BEFORE_MS),
        })
    }

    /// A valid access token: the kept one, or a new one from `POST /collection/token/`.
    async fn token(&self) -> Result<Secret, ProviderError> {
        self.token
            .get(self.clock.now_ms(), || async {
                let path = "/collection/token/";
                let request = self
                    .http
                    .post(format!("{}{path}", self.base_url))
                    .basic_auth(
                        self.credentials.api_user.expose(),
                        Some(self.credentials.api_key.expose()),
                    )
                    .header(
                        "Ocp-Apim-Subscription-Key",
                        self.credentials.subscription_key.expose(),
                    );
                let token: Token =
                    http::fetch_token(NAME, "providers.mtn_momo's credentials", path, request)
                        .await?;
                Ok((Secret::new(token.access_token), token.expires_in))
            })
            .await
    }

    /// One call, with a token; made again with a new token if MTN says the token is no good
    /// (it expired early or was revoked). The answer is read as every connector reads one
    /// (`http::send`).
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
            match http::send(NAME, &method, path, request).await {
                Err(err) if attempt == 0 && http::refused_with(&err, StatusCode::UNAUTHORIZED) => {
                    self.token.forget().await;
                }
                answer => return answer,
            }
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
            Ok(response) => http::read(NAME, response).await,
            Err(ProviderError::UnknownReference(_)) => {
                Err(ProviderError::UnknownReference(reference.to_owned()))
            }
            Err(err) => Err(err),
        }
    }
}

fn refused_as_duplicate(err: &ProviderError) -> bool {
    http::refused_with(err, StatusCode::CONFLICT)
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
