//! SQLite's own care: the connection (write-ahead log, busy handler), checkpoints, and starting
//! the log over under sustained load. PostgreSQL needs none of it (`super::checkpoint` and
//! `super::restart_log` do nothing there).

use super::{ACQUIRE_TIMEOUT, BUSY_TIMEOUT, Pool};
use crate::config::DatabaseSettings;
use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// SQLite in WAL mode so readers never wait for the writer; each connection waits for the write
/// lock with `wait_for_writers_briefly`.
pub(super) async fn connect_sqlite(settings: &DatabaseSettings) -> anyhow::Result<sqlx::SqlitePool> {
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
        )
        // The log is kept short by `restart_log`, off the requests' path; SQLite's own
        // checkpoint after a commit stays as a safety net, for a log 16 times longer.
        .pragma(
            "wal_autocheckpoint",
            (16 * RESTART_AFTER_FRAMES).to_string(),
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
    set_busy_handler(conn, busy_handler, BUSY_TIMEOUT).await
}

type BusyHandler = extern "C" fn(*mut std::ffi::c_void, std::ffi::c_int) -> std::ffi::c_int;

/// Sets a connection's busy handler: `handler`, giving up after `timeout` in all.
async fn set_busy_handler(
    conn: &mut sqlx::SqliteConnection,
    handler: BusyHandler,
    timeout: Duration,
) -> Result<(), sqlx::Error> {
    let mut handle = conn.lock_handle().await?;
    // The handler's data pointer carries no address, only the timeout in microseconds.
    let timeout_us = usize::try_from(timeout.as_micros()).unwrap_or(usize::MAX);
    // SAFETY: the handle is locked out of its worker thread for the call, and the handler never
    // dereferences its data pointer (it reads the pointer's value as a number).
    let status = unsafe {
        libsqlite3_sys::sqlite3_busy_handler(
            handle.as_raw_handle().as_ptr(),
            Some(handler),
            std::ptr::without_provenance_mut(timeout_us),
        )
    };
    if status != libsqlite3_sys::SQLITE_OK {
        return Err(sqlx::Error::Protocol(format!(
            "sqlite3_busy_handler failed: {status}"
        )));
    }
    Ok(())
}

/// The wait before try number `tries` (0-based) for a lock, and whether to try again before
/// `timeout` is spent.
fn busy_pause(tries: i32, timeout: Duration) -> Option<Duration> {
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
    (u128::from(waited_us) < timeout.as_micros())
        .then(|| Duration::from_micros((SHORTEST_US << tries.min(5)).min(LONGEST_US)))
}

extern "C" fn busy_handler(
    timeout_us: *mut std::ffi::c_void,
    tries: std::ffi::c_int,
) -> std::ffi::c_int {
    let timeout = Duration::from_micros(timeout_us.addr() as u64);
    match busy_pause(tries, timeout) {
        Some(pause) => {
            std::thread::sleep(pause);
            1
        }
        None => 0,
    }
}

/// The restarting checkpoint's busy handler: it tries again every `EAGER_PAUSE` until `timeout`
/// has passed since its first try (measured, not counted: a 20 µs sleep takes longer). Writers
/// back off to 1 ms between tries; under sustained load the write lock is free only for
/// moments, and a checkpoint that backed off as they do would seldom find it free.
extern "C" fn eager_busy_handler(
    timeout_us: *mut std::ffi::c_void,
    tries: std::ffi::c_int,
) -> std::ffi::c_int {
    thread_local! {
        // Each sqlx connection has its own thread: its waits never interleave.
        static FIRST_TRY: std::cell::Cell<Option<std::time::Instant>> =
            const { std::cell::Cell::new(None) };
    }
    let now = std::time::Instant::now();
    let first = if tries == 0 {
        FIRST_TRY.set(Some(now));
        now
    } else {
        FIRST_TRY.get().unwrap_or(now)
    };
    if now.duration_since(first).as_micros() >= timeout_us.addr() as u128 {
        return 0;
    }
    std::thread::sleep(EAGER_PAUSE);
    1
}

const EAGER_PAUSE: Duration = Duration::from_micros(20);

/// Folds the write-ahead log back into the database and truncates its file, if that can be done
/// at once (SQLite's `wal_checkpoint(TRUNCATE)` on a connection that does not wait: a checkpoint
/// that waits for a long reader holds every writer back, and payments would fail with
/// "database is locked"). Returns whether it completed; if not, the next pass tries again, and
/// meanwhile `journal_size_limit` caps the file whenever SQLite starts the log over.
/// PostgreSQL keeps its own log bounded: there, nothing to do.
pub async fn checkpoint(pool: &Pool) -> anyhow::Result<bool> {
    let Pool::Sqlite(pool, _) = pool else {
        return Ok(true);
    };
    let conn = pool
        .acquire()
        .await
        .context("failed to get a connection to checkpoint")?;
    checkpoint_on(conn, "TRUNCATE", busy_handler, Duration::ZERO).await
}

