//! The pawaPay emulator (`/sandbox/providers/pawapay`) refuses what pawaPay refuses and answers
//! in pawaPay's shapes (PROVIDERS.md, "pawaPay — Merchant API v2"), over real HTTP.

use crate::emulators::assert_shape;
use crate::helpers::*;
use crate::in_process::contracts::{fixtures, of_kind};
use dalal::sandbox::emulators::pawapay::API_TOKEN;
use serde_json::{Value, json};

const BASE: &str = "/sandbox/providers/pawapay";

async fn call(app: &TestApp, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let mut request = app.client.request(method, format!("{}{BASE}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn deposit(app: &TestApp, body: Value) -> (u16, Value) {
    call(app, reqwest::Method::POST, "/v2/deposits", Some(API_TOKEN), Some(body)).await
}

/// A valid deposit of Free Money Senegal.
fn free_money(deposit_id: &str, phone: &str) -> Value {
    json!({
        "depositId": deposit_id,
        "amount": "1000",
        "currency": "XOF",
        "payer": {"type": "MMO", "accountDetails": {"phoneNumber": phone, "provider": "FREE_SEN"}},
        "clientReferenceId": "att_7Hq2Lm9Xc4Vb8Nz1Pk5Rt3Wy",
    })
}

fn failure_code(body: &Value) -> &str {
    body["failureReason"]["failureCode"].as_str().unwrap_or("")
}

#[tokio::test]
async fn the_pawapay_emulator_wants_its_token() {
    let app = spawn_app().await;
    let body = free_money(&dalal::random::uuid_v4(), "221763456789");
    let (status, answer) = call(&app, reqwest::Method::POST, "/v2/deposits", None, Some(body.clone())).await;
    assert_eq!((status, failure_code(&answer)), (401, "NO_AUTHENTICATION"));
    let (status, answer) = call(&app, reqwest::Method::POST, "/v2/deposits", Some("another"), Some(body)).await;
    assert_eq!((status, failure_code(&answer)), (403, "AUTHENTICATION_ERROR"));
}

#[tokio::test]
async fn the_pawapay_emulator_refuses_what_pawapay_refuses() {
    let app = spawn_app().await;
    let id = || dalal::random::uuid_v4();
    let with = |change: &dyn Fn(&mut Value)| {
        let mut body = free_money(&id(), "221763456789");
        change(&mut body);
        body
    };
    // Refused outright (4xx).
    let cases: Vec<(Value, &str)> = vec![
        (with(&|b| b["unknownField"] = json!(1)), "UNSUPPORTED_PARAMETER"),
        (with(&|b| { b.as_object_mut().unwrap().remove("currency"); }), "MISSING_PARAMETER"),
        (with(&|b| b["depositId"] = json!("att_not_a_uuid")), "INVALID_PARAMETER"),
        (with(&|b| b["depositId"] = json!("0d7a2c4e-5b1f-1e8a-9c3d-7f6b2a1e4d90")), "INVALID_PARAMETER"),
        (with(&|b| b["amount"] = json!(1000)), "INVALID_PARAMETER"),
        (with(&|b| b["customerMessage"] = json!("abc")), "INVALID_PARAMETER"),
        (with(&|b| b["customerMessage"] = json!("Paiement n°12")), "INVALID_PARAMETER"),
        (with(&|b| b["metadata"] = json!({"orderId": "1"})), "INVALID_PARAMETER"),
        (with(&|b| b["metadata"] = json!([{"orderId": "1"}, {"orderId": "2"}])), "DUPLICATE_METADATA_FIELD"),
    ];
    for (body, code) in cases {
        let (status, answer) = deposit(&app, body.clone()).await;
        assert_eq!((status, failure_code(&answer)), (400, code), "{body}");
    }
    // Read, then rejected as pawaPay rejects: 200 REJECTED.
    let cases: Vec<(Value, &str)> = vec![
        (with(&|b| b["payer"]["accountDetails"]["provider"] = json!("FREE_MLI")), "INVALID_PROVIDER"),
        (with(&|b| b["currency"] = json!("XAF")), "INVALID_CURRENCY"),
        (with(&|b| b["amount"] = json!("1000.5")), "INVALID_AMOUNT"),
        (with(&|b| b["amount"] = json!("01000")), "INVALID_AMOUNT"),
        (with(&|b| b["amount"] = json!("2")), "AMOUNT_OUT_OF_BOUNDS"),
        (with(&|b| b["payer"]["accountDetails"]["phoneNumber"] = json!("+221763456789")), "INVALID_PHONE_NUMBER"),
        (with(&|b| b["payer"]["accountDetails"]["phoneNumber"] = json!("2250503456789")), "INVALID_PHONE_NUMBER"),
    ];
    for (body, code) in cases {
        let (status, answer) = deposit(&app, body.clone()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((answer["status"].as_str(), failure_code(&answer)), (Some("REJECTED"), code), "{body}");
    }
    // What it accepts, with metadata and a message, and the same id again.
    let deposit_id = id();
    let mut body = free_money(&deposit_id, "221763456789");
    body["customerMessage"] = json!("Boutique Ndiaye");
    body["metadata"] = json!([{"orderId": "ORD-1"}, {"email": "a@b.sn", "isPII": true}]);
    let (status, answer) = deposit(&app, body.clone()).await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("ACCEPTED")), "{answer}");
    let (_, again) = deposit(&app, body).await;
    assert_eq!(again["status"], "DUPLICATE_IGNORED");
    let all = fixtures("pawapay");
    assert_shape(&answer, &of_kind(&all, "pawapay.initiation"), "the initiation answer");
    // The status check: pawaPay's shape, metadata flat, the amount with decimals.
    let (status, found) = call(&app, reqwest::Method::GET, &format!("/v2/deposits/{deposit_id}"), Some(API_TOKEN), None).await;
    assert_eq!(status, 200);
    assert_eq!(found["status"], "FOUND");
    assert_eq!(found["data"]["metadata"], json!({"orderId": "ORD-1", "email": "a@b.sn"}));
    assert_eq!(found["data"]["amount"], "1000.00");
    assert_eq!(found["data"]["country"], "SEN");
    assert_shape(&found, &of_kind(&all, "pawapay.status"), "the status check");
    let (_, missing) = call(&app, reqwest::Method::GET, &format!("/v2/deposits/{}", id()), Some(API_TOKEN), None).await;
    assert_eq!(missing, json!({"status": "NOT_FOUND"}));
}

#[tokio::test]
async fn pawapays_test_numbers_choose_the_outcome() {
    let app = spawn_app().await;
    let cases = [
        ("221763456789", "COMPLETED", ""),
        ("221763456029", "FAILED", "PAYER_NOT_FOUND"),
        ("221763456039", "FAILED", "PAYMENT_NOT_APPROVED"),
        ("221763456049", "FAILED", "INSUFFICIENT_BALANCE"),
        ("221763456019", "FAILED", "PAYER_LIMIT_REACHED"),
        ("221763456069", "FAILED", "UNSPECIFIED_FAILURE"),
        ("221763456129", "ACCEPTED", ""),
    ];
    let mut ids = Vec::new();
    for (phone, _, _) in cases {
        let deposit_id = dalal::random::uuid_v4();
        let (_, answer) = deposit(&app, free_money(&deposit_id, phone)).await;
        assert_eq!(answer["status"], "ACCEPTED", "{phone}");
        ids.push(deposit_id);
    }
    // Before the customer answers, every deposit is pending.
    for id in &ids {
        let (_, found) = call(&app, reqwest::Method::GET, &format!("/v2/deposits/{id}"), Some(API_TOKEN), None).await;
        assert_eq!(found["data"]["status"], "ACCEPTED");
    }
    app.clock.advance_ms(5_000);
    for ((phone, status, code), id) in cases.iter().zip(&ids) {
        let (_, found) = call(&app, reqwest::Method::GET, &format!("/v2/deposits/{id}"), Some(API_TOKEN), None).await;
        assert_eq!(found["data"]["status"], *status, "{phone}");
        assert_eq!(failure_code(&found["data"]), *code, "{phone}");
    }
}

#[tokio::test]
async fn the_active_configuration_lists_the_accounts_providers() {
    let app = spawn_app().await;
    let (status, conf) = call(&app, reqwest::Method::GET, "/v2/active-conf", Some(API_TOKEN), None).await;
    assert_eq!(status, 200);
    let senegal = conf["countries"].as_array().unwrap().iter().find(|c| c["country"] == "SEN").unwrap();
    let free = senegal["providers"].as_array().unwrap().iter().find(|p| p["provider"] == "FREE_SEN").unwrap();
    let deposits = &free["currencies"][0]["operationTypes"]["DEPOSIT"];
    assert_eq!(deposits["pinPrompt"], "MANUAL");
    assert_eq!(deposits["decimalsInAmount"], "NONE");
    // The sandbox account signs its callbacks, with the key it publishes.
    assert_eq!(conf["signatureConfiguration"]["signedCallbacks"], true);
    let (status, keys) = call(&app, reqwest::Method::GET, "/v2/public-key/http", Some(API_TOKEN), None).await;
    assert_eq!(status, 200);
    assert!(keys[0]["key"].as_str().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
    let (status, _) = call(&app, reqwest::Method::GET, "/v2/public-key/http", None, None).await;
    assert_eq!(status, 401);
}

/// `POST /v2/refunds` refuses what pawaPay refuses: unknown fields, a non-UUID id, an amount
/// without its currency (`400`); a deposit it does not have or that has not completed
/// (`200 REJECTED`).
#[tokio::test]
async fn the_pawapay_emulator_refuses_refunds_as_pawapay_does() {
    let app = spawn_app().await;
    let refund = |body: Value| {
        let app = &app;
        async move { call(app, reqwest::Method::POST, "/v2/refunds", Some(API_TOKEN), Some(body)).await }
    };
    let id = || dalal::random::uuid_v4();
    // A deposit still waiting for the customer's PIN.
    let deposit_id = id();
    assert_eq!(deposit(&app, free_money(&deposit_id, "221763456789")).await.0, 200);
    for (body, status, code) in [
        (json!({"refundId": id(), "depositId": deposit_id, "reason": "x"}), 400, "UNSUPPORTED_PARAMETER"),
        (json!({"refundId": "not-a-uuid", "depositId": deposit_id}), 400, "INVALID_PARAMETER"),
        (json!({"refundId": id(), "depositId": deposit_id, "amount": "100"}), 400, "MISSING_PARAMETER"),
        (json!({"refundId": id(), "depositId": id()}), 200, "NOT_FOUND"),
        (json!({"refundId": id(), "depositId": deposit_id}), 200, "INVALID_STATE"),
    ] {
        let (got, answer) = refund(body.clone()).await;
        assert_eq!((got, failure_code(&answer)), (status, code), "{body}");
        if status == 200 {
            assert_eq!(answer["status"], "REJECTED");
        }
    }
    let (status, answer) = call(&app, reqwest::Method::GET, &format!("/v2/refunds/{}", id()), Some(API_TOKEN), None).await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("NOT_FOUND")));
}
