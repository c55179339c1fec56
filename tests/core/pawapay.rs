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
                    pawapay("http://127.0.0.1:9").verify_notification(&HeaderMap::new(), &body, 0).await,
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

/// A callback body about `deposit` (the status check's `data` without `clientReferenceId`).
fn callback_body(deposit: &str, status: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "depositId": deposit, "status": status, "amount": "1000.00", "currency": "XOF",
        "country": "SEN", "created": "2026-12-05T10:00:00.000Z",
        "payer": {"type": "MMO", "accountDetails": {"phoneNumber": "221763456789", "provider": "FREE_SEN"}},
        "metadata": {},
    }))
    .unwrap()
}

/// `headers` as a reqwest header map, with the `Host` the callback was sent to.
fn header_map(host: &str, headers: Vec<(&'static str, String)>) -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert("host", host.parse().unwrap());
    for (name, value) in headers {
        map.insert(name, value.parse().unwrap());
    }
    map
}

/// pawaPay's signed callbacks (RFC 9421 over a `Content-Digest`): DER and raw ECDSA both verify
/// with the key fetched from `GET /v2/public-key/http`; a changed body, another key, an expired
/// signature, one that does not cover the digest, or none at all (where the account signs) are
/// not pawaPay's. Behind a proxy, the public host is the `@authority`.
#[tokio::test]
async fn signed_callbacks_verify_and_nothing_else_does() {
    use dalal::providers::pawapay::Callbacks;
    use dalal::sandbox::emulators::pawapay::signing::{self, Encoding};
    let server = StandIn::start().await;
    let keys = serde_json::json!([
        {"id": "HTTP_EC_P256_KEY:1", "key": "not a key"},
        {"id": signing::KEY_ID, "key": signing::PUBLIC_KEY_PEM},
    ]);
    server.script("GET", "/v2/public-key/http", [Answer::json(200, keys)]);
    let connector = pawapay(&server.base)
        .with_callbacks(Callbacks::at("https://pay.dalal.example/hooks/pawapay", true));
    let deposit = "8f2b6c1e-3d4a-4b7c-9e1f-2a3b4c5d6e7f";
    let body = callback_body(deposit, "COMPLETED");
    let now = 1_796_000_000;
    let url = "http://127.0.0.1:8080/hooks/pawapay";
    let about = Notification::About(Named::Reference(deposit.into()));
    let verify = |headers: HeaderMap, body: Vec<u8>, at: i64| {
        let connector = &connector;
        async move { connector.verify_notification(&headers, &body, at * 1000).await }
    };

    for encoding in [Encoding::Der, Encoding::Raw] {
        let signed = signing::signed_headers(url, &body, now, encoding).unwrap();
        assert_eq!(verify(header_map("127.0.0.1:8080", signed), body.clone(), now).await, about, "{encoding:?}");
    }
    let signed = signing::signed_headers(url, &body, now, Encoding::Der).unwrap();
    // One byte of the body changed.
    let changed = callback_body(deposit, "FAILED");
    assert_eq!(verify(header_map("127.0.0.1:8080", signed.clone()), changed, now).await, Notification::NotOurs);
    // Sent to another host than the one signed for.
    assert_eq!(verify(header_map("evil.example", signed.clone()), body.clone(), now).await, Notification::NotOurs);
    // Expired (a minute of validity, a minute of skew).
    assert_eq!(verify(header_map("127.0.0.1:8080", signed.clone()), body.clone(), now + 180).await, Notification::NotOurs);
    // Another key under the same id.
    let forger = signing::new_private_key().unwrap();
    let forged = signing::sign_with(&forger, signing::KEY_ID, url, &body, now, Encoding::Der).unwrap();
    assert_eq!(verify(header_map("127.0.0.1:8080", forged), body.clone(), now).await, Notification::NotOurs);
    // A signature that does not cover the body's digest.
    let uncovered: Vec<(&'static str, String)> = signed
        .iter()
        .map(|(name, value)| (*name, value.replace(" \"content-digest\"", "")))
        .collect();
    assert_eq!(verify(header_map("127.0.0.1:8080", uncovered), body.clone(), now).await, Notification::NotOurs);
    // Unsigned, where the account signs.
    assert_eq!(verify(header_map("127.0.0.1:8080", vec![]), body.clone(), now).await, Notification::NotOurs);
    // Behind a proxy: sent to Dalal's public host, arriving with an internal `Host`.
    let public = signing::signed_headers("https://pay.dalal.example/hooks/pawapay", &body, now, Encoding::Raw).unwrap();
    assert_eq!(verify(header_map("10.0.0.7:3000", public), body.clone(), now).await, about);

    // Where the account does not sign, an unsigned callback is a hint in whichever mode.
    let unsigned_ok = pawapay(&server.base);
    assert_eq!(
        unsigned_ok.verify_notification(&header_map("x", vec![]), &body, now * 1000).await,
        Notification::Unsigned(Named::Reference(deposit.into()))
    );
}

/// The emulator's own callback, signed with its key, settles a test-mode Free Money payment
/// without Dalal's status checker: the callback makes Dalal ask, and the answer is believed once.
#[tokio::test]
async fn the_emulators_signed_callback_settles_a_free_money_payment() {
    use crate::helpers::*;
    let app = spawn_app_with(&[("sandbox.answer_delay_ms", "0")]).await;
    let data = app
        .create(serde_json::json!({"type": "direct", "provider": "free_money", "country": "SN",
            "amount": 1000, "externalReference": "FREE-CB", "customerPhone": "+221763456789",
            "returnUrl": "https://shop.example/merci"}))
        .await;
    let id = data["transactionId"].as_str().unwrap();
    let paid = app.payment_when(id, |d| d["status"] == "succeeded").await;
    assert_eq!(paid["status"], "succeeded");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.succeeded_events(id).await, 1);
}

/// `POST /hooks/pawapay` by hand: unsigned or forged callbacks are refused (`401`, so that
/// pawaPay's own would be sent again); a signed one is only a reason to ask, so a lying one
/// changes nothing; duplicates and callbacks out of order are harmless; a callback about a
/// deposit or provider Dalal does not know is taken and ignored.
#[tokio::test]
async fn a_pawapay_callback_is_only_a_signed_hint() {
    use crate::helpers::*;
    use dalal::clock::Clock;
    use dalal::sandbox::emulators::pawapay::signing::{self, Encoding};
    let app = spawn_app().await;
    let data = app
        .create(serde_json::json!({"type": "direct", "provider": "free_money", "country": "SN",
            "amount": 1000, "externalReference": "FREE-HINT", "customerPhone": "+221761234567",
            "returnUrl": "https://shop.example/merci"}))
        .await;
    let id = data["transactionId"].as_str().unwrap();
    let (_, attempt) = app.state.payments.find_by_token(&token_of(&data)).await.unwrap().unwrap();
    let deposit = attempt.unwrap().provider_reference.unwrap();
    let url = format!("{}/hooks/pawapay", app.address);
    let send = |body: Vec<u8>, key: Option<String>| {
        let (client, url, now) = (app.client.clone(), url.clone(), app.clock.now_ms() / 1000);
        async move {
            let mut request = client.post(&url).body(body.clone());
            let headers = match key {
                Some(key) => signing::sign_with(&key, signing::KEY_ID, &url, &body, now, Encoding::Der).unwrap(),
                None => signing::signed_headers(&url, &body, now, Encoding::Der).unwrap(),
            };
            for (name, value) in headers {
                request = request.header(name, value);
            }
            request.send().await.unwrap().status().as_u16()
        }
    };
    let unsigned = |body: Vec<u8>| {
        let (client, url) = (app.client.clone(), url.clone());
        async move {
            client.post(&url).header("content-type", "application/json").body(body)
                .send().await.unwrap().status().as_u16()
        }
    };

    assert_eq!(unsigned(callback_body(&deposit, "COMPLETED")).await, 401);
    let forger = signing::new_private_key().unwrap();
    assert_eq!(send(callback_body(&deposit, "COMPLETED"), Some(forger)).await, 401);
    // Signed, but pawaPay (asked) still has the deposit pending: nothing changes.
    assert_eq!(send(callback_body(&deposit, "COMPLETED"), None).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.get_payment(id).await["status"], "processing");

    // The customer confirms; a FAILED callback then two COMPLETED ones, out of order and twice.
    app.clock.advance_ms(5_000);
    assert_eq!(send(callback_body(&deposit, "FAILED"), None).await, 200);
    assert_eq!(send(callback_body(&deposit, "COMPLETED"), None).await, 200);
    assert_eq!(send(callback_body(&deposit, "COMPLETED"), None).await, 200);
    app.payment_when(id, |d| d["status"] == "succeeded").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.succeeded_events(id).await, 1);

    // Unknown to Dalal: taken, nothing happens.
    let unknown = callback_body("0d9c1b2a-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "COMPLETED");
    assert_eq!(send(unknown, None).await, 200);
    let mut other_provider: Value = serde_json::from_slice(&callback_body(&deposit, "COMPLETED")).unwrap();
    other_provider["payer"]["accountDetails"]["provider"] = "AIRTEL_GAB".into();
    assert_eq!(send(serde_json::to_vec(&other_provider).unwrap(), None).await, 200);
}

/// Moov Money in Benin goes through pawaPay (`moov_pawapay`, cheaper than the sandbox's own Moov
/// gateways for this amount); in Côte d'Ivoire, which pawaPay does not cover, it does not.
#[tokio::test]
async fn moov_money_in_benin_goes_through_pawapay_and_elsewhere_does_not() {
    use crate::helpers::*;
    use dalal::domain::Country;
    let app = spawn_app().await;
    let mut gateways = Vec::new();
    for (country, phone) in [(Country::Bj, "+2290195345789"), (Country::Ci, "+2250101234567")] {
        let data = app
            .create(serde_json::json!({"type": "checkout", "amount": 2500, "country": country.code(), "externalReference": "MOOV-1"}))
            .await;
        let token = token_of(&data);
        app.state
            .payments
            .choose_method(&token, choice(ProviderCode::MoovMoney, country, Some(phone)))
            .await
            .unwrap();
        app.customer_answers(5_000).await;
        let (payment, attempt) = app.state.payments.find_by_token(&token).await.unwrap().unwrap();
        let attempt = attempt.unwrap();
        assert_eq!(payment.status.as_str(), "succeeded", "{country:?}");
        if country == Country::Bj {
            assert_eq!(
                attempt.provider_reference.as_deref(),
                Some(transformers::deposit_id(attempt.id.as_str()).as_str())
            );
        }
        gateways.push(attempt.gateway.unwrap());
    }
    assert_eq!(gateways, ["moov_pawapay", "moov_direct"]);
}

/// MTN MoMo in Côte d'Ivoire goes through MTN's own API; when that gateway is down before
/// anything was sent, the router fails over to pawaPay, which takes the payment.
#[tokio::test]
async fn mtn_fails_over_from_its_own_api_to_pawapay_before_sending() {
    use crate::helpers::*;
    use dalal::domain::Country;
    for (down, expected) in [("", "mtn_direct"), ("mtn_direct", "mtn_pawapay")] {
        let app = spawn_app_with(&[("sandbox.down_gateways", down)]).await;
        let data = app
            .create(serde_json::json!({"type": "checkout", "amount": 5000, "country": "CI", "externalReference": "MTN-FO"}))
            .await;
        let token = token_of(&data);
        app.state
            .payments
            .choose_method(&token, choice(ProviderCode::MtnMomo, Country::Ci, Some("+2250503456789")))
            .await
            .unwrap();
        app.customer_answers(5_000).await;
        let (payment, attempt) = app.state.payments.find_by_token(&token).await.unwrap().unwrap();
        let attempt = attempt.unwrap();
        assert_eq!(payment.status.as_str(), "succeeded", "down: {down:?}");
        assert_eq!(attempt.gateway.as_deref(), Some(expected), "down: {down:?}");
        if !down.is_empty() {
            assert!(
                attempt.routing_reason.as_deref().unwrap_or("").contains("mtn_direct"),
                "{:?}",
                attempt.routing_reason
            );
        }
    }
}

/// A live key pays through pawaPay — "pawaPay" being another Dalal's emulator, with a clock of
/// its own — with Free Money in Senegal, Moov Money in Benin and, without MTN's own credentials,
/// MTN MoMo in Côte d'Ivoire; a callback signed with pawaPay's published key settles a payment
/// without the status checker; Wave, with no live credentials, is not offered.
#[tokio::test]
async fn a_live_key_pays_through_pawapay() {
    use crate::helpers::*;
    use dalal::clock::Clock;
    use dalal::sandbox::emulators::pawapay::{API_TOKEN, signing};
    let pawapay = spawn_app().await;
    let base_url = format!("{}/sandbox/providers/pawapay", pawapay.address);
    let app = spawn_app_with(&[
        ("providers.pawapay.api_token", API_TOKEN),
        ("providers.pawapay.base_url", &base_url),
        ("providers.pawapay.signed_callbacks", "true"),
    ])
    .await;
    let (_, live) = app.other_merchant().await;
    let body = |provider: &str, country: &str, phone: &str| {
        serde_json::json!({"type": "direct", "provider": provider, "country": country,
            "amount": 2500, "externalReference": "LIVE-PP", "customerPhone": phone,
            "returnUrl": "https://shop.example/merci"})
    };
    let (mut ids, mut tokens) = (Vec::new(), Vec::new());
    for (provider, country, phone) in [
        ("free_money", "SN", "+221763456789"),
        ("moov_money", "BJ", "+2290195345789"),
        ("mtn_momo", "CI", "+2250503456789"),
    ] {
        let reply = app.initiate_with_key(&live, None, &body(provider, country, phone)).await;
        assert_eq!(reply.status, 201, "{provider}: {}", reply.text);
        ids.push(reply.json()["data"]["transactionId"].as_str().unwrap().to_owned());
        tokens.push(token_of(&reply.json()["data"]));
    }
    let reply = app
        .initiate_with_key(&live, None, &body("wave", "SN", "+221771234567"))
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);

    // The customers confirm at pawaPay. pawaPay's callback for the first: signed with its key,
    // sent to this Dalal's registered URL.
    pawapay.clock.advance_ms(5_000);
    let (_, attempt) = app
        .state
        .payments
        .find_by_token(&tokens[0])
        .await
        .unwrap()
        .unwrap();
    let deposit = attempt.unwrap().provider_reference.unwrap();
    let url = format!("{}/hooks/pawapay", app.address);
    let callback = callback_body(&deposit, "COMPLETED");
    let mut request = app.client.post(&url).body(callback.clone());
    for (name, value) in signing::signed_headers(&url, &callback, app.clock.now_ms() / 1000, signing::Encoding::Der).unwrap() {
        request = request.header(name, value);
    }
    assert_eq!(request.send().await.unwrap().status(), 200);
    let paid = |id: String| {
        let (app, live) = (&app, &live);
        async move {
            for _ in 0..100 {
                let data = app.get(&format!("/api/v1/payments/{id}"), Some(live)).await.json()["data"].clone();
                if data["status"] == "succeeded" {
                    return data;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("{id} never succeeded");
        }
    };
    paid(ids[0].clone()).await;
    // The others by the status checker.
    app.clock.advance_ms(5_000);
    app.state.payments.check_due_attempts().await.unwrap();
    for id in &ids[1..] {
        paid(id.clone()).await;
    }
}

/// Where pawaPay's prompt is `MANUAL` (Free Money in Senegal: `#150#`), the waiting screen says
/// to dial the code, in French and English, with a link that pre-dials it; where it comes by
/// itself (Moov Money in Benin), the usual "confirm on your phone" screen.
#[tokio::test]
async fn the_waiting_screen_says_which_code_to_dial_where_pawapay_says_so() {
    use crate::helpers::*;
    use dalal::domain::Country;
    let app = spawn_app().await;
    let page_after_paying = |country: Country, provider: ProviderCode, phone: &'static str, lang: &'static str| {
        let app = &app;
        async move {
            let data = app
                .create(serde_json::json!({"type": "checkout", "amount": 3000, "country": country.code(), "externalReference": "DIAL"}))
                .await;
            let token = token_of(&data);
            app.state.payments.choose_method(&token, choice(provider, country, Some(phone))).await.unwrap();
            app.client
                .get(data["redirectUrl"].as_str().unwrap())
                .header("accept-language", lang)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
                // Leptos's markers between text nodes.
                .replace("<!>", "")
        }
    };
    let free = page_after_paying(Country::Sn, ProviderCode::FreeMoney, "+221761234567", "fr").await;
    for expected in ["Composez <span class=\"ussd\">#150#</span> pour confirmer", "Entrez votre code PIN", "href=\"tel:%23150%23\""] {
        assert!(free.contains(expected), "{expected} in the Free Money page");
    }
    let english = page_after_paying(Country::Sn, ProviderCode::FreeMoney, "+221761234568", "en").await;
    assert!(english.contains("Dial <span class=\"ussd\">#150#</span> to confirm"), "{english}");
    let moov = page_after_paying(Country::Bj, ProviderCode::MoovMoney, "+2290196123456", "fr").await;
    assert!(moov.contains("Confirmez le paiement sur votre téléphone"));
    assert!(!moov.contains("pour confirmer"));
}

/// A Free Money payment taken through pawaPay, refunded in part then in full: each refund is
/// `pending` until pawaPay finishes it — here by its signed callback, which Dalal takes only as a
/// reason to ask — a second refund waits for the first (`409`), and each ends with one
/// `refund.succeeded` webhook.
#[tokio::test]
async fn pawapay_refunds_stay_pending_until_pawapay_finishes_them() {
    use crate::helpers::*;
    use crate::refunds::refund;
    let app = spawn_app_with(&[("sandbox.answer_delay_ms", "0")]).await;
    let data = app
        .create(serde_json::json!({"type": "direct", "provider": "free_money", "country": "SN",
            "amount": 10_000, "externalReference": "FREE-RF", "customerPhone": "+221763456789",
            "returnUrl": "https://shop.example/merci"}))
        .await;
    let id = data["transactionId"].as_str().unwrap().to_owned();
    app.payment_when(&id, |d| d["status"] == "succeeded").await;

    let first = refund(&app, &id, serde_json::json!({"amount": 4_000}), None).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.json()["data"]["status"], "pending");
    // pawaPay refunds one at a time.
    let early = refund(&app, &id, serde_json::json!({}), None).await;
    assert_eq!(early.status, 409, "{}", early.text);
    assert!(early.error_message().contains("déjà en cours"), "{}", early.text);
    let ended = |n: usize| {
        move |d: &Value| {
            d["refunds"].as_array().is_some_and(|r| {
                r.len() == n && r.iter().all(|r| r["status"] == "succeeded")
            })
        }
    };
    app.payment_when(&id, ended(1)).await;

    let rest = refund(&app, &id, serde_json::json!({}), None).await;
    assert_eq!(rest.status, 201, "{}", rest.text);
    assert_eq!((rest.json()["data"]["status"].as_str(), rest.json()["data"]["amount"].as_i64()), (Some("pending"), Some(6_000)));
    let payment = app.payment_when(&id, ended(2)).await;
    assert_eq!(payment["refundedAmount"], 10_000);
    let sequence = dalal::domain::TransactionId::parse(&id).unwrap().sequence();
    let events: i64 = dalal::on!(&app.state.pool, |e| sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_events WHERE payment_id = $1 AND type = 'refund.succeeded'",
    )
    .bind(sequence)
    .fetch_one(e)
    .await)
    .unwrap();
    assert_eq!(events, 2);
    // Nothing is left: pawaPay is not even asked.
    let again = refund(&app, &id, serde_json::json!({}), None).await;
    assert_eq!(again.status, 409, "{}", again.text);
}

