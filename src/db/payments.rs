use super::{Exec, Pool, Tx, Values};
use crate::domain::{
    CardBrand, Country, Currency, Dialect, Mode, PaymentKind, PaymentStatus, ProviderCode,
};
use anyhow::Context;
use sqlx::Row;

mod keyed;

pub use keyed::{KeyedAttempt, KeyedResponse, insert_keyed};

/// A payment as stored. `payments::Payment` is its typed form.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentRow {
    pub id: i64,
    pub merchant_id: String,
    pub mode: Mode,
    pub dialect: Dialect,
    pub checkout_token: String,
    pub kind: PaymentKind,
    pub status: PaymentStatus,
    pub amount: i64,
    pub currency: Currency,
    pub country: Option<Country>,
    pub provider: Option<ProviderCode>,
    pub customer_phone: Option<String>,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub description: Option<String>,
    pub external_reference: String,
    pub callback_url: Option<String>,
    pub return_url: Option<String>,
    pub cancel_url: Option<String>,
    pub metadata: Option<String>,
    pub failed_attempts: i64,
    pub status_reason: Option<String>,
    pub expires_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub card_brand: Option<CardBrand>,
    pub method: Option<ProviderCode>,
}

/// What a new payment row holds; `id`, `failed_attempts` and `updated_at` are the database's.
pub struct NewPaymentRow<'a> {
    pub merchant_id: &'a str,
    pub mode: Mode,
    pub dialect: Dialect,
    pub checkout_token: &'a str,
    pub kind: PaymentKind,
    pub status: PaymentStatus,
    pub amount: i64,
    pub currency: Currency,
    pub country: Option<Country>,
    pub provider: Option<ProviderCode>,
    pub customer_phone: Option<&'a str>,
    pub customer_name: Option<&'a str>,
    pub customer_email: Option<&'a str>,
    pub description: Option<&'a str>,
    pub external_reference: &'a str,
    pub callback_url: Option<&'a str>,
    pub return_url: Option<&'a str>,
    pub cancel_url: Option<&'a str>,
    pub metadata: Option<&'a str>,
    pub card_brand: Option<CardBrand>,
    /// The method the payment is tried with (the merchant's provider, for direct payments).
    pub method: Option<ProviderCode>,
    pub expires_at: i64,
    pub created_at: i64,
}

const COLUMNS: &str = "id, merchant_id, mode, dialect, checkout_token, kind, status, amount, currency, country, provider, \
    customer_phone, customer_name, customer_email, description, external_reference, callback_url, return_url, \
    cancel_url, metadata, failed_attempts, status_reason, expires_at, created_at, updated_at, card_brand, method";

pub async fn insert(
    db: impl Into<Exec<'_>>,
    p: &NewPaymentRow<'_>,
) -> anyhow::Result<PaymentRow> {
    let sql = format!(
        "INSERT INTO payments (merchant_id, mode, checkout_token, kind, status, amount, currency, country, provider,
            customer_phone, customer_name, customer_email, description, external_reference, callback_url,
            return_url, cancel_url, metadata, expires_at, created_at, updated_at, card_brand, dialect, method)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, $21, $22, $23)
         RETURNING {COLUMNS}"
    );
    on!(db, |e| sqlx::query_as(&sql)
        .bind(p.merchant_id)
        .bind(p.mode)
        .bind(p.checkout_token)
        .bind(p.kind)
        .bind(p.status)
        .bind(p.amount)
        .bind(p.currency)
        .bind(p.country)
        .bind(p.provider)
        .bind(p.customer_phone)
        .bind(p.customer_name)
        .bind(p.customer_email)
        .bind(p.description)
        .bind(p.external_reference)
        .bind(p.callback_url)
        .bind(p.return_url)
        .bind(p.cancel_url)
        .bind(p.metadata)
        .bind(p.expires_at)
        .bind(p.created_at)
        .bind(p.card_brand)
        .bind(p.dialect)
        .bind(p.method)
        .fetch_one(e)
        .await)
        .context("failed to insert a payment")
}

