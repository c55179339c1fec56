//! The Wave connector against the sandbox's emulator of Wave's Checkout API, over real HTTP:
//! sessions, outcomes, expiry, notifications (signed, forged, stale, repeated, unknown), Wave
//! down, and live mode with credentials pointing at an emulator.

use crate::helpers::*;
use dalal::sandbox::emulators::wave::WALLETS;
use serde_json::{Value, json};

/// The Senegalese wallet's key, test mode's main one.
pub(crate) const API_KEY: &str = WALLETS[0].1;

/// The Wave session behind a direct payment: the last segment of its deep link.
pub(crate) fn session_of(data: &Value) -> String {
    let link = data["deepLinks"]["wave"]
        .as_str()
        .expect("a Wave deep link");
    link.rsplit('/').next().unwrap().to_owned()
}

/// `GET /v1/checkout/sessions/{id}` on the app's emulator, as the connector calls it.
pub(crate) async fn emulated_session(app: &TestApp, id: &str) -> Value {
    let response = app
        .client
        .get(format!(
            "{}/sandbox/providers/wave/v1/checkout/sessions/{id}",
            app.address
        ))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_direct_wave_payment_opens_a_session_in_the_emulator_with_wave_fields() {
    let app = spawn_app().await;
    let data = app.create(seed_direct_body()).await;
    let session = emulated_session(&app, &session_of(&data)).await;
    assert!(session["id"].as_str().unwrap().starts_with("cos-"));
    assert_eq!(session["amount"], "10000", "Wave's amounts are strings");
    assert_eq!(session["currency"], "XOF");
    assert_eq!(session["checkout_status"], "open");
    assert_eq!(session["payment_status"], "processing");
    assert_eq!(session["wave_launch_url"], data["deepLinks"]["wave"]);
    let token = token_of(&data);
    assert_eq!(
        session["success_url"],
        format!("{}/pay/{token}", app.address)
    );
    let attempt_id = session["client_reference"].as_str().unwrap();
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(&token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        attempt_id,
        attempt.unwrap().id.as_str(),
        "client_reference is Dalal's attempt id"
    );

    // The emulator checks Wave's Bearer key like Wave.
    let without = app
        .client
        .get(format!(
            "{}/sandbox/providers/wave/v1/checkout/sessions/{}",
            app.address,
            session["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 401);
    let body: Value = without.json().await.unwrap();
    assert_eq!(body["code"], "missing-auth-header");
}

#[tokio::test]
async fn insufficient_funds_fails_the_attempt_and_closes_the_wave_session() {
    let app = spawn_app().await;
    let data = app.create(seed_direct_body()).await;
    let token = token_of(&data);
    let session = session_of(&data);
    let link = data["deepLinks"]["wave"].as_str().unwrap();
    app.client
        .post(link)
        .form(&[("decision", "insufficient_funds")])
        .send()
        .await
        .unwrap();
    let mut failure = None;
    for _ in 0..100 {
        let (_, attempt) = app
            .state
            .payments
            .find_by_token(&token)
            .await
            .unwrap()
            .unwrap();
        failure = attempt.and_then(|a| a.failure_code);
        if failure.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(failure.map(|c| c.as_str()), Some("insufficient-funds"));
    // Wave would let the customer try again in the app: Dalal expired the session first.
    let shown = emulated_session(&app, &session).await;
    assert_eq!(shown["checkout_status"], "expired");
}

#[tokio::test]
async fn wave_down_answers_503_and_creates_nothing() {
    // Wave sees the customer's number only when sessions are restricted to it: then it picks
    // the sandbox's outcome, as everywhere.
    let app = spawn_app_with(&[("providers.wave.restrict_payer_mobile", "true")]).await;
    let mut body = seed_direct_body();
    body["customerPhone"] = json!("+221771234504");
    let reply = app.initiate_with_key(DEMO_KEY, None, &body).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert!(reply.error_message().contains("Wave"), "{}", reply.text);
    assert_eq!(app.count_payments().await, 0);
}
