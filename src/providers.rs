//! Payment providers behind one small trait. Wave, MTN MoMo and Orange Money have real connectors
//! over HTTP (`wave.rs`, `mtn_momo.rs`, `orange_money.rs`): live mode points them at the providers, test mode at the sandbox's
//! emulators of the same APIs (`crate::emulators`). The other providers have only the in-process
//! sandbox connectors of `sandbox.rs`, which imitate each provider's steps, delays and failures.
//! Providers know the domain and their own settings, never the core.

pub mod http;
pub mod mtn_momo;
pub mod orange_money;
pub mod sandbox;
pub mod transformers;
pub mod wave;

use crate::domain::msisdn::Msisdn;
use crate::domain::{CardDetails, Country, FailureCode, Money, ProviderCode};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the core asks a provider to start.
#[derive(Debug, Clone)]
pub struct AttemptRequest {
    /// Dalal's id of the attempt: the provider's `client_reference`.
    pub attempt_id: String,
    pub provider: ProviderCode,
    pub amount: Money,
    pub country: Country,
    /// The payer's number: required for USSD pushes and one-time codes, optional for QR flows.
    pub phone: Option<Msisdn>,
    /// The Orange Money one-time code the customer got by dialling the USSD code.
    pub one_time_code: Option<String>,
    /// The card typed into the checkout page (card payments only; never stored).
    pub card: Option<CardDetails>,
    /// The payment's checkout page token: where a provider's app sends the customer back.
    pub checkout_token: String,
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
    /// Failed, with Dalal's stable code for the reason.
    Failed(FailureCode),
    /// A status word Dalal does not know. With real money it may mean "still pending": the
    /// attempt stays open (and the word is logged), it is never taken for a failure.
    Unrecognised,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ProviderError {
    /// The provider could not be reached or answered 5xx: try later or another method.
    #[error("the provider is unreachable")]
    Unavailable,
    /// The provider refused the request itself (bad one-time code, duplicate payment).
    #[error("the provider refused the attempt: {0}")]
    Refused(FailureCode),
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
    Succeeded { reference: String },
    Failed(FailureCode),
}

#[async_trait]
pub trait PaymentProvider: Send + Sync {
    fn code(&self) -> ProviderCode;

    /// Whether this connector's account can take payments in `country` (a provider's API may
    /// serve one country's operator only). The gateway's own countries are checked besides.
    fn serves(&self, _country: Country) -> bool {
        true
    }

    /// Starts an attempt: creates a checkout session, sends a push, charges a one-time code, or
    /// authorises a card (perhaps after a 3-D Secure check).
    async fn initiate(&self, request: &AttemptRequest) -> Result<ProviderSession, ProviderError>;

    /// Asks the provider where an attempt stands. Notifications from a provider are only a hint to
    /// call this: the provider's answer to a status request is what Dalal believes.
    async fn fetch_status(&self, reference: &str) -> Result<ProviderStatus, ProviderError>;

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
}

/// The connectors of one mode, by gateway (`payments::gateways` says which gateway serves what).
#[derive(Clone)]
pub struct ProviderRegistry {
    gateways: BTreeMap<String, Arc<dyn PaymentProvider>>,
}

impl ProviderRegistry {
    /// Puts each provider's connector behind its gateways (`(gateway id, provider)` pairs).
    /// `down` names gateways to treat as unreachable (the sandbox's way to exercise failover).
    pub fn new<'a>(
        gateways: impl IntoIterator<Item = (&'a str, ProviderCode)>,
        connectors: Vec<Arc<dyn PaymentProvider>>,
        down: &[String],
    ) -> Self {
        let by_provider: BTreeMap<ProviderCode, Arc<dyn PaymentProvider>> =
            connectors.into_iter().map(|c| (c.code(), c)).collect();
        let gateways = gateways
            .into_iter()
            .filter_map(|(id, provider)| {
                let inner = by_provider.get(&provider)?.clone();
                let connector: Arc<dyn PaymentProvider> = if down.iter().any(|d| d == id) {
                    Arc::new(Unreachable(inner))
                } else {
                    inner
                };
                Some((id.to_owned(), connector))
            })
            .collect();
        Self { gateways }
    }

    pub fn gateway(&self, id: &str) -> Option<&Arc<dyn PaymentProvider>> {
        self.gateways.get(id)
    }

    /// Whether the gateway has a connector here that serves `country`.
    pub fn serves(&self, id: &str, country: Country) -> bool {
        self.gateways.get(id).is_some_and(|c| c.serves(country))
    }

    pub fn is_empty(&self) -> bool {
        self.gateways.is_empty()
    }
}

/// Test mode's connectors and live mode's.
#[derive(Clone)]
pub struct Connectors {
    pub test: ProviderRegistry,
    pub live: ProviderRegistry,
}

/// A gateway that is down: it cannot start attempts (existing ones can still be asked about).
struct Unreachable(Arc<dyn PaymentProvider>);

#[async_trait]
impl PaymentProvider for Unreachable {
    fn code(&self) -> ProviderCode {
        self.0.code()
    }

    fn serves(&self, country: Country) -> bool {
        self.0.serves(country)
    }

    async fn initiate(&self, _: &AttemptRequest) -> Result<ProviderSession, ProviderError> {
        Err(ProviderError::Unavailable)
    }

    async fn fetch_status(&self, reference: &str) -> Result<ProviderStatus, ProviderError> {
        self.0.fetch_status(reference).await
    }

    async fn expire(&self, reference: &str) -> Result<(), ProviderError> {
        self.0.expire(reference).await
    }

    async fn refund(&self, _: &ProviderRefund<'_>) -> Result<RefundOutcome, ProviderError> {
        Err(ProviderError::Unavailable)
    }
}
