use crate::helpers::*;

#[tokio::test]
async fn health_check_answers_with_a_request_id() {
    let app = spawn_app().await;
    let reply = app.get("/healthz", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["status"], "ok");
    assert!(reply.headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn unknown_api_routes_answer_json_404() {
    let app = spawn_app().await;
    let reply = app.get("/api/v1/nothing/here", Some(DEMO_KEY)).await;
    assert_eq!(reply.status, 404);
    assert!(reply.error_message().contains("Route introuvable"));
    let reply = app
        .post_raw("/api/v1/payments/providers", None, None, "{}")
        .await;
    assert_eq!(reply.status, 405);
    reply.error_message();
}

#[tokio::test]
async fn unknown_checkout_tokens_get_a_clear_page() {
    let app = spawn_app().await;
    let reply = app.get("/pay/not-a-real-token", None).await;
    assert_eq!(reply.status, 404);
    assert!(reply.text.contains("Lien de paiement introuvable"));
}

#[tokio::test]
async fn metrics_count_payments_by_status() {
    let app = spawn_app().await;
    app.create(seed_checkout_body()).await;
    app.create(seed_checkout_body()).await;
    let reply = app.get("/metrics", None).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.text.contains("# TYPE dalal_payments gauge"),
        "{}",
        reply.text
    );
    assert!(
        reply.text.contains("dalal_payments{status=\"pending\"} 2"),
        "{}",
        reply.text
    );
    assert!(
        reply
            .text
            .contains("dalal_gateway_skipped{gateway=\"orange_hub\"} 0"),
        "{}",
        reply.text
    );
}
