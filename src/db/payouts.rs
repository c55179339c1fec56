//! Payouts, their history, and the leases of the worker that asks providers about sent ones.
//! Every status change goes through `transition`, which moves a row only from the status its
//! caller read, and writes the history row with it.

use super::{Exec, Pool, Tx};
use crate::domain::{
    Country, Currency, Dialect, Mode, PayoutApproval, PayoutBatchId, PayoutFailure, PayoutId,
    PayoutStatus, ProviderCode,
};
use anyhow::Context;

/// A payout as stored. `payouts::Payout` is its typed form.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PayoutRow {
    pub id: PayoutId,
    pub merchant_id: String,
    pub mode: Mode,
    pub dialect: Dialect,
    pub status: PayoutStatus,
    pub amount: i64,
    pub currency: Currency,
    pub country: Country,
    pub provider: ProviderCode,
    pub gateway: String,
    pub recipient_phone: String,
    pub recipient_name: Option<String>,
    pub reason: Option<String>,
    pub external_reference: Option<String>,
    pub metadata: Option<String>,
    pub handle: String,
    pub provider_reference: Option<String>,
    pub fee: Option<i64>,
    pub failure_code: Option<PayoutFailure>,
    pub provider_failure_code: Option<String>,
    pub request_hash: Option<String>,
    pub sent_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    pub batch_id: Option<PayoutBatchId>,
    pub line: Option<i64>,
    pub created_by: Option<String>,
    pub approval: PayoutApproval,
    pub approved_by: Option<String>,
}

const COLUMNS: &str = "id, merchant_id, mode, dialect, status, amount, currency, country, provider, \
    gateway, recipient_phone, recipient_name, reason, external_reference, metadata, handle, \
    provider_reference, fee, failure_code, provider_failure_code, request_hash, sent_at, \
    created_at, updated_at, batch_id, line, created_by, approval, approved_by";

pub struct NewPayout<'a> {
    pub id: &'a str,
    pub merchant_id: &'a str,
    pub mode: Mode,
    pub dialect: Dialect,
    pub amount: i64,
    pub currency: Currency,
    pub country: Country,
    pub provider: ProviderCode,
    pub gateway: &'a str,
    pub recipient_phone: &'a str,
    pub recipient_name: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub external_reference: Option<&'a str>,
    pub metadata: Option<&'a str>,
    pub handle: &'a str,
    /// The merchant's idempotency key and the fingerprint of its request.
    pub idempotency: Option<(&'a str, &'a str)>,
    /// When the worker sends it if the request that stored it did not (`None`: it waits for
    /// an approval).
    pub send_by: Option<i64>,
    pub batch: Option<(&'a str, i64)>,
    /// The dashboard user who made it (`None`: the API).
    pub created_by: Option<&'a str>,
    pub approval: PayoutApproval,
    pub now: i64,
}

/// Inserts a pending payout and the first line of its history.
pub async fn insert(tx: &mut Tx<'_>, p: &NewPayout<'_>) -> Result<(), sqlx::Error> {
    rows!(&mut *tx, |e| sqlx::query(
        "INSERT INTO payouts (id, merchant_id, mode, dialect, status, amount, currency, country,
            provider, gateway, recipient_phone, recipient_name, reason, external_reference, metadata,
            handle, idempotency_key, request_hash, next_check_at, created_at, updated_at, batch_id,
            line, created_by, approval)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
            $20, $21, $22, $23, $24)",
    )
    .bind(p.id)
    .bind(p.merchant_id)
    .bind(p.mode.as_str())
    .bind(p.dialect.as_str())
    .bind(PayoutStatus::Pending.as_str())
    .bind(p.amount)
    .bind(p.currency.code())
    .bind(p.country.code())
    .bind(p.provider.code())
    .bind(p.gateway)
    .bind(p.recipient_phone)
    .bind(p.recipient_name)
    .bind(p.reason)
    .bind(p.external_reference)
    .bind(p.metadata)
    .bind(p.handle)
    .bind(p.idempotency.map(|(key, _)| key))
    .bind(p.idempotency.map(|(_, hash)| hash))
    .bind(p.send_by)
    .bind(p.now)
    .bind(p.batch.map(|(id, _)| id))
    .bind(p.batch.map(|(_, line)| line))
    .bind(p.created_by)
    .bind(p.approval.as_str())
    .execute(e)
    .await)?;
    history(tx, p.id, None, PayoutStatus::Pending, "créé", p.now).await
}