/// When pawaPay's refund callback has not come, the sweep asks and ends the refund, once.
#[tokio::test]
async fn the_sweep_ends_a_pawapay_refund_whose_callback_never_came() {
    use crate::helpers::*;
    use crate::refunds::refund;
    // The emulator looks at its refunds after 4 s of wall time: the sweep, run by hand, is first.
    let app = spawn_app_with(&[("sandbox.answer_delay_ms", "4000")]).await;
    let data = app
        .create(serde_json::json!({"type": "direct", "provider": "free_money", "country": "SN",
            "amount": 5_000, "externalReference": "FREE-SWEEP", "customerPhone": "+221763456789",
            "returnUrl": "https://shop.example/merci"}))
        .await;
    let id = data["transactionId"].as_str().unwrap().to_owned();
    app.customer_answers(5_000).await;
    assert_eq!(app.get_payment(&id).await["status"], "succeeded");
    let reply = refund(&app, &id, serde_json::json!({}), None).await;
    assert_eq!(reply.json()["data"]["status"], "pending", "{}", reply.text);
    // Still working at pawaPay: the sweep leaves it pending.
    assert_eq!(app.state.payments.check_pending_refunds().await.unwrap(), 0);
    app.clock.advance_ms(5_000);
    assert_eq!(app.state.payments.check_pending_refunds().await.unwrap(), 1);
    let payment = app.get_payment(&id).await;
    assert_eq!(payment["refunds"][0]["status"], "succeeded", "{payment}");
    assert_eq!(app.state.payments.check_pending_refunds().await.unwrap(), 0, "ended once");
}

