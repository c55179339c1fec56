use super::{Exec, Pool, Tx};
use crate::domain::{DeliveryStatus, EventType, Mode};
use anyhow::Context;

pub async fn insert_secret(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
    secret: &str,
    now: i64,
) -> anyhow::Result<()> {
    rows!(db, |e| sqlx::query(
        "INSERT INTO webhook_secrets (merchant_id, secret, created_at) VALUES ($1, $2, $3)",
    )
    .bind(merchant_id)
    .bind(secret)
    .bind(now)
    .execute(e)
    .await)
    .context("failed to store a webhook secret")?;
    Ok(())
}

/// Ends the current secrets' life at `expires_at` (a rotation's overlap).
pub async fn expire_secrets(pool: &Pool, merchant_id: &str, expires_at: i64) -> anyhow::Result<()> {
    rows!(pool, |e| sqlx::query(
        "UPDATE webhook_secrets SET expires_at = $1 WHERE merchant_id = $2 AND expires_at IS NULL",
    )
    .bind(expires_at)
    .bind(merchant_id)
    .execute(e)
    .await)
    .context("failed to expire webhook secrets")?;
    Ok(())
}

/// Secrets that still sign, newest first.
pub async fn active_secrets(
    pool: &Pool,
    merchant_id: &str,
    now: i64,
) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(String,)> = on!(pool, |e| sqlx::query_as(
        "SELECT secret FROM webhook_secrets WHERE merchant_id = $1 AND (expires_at IS NULL OR expires_at > $2)
         ORDER BY id DESC",
    )
    .bind(merchant_id)
    .bind(now)
    .fetch_all(e)
    .await)
    .context("failed to read webhook secrets")?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

pub async fn has_secret(pool: &Pool, merchant_id: &str) -> anyhow::Result<bool> {
    let row: Option<(i64,)> =
        on!(pool, |e| sqlx::query_as("SELECT id FROM webhook_secrets WHERE merchant_id = $1 LIMIT 1")
            .bind(merchant_id)
            .fetch_optional(e)
            .await)
            .context("failed to look up webhook secrets")?;
    Ok(row.is_some())
}

