//! pawaPay's contract as fixtures (`tests/contracts/pawapay/`, written from PROVIDERS.md): every
//! answer fed to Dalal's pawaPay connector by a stand-in server, as `contracts.rs` does for the
//! other providers.

use super::contracts::{
    Answer, Fixture, StandIn, clock, error_word, fixtures, just_now, outcome_word, request, xof,
};
use dalal::config::Secret;
use dalal::domain::ProviderCode;
use dalal::providers::pawapay::{PawaPayConnector, transformers};
use dalal::providers::{AttemptRef, HeaderMap, Named, Notification, PaymentProvider};
use serde_json::Value;

const TOKEN: &str = "pawapay_contract_token";

fn pawapay(base: &str) -> PawaPayConnector {
    PawaPayConnector::new(base, Secret::new(TOKEN), ProviderCode::FreeMoney, clock()).unwrap()
}

/// The fixture's answer, with `{deposit}` standing for the deposit id the connector sends.
fn answer_with(fixture: &Fixture, deposit: &str) -> Answer {
    let text = serde_json::to_string(&fixture.body)
        .unwrap()
        .replace("{deposit}", deposit);
    Answer {
        status: fixture.status,
        body: text.into_bytes(),
        delay: None,
    }
}

/// Where a deposit stands when pawaPay's status check answers `body`, asked `started_at_ms`.
async fn status_word(fixture: &Fixture, body: Value, started_at_ms: i64) -> String {
    let server = StandIn::start().await;
    let deposit = body["data"]["depositId"]
        .as_str()
        .unwrap_or("8f2b6c1e-3d4a-4b7c-9e1f-2a3b4c5d6e7f")
        .to_owned();
    server.script(
        "GET",
        &format!("/v2/deposits/{deposit}"),
        [Answer::json(200, body.clone())],
    );
    let (attempt, amount) = match fixture.expect.get("attempt") {
        Some(a) => (a["id"].as_str().unwrap().to_owned(), a["amount"].as_i64().unwrap()),
        None => (
            body["data"]["clientReferenceId"]
                .as_str()
                .unwrap_or("att_7Hq2Lm9Xc4Vb8Nz1Pk5Rt3Wy")
                .to_owned(),
            1000,
        ),
    };
    let asked = AttemptRef {
        attempt_id: &attempt,
        reference: &deposit,
        amount: xof(amount),
        started_at_ms,
    };
    match pawapay(&server.base).fetch_status(&asked).await {
        Ok(status) => outcome_word(&status.outcome),
        Err(err) => error_word(&err),
    }
}

