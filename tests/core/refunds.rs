//! In-process tests of `refunds`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use crate::sahelpay::BEARER;
use dalal::domain::{Country, ProviderCode};
use serde_json::{Value, json};
use crate::refunds::refund;

/// A CaurisFlux checkout payment of `amount` XOF in Senegal, paid by Visa card; its id.
async fn paid_by_card(app: &TestApp, amount: i64, reference: &str) -> String {
    let data = app
        .create(json!({"type": "checkout", "amount": amount, "country": "SN", "externalReference": reference}))
        .await;
    app.state
        .payments
        .choose_method(
            &token_of(&data),
            card_choice(Country::Sn, "4242424242424242"),
        )
        .await
        .unwrap();
    let id = data["transactionId"].as_str().unwrap().to_owned();
    assert_eq!(app.get_payment(&id).await["status"], "succeeded");
    id
}

#[tokio::test]
async fn a_full_refund_is_recorded_on_the_payment() {
    let app = spawn_app().await;
    let id = paid_by_card(&app, 10_000, "RF-1").await;
    let reply = refund(&app, &id, json!({"reason": "article retourné"}), None).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let data = reply.json()["data"].clone();
    assert!(data["refundId"].as_str().unwrap().starts_with("rf_"));
    assert_eq!(data["transactionId"], id.as_str());
    assert_eq!(data["amount"], 10_000, "no amount: everything left");
    assert_eq!(data["status"], "succeeded");
    assert_eq!(data["reason"], "article retourné");
    let payment = app.get_payment(&id).await;
    assert_eq!(
        payment["status"], "succeeded",
        "a refunded payment stays paid"
    );
    assert_eq!(payment["refundedAmount"], 10_000);
    assert_eq!(payment["refunds"][0]["refundId"], data["refundId"]);
    // Nothing is left.
    let again = refund(&app, &id, json!({}), None).await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert!(again.error_message().contains("totalité"));
}

