//! In-process tests of `sahelpay`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use serde_json::json;
use crate::sahelpay::BEARER;

#[tokio::test]
async fn a_sahelpay_payment_follows_the_same_lifecycle() {
    let app = spawn_app().await;
    let body = json!({"amount": 2500, "payment_method": "MOOV", "country": "CI", "customer_phone": "+2250101234567",
        "return_url": "https://shop.example/retour"});
    let data = app
        .sahel_post(Some(BEARER), None, body.to_string())
        .await
        .json()["data"]
        .clone();
    let token = token_of(&data);
    let choice = choice(
        dalal::domain::ProviderCode::MoovMoney,
        dalal::domain::Country::Ci,
        Some("+2250101234567"),
    );
    app.state
        .payments
        .choose_method(&token, choice)
        .await
        .unwrap();
    assert_eq!(
        app.sahel_get(data["id"].as_str().unwrap()).await.json()["data"]["status"],
        "PROCESSING"
    );
    app.customer_answers(4_000).await;
    let after = app.sahel_get(data["id"].as_str().unwrap()).await.json()["data"].clone();
    assert_eq!(after["status"], "SUCCEEDED");
    assert_eq!(
        after["gateway_used"], "moov_direct",
        "2 500 XOF: 50 via moov_direct, 88 via moov_hub"
    );
}
