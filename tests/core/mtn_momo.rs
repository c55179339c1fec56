//! In-process tests of `mtn_momo`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use dalal::sandbox::emulators::mtn_momo::{API_KEY, API_USER, SUBSCRIPTION_KEY};
use serde_json::{Value, json};
use crate::mtn_momo::{direct, token};

/// The attempt of a payment, as the core has it.
async fn attempt_of(app: &TestApp, data: &Value) -> dalal::payments::Attempt {
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(&token_of(data))
        .await
        .unwrap()
        .unwrap();
    attempt.expect("the push was sent at creation")
}

/// `GET …/requesttopay/{referenceId}` on the app's emulator, as the connector calls it.
async fn emulated_status(app: &TestApp, reference: &str) -> Value {
    let token: Value = token(app, API_USER, API_KEY).await.json().await.unwrap();
    let response = app
        .client
        .get(format!(
            "{}/sandbox/providers/mtn-momo/collection/v1_0/requesttopay/{reference}",
            app.address
        ))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .header("Ocp-Apim-Subscription-Key", SUBSCRIPTION_KEY)
        .header("X-Target-Environment", "mtnivorycoast")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_direct_mtn_payment_is_a_request_to_pay_that_succeeds_when_the_payer_approves() {
    let app = spawn_app().await;
    let data = app.create(direct("+2250501234567")).await;
    let attempt = attempt_of(&app, &data).await;
    let reference = attempt.provider_reference.clone().unwrap();
    assert_eq!(reference.len(), 36, "X-Reference-Id is a UUID: {reference}");
    let shown = emulated_status(&app, &reference).await;
    assert_eq!(shown["status"], "PENDING");
    assert_eq!(shown["externalId"], attempt.id.as_str());
    assert_eq!(
        shown["payer"],
        json!({"partyIdType": "MSISDN", "partyId": "2250501234567"})
    );
    assert_eq!(shown["amount"], "5000");
    assert_eq!(shown["currency"], "XOF");

    app.customer_answers(4_000).await;
    let id = data["transactionId"].as_str().unwrap();
    assert_eq!(app.get_payment(id).await["status"], "succeeded");
    assert_eq!(
        emulated_status(&app, &reference).await["status"],
        "SUCCESSFUL"
    );
}

#[tokio::test]
async fn each_mtn_failure_reason_becomes_dalals_failure_code() {
    let app = spawn_app().await;
    for (phone, after_ms, reason, code) in [
        (
            "+2250501234501",
            4_000,
            "LOW_BALANCE_OR_PAYEE_LIMIT_REACHED_OR_NOT_ALLOWED",
            "insufficient-funds",
        ),
        ("+2250501234502", 4_000, "APPROVAL_REJECTED", "declined"),
        ("+2250501234503", 120_000, "EXPIRED", "expired"),
    ] {
        let data = app.create(direct(phone)).await;
        app.customer_answers(after_ms).await;
        let attempt = attempt_of(&app, &data).await;
        assert_eq!(
            attempt.failure_code.map(|c| c.as_str()),
            Some(code),
            "{phone}"
        );
        let shown = emulated_status(&app, attempt.provider_reference.as_deref().unwrap()).await;
        assert_eq!(
            (shown["status"].as_str(), shown["reason"].as_str()),
            (Some("FAILED"), Some(reason))
        );
        assert_eq!(
            attempt.provider_status.as_deref(),
            Some(&*format!("FAILED:{reason}"))
        );
    }
}

#[tokio::test]
async fn a_callback_only_makes_dalal_ask_mtn() {
    let app = spawn_app().await;
    let data = app.create(direct("+2250501234567")).await;
    let id = data["transactionId"].as_str().unwrap();
    let attempt = attempt_of(&app, &data).await;
    let callback = |status: &str| {
        json!({"amount": "5000", "currency": "XOF", "externalId": attempt.id,
            "payer": {"partyIdType": "MSISDN", "partyId": "2250501234567"}, "status": status})
    };
    let send = |body: Value| {
        let client = app.client.clone();
        let url = format!("{}/hooks/mtn-momo", app.address);
        async move {
            client
                .put(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };

    // Anyone can claim success: MTN, asked, still says PENDING (the payer has the prompt), so
    // nothing changes.
    assert_eq!(app.get_payment(id).await["status"], "processing");
    assert_eq!(send(callback("SUCCESSFUL")).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.get_payment(id).await["status"], "processing");

    // The payer approves (the emulator's clock moves); MTN's callback, sent twice: one success.
    app.clock.advance_ms(4_000);
    assert_eq!(send(callback("SUCCESSFUL")).await, 200);
    assert_eq!(send(callback("SUCCESSFUL")).await, 200);
    app.payment_when(id, |d| d["status"] == "succeeded").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.succeeded_events(id).await, 1);

    // An attempt Dalal does not know, and a body that is not MTN's: taken (MTN sends once and
    // never again), nothing happens.
    let mut unknown = callback("SUCCESSFUL");
    unknown["externalId"] = json!("att_unknown");
    assert_eq!(send(unknown).await, 200);
    assert_eq!(send(json!({"hello": "world"})).await, 200);
}

#[tokio::test]
async fn a_live_key_pays_with_mtn_and_a_token_mtn_no_longer_takes_is_renewed() {
    // "MTN": another Dalal's emulator, with a clock of its own.
    let mtn = spawn_app().await;
    let base_url = format!("{}/sandbox/providers/mtn-momo", mtn.address);
    let app = spawn_app_with(&[
        ("providers.mtn_momo.subscription_key", SUBSCRIPTION_KEY),
        ("providers.mtn_momo.api_user", API_USER),
        ("providers.mtn_momo.api_key", API_KEY),
        ("providers.mtn_momo.target_environment", "mtnivorycoast"),
        ("providers.mtn_momo.base_url", &base_url),
    ])
    .await;
    let (_, live) = app.other_merchant().await;
    let reply = app
        .initiate_with_key(&live, None, &direct("+2250501234567"))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let id = reply.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let live_key = live.clone();

    // An hour passes at MTN: the token Dalal keeps is refused (401) before Dalal thinks it old.
    mtn.clock.advance_ms(3_600_000 + 4_000);
    app.clock.advance_ms(2_000);
    app.state.payments.check_due_attempts().await.unwrap();
    let reply = app
        .get(&format!("/api/v1/payments/{id}"), Some(&live))
        .await;
    assert_eq!(
        reply.json()["data"]["status"],
        "succeeded",
        "{}",
        reply.text
    );
    // No Disbursement credentials: MTN payments are refunded from MTN's portal.
    let refused = app
        .post_raw(&format!("/api/v1/payments/{id}/refunds"), Some(&live_key), None, "{}".to_owned())
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);

    // Wave has no live credentials here: not offered. Nor is MTN outside its environment's
    // country (`mtnivorycoast`: Côte d'Ivoire).
    let reply = app
        .initiate_with_key(&live, None, &seed_direct_body())
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let mut benin = direct("+2290190123456");
    benin["country"] = json!("BJ");
    let reply = app.initiate_with_key(&live, None, &benin).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    // A test key pays MTN in Benin: test mode plays each country's environment.
    let reply = app.initiate_with_key(DEMO_KEY, None, &benin).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

#[tokio::test]
async fn a_request_whose_answer_was_lost_is_not_sent_elsewhere_and_settles_by_its_reference() {
    // MTN takes the request, and its answer comes after the connector (300 ms) stopped
    // waiting: Dalal sends it again with the same reference, MTN says it has it (409), and the
    // attempt goes on.
    let app = spawn_app_with(&[("sandbox.connector_timeout_ms", "300")]).await;
    let data = app.create(direct("+2250501234505")).await;
    let attempt = attempt_of(&app, &data).await;
    let reference = attempt.provider_reference.clone().unwrap();
    let pushed: i64 = dalal::on!(&app.state.pool, |e| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sandbox_sessions WHERE provider = 'mtn_momo' AND id = $1",
    )
    .bind(&reference)
    .fetch_one(e)
    .await)
    .unwrap();
    assert_eq!(pushed, 1, "one push");
    let all: i64 = dalal::on!(&app.state.pool, |e| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sandbox_sessions WHERE provider = 'mtn_momo'",
    )
    .fetch_one(e)
    .await)
    .unwrap();
    assert_eq!(all, 1, "never sent again");
    app.customer_answers(4_000).await;
    let id = data["transactionId"].as_str().unwrap();
    assert_eq!(app.get_payment(id).await["status"], "succeeded");
}

