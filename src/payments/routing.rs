//! Starting an attempt through the cheapest healthy gateway, failing over to the next one when a
//! gateway is down (smart routing; the gateway table is `gateways.rs`).

use super::gateways::{self, Gateway};
use super::{Mode, PaymentError, Payments};
use crate::db;
use crate::domain::{ConfirmationFlow, Country, InvalidInput, Money, ProviderCode, Via};
use crate::providers::{
    AttemptRequest, PaymentProvider, PinPrompt, ProviderError, ProviderRegistry, ProviderSession,
};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A provider session opened through a gateway chosen by the router.
pub(super) struct Routed {
    pub session: ProviderSession,
    pub gateway: String,
    pub reason: String,
}

/// The raw status of an attempt whose start's answer was lost (`ProviderError::OutcomeUnknown`),
/// until the provider says more.
pub const OUTCOME_UNKNOWN: &str = "OUTCOME_UNKNOWN";

/// How long the router trusts the gateways' health it read: what this process records (a
/// failure, a success after failures) is seen at once; what another process records (the CLI,
/// another instance) within this.
const HEALTH_FRESH_FOR: Duration = Duration::from_secs(1);

/// The gateways' failures as last read from the database, so that a payment through a healthy
/// gateway reads nothing (one statement fewer per attempt).
#[derive(Default)]
pub(super) struct HealthCache {
    read: Mutex<HealthRead>,
}

#[derive(Default)]
struct HealthRead {
    /// Counts `forget`s, so that a read that started before one is not kept.
    generation: u64,
    rows: Option<(Instant, Arc<Vec<(String, i64)>>)>,
}

impl HealthCache {
    fn read(&self) -> std::sync::MutexGuard<'_, HealthRead> {
        self.read.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What was read less than `HEALTH_FRESH_FOR` ago, or the generation to `keep` a new read as.
    fn fresh(&self) -> Result<Arc<Vec<(String, i64)>>, u64> {
        let read = self.read();
        match &read.rows {
            Some((at, rows)) if at.elapsed() < HEALTH_FRESH_FOR => Ok(rows.clone()),
            _ => Err(read.generation),
        }
    }

    fn keep(&self, generation: u64, rows: Arc<Vec<(String, i64)>>) {
        let mut read = self.read();
        if read.generation == generation {
            read.rows = Some((Instant::now(), rows));
        }
    }

    /// Forgets what was read: called after this process records a failure or a success.
    fn forget(&self) {
        let mut read = self.read();
        read.generation += 1;
        read.rows = None;
    }
}

impl Payments {
    /// The gateways' health now (by the injectable clock), read from the database at most once
    /// per `HEALTH_FRESH_FOR`.
    async fn gateway_health(&self) -> anyhow::Result<db::gateways::Health> {
        let rows = match self.health.fresh() {
            Ok(rows) => rows,
            Err(generation) => {
                let rows = Arc::new(db::gateways::failures(&self.pool).await?);
                self.health.keep(generation, rows.clone());
                rows
            }
        };
        Ok(db::gateways::Health::at(&rows, self.clock.now_ms()))
    }

    /// The connectors of a mode: test mode's talk to the sandbox, live mode's to the providers
    /// whose credentials are configured (README, "Going live").
    fn registry(&self, mode: Mode) -> &ProviderRegistry {
        match mode {
            Mode::Test => &self.connectors.test,
            Mode::Live => &self.connectors.live,
        }
    }

    /// Whether this mode offers the method for this amount in this country: a gateway takes it
    /// and has a connector (in live mode, credentials).
    pub fn offers(
        &self,
        mode: Mode,
        provider: ProviderCode,
        country: Country,
        amount: Money,
    ) -> bool {
        let registry = self.registry(mode);
        self.gateways.all().iter().any(|g| {
            g.provider == provider
                && g.takes(country, amount, g.brands.first().copied())
                && registry.takes(&g.id, country, amount)
        })
    }

    /// Whether a gateway of the provider's own API takes this payment in this mode.
    fn direct_takes(&self, mode: Mode, provider: ProviderCode, country: Country, amount: Money) -> bool {
        let registry = self.registry(mode);
        self.gateways.all().iter().any(|g| {
            g.provider == provider
                && g.via == Via::Direct
                && g.takes(country, amount, g.brands.first().copied())
                && registry.takes(&g.id, country, amount)
        })
    }

