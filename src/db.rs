//! The database: the pool (SQLite or PostgreSQL), migrations, and every SQL statement Dalal runs
//! (one module per table family). SQL is written once for both: `$n` placeholders, `RETURNING`,
//! `ON CONFLICT`, integer times, BIGINT integers; the statements that must differ are named in
//! `backend.rs`.

/// Runs `$body` with `$e` bound to the executor of the backend behind `$db` (a `&Pool` or a
/// `&mut Tx`: anything that is `Into<Exec>`). A statement is written once and compiled for SQLite
/// and for PostgreSQL; where the two databases differ, `Backend` names the statement.
#[macro_export]
macro_rules! on {
    ($db:expr, |$e:ident| $body:expr) => {
        match ::core::convert::Into::<$crate::db::Exec<'_>>::into($db) {
            $crate::db::Exec::Sqlite($e) => $body,
            $crate::db::Exec::SqliteTx($e) => $body,
            $crate::db::Exec::Postgres($e) => $body,
            $crate::db::Exec::PostgresTx($e) => $body,
        }
    };
}

/// `on!` for a statement run with `execute`: how many rows it changed (each backend has its own
/// result type).
#[macro_export]
macro_rules! rows {
    ($db:expr, |$e:ident| $body:expr) => {
        match ::core::convert::Into::<$crate::db::Exec<'_>>::into($db) {
            $crate::db::Exec::Sqlite($e) => $body.map(|r| r.rows_affected()),
            $crate::db::Exec::SqliteTx($e) => $body.map(|r| r.rows_affected()),
            $crate::db::Exec::Postgres($e) => $body.map(|r| r.rows_affected()),
            $crate::db::Exec::PostgresTx($e) => $body.map(|r| r.rows_affected()),
        }
    };
}

pub mod attempts;
pub mod gateways;
pub mod idempotency;
pub mod merchants;
pub mod payments;
pub mod payout_batches;
pub mod payouts;
pub mod refunds;
pub mod retention;
pub mod sessions;
pub mod users;
pub mod webhooks;
pub mod words;

mod backend;
mod sqlite;
mod writer;

pub use backend::{Backend, Exec, Pool, Tx, Values};
pub use sqlite::{LogRestart, checkpoint, restart_after_frames, restart_log};
pub use writer::Writer;

use crate::config::DatabaseSettings;
use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// How long a statement waits for SQLite's write lock, or PostgreSQL's row lock, before failing.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request waits for a free connection before failing.
pub(crate) const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the database `database.url` names: PostgreSQL for `postgres://` and `postgresql://`
/// URLs, else SQLite (the file is created if needed).
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Pool> {
    match Backend::of_url(&settings.url) {
        Backend::Sqlite => {
            let pool = sqlite::connect_sqlite(settings).await?;
            let own = pool
                .acquire()
                .await
                .context("failed to open the writer's connection")?
                .detach();
            Ok(Pool::Sqlite(pool, Writer::start(own)))
        }
        Backend::Postgres => PgPoolOptions::new()
            .max_connections(settings.max_connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(
                PgConnectOptions::from_str(&settings.url)
                    .context("database.url is not a valid PostgreSQL URL")?
                    // A statement waits for a row lock as long as a SQLite one waits for the
                    // write lock, then fails, rather than holding its request forever.
                    .options([("lock_timeout", format!("{}ms", BUSY_TIMEOUT.as_millis()))]),
            )
            .await
            // The URL may hold a password: it is not repeated here.
            .context("failed to connect to PostgreSQL (database.url)")
            .map(Pool::Postgres),
    }
}

/// Applies the migrations, `migrations/` on SQLite and `migrations/postgres/` on PostgreSQL (the
/// same schema: `tests/core/schema.rs` compares them); start-up stops if one fails.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    match pool {
        Pool::Sqlite(pool, _) => sqlx::migrate!("./migrations").run(pool).await,
        Pool::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
    }
    .context("failed to apply database migrations")
}

pub async fn ping(pool: &Pool) -> anyhow::Result<()> {
    rows!(pool, |e| sqlx::query("SELECT 1").execute(e).await)
        .context("failed to reach the database")?;
    Ok(())
}

/// The unique constraints callers tell apart. Each has its name (which PostgreSQL reports) and
/// the columns SQLite names instead (`UNIQUE constraint failed: table.column, …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    /// `payment_attempts_one_open_idx`: one open attempt per payment.
    OneOpenAttemptPerPayment,
    AttemptId,
    CheckoutToken,
    ApiKeySecret,
    IdempotencyKey,
    /// `refunds_idempotency_key_unique`: one refund per merchant and idempotency key.
    RefundIdempotencyKey,
    /// `payouts_idempotency_key_unique`: one payout per merchant and idempotency key.
    PayoutIdempotencyKey,
    /// `payout_batches_idempotency_key_unique`.
    PayoutBatchIdempotencyKey,
}

impl Constraint {
    const ALL: [(Constraint, &'static str, &'static str); 8] = [
        (
            Constraint::OneOpenAttemptPerPayment,
            "payment_attempts_one_open_idx",
            "payment_attempts.payment_id",
        ),
        (
            Constraint::AttemptId,
            "payment_attempts_id_unique",
            "payment_attempts.id",
        ),
        (
            Constraint::CheckoutToken,
            "payments_checkout_token_unique",
            "payments.checkout_token",
        ),
        (
            Constraint::ApiKeySecret,
            "api_keys_secret_hash_unique",
            "api_keys.secret_hash",
        ),
        (
            Constraint::IdempotencyKey,
            "idempotency_keys_pkey",
            "idempotency_keys.merchant_id, idempotency_keys.idempotency_key",
        ),
        (
            Constraint::RefundIdempotencyKey,
            "refunds_idempotency_key_unique",
            "refunds.merchant_id, refunds.idempotency_key",
        ),
        (
            Constraint::PayoutIdempotencyKey,
            "payouts_idempotency_key_unique",
            "payouts.merchant_id, payouts.idempotency_key",
        ),
        (
            Constraint::PayoutBatchIdempotencyKey,
            "payout_batches_idempotency_key_unique",
            "payout_batches.merchant_id, payout_batches.idempotency_key",
        ),
    ];

    /// Reads the constraint from its name, or from SQLite's message (which names columns).
    fn identify(name: Option<&str>, message: &str) -> Option<Self> {
        let columns = message.strip_prefix("UNIQUE constraint failed: ");
        Self::ALL
            .iter()
            .find(|(_, n, cols)| name == Some(*n) || columns == Some(*cols))
            .map(|(c, _, _)| *c)
    }
}

/// The unique constraint a database error violated, if it is one Dalal knows. Errors map to
/// answers by constraint, never by "any unique violation means X".
pub fn violated_constraint(err: &sqlx::Error) -> Option<Constraint> {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            Constraint::identify(db.constraint(), db.message())
        }
        _ => None,
    }
}

/// Rows per value of a status column, for `/metrics`.
pub async fn count_by(
    pool: &Pool,
    table: &'static str,
    column: &'static str,
) -> anyhow::Result<Vec<(String, i64)>> {
    // `table` and `column` are compile-time constants of this crate, never input.
    let sql = format!("SELECT {column}, COUNT(*) FROM {table} GROUP BY {column} ORDER BY {column}");
    on!(pool, |e| sqlx::query_as(&sql).fetch_all(e).await)
        .with_context(|| format!("failed to count {table} by {column}"))
}
