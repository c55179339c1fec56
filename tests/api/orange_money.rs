//! The Orange Money connector against the sandbox's emulator of Orange's merchant API (Sonatel),
//! over real HTTP: single-use QR codes found by their reference, paid, declined or unfunded in
//! the emulated app; one-time codes (good, wrong, refused, unanswered); Orange down; an answer
//! lost after the money moved (sent once, settled by its reference); callbacks (the registered
//! key as `Authorization: Basic`, a hint only, repeated, unknown, unreadable); token expiry and
//! renewal; live mode with credentials pointing at an emulator, and the sandbox's key kept out
//! of it.

use crate::helpers::*;
use dalal::clock::Clock;
use dalal::domain::msisdn::Msisdn;
use dalal::domain::{Country, FailureCode, ProviderCode};
use dalal::payments::{MethodChoice, PaymentError};
use dalal::sandbox::emulators::orange_money::{
    CALLBACK_API_KEY, CLIENT_ID, CLIENT_SECRET, MERCHANT_CODE,
};
use serde_json::{Value, json};

const EMULATOR: &str = "/sandbox/providers/orange-money";

/// A direct Orange Money payment in Senegal.
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
        .post(format!("{}{EMULATOR}/oauth/v1/token", app.address))
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

/// Posts a callback to `/hooks/orange-money` with `Authorization: Basic <key>` (or none).
async fn call_back(app: &TestApp, key: Option<&str>, body: &Value) -> u16 {
    let mut request = app
        .client
        .post(format!("{}/hooks/orange-money", app.address))
        .json(body);
    if let Some(key) = key {
        request = request.header("Authorization", format!("Basic {key}"));
    }
    request.send().await.unwrap().status().as_u16()
}

async fn attempt_by_token(app: &TestApp, token: &str) -> dalal::payments::Attempt {
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(token)
        .await
        .unwrap()
        .unwrap();
    attempt.expect("an attempt")
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
async fn declining_or_lacking_funds_in_the_app_fails_the_attempt_in_orange_words() {
    let app = spawn_app().await;
    // A transaction carries no reason: a refusal in the app is CANCELLED, a failure FAILED.
    for (amount, decision, word, code) in [
        (6_201, "decline", "CANCELLED", "declined"),
        (6_202, "insufficient_funds", "FAILED", "unknown"),
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
            attempt = attempt_by_token(&app, &token).await;
        }
        assert_eq!(attempt.failure_code.map(|c| c.as_str()), Some(code));
        assert_eq!(attempt.provider_status.as_deref(), Some(word));
    }
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

#[tokio::test]
async fn the_emulator_checks_orange_credentials() {
    let app = spawn_app().await;
    let refused = app
        .client
        .post(format!("{}{EMULATOR}/oauth/v1/token", app.address))
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
        "name": "Boutique", "validity": 600, "reference": "att_1"});
    let url = format!("{}{EMULATOR}/api/eWallet/v4/qrcode", app.address);
    let forged = app
        .client
        .post(&url)
        .header("Accept", "application/json")
        .bearer_auth("1.forged")
        .json(&qr)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    // A token lives about five minutes.
    let token = access_token(&app).await;
    app.clock.advance_ms(300_000);
    let stale = app
        .client
        .post(&url)
        .header("Accept", "application/json")
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
        .header("Accept", "application/json")
        .bearer_auth(access_token(&app).await)
        .json(&other_merchant)
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["violations"][0]["field"], "code");
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
        "amount": {"unit": "XOF", "value": 6600}, "reference": attempt.unwrap().id,
        "type": "MERCHANT_PAYMENT"});
    // The sandbox's public key authenticates a callback for test mode only: the live attempt
    // is not even asked about.
    assert_eq!(
        call_back(&app, Some(CALLBACK_API_KEY), &callback).await,
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let reply = app
        .get(&format!("/api/v1/payments/{id}"), Some(&live))
        .await;
    assert_eq!(reply.json()["data"]["status"], "pending", "{}", reply.text);
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