/// Runs `PRAGMA wal_checkpoint(mode)` on `conn` with `handler` as its busy handler, giving up
/// after `timeout`, then gives the connection its usual handler back. Returns whether the
/// checkpoint completed (false: a reader or a writer was in the way).
async fn checkpoint_on(
    mut conn: sqlx::pool::PoolConnection<sqlx::Sqlite>,
    mode: &'static str,
    handler: BusyHandler,
    timeout: Duration,
) -> anyhow::Result<bool> {
    use sqlx::Connection as _;
    set_busy_handler(&mut conn, handler, timeout)
        .await
        .context("failed to set the checkpoint's busy handler")?;
    let result: Result<(i64, i64, i64), sqlx::Error> =
        sqlx::query_as(&format!("PRAGMA wal_checkpoint({mode})"))
            .fetch_one(&mut *conn)
            .await;
    if wait_for_writers_briefly(&mut conn).await.is_err() {
        // Never hand a connection that gives up so soon back to the pool.
        let _ = conn.detach().close().await;
    }
    match result {
        Ok((busy, _, _)) => Ok(busy == 0),
        Err(e) if lock_taken(&e) => Ok(false),
        Err(e) => {
            Err(e).with_context(|| format!("failed to checkpoint the write-ahead log ({mode})"))
        }
    }
}

/// How long a restarting checkpoint (`restart_log`) may hold writers back waiting for readers.
const RESTART_WAIT: Duration = Duration::from_millis(50);

/// Past this many frames (4 KB pages) in the write-ahead log, `restart_log` starts it over, at
/// most (SQLite's own threshold for a checkpoint).
const RESTART_AFTER_FRAMES: i64 = 1_000;

/// How many frames `restart_log` lets the log reach before starting it over: a quarter of
/// `database.wal_size_limit_bytes` (so the log's file seldom grows past it between two looks,
/// and is seldom cut back), at least 16 and at most `RESTART_AFTER_FRAMES`.
pub fn restart_after_frames(wal_size_limit_bytes: u64) -> i64 {
    let quarter = i64::try_from(wal_size_limit_bytes / 4 / 4096).unwrap_or(i64::MAX);
    quarter.clamp(16, RESTART_AFTER_FRAMES)
}

/// What `restart_log` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogRestart {
    /// The log was short (or the database is PostgreSQL): nothing to start over.
    Short,
    /// The log was started over.
    Restarted,
    /// A reader, a writer or another checkpoint was in the way: better luck after a pause.
    Busy,
}

/// Folds the write-ahead log back into the database and starts it over from its first frame,
/// once it has `after_frames` frames (`restart_after_frames`), so that it stays short under
/// sustained load.
///
/// SQLite's own checkpoints, which the committing connection runs when the log passes 1 000
/// frames, copy frames back but never start the log over while any connection reads: under
/// sustained load some always does, and the log grew past 2 GB in 16 s of the benchmark, every
/// commit appending to an ever longer file and every page read searching an ever larger index
/// ("checkpoint starvation"). Here a first checkpoint copies what it can without holding anyone
/// back (`PASSIVE`); then, if the log is long, a `RESTART` checkpoint takes the write lock,
/// copies the few frames written meanwhile and waits for readers to move to the database file,
/// and the next commit writes from the log's start (its file cut back to `journal_size_limit`
/// if it had grown past). It gives up after `RESTART_WAIT`: writers waited that long at most.
pub async fn restart_log(pool: &Pool, after_frames: i64) -> anyhow::Result<LogRestart> {
    let Pool::Sqlite(pool, _) = pool else {
        return Ok(LogRestart::Short);
    };
    let mut conn = pool
        .acquire()
        .await
        .context("failed to get a connection to checkpoint")?;
    let (_, frames, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&mut *conn)
        .await
        .context("failed to checkpoint the write-ahead log")?;
    if frames < after_frames {
        return Ok(LogRestart::Short);
    }
    let restarted = checkpoint_on(conn, "RESTART", eager_busy_handler, RESTART_WAIT).await?;
    Ok(if restarted {
        LogRestart::Restarted
    } else {
        LogRestart::Busy
    })
}

/// Whether SQLite answered `SQLITE_BUSY` or `SQLITE_LOCKED` (in any of their extended forms):
/// someone else held what the statement needed for as long as it was allowed to wait.
pub(super) fn lock_taken(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_starts_over_at_a_quarter_of_its_size_limit_within_bounds() {
        assert_eq!(restart_after_frames(64 * 1024 * 1024), 1_000);
        assert_eq!(restart_after_frames(1024 * 1024), 64);
        assert_eq!(restart_after_frames(0), 16);
    }

    #[test]
    fn the_eager_busy_handler_gives_up_once_its_timeout_has_passed() {
        let timeout = std::ptr::without_provenance_mut(5_000);
        let started = std::time::Instant::now();
        let tries = (0..)
            .take_while(|&t| eager_busy_handler(timeout, t) == 1)
            .count();
        let waited = started.elapsed();
        assert!(tries > 10, "it tried often: {tries}");
        assert!(
            waited >= Duration::from_millis(5) && waited < Duration::from_millis(50),
            "{waited:?}"
        );
    }

    #[test]
    fn the_busy_handler_waits_briefly_and_gives_up_after_the_timeout() {
        let pause = |tries| busy_pause(tries, BUSY_TIMEOUT);
        assert_eq!(pause(0), Some(Duration::from_micros(50)));
        assert_eq!(pause(4), Some(Duration::from_micros(800)));
        assert_eq!(pause(5), Some(Duration::from_millis(1)));
        let total: Duration = (0..).map_while(pause).sum();
        assert!(
            total >= BUSY_TIMEOUT && total <= BUSY_TIMEOUT + Duration::from_millis(2),
            "{total:?}"
        );
    }
}
