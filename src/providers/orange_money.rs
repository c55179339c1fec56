//! Orange Money over HTTP, through the merchant API Sonatel publishes (PROVIDERS.md, "Orange
//! Money Senegal — Sonatel's merchant API"; wire format in `wire.rs`). Live mode points it at
//! `providers.orange_money.base_url` with the account's client id and secret; test mode at the
//! sandbox's emulator of the same API.
//!
//! - Every call carries a Bearer token from `POST /oauth/v1/token` (client credentials), kept
//!   until shortly before it expires; a 401 drops it and the call is made once more with a new
//!   one. Every call says `Content-Type` and `Accept: application/json`, GETs included: Orange's
//!   gateway answers `415` otherwise.
//! - The QR-code and deep-link path creates a single-use QR code (`POST /api/eWallet/v4/qrcode`)
//!   whose `reference` is Dalal's attempt id. An unpaid code appears nowhere; once paid, the
//!   transaction is found by `GET /api/eWallet/v1/transactions?reference=…` — a bare array
//!   that ignores unknown filters, so each item's reference, amount and payee are checked
//!   before a `SUCCESS` is believed. The attempt's reference is `qr:<qrId>`.
//! - The one-time-code path charges the customer's national number with the code they got by
//!   dialling Orange's USSD code (`POST /api/eWallet/v1/payments/onestep`); the reference is the
//!   transaction's id, asked about at `GET …/transactions/{id}/status`. That call moves money
//!   and Orange keeps no idempotency key: it is sent once. When its answer is lost (a timeout, a
//!   5xx), the outcome is unknown: the attempt stays open as `ref:<attempt id>`, settled by the
//!   search by reference, and is never sent again nor to another gateway. Found nothing after
//!   `UNKNOWN_OUTCOME_GIVES_UP_MS`, it failed.
//! - Orange calls back with `Authorization: Basic <the key registered with the callback URL>`
//!   (`X-Api-Key` is taken too); Dalal checks the key, answers 2xx, then asks.
//! - Payouts are Cash In from a distributor (retailer) account, with its PIN (`cashin.rs`).

mod cashin;
mod check;
mod search;
pub mod transformers;
pub mod wire;

use super::http::{self, SendError};
use super::{
    AttemptOutcome, AttemptRef, AttemptRequest, Balance, Check, HeaderMap, Named, Notification,
    PaymentProvider, PayoutOrder, PayoutState, ProviderError, ProviderSession, ProviderStatus,
};
use crate::clock::SharedClock;
use crate::config::Secret;
use crate::domain::{Country, Failure, FailureCode, ProviderCode};
use anyhow::Context;
use async_trait::async_trait;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use search::settle;
use std::collections::BTreeMap;
use std::time::Duration;
use subtle::ConstantTimeEq;
use transformers::OrangeStatus;
use wire::{
    ATTEMPT_KEY, Amount, Callback, OneStepAnswer, OneStepPayment, Party, QrCode, QrCodeRequest,
    Restrictions, StatusAnswer, Token,
};

/// The provider's name in logs and errors.
const NAME: &str = "Orange Money";
const TIMEOUT: Duration = Duration::from_secs(15);
/// A token is renewed this long before Orange says it expires (its tokens live about 5 min).
const RENEW_BEFORE_MS: i64 = 30_000;
/// How long a QR code can be paid: as long as a Wave session, well inside a payment's life.
pub const QR_VALIDITY_SECS: i64 = 30 * 60;
/// A one-step payment whose answer was lost and that the search has not found after this long
/// never took, and the customer may try again: PROVIDERS.md's rule for a deposit pawaPay never
/// saw ("should be considered FAILED after 15 minutes"). A success found later is logged as a
/// refund to make (`payments::sync`).
pub const UNKNOWN_OUTCOME_GIVES_UP_MS: i64 = 15 * 60 * 1000;
/// The prefixes of a QR code's reference and of a payment known by its reference only.
const QR_PREFIX: &str = "qr:";
const BY_REFERENCE_PREFIX: &str = "ref:";

