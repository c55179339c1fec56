//! What every request handler and server function can reach.

use crate::clock::SharedClock;
use crate::config::Settings;
use crate::db::Pool;
use crate::payments::Payments;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

/// Cloned for every request (axum's `State`): one reference count, whatever it holds.
#[derive(Clone)]
pub struct AppState(std::sync::Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(std::sync::Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

pub struct Shared {
    pub pool: Pool,
    pub clock: SharedClock,
    pub payments: Payments,
    pub payouts: crate::payouts::Payouts,
    pub api_keys: crate::merchants::KeyCache,
    pub webhooks: crate::webhooks::delivery::Deliverer,
    pub limits: crate::rate_limit::Limits,
    pub settings: Settings,
    /// Base of every absolute URL Dalal hands out (`redirectUrl`, logos, sandbox links).
    pub public_url: String,
    /// Where this process reaches itself: the sandbox's emulated providers and their webhooks
    /// (`sandbox.providers_url`, or this process's own address).
    pub sandbox_url: String,
    pub leptos_options: LeptosOptions,
    /// Set once shutdown has begun: `/readyz` answers 503 from then on.
    pub draining: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
