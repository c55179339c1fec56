//! pawaPay's Merchant API v2 (PROVIDERS.md, "pawaPay — Merchant API v2"): one aggregator for
//! Free Money, Moov Money, and Orange Money and MTN MoMo beyond their direct connectors. One
//! connector per provider it serves (`FREE_SEN`, `MOOV_BEN`, … by country), sharing the token.
//!
//! - `POST /v2/deposits` pushes a PIN prompt to the customer's phone. Its `depositId` is a UUID v4
//!   drawn from Dalal's attempt id (`transformers::deposit_id`), so it is known before the call
//!   and the same id is sent again after a lost answer: pawaPay ignores a duplicate
//!   (`DUPLICATE_IGNORED`). A deposit whose answer is lost twice stays open and is settled by the
//!   status check, never sent to another gateway.
//! - `REJECTED` answers are refusals with pawaPay's failure code; `PROVIDER_TEMPORARILY_UNAVAILABLE`
//!   did nothing and may be tried elsewhere. `UNKNOWN_ERROR` (a 500) is not a failure.
//! - `GET /v2/deposits/{depositId}`: `FOUND` with the deposit, whose id, amount (a string, compared
//!   as a number) and `clientReferenceId` must be the attempt's; `NOT_FOUND` is a failure only
//!   after 15 minutes (pawaPay's own rule).
//! - Callbacks (`POST /hooks/pawapay`) are hints: Dalal then asks the status check. Signed ones
//!   are verified (`signatures.rs`); with `signed_callbacks` on, unsigned ones are refused.
//! - Payouts (`payouts.rs`): `POST /v2/payouts` under the payout's handle as `payoutId`, read back
//!   by `GET /v2/payouts/{payoutId}`; the wallet's balance from `GET /v2/wallet-balances`.

mod account;
mod payouts;
mod refunds;
pub mod signatures;
pub mod transformers;
pub mod wire;

use super::http::{self, SendError};
use super::{
    AttemptOutcome, AttemptRef, AttemptRequest, Balance, Check, HeaderMap, Named, Notification,
    PaymentProvider, PayoutOrder, PayoutState, PinPrompt, ProviderError, ProviderRefund,
    ProviderSession, ProviderStatus, RefundOutcome, Via,
};
use crate::clock::SharedClock;
use crate::config::Secret;
use crate::domain::{Country, Failure, FailureCode, Money, ProviderCode, RefundSupport};
use async_trait::async_trait;
use reqwest::Method;
use signatures::Keys;
use std::sync::Arc;
use std::time::Duration;
use transformers::InitiationStatus;
use wire::{
    AccountDetails, ActiveConf, Deposit, DepositRequest, InitiationAnswer, Party,
    StatusAnswer,
};

/// The provider's name in logs and errors.
const NAME: &str = "pawaPay";
const TIMEOUT: Duration = Duration::from_secs(15);
/// pawaPay: a deposit it has no record of "should be considered FAILED after 15 minutes".
const NOT_FOUND_GRACE_MS: i64 = 15 * 60 * 1000;
/// An unknown `keyid` makes the connector fetch pawaPay's keys again, at most this often.
const KEYS_REFETCH_MS: i64 = 60 * 1000;
/// How long the account's configuration read from `active-conf` is trusted.
const CONF_FRESH_MS: i64 = 10 * 60 * 1000;

pub struct PawaPayConnector {
    http: reqwest::Client,
    /// `https://api.pawapay.io`, or the emulator's `…/sandbox/providers/pawapay`.
    base_url: String,
    token: Secret,
    /// The provider this connector takes payments for, in the countries pawaPay covers it.
    provider: ProviderCode,
    clock: SharedClock,
    callbacks: Callbacks,
    /// pawaPay's public keys, as last fetched, and when.
    keys: tokio::sync::Mutex<(Keys, Option<i64>)>,
    /// The account's configuration (`GET /v2/active-conf`), as last read, and when.
    conf: std::sync::RwLock<Option<(i64, Arc<ActiveConf>)>>,
}

