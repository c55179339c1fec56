//! Card payments in the sandbox: created through either dialect, paid with the test cards on the
//! checkout page's core call, 3-D Secure on the sandbox bank's page over real HTTP.

use crate::helpers::*;
use crate::sahelpay::BEARER;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_numbers_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("dalal.log");
    let port = free_port();
    let mut dalal = dalal_command(dir.path(), port)
        .env("RUST_LOG", "trace")
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    wait_healthy(&client, &base).await;

    let created: Value = client
        .post(format!("{base}/v1/payments"))
        .header("Authorization", BEARER)
        .json(
            &json!({"amount": 15000, "payment_method": "CARD", "customer_name": "Awa Ndiaye",
            "customer_email": "awa@example.com", "return_url": "https://boutique.example/retour"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token_of(&created["data"]);
    // What the card form posts: a mistyped number, a declined card, then a good one.
    let numbers = [
        "4242 4242 4242 4241",
        "4000 0000 0000 0002",
        "4000 0000 0000 3220",
        "4242 4242 4242 4242",
    ];
    for number in numbers {
        let reply = client
            .post(format!("{base}/rpc/pay_card"))
            .header("Origin", &base)
            .form(&[
                ("token", token.as_str()),
                ("country", "SN"),
                ("number", number),
                ("expiry", "12/40"),
                ("cvc", "987"),
                ("holder", "Awa Ndiaye"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200, "{}", reply.text().await.unwrap());
    }
    let status: Value = client
        .get(format!(
            "{base}/v1/payments/{}",
            created["data"]["id"].as_str().unwrap()
        ))
        .header("Authorization", BEARER)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    dalal.kill().unwrap();
    dalal.wait().unwrap();
    // The 3-D Secure card is still waiting for its bank: the good card could not start.
    assert_eq!(status["data"]["status"], "PROCESSING", "{status}");

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("/rpc/pay_card"),
        "the requests were logged:\n{log}"
    );
    for number in numbers {
        let digits: String = number.split_whitespace().collect();
        assert!(!log.contains(number), "{number} was logged");
        assert!(!log.contains(&digits), "{digits} was logged");
    }
}
