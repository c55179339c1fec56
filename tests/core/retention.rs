//! Old records are pruned in the background; SQLite's write-ahead log stays bounded.

use crate::helpers::*;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[tokio::test]
async fn idempotency_records_live_a_day_then_the_key_may_be_used_again() {
    let app = spawn_app().await;
    let body = json!({"type": "checkout", "amount": 5000, "externalReference": "RET-1"});
    let first = app
        .initiate_with_key(DEMO_KEY, Some("ret-key"), &body)
        .await;
    assert_eq!(first.status, 201);
    let replay = app
        .initiate_with_key(DEMO_KEY, Some("ret-key"), &body)
        .await;
    assert_eq!(replay.headers["idempotent-replayed"], "true");

    let settings = &app.state.settings.retention;
    let pool = &app.state.pool;
    app.clock.advance_ms(23 * 3_600_000);
    let pruned = dalal::retention::prune(pool, &app.state.clock, settings)
        .await
        .unwrap();
    assert_eq!(pruned.idempotency, 0, "kept for 24 hours");
    app.clock.advance_ms(2 * 3_600_000);
    let pruned = dalal::retention::prune(pool, &app.state.clock, settings)
        .await
        .unwrap();
    assert_eq!(pruned.idempotency, 1);
    let again = app
        .initiate_with_key(DEMO_KEY, Some("ret-key"), &body)
        .await;
    assert_eq!(again.status, 201);
    assert!(
        again.headers.get("idempotent-replayed").is_none(),
        "a new payment"
    );
    assert_ne!(
        again.json()["data"]["transactionId"],
        first.json()["data"]["transactionId"]
    );
}

#[tokio::test]
async fn old_webhook_tries_and_sandbox_sessions_are_pruned_in_batches() {
    let app = spawn_app_with(&[("retention.batch", "2")]).await;
    // Three paid payments whose webhooks go nowhere: three sandbox sessions, three failed tries.
    for i in 0..3 {
        let data = app
            .create(json!({"type": "checkout", "amount": 5000, "country": "SN",
                "externalReference": format!("RET-{i}"), "callbackUrl": "http://127.0.0.1:9/hooks"}))
            .await;
        app.state
            .payments
            .choose_method(
                &token_of(&data),
                card_choice(dalal::domain::Country::Sn, "4242424242424242"),
            )
            .await
            .unwrap();
    }
    assert_eq!(app.state.webhooks.deliver_due().await.unwrap(), 3);
    let count = |table: &'static str| {
        let pool = app.state.pool.clone();
        async move {
            let (n,): (i64,) = dalal::on!(&pool, |e| sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(e)
                .await)
                .unwrap();
            n
        }
    };
    assert_eq!(count("webhook_attempts").await, 3);
    assert_eq!(count("sandbox_sessions").await, 3);

    let settings = &app.state.settings.retention;
    app.clock.advance_ms(31 * 86_400_000);
    let pruned = dalal::retention::prune(&app.state.pool, &app.state.clock, settings)
        .await
        .unwrap();
    assert_eq!(pruned.webhook_attempts, 3, "two batches of two");
    assert_eq!(pruned.sandbox_sessions, 0, "sandbox sessions live 90 days");
    assert_eq!(count("webhook_attempts").await, 0);
    assert_eq!(count("webhook_deliveries").await, 3, "deliveries stay");
    app.clock.advance_ms(60 * 86_400_000);
    let pruned = dalal::retention::prune(&app.state.pool, &app.state.clock, settings)
        .await
        .unwrap();
    assert_eq!(pruned.sandbox_sessions, 3);
    assert_eq!(count("payments").await, 3, "payments are never pruned");
}

