//! The Orange Money connector against the sandbox's emulator of Orange's merchant API (Sonatel),
//! over real HTTP: single-use QR codes found by their reference, paid, declined or unfunded in
//! the emulated app; one-time codes (good, wrong, refused, unanswered); Orange down; an answer
//! lost after the money moved (sent once, settled by its reference); callbacks (the registered
//! key as `Authorization: Basic`, a hint only, repeated, unknown, unreadable); token expiry and
//! renewal; live mode with credentials pointing at an emulator, and the sandbox's key kept out
//! of it.

use crate::helpers::*;
use dalal::sandbox::emulators::orange_money::{
    CALLBACK_API_KEY, CLIENT_ID, CLIENT_SECRET, MERCHANT_CODE,
};
use serde_json::{Value, json};

pub(crate) const EMULATOR: &str = "/sandbox/providers/orange-money";

/// A direct Orange Money payment in Senegal.
pub(crate) fn direct(amount: i64) -> Value {
    json!({"type": "direct", "provider": "orange_money", "country": "SN", "amount": amount,
        "externalReference": "OM-1", "customerPhone": "+221771234567",
        "returnUrl": "https://shop.example/merci"})
}

pub(crate) async fn attempt_of(app: &TestApp, data: &Value) -> dalal::payments::Attempt {
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(&token_of(data))
        .await
        .unwrap()
        .unwrap();
    attempt.expect("the QR code was created with the payment")
}

