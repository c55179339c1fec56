//! Rate limits: 429 with Retry-After, in each dialect's error body, per key and per address.

use crate::helpers::*;
use crate::sahelpay::BEARER;
use serde_json::Value;

async fn limited_app() -> TestApp {
    spawn_app_with(&[
        ("rate_limits.api_per_second", "1"),
        ("rate_limits.api_burst", "3"),
        ("rate_limits.pages_per_second", "1"),
        ("rate_limits.pages_burst", "3"),
    ])
    .await
}

#[tokio::test]
async fn a_merchant_over_its_limit_gets_429_with_retry_after_in_caurisflux() {
    let app = limited_app().await;
    for _ in 0..3 {
        assert_eq!(
            app.get("/api/v1/payments", Some(DEMO_KEY)).await.status,
            200
        );
    }
    let over = app.get("/api/v1/payments", Some(DEMO_KEY)).await;
    assert_eq!(over.status, 429);
    let wait: u64 = over.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert!(over.error_message().contains("Trop de requêtes"));
    assert_eq!(over.json()["error"], "Too Many Requests");
    // Another merchant's key has its own budget.
    let (other, _) = app.other_merchant().await;
    assert_eq!(app.get("/api/v1/payments", Some(&other)).await.status, 200);
    // After the wait, the merchant is served again.
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    assert_eq!(
        app.get("/api/v1/payments", Some(DEMO_KEY)).await.status,
        200
    );
}

#[tokio::test]
async fn sahelpay_merchants_get_their_own_error_body() {
    let app = limited_app().await;
    let get = || {
        app.client
            .get(format!("{}/v1/payments", app.address))
            .header("Authorization", BEARER)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(get().await.unwrap().status().as_u16(), 200);
    }
    let over = get().await.unwrap();
    assert_eq!(over.status().as_u16(), 429);
    assert!(over.headers().contains_key("retry-after"));
    let body: Value = over.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["code"], "RATE_LIMITED");
}

#[tokio::test]
async fn token_guessing_on_the_pages_is_slowed_per_address() {
    let app = limited_app().await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        statuses.push(app.get(&format!("/pay/guess-{i}"), None).await.status);
    }
    assert_eq!(&statuses[..3], [404, 404, 404]);
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");
    let over = app.get("/pay/guess-7", None).await;
    assert!(over.headers.contains_key("retry-after"));
    // Static files and the health check are never limited.
    assert_eq!(app.get("/healthz", None).await.status, 200);
    assert_ne!(app.get("/favicon.svg", None).await.status, 429);
}
