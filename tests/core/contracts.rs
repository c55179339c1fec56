//! The providers' contracts as fixtures (`tests/contracts/{wave,mtn_momo,orange_money}/`, written
//! from PROVIDERS.md): every answer a provider documents or was seen sending in production is
//! fed to Dalal's live connector by a stand-in server, and what the connector reads is checked
//! against the fixture's `expect`. The emulators are checked against the same fixtures in
//! `emulators.rs`.

use dalal::clock::{ManualClock, SharedClock};
use dalal::config::Secret;
use dalal::domain::msisdn::Msisdn;
use dalal::domain::{Country, Currency, Money, ProviderCode};
use dalal::providers::mtn_momo::{self, MtnMomoConnector};
use dalal::providers::orange_money::{self, OrangeMoneyConnector};
use dalal::providers::wave::{Wallet, WaveConnector};
use dalal::providers::{
    AttemptOutcome, AttemptRef, AttemptRequest, HeaderMap, Named, Notification, PaymentProvider,
    ProviderError, ProviderRefund, RefundOutcome,
};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One fixture file.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub name: String,
    pub kind: String,
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Value,
    pub empty_body: bool,
    pub expect: Value,
}

impl Fixture {
    /// The answer a stand-in provider sends for this fixture.
    pub fn answer(&self) -> Answer {
        Answer {
            status: self.status,
            body: if self.empty_body || self.body.is_null() {
                Vec::new()
            } else {
                serde_json::to_vec(&self.body).unwrap()
            },
            delay: None,
        }
    }

    fn expected(&self, key: &str) -> &str {
        self.expect[key]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no expect.{key}", self.name))
    }
}

/// Every fixture of a provider (`wave`, `mtn_momo`, `orange_money`), by file name.
pub fn fixtures(provider: &str) -> Vec<Fixture> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/contracts")
        .join(provider);
    let mut all: Vec<Fixture> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let file: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Fixture {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                kind: file["kind"].as_str().unwrap().to_owned(),
                status: file["status"].as_u64().unwrap_or(200) as u16,
                headers: file["headers"]
                    .as_object()
                    .map(|h| {
                        h.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                            .collect()
                    })
                    .unwrap_or_default(),
                body: file["body"].clone(),
                empty_body: file["empty_body"].as_bool().unwrap_or(false),
                expect: file["expect"].clone(),
            }
        })
        .collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(!all.is_empty(), "no fixtures in {}", dir.display());
    all
}

pub fn of_kind<'a>(all: &'a [Fixture], kind: &str) -> Vec<&'a Fixture> {
    all.iter().filter(|f| f.kind == kind).collect()
}

/// What a stand-in provider answers one request.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    /// Held this long first (longer than the connector waits: a lost answer).
    pub delay: Option<Duration>,
}

impl Answer {
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            body: serde_json::to_vec(&body).unwrap(),
            delay: None,
        }
    }

    pub fn empty(status: u16) -> Self {
        Self {
            status,
            body: Vec::new(),
            delay: None,
        }
    }
}

/// A request the stand-in provider received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// The answers a stand-in provider has left, by `(method, path)`.
type Script = Arc<Mutex<BTreeMap<(String, String), VecDeque<Answer>>>>;

/// A stand-in provider over real HTTP: each `(method, path)` answers from its queue, the last
/// answer repeating; anything else is a 404 with a body naming it.
#[derive(Clone)]
pub struct StandIn {
    pub base: String,
    answers: Script,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl StandIn {
    pub async fn start() -> Self {
        let answers: Script = Default::default();
        let seen: Arc<Mutex<Vec<Seen>>> = Default::default();
        let (answers_in, seen_in) = (answers.clone(), seen.clone());
        let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
            let (answers, seen) = (answers_in.clone(), seen_in.clone());
            async move {
                let (parts, body) = request.into_parts();
                let body = axum::body::to_bytes(body, 1 << 20).await.unwrap().to_vec();
                let key = (parts.method.to_string(), parts.uri.path().to_owned());
                seen.lock().unwrap().push(Seen {
                    method: key.0.clone(),
                    path: key.1.clone(),
                    query: parts.uri.query().map(str::to_owned),
                    headers: parts.headers.clone(),
                    body,
                });
                let answer = {
                    let mut answers = answers.lock().unwrap();
                    match answers.get_mut(&key) {
                        Some(queue) if queue.len() > 1 => queue.pop_front(),
                        Some(queue) => queue.front().cloned(),
                        None => None,
                    }
                };
                let answer = answer.unwrap_or_else(|| {
                    Answer::json(404, serde_json::json!({ "code": "stand-in", "message": format!("nothing scripted for {} {}", key.0, key.1) }))
                });
                if let Some(delay) = answer.delay {
                    tokio::time::sleep(delay).await;
                }
                axum::response::Response::builder()
                    .status(answer.status)
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(answer.body))
                    .unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            base,
            answers,
            seen,
        }
    }

