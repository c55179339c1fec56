//! Several Dalal instances on one database, in one test process (README, "Running several
//! instances"): workers never take the same work at once, a try that outlived its lease counts for
//! nothing, racing choices, notifications and expiry sweeps act once, and a key replaced on one
//! instance stops working on the other within the cache's bound. Runs on SQLite and PostgreSQL.
//! Real processes: `processes.rs`.

use crate::helpers::*;
use dalal::clock::Clock;
use dalal::db::webhooks;
use dalal::domain::DeliveryStatus;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

/// A checkout payment whose webhooks go to `callback`, cancelled at once: one event to deliver.
async fn cancelled(app: &TestApp, n: i64, callback: &str) {
    let data = app
        .create(json!({"type": "checkout", "amount": 1_000 + n, "externalReference": format!("LEASE-{n}"),
            "callbackUrl": callback}))
        .await;
    app.state.payments.cancel(&token_of(&data)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_never_lease_the_same_delivery_or_attempt() {
    let a = spawn_app().await;
    let b = spawn_app_sharing(&a, &[]).await;
    // Nobody listens there: the deliveries stay due.
    for n in 0..60 {
        cancelled(
            if n % 2 == 0 { &a } else { &b },
            n,
            "http://127.0.0.1:9/hooks",
        )
        .await;
    }
    // MTN pushes sent at creation: open attempts the status checker will ask about.
    for n in 0..40 {
        let reply = a
            .initiate(&json!({"type": "direct", "provider": "mtn_momo", "country": "CI", "amount": 2_000 + n,
                "externalReference": format!("CHECK-{n}"), "customerPhone": "+2250501234567"}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let now = a.clock.now_ms() + 60_000;

    // Both instances take deliveries at once, five at a time, until none is left.
    let take_deliveries = |app: &TestApp| {
        let pool = app.state.pool.clone();
        tokio::spawn(async move {
            let mut taken = Vec::new();
            loop {
                let batch = webhooks::claim_due(&pool, now, now + 60_000, 5)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return taken;
                }
                taken.extend(batch.into_iter().map(|d| d.id));
            }
        })
    };
    let (x, y) = tokio::join!(take_deliveries(&a), take_deliveries(&b));
    let (x, y) = (x.unwrap(), y.unwrap());
    let all: BTreeSet<i64> = x.iter().chain(&y).copied().collect();
    assert_eq!(
        x.len() + y.len(),
        60,
        "each delivery taken once: {x:?} {y:?}"
    );
    assert_eq!(all.len(), 60);

    let take_attempts = |app: &TestApp| {
        let pool = app.state.pool.clone();
        tokio::spawn(async move {
            let mut taken = Vec::new();
            loop {
                let batch = dalal::db::attempts::claim_due_for_check(&pool, now, now + 30_000, 3)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return taken;
                }
                taken.extend(batch);
            }
        })
    };
    let (x, y) = tokio::join!(take_attempts(&a), take_attempts(&b));
    let (x, y) = (x.unwrap(), y.unwrap());
    let all: BTreeSet<&String> = x.iter().chain(&y).collect();
    assert_eq!(x.len() + y.len(), 40, "each attempt taken once");
    assert_eq!(all.len(), 40);
    // Leased, an attempt is nobody's to ask about until its lease ends; then it is due again.
    let pool = &a.state.pool;
    assert!(
        dalal::db::attempts::claim_due_for_check(pool, now + 29_999, now + 90_000, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let again = dalal::db::attempts::claim_due_for_check(pool, now + 30_000, now + 90_000, 100)
        .await
        .unwrap();
    assert_eq!(again.len(), 40);
}

#[tokio::test]
async fn a_webhook_try_that_outlived_its_lease_records_nothing() {
    let app = spawn_app().await;
    cancelled(&app, 1, "http://127.0.0.1:9/hooks").await;
    let pool = &app.state.pool;
    let now = app.clock.now_ms();
    let first = webhooks::claim_due(pool, now, now + 1_000, 10)
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        webhooks::claim_due(pool, now + 999, now + 2_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The first worker stalls past its lease; another takes the delivery.
    let second = webhooks::claim_due(pool, now + 1_000, now + 61_000, 10)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(first[0].id, second[0].id);
    let late = webhooks::record_attempt(
        pool,
        &first[0],
        now + 1_500,
        Some(200),
        3,
        None,
        DeliveryStatus::Delivered,
        None,
    )
    .await
    .unwrap();
    assert!(!late, "the stalled try is not recorded");
    let current = webhooks::record_attempt(
        pool,
        &second[0],
        now + 1_600,
        Some(500),
        3,
        None,
        DeliveryStatus::Pending,
        Some(now + 6_600),
    )
    .await
    .unwrap();
    assert!(current);
    let statuses: Vec<(Option<i64>,)> = dalal::on!(pool, |e| sqlx::query_as(
        "SELECT http_status FROM webhook_attempts WHERE delivery_id = $1"
    )
    .bind(second[0].id)
    .fetch_all(e)
    .await)
    .unwrap();
    assert_eq!(
        statuses,
        vec![(Some(500),)],
        "one try recorded, the current worker's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_replaced_on_one_instance_stops_working_on_the_other_within_the_cache_bound() {
    let a = spawn_app_with(&[("server.api_key_cache_secs", "1")]).await;
    let b = spawn_app_sharing(&a, &[("server.api_key_cache_secs", "1")]).await;
    let (merchant, keys, _) =
        dalal::merchants::create(&a.state.pool, &a.state.clock, "Boutique Deux")
            .await
            .unwrap();
    let test = keys
        .iter()
        .find(|k| k.mode == dalal::domain::Mode::Test)
        .unwrap();
    let pair = format!("{}:{}", test.public_key, test.secret_key.expose());
    let body = json!({"type": "checkout", "amount": 5_000, "externalReference": "KEY-1"});
    // B reads the key, and keeps it.
    assert_eq!(b.initiate_with_key(&pair, None, &body).await.status, 201);
    let state = &a.state;
    let replaced = dalal::merchants::roll_key(
        &state.pool,
        &state.clock,
        &state.api_keys,
        &merchant,
        &test.public_key,
        0,
    )
    .await
    .unwrap();
    assert!(replaced.is_some());
    assert_eq!(
        a.initiate_with_key(&pair, None, &body).await.status,
        401,
        "at once where it was replaced"
    );
    // Within the bound (1 s here, 30 s by default) B reads the key again and refuses it.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert_eq!(
        b.initiate_with_key(&pair, None, &body).await.status,
        401,
        "within the bound elsewhere"
    );
}

async fn events(app: &TestApp, kind: &str) -> i64 {
    dalal::on!(&app.state.pool, |e| sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_events WHERE type = $1"
    )
    .bind(kind)
    .fetch_one(e)
    .await)
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_choose_apply_and_expire_each_payment_once() {
    use dalal::domain::{Country, ProviderCode};
    let a = spawn_app().await;
    let b = spawn_app_sharing(&a, &[]).await;

    // The customer's choice reaches both instances at once (a double submit behind a balancer):
    // one push goes out.
    let data = a
        .create(json!({"type": "checkout", "amount": 3_000, "country": "CI", "externalReference": "TWICE-1"}))
        .await;
    let token = token_of(&data);
    let mtn = || choice(ProviderCode::MtnMomo, Country::Ci, Some("+2250501234567"));
    let (x, y) = tokio::join!(
        a.state.payments.choose_method(&token, mtn()),
        b.state.payments.choose_method(&token, mtn())
    );
    assert!(
        x.is_ok() != y.is_ok(),
        "one choice starts, the other is refused: {x:?} {y:?}"
    );
    let pushes: i64 = dalal::on!(&a.state.pool, |e| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sandbox_sessions WHERE provider = 'mtn_momo'"
    )
    .fetch_one(e)
    .await)
    .unwrap();
    assert_eq!(pushes, 1);

    // Wave's notification of one payment, applied by both instances at once, three times over.
    let wave = a
        .create(
            json!({"type": "direct", "provider": "wave", "country": "SN", "amount": 4_000,
            "externalReference": "TWICE-2", "customerPhone": "+221771234567"}),
        )
        .await;
    let (_, attempt) = a
        .state
        .payments
        .find_by_token(&token_of(&wave))
        .await
        .unwrap()
        .unwrap();
    let reference = attempt.unwrap().provider_reference.unwrap();
    assert!(
        dalal::sandbox::store::decide(
            &a.state.pool,
            &reference,
            dalal::sandbox::store::Decision::Approve,
            a.clock.now_ms()
        )
        .await
        .unwrap()
    );
    for _ in 0..3 {
        let (x, y) = tokio::join!(
            a.state
                .payments
                .provider_notified(None, ProviderCode::Wave, &reference),
            b.state
                .payments
                .provider_notified(None, ProviderCode::Wave, &reference)
        );
        assert!(x.unwrap() && y.unwrap());
    }
    let wave_id = wave["transactionId"].as_str().unwrap();
    assert_eq!(a.get_payment(wave_id).await["status"], "succeeded");
    assert_eq!(a.succeeded_events(wave_id).await, 1);

    // 20 payments past their expiry, swept by both instances at once: each expires once.
    for n in 0..20 {
        a.create(json!({"type": "checkout", "amount": 5_000 + n, "externalReference": format!("LATE-{n}")}))
            .await;
    }
    a.clock.advance_ms(31 * 60_000);
    b.clock.advance_ms(31 * 60_000);
    let (x, y) = tokio::join!(a.state.payments.expire_due(), b.state.payments.expire_due());
    let (x, y) = (x.unwrap(), y.unwrap());
    // The MTN payment above expires too (its push was never answered in this test's time).
    assert_eq!(x + y, 21, "{x} + {y}");
    assert_eq!(events(&a, "payment.expired").await, 21);
}
