//! Background loops: the payment core's workers, webhook delivery and the session sweeper all
//! run a pass every so often until the application stops.

use std::time::Duration;
use tokio::sync::watch;

/// Runs `pass` every `interval`, the first one interval after start (late ticks are delayed, not
/// bunched), until `shutdown` turns true.
pub async fn every<F, Fut>(interval: Duration, mut shutdown: watch::Receiver<bool>, mut pass: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    // The first pass comes one interval after start, not at once: a pass racing the first
    // requests of a fresh process helps nobody (and made tests that run passes by hand flaky).
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
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
