//! Payouts: money a merchant sends from its provider account to a recipient's wallet (one, or a
//! batch of independent ones). Both API dialects call this module; nothing else changes a payout.
//!
//! The rules come from PROVIDERS.md ("For payouts"):
//! - one idempotency handle per payout (a UUID v4), stored before the first call and sent on
//!   every call: a payout is sent by whoever moves it from `pending` to `processing` (one row
//!   update: one winner across requests, workers and instances);
//! - an unknown outcome is `processing`, never `failed`: the worker asks the provider until it
//!   says how the payout ended (Wave sends no payout webhooks), and sends it again — with the
//!   same handle — only when the provider says it never arrived, or could not be reached at all
//!   (then the payout is `pending` again);
//! - every status change is one `db::payouts::transition`, with its history line and, when it
//!   ends, its webhook event, in one transaction.
//!
//! | file | job |
//! |---|---|
//! | `model.rs` | the payout, a request for one, what can go wrong |
//! | `send.rs` | create, send, ask about, end |
//! | `batch.rs` | batches of independent payouts; approvals by a second user |
//! | `request.rs`, `csv.rs` | reading a payout request or a batch (JSON, CSV), whoever sends it |

mod batch;
mod csv;
mod model;
pub mod request;
mod send;

pub use crate::db::payouts::PayoutFilter;
pub use batch::{MAX_LINES, NewBatch};
pub use model::{Batch, NewPayout, Payout, PayoutError};

use crate::clock::SharedClock;
use crate::config::PayoutSettings;
use crate::db::{self, Pool};
use crate::domain::{Country, Mode, PayoutStatus, ProviderCode};
use crate::payments::gateways::GatewayTable;
use crate::providers::{Balance, Connectors, PaymentProvider, ProviderRegistry};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Renders a payout as its merchant's API dialect shows it: the `data` of a payout event.
/// Implemented by `api`, handed to the core at start-up.
pub trait PayoutFormatter: Send + Sync {
    fn payout_data(&self, payout: &Payout) -> anyhow::Result<serde_json::Value>;
}

/// A provider account's balance as Dalal last read it.
#[derive(Debug, Clone)]
pub struct AccountBalance {
    pub provider: ProviderCode,
    /// Whose API holds the account: the provider's own, or pawaPay's.
    pub via: crate::domain::Via,
    pub gateway: String,
    pub country: Country,
    /// `None`: the provider could not be asked.
    pub balance: Option<Balance>,
    /// When it was read (Unix milliseconds).
    pub read_at: i64,
}

/// How long a balance read is trusted before a payout reads it again.
const BALANCE_FRESH_MS: i64 = 60_000;

#[derive(Clone)]
pub struct Payouts {
    pool: Pool,
    clock: SharedClock,
    connectors: Connectors,
    gateways: Arc<GatewayTable>,
    settings: PayoutSettings,
    formatter: Arc<dyn PayoutFormatter>,
    /// Balances last read, by (mode, gateway, country).
    balances: Arc<Mutex<HashMap<(Mode, String, Country), AccountBalance>>>,
}

/// One page of a listing, newest first.
pub struct PayoutPage {
    pub payouts: Vec<Payout>,
    /// Whether older payouts match too.
    pub has_more: bool,
}

impl Payouts {
    pub fn new(
        pool: Pool,
        clock: SharedClock,
        connectors: Connectors,
        gateways: Arc<GatewayTable>,
        settings: PayoutSettings,
        formatter: Arc<dyn PayoutFormatter>,
    ) -> Self {
        Self {
            pool,
            clock,
            connectors,
            gateways,
            settings,
            formatter,
            balances: Default::default(),
        }
    }

    fn registry(&self, mode: Mode) -> &ProviderRegistry {
        match mode {
            Mode::Test => &self.connectors.test,
            Mode::Live => &self.connectors.live,
        }
    }

    /// The gateways of `mode` that pay out in `country` (with `provider`, when given), in the
    /// gateway table's order.
    fn payout_gateways(
        &self,
        mode: Mode,
        provider: Option<ProviderCode>,
        country: Country,
    ) -> Vec<(&str, ProviderCode, &Arc<dyn PaymentProvider>)> {
        let registry = self.registry(mode);
        self.gateways
            .all()
            .iter()
            .filter(|g| provider.is_none_or(|p| p == g.provider) && g.serves(country))
            .filter_map(|g| {
                let connector = registry.gateway(&g.id)?;
                connector
                    .pays_out(country)
                    .then_some((g.id.as_str(), g.provider, connector))
            })
            .collect()
    }

    /// A payout's connector: its gateway's in its mode.
    fn connector_of(&self, payout: &Payout) -> anyhow::Result<&Arc<dyn PaymentProvider>> {
        self.registry(payout.mode)
            .gateway(&payout.gateway)
            .ok_or_else(|| anyhow::anyhow!("no {:?} connector for gateway {:?}", payout.mode, payout.gateway))
    }

    /// A merchant's own payout in one mode.
    pub async fn get(
        &self,
        merchant_id: &str,
        mode: Mode,
        id: &str,
    ) -> Result<Payout, PayoutError> {
        let row = db::payouts::find(&self.pool, id)
            .await?
            .filter(|p| p.merchant_id == merchant_id && p.mode == mode)
            .ok_or(PayoutError::NotFound)?;
        Ok(Payout::try_from(row)?)
    }

