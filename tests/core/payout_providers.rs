//! Payouts through MTN MoMo's Disbursement transfers and pawaPay's payouts (Free Money), against
//! their emulators: asynchronous outcomes found by the worker (or the provider's callback), each
//! failure word in Dalal's words, a lost answer never paid twice, and each account's balance.

use crate::helpers::*;
use dalal::sandbox::payouts as book;
use serde_json::{Value, json};

const PAYOUTS: &str = "/api/v1/payouts";

async fn pay_out(app: &TestApp, body: &Value) -> Value {
    let reply = app
        .post_raw(PAYOUTS, Some(DEMO_KEY), None, body.to_string())
        .await;
    assert_eq!(reply.status, 201, "{body}: {}", reply.text);
    reply.json()["data"].clone()
}

async fn status_after_the_provider_answered(app: &TestApp, id: &str) -> Value {
    // The emulators answer `sandbox.answer_delay_ms` (4 s) after a payout is taken.
    app.clock.advance_ms(10_000);
    app.state.payouts.check_due().await.unwrap();
    app.get(&format!("{PAYOUTS}/{id}"), Some(DEMO_KEY)).await.json()["data"].clone()
}

async fn held(app: &TestApp, provider: &str, id: &str) -> i64 {
    let row = dalal::db::payouts::find(&app.state.pool, id).await.unwrap().unwrap();
    book::count_for_handle(&app.state.pool, provider, &row.handle)
        .await
        .unwrap()
}

fn mtn(phone: &str) -> Value {
    json!({"amount": 5_000, "country": "CI", "provider": "mtn_momo", "recipientPhone": phone,
        "reason": "Gain du concours"})
}

fn free(phone: &str) -> Value {
    json!({"amount": 5_000, "country": "SN", "provider": "free_money", "recipientPhone": phone,
        "reason": "Remboursement"})
}

#[tokio::test]
async fn an_mtn_transfer_is_taken_then_succeeds_and_each_refusal_is_dalals_word() {
    let app = spawn_app().await;
    let data = pay_out(&app, &mtn("+2250501234567")).await;
    assert_eq!(data["status"], "processing", "MTN answers 202, the outcome comes later: {data}");
    let id = data["id"].as_str().unwrap();
    let data = status_after_the_provider_answered(&app, id).await;
    assert_eq!(data["status"], "succeeded", "{data}");
    assert_eq!(held(&app, "mtn_momo", id).await, 1);

    for (phone, code) in [
        ("+2250501234501", "insufficient-funds"),
        ("+2250501234502", "recipient-not-found"),
        ("+2250501234507", "recipient-blocked"),
    ] {
        let data = pay_out(&app, &mtn(phone)).await;
        let data = status_after_the_provider_answered(&app, data["id"].as_str().unwrap()).await;
        assert_eq!(data["status"], "failed", "{phone}: {data}");
        assert_eq!(data["failureCode"], code, "{phone}: {data}");
        assert!(data["failureMessage"].as_str().unwrap().contains("MTN"), "{data}");
    }
}

#[tokio::test]
async fn an_mtn_transfer_whose_answer_was_lost_is_read_back_and_never_sent_twice() {
    let app = spawn_app_with(&[("sandbox.connector_timeout_ms", "300")]).await;
    let data = pay_out(&app, &mtn("+2250501234505")).await;
    assert_eq!(data["status"], "processing", "{data}");
    let id = data["id"].as_str().unwrap();
    let data = status_after_the_provider_answered(&app, id).await;
    assert_eq!(data["status"], "succeeded", "{data}");
    assert_eq!(held(&app, "mtn_momo", id).await, 1);
}

#[tokio::test]
async fn a_free_money_payout_goes_through_pawapay_and_ends_by_its_status() {
    let app = spawn_app().await;
    app.state.payments.refresh_providers().await;
    let data = pay_out(&app, &free("+221761234567")).await;
    assert_eq!(data["status"], "processing", "pawaPay accepts, then ends it: {data}");
    let id = data["id"].as_str().unwrap();
    let data = status_after_the_provider_answered(&app, id).await;
    assert_eq!(data["status"], "succeeded", "{data}");
    assert_eq!(held(&app, "pawapay", id).await, 1);

    // pawaPay's own test number for a recipient without a wallet, then Dalal's endings.
    for (phone, code) in [
        ("+221761234502", "recipient-not-found"),
        ("+221761234506", "recipient-limit"),
    ] {
        let data = pay_out(&app, &free(phone)).await;
        let data = status_after_the_provider_answered(&app, data["id"].as_str().unwrap()).await;
        assert_eq!(data["status"], "failed", "{phone}: {data}");
        assert_eq!(data["failureCode"], code, "{phone}: {data}");
    }
    // Over pawaPay's wallet: refused at once, nothing booked.
    let data = pay_out(&app, &free("+221761234501")).await;
    assert_eq!(data["status"], "failed", "{data}");
    assert_eq!(data["failureCode"], "insufficient-funds", "{data}");
}

#[tokio::test]
async fn a_pawapay_payout_whose_answer_was_lost_is_paid_once() {
    let app = spawn_app_with(&[("sandbox.connector_timeout_ms", "300")]).await;
    app.state.payments.refresh_providers().await;
    let data = pay_out(&app, &free("+221761234505")).await;
    assert_eq!(data["status"], "processing", "{data}");
    let id = data["id"].as_str().unwrap();
    let data = status_after_the_provider_answered(&app, id).await;
    assert_eq!(data["status"], "succeeded", "{data}");
    assert_eq!(held(&app, "pawapay", id).await, 1);
}

