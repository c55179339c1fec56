use super::{Exec, Tx};
use crate::domain::{FailureCode, RefundId, RefundStatus};
use anyhow::Context;

/// A refund as stored. `payments::Refund` is its typed form.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefundRow {
    pub id: RefundId,
    pub payment_id: i64,
    pub merchant_id: String,
    pub amount: i64,
    pub reason: Option<String>,
    pub status: RefundStatus,
    pub provider_reference: Option<String>,
    pub failure_code: Option<FailureCode>,
    pub request_hash: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, payment_id, merchant_id, amount, reason, status, provider_reference, \
    failure_code, request_hash, created_at, updated_at";

pub struct NewRefund<'a> {
    pub id: &'a str,
    pub payment_id: i64,
    pub merchant_id: &'a str,
    pub amount: i64,
    pub reason: Option<&'a str>,
    /// The merchant's idempotency key and the fingerprint of its request.
    pub idempotency: Option<(&'a str, &'a str)>,
    pub now: i64,
}

/// Inserts a pending refund. The caller holds the payment's lock and has checked the amount.
pub async fn insert(tx: &mut Tx<'_>, r: &NewRefund<'_>) -> Result<(), sqlx::Error> {
    rows!(&mut *tx, |e| sqlx::query(
        "INSERT INTO refunds (id, payment_id, merchant_id, amount, reason, status, idempotency_key,
            request_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(r.id)
    .bind(r.payment_id)
    .bind(r.merchant_id)
    .bind(r.amount)
    .bind(r.reason)
    .bind(RefundStatus::Pending.as_str())
    .bind(r.idempotency.map(|(key, _)| key))
    .bind(r.idempotency.map(|(_, hash)| hash))
    .bind(r.now)
    .execute(e)
    .await)?;
    Ok(())
}

/// Whether a payment has a refund the provider has not finished.
pub async fn has_pending(tx: &mut Tx<'_>, payment_id: i64) -> anyhow::Result<bool> {
    let (n,): (i64,) = on!(&mut *tx, |e| sqlx::query_as(
        "SELECT COUNT(*) FROM refunds WHERE payment_id = $1 AND status = $2",
    )
    .bind(payment_id)
    .bind(RefundStatus::Pending.as_str())
    .fetch_one(e)
    .await)
    .context("failed to look for a pending refund")?;
    Ok(n > 0)
}

/// The refunds no provider has finished (oldest first), created before `before`: the
/// reconciliation sweep asks about them.
pub async fn pending(
    db: impl Into<Exec<'_>>,
    before: i64,
    limit: i64,
) -> anyhow::Result<Vec<RefundRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM refunds WHERE status = $1 AND created_at < $2
         ORDER BY created_at LIMIT $3"
    );
    on!(db, |e| sqlx::query_as(&sql)
        .bind(RefundStatus::Pending.as_str())
        .bind(before)
        .bind(limit)
        .fetch_all(e)
        .await)
        .context("failed to list pending refunds")
}

/// What a payment's pending and succeeded refunds add up to.
pub async fn held_amount(tx: &mut Tx<'_>, payment_id: i64) -> anyhow::Result<i64> {
    let (sum,): (Option<i64>,) = on!(&mut *tx, |e| sqlx::query_as(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM refunds WHERE payment_id = $1 AND status IN ($2, $3)",
    )
    .bind(payment_id)
    .bind(RefundStatus::Pending.as_str())
    .bind(RefundStatus::Succeeded.as_str())
    .fetch_one(e)
    .await)
    .context("failed to add up a payment's refunds")?;
    Ok(sum.unwrap_or(0))
}

pub async fn find(
    db: impl Into<Exec<'_>>,
    id: &str,
) -> anyhow::Result<Option<RefundRow>> {
    let sql = format!("SELECT {COLUMNS} FROM refunds WHERE id = $1");
    on!(db, |e| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(e)
        .await)
        .context("failed to read a refund")
}

/// The refund a provider knows by this reference (pawaPay's `refundId`).
pub async fn find_by_provider_reference(
    db: impl Into<Exec<'_>>,
    reference: &str,
) -> anyhow::Result<Option<RefundRow>> {
    let sql = format!("SELECT {COLUMNS} FROM refunds WHERE provider_reference = $1");
    on!(db, |e| sqlx::query_as(&sql)
        .bind(reference)
        .fetch_optional(e)
        .await)
        .context("failed to read a refund by its provider reference")
}

/// The refund a merchant created with an idempotency key.
pub async fn find_by_key(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
    key: &str,
) -> anyhow::Result<Option<RefundRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM refunds WHERE merchant_id = $1 AND idempotency_key = $2");
    on!(db, |e| sqlx::query_as(&sql)
        .bind(merchant_id)
        .bind(key)
        .fetch_optional(e)
        .await)
        .context("failed to read a refund by idempotency key")
}

/// The refunds of some payments, oldest first.
pub async fn for_payments(
    db: impl Into<Exec<'_>>,
    payment_ids: &[i64],
) -> anyhow::Result<Vec<RefundRow>> {
    if payment_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=payment_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM refunds WHERE payment_id IN ({}) ORDER BY created_at, id",
        placeholders.join(", ")
    );
    on!(db, |e| {
        let mut query = sqlx::query_as(&sql);
        for id in payment_ids {
            query = query.bind(id);
        }
        query.fetch_all(e).await
    })
        .context("failed to list refunds")
}

/// Ends a pending refund; false when it had already ended.
pub async fn finish(
    tx: &mut Tx<'_>,
    id: &str,
    status: RefundStatus,
    provider_reference: Option<&str>,
    failure: Option<FailureCode>,
    now: i64,
) -> anyhow::Result<bool> {
    let n = rows!(&mut *tx, |e| sqlx::query(
        "UPDATE refunds SET status = $1, provider_reference = COALESCE($2, provider_reference),
            failure_code = $3, updated_at = $4
         WHERE id = $5 AND status = $6",
    )
    .bind(status.as_str())
    .bind(provider_reference)
    .bind(failure.map(FailureCode::as_str))
    .bind(now)
    .bind(id)
    .bind(RefundStatus::Pending.as_str())
    .execute(e)
    .await)
    .context("failed to end a refund")?;
    Ok(n == 1)
}
