//! Payouts in both dialects: `POST /api/v1/payouts` (CaurisFlux, camelCase) and `POST
//! /v1/payouts` (SahelPay, snake_case), read, list, cancel, and each provider account's balance.
//! One handler per operation over `PayoutApi`, which says how a dialect spells its fields,
//! statuses and providers, and words its errors; the core (`payouts`) knows no dialect.

use super::caurisflux::CaurisFlux;
use super::dialect::{Edge, MerchantApi};
use super::sahelpay::{SahelError, SahelPay};
use super::{ApiError, fields, json_response, read_body, success_body};
use crate::clock;
use crate::domain::{
    Dialect, InvalidInput, PayoutStatus, ProviderCode,
};
use crate::payments::idempotency::fingerprint;
use crate::payouts::request::{self, Spelling};
use crate::payouts::{Batch, NewBatch, NewPayout, Payout, PayoutError, PayoutFilter};
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// What a dialect adds to `MerchantApi` for payouts.
pub trait PayoutApi: MerchantApi {
    const DIALECT: Dialect;
    /// The route a creation's idempotency fingerprint names.
    const PAYOUTS_ROUTE: &'static str;
    const BATCHES_ROUTE: &'static str;

    /// A field's name as the dialect spells it, from its camelCase name.
    fn field(camel: &str) -> String;

    /// A status word as the dialect writes it (`succeeded`, SahelPay's `SUCCEEDED`).
    fn word(word: &str) -> String;

    fn status(status: PayoutStatus) -> String {
        Self::word(status.as_str())
    }

    /// A provider as the dialect names it, and back.
    fn provider_name(provider: ProviderCode) -> &'static str;
    fn parse_provider(name: &str) -> Option<ProviderCode>;

    fn refused(err: PayoutError) -> Self::Error;
}

impl PayoutApi for CaurisFlux {
    const DIALECT: Dialect = Dialect::CaurisFlux;
    const PAYOUTS_ROUTE: &'static str = crate::routes::caurisflux::PAYOUTS;
    const BATCHES_ROUTE: &'static str = crate::routes::caurisflux::PAYOUT_BATCHES;

    fn field(camel: &str) -> String {
        camel.to_owned()
    }

    fn word(word: &str) -> String {
        word.to_owned()
    }

    fn provider_name(provider: ProviderCode) -> &'static str {
        provider.code()
    }

    fn parse_provider(name: &str) -> Option<ProviderCode> {
        ProviderCode::parse(name).ok()
    }

    fn refused(err: PayoutError) -> ApiError {
        match err {
            PayoutError::Internal(e) => ApiError::internal(&e),
            other => ApiError::new(other.status(), other.to_string()),
        }
    }
}

impl PayoutApi for SahelPay {
    const DIALECT: Dialect = Dialect::SahelPay;
    const PAYOUTS_ROUTE: &'static str = crate::routes::sahelpay::PAYOUTS;
    const BATCHES_ROUTE: &'static str = crate::routes::sahelpay::PAYOUT_BATCHES;

    /// snake_case; the provider is SahelPay's `payment_method`.
    fn field(camel: &str) -> String {
        if camel == "provider" {
            return "payment_method".to_owned();
        }
        request::snake_case(camel)
    }

    fn word(word: &str) -> String {
        word.to_ascii_uppercase()
    }

    fn provider_name(provider: ProviderCode) -> &'static str {
        super::sahelpay::wire::method_name(provider, None)
    }

    fn parse_provider(name: &str) -> Option<ProviderCode> {
        ProviderCode::ALL
            .into_iter()
            .find(|p| super::sahelpay::wire::method_name(*p, None) == name)
    }

    fn refused(err: PayoutError) -> SahelError {
        match err {
            PayoutError::Internal(e) => e.into(),
            other => SahelError::new(other.status(), other.code(), other.to_string()),
        }
    }
}

pub mod operations;
pub mod schemas;

/// How the dialect spells a payout, for the core's reading of requests.
fn spelling<D: PayoutApi>() -> Spelling {
    Spelling {
        dialect: D::DIALECT,
        field: D::field,
        provider: D::parse_provider,
        provider_name: D::provider_name,
    }
}

/// Reads a creation body into a `NewPayout`, or the first thing wrong with it (in French, with
/// the dialect's field names).
fn parse_create<D: PayoutApi>(bytes: &[u8]) -> Result<NewPayout, InvalidInput> {
    request::parse_object(spelling::<D>(), fields::json_object(bytes)?)
}

