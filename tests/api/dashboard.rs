//! The merchant dashboard over real HTTP: sign-in and lockout, sessions, what a user may see,
//! and cross-site posts.

use crate::helpers::{TestApp, seed_checkout_body, spawn_app};
use dalal::accounts::{DEMO_EMAIL, DEMO_PASSWORD};

/// Posts the sign-in form as a browser would; returns the redirect target and the session cookie.
pub(crate) async fn sign_in(app: &TestApp, email: &str, password: &str) -> (String, String) {
    let reply = app
        .client
        .post(format!("{}/rpc/dashboard_sign_in", app.address))
        .header("Origin", &app.address)
        .header("Accept", "text/html")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "email={}&password={}",
            urlencode(email),
            urlencode(password)
        ))
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_redirection(), "{}", reply.status());
    let location = reply.headers()["location"].to_str().unwrap().to_owned();
    let cookie = reply
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("dalal_session="))
        .expect("a session cookie");
    (location, cookie.split(';').next().unwrap().to_owned())
}

pub(crate) fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub(crate) async fn page(app: &TestApp, path: &str, cookie: &str) -> (u16, String, Option<String>) {
    let reply = app
        .client
        .get(format!("{}{path}", app.address))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = reply.status().as_u16();
    let location = reply
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, reply.text().await.unwrap(), location)
}

#[tokio::test]
async fn cross_site_sign_in_posts_are_refused() {
    let app = spawn_app().await;
    let reply = app
        .client
        .post(format!("{}/rpc/dashboard_sign_in", app.address))
        .header("Origin", "https://evil.example")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("email={DEMO_EMAIL}&password={DEMO_PASSWORD}"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 403);
    assert!(reply.headers().get("set-cookie").is_none());
}

pub(crate) async fn post_form(app: &TestApp, function: &str, cookie: &str, body: &str) -> String {
    let reply = app
        .client
        .post(format!("{}/rpc/{function}", app.address))
        .header("Origin", &app.address)
        .header("Accept", "text/html")
        .header("Cookie", cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_redirection(), "{}", reply.status());
    reply.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_dashboard_session_ends_after_its_idle_time() {
    let app = crate::helpers::spawn_app_with(&[("server.session_idle_secs", "1")]).await;
    let (_, cookie) = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    let (status, _, _) = page(&app, "/dashboard", &cookie).await;
    assert_eq!(status, 200);
    // Sessions expire by the wall clock (tower-sessions), to the second.
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let (status, _, location) = page(&app, "/dashboard", &cookie).await;
    assert!((300..400).contains(&status), "{status}");
    assert_eq!(location.as_deref(), Some("/dashboard/connexion"));
}

#[tokio::test]
async fn the_dashboard_speaks_english_when_asked_and_keeps_to_it() {
    let app = spawn_app().await;
    let id = app.initiate(&seed_checkout_body()).await.json()["data"]["transactionId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, cookie) = sign_in(&app, DEMO_EMAIL, DEMO_PASSWORD).await;
    let (_, html, _) = page(&app, "/dashboard", &cookie).await;
    assert!(html.contains(r#"<html lang="fr""#) && html.contains(">Paiements</h1>"), "{html}");
    assert!(html.contains(">English</a>"), "the switch: {html}");

    let (status, html, _) = page(&app, "/dashboard?mode=test&lang=en", &cookie).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<html lang="en""#) && html.contains(">Payments</h1>"), "{html}");
    assert!(html.contains(">Pending<") && html.contains(">Français</a>"), "{html}");
    // The choice is kept for the next pages, and for the messages of actions.
    let detail = format!("/dashboard/paiements/{id}?mode=test");
    let (_, html, _) = page(&app, &detail, &cookie).await;
    assert!(html.contains(">History</h2>") && html.contains("Customer"), "{html}");
    post_form(&app, "dashboard_cancel", &cookie, &format!("id={id}&mode=test")).await;
    let (_, html, _) = page(&app, &detail, &cookie).await;
    assert!(html.contains("Tick the confirmation box to do it."), "{html}");
    let (_, html, _) = page(&app, "/dashboard/developpeurs?mode=test", &cookie).await;
    assert!(html.contains("Test API keys") && html.contains("Latest webhook failures"), "{html}");
    let (_, html, _) = page(&app, "/dashboard/liens?mode=test", &cookie).await;
    assert!(html.contains(">Payment links</h1>"), "{html}");
    assert!(!html.contains("Tableau de bord Dalal"), "{html}");
}
