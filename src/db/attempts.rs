use super::{Exec, Pool, Tx};
use crate::domain::{AttemptId, AttemptStatus, CardBrand, FailureCode, ProviderCode};
use anyhow::Context;

/// `status IN (…)` for open attempts (`AttemptStatus::OPEN`), spelled once; the partial unique
/// index of the first migration lists the same two words. A test checks it against the enum.
const OPEN: &str = "status IN ('created', 'awaiting_customer')";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub id: AttemptId,
    pub payment_id: i64,
    pub provider: ProviderCode,
    pub status: AttemptStatus,
    pub provider_reference: Option<String>,
    pub provider_status: Option<String>,
    pub customer_phone: Option<String>,
    pub launch_url: Option<String>,
    pub deep_links: Option<String>,
    pub failure_code: Option<FailureCode>,
    pub failure_message: Option<String>,
    pub next_check_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub gateway: Option<String>,
    pub routing_reason: Option<String>,
    pub card_brand: Option<CardBrand>,
    pub card_last4: Option<String>,
}

const COLUMNS: &str = "id, payment_id, provider, status, provider_reference, provider_status, customer_phone, \
    launch_url, deep_links, failure_code, failure_message, next_check_at, created_at, updated_at, gateway, routing_reason, card_brand, card_last4";

/// Who pays an attempt: a phone number, or a card's brand and last four digits.
#[derive(Debug, Clone, Copy, Default)]
pub struct Payer<'a> {
    pub phone: Option<&'a str>,
    pub card: Option<(&'a str, &'a str)>,
}

/// Inserts an attempt in `created`. The partial unique index allows one open attempt per payment,
/// so two racing method choices cannot both reach a provider.
pub async fn insert_open(
    tx: &mut Tx<'_>,
    id: &str,
    payment_id: i64,
    provider: ProviderCode,
    payer: Payer<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    rows!(&mut *tx, |e| sqlx::query(
        "INSERT INTO payment_attempts (id, payment_id, provider, status, customer_phone, created_at, updated_at,
            card_brand, card_last4)
         VALUES ($1, $2, $3, $8, $4, $5, $5, $6, $7)",
    )
    .bind(id)
    .bind(payment_id)
    .bind(provider.code())
    .bind(payer.phone)
    .bind(now)
    .bind(payer.card.map(|c| c.0))
    .bind(payer.card.map(|c| c.1))
    .bind(AttemptStatus::Created.as_str())
    .execute(e)
    .await)?;
    Ok(())
}

/// A new attempt: which payment, which provider, who pays.
pub struct NewAttempt<'a> {
    pub id: &'a str,
    pub payment_id: i64,
    pub provider: ProviderCode,
    pub payer: Payer<'a>,
}

/// What the provider answered when an attempt started, and the gateway that served it.
pub struct Session<'a> {
    pub status: AttemptStatus,
    pub provider_reference: &'a str,
    pub provider_status: &'a str,
    pub launch_url: Option<&'a str>,
    pub deep_links: Option<&'a str>,
    pub gateway: &'a str,
    pub routing_reason: &'a str,
}

/// Inserts an attempt whose provider session is already open (a direct payment's first attempt,
/// started before the payment was stored), in one statement that returns it.
pub async fn insert_started(
    tx: &mut Tx<'_>,
    attempt: NewAttempt<'_>,
    session: Session<'_>,
    next_check_at: i64,
    now: i64,
) -> anyhow::Result<AttemptRow> {
    let NewAttempt {
        id,
        payment_id,
        provider,
        payer,
    } = attempt;
    let sql = format!(
        "INSERT INTO payment_attempts (id, payment_id, provider, status, customer_phone, created_at, updated_at,
            card_brand, card_last4, provider_reference, provider_status, launch_url, deep_links, next_check_at,
            gateway, routing_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         RETURNING {COLUMNS}"
    );
    on!(&mut *tx, |e| sqlx::query_as(&sql)
        .bind(id)
        .bind(payment_id)
        .bind(provider.code())
        .bind(session.status.as_str())
        .bind(payer.phone)
        .bind(now)
        .bind(payer.card.map(|c| c.0))
        .bind(payer.card.map(|c| c.1))
        .bind(session.provider_reference)
        .bind(session.provider_status)
        .bind(session.launch_url)
        .bind(session.deep_links)
        .bind(next_check_at)
        .bind(session.gateway)
        .bind(session.routing_reason)
        .fetch_one(e)
        .await)
        .context("failed to insert a started attempt")
}

