//! In-process tests of `initiate`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn a_direct_payment_with_a_push_provider_sends_the_push_when_it_is_created() {
    let app = spawn_app().await;
    let body = json!({"type": "direct", "provider": "mtn_momo", "country": "CI", "amount": 5000,
        "externalReference": "CI-1", "customerPhone": "+2250501234567"});
    let reply = app.initiate_with_key(DEMO_KEY, Some("PUSH-1"), &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let data = reply.json()["data"].clone();
    // The provider has asked the customer: processing (PRODUCT.md, lifecycle), with its reason.
    assert_eq!(data["status"], "processing");
    let (payment, _) = app
        .state
        .payments
        .find_by_token(&token_of(&data))
        .await
        .unwrap()
        .unwrap();
    let transitions = app.state.payments.transitions(&payment).await.unwrap();
    assert!(
        transitions.iter().any(|t| t.to_status == dalal::domain::PaymentStatus::Processing
            && t.reason.contains("le client a reçu la demande")),
        "{transitions:?}"
    );
    assert_eq!(data["paymentMethod"]["code"], "mtn_momo");
    assert_eq!(data["deepLinks"], serde_json::Value::Null);
    // The push went out to customerPhone, once, before the answer.
    let pushes: Vec<(String, Option<String>)> =
        dalal::on!(&app.state.pool, |e| sqlx::query_as("SELECT flow, phone FROM sandbox_sessions WHERE provider = 'mtn_momo'")
            .fetch_all(e)
            .await)
            .unwrap();
    assert_eq!(pushes, [("push".to_owned(), Some("+2250501234567".to_owned()))]);
    let replay = app.initiate_with_key(DEMO_KEY, Some("PUSH-1"), &body).await;
    assert_eq!(replay.text, reply.text);
    let count: i64 = dalal::on!(&app.state.pool, |e| sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_sessions")
        .fetch_one(e)
        .await)
        .unwrap();
    assert_eq!(count, 1, "a replay sends no second push");

    // The redirectUrl shows the waiting screen at once.
    let page = app
        .client
        .get(data["redirectUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Confirmez le paiement sur votre téléphone"), "{page}");

    // The customer confirms on their phone.
    app.customer_answers(4_000).await;
    let id = data["transactionId"].as_str().unwrap();
    assert_eq!(app.get_payment(id).await["status"], "succeeded");

    // The provider down: nothing is created, nothing is sent.
    let mut down = body.clone();
    down["customerPhone"] = json!("+2250501234504");
    let before = app.count_payments().await;
    let reply = app.initiate_with_key(DEMO_KEY, None, &down).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert_eq!(app.count_payments().await, before);
}
