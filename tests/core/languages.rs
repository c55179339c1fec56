//! The checkout page speaks the customer's language, errors and failures included.

use crate::helpers::*;
use dalal::domain::{Country, ProviderCode};
use serde_json::json;

/// The page's HTML for a customer who keeps their session cookie.
async fn page(app: &TestApp, token: &str, cookie: &str) -> String {
    app.client
        .get(format!("{}/pay/{token}", app.address))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_english_page_shows_english_errors_and_failures() {
    let app = spawn_app().await;
    let data = app
        .create(json!({"type": "checkout", "amount": 5000, "country": "CI", "externalReference": "EN-1"}))
        .await;
    let token = token_of(&data);
    // The customer switches to English: the choice lives in their session.
    let first = app
        .client
        .get(format!("{}/pay/{token}?lang=en", app.address))
        .send()
        .await
        .unwrap();
    let cookie = first
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    // A number that is not Ivorian, posted as the plain form would.
    let reply = app
        .client
        .post(format!("{}/rpc/pay", app.address))
        .header("Origin", &app.address)
        .header("Cookie", &cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "token={token}&provider=mtn_momo&country=CI&phone=%2B221771234567"
        ))
        .send()
        .await
        .unwrap();
    assert!(reply.status().as_u16() < 400, "{}", reply.status());
    let html = page(&app, &token, &cookie).await;
    assert!(
        html.contains("is not a valid mobile number in"),
        "the error in English: {html}"
    );
    assert!(!html.contains("pas un numéro mobile valide"), "{html}");

    // A declined push: the failure is told in English too.
    let choice = choice(ProviderCode::MtnMomo, Country::Ci, Some("+2250501234502"));
    app.state
        .payments
        .choose_method(&token, choice)
        .await
        .unwrap();
    app.customer_answers(4_000).await;
    let html = page(&app, &token, &cookie).await;
    assert!(
        html.contains("The payment was declined on your phone (MTN MoMo)."),
        "{html}"
    );
    assert!(!html.contains("refusé sur votre téléphone"), "{html}");

    // The same page in French for a customer who did not switch.
    let french = app
        .client
        .get(format!("{}/pay/{token}", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        french.contains("Le paiement a été refusé sur votre téléphone (MTN MoMo)."),
        "{french}"
    );
}
