//! Builds the application: database, providers, payment core, router, workers. `main.rs` and the
//! tests both start Dalal through `Application::build`, so tests run the real thing.

use crate::api;
use crate::app::{App, shell};
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::db;
use crate::merchants;
use crate::payments::{Payments, workers};
use crate::providers::ProviderRegistry;
use crate::providers::routing::Routes;
use crate::providers::sandbox::{self, Decision, SandboxProvider};
use crate::state::AppState;
use crate::webhooks::delivery::Deliverer;
use anyhow::Context;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderName, Request, StatusCode};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use leptos::prelude::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{ExpiredDeletion, Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub struct Application {
    listener: TcpListener,
    state: AppState,
    sessions: SqliteStore,
}

impl Application {
    pub async fn build(settings: Settings, clock: SharedClock) -> anyhow::Result<Self> {
        let pool = db::connect(&settings.database).await?;
        db::migrate(&pool).await?;
        if settings.demo.enabled && merchants::ensure_demo(&pool, &clock).await? {
            tracing::info!(
                public_key = merchants::DEMO_PUBLIC_KEY,
                secret_key = merchants::DEMO_SECRET_KEY,
                "created the demo merchant « {} » (test keys only: they never move money)",
                merchants::DEMO_MERCHANT_NAME
            );
        }
        let listener = TcpListener::bind(settings.server.address)
            .await
            .with_context(|| {
                format!(
                    "failed to listen on server.address = {}",
                    settings.server.address
                )
            })?;
        let address = listener
            .local_addr()
            .context("failed to read the bound address")?;
        let public_url = match settings.server.public_url.trim_end_matches('/') {
            "" => format!("http://{address}"),
            url => url.to_owned(),
        };
        // Checkout sessions (chosen method, country, language) live in the same database.
        let sessions = SqliteStore::new(pool.clone());
        sessions
            .migrate()
            .await
            .context("failed to create the sessions table")?;
        let down: Vec<String> = settings
            .sandbox
            .down_gateways
            .split(',')
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .collect();
        let sandbox = ProviderRegistry::new(
            Routes::new(&settings.routing.gateways)?,
            SandboxProvider::all(&pool, &clock, &settings.sandbox, &public_url),
            &down,
        );
        let payments = Payments::new(
            pool.clone(),
            clock.clone(),
            sandbox,
            settings.payments.clone(),
            public_url.clone(),
        );
        let leptos_options = LeptosOptions::builder()
            .output_name("dalal")
            .site_root(std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()))
            .site_pkg_dir("pkg")
            .site_addr(address)
            .build();
        let webhooks = Deliverer::new(pool.clone(), clock.clone(), &settings.webhooks)?;
        let state = AppState {
            pool,
            clock,
            payments,
            api_keys: Default::default(),
            webhooks,
            settings,
            public_url,
            leptos_options,
        };
        Ok(Self {
            listener,
            state,
            sessions,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or_default()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then lets requests in flight finish and stops the workers.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_workers, stopped) = tokio::sync::watch::channel(false);
        let interval = Duration::from_millis(self.state.settings.payments.worker_interval_ms);
        let worker = tokio::spawn(workers::run(
            self.state.payments.clone(),
            interval,
            stopped.clone(),
        ));
        let sweeper = tokio::spawn(delete_expired_sessions(
            self.sessions.clone(),
            stopped.clone(),
        ));
        let webhook_interval =
            Duration::from_millis(self.state.settings.webhooks.interval_ms.max(1));
        let deliveries = tokio::spawn(crate::webhooks::delivery::run(
            self.state.webhooks.clone(),
            webhook_interval,
            stopped,
        ));
        tracing::info!(url = %self.state.public_url, "Dalal is listening");
        axum::serve(self.listener, router(self.state, self.sessions))
            .with_graceful_shutdown(shutdown)
            .await
            .context("the HTTP server failed")?;
        let _ = stop_workers.send(true);
        let _ = worker.await;
        let _ = sweeper.await;
        let _ = deliveries.await;
        Ok(())
    }
}

/// Removes expired checkout sessions every hour.
async fn delete_expired_sessions(store: SqliteStore, shutdown: tokio::sync::watch::Receiver<bool>) {
    crate::payments::workers::every(Duration::from_secs(3600), shutdown, || async {
        if let Err(err) = store.delete_expired().await {
            tracing::warn!(error = %err, "failed to delete expired sessions");
        }
    })
    .await
}

/// Resolves the customer's language for this request: `?lang=` (remembered in the session),
/// else the session's, else `Accept-Language`, else French.
async fn language(
    session: tower_sessions::Session,
    mut request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    use crate::i18n::Lang;
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
async fn same_origin_only(request: Request<axum::body::Body>, next: Next) -> Response {
    if request.method() == axum::http::Method::POST && request.uri().path().starts_with("/rpc/") {
        let headers = request.headers();
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let origin_ok = match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
            Some(origin) => origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest == host),
            None => {
                headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) != Some("cross-site")
            }
        };
        if !origin_ok {
            tracing::warn!(host, "refused a cross-site call to a page function");
            return (
                StatusCode::FORBIDDEN,
                "Requête refusée : elle ne vient pas de la page de paiement.",
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// Payment pages are never cached (their state changes); static files are, for an hour (their
/// names are not content-hashed, so a deploy must be picked up soon).
async fn cache_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let value =
        if path.starts_with("/pkg/") || path.starts_with("/logos/") || path.starts_with("/favicon")
        {
            "public, max-age=3600"
        } else if path.starts_with("/pay/")
            || path.starts_with("/rpc/")
            || path.starts_with("/sandbox/")
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

/// The whole application. Browser sessions and the customer's language concern the pages only:
/// the merchant API (a hot path) goes without them.
pub fn router(state: AppState, sessions: SqliteStore) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name("dalal_session")
        .with_secure(state.public_url.starts_with("https://"))
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::hours(2),
        ));
    let pages = Router::new()
        .route(
            "/sandbox/phone/{reference}",
            get(sandbox_phone).post(sandbox_decide),
        )
        .route(
            "/sandbox/3ds/{reference}",
            get(sandbox_bank).post(sandbox_bank_answer),
        )
        .leptos_routes_with_context(&state, routes, || {}, move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(language))
        .layer(session_layer);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(api::router())
        .merge(pages)
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
            })
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(axum::middleware::from_fn(cache_headers))
        .layer(axum::middleware::from_fn(same_origin_only))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> Response {
    match db::ping(&state.pool).await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok"})),
        )
            .into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}