pub(crate) async fn access_token(app: &TestApp) -> String {
    let response = app
        .client
        .post(format!("{}{EMULATOR}/oauth/v1/token", app.address))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let token: Value = response.json().await.unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

/// The tester's answer on the sandbox phone page that the QR code's deep link opens.
pub(crate) async fn answer_in_app(app: &TestApp, data: &Value, decision: &str) {
    let link = data["deepLinks"]["orange_money"].as_str().unwrap();
    let answer = app
        .client
        .post(link)
        .form(&[("decision", decision)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
}

/// Posts a callback to `/hooks/orange-money` with `Authorization: Basic <key>` (or none).
pub(crate) async fn call_back(app: &TestApp, key: Option<&str>, body: &Value) -> u16 {
    let mut request = app
        .client
        .post(format!("{}/hooks/orange-money", app.address))
        .json(body);
    if let Some(key) = key {
        request = request.header("Authorization", format!("Basic {key}"));
    }
    request.send().await.unwrap().status().as_u16()
}

pub(crate) async fn attempt_by_token(app: &TestApp, token: &str) -> dalal::payments::Attempt {
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(token)
        .await
        .unwrap()
        .unwrap();
    attempt.expect("an attempt")
}

#[tokio::test]
async fn declining_or_lacking_funds_in_the_app_fails_the_attempt_in_orange_words() {
    let app = spawn_app().await;
    // A transaction carries no reason: a refusal in the app is CANCELLED, a failure FAILED.
    for (amount, decision, word, code) in [
        (6_201, "decline", "CANCELLED", "declined"),
        (6_202, "insufficient_funds", "FAILED", "unknown"),
    ] {
        let data = app.create(direct(amount)).await;
        answer_in_app(&app, &data, decision).await;
        let token = token_of(&data);
        let mut attempt = attempt_of(&app, &data).await;
        for _ in 0..50 {
            if attempt.failure_code.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            attempt = attempt_by_token(&app, &token).await;
        }
        assert_eq!(attempt.failure_code.map(|c| c.as_str()), Some(code));
        assert_eq!(attempt.provider_status.as_deref(), Some(word));
    }
}

#[tokio::test]
async fn the_emulator_checks_orange_credentials() {
    let app = spawn_app().await;
    let refused = app
        .client
        .post(format!("{}{EMULATOR}/oauth/v1/token", app.address))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let qr = json!({"amount": {"unit": "XOF", "value": 1000}, "callbackCancelUrl": "https://a.example",
        "callbackSuccessUrl": "https://a.example", "code": MERCHANT_CODE, "metadata": {},
        "name": "Boutique", "validity": 600, "reference": "att_1"});
    let url = format!("{}{EMULATOR}/api/eWallet/v4/qrcode", app.address);
    let forged = app
        .client
        .post(&url)
        .header("Accept", "application/json")
        .bearer_auth("1.forged")
        .json(&qr)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    // A token lives about five minutes.
    let token = access_token(&app).await;
    app.clock.advance_ms(300_000);
    let stale = app
        .client
        .post(&url)
        .header("Accept", "application/json")
        .bearer_auth(&token)
        .json(&qr)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 401);
    let mut other_merchant = qr.clone();
    other_merchant["code"] = json!("999999");
    let unknown = app
        .client
        .post(&url)
        .header("Accept", "application/json")
        .bearer_auth(access_token(&app).await)
        .json(&other_merchant)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["violations"][0]["field"], "code");
}

#[tokio::test]
async fn a_live_key_pays_with_orange_and_a_token_orange_no_longer_takes_is_renewed() {
    // "Orange": another Dalal's emulator, with a clock of its own.
    let orange = spawn_app().await;
    let base_url = format!("{}{EMULATOR}", orange.address);
    let live_key = "om-live-callback-key-4e1d";
    let app = spawn_app_with(&[
        ("providers.orange_money.client_id", CLIENT_ID),
        ("providers.orange_money.client_secret", CLIENT_SECRET),
        ("providers.orange_money.merchant_code", MERCHANT_CODE),
        ("providers.orange_money.callback_api_key", live_key),
        ("providers.orange_money.base_url", &base_url),
    ])
    .await;
    let (_, live) = app.other_merchant().await;
    let reply = app.initiate_with_key(&live, None, &direct(6_600)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let data = reply.json()["data"].clone();
    let id = data["transactionId"].as_str().unwrap().to_owned();
    let link = data["deepLinks"]["orange_money"].as_str().unwrap();
    assert!(link.starts_with(&orange.address), "{link}");

    // The customer pays at "Orange"; Orange's tokens have expired meanwhile (five minutes at
    // Orange, less at Dalal): Dalal's kept token is refused, and renewed.
    answer_in_app(&orange, &data, "approve").await;
    orange.clock.advance_ms(300_000);
    app.clock.advance_ms(2_000);
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(&token_of(&data))
        .await
        .unwrap()
        .unwrap();
    let callback = json!({"transactionId": "MPLIVE", "status": "SUCCESS",
        "amount": {"unit": "XOF", "value": 6600}, "reference": attempt.unwrap().id,
        "type": "MERCHANT_PAYMENT"});
    // The sandbox's public key authenticates a callback for test mode only: the live attempt
    // is not even asked about.
    assert_eq!(
        call_back(&app, Some(CALLBACK_API_KEY), &callback).await,
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let reply = app
        .get(&format!("/api/v1/payments/{id}"), Some(&live))
        .await;
    assert_eq!(reply.json()["data"]["status"], "pending", "{}", reply.text);
    assert_eq!(call_back(&app, Some(live_key), &callback).await, 200);
    for _ in 0..50 {
        let reply = app
            .get(&format!("/api/v1/payments/{id}"), Some(&live))
            .await;
        if reply.json()["data"]["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let reply = app
        .get(&format!("/api/v1/payments/{id}"), Some(&live))
        .await;
    assert_eq!(
        reply.json()["data"]["status"],
        "succeeded",
        "{}",
        reply.text
    );

    // Wave has no live credentials here: not offered.
    let reply = app
        .initiate_with_key(&live, None, &seed_direct_body())
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    // Nor is Orange Money outside the account's countries (Senegal, by default).
    let mut in_mali = direct(6_601);
    in_mali["country"] = json!("ML");
    in_mali["customerPhone"] = json!("+22370123456");
    let reply = app.initiate_with_key(&live, None, &in_mali).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    // A test key still pays Orange Money in Mali (the emulator plays every Orange country).
    let reply = app.initiate_with_key(DEMO_KEY, None, &in_mali).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}
