//! Refunds and cancellation through both dialects, over real HTTP.

use crate::helpers::*;
use serde_json::{Value, json};

/// `POST /api/v1/payments/{id}/refunds`.
pub(crate) async fn refund(app: &TestApp, id: &str, body: Value, key: Option<&str>) -> Reply {
    app.post_raw(
        &format!("/api/v1/payments/{id}/refunds"),
        Some(DEMO_KEY),
        key,
        body.to_string(),
    )
    .await
}

#[tokio::test]
async fn only_a_paid_payment_can_be_refunded() {
    let app = spawn_app().await;
    let data = app
        .create(json!({"type": "checkout", "amount": 5_000, "externalReference": "RF-4"}))
        .await;
    let reply = refund(
        &app,
        data["transactionId"].as_str().unwrap(),
        json!({}),
        None,
    )
    .await;
    assert_eq!(reply.status, 409, "{}", reply.text);
    assert!(reply.error_message().contains("Seul un paiement réussi"));
    let unknown = refund(&app, "TX999999999", json!({}), None).await;
    assert_eq!(unknown.status, 404);
}