/// Prometheus text format: payments, attempts and webhook deliveries by status, and gateways
/// currently skipped by the router.
async fn metrics(State(state): State<AppState>) -> Response {
    let render = async {
        let mut out = String::new();
        let gauges = [
            (
                "dalal_payments",
                "Payments by status.",
                "payments",
                "status",
            ),
            (
                "dalal_payment_attempts",
                "Provider attempts by status.",
                "payment_attempts",
                "status",
            ),
            (
                "dalal_webhook_deliveries",
                "Webhook deliveries by status.",
                "webhook_deliveries",
                "status",
            ),
        ];
        for (name, help, table, column) in gauges {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} gauge\n"));
            for (value, n) in db::count_by(&state.pool, table, column).await? {
                out.push_str(&format!("{name}{{{column}=\"{value}\"}} {n}\n"));
            }
        }
        let now = state.clock.now_ms();
        let ids: Vec<&str> = state
            .payments
            .routes()
            .all()
            .iter()
            .map(|g| g.id.as_str())
            .collect();
        let resting = db::gateways::skipped(&state.pool, &ids, now).await?;
        out.push_str("# HELP dalal_gateway_skipped 1 when the router skips the gateway after repeated failures.\n# TYPE dalal_gateway_skipped gauge\n");
        for id in ids {
            let skipped = i32::from(resting.iter().any(|r| r == id));
            out.push_str(&format!(
                "dalal_gateway_skipped{{gateway=\"{id}\"}} {skipped}\n"
            ));
        }
        anyhow::Ok(out)
    };
    match render.await {
        Ok(body) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response(),
        Err(err) => api::ApiError::internal(&err).into_response(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The sandbox "phone": what the QR code and deep link open in test mode. The tester answers
/// as the customer would in the Wave or Orange Money app.
async fn sandbox_phone(State(state): State<AppState>, Path(reference): Path<String>) -> Response {
    let session = match sandbox::session(&state.pool, &reference).await {
        Ok(Some(s)) if s.flow == "qr" => s,
        Ok(_) => {
            return (
                StatusCode::NOT_FOUND,
                Html(phone_page(
                    "Session inconnue",
                    "<p>Ce QR code ne correspond à aucune session de test.</p>",
                )),
            )
                .into_response();
        }
        Err(err) => return api::ApiError::internal(&err).into_response(),
    };
    let provider = crate::domain::ProviderCode::parse(&session.provider)
        .map(|p| p.name())
        .unwrap_or("Provider");
    let amount = format!(
        "{} {}",
        crate::domain::money::group_thousands(session.amount, '\u{202f}'),
        escape(&session.currency)
    );
    let body = match session.decision.as_deref() {
        Some(d) => {
            let answer = match d {
                "approve" => "Paiement approuvé.",
                "decline" => "Paiement refusé.",
                _ => "Paiement refusé : solde insuffisant.",
            };
            format!("<p class=\"notice\" role=\"status\">{answer}</p><p>Revenez à la page de paiement : elle se met à jour toute seule.</p>")
        }
        None => format!(
            "<p>Le marchand demande <strong>{amount}</strong>.</p>
             <form method=\"post\">
               <button class=\"button primary\" name=\"decision\" value=\"approve\">Approuver le paiement</button>
               <button class=\"button\" name=\"decision\" value=\"decline\">Refuser</button>
               <button class=\"button\" name=\"decision\" value=\"insufficient_funds\">Simuler un solde insuffisant</button>
             </form>"
        ),
    };
    Html(phone_page(
        &format!("{provider} — téléphone de test"),
        &body,
    ))
    .into_response()
}

fn phone_page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">
         <title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/dalal.css\"></head>
         <body><main class=\"page phone\"><p class=\"sandbox-badge\">Mode test — aucun argent réel</p><h1>{title}</h1>{body}</main></body></html>"
    )
}

