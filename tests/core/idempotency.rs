//! In-process tests of `idempotency`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_requests_with_one_key_create_one_payment() {
    let app = std::sync::Arc::new(spawn_app().await);
    let body = seed_direct_body().to_string();
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let (app, body) = (app.clone(), body.clone());
            tokio::spawn(async move {
                app.post_raw(
                    "/api/v1/payments/initiate",
                    Some(DEMO_KEY),
                    Some("RACE-1"),
                    body,
                )
                .await
            })
        })
        .collect();
    let mut replies = Vec::new();
    for h in handles {
        replies.push(h.await.unwrap());
    }
    for reply in &replies {
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.text, replies[0].text);
    }
    assert_eq!(app.count_payments().await, 1);
    // And one Wave session at the (sandbox) provider, not fifty.
    let (sessions,): (i64,) = dalal::on!(&app.state.pool, |e| sqlx::query_as("SELECT COUNT(*) FROM sandbox_sessions")
        .fetch_one(e)
        .await)
        .unwrap();
    assert_eq!(sessions, 1);
}

#[tokio::test]
async fn a_keyed_checkout_replays_as_created_after_its_payment_changed_in_both_dialects() {
    let app = spawn_app().await;
    // The second body spells a placeholder id in the merchant's own text: still replayed right.
    for (n, description) in [(1, "Panier"), (2, "Voir TX987654321987654 et txn_987654321987654")] {
        let body = json!({"type": "checkout", "amount": 5_000, "externalReference": format!("REJOUE-{n}"), "description": description});
        let key = format!("rejoue-{n}");
        let first = app.initiate_with_key(DEMO_KEY, Some(&key), &body).await;
        assert_eq!(first.status, 201, "{}", first.text);
        let data = first.json()["data"].clone();
        let stored = app.get_payment(data["transactionId"].as_str().unwrap()).await;
        assert_eq!(stored["externalReference"], format!("REJOUE-{n}"));
        assert_eq!(stored["createdAt"], data["createdAt"], "the answer is the stored payment");
        app.state.payments.cancel(&token_of(&data)).await.unwrap();
        let again = app.initiate_with_key(DEMO_KEY, Some(&key), &body).await;
        assert_eq!(again.status, 201);
        assert_eq!(again.text, first.text, "as first answered, not as the payment is now");
        assert_eq!(again.headers["idempotent-replayed"], "true");
    }

    let body = json!({
        "amount": 5_000, "currency": "XOF", "client_reference": "REJOUE-S",
        "return_url": "https://boutique.example/retour",
    });
    let first = app.sahel_post(Some(crate::sahelpay::BEARER), Some("rejoue-s"), body.to_string()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let id = first.json()["data"]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("txn_") && !id.contains("987654321"), "{id}");
    let again = app.sahel_post(Some(crate::sahelpay::BEARER), Some("rejoue-s"), body.to_string()).await;
    assert_eq!(again.text, first.text);
}