    /// Whether a gateway's customer flow is the one its method has here. The push methods' are
    /// the same through any gateway; a QR-code method (Orange Money) goes through pawaPay's PIN
    /// prompt only where no gateway of its own API takes the payment — the customer must know
    /// before paying whether to scan or to give a number.
    fn flows_alike(&self, mode: Mode, gateway: &Gateway, country: Country, amount: Money) -> bool {
        gateway.via == Via::Direct
            || gateway.provider.flow() != ConfirmationFlow::QrCode
            || !self.direct_takes(mode, gateway.provider, country, amount)
    }

    /// Where a QR-code method reaches this country only through an aggregator's PIN prompt
    /// (Orange Money through pawaPay, where Sonatel's API does not serve): `Some(true)` when the
    /// customer gives a one-time code first (pawaPay's `PREAUTH`: Orange Money in Burkina Faso).
    /// `None`: the method's own flow.
    pub fn pushed_by_aggregator(
        &self,
        mode: Mode,
        provider: ProviderCode,
        country: Country,
        amount: Money,
    ) -> Option<bool> {
        if provider.flow() != ConfirmationFlow::QrCode
            || self.direct_takes(mode, provider, country, amount)
        {
            return None;
        }
        let registry = self.registry(mode);
        self.gateways
            .all()
            .iter()
            .filter(|g| {
                g.provider == provider
                    && g.via != Via::Direct
                    && g.takes(country, amount, None)
                    && registry.takes(&g.id, country, amount)
            })
            .find_map(|g| Some(registry.gateway(&g.id)?.asks_one_time_code(country)))
    }

    /// Each connector of a provider in a mode: the ones a notification may come from.
    pub fn connectors_of(
        &self,
        mode: Mode,
        provider: ProviderCode,
    ) -> Vec<&Arc<dyn PaymentProvider>> {
        self.registry(mode).connectors_of(provider)
    }

    /// What the customer dials to see an attempt's PIN prompt, where its gateway's provider says
    /// (pawaPay's `MANUAL` prompts), as last read.
    pub fn pin_prompt(
        &self,
        mode: Mode,
        gateway: Option<&str>,
        provider: ProviderCode,
        country: Country,
    ) -> Option<PinPrompt> {
        self.connector(mode, gateway, provider)
            .ok()?
            .pin_prompt(country)
    }

    /// Reads again what each connector's provider says its account takes (start-up, then
    /// every few minutes).
    pub async fn refresh_providers(&self) {
        for mode in [Mode::Test, Mode::Live] {
            for connector in self.registry(mode).connectors() {
                connector.refresh().await;
            }
        }
    }

    /// Whether this mode has any connector at all (live mode without credentials has none).
    pub fn takes_payments(&self, mode: Mode) -> bool {
        !self.registry(mode).is_empty()
    }

    /// The connector behind a gateway (an attempt from before routing has none: its provider's
    /// first gateway in this mode).
    pub(super) fn connector(
        &self,
        mode: Mode,
        gateway: Option<&str>,
        provider: ProviderCode,
    ) -> Result<&Arc<dyn PaymentProvider>, PaymentError> {
        let registry = self.registry(mode);
        let id = gateway
            .or_else(|| {
                self.gateways
                    .all()
                    .iter()
                    .find(|g| g.provider == provider && registry.gateway(&g.id).is_some())
                    .map(|g| g.id.as_str())
            })
            .unwrap_or_default();
        registry.gateway(id).ok_or_else(|| {
            PaymentError::Internal(anyhow::anyhow!("no {mode:?} connector for gateway {id:?}"))
        })
    }

