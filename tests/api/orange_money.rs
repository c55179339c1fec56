//! The Orange Money connector against the sandbox's emulator of Orange's merchant API (Sonatel),
//! over real HTTP: QR codes paid, declined or unfunded in the emulated app, one-time codes (good,
//! wrong, expired, repeated, unanswered), Orange down, callbacks (the registered key, a hint only,
//! repeated, unknown), token expiry and renewal, and live mode with credentials pointing at an
//! emulator.

use crate::helpers::*;
use dalal::clock::Clock;
use dalal::domain::msisdn::Msisdn;
use dalal::domain::{Country, FailureCode, ProviderCode};
use dalal::emulators::orange_money::{CALLBACK_API_KEY, CLIENT_ID, CLIENT_SECRET, MERCHANT_CODE};
use dalal::payments::{MethodChoice, PaymentError};
use serde_json::{Value, json};

const EMULATOR: &str = "/sandbox/providers/orange-money";

/// A direct Orange Money payment in Senegal. Orange refuses the same amount from the same number
/// twice within minutes, so each test picks its own amount.
fn direct(amount: i64) -> Value {
    json!({"type": "direct", "provider": "orange_money", "country": "SN", "amount": amount,
        "externalReference": "OM-1", "customerPhone": "+221771234567",
        "returnUrl": "https://shop.example/merci"})
}

async fn attempt_of(app: &TestApp, data: &Value) -> dalal::payments::Attempt {
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(&token_of(data))
        .await
        .unwrap()
        .unwrap();
    attempt.expect("the QR code was created with the payment")
}

async fn access_token(app: &TestApp) -> String {
    let response = app
        .client
        .post(format!("{}{EMULATOR}/oauth/token", app.address))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let token: Value = response.json().await.unwrap();
    token["access_token"].as_str().unwrap().to_owned()
}