/// Largest batch body: 500 lines of CSV or JSON.
const MAX_BATCH_BYTES: usize = 512 * 1024;

/// A batch's lines, from `{"payouts": [...]}` or a CSV body (`Content-Type: text/csv`).
fn parse_batch<D: PayoutApi>(
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<Vec<Result<NewPayout, String>>, InvalidInput> {
    let is_csv = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/csv") || t.starts_with("application/csv"));
    if is_csv {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| InvalidInput::new("Le fichier CSV doit être encodé en UTF-8"))?;
        return request::csv_lines(spelling::<D>(), text);
    }
    let mut body: Map<String, Value> = fields::json_object(bytes)?;
    match body.remove("payouts") {
        Some(Value::Array(lines)) => request::lines(spelling::<D>(), lines),
        _ => Err(InvalidInput::new(
            "Le champ « payouts » est requis : une liste de paiements sortants (ou envoyez un fichier CSV, Content-Type: text/csv)",
        )),
    }
}

/// A batch as the dialect shows it: each line's payout as it stands, or why it was refused.
pub fn render_batch<D: PayoutApi>(batch: &Batch) -> Value {
    let mut results: Vec<(i64, Value)> = batch
        .payouts
        .iter()
        .map(|p| {
            let mut line = Map::new();
            let number = p.batch.as_ref().map(|(_, n)| *n).unwrap_or(0);
            line.insert(D::field("line"), number.into());
            line.insert(D::field("status"), D::status(p.status).into());
            line.insert(D::field("payoutId"), p.id.as_str().into());
            line.insert(D::field("amount"), p.amount.minor().into());
            line.insert(D::field("recipientPhone"), p.recipient.as_str().into());
            line.insert(D::field("failureCode"), p.failure.as_ref().map(|f| f.code.as_str()).into());
            line.insert(D::field("message"), p.failure_message().into());
            (number, Value::Object(line))
        })
        .collect();
    for (number, message) in &batch.refusals {
        let mut line = Map::new();
        line.insert(D::field("line"), (*number).into());
        line.insert(D::field("status"), D::word("refused").into());
        line.insert(D::field("payoutId"), Value::Null);
        line.insert(D::field("amount"), Value::Null);
        line.insert(D::field("recipientPhone"), Value::Null);
        line.insert(D::field("failureCode"), Value::Null);
        line.insert(D::field("message"), message.clone().into());
        results.push((*number, Value::Object(line)));
    }
    results.sort_by_key(|(n, _)| *n);
    let approval = batch
        .payouts
        .first()
        .map(|p| p.approval.as_str())
        .unwrap_or("none");
    let mut data = Map::new();
    data.insert(D::field("id"), batch.id.as_str().into());
    data.insert(D::field("lines"), batch.lines.into());
    data.insert(D::field("accepted"), (batch.payouts.len() as i64).into());
    data.insert(D::field("refused"), (batch.refusals.len() as i64).into());
    data.insert(D::field("total"), batch.total.into());
    data.insert(D::field("approval"), approval.into());
    data.insert(D::field("createdAt"), clock::iso8601(batch.created_at).into());
    data.insert(
        D::field("results"),
        results.into_iter().map(|(_, v)| v).collect::<Vec<_>>().into(),
    );
    Value::Object(data)
}

/// A payout as the dialect shows it (responses and webhook events).
pub fn render<D: PayoutApi>(payout: &Payout) -> Value {
    let mut data = Map::new();
    let mut put = |camel: &str, value: Value| {
        data.insert(D::field(camel), value);
    };
    put("id", payout.id.as_str().into());
    put("status", D::status(payout.status).into());
    put("amount", payout.amount.minor().into());
    put("currency", payout.amount.currency().code().into());
    put("country", payout.country.code().into());
    put("provider", D::provider_name(payout.provider).into());
    put("recipientPhone", payout.recipient.as_str().into());
    put("recipientName", payout.recipient_name.clone().into());
    put("reason", payout.reason.clone().into());
    put("externalReference", payout.external_reference.clone().into());
    put(
        "metadata",
        payout
            .metadata
            .as_deref()
            .and_then(|m| serde_json::from_str(m).ok())
            .unwrap_or(Value::Null),
    );
    put("fee", payout.fee.into());
    put("providerReference", payout.provider_reference.clone().into());
    put(
        "failureCode",
        payout.failure.as_ref().map(|f| f.code.as_str()).into(),
    );
    put("failureMessage", payout.failure_message().into());
    put("approval", payout.approval.as_str().into());
    put("batchId", payout.batch.as_ref().map(|(id, _)| id.as_str()).into());
    put("createdAt", clock::iso8601(payout.created_at).into());
    put("updatedAt", clock::iso8601(payout.updated_at).into());
    Value::Object(data)
}