impl NewPaymentRow<'_> {
    /// The row the database stores for this payment under `id` (its defaults filled in).
    pub fn stored_as(&self, id: i64) -> PaymentRow {
        PaymentRow {
            id,
            merchant_id: self.merchant_id.to_owned(),
            mode: self.mode,
            dialect: self.dialect,
            checkout_token: self.checkout_token.to_owned(),
            kind: self.kind,
            status: self.status,
            amount: self.amount,
            currency: self.currency,
            country: self.country,
            provider: self.provider,
            customer_phone: self.customer_phone.map(str::to_owned),
            customer_name: self.customer_name.map(str::to_owned),
            customer_email: self.customer_email.map(str::to_owned),
            description: self.description.map(str::to_owned),
            external_reference: self.external_reference.to_owned(),
            callback_url: self.callback_url.map(str::to_owned),
            return_url: self.return_url.map(str::to_owned),
            cancel_url: self.cancel_url.map(str::to_owned),
            metadata: self.metadata.map(str::to_owned),
            failed_attempts: 0,
            status_reason: None,
            expires_at: self.expires_at,
            created_at: self.created_at,
            updated_at: self.created_at,
            card_brand: self.card_brand,
            method: self.method,
        }
    }
}

/// A merchant's payment in one mode: never another merchant's, never the other mode's.
pub async fn find_for_merchant(
    pool: &Pool,
    merchant_id: &str,
    mode: Mode,
    id: i64,
) -> anyhow::Result<Option<PaymentRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM payments WHERE id = $1 AND merchant_id = $2 AND mode = $3");
    on!(pool, |e| sqlx::query_as(&sql)
        .bind(id)
        .bind(merchant_id)
        .bind(mode.as_str())
        .fetch_optional(e)
        .await)
        .context("failed to read a payment")
}

pub async fn find_by_id(
    db: impl Into<Exec<'_>>,
    id: i64,
) -> anyhow::Result<Option<PaymentRow>> {
    let sql = format!("SELECT {COLUMNS} FROM payments WHERE id = $1");
    on!(db, |e| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(e)
        .await)
        .context("failed to read a payment")
}

pub async fn find_by_token(pool: &Pool, token: &str) -> anyhow::Result<Option<PaymentRow>> {
    let sql = format!("SELECT {COLUMNS} FROM payments WHERE checkout_token = $1");
    on!(pool, |e| sqlx::query_as(&sql)
        .bind(token)
        .fetch_optional(e)
        .await)
        .context("failed to read a payment by its checkout token")
}

