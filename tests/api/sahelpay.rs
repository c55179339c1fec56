//! The SahelPay dialect, over real HTTP.

use crate::helpers::*;
use serde_json::{Value, json};

pub(crate) const BEARER: &str = "Bearer sk_test_dalal_demo_5f3a9c2e7b1d4068";

fn seed_body() -> Value {
    json!({
        "amount": 5000,
        "currency": "XOF",
        "payment_method": "ORANGE_MONEY",
        "country": "ML",
        "customer_phone": "+22370123456",
        "customer_name": "Amadou Diallo",
        "return_url": "https://votre-site.com/checkout/return",
        "client_reference": "order_123",
        "metadata": {
            "order_id": "order_123"
        }
    })
}

impl TestApp {
    pub(crate) async fn sahel_post(
        &self,
        auth: Option<&str>,
        idempotency_key: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let mut request = self
            .client
            .post(format!("{}/v1/payments", self.address))
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        if let Some(k) = idempotency_key {
            request = request.header("X-Idempotency-Key", k);
        }
        let response = request.send().await.unwrap();
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    pub(crate) async fn sahel_get(&self, id: &str) -> Reply {
        let response = self
            .client
            .get(format!("{}/v1/payments/{id}", self.address))
            .header("Authorization", BEARER)
            .send()
            .await
            .unwrap();
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }
}

fn error_code(reply: &Reply) -> String {
    let body = reply.json();
    assert_eq!(body["success"], false, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    body["error"]["code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_seed_example_runs_as_written() {
    let app = spawn_app().await;
    let reply = app
        .sahel_post(Some(BEARER), Some("order-123"), seed_body().to_string())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["success"], true);
    let data = &body["data"];
    let id = data["id"].as_str().unwrap();
    assert!(id.starts_with("txn_") && id.len() == 16, "{id}");
    assert_eq!(data["status"], "PENDING");
    assert_eq!(data["amount"], 5000);
    assert_eq!(data["currency"], "XOF");
    assert_eq!(data["payment_method"], "ORANGE_MONEY");
    assert!(
        data["redirect_url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/pay/", app.address))
    );
    assert_eq!(data["gateway_used"], "orange_direct");
    assert!(
        data["routing_reason"]
            .as_str()
            .unwrap()
            .starts_with("Gateway le moins cher"),
        "{data}"
    );
    assert_eq!(data["client_reference"], "order_123");
    assert_eq!(data["metadata"], json!({"order_id": "order_123"}));
    let (created, expires) = (
        data["created_at"].as_str().unwrap(),
        data["expires_at"].as_str().unwrap(),
    );
    let minutes = (chrono::DateTime::parse_from_rfc3339(expires).unwrap()
        - chrono::DateTime::parse_from_rfc3339(created).unwrap())
    .num_minutes();
    assert_eq!(minutes, 30);

    // Replayed byte for byte; GET returns the same payment.
    let again = app
        .sahel_post(Some(BEARER), Some("order-123"), seed_body().to_string())
        .await;
    assert_eq!(again.text, reply.text);
    let got = app.sahel_get(id).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["data"]["id"], id);
}