    /// Answers `method path` with these, in turn (the last repeats).
    pub fn script(&self, method: &str, path: &str, answers: impl IntoIterator<Item = Answer>) {
        self.answers.lock().unwrap().insert(
            (method.to_owned(), path.to_owned()),
            answers.into_iter().collect(),
        );
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn count(&self, method: &str, path: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.method == method && s.path == path)
            .count()
    }
}

/// An outcome in the fixtures' words.
pub fn outcome_word(outcome: &AttemptOutcome) -> String {
    match outcome {
        AttemptOutcome::Waiting => "waiting".into(),
        AttemptOutcome::CustomerAsked => "customer_asked".into(),
        AttemptOutcome::Succeeded => "succeeded".into(),
        AttemptOutcome::Failed(failure) => format!("failed:{}", failure.code),
        AttemptOutcome::Unrecognised => "unrecognised".into(),
    }
}

/// A connector's error in the fixtures' words: a refusal the customer reads, the provider
/// unavailable, or Dalal's own error (its account or request is wrong).
pub fn error_word(err: &ProviderError) -> String {
    match err {
        ProviderError::Refused(failure) => format!("failed:{}", failure.code),
        ProviderError::Unavailable => "failed:unavailable".into(),
        ProviderError::OutcomeUnknown { .. } => "outcome-unknown".into(),
        ProviderError::UnknownReference(_) | ProviderError::Internal(_) => "failed:error".into(),
    }
}

pub(crate) fn clock() -> SharedClock {
    ManualClock::new()
}

/// Now, by the wall clock (where `clock()` starts): an attempt started a moment ago.
pub(crate) fn just_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

pub(crate) fn xof(amount: i64) -> Money {
    Money::new(amount, Currency::Xof).unwrap()
}

/// The amount a fixture's body states, if any (Wave's and MTN's strings, Orange's numbers).
fn amount_in(body: &Value) -> Option<i64> {
    let amount = body.get("amount")?;
    let amount = amount.get("value").unwrap_or(amount);
    match amount {
        Value::String(s) => s.split('.').next()?.parse().ok(),
        Value::Number(n) => n.as_f64().map(|f| f as i64),
        _ => None,
    }
}

/// The attempt a status fixture is asked about: `expect.attempt` (another attempt's, to show a
/// mismatch is not believed), else the one the answer names (`client_reference`, `externalId`)
/// with the amount it states.
fn attempt_of(fixture: &Fixture) -> (String, i64) {
    if let Some(attempt) = fixture.expect.get("attempt") {
        return (
            attempt["id"].as_str().unwrap().to_owned(),
            attempt["amount"].as_i64().unwrap(),
        );
    }
    let body = &fixture.body;
    let named = body["client_reference"]
        .as_str()
        .or(body["externalId"].as_str())
        .unwrap_or("att_0123456789abcdefABCDEF01");
    (named.to_owned(), amount_in(body).unwrap_or(1000))
}

pub const WAVE_SECRET: &str = "wave_sn_WHS_contract_secret";

fn wave(base: &str) -> WaveConnector {
    let wallet = Wallet {
        countries: vec![Country::Sn],
        api_key: Secret::new("wave_sn_prod_contract"),
        webhook_secret: Some(Secret::new(WAVE_SECRET)),
        tag: None,
    };
    WaveConnector::new(base, vec![wallet], false).unwrap()
}

