//! Orange Money over HTTP, through the merchant API Sonatel publishes
//! (`https://developer.orange-sonatel.com`; wire format in `wire.rs`). Live mode points it at
//! `providers.orange_money.base_url` with the account's client id and secret; test mode at the
//! sandbox's emulator of the same API (`emulators::orange_money`).
//!
//! - Every call carries a Bearer token from `POST /oauth/token` (client credentials), kept until
//!   shortly before it expires; a 401 drops it and the call is made once more with a new one.
//! - The QR-code and deep-link path creates a QR code for the payment (`POST
//!   /api/eWallet/v4/qrcode`) carrying Dalal's attempt id in its `metadata`. Nothing is paid until
//!   the customer scans it: its status is the transaction paid through it, if any (`GET
//!   /api/eWallet/v1/transactions?qrId=…`). The attempt's reference is `qr:<qrId>`.
//! - The one-time-code path charges the customer's number with the code they got by dialling
//!   Orange's USSD code (`POST /api/eWallet/v1/payments/onestep`); the reference is the
//!   transaction's id, asked about at `GET /api/eWallet/v1/transactions/{id}/status`.
//! - Neither creation is retried: Orange keeps no idempotency key, and a second one-step payment
//!   would charge twice (Orange itself refuses the same amount on the same number for a while).
//! - Orange calls back (`hooks::orange_money`) with the transaction and the API key registered
//!   with the callback URL; Dalal checks the key, then asks.

pub mod transformers;
pub mod wire;

use super::{
    AttemptOutcome, AttemptRequest, PaymentProvider, ProviderError, ProviderSession, ProviderStatus,
    http,
};
use crate::clock::SharedClock;
use crate::config::{OrangeMoneyCredentials, Secret};
use crate::domain::{Country, FailureCode, ProviderCode};
use anyhow::Context;
use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use std::collections::BTreeMap;
use std::time::Duration;
use wire::{
    ATTEMPT_KEY, Amount, OneStepPayment, Party, QrCode, QrCodeRequest, Token, Transaction,
    Transactions,
};

/// The provider's name in logs and errors.
const NAME: &str = "Orange Money";
const TIMEOUT: Duration = Duration::from_secs(15);
/// A token is renewed this long before Orange says it expires (its tokens live minutes).
const RENEW_BEFORE_MS: i64 = 30_000;
/// How long a QR code can be paid: as long as a Wave session, well inside a payment's life.
pub const QR_VALIDITY_SECS: i64 = 30 * 60;
/// The prefix of a QR-code attempt's reference.
const QR_PREFIX: &str = "qr:";

pub struct OrangeMoneyConnector {
    http: reqwest::Client,
    /// `https://api.orange-sonatel.com`, or the emulator's `…/sandbox/providers/orange-money`.
    base_url: String,
    credentials: OrangeMoneyCredentials,
    /// Where the app sends the customer back: the checkout page.
    public_url: String,
    clock: SharedClock,
    token: http::KeptToken,
}