/// How this connector takes callbacks.
#[derive(Debug, Clone, Default)]
pub struct Callbacks {
    /// Refuse unsigned callbacks (the account signs them: `active-conf`'s
    /// `signatureConfiguration.signedCallbacks`). Signed ones are verified either way.
    pub signed_only: bool,
    /// The host of the URL registered with pawaPay (`dalal.example.com`): a callback's
    /// `@authority` behind a proxy that rewrites `Host`.
    pub public_authority: Option<String>,
    /// That URL's path (`/hooks/pawapay`): the callback's `@path`.
    pub path: String,
}

impl Callbacks {
    /// Callbacks registered at `url` (Dalal's public `…/hooks/pawapay`).
    pub fn at(url: &str, signed_only: bool) -> Self {
        let parsed = url::Url::parse(url).ok();
        Self {
            signed_only,
            public_authority: parsed.as_ref().and_then(|u| {
                let host = u.host_str()?;
                Some(match u.port() {
                    Some(port) => format!("{host}:{port}"),
                    None => host.to_owned(),
                })
            }),
            path: parsed.map_or_else(String::new, |u| u.path().to_owned()),
        }
    }
}

impl PawaPayConnector {
    pub fn new(
        base_url: &str,
        token: Secret,
        provider: ProviderCode,
        clock: SharedClock,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            http: http::client(NAME, TIMEOUT)?,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token,
            provider,
            clock,
            callbacks: Callbacks::default(),
            keys: tokio::sync::Mutex::new((Keys::new(), None)),
            conf: std::sync::RwLock::new(None),
        })
    }

    /// The same connector taking callbacks as `callbacks` says.
    pub fn with_callbacks(mut self, callbacks: Callbacks) -> Self {
        self.callbacks = callbacks;
        self
    }

    /// The same connector with another time limit per call (tests of lost answers).
    pub fn with_timeout(mut self, timeout: Duration) -> anyhow::Result<Self> {
        self.http = http::client(NAME, timeout)?;
        Ok(self)
    }

    async fn call<B: serde::Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<reqwest::Response, SendError> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base_url))
            .bearer_auth(self.token.expose());
        if let Some(body) = body {
            request = request.json(body);
        }
        http::send(NAME, &method, path, request).await
    }

    async fn get(&self, path: &str) -> Result<reqwest::Response, SendError> {
        self.call::<()>(Method::GET, path, None).await
    }

    /// Posts a request pawaPay knows by `id` (a deposit, a refund): nothing sent is
    /// `Unavailable`; an answer lost once is asked for again with the same id (pawaPay ignores a
    /// duplicate); lost twice, the outcome is unknown and settled under `id`.
    async fn post_once<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        id: &str,
    ) -> Result<T, ProviderError> {
        self.post_answer(path, body, id).await?.map_err(refusal)
    }

    /// `post_once`, handing back pawaPay's refusal (a 4xx, and its `failureCode`) as it came, for
    /// a caller that reads it: a payout refused with a code is a final failure (`payouts.rs`).
    async fn post_answer<B: serde::Serialize, T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        id: &str,
    ) -> Result<Result<T, SendError>, ProviderError> {
        let lost = match self.call(Method::POST, path, Some(body)).await {
            Ok(response) => return http::read(NAME, response).await.map(Ok),
            Err(SendError::NotSent) => return Err(ProviderError::Unavailable),
            Err(err @ (SendError::NoAnswer | SendError::ServerError(_))) => err,
            Err(refused) => return Ok(Err(refused)),
        };
        tracing::warn!(%id, path, error = ?lost, "pawaPay's answer was lost: sending the same id again");
        match self.call(Method::POST, path, Some(body)).await {
            Ok(response) => http::read(NAME, response).await.map(Ok),
            Err(SendError::NotSent | SendError::NoAnswer | SendError::ServerError(_)) => {
                Err(ProviderError::OutcomeUnknown {
                    reference: id.to_owned(),
                })
            }
            Err(refused) => Ok(Err(refused)),
        }
    }

    async fn lookup(&self, deposit_id: &str) -> Result<Option<Deposit>, ProviderError> {
        let response = self
            .get(&format!("/v2/deposits/{deposit_id}"))
            .await?;
        let answer: StatusAnswer = http::read(NAME, response).await?;
        match answer.status.as_str() {
            "FOUND" => Ok(answer.data),
            "NOT_FOUND" => Ok(None),
            other => Err(anyhow::anyhow!("pawaPay's status check answered {other:?}").into()),
        }
    }
}