/// Each of pawaPay's test numbers, through the whole of Dalal: the failure code the customer
/// reads, or a deposit that stays pending while the status checker asks.
#[tokio::test]
async fn each_pawapay_test_number_ends_the_payment_as_pawapay_says() {
    use crate::helpers::*;
    let app = spawn_app().await;
    let mut payments = Vec::new();
    for (phone, expected) in [
        ("+221763456789", None),
        ("+221763456019", Some("insufficient-funds")),
        ("+221763456029", Some("payer-not-found")),
        ("+221763456039", Some("declined")),
        ("+221763456049", Some("insufficient-funds")),
        ("+221763456069", Some("unknown")),
        ("+221763456129", Some("pending")),
    ] {
        let data = app
            .create(serde_json::json!({"type": "direct", "provider": "free_money", "country": "SN",
                "amount": 1_000, "externalReference": "FREE-NUM", "customerPhone": phone,
                "returnUrl": "https://shop.example/merci"}))
            .await;
        payments.push((data, phone, expected));
    }
    app.customer_answers(5_000).await;
    for (data, phone, expected) in payments {
        let (payment, attempt) = app.state.payments.find_by_token(&token_of(&data)).await.unwrap().unwrap();
        let attempt = attempt.unwrap();
        match expected {
            None => assert_eq!(payment.status.as_str(), "succeeded", "{phone}"),
            Some("pending") => {
                assert_eq!(payment.status.as_str(), "processing", "{phone}");
                assert!(attempt.status.is_open(), "{phone}: pawaPay still says ACCEPTED");
            }
            Some(code) => assert_eq!(attempt.failure_code.map(|c| c.as_str()), Some(code), "{phone}"),
        }
    }
}

