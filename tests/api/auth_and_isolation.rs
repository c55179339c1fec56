use crate::helpers::*;

#[tokio::test]
async fn requests_without_a_valid_key_get_401() {
    let app = spawn_app().await;
    let body = seed_checkout_body().to_string();
    let keys = [
        None,
        Some(""),
        Some("pk_test_dalal_demo"),
        Some("pk_test_dalal_demo:sk_test_wrong"),
        Some("pk_test_unknown:sk_test_dalal_demo_5f3a9c2e7b1d4068"),
        Some("sk_test_dalal_demo_5f3a9c2e7b1d4068:pk_test_dalal_demo"),
        Some("Bearer sk_test_dalal_demo_5f3a9c2e7b1d4068"),
    ];
    for key in keys {
        let reply = app
            .post_raw("/api/v1/payments/initiate", key, None, body.clone())
            .await;
        assert_eq!(reply.status, 401, "{key:?}");
        assert!(
            reply.error_message().starts_with("Non authentifié"),
            "{key:?}"
        );
        let reply = app.get("/api/v1/payments/TX000000001", key).await;
        assert_eq!(reply.status, 401, "{key:?}");
    }
    assert_eq!(app.count_payments().await, 0);
}

#[tokio::test]
async fn a_merchant_never_sees_another_merchants_payments() {
    let app = spawn_app().await;
    let mine = app.create(seed_checkout_body()).await;
    let id = mine["transactionId"].as_str().unwrap();
    let (other_test, other_live) = app.other_merchant().await;

    for key in [&other_test, &other_live] {
        let reply = app.get(&format!("/api/v1/payments/{id}"), Some(key)).await;
        assert_eq!(reply.status, 404, "{}", reply.text);
        assert!(!reply.text.contains("PANIER-67890"));
    }
    // The other merchant's own payment gets its own id, invisible to the first merchant.
    let theirs = app
        .initiate_with_key(&other_test, None, &seed_checkout_body())
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    let their_id = theirs.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(their_id, id);
    assert_eq!(
        app.get(&format!("/api/v1/payments/{their_id}"), Some(DEMO_KEY))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/payments/{their_id}"), Some(&other_test))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn live_keys_are_refused_until_live_connectors_exist() {
    let app = spawn_app().await;
    let (_, live) = app.other_merchant().await;
    let reply = app
        .initiate_with_key(&live, None, &seed_checkout_body())
        .await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert!(reply.error_message().contains("mode live"));
    // A live public key with a test secret is not a valid pair.
    let mixed = format!(
        "{}:sk_test_dalal_demo_5f3a9c2e7b1d4068",
        live.split(':').next().unwrap()
    );
    assert_eq!(
        app.initiate_with_key(&mixed, None, &seed_checkout_body())
            .await
            .status,
        401
    );
}
