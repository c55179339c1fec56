//! The MTN MoMo connector against the sandbox's emulator of MTN's Collection API, over real
//! HTTP: pushes, each outcome, MTN down, callbacks (a hint, never believed alone), token expiry
//! and renewal, and live mode with credentials pointing at an emulator.

use crate::helpers::*;
use dalal::sandbox::emulators::mtn_momo::{API_USER, SUBSCRIPTION_KEY};
use serde_json::{Value, json};

pub(crate) fn direct(phone: &str) -> Value {
    json!({"type": "direct", "provider": "mtn_momo", "country": "CI", "amount": 5000,
        "externalReference": "MTN-1", "customerPhone": phone,
        "returnUrl": "https://shop.example/merci"})
}

pub(crate) async fn token(app: &TestApp, user: &str, key: &str) -> reqwest::Response {
    app.client
        .post(format!(
            "{}/sandbox/providers/mtn-momo/collection/token/",
            app.address
        ))
        .basic_auth(user, Some(key))
        .header("Ocp-Apim-Subscription-Key", SUBSCRIPTION_KEY)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn mtn_down_answers_503_and_creates_nothing() {
    let app = spawn_app().await;
    let reply = app
        .initiate_with_key(DEMO_KEY, None, &direct("+2250501234504"))
        .await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert!(reply.error_message().contains("MTN"), "{}", reply.text);
    assert_eq!(app.count_payments().await, 0);
}

#[tokio::test]
async fn the_emulator_checks_mtns_credentials() {
    let app = spawn_app().await;
    assert_eq!(token(&app, API_USER, "wrong").await.status(), 401);
    let response = app
        .client
        .post(format!(
            "{}/sandbox/providers/mtn-momo/collection/v1_0/requesttopay",
            app.address
        ))
        .bearer_auth("not-a-token")
        .header("Ocp-Apim-Subscription-Key", SUBSCRIPTION_KEY)
        .header("X-Target-Environment", "sandbox")
        .header("X-Reference-Id", dalal::random::uuid_v4())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
