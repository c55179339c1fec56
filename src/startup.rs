//! Builds the application: database, providers, payment core, router, workers. `main.rs` and the
//! tests both start Dalal through `Application::build`, so tests run the real thing. This is the
//! one place that wires adapters (connectors, the dialects' webhook bodies) into the core.

mod connectors;

pub use connectors::live_connectors;

use crate::app::{App, shell};
use crate::clock::SharedClock;
use crate::config::Settings;
use crate::db::sessions::Sessions;
use crate::payments::Payments;
use crate::payments::gateways::GatewayTable;
use crate::sandbox;
use crate::state::AppState;
use crate::webhooks::delivery::Deliverer;
use crate::{api, db, merchants, middleware, ops, pages, provider_notifications, routes};
use anyhow::Context;
use axum::Router;
use axum::http::{HeaderName, Request};
use axum::routing::get;
use leptos::prelude::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{ExpiredDeletion, Expiry, SessionManagerLayer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub struct Application {
    listener: TcpListener,
    state: AppState,
    sessions: Sessions,
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
        if settings.demo.enabled && crate::accounts::ensure_demo_user(&pool, &clock).await? {
            tracing::info!(
                email = crate::accounts::DEMO_EMAIL,
                "created the demo merchant's dashboard user"
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
        let sessions = Sessions::open(&pool)
            .await
            .context("failed to create the sessions table")?;
        let gateways = GatewayTable::new(&settings.routing.gateways).context("invalid routing.gateways")?;
        let sandbox_url = match settings.sandbox.providers_url.trim_end_matches('/') {
            "" if address.ip().is_unspecified() => format!("http://127.0.0.1:{}", address.port()),
            "" => format!("http://{address}"),
            url => url.to_owned(),
        };
        let connectors = connectors::connectors(&settings, &gateways, &pool, &clock, &public_url, &sandbox_url)?;
        let webhook_bodies = api::WebhookBodies {
            public_url: public_url.clone(),
        };
        let webhook_bodies = Arc::new(webhook_bodies);
        let gateways = Arc::new(gateways);
        let payouts = crate::payouts::Payouts::new(
            pool.clone(),
            clock.clone(),
            connectors.clone(),
            gateways.clone(),
            settings.payouts.clone(),
            webhook_bodies.clone(),
        );
        let payments = Payments::new(
            pool.clone(),
            clock.clone(),
            connectors,
            gateways,
            settings.payments.clone(),
            webhook_bodies,
            &public_url,
        );
        let leptos_options = LeptosOptions::builder()
            .output_name("dalal")
            .site_root(std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()))
            .site_pkg_dir("pkg")
            .site_addr(address)
            .build();
        let webhooks = Deliverer::new(pool.clone(), clock.clone(), &settings.webhooks)?;
        let limits = crate::rate_limit::Limits::new(&settings.rate_limits);
        let state = AppState::new(crate::state::Shared {
            limits,
            pool,
            clock,
            payments,
            payouts,
            api_keys: crate::merchants::KeyCache::new(Duration::from_secs(
                settings.server.api_key_cache_secs,
            )),
            webhooks,
            settings,
            public_url,
            sandbox_url,
            leptos_options,
            draining: Default::default(),
        });
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
        let worker = tokio::spawn(crate::payments::run_workers(
            self.state.payments.clone(),
            interval,
            stopped.clone(),
        ));
        let payout_worker = tokio::spawn(crate::payouts::run_workers(
            self.state.payouts.clone(),
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
            stopped.clone(),
        ));
        let refreshing = tokio::spawn(refresh_providers(
            self.state.payments.clone(),
            stopped.clone(),
        ));
        let pruning = tokio::spawn(crate::retention::run(
            self.state.pool.clone(),
            self.state.clock.clone(),
            self.state.settings.retention.clone(),
            self.state.limits.clone(),
            stopped.clone(),
        ));
        let checkpoints = tokio::spawn(crate::retention::checkpoints(
            self.state.pool.clone(),
            Duration::from_secs(self.state.settings.database.checkpoint_interval_secs.max(1)),
            crate::db::restart_after_frames(self.state.settings.database.wal_size_limit_bytes),
            stopped,
        ));
        tracing::info!(url = %self.state.public_url, "Dalal is listening");
        let draining = self.state.draining.clone();
        let drain = Duration::from_millis(self.state.settings.server.drain_ms);
        let shutdown = async move {
            shutdown.await;
            draining.store(true, std::sync::atomic::Ordering::SeqCst);
            tracing::info!(drain_ms = drain.as_millis() as u64, "shutting down: /readyz answers 503, requests in flight finish");
            tokio::time::sleep(drain).await;
        };
        let pool = self.state.pool.clone();
        let app = router(self.state, self.sessions)
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .context("the HTTP server failed")?;
        let _ = stop_workers.send(true);
        let _ = worker.await;
        let _ = payout_worker.await;
        let _ = sweeper.await;
        let _ = deliveries.await;
        let _ = pruning.await;
        let _ = refreshing.await;
        let _ = checkpoints.await;
        // Every worker finished its pass (deliveries recorded, attempts rescheduled): no lease is
        // left for another instance to wait out.
        pool.close().await;
        Ok(())
    }
}

/// Reads what the providers' accounts take (pawaPay's `active-conf`) at start, then every ten
/// minutes.
async fn refresh_providers(payments: Payments, shutdown: tokio::sync::watch::Receiver<bool>) {
    payments.refresh_providers().await;
    crate::background::every(Duration::from_secs(600), shutdown, || async {
        payments.refresh_providers().await
    })
    .await
}

/// Removes expired checkout sessions every hour.
async fn delete_expired_sessions(store: Sessions, shutdown: tokio::sync::watch::Receiver<bool>) {
    crate::background::every(Duration::from_secs(3600), shutdown, || async {
        if let Err(err) = store.delete_expired().await {
            tracing::warn!(error = %err, "failed to delete expired sessions");
        }
    })
    .await
}

/// Sets a rendered page's Content-Security-Policy with the nonce Leptos gave this response's
/// hydration scripts (runs in the page's reactive context, once per request).
fn page_security_policy() {
    use leptos::prelude::use_context;
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) = axum::http::HeaderValue::from_str(&middleware::page_csp(&nonce))
    {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The pages' routes, generated once per process. While leptos generates them it holds every
/// resource in the process from loading, for good (a process-wide flag: leptos issue #4773), so
/// a page that another application in the same process (the tests run many) rendered during a
/// second generation would never finish.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application. Browser sessions and the customer's language concern the pages only:
/// the merchant API (a hot path) goes without them.
pub fn router(state: AppState, sessions: Sessions) -> Router {
    let routes = page_routes();
    let options = state.leptos_options.clone();
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name("dalal_session")
        .with_secure(state.public_url.starts_with("https://"))
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::seconds(
                state.settings.server.session_idle_secs,
            ),
        ));
    let pages = Router::new()
        .route(
            routes::SANDBOX_PHONE,
            get(sandbox::pages::phone).post(sandbox::pages::phone_answer),
        )
        .route(
            routes::SANDBOX_BANK,
            get(sandbox::pages::bank).post(sandbox::pages::bank_answer),
        )
        .route(
            routes::DASHBOARD_EXPORT,
            get(pages::dashboard::export::export),
        )
        .leptos_routes_with_context(&state, routes, page_security_policy, move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(middleware::language))
        .layer(axum::middleware::from_fn(
            middleware::dashboard_sign_in_required,
        ))
        .layer(session_layer);
    Router::new()
        .route(routes::HEALTH, get(ops::healthz))
        .route(routes::READY, get(ops::readyz))
        .route(routes::METRICS, get(ops::metrics))
        .route(routes::QR, get(crate::qr::image))
        .route(
            routes::HOOK_WAVE,
            axum::routing::post(provider_notifications::wave),
        )
        .route(
            routes::HOOK_MTN_MOMO,
            axum::routing::put(provider_notifications::mtn_momo)
                .post(provider_notifications::mtn_momo),
        )
        .route(
            routes::HOOK_ORANGE_MONEY,
            axum::routing::post(provider_notifications::orange_money),
        )
        .route(
            routes::HOOK_PAWAPAY,
            axum::routing::post(provider_notifications::pawapay),
        )
        .merge(sandbox::router())
        .merge(api::router())
        .merge(pages)
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                tracing::info_span!("request", id, method = %request.method(), path = %request.uri().path())
            })
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(axum::middleware::from_fn(middleware::cache_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::rate_limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::security_headers,
        ))
        .layer(axum::middleware::from_fn(middleware::same_origin_only))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}
