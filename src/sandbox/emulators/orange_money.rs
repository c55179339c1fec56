//! Orange Money Senegal's merchant API (Sonatel) as the sandbox plays it, written from
//! PROVIDERS.md ("Orange Money Senegal — Sonatel's merchant API": developer.orange-sonatel.com,
//! Sonatel's Java SDK, and the production notes), never from Dalal's connector:
//!
//! - `POST /oauth/v1/token` only (form, client credentials) → a token of about five minutes.
//! - Every API call needs `Content-Type: application/json`, GETs included (`415` otherwise),
//!   and a live Bearer token. Errors are `{type, title, instance, status: "400", code: "<digits>",
//!   detail, violations}`.
//! - `POST /api/eWallet/v4/qrcode` → `{deepLink, deepLinks {OM, MAXIT}, qrCode (bare base64
//!   PNG), validity (≤ 86 400 s), metadata (≤ 10 string values), shortLink, qrId, validFor}`. An
//!   unpaid QR code appears in no transaction.
//! - `POST /api/eWallet/v1/payments/onestep`, the customer's **national** number and one-time
//!   code → `{transactionId, status, description, reference}`, not a transaction. No idempotency
//!   key: the same request twice is two payments.
//! - `GET /api/eWallet/v1/transactions?…` → a **bare array**, the production transaction shape
//!   (`amount.value` with a decimal point, no `paymentMethod`, no `qrId`); filters it does not
//!   know are ignored, and without a known one it answers the merchant's latest transactions.
//! - `GET /api/eWallet/v1/transactions/{id}/status` → `{"status": "…"}` only.
//! - Callbacks go to Dalal's `/hooks/orange-money` with `Authorization: Basic <the registered
//!   key>`: a QR payment's as the documentation's sample, a one-step payment's in the short form.
//! - Cash In (payouts) for the retailer account, its RSA public key and its balance (`cashin`:
//!   PROVIDERS.md, "Orange Money Senegal — Cash In"); the search and status find cash-ins too.
//!
//! The QR code's links open the sandbox "phone" page, where the tester's answer is the
//! customer's. A one-step payment's outcome comes from the payer's number as everywhere in the
//! sandbox (README, "Sandbox"): `…01` balance insufficient (`2020`), `…02` not allowed
//! (`2041`), `…03` never confirmed, `…04` Orange down (`503`, nothing taken), `…05` taken but
//! the answer lost (it comes after the connector has stopped waiting). A code other than six
//! digits, or `000000`, is refused with the documentation's example code `60` (Sonatel's code
//! for a wrong one-time code is not published). The API is Senegal's: XOF only, nine-digit
//! national numbers. Credentials are public (test money only).

use super::super::store::{self, Flow, SandboxSession, Scenario};
use super::super::{SandboxProvider, Stage, scenario_for_phone};
use crate::clock::iso8601;
use crate::domain::ProviderCode;
use crate::state::AppState;
use crate::{qr, random, routes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use serde_json::json;
use std::collections::BTreeMap;

pub const CLIENT_ID: &str = "om_sandbox_dalal_client_id";
pub const CLIENT_SECRET: &str = "om_sandbox_dalal_client_secret";
pub const MERCHANT_CODE: &str = "100200";
/// The retailer account that pays cash-ins (a national number: nine digits), and its PIN, sent
/// RSA-encrypted under the emulator's public key (`cashin`).
pub const RETAILER_MSISDN: &str = "771000001";
pub const RETAILER_PIN: &str = "1234";
/// The key registered with Dalal's callback URL: sent back with each callback.
pub const CALLBACK_API_KEY: &str = "om_sandbox_dalal_callback_key";
/// How long a token is good for (Orange's: about 299 seconds).
pub const TOKEN_SECS: i64 = 299;
/// Signs the emulator's tokens, so that it needs to remember none.
const TOKEN_KEY: &[u8] = b"dalal-sandbox-orange-money-tokens";
/// The longest validity a QR code may ask for: a day.
const MAX_VALIDITY_SECS: i64 = 24 * 3600;
/// At most ten metadata keys.
const MAX_METADATA: usize = 10;
/// How many transactions a search without a known filter answers.
const LATEST: i64 = 20;
/// Sonatel's API is Orange Money Senegal's: XOF only.
const CURRENCY: &str = "XOF";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth/v1/token", post(token))
        .route("/api/eWallet/v4/qrcode", post(create_qr))
        .route("/api/eWallet/v1/payments/onestep", post(one_step))
        .route("/api/eWallet/v1/transactions", get(search))
        .route("/api/eWallet/v1/transactions/{id}/status", get(status))
        .route("/api/eWallet/v1/cashins", post(cashin::cash_in))
        .route(
            "/api/eWallet/v1/account/retailer/balance",
            post(cashin::balance),
        )
        .route("/api/account/v1/publicKeys", get(cashin::public_keys))
        .route(
            "/api/notification/v1/merchantcallback",
            get(callbacks).post(register_callback),
        )
}

