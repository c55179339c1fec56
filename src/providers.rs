//! Payment providers behind one small trait. Wave, MTN MoMo, Orange Money and pawaPay (Free Money,
//! Moov Money, and Orange and MTN beyond their own APIs) have real connectors over HTTP
//! (`wave.rs`, `mtn_momo.rs`, `orange_money.rs`, `pawapay.rs`), each written from the provider's
//! published contract (`PROVIDERS.md`): live mode points them at the providers, test mode at the
//! sandbox's emulators of the same APIs (the `sandbox` wing), which they never import. Providers
//! know the domain and their own settings, never the core.

pub mod http;
pub mod mtn_momo;
pub mod orange_money;
pub mod pawapay;
mod payout;
mod registry;
pub mod wave;

pub use payout::{Balance, PayoutOrder, PayoutState};
pub use registry::{Connectors, ProviderRegistry};

use crate::domain::msisdn::Msisdn;
use crate::domain::{
    AttemptId, CardDetails, Country, Failure, Money, ProviderCode, RefundSupport,
};
pub use crate::domain::Via;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;

pub use reqwest::header::HeaderMap;

/// What the core asks a provider to start.
#[derive(Debug, Clone)]
pub struct AttemptRequest {
    /// Dalal's id of the attempt: the provider's `client_reference`.
    pub attempt_id: AttemptId,
    pub provider: ProviderCode,
    pub amount: Money,
    pub country: Country,
    /// The payer's number: required for USSD pushes and one-time codes, optional for QR flows.
    pub phone: Option<Msisdn>,
    /// The Orange Money one-time code the customer got by dialling the USSD code.
    pub one_time_code: Option<String>,
    /// The card typed into the checkout page (card payments only; never stored).
    pub card: Option<CardDetails>,
    /// Where a provider's app or page sends the customer back: the payment's checkout page.
    pub return_url: String,
}

/// An attempt the core asks about: the provider's reference, and what the provider's answer
/// must agree with before Dalal believes it (its own attempt id, the amount).
#[derive(Debug, Clone, Copy)]
pub struct AttemptRef<'a> {
    pub attempt_id: &'a str,
    /// What `initiate` answered as `ProviderSession::reference` (or `OutcomeUnknown`'s).
    pub reference: &'a str,
    pub amount: Money,
    /// When Dalal started the attempt (Unix milliseconds).
    pub started_at_ms: i64,
}

/// What a provider answers when an attempt starts.
#[derive(Debug, Clone)]
pub struct ProviderSession {
    /// The provider's own id (Wave's `cos-…`, MTN's `X-Reference-Id`, …).
    pub reference: String,
    /// The provider's status word, as it sent it.
    pub raw_status: String,
    /// Wave's `wave_launch_url` / Orange Money's payment link: what the QR code encodes.
    pub launch_url: Option<String>,
    /// App deep links by app (`wave`, `orange_money`, `maxit`).
    pub deep_links: BTreeMap<String, String>,
    /// True when the provider already put the payment before the customer (a push was sent).
    pub customer_asked: bool,
}

impl ProviderSession {
    /// A session the customer already has in front of them (a push, a payment being made), with
    /// no link to show.
    pub fn asked(reference: impl Into<String>, raw_status: &str) -> Self {
        Self {
            reference: reference.into(),
            raw_status: raw_status.to_owned(),
            launch_url: None,
            deep_links: BTreeMap::new(),
            customer_asked: true,
        }
    }
}

