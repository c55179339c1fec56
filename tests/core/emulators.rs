//! In-process tests of `emulators`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::in_process::contracts::{fixtures, of_kind};
use crate::helpers::*;
use serde_json::{Value, json};
use crate::emulators::{assert_shape, mtn_call, mtn_token};

async fn request_to_pay(
    app: &TestApp,
    token: &str,
    environment: &str,
    body: &Value,
) -> (String, u16, Value) {
    let reference = dalal::random::uuid_v4();
    let (status, answer) = mtn_call(
        app,
        token,
        reqwest::Method::POST,
        "/collection/v1_0/requesttopay",
        environment,
        |r| r.header("X-Reference-Id", &reference).json(body),
    )
    .await;
    (reference, status, answer)
}

#[tokio::test]
async fn the_mtn_emulator_keeps_mtns_contract() {
    let app = spawn_app().await;
    let all = fixtures("mtn_momo");
    let token = mtn_token(&app).await;
    for fixture in of_kind(&all, "mtn_momo.request_to_pay") {
        let (_, status, answer) =
            request_to_pay(&app, &token, "mtnivorycoast", &fixture.body).await;
        let valid = fixture.expect["valid"].as_bool().unwrap();
        assert_eq!(status == 202, valid, "{}: {status} {answer}", fixture.name);
        if !valid {
            assert!(status >= 400, "{}", fixture.name);
        }
    }
    // A request's status has the contract's shape, pending and then paid; the balance too.
    let valid = &of_kind(&all, "mtn_momo.request_to_pay")
        .into_iter()
        .find(|f| f.expect["valid"] == true)
        .unwrap()
        .body;
    let (reference, _, _) = request_to_pay(&app, &token, "mtnivorycoast", valid).await;
    let statuses = of_kind(&all, "mtn_momo.status");
    let path = format!("/collection/v1_0/requesttopay/{reference}");
    let (status, pending) = mtn_call(
        &app,
        &token,
        reqwest::Method::GET,
        &path,
        "mtnivorycoast",
        |r| r,
    )
    .await;
    assert_eq!((status, pending["status"].clone()), (200, json!("PENDING")));
    assert_shape(&pending, &statuses, "a pending request");
    app.customer_answers(5_000).await;
    let (_, paid) = mtn_call(
        &app,
        &token,
        reqwest::Method::GET,
        &path,
        "mtnivorycoast",
        |r| r,
    )
    .await;
    assert_eq!(paid["status"], "SUCCESSFUL");
    assert_shape(&paid, &statuses, "a paid request");
    let (status, balance) = mtn_call(
        &app,
        &token,
        reqwest::Method::GET,
        "/collection/v1_0/account/balance",
        "mtnivorycoast",
        |r| r,
    )
    .await;
    assert_eq!(status, 200);
    assert_shape(&balance, &of_kind(&all, "mtn_momo.balance"), "a balance");
    // Two requests of 1 000 XOF paid in this environment: the valid fixture's, and this one.
    assert_eq!(
        balance,
        json!({"availableBalance": "2000", "currency": "XOF"})
    );
    // The same reference id again: 409 RESOURCE_ALREADY_EXIST.
    let (status, answer) = mtn_call(
        &app,
        &token,
        reqwest::Method::POST,
        "/collection/v1_0/requesttopay",
        "mtnivorycoast",
        |r| r.header("X-Reference-Id", &reference).json(valid),
    )
    .await;
    assert_eq!(
        (status, answer["code"].clone()),
        (409, json!("RESOURCE_ALREADY_EXIST"))
    );
    assert_shape(&answer, &of_kind(&all, "mtn_momo.error"), "a 409");
    // Another environment does not know it.
    let (status, answer) =
        mtn_call(&app, &token, reqwest::Method::GET, &path, "mtnbenin", |r| r).await;
    assert_eq!(
        (status, answer["code"].clone()),
        (404, json!("RESOURCE_NOT_FOUND"))
    );
}

#[tokio::test]
async fn mtns_sandbox_environment_takes_euros_only_and_a_country_its_own_currency() {
    let app = spawn_app().await;
    let token = mtn_token(&app).await;
    let body = |currency: &str| {
        json!({"amount": "100", "currency": currency, "externalId": "x",
        "payer": {"partyIdType": "MSISDN", "partyId": "46733123453"}, "payerMessage": "m", "payeeNote": "n"})
    };
    for (environment, currency, accepted) in [
        ("sandbox", "EUR", true),
        ("sandbox", "XOF", false),
        ("mtnivorycoast", "XOF", true),
        ("mtnivorycoast", "EUR", false),
        ("mtncameroon", "XAF", true),
    ] {
        let (_, status, answer) = request_to_pay(&app, &token, environment, &body(currency)).await;
        assert_eq!(
            status == 202,
            accepted,
            "{environment} {currency}: {status} {answer}"
        );
        if !accepted {
            assert_eq!(
                (status, answer["code"].clone()),
                (500, json!("INVALID_CURRENCY"))
            );
        }
    }
    let (_, status, answer) = request_to_pay(&app, &token, "mtnelsewhere", &body("XOF")).await;
    assert_eq!(
        (status, answer["code"].clone()),
        (500, json!("NOT_ALLOWED_TARGET_ENVIRONMENT"))
    );
    // The sandbox environment's failures carry the swagger's reason object; a country's, a
    // string, as production integrations read it.
    let mut declined = body("EUR");
    declined["payer"]["partyId"] = json!("46733123402");
    let (reference, _, _) = request_to_pay(&app, &token, "sandbox", &declined).await;
    app.customer_answers(5_000).await;
    let path = format!("/collection/v1_0/requesttopay/{reference}");
    let (_, failed) = mtn_call(&app, &token, reqwest::Method::GET, &path, "sandbox", |r| r).await;
    assert_eq!(failed["reason"]["code"], "APPROVAL_REJECTED", "{failed}");
    let mut declined = body("XOF");
    declined["payer"]["partyId"] = json!("2250700000002");
    let (reference, _, _) = request_to_pay(&app, &token, "mtnivorycoast", &declined).await;
    app.customer_answers(5_000).await;
    let path = format!("/collection/v1_0/requesttopay/{reference}");
    let (_, failed) = mtn_call(
        &app,
        &token,
        reqwest::Method::GET,
        &path,
        "mtnivorycoast",
        |r| r,
    )
    .await;
    assert_eq!(failed["reason"], "APPROVAL_REJECTED", "{failed}");
}