/// A payout event's `data`, in the dialect the payout was created in.
pub fn data(payout: &Payout) -> anyhow::Result<Value> {
    Ok(match payout.dialect {
        Dialect::CaurisFlux => render::<CaurisFlux>(payout),
        Dialect::SahelPay => render::<SahelPay>(payout),
    })
}

fn respond(status: StatusCode, data: &impl serde::Serialize) -> anyhow::Result<Response> {
    Ok(json_response(status, success_body(data)?))
}

/// Creates a payout and sends it; `201` with the payout as it then stands (Wave's answer is
/// usually final; others end later: read the payout again, or wait for its webhook).
pub async fn create<D: PayoutApi>(
    state: AppState,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let bytes = read_body(body, state.settings.server.max_body_bytes)
        .await
        .map_err(D::too_large)?;
    let key = fields::idempotency_key(&headers).map_err(|e| D::invalid(Edge::IdempotencyKey, e))?;
    let mut new = parse_create::<D>(&bytes).map_err(|e| D::refused(e.into()))?;
    new.idempotency =
        key.map(|k| (k.as_str().to_owned(), fingerprint(D::PAYOUTS_ROUTE, &bytes)));
    let payout = state
        .payouts
        .create(&merchant.id, merchant.mode, new)
        .await
        .map_err(D::refused)?;
    Ok(respond(StatusCode::CREATED, &render::<D>(&payout))?)
}

pub async fn get<D: PayoutApi>(
    state: AppState,
    headers: HeaderMap,
    id: String,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let payout = state
        .payouts
        .get(&merchant.id, merchant.mode, &id)
        .await
        .map_err(D::refused)?;
    let history = state.payouts.history(&payout).await.map_err(D::refused)?;
    let mut data = render::<D>(&payout);
    let lines: Vec<Value> = history
        .iter()
        .map(|h| {
            let mut line = Map::new();
            line.insert(D::field("from"), h.from_status.clone().map(|s| D::status(PayoutStatus::parse(&s).unwrap_or(PayoutStatus::Pending))).into());
            line.insert(D::field("to"), PayoutStatus::parse(&h.to_status).map(D::status).into());
            line.insert(D::field("reason"), h.reason.clone().into());
            line.insert(D::field("at"), clock::iso8601(h.at).into());
            Value::Object(line)
        })
        .collect();
    data.as_object_mut()
        .expect("a payout renders as an object")
        .insert(D::field("history"), lines.into());
    Ok(respond(StatusCode::OK, &data)?)
}

pub async fn cancel<D: PayoutApi>(
    state: AppState,
    headers: HeaderMap,
    id: String,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let payout = state
        .payouts
        .cancel(&merchant.id, merchant.mode, &id)
        .await
        .map_err(D::refused)?;
    Ok(respond(StatusCode::OK, &render::<D>(&payout))?)
}

