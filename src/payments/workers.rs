//! Background work of the payment core: expire overdue payments and ask providers about open
//! attempts (some, like MTN MoMo, call back once and never retry, so Dalal polls).

use super::Payments;
use std::time::Duration;
use tokio::sync::watch;

/// Runs until `shutdown` turns true.
pub async fn run(payments: Payments, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
        if let Err(err) = payments.expire_due().await {
            tracing::error!(error = ?err, "expiry sweep failed");
        }
        if let Err(err) = payments.check_due_attempts().await {
            tracing::error!(error = ?err, "provider status check failed");
        }
    }
}