/// Moves a payment from `from` to `to` if it is still in `from`, and records the transition.
/// Returns false (and writes nothing) when another writer moved it first.
#[allow(clippy::too_many_arguments)]
pub async fn record_transition(
    tx: &mut Tx<'_>,
    id: i64,
    from: PaymentStatus,
    to: PaymentStatus,
    reason: &str,
    failed_attempts_delta: i64,
    now: i64,
) -> anyhow::Result<bool> {
    let updated = rows!(&mut *tx, |e| sqlx::query(
        "UPDATE payments SET status = $1, status_reason = $2, failed_attempts = failed_attempts + $3, updated_at = $4
         WHERE id = $5 AND status = $6",
    )
    .bind(to.as_str())
    .bind(reason)
    .bind(failed_attempts_delta)
    .bind(now)
    .bind(id)
    .bind(from.as_str())
    .execute(e)
    .await)
    .context("failed to update a payment's status")?;
    if updated == 0 {
        return Ok(false);
    }
    rows!(&mut *tx, |e| sqlx::query(
        "INSERT INTO payment_transitions (payment_id, from_status, to_status, reason, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(reason)
    .bind(now)
    .execute(e)
    .await)
    .context("failed to record a payment transition")?;
    Ok(true)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransitionRow {
    pub from_status: PaymentStatus,
    pub to_status: PaymentStatus,
    pub reason: String,
    pub at: i64,
}

pub async fn transitions(pool: &Pool, id: i64) -> anyhow::Result<Vec<TransitionRow>> {
    on!(pool, |e| sqlx::query_as(
        "SELECT from_status, to_status, reason, at FROM payment_transitions WHERE payment_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(e)
    .await)
    .context("failed to read a payment's transitions")
}

/// Open payments whose `expires_at` has passed.
pub async fn due_for_expiry(pool: &Pool, now: i64, limit: i64) -> anyhow::Result<Vec<i64>> {
    let [a, b] = PaymentStatus::OPEN.map(PaymentStatus::as_str);
    let rows: Vec<(i64,)> = on!(pool, |e| sqlx::query_as(
        "SELECT id FROM payments WHERE status IN ($3, $4) AND expires_at <= $1
         ORDER BY expires_at LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .bind(a)
    .bind(b)
    .fetch_all(e)
    .await)
    .context("failed to list payments due for expiry")?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Takes the write lock on a payment's row before reading it (SQLite's single writer; a
/// no-op update, so it works the same on PostgreSQL).
pub async fn lock(tx: &mut Tx<'_>, id: i64) -> anyhow::Result<()> {
    rows!(&mut *tx, |e| sqlx::query("UPDATE payments SET updated_at = updated_at WHERE id = $1")
        .bind(id)
        .execute(e)
        .await)
        .context("failed to lock a payment")?;
    Ok(())
}

pub async fn status(tx: &mut Tx<'_>, id: i64) -> anyhow::Result<PaymentStatus> {
    let (status,): (PaymentStatus,) = on!(&mut *tx, |e| sqlx::query_as("SELECT status FROM payments WHERE id = $1")
        .bind(id)
        .fetch_one(e)
        .await)
        .context("failed to read a payment's status")?;
    Ok(status)
}

pub async fn mode(tx: &mut Tx<'_>, id: i64) -> anyhow::Result<Mode> {
    let (mode,): (Mode,) = on!(&mut *tx, |e| sqlx::query_as("SELECT mode FROM payments WHERE id = $1")
        .bind(id)
        .fetch_one(e)
        .await)
        .context("failed to read a payment's mode")?;
    Ok(mode)
}

pub async fn failed_attempts(tx: &mut Tx<'_>, id: i64) -> anyhow::Result<i64> {
    let (n,): (i64,) = on!(&mut *tx, |e| sqlx::query_as("SELECT failed_attempts FROM payments WHERE id = $1")
        .bind(id)
        .fetch_one(e)
        .await)
        .context("failed to read a payment's failed attempts")?;
    Ok(n)
}

/// How many payments exist (tests and the benchmark check that nothing was created twice).
pub async fn count(pool: &Pool) -> anyhow::Result<i64> {
    let (n,): (i64,) = on!(pool, |e| sqlx::query_as("SELECT COUNT(*) FROM payments")
        .fetch_one(e)
        .await)
        .context("failed to count payments")?;
    Ok(n)
}

/// Notes the method a payment is now tried with (the listings' `method` filter).
pub async fn set_method(tx: &mut Tx<'_>, id: i64, method: ProviderCode) -> anyhow::Result<()> {
    rows!(&mut *tx, |e| sqlx::query("UPDATE payments SET method = $1 WHERE id = $2")
        .bind(method.code())
        .bind(id)
        .execute(e)
        .await)
        .context("failed to note a payment's method")?;
    Ok(())
}

/// Which of a merchant's payments a listing shows.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<PaymentStatus>,
    pub method: Option<ProviderCode>,
    /// `created_at` bounds, inclusive (Unix milliseconds).
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    pub external_reference: Option<String>,
    /// Only payments created before this one (its sequence number): the keyset cursor.
    pub before_id: Option<i64>,
}

/// A merchant's payments in one mode, newest first: at most `limit` rows. Keyset on `id`, so a
/// payment created while the merchant pages through never shifts the pages.
pub async fn list(
    pool: &Pool,
    merchant_id: &str,
    mode: Mode,
    filter: &ListFilter,
    limit: i64,
) -> anyhow::Result<Vec<PaymentRow>> {
    on!(pool, |e| {
        let mut query = sqlx::QueryBuilder::new(format!(
            "SELECT {COLUMNS} FROM payments WHERE merchant_id = "
        ));
        query.push_bind(merchant_id);
        query.push(" AND mode = ").push_bind(mode.as_str());
        if let Some(status) = filter.status {
            query.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(method) = filter.method {
            query.push(" AND method = ").push_bind(method.code());
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
        if let Some(before) = filter.before_id {
            query.push(" AND id < ").push_bind(before);
        }
        query.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
        query.build_query_as().fetch_all(e).await
    })
        .context("failed to list payments")
}
