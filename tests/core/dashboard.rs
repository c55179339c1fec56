//! In-process tests of `dashboard`: besides HTTP, they drive the core, its workers or its
//! database directly.

use crate::helpers::{TestApp, seed_checkout_body, spawn_app};
use dalal::accounts::{self, CreateUserError, DEMO_EMAIL, DEMO_PASSWORD};
use dalal::clock::{Clock, SharedClock};
use crate::dashboard::{page, post_form, sign_in};

#[tokio::test]
async fn the_demo_user_signs_in_and_sees_its_payments_and_their_history() {
    let app = spawn_app().await;
    let created = app.initiate(&seed_checkout_body()).await.json()["data"].clone();
    let id = created["transactionId"].as_str().unwrap();

    // Signed out, the dashboard sends the browser to the sign-in page.
    let (status, _, location) = page(&app, "/dashboard", "").await;
    assert!((300..400).contains(&status), "{status}");
    assert_eq!(location.as_deref(), Some("/dashboard/connexion"));

    let (location, cookie) = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(location, "/dashboard");
    let (status, html, _) = page(&app, "/dashboard", &cookie).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Boutique Démo Dalal"), "{html}");
    assert!(html.contains("PANIER-67890") && html.contains(id), "{html}");
    assert!(
        html.contains("25\u{202f}000\u{a0}FCFA"),
        "amounts as on the checkout page: {html}"
    );

    // Search by reference and by transaction id, and a filter that excludes it.
    let (_, html, _) = page(&app, "/dashboard?recherche=PANIER-67890", &cookie).await;
    assert!(html.contains(id), "{html}");
    let (_, html, _) = page(&app, &format!("/dashboard?recherche={id}"), &cookie).await;
    assert!(html.contains("PANIER-67890"), "{html}");
    let (_, html, _) = page(&app, "/dashboard?statut=succeeded", &cookie).await;
    assert!(!html.contains(id) && html.contains("Aucun paiement"), "{html}");

    // The detail: its history and its webhooks (none sent yet for a pending payment).
    let token = created["redirectUrl"].as_str().unwrap().rsplit('/').next().unwrap();
    app.state.payments.cancel(token).await.unwrap();
    let (status, html, _) = page(&app, &format!("/dashboard/paiements/{id}?mode=test"), &cookie).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("pending → cancelled"), "the timeline: {html}");
    assert!(html.contains("Fatou Sow") && html.contains("fatou@example.com"), "{html}");
    assert!(html.contains("payment.cancelled"), "the webhook delivery: {html}");
    // Private: never cached.
    let reply = app
        .client
        .get(format!("{}/dashboard", app.address))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.headers()["cache-control"], "no-store");

    // Signing out ends the session.
    let reply = app
        .client
        .post(format!("{}/rpc/dashboard_sign_out", app.address))
        .header("Origin", &app.address)
        .header("Accept", "text/html")
        .header("Cookie", &cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_redirection());
    let (status, _, location) = page(&app, "/dashboard", &cookie).await;
    assert!((300..400).contains(&status));
    assert_eq!(location.as_deref(), Some("/dashboard/connexion"));
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_a_while() {
    let app = spawn_app().await;
    for _ in 0..4 {
        let (location, cookie) = sign_in(&app, DEMO_EMAIL, "not the password").await;
        assert_eq!(location, "/dashboard/connexion");
        let (_, html, _) = page(&app, "/dashboard/connexion", &cookie).await;
        assert!(html.contains("Adresse e-mail ou mot de passe incorrect."), "{html}");
    }
    let (_, cookie) = sign_in(&app, DEMO_EMAIL, "not the password").await;
    let (_, html, _) = page(&app, "/dashboard/connexion", &cookie).await;
    assert!(html.contains("ce compte est bloqué jusqu"), "{html}");

    // Locked: even the right password is refused, and says so.
    let (location, cookie) = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(location, "/dashboard/connexion");
    let (_, html, _) = page(&app, "/dashboard/connexion", &cookie).await;
    assert!(html.contains("bloqué"), "{html}");
    assert!(
        (300..400).contains(&page(&app, "/dashboard", &cookie).await.0),
        "not signed in"
    );

    // A minute later the right password works, and the count starts over.
    app.clock.advance_ms(61_000);
    let (location, _) = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    assert_eq!(location, "/dashboard");
    let clock: SharedClock = app.clock.clone();
    assert_eq!(
        accounts::sign_in(&app.state.pool, &clock, DEMO_EMAIL, "wrong again")
            .await
            .unwrap(),
        accounts::SignIn::Refused
    );
    // An unknown address is refused the same way, and never locks.
    for _ in 0..6 {
        assert_eq!(
            accounts::sign_in(&app.state.pool, &clock, "nobody@dalal.test", "x")
                .await
                .unwrap(),
            accounts::SignIn::Refused
        );
    }
}

