//! SQLite's group commit: the hot inserts of concurrent requests (a payment with its idempotency
//! record, a sandbox provider session) are written by one task, on one connection, in one
//! transaction per batch.
//!
//! SQLite has a single writer. With every request writing on its own pooled connection, each
//! insert is its own transaction: the write lock is handed from thread to thread, every commit
//! appends the same hot pages (the tables' last leaves, their indexes) to the log again, and a
//! connection whose cache another's commit made stale reads its pages anew. Here the writes that
//! arrive while a batch commits wait for the next one, so under load a batch holds several, and
//! when there is no load a batch is one write, committed at once: no write waits for a timer.
//!
//! A write is answered only once its batch is committed: a payment the merchant is told about is
//! stored. If any write of a batch fails (a duplicate key, say), the batch is rolled back and each
//! of its writes is run again in a transaction of its own, so a write fails only for itself.
//! Measured on `tests/bench/initiate.rs`'s floor rewritten this way (an experiment, not kept: the
//! floor stays the bare handler; 16 connections, batches of ~8): 64 µs of CPU per insert instead
//! of 154, at twice the throughput.
//!
//! PostgreSQL commits concurrent transactions together on its own: it has no writer.

use super::Values;
use super::sqlite::lock_taken;
use futures_util::TryStreamExt;
use sqlx::Either;
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Connection, Executor, SqliteConnection};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot};

/// The most writes one transaction holds: enough for every connection a load balancer keeps
/// open to one instance, few enough that a batch commits in about a millisecond.
const MAX_BATCH: usize = 32;
/// Writes waiting for the writer before a new one waits to be queued (back-pressure).
const QUEUE: usize = 1024;

/// The handle requests write through: cheap to clone.
#[derive(Clone, Debug)]
pub struct Writer {
    messages: mpsc::Sender<Message>,
    counts: Arc<Counts>,
}

/// What the writer has done since it started.
#[derive(Debug, Default)]
struct Counts {
    writes: AtomicU64,
    batches: AtomicU64,
}

enum Message {
    Write(Write),
    /// Commit what is queued, close the connection, then answer.
    Close(oneshot::Sender<()>),
}

/// One statement that writes, perhaps followed by statements that only read (separated by `;`,
/// bound with the same `$n` values), and who waits for its rows.
struct Write {
    sql: &'static str,
    values: Values,
    answer: oneshot::Sender<Result<Vec<SqliteRow>, sqlx::Error>>,
}

impl Writer {
    /// Starts the writer task on `conn`, a connection of its own (its busy handler set).
    pub fn start(conn: SqliteConnection) -> Self {
        let (messages, inbox) = mpsc::channel(QUEUE);
        let counts = Arc::new(Counts::default());
        tokio::spawn(run(conn, inbox, counts.clone()));
        Self { messages, counts }
    }

    /// Runs `sql` with `values` in the next batch and answers its rows once that batch is
    /// committed.
    pub async fn write(
        &self,
        sql: &'static str,
        values: Values,
    ) -> Result<Vec<SqliteRow>, sqlx::Error> {
        let (answer, answered) = oneshot::channel();
        let write = Write {
            sql,
            values,
            answer,
        };
        self.messages
            .send(Message::Write(write))
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        answered.await.map_err(|_| sqlx::Error::PoolClosed)?
    }

    /// Commits the writes already queued, then closes the writer's connection. Later writes fail
    /// with `PoolClosed`, as statements on a closed pool do.
    pub async fn close(&self) {
        let (closed, done) = oneshot::channel();
        if self.messages.send(Message::Close(closed)).await.is_ok() {
            let _ = done.await;
        }
    }

    /// How many writes it committed or failed, and in how many batches.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.counts.writes.load(Ordering::Relaxed),
            self.counts.batches.load(Ordering::Relaxed),
        )
    }
}

async fn run(mut conn: SqliteConnection, mut inbox: mpsc::Receiver<Message>, counts: Arc<Counts>) {
    let mut messages = Vec::with_capacity(MAX_BATCH);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while inbox.recv_many(&mut messages, MAX_BATCH).await > 0 {
        let mut closing = None;
        for message in messages.drain(..) {
            match message {
                Message::Write(write) if closing.is_none() => batch.push(write),
                // Sent after the close: its sender sees the pool closed.
                Message::Write(_) => {}
                Message::Close(closed) => closing = Some(closed),
            }
        }
        if !batch.is_empty() {
            counts.batches.fetch_add(1, Ordering::Relaxed);
            counts
                .writes
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            commit(&mut conn, &mut batch).await;
        }
        if let Some(closed) = closing {
            inbox.close();
            let _ = conn.close().await;
            let _ = closed.send(());
            return;
        }
    }
}

