use super::{Exec, Pool};
use crate::domain::Mode;
use anyhow::Context;

pub struct ApiKeyRow {
    pub merchant_id: String,
    pub merchant_name: String,
    pub mode: Mode,
    pub secret_hash: String,
    /// When a rolled key stops working (its grace period's end); `None` while it is current.
    pub revoked_at: Option<i64>,
}

/// A key as the dashboard lists it (never its secret).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeySummary {
    pub public_key: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// Inserts a merchant; false when one with this id exists already (nothing is changed then).
pub async fn insert_merchant(
    db: impl Into<Exec<'_>>,
    id: &str,
    name: &str,
    now: i64,
) -> anyhow::Result<bool> {
    let inserted = rows!(db, |e| sqlx::query(
        "INSERT INTO merchants (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING"
    )
        .bind(id)
        .bind(name)
        .bind(now)
        .execute(e)
        .await)
        .context("failed to insert a merchant")?;
    Ok(inserted == 1)
}

pub async fn insert_api_key(
    db: impl Into<Exec<'_>>,
    public_key: &str,
    merchant_id: &str,
    mode: Mode,
    secret_hash: &str,
    now: i64,
) -> anyhow::Result<()> {
    rows!(db, |e| sqlx::query(
        "INSERT INTO api_keys (public_key, merchant_id, mode, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(public_key)
    .bind(merchant_id)
    .bind(mode.as_str())
    .bind(secret_hash)
    .bind(now)
    .execute(e)
    .await)
    .context("failed to insert an API key")?;
    Ok(())
}

pub async fn merchant_exists(pool: &Pool, id: &str) -> anyhow::Result<bool> {
    let found: Option<(String,)> = on!(pool, |e| sqlx::query_as("SELECT id FROM merchants WHERE id = $1")
        .bind(id)
        .fetch_optional(e)
        .await)
        .context("failed to look up a merchant")?;
    Ok(found.is_some())
}

pub async fn merchant_name(pool: &Pool, id: &str) -> anyhow::Result<Option<String>> {
    let found: Option<(String,)> = on!(pool, |e| sqlx::query_as("SELECT name FROM merchants WHERE id = $1")
        .bind(id)
        .fetch_optional(e)
        .await)
        .context("failed to read a merchant's name")?;
    Ok(found.map(|(n,)| n))
}

pub async fn count_merchants(pool: &Pool) -> anyhow::Result<i64> {
    let (n,): (i64,) = on!(pool, |e| sqlx::query_as("SELECT COUNT(*) FROM merchants")
        .fetch_one(e)
        .await)
        .context("failed to count merchants")?;
    Ok(n)
}

/// The key with this public key that still works at `now` (CaurisFlux dialect:
/// `X-API-Key: pk_…:sk_…`).
pub async fn find_active_key(
    pool: &Pool,
    public_key: &str,
    now: i64,
) -> anyhow::Result<Option<ApiKeyRow>> {
    find_active_key_where(pool, "public_key", public_key, now).await
}

/// The key whose secret hashes to `secret_hash` and still works at `now` (SahelPay dialect: only
/// the secret is sent).
pub async fn find_active_key_by_secret(
    pool: &Pool,
    secret_hash: &str,
    now: i64,
) -> anyhow::Result<Option<ApiKeyRow>> {
    find_active_key_where(pool, "secret_hash", secret_hash, now).await
}

/// `column` is one of the two constants above, never input.
async fn find_active_key_where(
    pool: &Pool,
    column: &'static str,
    value: &str,
    now: i64,
) -> anyhow::Result<Option<ApiKeyRow>> {
    let sql = format!(
        "SELECT k.merchant_id, m.name, k.mode, k.secret_hash, k.revoked_at
         FROM api_keys k JOIN merchants m ON m.id = k.merchant_id
         WHERE k.{column} = $1 AND (k.revoked_at IS NULL OR k.revoked_at > $2)"
    );
    let row: Option<(String, String, Mode, String, Option<i64>)> = on!(pool, |e| sqlx::query_as(&sql)
        .bind(value)
        .bind(now)
        .fetch_optional(e)
        .await)
        .with_context(|| format!("failed to look up an API key by {column}"))?;
    Ok(row.map(
        |(merchant_id, merchant_name, mode, secret_hash, revoked_at)| ApiKeyRow {
            merchant_id,
            merchant_name,
            mode,
            secret_hash,
            revoked_at,
        },
    ))
}

/// The merchant's keys in one mode, newest first: current ones, rolled ones in their grace
/// period, and those that stopped working in the last 30 days.
pub async fn list_keys(
    pool: &Pool,
    merchant_id: &str,
    mode: Mode,
    now: i64,
) -> anyhow::Result<Vec<KeySummary>> {
    const SHOWN_AFTER_REVOCATION_MS: i64 = 30 * 86_400_000;
    on!(pool, |e| sqlx::query_as(
        "SELECT public_key, created_at, revoked_at FROM api_keys
         WHERE merchant_id = $1 AND mode = $2 AND (revoked_at IS NULL OR revoked_at > $3)
         ORDER BY created_at DESC, public_key",
    )
    .bind(merchant_id)
    .bind(mode.as_str())
    .bind(now - SHOWN_AFTER_REVOCATION_MS)
    .fetch_all(e)
    .await)
    .context("failed to list API keys")
}

/// Ends a key's life at `at` (or keeps an earlier end it already has) and returns its mode;
/// `None` when the merchant has no such key that still works at `now`.
pub async fn revoke_key_at(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
    public_key: &str,
    at: i64,
    now: i64,
) -> anyhow::Result<Option<Mode>> {
    let row: Option<(Mode,)> = on!(db, |e| sqlx::query_as(
        "UPDATE api_keys SET revoked_at = CASE WHEN revoked_at IS NULL OR revoked_at > $1 THEN $1 ELSE revoked_at END
         WHERE merchant_id = $2 AND public_key = $3 AND (revoked_at IS NULL OR revoked_at > $4)
         RETURNING mode",
    )
    .bind(at)
    .bind(merchant_id)
    .bind(public_key)
    .bind(now)
    .fetch_optional(e)
    .await)
    .context("failed to revoke an API key")?;
    Ok(row.map(|(mode,)| mode))
}

/// The merchant's default webhook endpoint: where events of payments without a callback URL go.
pub async fn webhook_url(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
) -> anyhow::Result<Option<String>> {
    let found: Option<(Option<String>,)> =
        on!(db, |e| sqlx::query_as("SELECT webhook_url FROM merchants WHERE id = $1")
            .bind(merchant_id)
            .fetch_optional(e)
            .await)
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
    let n = rows!(pool, |e| sqlx::query("UPDATE merchants SET webhook_url = $1 WHERE id = $2")
        .bind(url)
        .bind(merchant_id)
        .execute(e)
        .await)
        .context("failed to set a merchant's webhook endpoint")?;
    Ok(n == 1)
}
