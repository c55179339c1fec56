//! Background work of the payment core: expire overdue payments and ask providers about open
//! attempts (some, like MTN MoMo, call back once and never retry, so Dalal polls).

use super::Payments;
use std::time::Duration;
use tokio::sync::watch;

/// Runs until `shutdown` turns true.
pub async fn run(payments: Payments, interval: Duration, shutdown: watch::Receiver<bool>) {
    every(interval, shutdown, || async {
        if let Err(err) = payments.expire_due().await {
            tracing::error!(error = ?err, "expiry sweep failed");
        }
        if let Err(err) = payments.check_due_attempts().await {
            tracing::error!(error = ?err, "provider status check failed");
        }
    })
    .await
}

/// Runs `pass` every `interval` (late ticks are delayed, not bunched) until `shutdown` turns true.
pub async fn every<F, Fut>(interval: Duration, mut shutdown: watch::Receiver<bool>, mut pass: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
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
        pass().await;
    }
}
