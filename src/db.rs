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
pub mod refunds;
pub mod retention;
pub mod sandbox;
pub mod sessions;
pub mod users;
pub mod webhooks;

mod backend;

pub use backend::{Backend, Exec, Pool, Tx};

use crate::config::DatabaseSettings;
use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// How long a statement waits for SQLite's write lock, or PostgreSQL's row lock, before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a request waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the database `database.url` names: PostgreSQL for `postgres://` and `postgresql://`
/// URLs, else SQLite (the file is created if needed).
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Pool> {
    match Backend::of_url(&settings.url) {
        Backend::Sqlite => connect_sqlite(settings).await.map(Pool::Sqlite),
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

/// SQLite in WAL mode so readers never wait for the writer; each connection waits for the write
/// lock with `wait_for_writers_briefly`.
async fn connect_sqlite(settings: &DatabaseSettings) -> anyhow::Result<sqlx::SqlitePool> {
    let options = SqliteConnectOptions::from_str(&settings.url)
        .with_context(|| format!("database.url is not a valid SQLite URL: {}", settings.url))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        // After a checkpoint resets the write-ahead log, cut its file back to this size.
        .pragma(
            "journal_size_limit",
            settings.wal_size_limit_bytes.to_string(),
        );
    SqlitePoolOptions::new()
        .max_connections(settings.max_connections)
        .after_connect(|conn, _| Box::pin(async move { wait_for_writers_briefly(conn).await }))
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // A connection to a file has no network to lose between uses: checking it before each
        // use would cost a round trip to its thread on every statement.
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .context("failed to open the database")
}

/// Replaces SQLite's busy handler on a connection with one that retries every 50 µs to 1 ms.
///
/// With `busy_timeout`, a connection that finds the write lock taken sleeps 1, 2, 5, 10, … then
/// 100 ms between tries: under many concurrent payments the lock is often free while every
/// writer sleeps, which costs throughput and makes the slowest requests wait tens of ms for a
/// lock held a fraction of one. The total wait stays `BUSY_TIMEOUT`. Each sqlx SQLite
/// connection runs on its own thread, so the short sleeps block no async task.
async fn wait_for_writers_briefly(conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    // SAFETY: the handle is locked out of its worker thread for the call, and the handler is a
    // plain function without state (its data pointer is null).
    let status = unsafe {
        libsqlite3_sys::sqlite3_busy_handler(
            handle.as_raw_handle().as_ptr(),
            Some(busy_handler),
            std::ptr::null_mut(),
        )
    };
    if status != libsqlite3_sys::SQLITE_OK {
        return Err(sqlx::Error::Protocol(format!("sqlite3_busy_handler failed: {status}")));
    }
    Ok(())
}

/// The wait before try number `tries` (0-based) for the write lock, and whether to try again.
fn busy_pause(tries: i32) -> Option<Duration> {
    const SHORTEST_US: u64 = 50;
    const LONGEST_US: u64 = 1_000;
    // Five doublings reach the longest pause; after them, one pause per try until the timeout.
    let ramp_us: u64 = (0..5).map(|n| (SHORTEST_US << n).min(LONGEST_US)).sum();
    let tries = u64::try_from(tries).unwrap_or(0);
    let waited_us = if tries < 5 {
        (0..tries).map(|n| SHORTEST_US << n).sum()
    } else {
        ramp_us + (tries - 5) * LONGEST_US
    };
    (waited_us < BUSY_TIMEOUT.as_micros() as u64)
        .then(|| Duration::from_micros((SHORTEST_US << tries.min(5)).min(LONGEST_US)))
}

extern "C" fn busy_handler(_: *mut std::ffi::c_void, tries: std::ffi::c_int) -> std::ffi::c_int {
    match busy_pause(tries) {
        Some(pause) => {
            std::thread::sleep(pause);
            1
        }
        None => 0,
    }
}

/// Applies the migrations, `migrations/` on SQLite and `migrations/postgres/` on PostgreSQL (the
/// same schema: `tests/api/schema.rs` compares them); start-up stops if one fails.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    match pool {
        Pool::Sqlite(pool) => sqlx::migrate!("./migrations").run(pool).await,
        Pool::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
    }
    .context("failed to apply database migrations")
}

/// Folds the write-ahead log back into the database and truncates its file, if that can be done
/// at once (SQLite's `wal_checkpoint(TRUNCATE)` on a connection that does not wait: a checkpoint
/// that waits for a long reader holds every writer back, and payments would fail with
/// "database is locked"). Returns whether it completed; if not, the next pass tries again, and
/// meanwhile `journal_size_limit` caps the file whenever SQLite starts the log over.
/// PostgreSQL keeps its own log bounded: there, nothing to do.
pub async fn checkpoint(pool: &Pool) -> anyhow::Result<bool> {
    use sqlx::Connection as _;
    let Pool::Sqlite(pool) = pool else {
        return Ok(true);
    };
    let mut conn = pool
        .acquire()
        .await
        .context("failed to get a connection to checkpoint")?;
    sqlx::query("PRAGMA busy_timeout = 0")
        .execute(&mut *conn)
        .await
        .context("failed to set the checkpoint's busy timeout")?;
    let result: Result<(i64, i64, i64), sqlx::Error> =
        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await;
    let restored = wait_for_writers_briefly(&mut conn).await;
    if restored.is_err() {
        // Never hand a connection that does not wait back to the pool.
        let _ = conn.detach().close().await;
    }
    let (busy, _, _) = match result {
        Ok(row) => row,
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("5") => return Ok(false),
        Err(e) => return Err(e).context("failed to checkpoint the write-ahead log"),
    };
    Ok(busy == 0)
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
}

impl Constraint {
    const ALL: [(Constraint, &'static str, &'static str); 6] = [
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_handler_waits_briefly_and_gives_up_after_the_timeout() {
        assert_eq!(busy_pause(0), Some(Duration::from_micros(50)));
        assert_eq!(busy_pause(4), Some(Duration::from_micros(800)));
        assert_eq!(busy_pause(5), Some(Duration::from_millis(1)));
        let total: Duration = (0..).map_while(busy_pause).sum();
        assert!(
            total >= BUSY_TIMEOUT && total <= BUSY_TIMEOUT + Duration::from_millis(2),
            "{total:?}"
        );
    }
}
