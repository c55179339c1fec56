//! The sandbox's emulators against the providers' contracts: each request fixture is accepted or
//! refused as the real API would; each answer has the shape the contract fixtures have; and one
//! test per strictness of PROVIDERS.md shows the emulator refusing what the real API refuses.

use crate::in_process::contracts::{Fixture, fixtures, of_kind};
use crate::helpers::*;
use dalal::sandbox::emulators::{mtn_momo as mtn, orange_money as orange, wave};
use serde_json::{Value, json};

const WAVE: &str = "/sandbox/providers/wave";

pub(crate) const MTN: &str = "/sandbox/providers/mtn-momo";

const ORANGE: &str = "/sandbox/providers/orange-money";

/// Whether `answer` has the shape of the contract's `samples`: every field it sends is one the
/// samples have, with the same JSON type, and every field all the samples have is there.
/// Free-form maps (`metadata`) are not compared key by key.
pub(crate) fn shape_problems(answer: &Value, samples: &[&Value], path: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let samples: Vec<&Value> = samples.iter().copied().filter(|s| !s.is_null()).collect();
    if samples.is_empty() || answer.is_null() {
        return problems;
    }
    let kind = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if !samples.iter().any(|s| kind(s) == kind(answer)) {
        problems.push(format!(
            "{path}: a {} where the contract has {}",
            kind(answer),
            kind(samples[0])
        ));
        return problems;
    }
    match answer {
        Value::Object(fields) if !path.ends_with("metadata") => {
            let objects: Vec<&serde_json::Map<String, Value>> =
                samples.iter().filter_map(|s| s.as_object()).collect();
            for (key, value) in fields {
                let theirs: Vec<&Value> = objects.iter().filter_map(|o| o.get(key)).collect();
                if theirs.is_empty() {
                    problems.push(format!("{path}.{key}: not in the contract"));
                } else {
                    problems.extend(shape_problems(value, &theirs, &format!("{path}.{key}")));
                }
            }
            for key in objects[0].keys() {
                let everywhere = objects
                    .iter()
                    .all(|o| o.get(key).is_some_and(|v| !v.is_null()));
                if everywhere && fields.get(key).is_none_or(Value::is_null) {
                    problems.push(format!("{path}.{key}: missing, every sample has it"));
                }
            }
        }
        Value::Array(items) => {
            let pooled: Vec<&Value> = samples
                .iter()
                .filter_map(|s| s.as_array())
                .flatten()
                .collect();
            for (i, item) in items.iter().enumerate() {
                problems.extend(shape_problems(item, &pooled, &format!("{path}[{i}]")));
            }
        }
        _ => {}
    }
    problems
}

pub(crate) fn assert_shape(answer: &Value, samples: &[&Fixture], what: &str) {
    assert!(
        !samples.is_empty(),
        "{what}: no contract fixture to compare with"
    );
    let bodies: Vec<&Value> = samples.iter().map(|f| &f.body).collect();
    let problems = shape_problems(answer, &bodies, what);
    assert!(
        problems.is_empty(),
        "{what} is not the contract's shape: {problems:#?}\n{answer:#}"
    );
}