/// pawaPay takes the deposit and its answer is lost (`…05`, after the connector's 300 ms):
/// Dalal sends the same deposit id again — pawaPay ignores it as a duplicate — and the payment
/// settles by the status check with one deposit at pawaPay, never two.
#[tokio::test]
async fn a_deposit_whose_answer_was_lost_is_taken_once() {
    use crate::helpers::*;
    let app = spawn_app_with(&[("sandbox.connector_timeout_ms", "300")]).await;
    let data = app
        .create(serde_json::json!({"type": "direct", "provider": "free_money", "country": "SN",
            "amount": 1_500, "externalReference": "FREE-LOST", "customerPhone": "+221761234505",
            "returnUrl": "https://shop.example/merci"}))
        .await;
    let deposits: i64 = dalal::on!(&app.state.pool, |e| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sandbox_sessions WHERE provider = 'free_money'",
    )
    .fetch_one(e)
    .await)
    .unwrap();
    assert_eq!(deposits, 1, "one deposit at pawaPay");
    app.customer_answers(5_000).await;
    let id = data["transactionId"].as_str().unwrap();
    assert_eq!(app.get_payment(id).await["status"], "succeeded");
    assert_eq!(app.succeeded_events(id).await, 1);
}

/// What the account's `active-conf` says decides what the connector offers: its limits, a
/// provider it takes no deposits for, one pawaPay says is `CLOSED`; before anything is read,
/// pawaPay's coverage alone.
#[tokio::test]
async fn the_active_configuration_decides_what_is_offered() {
    use dalal::domain::{Country, Currency, Money};
    let money = |n: i64| Money::new(n, Currency::Xof).unwrap();
    let server = StandIn::start().await;
    let connector = pawapay(&server.base);
    assert!(connector.takes(Country::Sn, money(5_000_000)), "nothing read yet: pawaPay's coverage");
    assert!(!connector.serves(Country::Ci), "pawaPay has no Free Money in Côte d'Ivoire");
    let conf = |status: &str| {
        serde_json::json!({"countries": [{"country": "SEN", "providers": [{"provider": "FREE_SEN",
            "currencies": [{"currency": "XOF", "operationTypes": {"DEPOSIT":
                {"minAmount": "200", "maxAmount": "10000", "status": status}}}]}]}]})
    };
    server.script(
        "GET",
        "/v2/active-conf",
        [
            Answer::json(200, conf("OPERATIONAL")),
            Answer::json(200, conf("CLOSED")),
            Answer::json(200, serde_json::json!({"countries": []})),
        ],
    );
    connector.refresh().await;
    assert!(connector.takes(Country::Sn, money(10_000)));
    assert!(!connector.takes(Country::Sn, money(10_001)), "above the account's maximum");
    assert!(!connector.takes(Country::Sn, money(150)), "below its minimum");
    connector.refresh().await;
    assert!(!connector.serves(Country::Sn), "CLOSED");
    connector.refresh().await;
    assert!(!connector.serves(Country::Sn), "not enabled on the account");
}