/// Sonatel's error body.
fn error(status: StatusCode, code: &str, title: &str, detail: &str) -> Response {
    let body = json!({
        "type": "about:blank",
        "title": title,
        "instance": "/api/eWallet",
        "status": status.as_u16().to_string(),
        "code": code,
        "detail": detail,
        "violations": [],
    });
    (status, Json(body)).into_response()
}

/// A request Orange's validation refuses, naming the field.
fn invalid(field: &str, message: &str) -> Response {
    let body = json!({
        "type": "about:blank",
        "title": "Bad Request",
        "instance": "/api/eWallet",
        "status": "400",
        "code": "400",
        "detail": "Invalid request",
        "violations": [{ "field": field, "message": message }],
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn internal(err: &anyhow::Error) -> Response {
    tracing::error!(error = ?err, "the Orange Money emulator failed");
    error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "500",
        "Internal Server Error",
        "",
    )
}

/// `POST /oauth/v1/token`.
async fn token(State(state): State<AppState>, Form(form): Form<TokenForm>) -> Response {
    if form.grant_type != "client_credentials" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "unsupported_grant_type" })),
        )
            .into_response();
    }
    if form.client_id != CLIENT_ID || form.client_secret != CLIENT_SECRET {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    let issued = state.clock.now_ms();
    Json(json!({
        "access_token": super::tokens::issue(TOKEN_KEY, issued),
        "token_type": "Bearer",
        "expires_in": TOKEN_SECS,
        "scope": "eWallet",
        "refresh_token": super::tokens::issue(TOKEN_KEY, issued + 1),
        "refresh_expires_in": 1800,
    }))
    .into_response()
}

/// What every API call passes: `Content-Type: application/json` (the gateway answers `415`
/// to a GET without it), `Accept: application/json`, and a live Bearer token.
fn admitted(state: &AppState, headers: &HeaderMap) -> Option<Response> {
    let says_json = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
            .is_some_and(|v| v.trim().starts_with("application/json"))
    };
    if !says_json(header::CONTENT_TYPE) {
        return Some(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "415",
            "Unsupported Media Type",
            "Content-Type must be application/json",
        ));
    }
    if !says_json(header::ACCEPT) {
        return Some(error(
            StatusCode::NOT_ACCEPTABLE,
            "406",
            "Not Acceptable",
            "Accept must be application/json",
        ));
    }
    let live = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| super::tokens::alive(TOKEN_KEY, t, state.clock.now_ms(), TOKEN_SECS));
    (!live).then(|| {
        error(
            StatusCode::UNAUTHORIZED,
            "401",
            "Unauthorized",
            "The access token is invalid or has expired",
        )
    })
}

/// The sandbox's rules for this provider's sessions.
fn sandbox(state: &AppState) -> SandboxProvider {
    super::rules(state, ProviderCode::OrangeMoney)
}

/// The amount's whole units in a currency the emulator takes, or the refusal.
fn amount_of(amount: &Amount) -> Result<i64, Response> {
    if amount.unit != CURRENCY {
        return Err(invalid("amount.unit", "unsupported currency"));
    }
    amount
        .whole()
        .filter(|v| *v > 0)
        .ok_or_else(|| invalid("amount.value", "a positive whole amount"))
}

/// `POST /api/eWallet/v4/qrcode`: a QR code whose links open the sandbox phone page.
async fn create_qr(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    let request = match serde_json::from_str::<QrRequest>(&body) {
        Ok(request) => request,
        Err(err) => return invalid("body", &err.to_string()),
    };
    if request.code != MERCHANT_CODE {
        return invalid("code", "unknown merchant code");
    }
    let amount = match amount_of(&request.amount) {
        Ok(amount) => amount,
        Err(refused) => return refused,
    };
    if !(1..=MAX_VALIDITY_SECS).contains(&request.validity) {
        return invalid("validity", "between 1 and 86400 seconds");
    }
    if request.metadata.len() > MAX_METADATA {
        return invalid("metadata", "at most 10 keys");
    }
    let now = state.clock.now_ms();
    let session = SandboxSession {
        id: format!("om-{}", random::lower_alphanumeric(20)),
        provider: ProviderCode::OrangeMoney,
        flow: Flow::Qr,
        amount,
        currency: request.amount.unit.clone(),
        phone: None,
        scenario: Scenario::Success,
        created_at: now,
        decision: None,
        decided_at: None,
        request: Some(body),
        reference: request.reference.clone(),
    };
    if let Err(err) = store::insert(&state.pool, &session).await {
        return internal(&err);
    }
    let link = routes::absolute(&state.public_url, &routes::sandbox_phone(&session.id));
    let image = match qr::png(&link) {
        Ok(png) => base64::engine::general_purpose::STANDARD.encode(png),
        Err(err) => return internal(&err),
    };
    Json(json!({
        "deepLink": link,
        "deepLinks": { "OM": link, "MAXIT": link },
        "qrCode": image,
        "validity": request.validity,
        "metadata": request.metadata,
        "shortLink": "",
        "qrId": session.id,
        "validFor": {
            "startDateTime": iso8601(now),
            "endDateTime": iso8601(now + request.validity * 1000),
        },
    }))
    .into_response()
}

