//! In-process tests of `cards`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use crate::sahelpay::BEARER;
use dalal::domain::{AttemptStatus, Country, PaymentStatus, ProviderCode};
use dalal::payments::{Attempt, Payment, PaymentError};
use serde_json::{Value, json};

/// The customer types a card into the checkout page's form.
async fn pay(app: &TestApp, token: &str, number: &str) -> Result<(Payment, Attempt), PaymentError> {
    app.state
        .payments
        .choose_method(token, card_choice(Country::Sn, number))
        .await
}

/// Where a payment and its latest attempt stand.
async fn now(app: &TestApp, token: &str) -> (Payment, Option<Attempt>) {
    app.state
        .payments
        .find_by_token(token)
        .await
        .unwrap()
        .unwrap()
}

/// A SahelPay card payment (`CARD` or a brand) and its checkout token.
async fn sahel_card(app: &TestApp, method: &str) -> (String, String) {
    let body = json!({
        "amount": 15000,
        "payment_method": method,
        "country": "SN",
        "customer_name": "Awa Ndiaye",
        "customer_email": "awa@example.com",
        "return_url": "https://boutique.example/retour",
        "client_reference": format!("cmd-{method}"),
    });
    let reply = app.sahel_post(Some(BEARER), None, body.to_string()).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let data = reply.json()["data"].clone();
    assert_eq!(data["payment_method"], method);
    assert_eq!(data["status"], "PENDING");
    let token = token_of(&data);
    (data["id"].as_str().unwrap().to_owned(), token)
}

#[tokio::test]
async fn a_card_payment_created_by_sahelpay_is_authorised_at_once_and_shows_only_the_last_four() {
    let app = spawn_app().await;
    let (id, token) = sahel_card(&app, "CARD").await;

    let (payment, attempt) = pay(&app, &token, "4242 4242 4242 4242").await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(attempt.status, AttemptStatus::Succeeded);
    assert_eq!(attempt.gateway.as_deref(), Some("card_acquirer"));
    assert!(
        attempt
            .routing_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Seul gateway")),
        "{:?}",
        attempt.routing_reason
    );

    let sahel = app.sahel_get(&id).await.json()["data"].clone();
    assert_eq!(sahel["status"], "SUCCEEDED");
    assert_eq!(sahel["payment_method"], "CARD");
    assert_eq!(sahel["card"], json!({"brand": "VISA", "last4": "4242"}));
    assert_eq!(sahel["gateway_used"], "card_acquirer");

    let cauris = app.get_payment(&id).await;
    assert_eq!(cauris["status"], "succeeded");
    assert_eq!(cauris["paymentMethod"]["code"], "card");
    assert_eq!(cauris["paymentMethod"]["cardBrand"], "visa");
    assert_eq!(cauris["paymentMethod"]["cardLast4"], "4242");
}

#[tokio::test]
async fn a_declined_card_leaves_the_payment_open_for_another_card() {
    let app = spawn_app().await;
    let (id, token) = sahel_card(&app, "CARD").await;

    let (payment, attempt) = pay(&app, &token, "4000 0000 0000 0002").await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert_eq!(attempt.status, AttemptStatus::Failed);
    assert_eq!(
        attempt.failure_code.map(|c| c.as_str()),
        Some("card-declined")
    );
    assert!(
        attempt
            .failure_message
            .as_deref()
            .is_some_and(|m| m.contains("banque a refusé")),
        "{:?}",
        attempt.failure_message
    );

    let (_, attempt) = pay(&app, &token, "4000 0000 0000 9995").await.unwrap();
    assert_eq!(
        attempt.failure_code.map(|c| c.as_str()),
        Some("insufficient-funds")
    );
    assert!(
        attempt
            .failure_message
            .as_deref()
            .is_some_and(|m| m.contains("Provision insuffisante"))
    );

    let (payment, _) = pay(&app, &token, "5555 5555 5555 4444").await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    let sahel = app.sahel_get(&id).await.json()["data"].clone();
    assert_eq!(
        sahel["card"],
        json!({"brand": "MASTERCARD", "last4": "4444"})
    );
}