/// Writes `batch` in one transaction and answers each write; if that fails, each write on its
/// own.
async fn commit(conn: &mut SqliteConnection, batch: &mut Vec<Write>) {
    let outcome = match batch.as_slice() {
        [write] => alone(conn, write).await.map(|rows| vec![rows]),
        _ => together(conn, batch).await,
    };
    match outcome {
        Ok(rows) => {
            for (write, rows) in batch.drain(..).zip(rows) {
                let _ = write.answer.send(Ok(rows));
            }
        }
        // The write lock stayed taken for the whole busy timeout: writing each alone would
        // wait that long again for each. Every write of the batch fails as a statement does
        // that waited too long for the database.
        Err(err) if batch.len() > 1 && lock_taken(&err) => {
            tracing::warn!(error = %err, writes = batch.len(), "the database stayed locked: a batch of writes failed");
            for write in batch.drain(..) {
                let _ = write.answer.send(Err(sqlx::Error::PoolTimedOut));
            }
        }
        Err(_) if batch.len() > 1 => {
            for write in batch.drain(..) {
                let outcome = alone(conn, &write).await;
                let _ = write.answer.send(outcome);
            }
        }
        Err(err) => {
            let _ = batch.remove(0).answer.send(Err(err));
        }
    }
}

/// One write, committed by itself.
async fn alone(conn: &mut SqliteConnection, write: &Write) -> Result<Vec<SqliteRow>, sqlx::Error> {
    let mut args = SqliteArguments::default();
    write.values.add_to(&mut args)?;
    sqlx::query_with(write.sql, args).fetch_all(conn).await
}

/// The writes' rows, all committed together, or the first error (nothing of the batch written).
///
/// The batch goes to the connection's thread as one command — `BEGIN IMMEDIATE`, each write's
/// statements with their `$n` moved past the values of the writes before, `COMMIT` — so it costs
/// one round trip, not one per write. `BEGIN IMMEDIATE` takes the write lock first (waiting in
/// the busy handler), so no write finds it taken halfway. The writes are sorted by statement so
/// that a batch of the same kinds and numbers of writes is the same command, prepared once.
async fn together(
    conn: &mut SqliteConnection,
    batch: &mut [Write],
) -> Result<Vec<Vec<SqliteRow>>, sqlx::Error> {
    batch.sort_by_key(|write| write.sql.as_ptr());
    let mut sql = String::from("BEGIN IMMEDIATE;\n");
    let mut args = SqliteArguments::default();
    let mut bound = 0;
    for write in batch.iter() {
        shift_placeholders(write.sql, bound, &mut sql);
        sql.push_str(";\n");
        bound += write.values.add_to(&mut args)?;
    }
    sql.push_str("COMMIT");
    let steps: Result<Vec<_>, _> = conn
        .fetch_many(sqlx::query_with(&sql, args))
        .try_collect()
        .await;
    let steps = match steps {
        Ok(steps) => steps,
        Err(err) => {
            // Whatever ran of the batch is undone (if `BEGIN` itself failed, there is nothing
            // to roll back, and this fails too).
            let _ = conn.execute("ROLLBACK").await;
            return Err(err);
        }
    };
    // Each statement ends with its result (`Left`), after its rows (`Right`): `BEGIN`, then
    // each write's statements, then `COMMIT`.
    let mut steps = steps.into_iter().skip(1);
    let mut rows = Vec::with_capacity(batch.len());
    for write in batch.iter() {
        let mut own = Vec::new();
        for _ in 0..statements(write.sql) {
            for step in steps.by_ref() {
                match step {
                    Either::Right(row) => own.push(row),
                    Either::Left(_) => break,
                }
            }
        }
        rows.push(own);
    }
    Ok(rows)
}

/// How many statements `sql` holds (they are separated by `;`, which Dalal's statements use
/// nowhere else).
fn statements(sql: &str) -> usize {
    sql.split(';').filter(|s| !s.trim().is_empty()).count()
}

/// Appends `sql` to `out` with each `$n` placeholder made `$(n + by)`.
fn shift_placeholders(sql: &str, by: usize, out: &mut String) {
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + by).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests;
