//! What the sandbox providers keep on their side (as a real provider would), and the words they
//! store, as enums: a session's flow, its scenario, the tester's decision.

use crate::db::{Pool, Values};
use crate::domain::ProviderCode;
use crate::{on, rows};
use anyhow::Context;

crate::words! {
    /// How the sandbox customer confirms.
    pub enum Flow: "sandbox flow" {
        /// A QR code / deep link opened on the sandbox phone page (Wave, Orange Money).
        Qr = "qr",
        /// An Orange Money one-time code typed on the checkout page.
        Otp = "otp",
        /// A USSD push answered after `sandbox.answer_delay_ms` (Free, MTN, Moov).
        Push = "push",
        /// A card authorised at once.
        Card = "card",
        /// A card whose bank asks for 3-D Secure on the sandbox bank page.
        ThreeDSecure = "3ds",
    }
}

crate::words! {
    /// What the sandbox customer (or bank) will do, chosen from the payer's number or the test
    /// card. Card sessions written before the flow said "3ds" stored it as their scenario.
    pub enum Scenario: "sandbox scenario" {
        Success = "success" | "3ds",
        InsufficientFunds = "insufficient_funds",
        Declined = "declined",
        NoAnswer = "no_answer",
        ProviderDown = "provider_down",
        /// The provider takes the payment, and its answer is lost on the way back.
        AnswerLost = "answer_lost",
    }
}

crate::words! {
    /// The tester's answer on the sandbox phone page or the sandbox bank's page.
    pub enum Decision: "sandbox decision" {
        Approve = "approve",
        Decline = "decline",
        InsufficientFunds = "insufficient_funds",
        /// Not the tester's: Dalal closed the session (the payment was cancelled or expired).
        Expired = "expired",
    }
}

crate::db::words::text_column!(Flow, Scenario, Decision);

/// A sandbox provider session.
#[derive(Debug, Clone)]
pub struct SandboxSession {
    pub id: String,
    pub provider: ProviderCode,
    pub flow: Flow,
    pub amount: i64,
    pub currency: String,
    pub phone: Option<String>,
    pub scenario: Scenario,
    pub created_at: i64,
    pub decision: Option<Decision>,
    /// When the decision was recorded.
    pub decided_at: Option<i64>,
    /// An emulated provider's API request that opened the session (JSON), echoed back.
    pub request: Option<String>,
    /// The merchant's reference for it, where the provider searches by one (Orange Money).
    pub reference: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    provider: ProviderCode,
    flow: Flow,
    amount: i64,
    currency: String,
    phone: Option<String>,
    scenario: Scenario,
    created_at: i64,
    decision: Option<Decision>,
    decided_at: Option<i64>,
    request: Option<String>,
    reference: Option<String>,
}

impl From<Row> for SandboxSession {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            provider: r.provider,
            flow: r.flow,
            amount: r.amount,
            currency: r.currency,
            phone: r.phone,
            scenario: r.scenario,
            created_at: r.created_at,
            decision: r.decision,
            decided_at: r.decided_at,
            request: r.request,
            reference: r.reference,
        }
    }
}

const COLUMNS: &str = "id, provider, flow, amount, currency, phone, scenario, created_at, decision, decided_at, request, reference";

pub async fn insert(pool: &Pool, s: &SandboxSession) -> anyhow::Result<()> {
    const SQL: &str = "INSERT INTO sandbox_sessions (id, provider, flow, amount, currency, phone, scenario, created_at, request, reference)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    let values = Values::default()
        .text(s.id.as_str())
        .text(s.provider.code())
        .text(s.flow.as_str())
        .integer(s.amount)
        .text(s.currency.as_str())
        .text(s.phone.as_deref())
        .text(s.scenario.as_str())
        .integer(s.created_at)
        .text(s.request.as_deref())
        .text(s.reference.as_deref());
    // A provider stores a session before it answers: on SQLite, with the concurrent requests'
    // writes (`Writer`).
    match pool {
        Pool::Sqlite(_, writer) => writer.write(SQL, values).await.map(drop),
        Pool::Postgres(pool) => sqlx::query_with(SQL, values.postgres()?)
            .execute(pool)
            .await
            .map(drop),
    }
    .context("failed to insert a sandbox session")
}

