//! The payment lifecycle through the core, with the sandbox providers and a clock the test moves.

use crate::helpers::*;
use dalal::domain::{Country, PaymentStatus, ProviderCode};
use dalal::payments::PaymentError;
use serde_json::json;

pub(crate) async fn checkout_in(app: &TestApp, country: &str, amount: i64) -> (String, String) {
    let data = app
        .create(json!({"type": "checkout", "amount": amount, "country": country, "externalReference": "CMD-1",
            "returnUrl": "https://shop.example/merci", "cancelUrl": "https://shop.example/panier"}))
        .await;
    (
        data["transactionId"].as_str().unwrap().to_owned(),
        token_of(&data),
    )
}

#[tokio::test]
async fn a_wave_payment_is_approved_on_the_sandbox_phone_page() {
    let app = spawn_app().await;
    let data = app.create(seed_direct_body()).await;
    let id = data["transactionId"].as_str().unwrap();
    let link = data["deepLinks"]["wave"].as_str().unwrap();
    // Opening the link (a GET, as a link scanner would) changes nothing.
    app.client.get(link).send().await.unwrap();
    assert_eq!(app.get_payment(id).await["status"], "pending");

    let answer = app
        .client
        .post(link)
        .form(&[("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    // The emulator notifies /hooks/wave, which confirms with the emulator's API.
    let data = app.payment_when(id, |d| d["status"] != "pending").await;
    assert_eq!(data["status"], "succeeded");
    assert_eq!(data["qrCode"], serde_json::Value::Null);
    // A second answer is ignored: a payment cannot succeed twice or flip.
    app.client
        .post(link)
        .form(&[("decision", "decline")])
        .send()
        .await
        .unwrap();
    assert_eq!(app.get_payment(id).await["status"], "succeeded");
}

#[tokio::test]
async fn a_declined_wave_payment_can_be_paid_again() {
    let app = spawn_app().await;
    let data = app.create(seed_direct_body()).await;
    let token = token_of(&data);
    let link = data["deepLinks"]["wave"].as_str().unwrap();
    app.client
        .post(link)
        .form(&[("decision", "decline")])
        .send()
        .await
        .unwrap();
    // The emulator's webhook is applied after /hooks/wave has answered.
    let mut found = None;
    for _ in 0..100 {
        let (payment, attempt) = app
            .state
            .payments
            .find_by_token(&token)
            .await
            .unwrap()
            .unwrap();
        if attempt.as_ref().is_some_and(|a| a.failure_code.is_some()) {
            found = Some((payment, attempt));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (payment, attempt) = found.expect("the decline is applied");
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert_eq!(
        attempt.unwrap().failure_code.map(|c| c.as_str()),
        Some("declined")
    );
    let (_, again) = app
        .state
        .payments
        .choose_method(&token, choice(ProviderCode::Wave, Country::Sn, None))
        .await
        .unwrap();
    assert!(again.launch_url.is_some());
}

#[tokio::test]
async fn a_method_must_work_in_the_payments_country() {
    let app = spawn_app().await;
    let (_, token) = checkout_in(&app, "SN", 2000).await;
    let err = app
        .state
        .payments
        .choose_method(
            &token,
            choice(ProviderCode::MtnMomo, Country::Ci, Some("+2250501234567")),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentError::Invalid(_)), "{err}");
    let err = app
        .state
        .payments
        .choose_method(&token, choice(ProviderCode::FreeMoney, Country::Sn, None))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PaymentError::Invalid(ref e) if e.fr().contains("numéro")),
        "{err}"
    );
}
