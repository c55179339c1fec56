use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn the_same_key_and_body_replays_the_first_response_byte_for_byte() {
    let app = spawn_app().await;
    let body = seed_direct_body();
    let first = app
        .initiate_with_key(DEMO_KEY, Some("COMMANDE-12345"), &body)
        .await;
    assert_eq!(first.status, 201);
    app.clock.advance_ms(5_000);
    let second = app
        .initiate_with_key(DEMO_KEY, Some("COMMANDE-12345"), &body)
        .await;
    assert_eq!(second.status, 201);
    assert_eq!(second.text, first.text);
    assert_eq!(second.headers["idempotent-replayed"], "true");
    assert_eq!(app.count_payments().await, 1);
}

#[tokio::test]
async fn the_same_key_with_a_different_body_is_refused() {
    let app = spawn_app().await;
    let first = app
        .initiate_with_key(DEMO_KEY, Some("K-1"), &seed_direct_body())
        .await;
    assert_eq!(first.status, 201);
    let mut changed = seed_direct_body();
    changed["amount"] = json!(20000);
    let reply = app.initiate_with_key(DEMO_KEY, Some("K-1"), &changed).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(
        reply
            .error_message()
            .contains("a déjà servi pour une requête différente")
    );
    assert_eq!(app.count_payments().await, 1);
}

#[tokio::test]
async fn keys_belong_to_one_merchant() {
    let app = spawn_app().await;
    let (other, _) = app.other_merchant().await;
    let mine = app
        .initiate_with_key(DEMO_KEY, Some("SHARED"), &seed_checkout_body())
        .await;
    let theirs = app
        .initiate_with_key(&other, Some("SHARED"), &seed_checkout_body())
        .await;
    assert_eq!((mine.status, theirs.status), (201, 201));
    assert_ne!(
        mine.json()["data"]["transactionId"],
        theirs.json()["data"]["transactionId"]
    );
}

#[tokio::test]
async fn a_rejected_request_is_replayed_as_rejected() {
    let app = spawn_app().await;
    let (_, live) = app.other_merchant().await;
    let first = app
        .initiate_with_key(&live, Some("LIVE-1"), &seed_checkout_body())
        .await;
    let second = app
        .initiate_with_key(&live, Some("LIVE-1"), &seed_checkout_body())
        .await;
    assert_eq!((first.status, second.status), (403, 403));
    assert_eq!(first.text, second.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_checkout_requests_with_one_key_create_one_payment() {
    // A checkout payment calls no provider: it is created with its idempotency record in one
    // transaction, and the requests that lose the race replay the winner's answer.
    let app = std::sync::Arc::new(spawn_app().await);
    let body = seed_checkout_body().to_string();
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let (app, body) = (app.clone(), body.clone());
            tokio::spawn(async move {
                app.post_raw(
                    "/api/v1/payments/initiate",
                    Some(DEMO_KEY),
                    Some("RACE-CHECKOUT"),
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
        assert_eq!(reply.text, replies[0].text, "the same bytes for everyone");
    }
    assert_eq!(app.count_payments().await, 1);
    let replayed = replies
        .iter()
        .filter(|r| r.headers.contains_key("idempotent-replayed"))
        .count();
    assert_eq!(replayed, 49, "one created, the others replayed");
    // The same key with another body is still refused.
    let mut other = seed_checkout_body();
    other["amount"] = serde_json::json!(12_345);
    let reused = app
        .initiate_with_key(DEMO_KEY, Some("RACE-CHECKOUT"), &other)
        .await;
    assert_eq!(reused.status, 422, "{}", reused.text);
    assert_eq!(app.count_payments().await, 1);
}

/// Every field the creation answered that the payment's GET also shows has the same value there:
/// the answer rendered before the insert (`create_keyed`) is the stored payment and attempt.
fn assert_answer_is_stored(created: &serde_json::Value, stored: &serde_json::Value) {
    let (created, stored) = (created.as_object().unwrap(), stored.as_object().unwrap());
    let shared: Vec<_> = created.keys().filter(|k| stored.contains_key(*k)).collect();
    assert!(shared.len() >= 8, "too few fields to compare: {shared:?}");
    for k in shared {
        assert_eq!(created[k], stored[k], "field {k}");
    }
}

#[tokio::test]
async fn a_keyed_direct_wave_payment_is_stored_as_answered_and_replays_in_both_dialects() {
    let app = spawn_app().await;
    // The second body spells a placeholder id in the merchant's own text: the transaction path.
    for (n, description) in [(1, "Panier"), (2, "Voir TX987654321987654")] {
        let mut body = seed_direct_body();
        body["externalReference"] = json!(format!("WAVE-{n}"));
        body["description"] = json!(description);
        let key = format!("wave-{n}");
        let first = app.initiate_with_key(DEMO_KEY, Some(&key), &body).await;
        assert_eq!(first.status, 201, "{}", first.text);
        let data = first.json()["data"].clone();
        assert!(data["qrCode"].as_str().is_some_and(|q| !q.is_empty()), "{data}");
        let stored = app.get_payment(data["transactionId"].as_str().unwrap()).await;
        assert_answer_is_stored(&data, &stored);
        let again = app.initiate_with_key(DEMO_KEY, Some(&key), &body).await;
        assert_eq!((again.status, &again.text), (201, &first.text));
        assert_eq!(again.headers["idempotent-replayed"], "true");
        let mut other = body.clone();
        other["amount"] = json!(12_345);
        let reused = app.initiate_with_key(DEMO_KEY, Some(&key), &other).await;
        assert_eq!(reused.status, 422, "{}", reused.text);
    }
    assert_eq!(app.count_payments().await, 2);

    let body = json!({"amount": 5000, "payment_method": "WAVE", "country": "SN",
        "customer_phone": "+221771234567", "return_url": "https://shop.example/retour",
        "client_reference": "WAVE-S"});
    let first = app.sahel_post(Some(crate::sahelpay::BEARER), Some("wave-s"), body.to_string()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let data = first.json()["data"].clone();
    assert_eq!(data["gateway_used"], "wave_direct");
    let stored = app.sahel_get(data["id"].as_str().unwrap()).await.json()["data"].clone();
    assert_answer_is_stored(&data, &stored);
    let again = app.sahel_post(Some(crate::sahelpay::BEARER), Some("wave-s"), body.to_string()).await;
    assert_eq!((again.status, &again.text), (201, &first.text));
    assert_eq!(app.count_payments().await, 3);
}