/// Orange Money goes through pawaPay's PIN prompt only where Sonatel's QR-code API does not
/// serve: in test mode, Cameroon (`ORANGE_CMR`); Côte d'Ivoire stays a QR code.
#[tokio::test]
async fn orange_money_goes_through_pawapay_where_its_own_api_does_not_serve() {
    use crate::helpers::*;
    use dalal::domain::{Country, Currency, Money};
    let app = spawn_app().await;
    let xaf = Money::new(5_000, Currency::Xaf).unwrap();
    let xof = Money::new(5_000, Currency::Xof).unwrap();
    use dalal::payments::Mode;
    assert_eq!(app.state.payments.pushed_by_aggregator(Mode::Test, ProviderCode::OrangeMoney, Country::Cm, xaf), Some(false));
    assert_eq!(app.state.payments.pushed_by_aggregator(Mode::Test, ProviderCode::OrangeMoney, Country::Ci, xof), None);
    let data = app
        .create(serde_json::json!({"type": "checkout", "amount": 5000, "currency": "XAF", "country": "CM", "externalReference": "OM-CM"}))
        .await;
    let token = token_of(&data);
    // A PIN prompt needs the customer's number.
    let without = app.state.payments.choose_method(&token, choice(ProviderCode::OrangeMoney, Country::Cm, None)).await;
    assert!(without.is_err());
    app.state
        .payments
        .choose_method(&token, choice(ProviderCode::OrangeMoney, Country::Cm, Some("+237693456789")))
        .await
        .unwrap();
    app.customer_answers(5_000).await;
    let (payment, attempt) = app.state.payments.find_by_token(&token).await.unwrap().unwrap();
    let attempt = attempt.unwrap();
    assert_eq!(payment.status.as_str(), "succeeded");
    assert_eq!(attempt.gateway.as_deref(), Some("orange_pawapay"));
    assert!(attempt.launch_url.is_none(), "a PIN prompt, no QR code");
}

