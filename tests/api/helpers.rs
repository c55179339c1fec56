use dalal::clock::ManualClock;
use dalal::config::Settings;
use dalal::merchants::{self, DEMO_PUBLIC_KEY, DEMO_SECRET_KEY};
use dalal::startup::Application;
use dalal::state::AppState;
use serde_json::{Value, json};
use std::sync::Arc;

/// The demo merchant's published test key, as the README prints it.
pub const DEMO_KEY: &str = "pk_test_dalal_demo:sk_test_dalal_demo_5f3a9c2e7b1d4068";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

/// Starts Dalal on a free port with its own database file and a clock that moves only when told.
/// The background workers are slowed to a crawl so that tests run each pass when they choose.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// The same, with some settings changed (`("webhooks.interval_ms", "10")`, …).
pub async fn spawn_app_with(overrides: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = database_url(dir.path());
    spawn_on(dir, &url, overrides).await
}

/// A second instance of Dalal on `first`'s database, as behind a load balancer: its own port,
/// clock, caches and workers.
pub async fn spawn_app_sharing(first: &TestApp, overrides: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    spawn_on(dir, &first.state.settings.database.url, overrides).await
}

async fn spawn_on(dir: tempfile::TempDir, database_url: &str, overrides: &[(&str, &str)]) -> TestApp {
    assert_eq!(DEMO_KEY, format!("{DEMO_PUBLIC_KEY}:{DEMO_SECRET_KEY}"));
    // The background workers are slowed to a crawl: tests run each pass when they choose.
    let mut builder = Settings::defaults()
        .unwrap()
        .set_override("server.address", "127.0.0.1:0")
        .unwrap()
        .set_override("database.url", database_url)
        .unwrap()
        .set_override("payments.worker_interval_ms", 3_600_000)
        .unwrap()
        .set_override("webhooks.interval_ms", 3_600_000)
        .unwrap();
    for (key, value) in overrides {
        builder = builder.set_override(*key, *value).unwrap();
    }
    let settings: Settings = builder.build().unwrap().try_deserialize().unwrap();
    let clock = ManualClock::new();
    let app = Application::build(settings, clock.clone())
        .await
        .expect("the app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run(std::future::pending()));
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        state,
        clock,
        _dir: dir,
    }
}

/// The seed's direct example, as written.
pub fn seed_direct_body() -> Value {
    json!({
        "type": "direct",
        "provider": "wave",
        "country": "SN",
        "amount": 10000,
        "currency": "XOF",
        "externalReference": "COMMANDE-12345",
        "customerPhone": "+221771234567",
        "customerName": "Amadou Diallo",
        "customerEmail": "amadou@example.com",
        "description": "Achat sur MaBoutique.sn",
        "callbackUrl": "https://votresite.com/webhooks/cauris",
        "returnUrl": "https://votresite.com/paiement/succes",
        "cancelUrl": "https://votresite.com/paiement/annule",
        "metadata": {
            "orderId": "12345",
            "customerType": "premium"
        }
    })
}

/// The seed's checkout example, as written.
pub fn seed_checkout_body() -> Value {
    json!({
        "type": "checkout",
        "amount": 25000,
        "currency": "XOF",
        "externalReference": "PANIER-67890",
        "customerName": "Fatou Sow",
        "customerEmail": "fatou@example.com",
        "description": "Panier #67890 - 3 articles",
        "callbackUrl": "https://votresite.com/webhooks/cauris",
        "returnUrl": "https://votresite.com/commande/67890/merci",
        "cancelUrl": "https://votresite.com/panier"
    })
}

pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts the seed's error shape and returns the message.
    pub fn error_message(&self) -> String {
        let body = self.json();
        assert_eq!(body["statusCode"], self.status, "{body}");
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{body}"
        );
        body["message"].as_str().expect("a message").to_owned()
    }
}

