//! In-process tests of `listing`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::*;
use dalal::domain::Country;
use serde_json::json;
use crate::listing::{ids, list};

#[tokio::test]
async fn each_filter_narrows_the_list() {
    let app = spawn_app().await;
    let a = app
        .create(json!({"type": "checkout", "amount": 1000, "country": "SN", "externalReference": "LIST-A"}))
        .await;
    app.clock.advance_ms(86_400_000); // the next day
    let b = app
        .create(json!({"type": "checkout", "amount": 2000, "country": "SN", "externalReference": "LIST-B"}))
        .await;
    app.state
        .payments
        .choose_method(&token_of(&b), card_choice(Country::Sn, "4242424242424242"))
        .await
        .unwrap();
    let c = app
        .create(
            json!({"type": "direct", "provider": "wave", "country": "SN", "amount": 3000,
            "customerPhone": "+221771234567", "externalReference": "LIST-C"}),
        )
        .await;
    let first_day = a["createdAt"].as_str().unwrap()[..10].to_owned();
    let [a, b, c] = [&a, &b, &c].map(|d| d["transactionId"].as_str().unwrap().to_owned());

    assert_eq!(
        ids(&list(&app, "").await),
        vec![c.as_str(), b.as_str(), a.as_str()],
        "newest first"
    );
    assert_eq!(
        ids(&list(&app, "?status=succeeded").await),
        vec![b.as_str()]
    );
    assert_eq!(
        ids(&list(&app, "?status=pending").await),
        vec![c.as_str(), a.as_str()]
    );
    assert_eq!(ids(&list(&app, "?method=card").await), vec![b.as_str()]);
    assert_eq!(ids(&list(&app, "?method=wave").await), vec![c.as_str()]);
    assert_eq!(
        ids(&list(&app, "?externalReference=LIST-A").await),
        vec![a.as_str()]
    );
    assert_eq!(
        ids(&list(&app, &format!("?createdTo={first_day}")).await),
        vec![a.as_str()]
    );
    assert_eq!(
        ids(&list(&app, &format!("?createdFrom={first_day}T23:59:59Z")).await),
        vec![c.as_str(), b.as_str()]
    );
    // Another merchant sees none of these.
    let (other, _) = app.other_merchant().await;
    let theirs = app.get("/api/v1/payments", Some(&other)).await.json();
    assert_eq!(theirs["data"].as_array().unwrap().len(), 0);
    // Bad parameters are explained.
    for bad in [
        "?status=paid",
        "?method=paypal",
        "?limit=0",
        "?limit=500",
        "?createdFrom=hier",
        "?startingAfter=42x",
    ] {
        let reply = app
            .get(&format!("/api/v1/payments{bad}"), Some(DEMO_KEY))
            .await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text);
    }
}