pub(crate) async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> (u16, Vec<u8>) {
    let request = app.client.request(method, format!("{}{path}", app.address));
    let response = build(request).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

pub(crate) fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

const WAVE_SN: &str = wave::WALLETS[0].1;

/// A call to the Wave emulator with Senegal's key: its status and body.
async fn wave_call(app: &TestApp, method: reqwest::Method, path: &str) -> (u16, Vec<u8>) {
    send(
        app,
        method,
        &format!("{WAVE}/v1/checkout/sessions{path}"),
        |r| r.bearer_auth(WAVE_SN),
    )
    .await
}

#[tokio::test]
async fn the_wave_emulator_keeps_wave_contract() {
    let app = spawn_app().await;
    let all = fixtures("wave");
    let post = |body: Value| {
        let app = &app;
        async move {
            send(
                app,
                reqwest::Method::POST,
                &format!("{WAVE}/v1/checkout/sessions"),
                |r| r.bearer_auth(WAVE_SN).json(&body),
            )
            .await
        }
    };
    // Every request fixture, accepted or refused as Wave would.
    for fixture in of_kind(&all, "wave.create_request") {
        let (status, body) = post(fixture.body.clone()).await;
        let valid = fixture.expect["valid"].as_bool().unwrap();
        assert_eq!(
            (200..300).contains(&status),
            valid,
            "{}: {status} {}",
            fixture.name,
            json_of(&body)
        );
        if !valid {
            assert_shape(&json_of(&body), &of_kind(&all, "wave.error"), &fixture.name);
        }
    }
    // A session has the session's shape, from creation to payment.
    let valid = of_kind(&all, "wave.create_request")
        .into_iter()
        .find(|f| f.expect["valid"] == true)
        .unwrap();
    let (_, created) = post(valid.body.clone()).await;
    let session = json_of(&created);
    let sessions = of_kind(&all, "wave.session");
    assert_shape(&session, &sessions, "a new session");
    let id = session["id"].as_str().unwrap();
    app.client
        .post(session["wave_launch_url"].as_str().unwrap())
        .form(&[("decision", "approve")])
        .send()
        .await
        .unwrap();
    let (status, shown) = wave_call(&app, reqwest::Method::GET, &format!("/{id}")).await;
    assert_eq!(status, 200);
    assert_shape(&json_of(&shown), &sessions, "a paid session");
    assert_eq!(json_of(&shown)["checkout_status"], "complete");
    // A refund: 200 with an empty body, as Wave's; again: harmless.
    for _ in 0..2 {
        let (status, body) = wave_call(&app, reqwest::Method::POST, &format!("/{id}/refund")).await;
        assert_eq!((status, body.len()), (200, 0));
    }
    // Expiring a paid session: 409.
    let (status, body) = wave_call(&app, reqwest::Method::POST, &format!("/{id}/expire")).await;
    assert_eq!(status, 409);
    assert_shape(&json_of(&body), &of_kind(&all, "wave.error"), "a 409");
    // Expiring an open one: 200 with an empty body.
    let (_, created) = post(valid.body.clone()).await;
    let open = json_of(&created)["id"].as_str().unwrap().to_owned();
    let (status, body) = wave_call(&app, reqwest::Method::POST, &format!("/{open}/expire")).await;
    assert_eq!((status, body.len()), (200, 0));
    // Refunding a session that was never paid: checkout-refund-failed.
    let (status, body) = wave_call(&app, reqwest::Method::POST, &format!("/{open}/refund")).await;
    assert_eq!(status, 400);
    assert_eq!(json_of(&body)["code"], "checkout-refund-failed");
}

#[tokio::test]
async fn the_wave_emulator_refuses_http_return_urls_except_on_this_machine() {
    let app = spawn_app().await;
    let body = |url: &str| json!({"amount": "1000", "currency": "XOF", "success_url": url, "error_url": url});
    for (url, accepted) in [
        ("https://shop.example.sn/ok", true),
        ("http://127.0.0.1:3000/pay/x", true),
        ("http://localhost/pay/x", true),
        ("http://shop.example.sn/ok", false),
        ("/pay/x", false),
    ] {
        let (status, answer) = send(
            &app,
            reqwest::Method::POST,
            &format!("{WAVE}/v1/checkout/sessions"),
            |r| r.bearer_auth(WAVE_SN).json(&body(url)),
        )
        .await;
        assert_eq!(
            status == 200,
            accepted,
            "{url}: {status} {}",
            json_of(&answer)
        );
        if !accepted {
            assert_eq!(json_of(&answer)["code"], "request-validation-error");
        }
    }
}

#[tokio::test]
async fn a_wave_key_is_one_wallets_and_sees_only_its_sessions() {
    let app = spawn_app().await;
    let body = json!({"amount": "1000", "currency": "XOF", "success_url": "https://a.example/s", "error_url": "https://a.example/e"});
    let (_, created) = send(
        &app,
        reqwest::Method::POST,
        &format!("{WAVE}/v1/checkout/sessions"),
        |r| r.bearer_auth(WAVE_SN).json(&body),
    )
    .await;
    let id = json_of(&created)["id"].as_str().unwrap().to_owned();
    let ivory = wave::WALLETS[1].1;
    let (status, answer) = send(
        &app,
        reqwest::Method::GET,
        &format!("{WAVE}/v1/checkout/sessions/{id}"),
        |r| r.bearer_auth(ivory),
    )
    .await;
    assert_eq!(status, 404, "another wallet's session");
    assert_eq!(json_of(&answer)["code"], "checkout-session-not-found");
    let (status, answer) = send(
        &app,
        reqwest::Method::GET,
        &format!("{WAVE}/v1/checkout/sessions/{id}"),
        |r| r.bearer_auth("wave_sn_prod_unknown"),
    )
    .await;
    assert_eq!(
        (status, json_of(&answer)["code"].clone()),
        (401, json!("no-matching-api-key"))
    );
    let (status, answer) = send(
        &app,
        reqwest::Method::GET,
        &format!("{WAVE}/v1/checkout/sessions/{id}"),
        |r| r,
    )
    .await;
    assert_eq!(
        (status, json_of(&answer)["code"].clone()),
        (401, json!("missing-auth-header"))
    );
}

/// An MTN token from the app's emulator.
pub(crate) async fn mtn_token(app: &TestApp) -> String {
    let (status, body) = send(
        app,
        reqwest::Method::POST,
        &format!("{MTN}/collection/token/"),
        |r| {
            r.basic_auth(mtn::API_USER, Some(mtn::API_KEY))
                .header("Ocp-Apim-Subscription-Key", mtn::SUBSCRIPTION_KEY)
        },
    )
    .await;
    assert_eq!(status, 200);
    assert_shape(
        &json_of(&body),
        &of_kind(&fixtures("mtn_momo"), "mtn_momo.token"),
        "an MTN token",
    );
    json_of(&body)["access_token"].as_str().unwrap().to_owned()
}

pub(crate) async fn mtn_call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    environment: &str,
    build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> (u16, Value) {
    let (status, body) = send(app, method, &format!("{MTN}{path}"), |r| {
        build(
            r.bearer_auth(token)
                .header("Ocp-Apim-Subscription-Key", mtn::SUBSCRIPTION_KEY)
                .header("X-Target-Environment", environment),
        )
    })
    .await;
    (status, json_of(&body))
}

#[tokio::test]
async fn the_mtn_emulator_wants_uuid_v4_references_and_the_registered_callback_host() {
    let app = spawn_app().await;
    let token = mtn_token(&app).await;
    let body = json!({"amount": "100", "currency": "XOF", "externalId": "x",
        "payer": {"partyIdType": "MSISDN", "partyId": "2250700000000"}, "payerMessage": "m", "payeeNote": "n"});
    let (status, _) = mtn_call(
        &app,
        &token,
        reqwest::Method::POST,
        "/collection/v1_0/requesttopay",
        "mtnivorycoast",
        |r| r.header("X-Reference-Id", "att_not_a_uuid").json(&body),
    )
    .await;
    assert_eq!(status, 400);
    let (status, answer) = mtn_call(
        &app,
        &token,
        reqwest::Method::POST,
        "/collection/v1_0/requesttopay",
        "mtnivorycoast",
        |r| {
            r.header("X-Reference-Id", dalal::random::uuid_v4())
                .header("X-Callback-Url", "https://elsewhere.example/hooks/mtn-momo")
                .json(&body)
        },
    )
    .await;
    assert_eq!(
        (status, answer["code"].clone()),
        (500, json!("INVALID_CALLBACK_URL_HOST"))
    );
    // The account holder check takes the type in either case (MTN's reference and clients differ).
    for kind in ["msisdn", "MSISDN"] {
        let (status, answer) = mtn_call(
            &app,
            &token,
            reqwest::Method::GET,
            &format!("/collection/v1_0/accountholder/{kind}/2250700000000/active"),
            "mtnivorycoast",
            |r| r,
        )
        .await;
        assert_eq!((status, answer), (200, json!({"result": true})));
    }
}

/// An Orange token from the app's emulator.
async fn orange_token(app: &TestApp) -> String {
    let (status, body) = send(
        app,
        reqwest::Method::POST,
        &format!("{ORANGE}/oauth/v1/token"),
        |r| {
            r.form(&[
                ("grant_type", "client_credentials"),
                ("client_id", orange::CLIENT_ID),
                ("client_secret", orange::CLIENT_SECRET),
            ])
        },
    )
    .await;
    assert_eq!(status, 200);
    assert_shape(
        &json_of(&body),
        &of_kind(&fixtures("orange_money"), "orange_money.token"),
        "an Orange token",
    );
    json_of(&body)["access_token"].as_str().unwrap().to_owned()
}

async fn orange_call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let (status, answer) = send(app, method, &format!("{ORANGE}{path}"), |r| {
        let r = r.bearer_auth(token).header("Accept", "application/json");
        match body {
            Some(body) => r.json(body),
            None => r.header("Content-Type", "application/json"),
        }
    })
    .await;
    (status, json_of(&answer))
}