async fn history(
    tx: &mut Tx<'_>,
    id: &str,
    from: Option<PayoutStatus>,
    to: PayoutStatus,
    reason: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    rows!(&mut *tx, |e| sqlx::query(
        "INSERT INTO payout_transitions (payout_id, from_status, to_status, reason, at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(from.map(|s| s.as_str()))
    .bind(to.as_str())
    .bind(reason)
    .bind(at)
    .execute(e)
    .await)?;
    Ok(())
}

/// A line in a payout's history that changes nothing (an approval).
pub async fn note(
    tx: &mut Tx<'_>,
    id: &str,
    status: PayoutStatus,
    reason: &str,
    at: i64,
) -> anyhow::Result<()> {
    history(tx, id, Some(status), status, reason, at)
        .await
        .context("failed to write a payout's history")
}

/// Takes the write lock on a merchant's row (its payouts' daily total is read under it).
pub async fn lock_merchant(tx: &mut Tx<'_>, merchant_id: &str) -> anyhow::Result<()> {
    rows!(&mut *tx, |e| sqlx::query("UPDATE merchants SET name = name WHERE id = $1")
        .bind(merchant_id)
        .execute(e)
        .await)
    .context("failed to lock a merchant")?;
    Ok(())
}

/// What a merchant's payouts created since `since` hold (pending, processing, succeeded).
pub async fn held_since(
    tx: &mut Tx<'_>,
    merchant_id: &str,
    mode: Mode,
    currency: Currency,
    since: i64,
) -> anyhow::Result<i64> {
    let (sum,): (Option<i64>,) = on!(&mut *tx, |e| sqlx::query_as(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM payouts
         WHERE merchant_id = $1 AND mode = $2 AND currency = $3 AND created_at >= $4
           AND status IN ($5, $6, $7)",
    )
    .bind(merchant_id)
    .bind(mode.as_str())
    .bind(currency.code())
    .bind(since)
    .bind(PayoutStatus::Pending.as_str())
    .bind(PayoutStatus::Processing.as_str())
    .bind(PayoutStatus::Succeeded.as_str())
    .fetch_one(e)
    .await)
    .context("failed to add up a merchant's payouts")?;
    Ok(sum.unwrap_or(0))
}

/// What a status change writes besides the status (each kept when `None`).
#[derive(Debug, Default)]
pub struct Change<'a> {
    pub provider_reference: Option<&'a str>,
    pub fee: Option<i64>,
    pub failure: Option<(PayoutFailure, Option<&'a str>)>,
    /// When the worker asks the provider next (`None`: never, the payout is over).
    pub next_check_at: Option<i64>,
    /// Set when the payout is sent (the claim).
    pub sent_at: Option<i64>,
}

/// Moves a payout from `from` to `to` with its history line, in the caller's transaction. False,
/// and nothing written, when the payout was no longer `from` (someone else moved it first).
pub async fn transition(
    tx: &mut Tx<'_>,
    id: &str,
    from: PayoutStatus,
    to: PayoutStatus,
    change: &Change<'_>,
    reason: &str,
    now: i64,
) -> anyhow::Result<bool> {
    anyhow::ensure!(
        from.may_become(to),
        "a payout may not go from {from} to {to}"
    );
    let moved = rows!(&mut *tx, |e| sqlx::query(
        "UPDATE payouts SET status = $3, provider_reference = COALESCE($4, provider_reference),
            fee = COALESCE($5, fee), failure_code = COALESCE($6, failure_code),
            provider_failure_code = COALESCE($7, provider_failure_code), next_check_at = $8,
            sent_at = COALESCE($9, sent_at), lease_until = NULL, updated_at = $10
         WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(change.provider_reference)
    .bind(change.fee)
    .bind(change.failure.map(|(code, _)| code.as_str()))
    .bind(change.failure.and_then(|(_, theirs)| theirs))
    .bind(change.next_check_at)
    .bind(change.sent_at)
    .bind(now)
    .execute(e)
    .await)
    .context("failed to change a payout's status")?;
    if moved == 0 {
        return Ok(false);
    }
    history(tx, id, Some(from), to, reason, now)
        .await
        .context("failed to write a payout's history")?;
    Ok(true)
}

/// A processing payout stays so: when to ask next, and the provider's id if it just gave one.
/// Releases the worker's lease.
pub async fn check_later(
    db: impl Into<Exec<'_>>,
    id: &str,
    reference: Option<&str>,
    next_check_at: i64,
    now: i64,
) -> anyhow::Result<()> {
    rows!(db, |e| sqlx::query(
        "UPDATE payouts SET provider_reference = COALESCE($2, provider_reference),
            next_check_at = $3, lease_until = NULL, updated_at = $4
         WHERE id = $1 AND status = $5",
    )
    .bind(id)
    .bind(reference)
    .bind(next_check_at)
    .bind(now)
    .bind(PayoutStatus::Processing.as_str())
    .execute(e)
    .await)
    .context("failed to reschedule a payout's check")?;
    Ok(())
}

/// Leases up to `limit` payouts due a check until `lease_until`: processing ones to ask about,
/// and pending ones whose request never sent them (it stopped between storing and sending). Instances sharing a
/// database never lease one payout at once (`Backend::skip_locked`), so a payout is asked
/// about — and sent again after a `NotFound` — by one of them at a time.
pub async fn claim_due(
    pool: &Pool,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> anyhow::Result<Vec<PayoutRow>> {
    let sql = format!(
        "UPDATE payouts SET lease_until = $1
         WHERE id IN (SELECT id FROM payouts
                      WHERE status IN ($4, $5) AND next_check_at <= $2
                        AND (lease_until IS NULL OR lease_until <= $2) AND approval IN ($6, $7)
                      ORDER BY next_check_at LIMIT $3{})
         RETURNING {COLUMNS}",
        pool.backend().skip_locked()
    );
    on!(pool, |e| sqlx::query_as(&sql)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .bind(PayoutStatus::Processing.as_str())
        .bind(PayoutStatus::Pending.as_str())
        .bind(PayoutApproval::None.as_str())
        .bind(PayoutApproval::Approved.as_str())
        .fetch_all(e)
        .await)
    .context("failed to claim payouts due a check")
}

pub async fn find(db: impl Into<Exec<'_>>, id: &str) -> anyhow::Result<Option<PayoutRow>> {
    let sql = format!("SELECT {COLUMNS} FROM payouts WHERE id = $1");
    on!(db, |e| sqlx::query_as(&sql).bind(id).fetch_optional(e).await)
        .context("failed to read a payout")
}

/// The payout a merchant created with an idempotency key.
pub async fn find_by_key(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
    key: &str,
) -> anyhow::Result<Option<PayoutRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM payouts WHERE merchant_id = $1 AND idempotency_key = $2");
    on!(db, |e| sqlx::query_as(&sql)
        .bind(merchant_id)
        .bind(key)
        .fetch_optional(e)
        .await)
    .context("failed to read a payout by idempotency key")
}

/// The payout a provider knows by this reference (pawaPay's `payoutId` is Dalal's handle).
pub async fn find_by_handle(
    db: impl Into<Exec<'_>>,
    handle: &str,
) -> anyhow::Result<Option<PayoutRow>> {
    let sql = format!("SELECT {COLUMNS} FROM payouts WHERE handle = $1");
    on!(db, |e| sqlx::query_as(&sql).bind(handle).fetch_optional(e).await)
        .context("failed to read a payout by its handle")
}

/// What a listing filters on.
#[derive(Debug, Clone, Default)]
pub struct PayoutFilter {
    pub status: Option<PayoutStatus>,
    pub provider: Option<ProviderCode>,
    /// `created_at` bounds, inclusive (Unix milliseconds).
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    pub external_reference: Option<String>,
    /// Only payouts older than this one (its creation time and id): the keyset cursor.
    pub before: Option<(i64, String)>,
}

/// A merchant's payouts in one mode, newest first: at most `limit` rows. Keyset on
/// `(created_at, id)`, so a payout created while the merchant pages through never shifts pages.
pub async fn list(
    pool: &Pool,
    merchant_id: &str,
    mode: Mode,
    filter: &PayoutFilter,
    limit: i64,
) -> anyhow::Result<Vec<PayoutRow>> {
    on!(pool, |e| {
        let mut query =
            sqlx::QueryBuilder::new(format!("SELECT {COLUMNS} FROM payouts WHERE merchant_id = "));
        query.push_bind(merchant_id);
        query.push(" AND mode = ").push_bind(mode.as_str());
        if let Some(status) = filter.status {
            query.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(provider) = filter.provider {
            query.push(" AND provider = ").push_bind(provider.code());
        }
        if let Some(from) = filter.created_from {
            query.push(" AND created_at >= ").push_bind(from);
        }
        if let Some(to) = filter.created_to {
            query.push(" AND created_at <= ").push_bind(to);
        }
        if let Some(reference) = &filter.external_reference {
            query
                .push(" AND external_reference = ")
                .push_bind(reference.clone());
        }
        if let Some((at, id)) = &filter.before {
            query
                .push(" AND (created_at < ")
                .push_bind(*at)
                .push(" OR (created_at = ")
                .push_bind(*at)
                .push(" AND id < ")
                .push_bind(id.clone())
                .push("))");
        }
        query
            .push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(limit);
        query.build_query_as().fetch_all(e).await
    })
    .context("failed to list payouts")
}

/// A payout's history line.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PayoutTransitionRow {
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: String,
    pub at: i64,
}

/// A payout's status changes, oldest first.
pub async fn transitions(
    db: impl Into<Exec<'_>>,
    id: &str,
) -> anyhow::Result<Vec<PayoutTransitionRow>> {
    on!(db, |e| sqlx::query_as(
        "SELECT from_status, to_status, reason, at FROM payout_transitions
         WHERE payout_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(e)
    .await)
    .context("failed to read a payout's history")
}

/// A batch's payouts, in line order.
pub async fn of_batch(db: impl Into<Exec<'_>>, batch_id: &str) -> anyhow::Result<Vec<PayoutRow>> {
    let sql = format!("SELECT {COLUMNS} FROM payouts WHERE batch_id = $1 ORDER BY line");
    on!(db, |e| sqlx::query_as(&sql).bind(batch_id).fetch_all(e).await)
        .context("failed to read a batch's payouts")
}

/// Decides the approval of pending payouts waiting for one (a payout by its id, or every payout
/// of a batch), by a user who did not create them; approved ones are due to be sent at `now`.
/// Returns the ids decided.
pub async fn decide(
    tx: &mut Tx<'_>,
    payout_or_batch: &str,
    user_id: &str,
    approved: bool,
    now: i64,
) -> anyhow::Result<Vec<String>> {
    let decision = if approved {
        PayoutApproval::Approved
    } else {
        PayoutApproval::Rejected
    };
    let ids: Vec<(String,)> = on!(&mut *tx, |e| sqlx::query_as(
        "UPDATE payouts SET approval = $3, approved_by = $2, updated_at = $4,
            next_check_at = CASE WHEN $3 = $5 THEN $4 ELSE NULL END
         WHERE (id = $1 OR batch_id = $1) AND status = $6 AND approval = $7
           AND (created_by IS NULL OR created_by <> $2)
         RETURNING id",
    )
    .bind(payout_or_batch)
    .bind(user_id)
    .bind(decision.as_str())
    .bind(now)
    .bind(PayoutApproval::Approved.as_str())
    .bind(PayoutStatus::Pending.as_str())
    .bind(PayoutApproval::Required.as_str())
    .fetch_all(e)
    .await)
    .context("failed to record a payout approval")?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// Leases a processing payout to one asker until `until` (a provider's callback, the worker):
/// false when another holds it.
pub async fn lease(db: impl Into<Exec<'_>>, id: &str, now: i64, until: i64) -> anyhow::Result<bool> {
    let taken = rows!(db, |e| sqlx::query(
        "UPDATE payouts SET lease_until = $3
         WHERE id = $1 AND status = $4 AND (lease_until IS NULL OR lease_until <= $2)",
    )
    .bind(id)
    .bind(now)
    .bind(until)
    .bind(PayoutStatus::Processing.as_str())
    .execute(e)
    .await)
    .context("failed to lease a payout")?;
    Ok(taken == 1)
}

/// A merchant's payouts waiting for an approval, oldest first.
pub async fn waiting_approval(
    db: impl Into<Exec<'_>>,
    merchant_id: &str,
    mode: Mode,
) -> anyhow::Result<Vec<PayoutRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payouts WHERE merchant_id = $1 AND mode = $2 AND status = $3
           AND approval = $4 ORDER BY created_at, id LIMIT 500"
    );
    on!(db, |e| sqlx::query_as(&sql)
        .bind(merchant_id)
        .bind(mode.as_str())
        .bind(PayoutStatus::Pending.as_str())
        .bind(PayoutApproval::Required.as_str())
        .fetch_all(e)
        .await)
    .context("failed to list payouts waiting for approval")
}
