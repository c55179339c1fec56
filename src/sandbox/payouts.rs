//! The payout emulators' own book (`sandbox_payouts`): what Wave, MTN MoMo and pawaPay hold on
//! their side of a payout, so that a test can see that a provider holds exactly one payout per
//! handle, whatever Dalal sent. Outcomes are decided from the recipient's number (`scenario`),
//! when the payout is first taken, and never change afterwards — except that a payout that
//! "succeeds" is `processing` for `sandbox.answer_delay_ms` first where the provider is
//! asynchronous (MTN, pawaPay).

use crate::db::Pool;
use crate::{on, rows};
use anyhow::Context;

/// What the sandbox recipient's number makes of a payout: its last two digits (README,
/// "Sandbox", payouts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutScenario {
    Success,
    /// `…01`: the business account cannot cover the amount and its fee.
    InsufficientFunds,
    /// `…02`: the number has no wallet.
    RecipientNotFound,
    /// `…03`: the payout stays processing for good.
    Stuck,
    /// `…04`: the provider is down (a 503, nothing taken).
    ProviderDown,
    /// `…05`: the provider takes the payout, and its answer is lost on the way back.
    AnswerLost,
    /// `…06`: the recipient's wallet is at its ceiling.
    RecipientLimit,
    /// `…07`: the recipient's wallet is blocked.
    RecipientBlocked,
}

impl PayoutScenario {
    pub fn for_phone(phone: &str) -> Self {
        match phone.get(phone.len().saturating_sub(2)..).unwrap_or("") {
            "01" => PayoutScenario::InsufficientFunds,
            "02" => PayoutScenario::RecipientNotFound,
            "03" => PayoutScenario::Stuck,
            "04" => PayoutScenario::ProviderDown,
            "05" => PayoutScenario::AnswerLost,
            "06" => PayoutScenario::RecipientLimit,
            "07" => PayoutScenario::RecipientBlocked,
            _ => PayoutScenario::Success,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PayoutScenario::Success => "success",
            PayoutScenario::InsufficientFunds => "insufficient_funds",
            PayoutScenario::RecipientNotFound => "recipient_not_found",
            PayoutScenario::Stuck => "stuck",
            PayoutScenario::ProviderDown => "provider_down",
            PayoutScenario::AnswerLost => "answer_lost",
            PayoutScenario::RecipientLimit => "recipient_limit",
            PayoutScenario::RecipientBlocked => "recipient_blocked",
        }
    }

    fn parse(s: &str) -> Self {
        [
            PayoutScenario::Success,
            PayoutScenario::InsufficientFunds,
            PayoutScenario::RecipientNotFound,
            PayoutScenario::Stuck,
            PayoutScenario::ProviderDown,
            PayoutScenario::AnswerLost,
            PayoutScenario::RecipientLimit,
            PayoutScenario::RecipientBlocked,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
        .unwrap_or(PayoutScenario::Success)
    }
}

/// What every sandbox payout account holds before its first payout, in each currency.
pub const OPENING_BALANCE: i64 = 5_000_000;

/// One payout on an emulated provider's side.
#[derive(Debug, Clone)]
pub struct EmulatedPayout {
    /// The provider's id for it (`pt-…`; MTN's and pawaPay's are the handle itself).
    pub id: String,
    /// `wave`, `mtn_momo`, `pawapay`.
    pub provider: String,
    /// The account that sent it: a Wave wallet's country, an MTN API user, pawaPay's token.
    pub account: String,
    /// The idempotency handle as the provider received it.
    pub handle: String,
    /// The request's body as it came (JSON), for mismatch checks and echoes.
    pub request: String,
    pub amount: i64,
    pub currency: String,
    pub phone: String,
    pub fee: i64,
    pub scenario: PayoutScenario,
    pub created_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    provider: String,
    account: String,
    handle: String,
    request: String,
    amount: i64,
    currency: String,
    phone: String,
    fee: i64,
    scenario: String,
    created_at: i64,
}

impl From<Row> for EmulatedPayout {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            provider: r.provider,
            account: r.account,
            handle: r.handle,
            request: r.request,
            amount: r.amount,
            currency: r.currency,
            phone: r.phone,
            fee: r.fee,
            scenario: PayoutScenario::parse(&r.scenario),
            created_at: r.created_at,
        }
    }
}

