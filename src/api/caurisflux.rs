//! The CaurisFlux dialect: `POST /api/v1/payments/initiate`, `GET /api/v1/payments/{id}`,
//! `GET /api/v1/payments/providers` and the webhook listings, field for field as
//! `shared/seeds/caurisflux-payments-initiate.txt`.

pub mod operations;
mod request;
pub mod wire;

use super::auth::ApiMerchant;
use super::{ApiError, fields, json_response, read_body, success_body};
use crate::domain::{Country, Money, ProviderCode, TransactionId};
use crate::payments::{Attempt, Completion, Conflict, NewPayment, Payment, PaymentError};
use crate::state::AppState;
use crate::{clock, routes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::collections::HashMap;
use wire::{PaymentData, ProviderInfo, WebhookAttempt, WebhookDelivery};

const INITIATE_ROUTE: &str = "POST /api/v1/payments/initiate";

/// The `201` body for a created payment.
fn created_body(
    state: &AppState,
    payment: &Payment,
    attempt: Option<&Attempt>,
) -> anyhow::Result<(u16, String)> {
    let data = PaymentData::new(&state.public_url, payment, attempt, &[])?;
    let body = success_body(&data)?;
    Ok((StatusCode::CREATED.as_u16(), body))
}

/// Creates the payment and renders the response; with an idempotency key, the response is
/// stored in the same transaction as the payment.
async fn create(
    state: &AppState,
    merchant: &crate::merchants::Merchant,
    new: NewPayment,
    key: Option<&crate::domain::text::IdempotencyKey>,
    unclaimed: Option<String>,
) -> super::Created<ApiError> {
    let render =
        |payment: &Payment, attempt: Option<&Attempt>| created_body(state, payment, attempt);
    let completion = key.map(|key| Completion {
        key,
        render: &render,
        unclaimed: unclaimed.as_deref(),
    });
    let (payment, attempt) = match state
        .payments
        .create(&merchant.id, merchant.mode, new, completion)
        .await
    {
        Err(PaymentError::Conflict(Conflict::IdempotencyKeyTaken)) => return Ok(None),
        other => other?,
    };
    let (status, body) = created_body(state, &payment, attempt.as_ref())?;
    Ok(Some(json_response(
        StatusCode::from_u16(status).map_err(anyhow::Error::from)?,
        body,
    )))
}

#[utoipa::path(post, path = "/api/v1/payments/initiate", tag = "CaurisFlux",
    summary = "Create a payment",
    request_body = request::InitiateBody,
    params(("X-Idempotency-Key" = Option<String>, Header, description = "1 to 255 printable ASCII characters: the same key and body replay the first response")),
    responses(
        (status = 201, description = "The payment", body = wire::PaymentResponse),
        (status = 400, description = "Bad input (French message)", body = crate::api::error::ErrorBody),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 403, description = "A live key while no provider has live credentials (README, \"Going live\")", body = crate::api::error::ErrorBody),
        (status = 409, description = "The payment's state does not allow it, or the same idempotency key is still running", body = crate::api::error::ErrorBody),
        (status = 413, description = "Body over 64 KB", body = crate::api::error::ErrorBody),
        (status = 422, description = "Idempotency key reused for another request, or what the provider cannot do", body = crate::api::error::ErrorBody),
        (status = 503, description = "The provider is down (Retry-After)", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn initiate(
    State(state): State<AppState>,
    ApiMerchant(merchant): ApiMerchant,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let bytes = read_body(body, state.settings.server.max_body_bytes).await?;
    let key = fields::idempotency_key(&headers)?;
    let new = request::parse_initiate(&bytes)?;

    let Some(key) = key else {
        return create(&state, &merchant, new, None, None)
            .await?
            .ok_or_else(|| anyhow::anyhow!("a payment without key was not created").into());
    };
    let calls_provider = new.opens_provider_session();
    let creating = |unclaimed| create(&state, &merchant, new.clone(), Some(&key), unclaimed);
    super::idempotent(
        &state,
        &merchant.id,
        &key,
        INITIATE_ROUTE,
        &bytes,
        calls_provider,
        creating,
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/payments/{transaction_id}", tag = "CaurisFlux",
    summary = "Read a payment",
    params(("transaction_id" = String, Path, description = "TX000000042 (txn_000000000042 works too)")),
    responses(
        (status = 200, description = "The payment", body = wire::PaymentResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 404, description = "Unknown payment, or another merchant's", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn get_payment(
    State(state): State<AppState>,
    ApiMerchant(merchant): ApiMerchant,
    Path(transaction_id): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found(format!("Transaction « {transaction_id} » introuvable"));
    let id = TransactionId::parse(&transaction_id).map_err(|_| not_found())?;
    let (payment, attempt) = state
        .payments
        .find_for_merchant(&merchant.id, merchant.mode, id)
        .await?
        .ok_or_else(not_found)?;
    let refunds = state.payments.refunds(&payment).await?;
    let data = PaymentData::new(&state.public_url, &payment, attempt.as_ref(), &refunds)?;
    let body = success_body(&data).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}

/// `GET /api/v1/payments/providers?country=SN&amount=10000`: the providers a merchant can use.
#[utoipa::path(get, path = "/api/v1/payments/providers", tag = "CaurisFlux",
    summary = "Providers, their countries and limits",
    params(
        ("country" = Option<String>, Query, description = "SN, CI, ML, BF, BJ, TG, NE, GN or CM"),
        ("currency" = Option<String>, Query, description = "XOF, XAF or GNF"),
        ("amount" = Option<i64>, Query, description = "Whether each provider takes this amount")),
    responses(
        (status = 200, description = "The providers", body = wire::ProviderList),
        (status = 400, description = "Bad input (French message)", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ))]
pub async fn providers(
    State(state): State<AppState>,
    query: Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) =
        query.map_err(|_| ApiError::bad_request("Paramètres de requête invalides"))?;
    let country = query
        .get("country")
        .filter(|s| !s.is_empty())
        .map(|c| Country::parse(c))
        .transpose()?;
    let currency = match query.get("currency").filter(|s| !s.is_empty()) {
        Some(c) => crate::domain::Currency::parse(c)?,
        None => country
            .map(Country::currency)
            .unwrap_or(crate::domain::Currency::Xof),
    };
    let amount = query
        .get("amount")
        .filter(|s| !s.is_empty())
        .map(|a| {
            a.parse::<i64>()
                .ok()
                .and_then(|n| Money::new(n, currency).ok())
                .ok_or_else(|| {
                    ApiError::bad_request("Le paramètre « amount » doit être un entier positif")
                })
        })
        .transpose()?;
    let data: Vec<ProviderInfo> = ProviderCode::ALL
        .into_iter()
        .filter(|p| country.is_none_or(|c| p.serves(c)))
        .map(|p| {
            let (min_amount, max_amount) = p.limits(currency);
            let serves_currency = p.countries().iter().any(|c| c.currency() == currency);
            let unavailable_reason = if !serves_currency {
                Some(format!("{} n'accepte pas la devise {currency}", p.name()))
            } else {
                amount
                    .and_then(|a| crate::domain::provider::check_limits(p, a).err())
                    .map(|why| crate::domain::InvalidInput::from(why).fr().to_owned())
            };
            ProviderInfo {
                code: p.code(),
                name: p.name(),
                logo_url: routes::absolute(&state.public_url, &routes::logo(p)),
                countries: p.countries().iter().map(|c| c.code()).collect(),
                currency: currency.code(),
                min_amount,
                max_amount,
                confirmation: p.flow(),
                available: unavailable_reason.is_none(),
                unavailable_reason,
            }
        })
        .collect();
    let body = success_body(&data).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}

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
