//! No secret Dalal is given ever reaches its log: the real binary runs at `RUST_LOG=trace` with
//! live Wave, MTN MoMo and Orange Money credentials (pointing at its own emulators), takes a live
//! and a test Wave payment, a live MTN MoMo one and a live Orange Money one, receives good and
//! forged notifications, and its whole output is searched.

use crate::helpers::*;
use dalal::sandbox::emulators::mtn_momo as mtn;
use dalal::sandbox::emulators::orange_money as orange;
use dalal::sandbox::emulators::wave::{WALLETS, WEBHOOK_SECRET};
use serde_json::{Value, json};

/// The Senegalese wallet's key, test mode's main one.
const API_KEY: &str = WALLETS[0].1;

const LIVE_WEBHOOK_SECRET: &str = "wave_sn_WHS_live_k7Qp2x9Vb4Ln8Rt1";
const LIVE_ORANGE_CALLBACK_KEY: &str = "om_live_callback_Xq81Lw3Zr6";

/// The `live` key pair `dalal create-merchant` prints.
fn created_merchant(dir: &std::path::Path) -> (String, String) {
    let output = dalal_command(dir, free_port())
        .args(["create-merchant", "Boutique Secrète"])
        .stdout(std::process::Stdio::piped())
        .output()
        .expect("create-merchant runs");
    let text = String::from_utf8(output.stdout).unwrap();
    let key = |mode: &str| {
        text.lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix(&format!("{mode} X-API-Key: "))
                    .map(|k| k.trim().to_owned())
            })
            .unwrap_or_else(|| panic!("no {mode} key in: {text}"))
    };
    (key("live"), key("test"))
}