/// A transaction id in Orange's style (`MP260909.1002.A34169`): a one-step payment's.
fn new_transaction_id(now_ms: i64) -> String {
    let stamp = iso8601(now_ms);
    // 2026-09-09T10:02:41.512Z → 260909.1002
    let date = format!("{}{}{}", &stamp[2..4], &stamp[5..7], &stamp[8..10]);
    let time = format!("{}{}", &stamp[11..13], &stamp[14..16]);
    let serial: String = random::alphanumeric(6).to_uppercase();
    format!("MP{date}.{time}.{serial}")
}

/// `POST /api/eWallet/v1/payments/onestep`.
async fn one_step(State(state): State<AppState>, headers: HeaderMap, body: String) -> Response {
    if let Some(refused) = admitted(&state, &headers) {
        return refused;
    }
    let request = match serde_json::from_str::<OneStepRequest>(&body) {
        Ok(request) => request,
        Err(err) => return invalid("body", &err.to_string()),
    };
    if request.partner.id_type != "CODE" || request.partner.id != MERCHANT_CODE {
        return invalid("partner", "unknown merchant code");
    }
    let amount = match amount_of(&request.amount) {
        Ok(amount) => amount,
        Err(refused) => return refused,
    };
    let customer = &request.customer;
    // The national number: 8 to 10 digits (Senegal's are 9), never with the country code.
    let national =
        (8..=10).contains(&customer.id.len()) && customer.id.bytes().all(|b| b.is_ascii_digit());
    if customer.id_type != "MSISDN" || !national {
        return invalid("customer.id", "the customer's national number");
    }
    if request.reference.is_empty() {
        return invalid("reference", "required");
    }
    let otp = customer.otp.as_deref().unwrap_or("");
    if otp.len() != 6 || !otp.bytes().all(|b| b.is_ascii_digit()) || otp == "000000" {
        return error(
            StatusCode::BAD_REQUEST,
            "60",
            "Bad Request",
            "invalid or expired one-time code",
        );
    }
    let scenario = scenario_for_phone(Some(&customer.id));
    let refused = |code, detail| error(StatusCode::BAD_REQUEST, code, "Bad Request", detail);
    match scenario {
        Scenario::InsufficientFunds => return refused("2020", "balance insufficient"),
        Scenario::Declined => return refused("2041", "transaction not allowed"),
        Scenario::ProviderDown => {
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "503",
                "Service Unavailable",
                "",
            );
        }
        Scenario::Success | Scenario::NoAnswer | Scenario::AnswerLost => {}
    }
    let now = state.clock.now_ms();
    let session = SandboxSession {
        id: new_transaction_id(now),
        provider: ProviderCode::OrangeMoney,
        flow: Flow::Otp,
        amount,
        currency: request.amount.unit.clone(),
        phone: Some(customer.id.clone()),
        scenario,
        created_at: now,
        decision: None,
        decided_at: None,
        request: Some(body),
        reference: Some(request.reference.clone()),
    };
    if let Err(err) = store::insert(&state.pool, &session).await {
        return internal(&err);
    }
    tokio::spawn(call_back_when_decided(state.clone(), session.id.clone()));
    if scenario == Scenario::AnswerLost {
        // The money moved; the answer is lost on the way back.
        super::lose_the_answer(&state).await;
    }
    let status = status_word(&state, &session).unwrap_or("PENDING");
    Json(json!({
        "transactionId": session.id,
        "status": status,
        "description": "Paiement marchand",
        "reference": request.reference,
    }))
    .into_response()
}

mod cashin;
mod transactions;
mod wire;

pub use transactions::notify;
use transactions::*;
use wire::*;

#[cfg(test)]
mod tests;