/// A fixture's request with the emulator's merchant code in place of the example's.
fn with_emulator_merchant(body: &Value) -> Value {
    let mut body = body.clone();
    if body.get("code").is_some() {
        body["code"] = json!(orange::MERCHANT_CODE);
    }
    if body.get("partner").is_some() {
        body["partner"]["id"] = json!(orange::MERCHANT_CODE);
    }
    body
}

#[tokio::test]
async fn the_orange_emulator_keeps_oranges_contract() {
    let app = spawn_app().await;
    let all = fixtures("orange_money");
    let token = orange_token(&app).await;
    for (kind, path) in [
        ("orange_money.qr_request", "/api/eWallet/v4/qrcode"),
        (
            "orange_money.onestep_request",
            "/api/eWallet/v1/payments/onestep",
        ),
    ] {
        for fixture in of_kind(&all, kind) {
            let (status, answer) = orange_call(
                &app,
                &token,
                reqwest::Method::POST,
                path,
                Some(&with_emulator_merchant(&fixture.body)),
            )
            .await;
            let valid = fixture.expect["valid"].as_bool().unwrap();
            assert_eq!(status == 200, valid, "{}: {status} {answer}", fixture.name);
            if valid && kind == "orange_money.qr_request" {
                assert_shape(&answer, &of_kind(&all, "orange_money.qr"), "a QR code");
            } else if valid {
                assert_shape(
                    &answer,
                    &of_kind(&all, "orange_money.onestep"),
                    "a one-step payment",
                );
            } else {
                assert_shape(&answer, &of_kind(&all, "orange_money.error"), &fixture.name);
            }
        }
    }
    // The one-step payment just made is found by its reference, in the production shape, and
    // its status alone is `{status}`.
    let found_by = "/api/eWallet/v1/transactions?reference=att_0123456789abcdefABCDEF01";
    let (status, found) = orange_call(&app, &token, reqwest::Method::GET, found_by, None).await;
    assert_eq!(status, 200);
    assert!(found.is_array(), "a bare array: {found}");
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_shape(&found, &of_kind(&all, "orange_money.search"), "a search");
    let id = found[0]["transactionId"].as_str().unwrap();
    let (status, only) = orange_call(
        &app,
        &token,
        reqwest::Method::GET,
        &format!("/api/eWallet/v1/transactions/{id}/status"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        only.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["status"]
    );
    assert_shape(&only, &of_kind(&all, "orange_money.status"), "a status");
}

#[tokio::test]
async fn the_orange_emulator_knows_only_the_v1_token_path_and_json_calls() {
    let app = spawn_app().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", orange::CLIENT_ID),
        ("client_secret", orange::CLIENT_SECRET),
    ];
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        &format!("{ORANGE}/oauth/token"),
        |r| r.form(&form),
    )
    .await;
    assert_eq!(status, 404, "the old token path");
    let token = orange_token(&app).await;
    // A GET without `Content-Type: application/json`: 415, as Orange's gateway answered.
    let (status, body) = send(
        &app,
        reqwest::Method::GET,
        &format!("{ORANGE}/api/eWallet/v1/transactions?reference=x"),
        |r| r.bearer_auth(&token),
    )
    .await;
    assert_eq!(status, 415);
    assert_shape(
        &json_of(&body),
        &of_kind(&fixtures("orange_money"), "orange_money.error"),
        "a 415",
    );
}

