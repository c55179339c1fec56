use super::{Exec, Pool, Tx};
use anyhow::Context;

pub struct IdempotencyRow {
    pub request_hash: String,
    pub response_status: Option<i64>,
    pub response_body: Option<String>,
    pub created_at: i64,
    /// Set when the body holds a placeholder transaction id (`keyed_payment_inserts`).
    pub payment_id: Option<i64>,
}

/// Inserts an in-progress record; false when the key already has one.
pub async fn try_insert(
    pool: &Pool,
    merchant_id: &str,
    key: &str,
    request_hash: &str,
    now: i64,
) -> anyhow::Result<bool> {
    let n = rows!(pool, |e| sqlx::query(
        "INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(merchant_id)
    .bind(key)
    .bind(request_hash)
    .bind(now)
    .execute(e)
    .await)
    .context("failed to claim an idempotency key")?;
    Ok(n == 1)
}

pub async fn find(
    pool: &Pool,
    merchant_id: &str,
    key: &str,
) -> anyhow::Result<Option<IdempotencyRow>> {
    let row: Option<(String, Option<i64>, Option<String>, i64, Option<i64>)> = on!(pool, |e| sqlx::query_as(
        "SELECT request_hash, response_status, response_body, created_at, payment_id FROM idempotency_keys
         WHERE merchant_id = $1 AND idempotency_key = $2",
    )
    .bind(merchant_id)
    .bind(key)
    .fetch_optional(e)
    .await)
    .context("failed to read an idempotency key")?;
    Ok(row.map(
        |(request_hash, response_status, response_body, created_at, payment_id)| IdempotencyRow {
            request_hash,
            response_status,
            response_body,
            created_at,
            payment_id,
        },
    ))
}

/// Takes over an in-progress record whose owner went silent (crashed) since `stale_created_at`.
pub async fn take_over(
    pool: &Pool,
    merchant_id: &str,
    key: &str,
    stale_created_at: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let n = rows!(pool, |e| sqlx::query(
        "UPDATE idempotency_keys SET created_at = $1
         WHERE merchant_id = $2 AND idempotency_key = $3 AND response_status IS NULL AND created_at = $4",
    )
    .bind(now)
    .bind(merchant_id)
    .bind(key)
    .bind(stale_created_at)
    .execute(e)
    .await)
    .context("failed to take over an idempotency key")?;
    Ok(n == 1)
}

pub async fn complete(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
    key: &str,
    status: u16,
    body: &str,
) -> anyhow::Result<()> {
    rows!(db, |e| sqlx::query(
        "UPDATE idempotency_keys SET response_status = $1, response_body = $2
         WHERE merchant_id = $3 AND idempotency_key = $4",
    )
    .bind(i64::from(status))
    .bind(body)
    .bind(merchant_id)
    .bind(key)
    .execute(e)
    .await)
    .context("failed to store an idempotent response")?;
    Ok(())
}

pub async fn release(pool: &Pool, merchant_id: &str, key: &str) -> anyhow::Result<()> {
    rows!(pool, |e| sqlx::query(
        "DELETE FROM idempotency_keys WHERE merchant_id = $1 AND idempotency_key = $2 AND response_status IS NULL",
    )
    .bind(merchant_id)
    .bind(key)
    .execute(e)
    .await)
    .context("failed to release an idempotency key")?;
    Ok(())
}

/// A finished request's record, written at once (no claim came first).
pub struct Completed<'a> {
    pub merchant_id: &'a str,
    pub key: &'a str,
    pub request_hash: &'a str,
    pub status: u16,
    pub body: &'a str,
}

/// Inserts a completed record; a key some request already holds is a unique violation.
pub async fn insert_completed(
    tx: &mut Tx<'_>,
    record: &Completed<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    rows!(&mut *tx, |e| sqlx::query(
        "INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, response_status,
            response_body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(record.merchant_id)
    .bind(record.key)
    .bind(record.request_hash)
    .bind(i64::from(record.status))
    .bind(record.body)
    .bind(now)
    .execute(e)
    .await)?;
    Ok(())
}