#[tokio::test]
async fn partial_refunds_never_add_up_to_more_than_was_paid() {
    let app = spawn_app().await;
    let id = paid_by_card(&app, 10_000, "RF-2").await;
    assert_eq!(
        refund(&app, &id, json!({"amount": 4_000}), None)
            .await
            .status,
        201
    );
    assert_eq!(
        refund(&app, &id, json!({"amount": 5_000}), None)
            .await
            .status,
        201
    );
    let over = refund(&app, &id, json!({"amount": 1_001}), None).await;
    assert_eq!(over.status, 400, "{}", over.text);
    assert!(over.error_message().contains("1000 XOF"), "{}", over.text);
    let rest = refund(&app, &id, json!({}), None).await;
    assert_eq!(rest.json()["data"]["amount"], 1_000);
    assert_eq!(app.get_payment(&id).await["refundedAmount"], 10_000);
    for bad in [
        json!({"amount": 0}),
        json!({"amount": -5}),
        json!({"amount": "100"}),
        json!({"amount": 1.5}),
    ] {
        assert_eq!(
            refund(&app, &id, bad.clone(), None).await.status,
            400,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn twenty_concurrent_partial_refunds_cannot_exceed_the_amount() {
    let app = spawn_app().await;
    let id = paid_by_card(&app, 10_000, "RF-3").await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (client, url) = (
                app.client.clone(),
                format!("{}/api/v1/payments/{id}/refunds", app.address),
            );
            tokio::spawn(async move {
                let reply = client
                    .post(url)
                    .header("X-API-Key", DEMO_KEY)
                    .header("Content-Type", "application/json")
                    .body(json!({"amount": 1_000}).to_string())
                    .send()
                    .await
                    .unwrap();
                reply.status().as_u16()
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    let created = replies.iter().filter(|s| **s == 201).count();
    let refused = replies.iter().filter(|s| **s == 400 || **s == 409).count();
    assert_eq!(created, 10, "exactly what was paid");
    assert_eq!(refused, 10);
    let payment = app.get_payment(&id).await;
    assert_eq!(payment["refundedAmount"], 10_000);
    assert_eq!(payment["refunds"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn a_refund_with_an_idempotency_key_happens_once() {
    let app = spawn_app().await;
    let id = paid_by_card(&app, 10_000, "RF-5").await;
    let first = refund(&app, &id, json!({"amount": 2_500}), Some("rf-key-1")).await;
    let second = refund(&app, &id, json!({"amount": 2_500}), Some("rf-key-1")).await;
    assert_eq!((first.status, second.status), (201, 201));
    assert_eq!(
        first.json()["data"]["refundId"],
        second.json()["data"]["refundId"]
    );
    assert_eq!(
        app.get_payment(&id).await["refundedAmount"],
        2_500,
        "refunded once"
    );
    let other = refund(&app, &id, json!({"amount": 3_000}), Some("rf-key-1")).await;
    assert_eq!(other.status, 422, "{}", other.text);
}

#[tokio::test]
async fn refunds_are_signed_webhooks_and_a_failed_one_frees_the_amount() {
    let app = spawn_app().await;
    let data = app
        .create(json!({"type": "checkout", "amount": 10_000, "country": "SN", "externalReference": "RF-6",
            "callbackUrl": "http://127.0.0.1:9/hooks"}))
        .await;
    let id = data["transactionId"].as_str().unwrap().to_owned();
    app.state
        .payments
        .choose_method(
            &token_of(&data),
            card_choice(Country::Sn, "4242424242424242"),
        )
        .await
        .unwrap();
    // An amount ending in 13: the sandbox acquirer refuses (merchant balance too low).
    let failed = refund(&app, &id, json!({"amount": 2_013}), None).await;
    assert_eq!(failed.status, 201, "{}", failed.text);
    assert_eq!(failed.json()["data"]["status"], "failed");
    assert_eq!(failed.json()["data"]["failureCode"], "insufficient-funds");
    let ok = refund(&app, &id, json!({}), None).await;
    assert_eq!(
        ok.json()["data"]["amount"],
        10_000,
        "a failed refund holds nothing"
    );

    let events: Vec<(String, String)> = dalal::on!(&app.state.pool, |e| sqlx::query_as(
        // In the order they were queued (their deliveries' ids grow).
        "SELECT e.type, e.body FROM webhook_events e JOIN webhook_deliveries d ON d.event_id = e.id
         WHERE e.payment_id = $1 ORDER BY d.id",
    )
    .bind(dalal::domain::TransactionId::parse(&id).unwrap().sequence())
    .fetch_all(e)
    .await)
    .unwrap();
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        ["payment.succeeded", "refund.failed", "refund.succeeded"]
    );
    let body: Value = serde_json::from_str(&events[2].1).unwrap();
    assert_eq!(body["data"]["refundId"], ok.json()["data"]["refundId"]);
    assert_eq!(body["data"]["transactionId"], id.as_str());
    // Deliveries go through the same signed outbox as payment events.
    let deliveries = app
        .get(&format!("/api/v1/payments/{id}/webhooks"), Some(DEMO_KEY))
        .await
        .json();
    assert_eq!(deliveries["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn providers_without_a_refund_api_are_refused_clearly() {
    let app = spawn_app().await;
    // Orange Money has no refund call: a SahelPay merchant is told to refund from its OM account.
    let body = json!({"amount": 5000, "payment_method": "ORANGE_MONEY", "country": "ML",
        "customer_phone": "+22370123456", "return_url": "https://shop.example/retour"});
    let data = app
        .sahel_post(Some(BEARER), None, body.to_string())
        .await
        .json()["data"]
        .clone();
    let token = token_of(&data);
    let session = app
        .state
        .payments
        .find_by_token(&token)
        .await
        .unwrap()
        .unwrap()
        .1
        .unwrap();
    let reference = session.provider_reference.unwrap();
    // Orange's QR code, as the sandbox phone page knows it (the attempt's reference is `qr:<id>`).
    let qr_id = reference.strip_prefix("qr:").unwrap();
    dalal::sandbox::decide(
        &app.state.pool,
        &app.state.clock,
        qr_id,
        dalal::sandbox::Decision::Approve,
    )
    .await
    .unwrap();
    app.state
        .payments
        .provider_notified(None, ProviderCode::OrangeMoney, &reference)
        .await
        .unwrap();
    let id = data["id"].as_str().unwrap();
    assert_eq!(
        app.sahel_get(id).await.json()["data"]["status"],
        "SUCCEEDED"
    );
    let reply = app
        .client
        .post(format!("{}/v1/payments/{id}/refunds", app.address))
        .header("Authorization", BEARER)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 422);
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["error"]["code"], "REFUND_NOT_SUPPORTED");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Orange Money")
    );
}

#[tokio::test]
async fn wave_refunds_only_the_whole_payment() {
    let app = spawn_app().await;
    let data = app
        .create(
            json!({"type": "direct", "provider": "wave", "country": "SN", "amount": 8_000,
            "customerPhone": "+221771234567", "externalReference": "RF-7"}),
        )
        .await;
    let id = data["transactionId"].as_str().unwrap().to_owned();
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(&token_of(&data))
        .await
        .unwrap()
        .unwrap();
    let reference = attempt.unwrap().provider_reference.unwrap();
    dalal::sandbox::decide(
        &app.state.pool,
        &app.state.clock,
        &reference,
        dalal::sandbox::Decision::Approve,
    )
    .await
    .unwrap();
    app.state
        .payments
        .provider_notified(None, ProviderCode::Wave, &reference)
        .await
        .unwrap();
    let part = refund(&app, &id, json!({"amount": 3_000}), None).await;
    assert_eq!(part.status, 400, "{}", part.text);
    assert!(
        part.error_message()
            .contains("Wave ne rembourse que la totalité")
    );
    let whole = refund(&app, &id, json!({}), None).await;
    assert_eq!(
        whole.json()["data"]["status"],
        "succeeded",
        "{}",
        whole.text
    );
}

#[tokio::test]
async fn a_sahelpay_refund_speaks_sahelpay() {
    let app = spawn_app().await;
    let body = json!({"amount": 6000, "payment_method": "CARD", "customer_name": "Awa Ndiaye",
        "customer_email": "awa@example.com", "return_url": "https://shop.example/retour"});
    let data = app
        .sahel_post(Some(BEARER), None, body.to_string())
        .await
        .json()["data"]
        .clone();
    app.state
        .payments
        .choose_method(
            &token_of(&data),
            card_choice(Country::Sn, "5555555555554444"),
        )
        .await
        .unwrap();
    let id = data["id"].as_str().unwrap();
    let reply = app
        .client
        .post(format!("{}/v1/payments/{id}/refunds", app.address))
        .header("Authorization", BEARER)
        .body(json!({"amount": 1_000, "reason": "geste commercial"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 201);
    let refund: Value = reply.json().await.unwrap();
    assert_eq!(refund["data"]["payment_id"], id);
    assert_eq!(refund["data"]["status"], "SUCCEEDED");
    let payment = app.sahel_get(id).await.json()["data"].clone();
    assert_eq!(payment["refunded_amount"], 1_000);
    assert_eq!(payment["refunds"][0]["id"], refund["data"]["id"]);
    let too_much = app
        .client
        .post(format!("{}/v1/payments/{id}/refunds", app.address))
        .header("Authorization", BEARER)
        .body(json!({"amount": 9_000}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(too_much.status().as_u16(), 400);
    let body: Value = too_much.json().await.unwrap();
    assert_eq!(body["error"]["code"], "INVALID_AMOUNT");
}

/// `POST /api/v1/payments/{id}/cancel`.
async fn cancel(app: &TestApp, id: &str) -> Reply {
    app.post_raw(
        &format!("/api/v1/payments/{id}/cancel"),
        Some(DEMO_KEY),
        None,
        "",
    )
    .await
}

#[tokio::test]
async fn a_merchant_cancels_an_open_payment_and_its_provider_session() {
    let app = spawn_app().await;
    let data = app
        .create(
            json!({"type": "direct", "provider": "wave", "country": "SN", "amount": 8_000,
            "customerPhone": "+221771234567", "externalReference": "CX-1"}),
        )
        .await;
    let id = data["transactionId"].as_str().unwrap().to_owned();
    let reply = cancel(&app, &id).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["data"]["status"], "cancelled");
    // Again: the same answer, nothing else happens.
    let again = cancel(&app, &id).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["data"]["status"], "cancelled");
    // The Wave session was expired: the sandbox phone can no longer pay it.
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(&token_of(&data))
        .await
        .unwrap()
        .unwrap();
    let reference = attempt.unwrap().provider_reference.unwrap();
    let phone = app
        .client
        .get(format!("{}/sandbox/phone/{reference}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(phone.contains("Session expirée"), "{phone}");
    let decided = dalal::sandbox::decide(
        &app.state.pool,
        &app.state.clock,
        &reference,
        dalal::sandbox::Decision::Approve,
    )
    .await
    .unwrap();
    assert_eq!(decided, None, "an expired session takes no answer");
    assert_eq!(app.get_payment(&id).await["status"], "cancelled");
}

#[tokio::test]
async fn a_paid_payment_cannot_be_cancelled() {
    let app = spawn_app().await;
    let id = paid_by_card(&app, 3_000, "CX-2").await;
    let reply = cancel(&app, &id).await;
    assert_eq!(reply.status, 409, "{}", reply.text);
    assert!(reply.error_message().contains("déjà été payé"));
    assert_eq!(app.get_payment(&id).await["status"], "succeeded");
    let sahel = app
        .client
        .post(format!(
            "{}/v1/payments/{}/cancel",
            app.address,
            dalal::domain::TransactionId::parse(&id).unwrap().sahelpay()
        ))
        .header("Authorization", BEARER)
        .send()
        .await
        .unwrap();
    assert_eq!(sahel.status().as_u16(), 409);
    let body: Value = sahel.json().await.unwrap();
    assert_eq!(body["error"]["code"], "INVALID_STATE");
    // Another merchant's payment does not exist for this key.
    let (other_key, _) = app.other_merchant().await;
    let theirs = app
        .post_raw(
            &format!("/api/v1/payments/{id}/cancel"),
            Some(&other_key),
            None,
            "",
        )
        .await;
    assert_eq!(theirs.status, 404);
}
