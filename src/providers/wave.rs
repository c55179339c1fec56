//! Wave's Checkout API over HTTP (PROVIDERS.md, "Wave — Checkout API"). Live mode points it at
//! `providers.wave.base_url` with one API key per business wallet; test mode at the sandbox's
//! emulator of the same API, so that test keys run exactly this code.
//!
//! - A key belongs to one wallet, hence one country (`wave_sn_prod_…`, `wave_ci_prod_…`): the
//!   connector holds a wallet per country it serves, and serves no other. A session opened with
//!   a per-country wallet has that country after its id in Dalal's reference (`cos-…@CI`), so
//!   that later calls use the same key; the main wallet's references are the bare id.
//! - Retries: reads and refunds are retried once (a second refund "is harmless", PROVIDERS.md).
//!   Creating a session is not: a session opened by a request that timed out is never shown to
//!   anyone (Dalal never got its launch URL), moves no money, and expires on its own, while the
//!   router tries the next gateway.
//! - Expire and refund answer `200` with an empty body.

mod payouts;
pub mod signature;
pub mod transformers;
pub mod wire;

use super::http::{self, SendError};
use super::{
    AttemptOutcome, AttemptRef, AttemptRequest, Balance, Check, HeaderMap, Named, Notification,
    PaymentProvider, PayoutOrder, PayoutState, ProviderError, ProviderRefund, ProviderSession, ProviderStatus, RefundOutcome,
};
use crate::config::Secret;
use crate::domain::{Country, Failure, ProviderCode};
use anyhow::Context;
use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;
use std::time::Duration;
use subtle::ConstantTimeEq;
use transformers::WaveStatus;
use wire::{CreateSession, Event, Session};

/// The provider's name in logs and errors.
const NAME: &str = "Wave";
/// How long one call may take. Wave answers in well under a second; a customer waits on this.
const TIMEOUT: Duration = Duration::from_secs(15);
/// Between a reference's session id and the country of the wallet that opened it.
const WALLET_SEPARATOR: char = '@';

/// One Wave business wallet: its API key, the secret of the webhook registered for it, and the
/// countries it takes payments in.
#[derive(Debug, Clone)]
pub struct Wallet {
    pub countries: Vec<Country>,
    pub api_key: Secret,
    pub webhook_secret: Option<Secret>,
    /// Written after the session id of the references this wallet opens; `None` for the main
    /// wallet (`providers.wave.api_key`), whose references are bare.
    pub tag: Option<Country>,
}

pub struct WaveConnector {
    http: reqwest::Client,
    /// `https://api.wave.com`, or the emulator's `…/sandbox/providers/wave`.
    base_url: String,
    wallets: Vec<Wallet>,
    /// Whether sessions are restricted to the customer's number (off by default).
    restrict_payer_mobile: bool,
}

