//! The CaurisFlux dialect: `POST /api/v1/payments/initiate`, `GET /api/v1/payments/{id}`,
//! listing, cancel, refunds, `GET /api/v1/payments/providers` and the webhook listings, field
//! for field as `shared/seeds/caurisflux-payments-initiate.txt`. The operations both dialects
//! share run in `api::handlers`; this module says how CaurisFlux speaks (`MerchantApi`).

pub mod providers;
mod query;
mod request;
pub mod webhooks;
pub mod wire;

use super::dialect::{Edge, MerchantApi};
use super::{ApiError, handlers};
use crate::domain::{InvalidInput, TransactionId};
use crate::merchants::Merchant;
use crate::payments::{ListFilter, NewPayment};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use std::collections::HashMap;

/// The CaurisFlux shape: `X-API-Key`, camelCase, `TX…` ids, `{statusCode, message, error}`.
pub struct CaurisFlux;

impl MerchantApi for CaurisFlux {
    type Error = ApiError;
    type PaymentData = wire::PaymentData;
    type RefundData = wire::RefundData;
    type Page = wire::PaymentList;

    const CREATE_ROUTE: &'static str = "POST /api/v1/payments/initiate";
    const PAYMENTS_ROUTE: &'static str = "POST /api/v1/payments/";

    async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Merchant, ApiError> {
        super::auth::api_key(state, headers).await
    }

    fn parse_create(bytes: &[u8]) -> Result<NewPayment, ApiError> {
        Ok(request::parse_initiate(bytes)?)
    }

    fn unreadable_query() -> ApiError {
        ApiError::bad_request("Paramètres de requête invalides")
    }

    fn parse_list(query: &HashMap<String, String>) -> Result<(ListFilter, u32), ApiError> {
        query::parse_list(query)
    }

    fn spell(id: TransactionId) -> String {
        id.to_string()
    }

    fn not_found(id: &str) -> ApiError {
        ApiError::not_found(format!("Transaction « {id} » introuvable"))
    }

    fn too_large(err: ApiError) -> ApiError {
        err
    }

    fn invalid(_: Edge, err: InvalidInput) -> ApiError {
        err.into()
    }
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
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    handlers::create::<CaurisFlux>(state, headers, body).await
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
    headers: HeaderMap,
    Path(transaction_id): Path<String>,
) -> Result<Response, ApiError> {
    handlers::get::<CaurisFlux>(state, headers, transaction_id).await
}

/// `GET /api/v1/payments?status=succeeded&method=wave&createdFrom=2026-11-01&createdTo=…
/// &externalReference=…&limit=20&startingAfter=TX000000042`: newest first.
#[utoipa::path(get, path = "/api/v1/payments", tag = "CaurisFlux",
    summary = "List payments, newest first",
    params(
        ("status" = Option<String>, Query, description = "pending, processing, succeeded, failed, cancelled or expired"),
        ("method" = Option<String>, Query, description = "wave, orange_money, free_money, mtn_momo, moov_money or card"),
        ("createdFrom" = Option<String>, Query, description = "A day (2026-11-01, UTC) or an RFC 3339 time, inclusive"),
        ("createdTo" = Option<String>, Query, description = "A day (2026-11-30, UTC, to its end) or an RFC 3339 time, inclusive"),
        ("externalReference" = Option<String>, Query, description = "The merchant's reference"),
        ("limit" = Option<u32>, Query, description = "1 to 100 (20)", minimum = 1, maximum = 100),
        ("startingAfter" = Option<String>, Query, description = "The last transactionId of the previous page")),
    responses(
        (status = 200, description = "A page of payments", body = wire::PaymentList),
        (status = 400, description = "Bad input (French message)", body = crate::api::error::ErrorBody),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    handlers::list::<CaurisFlux>(state, headers, query.map(|Query(q)| q)).await
}

/// `POST /api/v1/payments/{transactionId}/cancel`: cancels a payment that is not over; again on
/// a cancelled payment, the same answer; a paid payment stays paid (409).
#[utoipa::path(post, path = "/api/v1/payments/{transaction_id}/cancel", tag = "CaurisFlux",
    summary = "Cancel a payment that is not over",
    params(("transaction_id" = String, Path, description = "TX000000042")),
    responses(
        (status = 200, description = "The cancelled payment", body = wire::PaymentResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 404, description = "Unknown payment, or another merchant's", body = crate::api::error::ErrorBody),
        (status = 409, description = "The payment's state does not allow it, or the same idempotency key is still running", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(transaction_id): Path<String>,
) -> Result<Response, ApiError> {
    handlers::cancel::<CaurisFlux>(state, headers, transaction_id).await
}

/// `POST /api/v1/payments/{transactionId}/refunds` with `{"amount"?, "reason"?}`: refunds
/// through the provider that took the money. `X-Idempotency-Key` makes a retry safe.
#[utoipa::path(post, path = "/api/v1/payments/{transaction_id}/refunds", tag = "CaurisFlux",
    summary = "Refund all or part of a paid payment",
    params(
        ("transaction_id" = String, Path, description = "TX000000042"),
        ("X-Idempotency-Key" = Option<String>, Header, description = "The same key and body answer the same refund")),
    request_body(content = crate::api::fields::RefundBody, description = "Both fields optional"),
    responses(
        (status = 201, description = "The refund (succeeded or failed)", body = wire::RefundResponse),
        (status = 400, description = "Bad input (French message)", body = crate::api::error::ErrorBody),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 404, description = "Unknown payment, or another merchant's", body = crate::api::error::ErrorBody),
        (status = 409, description = "The payment's state does not allow it, or the same idempotency key is still running", body = crate::api::error::ErrorBody),
        (status = 413, description = "Body over 64 KB", body = crate::api::error::ErrorBody),
        (status = 422, description = "Idempotency key reused for another request, or what the provider cannot do", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn refund(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(transaction_id): Path<String>,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    handlers::refund::<CaurisFlux>(state, headers, transaction_id, body).await
}