#[tokio::test]
async fn every_error_has_its_code() {
    let app = spawn_app().await;
    let with = |patch: Value| {
        let mut body = seed_body();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    let cases = [
        (with(json!({"amount": 99})), 400, "INVALID_AMOUNT"),
        (with(json!({"amount": 5_000_001})), 400, "INVALID_AMOUNT"),
        (with(json!({"amount": "5000"})), 400, "INVALID_AMOUNT"),
        (with(json!({"amount": 50.5})), 400, "INVALID_AMOUNT"),
        (with(json!({"amount": null})), 400, "INVALID_AMOUNT"),
        (with(json!({"customer_phone": null})), 400, "MISSING_PHONE"),
        (with(json!({"return_url": null})), 400, "MISSING_RETURN_URL"),
        (
            with(json!({"return_url": "javascript:alert(1)"})),
            400,
            "INVALID_URL",
        ),
        (
            with(json!({"payment_method": "BITCOIN"})),
            400,
            "INVALID_PAYMENT_METHOD",
        ),
        (with(json!({"country": "FR"})), 400, "INVALID_COUNTRY"),
        (with(json!({"currency": "EUR"})), 400, "INVALID_CURRENCY"),
        (
            with(json!({"customer_phone": "+221771234567"})),
            400,
            "INVALID_PHONE",
        ),
        (
            with(
                json!({"payment_method": "WAVE", "country": "CI", "customer_phone": "+2250701234567", "currency": "XOF"}),
            ),
            201,
            "",
        ),
        (
            with(json!({"payment_method": "CARD", "customer_name": null})),
            400,
            "MISSING_CUSTOMER_INFO",
        ),
        (
            with(
                json!({"payment_method": "GIM_UEMOA", "customer_email": "amadou@example.com",
                "country": "CM", "currency": "XAF", "customer_phone": null}),
            ),
            422,
            "METHOD_NOT_AVAILABLE",
        ),
        (with(json!({"metadata": [1, 2]})), 400, "INVALID_METADATA"),
        (with(json!({"customer_name": 12})), 400, "INVALID_FIELD"),
    ];
    for (body, status, code) in cases {
        let reply = app.sahel_post(Some(BEARER), None, body.to_string()).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.text);
        if status >= 400 {
            assert_eq!(error_code(&reply), code, "{body}");
        }
    }
    for raw in ["{", "[]", ""] {
        let reply = app.sahel_post(Some(BEARER), None, raw).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (400, "INVALID_JSON"),
            "{raw}"
        );
    }
    for auth in [
        None,
        Some("Bearer sk_test_wrong"),
        Some("sk_test_dalal_demo_5f3a9c2e7b1d4068"),
        Some("Bearer pk_test_dalal_demo"),
    ] {
        let reply = app.sahel_post(auth, None, seed_body().to_string()).await;
        assert_eq!(
            (reply.status, error_code(&reply).as_str()),
            (401, "UNAUTHORIZED"),
            "{auth:?}"
        );
    }
    // The same idempotency key with another request.
    assert_eq!(
        app.sahel_post(Some(BEARER), Some("order-9"), seed_body().to_string())
            .await
            .status,
        201
    );
    let reply = app
        .sahel_post(
            Some(BEARER),
            Some("order-9"),
            with(json!({"amount": 6000})).to_string(),
        )
        .await;
    assert_eq!(
        (reply.status, error_code(&reply).as_str()),
        (409, "DUPLICATE_PAYMENT")
    );
    let reply = app.sahel_get("txn_999999999999").await;
    assert_eq!(
        (reply.status, error_code(&reply).as_str()),
        (404, "NOT_FOUND")
    );
}

#[tokio::test]
async fn a_payment_is_readable_in_both_dialects() {
    let app = spawn_app().await;
    let sahel = app
        .sahel_post(Some(BEARER), None, seed_body().to_string())
        .await
        .json()["data"]
        .clone();
    let txn = sahel["id"].as_str().unwrap();
    let cauris = app.get_payment(txn).await;
    assert_eq!(cauris["externalReference"], "order_123");
    assert_eq!(cauris["paymentMethod"]["code"], "orange_money");
    assert_eq!(cauris["redirectUrl"], sahel["redirect_url"]);
    let tx = cauris["transactionId"].as_str().unwrap().to_owned();
    assert_eq!(app.sahel_get(&tx).await.json()["data"]["id"], txn);

    let created = app.create(seed_checkout_body()).await;
    let back = app
        .sahel_get(created["transactionId"].as_str().unwrap())
        .await;
    assert_eq!(back.status, 200, "{}", back.text);
    let data = back.json()["data"].clone();
    assert_eq!(data["client_reference"], "PANIER-67890");
    assert_eq!(data["status"], "PENDING");
    assert_eq!(data["payment_method"], Value::Null);
    assert_eq!(data["gateway_used"], Value::Null);
}

