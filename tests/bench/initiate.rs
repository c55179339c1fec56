//! Throughput and latency of `POST /api/v1/payments/initiate`, against a floor measured in the
//! same run: a bare axum handler that parses the same JSON and does one equivalent INSERT into
//! the same database. The ratios are what to read; absolute numbers drift on shared machines.
//!
//!     cargo bench --features ssr --bench initiate            (defaults: 16 connections, 3 s × 3 rounds)
//!     BENCH_CONCURRENCY=32 BENCH_SECONDS=5 BENCH_ROUNDS=5 cargo bench --features ssr --bench initiate
//!     BENCH_ONLY=wave cargo bench --features ssr --bench initiate   (the floor and one target)
//!     BENCH_DATABASE=postgres ./.ci/postgres cargo bench --features ssr --bench initiate
//!     BENCH_SET=database.max_connections=4 cargo bench …   (settings to compare, comma-separated)
//!
//! The servers run in a child process (this same binary, `--serve`); the load comes from this
//! process over loopback. On PostgreSQL (`BENCH_DATABASE=postgres`, on the server `.ci/postgres`
//! starts) two children share one database: every target is measured against one instance (and
//! its floor) and against both, requests spread over the two (and both floors).
//!
//! A direct Wave payment calls Wave while the merchant waits. In test mode "Wave" is the sandbox's
//! emulator of Wave's API, served by the same process: its HTTP handling and its session write
//! are on the target's bill. On SQLite a second child is therefore started as Dalal is deployed
//! live, with Wave elsewhere: its own database file, its test-mode Wave connector pointed
//! (`sandbox.providers_url`) at the first child's emulator, which stands in for Wave's servers.
//! Both still share this machine's cores.
//!
//! Live mode, as merchants feel it: a third process is a **minimal provider fake** (Wave's
//! checkout sessions, MTN MoMo's token and request to pay, pawaPay's deposits and active-conf,
//! each answered from a few bytes of JSON and no storage), and every server process has live
//! credentials pointing at it. Direct payments with a live key (Wave, MTN MoMo, Free Money through
//! pawaPay) are measured against a **second floor**: the bare handler that makes one HTTP call to
//! the same fake (a Wave session) before its INSERT. Test mode's in-process emulator stays
//! measured, for information, against the first floor.
//!
//! Besides requests per second, each round reads the server processes' CPU time
//! (`/proc/{pid}/stat`): "CPU µs" is what the process that served the target spent per request,
//! and "provider µs" what the emulator's (or the fake's) process spent per request for it, when
//! it is another.

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use dalal::clock::{SharedClock, SystemClock};
use dalal::config::Settings;
use dalal::startup::Application;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const DEMO_KEY: &str = "pk_test_dalal_demo:sk_test_dalal_demo_5f3a9c2e7b1d4068";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The fake provider the server processes' live credentials point at (`BENCH_FAKE_URL`).
const FAKE_URL: &str = "BENCH_FAKE_URL";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--fake-provider") {
        fake_provider();
    } else if let Some(i) = args.iter().position(|a| a == "--serve") {
        serve(&args[i + 1], args.get(i + 2).map(String::as_str));
    } else if !args.iter().any(|a| a == "--list") {
        load();
    }
}

