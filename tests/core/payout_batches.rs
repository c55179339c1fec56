//! Batches of payouts (JSON and CSV, both dialects) and approvals by a second user: each line is
//! its own payout, sent once by the worker with its own outcome; a refused line makes nothing; a
//! payout or batch over the merchant's threshold waits, its creator cannot approve it, and a
//! rejected one is never sent.

use crate::helpers::*;
use dalal::payouts::{NewBatch, PayoutError};
use dalal::sandbox::payouts as book;
use serde_json::{Value, json};

/// Runs the worker until no payout is pending or processing (the emulators answer within 4 s of
/// the clock).
async fn settle(app: &TestApp) {
    for _ in 0..60 {
        app.clock.advance_ms(10_000);
        if app.state.payouts.check_due().await.unwrap() == 0 {
            return;
        }
    }
    panic!("payouts still due after 60 passes");
}

async fn batch(app: &TestApp, id: &str) -> Value {
    let reply = app.get(&format!("/api/v1/payout-batches/{id}"), Some(DEMO_KEY)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["data"].clone()
}

fn count(results: &Value, status: &str) -> usize {
    results
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == status)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_200_sends_each_line_once_with_its_own_outcome() {
    let app = spawn_app().await;
    let lines: Vec<Value> = (0..200)
        .map(|i| {
            let amount = 1_000 + i;
            match i % 10 {
                0..=5 => json!({"amount": amount, "country": "SN", "provider": "wave",
                    "recipientPhone": format!("+2217712{:05}", 10_000 + i * 10 + 8), "externalReference": format!("L{i}")}),
                6 => json!({"amount": amount, "country": "SN", "provider": "wave", "recipientPhone": "+221771234502"}),
                7 => json!({"amount": amount, "country": "SN", "provider": "wave", "recipientPhone": "+221771234506"}),
                8 => json!({"amount": amount, "country": "SN", "provider": "wave", "recipientPhone": "+2217"}),
                _ => json!({"amount": amount, "country": "CI", "provider": "mtn_momo", "recipientPhone": "+2250501234567"}),
            }
        })
        .collect();
    let body = json!({ "payouts": lines }).to_string();
    let reply = app
        .post_raw("/api/v1/payout-batches", Some(DEMO_KEY), Some("batch-200"), body.clone())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let data = reply.json()["data"].clone();
    assert_eq!(data["lines"], 200);
    assert_eq!(data["accepted"], 180);
    assert_eq!(data["refused"], 20);
    assert_eq!(data["approval"], "none");
    let results = &data["results"];
    assert_eq!(results.as_array().unwrap().len(), 200);
    assert_eq!(results[8]["line"], 9);
    assert_eq!(results[8]["status"], "refused");
    assert!(results[8]["message"].as_str().unwrap().contains("numéro mobile valide"), "{}", results[8]);
    let id = data["id"].as_str().unwrap().to_owned();
    // The same key and body: the same batch, nothing made twice.
    let again = app
        .post_raw("/api/v1/payout-batches", Some(DEMO_KEY), Some("batch-200"), body)
        .await;
    assert_eq!(again.json()["data"]["id"], id.as_str());

    settle(&app).await;
    let data = batch(&app, &id).await;
    let results = &data["results"];
    assert_eq!(count(results, "succeeded"), 140, "{data}");
    assert_eq!(count(results, "failed"), 40);
    assert_eq!(count(results, "refused"), 20);
    assert_eq!(results[6]["failureCode"], "recipient-blocked");
    assert_eq!(results[7]["failureCode"], "recipient-limit");
    for line in results.as_array().unwrap() {
        let Some(payout) = line["payoutId"].as_str() else { continue };
        let row = dalal::db::payouts::find(&app.state.pool, payout).await.unwrap().unwrap();
        let provider = if row.provider.code() == "wave" { "wave" } else { "mtn_momo" };
        let held = book::count_for_handle(&app.state.pool, provider, &row.handle).await.unwrap();
        assert_eq!(held, 1, "sent once: {line}");
    }
}

#[tokio::test]
async fn a_csv_batch_in_sahelpay_spelling_with_semicolons_and_quotes() {
    let app = spawn_app().await;
    let secret = DEMO_KEY.split_once(':').unwrap().1;
    let csv = "amount;country;payment_method;recipient_phone;recipient_name;reason\n\
               5000;SN;WAVE;+221771234567;\"Ndiaye; Awa\";Ventes\n\
               abc;SN;WAVE;+221771234567;;\n\
               7000;SN;WAVE;771234568;;Prime\n";
    let response = app
        .client
        .post(format!("{}/v1/payout_batches", app.address))
        .bearer_auth(secret)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    let data = &body["data"];
    assert_eq!(data["lines"], 3, "{body}");
    assert_eq!(data["refused"], 1);
    assert_eq!(data["results"][1]["status"], "REFUSED");
    assert!(data["results"][1]["message"].as_str().unwrap().contains("amount"), "{body}");
    settle(&app).await;
    let id = data["id"].as_str().unwrap();
    let read: Value = app
        .client
        .get(format!("{}/v1/payout_batches/{id}", app.address))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["data"]["results"][0]["status"], "SUCCEEDED", "{read}");
    assert_eq!(read["data"]["results"][2]["recipient_phone"], "+221771234568", "a national number in the country");
    let first = read["data"]["results"][0]["payout_id"].as_str().unwrap();
    let payout: Value = app
        .client
        .get(format!("{}/v1/payouts/{first}", app.address))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(payout["data"]["recipient_name"], "Ndiaye; Awa");
    assert_eq!(payout["data"]["batch_id"], id);
    // A line that is not an object is a malformed request: nothing is made.
    let response = app
        .client
        .post(format!("{}/v1/payout_batches", app.address))
        .bearer_auth(secret)
        .json(&json!({"payouts": [{"amount": 5000}, [null]]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("La ligne 2"), "{body}");
    // An unknown column is named.
    let response = app
        .client
        .post(format!("{}/v1/payout_batches", app.address))
        .bearer_auth(secret)
        .header("Content-Type", "text/csv")
        .body("montant,pays\n5000,SN\n")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("« montant »"), "{body}");
}

#[tokio::test]
async fn over_the_threshold_a_second_user_approves_and_a_rejected_payout_is_never_sent() {
    let app = spawn_app().await;
    let merchant = dalal::merchants::DEMO_MERCHANT_ID;
    dalal::db::payout_batches::set_approval_threshold(&app.state.pool, merchant, Some(50_000))
        .await
        .unwrap();
    let payout = |amount: i64| json!({"amount": amount, "country": "SN", "provider": "wave",
        "recipientPhone": "+221771234567"});
    // Under the threshold: sent at once.
    let reply = app.post_raw("/api/v1/payouts", Some(DEMO_KEY), None, payout(50_000).to_string()).await;
    assert_eq!(reply.json()["data"]["status"], "succeeded", "{}", reply.text);
    // Over it: it waits, and the worker leaves it alone.
    let reply = app.post_raw("/api/v1/payouts", Some(DEMO_KEY), None, payout(60_000).to_string()).await;
    let data = reply.json()["data"].clone();
    assert_eq!(data["status"], "pending", "{data}");
    assert_eq!(data["approval"], "required");
    let waiting = data["id"].as_str().unwrap().to_owned();
    settle(&app).await;
    let handle = dalal::db::payouts::find(&app.state.pool, &waiting).await.unwrap().unwrap().handle;
    assert_eq!(book::count_for_handle(&app.state.pool, "wave", &handle).await.unwrap(), 0);

    // A batch a dashboard user made: its creator cannot approve it; another user can.
    let line = |amount: i64| {
        Ok(dalal::payouts::NewPayout {
            dialect: dalal::domain::Dialect::CaurisFlux,
            amount: dalal::domain::Money::new(amount, dalal::domain::Currency::Xof).unwrap(),
            country: dalal::domain::Country::Sn,
            provider: Some(dalal::domain::ProviderCode::Wave),
            recipient: dalal::domain::msisdn::Msisdn::parse("+221771234567", dalal::domain::Country::Sn).unwrap(),
            recipient_name: None,
            reason: None,
            external_reference: None,
            metadata: None,
            idempotency: None,
            created_by: Some("usr_alice".to_owned()),
        })
    };
    let made = app
        .state
        .payouts
        .create_batch(merchant, dalal::domain::Mode::Test, NewBatch {
            dialect: dalal::domain::Dialect::CaurisFlux,
            lines: vec![line(30_000), line(30_000)],
            idempotency: None,
            created_by: Some("usr_alice".to_owned()),
        })
        .await
        .unwrap();
    let batch_id = made.id.to_string();
    let own = app
        .state
        .payouts
        .decide(merchant, dalal::domain::Mode::Test, &batch_id, ("usr_alice", "alice@boutique.sn"), true)
        .await;
    assert!(matches!(own, Err(PayoutError::OwnPayout)), "{own:?}");
    let decided = app
        .state
        .payouts
        .decide(merchant, dalal::domain::Mode::Test, &batch_id, ("usr_bob", "bob@boutique.sn"), true)
        .await
        .unwrap();
    assert_eq!(decided, 2);
    settle(&app).await;
    let data = batch(&app, &batch_id).await;
    assert_eq!(count(&data["results"], "succeeded"), 2, "{data}");
    assert_eq!(data["approval"], "approved");
    let first = data["results"][0]["payoutId"].as_str().unwrap();
    let read = app.get(&format!("/api/v1/payouts/{first}"), Some(DEMO_KEY)).await.json();
    let reasons: Vec<&str> = read["data"]["history"].as_array().unwrap().iter().map(|h| h["reason"].as_str().unwrap()).collect();
    assert!(reasons.contains(&"approuvé par bob@boutique.sn"), "{reasons:?}");

    // The single payout is rejected: cancelled, never sent, and says who decided in its history.
    app.state
        .payouts
        .decide(merchant, dalal::domain::Mode::Test, &waiting, ("usr_bob", "bob@boutique.sn"), false)
        .await
        .unwrap();
    settle(&app).await;
    let read = app.get(&format!("/api/v1/payouts/{waiting}"), Some(DEMO_KEY)).await.json();
    assert_eq!(read["data"]["status"], "cancelled", "{read}");
    assert_eq!(read["data"]["approval"], "rejected");
    let history = read["data"]["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["reason"], "refusé par bob@boutique.sn", "{read}");
    assert_eq!(book::count_for_handle(&app.state.pool, "wave", &handle).await.unwrap(), 0);
    let again = app
        .state
        .payouts
        .decide(merchant, dalal::domain::Mode::Test, &waiting, ("usr_bob", "bob@boutique.sn"), true)
        .await;
    assert!(matches!(again, Err(PayoutError::NothingToApprove)), "{again:?}");
}
