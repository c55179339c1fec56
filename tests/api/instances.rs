//! Several Dalal instances on one database (README, "Running several instances"): workers never
//! take the same work at once, a try that outlived its lease counts for nothing, a shutting-down
//! instance tells the load balancer so, and — on PostgreSQL — two real `dalal` processes share one
//! database through an idempotency race, 200 webhooks and one of them killed mid-load.

use crate::helpers::*;
use dalal::clock::Clock;
use dalal::db::webhooks::{self, DeliveryStatus};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
async fn a_stopping_instance_says_it_is_not_ready_then_finishes_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut dalal = start_dalal(dir.path(), port, &[("DALAL__SERVER__DRAIN_MS", "1500")]);
    let client = reqwest::Client::new();
    wait_healthy(&client, &base).await;
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    signal(&dalal, "TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Draining: the load balancer is told to stop sending; requests still get answers.
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.json::<Value>().await.unwrap()["status"], "draining");
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "alive while it drains");
    let created = client
        .post(format!("{base}/api/v1/payments/initiate"))
        .header("X-API-Key", DEMO_KEY)
        .json(&json!({"type": "checkout", "amount": 5_000, "externalReference": "DRAIN-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = dalal.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "dalal did not stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
}

/// Sends a Unix signal (`TERM`, `STOP`, `CONT`) to a process.
fn signal(child: &std::process::Child, name: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// An endpoint that counts webhook events by `webhook-id` and answers 200 after `delay_ms`.
#[derive(Clone, Default)]
struct Receiver {
    arrivals: Arc<Mutex<Vec<(String, Instant)>>>,
    in_flight: Arc<std::sync::atomic::AtomicI64>,
    delay_ms: Arc<std::sync::atomic::AtomicU64>,
}

impl Receiver {
    async fn start(&self) -> String {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        let this = self.clone();
        let app = axum::Router::new().route(
            "/hooks",
            axum::routing::post(move |headers: axum::http::HeaderMap| {
                let this = this.clone();
                async move {
                    let id = headers["webhook-id"].to_str().unwrap().to_owned();
                    this.arrivals.lock().unwrap().push((id, Instant::now()));
                    this.in_flight.fetch_add(1, Ordering::SeqCst);
                    let delay = this.delay_ms.load(Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                    this.in_flight.fetch_sub(1, Ordering::SeqCst);
                    axum::http::StatusCode::OK
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        url
    }

    fn counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for (id, _) in self.arrivals.lock().unwrap().iter() {
            *counts.entry(id.clone()).or_insert(0) += 1;
        }
        counts
    }
}

async fn events_of(pool: &dalal::db::Pool, references: &str) -> BTreeSet<String> {
    let ids: Vec<(String,)> = dalal::on!(pool, |e| sqlx::query_as(
        "SELECT e.id FROM webhook_events e JOIN payments p ON p.id = e.payment_id
         WHERE p.external_reference LIKE $1"
    )
    .bind(references)
    .fetch_all(e)
    .await)
    .unwrap();
    ids.into_iter().map(|(id,)| id).collect()
}

async fn scalar(pool: &dalal::db::Pool, sql: &str) -> i64 {
    dalal::on!(pool, |e| sqlx::query_scalar(sql).fetch_one(e).await).unwrap()
}

async fn until(what: &str, within: Duration, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

struct Instance {
    base: String,
    child: std::process::Child,
    log: std::path::PathBuf,
}

impl Instance {
    fn start(dir: &std::path::Path, name: &str) -> Self {
        let port = free_port();
        let log = dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let child = dalal_command(dir, port)
            .env("RUST_LOG", "info")
            .env("DALAL__WEBHOOKS__INTERVAL_MS", "100")
            .env("DALAL__WEBHOOKS__TIMEOUT_MS", "3000")
            .env("DALAL__WEBHOOKS__LEASE_MS", "4000")
            .env("DALAL__PAYMENTS__WORKER_INTERVAL_MS", "200")
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        Instance {
            base: format!("http://127.0.0.1:{port}"),
            child,
            log,
        }
    }

    /// How many webhook tries this instance made (its log's "webhook attempt" lines).
    fn webhook_tries(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap()
            .matches("webhook attempt")
            .count()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    key: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let mut request = client
        .post(format!("{base}{path}"))
        .header("X-API-Key", DEMO_KEY)
        .json(body);
    if let Some(key) = key {
        request = request.header("X-Idempotency-Key", key);
    }
    // An instance killed mid-request answers nothing: status 0.
    match request.send().await {
        Ok(reply) => (
            reply.status().as_u16(),
            reply.json().await.unwrap_or(Value::Null),
        ),
        Err(_) => (0, Value::Null),
    }
}

/// Creates a checkout payment on one instance and cancels it on another; the transaction id of
/// each step the instances acknowledged.
async fn create_and_cancel(
    client: &reqwest::Client,
    on: &str,
    then: &str,
    n: usize,
    prefix: &str,
    callback: &str,
) -> (Option<String>, bool) {
    let body = json!({"type": "checkout", "amount": 1_000 + n, "externalReference": format!("{prefix}-{n}"),
        "callbackUrl": callback});
    let (status, created) = post(client, on, "/api/v1/payments/initiate", None, &body).await;
    if status != 201 {
        return (None, false);
    }
    let id = created["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = post(
        client,
        then,
        &format!("/api/v1/payments/{id}/cancel"),
        None,
        &json!({}),
    )
    .await;
    (Some(id), status == 200)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_dalal_processes_share_one_database() {
    assert!(
        postgres_server().is_some(),
        "needs DALAL_TEST_POSTGRES: run it through ./.ci/postgres"
    );
    let dir = tempfile::tempdir().unwrap();
    // Both start at once on the empty database: migrations, the demo merchant and the sessions
    // table are made once.
    let a = Instance::start(dir.path(), "a");
    let mut b = Instance::start(dir.path(), "b");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    wait_healthy(&client, &a.base).await;
    wait_healthy(&client, &b.base).await;
    let pool = dalal::db::connect(&dalal::config::DatabaseSettings {
        url: database_url(dir.path()),
        max_connections: 2,
        wal_size_limit_bytes: 1 << 20,
        checkpoint_interval_secs: 60,
    })
    .await
    .unwrap();
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM merchants").await, 1);

    // 50 requests with one idempotency key, spread over both: one payment, one Wave session.
    let direct = json!({"type": "direct", "provider": "wave", "country": "SN", "amount": 10_000,
        "externalReference": "RACE-1", "customerPhone": "+221771234567"});
    let racing = (0..50).map(|n| {
        let (client, direct) = (client.clone(), direct.clone());
        let base = if n % 2 == 0 {
            a.base.clone()
        } else {
            b.base.clone()
        };
        tokio::spawn(async move {
            post(
                &client,
                &base,
                "/api/v1/payments/initiate",
                Some("race-key-1"),
                &direct,
            )
            .await
        })
    });
    let mut ids = BTreeSet::new();
    for reply in futures_util::future::join_all(racing).await {
        let (status, body) = reply.unwrap();
        assert_eq!(status, 201, "{body}");
        ids.insert(body["data"]["transactionId"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1, "one payment answered to all: {ids:?}");
    assert_eq!(scalar(&pool, "SELECT COUNT(*) FROM payments").await, 1);
    assert_eq!(
        scalar(
            &pool,
            "SELECT COUNT(*) FROM sandbox_sessions WHERE provider = 'wave'"
        )
        .await,
        1
    );

    // 200 payments end with a callback URL: each event is delivered once, by one instance or
    // the other.
    let receiver = Receiver::default();
    let callback = receiver.start().await;
    let mut created = Vec::new();
    for wave in 0..20 {
        let batch = (0..10).map(|i| {
            let n = wave * 10 + i;
            let (client, callback) = (client.clone(), callback.clone());
            let (on, then) = if n % 2 == 0 {
                (a.base.clone(), b.base.clone())
            } else {
                (b.base.clone(), a.base.clone())
            };
            tokio::spawn(async move {
                create_and_cancel(&client, &on, &then, n, "LOAD", &callback).await
            })
        });
        for reply in futures_util::future::join_all(batch).await {
            let (id, cancelled) = reply.unwrap();
            assert!(id.is_some() && cancelled);
            created.push(id.unwrap());
        }
    }
    let events = events_of(&pool, "LOAD-%").await;
    assert_eq!(events.len(), 200, "one event per cancelled payment");
    until(
        "every event delivered",
        Duration::from_secs(60),
        async || events.iter().all(|id| receiver.counts().contains_key(id)),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let counts = receiver.counts();
    let twice: Vec<_> = events.iter().filter(|id| counts[*id] != 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert!(
        a.webhook_tries() > 0 && b.webhook_tries() > 0,
        "both instances delivered: {} and {}",
        a.webhook_tries(),
        b.webhook_tries()
    );

    // B is killed mid-load while it holds deliveries (A is paused meanwhile, so that they are
    // B's): nothing B acknowledged is lost, and A takes B's deliveries over once their lease ends.
    use std::sync::atomic::Ordering;
    receiver.delay_ms.store(1_500, Ordering::SeqCst);
    signal(&a.child, "STOP");
    // Payments keep coming, one every 25 ms, while B delivers the first ones' webhooks.
    let load: Vec<_> = (0..120)
        .map(|n| {
            let (client, callback, base) = (client.clone(), callback.clone(), b.base.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(25 * n as u64)).await;
                create_and_cancel(&client, &base, &base, n, "KILL", &callback).await
            })
        })
        .collect();
    until("B delivering", Duration::from_secs(20), async || {
        receiver.in_flight.load(Ordering::SeqCst) >= 3
    })
    .await;
    // B's pass sends its whole batch at once: let all of it arrive, then kill B mid-batch and
    // mid-load.
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.child.kill().unwrap();
    b.child.wait().unwrap();
    let before_kill = receiver.counts();
    let mut acknowledged = Vec::new();
    for reply in futures_util::future::join_all(load).await {
        acknowledged.push(reply.unwrap());
    }
    let answered = acknowledged.iter().filter(|(id, _)| id.is_some()).count();
    assert!(
        answered > 0 && answered < acknowledged.len(),
        "B was killed mid-load: {answered} of {} payments acknowledged",
        acknowledged.len()
    );
    let leased: Vec<(String,)> = dalal::on!(&pool, |e| sqlx::query_as(
        "SELECT d.event_id FROM webhook_deliveries d WHERE d.status = 'pending' AND d.lease_until IS NOT NULL"
    )
    .fetch_all(e)
    .await)
    .unwrap();
    assert!(!leased.is_empty(), "B held deliveries when it died");
    receiver.delay_ms.store(0, Ordering::SeqCst);
    signal(&a.child, "CONT");

    let kill_events = events_of(&pool, "KILL-%").await;
    until(
        "B's deliveries taken over",
        Duration::from_secs(60),
        async || {
            scalar(
                &pool,
                "SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'delivered'",
            )
            .await
                == 0
        },
    )
    .await;
    let counts = receiver.counts();
    for (id, cancelled) in &acknowledged {
        let Some(id) = id else { continue };
        let reply = client
            .get(format!("{}/api/v1/payments/{id}", a.base))
            .header("X-API-Key", DEMO_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(
            reply.status(),
            200,
            "{id} was acknowledged by B, and is kept"
        );
        let data: Value = reply.json().await.unwrap();
        if *cancelled {
            assert_eq!(data["data"]["status"], "cancelled", "{id}");
        }
    }
    let acknowledged_cancels = acknowledged.iter().filter(|(_, c)| *c).count();
    assert!(kill_events.len() >= acknowledged_cancels);
    for id in &kill_events {
        assert!(
            counts.get(id).is_some_and(|n| *n >= 1),
            "{id} was never delivered"
        );
    }
    assert!(
        leased
            .iter()
            .any(|(event,)| before_kill.contains_key(event)),
        "some of B's tries were cut off mid-way"
    );
    eprintln!(
        "two instances: webhook tries A {} / B {}; B killed holding {} deliveries ({} cut off mid-try), \
         {answered} of {} payments acknowledged",
        a.webhook_tries(),
        b.webhook_tries(),
        leased.len(),
        leased
            .iter()
            .filter(|(e,)| before_kill.contains_key(e))
            .count(),
        acknowledged.len()
    );
    for (event,) in &leased {
        // B's try (if it had gone out) was cut off; A's, after the lease, is the one on record.
        let cut_off = before_kill.get(event).copied().unwrap_or(0);
        assert_eq!(
            counts[event],
            cut_off + 1,
            "{event}: B's cut-off try and A's"
        );
        let tries = scalar(&pool, &format!(
            "SELECT COUNT(*) FROM webhook_attempts t JOIN webhook_deliveries d ON d.id = t.delivery_id
             WHERE d.event_id = '{event}'"
        ))
        .await;
        assert_eq!(tries, 1, "{event}: only A's try is recorded");
    }
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
        dalal::db::sandbox::decide(
            &a.state.pool,
            &reference,
            dalal::db::sandbox::Decision::Approve,
            a.clock.now_ms()
        )
        .await
        .unwrap()
    );
    for _ in 0..3 {
        let (x, y) = tokio::join!(
            a.state
                .payments
                .provider_notified(ProviderCode::Wave, &reference),
            b.state
                .payments
                .provider_notified(ProviderCode::Wave, &reference)
        );
        assert!(x.unwrap() && y.unwrap());
    }
    assert_eq!(
        a.get_payment(wave["transactionId"].as_str().unwrap()).await["status"],
        "succeeded"
    );
    assert_eq!(events(&a, "payment.succeeded").await, 1);

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
