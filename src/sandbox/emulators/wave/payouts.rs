//! Wave's Payout and Balance APIs as the sandbox plays them, written from PROVIDERS.md ("Wave —
//! Payout and Balance APIs": docs.wave.com/payout [WP], docs.wave.com/balance-api [WB]), never
//! from Dalal's connector. Payouts are booked in the sandbox's payout book
//! (`sandbox::payouts`), so that a test sees what Wave holds.
//!
//! - Every POST needs `Idempotency-Key` (≤ 255 characters). The same key and body answer the
//!   payout booked first, and nothing moves again; the same key with another body is
//!   `idempotency-mismatch` (409) [WP].
//! - Synchronous: the answer says how it ended, in either of Wave's two error forms — a failed
//!   payout object with `payout_error`, or a top-level error body [WP "two error forms"].
//! - `receive_amount` is what the recipient gets; the fee (1 %, down to a multiple of 5 FCFA,
//!   as the docs' samples: 500→5, 1 200→10, 15 000→150) comes on top, and both must fit in the
//!   wallet's balance, else `insufficient-funds` [WP].
//! - `mobile` in E.164 with its `+`, of the wallet's country (else `country-mismatch`); XOF only
//!   (else `currency-mismatch`); `payment_reason` ≤ 40, `name`, `national_id` and
//!   `client_reference` ≤ 255 [WP].
//! - Outcomes by the recipient's number (`PayoutScenario`): `…01` insufficient funds (top-level
//!   error), `…02` `recipient-account-inactive` (failed object), `…03` processing for good,
//!   `…04` 503, `…05` paid and the answer lost, `…06` `recipient-limit-exceeded` (failed
//!   object), `…07` `recipient-account-blocked` (top-level error), else succeeded.

use super::{error, internal, wallet_of};
use crate::clock::iso8601;
use crate::random;
use crate::sandbox::payouts::{self as book, EmulatedPayout, OPENING_BALANCE, PayoutScenario};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

const PROVIDER: &str = "wave";

/// Wave's fee on a payout, as the docs' samples show it.
fn fee(amount: i64) -> i64 {
    amount / 100 / 5 * 5
}

/// The calling code of the wallet's country (the emulator's wallets: SN, CI, ML, BF).
fn calling_code(wallet: &str) -> &'static str {
    match wallet {
        "SN" => "+221",
        "CI" => "+225",
        "ML" => "+223",
        _ => "+226",
    }
}

/// The payout object as Wave shows it [WP "payout object"].
fn render(p: &EmulatedPayout) -> Value {
    let request: Map<String, Value> = serde_json::from_str(&p.request).unwrap_or_default();
    let (status, payout_error) = match p.scenario {
        PayoutScenario::Success | PayoutScenario::AnswerLost => ("succeeded", None),
        PayoutScenario::Stuck => ("processing", None),
        PayoutScenario::RecipientLimit => ("failed", Some("recipient-limit-exceeded")),
        _ => ("failed", Some("recipient-account-inactive")),
    };
    let mut object = json!({
        "id": p.id,
        "currency": p.currency,
        "receive_amount": p.amount.to_string(),
        "fee": p.fee.to_string(),
        "mobile": p.phone,
        "status": status,
        // To the second, UTC: when the request was recorded, not when it ran.
        "timestamp": iso8601(p.created_at / 1000 * 1000).replace(".000Z", "Z"),
    });
    for field in ["name", "national_id", "client_reference", "payment_reason"] {
        if let Some(value) = request.get(field) {
            object[field] = value.clone();
        }
    }
    if let Some(code) = payout_error {
        object["payout_error"] = json!({ "error_code": code, "error_message": code.replace('-', " ") });
    }
    object
}

fn invalid(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "request-validation-error", message)
}

/// A text field of at most `max` characters, if present.
fn bounded(body: &Map<String, Value>, field: &str, max: usize) -> Result<(), Response> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(()),
        Some(_) => Err(invalid(&format!("{field}: a string of at most {max} characters"))),
    }
}