#[tokio::test]
async fn a_user_never_sees_another_merchants_payments() {
    let app = spawn_app().await;
    let theirs = app.initiate(&seed_checkout_body()).await.json()["data"].clone();
    let their_id = theirs["transactionId"].as_str().unwrap();
    let clock: SharedClock = app.clock.clone();
    let (merchant, _, _) = dalal::merchants::create(&app.state.pool, &clock, "Autre Boutique")
        .await
        .unwrap();
    accounts::create_user(&app.state.pool, &clock, &merchant, "Gerant@Autre.sn", "un mot de passe long")
        .await
        .unwrap();
    let (_, cookie) = sign_in(&app, "gerant@autre.sn", "un mot de passe long").await;

    let (status, html, _) = page(&app, "/dashboard", &cookie).await;
    assert_eq!(status, 200);
    assert!(html.contains("Autre Boutique") && !html.contains(their_id), "{html}");
    let (_, html, _) = page(&app, &format!("/dashboard?recherche={their_id}"), &cookie).await;
    assert!(!html.contains("PANIER-67890"), "{html}");
    let (_, html, _) = page(&app, "/dashboard?recherche=PANIER-67890", &cookie).await;
    assert!(!html.contains(their_id), "{html}");
    for mode in ["test", "live"] {
        let (status, html, _) =
            page(&app, &format!("/dashboard/paiements/{their_id}?mode={mode}"), &cookie).await;
        assert_eq!(status, 404, "{html}");
        assert!(!html.contains("PANIER-67890") && !html.contains("Fatou"), "{html}");
    }

    // The server functions themselves, called by hand, answer nothing of the other merchant.
    for (function, body, answer) in [
        ("dashboard_payment", format!("id={their_id}&mode=test"), "null"),
        ("dashboard_payments", format!("recherche={their_id}"), "Autre Boutique"),
        ("dashboard_payments", "recherche=PANIER-67890".to_owned(), "Autre Boutique"),
    ] {
        let reply = app
            .client
            .post(format!("{}/rpc/{function}", app.address))
            .header("Origin", &app.address)
            .header("Cookie", &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let text = reply.text().await.unwrap();
        assert!(text.contains(answer), "{function}: {text}");
        assert!(
            (answer == "null" || text.contains(r#""rows":[]"#)) && !text.contains("Fatou"),
            "{function}: {text}"
        );
    }
    // And without a session, nothing at all.
    let reply = app
        .client
        .post(format!("{}/rpc/dashboard_payments", app.address))
        .header("Origin", &app.address)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.text().await.unwrap(), "null");
}

#[tokio::test]
async fn create_user_checks_what_it_is_given() {
    let app = spawn_app().await;
    let clock: SharedClock = app.clock.clone();
    let pool = &app.state.pool;
    let demo = dalal::merchants::DEMO_MERCHANT_ID;
    assert!(matches!(
        accounts::create_user(pool, &clock, demo, "pas-une-adresse", "un mot de passe long").await,
        Err(CreateUserError::InvalidEmail(_))
    ));
    assert!(matches!(
        accounts::create_user(pool, &clock, demo, "a@b.sn", "court").await,
        Err(CreateUserError::WeakPassword)
    ));
    assert!(matches!(
        accounts::create_user(pool, &clock, "mer_nope", "a@b.sn", "un mot de passe long").await,
        Err(CreateUserError::UnknownMerchant(_))
    ));
    assert!(matches!(
        accounts::create_user(pool, &clock, demo, "DEMO@dalal.test", "un mot de passe long").await,
        Err(CreateUserError::EmailTaken(_))
    ));
}

#[tokio::test]
async fn a_paid_payment_is_refunded_in_part_from_its_page_once_even_if_sent_twice() {
    let app = spawn_app().await;
    let data = app
        .create(serde_json::json!({"type": "checkout", "amount": 10_000, "country": "SN", "externalReference": "DASH-RF"}))
        .await;
    app.state
        .payments
        .choose_method(
            &crate::helpers::token_of(&data),
            crate::helpers::card_choice(dalal::domain::Country::Sn, "4242424242424242"),
        )
        .await
        .unwrap();
    let id = data["transactionId"].as_str().unwrap();
    let (_, cookie) = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    let detail = format!("/dashboard/paiements/{id}?mode=test");
    let (_, html, _) = page(&app, &detail, &cookie).await;
    assert!(html.contains("Rembourser") && !html.contains("Annuler le paiement"), "{html}");
    let key = html
        .split(r#"name="cle" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the refund form's key")
        .to_owned();

    // Without the box ticked, nothing happens.
    let form = format!("id={id}&mode=test&montant=2500&motif=Article+abîmé&cle={key}");
    assert_eq!(post_form(&app, "dashboard_refund", &cookie, &form).await, detail);
    let (_, html, _) = page(&app, &detail, &cookie).await;
    assert!(html.contains("Cochez la case de confirmation"), "{html}");
    assert!(app.state.payments.refunds(&payment(&app, id).await).await.unwrap().is_empty());

    // Ticked, and sent twice (a double click): one refund of 2 500.
    let form = format!("{form}&confirme=on");
    post_form(&app, "dashboard_refund", &cookie, &form).await;
    post_form(&app, "dashboard_refund", &cookie, &form).await;
    let refunds = app.state.payments.refunds(&payment(&app, id).await).await.unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].amount.minor(), 2_500);
    let (_, html, _) = page(&app, &detail, &cookie).await;
    assert!(html.contains("Article abîmé") && html.contains("2\u{202f}500\u{a0}FCFA"), "{html}");

    // A wrong amount says why; more than is left is refused by the core.
    let fresh_key = |n: u8| format!("id={id}&mode=test&confirme=on&cle=k{n}");
    post_form(&app, "dashboard_refund", &cookie, &format!("{}&montant=beaucoup", fresh_key(1))).await;
    let (_, html, _) = page(&app, &detail, &cookie).await;
    assert!(html.contains("n&#x27;est pas un montant") || html.contains("n'est pas un montant"), "{html}");
    post_form(&app, "dashboard_refund", &cookie, &format!("{}&montant=9000", fresh_key(2))).await;
    let (_, html, _) = page(&app, &detail, &cookie).await;
    assert!(html.contains("role=\"alert\""), "{html}");
    assert_eq!(app.state.payments.refunds(&payment(&app, id).await).await.unwrap().len(), 1);

    // Another merchant's user cannot refund it, whatever the form says.
    let clock: SharedClock = app.clock.clone();
    let (other, _, _) = dalal::merchants::create(&app.state.pool, &clock, "Autre").await.unwrap();
    accounts::create_user(&app.state.pool, &clock, &other, "b@autre.sn", "un mot de passe long")
        .await
        .unwrap();
    let (_, theirs) = sign_in(&app, "b@autre.sn", "un mot de passe long").await;
    post_form(&app, "dashboard_refund", &theirs, &format!("{}&montant=100", fresh_key(3))).await;
    assert_eq!(app.state.payments.refunds(&payment(&app, id).await).await.unwrap().len(), 1);
}

async fn payment(app: &TestApp, id: &str) -> dalal::payments::Payment {
    app.state
        .payments
        .find_for_merchant(
            dalal::merchants::DEMO_MERCHANT_ID,
            dalal::domain::Mode::Test,
            dalal::domain::TransactionId::parse(id).unwrap(),
        )
        .await
        .unwrap()
        .unwrap()
        .0
}

#[tokio::test]
async fn the_list_exports_as_csv_page_after_page_with_its_filters() {
    let app = spawn_app().await;
    for n in 0..120 {
        let reply = app
            .initiate(&serde_json::json!({
                "type": "checkout", "amount": 1_000 + n, "externalReference": format!("CSV-{n:03}"),
                "description": if n == 7 { "=HYPERLINK(\"https://evil.example\")" } else { "Panier, 2 articles" },
            }))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
    }
    let (_, cookie) = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    let (status, html, _) = page(&app, "/dashboard?recherche=CSV-007", &cookie).await;
    assert_eq!(status, 200);
    assert!(html.contains("/dashboard/export.csv?mode=test&amp;recherche=CSV-007"), "{html}");

    // As a browser asks for it, compressed: the stream must end cleanly (the compression layer
    // polls it once more after its end).
    let compressed = app
        .client
        .get(format!("{}/dashboard/export.csv?mode=test", app.address))
        .header("Cookie", &cookie)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "gzip");
    let bytes = compressed.bytes().await.expect("the whole compressed body");
    assert!(bytes.len() > 100);
    let reply = app
        .client
        .get(format!("{}/dashboard/export.csv?mode=test", app.address))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        reply.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("paiements-test.csv")
    );
    let csv = reply.text().await.unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 121, "a header and 120 payments over two pages");
    assert!(lines[0].starts_with("transaction_id,reference,statut,montant"));
    assert!(lines[1].contains("CSV-119") && lines[120].contains("CSV-000"), "newest first");
    assert!(lines[1].contains(r#","Panier, 2 articles""#), "{}", lines[1]);
    let formula = lines.iter().find(|l| l.contains("CSV-007")).unwrap();
    assert!(
        formula.ends_with(r#""'=HYPERLINK(""https://evil.example"")""#),
        "never a formula: {formula}"
    );

    // Filters apply; signed out, or another merchant's user, gets none of it.
    let one = app
        .client
        .get(format!("{}/dashboard/export.csv?recherche=CSV-042", app.address))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(one.lines().count(), 2, "{one}");
    let signed_out = app
        .client
        .get(format!("{}/dashboard/export.csv", app.address))
        .send()
        .await
        .unwrap();
    assert!(signed_out.status().is_redirection());
    let clock: SharedClock = app.clock.clone();
    let (other, _, _) = dalal::merchants::create(&app.state.pool, &clock, "Autre").await.unwrap();
    accounts::create_user(&app.state.pool, &clock, &other, "c@autre.sn", "un mot de passe long")
        .await
        .unwrap();
    let (_, theirs) = sign_in(&app, "c@autre.sn", "un mot de passe long").await;
    let csv = app
        .client
        .get(format!("{}/dashboard/export.csv", app.address))
        .header("Cookie", &theirs)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
}

#[tokio::test]
async fn a_payment_link_is_made_without_code_and_opens_the_checkout_page() {
    let app = spawn_app().await;
    let (_, cookie) = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    let made = post_form(
        &app,
        "dashboard_create_link",
        &cookie,
        "mode=test&montant=7+500&description=Robe+wax+taille+M&duree=7j",
    )
    .await;
    assert!(made.starts_with("/dashboard/liens?mode=test&lien=TX"), "{made}");
    let (status, html, _) = page(&app, &made, &cookie).await;
    assert_eq!(status, 200);
    assert!(html.contains("Lien créé") && html.contains("7\u{202f}500\u{a0}FCFA"), "{html}");
    assert!(html.contains("Robe wax taille M"), "{html}");
    assert!(html.contains("data:image/png;base64,"), "its QR code: {html}");
    let url = html
        .split(&format!("value=\"{}/pay/", app.address))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|token| format!("{}/pay/{token}", app.address))
        .expect("the link");
    let checkout = app.client.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(checkout.contains("Robe wax taille M") && checkout.contains("7\u{202f}500"), "{checkout}");

    // It is a payment like any other: seven days to pay, in the list under its reference.
    let id = made.rsplit('=').next().unwrap();
    let payment = payment(&app, id).await;
    assert_eq!(payment.expires_at - payment.created_at, 7 * 86_400_000);
    assert!(payment.external_reference.starts_with("LIEN-"));

    // A wrong amount says why and makes nothing.
    let back = post_form(&app, "dashboard_create_link", &cookie, "mode=test&montant=12").await;
    let (_, html, _) = page(&app, &back, &cookie).await;
    assert!(html.contains("n&#x27;est pas un montant valable") || html.contains("n'est pas un montant valable"), "{html}");
}

/// The value of `<input id="{id}" … value="…">` on a page.
fn input_value(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!(r#"id="{id}""#))?;
    let rest = &html[at..];
    let value = rest.split(r#"value=""#).nth(1)?;
    Some(value.split('"').next()?.to_owned())
}

#[tokio::test]
async fn a_rolled_key_works_through_its_grace_period_then_only_the_new_one_does() {
    let app = spawn_app().await;
    let clock: SharedClock = app.clock.clone();
    let (merchant, keys, _) = dalal::merchants::create(&app.state.pool, &clock, "Boutique Clés")
        .await
        .unwrap();
    accounts::create_user(&app.state.pool, &clock, &merchant, "dev@cles.sn", "un mot de passe long")
        .await
        .unwrap();
    let test_pair = keys.iter().find(|k| k.mode == dalal::domain::Mode::Test).unwrap();
    let old_key = format!("{}:{}", test_pair.public_key, test_pair.secret_key.expose());
    let old_bearer = format!("Bearer {}", test_pair.secret_key.expose());
    let body = serde_json::json!({"type": "checkout", "amount": 5_000, "externalReference": "CLE-1"});
    assert_eq!(app.initiate_with_key(&old_key, None, &body).await.status, 201);

    let (_, cookie) = sign_in(&app, "dev@cles.sn", "un mot de passe long").await;
    let (status, html, _) = page(&app, "/dashboard/developpeurs?mode=test", &cookie).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&test_pair.public_key), "{html}");
    assert!(!html.contains(test_pair.secret_key.expose()), "a secret is never shown again");
    assert!(html.contains("Aucun échec"), "{html}");

    // Replace it, the old pair working one more hour.
    let form = format!("mode=test&cle={}&delai=1h&confirme=on", test_pair.public_key);
    let back = post_form(&app, "dashboard_roll_key", &cookie, &form).await;
    assert_eq!(back, "/dashboard/developpeurs?mode=test");
    let (_, html, _) = page(&app, &back, &cookie).await;
    let new_public = input_value(&html, "new-public").expect("the new public key, once");
    let new_secret = input_value(&html, "new-secret").expect("the new secret, once");
    assert!(new_public.starts_with("pk_test_") && new_secret.starts_with("sk_test_"), "{html}");
    assert!(html.contains("fonctionne jusqu"), "the old key's end: {html}");
    let (_, again, _) = page(&app, &back, &cookie).await;
    assert!(!again.contains(&new_secret), "shown once only");
    assert!(again.contains(&new_public));

    // During the grace period both pairs work, in both dialects.
    let new_key = format!("{new_public}:{new_secret}");
    assert_eq!(app.initiate_with_key(&old_key, None, &body).await.status, 201);
    assert_eq!(app.initiate_with_key(&new_key, None, &body).await.status, 201);
    let sahel = serde_json::json!({
        "amount": 5_000, "currency": "XOF", "payment_method": "ORANGE_MONEY", "country": "ML",
        "customer_phone": "+22370123456", "return_url": "https://boutique.example/retour",
        "client_reference": "CLE-2",
    });
    assert_eq!(app.sahel_post(Some(&old_bearer), None, sahel.to_string()).await.status, 201);

    // After it, only the new one.
    app.clock.advance_ms(3_600_001);
    let refused = app.initiate_with_key(&old_key, None, &body).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(app.sahel_post(Some(&old_bearer), None, sahel.to_string()).await.status, 401);
    assert_eq!(app.initiate_with_key(&new_key, None, &body).await.status, 201);
    let (_, html, _) = page(&app, &back, &cookie).await;
    assert!(html.contains("Révoquée le"), "{html}");

    // A roll with no grace period stops the old key at once.
    let form = format!("mode=test&cle={new_public}&delai=0&confirme=on");
    post_form(&app, "dashboard_roll_key", &cookie, &form).await;
    assert_eq!(app.initiate_with_key(&new_key, None, &body).await.status, 401);
    let (_, html, _) = page(&app, &back, &cookie).await;
    assert!(html.contains("ne fonctionne plus") && html.contains("new-secret"), "{html}");

    // Without the box ticked, or for a key that is not theirs, nothing changes.
    let demo_public = dalal::merchants::DEMO_PUBLIC_KEY;
    for form in [
        format!("mode=test&cle={demo_public}&delai=0&confirme=on"),
        format!("mode=test&cle={demo_public}&delai=0"),
    ] {
        post_form(&app, "dashboard_roll_key", &cookie, &form).await;
        let (_, html, _) = page(&app, &back, &cookie).await;
        assert!(html.contains(r#"role="alert""#) && !html.contains("new-secret"), "{html}");
    }
    let demo = app.initiate(&body).await;
    assert_eq!(demo.status, 201, "the other merchant's key still works: {}", demo.text);
}

#[tokio::test]
async fn a_new_webhook_secret_signs_alongside_the_old_one_for_the_overlap() {
    let app = spawn_app().await;
    let (_, cookie) = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    let merchant = dalal::merchants::DEMO_MERCHANT_ID;
    let now = || app.clock.now_ms();
    let back = post_form(&app, "dashboard_rotate_webhook_secret", &cookie, "mode=test&delai=24h").await;
    let (_, html, _) = page(&app, &back, &cookie).await;
    assert!(html.contains("Cochez la case") && !html.contains("new-secret"), "{html}");

    post_form(&app, "dashboard_rotate_webhook_secret", &cookie, "mode=test&delai=24h&confirme=on").await;
    let (_, html, _) = page(&app, &back, &cookie).await;
    let secret = input_value(&html, "new-secret").expect("the new secret, once");
    assert!(secret.starts_with("whsec_"), "{html}");
    assert!(html.contains("Signe aussi jusqu"), "the old one's overlap: {html}");
    assert!(!html.contains(dalal::merchants::DEMO_WEBHOOK_SECRET), "only endings: {html}");
    let signing = dalal::db::webhooks::active_secrets(&app.state.pool, merchant, now()).await.unwrap();
    assert_eq!(signing, vec![secret.clone(), dalal::merchants::DEMO_WEBHOOK_SECRET.to_owned()]);
    app.clock.advance_ms(86_400_001);
    let signing = dalal::db::webhooks::active_secrets(&app.state.pool, merchant, now()).await.unwrap();
    assert_eq!(signing, vec![secret]);
}

#[tokio::test]
async fn the_developers_screen_lists_the_latest_webhook_failures() {
    let app = spawn_app().await;
    // An endpoint that answers 500 to everything.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let failing = axum::Router::new().fallback(|| async { axum::http::StatusCode::INTERNAL_SERVER_ERROR });
        axum::serve(listener, failing).await.unwrap();
    });
    let data = app
        .create(serde_json::json!({"type": "checkout", "amount": 2_000, "externalReference": "HOOK-KO", "callbackUrl": endpoint}))
        .await;
    app.state.payments.cancel(&crate::helpers::token_of(&data)).await.unwrap();
    app.state.webhooks.deliver_due().await.unwrap();

    let (_, cookie) = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    let (_, html, _) = page(&app, "/dashboard/developpeurs?mode=test", &cookie).await;
    let id = data["transactionId"].as_str().unwrap();
    assert!(html.contains(id) && html.contains("HTTP 500"), "{html}");
    assert!(html.contains("payment.cancelled") && html.contains("Nouvel essai le"), "{html}");
    // Live mode has none.
    let (_, html, _) = page(&app, "/dashboard/developpeurs?mode=live", &cookie).await;
    assert!(!html.contains(id) && html.contains("Aucun échec"), "{html}");
}

#[tokio::test]
async fn no_dashboard_function_reaches_another_merchants_data() {
    let app = spawn_app().await;
    let data = app
        .create(serde_json::json!({"type": "checkout", "amount": 4_000, "externalReference": "A-SEUL", "customerName": "Awa Ndiaye", "callbackUrl": "http://127.0.0.1:9/hooks"}))
        .await;
    let id = data["transactionId"].as_str().unwrap();
    let clock: SharedClock = app.clock.clone();
    let (other, _, _) = dalal::merchants::create(&app.state.pool, &clock, "Boutique B").await.unwrap();
    accounts::create_user(&app.state.pool, &clock, &other, "b@b.sn", "un mot de passe long")
        .await
        .unwrap();
    let (_, cookie) = sign_in(&app, "b@b.sn", "un mot de passe long").await;

    // Every action on A's payment, as B's user, with the box ticked.
    for (function, form) in [
        ("dashboard_cancel", format!("id={id}&mode=test&confirme=on")),
        ("dashboard_resend", format!("id={id}&mode=test&confirme=on")),
        ("dashboard_refresh", format!("id={id}&mode=test")),
        ("dashboard_refund", format!("id={id}&mode=test&confirme=on&cle=b1")),
        ("dashboard_roll_key", format!("mode=test&cle={}&delai=0&confirme=on", dalal::merchants::DEMO_PUBLIC_KEY)),
        ("dashboard_rotate_webhook_secret", "mode=test&delai=0&confirme=on".to_owned()),
    ] {
        post_form(&app, function, &cookie, &form).await;
    }
    let seen = app.get_payment(id).await;
    assert_eq!(seen["status"], "pending", "{seen}");
    assert_eq!(app.initiate(&seed_checkout_body()).await.status, 201, "A's key still works");
    let signing = dalal::db::webhooks::active_secrets(&app.state.pool, dalal::merchants::DEMO_MERCHANT_ID, app.clock.now_ms())
        .await
        .unwrap();
    assert_eq!(signing, vec![dalal::merchants::DEMO_WEBHOOK_SECRET.to_owned()], "A's secret untouched");
    let deliveries = dalal::db::webhooks::deliveries_for_payment(&app.state.pool, dalal::domain::TransactionId::parse(id).unwrap().sequence()).await.unwrap();
    assert!(deliveries.0.is_empty(), "nothing sent for A's payment");

    // What B's screens show: nothing of A.
    for path in [
        format!("/dashboard/paiements/{id}?mode=test"),
        format!("/dashboard/liens?mode=test&lien={id}"),
        "/dashboard/developpeurs?mode=test".to_owned(),
        "/dashboard?mode=test".to_owned(),
        "/dashboard/export.csv?mode=test".to_owned(),
    ] {
        let (_, body, _) = page(&app, &path, &cookie).await;
        assert!(
            !body.contains("A-SEUL") && !body.contains("Awa Ndiaye") && !body.contains(&format!(">{id}<"))
                && !body.contains(dalal::merchants::DEMO_PUBLIC_KEY) && !body.contains("127.0.0.1:9"),
            "{path}: {body}"
        );
    }
}
