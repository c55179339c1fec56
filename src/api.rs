//! The merchant JSON API (plain axum, its own wire types). `caurisflux.rs` speaks the
//! CaurisFlux dialect of `shared/seeds/caurisflux-payments-initiate.txt`.

pub mod auth;
pub mod caurisflux;
pub mod error;
pub mod sahelpay;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

pub use error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/payments/initiate", post(caurisflux::initiate))
        .route("/api/v1/payments/providers", get(caurisflux::providers))
        .route(
            "/api/v1/payments/{transaction_id}",
            get(caurisflux::get_payment),
        )
        .route(
            "/api/v1/payments/{transaction_id}/webhooks",
            get(caurisflux::list_webhooks),
        )
        .route(
            "/api/v1/payments/{transaction_id}/webhooks/redeliver",
            post(caurisflux::redeliver_webhook),
        )
        .route("/api/{*rest}", axum::routing::any(not_found))
        .route("/v1/payments", post(sahelpay::create_payment))
        .route("/v1/payments/{id}", get(sahelpay::get_payment))
        .route("/v1/{*rest}", axum::routing::any(not_found))
        .method_not_allowed_fallback(method_not_allowed)
}

async fn not_found() -> ApiError {
    ApiError::not_found("Route introuvable : consultez la documentation de l'API")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "Méthode HTTP non autorisée pour cette route",
    )
}

/// Reads a request body up to `limit` bytes; a larger one is a 413 with a French message.
pub async fn read_body(
    body: axum::body::Body,
    limit: usize,
) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Le corps de la requête dépasse la taille maximale de {} Ko",
                limit / 1024
            ),
        )
    })
}