    /// Starts an attempt through the cheapest healthy gateway, failing over to the next when one
    /// is down. Gateways that failed repeatedly rest for a while (unless all of them do).
    pub(super) async fn start_attempt(
        &self,
        mode: Mode,
        request: &AttemptRequest,
    ) -> Result<Routed, PaymentError> {
        let brand = request.card.as_ref().map(|c| c.number.brand());
        let candidates =
            self.gateways
                .candidates(request.provider, request.country, request.amount, brand);
        if candidates.is_empty() {
            return Err(no_gateway(request, brand).into());
        }
        let registry = self.registry(mode);
        let candidates: Vec<&Gateway> = candidates
            .into_iter()
            .filter(|g| registry.takes(&g.id, request.country, request.amount))
            .filter(|g| self.flows_alike(mode, g, request.country, request.amount))
            .collect();
        if candidates.is_empty() {
            return Err(PaymentError::NotLive(request.provider));
        }
        let health = self.gateway_health().await?;
        let (healthy, skipped): (Vec<&Gateway>, Vec<&Gateway>) = candidates
            .iter()
            .copied()
            .partition(|g| !health.is_resting(&g.id));
        let (order, skipped_ids): (Vec<_>, Vec<&str>) = if healthy.is_empty() {
            (skipped, Vec::new())
        } else {
            (healthy, skipped.iter().map(|g| g.id.as_str()).collect())
        };
        let mut failed: Vec<&str> = Vec::new();
        for gateway in order {
            let connector = self.connector(mode, Some(&gateway.id), request.provider)?;
            let session = match connector.initiate(request).await {
                Ok(session) => {
                    if health.is_failing(&gateway.id) {
                        db::gateways::record_success(&self.pool, &gateway.id).await?;
                        self.health.forget();
                    }
                    session
                }
                // The request went out and its answer was lost: the money may have moved. The
                // attempt stays open under the reference the connector chose before sending, to
                // be settled by asking; it is never sent again, nor elsewhere. The customer may
                // have been charged, or asked: the page waits.
                Err(ProviderError::OutcomeUnknown { reference }) => {
                    tracing::warn!(gateway = %gateway.id, %reference, "a provider's answer was lost: the attempt is settled by asking, never sent elsewhere");
                    ProviderSession::asked(reference, OUTCOME_UNKNOWN)
                }
                Err(ProviderError::Unavailable) => {
                    tracing::warn!(gateway = %gateway.id, "gateway unavailable, failing over");
                    db::gateways::record_failure(&self.pool, &gateway.id, self.clock.now_ms())
                        .await?;
                    self.health.forget();
                    failed.push(&gateway.id);
                    continue;
                }
                Err(other) => return Err(provider_error(request.provider, other)),
            };
            let reason = gateways::reason(
                gateway,
                request.amount,
                candidates.len(),
                &skipped_ids,
                &failed,
            );
            return Ok(Routed {
                session,
                gateway: gateway.id.clone(),
                reason,
            });
        }
        Err(PaymentError::ProviderUnavailable {
            provider: request.provider,
        })
    }
}

fn no_gateway(request: &AttemptRequest, brand: Option<crate::domain::CardBrand>) -> InvalidInput {
    let country = request.country;
    match brand {
        Some(brand) => InvalidInput::bilingual(
            format!(
                "Les cartes {brand} ne sont pas acceptées pour ce paiement {} : utilisez une autre carte",
                country.in_fr()
            ),
            format!(
                "{brand} cards are not accepted for this payment in {}: use another card",
                country.name_en()
            ),
        ),
        None => InvalidInput::bilingual(
            format!(
                "{} n'accepte pas ce montant {} : choisissez un autre moyen de paiement",
                request.provider.name(),
                country.in_fr()
            ),
            format!(
                "{} does not take this amount in {}: choose another method",
                request.provider.name(),
                country.name_en()
            ),
        ),
    }
}

/// A connector's error as the core reports it.
pub(super) fn provider_error(provider: ProviderCode, err: ProviderError) -> PaymentError {
    match err {
        ProviderError::Unavailable => PaymentError::ProviderUnavailable { provider },
        ProviderError::OutcomeUnknown { reference } => PaymentError::Internal(anyhow::anyhow!(
            "{provider}'s answer about {reference} was lost outside an attempt's start"
        )),
        ProviderError::Refused(failure) => PaymentError::ProviderRefused { provider, failure },
        ProviderError::UnknownReference(r) => PaymentError::Internal(anyhow::anyhow!(
            "{provider} does not know the reference {r}"
        )),
        ProviderError::Internal(e) => {
            PaymentError::Internal(anyhow::anyhow!("{e:#}").context(format!("{provider} failed")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_is_reread_after_a_recorded_failure_and_a_read_from_before_it_is_not_kept() {
        let cache = HealthCache::default();
        let rows = |g: &str| Arc::new(vec![(g.to_owned(), 0)]);
        let Err(first) = cache.fresh() else {
            panic!("nothing read yet")
        };
        cache.keep(first, rows("orange_hub"));
        assert_eq!(
            cache.fresh().unwrap()[0].0,
            "orange_hub",
            "kept while fresh"
        );
        // A read starts, this process records a failure meanwhile: the read is stale.
        cache.forget();
        assert!(cache.fresh().is_err(), "forgotten");
        cache.keep(first, rows("stale"));
        let Err(next) = cache.fresh() else {
            panic!("a read from before the failure was kept")
        };
        cache.keep(next, rows("wave_direct"));
        assert_eq!(cache.fresh().unwrap()[0].0, "wave_direct");
    }
}