/// A SahelPay Orange Money payment created (201): its `data`.
async fn orange_payment(app: &TestApp, amount: i64) -> Value {
    let reply = app.sahel_post(Some(BEARER), None, orange(amount)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()["data"].clone()
}

fn orange(amount: i64) -> String {
    json!({"amount": amount, "payment_method": "ORANGE_MONEY", "country": "ML", "customer_phone": "+22370123456",
        "return_url": "https://shop.example/retour"})
    .to_string()
}

#[tokio::test]
async fn routing_picks_the_cheapest_gateway_for_the_amount() {
    let app = spawn_app().await;
    let small = orange_payment(&app, 5_000).await;
    assert_eq!(
        small["gateway_used"], "orange_direct",
        "1.5 % = 75 beats 1 % + 75 = 125"
    );
    assert_eq!(
        small["routing_reason"],
        "Gateway le moins cher pour ce montant (frais 75 XOF)"
    );
    let large = orange_payment(&app, 50_000).await;
    assert_eq!(
        large["gateway_used"], "orange_hub",
        "1 % + 75 = 575 beats 1.5 % = 750"
    );
    // Above the hub's limit (1 000 000) the direct gateway is the only one left.
    let above_limit = orange_payment(&app, 2_000_000).await;
    assert_eq!(above_limit["gateway_used"], "orange_direct");
    assert_eq!(
        above_limit["routing_reason"],
        "Seul gateway disponible pour ce moyen de paiement (frais 30 000 XOF)"
    );
    let wave = app
        .sahel_post(
            Some(BEARER),
            None,
            json!({"amount": 5000, "payment_method": "WAVE", "country": "SN",
            "customer_phone": "+221771234567", "return_url": "https://shop.example/retour"})
            .to_string(),
        )
        .await
        .json()["data"]
        .clone();
    assert_eq!(wave["gateway_used"], "wave_direct");
    assert!(
        wave["routing_reason"]
            .as_str()
            .unwrap()
            .starts_with("Seul gateway disponible")
    );
}

#[tokio::test]
async fn routing_fails_over_within_the_request_then_skips_the_failing_gateway() {
    let app = spawn_app_with(&[("sandbox.down_gateways", "orange_hub")]).await;
    for _ in 0..3 {
        let data = orange_payment(&app, 50_000).await;
        assert_eq!(data["gateway_used"], "orange_direct");
        assert!(
            data["routing_reason"]
                .as_str()
                .unwrap()
                .starts_with("Basculement : orange_hub indisponible"),
            "{data}"
        );
    }
    // Three failures in a row: the hub rests and is not even tried.
    let data = orange_payment(&app, 50_000).await;
    assert_eq!(data["gateway_used"], "orange_direct");
    assert!(
        data["routing_reason"]
            .as_str()
            .unwrap()
            .starts_with("orange_hub écarté"),
        "{data}"
    );
    // After a minute it is probed again (and, still down, failed over again).
    app.clock.advance_ms(61_000);
    let data = orange_payment(&app, 50_000).await;
    assert!(
        data["routing_reason"]
            .as_str()
            .unwrap()
            .starts_with("Basculement"),
        "{data}"
    );
}

#[tokio::test]
async fn when_every_gateway_is_down_the_merchant_is_told_to_retry() {
    let app = spawn_app_with(&[("sandbox.down_gateways", "orange_hub,orange_direct")]).await;
    let reply = app
        .sahel_post(Some(BEARER), Some("od-1"), orange(50_000))
        .await;
    assert_eq!(
        (reply.status, error_code(&reply).as_str()),
        (503, "PROVIDER_UNAVAILABLE")
    );
    assert_eq!(reply.headers["retry-after"], "30");
    assert_eq!(app.count_payments().await, 0);
}
