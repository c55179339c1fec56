//! Deleting what Dalal no longer needs, a batch at a time.

use super::Pool;
use anyhow::Context;

/// Deletes up to `batch` rows picked by `select` (a `SELECT` of the key columns with `$1` the
/// cut-off and `$2` the batch size); how many went.
async fn delete_batch(
    pool: &Pool,
    table: &'static str,
    key: &'static str,
    select: &'static str,
    before: i64,
    batch: i64,
) -> anyhow::Result<u64> {
    // `table`, `key` and `select` are constants of this module, never input. Instances sharing
    // a database prune different rows at once (`skip_locked`).
    let sql = format!(
        "DELETE FROM {table} WHERE {key} IN ({select}{})",
        pool.backend().skip_locked()
    );
    rows!(pool, |e| sqlx::query(&sql)
        .bind(before)
        .bind(batch)
        .execute(e)
        .await)
    .with_context(|| format!("failed to prune {table}"))
}

/// Idempotency records created before `before` (finished or abandoned).
pub async fn idempotency(pool: &Pool, before: i64, batch: i64) -> anyhow::Result<u64> {
    delete_batch(
        pool,
        "idempotency_keys",
        "(merchant_id, idempotency_key)",
        "SELECT merchant_id, idempotency_key FROM idempotency_keys WHERE created_at < $1 LIMIT $2",
        before,
        batch,
    )
    .await
}

/// Sandbox provider sessions created before `before`.
pub async fn sandbox_sessions(pool: &Pool, before: i64, batch: i64) -> anyhow::Result<u64> {
    delete_batch(
        pool,
        "sandbox_sessions",
        "id",
        "SELECT id FROM sandbox_sessions WHERE created_at < $1 LIMIT $2",
        before,
        batch,
    )
    .await
}

/// The log of webhook tries made before `before` (deliveries keep their status and count).
pub async fn webhook_attempts(pool: &Pool, before: i64, batch: i64) -> anyhow::Result<u64> {
    delete_batch(
        pool,
        "webhook_attempts",
        "id",
        "SELECT id FROM webhook_attempts WHERE at < $1 LIMIT $2",
        before,
        batch,
    )
    .await
}
