//! The payout operations as routes, one per dialect (axum wants concrete functions), each with
//! its OpenAPI description (`utoipa`).

use super::schemas::{caurisflux as cf, sahelpay as sp};
use super::{balances, cancel, create, create_batch, get, get_batch, list};
use crate::api::ApiError;
use crate::api::caurisflux::CaurisFlux;
use crate::api::sahelpay::{SahelError, SahelPay};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use std::collections::HashMap;

#[utoipa::path(post, path = "/api/v1/payouts", tag = "CaurisFlux", summary = "Send money to a mobile wallet",
    params(("X-Idempotency-Key" = Option<String>, Header, description = "The same key and body answer the same payout")),
    request_body(content = cf::PayoutRequest),
    responses(
        (status = 201, description = "The payout as it stands (Wave answers at once; others end later)", body = cf::PayoutResponse),
        (status = 400, description = "Bad input (French message)", body = crate::api::error::ErrorBody),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 409, description = "The same idempotency key is still running", body = crate::api::error::ErrorBody),
        (status = 413, description = "Body over 64 KB", body = crate::api::error::ErrorBody),
        (status = 422, description = "Over a limit or the balance, a provider that cannot pay out there, or an idempotency key reused", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn caurisflux_create(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Body) -> Result<Response, ApiError> {
    create::<CaurisFlux>(state, headers, body).await
}

#[utoipa::path(get, path = "/api/v1/payouts", tag = "CaurisFlux", summary = "List payouts, newest first",
    params(("status" = Option<String>, Query), ("provider" = Option<String>, Query), ("externalReference" = Option<String>, Query), ("createdFrom" = Option<String>, Query), ("createdTo" = Option<String>, Query), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("startingAfter" = Option<String>, Query)),
    responses(
        (status = 200, description = "A page of payouts", body = cf::PayoutList),
        (status = 400, description = "Bad parameter (French message)", body = crate::api::error::ErrorBody),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 404, description = "startingAfter names no payout of this merchant", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn caurisflux_list(State(state): State<AppState>, headers: HeaderMap, query: Result<Query<HashMap<String, String>>, QueryRejection>) -> Result<Response, ApiError> {
    list::<CaurisFlux>(state, headers, query.map(|q| q.0)).await
}

#[utoipa::path(get, path = "/api/v1/payouts/{id}", tag = "CaurisFlux", summary = "Read a payout and its history",
    params(("id" = String, Path, description = "po_…")),
    responses(
        (status = 200, description = "The payout", body = cf::PayoutResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 404, description = "Unknown payout, or another merchant's", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn caurisflux_get(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    get::<CaurisFlux>(state, headers, id).await
}

#[utoipa::path(post, path = "/api/v1/payouts/{id}/cancel", tag = "CaurisFlux", summary = "Cancel a payout not sent yet",
    params(("id" = String, Path, description = "po_…")),
    responses(
        (status = 200, description = "The cancelled payout", body = cf::PayoutResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 404, description = "Unknown payout, or another merchant's", body = crate::api::error::ErrorBody),
        (status = 409, description = "Already sent or ended", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn caurisflux_cancel(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    cancel::<CaurisFlux>(state, headers, id).await
}

#[utoipa::path(post, path = "/api/v1/payout-batches", tag = "CaurisFlux", summary = "Send a batch of payouts (JSON or CSV)",
    params(("X-Idempotency-Key" = Option<String>, Header, description = "The same key and body answer the same batch")),
    request_body(content((cf::BatchRequest = "application/json"), (String = "text/csv"))),
    responses(
        (status = 201, description = "Each line's outcome so far", body = cf::BatchResponse),
        (status = 400, description = "Bad input (French message)", body = crate::api::error::ErrorBody),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 413, description = "Body over 512 KB", body = crate::api::error::ErrorBody),
        (status = 422, description = "Idempotency key reused for another batch", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn caurisflux_create_batch(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Body) -> Result<Response, ApiError> {
    create_batch::<CaurisFlux>(state, headers, body).await
}

#[utoipa::path(get, path = "/api/v1/payout-batches/{id}", tag = "CaurisFlux", summary = "Read a batch and each line's outcome",
    params(("id" = String, Path, description = "pb_…")),
    responses(
        (status = 200, description = "The batch", body = cf::BatchResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 404, description = "Unknown batch, or another merchant's", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn caurisflux_get_batch(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, ApiError> {
    get_batch::<CaurisFlux>(state, headers, id).await
}

#[utoipa::path(get, path = "/api/v1/balances", tag = "CaurisFlux", summary = "Each payout account's balance, read now",
    responses(
        (status = 200, description = "The balances", body = cf::BalanceList),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn caurisflux_balances(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    balances::<CaurisFlux>(state, headers).await
}

#[utoipa::path(post, path = "/v1/payouts", tag = "SahelPay", summary = "Send money to a mobile wallet",
    params(("X-Idempotency-Key" = Option<String>, Header, description = "The same key and body answer the same payout")),
    request_body(content = sp::PayoutRequest),
    responses(
        (status = 201, description = "The payout as it stands (Wave answers at once; others end later)", body = sp::PayoutResponse),
        (status = 400, description = "Bad input (French message)", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 409, description = "The same idempotency key is still running", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 413, description = "Body over 64 KB", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 422, description = "Over a limit or the balance, a provider that cannot pay out there, or an idempotency key reused", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn sahelpay_create(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Body) -> Result<Response, SahelError> {
    create::<SahelPay>(state, headers, body).await
}

#[utoipa::path(get, path = "/v1/payouts", tag = "SahelPay", summary = "List payouts, newest first",
    params(("status" = Option<String>, Query), ("payment_method" = Option<String>, Query), ("external_reference" = Option<String>, Query), ("created_from" = Option<String>, Query), ("created_to" = Option<String>, Query), ("limit" = Option<u32>, Query, minimum = 1, maximum = 100), ("starting_after" = Option<String>, Query)),
    responses(
        (status = 200, description = "A page of payouts", body = sp::PayoutList),
        (status = 400, description = "Bad parameter (French message)", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 404, description = "startingAfter names no payout of this merchant", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn sahelpay_list(State(state): State<AppState>, headers: HeaderMap, query: Result<Query<HashMap<String, String>>, QueryRejection>) -> Result<Response, SahelError> {
    list::<SahelPay>(state, headers, query.map(|q| q.0)).await
}

#[utoipa::path(get, path = "/v1/payouts/{id}", tag = "SahelPay", summary = "Read a payout and its history",
    params(("id" = String, Path, description = "po_…")),
    responses(
        (status = 200, description = "The payout", body = sp::PayoutResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 404, description = "Unknown payout, or another merchant's", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn sahelpay_get(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, SahelError> {
    get::<SahelPay>(state, headers, id).await
}

#[utoipa::path(post, path = "/v1/payouts/{id}/cancel", tag = "SahelPay", summary = "Cancel a payout not sent yet",
    params(("id" = String, Path, description = "po_…")),
    responses(
        (status = 200, description = "The cancelled payout", body = sp::PayoutResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 404, description = "Unknown payout, or another merchant's", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 409, description = "Already sent or ended", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn sahelpay_cancel(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, SahelError> {
    cancel::<SahelPay>(state, headers, id).await
}

#[utoipa::path(post, path = "/v1/payout_batches", tag = "SahelPay", summary = "Send a batch of payouts (JSON or CSV)",
    params(("X-Idempotency-Key" = Option<String>, Header, description = "The same key and body answer the same batch")),
    request_body(content((sp::BatchRequest = "application/json"), (String = "text/csv"))),
    responses(
        (status = 201, description = "Each line's outcome so far", body = sp::BatchResponse),
        (status = 400, description = "Bad input (French message)", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 413, description = "Body over 512 KB", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 422, description = "Idempotency key reused for another batch", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn sahelpay_create_batch(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Body) -> Result<Response, SahelError> {
    create_batch::<SahelPay>(state, headers, body).await
}

#[utoipa::path(get, path = "/v1/payout_batches/{id}", tag = "SahelPay", summary = "Read a batch and each line's outcome",
    params(("id" = String, Path, description = "pb_…")),
    responses(
        (status = 200, description = "The batch", body = sp::BatchResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 404, description = "Unknown batch, or another merchant's", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn sahelpay_get_batch(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Result<Response, SahelError> {
    get_batch::<SahelPay>(state, headers, id).await
}

#[utoipa::path(get, path = "/v1/balances", tag = "SahelPay", summary = "Each payout account's balance, read now",
    responses(
        (status = 200, description = "The balances", body = sp::BalanceList),
        (status = 401, description = "Missing or wrong key", body = crate::api::sahelpay::error::ErrorEnvelope),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::sahelpay::error::ErrorEnvelope),
    ),
    security(("bearer" = [])))]
pub async fn sahelpay_balances(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, SahelError> {
    balances::<SahelPay>(state, headers).await
}