impl WaveConnector {
    pub fn new(
        base_url: &str,
        wallets: Vec<Wallet>,
        restrict_payer_mobile: bool,
    ) -> anyhow::Result<Self> {
        let http = http::client(NAME, TIMEOUT)?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            wallets,
            restrict_payer_mobile,
        })
    }

    /// The same connector with another time limit per call (tests of lost answers).
    pub fn with_timeout(mut self, timeout: Duration) -> anyhow::Result<Self> {
        self.http = http::client(NAME, timeout)?;
        Ok(self)
    }

    fn wallet_for(&self, country: Country) -> Option<&Wallet> {
        self.wallets.iter().find(|w| w.countries.contains(&country))
    }

    /// A reference's session id and the wallet that opened it.
    fn split<'r>(&self, reference: &'r str) -> Result<(&'r str, &Wallet), ProviderError> {
        let (id, tag) = match reference.split_once(WALLET_SEPARATOR) {
            Some((id, tag)) => (id, Country::parse(tag).ok()),
            None => (reference, None),
        };
        self.wallets
            .iter()
            .find(|w| w.tag == tag)
            .map(|wallet| (id, wallet))
            .ok_or_else(|| {
                anyhow::anyhow!("no Wave wallet opened {reference:?}: check providers.wave").into()
            })
    }

    fn reference(session_id: &str, wallet: &Wallet) -> String {
        match wallet.tag {
            Some(country) => format!("{session_id}{WALLET_SEPARATOR}{}", country.code()),
            None => session_id.to_owned(),
        }
    }

    /// One call with a wallet's key, read as every connector reads an answer (`http::send`).
    /// The key is in a header, never in an error.
    async fn call(
        &self,
        wallet: &Wallet,
        method: Method,
        path: &str,
        body: Option<&CreateSession<'_>>,
    ) -> Result<reqwest::Response, SendError> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base_url))
            .bearer_auth(wallet.api_key.expose());
        if let Some(body) = body {
            request = request.json(body);
        }
        http::send(NAME, &method, path, request).await
    }

    /// `GET /v1/checkout/sessions/{id}`, retried once if Wave is unavailable.
    async fn session(&self, reference: &str) -> Result<Session, ProviderError> {
        let (id, wallet) = self.split(reference)?;
        let path = format!("/v1/checkout/sessions/{id}");
        let response = match self.call(wallet, Method::GET, &path, None).await {
            Err(SendError::NotSent | SendError::NoAnswer | SendError::ServerError(_)) => {
                self.call(wallet, Method::GET, &path, None).await
            }
            other => other,
        };
        match response {
            Ok(response) => http::read(NAME, response).await,
            Err(SendError::NotFound(_)) => {
                Err(ProviderError::UnknownReference(reference.to_owned()))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Whether a verified webhook's secret is this wallet's: the signing-secret strategy
    /// (`Wave-Signature`) or the shared-secret one (`Authorization: Bearer <secret>`).
    fn signed_by(wallet: &Wallet, headers: &HeaderMap, body: &[u8], now_secs: i64) -> bool {
        let Some(secret) = &wallet.webhook_secret else {
            return false;
        };
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let Some(signed) = header("wave-signature") {
            return signature::verify(secret.expose(), signed, body, now_secs);
        }
        header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| bool::from(given.as_bytes().ct_eq(secret.expose().as_bytes())))
    }
}

/// A session's status, after checking it is the attempt's: the same client reference and
/// amount, or Dalal believes nothing of it.
fn status_of(
    session: &Session,
    attempt: Option<&AttemptRef<'_>>,
) -> Result<ProviderStatus, ProviderError> {
    if let Some(attempt) = attempt {
        let reference_differs = session
            .client_reference
            .as_deref()
            .is_some_and(|r| r != attempt.attempt_id);
        let amount_differs = session
            .amount
            .as_deref()
            .is_some_and(|a| a.trim().parse::<i64>().ok() != Some(attempt.amount.minor()));
        if reference_differs || amount_differs {
            return Err(anyhow::anyhow!(
                "Wave's session {} is not attempt {}'s (client reference or amount differ): not believed",
                session.id,
                attempt.attempt_id
            )
            .into());
        }
    }
    let status = WaveStatus::from(session);
    let outcome = AttemptOutcome::from(&status);
    if outcome == AttemptOutcome::Unrecognised {
        tracing::error!(session = %session.id, status = %status, "Wave sent a status Dalal does not know; the attempt stays open");
    }
    Ok(ProviderStatus {
        raw_status: status.to_string(),
        outcome,
    })
}

#[async_trait]
impl PaymentProvider for WaveConnector {
    fn code(&self) -> ProviderCode {
        ProviderCode::Wave
    }

    /// Only where a wallet is: a key pays into one country's wallet.
    fn serves(&self, country: Country) -> bool {
        self.wallet_for(country).is_some()
    }

    async fn initiate(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        let wallet = self
            .wallet_for(request.country)
            .ok_or_else(|| anyhow::anyhow!("no Wave wallet for {}", request.country.code()))?;
        let restricted = request
            .phone
            .as_ref()
            .filter(|_| self.restrict_payer_mobile)
            .map(|p| p.as_str());
        let body = CreateSession {
            amount: request.amount.minor().to_string(),
            currency: request.amount.currency().code(),
            success_url: &request.return_url,
            error_url: &request.return_url,
            client_reference: request.attempt_id.as_str(),
            restrict_payer_mobile: restricted,
        };
        let response = self
            .call(wallet, Method::POST, "/v1/checkout/sessions", Some(&body))
            .await?;
        let session: Session = http::read(NAME, response).await?;
        let status = status_of(&session, None)?;
        let launch_url = session
            .wave_launch_url
            .clone()
            .filter(|u| !u.is_empty())
            .context("Wave's new session has no wave_launch_url")?;
        Ok(ProviderSession {
            reference: Self::reference(&session.id, wallet),
            raw_status: status.raw_status,
            deep_links: BTreeMap::from([("wave".to_owned(), launch_url.clone())]),
            launch_url: Some(launch_url),
            customer_asked: false,
        })
    }

    async fn fetch_status(
        &self,
        attempt: &AttemptRef<'_>,
    ) -> Result<ProviderStatus, ProviderError> {
        let session = self.session(attempt.reference).await?;
        let status = status_of(&session, Some(attempt))?;
        // A failed try leaves a Wave session open: the customer could pay it later in the app,
        // after Dalal has moved on. Close it first; if it was paid meanwhile, that wins.
        let open = session.checkout_status == transformers::CheckoutStatus::Open;
        if matches!(status.outcome, AttemptOutcome::Failed(_)) && open {
            self.expire(attempt.reference).await?;
            let session = self.session(attempt.reference).await?;
            let now = status_of(&session, Some(attempt))?;
            if now.outcome == AttemptOutcome::Succeeded {
                return Ok(now);
            }
        }
        Ok(status)
    }

    /// `POST /v1/checkout/sessions/{id}/expire`: `200` with an empty body. A session that is no
    /// longer open (paid or expired) is refused with `409`: nothing to do, `fetch_status` tells
    /// which.
    async fn expire(&self, reference: &str) -> Result<(), ProviderError> {
        let (id, wallet) = self.split(reference)?;
        let path = format!("/v1/checkout/sessions/{id}/expire");
        match self.call(wallet, Method::POST, &path, None).await {
            Ok(_) => Ok(()),
            Err(SendError::NotFound(_)) => {
                Err(ProviderError::UnknownReference(reference.to_owned()))
            }
            Err(err) if err.is(StatusCode::CONFLICT) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// `POST /v1/checkout/sessions/{id}/refund`, no body: the whole amount (Wave refunds no
    /// part), answered `200` with an empty body. Retried once when the answer is lost: "a
    /// second call is harmless".
    async fn refund(&self, refund: &ProviderRefund<'_>) -> Result<RefundOutcome, ProviderError> {
        let (id, wallet) = self.split(refund.reference)?;
        let path = format!("/v1/checkout/sessions/{id}/refund");
        let first = self.call(wallet, Method::POST, &path, None).await;
        let answer = match first {
            Err(SendError::NotSent | SendError::NoAnswer | SendError::ServerError(_)) => {
                self.call(wallet, Method::POST, &path, None).await
            }
            other => other,
        };
        match answer {
            Ok(_) => Ok(RefundOutcome::Succeeded { reference: None }),
            // Sent twice, answered neither time: Wave may have refunded.
            Err(SendError::NoAnswer | SendError::ServerError(_)) => {
                Err(ProviderError::OutcomeUnknown {
                    reference: refund.reference.to_owned(),
                })
            }
            // `checkout-refund-failed`, Wave's one refund refusal: the merchant reads its code.
            Err(SendError::Refused(refused)) => {
                Ok(RefundOutcome::Failed(Failure::unknown(&refused.code)))
            }
            Err(SendError::NotFound(_)) => {
                Err(ProviderError::UnknownReference(refund.reference.to_owned()))
            }
            Err(err) => Err(err.into()),
        }
    }

    fn pays_out(&self, country: Country) -> bool {
        self.wallet_for(country).is_some()
    }

    async fn pay_out(&self, order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
        self.send_payout(order).await
    }

    async fn payout_status(&self, order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
        self.read_payout(order).await
    }

    async fn balance(&self, country: Country) -> Result<Option<Balance>, ProviderError> {
        self.wallet_balance(country).await
    }

    /// Each wallet's key, by reading a session that does not exist: Wave answers `404
    /// checkout-session-not-found` to a key it takes, and nothing moves.
    async fn check(&self) -> Vec<Check> {
        let mut checks = Vec::new();
        for wallet in &self.wallets {
            let countries: Vec<&str> = wallet.countries.iter().map(|c| c.code()).collect();
            let what = format!("Wave, wallet {}: API key", countries.join(", "));
            let path = "/v1/checkout/sessions/cos-dalalcheckproviders";
            checks.push(match self.call(wallet, Method::GET, path, None).await {
                Err(SendError::NotFound(refused))
                    if refused.code == "checkout-session-not-found" =>
                {
                    Check::works(
                        what,
                        "Wave takes the key (a read of an unknown session answered 404)",
                    )
                }
                Ok(_) => Check::works(what, "Wave takes the key"),
                Err(err) => Check::fails(what, http::plainly(NAME, &err, "providers.wave")),
            });
        }
        checks
    }

    /// A webhook signed by one of the wallets' secrets (`Wave-Signature`, within five minutes,
    /// or the shared-secret `Authorization`), naming its session.
    async fn verify_notification(&self, headers: &HeaderMap, body: &[u8], now_ms: i64) -> Notification {
        let Some(wallet) = self
            .wallets
            .iter()
            .find(|w| Self::signed_by(w, headers, body, now_ms / 1000))
        else {
            return Notification::NotOurs;
        };
        match serde_json::from_slice::<Event>(body) {
            Ok(event) => {
                tracing::info!(event = %event.id, kind = %event.kind, session = %event.data.id, "Wave notification");
                Notification::About(Named::Reference(Self::reference(&event.data.id, wallet)))
            }
            Err(_) => Notification::Unreadable,
        }
    }
}
