//! Security headers on pages, the API and the sandbox's pages.

use crate::helpers::*;
use serde_json::json;

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

fn assert_common(reply: &Reply) {
    assert_eq!(header(reply, "x-content-type-options"), "nosniff");
    assert_eq!(header(reply, "x-frame-options"), "DENY");
    assert_eq!(header(reply, "referrer-policy"), "no-referrer");
    assert!(header(reply, "permissions-policy").contains("camera=()"));
    let csp = header(reply, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
}

#[tokio::test]
async fn the_payment_page_allows_only_its_own_nonced_scripts() {
    let app = spawn_app().await;
    let data = app
        .create(json!({"type": "checkout", "amount": 5000, "externalReference": "HDR-1"}))
        .await;
    let page = app.get(&format!("/pay/{}", token_of(&data)), None).await;
    assert_eq!(page.status, 200);
    assert_common(&page);
    let csp = header(&page, "content-security-policy");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    // Every script of the page carries this response's nonce.
    let tags: Vec<&str> = page
        .text
        .split("<script")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap())
        .collect();
    assert!(!tags.is_empty());
    for tag in tags {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
    }
    // A second load gets another nonce.
    let again = app.get(&format!("/pay/{}", token_of(&data)), None).await;
    assert_ne!(header(&again, "content-security-policy"), csp);
    assert!(
        page.headers.get("strict-transport-security").is_none(),
        "plain http"
    );
}

#[tokio::test]
async fn the_api_and_sandbox_pages_get_a_strict_policy() {
    let app = spawn_app().await;
    let api = app.get("/api/v1/payments", Some(DEMO_KEY)).await;
    assert_common(&api);
    assert!(header(&api, "content-security-policy").starts_with("default-src 'none'"));
    let error = app.get("/api/v1/payments/TX1", None).await;
    assert_eq!(error.status, 401);
    assert_common(&error);
    let sandbox = app.get("/sandbox/phone/unknown", None).await;
    assert_eq!(sandbox.status, 404);
    assert_common(&sandbox);
    assert!(header(&sandbox, "content-security-policy").contains("default-src 'none'"));
}

#[tokio::test]
async fn https_deployments_get_hsts() {
    let app = spawn_app_with(&[("server.public_url", "https://pay.example.com")]).await;
    let reply = app.get("/healthz", None).await;
    assert_eq!(
        header(&reply, "strict-transport-security"),
        "max-age=31536000; includeSubDomains"
    );
}

#[tokio::test]
async fn a_plain_form_posted_without_a_referrer_is_still_told_apart_from_a_cross_site_one() {
    let app = spawn_app().await;
    let post = |origin: &'static str, site: Option<&'static str>| {
        let mut request = app
            .client
            .post(format!("{}/rpc/check_phone", app.address))
            .header("Origin", origin)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("country=SN&phone=771234567");
        if let Some(site) = site {
            request = request.header("Sec-Fetch-Site", site);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    // `Referrer-Policy: no-referrer` makes browsers send `Origin: null` with our own forms.
    assert_eq!(post("null", Some("same-origin")).await, 200);
    assert_eq!(post("null", Some("cross-site")).await, 403);
    assert_eq!(
        post("null", None).await,
        403,
        "a null origin alone proves nothing"
    );
    assert_eq!(post("https://evil.example", Some("same-origin")).await, 403);
}

#[tokio::test]
async fn a_plain_form_comes_back_to_its_page_without_a_referer() {
    let app = spawn_app().await;
    let data = app
        .create(json!({"type": "checkout", "amount": 5000, "country": "SN", "externalReference": "HDR-2"}))
        .await;
    let token = token_of(&data);
    for (function, body) in [
        ("pay", format!("token={token}&provider=wave&country=SN")),
        ("change_method", format!("token={token}")),
        (
            "pay",
            format!("token={token}&provider=free_money&country=SN&phone=12"),
        ),
    ] {
        let reply = app
            .client
            .post(format!("{}/rpc/{function}", app.address))
            .header("Origin", "null")
            .header("Sec-Fetch-Site", "same-origin")
            .header("Accept", "text/html,application/xhtml+xml")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            reply.status().is_redirection(),
            "{function}: {}",
            reply.status()
        );
        assert_eq!(
            reply.headers()["location"].to_str().unwrap(),
            format!("/pay/{token}"),
            "{function}"
        );
    }
}
