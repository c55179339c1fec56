use crate::helpers::*;
use serde_json::Value;

fn codes(data: &Value) -> Vec<String> {
    data.as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn providers_are_listed_by_country_with_limits() {
    let app = spawn_app().await;
    let all = app.get("/api/v1/payments/providers", None).await;
    assert_eq!(all.status, 200);
    assert_eq!(
        codes(&all.json()["data"]),
        [
            "wave",
            "orange_money",
            "free_money",
            "mtn_momo",
            "moov_money",
            "card"
        ]
    );

    let sn = app
        .get("/api/v1/payments/providers?country=SN&amount=10000", None)
        .await
        .json();
    assert_eq!(sn["success"], true);
    assert_eq!(
        codes(&sn["data"]),
        ["wave", "orange_money", "free_money", "card"]
    );
    let wave = &sn["data"][0];
    assert_eq!(wave["name"], "Wave");
    assert_eq!(wave["logoUrl"], format!("{}/logos/wave.svg", app.address));
    assert_eq!(
        wave["countries"],
        serde_json::json!(["SN", "CI", "ML", "BF"])
    );
    assert_eq!(wave["currency"], "XOF");
    assert_eq!(wave["minAmount"], 100);
    assert_eq!(wave["maxAmount"], 5_000_000);
    assert_eq!(wave["confirmation"], "qr_code");
    assert_eq!(wave["available"], true);

    let cm = app
        .get("/api/v1/payments/providers?country=CM", None)
        .await
        .json();
    assert_eq!(codes(&cm["data"]), ["orange_money", "mtn_momo", "card"]);
    assert_eq!(cm["data"][0]["currency"], "XAF");
    assert_eq!(cm["data"][2]["name"], "Carte bancaire");
    assert_eq!(cm["data"][2]["confirmation"], "card");

    let small = app
        .get("/api/v1/payments/providers?country=SN&amount=50", None)
        .await
        .json();
    assert!(
        small["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["available"] == false)
    );
    assert!(
        small["data"][0]["unavailableReason"]
            .as_str()
            .unwrap()
            .contains("100 XOF")
    );
}

#[tokio::test]
async fn provider_filters_are_validated() {
    let app = spawn_app().await;
    for query in [
        "country=XX",
        "country=sn",
        "amount=abc",
        "amount=-5",
        "amount=1.5",
        "currency=EUR",
    ] {
        let reply = app
            .get(&format!("/api/v1/payments/providers?{query}"), None)
            .await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.text);
        reply.error_message();
    }
}