/// A `GET` on the app's emulator, as the connector makes it: its status and body.
async fn emulated(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(format!("{}{EMULATOR}{path}", app.address))
        .bearer_auth(access_token(app).await)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// The transactions paid through the QR code behind `reference` (`qr:<qrId>`).
async fn paid_through(app: &TestApp, reference: &str) -> Vec<Value> {
    let qr_id = reference.strip_prefix("qr:").expect("a QR-code reference");
    let (status, body) = emulated(app, &format!("/api/eWallet/v1/transactions?qrId={qr_id}")).await;
    assert_eq!(status, 200, "{body}");
    body["content"].as_array().unwrap().clone()
}

/// The tester's answer on the sandbox phone page that the QR code's deep link opens.
async fn answer_in_app(app: &TestApp, data: &Value, decision: &str) {
    let link = data["deepLinks"]["orange_money"].as_str().unwrap();
    let answer = app
        .client
        .post(link)
        .form(&[("decision", decision)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
}


/// Posts a callback to `/hooks/orange-money` with `key` (or none).
async fn call_back(app: &TestApp, key: Option<&str>, body: &Value) -> u16 {
    let mut request = app
        .client
        .post(format!("{}/hooks/orange-money", app.address))
        .json(body);
    if let Some(key) = key {
        request = request.header("X-Api-Key", key);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_direct_orange_payment_is_a_qr_code_paid_in_the_emulated_app() {
    let app = spawn_app().await;
    let data = app.create(direct(6_100)).await;
    let id = data["transactionId"].as_str().unwrap();
    let attempt = attempt_of(&app, &data).await;
    let reference = attempt.provider_reference.clone().unwrap();
    assert!(reference.starts_with("qr:om-"), "{reference}");
    // One payment link opens in the Orange Money app or in Max it.
    let link = data["deepLinks"]["orange_money"].as_str().unwrap();
    assert!(link.contains("/sandbox/phone/om-"), "{link}");
    assert_eq!(
        data["deepLinks"]["maxit"],
        data["deepLinks"]["orange_money"]
    );
    assert!(paid_through(&app, &reference).await.is_empty());
    assert_eq!(app.get_payment(id).await["status"], "pending");

    answer_in_app(&app, &data, "approve").await;
    let paid = app.payment_when(id, |d| d["status"] != "pending").await;
    assert_eq!(paid["status"], "succeeded");
    let transactions = paid_through(&app, &reference).await;
    assert_eq!(transactions.len(), 1);
    let transaction = &transactions[0];
    assert_eq!(transaction["status"], "SUCCESS");
    assert_eq!(transaction["paymentMethod"], "QRCODE");
    assert_eq!(transaction["amount"], json!({"unit": "XOF", "value": 6100}));
    assert_eq!(
        transaction["metadata"]["dalalAttemptId"], attempt.id,
        "the QR code carries Dalal's attempt id"
    );
    let transaction_id = transaction["transactionId"].as_str().unwrap();
    let (status, shown) = emulated(
        &app,
        &format!("/api/eWallet/v1/transactions/{transaction_id}/status"),
    )
    .await;
    assert_eq!((status, shown["status"].as_str()), (200, Some("SUCCESS")));
    assert_eq!(app.succeeded_events(id).await, 1);
}

#[tokio::test]
async fn declining_or_lacking_funds_in_the_app_fails_the_attempt_in_orange_words() {
    let app = spawn_app().await;
    for (amount, decision, word, code) in [
        (6_201, "decline", "FAILED:CANCELLED_BY_USER", "declined"),
        (
            6_202,
            "insufficient_funds",
            "FAILED:INSUFFICIENT_BALANCE",
            "insufficient-funds",
        ),
    ] {
        let data = app.create(direct(amount)).await;
        answer_in_app(&app, &data, decision).await;
        let token = token_of(&data);
        let mut attempt = attempt_of(&app, &data).await;
        for _ in 0..50 {
            if attempt.failure_code.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            attempt = app
                .state
                .payments
                .find_by_token(&token)
                .await
                .unwrap()
                .unwrap()
                .1
                .unwrap();
        }
        assert_eq!(attempt.failure_code.map(|c| c.as_str()), Some(code));
        assert_eq!(attempt.provider_status.as_deref(), Some(word));
    }
}

#[tokio::test]
async fn an_unscanned_qr_code_cannot_be_paid_after_its_validity() {
    let app = spawn_app().await;
    let data = app.create(direct(6_300)).await;
    let reference = attempt_of(&app, &data).await.provider_reference.unwrap();
    app.clock.advance_ms(30 * 60 * 1000 + 1);
    answer_in_app(&app, &data, "approve").await;
    assert!(
        paid_through(&app, &reference).await.is_empty(),
        "an expired QR code takes no payment"
    );
    // The payment itself expires with its own deadline, and says so.
    app.state.payments.expire_due().await.unwrap();
    let id = data["transactionId"].as_str().unwrap();
    assert_eq!(app.get_payment(id).await["status"], "expired");
}

fn with_code(phone: &str, code: &str) -> MethodChoice {
    MethodChoice {
        provider: ProviderCode::OrangeMoney,
        country: Country::Sn,
        phone: Some(Msisdn::parse(phone, Country::Sn).unwrap()),
        one_time_code: Some(code.to_owned()),
        card: None,
    }
}

async fn checkout(app: &TestApp, amount: i64) -> (String, String) {
    let data = app
        .create(json!({"type": "checkout", "amount": amount, "country": "SN", "externalReference": "OM-2",
            "returnUrl": "https://shop.example/merci", "cancelUrl": "https://shop.example/panier"}))
        .await;
    (
        data["transactionId"].as_str().unwrap().to_owned(),
        token_of(&data),
    )
}

fn refused_with(err: &PaymentError) -> Option<FailureCode> {
    match err {
        PaymentError::ProviderRefused { code, .. } => Some(*code),
        _ => None,
    }
}

#[tokio::test]
async fn one_time_codes_pay_and_each_refusal_is_named() {
    let app = spawn_app().await;
    let payments = &app.state.payments;

    // Wrong and expired codes: Orange refuses them at once; the customer may try again.
    let (_, token) = checkout(&app, 6_400).await;
    for code in ["12345", "000000"] {
        let err = payments
            .choose_method(&token, with_code("+221771234567", code))
            .await
            .unwrap_err();
        assert_eq!(refused_with(&err), Some(FailureCode::InvalidOtp), "{code}");
    }
    let (payment, attempt) = payments
        .choose_method(&token, with_code("+221771234567", "482913"))
        .await
        .unwrap();
    assert_eq!(payment.status.as_str(), "processing");
    let reference = attempt.provider_reference.clone().unwrap();
    assert!(reference.starts_with("MP"), "{reference}");
    let (_, shown) = emulated(
        &app,
        &format!("/api/eWallet/v1/transactions/{reference}/status"),
    )
    .await;
    assert_eq!(shown["status"], "PENDING");
    assert!(
        !shown.to_string().contains("482913"),
        "the code is never echoed: {shown}"
    );
    app.customer_answers(4_000).await;
    assert_eq!(
        app.get_payment(&payment.id.to_string()).await["status"],
        "succeeded"
    );

    // The same amount from the same number again within minutes: Orange's own refusal.
    let (_, again) = checkout(&app, 6_400).await;
    let err = payments
        .choose_method(&again, with_code("+221771234567", "482913"))
        .await
        .unwrap_err();
    assert_eq!(refused_with(&err), Some(FailureCode::Duplicate));

    // The payer's number chooses the rest, as everywhere in the sandbox.
    for (phone, after_ms, word, code) in [
        (
            "+221771234501",
            4_000,
            "FAILED:INSUFFICIENT_BALANCE",
            "insufficient-funds",
        ),
        (
            "+221771234502",
            4_000,
            "FAILED:CANCELLED_BY_USER",
            "declined",
        ),
        ("+221771234503", 120_000, "FAILED:TIMEOUT", "expired"),
    ] {
        let (_, token) = checkout(&app, 6_401).await;
        payments
            .choose_method(&token, with_code(phone, "482913"))
            .await
            .unwrap();
        app.customer_answers(after_ms).await;
        let (_, attempt) = payments.find_by_token(&token).await.unwrap().unwrap();
        let attempt = attempt.unwrap();
        assert_eq!(
            attempt.failure_code.map(|c| c.as_str()),
            Some(code),
            "{phone}"
        );
        assert_eq!(attempt.provider_status.as_deref(), Some(word), "{phone}");
    }

    // Orange down: a clear refusal and no attempt.
    let (_, token) = checkout(&app, 6_402).await;
    let err = payments
        .choose_method(&token, with_code("+221771234504", "482913"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PaymentError::ProviderUnavailable { .. }),
        "{err}"
    );
    let (_, attempt) = payments.find_by_token(&token).await.unwrap().unwrap();
    assert!(attempt.is_none_or(|a| a.provider_reference.is_none()));
}

#[tokio::test]
async fn a_callback_needs_the_registered_key_and_only_makes_dalal_ask() {
    let app = spawn_app().await;
    let data = app.create(direct(6_500)).await;
    let id = data["transactionId"].as_str().unwrap();
    let attempt = attempt_of(&app, &data).await;
    let reference = attempt.provider_reference.clone().unwrap();
    let claim = json!({"transactionId": "MPFORGED", "status": "SUCCESS",
        "amount": {"unit": "XOF", "value": 6500}, "metadata": {"dalalAttemptId": attempt.id},
        "paymentMethod": "QRCODE", "createdAt": "2026-12-02T10:00:00Z"});

    // Without the key, or with another: 401, nothing asked, nothing changed.
    assert_eq!(call_back(&app, None, &claim).await, 401);
    assert_eq!(call_back(&app, Some("guessed"), &claim).await, 401);
    // With the key, a claim Orange does not confirm (nobody has paid) changes nothing either.
    assert_eq!(call_back(&app, Some(CALLBACK_API_KEY), &claim).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.get_payment(id).await["status"], "pending");

    // The customer pays without the emulator calling back; Orange's callback arrives twice.
    let qr_id = reference.strip_prefix("qr:").unwrap();
    let decided = dalal::db::sandbox::decide(
        &app.state.pool,
        qr_id,
        dalal::db::sandbox::Decision::Approve,
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    assert!(decided);
    assert_eq!(call_back(&app, Some(CALLBACK_API_KEY), &claim).await, 200);
    assert_eq!(call_back(&app, Some(CALLBACK_API_KEY), &claim).await, 200);
    app.payment_when(id, |d| d["status"] == "succeeded").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.succeeded_events(id).await, 1);

    // An attempt Dalal does not know, and a body that is not Orange's.
    let mut unknown = claim.clone();
    unknown["metadata"]["dalalAttemptId"] = json!("att_unknown");
    assert_eq!(call_back(&app, Some(CALLBACK_API_KEY), &unknown).await, 200);
    assert_eq!(
        call_back(&app, Some(CALLBACK_API_KEY), &json!({"hello": 1})).await,
        400
    );
}

#[tokio::test]
async fn the_emulator_checks_orange_credentials() {
    let app = spawn_app().await;
    let refused = app
        .client
        .post(format!("{}{EMULATOR}/oauth/token", app.address))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let qr = json!({"amount": {"unit": "XOF", "value": 1000}, "callbackCancelUrl": "https://a.example",
        "callbackSuccessUrl": "https://a.example", "code": MERCHANT_CODE, "metadata": {},
        "name": "Boutique", "validity": 600});
    let url = format!("{}{EMULATOR}/api/eWallet/v4/qrcode", app.address);
    let forged = app
        .client
        .post(&url)
        .bearer_auth("1.forged")
        .json(&qr)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    // A token lives five minutes.
    let token = access_token(&app).await;
    app.clock.advance_ms(300_000);
    let stale = app
        .client
        .post(&url)
        .bearer_auth(&token)
        .json(&qr)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 401);
    let mut other_merchant = qr.clone();
    other_merchant["code"] = json!("999999");
    let unknown = app
        .client
        .post(&url)
        .bearer_auth(access_token(&app).await)
        .json(&other_merchant)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["code"], "PARTNER_NOT_FOUND");
}

#[tokio::test]
async fn a_live_key_pays_with_orange_and_a_token_orange_no_longer_takes_is_renewed() {
    // "Orange": another Dalal's emulator, with a clock of its own.
    let orange = spawn_app().await;
    let base_url = format!("{}{EMULATOR}", orange.address);
    let live_key = "om-live-callback-key-4e1d";
    let app = spawn_app_with(&[
        ("providers.orange_money.client_id", CLIENT_ID),
        ("providers.orange_money.client_secret", CLIENT_SECRET),
        ("providers.orange_money.merchant_code", MERCHANT_CODE),
        ("providers.orange_money.callback_api_key", live_key),
        ("providers.orange_money.base_url", &base_url),
    ])
    .await;
    let (_, live) = app.other_merchant().await;
    let reply = app.initiate_with_key(&live, None, &direct(6_600)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let data = reply.json()["data"].clone();
    let id = data["transactionId"].as_str().unwrap().to_owned();
    let link = data["deepLinks"]["orange_money"].as_str().unwrap();
    assert!(link.starts_with(&orange.address), "{link}");

    // The customer pays at "Orange"; Orange's tokens have expired meanwhile (five minutes at
    // Orange, less at Dalal): Dalal's kept token is refused, and renewed.
    answer_in_app(&orange, &data, "approve").await;
    orange.clock.advance_ms(300_000);
    app.clock.advance_ms(2_000);
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(&token_of(&data))
        .await
        .unwrap()
        .unwrap();
    let callback = json!({"transactionId": "MPLIVE", "status": "SUCCESS",
        "amount": {"unit": "XOF", "value": 6600},
        "metadata": {"dalalAttemptId": attempt.unwrap().id},
        "paymentMethod": "QRCODE", "createdAt": "2026-12-02T10:00:00Z"});
    assert_eq!(call_back(&app, Some(live_key), &callback).await, 200);
    for _ in 0..50 {
        let reply = app
            .get(&format!("/api/v1/payments/{id}"), Some(&live))
            .await;
        if reply.json()["data"]["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let reply = app
        .get(&format!("/api/v1/payments/{id}"), Some(&live))
        .await;
    assert_eq!(
        reply.json()["data"]["status"],
        "succeeded",
        "{}",
        reply.text
    );

    // Wave has no live credentials here: not offered.
    let reply = app
        .initiate_with_key(&live, None, &seed_direct_body())
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    // Nor is Orange Money outside the account's countries (Senegal, by default).
    let mut in_mali = direct(6_601);
    in_mali["country"] = json!("ML");
    in_mali["customerPhone"] = json!("+22370123456");
    let reply = app.initiate_with_key(&live, None, &in_mali).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    // A test key still pays Orange Money in Mali (the emulator plays every Orange country).
    let reply = app.initiate_with_key(DEMO_KEY, None, &in_mali).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}
