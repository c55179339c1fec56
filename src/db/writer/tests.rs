use super::*;
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::str::FromStr;

const INSERT: &str = "INSERT INTO notes (body) VALUES ($1) RETURNING id";

/// A database file with a `notes` table, a writer on it and a pool to read it with.
async fn database() -> (tempfile::TempDir, Writer, sqlx::SqlitePool) {
    let dir = tempfile::tempdir().unwrap();
    let options =
        SqliteConnectOptions::from_str(&format!("sqlite://{}/w.db", dir.path().display()))
            .unwrap()
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let readers = SqlitePoolOptions::new()
        .connect_with(options.clone())
        .await
        .unwrap();
    sqlx::query("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
        .execute(&readers)
        .await
        .unwrap();
    let writer = Writer::start(SqliteConnection::connect_with(&options).await.unwrap());
    (dir, writer, readers)
}

fn note(body: &str) -> Values {
    Values::default().text(body)
}

async fn stored(readers: &sqlx::SqlitePool, body: &str) -> bool {
    sqlx::query("SELECT 1 FROM notes WHERE body = $1")
        .bind(body)
        .fetch_optional(readers)
        .await
        .unwrap()
        .is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_share_transactions_and_are_stored_when_answered() {
    let (_dir, writer, readers) = database().await;
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let (writer, readers) = (writer.clone(), readers.clone());
            tokio::spawn(async move {
                let body = format!("note {i}");
                let rows = writer.write(INSERT, note(&body)).await.unwrap();
                // Answered means committed: another connection sees it.
                assert!(
                    stored(&readers, &body).await,
                    "{body} answered before it was stored"
                );
                rows[0].get::<i64, _>(0)
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 64, "each write gets its own row");
    let (writes, batches) = writer.counts();
    assert_eq!(writes, 64);
    assert!(
        batches < 64,
        "64 concurrent writes took {batches} transactions"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_write_fails_alone_and_its_batch_is_written() {
    let (_dir, writer, readers) = database().await;
    writer.write(INSERT, note("taken")).await.unwrap();
    // Another connection holds the write lock: the writer's next batch waits for it while
    // the other writes queue up, so that they make one batch together.
    let mut blocker = readers.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let first = tokio::spawn({
        let writer = writer.clone();
        async move { writer.write(INSERT, note("first")).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let queued: Vec<_> = ["a", "b", "taken", "c", "d"]
        .into_iter()
        .map(|body| {
            let writer = writer.clone();
            tokio::spawn(async move { (body, writer.write(INSERT, note(body)).await) })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    sqlx::query("COMMIT").execute(&mut *blocker).await.unwrap();
    drop(blocker);
    assert!(first.await.unwrap().is_ok());
    for task in queued {
        let (body, outcome) = task.await.unwrap();
        if body == "taken" {
            let Err(err) = outcome else {
                panic!("a duplicate must fail")
            };
            let unique = err
                .as_database_error()
                .is_some_and(|e| e.is_unique_violation());
            assert!(unique, "{err}");
        } else {
            assert!(outcome.is_ok(), "{body}: {:?}", outcome.err());
            assert!(
                stored(&readers, body).await,
                "{body} was lost with the duplicate"
            );
        }
    }
    // "taken", "first", then the five together (tried once as a batch).
    assert_eq!(writer.counts(), (7, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_that_never_gets_the_write_lock_fails_at_once_not_write_by_write() {
    let (dir, _, readers) = database().await;
    let options =
        SqliteConnectOptions::from_str(&format!("sqlite://{}/w.db", dir.path().display()))
            .unwrap()
            .busy_timeout(std::time::Duration::from_millis(100));
    let writer = Writer::start(SqliteConnection::connect_with(&options).await.unwrap());
    let mut blocker = readers.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    // The first write waits alone for the lock; the three sent meanwhile make one batch.
    let first = tokio::spawn({
        let writer = writer.clone();
        async move { writer.write(INSERT, note("first")).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let started = std::time::Instant::now();
    let queued: Vec<_> = ["a", "b", "c"]
        .into_iter()
        .map(|body| {
            let writer = writer.clone();
            tokio::spawn(async move { writer.write(INSERT, note(body)).await })
        })
        .collect();
    let busy = first.await.unwrap().err().expect("the lock is taken");
    assert!(lock_taken(&busy), "{busy}");
    for task in queued {
        let outcome = task.await.unwrap();
        assert!(
            matches!(outcome, Err(sqlx::Error::PoolTimedOut)),
            "{:?}",
            outcome.err()
        );
    }
    // One busy timeout for the batch, not one more for each of its writes.
    assert!(
        started.elapsed() < std::time::Duration::from_millis(350),
        "{:?}",
        started.elapsed()
    );
    sqlx::query("ROLLBACK")
        .execute(&mut *blocker)
        .await
        .unwrap();
    assert!(!stored(&readers, "a").await);
}

#[test]
fn placeholders_move_past_the_writes_before() {
    let mut out = String::new();
    shift_placeholders(
        "INSERT INTO t VALUES ($1, $2, $10); SELECT $2",
        36,
        &mut out,
    );
    assert_eq!(out, "INSERT INTO t VALUES ($37, $38, $46); SELECT $38");
    assert_eq!(statements("INSERT INTO t VALUES ($1);\n SELECT 1"), 2);
}

#[tokio::test]
async fn closing_commits_what_is_queued_then_refuses_writes() {
    let (_dir, writer, readers) = database().await;
    let queued = tokio::spawn({
        let writer = writer.clone();
        async move { writer.write(INSERT, note("before")).await }
    });
    tokio::task::yield_now().await;
    writer.close().await;
    assert!(queued.await.unwrap().is_ok());
    assert!(stored(&readers, "before").await);
    let refused = writer.write(INSERT, note("after")).await;
    assert!(
        matches!(refused, Err(sqlx::Error::PoolClosed)),
        "{:?}",
        refused.err()
    );
}