/// MTN MoMo refunds go through the Disbursement product (its own credentials and token): a
/// partial refund is `pending` until MTN says it succeeded, asked by the sweep; another may be
/// asked meanwhile; the two never exceed what was paid; a live key without Disbursement
/// credentials refunds nothing (`422`).
#[tokio::test]
async fn mtn_refunds_go_through_disbursement_and_end_later() {
    use crate::refunds::refund;
    let app = spawn_app().await;
    let data = app.create(direct("+2250501234567")).await;
    let id = data["transactionId"].as_str().unwrap().to_owned();
    app.customer_answers(4_000).await;
    assert_eq!(app.get_payment(&id).await["status"], "succeeded");

    let first = refund(&app, &id, json!({"amount": 2_000}), None).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.json()["data"]["status"], "pending");
    let second = refund(&app, &id, json!({}), None).await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!((second.json()["data"]["status"].as_str(), second.json()["data"]["amount"].as_i64()), (Some("pending"), Some(3_000)));
    let over = refund(&app, &id, json!({"amount": 1}), None).await;
    assert_eq!(over.status, 409, "{}", over.text);

    assert_eq!(app.state.payments.check_pending_refunds().await.unwrap(), 0, "MTN: PENDING");
    app.clock.advance_ms(4_000);
    assert_eq!(app.state.payments.check_pending_refunds().await.unwrap(), 2);
    let payment = app.get_payment(&id).await;
    assert_eq!(payment["refundedAmount"], 5_000, "{payment}");
    let sequence = dalal::domain::TransactionId::parse(&id).unwrap().sequence();
    let events: i64 = dalal::on!(&app.state.pool, |e| sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_events WHERE payment_id = $1 AND type = 'refund.succeeded'",
    )
    .bind(sequence)
    .fetch_one(e)
    .await)
    .unwrap();
    assert_eq!(events, 2);
}

