//! After creating: `GET /v1/payments` (list), `POST /v1/payments/{id}/cancel` and
//! `POST /v1/payments/{id}/refunds`, in SahelPay's words.

use super::error::{SahelError, invalid};
use super::wire::{Pagination, PaymentData, PaymentList, RefundData, method_name};
use crate::api::{fields, json_response, read_body, success_body};
use crate::domain::{CardBrand, PaymentStatus, ProviderCode, TransactionId};
use crate::payments::{ListFilter, PaymentError, RefundRequest, idempotency};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use std::collections::HashMap;

/// A refund's errors: its only invalid input in the core is its amount (`INVALID_AMOUNT`);
/// everything else is mapped as anywhere else.
fn refund_error(err: PaymentError) -> SahelError {
    match err {
        PaymentError::Invalid(e) => SahelError::bad("INVALID_AMOUNT", e.fr()),
        other => other.into(),
    }
}

fn transaction(id: &str) -> Result<TransactionId, SahelError> {
    TransactionId::parse(id).map_err(|_| {
        SahelError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Paiement « {id} » introuvable"),
        )
    })
}

/// SahelPay's method names, back to Dalal's provider (cards: any brand).
fn parse_method(s: &str) -> Option<ProviderCode> {
    ProviderCode::ALL.into_iter().find(|p| {
        method_name(*p, None) == s
            || (*p == ProviderCode::Card
                && [CardBrand::Visa, CardBrand::Mastercard, CardBrand::GimUemoa]
                    .iter()
                    .any(|b| method_name(*p, Some(*b)) == s))
    })
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
        (status = 200, description = "A page of payments", body = super::wire::PaymentList),
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
    let merchant = super::authenticate(&state, &headers).await?;
    let Query(query) =
        query.map_err(|_| SahelError::bad("INVALID_QUERY", "Paramètres de requête invalides"))?;
    let get = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    };
    let bad = |name: &str, got: &str| {
        SahelError::bad(
            "INVALID_QUERY",
            format!("Valeur invalide pour « {name} » : « {got} »"),
        )
    };
    let filter = ListFilter {
        status: get("status")
            .map(|s| PaymentStatus::parse(&s.to_ascii_lowercase()).ok_or_else(|| bad("status", s)))
            .transpose()?,
        method: get("payment_method")
            .map(|s| parse_method(s).ok_or_else(|| bad("payment_method", s)))
            .transpose()?,
        created_from: get("created_from")
            .map(|s| fields::time_bound("created_from", s, false))
            .transpose()
            .map_err(invalid("INVALID_QUERY"))?,
        created_to: get("created_to")
            .map(|s| fields::time_bound("created_to", s, true))
            .transpose()
            .map_err(invalid("INVALID_QUERY"))?,
        external_reference: get("client_reference").map(str::to_owned),
        before_id: get("starting_after")
            .map(|s| {
                TransactionId::parse(s)
                    .map(|id| id.sequence())
                    .map_err(|_| bad("starting_after", s))
            })
            .transpose()?,
    };
    let limit = fields::limit(get("limit")).map_err(invalid("INVALID_QUERY"))?;
    let page = state
        .payments
        .list(&merchant.id, merchant.mode, &filter, limit)
        .await?;
    let next = page
        .has_more
        .then(|| page.payments.last().map(|(p, _, _)| p.id.sahelpay()))
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

/// `POST /v1/payments/{id}/cancel`.
#[utoipa::path(post, path = "/v1/payments/{id}/cancel", tag = "SahelPay",
    summary = "Cancel a payment that is not over",
    params(("id" = String, Path, description = "txn_000000000042")),
    responses(
        (status = 200, description = "The cancelled payment", body = super::wire::PaymentResponse),
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
    let merchant = super::authenticate(&state, &headers).await?;
    let id = transaction(&id)?;
    let (payment, attempt) = state
        .payments
        .cancel_for_merchant(&merchant.id, merchant.mode, id)
        .await?;
    let refunds = state.payments.refunds(&payment).await?;
    let data = PaymentData::new(&state.public_url, &payment, attempt.as_ref(), &refunds)?;
    let body = success_body(&data).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}

/// `POST /v1/payments/{id}/refunds` with `{"amount"?, "reason"?}`.
#[utoipa::path(post, path = "/v1/payments/{id}/refunds", tag = "SahelPay",
    summary = "Refund all or part of a paid payment",
    params(
        ("id" = String, Path, description = "txn_000000000042"),
        ("X-Idempotency-Key" = Option<String>, Header, description = "The same key and body answer the same refund")),
    request_body(content = crate::api::fields::RefundBody, description = "Both fields optional"),
    responses(
        (status = 201, description = "The refund (SUCCEEDED or FAILED)", body = super::wire::RefundResponse),
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
    let merchant = super::authenticate(&state, &headers).await?;
    let id = transaction(&id)?;
    let bytes = read_body(body, state.settings.server.max_body_bytes)
        .await
        .map_err(|e| SahelError::new(e.status, "PAYLOAD_TOO_LARGE", e.message))?;
    let key = fields::idempotency_key(&headers).map_err(invalid("INVALID_IDEMPOTENCY_KEY"))?;
    let (amount, reason) = fields::refund_body(&bytes).map_err(invalid("INVALID_FIELD"))?;
    let route = format!("POST /v1/payments/{}/refunds", id.sahelpay());
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
        .await
        .map_err(refund_error)?;
    let body = success_body(&RefundData::new(&payment, &refund)).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::CREATED, body))
}