#[tokio::test]
async fn the_orange_search_ignores_filters_it_does_not_know() {
    let app = spawn_app().await;
    let token = orange_token(&app).await;
    // Two payments from two customers.
    for (reference, phone) in [("att_first", "771234500"), ("att_second", "771234511")] {
        let body = json!({"customer": {"idType": "MSISDN", "id": phone, "otp": "123456"},
            "partner": {"idType": "CODE", "id": orange::MERCHANT_CODE},
            "amount": {"value": 10, "unit": "XOF"}, "reference": reference, "metadata": {}});
        let (status, answer) = orange_call(
            &app,
            &token,
            reqwest::Method::POST,
            "/api/eWallet/v1/payments/onestep",
            Some(&body),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
    }
    // `qrId` is no filter of Orange's: the merchant's latest transactions come back, both.
    let (_, found) = orange_call(
        &app,
        &token,
        reqwest::Method::GET,
        "/api/eWallet/v1/transactions?qrId=om-whatever",
        None,
    )
    .await;
    let references: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reference"].as_str().unwrap())
        .collect();
    assert_eq!(references.len(), 2, "{found}");
    // `reference` is one.
    let (_, found) = orange_call(
        &app,
        &token,
        reqwest::Method::GET,
        "/api/eWallet/v1/transactions?reference=att_second",
        None,
    )
    .await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["reference"], "att_second");
    // An amount as production sends it: a number with a decimal point.
    assert!(found[0]["amount"]["value"].is_f64(), "{found}");
}