#[tokio::test]
async fn sqlite_the_write_ahead_log_is_cut_back_after_a_load() {
    let limit: u64 = 256 * 1024;
    let app = spawn_app_with(&[("database.wal_size_limit_bytes", "262144")]).await;
    let pool = &app.state.pool;
    let wal = wal_file(pool).await;
    // A long reader keeps checkpoints from resetting the log while 3 000 payments are written,
    // as a slow report would under sustained load.
    let mut reader = pool.begin().await.unwrap();
    let _: (i64,) = dalal::on!(&mut reader, |e| sqlx::query_as("SELECT COUNT(*) FROM payments")
        .fetch_one(e)
        .await)
        .unwrap();
    for i in 0..3_000 {
        app.state
            .payments
            .create(
                dalal::merchants::DEMO_MERCHANT_ID,
                dalal::payments::Mode::Test,
                checkout_payment(i, "WAL"),
            )
            .await
            .unwrap();
    }
    let grown = std::fs::metadata(&wal).unwrap().len();
    assert!(
        grown > limit,
        "the log grew past the limit under the reader: {grown}"
    );
    // While the reader stays, a checkpoint cannot finish: it gives up at once, and a payment
    // written meanwhile does not wait for it.
    let started = std::time::Instant::now();
    assert!(!dalal::db::checkpoint(pool).await.unwrap());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "it did not wait"
    );
    let data = app
        .create(json!({"type": "checkout", "amount": 5000, "externalReference": "WAL-LAST"}))
        .await;
    assert!(data["transactionId"].is_string());
    reader.rollback().await.unwrap();
    // The checkpoint job's next pass folds the log back and cuts its file.
    assert!(
        dalal::db::checkpoint(pool).await.unwrap(),
        "the checkpoint completed"
    );
    let after = std::fs::metadata(&wal).unwrap().len();
    assert!(
        after <= limit,
        "the log is back under {limit} bytes: {after}"
    );
    assert_eq!(app.count_stored_payments().await, 3_001, "nothing lost");
}

/// The write-ahead log's file of the SQLite database behind `pool`.
async fn wal_file(pool: &dalal::db::Pool) -> std::path::PathBuf {
    let (file,): (String,) =
        dalal::on!(pool, |e| sqlx::query_as("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(e)
            .await)
            .unwrap();
    std::path::PathBuf::from(format!("{file}-wal"))
}

/// A checkout payment of the demo merchant, `{prefix}-{i}`, with a 200-character description.
fn checkout_payment(i: i64, prefix: &str) -> dalal::payments::NewPayment {
    dalal::payments::NewPayment {
        dialect: dalal::payments::Dialect::CaurisFlux,
        kind: dalal::payments::NewPaymentKind::Checkout {
            country: None,
            phone: None,
        },
        amount: dalal::domain::Money::new(1000 + i, dalal::domain::Currency::Xof).unwrap(),
        external_reference: format!("{prefix}-{i}"),
        customer_name: Some("Awa Ndiaye".into()),
        customer_email: None,
        description: Some("x".repeat(200)),
        callback_url: None,
        return_url: None,
        cancel_url: None,
        metadata: None,
        expires_in_secs: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_write_ahead_log_stays_short_under_sustained_load() {
    const PAYMENTS: i64 = 6_000;
    const BOUND: u64 = 32 * 1024 * 1024;
    let app = spawn_app_with(&[("database.wal_size_limit_bytes", "262144")]).await;
    let pool = app.state.pool.clone();
    let wal = wal_file(&pool).await;
    let done = Arc::new(AtomicBool::new(false));
    let stop = |done: &AtomicBool| done.load(Ordering::Relaxed);
    // Readers never stop, as customers' pages polling their payments would: SQLite's own
    // checkpoints then never start the log over, and it grew by every commit.
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (pool, done) = (pool.clone(), done.clone());
            tokio::spawn(async move {
                while !stop(&done) {
                    let _: (i64,) = dalal::on!(&pool, |e| sqlx::query_as(
                        "SELECT COUNT(*) FROM payments WHERE id > (SELECT COALESCE(MAX(id), 0) - 20 FROM payments)"
                    )
                    .fetch_one(e)
                    .await)
                    .unwrap();
                }
            })
        })
        .collect();
    let watcher = {
        let (wal, done) = (wal.clone(), done.clone());
        tokio::spawn(async move {
            let mut longest = 0;
            while !stop(&done) {
                longest = longest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            longest
        })
    };
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let payments = app.state.payments.clone();
            tokio::spawn(async move {
                for i in (w..PAYMENTS).step_by(8) {
                    payments
                        .create(
                            dalal::merchants::DEMO_MERCHANT_ID,
                            dalal::payments::Mode::Test,
                            checkout_payment(i, "LOAD"),
                        )
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, Ordering::Relaxed);
    for reader in readers {
        reader.await.unwrap();
    }
    let longest = watcher.await.unwrap();
    // Each payment's commit appends a 4 KB frame for every page it changes: its row's and one
    // in each of the table's six indexes. The load wrote at least 172 MB to the log, five times
    // the bound (without `restart_log` the file reached 234 MB; with it, 15 to 20 MB).
    assert!(PAYMENTS as u64 * 7 * 4096 > 5 * BOUND);
    assert!(
        longest <= BOUND,
        "the log's file stayed under {BOUND} bytes under load: it reached {longest}"
    );
    assert_eq!(app.count_stored_payments().await, PAYMENTS);
}
