//! MTN MoMo's Open API, Collection product, over HTTP (PROVIDERS.md, "MTN MoMo — Open API,
//! Collection"): a request to pay pushes a prompt to the payer's phone. Live mode points it at
//! `providers.mtn_momo.base_url` with the account's API user; test mode at the sandbox's
//! emulator of the same API.
//!
//! - Every call carries `Ocp-Apim-Subscription-Key` and `X-Target-Environment`, and a Bearer
//!   token from `POST /collection/token/` (Basic API user and key), kept until a minute before
//!   it expires; a 401 drops it and the call is made once more with a new one.
//! - A target environment is one country's MTN (`mtnivorycoast`, `mtnbenin`, `mtncameroon`); the
//!   connector serves the countries of its environments. A request opened in another than the
//!   first has the environment after its id in Dalal's reference (`<uuid>@mtnbenin`).
//! - A request to pay is identified by the `X-Reference-Id` Dalal chooses (a UUID v4). When its
//!   answer is lost it is sent again with the same id: MTN refuses a known id (`409
//!   RESOURCE_ALREADY_EXIST`), which then proves the first arrived. If the second answer is lost
//!   too, the outcome is unknown: the attempt stays open under that id, never sent elsewhere.
//! - The callback MTN sends to `X-Callback-Url` is sent once and is not signed: Dalal only takes
//!   it as a reason to ask.

mod check;
mod refunds;
pub mod transformers;
mod transfers;
pub mod wire;

use super::http::{self, SendError};
use super::{
    AttemptOutcome, AttemptRef, AttemptRequest, Balance as PayoutBalance, Check, HeaderMap,
    Named, Notification, PaymentProvider, PayoutOrder, PayoutState, ProviderError,
    ProviderRefund, ProviderSession, ProviderStatus, RefundOutcome,
};
use crate::clock::SharedClock;
use crate::config::Secret;
use crate::domain::{Country, Failure, FailureCode, ProviderCode, RefundSupport};
use crate::random;
use anyhow::Context;
use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use std::time::Duration;
use wire::{Balance, Callback, Party, RequestToPay, RequestToPayResult, Token};

/// The provider's name in logs and errors.
const NAME: &str = "MTN MoMo";
const TIMEOUT: Duration = Duration::from_secs(15);
/// A token is renewed this long before MTN says it expires ("about a minute early").
const RENEW_BEFORE_MS: i64 = 60_000;
/// How long a request to pay MTN has no record of may still arrive (its answer was lost).
const NOT_FOUND_GRACE_MS: i64 = 2 * 60 * 1000;
/// Between a reference's id and the environment it was opened in.
const ENVIRONMENT_SEPARATOR: char = '@';

/// The API user's credentials: the Collection product's subscription key, the API user (a
/// UUID) and its key.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub subscription_key: Secret,
    pub api_user: Secret,
    pub api_key: Secret,
}

/// What a call that creates something at MTN sends: the `X-Reference-Id` it chose, where MTN
/// calls back (if anywhere), the body.
struct Sent<'a, B> {
    reference: &'a str,
    callback_url: Option<&'a str>,
    body: &'a B,
}

/// A target environment and the country whose payments it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub name: String,
    pub country: Country,
}

impl Environment {
    /// The country of MTN's production environments that Dalal's countries have
    /// (momodeveloper.mtn.com; PROVIDERS.md names `mtnivorycoast`, `mtnbenin`, `mtncameroon`).
    /// `sandbox` takes EUR only: it is no country's.
    pub fn country_of(name: &str) -> Option<Country> {
        match name {
            "mtnivorycoast" => Some(Country::Ci),
            "mtnbenin" => Some(Country::Bj),
            "mtncameroon" => Some(Country::Cm),
            _ => None,
        }
    }
}

pub struct MtnMomoConnector {
    http: reqwest::Client,
    /// `https://proxy.momoapi.mtn.com`, or the emulator's `…/sandbox/providers/mtn-momo`.
    base_url: String,
    /// The Collection product: requests to pay and their status.
    collection: Product,
    /// The first is the one whose references are bare.
    environments: Vec<Environment>,
    /// Dalal's `/hooks/mtn-momo`, sent as `X-Callback-Url`.
    callback_url: String,
    clock: SharedClock,
    /// The Disbursement product, where its credentials are given: refunds and payouts
    /// (`transfers.rs`) go through it.
    disbursement: Option<Product>,
}

/// One of MTN's products (Collection, Disbursement): its own credentials, token endpoint and
/// kept token ("Collection, Disbursement and Remittance have different subscription keys").
struct Product {
    /// `collection`, `disbursement`: the first segment of its paths.
    name: &'static str,
    /// The settings its credentials come from, for messages.
    settings: &'static str,
    credentials: Credentials,
    token: http::KeptToken,
}

