use super::Pool;
use crate::domain::Mode;
use anyhow::Context;

pub struct ApiKeyRow {
    pub merchant_id: String,
    pub merchant_name: String,
    pub mode: String,
    pub secret_hash: String,
}

pub async fn insert_merchant(pool: &Pool, id: &str, name: &str, now: i64) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO merchants (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(name)
        .bind(now)
        .execute(pool)
        .await
        .context("failed to insert a merchant")?;
    Ok(())
}

pub async fn insert_api_key(
    pool: &Pool,
    public_key: &str,
    merchant_id: &str,
    mode: Mode,
    secret_hash: &str,
    now: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO api_keys (public_key, merchant_id, mode, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(public_key)
    .bind(merchant_id)
    .bind(mode.as_str())
    .bind(secret_hash)
    .bind(now)
    .execute(pool)
    .await
    .context("failed to insert an API key")?;
    Ok(())
}

pub async fn merchant_exists(pool: &Pool, id: &str) -> anyhow::Result<bool> {
    let found: Option<(String,)> = sqlx::query_as("SELECT id FROM merchants WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .context("failed to look up a merchant")?;
    Ok(found.is_some())
}

pub async fn merchant_name(pool: &Pool, id: &str) -> anyhow::Result<Option<String>> {
    let found: Option<(String,)> = sqlx::query_as("SELECT name FROM merchants WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .context("failed to read a merchant's name")?;
    Ok(found.map(|(n,)| n))
}

pub async fn count_merchants(pool: &Pool) -> anyhow::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM merchants")
        .fetch_one(pool)
        .await
        .context("failed to count merchants")?;
    Ok(n)
}

/// The active key with this public key (CaurisFlux dialect: `X-API-Key: pk_…:sk_…`).
pub async fn find_active_key(pool: &Pool, public_key: &str) -> anyhow::Result<Option<ApiKeyRow>> {
    find_active_key_where(pool, "public_key", public_key).await
}

/// The active key whose secret hashes to `secret_hash` (SahelPay dialect: only the secret is sent).
pub async fn find_active_key_by_secret(
    pool: &Pool,
    secret_hash: &str,
) -> anyhow::Result<Option<ApiKeyRow>> {
    find_active_key_where(pool, "secret_hash", secret_hash).await
}

/// `column` is one of the two constants above, never input.
async fn find_active_key_where(
    pool: &Pool,
    column: &'static str,
    value: &str,
) -> anyhow::Result<Option<ApiKeyRow>> {
    let sql = format!(
        "SELECT k.merchant_id, m.name, k.mode, k.secret_hash
         FROM api_keys k JOIN merchants m ON m.id = k.merchant_id
         WHERE k.{column} = $1 AND k.revoked_at IS NULL"
    );
    let row: Option<(String, String, String, String)> = sqlx::query_as(&sql)
        .bind(value)
        .fetch_optional(pool)
        .await
        .with_context(|| format!("failed to look up an API key by {column}"))?;
    Ok(row.map(
        |(merchant_id, merchant_name, mode, secret_hash)| ApiKeyRow {
            merchant_id,
            merchant_name,
            mode,
            secret_hash,
        },
    ))
}

/// The merchant's default webhook endpoint: where events of payments without a callback URL go.
pub async fn webhook_url<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    merchant_id: &str,
) -> anyhow::Result<Option<String>> {
    let found: Option<(Option<String>,)> =
        sqlx::query_as("SELECT webhook_url FROM merchants WHERE id = $1")
            .bind(merchant_id)
            .fetch_optional(executor)
            .await
            .context("failed to read a merchant's webhook endpoint")?;
    Ok(found.and_then(|(url,)| url))
}

/// Sets (or, with `None`, removes) the merchant's default webhook endpoint; false when there is
/// no such merchant.
pub async fn set_webhook_url(
    pool: &Pool,
    merchant_id: &str,
    url: Option<&str>,
) -> anyhow::Result<bool> {
    let n = sqlx::query("UPDATE merchants SET webhook_url = $1 WHERE id = $2")
        .bind(url)
        .bind(merchant_id)
        .execute(pool)
        .await
        .context("failed to set a merchant's webhook endpoint")?
        .rows_affected();
    Ok(n == 1)
}