#[tokio::test]
async fn each_account_that_pays_out_tells_its_balance() {
    let app = spawn_app().await;
    app.state.payments.refresh_providers().await;
    let data = pay_out(&app, &mtn("+2250501234567")).await;
    status_after_the_provider_answered(&app, data["id"].as_str().unwrap()).await;
    let balances = app.get("/api/v1/balances", Some(DEMO_KEY)).await.json()["data"].clone();
    let of = |provider: &str, country: &str| {
        balances
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["provider"] == provider && b["country"] == country)
            .cloned()
            .unwrap_or_else(|| panic!("{provider} {country} in {balances}"))
    };
    assert_eq!(of("mtn_momo", "CI")["available"], 5_000_000 - 5_000, "{balances}");
    assert_eq!(of("mtn_momo", "CI")["currency"], "XOF");
    assert_eq!(of("free_money", "SN")["available"], 5_000_000, "{balances}");
    assert_eq!(of("wave", "SN")["available"], 5_000_000, "{balances}");
}

fn orange(phone: &str) -> Value {
    json!({"amount": 5_000, "country": "SN", "provider": "orange_money", "recipientPhone": phone})
}

#[tokio::test]
async fn an_orange_cash_in_is_paid_once_each_refusal_read_and_a_lost_answer_found_by_reference() {
    let app = spawn_app_with(&[("sandbox.connector_timeout_ms", "300")]).await;
    let data = pay_out(&app, &orange("+221771234567")).await;
    let id = data["id"].as_str().unwrap().to_owned();
    let data = status_after_the_provider_answered(&app, &id).await;
    assert_eq!(data["status"], "succeeded", "{data}");
    assert!(data["providerReference"].as_str().is_some(), "{data}");
    for (phone, code) in [
        ("+221771234501", "insufficient-funds"),
        ("+221771234502", "recipient-not-found"),
    ] {
        let data = pay_out(&app, &orange(phone)).await;
        assert_eq!(data["status"], "failed", "{phone}: {data}");
        assert_eq!(data["failureCode"], code, "{phone}: {data}");
    }
    // Orange has no idempotency key: a lost answer is found by its reference, never sent again.
    let data = pay_out(&app, &orange("+221771234505")).await;
    assert_eq!(data["status"], "processing", "{data}");
    let lost = data["id"].as_str().unwrap().to_owned();
    let data = status_after_the_provider_answered(&app, &lost).await;
    assert_eq!(data["status"], "succeeded", "{data}");
    let row = dalal::db::payouts::find(&app.state.pool, &lost).await.unwrap().unwrap();
    let sent: Vec<_> = dalal::sandbox::payouts::with_request_field(&app.state.pool, "orange_money", "771000001", &row.handle)
        .await
        .unwrap();
    assert_eq!(sent.len(), 1, "one cash-in under its reference");
}

#[tokio::test]
async fn a_wrong_retailer_pin_stops_every_orange_payout_after_one_try() {
    use dalal::config::Secret;
    use dalal::providers::{PaymentProvider, PayoutOrder, PayoutState};
    use dalal::providers::orange_money::{Account, OrangeMoneyConnector};
    use dalal::sandbox::emulators::orange_money as om;
    let app = spawn_app().await;
    let account = || Account {
        client_id: Secret::new(om::CLIENT_ID),
        client_secret: Secret::new(om::CLIENT_SECRET),
        merchant_code: om::MERCHANT_CODE.to_owned(),
        merchant_name: "Dalal (sandbox)".to_owned(),
        callback_key: Some(Secret::new(om::CALLBACK_API_KEY)),
        callback_url: format!("{}/hooks/orange-money", app.address),
        countries: vec![dalal::domain::Country::Sn],
    };
    let connector = |pin: &str| {
        OrangeMoneyConnector::new(
            &format!("{}/sandbox/providers/orange-money", app.address),
            account(),
            app.state.clock.clone(),
        )
        .unwrap()
        .with_retailer(om::RETAILER_MSISDN, Secret::new(pin))
        .unwrap()
    };
    let wrong = connector("9999");
    assert!(wrong.pays_out(dalal::domain::Country::Sn));
    let recipient = dalal::domain::msisdn::Msisdn::parse("+221771234567", dalal::domain::Country::Sn).unwrap();
    let order = |handle: &'static str| PayoutOrder {
        payout_id: "po_test",
        handle,
        amount: dalal::domain::Money::new(1_000, dalal::domain::Currency::Xof).unwrap(),
        country: dalal::domain::Country::Sn,
        recipient: &recipient,
        recipient_name: None,
        reason: None,
        reference: None,
        sent_at_ms: 0,
    };
    let first = wrong.pay_out(&order("0b0a5c1e-7d2f-4a8b-9c3d-1e2f3a4b5c6d")).await.unwrap();
    assert!(matches!(first, PayoutState::Failed { .. }), "{first:?}");
    assert!(!wrong.pays_out(dalal::domain::Country::Sn), "no more Orange payouts on this account");
    let second = wrong.pay_out(&order("1b0a5c1e-7d2f-4a8b-9c3d-1e2f3a4b5c6d")).await.unwrap();
    assert!(matches!(second, PayoutState::Failed { .. }), "{second:?}");
    assert_eq!(wrong.balance(dalal::domain::Country::Sn).await.unwrap(), None, "no balance call with that PIN");
    // Orange counted one wrong try only: the next wrong PIN is its second (2012), not its third.
    let again = connector("8888")
        .pay_out(&order("2b0a5c1e-7d2f-4a8b-9c3d-1e2f3a4b5c6d"))
        .await
        .unwrap();
    match again {
        PayoutState::Failed { failure, .. } => assert_eq!(failure.provider_code.as_deref(), Some("2012")),
        other => panic!("{other:?}"),
    }
}
