//! Middleware: security headers on every response; for the pages, the customer's language,
//! same-origin page calls and cache headers.

use crate::i18n::Lang;
use crate::routes;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Resolves the customer's language for this request: `?lang=` (remembered in the session),
/// else the session's, else `Accept-Language`, else French.
pub async fn language(
    session: tower_sessions::Session,
    mut request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    const KEY: &str = "lang";
    let asked = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")))
        .and_then(Lang::parse);
    let lang = match asked {
        Some(lang) => {
            let _ = session.insert(KEY, lang).await;
            lang
        }
        None => match session.get::<Lang>(KEY).await.ok().flatten() {
            Some(lang) => lang,
            None => request
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
                .unwrap_or_default(),
        },
    };
    request.extensions_mut().insert(lang);
    next.run(request).await
}

/// State-changing page calls (`POST /rpc/…`) must come from Dalal's own pages: a cross-site
/// form or script cannot pay, cancel or change a method for someone else.
pub async fn same_origin_only(request: Request<axum::body::Body>, next: Next) -> Response {
    if request.method() == axum::http::Method::POST
        && request.uri().path().starts_with(routes::RPC_PREFIX)
    {
        let headers = request.headers();
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
        let origin_ok = match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
            // Our pages say `Referrer-Policy: no-referrer`, so a browser posting one of their
            // plain forms sends `Origin: null`; it still says where the request comes from in
            // `Sec-Fetch-Site`, which no page can forge.
            Some("null") => fetch_site == Some("same-origin"),
            Some(origin) => origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest == host),
            None => fetch_site != Some("cross-site"),
        };
        if !origin_ok {
            tracing::warn!(host, "refused a cross-site call to a page function");
            return (
                StatusCode::FORBIDDEN,
                "Requête refusée : elle ne vient pas d'une page de Dalal.",
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// Dashboard pages need a signed-in user: anyone else goes to the sign-in page before anything
/// renders (the pages check again, for a user deleted since).
pub async fn dashboard_sign_in_required(
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let guarded = path == routes::DASHBOARD
        || (path.starts_with("/dashboard/") && path != routes::DASHBOARD_SIGN_IN);
    if guarded {
        let session = request.extensions().get::<tower_sessions::Session>().cloned();
        let signed_in = match session {
            Some(session) => session
                .get::<String>(crate::accounts::SESSION_KEY)
                .await
                .ok()
                .flatten()
                .is_some(),
            None => false,
        };
        if !signed_in {
            return axum::response::Redirect::to(routes::DASHBOARD_SIGN_IN).into_response();
        }
    }
    next.run(request).await
}

/// Payment pages and the dashboard are never cached (their state changes; the dashboard's is
/// private); static files are, for an hour (their
/// names are not content-hashed, so a deploy must be picked up soon).
pub async fn cache_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let value = if routes::STATIC_PREFIXES.iter().any(|p| path.starts_with(p)) {
        "public, max-age=3600"
    } else if [
        routes::CHECKOUT_PREFIX,
        routes::RPC_PREFIX,
        routes::SANDBOX_PREFIX,
        routes::DASHBOARD,
    ]
    .iter()
    .any(|p| path.starts_with(p))
    {
        "no-store"
    } else {
        return response;
    };
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// The Content-Security-Policy of a rendered page: its scripts are the hydration scripts, which
/// carry this response's nonce; WebAssembly may compile; nothing may frame the page.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// Everything that is not a rendered page (the API, the sandbox's and docs pages): no script.
const STRICT_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
    form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Browser features no Dalal page uses.
const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), display-capture=(), geolocation=(), \
    gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()";

/// On every response: no MIME sniffing, no framing, no referrer (a payment page's URL carries its
/// token, which must not reach the merchant's site in `Referer`), a tight Permissions-Policy, HSTS
/// when Dalal is served over https, and a strict CSP unless the page set its own (with a nonce).
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    headers.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    if state.public_url.starts_with("https://") {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(STRICT_CSP));
    response
}

/// Refuses a request over its rate limit (`rate_limit::Limits`) with 429 and `Retry-After`: in
/// the dialect's error body on the API, in plain words elsewhere.
pub async fn rate_limit(
    State(state): State<AppState>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let Some(wait) = state.limits.check(&request) else {
        return next.run(request).await;
    };
    let path = request.uri().path();
    let mut response = crate::api::limits::too_many_requests(path, wait).unwrap_or_else(|| {
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "Trop de requêtes : réessayez dans {wait} s. / Too many requests: try again in {wait} s."
            ),
        )
            .into_response()
    });
    if let Ok(value) = HeaderValue::from_str(&wait.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
