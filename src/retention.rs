//! Keeping the database bounded: old records are pruned in small batches (`retention.*`), and
//! SQLite's write-ahead log is checkpointed regularly and cut back (`database.*`), so that
//! neither grows without end under sustained load.

use crate::clock::SharedClock;
use crate::config::RetentionSettings;
use crate::db::{self, Pool};
use std::time::Duration;
use tokio::sync::watch;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// How many rows one pass deleted, by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub idempotency: u64,
    pub sandbox_sessions: u64,
    pub webhook_attempts: u64,
}

/// Deletes with `batch_of` (one statement of at most `batch` rows) until a statement deletes
/// fewer: how many went in all.
async fn drain<F, Fut>(batch: i64, mut batch_of: F) -> anyhow::Result<u64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<u64>>,
{
    let full = u64::try_from(batch).unwrap_or(u64::MAX);
    let mut total = 0;
    loop {
        let n = batch_of().await?;
        total += n;
        if n < full {
            return Ok(total);
        }
        tokio::task::yield_now().await;
    }
}

/// One pruning pass: every kind, a batch at a time, until nothing old is left.
pub async fn prune(
    pool: &Pool,
    clock: &SharedClock,
    settings: &RetentionSettings,
) -> anyhow::Result<Pruned> {
    let now = clock.now_ms();
    let batch = settings.batch;
    let keys_before = now - settings.idempotency_hours * HOUR_MS;
    let sandbox_before = now - settings.sandbox_days * DAY_MS;
    let tries_before = now - settings.webhook_attempts_days * DAY_MS;
    Ok(Pruned {
        idempotency: drain(batch, || {
            db::retention::idempotency(pool, keys_before, batch)
        })
        .await?,
        sandbox_sessions: drain(batch, || {
            db::retention::sandbox_sessions(pool, sandbox_before, batch)
        })
        .await?,
        webhook_attempts: drain(batch, || {
            db::retention::webhook_attempts(pool, tries_before, batch)
        })
        .await?,
    })
}

/// Prunes every `retention.interval_secs` until `shutdown` turns true (and lets the rate
/// limiter forget quiet clients).
pub async fn run(
    pool: Pool,
    clock: SharedClock,
    settings: RetentionSettings,
    limits: crate::rate_limit::Limits,
    shutdown: watch::Receiver<bool>,
) {
    let interval = Duration::from_secs(settings.interval_secs);
    crate::background::every(interval, shutdown, || async {
        limits.forget_idle();
        match prune(&pool, &clock, &settings).await {
            Ok(pruned) if pruned != Pruned::default() => {
                tracing::info!(?pruned, "pruned old records")
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = ?err, "pruning failed"),
        }
    })
    .await
}

/// How often the write-ahead log's length is looked at (`db::restart_log`).
const LOG_LOOKED_AT_EVERY: Duration = Duration::from_millis(100);
/// How long to leave the log alone after a reader kept it from starting over.
const AFTER_BUSY_RESTART: Duration = Duration::from_secs(1);

/// Keeps SQLite's write-ahead log short, until `shutdown` turns true: every 100 ms it is started
/// over if it has `restart_after_frames` frames (`db::restart_log`), and every `interval` folded
/// back and cut to nothing if no reader is in the way (`db::checkpoint`).
pub async fn checkpoints(
    pool: Pool,
    interval: Duration,
    restart_after_frames: i64,
    shutdown: watch::Receiver<bool>,
) {
    let restarts = crate::background::every(LOG_LOOKED_AT_EVERY, shutdown.clone(), || {
        let (pool, mut stopping) = (&pool, shutdown.clone());
        async move {
            match db::restart_log(pool, restart_after_frames).await {
                Ok(db::LogRestart::Short | db::LogRestart::Restarted) => {}
                // A long reader (a slow report) would hold writers back at every try: leave it
                // be for a while.
                Ok(db::LogRestart::Busy) => {
                    tokio::select! {
                        _ = tokio::time::sleep(AFTER_BUSY_RESTART) => {}
                        _ = stopping.changed() => {}
                    }
                }
                Err(err) => tracing::warn!(error = ?err, "checkpoint failed"),
            }
        }
    });
    let truncations = crate::background::every(interval, shutdown.clone(), || async {
        match db::checkpoint(&pool).await {
            Ok(true) => {}
            Ok(false) => tracing::debug!("a reader kept the checkpoint from completing"),
            Err(err) => tracing::warn!(error = ?err, "checkpoint failed"),
        }
    });
    tokio::join!(restarts, truncations);
}