/// Records what the provider answered when the attempt was started.
pub async fn record_session(
    tx: &mut Tx<'_>,
    id: &str,
    session: Session<'_>,
    next_check_at: i64,
    now: i64,
) -> anyhow::Result<()> {
    rows!(&mut *tx, |e| sqlx::query(
        "UPDATE payment_attempts SET status = $1, provider_reference = $2, provider_status = $3, launch_url = $4,
            deep_links = $5, next_check_at = $6, updated_at = $7, gateway = $9, routing_reason = $10
         WHERE id = $8",
    )
    .bind(session.status.as_str())
    .bind(session.provider_reference)
    .bind(session.provider_status)
    .bind(session.launch_url)
    .bind(session.deep_links)
    .bind(next_check_at)
    .bind(now)
    .bind(id)
    .bind(session.gateway)
    .bind(session.routing_reason)
    .execute(e)
    .await)
    .context("failed to record a provider session")?;
    Ok(())
}

/// How an open attempt ends: its new status, the provider's last word, and for a failure its
/// code and the French sentence the customer was shown.
pub struct Closing<'a> {
    pub status: AttemptStatus,
    pub provider_status: Option<&'a str>,
    pub failure: Option<(FailureCode, &'a str)>,
}

/// Closes an open attempt; false when it was no longer open (someone applied it first).
pub async fn close(
    db: impl Into<Exec<'_>>,
    id: &str,
    closing: Closing<'_>,
    now: i64,
) -> anyhow::Result<bool> {
    let sql = format!(
        "UPDATE payment_attempts SET status = $1, provider_status = COALESCE($2, provider_status),
            failure_code = $3, failure_message = $4, next_check_at = NULL, updated_at = $5
         WHERE id = $6 AND {}",
        OPEN
    );
    let n = rows!(db, |e| sqlx::query(&sql)
        .bind(closing.status.as_str())
        .bind(closing.provider_status)
        .bind(closing.failure.map(|(code, _)| code.as_str()))
        .bind(closing.failure.map(|(_, message)| message))
        .bind(now)
        .bind(id)
        .execute(e)
        .await)
        .context("failed to close an attempt")?;
    Ok(n == 1)
}

/// Closes an open attempt the customer or the payment left behind (another method chosen, the
/// payment ended while the provider was being called).
pub async fn abandon(
    db: impl Into<Exec<'_>>,
    id: &str,
    now: i64,
) -> anyhow::Result<bool> {
    let closing = Closing {
        status: AttemptStatus::Abandoned,
        provider_status: None,
        failure: None,
    };
    close(db, id, closing, now).await
}

/// Abandons whatever attempt of a payment is still open (the payment just ended).
pub async fn abandon_open(tx: &mut Tx<'_>, payment_id: i64, now: i64) -> anyhow::Result<()> {
    let sql = format!(
        "UPDATE payment_attempts SET status = $1, next_check_at = NULL, updated_at = $2
         WHERE payment_id = $3 AND {}",
        OPEN
    );
    rows!(&mut *tx, |e| sqlx::query(&sql)
        .bind(AttemptStatus::Abandoned.as_str())
        .bind(now)
        .bind(payment_id)
        .execute(e)
        .await)
        .context("failed to abandon open attempts")?;
    Ok(())
}

/// Notes that the customer was asked (the provider reported activity) and when to look again.
pub async fn mark_awaiting(
    tx: &mut Tx<'_>,
    id: &str,
    provider_status: &str,
    next_check_at: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let sql = format!(
        "UPDATE payment_attempts SET status = $5, provider_status = $1, next_check_at = $2, updated_at = $3
         WHERE id = $4 AND {}",
        OPEN
    );
    let n = rows!(&mut *tx, |e| sqlx::query(&sql)
        .bind(provider_status)
        .bind(next_check_at)
        .bind(now)
        .bind(id)
        .bind(AttemptStatus::AwaitingCustomer.as_str())
        .execute(e)
        .await)
        .context("failed to update an attempt")?;
    Ok(n == 1)
}

/// Open attempts still showing `raw_status` (the core's word for a start whose answer was lost),
/// by provider.
pub async fn open_with_status_by_provider(
    pool: &Pool,
    raw_status: &str,
) -> anyhow::Result<Vec<(String, i64)>> {
    on!(pool, |e| sqlx::query_as(
        "SELECT provider, COUNT(*) FROM payment_attempts
         WHERE provider_status = $1 AND status IN ('created', 'awaiting_customer')
         GROUP BY provider ORDER BY provider",
    )
    .bind(raw_status)
    .fetch_all(e)
    .await)
    .context("failed to count unsettled attempts")
}