/// Child process: Dalal and the floor server on free ports, on one database. With
/// `providers_url`, Dalal's test-mode connectors call the emulators found there.
fn serve(database_url: &str, providers_url: Option<&str>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let settings = Settings::defaults()
            .unwrap()
            .set_override("server.address", "127.0.0.1:0")
            .unwrap()
            // The benchmark is the load a rate limit exists to stop.
            .set_override("rate_limits.enabled", false)
            .unwrap()
            .set_override("database.url", database_url)
            .unwrap()
            .set_override("sandbox.providers_url", providers_url.unwrap_or_default())
            .unwrap();
        // Live credentials, all pointing at the provider fake.
        let fake = std::env::var(FAKE_URL).unwrap_or_default();
        let settings = if fake.is_empty() {
            settings
        } else {
            [
                ("providers.wave.api_key", "wave_sn_prod_bench"),
                ("providers.wave.webhook_secret", "wave_sn_prod_bench_secret"),
                ("providers.wave.base_url", fake.as_str()),
                ("providers.mtn_momo.subscription_key", "bench"),
                ("providers.mtn_momo.api_user", "0d7a2c4e-5b1f-4e8a-9c3d-7f6b2a1e4d90"),
                ("providers.mtn_momo.api_key", "bench"),
                ("providers.mtn_momo.target_environment", "mtnivorycoast"),
                ("providers.mtn_momo.base_url", fake.as_str()),
                ("providers.pawapay.api_token", "bench"),
                ("providers.pawapay.base_url", fake.as_str()),
            ]
            .into_iter()
            .fold(settings, |s, (key, value)| s.set_override(key, value).unwrap())
        };
        // BENCH_SET="database.max_connections=4,…": settings to compare, for Dalal and the floor.
        let settings = std::env::var("BENCH_SET")
            .unwrap_or_default()
            .split(',')
            .filter_map(|pair| pair.split_once('='))
            .fold(settings, |s, (key, value)| s.set_override(key.trim(), value.trim()).unwrap());
        let settings: Settings = settings
            .build()
            .unwrap()
            .try_deserialize()
            .unwrap();
        let clock: SharedClock = Arc::new(SystemClock);
        let app = Application::build(settings.clone(), clock.clone()).await.unwrap();
        let dalal_port = app.port();
        let pool = dalal::db::connect(&settings.database).await.unwrap();
        // A live key (a merchant of its own), for the live-mode targets.
        let (_, keys, _) = dalal::merchants::create(&pool, &clock, "Bench live").await.unwrap();
        let live_key = format!("{}:{}", keys[1].public_key, keys[1].secret_key.expose());
        let floor = Router::new()
            .route("/floor", post(floor_insert))
            .route("/floor-provider", post(floor_provider_insert))
            .with_state(FloorState {
                pool,
                client: reqwest::Client::new(),
                fake,
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let floor_port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, floor).await.unwrap() });
        println!("READY {dalal_port} {floor_port} {live_key}");
        app.run(std::future::pending()).await.unwrap();
    });
}

#[derive(Clone)]
struct FloorState {
    pool: dalal::db::Pool,
    client: reqwest::Client,
    /// The provider fake's base URL.
    fake: String,
}

