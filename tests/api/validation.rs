//! Every kind of bad input gets a 4xx with a French message in the seed's error shape; none
//! reaches a 5xx.

use crate::helpers::*;
use serde_json::{Value, json};

/// (what to change in the seed's direct example, expected status, part of the message)
fn direct_cases() -> Vec<(&'static str, Value, u16, &'static str)> {
    vec![
        ("type", json!("refund"), 400, "direct ou checkout"),
        ("type", json!(null), 400, "« type » est requis"),
        ("amount", json!(99), 400, "supérieur ou égal à 100 XOF"),
        (
            "amount",
            json!(5_000_001),
            400,
            "ne doit pas dépasser 5 000 000 XOF",
        ),
        ("amount", json!(0), 400, "entier positif"),
        ("amount", json!(-100), 400, "entier positif"),
        ("amount", json!(1000.5), 400, "nombre entier"),
        ("amount", json!("10000"), 400, "doit être un nombre"),
        ("amount", json!(1e300), 400, "nombre entier"),
        ("amount", json!(null), 400, "« amount » est requis"),
        (
            "externalReference",
            json!(""),
            400,
            "« externalReference » est requis",
        ),
        (
            "externalReference",
            json!("x".repeat(300)),
            400,
            "255 caractères",
        ),
        ("externalReference", json!(42), 400, "chaîne de caractères"),
        ("provider", json!("paypal"), 400, "Provider non disponible"),
        (
            "provider",
            json!("mtn_momo"),
            400,
            "MTN MoMo n'est pas disponible au Sénégal",
        ),
        ("provider", json!(null), 400, "« provider » est requis"),
        ("country", json!("FR"), 400, "Pays non pris en charge"),
        ("country", json!(null), 400, "« country » est requis"),
        ("currency", json!("EUR"), 400, "Devise non prise en charge"),
        (
            "currency",
            json!("XAF"),
            400,
            "La devise XAF n'est pas acceptée au Sénégal",
        ),
        (
            "customerPhone",
            json!("+2250701234567"),
            400,
            "pas un numéro mobile valide au Sénégal",
        ),
        (
            "customerPhone",
            json!("12"),
            400,
            "pas un numéro mobile valide",
        ),
        (
            "customerPhone",
            json!("+221 abc"),
            400,
            "pas un numéro mobile valide",
        ),
        (
            "customerPhone",
            json!(null),
            400,
            "« customerPhone » est requis",
        ),
        (
            "customerEmail",
            json!("amadou"),
            400,
            "Adresse e-mail invalide",
        ),
        (
            "customerName",
            json!("x".repeat(201)),
            400,
            "200 caractères",
        ),
        ("description", json!(["a"]), 400, "chaîne de caractères"),
        (
            "returnUrl",
            json!("javascript:alert(1)"),
            400,
            "« returnUrl » doit être une URL",
        ),
        (
            "cancelUrl",
            json!("ftp://example.com"),
            400,
            "« cancelUrl » doit être une URL",
        ),
        (
            "callbackUrl",
            json!("/webhooks"),
            400,
            "« callbackUrl » doit être une URL",
        ),
        (
            "returnUrl",
            json!(format!("https://x.com/{}", "a".repeat(3000))),
            400,
            "2048",
        ),
        (
            "metadata",
            json!("orderId=1"),
            400,
            "« metadata » doit être un objet",
        ),
        (
            "metadata",
            json!({"blob": "x".repeat(20_000)}),
            400,
            "16 Ko",
        ),
    ]
}

#[tokio::test]
async fn a_validation_matrix_of_bad_fields() {
    let app = spawn_app().await;
    for (field, value, status, message) in direct_cases() {
        let mut body = seed_direct_body();
        body[field] = value.clone();
        let reply = app.initiate(&body).await;
        assert_eq!(reply.status, status, "{field} = {value}: {}", reply.text);
        let got = reply.error_message();
        assert!(
            got.contains(message),
            "{field} = {value}: expected «{message}» in «{got}»"
        );
    }
    assert_eq!(
        app.count_payments().await,
        0,
        "no bad request created a payment"
    );
}

#[tokio::test]
async fn checkout_payments_validate_their_optional_fields_too() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"country": "CI", "customerPhone": "+221771234567"}),
            "pas un numéro mobile valide en Côte d'Ivoire",
        ),
        (
            json!({"customerPhone": "+33612345678"}),
            "pays servi par Dalal",
        ),
        (json!({"country": "CM", "currency": "XOF"}), "au Cameroun"),
        (json!({"amount": 50}), "supérieur ou égal à 100"),
        (json!({"provider": "bitcoin"}), "Provider non disponible"),
    ];
    for (patch, message) in cases {
        let mut body = seed_checkout_body();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let reply = app.initiate(&body).await;
        assert_eq!(reply.status, 400, "{patch}: {}", reply.text);
        let got = reply.error_message();
        assert!(
            got.contains(message),
            "{patch}: expected «{message}» in «{got}»"
        );
    }
    // A checkout payment with a country and a matching phone is fine; so is GNF in Guinea.
    let mut ok = seed_checkout_body();
    ok["country"] = json!("CI");
    ok["customerPhone"] = json!("+2250701234567");
    assert_eq!(app.initiate(&ok).await.status, 201);
    let mut gn = seed_checkout_body();
    gn["country"] = json!("GN");
    gn["currency"] = json!("GNF");
    gn["amount"] = json!(150_000);
    assert_eq!(app.initiate(&gn).await.status, 201);
}

#[tokio::test]
async fn malformed_bodies_get_a_4xx_never_a_5xx() {
    let app = spawn_app().await;
    let huge = format!(
        r#"{{"type":"checkout","amount":1000,"externalReference":"A","description":"{}"}}"#,
        "x".repeat(100_000)
    );
    let bodies: Vec<(Vec<u8>, u16)> = vec![
        (b"".to_vec(), 400),
        (b"{".to_vec(), 400),
        (b"not json".to_vec(), 400),
        (b"[]".to_vec(), 400),
        (b"\"checkout\"".to_vec(), 400),
        (b"null".to_vec(), 400),
        (b"{}".to_vec(), 400),
        (b"{\"type\":\"checkout\",\"type\":\"direct\"}".to_vec(), 400),
        (vec![0xff, 0xfe, 0x00, 0x7b], 400),
        (b"{\"type\":\"checkout\",\"amount\":1e999,\"externalReference\":\"A\"}".to_vec(), 400),
        (b"{\"type\":\"checkout\",\"amount\":100000000000000000000000,\"externalReference\":\"A\"}".to_vec(), 400),
        (format!("{}1{}", "[".repeat(200), "]".repeat(200)).into_bytes(), 400),
        (huge.into_bytes(), 413),
    ];
    for (body, status) in bodies {
        let preview = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        let reply = app
            .post_raw("/api/v1/payments/initiate", Some(DEMO_KEY), None, body)
            .await;
        assert_eq!(reply.status, status, "{preview}: {}", reply.text);
        reply.error_message();
    }
    // A non-ASCII idempotency key is refused too.
    let reply = app
        .post_raw(
            "/api/v1/payments/initiate",
            Some(DEMO_KEY),
            Some("a b"),
            seed_checkout_body().to_string(),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.error_message().contains("X-Idempotency-Key"));
    assert_eq!(app.count_payments().await, 0);
}