enum Body<'a> {
    None,
    Qr(&'a QrCodeRequest),
    OneStep(&'a OneStepPayment),
}

impl OrangeMoneyConnector {
    pub fn new(
        base_url: &str,
        credentials: OrangeMoneyCredentials,
        public_url: &str,
        clock: SharedClock,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .context("failed to build Orange Money's HTTP client")?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            credentials,
            public_url: public_url.to_owned(),
            clock,
            token: http::KeptToken::new(RENEW_BEFORE_MS),
        })
    }

    /// A valid access token: the kept one, or a new one from `POST /oauth/token`.
    async fn token(&self) -> Result<Secret, ProviderError> {
        self.token
            .get(self.clock.now_ms(), || async {
                let form = [
                    ("grant_type", "client_credentials"),
                    ("client_id", self.credentials.client_id.expose()),
                    ("client_secret", self.credentials.client_secret.expose()),
                ];
                let path = "/oauth/token";
                let request = self
                    .http
                    .post(format!("{}{path}", self.base_url))
                    .form(&form);
                let token: Token =
                    http::fetch_token(NAME, "providers.orange_money's credentials", path, request)
                        .await?;
                Ok((Secret::new(token.access_token), token.expires_in))
            })
            .await
    }

    /// One call, with a token; made again with a new token if Orange says the token is no good.
    /// The answer is read as every connector reads one (`http::send`).
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Body<'_>,
    ) -> Result<reqwest::Response, ProviderError> {
        for attempt in 0..2 {
            let token = self.token().await?;
            let mut request = self
                .http
                .request(method.clone(), format!("{}{path}", self.base_url))
                .bearer_auth(token.expose());
            request = match body {
                Body::None => request,
                Body::Qr(qr) => request.json(qr),
                Body::OneStep(payment) => request.json(payment),
            };
            match http::send(NAME, &method, path, request).await {
                Err(err) if attempt == 0 && http::refused_with(&err, StatusCode::UNAUTHORIZED) => {
                    self.token.forget().await;
                }
                answer => return answer,
            }
        }
        Err(anyhow::anyhow!("Orange Money refused two fresh tokens in a row").into())
    }

    /// A read, retried once if Orange is unavailable.
    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        reference: &str,
    ) -> Result<T, ProviderError> {
        let response = match self.call(Method::GET, path, Body::None).await {
            Err(ProviderError::Unavailable) => self.call(Method::GET, path, Body::None).await,
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

    fn amount(request: &AttemptRequest) -> Amount {
        Amount {
            unit: request.amount.currency().code().to_owned(),
            value: request.amount.minor(),
        }
    }

    fn merchant(&self) -> Party {
        Party {
            id_type: "CODE".to_owned(),
            id: self.credentials.merchant_code.clone(),
            otp: None,
        }
    }

    /// `POST /api/eWallet/v4/qrcode`.
    async fn create_qr(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        let back = crate::routes::absolute(
            &self.public_url,
            &crate::routes::checkout(&request.checkout_token),
        );
        let body = QrCodeRequest {
            amount: Self::amount(request),
            callback_cancel_url: back.clone(),
            callback_success_url: back,
            code: self.credentials.merchant_code.clone(),
            metadata: BTreeMap::from([(ATTEMPT_KEY.to_owned(), request.attempt_id.clone())]),
            name: self.credentials.merchant_name.clone(),
            validity: QR_VALIDITY_SECS,
        };
        let response = self
            .call(Method::POST, "/api/eWallet/v4/qrcode", Body::Qr(&body))
            .await?;
        let qr: QrCode = http::read(NAME, response).await?;
        // The app links by Dalal's names for them (the page's "Ouvrir Orange Money" / "Max it").
        let mut deep_links = BTreeMap::new();
        for (theirs, ours) in [("OM", "orange_money"), ("MAXIT", "maxit")] {
            if let Some(link) = qr.deep_links.get(theirs) {
                deep_links.insert(ours.to_owned(), link.clone());
            }
        }
        Ok(ProviderSession {
            reference: format!("{QR_PREFIX}{}", qr.qr_id),
            raw_status: transformers::NOT_PAID_YET.to_owned(),
            launch_url: Some(qr.deep_link),
            deep_links,
            customer_asked: false,
        })
    }

    /// `POST /api/eWallet/v1/payments/onestep`. Orange's refusals of the code or the number are
    /// the customer's to fix (`Refused`).
    async fn pay_with_code(
        &self,
        request: &AttemptRequest,
        code: &str,
    ) -> Result<ProviderSession, ProviderError> {
        let Some(phone) = &request.phone else {
            return Err(ProviderError::Refused(FailureCode::MissingPhone));
        };
        let body = OneStepPayment {
            customer: Party {
                id_type: "MSISDN".to_owned(),
                id: phone.as_str().trim_start_matches('+').to_owned(),
                otp: Some(code.to_owned()),
            },
            partner: self.merchant(),
            amount: Self::amount(request),
            reference: request.attempt_id.clone(),
            metadata: BTreeMap::from([(ATTEMPT_KEY.to_owned(), request.attempt_id.clone())]),
        };
        let answer = self
            .call(
                Method::POST,
                "/api/eWallet/v1/payments/onestep",
                Body::OneStep(&body),
            )
            .await;
        let transaction: Transaction = match answer {
            Ok(response) => http::read(NAME, response).await?,
            Err(err) => {
                return Err(match http::Refused::of(&err).map(|r| r.code.as_str()) {
                    Some("OTP_INVALID" | "OTP_EXPIRED") => {
                        ProviderError::Refused(FailureCode::InvalidOtp)
                    }
                    Some("DUPLICATE_TRANSACTION") => ProviderError::Refused(FailureCode::Duplicate),
                    Some("CUSTOMER_NOT_FOUND") => {
                        ProviderError::Refused(FailureCode::PayerNotFound)
                    }
                    _ => err,
                });
            }
        };
        let raw_status = transformers::status_word(&transaction);
        Ok(ProviderSession {
            reference: transaction.transaction_id,
            customer_asked: transformers::outcome(&raw_status) != AttemptOutcome::Waiting,
            raw_status,
            launch_url: None,
            deep_links: BTreeMap::new(),
        })
    }
}

#[async_trait]
impl PaymentProvider for OrangeMoneyConnector {
    fn code(&self) -> ProviderCode {
        ProviderCode::OrangeMoney
    }

    fn serves(&self, country: Country) -> bool {
        self.credentials
            .countries
            .as_ref()
            .is_none_or(|countries| countries.contains(&country))
    }

    async fn initiate(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        match &request.one_time_code {
            None => self.create_qr(request).await,
            Some(code) => self.pay_with_code(request, code).await,
        }
    }

    async fn fetch_status(&self, reference: &str) -> Result<ProviderStatus, ProviderError> {
        let raw_status = match reference.strip_prefix(QR_PREFIX) {
            Some(qr_id) => {
                let path = format!("/api/eWallet/v1/transactions?qrId={qr_id}");
                let found: Transactions = self.get(&path, reference).await?;
                // A single-payment QR code has at most one transaction that counts: a success
                // wins over failed tries before it.
                let mut words: Vec<String> = found
                    .content
                    .iter()
                    .map(transformers::status_word)
                    .collect();
                words.sort_by_key(|w| w != "SUCCESS");
                words
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| transformers::NOT_PAID_YET.to_owned())
            }
            None => {
                let path = format!("/api/eWallet/v1/transactions/{reference}/status");
                let transaction: Transaction = self.get(&path, reference).await?;
                transformers::status_word(&transaction)
            }
        };
        let outcome = transformers::outcome(&raw_status);
        if outcome == AttemptOutcome::Unrecognised {
            tracing::error!(%reference, status = %raw_status, "Orange Money sent a status Dalal does not know; the attempt stays open");
        }
        Ok(ProviderStatus {
            raw_status,
            outcome,
        })
    }
}
