//! In-process tests of `webhooks`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use axum::http::StatusCode;
use dalal::webhooks::signing;
use serde_json::{Value, json};
use crate::webhooks::{Received, Receiver};

/// A checkout payment with `callbackUrl`, paid with MTN in the sandbox; returns its id.
async fn paid_payment(app: &TestApp, callback: &str) -> String {
    let data = app
        .create(json!({"type": "checkout", "amount": 5000, "country": "CI", "externalReference": "WH-1", "callbackUrl": callback}))
        .await;
    let token = token_of(&data);
    let choice = choice(
        dalal::domain::ProviderCode::MtnMomo,
        dalal::domain::Country::Ci,
        Some("+2250501234567"),
    );
    app.state
        .payments
        .choose_method(&token, choice)
        .await
        .unwrap();
    app.customer_answers(4_000).await;
    data["transactionId"].as_str().unwrap().to_owned()
}

async fn deliver(app: &TestApp) -> usize {
    app.state.webhooks.deliver_due().await.unwrap()
}

#[tokio::test]
async fn a_success_is_delivered_signed_with_the_payment_as_get_returns_it() {
    let app = spawn_app().await;
    let (receiver, url) = Receiver::start().await;
    let id = paid_payment(&app, &url).await;
    assert_eq!(deliver(&app).await, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let event = got[0].json();
    assert_eq!(event["type"], "payment.succeeded");
    assert_eq!(event["id"], got[0].id);
    assert!(got[0].id.starts_with("evt_"));
    assert!(event["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        event["data"],
        app.get_payment(&id).await,
        "the payload is the payment as GET returns it"
    );
    // Delivered: nothing more to send.
    assert_eq!(deliver(&app).await, 0);
}

#[tokio::test]
async fn a_receiver_that_is_down_gets_the_same_event_later() {
    let app = spawn_app().await;
    let (receiver, url) = Receiver::start().await;
    receiver.answer(StatusCode::SERVICE_UNAVAILABLE, None);
    receiver.answer(StatusCode::INTERNAL_SERVER_ERROR, None);
    let id = paid_payment(&app, &url).await;
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(deliver(&app).await, 0, "not retried before its delay");
    app.clock.advance_ms(5_600); // first retry: about 5 s
    assert_eq!(deliver(&app).await, 1);
    app.clock.advance_ms(4 * 60_000);
    assert_eq!(deliver(&app).await, 0, "second retry waits about 5 minutes");
    app.clock.advance_ms(90_000);
    assert_eq!(deliver(&app).await, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    assert!(
        got.iter().all(|r| r.id == got[0].id),
        "the same webhook-id on every retry"
    );
    assert!(
        got.iter().all(|r| r.body == got[0].body),
        "the same bytes on every retry"
    );

    let list = deliveries(&app, &id).await;
    let delivery = &list["data"][0];
    assert_eq!(delivery["status"], "delivered");
    let statuses: Vec<_> = delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["httpStatus"].clone())
        .collect();
    assert_eq!(statuses, [json!(503), json!(500), json!(200)]);
    assert!(delivery["attempts"][0]["nextRetryAt"].is_string());
}

#[tokio::test]
async fn an_unreachable_receiver_is_retried() {
    let app = spawn_app().await;
    // Nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    drop(listener);
    let id = paid_payment(&app, &url).await;
    assert_eq!(deliver(&app).await, 1);
    let list = deliveries(&app, &id).await;
    assert_eq!(list["data"][0]["status"], "pending");
    assert!(
        list["data"][0]["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("connexion impossible")
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let app = spawn_app().await;
    let (receiver, url) = Receiver::start().await;
    receiver.answer(StatusCode::TOO_MANY_REQUESTS, Some("120"));
    paid_payment(&app, &url).await;
    assert_eq!(deliver(&app).await, 1);
    app.clock.advance_ms(10_000);
    assert_eq!(
        deliver(&app).await,
        0,
        "Retry-After: 120 beats the 5 s schedule"
    );
    app.clock.advance_ms(111_000);
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(receiver.received().len(), 2);
}

#[tokio::test]
async fn gone_disables_the_endpoint() {
    let app = spawn_app().await;
    let (receiver, url) = Receiver::start().await;
    receiver.answer(StatusCode::GONE, None);
    let first = paid_payment(&app, &url).await;
    assert_eq!(deliver(&app).await, 1);
    app.clock.advance_ms(60_000);
    assert_eq!(deliver(&app).await, 0, "no retry after 410");
    let list = app
        .get(
            &format!("/api/v1/payments/{first}/webhooks"),
            Some(DEMO_KEY),
        )
        .await
        .json();
    assert_eq!(list["data"][0]["status"], "disabled");
    // The next payment's event is not sent there.
    let second = paid_payment(&app, &url).await;
    assert_eq!(deliver(&app).await, 0);
    let list = app
        .get(
            &format!("/api/v1/payments/{second}/webhooks"),
            Some(DEMO_KEY),
        )
        .await
        .json();
    assert_eq!(list["data"][0]["status"], "disabled");
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn a_redirect_is_a_failure() {
    let app = spawn_app().await;
    let (receiver, url) = Receiver::start().await;
    receiver.answer(StatusCode::MOVED_PERMANENTLY, None);
    let id = paid_payment(&app, &url).await;
    deliver(&app).await;
    let list = deliveries(&app, &id).await;
    assert_eq!(list["data"][0]["status"], "pending");
    assert_eq!(list["data"][0]["attempts"][0]["httpStatus"], 301);
}

#[tokio::test]
async fn expiry_and_cancellation_are_events_too_and_can_be_redelivered() {
    let app = spawn_app().await;
    let (receiver, url) = Receiver::start().await;
    let expiring = app.create(json!({"type": "checkout", "amount": 1000, "externalReference": "E-1", "callbackUrl": url})).await;
    let cancelled = app.create(json!({"type": "checkout", "amount": 1000, "externalReference": "C-1", "callbackUrl": url})).await;
    app.state
        .payments
        .cancel(&token_of(&cancelled))
        .await
        .unwrap();
    app.clock.advance_ms(31 * 60_000);
    app.state.payments.expire_due().await.unwrap();
    assert_eq!(deliver(&app).await, 2);
    let mut types: Vec<_> = receiver
        .received()
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    types.sort();
    assert_eq!(types, ["payment.cancelled", "payment.expired"]);

    let id = expiring["transactionId"].as_str().unwrap();
    let redeliver = app
        .post_raw(
            &format!("/api/v1/payments/{id}/webhooks/redeliver"),
            Some(DEMO_KEY),
            None,
            "",
        )
        .await;
    assert_eq!(redeliver.status, 202, "{}", redeliver.text);
    assert_eq!(deliver(&app).await, 1);
    let got = receiver.received();
    assert_eq!(
        got[2].id,
        redeliver.json()["data"]["eventId"],
        "a redelivery keeps the event id"
    );
    // Another merchant cannot list or redeliver these.
    let (other, _) = app.other_merchant().await;
    assert_eq!(
        app.get(&format!("/api/v1/payments/{id}/webhooks"), Some(&other))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_payment_without_callback_url_records_its_event_but_sends_nothing() {
    let app = spawn_app().await;
    let data = app
        .create(json!({"type": "checkout", "amount": 1000, "externalReference": "N-1"}))
        .await;
    app.state.payments.cancel(&token_of(&data)).await.unwrap();
    assert_eq!(deliver(&app).await, 0);
    let (events,): (i64,) = dalal::on!(&app.state.pool, |e| sqlx::query_as("SELECT COUNT(*) FROM webhook_events")
        .fetch_one(e)
        .await)
        .unwrap();
    assert_eq!(events, 1);
}

#[tokio::test]
async fn a_lease_left_by_a_dead_worker_runs_out_and_the_delivery_is_taken_up() {
    let app = spawn_app().await;
    let (receiver, url) = Receiver::start().await;
    paid_payment(&app, &url).await;
    // A worker claimed the delivery and died before sending it.
    let now = app.state.payments.now_ms();
    let claimed = dalal::db::webhooks::claim_due(&app.state.pool, now, now + 60_000, 16)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(deliver(&app).await, 0, "leased to the dead worker");
    app.clock.advance_ms(60_001);
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn during_a_rotation_both_secrets_sign() {
    let app = spawn_app().await;
    let (receiver, url) = Receiver::start().await;
    let new = dalal::merchants::rotate_webhook_secret(
        &app.state.pool,
        &app.state.clock,
        "mer_demo",
        3_600_000,
    )
    .await
    .unwrap();
    paid_payment(&app, &url).await;
    deliver(&app).await;
    let got = &receiver.received()[0]; // the receiver checked the old secret
    assert!(signing::verify(
        new.expose(),
        &got.id,
        got.timestamp,
        &got.body,
        &got.signature
    ));
    assert_eq!(got.signature.split(' ').count(), 2);
    let mut tampered = got.body.clone();
    tampered[10] ^= 1;
    assert!(!signing::verify(
        new.expose(),
        &got.id,
        got.timestamp,
        &tampered,
        &got.signature
    ));
}

#[tokio::test]
async fn private_addresses_are_refused_when_not_allowed() {
    let app = spawn_app_with(&[("webhooks.allow_private_targets_in_test", "false")]).await;
    let (receiver, url) = Receiver::start().await;
    let id = paid_payment(&app, &url).await;
    assert_eq!(deliver(&app).await, 1);
    assert!(
        receiver.received().is_empty(),
        "nothing reached the loopback receiver"
    );
    let list = deliveries(&app, &id).await;
    assert_eq!(list["data"][0]["status"], "failed");
    assert!(
        list["data"][0]["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("SSRF")
    );
}

#[tokio::test]
async fn a_receiver_that_does_not_answer_in_time_is_retried() {
    let app = spawn_app_with(&[("webhooks.timeout_ms", "300")]).await;
    let (_, url) = Receiver::start().await;
    let id = paid_payment(&app, &url.replace("/hooks", "/slow")).await;
    assert_eq!(deliver(&app).await, 1);
    let list = deliveries(&app, &id).await;
    assert_eq!(list["data"][0]["status"], "pending");
    let attempt = &list["data"][0]["attempts"][0];
    let error = attempt["error"].as_str().unwrap_or_default();
    assert!(
        error.contains("délai de réponse dépassé (300 ms)"),
        "{attempt}"
    );
    assert!(attempt["latencyMs"].as_i64().unwrap() < 2_000);
}

/// `GET /api/v1/payments/{id}/webhooks` as the demo merchant.
async fn deliveries(app: &TestApp, id: &str) -> Value {
    let reply = app
        .get(&format!("/api/v1/payments/{id}/webhooks"), Some(DEMO_KEY))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

/// A SahelPay Moov Money payment, paid in the sandbox; `callback_url` when given. Its `data`.
async fn paid_sahelpay_payment(app: &TestApp, callback_url: Option<&str>) -> Value {
    let mut body = json!({"amount": 2500, "payment_method": "MOOV", "country": "CI",
        "customer_phone": "+2250101234567", "return_url": "https://shop.example/retour"});
    if let Some(url) = callback_url {
        body["callback_url"] = json!(url);
    }
    let reply = app
        .sahel_post(Some(crate::sahelpay::BEARER), None, body.to_string())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let data = reply.json()["data"].clone();
    let choice = choice(
        dalal::domain::ProviderCode::MoovMoney,
        dalal::domain::Country::Ci,
        Some("+2250101234567"),
    );
    app.state
        .payments
        .choose_method(&token_of(&data), choice)
        .await
        .unwrap();
    app.customer_answers(4_000).await;
    data
}

/// Checks an event's `data` is the payment in SahelPay's shape, as its GET returns it.
async fn assert_sahelpay_shape(app: &TestApp, payload: &Value, id: &str) {
    assert_eq!(payload["id"], id);
    assert!(id.starts_with("txn_"), "{id}");
    assert_eq!(payload["status"], "SUCCEEDED", "upper-case status");
    assert_eq!(payload["payment_method"], "MOOV");
    assert!(payload["client_reference"].is_string());
    assert!(payload["redirect_url"].is_string() && payload["created_at"].is_string());
    for camel in [
        "transactionId",
        "externalReference",
        "redirectUrl",
        "paymentMethod",
    ] {
        assert!(payload.get(camel).is_none(), "no CaurisFlux field {camel}");
    }
    let get = app.sahel_get(id).await;
    assert_eq!(
        *payload,
        get.json()["data"],
        "the payment as SahelPay's GET returns it"
    );
}

#[tokio::test]
async fn a_sahelpay_payment_is_notified_in_sahelpay_shape_at_its_callback_url() {
    let app = spawn_app().await;
    let (receiver, url) = Receiver::start().await;
    let data = paid_sahelpay_payment(&app, Some(&url)).await;
    assert_eq!(deliver(&app).await, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let event = got[0].json();
    assert_eq!(event["type"], "payment.succeeded");
    assert_sahelpay_shape(&app, &event["data"], data["id"].as_str().unwrap()).await;
}

#[tokio::test]
async fn payments_without_a_callback_url_notify_the_merchants_default_endpoint() {
    let app = spawn_app().await;
    // No default endpoint yet: the event is kept, but there is nowhere to send it.
    paid_sahelpay_payment(&app, None).await;
    assert_eq!(deliver(&app).await, 0);

    let (receiver, url) = Receiver::start().await;
    let pool = &app.state.pool;
    assert!(
        dalal::db::merchants::set_webhook_url(pool, dalal::merchants::DEMO_MERCHANT_ID, Some(&url))
            .await
            .unwrap()
    );
    let data = paid_sahelpay_payment(&app, None).await;
    assert_eq!(deliver(&app).await, 1);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_sahelpay_shape(&app, &got[0].json()["data"], data["id"].as_str().unwrap()).await;

    // A payment that names its own callback URL is notified there, in its own dialect.
    let (own, own_url) = Receiver::start().await;
    let id = paid_payment(&app, &own_url).await;
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(
        receiver.received().len(),
        1,
        "the default endpoint got nothing more"
    );
    let event = own.received()[0].json();
    assert_eq!(
        event["data"]["transactionId"],
        id.as_str(),
        "CaurisFlux shape"
    );
    assert_eq!(event["data"]["status"], "succeeded");

    // A redelivery goes where the event went.
    let reply = app
        .client
        .post(format!(
            "{}/v1/payments/{}/webhooks/redeliver",
            app.address,
            data["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        reply.status().as_u16(),
        404,
        "SahelPay has no redelivery route"
    );
    let seq = dalal::domain::TransactionId::parse(data["id"].as_str().unwrap()).unwrap();
    let reply = app
        .client
        .post(format!(
            "{}/api/v1/payments/{seq}/webhooks/redeliver",
            app.address
        ))
        .header("X-API-Key", DEMO_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 202);
    assert_eq!(deliver(&app).await, 1);
    assert_eq!(receiver.received().len(), 2);
}

#[tokio::test]
async fn set_webhook_url_is_an_operator_command() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = dalal_command(dir.path(), free_port())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned()
                + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let (ok, created) = run(&["create-merchant", "Boutique Test"]);
    assert!(ok, "{created}");
    assert!(created.contains("webhook endpoint: none yet"), "{created}");
    let id = created
        .split_whitespace()
        .find(|w| w.starts_with("mer_"))
        .expect("the new merchant's id")
        .to_owned();
    let (ok, out) = run(&["set-webhook-url", &id, "https://shop.example/hooks"]);
    assert!(ok, "{out}");
    let (ok, out) = run(&["set-webhook-url", &id, "ftp://shop.example/hooks"]);
    assert!(!ok, "a non-http URL is refused: {out}");
    let (ok, out) = run(&[
        "set-webhook-url",
        "mer_nobody",
        "https://shop.example/hooks",
    ]);
    assert!(!ok && out.contains("mer_nobody"), "{out}");

    let pool = open_database(&database_url(dir.path())).await;
    let url = dalal::db::merchants::webhook_url(&pool, &id).await.unwrap();
    assert_eq!(url.as_deref(), Some("https://shop.example/hooks"));
    let (ok, _) = run(&["set-webhook-url", &id, "-"]);
    assert!(ok);
    assert_eq!(
        dalal::db::merchants::webhook_url(&pool, &id).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn refund_events_are_signed_and_delivered_like_payment_events() {
    let app = spawn_app().await;
    let (receiver, url) = Receiver::start().await;
    let data = app
        .create(json!({"type": "checkout", "amount": 7000, "country": "SN", "externalReference": "WH-RF",
            "callbackUrl": url}))
        .await;
    app.state
        .payments
        .choose_method(
            &token_of(&data),
            card_choice(dalal::domain::Country::Sn, "4242424242424242"),
        )
        .await
        .unwrap();
    let id = data["transactionId"].as_str().unwrap();
    let refund = app
        .post_raw(
            &format!("/api/v1/payments/{id}/refunds"),
            Some(DEMO_KEY),
            None,
            json!({"amount": 2000}).to_string(),
        )
        .await;
    assert_eq!(refund.status, 201, "{}", refund.text);
    assert_eq!(
        deliver(&app).await,
        2,
        "payment.succeeded, then refund.succeeded"
    );
    let got = receiver.received();
    let mut kinds: Vec<String> = got
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["payment.succeeded", "refund.succeeded"]);
    let event = got
        .iter()
        .map(Received::json)
        .find(|e| e["type"] == "refund.succeeded")
        .unwrap();
    assert_eq!(
        event["data"],
        refund.json()["data"],
        "the refund as the API returned it"
    );
    assert_ne!(got[0].id, got[1].id);
}
