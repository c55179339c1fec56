//! Payout batches (a batch's own row: its lines' count and total, the lines refused before any
//! payout was made) and each merchant's approval threshold. A batch's payouts are rows of
//! `payouts` (`db::payouts::of_batch`).

use super::{Exec, Tx};
use crate::domain::{Dialect, Mode, PayoutBatchId};
use anyhow::Context;

/// A batch as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BatchRow {
    pub id: PayoutBatchId,
    pub merchant_id: String,
    pub mode: Mode,
    pub dialect: Dialect,
    pub lines: i64,
    pub total: i64,
    pub refusals: String,
    pub created_by: Option<String>,
    pub request_hash: Option<String>,
    pub created_at: i64,
}

const BATCH_COLUMNS: &str =
    "id, merchant_id, mode, dialect, lines, total, refusals, created_by, request_hash, created_at";

pub struct NewBatch<'a> {
    pub id: &'a str,
    pub merchant_id: &'a str,
    pub mode: Mode,
    pub dialect: Dialect,
    pub lines: i64,
    pub total: i64,
    pub refusals: &'a str,
    pub created_by: Option<&'a str>,
    pub idempotency: Option<(&'a str, &'a str)>,
    pub now: i64,
}

pub async fn insert_batch(tx: &mut Tx<'_>, b: &NewBatch<'_>) -> Result<(), sqlx::Error> {
    rows!(&mut *tx, |e| sqlx::query(
        "INSERT INTO payout_batches (id, merchant_id, mode, dialect, lines, total, refusals,
            created_by, idempotency_key, request_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(b.id)
    .bind(b.merchant_id)
    .bind(b.mode.as_str())
    .bind(b.dialect.as_str())
    .bind(b.lines)
    .bind(b.total)
    .bind(b.refusals)
    .bind(b.created_by)
    .bind(b.idempotency.map(|(key, _)| key))
    .bind(b.idempotency.map(|(_, hash)| hash))
    .bind(b.now)
    .execute(e)
    .await)?;
    Ok(())
}

pub async fn find_batch(db: impl Into<Exec<'_>>, id: &str) -> anyhow::Result<Option<BatchRow>> {
    let sql = format!("SELECT {BATCH_COLUMNS} FROM payout_batches WHERE id = $1");
    on!(db, |e| sqlx::query_as(&sql).bind(id).fetch_optional(e).await)
        .context("failed to read a payout batch")
}

pub async fn find_batch_by_key(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
    key: &str,
) -> anyhow::Result<Option<BatchRow>> {
    let sql = format!(
        "SELECT {BATCH_COLUMNS} FROM payout_batches WHERE merchant_id = $1 AND idempotency_key = $2"
    );
    on!(db, |e| sqlx::query_as(&sql)
        .bind(merchant_id)
        .bind(key)
        .fetch_optional(e)
        .await)
    .context("failed to read a payout batch by idempotency key")
}

/// A merchant's latest batches in one mode, newest first.
pub async fn recent_batches(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
    mode: Mode,
    limit: i64,
) -> anyhow::Result<Vec<BatchRow>> {
    let sql = format!(
        "SELECT {BATCH_COLUMNS} FROM payout_batches WHERE merchant_id = $1 AND mode = $2
         ORDER BY created_at DESC, id DESC LIMIT $3"
    );
    on!(db, |e| sqlx::query_as(&sql)
        .bind(merchant_id)
        .bind(mode.as_str())
        .bind(limit)
        .fetch_all(e)
        .await)
    .context("failed to list payout batches")
}

/// The merchant's approval threshold (`None`: payouts never wait for one).
pub async fn approval_threshold(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
) -> anyhow::Result<Option<i64>> {
    let row: Option<(Option<i64>,)> = on!(db, |e| sqlx::query_as(
        "SELECT payout_approval_threshold FROM merchants WHERE id = $1"
    )
    .bind(merchant_id)
    .fetch_optional(e)
    .await)
    .context("failed to read a merchant's approval threshold")?;
    Ok(row.and_then(|(t,)| t))
}

pub async fn set_approval_threshold(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
    threshold: Option<i64>,
) -> anyhow::Result<()> {
    rows!(db, |e| sqlx::query(
        "UPDATE merchants SET payout_approval_threshold = $2 WHERE id = $1"
    )
    .bind(merchant_id)
    .bind(threshold)
    .execute(e)
    .await)
    .context("failed to set a merchant's approval threshold")?;
    Ok(())
}