#[tokio::test]
async fn three_d_secure_is_confirmed_on_the_sandbox_bank_page() {
    let app = spawn_app().await;
    let (_, token) = sahel_card(&app, "VISA").await;
    let (payment, attempt) = pay(&app, &token, "4000 0000 0000 3220").await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Processing);
    assert_eq!(attempt.status, AttemptStatus::AwaitingCustomer);
    let bank = attempt.launch_url.clone().unwrap();
    assert!(bank.contains("/sandbox/3ds/auth_"), "{bank}");

    let page = app.client.get(&bank).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Visa •••• 3220"), "{html}");
    assert!(!html.contains("4000000000003220"));

    // A wrong code is refused on the bank's page; the payment still waits.
    let wrong = app
        .client
        .post(&bank)
        .form(&[("decision", "approve"), ("code", "000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 200);
    assert!(wrong.text().await.unwrap().contains("Code incorrect"));
    let (payment, _) = now(&app, &token).await;
    assert_eq!(payment.status, PaymentStatus::Processing);

    let right = app
        .client
        .post(&bank)
        .form(&[("decision", "approve"), ("code", "123456")])
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 303);
    assert_eq!(
        right.headers()["location"].to_str().unwrap(),
        format!("/pay/{token}")
    );
    let (payment, attempt) = now(&app, &token).await;
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(
        attempt.unwrap().provider_status.as_deref(),
        Some("AUTHORISED")
    );

    // The bank's page is over: answering again changes nothing.
    let again = app
        .client
        .post(&bank)
        .form(&[("decision", "decline"), ("code", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
    let (payment, _) = now(&app, &token).await;
    assert_eq!(payment.status, PaymentStatus::Succeeded);
}

#[tokio::test]
async fn three_wrong_3ds_codes_refuse_the_payment_like_an_issuer() {
    let app = spawn_app().await;
    let (_, token) = sahel_card(&app, "CARD").await;
    let (_, attempt) = pay(&app, &token, "4000000000003220").await.unwrap();
    let bank = attempt.launch_url.unwrap();
    let wrong = || {
        app.client
            .post(&bank)
            .form(&[("decision", "approve"), ("code", "111111")])
            .send()
    };
    for left in ["2 essais restants", "1 essai restant"] {
        let reply = wrong().await.unwrap();
        assert_eq!(reply.status(), 200);
        let html = reply.text().await.unwrap();
        assert!(html.contains(left), "{html}");
    }
    let (payment, _) = now(&app, &token).await;
    assert_eq!(
        payment.status,
        PaymentStatus::Processing,
        "still waiting after two"
    );
    let third = wrong().await.unwrap();
    assert_eq!(third.status(), 303, "back to the checkout");
    let (payment, attempt) = now(&app, &token).await;
    assert_eq!(
        payment.status,
        PaymentStatus::Pending,
        "the customer may try another card"
    );
    assert_eq!(
        attempt.unwrap().failure_code.map(|c| c.as_str()),
        Some("authentication-failed")
    );
    // The right code is too late now.
    let late = app
        .client
        .post(&bank)
        .form(&[("decision", "approve"), ("code", "123456")])
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 303);
    let (payment, _) = now(&app, &token).await;
    assert_eq!(payment.status, PaymentStatus::Pending);
}

#[tokio::test]
async fn a_refused_3ds_check_fails_the_attempt() {
    let app = spawn_app().await;
    let (_, token) = sahel_card(&app, "CARD").await;
    let (_, attempt) = pay(&app, &token, "4000000000003220").await.unwrap();
    let refused = app
        .client
        .post(attempt.launch_url.unwrap())
        .form(&[("decision", "decline")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 303);
    let (payment, attempt) = now(&app, &token).await;
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert_eq!(
        attempt.unwrap().failure_code.map(|c| c.as_str()),
        Some("authentication-failed")
    );
}

#[tokio::test]
async fn a_brand_the_merchant_asked_for_is_enforced() {
    let app = spawn_app().await;
    let (_, token) = sahel_card(&app, "VISA").await;
    let payments = &app.state.payments;
    let err = pay(&app, &token, "5555555555554444").await.unwrap_err();
    assert!(
        matches!(&err, PaymentError::Invalid(e) if e.fr().contains("carte Visa")),
        "{err}"
    );
    let err = payments
        .choose_method(
            &token,
            choice(dalal::domain::ProviderCode::Wave, Country::Sn, None),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PaymentError::Invalid(e) if e.fr().contains("par carte")),
        "{err}"
    );
    let (payment, _) = now(&app, &token).await;
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert!(payments.attempts(&payment).await.unwrap().is_empty());
}

#[tokio::test]
async fn gim_uemoa_cards_go_through_the_regional_switch_with_failover() {
    let app = spawn_app().await;
    let (_, token) = sahel_card(&app, "GIM_UEMOA").await;
    let (payment, attempt) = pay(&app, &token, "9220 0000 0000 0005").await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(attempt.gateway.as_deref(), Some("gim_switch"));
    assert!(
        attempt
            .routing_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Gateway le moins cher") && r.contains("200 XOF")),
        "1 % + 50 of 15 000: {:?}",
        attempt.routing_reason
    );

    let app = spawn_app_with(&[("sandbox.down_gateways", "gim_switch")]).await;
    let (_, token) = sahel_card(&app, "GIM_UEMOA").await;
    let (payment, attempt) = pay(&app, &token, "9220000000000005").await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(attempt.gateway.as_deref(), Some("card_acquirer"));
    assert!(
        attempt
            .routing_reason
            .as_deref()
            .is_some_and(|r| r.starts_with("Basculement : gim_switch indisponible")),
        "{:?}",
        attempt.routing_reason
    );
}

#[tokio::test]
async fn an_unreachable_acquirer_is_an_error_not_a_charge() {
    let app = spawn_app().await;
    let (_, token) = sahel_card(&app, "CARD").await;
    let err = pay(&app, &token, "4000 0000 0000 0119").await.unwrap_err();
    assert!(
        matches!(
            &err,
            PaymentError::ProviderUnavailable {
                provider: ProviderCode::Card
            }
        ) && err.to_string().contains("temporairement indisponible"),
        "{err}"
    );
    let (payment, attempt) = now(&app, &token).await;
    assert_eq!(payment.status, PaymentStatus::Pending);
    assert_eq!(attempt.unwrap().status, AttemptStatus::Failed);
}

#[tokio::test]
async fn caurisflux_direct_card_payments_need_no_phone() {
    let app = spawn_app().await;
    let mut body = seed_direct_body();
    body["provider"] = json!("card");
    body.as_object_mut().unwrap().remove("customerPhone");
    let data: Value = app.create(body).await;
    assert_eq!(data["paymentMethod"]["code"], "card");
    assert_eq!(data["status"], "pending");
    let token = token_of(&data);
    let (payment, _) = pay(&app, &token, "4242424242424242").await.unwrap();
    assert_eq!(payment.status, PaymentStatus::Succeeded);
}

#[tokio::test]
async fn card_numbers_never_reach_the_database() {
    let app = spawn_app().await;
    let numbers = [
        "4242424242424242",
        "4000000000000002",
        "4000000000003220",
        "5555555555554444",
    ];
    for number in numbers {
        let (_, token) = sahel_card(&app, "CARD").await;
        let _ = pay(&app, &token, number).await;
    }
    let bytes = everything_stored(&app);
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    for number in numbers {
        assert!(!contains(number), "{number} was written to the database");
        assert!(
            !contains(&number[..12]),
            "the first 12 digits of {number} were stored"
        );
    }
    assert!(contains("4444"), "the last four digits are kept");
}

#[tokio::test]
async fn hand_made_page_posts_never_get_a_5xx() {
    let app = spawn_app().await;
    let (_, token) = sahel_card(&app, "CARD").await;
    let functions = [
        "load_checkout",
        "poll_checkout",
        "pay",
        "pay_card",
        "change_method",
        "cancel_payment",
        "check_phone",
        "start_demo_checkout",
    ];
    let bodies = [
        String::new(),
        format!("token={token}"),
        format!("token={token}&country=ZZ&number=abc&expiry=99/99&cvc=1&holder="),
        "token=%FF%FE&country=SN".to_owned(),
    ];
    for function in functions {
        for body in &bodies {
            let reply = app
                .client
                .post(format!("{}/rpc/{function}", app.address))
                .header("Origin", &app.address)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            let status = reply.status().as_u16();
            assert!(
                status < 500,
                "{function} {body:?}: {status} {}",
                reply.text().await.unwrap()
            );
        }
    }
    // `cancel_payment` with the real token did cancel it; nothing paid it.
    let (payment, _) = now(&app, &token).await;
    assert_eq!(payment.status, PaymentStatus::Cancelled);
}