/// A page of the merchant's payouts, newest first: `status`, `provider`, `externalReference`,
/// `createdFrom`, `createdTo`, `limit`, `startingAfter` (in the dialect's spelling).
pub async fn list<D: PayoutApi>(
    state: AppState,
    headers: HeaderMap,
    query: Result<HashMap<String, String>, QueryRejection>,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let query = query.map_err(|_| D::unreadable_query())?;
    let get = |camel: &str| {
        let name = D::field(camel);
        let value = query.get(&name).map(String::as_str).filter(|s| !s.is_empty());
        (name, value)
    };
    let bad = |e: InvalidInput| D::refused(e.into());
    let (name, status) = get("status");
    let status = status
        .map(|s| {
            PayoutStatus::ALL
                .into_iter()
                .find(|st| D::status(*st).eq_ignore_ascii_case(s))
                .ok_or_else(|| {
                    let all: Vec<String> = PayoutStatus::ALL.into_iter().map(D::status).collect();
                    InvalidInput::new(format!(
                        "Le paramètre « {name} » doit valoir {} (reçu « {s} »)",
                        all.join(", ")
                    ))
                })
        })
        .transpose()
        .map_err(bad)?;
    let (name, provider) = get("provider");
    let provider = provider
        .map(|p| {
            D::parse_provider(p).ok_or_else(|| {
                InvalidInput::new(format!("Le paramètre « {name} » est inconnu : « {p} »"))
            })
        })
        .transpose()
        .map_err(bad)?;
    let (name, from) = get("createdFrom");
    let created_from = from
        .map(|s| fields::time_bound(&name, s, false))
        .transpose()
        .map_err(bad)?;
    let (name, to) = get("createdTo");
    let created_to = to
        .map(|s| fields::time_bound(&name, s, true))
        .transpose()
        .map_err(bad)?;
    let limit = fields::limit(get("limit").1).map_err(bad)?;
    let filter = PayoutFilter {
        status,
        provider,
        created_from,
        created_to,
        external_reference: get("externalReference").1.map(str::to_owned),
        before: None,
    };
    let page = state
        .payouts
        .list(&merchant.id, merchant.mode, filter, get("startingAfter").1, limit)
        .await
        .map_err(D::refused)?;
    let next = page
        .has_more
        .then(|| page.payouts.last().map(|p| p.id.to_string()))
        .flatten();
    let data: Vec<Value> = page.payouts.iter().map(render::<D>).collect();
    let mut pagination = Map::new();
    pagination.insert(D::field("hasMore"), page.has_more.into());
    pagination.insert(D::field("nextStartingAfter"), next.into());
    let body = serde_json::json!({ "success": true, "data": data, "pagination": pagination });
    Ok(json_response(StatusCode::OK, body.to_string()))
}

/// Creates a batch of payouts (JSON `{"payouts": [...]}` or CSV); `201` with each line's
/// outcome so far. The accepted lines are sent by the worker (or wait for an approval).
pub async fn create_batch<D: PayoutApi>(
    state: AppState,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let bytes = read_body(body, MAX_BATCH_BYTES).await.map_err(D::too_large)?;
    let key = fields::idempotency_key(&headers).map_err(|e| D::invalid(Edge::IdempotencyKey, e))?;
    let lines = parse_batch::<D>(&headers, &bytes).map_err(|e| D::refused(e.into()))?;
    let new = NewBatch {
        dialect: D::DIALECT,
        lines,
        idempotency: key.map(|k| (k.as_str().to_owned(), fingerprint(D::BATCHES_ROUTE, &bytes))),
        created_by: None,
    };
    let batch = state
        .payouts
        .create_batch(&merchant.id, merchant.mode, new)
        .await
        .map_err(D::refused)?;
    Ok(respond(StatusCode::CREATED, &render_batch::<D>(&batch))?)
}

pub async fn get_batch<D: PayoutApi>(
    state: AppState,
    headers: HeaderMap,
    id: String,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let batch = state
        .payouts
        .batch(&merchant.id, merchant.mode, &id)
        .await
        .map_err(D::refused)?;
    Ok(respond(StatusCode::OK, &render_batch::<D>(&batch))?)
}

/// Each provider account that pays out in this mode, and its balance read now.
pub async fn balances<D: PayoutApi>(
    state: AppState,
    headers: HeaderMap,
) -> Result<Response, D::Error> {
    let merchant = D::authenticate(&state, &headers).await?;
    let balances = state.payouts.balances(merchant.mode).await;
    let data: Vec<Value> = balances
        .iter()
        .map(|b| {
            let mut line = Map::new();
            line.insert(D::field("provider"), D::provider_name(b.provider).into());
            line.insert(D::field("gateway"), b.gateway.clone().into());
            line.insert(D::field("country"), b.country.code().into());
            line.insert(D::field("available"), b.balance.map(|b| b.amount).into());
            line.insert(
                D::field("currency"),
                b.balance
                    .map(|b| b.currency.code())
                    .unwrap_or(b.country.currency().code())
                    .into(),
            );
            line.insert(D::field("readAt"), clock::iso8601(b.read_at).into());
            Value::Object(line)
        })
        .collect();
    Ok(respond(StatusCode::OK, &data)?)
}