/// The Disbursement product does not take Collection's credentials, nor Collection
/// Disbursement's: each product has its own subscription key and API user.
#[tokio::test]
async fn disbursement_takes_only_its_own_credentials() {
    use dalal::sandbox::emulators::mtn_momo::disbursement::{DISBURSEMENT_API_KEY, DISBURSEMENT_API_USER, DISBURSEMENT_SUBSCRIPTION_KEY};
    let app = spawn_app().await;
    let token = |path: &'static str, key: &'static str, user: &'static str, secret: &'static str| {
        let client = app.client.clone();
        let url = format!("{}/sandbox/providers/mtn-momo{path}", app.address);
        async move {
            client.post(url).basic_auth(user, Some(secret)).header("Ocp-Apim-Subscription-Key", key)
                .send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(token("/disbursement/token/", DISBURSEMENT_SUBSCRIPTION_KEY, DISBURSEMENT_API_USER, DISBURSEMENT_API_KEY).await, 200);
    assert_eq!(token("/disbursement/token/", SUBSCRIPTION_KEY, API_USER, API_KEY).await, 401);
    assert_eq!(token("/collection/token/", DISBURSEMENT_SUBSCRIPTION_KEY, DISBURSEMENT_API_USER, DISBURSEMENT_API_KEY).await, 401);
}

/// A direct push payment with an idempotency key is stored in one statement with its attempt,
/// its key and its move to `processing` (the push is on the phone): the same rows the
/// transaction without a key writes — the status reason and one `pending → processing`.
#[tokio::test]
async fn a_keyed_push_payment_is_stored_processing_with_its_transition() {
    let app = spawn_app().await;
    let mut transitions = Vec::new();
    for key in [Some("push-key-1"), None] {
        let reply = app.initiate_with_key(DEMO_KEY, key, &direct("+2250501234567")).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let data = reply.json()["data"].clone();
        assert_eq!(data["status"], "processing", "{data}");
        let id = dalal::domain::TransactionId::parse(data["transactionId"].as_str().unwrap()).unwrap();
        let rows = dalal::db::payments::transitions(&app.state.pool, id.sequence()).await.unwrap();
        let seen: Vec<(String, String, String)> = rows
            .iter()
            .map(|t| (t.from_status.as_str().to_owned(), t.to_status.as_str().to_owned(), t.reason.clone()))
            .collect();
        transitions.push(seen);
        let stored = app.get_payment(data["transactionId"].as_str().unwrap()).await;
        assert_eq!(stored["status"], "processing");
    }
    assert_eq!(transitions[0], transitions[1], "with a key as without");
    assert_eq!(
        transitions[0],
        [("pending".to_owned(), "processing".to_owned(), "MTN MoMo : le client a reçu la demande".to_owned())]
    );
    // The same key again: the same answer, nothing new stored.
    let again = app.initiate_with_key(DEMO_KEY, Some("push-key-1"), &direct("+2250501234567")).await;
    assert_eq!(again.status, 201, "{}", again.text);
}
