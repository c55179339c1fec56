//! The SahelPay dialect: `POST /v1/payments`, `GET /v1/payments/{id}`, listing, cancel and
//! refunds, field for field as `shared/seeds/sahelpay-create-payment.txt`. Same core, checkout
//! page and webhooks as the CaurisFlux dialect; a payment created in one is readable in the
//! other, and its webhooks speak the dialect it was created in. The operations run in
//! `api::handlers`; this module says how SahelPay speaks (`MerchantApi`).
//!
//! Extension to the seed: an optional `callback_url` in the body (else the merchant's default
//! webhook endpoint receives the events).

pub(crate) mod error;
pub(crate) mod query;
mod request;
pub mod wire;

pub use error::SahelError;

use super::dialect::{Edge, MerchantApi};
use super::{ApiError, handlers};
use crate::domain::{InvalidInput, TransactionId};
use crate::merchants::{self, Merchant};
use crate::payments::{ListFilter, NewPayment, PaymentError};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use std::collections::HashMap;

/// The SahelPay shape: `Authorization: Bearer`, snake_case, upper-case words, `txn_…` ids,
/// `{success: false, error: {code, message}}`.
pub struct SahelPay;

impl MerchantApi for SahelPay {
    type Error = SahelError;
    type PaymentData = wire::PaymentData;
    type RefundData = wire::RefundData;
    type Page = wire::PaymentList;

    const CREATE_ROUTE: &'static str = "POST /v1/payments";
    const PAYMENTS_ROUTE: &'static str = "POST /v1/payments/";

    async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Merchant, SahelError> {
        authenticate(state, headers).await
    }

    fn parse_create(bytes: &[u8]) -> Result<NewPayment, SahelError> {
        request::parse_create(bytes)
    }

    fn unreadable_query() -> SahelError {
        SahelError::bad("INVALID_QUERY", "Paramètres de requête invalides")
    }

    fn parse_list(query: &HashMap<String, String>) -> Result<(ListFilter, u32), SahelError> {
        query::parse_list(query)
    }

    fn spell(id: TransactionId) -> String {
        id.sahelpay()
    }

    fn not_found(id: &str) -> SahelError {
        SahelError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Paiement « {id} » introuvable"),
        )
    }

    fn too_large(err: ApiError) -> SahelError {
        SahelError::new(err.status, "PAYLOAD_TOO_LARGE", err.message)
    }

    fn invalid(edge: Edge, err: InvalidInput) -> SahelError {
        let code = match edge {
            Edge::IdempotencyKey => "INVALID_IDEMPOTENCY_KEY",
            Edge::RefundBody => "INVALID_FIELD",
        };
        SahelError::bad(code, err.fr())
    }

    /// A refund's only invalid input in the core is its amount (`INVALID_AMOUNT`).
    fn refund_refused(err: PaymentError) -> SahelError {
        match err {
            PaymentError::Invalid(e) => SahelError::bad("INVALID_AMOUNT", e.fr()),
            other => other.into(),
        }
    }
}

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
    handlers::create::<SahelPay>(state, headers, body).await
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
    handlers::get::<SahelPay>(state, headers, id).await
}

/// `GET /v1/payments?status=SUCCEEDED&payment_method=WAVE&created_from=…&created_to=…
/// &client_reference=…&limit=20&starting_after=txn_…`: newest first.
#[utoipa::path(get, path = "/v1/payments", tag = "SahelPay",
    summary = "List payments, newest first",
    params(
        ("status" = Option<String>, Query, description = "PENDING, PROCESSING, SUCCEEDED, FAILED, CANCELLED or EXPIRED"),
        ("payment_method" = Option<String>, Query, description = "ORANGE_MONEY, WAVE, MOOV, FREE_MONEY, MTN_MOMO, CARD, VISA, MASTERCARD or GIM_UEMOA"),
        ("created_from" = Option<String>, Query, description = "A day (UTC) or an RFC 3339 time, inclusive"),
        ("created_to" = Option<String>, Query, description = "A day (UTC, to its end) or an RFC 3339 time, inclusive"),
        ("client_reference" = Option<String>, Query, description = "The merchant's reference"),
        ("limit" = Option<u32>, Query, description = "1 to 100 (20)", minimum = 1, maximum = 100),
        ("starting_after" = Option<String>, Query, description = "The last id of the previous page")),
    responses(
        (status = 200, description = "A page of payments", body = wire::PaymentList),
        (status = 400, description = "Bad input (French message)", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, SahelError> {
    handlers::list::<SahelPay>(state, headers, query.map(|Query(q)| q)).await
}

/// `POST /v1/payments/{id}/cancel`.
#[utoipa::path(post, path = "/v1/payments/{id}/cancel", tag = "SahelPay",
    summary = "Cancel a payment that is not over",
    params(("id" = String, Path, description = "txn_000000000042")),
    responses(
        (status = 200, description = "The cancelled payment", body = wire::PaymentResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 404, description = "Unknown payment, or another merchant's", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 409, description = "The payment's state does not allow it, or the same idempotency key is still running", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, SahelError> {
    handlers::cancel::<SahelPay>(state, headers, id).await
}

/// `POST /v1/payments/{id}/refunds` with `{"amount"?, "reason"?}`.
#[utoipa::path(post, path = "/v1/payments/{id}/refunds", tag = "SahelPay",
    summary = "Refund all or part of a paid payment",
    params(
        ("id" = String, Path, description = "txn_000000000042"),
        ("X-Idempotency-Key" = Option<String>, Header, description = "The same key and body answer the same refund")),
    request_body(content = crate::api::fields::RefundBody, description = "Both fields optional"),
    responses(
        (status = 201, description = "The refund (SUCCEEDED or FAILED)", body = wire::RefundResponse),
        (status = 400, description = "Bad input (French message)", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 404, description = "Unknown payment, or another merchant's", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 409, description = "The payment's state does not allow it, or the same idempotency key is still running", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 413, description = "Body over 64 KB", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 422, description = "Idempotency key reused for another request, or what the provider cannot do", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn refund(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Body,
) -> Result<Response, SahelError> {
    handlers::refund::<SahelPay>(state, headers, id, body).await
}
