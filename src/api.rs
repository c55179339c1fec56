//! The merchant JSON API (plain axum, its own wire types), in two *dialects* — two shapes of
//! one API, each with its own paths, field names, id spelling and error body, over the same
//! payments: CaurisFlux (`caurisflux.rs`, `shared/seeds/caurisflux-payments-initiate.txt`) and
//! SahelPay (`sahelpay.rs`, `shared/seeds/sahelpay-create-payment.txt`). Each operation has one
//! handler (`handlers.rs`) over the dialect trait (`dialect.rs`).

pub mod auth;
pub mod caurisflux;
pub mod dialect;
pub mod error;
pub mod fields;
pub mod handlers;
pub mod limits;
pub mod openapi;
pub mod payouts;
pub mod sahelpay;
pub mod schemas;

use crate::payments::{Attempt, Dialect, EventFormatter, Payment, Refund};
use caurisflux::CaurisFlux;
use dialect::{MerchantApi, PaymentShape, RefundShape};
use sahelpay::SahelPay;
use crate::routes;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

pub use error::ApiError;

/// Renders a payment for its webhooks in the dialect it was created in (the core's
/// `EventFormatter`, implemented here so that the core never imports a dialect).
pub struct WebhookBodies {
    /// The base of the absolute URLs in the body (`redirectUrl`, logos).
    pub public_url: String,
}

impl EventFormatter for WebhookBodies {
    fn payment_data(
        &self,
        payment: &Payment,
        attempt: Option<&Attempt>,
        refunds: &[Refund],
    ) -> anyhow::Result<serde_json::Value> {
        fn data<D: MerchantApi>(
            url: &str,
            payment: &Payment,
            attempt: Option<&Attempt>,
            refunds: &[Refund],
        ) -> anyhow::Result<serde_json::Value> {
            Ok(serde_json::to_value(D::PaymentData::new(url, payment, attempt, refunds)?)?)
        }
        let url = &self.public_url;
        match payment.dialect {
            Dialect::CaurisFlux => data::<CaurisFlux>(url, payment, attempt, refunds),
            Dialect::SahelPay => data::<SahelPay>(url, payment, attempt, refunds),
        }
    }

    fn refund_data(&self, payment: &Payment, refund: &Refund) -> anyhow::Result<serde_json::Value> {
        Ok(match payment.dialect {
            Dialect::CaurisFlux => serde_json::to_value(caurisflux::wire::RefundData::new(payment, refund))?,
            Dialect::SahelPay => serde_json::to_value(sahelpay::wire::RefundData::new(payment, refund))?,
        })
    }
}

impl crate::payouts::PayoutFormatter for WebhookBodies {
    fn payout_data(&self, payout: &crate::payouts::Payout) -> anyhow::Result<serde_json::Value> {
        payouts::data(payout)
    }
}

/// Both dialects wrap what they return in `{"success": true, "data": …}`.
#[derive(serde::Serialize)]
struct Envelope<T> {
    success: bool,
    data: T,
}

/// `{"success": true, "data": data}` as JSON text.
pub fn success_body(data: &impl serde::Serialize) -> serde_json::Result<String> {
    serde_json::to_string(&Envelope {
        success: true,
        data,
    })
}

/// A JSON body with its status.
pub fn json_response(status: axum::http::StatusCode, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

pub fn router() -> Router<AppState> {
    use routes::{caurisflux as cf, sahelpay as sp};
    Router::new()
        .route(routes::OPENAPI, get(openapi::document))
        .route(routes::DOCS, get(openapi::page))
        .route(cf::PAYMENTS, get(caurisflux::list))
        .route(cf::INITIATE, post(caurisflux::initiate))
        .route(cf::PROVIDERS, get(caurisflux::providers::providers))
        .route(cf::PAYMENT, get(caurisflux::get_payment))
        .route(cf::WEBHOOKS, get(caurisflux::webhooks::list_webhooks))
        .route(cf::REDELIVER, post(caurisflux::webhooks::redeliver_webhook))
        .route(cf::CANCEL, post(caurisflux::cancel))
        .route(cf::REFUNDS, post(caurisflux::refund))
        .route(cf::PAYOUTS, post(payouts::operations::caurisflux_create).get(payouts::operations::caurisflux_list))
        .route(cf::PAYOUT, get(payouts::operations::caurisflux_get))
        .route(cf::PAYOUT_CANCEL, post(payouts::operations::caurisflux_cancel))
        .route(cf::BALANCES, get(payouts::operations::caurisflux_balances))
        .route(cf::PAYOUT_BATCHES, post(payouts::operations::caurisflux_create_batch))
        .route(cf::PAYOUT_BATCH, get(payouts::operations::caurisflux_get_batch))
        .route(cf::ANY, axum::routing::any(not_found))
        .route(
            sp::PAYMENTS,
            post(sahelpay::create_payment).get(sahelpay::list),
        )
        .route(sp::PAYMENT, get(sahelpay::get_payment))
        .route(sp::CANCEL, post(sahelpay::cancel))
        .route(sp::REFUNDS, post(sahelpay::refund))
        .route(sp::PAYOUTS, post(payouts::operations::sahelpay_create).get(payouts::operations::sahelpay_list))
        .route(sp::PAYOUT, get(payouts::operations::sahelpay_get))
        .route(sp::PAYOUT_CANCEL, post(payouts::operations::sahelpay_cancel))
        .route(sp::BALANCES, get(payouts::operations::sahelpay_balances))
        .route(sp::PAYOUT_BATCHES, post(payouts::operations::sahelpay_create_batch))
        .route(sp::PAYOUT_BATCH, get(payouts::operations::sahelpay_get_batch))
        .route(sp::ANY, axum::routing::any(not_found))
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
