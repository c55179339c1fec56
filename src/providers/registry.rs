//! Each mode's connectors behind the gateways (`payments::gateways` says which gateway serves
//! what), and the sandbox's way to take a gateway down.

use super::{
    AttemptRef, AttemptRequest, Check, HeaderMap, Notification, PaymentProvider, PayoutOrder,
    Balance, PayoutState, PinPrompt,
    ProviderError, ProviderRefund, ProviderSession, ProviderStatus, RefundOutcome, Via,
};
use crate::domain::{Country, Money, ProviderCode, RefundSupport};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The connectors of one mode, by gateway (`payments::gateways` says which gateway serves what).
#[derive(Clone)]
pub struct ProviderRegistry {
    gateways: BTreeMap<String, Arc<dyn PaymentProvider>>,
}

impl ProviderRegistry {
    /// Puts each connector behind the gateways of its provider and API (`(gateway id, provider,
    /// via)` triples): a gateway without a connector (live mode without credentials) is not in
    /// the registry. `down` names gateways to treat as unreachable (the sandbox's way to
    /// exercise failover).
    pub fn new<'a>(
        gateways: impl IntoIterator<Item = (&'a str, ProviderCode, Via)>,
        connectors: Vec<Arc<dyn PaymentProvider>>,
        down: &[String],
    ) -> Self {
        let by_provider: BTreeMap<(ProviderCode, Via), Arc<dyn PaymentProvider>> = connectors
            .into_iter()
            .map(|c| ((c.code(), c.via()), c))
            .collect();
        let gateways = gateways
            .into_iter()
            .filter_map(|(id, provider, via)| {
                let inner = by_provider.get(&(provider, via))?.clone();
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

    /// Whether the gateway has a connector here that takes `amount` in `country`.
    pub fn takes(&self, id: &str, country: Country, amount: Money) -> bool {
        self.gateways
            .get(id)
            .is_some_and(|c| c.takes(country, amount))
    }

    pub fn is_empty(&self) -> bool {
        self.gateways.is_empty()
    }

    /// Each connector of a provider once (several gateways may share one).
    /// Every connector once.
    pub fn connectors(&self) -> Vec<&Arc<dyn PaymentProvider>> {
        let mut found: Vec<&Arc<dyn PaymentProvider>> = Vec::new();
        for connector in self.gateways.values() {
            if !found.iter().any(|c| Arc::ptr_eq(c, connector)) {
                found.push(connector);
            }
        }
        found
    }

    pub fn connectors_of(&self, provider: ProviderCode) -> Vec<&Arc<dyn PaymentProvider>> {
        let mut found: Vec<&Arc<dyn PaymentProvider>> = Vec::new();
        for connector in self.gateways.values() {
            if connector.code() == provider && !found.iter().any(|c| Arc::ptr_eq(c, connector)) {
                found.push(connector);
            }
        }
        found
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

    async fn fetch_status(
        &self,
        attempt: &AttemptRef<'_>,
    ) -> Result<ProviderStatus, ProviderError> {
        self.0.fetch_status(attempt).await
    }

    async fn expire(&self, reference: &str) -> Result<(), ProviderError> {
        self.0.expire(reference).await
    }

    fn pays_out(&self, country: Country) -> bool {
        self.0.pays_out(country)
    }

    async fn pay_out(&self, _: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
        Err(ProviderError::Unavailable)
    }

    async fn payout_status(&self, order: &PayoutOrder<'_>) -> Result<PayoutState, ProviderError> {
        self.0.payout_status(order).await
    }

    async fn balance(&self, country: Country) -> Result<Option<Balance>, ProviderError> {
        self.0.balance(country).await
    }

    async fn refund(&self, _: &ProviderRefund<'_>) -> Result<RefundOutcome, ProviderError> {
        Err(ProviderError::Unavailable)
    }

    async fn verify_notification(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now_ms: i64,
    ) -> Notification {
        self.0.verify_notification(headers, body, now_ms).await
    }

    fn via(&self) -> Via {
        self.0.via()
    }

    fn pin_prompt(&self, country: Country) -> Option<PinPrompt> {
        self.0.pin_prompt(country)
    }

    fn takes(&self, country: Country, amount: Money) -> bool {
        self.0.takes(country, amount)
    }

    fn asks_one_time_code(&self, country: Country) -> bool {
        self.0.asks_one_time_code(country)
    }

    fn refund_support(&self) -> RefundSupport {
        self.0.refund_support()
    }

    /// A refund already taken can still be asked about, as attempts can.
    async fn refund_status(
        &self,
        refund: &ProviderRefund<'_>,
        started_at_ms: i64,
    ) -> Result<Option<RefundOutcome>, ProviderError> {
        self.0.refund_status(refund, started_at_ms).await
    }

    async fn refresh(&self) {
        self.0.refresh().await
    }

    async fn check(&self) -> Vec<Check> {
        self.0.check().await
    }
}
