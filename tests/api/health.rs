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

/// On SQLite, how many writes went through the group commit and in how many transactions.
#[tokio::test]
async fn metrics_count_the_group_commits_writes_on_sqlite() {
    let app = spawn_app().await;
    for key in ["metrics-1", "metrics-2"] {
        let reply = app
            .initiate_with_key(DEMO_KEY, Some(key), &seed_checkout_body())
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let text = app.get("/metrics", None).await.text;
    let counter = |name: &str| -> Option<u64> {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("{name} "))?.parse().ok())
    };
    if postgres_server().is_some() {
        assert_eq!(counter("dalal_db_writes_total"), None, "{text}");
        return;
    }
    let writes = counter("dalal_db_writes_total").expect("dalal_db_writes_total");
    let batches = counter("dalal_db_write_batches_total").expect("dalal_db_write_batches_total");
    assert!(writes >= 2, "two payments stored with their keys: {text}");
    assert!((1..=writes).contains(&batches), "{text}");
}

#[tokio::test]
async fn the_api_is_documented_in_openapi_and_on_a_page() {
    let app = spawn_app().await;
    let reply = app.get("/openapi.json", None).await;
    assert_eq!(reply.status, 200);
    let doc = reply.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    // Payments (12 paths) and payouts (6 per dialect).
    assert_eq!(paths.len(), 24, "{:?}", paths.keys());
    let payout = &doc["paths"]["/api/v1/payouts"]["post"];
    for code in ["201", "400", "401", "422"] {
        assert!(payout["responses"][code].is_object(), "payout {code}");
    }
    assert!(doc["paths"]["/v1/payout_batches"]["post"]["requestBody"]["content"]["text/csv"].is_object());
    // Every operation the router serves is in the document, with its error answers.
    let refund = &doc["paths"]["/api/v1/payments/{transaction_id}/refunds"]["post"];
    for code in ["201", "400", "401", "404", "409", "422"] {
        assert!(refund["responses"][code].is_object(), "refund {code}");
    }
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let page = app.get("/docs", None).await;
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("POST /api/v1/payments/initiate"),
        "{}",
        page.text
    );
    assert!(page.text.contains("GET /v1/payments"));
    assert!(
        page.text.contains("caurisflux.InitiateRequest"),
        "request bodies are named"
    );
    assert!(
        page.text.contains("<code>externalReference</code>"),
        "and their fields listed"
    );
    assert!(page.text.contains("<code>client_reference</code>"));
}