/// What an event is about.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// A payment, by its sequence number.
    Payment(i64),
    Payout(&'a str),
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_event(
    tx: &mut Tx<'_>,
    id: &str,
    subject: Subject<'_>,
    merchant_id: &str,
    kind: EventType,
    refund_id: Option<&str>,
    body: &str,
    now: i64,
) -> anyhow::Result<()> {
    rows!(&mut *tx, |e| sqlx::query(
        "INSERT INTO webhook_events (id, payment_id, merchant_id, type, body, created_at, refund_id,
            payout_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(match subject {
        Subject::Payment(id) => Some(id),
        Subject::Payout(_) => None,
    })
    .bind(merchant_id)
    .bind(kind.as_str())
    .bind(body)
    .bind(now)
    .bind(refund_id)
    .bind(match subject {
        Subject::Payment(_) => None,
        Subject::Payout(id) => Some(id),
    })
    .execute(e)
    .await)
    .context("failed to write a webhook event")?;
    Ok(())
}

pub async fn insert_delivery(
    db: impl Into<Exec<'_>>,
    event_id: &str,
    url: &str,
    status: DeliveryStatus,
    now: i64,
) -> anyhow::Result<()> {
    rows!(db, |e| sqlx::query(
        "INSERT INTO webhook_deliveries (event_id, url, status, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(event_id)
    .bind(url)
    .bind(status.as_str())
    .bind(now)
    .execute(e)
    .await)
    .context("failed to queue a webhook delivery")?;
    Ok(())
}

pub async fn endpoint_disabled(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
    url: &str,
) -> anyhow::Result<bool> {
    let row: Option<(String,)> =
        on!(db, |e| sqlx::query_as("SELECT url FROM disabled_endpoints WHERE merchant_id = $1 AND url = $2")
            .bind(merchant_id)
            .bind(url)
            .fetch_optional(e)
            .await)
            .context("failed to read disabled endpoints")?;
    Ok(row.is_some())
}

pub async fn disable_endpoint(
    pool: &Pool,
    merchant_id: &str,
    url: &str,
    now: i64,
) -> anyhow::Result<()> {
    rows!(pool, |e| sqlx::query("INSERT INTO disabled_endpoints (merchant_id, url, disabled_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .bind(merchant_id)
        .bind(url)
        .bind(now)
        .execute(e)
        .await)
        .context("failed to disable an endpoint")?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub event_id: String,
    pub url: String,
    pub attempts: i64,
    pub merchant_id: String,
    pub body: String,
    /// The payment's mode: live webhooks never go to private addresses.
    pub mode: Mode,
    /// Until when this worker holds the delivery: its attempt is recorded only while it does.
    pub lease_until: i64,
}

/// Leases up to `limit` due deliveries until `lease_until`. A delivery whose lease ran out (its
/// worker died) is due again. Instances sharing a database never lease one delivery at once
/// (`Backend::skip_locked`).
pub async fn claim_due(
    pool: &Pool,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> anyhow::Result<Vec<ClaimedDelivery>> {
    let sql = format!(
        "UPDATE webhook_deliveries SET lease_until = $1
         WHERE id IN (SELECT id FROM webhook_deliveries
                      WHERE status = $4 AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
                      ORDER BY next_attempt_at LIMIT $3{})
         RETURNING id",
        pool.backend().skip_locked()
    );
    let ids: Vec<(i64,)> = on!(pool, |e| sqlx::query_as(&sql)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .bind(DeliveryStatus::Pending.as_str())
        .fetch_all(e)
        .await)
    .context("failed to claim webhook deliveries")?;
    let mut claimed = Vec::with_capacity(ids.len());
    for (id,) in ids {
        let row: ClaimedDelivery = on!(pool, |e| sqlx::query_as(
            "SELECT d.id, d.event_id, d.url, d.attempts, e.merchant_id, e.body,
                 COALESCE(p.mode, po.mode) AS mode, d.lease_until
             FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
             LEFT JOIN payments p ON p.id = e.payment_id
             LEFT JOIN payouts po ON po.id = e.payout_id WHERE d.id = $1",
        )
        .bind(id)
        .fetch_one(e)
        .await)
        .context("failed to read a claimed delivery")?;
        claimed.push(row);
    }
    Ok(claimed)
}

/// Records one attempt and where the delivery goes next, releasing its lease. Returns false, and
/// records nothing, when the lease was lost meanwhile (it ran out and another worker took the
/// delivery: that worker's attempt is the one that counts).
#[allow(clippy::too_many_arguments)]
pub async fn record_attempt(
    pool: &Pool,
    delivery: &ClaimedDelivery,
    at: i64,
    http_status: Option<u16>,
    latency_ms: i64,
    error: Option<&str>,
    status: DeliveryStatus,
    next_attempt_at: Option<i64>,
) -> anyhow::Result<bool> {
    let mut tx = pool
        .begin()
        .await
        .context("failed to begin a transaction")?;
    let delivery_id = delivery.id;
    let updated = rows!(&mut tx, |e| sqlx::query(
        "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, lease_until = NULL
         WHERE id = $3 AND lease_until = $4",
    )
    .bind(status.as_str())
    .bind(next_attempt_at)
    .bind(delivery_id)
    .bind(delivery.lease_until)
    .execute(e)
    .await)
    .context("failed to update a delivery")?;
    if updated == 0 {
        return Ok(false);
    }
    rows!(&mut tx, |e| sqlx::query(
        "INSERT INTO webhook_attempts (delivery_id, at, http_status, latency_ms, error, next_retry_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(delivery_id)
    .bind(at)
    .bind(http_status.map(i64::from))
    .bind(latency_ms)
    .bind(error)
    .bind(next_attempt_at)
    .execute(e)
    .await)
    .context("failed to record a webhook attempt")?;
    tx.commit()
        .await
        .context("failed to commit a webhook attempt")?;
    Ok(true)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub event_id: String,
    pub event_type: EventType,
    pub url: String,
    pub status: DeliveryStatus,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub delivery_id: i64,
    pub at: i64,
    pub http_status: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub next_retry_at: Option<i64>,
}

pub async fn deliveries_for_payment(
    pool: &Pool,
    payment_id: i64,
) -> anyhow::Result<(Vec<DeliveryRow>, Vec<AttemptRow>)> {
    let deliveries: Vec<DeliveryRow> = on!(pool, |e| sqlx::query_as(
        "SELECT d.id, d.event_id, e.type AS event_type, d.url, d.status, d.created_at
         FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
         WHERE e.payment_id = $1 ORDER BY d.id",
    )
    .bind(payment_id)
    .fetch_all(e)
    .await)
    .context("failed to list deliveries")?;
    let attempts: Vec<AttemptRow> = on!(pool, |e| sqlx::query_as(
        "SELECT a.delivery_id, a.at, a.http_status, a.latency_ms, a.error, a.next_retry_at
         FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
         JOIN webhook_events e ON e.id = d.event_id WHERE e.payment_id = $1 ORDER BY a.id",
    )
    .bind(payment_id)
    .fetch_all(e)
    .await)
    .context("failed to list webhook attempts")?;
    Ok((deliveries, attempts))
}

/// The payment's latest event and the endpoint it went to, for a redelivery.
pub async fn latest_event(
    pool: &Pool,
    payment_id: i64,
) -> anyhow::Result<Option<(String, String)>> {
    on!(pool, |e| sqlx::query_as(
        "SELECT e.id, d.url FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id
         WHERE e.payment_id = $1 ORDER BY e.created_at DESC, d.id DESC LIMIT 1",
    )
    .bind(payment_id)
    .fetch_optional(e)
    .await)
    .context("failed to read the latest event")
}

/// A signing secret as the dashboard lists it: its last characters only.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SecretSummary {
    pub ending: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

/// The merchant's secrets that still sign, newest first.
pub async fn list_secrets(
    pool: &Pool,
    merchant_id: &str,
    now: i64,
) -> anyhow::Result<Vec<SecretSummary>> {
    on!(pool, |e| sqlx::query_as(
        "SELECT substr(secret, length(secret) - 3) AS ending, created_at, expires_at FROM webhook_secrets
         WHERE merchant_id = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY id DESC",
    )
    .bind(merchant_id)
    .bind(now)
    .fetch_all(e)
    .await)
    .context("failed to list webhook secrets")
}

/// A delivery try that did not get a 2xx, with the payment it was about.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailedTry {
    pub payment_id: i64,
    pub event_type: EventType,
    pub url: String,
    pub delivery_status: DeliveryStatus,
    pub at: i64,
    pub http_status: Option<i64>,
    pub error: Option<String>,
    pub next_retry_at: Option<i64>,
}

/// The merchant's latest failed delivery tries in one mode, newest first.
pub async fn recent_failures(
    pool: &Pool,
    merchant_id: &str,
    mode: crate::domain::Mode,
    limit: i64,
) -> anyhow::Result<Vec<FailedTry>> {
    on!(pool, |e| sqlx::query_as(
        "SELECT e.payment_id, e.type AS event_type, d.url, d.status AS delivery_status, a.at,
                a.http_status, a.error, a.next_retry_at
         FROM webhook_attempts a
         JOIN webhook_deliveries d ON d.id = a.delivery_id
         JOIN webhook_events e ON e.id = d.event_id
         JOIN payments p ON p.id = e.payment_id
         WHERE e.merchant_id = $1 AND p.mode = $2
           AND (a.http_status IS NULL OR a.http_status < 200 OR a.http_status > 299)
         ORDER BY a.id DESC LIMIT $3",
    )
    .bind(merchant_id)
    .bind(mode.as_str())
    .bind(limit)
    .fetch_all(e)
    .await)
    .context("failed to list failed webhook tries")
}
