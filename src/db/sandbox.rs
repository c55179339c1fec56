use super::Pool;
use anyhow::Context;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SandboxSessionRow {
    pub id: String,
    pub provider: String,
    pub flow: String,
    pub amount: i64,
    pub currency: String,
    pub phone: Option<String>,
    pub scenario: String,
    pub created_at: i64,
    pub decision: Option<String>,
    pub decided_at: Option<i64>,
}

pub async fn insert(pool: &Pool, s: &SandboxSessionRow) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO sandbox_sessions (id, provider, flow, amount, currency, phone, scenario, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&s.id)
    .bind(&s.provider)
    .bind(&s.flow)
    .bind(s.amount)
    .bind(&s.currency)
    .bind(&s.phone)
    .bind(&s.scenario)
    .bind(s.created_at)
    .execute(pool)
    .await
    .context("failed to insert a sandbox session")?;
    Ok(())
}

pub async fn find(pool: &Pool, id: &str) -> anyhow::Result<Option<SandboxSessionRow>> {
    sqlx::query_as(
        "SELECT id, provider, flow, amount, currency, phone, scenario, created_at, decision, decided_at
         FROM sandbox_sessions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
    .context("failed to read a sandbox session")
}

/// Records the tester's answer once; false when the session was already decided.
pub async fn decide(pool: &Pool, id: &str, decision: &str, now: i64) -> anyhow::Result<bool> {
    let n = sqlx::query(
        "UPDATE sandbox_sessions SET decision = $1, decided_at = $2 WHERE id = $3 AND decision IS NULL",
    )
    .bind(decision)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await
    .context("failed to record a sandbox decision")?
    .rows_affected();
    Ok(n == 1)
}

/// Sessions of the same provider, number and amount since `since`, for Orange Money's rule
/// against paying the same amount from the same number twice in a short window.
pub async fn recent_same_payment(
    pool: &Pool,
    provider: &str,
    phone: &str,
    amount: i64,
    since: i64,
) -> anyhow::Result<Vec<SandboxSessionRow>> {
    sqlx::query_as(
        "SELECT id, provider, flow, amount, currency, phone, scenario, created_at, decision, decided_at
         FROM sandbox_sessions WHERE provider = $1 AND phone = $2 AND amount = $3 AND created_at >= $4",
    )
    .bind(provider)
    .bind(phone)
    .bind(amount)
    .bind(since)
    .fetch_all(pool)
    .await
    .context("failed to read recent sandbox sessions")
}
