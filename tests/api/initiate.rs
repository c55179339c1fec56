use crate::helpers::*;
use serde_json::json;

fn is_iso_millis(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok() && s.len() == 24 && s.ends_with('Z')
}

#[tokio::test]
async fn the_seed_direct_example_runs_as_written() {
    let app = spawn_app().await;
    let reply = app
        .post_raw(
            "/api/v1/payments/initiate",
            Some(DEMO_KEY),
            Some("COMMANDE-12345"),
            seed_direct_body().to_string(),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["success"], true);
    let data = &body["data"];

    let id = data["transactionId"].as_str().unwrap();
    assert!(
        id.len() == 11 && id.starts_with("TX") && id[2..].bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );
    assert_eq!(data["status"], "pending");
    assert_eq!(data["type"], "collect");
    assert_eq!(data["amount"], 10000);
    assert_eq!(data["currency"], "XOF");
    assert_eq!(data["paymentMethod"]["code"], "wave");
    assert_eq!(data["paymentMethod"]["name"], "Wave");
    assert_eq!(
        data["paymentMethod"]["logoUrl"],
        format!("{}/logos/wave.svg", app.address)
    );
    assert_eq!(data["country"], "SN");
    assert_eq!(data["externalReference"], "COMMANDE-12345");
    assert_eq!(
        data["metadata"],
        json!({"orderId": "12345", "customerType": "premium"})
    );

    // The checkout page lives under an unguessable token (256 bits), never the sequential id.
    let redirect = data["redirectUrl"].as_str().unwrap();
    assert!(
        redirect.starts_with(&format!("{}/pay/", app.address)),
        "{redirect}"
    );
    let token = token_of(data);
    assert!(token.len() >= 43 && !token.contains(id), "{token}");

    let (created, expires) = (
        data["createdAt"].as_str().unwrap(),
        data["expiresAt"].as_str().unwrap(),
    );
    assert!(
        is_iso_millis(created) && is_iso_millis(expires),
        "{created} {expires}"
    );
    let minutes = (chrono::DateTime::parse_from_rfc3339(expires).unwrap()
        - chrono::DateTime::parse_from_rfc3339(created).unwrap())
    .num_minutes();
    assert_eq!(minutes, 30);

    // A direct Wave payment carries its QR code and deep link; in test mode both open the
    // sandbox phone page of a Wave-like `cos-…` checkout session.
    // The QR code is a link to a small PNG image that never changes.
    let qr = data["qrCode"].as_str().unwrap();
    assert!(
        qr.starts_with(&format!("{}/qr/att_", app.address)) && qr.ends_with(".png"),
        "{qr}"
    );
    let body_bytes = serde_json::to_string(&data).unwrap().len();
    assert!(
        body_bytes <= 2_048,
        "the whole answer stays under 2 KB: {body_bytes} bytes"
    );
    let image = app.client.get(qr).send().await.unwrap();
    assert_eq!(image.status(), 200);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(
        image.headers()["cache-control"],
        "public, max-age=86400, immutable"
    );
    let png = image.bytes().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(png.len() < 1_200, "a compact QR code: {} bytes", png.len());
    let unknown = app
        .client
        .get(format!("{}/qr/att_unknown.png", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let wave_link = data["deepLinks"]["wave"].as_str().unwrap();
    assert!(
        wave_link.starts_with(&format!("{}/sandbox/phone/cos-", app.address)),
        "{wave_link}"
    );
    let phone_page = app.client.get(wave_link).send().await.unwrap();
    assert_eq!(phone_page.status(), 200);
    assert!(
        phone_page
            .text()
            .await
            .unwrap()
            .contains("10\u{202f}000 XOF")
    );
}

#[tokio::test]
async fn the_seed_checkout_example_runs_as_written() {
    let app = spawn_app().await;
    let reply = app.initiate(&seed_checkout_body()).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["success"], true);
    let data = &body["data"];
    assert_eq!(data["status"], "pending");
    assert_eq!(data["type"], "collect");
    assert_eq!(data["amount"], 25000);
    assert_eq!(data["currency"], "XOF");
    assert_eq!(data["paymentMethod"], serde_json::Value::Null);
    assert_eq!(data["country"], serde_json::Value::Null);
    assert_eq!(data["externalReference"], "PANIER-67890");
    assert_eq!(data["metadata"], serde_json::Value::Null);
    assert_eq!(data["qrCode"], serde_json::Value::Null);
    assert_eq!(data["deepLinks"], serde_json::Value::Null);

    // The redirect URL serves the checkout page, server-rendered with the amount.
    let page = app
        .client
        .get(data["redirectUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("25\u{202f}000\u{a0}FCFA"), "{html}");
    assert!(html.contains("Boutique Démo Dalal"));
    assert!(html.contains("PANIER-67890"));
}

#[tokio::test]
async fn metadata_is_kept_verbatim() {
    let app = spawn_app().await;
    let raw = r#"{"type":"checkout","amount":1500,"externalReference":"R-1","metadata":{ "z": 1, "a": [true, null, 1.50], "nested": {"b": "é"} }}"#;
    let reply = app
        .post_raw("/api/v1/payments/initiate", Some(DEMO_KEY), None, raw)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert!(
        reply
            .text
            .contains(r#""metadata":{ "z": 1, "a": [true, null, 1.50], "nested": {"b": "é"} }"#),
        "{}",
        reply.text
    );
    let id = reply.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let get = app
        .get(&format!("/api/v1/payments/{id}"), Some(DEMO_KEY))
        .await;
    assert!(
        get.text
            .contains(r#""metadata":{ "z": 1, "a": [true, null, 1.50], "nested": {"b": "é"} }"#),
        "{}",
        get.text
    );
}

#[tokio::test]
async fn get_returns_the_payment_in_the_initiate_shape() {
    let app = spawn_app().await;
    let reply = app.initiate(&seed_direct_body()).await;
    let created = reply.json();
    let id = created["data"]["transactionId"].as_str().unwrap();
    let got = app
        .get(&format!("/api/v1/payments/{id}"), Some(DEMO_KEY))
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json(), created);

    for missing in ["TX999999999", "TX000000000", "nope", "1"] {
        let reply = app
            .get(&format!("/api/v1/payments/{missing}"), Some(DEMO_KEY))
            .await;
        assert_eq!(reply.status, 404, "{missing}");
        assert!(reply.error_message().contains("introuvable"));
    }
}

#[tokio::test]
async fn a_provider_down_at_initiation_creates_nothing() {
    // Wave sees the customer's number (which picks the sandbox's outcome) when sessions are
    // restricted to it.
    let app = spawn_app_with(&[("providers.wave.restrict_payer_mobile", "true")]).await;
    let mut body = seed_direct_body();
    body["customerPhone"] = json!("+221771234504"); // sandbox: provider down
    let reply = app.initiate_with_key(DEMO_KEY, Some("DOWN-1"), &body).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert!(
        reply
            .error_message()
            .contains("Wave est temporairement indisponible")
    );
    assert_eq!(reply.headers["retry-after"], "30");
    assert_eq!(app.count_payments().await, 0);
    // The key was released: the same request may be retried.
    let again = app.initiate_with_key(DEMO_KEY, Some("DOWN-1"), &body).await;
    assert_eq!(again.status, 503);
}
