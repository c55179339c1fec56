use super::Pool;
use anyhow::Context;

/// After this many failures in a row a gateway is skipped for `SKIP_MS`, then tried again.
pub const FAILURES_BEFORE_SKIP: i64 = 3;
pub const SKIP_MS: i64 = 60_000;

/// The gateways with failures on record, at `now`.
#[derive(Debug, Default)]
pub struct Health {
    /// Skipped until their rest is over (`FAILURES_BEFORE_SKIP` failures in a row).
    pub resting: Vec<String>,
    /// Failed at least once since their last success: the next success clears that.
    pub failing: Vec<String>,
}

impl Health {
    /// The health at `now` of the gateways `failures` returned.
    pub fn at(failures: &[(String, i64)], now: i64) -> Self {
        let mut health = Health::default();
        for (gateway, skip_until) in failures {
            if *skip_until > now {
                health.resting.push(gateway.clone());
            }
            health.failing.push(gateway.clone());
        }
        health
    }

    pub fn is_resting(&self, gateway: &str) -> bool {
        self.resting.iter().any(|g| g == gateway)
    }

    pub fn is_failing(&self, gateway: &str) -> bool {
        self.failing.iter().any(|g| g == gateway)
    }
}

/// Only gateways that failed have rows worth reading: a healthy gateway costs nothing per payment.
pub async fn health(pool: &Pool, now: i64) -> anyhow::Result<Health> {
    Ok(Health::at(&failures(pool).await?, now))
}

/// The gateways with failures on record, and until when each rests (0: it does not).
pub async fn failures(pool: &Pool) -> anyhow::Result<Vec<(String, i64)>> {
    on!(pool, |e| sqlx::query_as(
        "SELECT gateway, skip_until FROM gateway_health WHERE consecutive_failures > 0 OR skip_until > 0",
    )
    .fetch_all(e)
    .await)
    .context("failed to read gateway health")
}

/// Clears a gateway's failures. Callers skip it when `Health` shows none: a write per payment on
/// one hot row would make every payment wait for the others.
pub async fn record_success(pool: &Pool, gateway: &str) -> anyhow::Result<()> {
    rows!(pool, |e| sqlx::query(
        "UPDATE gateway_health SET consecutive_failures = 0, skip_until = 0 WHERE gateway = $1",
    )
    .bind(gateway)
    .execute(e)
    .await)
    .context("failed to record a gateway success")?;
    Ok(())
}

pub async fn record_failure(pool: &Pool, gateway: &str, now: i64) -> anyhow::Result<()> {
    rows!(pool, |e| sqlx::query(
        "INSERT INTO gateway_health (gateway, consecutive_failures, skip_until) VALUES ($1, 1, 0)
         ON CONFLICT (gateway) DO UPDATE SET
           consecutive_failures = gateway_health.consecutive_failures + 1,
           skip_until = CASE WHEN gateway_health.consecutive_failures + 1 >= $2 THEN $3 ELSE gateway_health.skip_until END",
    )
    .bind(gateway)
    .bind(FAILURES_BEFORE_SKIP)
    .bind(now + SKIP_MS)
    .execute(e)
    .await)
    .context("failed to record a gateway failure")?;
    Ok(())
}
