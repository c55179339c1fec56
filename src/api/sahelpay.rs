//! The SahelPay dialect: `POST /v1/payments` and `GET /v1/payments/{id}`, field for field as
//! `shared/seeds/sahelpay-create-payment.txt`. Same core, checkout page and webhooks as the
//! CaurisFlux dialect; a payment created in one is readable in the other, and its webhooks speak
//! the dialect it was created in.
//!
//! Extension to the seed: an optional `callback_url` in the body (else the merchant's default
//! webhook endpoint receives the events).

pub(crate) mod error;
pub mod operations;
mod request;
pub mod wire;

pub use error::SahelError;

use super::{fields, json_response, read_body, success_body};
use crate::domain::TransactionId;
use crate::domain::text::IdempotencyKey;
use crate::merchants::{self, Merchant};
use crate::payments::{Attempt, Completion, Conflict, NewPayment, Payment, PaymentError};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use error::invalid;
use wire::PaymentData;

const CREATE_ROUTE: &str = "POST /v1/payments";

/// `Authorization: Bearer sk_…`.
pub(crate) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Merchant, SahelError> {
    let unauthorized = |m: &str| SahelError::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", m);
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        unauthorized("Non authentifié : en-tête Authorization manquant (Bearer sk_test_xxx)")
    })?;
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|s| s.starts_with("sk_") && s.len() <= 256)
        .ok_or_else(|| {
            unauthorized("Non authentifié : utilisez Authorization: Bearer sk_test_xxx")
        })?;
    merchants::authenticate_secret(&state.pool, &state.clock, secret)
        .await?
        .ok_or_else(|| unauthorized("Non authentifié : clé secrète invalide"))
}

fn created_body(
    public_url: &str,
    payment: &Payment,
    attempt: Option<&Attempt>,
) -> anyhow::Result<(u16, String)> {
    let data = PaymentData::new(public_url, payment, attempt, &[])?;
    Ok((StatusCode::CREATED.as_u16(), success_body(&data)?))
}

async fn create(
    state: &AppState,
    merchant: &Merchant,
    new: NewPayment,
    key: Option<&IdempotencyKey>,
    unclaimed: Option<String>,
) -> super::Created<SahelError> {
    let render = |payment: &Payment, attempt: Option<&Attempt>| {
        created_body(&state.public_url, payment, attempt)
    };
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
    let (status, body) = created_body(&state.public_url, &payment, attempt.as_ref())?;
    Ok(Some(json_response(
        StatusCode::from_u16(status).map_err(anyhow::Error::from)?,
        body,
    )))
}

/// `POST /v1/payments`.
#[utoipa::path(post, path = "/v1/payments", tag = "SahelPay",
    summary = "Create a payment",
    request_body = request::CreateBody,
    params(("X-Idempotency-Key" = Option<String>, Header, description = "1 to 255 printable ASCII characters")),
    responses(
        (status = 201, description = "The payment", body = wire::PaymentResponse),
        (status = 400, description = "Bad input (French message)", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 403, description = "A live key while no provider has live credentials (README, \"Going live\")", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 409, description = "The payment's state does not allow it, or the same idempotency key is still running", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 413, description = "Body over 64 KB", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 422, description = "Idempotency key reused for another request, or what the provider cannot do", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 503, description = "The provider is down (Retry-After)", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn create_payment(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, SahelError> {
    let merchant = authenticate(&state, &headers).await?;
    let bytes = read_body(body, state.settings.server.max_body_bytes)
        .await
        .map_err(|e| SahelError::new(e.status, "PAYLOAD_TOO_LARGE", e.message))?;
    let key = fields::idempotency_key(&headers).map_err(invalid("INVALID_IDEMPOTENCY_KEY"))?;
    let new = request::parse_create(&bytes)?;
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
        CREATE_ROUTE,
        &bytes,
        calls_provider,
        creating,
    )
    .await
}

/// `GET /v1/payments/{id}` (`txn_…`, or the CaurisFlux `TX…`).
#[utoipa::path(get, path = "/v1/payments/{id}", tag = "SahelPay",
    summary = "Read a payment",
    params(("id" = String, Path, description = "txn_000000000042 (TX000000042 works too)")),
    responses(
        (status = 200, description = "The payment", body = wire::PaymentResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 404, description = "Unknown payment, or another merchant's", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn get_payment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, SahelError> {
    let merchant = authenticate(&state, &headers).await?;
    let not_found = || {
        SahelError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Paiement « {id} » introuvable"),
        )
    };
    let transaction = TransactionId::parse(&id).map_err(|_| not_found())?;
    let (payment, attempt) = state
        .payments
        .find_for_merchant(&merchant.id, merchant.mode, transaction)
        .await?
        .ok_or_else(not_found)?;
    let refunds = state.payments.refunds(&payment).await?;
    let data = PaymentData::new(&state.public_url, &payment, attempt.as_ref(), &refunds)?;
    let body = success_body(&data).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}