/// A live key with pawaPay alone (no Sonatel credentials): Orange Money in Côte d'Ivoire is a
/// PIN prompt the customer starts by dialling `#120#` (pawaPay's `MANUAL`), and in Burkina Faso
/// the customer gives the one-time code first (`PREAUTH`): a direct payment waits for it on the
/// checkout page, which asks for it.
#[tokio::test]
async fn a_live_key_pays_orange_money_through_pawapay_with_its_prompts() {
    use crate::helpers::*;
    use dalal::domain::Country;
    use dalal::sandbox::emulators::pawapay::API_TOKEN;
    let pawapay = spawn_app().await;
    let base_url = format!("{}/sandbox/providers/pawapay", pawapay.address);
    let app = spawn_app_with(&[
        ("providers.pawapay.api_token", API_TOKEN),
        ("providers.pawapay.base_url", &base_url),
    ])
    .await;
    let (_, live) = app.other_merchant().await;
    let direct = |country: &str, phone: &str| {
        serde_json::json!({"type": "direct", "provider": "orange_money", "country": country,
            "amount": 2500, "externalReference": "LIVE-OM", "customerPhone": phone,
            "returnUrl": "https://shop.example/merci"})
    };
    let page = |url: String| {
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap().replace("<!>", "") }
    };

    let ivory = app.initiate_with_key(&live, None, &direct("CI", "+2250734567890")).await;
    assert_eq!(ivory.status, 201, "{}", ivory.text);
    let ivory = ivory.json()["data"].clone();
    assert!(ivory["qrCode"].is_null(), "{ivory}");
    let waiting = page(ivory["redirectUrl"].as_str().unwrap().to_owned()).await;
    assert!(waiting.contains("Composez <span class=\"ussd\">#120#</span> pour confirmer"), "{waiting}");

    let burkina = app.initiate_with_key(&live, None, &direct("BF", "+22607345678")).await;
    assert_eq!(burkina.status, 201, "{}", burkina.text);
    let burkina = burkina.json()["data"].clone();
    let token = token_of(&burkina);
    let form = page(burkina["redirectUrl"].as_str().unwrap().to_owned()).await;
    assert!(form.contains("name=\"code\""), "the page asks for the one-time code");
    let mut asked = choice(ProviderCode::OrangeMoney, Country::Bf, Some("+22607345678"));
    assert!(app.state.payments.choose_method(&token, asked.clone()).await.is_err(), "no code, no deposit");
    asked.one_time_code = Some("482913".into());
    app.state.payments.choose_method(&token, asked).await.unwrap();
    pawapay.clock.advance_ms(5_000);
    app.clock.advance_ms(5_000);
    app.state.payments.check_due_attempts().await.unwrap();
    let paid = app.get(&format!("/api/v1/payments/{}", burkina["transactionId"].as_str().unwrap()), Some(&live)).await;
    assert_eq!(paid.json()["data"]["status"], "succeeded", "{}", paid.text);
}
