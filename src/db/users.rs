//! Dashboard users (migration 8).

use super::Pool;
use anyhow::Context;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub merchant_id: String,
    pub merchant_name: String,
    pub email: String,
    pub password_hash: String,
    pub failed_sign_ins: i64,
    pub locked_until: i64,
}

const SELECT: &str = "SELECT u.id, u.merchant_id, m.name AS merchant_name, u.email, u.password_hash,
    u.failed_sign_ins, u.locked_until FROM users u JOIN merchants m ON m.id = u.merchant_id";

/// Inserts a user; the error is a unique violation when the address is taken.
pub async fn insert(
    pool: &Pool,
    id: &str,
    merchant_id: &str,
    email: &str,
    password_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    rows!(pool, |e| sqlx::query(
        "INSERT INTO users (id, merchant_id, email, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(email)
    .bind(password_hash)
    .bind(now)
    .execute(e)
    .await)?;
    Ok(())
}

pub async fn set_password(pool: &Pool, email: &str, password_hash: &str) -> anyhow::Result<bool> {
    let n = rows!(pool, |e| sqlx::query(
        "UPDATE users SET password_hash = $1, failed_sign_ins = 0, locked_until = 0 WHERE email = $2",
    )
    .bind(password_hash)
    .bind(email)
    .execute(e)
    .await)
    .context("failed to set a password")?;
    Ok(n == 1)
}

pub async fn find_by_email(pool: &Pool, email: &str) -> anyhow::Result<Option<UserRow>> {
    on!(pool, |e| sqlx::query_as(&format!("{SELECT} WHERE u.email = $1"))
        .bind(email)
        .fetch_optional(e)
        .await)
        .context("failed to read a user")
}

pub async fn find(pool: &Pool, id: &str) -> anyhow::Result<Option<UserRow>> {
    on!(pool, |e| sqlx::query_as(&format!("{SELECT} WHERE u.id = $1"))
        .bind(id)
        .fetch_optional(e)
        .await)
        .context("failed to read a user")
}

/// Counts a wrong password; returns how many came in a row.
pub async fn record_failure(pool: &Pool, id: &str) -> anyhow::Result<i64> {
    on!(pool, |e| sqlx::query_scalar(
        "UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = $1 RETURNING failed_sign_ins",
    )
    .bind(id)
    .fetch_one(e)
    .await)
    .context("failed to count a wrong password")
}

/// Refuses every sign-in to the account until `until` (Unix milliseconds).
pub async fn lock(pool: &Pool, id: &str, until: i64) -> anyhow::Result<()> {
    rows!(pool, |e| sqlx::query("UPDATE users SET locked_until = $1 WHERE id = $2 AND locked_until < $1")
        .bind(until)
        .bind(id)
        .execute(e)
        .await)
        .context("failed to lock an account")?;
    Ok(())
}

pub async fn record_success(pool: &Pool, id: &str, now: i64) -> anyhow::Result<()> {
    rows!(pool, |e| sqlx::query(
        "UPDATE users SET failed_sign_ins = 0, locked_until = 0, last_sign_in_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(id)
    .execute(e)
    .await)
    .context("failed to record a sign-in")?;
    Ok(())
}
