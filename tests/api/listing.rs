//! Listing a merchant's payments: filters, keyset pagination, both dialects.

use crate::helpers::*;
use crate::sahelpay::BEARER;
use serde_json::{Value, json};
use std::collections::HashSet;

pub(crate) async fn list(app: &TestApp, query: &str) -> Value {
    let reply = app
        .get(&format!("/api/v1/payments{query}"), Some(DEMO_KEY))
        .await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.text);
    reply.json()
}

pub(crate) fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["transactionId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_neither_repeat_nor_skip_while_payments_are_created() {
    let app = spawn_app().await;
    let mut created = Vec::new();
    for i in 0..25 {
        let data = app
            .create(json!({"type": "checkout", "amount": 1000 + i, "externalReference": format!("PAGE-{i}")}))
            .await;
        created.push(data["transactionId"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = list(&app, &format!("?limit=10{cursor}")).await;
        seen.extend(ids(&page));
        // A payment created between two pages belongs to the newer end, never in a later page.
        app.create(json!({"type": "checkout", "amount": 500, "externalReference": "LATE"}))
            .await;
        if page["pagination"]["hasMore"] == false {
            assert!(page["pagination"]["nextStartingAfter"].is_null());
            break;
        }
        let next = page["pagination"]["nextStartingAfter"].as_str().unwrap();
        assert_eq!(next, seen.last().unwrap());
        cursor = format!("&startingAfter={next}");
    }
    created.reverse();
    assert_eq!(seen, created, "every payment once, newest first");
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len());
}

#[tokio::test]
async fn sahelpay_lists_in_its_own_words() {
    let app = spawn_app().await;
    let body = json!({"amount": 2500, "payment_method": "WAVE", "country": "SN",
        "customer_phone": "+221771234567", "return_url": "https://shop.example/retour", "client_reference": "sp-1"});
    let created = app.sahel_post(Some(BEARER), None, body.to_string()).await;
    assert_eq!(created.status, 201, "{}", created.text);
    app.create(json!({"type": "checkout", "amount": 1000, "externalReference": "CF-1"}))
        .await;
    let get = |query: &'static str| {
        let app = &app;
        async move {
            let reply = app
                .client
                .get(format!("{}/v1/payments{query}", app.address))
                .header("Authorization", BEARER)
                .send()
                .await
                .unwrap();
            assert_eq!(reply.status().as_u16(), 200);
            reply.json::<Value>().await.unwrap()
        }
    };
    let all = get("?limit=1").await;
    assert_eq!(all["data"].as_array().unwrap().len(), 1);
    assert_eq!(all["pagination"]["has_more"], true);
    assert!(
        all["pagination"]["next_starting_after"]
            .as_str()
            .unwrap()
            .starts_with("txn_")
    );
    let waves = get("?payment_method=WAVE&status=PENDING").await;
    assert_eq!(waves["data"].as_array().unwrap().len(), 1);
    assert_eq!(waves["data"][0]["client_reference"], "sp-1");
    assert_eq!(waves["data"][0]["status"], "PENDING");
    let by_ref = get("?client_reference=CF-1").await;
    assert_eq!(by_ref["data"][0]["client_reference"], "CF-1");
    let bad = app
        .client
        .get(format!("{}/v1/payments?status=nope", app.address))
        .header("Authorization", BEARER)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["error"]["code"], "INVALID_QUERY");
}