pub async fn find(pool: &Pool, id: &str) -> anyhow::Result<Option<SandboxSession>> {
    let sql = format!("SELECT {COLUMNS} FROM sandbox_sessions WHERE id = $1");
    let row: Option<Row> = on!(pool, |e| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(e)
        .await)
    .context("failed to read a sandbox session")?;
    Ok(row.map(SandboxSession::from))
}

/// Records the tester's answer once; false when the session was already decided.
pub async fn decide(pool: &Pool, id: &str, decision: Decision, now: i64) -> anyhow::Result<bool> {
    let n = rows!(pool, |e| sqlx::query(
        "UPDATE sandbox_sessions SET decision = $1, decided_at = $2 WHERE id = $3 AND decision IS NULL",
    )
    .bind(decision.as_str())
    .bind(now)
    .bind(id)
    .execute(e)
    .await)
    .context("failed to record a sandbox decision")?;
    Ok(n == 1)
}

/// Closes a session whose customer's try failed (Wave leaves such a session open until it is
/// expired): it can no longer be paid.
pub async fn expire_failed(pool: &Pool, id: &str) -> anyhow::Result<()> {
    rows!(pool, |e| sqlx::query(
        "UPDATE sandbox_sessions SET decision = 'expired'
         WHERE id = $1 AND decision IN ('decline', 'insufficient_funds')",
    )
    .bind(id)
    .execute(e)
    .await)
    .context("failed to close a failed sandbox session")?;
    Ok(())
}

/// A provider's sessions with this merchant reference, newest first.
pub async fn with_reference(
    pool: &Pool,
    provider: ProviderCode,
    reference: &str,
) -> anyhow::Result<Vec<SandboxSession>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sandbox_sessions WHERE provider = $1 AND reference = $2
         ORDER BY created_at DESC"
    );
    let rows: Vec<Row> = on!(pool, |e| sqlx::query_as(&sql)
        .bind(provider.code())
        .bind(reference)
        .fetch_all(e)
        .await)
    .context("failed to read sandbox sessions by reference")?;
    Ok(rows.into_iter().map(SandboxSession::from).collect())
}

/// A provider's latest sessions, newest first (at most `limit`).
pub async fn latest(
    pool: &Pool,
    provider: ProviderCode,
    limit: i64,
) -> anyhow::Result<Vec<SandboxSession>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sandbox_sessions WHERE provider = $1 ORDER BY created_at DESC LIMIT $2"
    );
    let rows: Vec<Row> = on!(pool, |e| sqlx::query_as(&sql)
        .bind(provider.code())
        .bind(limit)
        .fetch_all(e)
        .await)
    .context("failed to read the latest sandbox sessions")?;
    Ok(rows.into_iter().map(SandboxSession::from).collect())
}

/// Every session of a provider, newest first: an emulator's balance and transaction search
/// (the sandbox's sessions are few, and retention keeps them so).
pub async fn of_provider(
    pool: &Pool,
    provider: ProviderCode,
) -> anyhow::Result<Vec<SandboxSession>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sandbox_sessions WHERE provider = $1 ORDER BY created_at DESC"
    );
    let rows: Vec<Row> = on!(pool, |e| sqlx::query_as(&sql)
        .bind(provider.code())
        .fetch_all(e)
        .await)
    .context("failed to read sandbox sessions")?;
    Ok(rows.into_iter().map(SandboxSession::from).collect())
}

/// Counts one more wrong 3-D Secure code on an undecided session; how many there are now.
pub async fn wrong_code(pool: &Pool, id: &str) -> anyhow::Result<i64> {
    let (n,): (i64,) = on!(pool, |e| sqlx::query_as(
        "UPDATE sandbox_sessions SET wrong_codes = wrong_codes + 1
         WHERE id = $1 AND decision IS NULL RETURNING wrong_codes",
    )
    .bind(id)
    .fetch_optional(e)
    .await)
    .context("failed to count a wrong code")?
    .unwrap_or((0,));
    Ok(n)
}