    /// A page of a merchant's payouts, newest first. `starting_after`: the last payout of the
    /// previous page.
    pub async fn list(
        &self,
        merchant_id: &str,
        mode: Mode,
        mut filter: PayoutFilter,
        starting_after: Option<&str>,
        limit: u32,
    ) -> Result<PayoutPage, PayoutError> {
        if let Some(after) = starting_after {
            let last = self.get(merchant_id, mode, after).await?;
            filter.before = Some((last.created_at, last.id.to_string()));
        }
        let mut rows =
            db::payouts::list(&self.pool, merchant_id, mode, &filter, i64::from(limit) + 1).await?;
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let payouts = rows
            .into_iter()
            .map(Payout::try_from)
            .collect::<anyhow::Result<_>>()?;
        Ok(PayoutPage { payouts, has_more })
    }

    /// A merchant's payouts waiting for a second user's approval, oldest first.
    pub async fn waiting_approval(
        &self,
        merchant_id: &str,
        mode: Mode,
    ) -> Result<Vec<Payout>, PayoutError> {
        db::payouts::waiting_approval(&self.pool, merchant_id, mode)
            .await?
            .into_iter()
            .map(|r| Payout::try_from(r).map_err(PayoutError::from))
            .collect()
    }

    /// A payout's status changes with their reasons, oldest first.
    pub async fn history(
        &self,
        payout: &Payout,
    ) -> Result<Vec<db::payouts::PayoutTransitionRow>, PayoutError> {
        Ok(db::payouts::transitions(&self.pool, payout.id.as_str()).await?)
    }

    /// Cancels a payout not sent yet. Cancelling a cancelled one answers it again.
    pub async fn cancel(
        &self,
        merchant_id: &str,
        mode: Mode,
        id: &str,
    ) -> Result<Payout, PayoutError> {
        let payout = self.get(merchant_id, mode, id).await?;
        if payout.status == PayoutStatus::Pending {
            let mut tx = self.pool.begin().await.map_err(anyhow::Error::from)?;
            db::payouts::transition(
                &mut tx,
                payout.id.as_str(),
                PayoutStatus::Pending,
                PayoutStatus::Cancelled,
                &Default::default(),
                "annulé par le marchand",
                self.clock.now_ms(),
            )
            .await?;
            tx.commit().await.map_err(anyhow::Error::from)?;
        }
        let payout = self.get(merchant_id, mode, id).await?;
        match payout.status {
            PayoutStatus::Cancelled => Ok(payout),
            status => Err(PayoutError::NotCancellable(status)),
        }
    }

    /// Each provider account of `mode` that pays out, and its balance, read now.
    pub async fn balances(&self, mode: Mode) -> Vec<AccountBalance> {
        let mut all = Vec::new();
        for country in Country::ALL {
            // Gateways that share a connector share its account: asked once.
            let mut asked: Vec<&Arc<dyn PaymentProvider>> = Vec::new();
            for (gateway, provider, connector) in self.payout_gateways(mode, None, country) {
                if asked.iter().any(|c| Arc::ptr_eq(c, connector)) {
                    continue;
                }
                asked.push(connector);
                all.push(self.read_balance(mode, gateway, provider, connector, country).await);
            }
        }
        all
    }

    async fn read_balance(
        &self,
        mode: Mode,
        gateway: &str,
        provider: ProviderCode,
        connector: &Arc<dyn PaymentProvider>,
        country: Country,
    ) -> AccountBalance {
        let balance = match connector.balance(country).await {
            Ok(balance) => balance,
            Err(err) => {
                tracing::warn!(gateway, country = country.code(), error = %err, "a provider's balance could not be read");
                None
            }
        };
        let read = AccountBalance {
            provider,
            via: connector.via(),
            gateway: gateway.to_owned(),
            country,
            balance,
            read_at: self.clock.now_ms(),
        };
        // A failed read is kept too: a batch does not ask an unreachable provider once per line.
        self.balances
            .lock()
            .expect("balances lock")
            .insert((mode, gateway.to_owned(), country), read.clone());
        read
    }

    /// The balance last read of a gateway's account in `country`, read again when older than a
    /// minute (`None`: the provider does not say, or could not be asked).
    async fn known_balance(
        &self,
        mode: Mode,
        gateway: &str,
        provider: ProviderCode,
        connector: &Arc<dyn PaymentProvider>,
        country: Country,
    ) -> Option<Balance> {
        let now = self.clock.now_ms();
        let kept = self
            .balances
            .lock()
            .expect("balances lock")
            .get(&(mode, gateway.to_owned(), country))
            .filter(|b| now - b.read_at < BALANCE_FRESH_MS)
            .map(|b| b.balance);
        match kept {
            Some(balance) => balance,
            None => {
                self.read_balance(mode, gateway, provider, connector, country)
                    .await
                    .balance
            }
        }
    }

    /// Forgets a gateway's balance (a payout was sent from it): the next payout reads it again.
    fn spent(&self, mode: Mode, gateway: &str, country: Country) {
        self.balances
            .lock()
            .expect("balances lock")
            .remove(&(mode, gateway.to_owned(), country));
    }
}

/// The worker's leases last this long, longer than one ask and one send with their time limits
/// (15 s each, and a token): a payout a dead worker leased is due again after it.
const LEASE_MS: i64 = 120_000;

/// The payouts' background work, until `shutdown` turns true: send payouts whose request did not,
/// and ask providers about payouts not finished.
pub async fn run_workers(
    payouts: Payouts,
    interval: std::time::Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    crate::background::every(interval, shutdown, || {
        let payouts = &payouts;
        async move {
            if let Err(err) = payouts.check_due().await {
                tracing::error!(error = ?err, "payout check failed");
            }
        }
    })
    .await
}
