//! Payouts through the API, the core's worker and the providers' emulators (on SQLite and on
//! PostgreSQL): sent once per handle whatever is lost or retried, each provider's failure word
//! in Dalal's words, limits and balances refused before anything is sent, and two instances that
//! ask about the same payouts pay each once.

use crate::helpers::*;
use dalal::sandbox::payouts as book;
use serde_json::{Value, json};

const PAYOUTS: &str = "/api/v1/payouts";

fn wave_payout(phone: &str, amount: i64) -> Value {
    json!({"amount": amount, "country": "SN", "provider": "wave", "recipientPhone": phone,
        "recipientName": "Awa Ndiaye", "reason": "Ventes de novembre", "externalReference": "VENDEUR-7",
        "metadata": {"seller": 7}})
}

async fn pay_out(app: &TestApp, body: &Value, key: Option<&str>) -> Reply {
    app.post_raw(PAYOUTS, Some(DEMO_KEY), key, body.to_string()).await
}

/// What the emulated provider holds under a payout's handle.
async fn held(app: &TestApp, provider: &str, payout_id: &str) -> i64 {
    let row = dalal::db::payouts::find(&app.state.pool, payout_id)
        .await
        .unwrap()
        .expect("the payout");
    book::count_for_handle(&app.state.pool, provider, &row.handle)
        .await
        .unwrap()
}

async fn payout_events(app: &TestApp, payout_id: &str, kind: &str) -> i64 {
    let (n,): (i64,) = dalal::on!(&app.state.pool, |e| sqlx::query_as(
        "SELECT COUNT(*) FROM webhook_events WHERE payout_id = $1 AND type = $2"
    )
    .bind(payout_id)
    .bind(kind)
    .fetch_one(e)
    .await)
    .unwrap();
    n
}

/// Runs the payout worker's pass once the next check is due.
async fn check(app: &TestApp) {
    app.clock.advance_ms(5 * 60 * 1000);
    app.state.payouts.check_due().await.unwrap();
}