/// A 4xx pawaPay answered: Dalal's request was wrong, or its token refused.
fn refusal(err: SendError) -> ProviderError {
    match err {
        SendError::Refused(refused) => anyhow::Error::new(refused).into(),
        other => other.into(),
    }
}

#[async_trait]
impl PaymentProvider for PawaPayConnector {
    fn code(&self) -> ProviderCode {
        self.provider
    }

    fn via(&self) -> Via {
        Via::PawaPay
    }

    /// The token, through `GET /v2/active-conf`: which of this provider's codes the account
    /// takes deposits for, and whether its callbacks are signed as `signed_callbacks` expects.
    async fn check(&self) -> Vec<Check> {
        self.check_account().await
    }

    /// pawaPay covers the provider in this country, and the account's configuration (once read)
    /// takes deposits for it and does not say `CLOSED`.
    fn serves(&self, country: Country) -> bool {
        self.account_takes(country, None)
    }

    /// Within the account's limits for the provider (`minAmount`/`maxAmount`, or the published
    /// sample's `minTransactionLimit`/`maxTransactionLimit`), once read.
    fn takes(&self, country: Country, amount: Money) -> bool {
        self.account_takes(country, Some(amount))
    }

    /// pawaPay's `authType: PREAUTH` (PROVIDERS.md: `ORANGE_BFA`), as the account's
    /// configuration says once read.
    fn asks_one_time_code(&self, country: Country) -> bool {
        let Some(code) = transformers::provider_code(self.provider, country) else {
            return false;
        };
        match self.conf() {
            Some(conf) => conf
                .deposit_of(code)
                .is_some_and(|d| d.get("authType").and_then(|a| a.as_str()) == Some("PREAUTH")),
            None => code == "ORANGE_BFA",
        }
    }

    fn pin_prompt(&self, country: Country) -> Option<PinPrompt> {
        let code = transformers::provider_code(self.provider, country)?;
        transformers::pin_prompt(self.conf()?.deposit_of(code)?)
    }

    async fn refresh(&self) {
        self.refresh_conf(true).await
    }