impl TestApp {
    pub async fn post_raw(
        &self,
        path: &str,
        key: Option<&str>,
        idempotency_key: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(key) = key {
            request = request.header("X-API-Key", key);
        }
        if let Some(k) = idempotency_key {
            request = request.header("X-Idempotency-Key", k);
        }
        let response = request.send().await.expect("request sent");
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    pub async fn initiate(&self, body: &Value) -> Reply {
        self.post_raw(
            "/api/v1/payments/initiate",
            Some(DEMO_KEY),
            None,
            body.to_string(),
        )
        .await
    }

    pub async fn initiate_with_key(
        &self,
        key: &str,
        idempotency_key: Option<&str>,
        body: &Value,
    ) -> Reply {
        self.post_raw(
            "/api/v1/payments/initiate",
            Some(key),
            idempotency_key,
            body.to_string(),
        )
        .await
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> Reply {
        let mut request = self.client.get(format!("{}{path}", self.address));
        if let Some(key) = key {
            request = request.header("X-API-Key", key);
        }
        let response = request.send().await.expect("request sent");
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    pub async fn get_payment(&self, transaction_id: &str) -> Value {
        let reply = self
            .get(
                &format!("/api/v1/payments/{transaction_id}"),
                Some(DEMO_KEY),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()["data"].clone()
    }

    /// A provider's notification is applied after its answer (`hooks.rs`): polls the payment
    /// until `done` says so, for at most five seconds, and returns it.
    pub async fn payment_when(&self, transaction_id: &str, done: impl Fn(&Value) -> bool) -> Value {
        for _ in 0..100 {
            let data = self.get_payment(transaction_id).await;
            if done(&data) {
                return data;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "{transaction_id} never got there: {}",
            self.get_payment(transaction_id).await
        );
    }

    /// Creates a payment through the API and returns its `data`.
    pub async fn create(&self, body: Value) -> Value {
        let reply = self.initiate(&body).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json()["data"].clone()
    }

    /// Another merchant, with its own keys: (test key, live key).
    pub async fn other_merchant(&self) -> (String, String) {
        let (_, keys, _) = merchants::create(&self.state.pool, &self.state.clock, "Autre Boutique")
            .await
            .unwrap();
        let pair = |i: usize| format!("{}:{}", keys[i].public_key, keys[i].secret_key.expose());
        (pair(0), pair(1))
    }

    /// How many payments the demo merchant has in test mode, read page by page through the
    /// listing API (an HTTP test's way to see that nothing was created).
    pub async fn count_payments(&self) -> usize {
        let (mut count, mut after) = (0, None::<String>);
        loop {
            let path = match &after {
                Some(id) => format!("/api/v1/payments?limit=100&startingAfter={id}"),
                None => "/api/v1/payments?limit=100".to_owned(),
            };
            let page = self.get(&path, Some(DEMO_KEY)).await;
            assert_eq!(page.status, 200, "{}", page.text);
            let page = page.json();
            count += page["data"].as_array().unwrap().len();
            match page["pagination"]["nextStartingAfter"].as_str() {
                Some(last) => after = Some(last.to_owned()),
                None => return count,
            }
        }
    }

    /// Every payment stored, whoever's and in whichever mode (read in the database).
    pub async fn count_stored_payments(&self) -> i64 {
        dalal::db::payments::count(&self.state.pool).await.unwrap()
    }
}

/// The checkout token at the end of a payment's `redirectUrl` (CaurisFlux) or `redirect_url`
/// (SahelPay).
pub fn token_of(data: &Value) -> String {
    data["redirectUrl"]
        .as_str()
        .or(data["redirect_url"].as_str())
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

/// The customer's pick on the checkout page: a provider, a country and maybe a number.
pub fn choice(
    provider: dalal::domain::ProviderCode,
    country: dalal::domain::Country,
    phone: Option<&str>,
) -> dalal::payments::MethodChoice {
    dalal::payments::MethodChoice {
        provider,
        country,
        phone: phone.map(|p| dalal::domain::msisdn::Msisdn::parse(p, country).unwrap()),
        one_time_code: None,
        card: None,
    }
}

/// The customer's card as typed into the card form (expiry two years ahead of the test clock).
pub fn card(number: &str) -> dalal::domain::CardDetails {
    dalal::domain::CardDetails::parse(
        number,
        "12/40",
        "123",
        "Awa Ndiaye",
        &dalal::domain::CardBins::parse("9220").unwrap(),
        (2026, 11),
    )
    .unwrap()
}

/// The customer pays by card on the checkout page.
pub fn card_choice(country: dalal::domain::Country, number: &str) -> dalal::payments::MethodChoice {
    dalal::payments::MethodChoice {
        provider: dalal::domain::ProviderCode::Card,
        country,
        phone: None,
        one_time_code: None,
        card: Some(card(number)),
    }
}

impl TestApp {
    /// Lets the sandbox customer answer, then runs one pass of the provider status checker.
    pub async fn customer_answers(&self, after_ms: i64) {
        self.clock.advance_ms(after_ms);
        self.state.payments.check_due_attempts().await.unwrap();
    }
}

/// The real `dalal` binary on a database file in `dir`, listening on `port`.
pub fn dalal_command(dir: &std::path::Path, port: u16) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dalal"));
    command
        .env("DALAL__SERVER__ADDRESS", format!("127.0.0.1:{port}"))
        .env("DATABASE_URL", database_url(dir))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null());
    command
}

impl TestApp {
    /// How many `payment.succeeded` events the payment has: a payment succeeds once, whatever
    /// notifications, polls and instances say it twice.
    pub async fn succeeded_events(&self, transaction_id: &str) -> i64 {
        let sequence = dalal::domain::TransactionId::parse(transaction_id).unwrap().sequence();
        dalal::on!(&self.state.pool, |e| sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhook_events WHERE payment_id = $1 AND type = 'payment.succeeded'",
        )
        .bind(sequence)
        .fetch_one(e)
        .await)
        .unwrap()
    }
}

/// A pool on an existing database (a test's, or the one real `dalal` processes share), as the
/// test itself reads it.
pub async fn open_database(url: &str) -> dalal::db::Pool {
    dalal::db::connect(&dalal::config::DatabaseSettings {
        url: url.to_owned(),
        max_connections: 2,
        wal_size_limit_bytes: 1 << 20,
        checkpoint_interval_secs: 60,
    })
    .await
    .unwrap()
}

/// The PostgreSQL server the suite runs against, when it does (`.ci/postgres` sets it): an
/// administrator's URL.
pub fn postgres_server() -> Option<String> {
    std::env::var("DALAL_TEST_POSTGRES").ok().filter(|url| !url.is_empty())
}

/// The database of one test, empty at first: a SQLite file in `dir`, or, when the suite runs on
/// PostgreSQL, a database of that server named after `dir` (made with `psql`, so that this works outside any
/// runtime too).
pub fn database_url(dir: &std::path::Path) -> String {
    let Some(server) = postgres_server() else {
        return format!("sqlite://{}/dalal.db", dir.display());
    };
    // PostgreSQL folds unquoted names to lower case: an upper-case letter is spelled `_` + itself
    // in lower case, so that `.tmpAb1` and `.tmpab1` name two databases.
    let name: String = dir
        .file_name()
        .unwrap()
        .to_string_lossy()
        .chars()
        .map(|c| match c {
            'A'..='Z' => format!("_{}", c.to_ascii_lowercase()),
            'a'..='z' | '0'..='9' => c.to_string(),
            _ => "x".to_owned(),
        })
        .collect();
    let name = format!("dalal_test_{name}");
    let out = std::process::Command::new("psql")
        .args([server.as_str(), "-qAt", "-c", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql runs");
    // The same directory names the same database: the real binary started twice on `dir` finds
    // its data again, as with a SQLite file.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() || err.contains("already exists"), "{err}");
    let (base, _) = server.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// Every byte the database holds: SQLite's file and its write-ahead log, or a dump of the
/// PostgreSQL database's data.
pub fn everything_stored(app: &TestApp) -> Vec<u8> {
    let url = &app.state.settings.database.url;
    if let Some(path) = url.strip_prefix("sqlite://") {
        let mut bytes = std::fs::read(path).unwrap();
        if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
            bytes.extend(wal);
        }
        return bytes;
    }
    let out = std::process::Command::new("/usr/lib/postgresql/15/bin/pg_dump")
        .args(["--data-only", url.as_str()])
        .output()
        .expect("pg_dump runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// A free local port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs the real `dalal` binary on a database file, as an operator would.
pub fn start_dalal(
    dir: &std::path::Path,
    port: u16,
    extra: &[(&str, &str)],
) -> std::process::Child {
    let mut command = dalal_command(dir, port);
    for (k, v) in extra {
        command.env(k, v);
    }
    command.spawn().expect("dalal starts")
}

pub async fn wait_healthy(client: &reqwest::Client, base: &str) {
    for _ in 0..100 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("dalal did not start at {base}");
}
