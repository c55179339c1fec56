//! Real `dalal` processes (README, "Running several instances"): a stopping instance tells the
//! load balancer so and finishes; on PostgreSQL, two processes share one database through an
//! idempotency race, 200 webhooks and one of them killed mid-load.

use crate::helpers::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

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
pub(crate) fn signal(child: &std::process::Child, name: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

pub(crate) async fn post(
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