async fn signed_hook(client: &reqwest::Client, base: &str, session: &str, secret: &str) -> u16 {
    let body =
        json!({"id": "AE_log", "type": "checkout.session.completed", "data": {"id": session}})
            .to_string();
    let now = chrono::Utc::now().timestamp();
    client
        .post(format!("{base}/hooks/wave"))
        .header(
            "Wave-Signature",
            dalal::sandbox::emulators::wave::signed(secret, now, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn no_configured_secret_appears_in_the_log_at_trace_level() {
    let dir = tempfile::tempdir().unwrap();
    let (live, test) = created_merchant(dir.path());
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let log_path = dir.path().join("dalal.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut dalal = dalal_command(dir.path(), port)
        .env("RUST_LOG", "trace")
        .env("DALAL__DEMO__ENABLED", "false")
        .env("DALAL__PAYMENTS__WORKER_INTERVAL_MS", "200")
        .env("DALAL__PROVIDERS__WAVE__API_KEY", API_KEY)
        .env(
            "DALAL__PROVIDERS__WAVE__WEBHOOK_SECRET",
            LIVE_WEBHOOK_SECRET,
        )
        .env(
            "DALAL__PROVIDERS__WAVE__BASE_URL",
            format!("{base}/sandbox/providers/wave"),
        )
        .env("DALAL__SANDBOX__ANSWER_DELAY_MS", "300")
        .env(
            "DALAL__PROVIDERS__MTN_MOMO__SUBSCRIPTION_KEY",
            mtn::SUBSCRIPTION_KEY,
        )
        .env("DALAL__PROVIDERS__MTN_MOMO__API_USER", mtn::API_USER)
        .env("DALAL__PROVIDERS__MTN_MOMO__API_KEY", mtn::API_KEY)
        .env("DALAL__PROVIDERS__MTN_MOMO__TARGET_ENVIRONMENT", "mtnivorycoast")
        .env(
            "DALAL__PROVIDERS__MTN_MOMO__BASE_URL",
            format!("{base}/sandbox/providers/mtn-momo"),
        )
        .env(
            "DALAL__PROVIDERS__ORANGE_MONEY__CLIENT_ID",
            orange::CLIENT_ID,
        )
        .env(
            "DALAL__PROVIDERS__ORANGE_MONEY__CLIENT_SECRET",
            orange::CLIENT_SECRET,
        )
        .env(
            "DALAL__PROVIDERS__ORANGE_MONEY__MERCHANT_CODE",
            orange::MERCHANT_CODE,
        )
        .env(
            "DALAL__PROVIDERS__ORANGE_MONEY__CALLBACK_API_KEY",
            LIVE_ORANGE_CALLBACK_KEY,
        )
        .env(
            "DALAL__PROVIDERS__ORANGE_MONEY__BASE_URL",
            format!("{base}/sandbox/providers/orange-money"),
        )
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("dalal starts");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    wait_healthy(&client, &base).await;

    let mut sessions = Vec::new();
    for key in [&live, &test] {
        let reply = client
            .post(format!("{base}/api/v1/payments/initiate"))
            .header("X-API-Key", key.as_str())
            .header("Content-Type", "application/json")
            .body(seed_direct_body().to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 201);
        let data: Value = reply.json().await.unwrap();
        let link = data["data"]["deepLinks"]["wave"]
            .as_str()
            .unwrap()
            .to_owned();
        let id = data["data"]["transactionId"].as_str().unwrap().to_owned();
        // The customer approves in the (emulated) Wave app; the emulator notifies /hooks/wave.
        let answer = client
            .post(&link)
            .form(&[("decision", "approve")])
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 303);
        sessions.push((key.clone(), id, link.rsplit('/').next().unwrap().to_owned()));
    }
    for (key, id, session) in &sessions {
        assert_eq!(
            signed_hook(&client, &base, session, LIVE_WEBHOOK_SECRET).await,
            200
        );
        assert_eq!(
            signed_hook(&client, &base, session, "wave_sn_WHS_forged").await,
            401
        );
        let mut status = Value::Null;
        for _ in 0..100 {
            let reply = client
                .get(format!("{base}/api/v1/payments/{id}"))
                .header("X-API-Key", key.as_str())
                .send()
                .await
                .unwrap();
            status = reply.json::<Value>().await.unwrap()["data"]["status"].clone();
            if status == "succeeded" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(status, "succeeded", "{id}");
    }
    assert_eq!(
        signed_hook(&client, &base, &sessions[0].2, WEBHOOK_SECRET).await,
        200
    );
    // A live MTN MoMo push, confirmed by the status checker and MTN's callback.
    let reply = client
        .post(format!("{base}/api/v1/payments/initiate"))
        .header("X-API-Key", live.as_str())
        .header("Content-Type", "application/json")
        .body(
            json!({"type": "direct", "provider": "mtn_momo", "country": "CI", "amount": 5000,
                "customerPhone": "+2250501234567", "externalReference": "LOG-MTN"})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let id = reply.json::<Value>().await.unwrap()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut status = Value::Null;
    for _ in 0..100 {
        let reply = client
            .get(format!("{base}/api/v1/payments/{id}"))
            .header("X-API-Key", live.as_str())
            .send()
            .await
            .unwrap();
        status = reply.json::<Value>().await.unwrap()["data"]["status"].clone();
        if status == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "succeeded", "{id}");

    // A live Orange Money QR code paid in the (emulated) app, and callbacks with the live key
    // and with a forged one.
    let reply = client
        .post(format!("{base}/api/v1/payments/initiate"))
        .header("X-API-Key", live.as_str())
        .header("Content-Type", "application/json")
        .body(
            json!({"type": "direct", "provider": "orange_money", "country": "SN", "amount": 7300,
                "customerPhone": "+221771234567", "externalReference": "LOG-OM"})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 201);
    let data = reply.json::<Value>().await.unwrap()["data"].clone();
    let id = data["transactionId"].as_str().unwrap().to_owned();
    let link = data["deepLinks"]["orange_money"].as_str().unwrap();
    let answer = client
        .post(link)
        .form(&[("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    for (key, expected) in [(LIVE_ORANGE_CALLBACK_KEY, 200), ("om_forged", 401)] {
        let status = client
            .post(format!("{base}/hooks/orange-money"))
            .header("X-Api-Key", key)
            .json(&json!({"transactionId": "MPLOG", "status": "SUCCESS",
                "amount": {"unit": "XOF", "value": 7300}, "reference": "att_unknown",
                "paymentMethod": "QRCODE", "createdAt": "2026-12-02T10:00:00Z"}))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), expected);
    }
    let mut status = Value::Null;
    for _ in 0..100 {
        let reply = client
            .get(format!("{base}/api/v1/payments/{id}"))
            .header("X-API-Key", live.as_str())
            .send()
            .await
            .unwrap();
        status = reply.json::<Value>().await.unwrap()["data"]["status"].clone();
        if status == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "succeeded", "{id}");

    dalal.kill().unwrap();
    dalal.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    // The log is the real thing: requests, notifications and HTTP client traces are in it.
    assert!(log.contains("Wave notification"), "{log}");
    assert!(log.contains("Orange Money callback"), "{log}");
    assert!(log.contains("TRACE"), "not at trace level");
    let secret_of = |pair: &str| pair.split(':').nth(1).unwrap().to_owned();
    for secret in [
        API_KEY.to_owned(),
        LIVE_WEBHOOK_SECRET.to_owned(),
        WEBHOOK_SECRET.to_owned(),
        secret_of(&live),
        secret_of(&test),
        mtn::SUBSCRIPTION_KEY.to_owned(),
        mtn::API_USER.to_owned(),
        mtn::API_KEY.to_owned(),
        orange::CLIENT_ID.to_owned(),
        orange::CLIENT_SECRET.to_owned(),
        orange::CALLBACK_API_KEY.to_owned(),
        LIVE_ORANGE_CALLBACK_KEY.to_owned(),
    ] {
        assert!(!log.contains(&secret), "a secret is in the log: {secret}");
    }
}