    /// pawaPay refunds any part of what is left, one refund at a time (PROVIDERS.md, "refunds").
    fn refund_support(&self) -> RefundSupport {
        RefundSupport::PartialOneAtATime
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

    /// The account's `active-conf` (as last read) has a `PAYOUT` operation, not `CLOSED`, for
    /// the provider's code in `country` (PROVIDERS.md, "active-conf", "availability").
    fn pays_out(&self, country: Country) -> bool {
        self.can_pay_out(country)
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

    async fn initiate(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        let Some(phone) = &request.phone else {
            return Err(ProviderError::Refused(Failure::new(FailureCode::MissingPhone)));
        };
        let Some(provider) = transformers::provider_code(self.provider, request.country) else {
            return Err(anyhow::anyhow!(
                "pawaPay does not take {} in {}",
                self.provider.name(),
                request.country.code()
            )
            .into());
        };
        let deposit_id = transformers::deposit_id(request.attempt_id.as_str());
        let body = DepositRequest {
            deposit_id: &deposit_id,
            amount: request.amount.minor().to_string(),
            currency: request.amount.currency().code(),
            payer: Party {
                kind: "MMO",
                account_details: AccountDetails {
                    phone_number: phone.as_str().trim_start_matches('+').to_owned(),
                    provider,
                },
            },
            client_reference_id: request.attempt_id.as_str(),
            pre_authorisation_code: request.one_time_code.as_deref(),
        };
        let answer: InitiationAnswer = self.post_once("/v2/deposits", &body, &deposit_id).await?;
        if answer.deposit_id.as_deref().is_some_and(|id| id != deposit_id) {
            return Err(anyhow::anyhow!("pawaPay answered about another deposit").into());
        }
        match &answer.status {
            InitiationStatus::Accepted | InitiationStatus::DuplicateIgnored => {
                // What the waiting screen tells the customer to dial comes from here.
                self.refresh_conf(false).await;
                Ok(ProviderSession::asked(
                    deposit_id.clone(),
                    &answer.status.to_string(),
                ))
            }
            InitiationStatus::Rejected => {
                let code = answer
                    .failure_reason
                    .as_ref()
                    .and_then(|r| r.failure_code.as_deref());
                if transformers::is_unavailable(code) {
                    return Err(ProviderError::Unavailable);
                }
                Err(ProviderError::Refused(transformers::failure(code)))
            }
            InitiationStatus::Other(word) => {
                // Not a word of the contract: the deposit may have been taken; ask later.
                tracing::error!(deposit = %deposit_id, status = %word, "pawaPay answered a deposit with a status Dalal does not know");
                Err(ProviderError::OutcomeUnknown {
                    reference: deposit_id.clone(),
                })
            }
        }
    }

    async fn fetch_status(
        &self,
        attempt: &AttemptRef<'_>,
    ) -> Result<ProviderStatus, ProviderError> {
        let Some(deposit) = self.lookup(attempt.reference).await? else {
            let waited = self.clock.now_ms() - attempt.started_at_ms;
            let outcome = if waited < NOT_FOUND_GRACE_MS {
                AttemptOutcome::Waiting
            } else {
                tracing::warn!(reference = %attempt.reference, "pawaPay has no record of this deposit after 15 minutes: it never took");
                AttemptOutcome::Failed(Failure::new(FailureCode::Unavailable))
            };
            return Ok(ProviderStatus {
                raw_status: "NOT_FOUND".to_owned(),
                outcome,
            });
        };
        let amount_agrees = deposit
            .amount
            .as_deref()
            .is_none_or(|a| http::whole_amount(a) == Some(attempt.amount.minor()));
        let ours = deposit.deposit_id == attempt.reference
            && deposit
                .client_reference_id
                .as_deref()
                .is_none_or(|r| r == attempt.attempt_id);
        if !ours || !amount_agrees {
            return Err(anyhow::anyhow!(
                "pawaPay's deposit {} is not attempt {}'s (id, reference or amount differ): not believed",
                attempt.reference,
                attempt.attempt_id
            )
            .into());
        }
        let outcome = AttemptOutcome::from(&deposit);
        if outcome == AttemptOutcome::Unrecognised {
            tracing::error!(reference = %attempt.reference, status = %deposit.status, "pawaPay sent a status Dalal does not know; the attempt stays open");
        }
        Ok(ProviderStatus {
            raw_status: deposit.status.to_string(),
            outcome,
        })
    }

    /// A callback names its deposit, refund or payout: a reason to ask the status check, nothing
    /// more. A signed one must verify; an unsigned one is refused where the account signs its
    /// callbacks.
    async fn verify_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now_ms: i64,
    ) -> Notification {
        // A refund's callback names its deposit too: its `refundId` says what it is about. A
        // payout's names only its `payoutId`, Dalal's handle (PROVIDERS.md, payouts' "callback").
        let named = match serde_json::from_slice::<wire::RefundData>(body) {
            Ok(refund) => Some(Named::Refund(refund.refund_id)),
            Err(_) => serde_json::from_slice::<Deposit>(body)
                .ok()
                .map(|deposit| Named::Reference(deposit.deposit_id))
                .or_else(|| payouts::callback_payout_id(body).map(Named::Payout)),
        };
        let signed = match signatures::read(headers) {
            Ok(Some(signed)) => signed,
            Ok(None) if self.callbacks.signed_only => {
                tracing::warn!(provider = %self.provider, "refused an unsigned pawaPay callback: this account signs its callbacks");
                return Notification::NotOurs;
            }
            Ok(None) => return named.map_or(Notification::Unreadable, Notification::Unsigned),
            Err(refused) => {
                tracing::warn!(provider = %self.provider, %refused, "refused a pawaPay callback");
                return Notification::NotOurs;
            }
        };
        match self.verify_signed(&signed, headers, body, now_ms).await {
            Ok(()) => named.map_or(Notification::Unreadable, Notification::About),
            Err(refused) => {
                tracing::info!(provider = %self.provider, %refused, "a pawaPay callback this connector's keys do not verify");
                Notification::NotOurs
            }
        }
    }
}