/// Everything a call to Orange Money's merchant API needs.
#[derive(Debug, Clone)]
pub struct Account {
    pub client_id: Secret,
    pub client_secret: Secret,
    /// The merchant code payments go to (the payee Dalal checks in answers).
    pub merchant_code: String,
    /// The name customers see in the app.
    pub merchant_name: String,
    /// The key registered with the callback URL, which Orange sends back with each callback.
    pub callback_key: Option<Secret>,
    /// Where payments are taken (Sonatel's API is Orange Money Senegal's).
    pub countries: Vec<Country>,
    /// Dalal's `/hooks/orange-money`: the callback URL Orange should have registered.
    pub callback_url: String,
}

pub struct OrangeMoneyConnector {
    http: reqwest::Client,
    /// `https://api.orange-sonatel.com`, or the emulator's `…/sandbox/providers/orange-money`.
    base_url: String,
    account: Account,
    clock: SharedClock,
    token: http::KeptToken,
    /// The distributor account payouts are paid from (`with_retailer`), if any.
    retailer: Option<cashin::Retailer>,
}

enum Body<'a> {
    None,
    Qr(&'a QrCodeRequest<'a>),
    OneStep(&'a OneStepPayment<'a>),
}

impl OrangeMoneyConnector {
    pub fn new(base_url: &str, account: Account, clock: SharedClock) -> anyhow::Result<Self> {
        let http = http::client(NAME, TIMEOUT)?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            account,
            clock,
            token: http::KeptToken::new(RENEW_BEFORE_MS),
            retailer: None,
        })
    }

    /// The same connector with another time limit per call (tests of lost answers).
    pub fn with_timeout(mut self, timeout: Duration) -> anyhow::Result<Self> {
        self.http = http::client(NAME, timeout)?;
        Ok(self)
    }

    /// A valid access token: the kept one, or a new one from `POST /oauth/v1/token`.
    async fn token(&self) -> Result<Secret, ProviderError> {
        self.token
            .get(self.clock.now_ms(), || async {
                let form = [
                    ("grant_type", "client_credentials"),
                    ("client_id", self.account.client_id.expose()),
                    ("client_secret", self.account.client_secret.expose()),
                ];
                let path = "/oauth/v1/token";
                let request = self
                    .http
                    .post(format!("{}{path}", self.base_url))
                    .header(ACCEPT, "application/json")
                    .form(&form);
                let token: Token =
                    http::fetch_token(NAME, "providers.orange_money's credentials", path, request)
                        .await?;
                Ok((Secret::new(token.access_token), token.expires_in))
            })
            .await
    }

    /// One call, with a token; made again with a new token if Orange says the token is no good.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Body<'_>,
    ) -> Result<reqwest::Response, SendError> {
        for attempt in 0..2 {
            let token = self.token().await.map_err(http::no_token)?;
            let request = self
                .http
                .request(method.clone(), format!("{}{path}", self.base_url))
                .bearer_auth(token.expose())
                .header(ACCEPT, "application/json")
                .header(CONTENT_TYPE, "application/json");
            let request = match body {
                Body::None => request,
                Body::Qr(qr) => request.json(qr),
                Body::OneStep(payment) => request.json(payment),
            };
            match http::send(NAME, &method, path, request).await {
                Err(err) if attempt == 0 && err.is(StatusCode::UNAUTHORIZED) => {
                    self.token.forget().await;
                }
                answer => return answer,
            }
        }
        unreachable!("the loop returns on its second turn")
    }

    /// A read, retried once if Orange is unavailable.
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        reference: &str,
    ) -> Result<T, ProviderError> {
        let response = match self.call(Method::GET, path, Body::None).await {
            Err(SendError::NotSent | SendError::NoAnswer | SendError::ServerError(_)) => {
                self.call(Method::GET, path, Body::None).await
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

    fn amount(request: &AttemptRequest) -> Amount<'_> {
        Amount {
            unit: request.amount.currency().code(),
            value: request.amount.minor(),
        }
    }

    /// `POST /api/eWallet/v4/qrcode`.
    async fn create_qr(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        let body = QrCodeRequest {
            code: &self.account.merchant_code,
            name: &self.account.merchant_name,
            amount: Self::amount(request),
            validity: QR_VALIDITY_SECS,
            reference: request.attempt_id.as_str(),
            metadata: BTreeMap::from([(ATTEMPT_KEY, request.attempt_id.as_str())]),
            callback_success_url: &request.return_url,
            callback_cancel_url: &request.return_url,
            restrictions: Restrictions {
                is_single_use: true,
            },
        };
        let response = self
            .call(Method::POST, "/api/eWallet/v4/qrcode", Body::Qr(&body))
            .await
            .map_err(refusal)?;
        let qr: QrCode = http::read(NAME, response).await?;
        // The app links by Dalal's names for them (the page's "Ouvrir Orange Money" / "Max it").
        let mut deep_links = BTreeMap::new();
        for (theirs, ours) in [("OM", "orange_money"), ("MAXIT", "maxit")] {
            if let Some(link) = qr.deep_links.get(theirs).filter(|l| !l.is_empty()) {
                deep_links.insert(ours.to_owned(), link.clone());
            }
        }
        if deep_links.is_empty() {
            deep_links.insert("orange_money".to_owned(), qr.deep_link.clone());
        }
        Ok(ProviderSession {
            reference: format!("{QR_PREFIX}{}", qr.qr_id),
            raw_status: OrangeStatus::Initiated.to_string(),
            launch_url: Some(qr.deep_link),
            deep_links,
            customer_asked: false,
        })
    }

    /// `POST /api/eWallet/v1/payments/onestep`, sent once. Orange's refusals (numeric codes)
    /// are the customer's to read; a lost answer is an unknown outcome.
    async fn pay_with_code(
        &self,
        request: &AttemptRequest,
        code: &str,
    ) -> Result<ProviderSession, ProviderError> {
        let Some(phone) = &request.phone else {
            return Err(ProviderError::Refused(Failure::new(
                FailureCode::MissingPhone,
            )));
        };
        // "The national 9-digit number" (PROVIDERS.md; the SDK's example `786258731`).
        let national = phone
            .national(request.country)
            .with_context(|| format!("{phone:?} is not a number of {}", request.country.code()))?;
        let body = OneStepPayment {
            customer: Party {
                id_type: "MSISDN",
                id: national,
                otp: Some(code),
            },
            partner: Party {
                id_type: "CODE",
                id: &self.account.merchant_code,
                otp: None,
            },
            amount: Self::amount(request),
            reference: request.attempt_id.as_str(),
            metadata: BTreeMap::from([(ATTEMPT_KEY, request.attempt_id.as_str())]),
        };
        let path = "/api/eWallet/v1/payments/onestep";
        let answer: OneStepAnswer = match self.call(Method::POST, path, Body::OneStep(&body)).await
        {
            Ok(response) => match http::read(NAME, response).await {
                Ok(answer) => answer,
                // Orange took the payment and Dalal cannot read its answer: as good as lost.
                Err(err) => {
                    tracing::error!(error = ?err, attempt = %request.attempt_id, "Orange Money's one-step answer is unreadable; the payment is settled by its reference");
                    return Err(self.unknown_outcome(request));
                }
            },
            Err(SendError::NoAnswer | SendError::ServerError(_)) => {
                return Err(self.unknown_outcome(request));
            }
            Err(err) => return Err(refusal(err)),
        };
        let outcome = AttemptOutcome::from(&answer.status);
        Ok(ProviderSession {
            reference: answer.transaction_id,
            customer_asked: outcome != AttemptOutcome::Waiting,
            raw_status: answer.status.to_string(),
            launch_url: None,
            deep_links: BTreeMap::new(),
        })
    }

    fn unknown_outcome(&self, request: &AttemptRequest) -> ProviderError {
        ProviderError::OutcomeUnknown {
            reference: format!("{BY_REFERENCE_PREFIX}{}", request.attempt_id),
        }
    }
}

/// Orange's refusal of a creation, as Dalal's: a business code (digits that are not an HTTP
/// status, in a 400, 404 or 422) is the customer's to read (`transformers::refusal`); anything
/// else — a 401, a 415, a validation error — is Dalal's own error, never shown as Orange's.
fn refusal(err: SendError) -> ProviderError {
    match err {
        SendError::Refused(refused) | SendError::NotFound(refused)
            if is_business_code(refused.status, &refused.code) =>
        {
            ProviderError::Refused(transformers::refusal(&refused.code))
        }
        other => other.into(),
    }
}

/// Whether an error body's code is one of Sonatel's business codes (`"60"`, `"2020"`), not an
/// HTTP status written as a code (`"400"`, `"415"`).
fn is_business_code(status: StatusCode, code: &str) -> bool {
    let digits = !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit());
    let http_status = code.len() == 3 && code.parse::<u16>().is_ok_and(|c| (100..600).contains(&c));
    let refusal = matches!(status.as_u16(), 400 | 404 | 409 | 422);
    digits && !http_status && refusal
}

