//! After creating: `GET /api/v1/payments` (list), `POST /api/v1/payments/{transactionId}/cancel`
//! and `POST /api/v1/payments/{transactionId}/refunds`.

use super::wire::{Pagination, PaymentData, PaymentList, RefundData};
use crate::api::auth::ApiMerchant;
use crate::api::{ApiError, fields, json_response, read_body, success_body};
use crate::domain::{PaymentStatus, ProviderCode, TransactionId};
use crate::payments::{ListFilter, RefundRequest, idempotency};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::collections::HashMap;

fn transaction(id: &str) -> Result<TransactionId, ApiError> {
    TransactionId::parse(id)
        .map_err(|_| ApiError::not_found(format!("Transaction « {id} » introuvable")))
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
        (status = 200, description = "A page of payments", body = super::wire::PaymentList),
        (status = 400, description = "Bad input (French message)", body = crate::api::error::ErrorBody),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    ApiMerchant(merchant): ApiMerchant,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) =
        query.map_err(|_| ApiError::bad_request("Paramètres de requête invalides"))?;
    let get = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    };
    let filter = ListFilter {
        status: get("status")
            .map(|s| {
                PaymentStatus::parse(s).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "Le paramètre « status » doit valoir pending, processing, succeeded, failed, cancelled ou expired (reçu « {s} »)"
                    ))
                })
            })
            .transpose()?,
        method: get("method").map(ProviderCode::parse).transpose()?,
        created_from: get("createdFrom")
            .map(|s| fields::time_bound("createdFrom", s, false))
            .transpose()?,
        created_to: get("createdTo")
            .map(|s| fields::time_bound("createdTo", s, true))
            .transpose()?,
        external_reference: get("externalReference").map(str::to_owned),
        before_id: get("startingAfter")
            .map(|s| {
                TransactionId::parse(s).map(|id| id.sequence()).map_err(|_| {
                    ApiError::bad_request(format!(
                        "Le paramètre « startingAfter » doit être un transactionId (reçu « {s} »)"
                    ))
                })
            })
            .transpose()?,
    };
    let limit = fields::limit(get("limit"))?;
    let page = state
        .payments
        .list(&merchant.id, merchant.mode, &filter, limit)
        .await?;
    let next = page
        .has_more
        .then(|| page.payments.last().map(|(p, _, _)| p.id.to_string()))
        .flatten();
    let data = page
        .payments
        .iter()
        .map(|(p, a, r)| PaymentData::new(&state.public_url, p, a.as_ref(), r))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let body = serde_json::to_string(&PaymentList {
        success: true,
        data,
        pagination: Pagination {
            has_more: page.has_more,
            next_starting_after: next,
        },
    })
    .map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}

/// `POST /api/v1/payments/{transactionId}/cancel`: cancels a payment that is not over; again on
/// a cancelled payment, the same answer; a paid payment stays paid (409).
#[utoipa::path(post, path = "/api/v1/payments/{transaction_id}/cancel", tag = "CaurisFlux",
    summary = "Cancel a payment that is not over",
    params(("transaction_id" = String, Path, description = "TX000000042")),
    responses(
        (status = 200, description = "The cancelled payment", body = super::wire::PaymentResponse),
        (status = 401, description = "Missing or wrong key", body = crate::api::error::ErrorBody),
        (status = 404, description = "Unknown payment, or another merchant's", body = crate::api::error::ErrorBody),
        (status = 409, description = "The payment's state does not allow it, or the same idempotency key is still running", body = crate::api::error::ErrorBody),
        (status = 429, description = "Too many requests: try again after Retry-After seconds", body = crate::api::error::ErrorBody),
    ),
    security(("api_key" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiMerchant(merchant): ApiMerchant,
    Path(transaction_id): Path<String>,
) -> Result<Response, ApiError> {
    let id = transaction(&transaction_id)?;
    let (payment, attempt) = state
        .payments
        .cancel_for_merchant(&merchant.id, merchant.mode, id)
        .await?;
    let refunds = state.payments.refunds(&payment).await?;
    let data = PaymentData::new(&state.public_url, &payment, attempt.as_ref(), &refunds)?;
    let body = success_body(&data).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
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
        (status = 201, description = "The refund (succeeded or failed)", body = super::wire::RefundResponse),
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
    ApiMerchant(merchant): ApiMerchant,
    Path(transaction_id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let id = transaction(&transaction_id)?;
    let bytes = read_body(body, state.settings.server.max_body_bytes).await?;
    let key = fields::idempotency_key(&headers)?;
    let (amount, reason) = fields::refund_body(&bytes)?;
    let route = format!("POST /api/v1/payments/{}/refunds", id);
    let request = RefundRequest {
        amount,
        reason,
        idempotency: key.map(|k| {
            let hash = idempotency::fingerprint(&route, &bytes);
            (k.as_str().to_owned(), hash)
        }),
    };
    let (payment, refund) = state
        .payments
        .refund(&merchant.id, merchant.mode, id, request)
        .await?;
    let body = success_body(&RefundData::new(&payment, &refund)).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::CREATED, body))
}