pub(crate) fn request(
    provider: ProviderCode,
    amount: i64,
    phone: Option<&str>,
    code: Option<&str>,
) -> AttemptRequest {
    AttemptRequest {
        attempt_id: dalal::domain::AttemptId::parse("att_0123456789abcdefABCDEF01").unwrap(),
        provider,
        amount: xof(amount),
        country: if provider == ProviderCode::MtnMomo {
            Country::Ci
        } else {
            Country::Sn
        },
        phone: phone.map(|p| Msisdn::from_trusted(p.to_owned())),
        one_time_code: code.map(str::to_owned),
        card: None,
        return_url: "https://pay.dalal.example/pay/tok".into(),
    }
}

#[tokio::test]
async fn the_wave_connector_reads_every_wave_fixture() {
    let all = fixtures("wave");
    let mut checked = 0;
    for fixture in &all {
        let name = &fixture.name;
        let server = StandIn::start().await;
        let connector = wave(&server.base);
        match fixture.kind.as_str() {
            "wave.session" => {
                let id = fixture.body["id"].as_str().unwrap();
                let path = format!("/v1/checkout/sessions/{id}");
                server.script("GET", &path, [fixture.answer()]);
                server.script("POST", &format!("{path}/expire"), [Answer::empty(200)]);
                server.script("POST", "/v1/checkout/sessions", [fixture.answer()]);
                // The attempt the session is asked about: the fixture's own, or another's.
                let (attempt_id, amount) = attempt_of(fixture);
                let asked = AttemptRef {
                    attempt_id: &attempt_id,
                    reference: id,
                    amount: xof(amount),
                    started_at_ms: 0,
                };
                let word = match connector.fetch_status(&asked).await {
                    Ok(status) => outcome_word(&status.outcome),
                    Err(err) => error_word(&err),
                };
                assert_eq!(word, fixture.expected("outcome"), "{name}");
                if fixture.expect.get("attempt").is_some() {
                    checked += 1;
                    continue;
                }
                // The same answer to a creation: what the page shows.
                let session = connector
                    .initiate(&request(ProviderCode::Wave, 1000, None, None))
                    .await
                    .expect(name);
                assert_eq!(session.reference, fixture.expected("reference"), "{name}");
                assert_eq!(
                    session.launch_url.as_deref(),
                    Some(fixture.expected("launch_url")),
                    "{name}"
                );
                let links: Value = serde_json::to_value(&session.deep_links).unwrap();
                assert_eq!(links, fixture.expect["deep_links"], "{name}");
                // The creation sent what Wave takes: amount a string, https return URLs.
                let created = server
                    .seen()
                    .into_iter()
                    .find(|s| s.method == "POST" && s.path == "/v1/checkout/sessions")
                    .unwrap();
                let sent: Value = serde_json::from_slice(&created.body).unwrap();
                assert_eq!(sent["amount"], "1000", "{name}");
                assert_eq!(sent["client_reference"], "att_0123456789abcdefABCDEF01");
                assert!(
                    sent.get("restrict_payer_mobile").is_none(),
                    "restricted by default"
                );
            }
            "wave.expire" => {
                server.script(
                    "POST",
                    "/v1/checkout/sessions/cos-1/expire",
                    [fixture.answer()],
                );
                connector.expire("cos-1").await.expect(name);
                assert_eq!(fixture.expected("expire"), "done");
            }
            "wave.refund" => {
                server.script(
                    "POST",
                    "/v1/checkout/sessions/cos-1/refund",
                    [fixture.answer()],
                );
                let refund = ProviderRefund {
                    refund_id: "rf_1",
                    reference: "cos-1",
                    amount: xof(1000),
                };
                let word = match connector.refund(&refund).await.expect(name) {
                    RefundOutcome::Succeeded { .. } => "succeeded".to_owned(),
                    RefundOutcome::Pending { .. } => "pending".to_owned(),
                    RefundOutcome::Failed(failure) => format!("failed:{}", failure.code),
                };
                assert_eq!(word, fixture.expected("refund"), "{name}");
            }
            "wave.error" => {
                server.script("POST", "/v1/checkout/sessions", [fixture.answer()]);
                let err = connector
                    .initiate(&request(ProviderCode::Wave, 1000, None, None))
                    .await
                    .expect_err(name);
                assert_eq!(error_word(&err), fixture.expected("outcome"), "{name}");
            }
            "wave.webhook" => {
                let body = serde_json::to_vec(&fixture.body).unwrap();
                let now = 1_788_948_000;
                let mut headers = HeaderMap::new();
                let signed = dalal::sandbox::emulators::wave::signed(WAVE_SECRET, now, &body);
                headers.insert("wave-signature", signed.parse().unwrap());
                let expected = fixture.expect["names"]["reference"].as_str().unwrap();
                assert_eq!(
                    connector.verify_notification(&headers, &body, now * 1000).await,
                    Notification::About(Named::Reference(expected.to_owned())),
                    "{name}"
                );
                // Signed by another secret, or too long ago: not Wave's.
                let forged = dalal::sandbox::emulators::wave::signed("another", now, &body);
                headers.insert("wave-signature", forged.parse().unwrap());
                assert_eq!(
                    connector.verify_notification(&headers, &body, now * 1000).await,
                    Notification::NotOurs
                );
                let stale = dalal::sandbox::emulators::wave::signed(WAVE_SECRET, now - 301, &body);
                headers.insert("wave-signature", stale.parse().unwrap());
                assert_eq!(
                    connector.verify_notification(&headers, &body, now * 1000).await,
                    Notification::NotOurs
                );
                // The shared-secret strategy.
                let mut shared = HeaderMap::new();
                shared.insert(
                    "authorization",
                    format!("Bearer {WAVE_SECRET}").parse().unwrap(),
                );
                assert!(matches!(
                    connector.verify_notification(&shared, &body, now * 1000).await,
                    Notification::About(_)
                ));
                // What the event's session says, read as a session.
                let data = &fixture.body["data"];
                let path = format!("/v1/checkout/sessions/{expected}");
                server.script("GET", &path, [Answer::json(200, data.clone())]);
                server.script("POST", &format!("{path}/expire"), [Answer::empty(200)]);
                let asked = AttemptRef {
                    attempt_id: data["client_reference"].as_str().unwrap(),
                    reference: expected,
                    amount: xof(amount_in(data).unwrap()),
                    started_at_ms: 0,
                };
                let status = connector.fetch_status(&asked).await.expect(name);
                assert_eq!(
                    outcome_word(&status.outcome),
                    fixture.expected("outcome"),
                    "{name}"
                );
            }
            "wave.create_request" => continue,
            other => panic!("{name}: unknown kind {other}"),
        }
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} Wave fixtures read");
}