/// `POST /v1/payout`.
pub async fn create(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let wallet = match wallet_of(&headers) {
        Ok(wallet) => wallet,
        Err(refused) => return refused,
    };
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty())
    else {
        return invalid("An 'Idempotency-Key' header is required for POST requests");
    };
    if key.len() > 255 {
        return invalid("Idempotency-Key: at most 255 characters");
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "request-not-json", "The request body is not JSON");
    };
    // The body as Wave compares it under one key: its fields, whatever their order.
    let request = Value::Object(body.clone()).to_string();
    match book::by_handle(&state.pool, PROVIDER, wallet, key).await {
        Ok(Some(held)) if held.request == request => return Json(render(&held)).into_response(),
        Ok(Some(_)) => {
            return error(
                StatusCode::CONFLICT,
                "idempotency-mismatch",
                "This Idempotency-Key was used with another request body",
            );
        }
        Ok(None) => {}
        Err(err) => return internal(&err),
    }
    if body.contains_key("aggregated_merchant_id") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid-aggregated-merchant-id",
            "This business is not an aggregator",
        );
    }
    match body.get("currency").and_then(Value::as_str) {
        Some("XOF") => {}
        Some(_) => return error(StatusCode::BAD_REQUEST, "currency-mismatch", "The wallet's currency is XOF"),
        None => return invalid("currency: required"),
    }
    let amount = body
        .get("receive_amount")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit()) && !a.starts_with('0'))
        .and_then(|a| a.parse::<i64>().ok());
    let Some(amount) = amount else {
        return invalid("receive_amount: a positive whole number, as a string, with no decimals");
    };
    let Some(mobile) = body.get("mobile").and_then(Value::as_str) else {
        return invalid("mobile: required");
    };
    let digits = mobile.strip_prefix('+').unwrap_or("");
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return invalid("Invalid phone number.");
    }
    if !mobile.starts_with(calling_code(wallet)) {
        return error(
            StatusCode::BAD_REQUEST,
            "country-mismatch",
            "The recipient and the business wallet are not in the same country",
        );
    }
    for (field, max) in [("name", 255), ("national_id", 255), ("payment_reason", 40), ("client_reference", 255)] {
        if let Err(refused) = bounded(&body, field, max) {
            return refused;
        }
    }
    let scenario = PayoutScenario::for_phone(mobile);
    let fee = fee(amount);
    let spent = match book::spent(&state.pool, PROVIDER, wallet, "XOF").await {
        Ok(spent) => spent,
        Err(err) => return internal(&err),
    };
    let refused = |status, code: &str, message: &str| error(status, code, message);
    match scenario {
        PayoutScenario::ProviderDown => {
            return refused(StatusCode::SERVICE_UNAVAILABLE, "service-unavailable", "The service is temporarily unavailable");
        }
        PayoutScenario::InsufficientFunds => {
            return refused(StatusCode::UNPROCESSABLE_ENTITY, "insufficient-funds", "Insufficient funds in the business wallet");
        }
        PayoutScenario::RecipientBlocked => {
            return refused(StatusCode::UNPROCESSABLE_ENTITY, "recipient-account-blocked", "The recipient's account is blocked");
        }
        _ if OPENING_BALANCE - spent < amount + fee => {
            return refused(StatusCode::UNPROCESSABLE_ENTITY, "insufficient-funds", "Insufficient funds in the business wallet");
        }
        _ => {}
    }
    let payout = EmulatedPayout {
        id: format!("pt-{}", random::lower_alphanumeric(16)),
        provider: PROVIDER.to_owned(),
        account: wallet.to_owned(),
        handle: key.to_owned(),
        request,
        amount,
        currency: "XOF".to_owned(),
        phone: mobile.to_owned(),
        fee,
        scenario,
        created_at: state.clock.now_ms(),
    };
    let held = match book::book(&state.pool, &payout).await {
        Ok((held, _)) => held,
        Err(err) => return internal(&err),
    };
    if held.request != payout.request {
        return error(StatusCode::CONFLICT, "idempotency-mismatch", "This Idempotency-Key was used with another request body");
    }
    if scenario == PayoutScenario::AnswerLost {
        super::super::lose_the_answer(&state).await;
    }
    Json(render(&held)).into_response()
}

/// `GET /v1/payout/{id}`: the wallet's own payouts only.
pub async fn show(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let wallet = match wallet_of(&headers) {
        Ok(wallet) => wallet,
        Err(refused) => return refused,
    };
    match book::by_id(&state.pool, PROVIDER, &id).await {
        Ok(Some(p)) if p.account == wallet => Json(render(&p)).into_response(),
        Ok(_) => error(StatusCode::NOT_FOUND, "not-found", "No payout with this id"),
        Err(err) => internal(&err),
    }
}

/// `GET /v1/payouts/search?client_reference=…` → `{"result": […]}`, empty when nothing matches;
/// `client_reference` is the only filter [WP].
pub async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let wallet = match wallet_of(&headers) {
        Ok(wallet) => wallet,
        Err(refused) => return refused,
    };
    let Some(reference) = query.get("client_reference") else {
        return invalid("client_reference: required");
    };
    let needle = format!("\"client_reference\":{}", Value::from(reference.as_str()));
    match book::with_request_field(&state.pool, PROVIDER, wallet, &needle).await {
        Ok(found) => Json(json!({ "result": found.iter().map(render).collect::<Vec<_>>() })).into_response(),
        Err(err) => internal(&err),
    }
}

/// `GET /v1/balance` → `{"amount": "…", "currency": "XOF"}` [WB; WC `balance/types.ts`].
pub async fn balance(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let wallet = match wallet_of(&headers) {
        Ok(wallet) => wallet,
        Err(refused) => return refused,
    };
    match book::spent(&state.pool, PROVIDER, wallet, "XOF").await {
        Ok(spent) => Json(json!({ "amount": (OPENING_BALANCE - spent).to_string(), "currency": "XOF" })).into_response(),
        Err(err) => internal(&err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fee_follows_the_docs_samples() {
        for (amount, expected) in [(500, 5), (1_000, 10), (1_200, 10), (15_000, 150), (16_000, 160)] {
            assert_eq!(fee(amount), expected, "{amount}");
        }
    }
}
