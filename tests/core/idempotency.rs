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

/// A request that claimed its key and died before answering leaves the key's record in
/// progress; a minute later the merchant's retry takes it over, calls the provider, and stores
/// the payment with the answer in the claimed record (PostgreSQL: one statement that completes
/// the record and inserts the payment under the id it drew; SQLite: a transaction). The retry
/// after that replays it.
#[tokio::test]
async fn a_key_left_in_progress_by_a_request_that_died_is_taken_over_and_completed_once() {
    let app = spawn_app().await;
    let route = "POST /api/v1/payments/initiate";
    for (n, body) in [
        (1, seed_direct_body()),
        (
            2,
            json!({"type": "checkout", "amount": 7_500, "externalReference": "REPRIS-2"}),
        ),
    ] {
        let mut body = body;
        body["externalReference"] = json!(format!("REPRIS-{n}"));
        let body = body.to_string();
        let key = format!("repris-{n}");
        let hash = dalal::payments::idempotency::fingerprint(route, body.as_bytes());
        let died_at = dalal::clock::Clock::now_ms(&*app.clock) - 61_000;
        dalal::rows!(&app.state.pool, |e| sqlx::query(
            "INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, created_at)
             VALUES ('mer_demo', $1, $2, $3)",
        )
        .bind(&key)
        .bind(&hash)
        .bind(died_at)
        .execute(e)
        .await)
        .unwrap();
        let first = app
            .post_raw(
                "/api/v1/payments/initiate",
                Some(DEMO_KEY),
                Some(&key),
                body.clone(),
            )
            .await;
        assert_eq!(first.status, 201, "{}", first.text);
        let id = first.json()["data"]["transactionId"]
            .as_str()
            .unwrap()
            .to_owned();
        let stored = app.get_payment(&id).await;
        assert_eq!(
            stored["externalReference"],
            format!("REPRIS-{n}"),
            "the answer names the stored payment"
        );
        let (status, payment_id): (Option<i64>, Option<i64>) = dalal::on!(&app.state.pool, |e| sqlx::query_as(
            "SELECT response_status, payment_id FROM idempotency_keys WHERE merchant_id = 'mer_demo' AND idempotency_key = $1",
        )
        .bind(&key)
        .fetch_one(e)
        .await)
        .unwrap();
        assert_eq!(status, Some(201));
        // PostgreSQL's one statement records the id it drew (SQLite's transaction stores the
        // whole answer, with no id to fill in).
        let postgres = app.state.pool.backend() == dalal::db::Backend::Postgres;
        assert_eq!(payment_id.is_some(), postgres);
        if let Some(p) = payment_id {
            assert_eq!(
                dalal::domain::TransactionId::from_sequence(p).to_string(),
                id
            );
        }
        let again = app
            .post_raw(
                "/api/v1/payments/initiate",
                Some(DEMO_KEY),
                Some(&key),
                body,
            )
            .await;
        assert_eq!(again.text, first.text);
        assert_eq!(again.headers["idempotent-replayed"], "true");
    }
    let (payments,): (i64,) = dalal::on!(&app.state.pool, |e| sqlx::query_as(
        "SELECT COUNT(*) FROM payments WHERE external_reference LIKE 'REPRIS-%'"
    )
    .fetch_one(e)
    .await)
    .unwrap();
    assert_eq!(payments, 2, "each key made one payment");
}