#[tokio::test]
async fn the_pawapay_connector_reads_every_pawapay_fixture() {
    let all = fixtures("pawapay");
    let mut checked = 0;
    for fixture in &all {
        let name = &fixture.name;
        match fixture.kind.as_str() {
            "pawapay.initiation" | "pawapay.error" => {
                let server = StandIn::start().await;
                let sent = request(ProviderCode::FreeMoney, 1000, Some("+221763456789"), None);
                let deposit = transformers::deposit_id(sent.attempt_id.as_str());
                server.script("POST", "/v2/deposits", [answer_with(fixture, &deposit)]);
                let word = match pawapay(&server.base).initiate(&sent).await {
                    Ok(session) if session.customer_asked && session.reference == deposit => {
                        "asked".to_owned()
                    }
                    Ok(session) => format!("not asked ({})", session.reference),
                    Err(err) => error_word(&err),
                };
                assert_eq!(word, fixture.expect["outcome"].as_str().unwrap(), "{name}");
                // What was sent: pawaPay's v2 body, one deposit id however often it was sent.
                let seen = server.seen();
                let posts: Vec<Value> = seen
                    .iter()
                    .filter(|s| s.method == "POST")
                    .map(|s| serde_json::from_slice(&s.body).unwrap())
                    .collect();
                assert!(!posts.is_empty(), "{name}");
                for body in &posts {
                    assert_eq!(body["depositId"], deposit.as_str(), "{name}");
                    assert_eq!(body["amount"], "1000", "{name}: an integer string");
                    assert_eq!(body["currency"], "XOF");
                    assert_eq!(body["payer"]["type"], "MMO");
                    let details = &body["payer"]["accountDetails"];
                    assert_eq!(details["phoneNumber"], "221763456789", "digits, no +");
                    assert_eq!(details["provider"], "FREE_SEN");
                    assert_eq!(body["clientReferenceId"], sent.attempt_id.as_str());
                }
                let auth = seen[0].headers["authorization"].to_str().unwrap();
                assert_eq!(auth, format!("Bearer {TOKEN}"));
                // A 5xx is asked once more with the same id, never more.
                let expected_posts = if fixture.status >= 500 { 2 } else { 1 };
                assert_eq!(posts.len(), expected_posts, "{name}");
            }
            "pawapay.status" => {
                let word = status_word(fixture, fixture.body.clone(), just_now()).await;
                assert_eq!(word, fixture.expect["outcome"].as_str().unwrap(), "{name}");
                if let Some(later) = fixture.expect["after_15_minutes"].as_str() {
                    let long_ago = just_now() - 16 * 60 * 1000;
                    let word = status_word(fixture, fixture.body.clone(), long_ago).await;
                    assert_eq!(word, later, "{name}, 16 minutes on");
                }
            }
            "pawapay.callback" => {
                let body = serde_json::to_vec(&fixture.body).unwrap();
                let reference = fixture.expect["names"]["reference"].as_str().unwrap();
                assert_eq!(
                    pawapay("http://127.0.0.1:9").verify_notification(&HeaderMap::new(), &body, 0),
                    Notification::Unsigned(Named::Reference(reference.to_owned())),
                    "{name}"
                );
                // Then Dalal asks: the status check shows the same deposit.
                let found = serde_json::json!({ "status": "FOUND", "data": fixture.body });
                let word = status_word(fixture, found, just_now()).await;
                assert_eq!(word, fixture.expect["outcome"].as_str().unwrap(), "{name}");
            }
            other => panic!("{name}: unknown kind {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, all.len());
    assert!(checked >= 35, "only {checked} pawaPay fixtures read");
}

/// The connector against Dalal's own pawaPay emulator, over HTTP: a completed deposit, a failed
/// one, and one whose answer is lost (sent again with the same id: taken once).
#[tokio::test]
async fn the_pawapay_connector_and_emulator_agree() {
    use crate::helpers::spawn_app_with;
    use dalal::clock::Clock;
    use dalal::domain::{AttemptId, Country};
    use dalal::providers::{AttemptOutcome, AttemptRequest};
    use dalal::sandbox::emulators::pawapay::API_TOKEN;

    let app = spawn_app_with(&[("sandbox.connector_timeout_ms", "300")]).await;
    let base = format!("{}/sandbox/providers/pawapay", app.address);
    let connector = PawaPayConnector::new(
        &base,
        Secret::new(API_TOKEN),
        ProviderCode::FreeMoney,
        app.clock.clone(),
    )
    .unwrap()
    .with_timeout(std::time::Duration::from_millis(300))
    .unwrap();
    let attempt = |phone: &str| AttemptRequest {
        attempt_id: AttemptId::from_random(&dalal::random::alphanumeric(24)),
        provider: ProviderCode::FreeMoney,
        amount: xof(1000),
        country: Country::Sn,
        phone: Some(dalal::domain::msisdn::Msisdn::from_trusted(phone.to_owned())),
        one_time_code: None,
        card: None,
        return_url: "https://pay.dalal.example/pay/tok".into(),
    };
    let status_of = |request: &AttemptRequest, reference: &str| {
        let connector = &connector;
        let (attempt_id, reference) = (request.attempt_id.as_str().to_owned(), reference.to_owned());
        let started = app.clock.now_ms();
        async move {
            let asked = AttemptRef {
                attempt_id: &attempt_id,
                reference: &reference,
                amount: xof(1000),
                started_at_ms: started,
            };
            connector.fetch_status(&asked).await.unwrap().outcome
        }
    };

    let paid = attempt("+221763456789");
    let session = connector.initiate(&paid).await.unwrap();
    assert!(session.customer_asked);
    assert_eq!(session.reference, transformers::deposit_id(paid.attempt_id.as_str()));
    assert_eq!(status_of(&paid, &session.reference).await, AttemptOutcome::CustomerAsked);

    let declined = attempt("+221763456039");
    let declined_session = connector.initiate(&declined).await.unwrap();

    // `…05`: pawaPay takes the deposit and its answer is lost; the same id goes again and is
    // ignored as a duplicate: one deposit, the attempt open.
    let lost = attempt("+221763456705");
    let lost_session = connector.initiate(&lost).await.unwrap();
    assert_eq!(lost_session.raw_status, "DUPLICATE_IGNORED");

    app.clock.advance_ms(5_000);
    assert_eq!(status_of(&paid, &session.reference).await, AttemptOutcome::Succeeded);
    assert_eq!(
        outcome_word(&status_of(&declined, &declined_session.reference).await),
        "failed:declined"
    );
    assert_eq!(status_of(&lost, &lost_session.reference).await, AttemptOutcome::Succeeded);
    // Another provider's number is refused by pawaPay, and read as the customer's mistake.
    let wrong = attempt("+22507034567");
    assert_eq!(
        error_word(&connector.initiate(&wrong).await.unwrap_err()),
        "failed:payer-not-found"
    );
}

/// In test mode, Free Money goes through the pawaPay connector to the pawaPay emulator, as live
/// mode goes to pawaPay: the attempt's reference is the deposit id drawn from its id.
#[tokio::test]
async fn test_mode_free_money_goes_through_pawapay() {
    use crate::helpers::*;
    use dalal::domain::Country;
    let app = spawn_app().await;
    let data = app
        .create(serde_json::json!({"type": "checkout", "amount": 2000, "country": "SN", "externalReference": "FREE-1"}))
        .await;
    let token = token_of(&data);
    app.state
        .payments
        .choose_method(
            &token,
            choice(ProviderCode::FreeMoney, Country::Sn, Some("+221763456789")),
        )
        .await
        .unwrap();
    app.customer_answers(5_000).await;
    let (payment, attempt) = app.state.payments.find_by_token(&token).await.unwrap().unwrap();
    let attempt = attempt.unwrap();
    assert_eq!(payment.status.as_str(), "succeeded");
    assert_eq!(
        attempt.provider_reference.as_deref(),
        Some(transformers::deposit_id(attempt.id.as_str()).as_str())
    );
}