#[async_trait]
impl PaymentProvider for OrangeMoneyConnector {
    fn code(&self) -> ProviderCode {
        ProviderCode::OrangeMoney
    }

    fn serves(&self, country: Country) -> bool {
        self.account.countries.contains(&country)
    }

    async fn initiate(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        match &request.one_time_code {
            None => self.create_qr(request).await,
            Some(code) => self.pay_with_code(request, code).await,
        }
    }

    async fn fetch_status(
        &self,
        attempt: &AttemptRef<'_>,
    ) -> Result<ProviderStatus, ProviderError> {
        let reference = attempt.reference;
        let status = if reference.starts_with(QR_PREFIX)
            || reference.starts_with(BY_REFERENCE_PREFIX)
        {
            let found = self.transactions_of(attempt).await?;
            match settle(&found) {
                Some(status) => status.clone(),
                None if reference.starts_with(BY_REFERENCE_PREFIX)
                    && self.clock.now_ms() - attempt.started_at_ms
                        >= UNKNOWN_OUTCOME_GIVES_UP_MS =>
                {
                    tracing::warn!(attempt = %attempt.attempt_id, "a one-step payment whose answer was lost never reached Orange Money");
                    return Ok(ProviderStatus {
                        raw_status: "NOT_FOUND".to_owned(),
                        outcome: AttemptOutcome::Failed(Failure::new(FailureCode::Unavailable)),
                    });
                }
                // A QR code nobody has paid yet, or a payment not found yet.
                None => OrangeStatus::Initiated,
            }
        } else {
            let path = format!("/api/eWallet/v1/transactions/{reference}/status");
            let answer: StatusAnswer = self.get(&path, reference).await?;
            answer.status
        };
        let outcome = AttemptOutcome::from(&status);
        if outcome == AttemptOutcome::Unrecognised {
            tracing::error!(%reference, %status, "Orange Money sent a status Dalal does not know; the attempt stays open");
        }
        Ok(ProviderStatus {
            raw_status: status.to_string(),
            outcome,
        })
    }

