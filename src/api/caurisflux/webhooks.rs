//! A payment's webhook deliveries: `GET /api/v1/payments/{transactionId}/webhooks` and
//! `POST …/webhooks/redeliver`.

use super::wire::{self, WebhookAttempt, WebhookDelivery};
use crate::api::auth::ApiMerchant;
use crate::api::{ApiError, json_response, success_body};
use crate::clock;
use crate::domain::TransactionId;
use crate::payments::Payment;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

async fn merchant_payment(
    state: &AppState,
    merchant: &crate::merchants::Merchant,
    transaction_id: &str,
) -> Result<Payment, ApiError> {
    let not_found = || ApiError::not_found(format!("Transaction « {transaction_id} » introuvable"));
    let id = TransactionId::parse(transaction_id).map_err(|_| not_found())?;
    let (payment, _) = state
        .payments
        .find_for_merchant(&merchant.id, merchant.mode, id)
        .await?
        .ok_or_else(not_found)?;
    Ok(payment)
}

/// `GET /api/v1/payments/{transactionId}/webhooks`: every delivery of the payment's events, with
/// each attempt's time, HTTP status, latency and next retry.
#[utoipa::path(get, path = "/api/v1/payments/{transaction_id}/webhooks", tag = "CaurisFlux",
    summary = "A payment's webhook deliveries and their attempts",
    params(("transaction_id" = String, Path, description = "TX000000042")),
    responses(
        (status = 200, description = "Deliveries, oldest first", body = wire::WebhookDeliveryList),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 404, description = "Unknown payment, or another merchant's", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn list_webhooks(
    State(state): State<AppState>,
    ApiMerchant(merchant): ApiMerchant,
    Path(transaction_id): Path<String>,
) -> Result<Response, ApiError> {
    let payment = merchant_payment(&state, &merchant, &transaction_id).await?;
    let (deliveries, attempts) =
        crate::db::webhooks::deliveries_for_payment(&state.pool, payment.id.sequence()).await?;
    let data: Vec<WebhookDelivery> = deliveries
        .into_iter()
        .map(|d| WebhookDelivery {
            attempts: attempts
                .iter()
                .filter(|a| a.delivery_id == d.id)
                .map(|a| WebhookAttempt {
                    at: clock::iso8601(a.at),
                    http_status: a.http_status,
                    latency_ms: a.latency_ms,
                    error: a.error.clone(),
                    next_retry_at: a.next_retry_at.map(clock::iso8601),
                })
                .collect(),
            event_id: d.event_id,
            kind: d.event_type.to_string(),
            url: d.url,
            status: d.status.to_string(),
            created_at: clock::iso8601(d.created_at),
        })
        .collect();
    let body = success_body(&data).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}

/// `POST /api/v1/payments/{transactionId}/webhooks/redeliver`: sends the payment's latest event
/// again (same event id), now.
#[utoipa::path(post, path = "/api/v1/payments/{transaction_id}/webhooks/redeliver", tag = "CaurisFlux",
    summary = "Send the payment's latest event again",
    params(("transaction_id" = String, Path, description = "TX000000042")),
    responses(
        (status = 202, description = "Queued: the same event id, now", body = wire::RedeliveryResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 404, description = "Unknown payment, or another merchant's", body = crate::api::error::ErrorBody),
        (status = 409, description = "The payment's state does not allow it, or the same idempotency key is still running", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn redeliver_webhook(
    State(state): State<AppState>,
    ApiMerchant(merchant): ApiMerchant,
    Path(transaction_id): Path<String>,
) -> Result<Response, ApiError> {
    let payment = merchant_payment(&state, &merchant, &transaction_id).await?;
    let Some((event_id, url)) = crate::webhooks::redeliver_latest(
        &state.pool,
        payment.id.sequence(),
        state.clock.now_ms(),
    )
    .await?
    else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "Aucun événement à renvoyer : le paiement n'a pas encore changé de statut, ou ni lui ni le marchand n'ont de point de réception (callbackUrl, dalal set-webhook-url)",
        ));
    };
    let body = success_body(&serde_json::json!({ "eventId": event_id, "url": url }))
        .map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::ACCEPTED, body))
}