fn mtn(base: &str) -> MtnMomoConnector {
    MtnMomoConnector::new(
        base,
        mtn_momo::Credentials {
            subscription_key: Secret::new("sub"),
            api_user: Secret::new("0d7a2c4e-5b1f-4e8a-9c3d-7f6b2a1e4d90"),
            api_key: Secret::new("key"),
        },
        vec![mtn_momo::Environment {
            name: "mtnivorycoast".into(),
            country: Country::Ci,
        }],
        "https://pay.dalal.example/hooks/mtn-momo",
        clock(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_mtn_connector_reads_every_mtn_fixture() {
    let all = fixtures("mtn_momo");
    let token = of_kind(&all, "mtn_momo.token")[0].answer();
    let mut checked = 0;
    for fixture in &all {
        let name = &fixture.name;
        let server = StandIn::start().await;
        server.script("POST", "/collection/token/", [token.clone()]);
        let connector = mtn(&server.base);
        match fixture.kind.as_str() {
            "mtn_momo.status" => {
                let word = match mtn_status(&server, &connector, fixture).await {
                    Ok(word) => word,
                    Err(err) => error_word(&err),
                };
                assert_eq!(word, fixture.expected("outcome"), "{name}");
            }
            "mtn_momo.callback" => {
                let body = serde_json::to_vec(&fixture.body).unwrap();
                let attempt = fixture.expect["names"]["attempt"].as_str().unwrap();
                assert_eq!(
                    connector.verify_notification(&HeaderMap::new(), &body, 0).await,
                    Notification::Unsigned(Named::Attempt(attempt.to_owned())),
                    "{name}"
                );
                let word = mtn_status(&server, &connector, fixture).await.expect(name);
                assert_eq!(word, fixture.expected("outcome"), "{name}");
            }
            "mtn_momo.balance" => {
                server.script(
                    "GET",
                    "/collection/v1_0/account/balance",
                    [fixture.answer()],
                );
                let (amount, currency) = connector.balance().await.expect(name);
                assert_eq!(amount, fixture.body["availableBalance"].as_str().unwrap());
                assert_eq!(currency, fixture.body["currency"].as_str().unwrap());
            }
            "mtn_momo.error" if fixture.status == 409 => {
                // The first answer is lost; the same reference again is refused as known: MTN
                // has the request, and the customer's phone rings.
                let mut lost = Answer::empty(202);
                lost.delay = Some(Duration::from_millis(1_500));
                server.script(
                    "POST",
                    "/collection/v1_0/requesttopay",
                    [lost, fixture.answer()],
                );
                let connector = mtn(&server.base)
                    .with_timeout(Duration::from_millis(300))
                    .unwrap();
                let session = connector
                    .initiate(&request(
                        ProviderCode::MtnMomo,
                        1000,
                        Some("+2250700000000"),
                        None,
                    ))
                    .await
                    .expect(name);
                // Open, with the customer asked: the attempt waits for MTN's answer.
                let word = if session.customer_asked {
                    "waiting"
                } else {
                    "not asked"
                };
                assert_eq!(word, fixture.expected("outcome"), "{name}");
                let ids: Vec<String> = server
                    .seen()
                    .iter()
                    .filter(|s| s.method == "POST" && s.path == "/collection/v1_0/requesttopay")
                    .map(|s| s.headers["x-reference-id"].to_str().unwrap().to_owned())
                    .collect();
                assert_eq!(ids.len(), 2, "{name}");
                assert_eq!(ids[0], ids[1], "sent again with the same reference");
            }
            "mtn_momo.error" if fixture.status == 404 => {
                // MTN has no record (yet) of a request whose answer was lost: it waits a while.
                let reference = "5f0c8a3e-1d2b-4c6f-9e7a-3b8d2f1c0a94";
                server.script(
                    "GET",
                    &format!("/collection/v1_0/requesttopay/{reference}"),
                    [fixture.answer()],
                );
                let asked = AttemptRef {
                    attempt_id: "att_x",
                    reference,
                    amount: xof(1000),
                    started_at_ms: just_now(),
                };
                let status = connector.fetch_status(&asked).await.expect(name);
                assert_eq!(
                    outcome_word(&status.outcome),
                    fixture.expected("outcome"),
                    "{name}"
                );
                // Long after, it never took.
                let long_ago = AttemptRef {
                    started_at_ms: 0,
                    ..asked
                };
                let status = connector.fetch_status(&long_ago).await.expect(name);
                assert_eq!(
                    outcome_word(&status.outcome),
                    "failed:unavailable",
                    "{name}"
                );
            }
            "mtn_momo.error" => {
                server.script("POST", "/collection/v1_0/requesttopay", [fixture.answer()]);
                let err = connector
                    .initiate(&request(
                        ProviderCode::MtnMomo,
                        1000,
                        Some("+2250700000000"),
                        None,
                    ))
                    .await
                    .expect_err(name);
                assert_eq!(error_word(&err), fixture.expected("outcome"), "{name}");
            }
            "mtn_momo.token" | "mtn_momo.request_to_pay" => continue,
            other => panic!("{name}: unknown kind {other}"),
        }
        checked += 1;
    }
    assert!(checked >= 24, "only {checked} MTN MoMo fixtures read");
}

/// Where an MTN request to pay stands when MTN answers its status with `body`, in the
/// fixtures' words.
async fn mtn_status(
    server: &StandIn,
    connector: &MtnMomoConnector,
    fixture: &Fixture,
) -> Result<String, ProviderError> {
    let reference = "5f0c8a3e-1d2b-4c6f-9e7a-3b8d2f1c0a94";
    server.script(
        "GET",
        &format!("/collection/v1_0/requesttopay/{reference}"),
        [Answer::json(200, fixture.body.clone())],
    );
    let (attempt_id, amount) = attempt_of(fixture);
    let asked = AttemptRef {
        attempt_id: &attempt_id,
        reference,
        amount: xof(amount),
        started_at_ms: just_now(),
    };
    let status = connector.fetch_status(&asked).await?;
    Ok(outcome_word(&status.outcome))
}

pub const ORANGE_CALLBACK_KEY: &str = "om_live_callback_key_example";

fn orange(base: &str) -> OrangeMoneyConnector {
    OrangeMoneyConnector::new(
        base,
        orange_money::Account {
            client_id: Secret::new("client"),
            client_secret: Secret::new("secret"),
            merchant_code: "123456".into(),
            merchant_name: "Boutique".into(),
            callback_key: Some(Secret::new(ORANGE_CALLBACK_KEY)),
            callback_url: "https://pay.dalal.example/hooks/orange-money".into(),
            countries: vec![Country::Sn],
        },
        clock(),
    )
    .unwrap()
}

#[tokio::test]
async fn the_orange_connector_reads_every_orange_fixture() {
    let all = fixtures("orange_money");
    let token = of_kind(&all, "orange_money.token")[0].answer();
    let attempt = "att_0123456789abcdefABCDEF01";
    let mut checked = 0;
    for fixture in &all {
        let name = &fixture.name;
        let server = StandIn::start().await;
        server.script("POST", "/oauth/v1/token", [token.clone()]);
        let connector = orange(&server.base);
        match fixture.kind.as_str() {
            "orange_money.qr" => {
                server.script("POST", "/api/eWallet/v4/qrcode", [fixture.answer()]);
                let session = connector
                    .initiate(&request(ProviderCode::OrangeMoney, 10, None, None))
                    .await
                    .expect(name);
                assert_eq!(
                    session.reference,
                    format!("qr:{}", fixture.expected("reference")),
                    "{name}"
                );
                assert_eq!(
                    session.launch_url.as_deref(),
                    Some(fixture.expected("launch_url"))
                );
                let links: Value = serde_json::to_value(&session.deep_links).unwrap();
                assert_eq!(links, fixture.expect["deep_links"], "{name}");
                // The code carries the attempt's reference and asks for a single use.
                let sent = server
                    .seen()
                    .into_iter()
                    .find(|s| s.path == "/api/eWallet/v4/qrcode")
                    .unwrap();
                let body: Value = serde_json::from_slice(&sent.body).unwrap();
                assert_eq!(body["reference"], attempt);
                assert_eq!(body["restrictions"]["isSingleUse"], true);
            }
            "orange_money.onestep" => {
                server.script(
                    "POST",
                    "/api/eWallet/v1/payments/onestep",
                    [fixture.answer()],
                );
                let session = connector
                    .initiate(&request(
                        ProviderCode::OrangeMoney,
                        10,
                        Some("+221771234567"),
                        Some("123456"),
                    ))
                    .await
                    .expect(name);
                assert_eq!(session.reference, fixture.expected("reference"), "{name}");
                let asked = fixture.expected("outcome") != "waiting";
                assert_eq!(session.customer_asked, asked, "{name}");
                // The national number, never the international one.
                let sent = server
                    .seen()
                    .into_iter()
                    .find(|s| s.path == "/api/eWallet/v1/payments/onestep")
                    .unwrap();
                let body: Value = serde_json::from_slice(&sent.body).unwrap();
                assert_eq!(body["customer"]["id"], "771234567");
                assert_eq!(body["reference"], attempt);
            }
            "orange_money.search" => {
                server.script("GET", "/api/eWallet/v1/transactions", [fixture.answer()]);
                let asked = AttemptRef {
                    attempt_id: attempt,
                    reference: "qr:7b1e4c2a",
                    amount: xof(10),
                    started_at_ms: just_now(),
                };
                let status = connector.fetch_status(&asked).await.expect(name);
                assert_eq!(
                    outcome_word(&status.outcome),
                    fixture.expected("outcome"),
                    "{name}"
                );
                let matched = status.outcome != AttemptOutcome::Waiting;
                assert_eq!(
                    matched,
                    fixture.expect["matches"].as_bool().unwrap(),
                    "{name}"
                );
                let search = server
                    .seen()
                    .into_iter()
                    .find(|s| s.path == "/api/eWallet/v1/transactions")
                    .unwrap();
                assert_eq!(
                    search.query.as_deref(),
                    Some(format!("reference={attempt}").as_str())
                );
            }
            "orange_money.status" => {
                server.script(
                    "GET",
                    "/api/eWallet/v1/transactions/MP260909.1002.A34169/status",
                    [fixture.answer()],
                );
                let asked = AttemptRef {
                    attempt_id: attempt,
                    reference: "MP260909.1002.A34169",
                    amount: xof(10),
                    started_at_ms: 0,
                };
                let status = connector.fetch_status(&asked).await.expect(name);
                assert_eq!(
                    outcome_word(&status.outcome),
                    fixture.expected("outcome"),
                    "{name}"
                );
            }
            "orange_money.callback" => {
                let mut headers = HeaderMap::new();
                for (key, value) in &fixture.headers {
                    headers.insert(
                        reqwest::header::HeaderName::from_bytes(key.as_bytes()).unwrap(),
                        value.parse().unwrap(),
                    );
                }
                let body = serde_json::to_vec(&fixture.body).unwrap();
                let read = connector.verify_notification(&headers, &body, 0).await;
                let authenticated = fixture.expect["authenticated"].as_bool().unwrap();
                let expected = match (&fixture.expect["names"]["attempt"], authenticated) {
                    (_, false) => Notification::NotOurs,
                    (Value::String(named), true) => {
                        Notification::About(Named::Attempt(named.clone()))
                    }
                    (_, true) => Notification::Unreadable,
                };
                assert_eq!(read, expected, "{name}");
            }
            "orange_money.error" if fixture.name.contains("token") => {
                server.script("POST", "/oauth/v1/token", [fixture.answer()]);
                let err = connector
                    .initiate(&request(ProviderCode::OrangeMoney, 10, None, None))
                    .await
                    .expect_err(name);
                assert_eq!(error_word(&err), fixture.expected("outcome"), "{name}");
            }
            "orange_money.error" => {
                server.script(
                    "POST",
                    "/api/eWallet/v1/payments/onestep",
                    [fixture.answer()],
                );
                let err = connector
                    .initiate(&request(
                        ProviderCode::OrangeMoney,
                        10,
                        Some("+221771234567"),
                        Some("123456"),
                    ))
                    .await
                    .expect_err(name);
                assert_eq!(error_word(&err), fixture.expected("outcome"), "{name}");
                if let ProviderError::Refused(failure) = &err
                    && failure.code == dalal::domain::FailureCode::Unknown
                {
                    // The customer reads Orange's code, never an internal error.
                    let text = failure.message_fr(ProviderCode::OrangeMoney);
                    let code = fixture.expected("refusal");
                    assert!(
                        text.contains(&format!("refusé par Orange Money (code {code})")),
                        "{text}"
                    );
                }
            }
            "orange_money.token" | "orange_money.qr_request" | "orange_money.onestep_request" => {
                continue;
            }
            other => panic!("{name}: unknown kind {other}"),
        }
        // Every call but the token's said it speaks JSON, GETs included (Orange answers 415).
        for call in server.seen().iter().filter(|s| s.path != "/oauth/v1/token") {
            assert_eq!(
                call.headers["content-type"], "application/json",
                "{name}: {} {}",
                call.method, call.path
            );
            assert_eq!(call.headers["accept"], "application/json", "{name}");
        }
        checked += 1;
    }
    assert!(checked >= 33, "only {checked} Orange Money fixtures read");
}

#[tokio::test]
async fn a_lost_one_step_answer_is_never_sent_again_and_is_settled_by_its_reference() {
    // Orange debits the customer, then the answer never comes back in time.
    let all = fixtures("orange_money");
    let server = StandIn::start().await;
    server.script(
        "POST",
        "/oauth/v1/token",
        [of_kind(&all, "orange_money.token")[0].answer()],
    );
    let mut slow = Answer::json(
        200,
        serde_json::json!({"transactionId": "MP1", "status": "SUCCESS"}),
    );
    slow.delay = Some(Duration::from_millis(1_500));
    server.script("POST", "/api/eWallet/v1/payments/onestep", [slow]);
    let connector = orange(&server.base)
        .with_timeout(Duration::from_millis(300))
        .unwrap();
    let err = connector
        .initiate(&request(
            ProviderCode::OrangeMoney,
            10,
            Some("+221771234567"),
            Some("123456"),
        ))
        .await
        .unwrap_err();
    let ProviderError::OutcomeUnknown { reference } = err else {
        panic!("a lost answer is an unknown outcome, not {err:?}");
    };
    assert_eq!(server.count("POST", "/api/eWallet/v1/payments/onestep"), 1);
    // Settled by the search by reference: the payment Orange took.
    let found = of_kind(&all, "orange_money.search")
        .into_iter()
        .find(|f| f.name == "search_success_match.json")
        .unwrap();
    server.script("GET", "/api/eWallet/v1/transactions", [found.answer()]);
    let asked = AttemptRef {
        attempt_id: "att_0123456789abcdefABCDEF01",
        reference: &reference,
        amount: xof(10),
        started_at_ms: just_now(),
    };
    let status = connector.fetch_status(&asked).await.unwrap();
    assert_eq!(status.outcome, AttemptOutcome::Succeeded);
    // Not found, it waits; not found long after, it never took.
    server.script(
        "GET",
        "/api/eWallet/v1/transactions",
        [Answer::json(200, serde_json::json!([]))],
    );
    let status = connector.fetch_status(&asked).await.unwrap();
    assert_eq!(status.outcome, AttemptOutcome::Waiting);
    let long_ago = AttemptRef {
        started_at_ms: 0,
        ..asked
    };
    let status = connector.fetch_status(&long_ago).await.unwrap();
    assert_eq!(outcome_word(&status.outcome), "failed:unavailable");
    // Still one payment request, whatever happened after.
    assert_eq!(server.count("POST", "/api/eWallet/v1/payments/onestep"), 1);
}

#[tokio::test]
async fn a_wave_signature_computed_elsewhere_verifies() {
    // HMAC-SHA256(secret, "1700000000" + body), computed with Python's hmac module, not Dalal's.
    let body =
        br#"{"id":"AE_vector","type":"checkout.session.completed","data":{"id":"cos-vector"}}"#;
    let header = "t=1700000000,v1=9041c18a5ffc7c540b470a04bf1f43bfe1a1d5dcb3839f1df1556379cff71545";
    let wallet = Wallet {
        countries: vec![Country::Sn],
        api_key: Secret::new("k"),
        webhook_secret: Some(Secret::new("wave_sn_WHS_known_answer")),
        tag: None,
    };
    let connector = WaveConnector::new("http://127.0.0.1:9", vec![wallet], false).unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("wave-signature", header.parse().unwrap());
    assert_eq!(
        connector.verify_notification(&headers, body, 1_700_000_000_000).await,
        Notification::About(Named::Reference("cos-vector".into()))
    );
    // One byte changed in the body, or in the signature: not Wave's.
    let mut changed = body.to_vec();
    changed[10] = b'X';
    assert_eq!(
        connector.verify_notification(&headers, &changed, 1_700_000_000_000).await,
        Notification::NotOurs
    );
    let forged = header.replace("9041", "9042");
    headers.insert("wave-signature", forged.parse().unwrap());
    assert_eq!(
        connector.verify_notification(&headers, body, 1_700_000_000_000).await,
        Notification::NotOurs
    );
}