    /// Tries the account without moving money (`check.rs`), and the retailer's public key
    /// without trying its PIN (`cashin.rs`).
    async fn check(&self) -> Vec<Check> {
        let mut checks = self.check_account().await;
        let retailer = self.check_retailer(&checks).await;
        checks.extend(retailer);
        checks
    }

    fn pays_out(&self, country: Country) -> bool {
        self.can_pay_out(country)
    }

    async fn pay_out(&self, order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
        self.send_cashin(order).await
    }

    async fn payout_status(&self, order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
        self.read_cashin(order).await
    }

    async fn balance(&self, country: Country) -> Result<Option<Balance>, ProviderError> {
        self.retailer_balance(country).await
    }

    /// A callback with the registered key, as `Authorization: Basic <key>` (the key itself,
    /// PROVIDERS.md) or `X-Api-Key`; it names its attempt by `reference` or metadata.
    async fn verify_notification(&self, headers: &HeaderMap, body: &[u8], _: i64) -> Notification {
        let Some(key) = &self.account.callback_key else {
            return Notification::NotOurs;
        };
        let header = |name| {
            headers
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
        };
        let basic = header(reqwest::header::AUTHORIZATION.as_str())
            .and_then(|v| v.strip_prefix("Basic "))
            .map(str::trim);
        let given = basic.or(header("x-api-key")).unwrap_or("");
        if !bool::from(given.as_bytes().ct_eq(key.expose().as_bytes())) {
            return Notification::NotOurs;
        }
        let Ok(callback) = serde_json::from_slice::<Callback>(body) else {
            return Notification::Unreadable;
        };
        let from_metadata = callback
            .metadata
            .as_ref()
            .and_then(|m| m.get(ATTEMPT_KEY))
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        match from_metadata.or(callback.reference) {
            Some(attempt) => {
                tracing::info!(transaction = ?callback.transaction_id, %attempt, "Orange Money callback");
                Notification::About(Named::Attempt(attempt))
            }
            None => Notification::Unreadable,
        }
    }
}

#[cfg(test)]
mod tests;