#[tokio::test]
async fn the_orange_one_step_payment_takes_the_national_number_only() {
    let app = spawn_app().await;
    let token = orange_token(&app).await;
    for (number, accepted) in [
        ("771234567", true),
        ("221771234567", false),
        ("+221771234567", false),
    ] {
        let body = json!({"customer": {"idType": "MSISDN", "id": number, "otp": "123456"},
            "partner": {"idType": "CODE", "id": orange::MERCHANT_CODE},
            "amount": {"value": 10, "unit": "XOF"}, "reference": format!("att_{number}"), "metadata": {}});
        let (status, answer) = orange_call(
            &app,
            &token,
            reqwest::Method::POST,
            "/api/eWallet/v1/payments/onestep",
            Some(&body),
        )
        .await;
        assert_eq!(status == 200, accepted, "{number}: {status} {answer}");
    }
}

#[test]
fn the_shape_check_can_fail() {
    let sample = json!({"id": "cos-1", "amount": "1000", "when_completed": null});
    let samples = [&sample];
    assert!(shape_problems(&json!({"id": "cos-2", "amount": "5"}), &samples, "s").is_empty());
    assert_eq!(
        shape_problems(&json!({"id": "cos-2", "amount": 5}), &samples, "s").len(),
        1
    );
    assert_eq!(
        shape_problems(
            &json!({"id": "cos-2", "amount": "5", "extra": 1}),
            &samples,
            "s"
        )
        .len(),
        1
    );
    assert_eq!(
        shape_problems(&json!({"amount": "5"}), &samples, "s").len(),
        1,
        "id is always there"
    );
}