/// Where a provider says an attempt stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderStatus {
    pub raw_status: String,
    pub outcome: AttemptOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Nothing yet: the session is open and the customer has not acted.
    Waiting,
    /// The customer has the request in front of them (push delivered, app opened).
    CustomerAsked,
    Succeeded,
    /// Failed, with Dalal's stable code for the reason (and the provider's own, if unknown).
    Failed(Failure),
    /// A status word Dalal does not know. With real money it may mean "still pending": the
    /// attempt stays open (and the word is logged), it is never taken for a failure.
    Unrecognised,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderError {
    /// Nothing was done: the provider could not be reached, said it was too busy, or answered a
    /// read with a 5xx. Try later, or another gateway.
    #[error("the provider is unreachable")]
    Unavailable,
    /// A request that may move money was sent and no answer came back (a timeout, a 5xx): the
    /// money may have moved. The attempt stays open under `reference` and is settled by asking
    /// the provider; it is never sent again, nor to another gateway (PROVIDERS.md, "What
    /// follows for Dalal").
    #[error("the provider's answer was lost; the attempt is settled by asking about {reference}")]
    OutcomeUnknown { reference: String },
    /// The provider refused the request itself (bad one-time code, duplicate payment).
    #[error("the provider refused the attempt: {}", .0.code)]
    Refused(Failure),
    #[error("the provider does not know the reference {0}")]
    UnknownReference(String),
    #[error(transparent)]
    Internal(#[from] std::sync::Arc<anyhow::Error>),
}

impl From<anyhow::Error> for ProviderError {
    fn from(err: anyhow::Error) -> Self {
        ProviderError::Internal(Arc::new(err))
    }
}

/// A refund the core asks a provider for.
#[derive(Debug, Clone)]
pub struct ProviderRefund<'a> {
    /// Dalal's refund id (`rf_…`): the provider's idempotency reference where it takes one.
    pub refund_id: &'a str,
    /// The provider's reference of the paid attempt.
    pub reference: &'a str,
    pub amount: Money,
}

/// How a provider answered a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    /// The provider refunded; `reference` is its id for the refund, when it gives one.
    Succeeded {
        reference: Option<String>,
    },
    /// The provider took the refund and will finish it later (pawaPay): the refund stays
    /// `pending`, its amount held, until `refund_status` or a callback says how it ended.
    Pending {
        reference: Option<String>,
    },
    Failed(Failure),
}

/// One thing `dalal check-providers` tried with a live connector, without moving money (a
/// token, a balance, a read of an unknown reference), in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was tried: "Wave, wallet SN: API key".
    pub what: String,
    pub works: bool,
    /// What the provider said, and what to do about it.
    pub says: String,
}

impl Check {
    pub fn works(what: impl Into<String>, says: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            works: true,
            says: says.into(),
        }
    }

    pub fn fails(what: impl Into<String>, says: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            works: false,
            says: says.into(),
        }
    }
}

/// What the customer does to see a provider's PIN prompt, where the provider says (pawaPay's
/// `pinPromptInstructions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinPrompt {
    /// The USSD code to dial (`#150#`).
    pub dial: String,
    /// The prompt comes only once the customer dials (`MANUAL`); otherwise dialling brings back
    /// a missed one (`pinPromptRevivable`).
    pub manual: bool,
}

/// What a provider's notification (`POST /hooks/{provider}`) turned out to be, as the connector
/// that verified it reads it. A notification is only a hint: Dalal then asks the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// Not authenticated by this connector's credentials.
    NotOurs,
    /// Authenticated, but Dalal cannot tell what it is about. Answered `2xx` all the same: some
    /// providers never resend after a `4xx` (Orange, PROVIDERS.md), and the status checker asks.
    Unreadable,
    /// Authenticated, about this.
    About(Named),
    /// Not authenticated, because the provider does not sign (MTN): a hint about an attempt in
    /// whichever mode it is, which Dalal only takes as a reason to ask.
    Unsigned(Named),
}

/// What a notification names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    /// The provider's reference, as the connector's `initiate` answered it.
    Reference(String),
    /// Dalal's own attempt id, echoed by the provider (MTN's `externalId`, Orange's `reference`).
    Attempt(String),
    /// The provider's reference of a refund (pawaPay's `refundId`).
    Refund(String),
    /// A payout: Dalal's handle as the provider echoes it (pawaPay's `payoutId`), or its id
    /// (`po_…`, MTN's `externalId`).
    Payout(String),
}

#[async_trait]
pub trait PaymentProvider: Send + Sync {
    fn code(&self) -> ProviderCode;

    /// Whether this connector's account can take payments in `country` (a provider's API may
    /// serve one country's operator only). The gateway's own countries are checked besides.
    fn serves(&self, _country: Country) -> bool {
        true
    }