impl Product {
    fn new(name: &'static str, settings: &'static str, credentials: Credentials) -> Self {
        Self {
            name,
            settings,
            credentials,
            token: http::KeptToken::new(RENEW_BEFORE_MS),
        }
    }
}

impl MtnMomoConnector {
    pub fn new(
        base_url: &str,
        credentials: Credentials,
        environments: Vec<Environment>,
        callback_url: &str,
        clock: SharedClock,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            !environments.is_empty(),
            "MTN MoMo needs a target environment"
        );
        let http = http::client(NAME, TIMEOUT)?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            collection: Product::new("collection", "providers.mtn_momo's credentials", credentials),
            environments,
            callback_url: callback_url.to_owned(),
            clock,
            disbursement: None,
        })
    }

    /// The same connector refunding through the Disbursement product, with its credentials.
    pub fn with_disbursement(mut self, credentials: Credentials) -> Self {
        self.disbursement = Some(Product::new(
            "disbursement",
            "providers.mtn_momo's disbursement credentials",
            credentials,
        ));
        self
    }

    /// The same connector with another time limit per call (tests of lost answers).
    pub fn with_timeout(mut self, timeout: Duration) -> anyhow::Result<Self> {
        self.http = http::client(NAME, timeout)?;
        Ok(self)
    }

    /// A valid Collection token.
    async fn token(&self) -> Result<Secret, ProviderError> {
        self.token_of(&self.collection).await
    }

    /// A valid access token of a product: the kept one, or a new one from `POST
    /// /{product}/token/` (Basic API user and key).
    async fn token_of(&self, product: &Product) -> Result<Secret, ProviderError> {
        product
            .token
            .get(self.clock.now_ms(), || async {
                let path = format!("/{}/token/", product.name);
                let request = self
                    .http
                    .post(format!("{}{path}", self.base_url))
                    .basic_auth(
                        product.credentials.api_user.expose(),
                        Some(product.credentials.api_key.expose()),
                    )
                    .header(
                        "Ocp-Apim-Subscription-Key",
                        product.credentials.subscription_key.expose(),
                    );
                let token: Token =
                    http::fetch_token(NAME, product.settings, &path, request).await?;
                Ok((Secret::new(token.access_token), token.expires_in))
            })
            .await
    }

    /// One Collection call in an environment (a request to pay goes to `X-Callback-Url`).
    async fn call(
        &self,
        environment: &Environment,
        method: Method,
        path: &str,
        request_to_pay: Option<(&str, &RequestToPay<'_>)>,
    ) -> Result<reqwest::Response, SendError> {
        let sent = request_to_pay.map(|(reference, body)| Sent {
            reference,
            callback_url: Some(&self.callback_url),
            body,
        });
        self.call_in(&self.collection, environment, method, path, sent)
            .await
    }

    /// One call of a product in an environment, with its token; made again with a new token if
    /// MTN says the token is no good (it expired early or was revoked).
    async fn call_in<B: serde::Serialize>(
        &self,
        product: &Product,
        environment: &Environment,
        method: Method,
        path: &str,
        sent: Option<Sent<'_, B>>,
    ) -> Result<reqwest::Response, SendError> {
        for attempt in 0..2 {
            let token = self.token_of(product).await.map_err(http::no_token)?;
            let mut request = self
                .http
                .request(method.clone(), format!("{}{path}", self.base_url))
                .bearer_auth(token.expose())
                .header("X-Target-Environment", &environment.name)
                .header(
                    "Ocp-Apim-Subscription-Key",
                    product.credentials.subscription_key.expose(),
                );
            if let Some(sent) = &sent {
                request = request
                    .header("X-Reference-Id", sent.reference)
                    .json(sent.body);
                if let Some(url) = sent.callback_url {
                    request = request.header("X-Callback-Url", url);
                }
            }
            match http::send(NAME, &method, path, request).await {
                Err(err) if attempt == 0 && err.is(StatusCode::UNAUTHORIZED) => {
                    product.token.forget().await;
                }
                answer => return answer,
            }
        }
        unreachable!("the loop returns on its second turn")
    }

    fn environment_for(&self, country: Country) -> Option<&Environment> {
        self.environments.iter().find(|e| e.country == country)
    }

    /// A reference's request id and the environment it was opened in.
    fn split<'r>(&self, reference: &'r str) -> Result<(&'r str, &Environment), ProviderError> {
        match reference.split_once(ENVIRONMENT_SEPARATOR) {
            None => Ok((reference, &self.environments[0])),
            Some((id, name)) => self
                .environments
                .iter()
                .find(|e| e.name == name)
                .map(|e| (id, e))
                .ok_or_else(|| {
                    anyhow::anyhow!("no MTN MoMo environment {name:?}: check providers.mtn_momo")
                        .into()
                }),
        }
    }

    fn reference(&self, id: &str, environment: &Environment) -> String {
        if *environment == self.environments[0] {
            id.to_owned()
        } else {
            format!("{id}{ENVIRONMENT_SEPARATOR}{}", environment.name)
        }
    }

    /// `GET /collection/v1_0/requesttopay/{referenceId}`, retried once if MTN is unavailable.
    async fn result(&self, reference: &str) -> Result<RequestToPayResult, ProviderError> {
        let (id, environment) = self.split(reference)?;
        let path = format!("/collection/v1_0/requesttopay/{id}");
        let response = match self.call(environment, Method::GET, &path, None).await {
            Err(SendError::NotSent | SendError::NoAnswer | SendError::ServerError(_)) => {
                self.call(environment, Method::GET, &path, None).await
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

    /// `GET /collection/v1_0/account/balance`: `check-providers` reads it (moves no money).
    pub async fn balance(&self) -> Result<(String, String), ProviderError> {
        let environment = &self.environments[0];
        let path = "/collection/v1_0/account/balance";
        let response = self.call(environment, Method::GET, path, None).await?;
        let balance: Balance = http::read(NAME, response).await?;
        Ok((balance.available_balance, balance.currency))
    }

    /// Where a request to pay whose answer was not a plain `202` stands, from MTN's own records
    /// (PROVIDERS.md: "a 404 means it never took"). `after` is how the POST ended:
    /// - MTN refused it with one of its ErrorReason words (some come as a `500`): refused;
    /// - any other 5xx: MTN answered, so it is done with the request: if it has no record of
    ///   it, nothing happened (`Unavailable`, safe to go elsewhere), else the attempt goes on;
    /// - no answer at all: the same id is sent once more (`409` proves MTN has it); lost again,
    ///   the outcome is unknown.
    async fn settle_start(
        &self,
        environment: &Environment,
        id: &str,
        body: &RequestToPay<'_>,
        after: SendError,
    ) -> Result<(), ProviderError> {
        let path = "/collection/v1_0/requesttopay";
        let unknown = || ProviderError::OutcomeUnknown {
            reference: self.reference(id, environment),
        };
        match after {
            SendError::ServerError(refused) if transformers::is_error_reason(&refused.code) => Err(
                ProviderError::Refused(transformers::failure(Some(&refused.code))),
            ),
            SendError::ServerError(_) => {
                match self.result(&self.reference(id, environment)).await {
                    Ok(_) => Ok(()),
                    Err(ProviderError::UnknownReference(_)) => Err(ProviderError::Unavailable),
                    Err(_) => Err(unknown()),
                }
            }
            SendError::NotSent | SendError::NoAnswer => {
                match self
                    .call(environment, Method::POST, path, Some((id, body)))
                    .await
                {
                    Ok(_) => Ok(()),
                    Err(err) if err.is(StatusCode::CONFLICT) => Ok(()),
                    Err(SendError::NotSent) if matches!(after, SendError::NotSent) => {
                        Err(ProviderError::Unavailable)
                    }
                    Err(SendError::NotSent | SendError::NoAnswer) => Err(unknown()),
                    Err(err @ SendError::ServerError(_)) => {
                        Box::pin(self.settle_start(environment, id, body, err)).await
                    }
                    Err(err) => Err(refusal(err)),
                }
            }
            other => Err(refusal(other)),
        }
    }
}

/// MTN's refusal of a request to pay, as Dalal's failure: the reason words MTN answers with map
/// to failure codes; a 4xx without one is Dalal's error.
fn refusal(err: SendError) -> ProviderError {
    match err {
        SendError::Refused(refused) if !refused.code.is_empty() => {
            ProviderError::Refused(transformers::failure(Some(&refused.code)))
        }
        SendError::Refused(refused) => anyhow::Error::new(refused).into(),
        other => other.into(),
    }
}

#[async_trait]
impl PaymentProvider for MtnMomoConnector {
    fn code(&self) -> ProviderCode {
        ProviderCode::MtnMomo
    }

    /// Any part of a payment, through the Disbursement product when its credentials are given;
    /// without them, none (the merchant refunds from MTN's portal).
    fn refund_support(&self) -> RefundSupport {
        match self.disbursement {
            Some(_) => RefundSupport::Partial,
            None => RefundSupport::None,
        }
    }

    async fn refund(&self, refund: &ProviderRefund<'_>) -> Result<RefundOutcome, ProviderError> {
        self.send_refund(refund).await
    }

    async fn refund_status(
        &self,
        refund: &ProviderRefund<'_>,
        started_at_ms: i64,
    ) -> Result<Option<RefundOutcome>, ProviderError> {
        self.look_up_refund(refund, started_at_ms).await
    }

    fn serves(&self, country: Country) -> bool {
        self.environment_for(country).is_some()
    }

    // Payouts: Disbursement transfers (`transfers.rs`).
    fn pays_out(&self, country: Country) -> bool { self.can_pay_out(country) }
    async fn pay_out(&self, order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> { self.send_transfer(order).await }
    async fn payout_status(&self, order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> { self.read_transfer(order).await }
    async fn balance(&self, country: Country) -> Result<Option<PayoutBalance>, ProviderError> { self.disbursement_balance(country).await }

    async fn initiate(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        let Some(phone) = &request.phone else {
            return Err(ProviderError::Refused(Failure::new(
                FailureCode::MissingPhone,
            )));
        };
        let environment = self
            .environment_for(request.country)
            .with_context(|| format!("no MTN MoMo environment for {}", request.country.code()))?;
        let id = random::uuid_v4();
        let body = RequestToPay {
            amount: request.amount.minor().to_string(),
            currency: request.amount.currency().code(),
            external_id: request.attempt_id.as_str(),
            payer: Party {
                party_id_type: "MSISDN",
                party_id: phone.as_str().trim_start_matches('+').to_owned(),
            },
            payer_message: format!("Paiement {}", request.attempt_id),
            payee_note: request.attempt_id.to_string(),
        };
        let path = "/collection/v1_0/requesttopay";
        match self
            .call(environment, Method::POST, path, Some((&id, &body)))
            .await
        {
            Ok(_) => {}
            Err(err @ SendError::Refused(_)) => return Err(refusal(err)),
            Err(err) => self.settle_start(environment, &id, &body, err).await?,
        }
        Ok(ProviderSession::asked(
            self.reference(&id, environment),
            "PENDING",
        ))
    }

    async fn fetch_status(
        &self,
        attempt: &AttemptRef<'_>,
    ) -> Result<ProviderStatus, ProviderError> {
        let result = match self.result(attempt.reference).await {
            Ok(result) => result,
            // MTN has no such request: it never took. Give a request whose answer was lost a
            // moment to arrive before saying so.
            Err(ProviderError::UnknownReference(_)) => {
                let waited = self.clock.now_ms() - attempt.started_at_ms;
                let outcome = if waited < NOT_FOUND_GRACE_MS {
                    AttemptOutcome::Waiting
                } else {
                    tracing::warn!(reference = %attempt.reference, "MTN MoMo has no record of this request to pay: it never took");
                    AttemptOutcome::Failed(Failure::new(FailureCode::Unavailable))
                };
                return Ok(ProviderStatus {
                    raw_status: "RESOURCE_NOT_FOUND".to_owned(),
                    outcome,
                });
            }
            Err(err) => return Err(err),
        };
        let theirs = |external: &str| external == attempt.attempt_id;
        let amount_agrees = result
            .amount
            .as_deref()
            .is_none_or(|a| http::whole_amount(a) == Some(attempt.amount.minor()));
        if !result.external_id.as_deref().is_none_or(theirs) || !amount_agrees {
            return Err(anyhow::anyhow!(
                "MTN MoMo's request {} is not attempt {}'s (externalId or amount differ): not believed",
                attempt.reference,
                attempt.attempt_id
            )
            .into());
        }
        let raw_status = transformers::status_word(&result);
        let outcome = AttemptOutcome::from(&result);
        if outcome == AttemptOutcome::Unrecognised {
            tracing::error!(reference = %attempt.reference, status = %raw_status, "MTN MoMo sent a status Dalal does not know; the attempt stays open");
        }
        Ok(ProviderStatus {
            raw_status,
            outcome,
        })
    }

    /// Tries the account without moving money (`check.rs`).
    async fn check(&self) -> Vec<Check> {
        self.check_account().await
    }

    /// MTN's callback is unsigned (PROVIDERS.md): anything that names an attempt is a reason
    /// to ask MTN about it, nothing more.
    async fn verify_notification(&self, _: &HeaderMap, body: &[u8], _: i64) -> Notification {
        match serde_json::from_slice::<Callback>(body) {
            // A transfer's `externalId` is the payout's id (`transfers.rs`).
            Ok(callback) if callback.external_id.starts_with(crate::domain::PayoutId::PREFIX) => {
                Notification::Unsigned(Named::Payout(callback.external_id))
            }
            Ok(callback) => Notification::Unsigned(Named::Attempt(callback.external_id)),
            Err(_) => Notification::Unreadable,
        }
    }
}
