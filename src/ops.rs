//! Operations endpoints: `/healthz` (the process lives and the database answers), `/readyz` (the
//! same, and this instance is not shutting down: send it requests) and `/metrics` (Prometheus
//! text).

use crate::db;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn healthz(State(state): State<AppState>) -> Response {
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

/// Whether a load balancer should send this instance requests: not once shutdown has begun
/// (`server.drain_ms`), nor while the database does not answer.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "draining"})),
        )
            .into_response();
    }
    healthz(State(state)).await
}

/// Prometheus text format: payments, attempts and webhook deliveries by status, and gateways
/// currently skipped by the router.
pub async fn metrics(State(state): State<AppState>) -> Response {
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
        if let db::Pool::Sqlite(_, writer) = &state.pool {
            let (writes, batches) = writer.counts();
            out.push_str(&format!(
                "# HELP dalal_db_writes_total Writes through SQLite's group commit (db::writer).\n\
                 # TYPE dalal_db_writes_total counter\ndalal_db_writes_total {writes}\n\
                 # HELP dalal_db_write_batches_total Transactions those writes took: writes / batches is the mean batch.\n\
                 # TYPE dalal_db_write_batches_total counter\ndalal_db_write_batches_total {batches}\n"
            ));
        }
        out.push_str("# HELP dalal_payment_attempts_unsettled Open attempts whose start's answer was lost (the money may have moved): settled by asking the provider.\n# TYPE dalal_payment_attempts_unsettled gauge\n");
        for (provider, n) in state.payments.unsettled_attempts().await? {
            out.push_str(&format!(
                "dalal_payment_attempts_unsettled{{provider=\"{provider}\"}} {n}\n"
            ));
        }
        let now = state.clock.now_ms();
        let ids: Vec<&str> = state
            .payments
            .gateways()
            .all()
            .iter()
            .map(|g| g.id.as_str())
            .collect();
        let health = db::gateways::health(&state.pool, now).await?;
        out.push_str("# HELP dalal_gateway_skipped 1 when the router skips the gateway after repeated failures.\n# TYPE dalal_gateway_skipped gauge\n");
        for id in ids {
            let skipped = i32::from(health.is_resting(id));
            out.push_str(&format!(
                "dalal_gateway_skipped{{gateway=\"{id}\"}} {skipped}\n"
            ));
        }
        anyhow::Ok(out)
    };
    match render.await {
        Ok(body) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "metrics failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
