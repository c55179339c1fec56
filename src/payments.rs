//! The payment core: creating payments, starting attempts with providers, applying what
//! providers report, cancelling and expiring. Both merchant API dialects and the checkout page
//! call this module; nothing else changes a payment.
//!
//! | file | job |
//! |---|---|
//! | `create.rs` | create a payment, read payments back |
//! | `customer.rs` | what the customer does on the page: choose, change, cancel |
//! | `sync.rs` | ask providers where attempts stand and apply their answers |
//! | `lifecycle.rs` | the only writer of a payment's status (and of its webhook events) |
//! | `merchant_actions.rs` | what a merchant does after creating: refund, cancel, list |
//! | `routing.rs`, `gateways.rs` | which gateway serves an attempt, failover |
//! | `idempotency.rs` | idempotency keys: the protocol, its records, its turns |
//!
//! The core knows neither HTTP nor the API dialects: a webhook's body is rendered by the
//! `EventFormatter` the application hands it (each dialect shapes its own payments).

mod create;
mod customer;
mod error;
pub mod gateways;
pub mod idempotency;
mod lifecycle;
mod model;
mod merchant_actions;
mod refund_sync;
mod routing;
mod sync;

pub use create::RenderResponse;
pub use customer::MethodChoice;
pub use error::{Conflict, PaymentError};
pub use model::{
    Attempt, Dialect, Mode, NewPayment, NewPaymentKind, Payment, PaymentKind, Refund,
    refunded_amount,
};
pub use merchant_actions::{ListFilter, PaymentPage, RefundRequest};
pub use routing::OUTCOME_UNKNOWN;
/// What the customer dials to see a PIN prompt (the checkout page shows it).
pub use crate::providers::PinPrompt;

use crate::clock::SharedClock;
use crate::config::PaymentSettings;
use crate::db::{self, Pool};
use crate::providers::Connectors;
use std::sync::Arc;
use std::time::Duration;

/// How often an open attempt's provider is asked for news.
const CHECK_INTERVAL_MS: i64 = 1_000;

/// Renders a payment as its merchant's API dialect shows it: the `data` of a webhook event.
/// Implemented by `api` (each dialect its own shape), handed to the core at start-up, so that
/// the core never imports a dialect.
pub trait EventFormatter: Send + Sync {
    fn payment_data(
        &self,
        payment: &Payment,
        attempt: Option<&Attempt>,
        refunds: &[Refund],
    ) -> anyhow::Result<serde_json::Value>;

    /// A refund, for `refund.succeeded` / `refund.failed` events.
    fn refund_data(&self, payment: &Payment, refund: &Refund) -> anyhow::Result<serde_json::Value>;
}

#[derive(Clone)]
pub struct Payments {
    pool: Pool,
    clock: SharedClock,
    connectors: Connectors,
    gateways: Arc<gateways::GatewayTable>,
    settings: PaymentSettings,
    formatter: Arc<dyn EventFormatter>,
    health: Arc<routing::HealthCache>,
    /// Base of the checkout pages' absolute URLs: where providers send customers back.
    public_url: Arc<str>,
    /// Requests with one idempotency key take turns in this process.
    key_locks: idempotency::KeyLocks,
}

impl Payments {
    pub fn new(
        pool: Pool,
        clock: SharedClock,
        connectors: Connectors,
        gateways: Arc<gateways::GatewayTable>,
        settings: PaymentSettings,
        formatter: Arc<dyn EventFormatter>,
        public_url: &str,
    ) -> Self {
        Self {
            pool,
            clock,
            connectors,
            gateways,
            settings,
            formatter,
            health: Default::default(),
            public_url: public_url.trim_end_matches('/').into(),
            key_locks: Default::default(),
        }
    }

    /// A payment's checkout page, absolute: where a provider's app or page sends the customer
    /// back after paying.
    pub(crate) fn checkout_url(&self, token: &str) -> String {
        crate::routes::absolute(&self.public_url, &crate::routes::checkout(token))
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Open attempts whose start's answer was lost — money that may have moved and that the
    /// status checker is settling — by provider (`/metrics`).
    pub async fn unsettled_attempts(&self) -> Result<Vec<(String, i64)>, PaymentError> {
        Ok(db::attempts::open_with_status_by_provider(&self.pool, OUTCOME_UNKNOWN).await?)
    }

    /// The gateways payments are routed through.
    pub fn gateways(&self) -> &gateways::GatewayTable {
        &self.gateways
    }

    /// A payment's status changes, with their reasons, oldest first.
    pub async fn transitions(
        &self,
        payment: &Payment,
    ) -> Result<Vec<db::payments::TransitionRow>, PaymentError> {
        Ok(db::payments::transitions(&self.pool, payment.id.sequence()).await?)
    }

    /// A payment's refunds, oldest first.
    pub async fn refunds(&self, payment: &Payment) -> Result<Vec<Refund>, PaymentError> {
        Ok(self.refunds_of(&self.pool, payment).await?)
    }

    async fn refunds_of(
        &self,
        db: impl Into<db::Exec<'_>>,
        payment: &Payment,
    ) -> anyhow::Result<Vec<Refund>> {
        db::refunds::for_payments(db, &[payment.id.sequence()])
            .await?
            .into_iter()
            .map(|r| Refund::from_row(r, payment.amount.currency()))
            .collect()
    }

    /// The payment link a QR-code attempt's QR code encodes; `None` for another kind of attempt
    /// or an unknown one.
    pub async fn qr_link(&self, attempt_id: &str) -> Result<Option<String>, PaymentError> {
        let Some(row) = db::attempts::find(&self.pool, attempt_id).await? else {
            return Ok(None);
        };
        let attempt = Attempt::try_from(row)?;
        Ok(attempt
            .launch_url
            .filter(|_| attempt.provider.flow() == crate::domain::ConfirmationFlow::QrCode))
    }

    /// Every attempt of a payment, oldest first.
    pub async fn attempts(&self, payment: &Payment) -> Result<Vec<Attempt>, PaymentError> {
        db::attempts::all_for_payment(&self.pool, payment.id.sequence())
            .await?
            .into_iter()
            .map(|r| Attempt::try_from(r).map_err(PaymentError::from))
            .collect()
    }
}

/// The worker asks about pending refunds once in this many passes (every 10 s at the default
/// 500 ms).
const REFUND_SWEEP_EVERY: u64 = 20;

/// The core's background work, until `shutdown` turns true: expire overdue payments and ask
/// providers about open attempts (some, like MTN MoMo, call back once and never retry).
pub async fn run_workers(
    payments: Payments,
    interval: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    // Refunds that finish later are asked about every `REFUND_SWEEP_EVERY` passes.
    let mut passes: u64 = 0;
    crate::background::every(interval, shutdown, || {
        passes += 1;
        let refunds_due = passes % REFUND_SWEEP_EVERY == 1;
        let payments = &payments;
        async move {
            if let Err(err) = payments.expire_due().await {
                tracing::error!(error = ?err, "expiry sweep failed");
            }
            if let Err(err) = payments.check_due_attempts().await {
                tracing::error!(error = ?err, "provider status check failed");
            }
            if refunds_due && let Err(err) = payments.check_pending_refunds().await {
                tracing::error!(error = ?err, "refund sweep failed");
            }
        }
    })
    .await
}

fn new_attempt_id() -> crate::domain::AttemptId {
    crate::domain::AttemptId::from_random(&crate::random::alphanumeric(24))
}
