//! In-process tests of `orange_money`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use dalal::clock::Clock;
use dalal::domain::msisdn::Msisdn;
use dalal::domain::{Country, FailureCode, ProviderCode};
use dalal::payments::{MethodChoice, PaymentError};
use dalal::sandbox::emulators::orange_money::{
    CALLBACK_API_KEY, MERCHANT_CODE,
};
use serde_json::{Value, json};
use crate::orange_money::{
    EMULATOR, access_token, answer_in_app, attempt_by_token, attempt_of, call_back, direct,
};

/// A `GET` on the app's emulator, as the connector makes it: its status and body.
async fn emulated(app: &TestApp, path: &str) -> (u16, Value) {
    let response = app
        .client
        .get(format!("{}{EMULATOR}{path}", app.address))
        .bearer_auth(access_token(app).await)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// The transactions Orange has for an attempt: the search by its reference, Dalal's attempt id.
async fn transactions_of(app: &TestApp, attempt_id: &str) -> Vec<Value> {
    let (status, body) = emulated(
        app,
        &format!("/api/eWallet/v1/transactions?reference={attempt_id}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().expect("a bare array").clone()
}

/// How many one-step payments Orange holds with this reference: each is money taken.
async fn payments_with_reference(app: &TestApp, reference: &str) -> i64 {
    dalal::on!(&app.state.pool, |e| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sandbox_sessions WHERE provider = 'orange_money' AND reference = $1",
    )
    .bind(reference)
    .fetch_one(e)
    .await)
    .unwrap()
}

#[tokio::test]
async fn a_direct_orange_payment_is_a_single_use_qr_code_found_by_its_reference() {
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
    // An unpaid QR code appears in no transaction.
    assert!(transactions_of(&app, attempt.id.as_str()).await.is_empty());
    app.customer_answers(1_000).await;
    assert_eq!(app.get_payment(id).await["status"], "pending");

    answer_in_app(&app, &data, "approve").await;
    let paid = app.payment_when(id, |d| d["status"] != "pending").await;
    assert_eq!(paid["status"], "succeeded");
    let transactions = transactions_of(&app, attempt.id.as_str()).await;
    assert_eq!(transactions.len(), 1);
    let transaction = &transactions[0];
    assert_eq!(transaction["status"], "SUCCESS");
    assert_eq!(transaction["reference"], attempt.id.as_str());
    assert_eq!(transaction["partner"]["id"], MERCHANT_CODE);
    assert_eq!(transaction["amount"]["value"].as_f64(), Some(6100.0));
    assert!(
        transaction.get("paymentMethod").is_none(),
        "production has none"
    );
    let transaction_id = transaction["transactionId"].as_str().unwrap();
    let (status, shown) = emulated(
        &app,
        &format!("/api/eWallet/v1/transactions/{transaction_id}/status"),
    )
    .await;
    assert_eq!((status, shown), (200, json!({"status": "SUCCESS"})));
    assert_eq!(app.succeeded_events(id).await, 1);
}

#[tokio::test]
async fn an_unscanned_qr_code_cannot_be_paid_after_its_validity() {
    let app = spawn_app().await;
    let data = app.create(direct(6_300)).await;
    let attempt = attempt_of(&app, &data).await;
    app.clock.advance_ms(30 * 60 * 1000 + 1);
    answer_in_app(&app, &data, "approve").await;
    assert!(
        transactions_of(&app, attempt.id.as_str()).await.is_empty(),
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

/// The failure a refusal carries, and what the customer reads.
fn refused_with(err: &PaymentError) -> Option<(FailureCode, String)> {
    match err {
        PaymentError::ProviderRefused { failure, provider } => {
            Some((failure.code, failure.message_fr(*provider)))
        }
        _ => None,
    }
}

#[tokio::test]
async fn one_time_codes_pay_and_each_refusal_is_named() {
    let app = spawn_app().await;
    let payments = &app.state.payments;

    // Wrong and expired codes: Orange refuses them with a code Dalal has no word for; the
    // customer reads Orange's code, never an internal error, and may try again.
    let (_, token) = checkout(&app, 6_400).await;
    for code in ["12345", "000000"] {
        let err = payments
            .choose_method(&token, with_code("+221771234567", code))
            .await
            .unwrap_err();
        let (failure, text) = refused_with(&err).expect("a refusal");
        assert_eq!(failure, FailureCode::Unknown, "{code}");
        assert!(text.contains("refusé par Orange Money (code 60)"), "{text}");
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
    assert_eq!(shown, json!({"status": "PENDING"}));
    app.customer_answers(4_000).await;
    assert_eq!(
        app.get_payment(&payment.id.to_string()).await["status"],
        "succeeded"
    );

    // Refusals Orange names by number: the customer reads Dalal's words for them.
    for (phone, failure) in [
        ("+221771234501", FailureCode::InsufficientFunds),
        ("+221771234502", FailureCode::Declined),
    ] {
        let (_, token) = checkout(&app, 6_401).await;
        let err = payments
            .choose_method(&token, with_code(phone, "482913"))
            .await
            .unwrap_err();
        assert_eq!(refused_with(&err).map(|r| r.0), Some(failure), "{phone}");
    }
    // Never confirmed: FAILED, without a reason.
    let (_, token) = checkout(&app, 6_401).await;
    payments
        .choose_method(&token, with_code("+221771234503", "482913"))
        .await
        .unwrap();
    app.customer_answers(120_000).await;
    let attempt = attempt_by_token(&app, &token).await;
    assert_eq!(attempt.failure_code.map(|c| c.as_str()), Some("unknown"));
    assert_eq!(attempt.provider_status.as_deref(), Some("FAILED"));
}

#[tokio::test]
async fn orange_down_leaves_a_one_step_payment_open_until_its_reference_proves_nothing_moved() {
    let app = spawn_app().await;
    let payments = &app.state.payments;
    // Orange answers 503: did it take the money? Dalal cannot know; it does not try again, nor
    // through the other Orange gateway, and asks by the attempt's reference.
    let (id, token) = checkout(&app, 6_402).await;
    let (payment, attempt) = payments
        .choose_method(&token, with_code("+221771234504", "482913"))
        .await
        .unwrap();
    assert_eq!(payment.status.as_str(), "processing");
    assert_eq!(
        attempt.provider_reference.as_deref(),
        Some(format!("ref:{}", attempt.id).as_str())
    );
    assert_eq!(attempt.provider_status.as_deref(), Some("OUTCOME_UNKNOWN"));
    app.customer_answers(60_000).await;
    assert_eq!(
        attempt_by_token(&app, &token).await.failure_code,
        None,
        "still open"
    );
    // Nothing found after fifteen minutes: it never took; the customer may try again.
    app.customer_answers(15 * 60_000).await;
    let attempt = attempt_by_token(&app, &token).await;
    assert_eq!(
        attempt.failure_code.map(|c| c.as_str()),
        Some("unavailable")
    );
    assert_eq!(payments_with_reference(&app, attempt.id.as_str()).await, 0);
    assert_eq!(
        app.get_payment(&id).await["status"],
        "pending",
        "another method may be chosen"
    );
}

#[tokio::test]
async fn money_taken_whose_answer_was_lost_is_found_by_reference_and_never_taken_twice() {
    // The connector waits 300 ms for an answer; Orange's comes after.
    let app = spawn_app_with(&[("sandbox.connector_timeout_ms", "300")]).await;
    let payments = &app.state.payments;
    // Orange takes the payment, and its answer comes after the connector stopped waiting. Test
    // mode has two Orange gateways: failing over would send the customer's code again.
    let (id, token) = checkout(&app, 6_405).await;
    let (_, attempt) = payments
        .choose_method(&token, with_code("+221771234505", "482913"))
        .await
        .unwrap();
    assert_eq!(attempt.provider_status.as_deref(), Some("OUTCOME_UNKNOWN"));
    assert_eq!(
        payments_with_reference(&app, attempt.id.as_str()).await,
        1,
        "sent once"
    );
    let metrics = app.get("/metrics", None).await.text;
    assert!(
        metrics.contains("dalal_payment_attempts_unsettled{provider=\"orange_money\"} 1"),
        "{metrics}"
    );
    // The status checker finds it by the attempt's reference.
    app.customer_answers(4_000).await;
    let paid = app.payment_when(&id, |d| d["status"] != "processing").await;
    assert_eq!(paid["status"], "succeeded");
    assert_eq!(
        payments_with_reference(&app, attempt.id.as_str()).await,
        1,
        "taken once"
    );
    assert_eq!(app.succeeded_events(&id).await, 1);
}

#[tokio::test]
async fn a_callback_needs_the_registered_key_and_only_makes_dalal_ask() {
    let app = spawn_app().await;
    let data = app.create(direct(6_500)).await;
    let id = data["transactionId"].as_str().unwrap();
    let attempt = attempt_of(&app, &data).await;
    let reference = attempt.provider_reference.clone().unwrap();
    // The short form Orange sends.
    let claim = json!({"transactionId": "MPFORGED", "status": "SUCCESS",
        "amount": {"unit": "XOF", "value": 6500}, "reference": attempt.id, "type": "MERCHANT_PAYMENT"});

    // Without the key, or with another: 401, nothing asked, nothing changed.
    assert_eq!(call_back(&app, None, &claim).await, 401);
    assert_eq!(call_back(&app, Some("guessed"), &claim).await, 401);
    // With the key, a claim Orange does not confirm (nobody has paid) changes nothing either.
    assert_eq!(call_back(&app, Some(CALLBACK_API_KEY), &claim).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.get_payment(id).await["status"], "pending");

    // The customer pays without the emulator calling back; Orange's callback arrives twice,
    // once with the key as `X-Api-Key` (which Dalal keeps taking).
    let qr_id = reference.strip_prefix("qr:").unwrap();
    let decided = dalal::sandbox::store::decide(
        &app.state.pool,
        qr_id,
        dalal::sandbox::store::Decision::Approve,
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    assert!(decided);
    assert_eq!(call_back(&app, Some(CALLBACK_API_KEY), &claim).await, 200);
    let with_header = app
        .client
        .post(format!("{}/hooks/orange-money", app.address))
        .header("X-Api-Key", CALLBACK_API_KEY)
        .json(&claim)
        .send()
        .await
        .unwrap();
    assert_eq!(with_header.status(), 200);
    app.payment_when(id, |d| d["status"] == "succeeded").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.succeeded_events(id).await, 1);

    // An attempt Dalal does not know, and — authenticated — a body Dalal cannot read: 2xx
    // all the same (Orange never resends after a 4xx; the checker asks).
    let mut unknown = claim.clone();
    unknown["reference"] = json!("att_unknown");
    assert_eq!(call_back(&app, Some(CALLBACK_API_KEY), &unknown).await, 200);
    assert_eq!(
        call_back(&app, Some(CALLBACK_API_KEY), &json!({"hello": 1})).await,
        200
    );
    assert_eq!(
        call_back(&app, Some(CALLBACK_API_KEY), &json!("not an object")).await,
        200
    );
}