    /// Whether the account takes this amount in `country` (limits the provider states for the
    /// account, like pawaPay's `active-conf`); the gateway's and Dalal's own limits apply too.
    fn takes(&self, country: Country, _amount: Money) -> bool {
        self.serves(country)
    }

    /// Starts an attempt: creates a checkout session, sends a push, charges a one-time code, or
    /// authorises a card (perhaps after a 3-D Secure check).
    async fn initiate(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError>;

    /// Asks the provider where an attempt stands. Notifications from a provider are only a hint to
    /// call this: the provider's answer to a status request is what Dalal believes.
    async fn fetch_status(&self, attempt: &AttemptRef<'_>)
    -> Result<ProviderStatus, ProviderError>;

    /// Closes a session the payment no longer needs (cancelled or expired), where the provider
    /// allows it, so that the customer cannot pay it any more. Without such a call, nothing.
    async fn expire(&self, _reference: &str) -> Result<(), ProviderError> {
        Ok(())
    }

    /// Refunds (part of) a paid attempt. Only called for providers whose catalogue entry says
    /// they refund (`ProviderCode::refund_support`).
    async fn refund(&self, _refund: &ProviderRefund<'_>) -> Result<RefundOutcome, ProviderError> {
        Err(anyhow::anyhow!("{} has no refund API", self.code()).into())
    }

    /// What a merchant may refund through this connector (its provider's own API's by default).
    fn refund_support(&self) -> RefundSupport {
        self.code().refund_support()
    }

    /// Where a refund `refund` left pending stands (`None`: still pending, or this provider
    /// cannot say). `started_at_ms`: when Dalal asked for it.
    async fn refund_status(
        &self,
        _refund: &ProviderRefund<'_>,
        _started_at_ms: i64,
    ) -> Result<Option<RefundOutcome>, ProviderError> {
        Ok(None)
    }

    /// Tries the account's credentials without moving money (`dalal check-providers`).
    async fn check(&self) -> Vec<Check> {
        Vec::new()
    }

    /// Checks that a notification sent to `/hooks/{provider}` comes from this connector's
    /// account (its signature or key), and reads what it names. `now_ms` bounds replays.
    async fn verify_notification(
        &self,
        _headers: &HeaderMap,
        _body: &[u8],
        _now_ms: i64,
    ) -> Notification {
        Notification::NotOurs
    }

    /// Whose API this connector speaks: the provider's own, or an aggregator's.
    fn via(&self) -> Via {
        Via::Direct
    }

    /// Whether the customer in `country` gives a one-time code before the payment starts
    /// (pawaPay's `PREAUTH`: Orange Money in Burkina Faso).
    fn asks_one_time_code(&self, _country: Country) -> bool {
        false
    }

    /// What the customer in `country` does to see the PIN prompt, where the account's
    /// configuration says (as last read: no call).
    fn pin_prompt(&self, _country: Country) -> Option<PinPrompt> {
        None
    }

    /// Reads again what the provider says the account can take (pawaPay's `active-conf`): at
    /// start, then every few minutes.
    async fn refresh(&self) {}

    /// Whether this connector's account can send payouts to wallets in `country`.
    fn pays_out(&self, _country: Country) -> bool {
        false
    }

    /// Sends a payout. Called once per payout by whoever claimed it, and again with the same
    /// handle only after `payout_status` answered `NotFound`. An answer lost on the way is an
    /// error (`Unavailable`, `OutcomeUnknown`): the payout stays `processing` and is asked about.
    async fn pay_out(&self, _order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
        Err(anyhow::anyhow!("{} has no payout API", self.code()).into())
    }

    /// Where a sent payout stands, read by its handle (or the provider's reference).
    async fn payout_status(&self, _order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
        Err(anyhow::anyhow!("{} has no payout API", self.code()).into())
    }

    /// The account's balance available for payouts in `country`, where the provider tells it.
    async fn balance(&self, _country: Country) -> Result<Option<Balance>, ProviderError> {
        Ok(None)
    }
}
