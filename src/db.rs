//! The database: the pool, migrations, and every SQL statement Dalal runs (one module per table
//! family). SQL is written to run unchanged on PostgreSQL: `$n` placeholders, `RETURNING`,
//! `ON CONFLICT`, integer times.

pub mod attempts;
pub mod gateways;
pub mod idempotency;
pub mod merchants;
pub mod payments;
pub mod sandbox;
pub mod webhooks;

use crate::config::DatabaseSettings;
use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

pub type Pool = sqlx::SqlitePool;
pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

/// Opens the database, creating the SQLite file if needed, in WAL mode so readers never wait
/// for the writer.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<Pool> {
    let options = SqliteConnectOptions::from_str(&settings.url)
        .with_context(|| format!("database.url is not a valid SQLite URL: {}", settings.url))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .context("failed to open the database")
}

/// Applies the migrations in `migrations/`; start-up stops if one fails.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    sqlx::migrate!("./migrations")
        .run(pool)
        .await
        .context("failed to apply database migrations")
}

pub async fn ping(pool: &Pool) -> anyhow::Result<()> {
    sqlx::query("SELECT 1")
        .execute(pool)
        .await
        .context("failed to reach the database")?;
    Ok(())
}

/// The name of the constraint a database error violated, if it is one. Errors map to API answers
/// by constraint name, not by matching message text.
pub fn violated_constraint(err: &sqlx::Error) -> Option<&str> {
    match err {
        sqlx::Error::Database(db) if db.is_unique_violation() => db.constraint().or(Some("unique")),
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
    sqlx::query_as(&sql)
        .fetch_all(pool)
        .await
        .with_context(|| format!("failed to count {table} by {column}"))
}
