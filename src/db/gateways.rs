use super::Pool;
use anyhow::Context;

/// After this many failures in a row a gateway is skipped for `SKIP_MS`, then tried again.
pub const FAILURES_BEFORE_SKIP: i64 = 3;
pub const SKIP_MS: i64 = 60_000;

/// Gateways skipped at `now` (recent failures), among `ids`.
pub async fn skipped(pool: &Pool, ids: &[&str], now: i64) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT gateway, skip_until FROM gateway_health WHERE skip_until > $1")
            .bind(now)
            .fetch_all(pool)
            .await
            .context("failed to read gateway health")?;
    Ok(rows
        .into_iter()
        .map(|(g, _)| g)
        .filter(|g| ids.contains(&g.as_str()))
        .collect())
}

pub async fn record_success(pool: &Pool, gateway: &str) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO gateway_health (gateway, consecutive_failures, skip_until) VALUES ($1, 0, 0)
         ON CONFLICT (gateway) DO UPDATE SET consecutive_failures = 0, skip_until = 0",
    )
    .bind(gateway)
    .execute(pool)
    .await
    .context("failed to record a gateway success")?;
    Ok(())
}

pub async fn record_failure(pool: &Pool, gateway: &str, now: i64) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO gateway_health (gateway, consecutive_failures, skip_until) VALUES ($1, 1, 0)
         ON CONFLICT (gateway) DO UPDATE SET
           consecutive_failures = gateway_health.consecutive_failures + 1,
           skip_until = CASE WHEN gateway_health.consecutive_failures + 1 >= $2 THEN $3 ELSE gateway_health.skip_until END",
    )
    .bind(gateway)
    .bind(FAILURES_BEFORE_SKIP)
    .bind(now + SKIP_MS)
    .execute(pool)
    .await
    .context("failed to record a gateway failure")?;
    Ok(())
}