pub async fn schedule_check(pool: &Pool, id: &str, next_check_at: i64) -> anyhow::Result<()> {
    let sql = format!(
        "UPDATE payment_attempts SET next_check_at = $1 WHERE id = $2 AND {}",
        OPEN
    );
    rows!(pool, |e| sqlx::query(&sql)
        .bind(next_check_at)
        .bind(id)
        .execute(e)
        .await)
        .context("failed to schedule an attempt check")?;
    Ok(())
}

pub async fn find(
    db: impl Into<Exec<'_>>,
    id: &str,
) -> anyhow::Result<Option<AttemptRow>> {
    let sql = format!("SELECT {COLUMNS} FROM payment_attempts WHERE id = $1");
    on!(db, |e| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(e)
        .await)
        .context("failed to read an attempt")
}

pub async fn find_by_reference(
    pool: &Pool,
    provider: ProviderCode,
    reference: &str,
) -> anyhow::Result<Option<AttemptRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE provider = $1 AND provider_reference = $2"
    );
    on!(pool, |e| sqlx::query_as(&sql)
        .bind(provider.code())
        .bind(reference)
        .fetch_optional(e)
        .await)
        .context("failed to read an attempt by provider reference")
}

/// The payment's most recent attempt.
pub async fn latest(
    db: impl Into<Exec<'_>>,
    payment_id: i64,
) -> anyhow::Result<Option<AttemptRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE payment_id = $1 ORDER BY seq DESC LIMIT 1"
    );
    on!(db, |e| sqlx::query_as(&sql)
        .bind(payment_id)
        .fetch_optional(e)
        .await)
        .context("failed to read the latest attempt")
}

pub async fn open_for_payment(
    db: impl Into<Exec<'_>>,
    payment_id: i64,
) -> anyhow::Result<Option<AttemptRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE payment_id = $1 AND {}",
        OPEN
    );
    on!(db, |e| sqlx::query_as(&sql)
        .bind(payment_id)
        .fetch_optional(e)
        .await)
        .context("failed to read the open attempt")
}

pub async fn all_for_payment(pool: &Pool, payment_id: i64) -> anyhow::Result<Vec<AttemptRow>> {
    let sql = format!("SELECT {COLUMNS} FROM payment_attempts WHERE payment_id = $1 ORDER BY seq");
    on!(pool, |e| sqlx::query_as(&sql)
        .bind(payment_id)
        .fetch_all(e)
        .await)
        .context("failed to list attempts")
}

/// Leases up to `limit` open attempts whose provider should be asked for news: their next check
/// moves to `lease_until`, so that no other pass (on this instance or another sharing the
/// database) asks about them meanwhile. Asking ends the lease (`schedule_check`, `close`); if the
/// instance dies first, the attempt is due again at `lease_until`.
pub async fn claim_due_for_check(
    pool: &Pool,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> anyhow::Result<Vec<String>> {
    let sql = format!(
        "UPDATE payment_attempts SET next_check_at = $3
         WHERE seq IN (SELECT seq FROM payment_attempts
                       WHERE {OPEN} AND next_check_at IS NOT NULL AND next_check_at <= $1
                       ORDER BY next_check_at LIMIT $2{})
         RETURNING id",
        pool.backend().skip_locked()
    );
    let rows: Vec<(String,)> = on!(pool, |e| sqlx::query_as(&sql)
        .bind(now)
        .bind(limit)
        .bind(lease_until)
        .fetch_all(e)
        .await)
    .context("failed to claim attempts due for a check")?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The latest attempt of each of some payments.
pub async fn latest_for_payments(
    pool: &Pool,
    payment_ids: &[i64],
) -> anyhow::Result<Vec<AttemptRow>> {
    if payment_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=payment_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM payment_attempts WHERE seq IN
            (SELECT MAX(seq) FROM payment_attempts WHERE payment_id IN ({}) GROUP BY payment_id)",
        placeholders.join(", ")
    );
    on!(pool, |e| {
        let mut query = sqlx::query_as(&sql);
        for id in payment_ids {
            query = query.bind(id);
        }
        query.fetch_all(e).await
    })
        .context("failed to read the latest attempts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_statuses_are_the_enums() {
        let words: Vec<String> = AttemptStatus::OPEN
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(OPEN, format!("status IN ({})", words.join(", ")));
    }
}
