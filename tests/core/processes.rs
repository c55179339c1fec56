//! In-process tests of `processes`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use crate::processes::{post, signal};

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
    let pool = open_database(&database_url(dir.path())).await;
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
