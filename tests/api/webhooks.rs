//! Webhook deliveries to a real receiver on loopback, which verifies every signature.

use crate::helpers::*;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use dalal::merchants::DEMO_WEBHOOK_SECRET;
use dalal::webhooks::signing;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub(crate) id: String,
    pub(crate) timestamp: i64,
    pub(crate) signature: String,
    pub(crate) body: Vec<u8>,
}

impl Received {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A merchant's endpoint: records what it gets and answers from a script (then 200).
/// Scripted answers: a status and an optional `Retry-After`.
pub(crate) type Script = VecDeque<(StatusCode, Option<&'static str>)>;

#[derive(Clone, Default)]
pub(crate) struct Receiver {
    received: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    pub(crate) async fn start() -> (Self, String) {
        let receiver = Receiver::default();
        let app = Router::new()
            .route("/hooks", post(receive))
            .route(
                "/slow",
                post(|| async {
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    StatusCode::OK
                }),
            )
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, url)
    }

    pub(crate) fn answer(&self, status: StatusCode, retry_after: Option<&'static str>) {
        self.script.lock().unwrap().push_back((status, retry_after));
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn receive(
    State(r): State<Receiver>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, HeaderMap) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let got = Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp").parse().unwrap_or_default(),
        signature: header("webhook-signature"),
        body: body.to_vec(),
    };
    assert!(
        signing::verify(
            DEMO_WEBHOOK_SECRET,
            &got.id,
            got.timestamp,
            &got.body,
            &got.signature
        ),
        "a delivery with a bad signature: {got:?}"
    );
    r.received.lock().unwrap().push(got);
    let (status, retry_after) = r
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or((StatusCode::OK, None));
    let mut out = HeaderMap::new();
    if let Some(secs) = retry_after {
        out.insert("retry-after", secs.parse().unwrap());
    }
    (status, out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_survives_kill_9_between_the_status_change_and_its_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let (receiver, url) = Receiver::start().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();

    // First life: payments expire after a second; the delivery worker never gets to run.
    let mut first = start_dalal(
        dir.path(),
        port,
        &[
            ("DALAL__PAYMENTS__EXPIRY_SECS", "1"),
            ("DALAL__WEBHOOKS__INTERVAL_MS", "3600000"),
        ],
    );
    wait_healthy(&client, &base).await;
    let created: Value = client
        .post(format!("{base}/api/v1/payments/initiate"))
        .header("X-API-Key", DEMO_KEY)
        .json(&json!({"type": "checkout", "amount": 1000, "externalReference": "KILL-9", "callbackUrl": url}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = |client: reqwest::Client, base: String, id: String| async move {
        let r: Value = client
            .get(format!("{base}/api/v1/payments/{id}"))
            .header("X-API-Key", DEMO_KEY)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["data"]["status"].as_str().unwrap().to_owned()
    };
    for _ in 0..50 {
        if status(client.clone(), base.clone(), id.clone()).await == "expired" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        status(client.clone(), base.clone(), id.clone()).await,
        "expired"
    );
    first.kill().unwrap(); // SIGKILL: no graceful shutdown
    first.wait().unwrap();
    assert!(
        receiver.received().is_empty(),
        "nothing was delivered before the kill"
    );

    // Second life: the outbox still holds the event, and it goes out once.
    let mut second = start_dalal(dir.path(), port, &[]);
    wait_healthy(&client, &base).await;
    for _ in 0..50 {
        if !receiver.received().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    second.kill().unwrap();
    second.wait().unwrap();
    let got = receiver.received();
    assert_eq!(got.len(), 1, "exactly one delivery");
    assert_eq!(got[0].json()["type"], "payment.expired");
    assert_eq!(got[0].json()["data"]["transactionId"], id.as_str());
}