const COLUMNS: &str =
    "id, provider, account, handle, request, amount, currency, phone, fee, scenario, created_at";

/// Books a payout, unless the account already holds one under this handle: then that one is
/// answered, and nothing is booked (the provider's idempotency). True when booked now.
pub async fn book(pool: &Pool, p: &EmulatedPayout) -> anyhow::Result<(EmulatedPayout, bool)> {
    let inserted = rows!(pool, |e| sqlx::query(
        "INSERT INTO sandbox_payouts (id, provider, account, handle, request, amount, currency,
            phone, fee, scenario, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (provider, account, handle) DO NOTHING",
    )
    .bind(&p.id)
    .bind(&p.provider)
    .bind(&p.account)
    .bind(&p.handle)
    .bind(&p.request)
    .bind(p.amount)
    .bind(&p.currency)
    .bind(&p.phone)
    .bind(p.fee)
    .bind(p.scenario.as_str())
    .bind(p.created_at)
    .execute(e)
    .await)
    .context("failed to book a sandbox payout")?;
    let held = by_handle(pool, &p.provider, &p.account, &p.handle)
        .await?
        .context("a sandbox payout booked and gone")?;
    Ok((held, inserted == 1))
}

pub async fn by_handle(
    pool: &Pool,
    provider: &str,
    account: &str,
    handle: &str,
) -> anyhow::Result<Option<EmulatedPayout>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sandbox_payouts WHERE provider = $1 AND account = $2 AND handle = $3"
    );
    let row: Option<Row> = on!(pool, |e| sqlx::query_as(&sql)
        .bind(provider)
        .bind(account)
        .bind(handle)
        .fetch_optional(e)
        .await)
    .context("failed to read a sandbox payout")?;
    Ok(row.map(Into::into))
}

pub async fn by_id(pool: &Pool, provider: &str, id: &str) -> anyhow::Result<Option<EmulatedPayout>> {
    let sql = format!("SELECT {COLUMNS} FROM sandbox_payouts WHERE provider = $1 AND id = $2");
    let row: Option<Row> = on!(pool, |e| sqlx::query_as(&sql)
        .bind(provider)
        .bind(id)
        .fetch_optional(e)
        .await)
    .context("failed to read a sandbox payout")?;
    Ok(row.map(Into::into))
}

/// An account's payouts whose request carried this client reference (`$.client_reference` as
/// Wave's search reads it), oldest first.
pub async fn with_request_field(
    pool: &Pool,
    provider: &str,
    account: &str,
    needle: &str,
) -> anyhow::Result<Vec<EmulatedPayout>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sandbox_payouts WHERE provider = $1 AND account = $2
           AND request LIKE $3 ORDER BY created_at"
    );
    let rows: Vec<Row> = on!(pool, |e| sqlx::query_as(&sql)
        .bind(provider)
        .bind(account)
        .bind(format!("%{needle}%"))
        .fetch_all(e)
        .await)
    .context("failed to search sandbox payouts")?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// What an account has paid out in a currency (amounts and fees of payouts that succeed), for
/// its balance: `OPENING_BALANCE` minus this.
pub async fn spent(
    pool: &Pool,
    provider: &str,
    account: &str,
    currency: &str,
) -> anyhow::Result<i64> {
    let (sum,): (Option<i64>,) = on!(pool, |e| sqlx::query_as(
        "SELECT CAST(SUM(amount + fee) AS BIGINT) FROM sandbox_payouts
         WHERE provider = $1 AND account = $2 AND currency = $3 AND scenario IN ('success', 'answer_lost', 'stuck')",
    )
    .bind(provider)
    .bind(account)
    .bind(currency)
    .fetch_one(e)
    .await)
    .context("failed to add up sandbox payouts")?;
    Ok(sum.unwrap_or(0))
}

/// How many payouts an account holds under a handle (tests: never more than one).
pub async fn count_for_handle(pool: &Pool, provider: &str, handle: &str) -> anyhow::Result<i64> {
    let (n,): (i64,) = on!(pool, |e| sqlx::query_as(
        "SELECT COUNT(*) FROM sandbox_payouts WHERE provider = $1 AND handle = $2",
    )
    .bind(provider)
    .bind(handle)
    .fetch_one(e)
    .await)
    .context("failed to count sandbox payouts")?;
    Ok(n)
}
