//! One handler per merchant operation, for every dialect (`dialect::MerchantApi`): create, read,
//! list, cancel, refund. Each dialect's module keeps only thin, documented wrappers (the OpenAPI
//! operations) around these.

use super::dialect::{Edge, MerchantApi, PageShape, PaymentShape, RefundShape};
use super::{json_response, read_body, success_body};
use crate::domain::TransactionId;
use crate::payments::idempotency::{KeyedRequest, fingerprint};
use crate::payments::{Attempt, Payment, RefundRequest};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use std::collections::HashMap;

fn transaction<D: MerchantApi>(id: &str) -> Result<TransactionId, D::Error> {
    TransactionId::parse(id).map_err(|_| D::not_found(id))
}

/// `{"success": true, "data": payment}` with `status`.
fn payment_response<D: MerchantApi>(
    state: &AppState,
    status: StatusCode,
    payment: &Payment,
    attempt: Option<&Attempt>,
    refunds: &[crate::payments::Refund],
) -> anyhow::Result<Response> {
    let data = D::PaymentData::new(&state.public_url, payment, attempt, refunds)?;
    Ok(json_response(status, success_body(&data)?))
}

/// `200` with the payment as it stands, its refunds included.
async fn with_refunds<D: MerchantApi>(
    state: &AppState,
    payment: &Payment,
    attempt: Option<&Attempt>,
) -> Result<Response, crate::payments::PaymentError> {
    let refunds = state.payments.refunds(payment).await?;
    Ok(payment_response::<D>(state, StatusCode::OK, payment, attempt, &refunds)?)
}

/// Creates a payment; with `X-Idempotency-Key`, once per key (`Payments::create_once`).
pub async fn create<D: MerchantApi>(
    state: AppState,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let bytes = read_body(body, state.settings.server.max_body_bytes)
        .await
        .map_err(D::too_large)?;
    let key = super::fields::idempotency_key(&headers)
        .map_err(|e| D::invalid(Edge::IdempotencyKey, e))?;
    let new = D::parse_create(&bytes)?;
    let Some(key) = key else {
        let (payment, attempt) = state
            .payments
            .create(&merchant.id, merchant.mode, new)
            .await?;
        return Ok(payment_response::<D>(
            &state,
            StatusCode::CREATED,
            &payment,
            attempt.as_ref(),
            &[],
        )?);
    };
    let render = |payment: &Payment, attempt: Option<&Attempt>| {
        let data = D::PaymentData::new(&state.public_url, payment, attempt, &[])?;
        Ok((StatusCode::CREATED.as_u16(), success_body(&data)?))
    };
    let request = KeyedRequest {
        merchant_id: &merchant.id,
        mode: merchant.mode,
        key: &key,
        route: D::CREATE_ROUTE,
        body: &bytes,
    };
    let reply = state
        .payments
        .create_once::<D::Error>(&request, new, &render)
        .await?;
    let status = StatusCode::from_u16(reply.status).map_err(anyhow::Error::from)?;
    let mut response = json_response(status, reply.body);
    if reply.replayed {
        response.headers_mut().insert(
            header::HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

/// A payment with its latest attempt and its refunds.
pub async fn get<D: MerchantApi>(
    state: AppState,
    headers: HeaderMap,
    id: String,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let transaction = transaction::<D>(&id)?;
    let (payment, attempt) = state
        .payments
        .find_for_merchant(&merchant.id, merchant.mode, transaction)
        .await?
        .ok_or_else(|| D::not_found(&id))?;
    Ok(with_refunds::<D>(&state, &payment, attempt.as_ref()).await?)
}

/// A page of the merchant's payments, newest first.
pub async fn list<D: MerchantApi>(
    state: AppState,
    headers: HeaderMap,
    query: Result<HashMap<String, String>, QueryRejection>,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let query = query.map_err(|_| D::unreadable_query())?;
    let (filter, limit) = D::parse_list(&query)?;
    let page = state
        .payments
        .list(&merchant.id, merchant.mode, &filter, limit)
        .await?;
    let next = page
        .has_more
        .then(|| page.payments.last().map(|(p, _, _)| D::spell(p.id)))
        .flatten();
    let data = page
        .payments
        .iter()
        .map(|(p, a, r)| D::PaymentData::new(&state.public_url, p, a.as_ref(), r))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let body = serde_json::to_string(&D::Page::new(data, page.has_more, next))
        .map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::OK, body))
}

/// Cancels a payment that is not over; again on a cancelled payment, the same answer; a paid
/// payment stays paid (409).
pub async fn cancel<D: MerchantApi>(
    state: AppState,
    headers: HeaderMap,
    id: String,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let id = transaction::<D>(&id)?;
    let (payment, attempt) = state
        .payments
        .cancel_for_merchant(&merchant.id, merchant.mode, id)
        .await?;
    Ok(with_refunds::<D>(&state, &payment, attempt.as_ref()).await?)
}

/// Refunds all or part of a paid payment through the provider that took the money;
/// `X-Idempotency-Key` makes a retry safe.
pub async fn refund<D: MerchantApi>(
    state: AppState,
    headers: HeaderMap,
    id: String,
    body: axum::body::Body,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let id = transaction::<D>(&id)?;
    let bytes = read_body(body, state.settings.server.max_body_bytes)
        .await
        .map_err(D::too_large)?;
    let key = super::fields::idempotency_key(&headers)
        .map_err(|e| D::invalid(Edge::IdempotencyKey, e))?;
    let (amount, reason) =
        super::fields::refund_body(&bytes).map_err(|e| D::invalid(Edge::RefundBody, e))?;
    let route = format!("{}{}/refunds", D::PAYMENTS_ROUTE, D::spell(id));
    let request = RefundRequest {
        amount,
        reason,
        idempotency: key.map(|k| (k.as_str().to_owned(), fingerprint(&route, &bytes))),
    };
    let (payment, refund) = state
        .payments
        .refund(&merchant.id, merchant.mode, id, request)
        .await
        .map_err(D::refund_refused)?;
    let body = success_body(&D::RefundData::new(&payment, &refund)).map_err(anyhow::Error::from)?;
    Ok(json_response(StatusCode::CREATED, body))
}
