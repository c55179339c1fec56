//! In-process tests of `wave`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use dalal::clock::Clock;
use dalal::sandbox::emulators::wave::WEBHOOK_SECRET;
use serde_json::{Value, json};
use crate::wave::{API_KEY, emulated_session, session_of};

/// Posts a notification about `session` to `/hooks/wave`, signed with `secret` at `at_secs`.
async fn notify(app: &TestApp, session: &str, secret: &str, at_secs: i64) -> u16 {
    let body = json!({
        "id": "AE_test",
        "type": "checkout.session.completed",
        "data": { "id": session, "checkout_status": "complete", "payment_status": "succeeded" }
    })
    .to_string();
    app.client
        .post(format!("{}/hooks/wave", app.address))
        .header(
            "Wave-Signature",
            dalal::sandbox::emulators::wave::signed(secret, at_secs, body.as_bytes()),
        )
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The customer pays in the emulated Wave app without the emulator telling anyone.
async fn paid_quietly(app: &TestApp, session: &str) {
    let decided = dalal::sandbox::store::decide(
        &app.state.pool,
        session,
        dalal::sandbox::store::Decision::Approve,
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    assert!(decided);
}

#[tokio::test]
async fn approving_in_the_emulated_app_succeeds_through_a_signed_notification() {
    let app = spawn_app().await;
    let data = app.create(seed_direct_body()).await;
    let id = data["transactionId"].as_str().unwrap();
    let link = data["deepLinks"]["wave"].as_str().unwrap();
    let answer = app
        .client
        .post(link)
        .form(&[("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    let data = app.payment_when(id, |d| d["status"] != "pending").await;
    assert_eq!(data["status"], "succeeded");
    let session = emulated_session(&app, &session_of_id(&app, id).await).await;
    assert_eq!(session["checkout_status"], "complete");
    assert_eq!(app.succeeded_events(id).await, 1);
}

/// The attempt's provider reference, read from the database (the payment no longer shows links
/// once it is final).
async fn session_of_id(app: &TestApp, id: &str) -> String {
    let sequence = dalal::domain::TransactionId::parse(id).unwrap().sequence();
    dalal::on!(&app.state.pool, |e| sqlx::query_scalar("SELECT provider_reference FROM payment_attempts WHERE payment_id = $1")
        .bind(sequence)
        .fetch_one(e)
        .await)
        .unwrap()
}

#[tokio::test]
async fn an_unpaid_wave_session_expires_and_a_cancelled_payment_expires_its_session() {
    let app = spawn_app().await;
    // Cancelled by the merchant: Dalal expires the Wave session so nobody can pay it.
    let data = app.create(seed_direct_body()).await;
    let id = data["transactionId"].as_str().unwrap();
    let session = session_of(&data);
    let reply = app
        .post_raw(
            &format!("/api/v1/payments/{id}/cancel"),
            Some(DEMO_KEY),
            None,
            "{}",
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        emulated_session(&app, &session).await["checkout_status"],
        "expired"
    );

    // Never paid: after Wave's 30 minutes the session is expired and the attempt fails.
    let data = app.create(seed_direct_body()).await;
    let token = token_of(&data);
    app.clock.advance_ms(30 * 60 * 1000 + 1);
    app.state.payments.check_due_attempts().await.unwrap();
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(&token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        attempt.and_then(|a| a.failure_code).map(|c| c.as_str()),
        Some("expired")
    );
}

#[tokio::test]
async fn a_notification_is_only_a_hint_checked_by_its_signature_then_by_asking_wave() {
    let app = spawn_app().await;
    let data = app.create(seed_direct_body()).await;
    let id = data["transactionId"].as_str().unwrap();
    let session = session_of(&data);
    let now = app.clock.now_ms() / 1000;

    // Signed, but Wave says the session is still open: nothing changes.
    assert_eq!(notify(&app, &session, WEBHOOK_SECRET, now).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.get_payment(id).await["status"], "pending");

    paid_quietly(&app, &session).await;
    // A bad signature, a stale one, none at all: 401, nothing changes.
    assert_eq!(notify(&app, &session, "wave_sn_WHS_forged", now).await, 401);
    assert_eq!(notify(&app, &session, WEBHOOK_SECRET, now - 600).await, 401);
    let unsigned = app
        .client
        .post(format!("{}/hooks/wave", app.address))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.get_payment(id).await["status"], "pending");

    // The good one, twice: the payment succeeds once.
    assert_eq!(notify(&app, &session, WEBHOOK_SECRET, now).await, 200);
    assert_eq!(notify(&app, &session, WEBHOOK_SECRET, now).await, 200);
    app.payment_when(id, |d| d["status"] == "succeeded").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        app.succeeded_events(id).await,
        1,
        "one payment.succeeded event"
    );

    // A session Dalal never opened: taken (Wave would retry otherwise), nothing happens.
    assert_eq!(
        notify(&app, "cos-nobodyknowsthis0000", WEBHOOK_SECRET, now).await,
        200
    );
}

#[tokio::test]
async fn each_wave_country_pays_into_its_own_wallet() {
    let app = spawn_app().await;
    // Côte d'Ivoire: the CI wallet's key opens the session; Dalal's reference says which.
    let mut body = seed_direct_body();
    body["country"] = json!("CI");
    body["customerPhone"] = json!("+2250701234567");
    let data = app.create(body).await;
    let session = session_of(&data);
    let reference = session_of_id(&app, data["transactionId"].as_str().unwrap()).await;
    assert_eq!(reference, format!("{session}@CI"));
    let ivory = dalal::sandbox::emulators::wave::WALLETS[1];
    assert_eq!(ivory.0, dalal::domain::Country::Ci);
    let seen = |key: &'static str| {
        let app = &app;
        let session = session.clone();
        async move {
            app.client
                .get(format!("{}/sandbox/providers/wave/v1/checkout/sessions/{session}", app.address))
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(seen(ivory.1).await, 200);
    assert_eq!(seen(API_KEY).await, 404, "Senegal's wallet does not have it");
    // Paid in the app, it succeeds through the CI wallet's notification and status.
    let link = data["deepLinks"]["wave"].as_str().unwrap();
    app.client.post(link).form(&[("decision", "approve")]).send().await.unwrap();
    let id = data["transactionId"].as_str().unwrap();
    let paid = app.payment_when(id, |d| d["status"] != "pending").await;
    assert_eq!(paid["status"], "succeeded");
}

#[tokio::test]
async fn a_live_key_pays_with_wave_through_configured_credentials_and_nothing_else() {
    // The "provider": another Dalal's emulator, as Wave's API would be.
    let wave = spawn_app().await;
    let base_url = format!("{}/sandbox/providers/wave", wave.address);
    let app = spawn_app_with(&[
        ("providers.wave.api_key", API_KEY),
        ("providers.wave.webhook_secret", "wave_sn_WHS_live_secret"),
        ("providers.wave.base_url", &base_url),
    ])
    .await;
    let (_, live) = app.other_merchant().await;

    let reply = app
        .initiate_with_key(&live, None, &seed_direct_body())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let data = reply.json()["data"].clone();
    let id = data["transactionId"].as_str().unwrap().to_owned();
    let session = session_of(&data);
    assert!(
        data["deepLinks"]["wave"]
            .as_str()
            .unwrap()
            .starts_with(&wave.address)
    );

    // The customer pays at "Wave". A notification signed with the sandbox's public secret
    // reaches test-mode attempts only: the live one is not even asked about.
    paid_quietly(&wave, &session).await;
    let now = app.clock.now_ms() / 1000;
    assert_eq!(notify(&app, &session, WEBHOOK_SECRET, now).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let reply = app
        .get(&format!("/api/v1/payments/{id}"), Some(&live))
        .await;
    assert_eq!(reply.json()["data"]["status"], "pending", "{}", reply.text);
    // Wave notifies with the live secret; Dalal asks Wave.
    assert_eq!(
        notify(&app, &session, "wave_sn_WHS_live_secret", now).await,
        200
    );
    let mut status = Value::Null;
    for _ in 0..100 {
        let reply = app
            .get(&format!("/api/v1/payments/{id}"), Some(&live))
            .await;
        status = reply.json()["data"]["status"].clone();
        if status == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "succeeded");

    // Live Wave only where a wallet is: this key is Senegal's.
    let mut ivory = seed_direct_body();
    ivory["country"] = json!("CI");
    ivory["customerPhone"] = json!("+2250701234567");
    let reply = app.initiate_with_key(&live, None, &ivory).await;
    assert_eq!(reply.status, 422, "{}", reply.text);

    // A method without live credentials is not offered: a clear 422, nothing created.
    let mut mtn = seed_direct_body();
    mtn["provider"] = json!("mtn_momo");
    mtn["country"] = json!("CI");
    mtn["customerPhone"] = json!("+2250701234567");
    let before = app.count_payments().await;
    let reply = app.initiate_with_key(&live, None, &mtn).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.error_message().contains("MTN"), "{}", reply.text);
    assert_eq!(app.count_payments().await, before);

    // A live checkout page lists Wave only.
    let reply = app
        .initiate_with_key(&live, None, &seed_checkout_body())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let page = app
        .client
        .get(reply.json()["data"]["redirectUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("?methode=wave\""), "{page}");
    for absent in ["orange_money", "mtn_momo", "free_money", "moov_money"] {
        assert!(
            !page.contains(&format!("?methode={absent}\"")),
            "{absent} offered live"
        );
    }
}
