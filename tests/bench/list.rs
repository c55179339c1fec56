//! Latency of the payment listing (`GET /api/v1/payments`, pages of 50) with a million stored
//! payments, against reading one payment (`GET /api/v1/payments/{id}`) measured in the same run.
//! Read the ratios; absolute numbers drift on shared machines.
//!
//!     cargo bench --features ssr --bench list                  (1 000 000 payments, 300 requests each)
//!     BENCH_PAYMENTS=100000 BENCH_REQUESTS=500 cargo bench --features ssr --bench list

use dalal::clock::{SharedClock, SystemClock};
use dalal::config::Settings;
use dalal::startup::Application;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The request path for the i-th request of a target.
type PathOf = Box<dyn Fn(usize) -> String>;

const DEMO_KEY: &str = "pk_test_dalal_demo:sk_test_dalal_demo_5f3a9c2e7b1d4068";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list`
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let payments = env_or("BENCH_PAYMENTS", 1_000_000) as i64;
    let requests = env_or("BENCH_REQUESTS", 300) as usize;
    let dir = tempfile::tempdir().unwrap();
    let settings: Settings = Settings::defaults()
        .unwrap()
        .set_override("server.address", "127.0.0.1:0")
        .unwrap()
        // The benchmark is the load a rate limit exists to stop.
        .set_override("rate_limits.enabled", false)
        .unwrap()
        .set_override(
            "database.url",
            format!("sqlite://{}/bench.db", dir.path().display()),
        )
        .unwrap()
        .build()
        .unwrap()
        .try_deserialize()
        .unwrap();
    let clock: SharedClock = Arc::new(SystemClock);
    let app = Application::build(settings, clock).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let pool = app.state().pool.clone();

    let started = Instant::now();
    let now = chrono::Utc::now().timestamp_millis();
    // One statement: a million payments of the demo merchant, one a second up to now, in four
    // statuses and three methods.
    dalal::rows!(&pool, |e| sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
         INSERT INTO payments (merchant_id, mode, dialect, checkout_token, kind, status, amount, currency,
             country, external_reference, expires_at, created_at, updated_at, method)
         SELECT 'mer_demo', 'test', 'caurisflux', 'bench-' || i, 'checkout',
             CASE i % 4 WHEN 0 THEN 'succeeded' WHEN 1 THEN 'cancelled' WHEN 2 THEN 'failed' ELSE 'expired' END,
             1000 + i % 5000, 'XOF', 'SN', 'BENCH-' || i, $2 + 1800000, $2 - ($1 - i) * 1000, $2,
             CASE i % 3 WHEN 0 THEN 'wave' WHEN 1 THEN 'orange_money' ELSE 'card' END
         FROM n",
    )
    .bind(payments)
    .bind(now)
    .execute(e)
    .await)
    .unwrap();
    dalal::rows!(&pool, |e| sqlx::query("ANALYZE").execute(e).await).unwrap();
    println!(
        "stored {payments} payments in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    tokio::spawn(app.run(std::future::pending()));

    let client = reqwest::Client::new();
    let last = payments;
    let middle = payments / 2;
    let targets: Vec<(&str, PathOf)> = vec![
        (
            "one payment (GET /payments/{id})",
            Box::new(move |i| format!("/api/v1/payments/TX{:09}", 1 + (i as i64 * 7919) % last)),
        ),
        (
            "first page of 50",
            Box::new(|_| "/api/v1/payments?limit=50".into()),
        ),
        (
            "a page of 50 deep inside (startingAfter)",
            Box::new(move |i| {
                format!(
                    "/api/v1/payments?limit=50&startingAfter=TX{:09}",
                    100 + (i as i64 * 104_729) % middle
                )
            }),
        ),
        (
            "50 succeeded (status filter)",
            Box::new(|_| "/api/v1/payments?limit=50&status=succeeded".into()),
        ),
        (
            "50 paid by card (method filter)",
            Box::new(|_| "/api/v1/payments?limit=50&method=card".into()),
        ),
        (
            "by externalReference",
            Box::new(move |i| {
                format!(
                    "/api/v1/payments?externalReference=BENCH-{}",
                    1 + (i as i64 * 7919) % last
                )
            }),
        ),
    ];
    let mut floor_p50 = None;
    println!(
        "{:<42} {:>10} {:>10} {:>9} {:>9}",
        "request", "p50 ms", "p99 ms", "p50 ×", "p99 ×"
    );
    let mut floor_p99 = None;
    for (name, path) in &targets {
        // Warm up, then measure one request at a time.
        for i in 0..20 {
            get(&client, &base, &path(i)).await;
        }
        let mut times: Vec<Duration> = Vec::with_capacity(requests);
        for i in 0..requests {
            let t = Instant::now();
            get(&client, &base, &path(i)).await;
            times.push(t.elapsed());
        }
        times.sort();
        let p50 = times[times.len() / 2].as_secs_f64() * 1000.0;
        let p99 = times[times.len() * 99 / 100].as_secs_f64() * 1000.0;
        let (f50, f99) = (*floor_p50.get_or_insert(p50), *floor_p99.get_or_insert(p99));
        println!(
            "{name:<42} {p50:>10.2} {p99:>10.2} {:>8.2}× {:>8.2}×",
            p50 / f50,
            p99 / f99
        );
    }
}

async fn get(client: &reqwest::Client, base: &str, path: &str) {
    let reply = client
        .get(format!("{base}{path}"))
        .header("X-API-Key", DEMO_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 200, "{path}");
    let body = reply.bytes().await.unwrap();
    assert!(body.len() > 20);
}