#[tokio::test]
async fn a_wave_payout_is_sent_once_succeeds_with_its_fee_and_replays_under_its_key() {
    let app = spawn_app().await;
    let body = wave_payout("+221771234567", 10_000);
    let reply = pay_out(&app, &body, Some("payout-1")).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let data = reply.json()["data"].clone();
    assert_eq!(data["status"], "succeeded", "{data}");
    assert_eq!(data["fee"], 100, "Wave's fee, as it answered");
    assert!(data["providerReference"].as_str().unwrap().starts_with("pt-"));
    assert_eq!(data["metadata"], json!({"seller": 7}));
    let id = data["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("po_"));

    // The same key and body: the same payout, nothing sent again.
    let again = pay_out(&app, &body, Some("payout-1")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.json()["data"]["id"], id.as_str());
    assert_eq!(held(&app, "wave", &id).await, 1);
    // The same key for another payout is refused.
    let other = pay_out(&app, &wave_payout("+221771234567", 20_000), Some("payout-1")).await;
    assert_eq!(other.status, 422);
    assert!(other.error_message().contains("idempotence"), "{}", other.text);

    let read = app.get(&format!("{PAYOUTS}/{id}"), Some(DEMO_KEY)).await;
    assert_eq!(read.status, 200);
    let history: Vec<String> = read.json()["data"]["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["to"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(history, ["pending", "processing", "succeeded"]);
    assert_eq!(payout_events(&app, &id, "payout.succeeded").await, 1);
    // Finished: it cannot be cancelled.
    let cancel = app
        .post_raw(&format!("{PAYOUTS}/{id}/cancel"), Some(DEMO_KEY), None, "")
        .await;
    assert_eq!(cancel.status, 409, "{}", cancel.text);
}

#[tokio::test]
async fn each_wave_refusal_reads_as_dalals_word_in_french() {
    let app = spawn_app().await;
    for (phone, code, words) in [
        ("+221771234501", "insufficient-funds", "Solde insuffisant"),
        ("+221771234502", "recipient-blocked", "bloqué"),
        ("+221771234506", "recipient-limit", "plafond"),
        ("+221771234507", "recipient-blocked", "bloqué"),
    ] {
        let reply = pay_out(&app, &wave_payout(phone, 5_000), None).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let data = &reply.json()["data"];
        assert_eq!(data["status"], "failed", "{phone}: {data}");
        assert_eq!(data["failureCode"], code, "{phone}");
        assert!(data["failureMessage"].as_str().unwrap().contains(words), "{data}");
        assert_eq!(payout_events(&app, data["id"].as_str().unwrap(), "payout.failed").await, 1);
    }
    // Stuck at Wave: processing, and still so after the worker asked.
    let reply = pay_out(&app, &wave_payout("+221771234503", 5_000), None).await;
    let id = reply.json()["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(reply.json()["data"]["status"], "processing");
    check(&app).await;
    let read = app.get(&format!("{PAYOUTS}/{id}"), Some(DEMO_KEY)).await;
    assert_eq!(read.json()["data"]["status"], "processing");
}

#[tokio::test]
async fn a_lost_answer_is_read_back_by_reference_and_never_paid_twice() {
    let app = spawn_app_with(&[("sandbox.connector_timeout_ms", "300")]).await;
    let reply = pay_out(&app, &wave_payout("+221771234505", 7_000), Some("lost-1")).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let data = reply.json()["data"].clone();
    assert_eq!(data["status"], "processing", "an unknown outcome is never a failure: {data}");
    let id = data["id"].as_str().unwrap().to_owned();
    assert_eq!(held(&app, "wave", &id).await, 1, "Wave took it");

    check(&app).await;
    let read = app.get(&format!("{PAYOUTS}/{id}"), Some(DEMO_KEY)).await;
    assert_eq!(read.json()["data"]["status"], "succeeded", "{}", read.text);
    assert_eq!(held(&app, "wave", &id).await, 1, "found by its client reference, not sent again");
    assert_eq!(payout_events(&app, &id, "payout.succeeded").await, 1);
}

/// A status read that cannot reach the provider says nothing of a send whose answer was lost:
/// the payout stays `processing` (it may have paid), never back to `pending` to be sent again.
#[tokio::test]
async fn a_lost_answer_stays_processing_while_the_provider_cannot_be_asked() {
    let app = spawn_app_with(&[("sandbox.connector_timeout_ms", "300")]).await;
    let reply = pay_out(&app, &wave_payout("+221771234505", 7_000), Some("lost-2")).await;
    let id = reply.json()["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(reply.json()["data"]["status"], "processing", "{}", reply.text);
    // Another instance whose emulators cannot be reached (a closed port) asks about it.
    let cut_off = spawn_app_sharing(&app, &[("sandbox.providers_url", "http://127.0.0.1:9")]).await;
    check(&cut_off).await;
    let read = app.get(&format!("{PAYOUTS}/{id}"), Some(DEMO_KEY)).await;
    assert_eq!(read.json()["data"]["status"], "processing", "{}", read.text);
    // Once Wave answers (past the next check the cut-off instance set): found by its
    // reference, paid once.
    app.clock.advance_ms(30 * 60 * 1000);
    check(&app).await;
    let read = app.get(&format!("{PAYOUTS}/{id}"), Some(DEMO_KEY)).await;
    assert_eq!(read.json()["data"]["status"], "succeeded", "{}", read.text);
    assert_eq!(held(&app, "wave", &id).await, 1, "never sent twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payouts_never_sent_are_sent_once_by_two_instances_asking_at_once() {
    // The first instance finds Wave down: its payouts are out, their outcome unknown.
    let down = spawn_app_with(&[("sandbox.down_gateways", "wave_direct")]).await;
    let mut ids = Vec::new();
    for n in 0..8 {
        let reply = pay_out(&down, &wave_payout("+221771234567", 1_000 + n), None).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        // Nothing reached Wave: the payout waits to be sent again, with the same handle.
        assert_eq!(reply.json()["data"]["status"], "pending", "{}", reply.text);
        ids.push(reply.json()["data"]["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        assert_eq!(held(&down, "wave", id).await, 0, "nothing reached Wave");
    }
    // Two healthy instances ask about them at the same moment.
    let a = spawn_app_sharing(&down, &[]).await;
    let b = spawn_app_sharing(&down, &[]).await;
    a.clock.advance_ms(60_000);
    b.clock.advance_ms(60_000);
    let first = dalal::db::payouts::find(&a.state.pool, &ids[0]).await.unwrap().unwrap();
    let history = dalal::db::payouts::transitions(&a.state.pool, &ids[0]).await.unwrap();
    assert!(history.iter().any(|h| h.reason.contains("injoignable")), "{history:?}");
    assert!(first.sent_at.is_some());
    let (ra, rb) = tokio::join!(a.state.payouts.check_due(), b.state.payouts.check_due());
    ra.unwrap();
    rb.unwrap();
    for id in &ids {
        assert_eq!(held(&a, "wave", id).await, 1, "{id} paid once");
        let read = a.get(&format!("{PAYOUTS}/{id}"), Some(DEMO_KEY)).await;
        assert_eq!(read.json()["data"]["status"], "succeeded", "{}", read.text);
        assert_eq!(payout_events(&a, id, "payout.succeeded").await, 1);
    }
}

#[tokio::test]
async fn limits_and_the_balance_refuse_a_payout_before_anything_is_sent() {
    let app = spawn_app_with(&[
        ("payouts.max_amount", "2000000"),
        ("payouts.daily_limit", "4100000"),
    ])
    .await;
    let over = pay_out(&app, &wave_payout("+221771234567", 2_000_001), None).await;
    assert_eq!(over.status, 422);
    assert!(over.error_message().contains("ne peut pas dépasser 2\u{202f}000\u{202f}000"), "{}", over.text);

    // 5 000 000 FCFA in the sandbox wallet: two payouts of 2 000 000 and their fees leave 3 960 000
    // spent, so 1 500 000 more is over the balance.
    for _ in 0..2 {
        let reply = pay_out(&app, &wave_payout("+221771234567", 2_000_000), None).await;
        assert_eq!(reply.json()["data"]["status"], "succeeded", "{}", reply.text);
    }
    let balance = app.get("/api/v1/balances", Some(DEMO_KEY)).await;
    assert_eq!(balance.status, 200, "{}", balance.text);
    let wave_sn = balance.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["provider"] == "wave" && b["country"] == "SN")
        .cloned()
        .expect("Wave's Senegal wallet");
    assert_eq!(wave_sn["available"], 5_000_000 - 4_040_000, "{wave_sn}");

    let reply = pay_out(&app, &wave_payout("+221771234567", 1_500_000), None).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.error_message().contains("960\u{202f}000"), "the balance in the message: {}", reply.text);
    // Within the balance, but over the day's limit.
    let reply = pay_out(&app, &wave_payout("+221771234567", 200_000), None).await;
    assert_eq!(reply.status, 422);
    assert!(reply.error_message().contains("Plafond journalier"), "{}", reply.text);
    // The next day counts afresh.
    app.clock.advance_ms(24 * 60 * 60 * 1000 + 1);
    let reply = pay_out(&app, &wave_payout("+221771234567", 200_000), None).await;
    assert_eq!(reply.json()["data"]["status"], "succeeded", "{}", reply.text);
}

#[tokio::test]
async fn bad_requests_get_a_clear_french_error() {
    let app = spawn_app().await;
    for (body, status, words) in [
        (json!({"amount": 5000, "country": "SN", "provider": "wave", "recipientPhone": "+22177"}), 400, "n'est pas un numéro mobile valide"),
        (json!({"amount": 5000, "country": "SN", "provider": "wave"}), 400, "« recipientPhone » est requis"),
        (json!({"amount": 5000, "country": "SN", "provider": "card", "recipientPhone": "+221771234567"}), 400, "portefeuille mobile"),
        (json!({"amount": -5, "country": "SN", "provider": "wave", "recipientPhone": "+221771234567"}), 400, "montant"),
        (json!({"amount": 5000, "country": "CM", "provider": "wave", "recipientPhone": "+237671234567"}), 422, "Wave ne peut pas envoyer de paiement sortant"),
        (json!({"amount": 5000, "country": "SN", "currency": "XAF", "provider": "wave", "recipientPhone": "+221771234567"}), 400, "devise"),
    ] {
        let reply = pay_out(&app, &body, None).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.text);
        assert!(reply.error_message().contains(words), "{body}: {}", reply.text);
    }
}

#[tokio::test]
async fn sahelpay_pays_out_in_its_own_spelling_and_both_list_by_pages() {
    let app = spawn_app().await;
    let secret = DEMO_KEY.split_once(':').unwrap().1;
    let response = app
        .client
        .post(format!("{}/v1/payouts", app.address))
        .bearer_auth(secret)
        .json(&json!({"amount": 3000, "country": "SN", "payment_method": "WAVE",
            "recipient_phone": "+221771234567", "external_reference": "SP-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["status"], "SUCCEEDED", "{body}");
    assert_eq!(body["data"]["payment_method"], "WAVE");
    assert_eq!(body["data"]["recipient_phone"], "+221771234567");
    // Payouts of one millisecond are in id order; these are a millisecond apart.
    for n in 0..2 {
        app.clock.advance_ms(1);
        pay_out(&app, &wave_payout("+221771234567", 1_000 + n), None).await;
    }
    let first = app.get(&format!("{PAYOUTS}?limit=2"), Some(DEMO_KEY)).await.json();
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    assert_eq!(first["pagination"]["hasMore"], true);
    let after = first["pagination"]["nextStartingAfter"].as_str().unwrap();
    let second = app
        .get(&format!("{PAYOUTS}?limit=2&startingAfter={after}"), Some(DEMO_KEY))
        .await
        .json();
    assert_eq!(second["data"].as_array().unwrap().len(), 1);
    assert_eq!(second["data"][0]["externalReference"], "SP-1");
    assert_eq!(second["pagination"]["hasMore"], false);
    let sahel: Value = app
        .client
        .get(format!("{}/v1/payouts?status=SUCCEEDED", app.address))
        .bearer_auth(secret)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(sahel["data"].as_array().unwrap().len(), 3, "{sahel}");
    assert_eq!(sahel["pagination"]["has_more"], false);
}