/// The second floor: parse the body, one HTTP call to the provider fake (a Wave checkout
/// session, its JSON read back), then the first floor's INSERT.
async fn floor_provider_insert(
    State(state): State<FloorState>,
    body: axum::body::Bytes,
) -> (axum::http::StatusCode, String) {
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let session: serde_json::Value = state
        .client
        .post(format!("{}/v1/checkout/sessions", state.fake))
        .bearer_auth("wave_sn_prod_bench")
        .json(&serde_json::json!({"amount": v["amount"].to_string(), "currency": "XOF",
            "client_reference": v["externalReference"], "success_url": v["returnUrl"], "error_url": v["returnUrl"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(session["wave_launch_url"].is_string());
    floor_insert(State(state), body).await
}

/// The floor: parse the body, one INSERT of a payment row, answer 201 with a small JSON.
async fn floor_insert(
    State(FloorState { pool, .. }): State<FloorState>,
    body: axum::body::Bytes,
) -> (axum::http::StatusCode, String) {
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let token = format!("floor-{}-{}", now, rand_suffix());
    let (id,): (i64,) = dalal::on!(&pool, |e| sqlx::query_as(
        "INSERT INTO payments (merchant_id, mode, checkout_token, kind, status, amount, currency, external_reference,
            description, return_url, cancel_url, expires_at, created_at, updated_at)
         VALUES ('mer_demo', 'test', $1, 'checkout', 'pending', $2, 'XOF', $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(&token)
    .bind(v["amount"].as_i64().unwrap())
    .bind(v["externalReference"].as_str().unwrap())
    .bind(v["description"].as_str())
    .bind(v["returnUrl"].as_str())
    .bind(v["cancelUrl"].as_str())
    .bind(now + 30 * 60_000)
    .bind(now)
    .fetch_one(e)
    .await)
    .unwrap();
    (
        axum::http::StatusCode::CREATED,
        format!(r#"{{"success":true,"data":{{"id":{id}}}}}"#),
    )
}

/// The provider fake's process: Wave's `POST /v1/checkout/sessions`, MTN MoMo's `POST
/// /collection/token/` and `POST /collection/v1_0/requesttopay` (202), pawaPay's `POST
/// /v2/deposits` (`ACCEPTED`) and `GET /v2/active-conf` (Free Money), and each one's status read
/// (still waiting), answered at once from the request alone: what a provider costs Dalal when the
/// provider itself is free.
fn fake_provider() {
    use axum::Json;
    use axum::routing::get;
    use serde_json::{Value, json};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        static N: AtomicU64 = AtomicU64::new(0);
        let app = Router::new()
            .route(
                "/v1/checkout/sessions",
                post(|Json(v): Json<Value>| async move {
                    let n = N.fetch_add(1, Ordering::Relaxed);
                    Json(json!({"id": format!("cos-bench{n}"), "amount": v["amount"],
                        "currency": v["currency"], "checkout_status": "open", "payment_status": "processing",
                        "client_reference": v["client_reference"],
                        "wave_launch_url": format!("https://pay.wave.com/c/cos-bench{n}")}))
                }),
            )
            .route(
                "/collection/token/",
                post(|| async {
                    Json(json!({"access_token": "bench", "token_type": "access_token", "expires_in": 3600}))
                }),
            )
            .route(
                "/collection/v1_0/requesttopay",
                post(|| async { axum::http::StatusCode::ACCEPTED }),
            )
            .route(
                "/v2/deposits",
                post(|Json(v): Json<Value>| async move {
                    Json(json!({"depositId": v["depositId"], "status": "ACCEPTED"}))
                }),
            )
            // The status checks the servers' workers make while payments wait: nothing has
            // happened yet.
            .route(
                "/v1/checkout/sessions/{id}",
                get(|axum::extract::Path(id): axum::extract::Path<String>| async move {
                    Json(json!({"id": id, "checkout_status": "open", "payment_status": "processing"}))
                }),
            )
            .route(
                "/collection/v1_0/requesttopay/{id}",
                get(|| async { Json(json!({"status": "PENDING"})) }),
            )
            .route(
                "/v2/deposits/{id}",
                get(|axum::extract::Path(id): axum::extract::Path<String>| async move {
                    Json(json!({"status": "FOUND", "data": {"depositId": id, "status": "ACCEPTED"}}))
                }),
            )
            .route(
                "/v2/active-conf",
                get(|| async {
                    Json(json!({"countries": [{"country": "SEN", "providers": [{"provider": "FREE_SEN",
                        "currencies": [{"currency": "XOF", "operationTypes": {"DEPOSIT":
                            {"minAmount": "5", "maxAmount": "100000000", "pinPrompt": "AUTOMATIC",
                             "decimalsInAmount": "NONE", "status": "OPERATIONAL"}}}]}]}]}))
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("READY {}", listener.local_addr().unwrap().port());
        axum::serve(listener, app).await.unwrap();
    });
}

fn rand_suffix() -> u64 {
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A new, empty PostgreSQL database on the server `.ci/postgres` started (`DALAL_TEST_POSTGRES`).
fn postgres_database() -> String {
    let server = std::env::var("DALAL_TEST_POSTGRES")
        .expect("BENCH_DATABASE=postgres needs DALAL_TEST_POSTGRES: run it through ./.ci/postgres");
    let name = format!("dalal_bench_{}", std::process::id());
    let created = Command::new("psql")
        .args([server.as_str(), "-qAt", "-c", &format!("CREATE DATABASE {name}")])
        .status()
        .expect("psql runs");
    assert!(created.success(), "could not create {name}");
    let (base, _) = server.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// One `--serve` child (live credentials pointing at the provider fake `fake`): its Dalal and
/// floor ports, and its live key.
fn start_server(
    database_url: &str,
    providers_url: Option<&str>,
    fake: &str,
) -> (std::process::Child, u16, u16, String) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--serve", database_url])
        .args(providers_url)
        .env(FAKE_URL, fake)
        .stdout(Stdio::piped())
        .spawn()
        .expect("failed to start the server process");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let words: Vec<&str> = line.split_whitespace().skip(1).collect();
    (child, words[0].parse().unwrap(), words[1].parse().unwrap(), words[2].to_owned())
}

/// The provider fake's process and port.
fn start_fake() -> (std::process::Child, u16) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .arg("--fake-provider")
        .stdout(Stdio::piped())
        .spawn()
        .expect("failed to start the provider fake");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    (child, port)
}

#[derive(Clone, Copy)]
enum Kind {
    /// A checkout payment: no provider is called at creation.
    Checkout,
    /// A direct Wave payment: the provider session (QR code, deep link) opens at creation.
    DirectWave,
    /// A direct MTN MoMo payment: the push goes out at creation.
    DirectMtn,
    /// A direct Free Money payment through pawaPay: the deposit goes out at creation.
    DirectFree,
}

struct Target {
    name: String,
    /// Requests go to these in turn (two instances behind a load balancer).
    urls: Vec<String>,
    idempotent: bool,
    kind: Kind,
    /// The index of the floor this target is compared with.
    floor: usize,
    /// The server processes (indices) that serve the target: their CPU time is its cost.
    served_by: Vec<usize>,
    /// The process whose emulator plays the provider, when it is not one of `served_by`.
    provider: Option<usize>,
    /// The API key the requests carry (the demo test key, or a live one).
    key: String,
}

struct Round {
    requests: usize,
    elapsed: Duration,
    latencies_us: Vec<u64>,
    largest_body: usize,
    /// CPU time each server process spent during the round, in µs.
    cpu_us: Vec<u64>,
}

impl Round {
    /// CPU µs per request spent by the processes `of`.
    fn cpu_per_request(&self, of: &[usize]) -> f64 {
        of.iter().map(|&i| self.cpu_us[i]).sum::<u64>() as f64 / self.requests.max(1) as f64
    }

    fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        let mut l = self.latencies_us.clone();
        l.sort_unstable();
        l[((l.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Parent process: start the servers, then alternate floor and Dalal rounds.
fn load() {
    let concurrency = env_or("BENCH_CONCURRENCY", 16) as usize;
    let seconds = env_or("BENCH_SECONDS", 3);
    let rounds = env_or("BENCH_ROUNDS", 3) as usize;
    let dir = tempfile::tempdir().unwrap();
    let postgres = std::env::var("BENCH_DATABASE").is_ok_and(|d| d == "postgres");
    let database_url = if postgres {
        postgres_database()
    } else {
        format!("sqlite://{}/bench.db", dir.path().display())
    };
    // SQLite: one process owns the file; a second one, on its own file, calls the first one's
    // Wave emulator. PostgreSQL: two instances on one database.
    let instances = if postgres { 2 } else { 1 };
    let (mut fake, fake_port) = start_fake();
    let fake_url = format!("http://127.0.0.1:{fake_port}");
    let mut servers: Vec<(std::process::Child, u16, u16, String)> = (0..instances)
        .map(|_| start_server(&database_url, None, &fake_url))
        .collect();
    let elsewhere = (!postgres).then(|| {
        let wave = format!("http://127.0.0.1:{}", servers[0].1);
        let own_file = format!("sqlite://{}/wave-elsewhere.db", dir.path().display());
        servers.push(start_server(&own_file, Some(&wave), &fake_url));
        servers.len() - 1
    });
    // The fake's process comes last.
    let mut pids: Vec<u32> = servers.iter().map(|(child, ..)| child.id()).collect();
    pids.push(fake.id());
    let fake_index = pids.len() - 1;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let initiate = |port: &u16| format!("http://127.0.0.1:{port}/api/v1/payments/initiate");
    let floor_url = |port: &u16| format!("http://127.0.0.1:{port}/floor");
    let floor_provider_url = |port: &u16| format!("http://127.0.0.1:{port}/floor-provider");
    let mut targets = Vec::new();
    for serving in 1..=instances {
        let on = &servers[..serving];
        let suffix = if postgres { format!(" ×{serving}") } else { String::new() };
        let floor = targets.len();
        targets.push(Target {
            name: format!("floor: bare handler + 1 INSERT{suffix}"),
            urls: on.iter().map(|(_, _, port, _)| floor_url(port)).collect(),
            idempotent: false,
            kind: Kind::Checkout,
            floor,
            served_by: (0..serving).collect(),
            provider: None,
            key: DEMO_KEY.to_owned(),
        });
        for (name, idempotent, kind) in [
            ("checkout", false, Kind::Checkout),
            ("checkout + idempotency key", true, Kind::Checkout),
            ("test: direct Wave (emulator) + key", true, Kind::DirectWave),
        ] {
            targets.push(Target {
                name: format!("{name}{suffix}"),
                urls: on.iter().map(|(_, port, ..)| initiate(port)).collect(),
                idempotent,
                kind,
                floor,
                served_by: (0..serving).collect(),
                provider: None,
                key: DEMO_KEY.to_owned(),
            });
        }
        // Live mode: the provider is the fake, in its own process; so is the second floor's.
        let floor = targets.len();
        targets.push(Target {
            name: format!("floor: + provider call{suffix}"),
            urls: on.iter().map(|(_, _, port, _)| floor_provider_url(port)).collect(),
            idempotent: false,
            kind: Kind::Checkout,
            floor,
            served_by: (0..serving).collect(),
            provider: Some(fake_index),
            key: DEMO_KEY.to_owned(),
        });
        for (name, kind) in [
            ("live: direct Wave + key", Kind::DirectWave),
            ("live: direct MTN MoMo + key", Kind::DirectMtn),
            ("live: direct Free (pawaPay) + key", Kind::DirectFree),
        ] {
            // Each instance's own live key (its own merchant): requests spread over them.
            targets.push(Target {
                name: format!("{name}{suffix}"),
                urls: on.iter().map(|(_, port, ..)| initiate(port)).collect(),
                idempotent: true,
                kind,
                floor,
                served_by: (0..serving).collect(),
                provider: Some(fake_index),
                key: on[0].3.clone(),
            });
        }
    }
    if let Some(i) = elsewhere {
        targets.push(Target {
            name: "test: direct Wave + key, Wave elsewhere".to_owned(),
            urls: vec![initiate(&servers[i].1)],
            idempotent: true,
            kind: Kind::DirectWave,
            floor: 0,
            served_by: vec![i],
            provider: Some(0),
            key: DEMO_KEY.to_owned(),
        });
    }
    // BENCH_ONLY=wave: the floor and the targets whose name contains it, in any case (to
    // profile one path).
    let only = std::env::var("BENCH_ONLY").unwrap_or_default().to_lowercase();
    let targets: Vec<Target> = targets
        .into_iter()
        .filter(|t| t.name.starts_with("floor") || t.name.to_lowercase().contains(&only))
        .collect();
    let mut results: Vec<Vec<Round>> = targets.iter().map(|_| Vec::new()).collect();
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency)
            .build()
            .unwrap();
        for target in &targets {
            run_round(&client, target, &pids, concurrency, Duration::from_millis(500)).await; // warm-up
        }
        for _ in 0..rounds {
            for (i, target) in targets.iter().enumerate() {
                results[i].push(
                    run_round(&client, target, &pids, concurrency, Duration::from_secs(seconds)).await,
                );
            }
        }
    });
    for (mut child, ..) in servers {
        let _ = child.kill();
        let _ = child.wait();
    }
    let _ = fake.kill();
    let _ = fake.wait();

    println!(
        "\nPOST /api/v1/payments/initiate vs floor — {}, {concurrency} connections, {rounds} alternating rounds of {seconds} s, medians",
        if postgres { "PostgreSQL (×1: one instance, ×2: two instances on one database)" } else { "SQLite" }
    );
    println!(
        "{:<36} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7} {:>9} {:>7} {:>6} {:>11}",
        "target", "req/s", "p50 ms", "p99 ms", "×req/s", "×p50", "×p99", "body B", "CPU µs", "×CPU", "provider µs"
    );
    struct Stats {
        throughput: f64,
        p50: f64,
        p99: f64,
        body: usize,
        cpu: f64,
        provider_cpu: Option<f64>,
    }
    let stats: Vec<Stats> = results
        .iter()
        .zip(&targets)
        .map(|(rs, target)| Stats {
            throughput: median(rs.iter().map(Round::throughput).collect()),
            p50: median(rs.iter().map(|r| r.percentile(0.50)).collect()),
            p99: median(rs.iter().map(|r| r.percentile(0.99)).collect()),
            body: rs.iter().map(|r| r.largest_body).max().unwrap_or(0),
            cpu: median(rs.iter().map(|r| r.cpu_per_request(&target.served_by)).collect()),
            provider_cpu: target
                .provider
                .map(|p| median(rs.iter().map(|r| r.cpu_per_request(&[p])).collect())),
        })
        .collect();
    for (target, s) in targets.iter().zip(&stats) {
        let floor = targets.iter().position(|t| t.name.starts_with("floor") && t.floor == target.floor).unwrap();
        let f = &stats[floor];
        let provider = s.provider_cpu.map(|c| format!("{c:.0}")).unwrap_or_default();
        println!(
            "{:<36} {:>8.0} {:>8.2} {:>8.2} {:>7.2} {:>7.2} {:>7.2} {:>9} {:>7.0} {:>6.2} {provider:>11}",
            target.name,
            s.throughput,
            s.p50,
            s.p99,
            s.throughput / f.throughput,
            s.p50 / f.p50,
            s.p99 / f.p99,
            s.body,
            s.cpu,
            f.cpu / s.cpu,
        );
    }
    println!("(body B: the largest response body of the target, in bytes)");
    println!(
        "(CPU µs: CPU time of the serving process(es) per request; provider µs: the emulator's or the provider fake's process, when another)"
    );
    println!(
        "(×: ratio to the floor measured in the same run; higher req/s and ×CPU (floor's CPU per request / the target's) and lower latency are better)"
    );
}

/// The CPU time (user + system) process `pid` has used so far, in µs (`/proc/{pid}/stat`, whose
/// times are in clock ticks of 1/100 s on Linux).
fn cpu_time_us(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<u64> = after_name
        .split_whitespace()
        .skip(11) // state … cmajflt: fields 3 to 13
        .take(2) // utime, stime
        .filter_map(|f| f.parse().ok())
        .collect();
    fields.iter().sum::<u64>() * 10_000
}

async fn run_round(
    client: &reqwest::Client,
    target: &Target,
    pids: &[u32],
    concurrency: usize,
    duration: Duration,
) -> Round {
    let (urls, idempotent, kind) = (target.urls.clone(), target.idempotent, target.kind);
    let key = target.key.clone();
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let cpu_before: Vec<u64> = pids.iter().map(|&p| cpu_time_us(p)).collect();
    let start = Instant::now();
    let deadline = start + duration;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, urls, key) = (client.clone(), urls.clone(), key.clone());
            tokio::spawn(async move {
                let (mut latencies, mut largest) = (Vec::new(), 0);
                while Instant::now() < deadline {
                    let n = SEQ.fetch_add(1, Ordering::Relaxed);
                    let body = match kind {
                        Kind::Checkout => format!(
                            r#"{{"type":"checkout","amount":25000,"currency":"XOF","externalReference":"BENCH-{n}","description":"Panier #{n}","returnUrl":"https://shop.example/merci","cancelUrl":"https://shop.example/panier"}}"#
                        ),
                        Kind::DirectWave => format!(
                            r#"{{"type":"direct","provider":"wave","country":"SN","customerPhone":"+221771234567","amount":25000,"currency":"XOF","externalReference":"BENCH-{n}","description":"Panier #{n}","returnUrl":"https://shop.example/merci","cancelUrl":"https://shop.example/panier"}}"#
                        ),
                        Kind::DirectMtn => format!(
                            r#"{{"type":"direct","provider":"mtn_momo","country":"CI","customerPhone":"+2250501234567","amount":25000,"currency":"XOF","externalReference":"BENCH-{n}","description":"Panier #{n}","returnUrl":"https://shop.example/merci","cancelUrl":"https://shop.example/panier"}}"#
                        ),
                        Kind::DirectFree => format!(
                            r#"{{"type":"direct","provider":"free_money","country":"SN","customerPhone":"+221761234567","amount":25000,"currency":"XOF","externalReference":"BENCH-{n}","description":"Panier #{n}","returnUrl":"https://shop.example/merci","cancelUrl":"https://shop.example/panier"}}"#
                        ),
                    };
                    let url = &urls[n as usize % urls.len()];
                    let mut request = client.post(url).header("X-API-Key", &key).header("Content-Type", "application/json").body(body);
                    if idempotent {
                        request = request.header("X-Idempotency-Key", format!("bench-{n}"));
                    }
                    let t = Instant::now();
                    let response = request.send().await.expect("request failed");
                    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap_or_default());
                    largest = largest.max(response.bytes().await.unwrap().len());
                    latencies.push(t.elapsed().as_micros() as u64);
                }
                (latencies, largest)
            })
        })
        .collect();
    let (mut latencies_us, mut largest_body) = (Vec::new(), 0);
    for w in workers {
        let (latencies, largest) = w.await.unwrap();
        latencies_us.extend(latencies);
        largest_body = largest_body.max(largest);
    }
    let elapsed = start.elapsed();
    let cpu_us = pids
        .iter()
        .zip(cpu_before)
        .map(|(&p, before)| cpu_time_us(p).saturating_sub(before))
        .collect();
    Round {
        requests: latencies_us.len(),
        elapsed,
        latencies_us,
        largest_body,
        cpu_us,
    }
}