/// The sandbox bank's 3-D Secure page: where a card's bank asks the cardholder to confirm, as
/// an issuer's page does after a card form. The test code is `123456`.
async fn sandbox_bank(State(state): State<AppState>, Path(reference): Path<String>) -> Response {
    bank_page(&state, &reference, None).await
}

async fn bank_page(state: &AppState, reference: &str, problem: Option<&str>) -> Response {
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            Html(phone_page(
                "Authentification inconnue",
                "<p>Cette page ne correspond à aucune authentification de test.</p>",
            )),
        )
            .into_response()
    };
    let found = match state
        .payments
        .find_by_reference(crate::domain::ProviderCode::Card, reference)
        .await
    {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(err) => return api::ApiError::internal(&anyhow::anyhow!("{err}")).into_response(),
    };
    let session = match sandbox::session(&state.pool, reference).await {
        Ok(Some(s)) if s.flow == "3ds" => s,
        Ok(_) => return not_found(),
        Err(err) => return api::ApiError::internal(&err).into_response(),
    };
    let (payment, attempt) = found;
    let back = format!("/pay/{}", payment.checkout_token);
    let merchant = crate::db::merchants::merchant_name(&state.pool, &payment.merchant_id)
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
    let card = attempt
        .card
        .as_ref()
        .map(|(brand, last4)| format!("{brand} •••• {last4}"))
        .unwrap_or_default();
    let body = if sandbox::card::awaiting_authentication(&session, state.clock.now_ms()) {
        let problem = problem
            .map(|p| format!("<p class=\"notice error\" role=\"alert\">{}</p>", escape(p)))
            .unwrap_or_default();
        format!(
            "<p>Paiement de <strong>{amount}</strong> chez <strong>{merchant}</strong> avec la carte <strong>{card}</strong>.</p>
             {problem}
             <form method=\"post\">
               <label for=\"code\">Code reçu par SMS (test : {code})</label>
               <input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"6\">
               <button class=\"button primary\" name=\"decision\" value=\"approve\">Valider</button>
               <button class=\"button\" name=\"decision\" value=\"decline\" formnovalidate>Refuser le paiement</button>
             </form>",
            amount = escape(&payment.amount.display_fr()),
            merchant = escape(&merchant),
            card = escape(&card),
            code = sandbox::card::TEST_3DS_CODE,
        )
    } else {
        format!(
            "<p class=\"notice\" role=\"status\">Cette authentification est terminée.</p>
             <p><a class=\"button primary\" href=\"{back}\">Revenir au paiement</a></p>"
        )
    };
    Html(phone_page("Banque de test — 3-D Secure", &body)).into_response()
}

#[derive(serde::Deserialize)]
struct BankAnswer {
    decision: String,
    #[serde(default)]
    code: String,
}

async fn sandbox_bank_answer(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Form(form): Form<BankAnswer>,
) -> Response {
    let decision = match form.decision.as_str() {
        "approve" if form.code.trim() == sandbox::card::TEST_3DS_CODE => Decision::Approve,
        "approve" => {
            return bank_page(
                &state,
                &reference,
                Some("Code incorrect : saisissez le code reçu par SMS."),
            )
            .await;
        }
        _ => Decision::Decline,
    };
    match sandbox::decide(&state.pool, &state.clock, &reference, decision).await {
        Ok(Some(provider)) => {
            if let Err(err) = state.payments.provider_notified(provider, &reference).await {
                tracing::warn!(error = ?err, "failed to apply a 3-D Secure answer at once; the worker will");
            }
        }
        Ok(None) => {}
        Err(err) => return api::ApiError::internal(&err).into_response(),
    }
    // Like an issuer's page: back to the merchant's checkout, which shows the outcome.
    match state
        .payments
        .find_by_reference(crate::domain::ProviderCode::Card, &reference)
        .await
    {
        Ok(Some((payment, _))) => {
            Redirect::to(&format!("/pay/{}", payment.checkout_token)).into_response()
        }
        _ => Redirect::to(&format!("/sandbox/3ds/{reference}")).into_response(),
    }
}

#[derive(serde::Deserialize)]
struct DecisionForm {
    decision: String,
}

async fn sandbox_decide(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let Some(decision) = Decision::parse(&form.decision) else {
        return (
            StatusCode::BAD_REQUEST,
            Html(phone_page(
                "Réponse inconnue",
                "<p>Choisissez Approuver ou Refuser.</p>",
            )),
        )
            .into_response();
    };
    match sandbox::decide(&state.pool, &state.clock, &reference, decision).await {
        Ok(Some(provider)) => {
            // Like a provider's webhook: a hint for Dalal to fetch the status now.
            if let Err(err) = state.payments.provider_notified(provider, &reference).await {
                tracing::warn!(error = ?err, "failed to apply a sandbox decision at once; the worker will");
            }
        }
        Ok(None) => {}
        Err(err) => return api::ApiError::internal(&err).into_response(),
    }
    Redirect::to(&format!("/sandbox/phone/{reference}")).into_response()
}
